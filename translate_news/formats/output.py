"""Writing a translated article: plain text, Markdown, JSON with sentence pairs, or HTML;
and the summary record that ``summarize`` writes and ``brief`` reads back.

Markdown and HTML end with a footer that gives the signature of what translated (and
summarised) the article; JSON carries it as a line and as a record.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal, get_args

from translate_news.core.document import (
    WEAK_WORD,
    Article,
    Confidence,
    DateMention,
    Flag,
    SentencePair,
    Summary,
    TranslatedArticle,
    TranslatedParagraph,
    headline,
)
from translate_news.core.errors import InputError, UsageError
from translate_news.core.files import SURROGATE
from translate_news.formats.readers import HTML_SUFFIXES, TEXT_SUFFIXES

Format = Literal["txt", "md", "json", "html", "docx", "srt", "vtt"]
# Formats written over the source document itself (a Word file, subtitles), by
# pipeline.markup.translate_document, not by render.
DOCUMENT_FORMATS = {".docx": "docx", ".srt": "srt", ".vtt": "vtt"}
FORMATS: tuple[str, ...] = get_args(Format)
_SUFFIXES = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".html": "html",
    ".docx": "docx",
    ".srt": "srt",
    ".vtt": "vtt",
}


def format_for(path: str | os.PathLike[str] | None, explicit: str | None) -> str:
    """The output format: the one asked for, else the file's extension, else text. A
    format that contradicts the file's extension (``-o x.md -f json``) is refused."""
    implied = None if path is None else _SUFFIXES.get(Path(path).suffix.lower())
    if explicit:
        if explicit not in FORMATS:
            raise UsageError(f"unknown format '{explicit}'; choose one of {', '.join(FORMATS)}")
        if implied is not None and implied != explicit:
            raise UsageError(
                f"{path} ends in {Path(path or '').suffix} but the format asked for is {explicit}; "
                "make them agree"
            )
        return explicit
    return implied or "txt"


def to_sentences(article: Article) -> str:
    """The French article's sentences, one per line (a photo credit its own), a blank line
    between paragraphs, the title first: what ``split`` prints."""
    from translate_news.text.segment import split_sentences

    blocks = [article.title] if article.title else []
    for paragraph in article.paragraphs:
        sentences = split_sentences(paragraph.body)
        if paragraph.credit:
            sentences.append(paragraph.credit)
        blocks.append("\n".join(" ".join(s.split()) for s in sentences))
    return "\n\n".join(blocks) + "\n"


def english_file(name: str) -> tuple[Format, str]:
    """The format and name of the English of a file called ``name``: its own format and
    name where that is text, Markdown or HTML, else Markdown (a PDF, a feed),
    ``<stem>.md``."""
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html", name
    if suffix in TEXT_SUFFIXES:
        return ("md" if TEXT_SUFFIXES[suffix] else "txt"), name
    return "md", f"{Path(name).stem}.md"


MEDIA_TYPES = {
    "txt": "text/plain",
    "md": "text/markdown",
    "json": "application/json",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
}


def render(article: TranslatedArticle, fmt: str, *, fingerprint: str | None = None) -> str:
    """The article in English as ``fmt`` (txt, md, json or html). A ``fingerprint`` (what
    a folder run resumes by) is recorded in JSON, Markdown and HTML; plain text has no
    place for it, and :func:`read_fingerprint` looks for it in a hidden file beside."""
    if fmt in DOCUMENT_FORMATS.values():
        raise ValueError(f"{fmt} is written over its source: pipeline.markup.translate_document")
    if fmt == "txt":
        return to_text(article)
    if fmt == "json":
        return to_json(article, fingerprint=fingerprint)
    render_page = to_markdown if fmt == "md" else to_html
    return render_page(article, fingerprint=fingerprint)


_FINGERPRINT = re.compile(r'translate-news-fingerprint(?:: |" content=")([0-9a-f]{64})')


def read_fingerprint(path: Path, fmt: str) -> str | None:
    """The fingerprint an output written by :func:`render` records; None when there is
    none (or no such file)."""
    try:
        if fmt in ("txt", "srt"):  # no place for it inside: a hidden file beside
            text = path.with_name(f".{path.name}.fingerprint").read_text(encoding="utf-8")
            return text.strip() if path.is_file() else None
        text = path.read_text(encoding="utf-8")
        if fmt == "json":
            data = json.loads(text)
            found = data.get("fingerprint") if isinstance(data, dict) else None
            return found if isinstance(found, str) else None
    except (OSError, ValueError):
        return None
    found = _FINGERPRINT.findall(text)
    return found[-1] if found else None  # the last: the footer, not a quote of one


def to_text(article: TranslatedArticle) -> str:
    head = [line for line in (_title(article), article.date) if line]
    blocks = (["\n".join(head)] if head else []) + [_marked(p) for p in article.paragraphs]
    return "\n\n".join(blocks) + "\n"


def to_markdown(
    article: TranslatedArticle, summary: Summary | None = None, *, fingerprint: str | None = None
) -> str:
    """The article in Markdown, with ``summary`` under the title and date when given."""
    blocks = []
    if article.title:
        blocks.append(f"# {md_escape(_title(article) or '')}")
    if article.date:
        blocks.append(f"*{md_escape(article.date)}*")
    if summary is not None:
        note = f", from {summary.chunks} chunks" if summary.chunks > 1 else ""
        text = md_escape(summary.text + flag_note(summary.flags))
        blocks.append(f"> **Summary** ({summary.method}{note}): {text}")
    for paragraph in article.paragraphs:
        text = _marked(paragraph, md_escape)
        if paragraph.kind == "heading":
            blocks.append(f"## {text}")
        elif paragraph.kind == "caption":
            blocks.append(f"*{text}*")
        else:
            blocks.append(text)
    blocks.append("---")
    blocks += [f"*{label}: `{line}`*" for label, line in _footer(article, summary)]
    if fingerprint is not None:
        blocks.append(f"<!-- translate-news-fingerprint: {fingerprint} -->")
    return "\n\n".join(blocks) + "\n"


def to_dict(article: TranslatedArticle) -> dict[str, Any]:
    """The article as JSON data: sentence pairs, options asked for, what ran."""
    return {
        "title": None if article.title is None else pair_dict(article.title),
        "date": article.date,
        "source_path": article.path,
        "record": article.record,
        "origin": None if article.origin is None else asdict(article.origin),
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
                "sentences": [pair_dict(pair) for pair in p.sentences],
            }
            for p in article.paragraphs
        ],
    }


def pair_dict(pair: SentencePair) -> dict[str, Any]:
    """A sentence pair as JSON data; its confidence as probabilities, the sentence's and
    each word's (null where no model translated it)."""
    data = {f.name: getattr(pair, f.name) for f in fields(pair)}
    data["flags"] = [asdict(flag) for flag in pair.flags]
    data["confidence"] = None if pair.confidence is None else pair.confidence.as_dict()
    data["alternatives"] = [alternative.as_dict() for alternative in pair.alternatives]
    data["shortlist"] = None if pair.shortlist is None else pair.shortlist.as_dict()
    data["quotes"] = [asdict(quote) for quote in pair.quotes]
    data["dates"] = [
        {"text": d.text, "start": d.start, "end": d.end, "date": d.value} for d in pair.dates
    ]
    return data


def json_text(data: Any) -> str:
    """JSON as people read it (UTF-8, indented). A lone surrogate is written as its
    escape, so the file is valid UTF-8 and a file name that is not reads back exactly."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def to_json(article: TranslatedArticle, *, fingerprint: str | None = None) -> str:
    data = to_dict(article)
    if fingerprint is not None:
        data["fingerprint"] = fingerprint
    return json_text(data)


def to_html(
    article: TranslatedArticle, summary: Summary | None = None, *, fingerprint: str | None = None
) -> str:
    """The article as one standalone page, with ``summary`` under the title when given."""
    title = html.escape(_title(article) or "Translation")
    body = [f"<h1>{title}</h1>"]
    if article.date:
        shown = human_date(article.date) if ISO_DATE.fullmatch(article.date) else article.date
        when = f'<time datetime="{html.escape(article.date)}">{html.escape(shown)}</time>'
        body.append(f'<p class="date">{when}</p>')
    if summary is not None:
        body.append(
            f'<p class="summary"><strong>Summary</strong> ({html.escape(summary.method)}): '
            f"{_html_run(summary.text, None, summary.flags)}</p>"
        )
    if shaded(article):
        body.append(LEGEND)
    for p in article.paragraphs:
        if p.language:  # nothing of it was translated: the whole paragraph is marked
            text = _html_text(p.text)
            body.append(f'<p lang="{html.escape(p.language)}" class="untranslated">{text}</p>')
            continue
        text = "".join(_html_run(*run) for run in _runs(p))
        if p.kind == "heading":
            body.append(f"<h2>{text}</h2>")
        elif p.kind == "caption":
            body.append(f'<p class="caption"><em>{text}</em></p>')
        else:
            body.append(f"<p>{text}</p>")
    footer = "".join(
        f"<p>{label}: <code>{html.escape(line)}</code></p>"
        for label, line in _footer(article, summary)
    )
    body.append(f"<footer>{footer}</footer>")
    recorded = (
        f'<meta name="translate-news-fingerprint" content="{fingerprint}">\n' if fingerprint else ""
    )
    return html_page(title, _STYLE, body, head=recorded)


# Weak words: shaded and wavy-underlined (the underline survives print and colour
# blindness), their confidence said in words for screen readers and on paper.
CONFIDENCE_STYLE = (
    ".weak{background:#ffe3b8;text-decoration:underline wavy #a34f00;"
    "text-decoration-skip-ink:none}.sr{position:absolute;width:1px;height:1px;"
    "overflow:hidden;clip-path:inset(50%);white-space:nowrap}"
    ".legend{font:.8rem sans-serif;color:#333;border:1px solid #ccc;padding:.3rem .5rem}"
    # A sentence naming a relative date: dotted underline, the date on hover.
    ".dated{text-decoration:underline dotted #555;cursor:help}"
    "@media print{*{print-color-adjust:exact;-webkit-print-color-adjust:exact}"
    ".sr{position:static;width:auto;height:auto;clip-path:none;font-size:.7em}}"
)
LEGEND = (
    '<p class="legend">Marked for checking: <mark class="flagged">a sentence</mark>'
    '<small class="flag">check: what to check</small>, such as low confidence (the model '
    "was unsure of the sentence as a whole); "
    f'<span class="weak">a word</span> the model gave less than {WEAK_WORD:.0%}.</p>'
)

_STYLE = (
    "body{max-width:42rem;margin:auto;padding:1rem;"
    "font:1.05rem/1.5 Georgia,serif}.caption,.date,footer{color:#555}"
    "footer{margin-top:2rem;border-top:1px solid #ccc;font-size:.8rem}"
    ".untranslated{background:#fff3c4}.untranslated::before{content:'[not translated, '"
    " attr(lang) '] ';font:.75rem sans-serif;color:#7a5c00}"
    "mark.flagged{background:#ffd9d9}small.flag{font:.7rem sans-serif;color:#a00;"
    "margin:0 .3em}code{overflow-wrap:anywhere}" + CONFIDENCE_STYLE
)


def html_page(title: str, style: str, body: list[str], head: str = "") -> str:
    """A standalone HTML page (no external assets, readable on a phone): ``title`` and
    ``head`` as HTML already escaped, ``style`` its CSS, ``body`` its blocks."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{head}<title>{title}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _footer(article: TranslatedArticle, summary: Summary | None) -> list[tuple[str, str]]:
    lines = [("Machine translation", str(article.signature))]
    if summary is not None:
        lines.append(("Summary", summary.line))
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
    page: Path | None = None  # the standalone HTML page, when one was written
    # Each translated sentence's confidence (title first; None where none), and how
    # many the run that translated them flagged as of low confidence.
    confidences: tuple[float | None, ...] = ()
    unsure: int = 0
    # Who said what (speaker, the quote's English), and the dates the summary's
    # sentences name (the French, the resolved date), where the record has them.
    said: tuple[tuple[str, str], ...] = ()
    dated: tuple[tuple[str, str], ...] = ()
    # Where a fetched article was published (its address and outlet), and the body's
    # sentences (French, English), by which wire copies are told.
    url: str | None = None
    outlet: str | None = None
    sentences: tuple[tuple[str, str], ...] = ()


def summary_record(
    translated: TranslatedArticle,
    summary: Summary,
    fingerprint: str,
    markdown: str,
    page: str | None = None,
) -> str:
    """The JSON record of a summarised article: its source, the resume ``fingerprint``,
    the names of its ``markdown`` file and HTML ``page`` (if any) beside it, the summary
    and the whole translation."""
    record = {
        "source": translated.source,
        "fingerprint": fingerprint,
        "markdown": markdown,
        "page": page,
        **summary_dict(translated, summary),
    }
    return json_text(record)


def summary_dict(translated: TranslatedArticle, summary: Summary) -> dict[str, Any]:
    """The summary and the whole translation, as a summary record holds them."""
    return {
        "summary": {
            "text": summary.text,
            "method": summary.method,
            "chunks": summary.chunks,
            "signature": summary.line,
            "resolved": None if summary.signature is None else summary.signature.as_dict(),
            "options": asdict(summary.options),
            "flags": [flag.as_dict() for flag in summary.flags],
        },
        "translation": to_dict(translated),
    }


# An ISO 8601 date, optionally with a time: what a briefing sorts and groups by.
ISO_DATE = re.compile(
    r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?"
)


def read_summary_record(path: Path) -> SummaryRecord:
    """Read a record written by :func:`summary_record`, checking every field the
    briefing uses: text where text belongs, an ISO date or none, and a Markdown file
    named beside the record (never a path elsewhere). Anything else is an InputError."""
    try:
        record = _table(json.loads(path.read_text(encoding="utf-8")), "record")
        translation = _table(record.get("translation"), "translation")
        summary = _field(_table(record.get("summary"), "summary").get("text"), "summary text")
        title = _field(
            _table(translation.get("title"), "title", {}).get("translation"), "title", None
        )
        paragraphs = translation.get("paragraphs")
        if not isinstance(paragraphs, list):
            raise ValueError("its paragraphs are not a list")
        first = ""
        if paragraphs:
            opening = _table(paragraphs[0], "first paragraph").get("translation")
            first = _field(opening, "first paragraph")
        date = _field(translation.get("date"), "date", None)
        markdown = _field(record.get("markdown"), "markdown", None) or path.with_suffix(".md").name
        page = _field(record.get("page"), "page", None)
        signature = _field(translation.get("signature"), "signature", None)
        fingerprint = _field(record.get("fingerprint"), "fingerprint", None)
        confidences, unsure = _sentence_confidences(translation, paragraphs)
        said, dated = _said_and_dated(_recorded_sentences(translation, paragraphs), summary)
        origin = translation.get("origin") if isinstance(translation.get("origin"), dict) else {}
        url, outlet = (_field(origin.get(k), k, None) for k in ("url", "outlet"))
        body = _recorded_sentences({}, paragraphs)
        pairs = tuple(
            (p["source"], p["translation"])
            for p in body
            if isinstance(p.get("source"), str) and isinstance(p.get("translation"), str)
        )
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a summary written by translate-news ({exc})") from None
    if date is not None and not ISO_DATE.fullmatch(date):
        raise InputError(f"{path}: its date {date!r} is not an ISO date (YYYY-MM-DD)")
    for name in (markdown, page):
        if name is not None and (Path(name).name != name or name in {".", ".."}):
            raise InputError(f"{path}: its file {name!r} is not a file beside it")
    return SummaryRecord(
        path=path,
        headline=headline(title, [first]),
        date=date,
        summary=summary,
        markdown=path.with_name(markdown),
        fingerprint=fingerprint,
        signature=signature,
        page=None if page is None else path.with_name(page),
        confidences=confidences,
        unsure=unsure,
        said=said,
        dated=dated,
        url=url if url is not None and url.startswith(("http://", "https://")) else None,
        outlet=outlet,
        sentences=pairs,
    )


def _recorded_sentences(translation: dict[str, Any], paragraphs: list[Any]) -> list[Any]:
    found = [translation["title"]] if translation.get("title") is not None else []
    for paragraph in paragraphs:
        listed = paragraph.get("sentences", []) if isinstance(paragraph, dict) else []
        found += listed if isinstance(listed, list) else []
    return [s for s in found if isinstance(s, dict)]


def _said_and_dated(
    sentences: list[dict[str, Any]], summary: str
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """From recorded sentences: each quote with a speaker and an English, and the
    resolved dates of the sentences the summary repeats (what is not text is passed
    over: a record from before quotes and dates has none)."""
    said, dated = [], []
    for sentence in sentences:
        for quote in sentence.get("quotes") or []:
            if isinstance(quote, dict):
                speaker, english = quote.get("speaker"), quote.get("english")
                if isinstance(speaker, str) and isinstance(english, str):
                    said.append((speaker, english))
        english = sentence.get("translation")
        if isinstance(english, str) and english and english in summary:
            for mention in sentence.get("dates") or []:
                if isinstance(mention, dict):
                    text, value = mention.get("text"), mention.get("date")
                    if isinstance(text, str) and isinstance(value, str):
                        dated.append((text, value))
    return tuple(said), tuple(dated)


def _sentence_confidences(
    translation: dict[str, Any], paragraphs: list[Any]
) -> tuple[tuple[float | None, ...], int]:
    """The confidence of each sentence of a recorded translation (title first) and how
    many carry the low-confidence flag; a record from before confidence has none."""
    sentences = [translation["title"]] if translation.get("title") is not None else []
    for paragraph in paragraphs:
        listed = _table(paragraph, "paragraph").get("sentences", [])
        if not isinstance(listed, list):
            raise ValueError("a paragraph's sentences are not a list")
        sentences += listed
    found: list[float | None] = []
    unsure = 0
    for sentence in sentences:
        sentence = _table(sentence, "sentence")
        sure = _table(sentence.get("confidence"), "confidence", None)
        value = None if sure is None else sure.get("sentence")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1
        ):
            raise ValueError(f"a sentence's confidence is {value!r}, not between 0 and 1")
        found.append(None if value is None else float(value))
        flags = sentence.get("flags", [])
        if isinstance(flags, list):
            unsure += any(isinstance(f, dict) and f.get("kind") == "low-confidence" for f in flags)
    return tuple(found), unsure


_REQUIRED = object()


def _field(value: object, name: str, default: object = _REQUIRED) -> Any:
    """``value`` when it is text; None (when allowed) stays None; anything else is a
    ValueError naming the field."""
    if value is None and default is not _REQUIRED:
        return default
    if not isinstance(value, str):
        raise ValueError(f"its {name} is {type(value).__name__}, not text")
    return value


def _table(value: object, name: str, default: object = _REQUIRED) -> dict[str, Any]:
    """``value`` when it is a JSON object; None (when allowed) is ``default``; anything
    else is a ValueError naming the field."""
    if value is None and default is not _REQUIRED:
        return default  # type: ignore[return-value]
    if not isinstance(value, dict):
        raise ValueError(f"its {name} is {type(value).__name__}, not an object")
    return value


_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+(?=[.)]))", re.MULTILINE)


def md_escape(text: str) -> str:
    """Text from a source, safe to put in Markdown: what would make a link, an image, raw
    HTML, emphasis, code, a heading, a quote or a list is escaped with a backslash."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark = match.group(1), match.group(2)
    if mark.isdigit():  # "12. item": the period, not the number, makes the list
        return f"{indent}{mark}\\"
    return f"{indent}\\{mark}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def human_date(iso: str) -> str:
    """An ISO date as a reader says it: ``Tuesday 22 July 2025``, ``July 2025``, ``2025``."""
    import datetime

    parts = iso[:10].split("-")
    if len(parts) == 3:
        day = datetime.date(*map(int, parts))
        return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


_Run = tuple[str, str | None, tuple[Flag, ...], Confidence | None, tuple[DateMention, ...]]


def _runs(paragraph: TranslatedParagraph) -> list[_Run]:
    """The paragraph's English as runs of translated text (language None) and of
    sentences passed through untranslated (their language), with the source's spacing
    kept; a flagged sentence, or one with the model's confidence or dates, is a run of
    its own."""
    runs: list[_Run] = []
    previous: str | None = None
    for i, pair in enumerate(paragraph.sentences):
        dated = tuple(d for d in pair.dates if d.value is not None)
        parts: list[_Run] = [(pair.translation, pair.language, pair.flags, pair.confidence, dated)]
        if i:  # a separator inside a foreign run belongs to it
            inside = pair.language is not None and pair.language == previous
            separator = paragraph.separators[i - 1]
            parts.insert(0, (separator, pair.language if inside else None, (), None, ()))
        for text, language, flags, sure, when in parts:
            last = runs[-1] if runs else None
            alone = flags or sure or when or (last and (last[2] or last[3] or last[4]))
            if last and last[1] == language and not alone:
                runs[-1] = (last[0] + text, language, (), None, ())
            else:
                runs.append((text, language, flags, sure, when))
        previous = pair.language
    return runs


def human_span(value: str | None) -> str:
    """A resolved date as a reader says it; a range as its two ends."""
    if not value:
        return "unknown"
    return " to ".join(human_date(part) for part in value.split("/"))


def flag_note(flags: tuple[Flag, ...]) -> str:
    """What a reader sees after a flagged sentence in text and Markdown."""
    return f" [check: {'; '.join(map(str, flags))}]" if flags else ""


def _marked(paragraph: TranslatedParagraph, escape: Callable[[str], str] = str) -> str:
    """A paragraph's English, each passage left untranslated marked with its language,
    each flagged sentence followed by what to check."""
    return "".join(
        (
            escape(text)
            if language is None
            else f"[not translated, language: {language}] {escape(text)}"
        )
        + escape(flag_note(flags))
        for text, language, flags, _, _ in _runs(paragraph)
    )


def _html_text(text: str) -> str:
    return html.escape(text).replace("\n", "<br>\n")


def _html_run(
    text: str,
    language: str | None,
    flags: tuple[Flag, ...] = (),
    sure: Confidence | None = None,
    when: tuple[DateMention, ...] = (),
) -> str:
    shown = _html_text(text) if sure is None else _html_words(text, sure)
    if when:  # the dates the French names, on hover
        said = html.escape("; ".join(f"{d.text}: {human_span(d.value)}" for d in when))
        shown = f'<span class="dated" title="{said}">{shown}</span>'
    if flags:
        note = html.escape("; ".join(map(str, flags)))
        return (
            f'<mark class="flagged" title="check: {note}">{shown}</mark>'
            f'<small class="flag">check: {note}</small>'
        )
    if language is None:
        return shown
    return f'<span lang="{html.escape(language)}" class="untranslated">{shown}</span>'


def _html_words(text: str, sure: Confidence) -> str:
    """``text`` with each word the model was less sure of than ``WEAK_WORD`` marked:
    shaded and underlined (not colour alone), its confidence in a tooltip and, for
    screen readers and print, in words. The words are found in the text in order; one
    that is not there (the memory's English edited) is left unmarked."""
    out, cursor, written = [], 0, 0
    weak = set(sure.weak())
    for index, (word, _) in enumerate(sure.words):
        place = text.find(word, cursor) if word else -1
        if place < 0:
            continue
        cursor = place + len(word)
        if index not in weak:
            continue
        percent = f"{sure.word(index):.0%}"
        out.append(_html_text(text[written:place]))
        out.append(
            f'<span class="weak" title="model confidence {percent}">{_html_text(word)}'
            f'<span class="sr"> (low confidence: {percent})</span></span>'
        )
        written = cursor
    out.append(_html_text(text[written:]))
    return "".join(out)


def shaded(article: TranslatedArticle) -> bool:
    """Whether the article's page marks anything: a flag or a weak word."""
    return any(pair.flags or (pair.confidence and pair.confidence.weak()) for pair in article.pairs)


def _title(article: TranslatedArticle) -> str | None:
    if article.title is None:
        return None
    return article.title.translation + flag_note(article.title.flags)
