"""Translating many articles: a folder (recursively) or a feed, into an output folder.

One unreadable or failing input is reported and skipped, never stops the run; an
output that exists is kept (the run resumes) unless ``force``; every output is written
atomically, so an interrupted run leaves only complete files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .article import Article
from .engine import Translator
from .errors import InputError, TranslateNewsError
from .output import render, write_atomic
from .readers import DEFAULT_FIELDS, SUFFIXES, FeedFields, read_articles

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
    report = Report()

    def articles() -> Iterator[Article]:
        for path in find_inputs(root):
            try:
                for article in read_articles(path, fields):
                    target = output_path(article.path or str(path), root, out_dir, fmt)
                    if target.exists() and not force:
                        report.skipped.append(str(target))
                        on_event("skipped", article.path or str(path), str(target))
                        continue
                    yield article
            except InputError as exc:
                report.failed.append((str(path), str(exc)))
                on_event("failed", str(path), str(exc))

    for translated in translator.translate_articles(articles()):
        source = translated.path or ""
        target = output_path(source, root, out_dir, fmt)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, render(translated, fmt), force=True)
        except (OSError, TranslateNewsError) as exc:
            report.failed.append((source, str(exc)))
            on_event("failed", source, str(exc))
            continue
        report.done.append(str(target))
        on_event("done", source, str(target))
    return report
