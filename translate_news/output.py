"""Writing a translated article: plain text, Markdown, JSON with sentence pairs, or HTML;
and the summary record that ``summarize`` writes and ``brief`` reads back.

Markdown and HTML end with a footer that gives the signature of what translated (and
summarised) the article; JSON carries it as a line and as a record.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from .document import Summary, TranslatedArticle, TranslatedParagraph
from .errors import InputError, OutputError

Format = Literal["txt", "md", "json", "html"]
FORMATS: tuple[str, ...] = get_args(Format)
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


def to_markdown(article: TranslatedArticle, summary: Summary | None = None) -> str:
    """The article in Markdown, with ``summary`` under the title and date when given."""
    blocks = []
    if article.title:
        blocks.append(f"# {_title(article)}")
    if article.date:
        blocks.append(f"*{article.date}*")
    if summary is not None:
        note = f", from {summary.chunks} chunks" if summary.chunks > 1 else ""
        blocks.append(f"> **Summary** ({summary.method}{note}): {summary.text}")
    for paragraph in article.paragraphs:
        if paragraph.kind == "heading":
            blocks.append(f"## {paragraph.text}")
        elif paragraph.kind == "caption":
            blocks.append(f"*{paragraph.text}*")
        else:
            blocks.append(_marked(paragraph))
    blocks.append("---")
    blocks += [f"*{label}: `{line}`*" for label, line in _footer(article, summary)]
    return "\n\n".join(blocks) + "\n"


def to_dict(article: TranslatedArticle) -> dict[str, Any]:
    """The article as JSON data: sentence pairs, options asked for, what ran."""
    return {
        "title": None if article.title is None else asdict(article.title),
        "date": article.date,
        "source_path": article.path,
        "model": article.model,
        "signature": str(article.signature),
        "resolved": article.signature.as_dict(),
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


def to_html(article: TranslatedArticle, summary: Summary | None = None) -> str:
    """The article as one standalone page, with ``summary`` under the title when given."""
    title = html.escape(_title(article) or "Translation")
    body = [f"<h1>{title}</h1>"]
    if article.date:
        body.append(f'<p class="date">{html.escape(article.date)}</p>')
    if summary is not None:
        body.append(
            f'<p class="summary"><strong>Summary</strong> ({html.escape(summary.method)}): '
            f"{html.escape(summary.text)}</p>"
        )
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
    footer = "".join(
        f"<p>{label}: <code>{html.escape(line)}</code></p>"
        for label, line in _footer(article, summary)
    )
    body.append(f"<footer>{footer}</footer>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>body{{max-width:42rem;margin:auto;padding:1rem;"
        "font:1.05rem/1.5 Georgia,serif}.caption,.date,footer{color:#555}"
        "footer{margin-top:2rem;border-top:1px solid #ccc;font-size:.8rem}"
        "code{overflow-wrap:anywhere}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _footer(article: TranslatedArticle, summary: Summary | None) -> list[tuple[str, str]]:
    lines = [("Machine translation", str(article.signature))]
    if summary is not None:
        lines.append(("Summary", summary.signature))
    return lines


@dataclass(frozen=True)
class SummaryRecord:
    """What ``brief`` needs of one summarised article, read back from the JSON record that
    :func:`summary_record` writes (``<name>.en.json``, beside ``<name>.en.md``)."""

    path: Path
    headline: str
    date: str | None
    summary: str
    markdown: Path
    fingerprint: str | None
    signature: str | None


def summary_record(
    translated: TranslatedArticle, summary: Summary, fingerprint: str, markdown: str
) -> str:
    """The JSON record of a summarised article: its source, the resume ``fingerprint``,
    the name of its ``markdown`` file, the summary and the whole translation."""
    record = {
        "source": translated.path,
        "fingerprint": fingerprint,
        "markdown": markdown,
        "summary": {
            "text": summary.text,
            "method": summary.method,
            "chunks": summary.chunks,
            "signature": summary.signature,
            "resolved": None if summary.resolved is None else summary.resolved.as_dict(),
            "options": asdict(summary.options),
        },
        "translation": to_dict(translated),
    }
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def read_summary_record(path: Path) -> SummaryRecord:
    """Read a record written by :func:`summary_record`; anything else is an InputError."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        translation = record["translation"]
        summary = record["summary"]["text"]
        paragraphs = translation["paragraphs"]
        title = (translation.get("title") or {}).get("translation")
        first = next((p["translation"] for p in paragraphs), "")
        fields = (summary, title or first, translation.get("date"), record.get("markdown"))
        if not all(isinstance(f, str) or f is None for f in fields) or not isinstance(summary, str):
            raise TypeError("a field that should be text is not")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: not a summary written by translate-news ({exc})") from None
    return SummaryRecord(
        path=path,
        headline=title or first[:120],
        date=translation.get("date"),
        summary=summary,
        markdown=path.with_name(record.get("markdown") or path.name),
        fingerprint=record.get("fingerprint"),
        signature=translation.get("signature"),
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
