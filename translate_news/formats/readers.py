"""Reading articles from what users have: plain text and Markdown (paragraphs, the
` date YYYY-MM Title` header, headings, photo captions), text in any common encoding, saved
web pages (main text, title and date extracted by trafilatura: navigation, ads and
comments left out), Word files, JSON lines feeds, and standard input. Every reader yields
the same :class:`Article`.

Text is decoded strictly: a byte-order mark decides (UTF-8, UTF-16), then UTF-8, then
charset-normalizer's detection (cp1252, Latin-1, ...); a file that is binary, or whose
encoding cannot be told, is refused with one clear line, never guessed into mojibake.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from translate_news.core.document import Article, Origin, Paragraph
from translate_news.core.errors import InputError, TranslateNewsError, UsageError
from translate_news.core.files import special_kind

# ` date 2025-07 <title>`: the header line of the seed articles.
_HEADER = re.compile(r"^\s*date\s+(?P<date>\d{4}(?:-\d{2}){0,2})\s+(?P<title>\S.*?)\s*$")
# A trailing photo credit: "AFP", "AFP/Archives", "POOL/AFP/Archives", "Reuters", ...
_AGENCIES = (
    "AFP|AP|ANP|Belga|dpa|DPA|EPA|Getty Images|Getty|MAXPPP|POOL|Reuters|REUTERS|SIPA|Xinhua"
)
_CREDIT = re.compile(
    rf"\s(?P<credit>(?:[A-Z][\w-]*/)*(?:{_AGENCIES})(?:/[A-Z][\w-]*)*)\s*$",
)
_TERMINAL = ".!?…:;"
_MAX_HEADING_WORDS = 12
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
TEXT_SUFFIXES = {".txt": False, ".text": False, ".md": True, ".markdown": True}
FEED_SUFFIXES = {".jsonl", ".ndjson", ".json"}
HTML_SUFFIXES = {".html", ".htm"}
SUBTITLE_SUFFIXES = {".srt", ".vtt"}
SUFFIXES = tuple(
    sorted({*TEXT_SUFFIXES, *FEED_SUFFIXES, *HTML_SUFFIXES, *SUBTITLE_SUFFIXES, ".docx", ".pdf"})
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w-]+)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


MAX_INPUT_MB = 50.0


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs: which fields of a feed record hold the title, the date, the
    text and the record's identity (the first present names its output), and the
    largest input read, in MB (a file or standard input over it is refused)."""

    title: str = "title"
    date: str = "date"
    text: tuple[str, ...] = ("text", "body")
    ids: tuple[str, ...] = ("id", "url")
    max_mb: float = MAX_INPUT_MB

    def __post_init__(self) -> None:
        if not self.max_mb > 0:
            raise UsageError(f"the input size limit must be positive, got {self.max_mb} MB")

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1_000_000)


DEFAULT_READ = ReadOptions()
OnBadRecord = Callable[[InputError], None]


def classify(text: str) -> Paragraph:
    """Make a paragraph of ``text``, recognising photo captions and headings."""
    credit = _CREDIT.search(text)
    if credit and "\n" not in text and len(text.split()) > 2:
        return Paragraph(text, "caption", credit.group("credit"))
    if "\n" not in text and text[-1] not in _TERMINAL and len(text.split()) <= _MAX_HEADING_WORDS:
        return Paragraph(text, "heading")
    return Paragraph(text, "text")


def parse_article(text: str, *, markdown: bool = False, path: str | None = None) -> Article:
    """Parse an article from plain text (or Markdown when ``markdown``).

    Paragraphs are separated by blank lines; a line break inside a paragraph is kept.
    A first line ` date YYYY-MM[-DD] Title` gives the date and title; in Markdown a
    first-level heading gives the title and other headings become heading paragraphs.

    >>> parse_article(" date 2025-07 Titre\\n\\nUn. Deux.").paragraphs
    (Paragraph(text='Un. Deux.', kind='text', credit=None, language=None),)
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = date = None
    lines = text.split("\n", 1)
    header = _HEADER.match(lines[0])
    if header:
        date, title = header.group("date"), header.group("title")
        text = lines[1] if len(lines) > 1 else ""
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        block = block.strip()
        if not block:
            continue
        heading = _MD_HEADING.match(block) if markdown and "\n" not in block else None
        if heading and len(heading.group(1)) == 1 and title is None and not paragraphs:
            title = heading.group(2)
        elif heading:
            paragraphs.append(Paragraph(heading.group(2), "heading"))
        else:
            paragraphs.append(classify(block))
    if not paragraphs and title is None:
        raise InputError(f"{path or 'input'}: no text to translate (the article is empty)")
    return Article(tuple(paragraphs), title=title, date=date, path=path)


def read_upload(name: str, body: bytes, options: ReadOptions = DEFAULT_READ) -> list[Article]:
    """The articles of a file received as bytes (an upload), read as a file called
    ``name`` is read (only its suffix counts); errors name ``name``, never the temporary
    file it is read from."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="translate-news-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(body)
        try:
            return list(read_articles(path, options))
        except TranslateNewsError as exc:
            raise InputError(str(exc).replace(str(path), name).replace(folder, "")) from None


def read_articles(
    path: str | Path, options: ReadOptions = DEFAULT_READ, on_bad_record: OnBadRecord | None = None
) -> Iterator[Article]:
    """The articles in ``path`` (``-`` reads standard input as text): one for a text or
    Markdown file, one per record for a JSON lines feed or a JSON array.

    A record of a feed that is not an article raises :class:`InputError`, or, when
    ``on_bad_record`` is given, is handed to it and the other records are read."""
    if str(path) == "-":
        raw = _read_limited(sys.stdin.buffer, "<stdin>", options.max_bytes)
        yield parse_article(decode(raw, "<stdin>"), path="<stdin>")
        return
    path = Path(path)
    raw = _read_bytes(path, options.max_bytes)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        suffix = _sniff(raw) or suffix
    if suffix in FEED_SUFFIXES:
        lines = suffix != ".json"
        yield from _feed(decode(raw, path), path, options, lines=lines, on_bad=on_bad_record)
    elif suffix in TEXT_SUFFIXES:
        yield parse_article(decode(raw, path), markdown=TEXT_SUFFIXES[suffix], path=str(path))
    elif suffix in HTML_SUFFIXES:
        yield _html(raw, path)
    elif suffix == ".docx":
        yield _docx(raw, path, options.max_bytes)
    elif suffix == ".pdf":
        yield _pdf(raw, path, options.max_bytes)
    elif suffix in SUBTITLE_SUFFIXES:
        from translate_news.formats.subtitles import article_text

        text = _checked(article_text(decode(raw, path), str(path)), path)
        yield Article((Paragraph(text),), path=str(path))
    else:
        raise InputError(
            f"{path}: unsupported file type '{path.suffix or path.name}'; "
            f"use one of {', '.join(SUFFIXES)}"
        )


def _sniff(raw: bytes) -> str | None:
    """A file type told from the content, for a file whose name does not say."""
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"pk\x03\x04") and b"word/" in raw[:4096].lower():
        return ".docx"
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    if head.startswith(b"{"):
        return ".jsonl"
    if head.startswith(b"%pdf"):
        return ".pdf"
    if head.startswith(b"pk\x03\x04"):
        return None  # a zip archive that is not a Word file
    if b"\x00" not in raw[:4096] and head:
        return ".txt"
    return None


def read_article(path: str | Path, options: ReadOptions = DEFAULT_READ) -> Article:
    """The single article in ``path`` (a feed must hold exactly one)."""
    articles = list(read_articles(path, options))
    if len(articles) != 1:
        raise InputError(f"{path}: holds {len(articles)} articles; translate it as a folder feed")
    return articles[0]


def _read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes; a file that is not a regular file (a FIFO or a device could
    block forever) or is larger than ``limit`` bytes is refused."""
    try:
        kind = special_kind(path)
        if kind is not None:
            raise InputError(f"{path}: is {kind}, not an article file")
        with path.open("rb") as handle:
            return _read_limited(handle, path, limit)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _read_limited(handle: Any, name: str | Path, limit: int) -> bytes:
    raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise InputError(
            f"{name}: larger than the {limit / 1_000_000:g} MB input limit; "
            "split it, or raise the limit with --max-input-mb"
        )
    return raw


def decode(raw: bytes, path: str | Path) -> str:
    """Decode article bytes strictly (see the module docstring)."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw.decode(encoding), path)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}: starts with a {encoding.upper()} byte-order mark but is not "
                    f"valid {encoding.upper()} (byte {exc.start})"
                ) from None
    if b"\x00" in raw:
        raise InputError(f"{path}: looks binary (it holds NUL bytes), not a text article")
    try:
        return _checked(raw.decode("utf-8"), path)
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None or best.encoding in {"utf_8", "ascii"}:
        raise InputError(
            f"{path}: not valid UTF-8 (byte {utf8_error}) and its encoding cannot be told; "
            "save it as UTF-8"
        )
    return _checked(str(best), path)


def _checked(text: str, path: str | Path) -> str:
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise InputError(
            f"{path}: holds a control character (U+{ord(control.group()):04X}) on line {line}; "
            "this is not plain text"
        )
    return text


# A web page larger than this is not a news page (they are a few hundred KB): trafilatura
# takes over a minute and 800 MB on a 39 MB one.
PAGE_LIMIT = 10_000_000
# libxml2, under lxml and so trafilatura, reads at most this many nested elements; the
# text deeper down would be lost.
DEPTH_LIMIT = 255


def _html(raw: bytes, path: Path | str) -> Article:
    if len(raw) > PAGE_LIMIT:
        raise InputError(
            f"{path}: a web page of {len(raw) / 1e6:.0f} MB, over {PAGE_LIMIT // 1_000_000} MB: "
            "not a news page; save the article's text as .txt instead"
        )
    declared = _META_CHARSET.search(raw[:4096])
    if declared and declared.group(1).lower() in {b"utf-8", b"utf8"}:
        try:
            text = _checked(raw.decode("utf-8-sig"), path)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: declares UTF-8 but is not valid UTF-8 (byte {exc.start})"
            ) from None
    else:
        text = decode(raw, path)
    _refuse_deep(text, path)
    import trafilatura

    document = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False)
    found = document.as_dict() if document is not None else {}
    lines = [line.strip() for line in (found.get("text") or "").split("\n") if line.strip()]
    title = found.get("title") or None
    if lines and title and lines[0] == title:
        lines = lines[1:]
    if not lines:
        raise InputError(f"{path}: no article text found in this web page")
    url, author = found.get("url"), found.get("author")
    origin = Origin(url, None, author or None) if url and url.startswith("http") else None
    return Article(
        tuple(classify(line) for line in lines),
        title=title,
        date=found.get("date"),
        path=str(path),
        origin=origin,
    )


def read_page(raw: bytes, url: str) -> Article:
    """The article of a web page's bytes, fetched from ``url`` (errors name it): what
    a saved page gives (see :func:`read_articles`), with the page's own canonical
    address and author where it says them."""
    return _html(raw, url)


def _refuse_deep(text: str, path: Path | str) -> None:
    """Refuse a page nested deeper than libxml2 reads, rather than lose its text: the
    same parser reports it (an error naming the excessive depth)."""
    from lxml import etree, html

    parser = html.HTMLParser(recover=True)
    try:
        html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return  # trafilatura says what it makes of it
    if any("depth" in str(error.message).lower() for error in parser.error_log):
        raise InputError(
            f"{path}: nested deeper than the {DEPTH_LIMIT} levels the HTML parser reads; "
            "its text would be lost (save the article's text as .txt instead)"
        )


def _pdf(raw: bytes, path: Path, limit: int) -> Article:
    from translate_news.formats.pdf import read_pdf

    title, blocks = read_pdf(raw, path, limit)
    paragraphs = []
    for text, kind in blocks:
        text = _checked(text, path)
        # A table's row is text as it stands (classify would call a short one a heading).
        paragraphs.append(
            classify(text) if kind == "text" else Paragraph(text, kind.replace("row", "text"))
        )
    return Article(tuple(paragraphs), title=title, path=str(path))


def check_docx_size(raw: bytes, path: Path | str, limit: int) -> None:
    """Refuse a Word file by what it would unpack to, before anything is unpacked (a zip
    bomb of 1.5 MB took 2.9 GB): the XML parts within ``limit``, everything within twice."""
    import io
    import zipfile

    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError(f"{path}: not a readable Word (.docx) file ({exc})") from None
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    everything = sum(m.file_size for m in members)
    if xml > limit or everything > 2 * limit:
        raise InputError(
            f"{path}: unpacks to {max(xml, everything) / 1e6:.0f} MB, over the "
            f"{limit / 1e6:g} MB input limit; raise it with --max-input-mb if it is real"
        )


def read_file_bytes(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refused (one line) over ``limit`` or when it is not one."""
    return _read_bytes(path, limit)


def _docx(raw: bytes, path: Path, limit: int) -> Article:
    import io
    import zipfile

    check_docx_size(raw, path, limit)
    members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
        has_core = any(m.filename == "docProps/core.xml" for m in members)
        # Without its own properties python-docx makes up a title ("Word Document").
        title = (document.core_properties.title or None) if has_core else None
        read = []
        for paragraph in document.paragraphs:
            text = paragraph.text.strip()
            if text:  # a style is looked up only where there is text (it is slow)
                style = paragraph.style
                read.append((text, style.name if style is not None else ""))
    except Exception as exc:  # python-docx and lxml on a damaged file: one line, any kind
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not a readable Word (.docx) file ({reason})") from None
    paragraphs = []
    for text, style in read:
        style = style or ""
        if style == "Title" and title is None and not paragraphs:
            title = text
        elif style.startswith(("Heading", "Title")):
            paragraphs.append(Paragraph(_checked(text, path), "heading"))
        else:
            paragraphs.append(classify(_checked(text, path)))
    if not paragraphs:
        raise InputError(f"{path}: no text to translate (the document is empty)")
    return Article(tuple(paragraphs), title=title, path=str(path))


# A record id that can name a file as it is; any other id is hashed.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def record_key(record: dict[str, Any], ids: tuple[str, ...]) -> str:
    """A stable name for a feed record: its first id field when that is a plain name,
    else ``~`` and a hash of that field, else ``~`` and a hash of the whole record.
    Never its position, so a record inserted above does not rename the others."""
    value = next((record[f] for f in ids if isinstance(record.get(f), (str, int))), None)
    if value is not None and _PLAIN_KEY.fullmatch(str(value)) and not str(value).endswith("."):
        return str(value)
    basis = str(value) if value is not None else json.dumps(record, sort_keys=True)
    return "~" + hashlib.sha256(basis.encode()).hexdigest()[:16]


def _feed(
    text: str, path: Path, options: ReadOptions, *, lines: bool, on_bad: OnBadRecord | None
) -> Iterator[Article]:
    if lines:
        numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    else:
        data = _json(text, path, None)
        if isinstance(data, dict):  # one article, named by its file (what fetch writes)
            yield _record(data, path, 1, options)
            return
        numbered = list(enumerate(data if isinstance(data, list) else [data], 1))
    keys: set[str] = set()
    for number, item in numbered:
        try:
            record = _json(item, path, number) if lines else item
            article = _record(record, path, number, options)
        except InputError as exc:
            if on_bad is None:
                raise
            on_bad(exc)
            continue
        key = record_key(record, options.ids)
        if key.casefold() in keys:  # a repeated id: told apart by the record's content,
            content = json.dumps(record, sort_keys=True).encode()
            key = f"{key}~{hashlib.sha256(content).hexdigest()[:8]}"
            if key.casefold() in keys:  # or, for the same record twice, by its number
                key = f"{key}~{number}"
        keys.add(key.casefold())
        yield replace(article, record=key)


def _record(record: object, path: Path, number: int, options: ReadOptions) -> Article:
    where = f"{path}: record {number}"
    if not isinstance(record, dict):
        raise InputError(f"{where} is not a JSON object")
    body = next((record[f] for f in options.text if isinstance(record.get(f), str)), None)
    if body is None:
        raise InputError(f"{where} has no text field ({' or '.join(options.text)})")
    article = parse_article(body, path=str(path))
    title, date = record.get(options.title), record.get(options.date)
    return replace(
        article,
        title=title if isinstance(title, str) and title.strip() else article.title,
        date=str(date) if date is not None else article.date,
        origin=_origin(record),
    )


def _origin(record: dict[str, Any]) -> Origin | None:
    """A record's address, outlet and author (what fetch writes), where it has a URL."""
    url, outlet, author = (record.get(k) for k in ("url", "outlet", "author"))
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    text = lambda v: v if isinstance(v, str) and v.strip() else None  # noqa: E731
    return Origin(url, text(outlet), text(author))


def _json(text: str, path: Path, line: int | None) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {line}" if line is not None else f"line {exc.lineno}"
        raise InputError(f"{path}: {where} is not valid JSON ({exc.msg})") from None
    except RecursionError:
        where = f"line {line}" if line is not None else "the file"
        raise InputError(f"{path}: {where} is JSON nested too deep to be a record") from None
