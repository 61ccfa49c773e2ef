"""Many articles: a folder (recursively) or a feed, into an output folder.

The run flows one way, one window of articles at a time: read the window (skipping what
is done) -> translate it -> summarise it (``summarize``) -> write each article. One
unreadable or failing input is reported and skipped, never stops the run; every output
is written atomically, so an interrupted run leaves only complete files.

What is done: for ``translate``, an output that exists (unless ``force``); for
``summarize``, a record holding the same :func:`fingerprint` (source and settings).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .document import Article, Summary, TranslatedArticle
from .engine import Translator
from .errors import InputError, TranslateNewsError
from .output import read_summary_record, render, summary_record, to_markdown, write_atomic
from .readers import DEFAULT_FIELDS, SUFFIXES, FeedFields, read_articles
from .summarize import Summarizer

_log = logging.getLogger(__name__)
EXTENSIONS = {"txt": ".txt", "md": ".md", "json": ".json", "html": ".html"}
OnEvent = Callable[[str, str, str], None]


def _ignore(kind: str, source: str, detail: str) -> None:
    """The default ``on_event``: nothing to report to."""


@dataclass
class Report:
    """What a run did, input by input."""

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def find_inputs(root: Path) -> list[Path]:
    """Article files under ``root`` (or ``root`` itself), in a stable order.

    Symbolic links to folders are not followed, so a link loop cannot trap the walk.
    """
    if not root.is_dir():
        return [root]
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in SUFFIXES and not name.startswith("."):
                found.append(Path(folder) / name)
    return found


def output_path(source: str, root: Path, out_dir: Path, fmt: str) -> Path:
    """Where the translation of ``source`` (a path, or ``path#n`` for a feed record) goes."""
    path, _, record = source.partition("#")
    relative = Path(path).relative_to(root) if root.is_dir() else Path(Path(path).name)
    stem = relative.with_suffix("").as_posix() + (f"-{record}" if record else "")
    return out_dir / f"{stem}.en{EXTENSIONS[fmt]}"


def fingerprint(article: Article, settings: str) -> str:
    """What makes an output: the source article's text and the settings' signature."""
    texts = [p.text for p in article.paragraphs]
    data = json.dumps([article.title, article.date, texts, settings], ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class _Item:
    """An article still to do, where it goes, and its fingerprint."""

    article: Article
    target: Path
    fingerprint: str


class Translations:
    """``translate``'s outputs: ``<name>.en.<fmt>``, done when it exists."""

    settings = ""

    def __init__(self, fmt: str, *, force: bool = False) -> None:
        self.fmt, self.force = fmt, force

    def summarize(self, window: list[TranslatedArticle]) -> list[None]:
        return [None] * len(window)

    def target(self, source: str, root: Path, out_dir: Path) -> Path:
        return output_path(source, root, out_dir, self.fmt)

    def done(self, item: _Item) -> bool:
        return not self.force and item.target.exists()

    def write(self, item: _Item, english: TranslatedArticle, summary: Summary | None) -> None:
        write_atomic(item.target, render(english, self.fmt), force=True)


class Summaries:
    """``summarize``'s outputs: ``<name>.en.md`` and the record ``<name>.en.json``, done
    when the record holds the same fingerprint (source text and both signatures), so a
    changed source or option redoes it."""

    def __init__(self, summarizer: Summarizer, *, force: bool = False) -> None:
        self.summarizer, self.force = summarizer, force
        self.settings = f"{summarizer.signature}\n{summarizer.options!r}"

    def summarize(self, window: list[TranslatedArticle]) -> list[Summary | TranslateNewsError]:
        """The window's summaries, made together; if that fails, one article at a time,
        and an article whose summary fails has the error in its place."""
        try:
            return list(self.summarizer.summarize_many(window))
        except TranslateNewsError as exc:
            _log.warning("%s; going on one article at a time", exc)
        results: list[Summary | TranslateNewsError] = []
        for article in window:
            try:
                results.append(self.summarizer.summarize(article))
            except TranslateNewsError as exc:
                results.append(exc)
        return results

    def target(self, source: str, root: Path, out_dir: Path) -> Path:
        return output_path(source, root, out_dir, "json")

    def done(self, item: _Item) -> bool:
        if self.force or not item.target.exists():
            return False
        try:
            return read_summary_record(item.target).fingerprint == item.fingerprint
        except InputError:
            return False

    def write(self, item: _Item, english: TranslatedArticle, summary: Summary) -> None:
        markdown = item.target.with_suffix(".md")
        write_atomic(markdown, to_markdown(english, summary), force=True)
        record = summary_record(english, summary, item.fingerprint, markdown.name)
        write_atomic(item.target, record, force=True)


def run_folder(
    translator: Translator,
    root: Path,
    out_dir: Path,
    outputs: Translations | Summaries,
    *,
    fields: FeedFields = DEFAULT_FIELDS,
    on_event: OnEvent = _ignore,
) -> Report:
    """Translate every article under ``root`` (a folder, searched recursively, or a file
    or feed) and write ``outputs`` of each into ``out_dir``: ``Translations(fmt)`` or
    ``Summaries(summarizer)``. ``on_event(kind, source, detail)`` is called with kind
    "done", "skipped" or "failed" for each input."""
    report = Report()
    settings = f"{translator.signature}\n{outputs.settings}"

    def pending() -> Iterator[_Item]:
        for path in find_inputs(root):
            try:
                for article in read_articles(path, fields):
                    if article.path is None:
                        article = replace(article, path=str(path))
                    target = outputs.target(article.path or str(path), root, out_dir)
                    item = _Item(article, target, fingerprint(article, settings))
                    if outputs.done(item):
                        report.skipped.append(str(target))
                        on_event("skipped", article.path or str(path), str(target))
                        continue
                    yield item
            except InputError as exc:
                report.failed.append((str(path), str(exc)))
                on_event("failed", str(path), str(exc))

    items = pending()
    while window := list(itertools.islice(items, translator.options.articles_per_window)):
        english = list(translator.translate_articles(item.article for item in window))
        summaries = outputs.summarize(english)
        for item, translated, summary in zip(window, english, summaries):
            source = item.article.path or ""
            try:
                if isinstance(summary, TranslateNewsError):
                    raise summary
                item.target.parent.mkdir(parents=True, exist_ok=True)
                outputs.write(item, translated, summary)
            except (OSError, TranslateNewsError) as exc:
                report.failed.append((source, str(exc)))
                on_event("failed", source, str(exc))
                continue
            report.done.append(str(item.target))
            on_event("done", source, str(item.target))
    return report
