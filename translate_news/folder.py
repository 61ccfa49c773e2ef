"""Translating many articles: a folder (recursively) or a feed, into an output folder.

One unreadable or failing input is reported and skipped, never stops the run; an
output that exists is kept (the run resumes) unless ``force``; every output is written
atomically, so an interrupted run leaves only complete files.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .article import Article
from .engine import TranslatedArticle, Translator
from .errors import InputError, TranslateNewsError
from .output import render, to_dict, to_markdown, write_atomic
from .readers import DEFAULT_FIELDS, SUFFIXES, FeedFields, read_articles
from .summarize import Summarizer, Summary

_log = logging.getLogger(__name__)
EXTENSIONS = {"txt": ".txt", "md": ".md", "json": ".json", "html": ".html"}


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


def translate_folder(
    translator: Translator,
    root: Path,
    out_dir: Path,
    fmt: str,
    *,
    force: bool = False,
    fields: FeedFields = DEFAULT_FIELDS,
    on_event: Callable[[str, str, str], None] = lambda kind, source, detail: None,
) -> Report:
    """Translate every article under ``root`` into ``out_dir``; see the module docstring.

    ``on_event(kind, source, detail)`` is called with kind "done", "skipped" or "failed".
    """

    def done_already(article: Article) -> str | None:
        target = output_path(article.path or "", root, out_dir, fmt)
        return str(target) if target.exists() and not force else None

    def write(translated: TranslatedArticle) -> str:
        target = output_path(translated.path or "", root, out_dir, fmt)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, render(translated, fmt), force=True)
        return str(target)

    return process_folder(translator, root, done_already, write, fields, on_event)


def process_folder(
    translator: Translator,
    root: Path,
    done_already: Callable[[Article], str | None],
    write: Callable[[TranslatedArticle], str],
    fields: FeedFields = DEFAULT_FIELDS,
    on_event: Callable[[str, str, str], None] = lambda kind, source, detail: None,
    prepare: Callable[[list[TranslatedArticle]], None] | None = None,
) -> Report:
    """Translate every article under ``root`` that ``done_already`` does not name, and
    hand each translation to ``write``; failures are reported and the run goes on.
    ``prepare``, when given, first sees each window of translations together (to
    summarise them in one go); if it fails, ``write`` still gets every article."""
    report = Report()

    def articles() -> Iterator[Article]:
        for path in find_inputs(root):
            try:
                for article in read_articles(path, fields):
                    if article.path is None:
                        article = replace(article, path=str(path))
                    previous = done_already(article)
                    if previous is not None:
                        report.skipped.append(previous)
                        on_event("skipped", article.path, previous)
                        continue
                    yield article
            except InputError as exc:
                report.failed.append((str(path), str(exc)))
                on_event("failed", str(path), str(exc))

    translations: Iterable[TranslatedArticle] = translator.translate_articles(articles())
    if prepare is not None:
        translations = _prepared(translations, prepare, translator.options.articles_per_window)
    for translated in translations:
        source = translated.path or ""
        try:
            target = write(translated)
        except (OSError, TranslateNewsError) as exc:
            report.failed.append((source, str(exc)))
            on_event("failed", source, str(exc))
            continue
        report.done.append(target)
        on_event("done", source, target)
    return report


def _prepared(
    translations: Iterable[TranslatedArticle],
    prepare: Callable[[list[TranslatedArticle]], None],
    size: int,
) -> Iterator[TranslatedArticle]:
    iterator = iter(translations)
    while window := list(itertools.islice(iterator, size)):
        try:
            prepare(window)
        except TranslateNewsError as exc:  # each article will be tried on its own
            _log.warning("%s; going on one article at a time", exc)
        yield from window


def summarize_folder(
    translator: Translator,
    summarizer: Summarizer,
    root: Path,
    out_dir: Path,
    *,
    force: bool = False,
    fields: FeedFields = DEFAULT_FIELDS,
    on_event: Callable[[str, str, str], None] = lambda kind, source, detail: None,
) -> Report:
    """Translate and summarise every article under ``root``: ``<name>.en.md`` and
    ``<name>.en.json`` in ``out_dir``. An article is done when its JSON holds the same
    fingerprint (source text, model, options), so a changed source or option redoes it."""
    settings = f"{translator.signature}|{summarizer.name}|{summarizer.options!r}"

    def fingerprint(title: str | None, date: str | None, paragraphs: list[str]) -> str:
        data = json.dumps([title, date, paragraphs, settings], ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()

    def done_already(article: Article) -> str | None:
        target = output_path(article.path or "", root, out_dir, "json")
        if force or not target.exists():
            return None
        try:
            previous = json.loads(target.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, ValueError):
            return None
        texts = [p.text for p in article.paragraphs]
        return str(target) if previous == fingerprint(article.title, article.date, texts) else None

    ready: dict[int, Summary] = {}

    def prepare(window: list[TranslatedArticle]) -> None:
        ready.clear()
        ready.update(zip(map(id, window), summarizer.summarize_many(window)))

    def write(translated: TranslatedArticle) -> str:
        summary = ready.pop(id(translated), None) or summarizer.summarize(translated)
        title = translated.title.source if translated.title else None
        texts = [p.source for p in translated.paragraphs]
        target = output_path(translated.path or "", root, out_dir, "json")
        markdown = target.with_suffix(".md")
        record = {
            "source": translated.path,
            "fingerprint": fingerprint(title, translated.date, texts),
            "markdown": markdown.name,
            "summary": {
                "text": summary.text,
                "method": summary.method,
                "chunks": summary.chunks,
                "options": asdict(summary.options),
            },
            "translation": to_dict(translated),
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(markdown, with_summary(to_markdown(translated), summary), force=True)
        write_atomic(target, json.dumps(record, ensure_ascii=False, indent=2) + "\n", force=True)
        return str(target)

    return process_folder(translator, root, done_already, write, fields, on_event, prepare)


def with_summary(markdown: str, summary: Summary) -> str:
    """The article's Markdown with its summary after the title and date."""
    blocks = markdown.split("\n\n")
    head = sum(1 for b in blocks[:2] if b.startswith(("# ", "*")))
    how = "LEAD-3" if summary.method == "lead" else summary.method
    note = f", from {summary.chunks} chunks" if summary.chunks > 1 else ""
    block = f"> **Summary** ({how}{note}): {summary.text}"
    return "\n\n".join([*blocks[:head], block, *blocks[head:]])
