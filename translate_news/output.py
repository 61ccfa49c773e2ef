"""Writing a translated article: plain text, Markdown, JSON with sentence pairs, or HTML."""

from __future__ import annotations

import html
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from .engine import TranslatedArticle, TranslatedParagraph
from .errors import OutputError

FORMATS = ("txt", "md", "json", "html")
_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".json": "json", ".html": "html"}


def format_for(path: str | os.PathLike[str] | None, explicit: str | None) -> str:
    """The output format: the one asked for, else the file's extension, else text."""
    if explicit:
        if explicit not in FORMATS:
            raise OutputError(f"unknown format '{explicit}'; choose one of {', '.join(FORMATS)}")
        return explicit
    if path is not None:
        return _SUFFIXES.get(Path(path).suffix.lower(), "txt")
    return "txt"


def render(article: TranslatedArticle, fmt: str) -> str:
    """The article in English as ``fmt`` (txt, md, json or html)."""
    return {"txt": to_text, "md": to_markdown, "json": to_json, "html": to_html}[fmt](article)


def to_text(article: TranslatedArticle) -> str:
    head = [line for line in (_title(article), article.date) if line]
    blocks = (["\n".join(head)] if head else []) + [_marked(p) for p in article.paragraphs]
    return "\n\n".join(blocks) + "\n"


def to_markdown(article: TranslatedArticle) -> str:
    blocks = []
    if article.title:
        blocks.append(f"# {_title(article)}")
    if article.date:
        blocks.append(f"*{article.date}*")
    for paragraph in article.paragraphs:
        if paragraph.kind == "heading":
            blocks.append(f"## {paragraph.text}")
        elif paragraph.kind == "caption":
            blocks.append(f"*{paragraph.text}*")
        else:
            blocks.append(_marked(paragraph))
    return "\n\n".join(blocks) + "\n"


def to_dict(article: TranslatedArticle) -> dict:
    return {
        "title": None if article.title is None else asdict(article.title),
        "date": article.date,
        "source_path": article.path,
        "model": article.model,
        "options": asdict(article.options),
        "paragraphs": [
            {
                "kind": p.kind,
                "language": p.language or "fr",
                "source": p.source,
                "translation": p.text,
                "sentences": [asdict(pair) for pair in p.sentences],
            }
            for p in article.paragraphs
        ],
    }


def to_json(article: TranslatedArticle) -> str:
    return json.dumps(to_dict(article), ensure_ascii=False, indent=2) + "\n"


def to_html(article: TranslatedArticle) -> str:
    title = html.escape(_title(article) or "Translation")
    body = [f"<h1>{title}</h1>"]
    if article.date:
        body.append(f'<p class="date">{html.escape(article.date)}</p>')
    for p in article.paragraphs:
        text = html.escape(p.text).replace("\n", "<br>\n")
        if p.kind == "heading":
            body.append(f"<h2>{text}</h2>")
        elif p.kind == "caption":
            body.append(f'<p class="caption"><em>{text}</em></p>')
        elif p.language:
            body.append(f'<p lang="{p.language}" class="untranslated">{text}</p>')
        else:
            body.append(f"<p>{text}</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>body{{max-width:42rem;margin:auto;padding:1rem;"
        "font:1.05rem/1.5 Georgia,serif}.caption,.date{color:#555}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _marked(paragraph: TranslatedParagraph) -> str:
    """A paragraph's English, or its source marked as left untranslated."""
    if paragraph.language:
        return f"[not translated, language: {paragraph.language}] {paragraph.text}"
    return paragraph.text


def _title(article: TranslatedArticle) -> str | None:
    return None if article.title is None else article.title.translation


def write_atomic(path: str | os.PathLike[str], text: str, *, force: bool = False) -> None:
    """Write UTF-8 ``text`` to ``path`` through a temporary file and a rename, so a reader
    never sees half a file; refuse to replace an existing file unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
