"""Many articles: a folder (recursively) or a feed, into an output folder.

The run flows one way, one window of articles at a time: read the window (skipping what
is done) -> translate it -> summarise it (``summarize``) -> write each article.

* One input, one output: output names are distinct by construction (see
  :func:`distinct_stems`; a feed record is named by its id, never its position), and
  a run never reads its own outputs.
* Done means the output records the same :func:`fingerprint` (the source and the
  signatures of what ran); an edited source or a changed option is done again.
* One input that fails is one line naming it, and the run goes on; an error that would
  fail every following input (a full disk, a read-only output folder) stops the run at
  once. Every output is written atomically: an interrupted run leaves complete files.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import itertools
import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from translate_news.core.document import Article, Summary, TranslatedArticle
from translate_news.core.errors import (
    FatalError,
    InputError,
    OutputError,
    TranslateNewsError,
    UsageError,
)
from translate_news.core.files import special_kind, write_atomic
from translate_news.formats.docx import article_docx
from translate_news.formats.docx import read_fingerprint as read_docx_fingerprint
from translate_news.formats.output import (
    DOCUMENT_FORMATS,
    FORMATS,
    read_fingerprint,
    read_summary_record,
    render,
    summary_record,
    to_html,
    to_markdown,
)
from translate_news.formats.readers import (
    DEFAULT_READ,
    SUFFIXES,
    ReadOptions,
    read_articles,
    read_file_bytes,
)
from translate_news.pipeline.markup import translate_document
from translate_news.pipeline.summarizer import Summarizer, flag_terms
from translate_news.pipeline.translator import Translator

_log = logging.getLogger(__name__)
EXTENSIONS = {f: f".{f}" for f in FORMATS}
OnEvent = Callable[[str, str, str], None]
# What this tool writes into an output folder; never read back as an input.
_OUTPUT_NAME = re.compile(r"\.en\.(txt|md|json|html)$")
# Write errors that every following write would meet too.
_FATAL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def _ignore(kind: str, source: str, detail: str) -> None:
    """The default ``on_event``: nothing to report to."""


@dataclass
class Report:
    """What a run did, input by input; ``stopped`` says why it stopped early, if it did."""

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    passed_over: list[tuple[str, str]] = field(default_factory=list)
    flagged: list[tuple[str, int]] = field(default_factory=list)  # output, sentences
    stopped: str | None = None


@dataclass(frozen=True)
class Input:
    """An input file and the stem of its outputs, relative to the output folder."""

    path: Path
    stem: str


def _escaped(name: str) -> str:
    """A file-derived name with ``%`` and ``#`` escaped: ``#`` then only ever separates a
    feed's stem from a record's key, so record outputs and file outputs never meet."""
    return name.replace("%", "%25").replace("#", "%23")


def distinct_stems(names: list[str]) -> dict[str, str]:
    """Output stems for the files ``names`` of one folder, distinct even where the file
    system ignores case: the name without its extension; where two share that, the
    whole name (``a.txt`` and ``a.md``); where two still share it, a hash beside it."""
    level = dict.fromkeys(names, 0)

    def stem(name: str) -> str:
        base = _escaped(Path(name).stem if level[name] == 0 else name)
        return (
            base if level[name] < 2 else f"{base}~{hashlib.sha256(name.encode()).hexdigest()[:8]}"
        )

    while True:
        groups: dict[str, list[str]] = defaultdict(list)
        for name in names:
            groups[stem(name).casefold()].append(name)
        clashing = [n for group in groups.values() if len(group) > 1 for n in group if level[n] < 2]
        if not clashing:
            return {name: stem(name) for name in names}
        for name in clashing:
            level[name] += 1


def check_output_folder(out_dir: Path) -> None:
    """A many-article run writes a folder: refuse a file there, or a name that says
    file (``-o out.md``)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(
            f"{out_dir}: exists and is not a folder; a many-article run needs -o FOLDER"
        )
    if not out_dir.exists() and out_dir.suffix.lower() in {f".{f}" for f in FORMATS}:
        raise UsageError(
            f"{out_dir}: looks like a file name; a many-article run writes a folder of them "
            "(-o FOLDER)"
        )


def find_inputs(
    root: Path,
    out_dir: Path | None = None,
    on_event: OnEvent = _ignore,
    report: Report | None = None,
) -> list[Input]:
    """The article files under ``root`` (or ``root`` itself), in a stable order, each with
    its output stem. Links to folders are not followed (a loop cannot trap the walk); the
    output folder, when inside ``root``, and hidden files are left out; what is not a
    regular file (a FIFO, a socket, a device) is passed over with a line; a folder that
    cannot be read is a failure."""
    report = report if report is not None else Report()
    if not root.is_dir():
        return [Input(root, _escaped(root.stem))]
    outside = None if out_dir is None else out_dir.resolve()
    found: list[Input] = []

    def unreadable(error: OSError) -> None:
        where, why = str(error.filename or root), error.strerror or str(error)
        report.failed.append((where, f"{where}: cannot be read ({why})"))
        on_event("failed", where, f"{where}: cannot be read ({why})")

    for folder, dirs, files in os.walk(root, onerror=unreadable, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (here / d).resolve() != outside
        )
        names = []
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in SUFFIXES:
                continue
            if here.resolve() == outside and _OUTPUT_NAME.search(name):
                continue  # -o is the input folder: its translations are not inputs
            try:
                kind = special_kind(here / name)
            except OSError as exc:  # a link loop, say
                unreadable(OSError(exc.errno, exc.strerror, str(here / name)))
                continue
            if kind is not None:
                why = f"{here / name}: is {kind}, not an article file; passed over"
                report.passed_over.append((str(here / name), why))
                on_event("passed over", str(here / name), why)
                continue
            names.append(name)
        relative = here.relative_to(root)
        for name, stem in distinct_stems(names).items():
            found.append(Input(here / name, (relative / stem).as_posix()))
    return found


def output_path(item: Input, article: Article, out_dir: Path, fmt: str) -> Path:
    """Where the ``fmt`` output of ``article`` (read from ``item``) goes."""
    stem = item.stem if article.record is None else f"{item.stem}#{article.record}"
    return out_dir / f"{stem}.en{EXTENSIONS[fmt]}"


def fingerprint(article: Article, settings: str) -> str:
    """What makes an output: the source article's text and the settings' signature."""
    texts = [p.text for p in article.paragraphs]
    data = json.dumps([article.title, article.date, texts, settings], ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class _Pending:
    """An article still to do, where it goes, and its fingerprint."""

    article: Article
    target: Path
    fingerprint: str


class TranslationWriter:
    """``translate``'s outputs: ``<name>.en.<fmt>``, each recording its fingerprint. As
    Word documents (``docx``), a Word input becomes the same document in English (with
    ``translator``, which translates its every paragraph, the memory giving back what
    the article's reading already translated); any other, a new document."""

    settings = ""
    fmt: str

    def __init__(
        self,
        fmt: str,
        *,
        force: bool = False,
        translator: Translator | None = None,
        limit: int = DEFAULT_READ.max_bytes,
    ) -> None:
        self.fmt, self.force, self.translator, self.limit = fmt, force, translator, limit

    def summarize(self, window: list[TranslatedArticle]) -> list[None]:
        return [None] * len(window)  # translations only

    def done(self, item: _Pending) -> bool:
        if self.force:
            return False
        if self.fmt == "docx":
            return read_docx_fingerprint(item.target) == item.fingerprint
        return read_fingerprint(item.target, self.fmt) == item.fingerprint

    def write(self, item: _Pending, english: TranslatedArticle, summary: Summary | None) -> None:
        if self.fmt in DOCUMENT_FORMATS.values():
            data: str | bytes = self._document(item, english)
        else:
            data = render(english, self.fmt, fingerprint=item.fingerprint)
        write_atomic(item.target, data, force=True)
        if self.fmt in ("txt", "srt"):  # no place for it inside: a hidden file beside it
            sidecar = item.target.with_name(f".{item.target.name}.fingerprint")
            write_atomic(sidecar, item.fingerprint + "\n", force=True)

    def _document(self, item: _Pending, english: TranslatedArticle) -> bytes:
        note = (
            f"Translated from French by translate-news: {english.signature}\n"
            f"translate-news-fingerprint: {item.fingerprint}"
        )
        path = Path(item.article.path or "")
        same = DOCUMENT_FORMATS.get(path.suffix.lower()) == self.fmt and not item.article.record
        if self.translator is not None and same:
            raw = read_file_bytes(path, self.limit)
            return translate_document(self.translator, raw, path, self.limit, note).data
        if self.fmt == "docx":
            return article_docx(english, note)
        raise InputError(
            f"{item.article.source}: {self.fmt} subtitles are written from {self.fmt} subtitles"
        )


class SummaryWriter:
    """``summarize``'s outputs: ``<name>.en.md`` (and, with ``pages``, a standalone
    ``<name>.en.html``) and the record ``<name>.en.json``, done
    when the record holds the same fingerprint (source text and both signatures), so a
    changed source or option redoes it."""

    fmt = "json"

    def __init__(self, summarizer: Summarizer, *, force: bool = False, pages: bool = False) -> None:
        self.summarizer, self.force, self.pages = summarizer, force, pages
        self.settings = f"{summarizer.line}\n{summarizer.options!r}"

    def summarize(self, window: list[TranslatedArticle]) -> list[Summary | TranslateNewsError]:
        return _together_or_alone(self.summarizer.summarize_many, self.summarizer.summarize, window)

    def done(self, item: _Pending) -> bool:
        if self.force or not item.target.exists():
            return False
        try:
            return read_summary_record(item.target).fingerprint == item.fingerprint
        except InputError:
            return False

    def write(self, item: _Pending, english: TranslatedArticle, summary: Summary) -> None:
        markdown = item.target.with_suffix(".md")
        write_atomic(markdown, to_markdown(english, summary), force=True)
        page = item.target.with_suffix(".html") if self.pages else None
        if page is not None:
            write_atomic(page, to_html(english, summary), force=True)
        name = None if page is None else page.name
        record = summary_record(english, summary, item.fingerprint, markdown.name, name)
        write_atomic(item.target, record, force=True)


def run_folder(
    translator: Translator,
    root: Path,
    out_dir: Path,
    outputs: TranslationWriter | SummaryWriter,
    *,
    reading: ReadOptions = DEFAULT_READ,
    on_event: OnEvent = _ignore,
) -> Report:
    """Translate every article under ``root`` (a folder, searched recursively, or a file
    or feed) and write ``outputs`` of each into ``out_dir``: ``TranslationWriter(fmt)`` or
    ``SummaryWriter(summarizer)``. ``on_event(kind, source, detail)`` is called with kind
    "done", "skipped", "failed" or "passed over" for each input, and "stopped" when an
    error stops the run (the report says why). Counting as it reads: "listed" once the
    files are known (detail: how many), then "more" for each article of a file beyond its
    first (a feed's records), so a progress bar learns its total from the same pass."""
    report = Report()
    found = pending(root, out_dir, outputs.fmt, reading, report, on_event)
    try:
        while window := list(itertools.islice(found, translator.options.articles_per_window)):
            process(translator, outputs, out_dir, window, report, on_event)
    except FatalError as exc:
        report.stopped = str(exc)
        on_event("stopped", "", str(exc))
    return report


def pending(
    root: Path,
    out_dir: Path,
    fmt: str,
    reading: ReadOptions,
    report: Report,
    on_event: OnEvent = _ignore,
) -> Iterator[tuple[Article, Path]]:
    """Every article under ``root`` with the output it goes to; what cannot be read is
    in ``report`` (and told to ``on_event``)."""

    failed = _recorder(report, on_event)

    inputs = find_inputs(root, out_dir, on_event, report)
    on_event("listed", str(root), str(len(inputs)))
    for found in inputs:
        where = str(found.path)
        bad_record = functools.partial(_bad_record, failed, where)
        try:
            for number, article in enumerate(read_articles(found.path, reading, bad_record)):
                if number:
                    on_event("more", where, "")
                if article.path is None:
                    article = replace(article, path=str(found.path))
                yield article, output_path(found, article, out_dir, fmt)
        except InputError as exc:
            failed(where, str(exc))


def _recorder(report: Report, on_event: OnEvent) -> Callable[[str, str], None]:
    """What records a failure: in ``report``, and told to ``on_event``."""

    def failed(source: str, message: str) -> None:
        report.failed.append((source, message))
        on_event("failed", source, message)

    return failed


def process(
    translator: Translator,
    outputs: TranslationWriter | SummaryWriter,
    out_dir: Path,
    window: list[tuple[Article, Path]],
    report: Report,
    on_event: OnEvent = _ignore,
) -> None:
    """One window of articles: skip what is done (same fingerprint), translate the rest
    together, summarise, write; each outcome into ``report``. A full disk or a read-only
    folder raises :class:`FatalError`."""
    settings = f"{translator.signature}\n{outputs.settings}"

    failed = _recorder(report, on_event)

    todo = []
    for article, target in window:
        item = _Pending(article, target, fingerprint(article, settings))
        if outputs.done(item):
            report.skipped.append(str(target))
            on_event("skipped", article.source, str(target))
        else:
            todo.append(item)
    if not todo:
        return
    english = _together_or_alone(
        translator.translate_articles, translator.translate_article, [i.article for i in todo]
    )
    translated = []
    for item, result in zip(todo, english):
        if isinstance(result, TranslateNewsError):
            failed(item.article.source, f"{item.article.source}: {result}")
        else:
            translated.append((item, result))
    summaries = outputs.summarize([result for _, result in translated])
    for (item, result), summary in zip(translated, summaries):
        source = item.article.source
        try:
            if isinstance(summary, TranslateNewsError):
                raise summary
            if isinstance(summary, Summary):
                summary = flag_terms(summary, result, translator.glossary)
            item.target.parent.mkdir(parents=True, exist_ok=True)
            outputs.write(item, result, summary)  # type: ignore[arg-type]
        except OSError as exc:  # the sub-folder could not be made
            why = OutputError(f"{item.target.parent}: cannot be made ({exc.strerror})", exc.errno)
            _fail_or_stop(why, out_dir, source, failed)
        except TranslateNewsError as exc:
            _fail_or_stop(exc, out_dir, source, failed)
        else:
            report.done.append(str(item.target))
            flagged = len(result.flagged) + bool(isinstance(summary, Summary) and summary.flags)
            if flagged:
                report.flagged.append((str(item.target), flagged))
            on_event("done", source, str(item.target))


def _bad_record(failed: Callable[[str, str], None], where: str, error: InputError) -> None:
    failed(where, str(error))


T = TypeVar("T")
R = TypeVar("R")


def _together_or_alone(
    together: Callable[[list[T]], Iterable[R]], alone: Callable[[T], R], items: list[T]
) -> list[R | TranslateNewsError]:
    """``together(items)``; if that fails, ``alone`` on each item, and an item that
    fails alone has its error in its place. A :class:`FatalError` stops everything."""
    try:
        return list(together(items))
    except FatalError:
        raise
    except TranslateNewsError as exc:
        _log.warning("%s; going on one article at a time", exc)
    results: list[R | TranslateNewsError] = []
    for item in items:
        try:
            results.append(alone(item))
        except FatalError:
            raise
        except TranslateNewsError as exc:
            results.append(exc)
    return results


def _fail_or_stop(
    exc: TranslateNewsError, out_dir: Path, source: str, failed: Callable[[str, str], None]
) -> None:
    """A write error that every following write would meet stops the run; any other
    fails this input alone."""
    code = getattr(exc, "errno", None)
    unwritable = code in (errno.EACCES, errno.EPERM) and not os.access(out_dir, os.W_OK)
    if isinstance(exc, FatalError) or code in _FATAL_ERRNOS or unwritable:
        raise FatalError(str(exc)) from exc
    failed(source, f"{source}: {exc}")
