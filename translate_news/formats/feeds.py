"""Where articles come from: the sources file (TOML) that names the feeds and pages to
fetch, a feed's items (RSS 2.0, Atom and the rest feedparser reads), and the article
file a fetched item becomes (one JSON object, which the readers read back with its
link, outlet and author).

A sources file::

    delay = 1.0           # seconds between two requests to one host (optional)

    [[feed]]
    name = "Le Monde, International"
    url = "https://www.lemonde.fr/international/rss_full.xml"
    limit = 20            # new items from it per run (optional)

    [[page]]
    name = "Élysée"
    url = "https://www.elysee.fr/emmanuel-macron/2025/07/14/discours"

Nothing here touches the network: bytes in, records out.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from translate_news.core.errors import InputError, UsageError
from translate_news.core.files import parse_toml, read_regular

SOURCE_KEYS = ("name", "url", "delay", "limit", "pages")
TOP_KEYS = ("feed", "page", "delay", "limit")
# A feed declaring its own entities is refused unread: no feed needs them, and they are
# how a feed reaches for local files (external entities) or memory (entity expansion).
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_BLOCK_END = re.compile(r"</(p|div|li|h\d)>|<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """A feed or a single page to fetch, named as briefings will name its outlet.
    ``delay`` (seconds between requests to its host) and ``limit`` (new items per run)
    override the run's; ``pages`` False keeps each item's feed summary, unfetched."""

    name: str
    url: str
    kind: Literal["feed", "page"] = "feed"
    delay: float | None = None
    limit: int | None = None
    pages: bool = True


def read_sources(path: Path) -> list[Source]:
    """The sources of a sources file; anything wrong in it is one :class:`UsageError`
    naming the file and the entry."""
    raw = read_regular(path, 1_000_000, "a sources file", UsageError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 (byte {exc.start})") from None
    return parse_sources(parse_toml(text, path), path)


def parse_sources(data: dict[str, Any], path: Path | str) -> list[Source]:
    """Sources from a parsed sources file (see the module docstring)."""
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown setting {unknown[0]!r}; use {', '.join(TOP_KEYS)}")
    defaults = {k: data[k] for k in ("delay", "limit") if k in data}
    _check_options(defaults, f"{path}")
    sources: list[Source] = []
    for kind in ("feed", "page"):
        entries = data.get(kind, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise UsageError(f"{path}: '{kind}' must be a list of tables ([[{kind}]])")
        for number, entry in enumerate(entries, 1):
            sources.append(_source(entry, kind, defaults, f"{path}: {kind} {number}"))
    if not sources:
        raise UsageError(f"{path}: names no source; add a [[feed]] or a [[page]]")
    names = [s.name.casefold() for s in sources]
    twice = next((s.name for s in sources if names.count(s.name.casefold()) > 1), None)
    if twice is not None:
        raise UsageError(f"{path}: two sources are named {twice!r}; give each its own name")
    return sources


def _source(entry: dict[str, Any], kind: str, defaults: dict[str, Any], where: str) -> Source:
    unknown = sorted(set(entry) - set(SOURCE_KEYS))
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; use {', '.join(SOURCE_KEYS)}")
    for key in ("name", "url"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise UsageError(f"{where}: needs a {key} (text)")
    url = entry["url"].strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{where}: {url!r} is not an http(s) address")
    options = {**defaults, **{k: entry[k] for k in ("delay", "limit") if k in entry}}
    _check_options(options, where)
    pages = entry.get("pages", True)
    if not isinstance(pages, bool):
        raise UsageError(f"{where}: pages must be true or false")
    return Source(entry["name"].strip(), url, kind, pages=pages, **options)  # type: ignore[arg-type]


def _check_options(options: dict[str, Any], where: str) -> None:
    delay = options.get("delay")
    if delay is not None and (
        isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay < 3600
    ):
        raise UsageError(f"{where}: delay must be a number of seconds from 0 to 3600")
    if delay is not None:
        options["delay"] = float(delay)
    limit = options.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise UsageError(f"{where}: limit must be a whole number of items, 1 or more")


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed: its page's address, title, date (ISO, UTC) and the feed's
    own summary of it as plain text."""

    link: str
    title: str | None
    date: str | None
    summary: str


def parse_feed(raw: bytes, url: str) -> list[FeedItem]:
    """The items of a feed's bytes, in the feed's order. A feed that is not well-formed
    XML, declares entities, or holds no item with a link is one :class:`InputError`
    naming ``url``."""
    if _ENTITY.search(raw[:65536]):
        raise InputError(f"{url}: the feed declares XML entities; refused unread")
    import feedparser

    parsed = feedparser.parse(raw, sanitize_html=True, resolve_relative_uris=True)
    if not parsed.get("version"):
        page = raw[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))
        raise InputError(f"{url}: not an RSS or Atom feed{' (a web page)' if page else ''}")
    problem = parsed.get("bozo_exception")
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if parsed.get("bozo") and not isinstance(problem, benign):
        reason = str(problem).splitlines()[0][:160] if problem else "unreadable"
        raise InputError(f"{url}: not a well-formed feed ({reason})")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if urlsplit(link).scheme not in ("http", "https"):
            continue
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        summary = entry.get("summary") or ""
        items.append(
            FeedItem(link, _plain(entry.get("title")) or None, _iso(when), _plain(summary))
        )
    return items


def _iso(when: time.struct_time | None) -> str | None:
    if when is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(when)))


def _plain(markup: str | None) -> str:
    """Text from a feed's HTML snippet: tags out, entities read, paragraphs kept."""
    if not markup:
        return ""
    blocks = _BLOCK_END.sub("\n\n", markup)
    text = html.unescape(_TAG.sub(" ", blocks))
    paragraphs = (_SPACE.sub(" ", p).strip() for p in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


@dataclass(frozen=True)
class Fetched:
    """An article as fetched: what its file holds. ``origin`` says where its text came
    from (``page``, or ``feed summary`` when the page could not be had, ``note`` why)."""

    title: str | None
    date: str | None
    paragraphs: tuple[str, ...]
    url: str
    outlet: str
    author: str | None = None
    origin: Literal["page", "feed summary"] = "page"
    note: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def digest(self) -> str:
        """The hash of its text, whitespace and case aside: the same article at two
        addresses has one."""
        plain = _SPACE.sub(" ", self.text).strip().casefold()
        return hashlib.sha256(plain.encode()).hexdigest()

    def file_name(self) -> str:
        """``2025-07-14-titre-de-l-article-1a2b3c.json``: its day, title and a hash of
        its address (two articles never share a name)."""
        day = (self.date or "undated")[:10]
        tag = hashlib.sha256(self.url.encode()).hexdigest()[:6]
        return f"{day}-{slug(self.title or 'article')}-{tag}.json"

    def record(self, fetched_at: str) -> str:
        data = {
            "title": self.title,
            "date": self.date,
            "text": self.text,
            "url": self.url,
            "outlet": self.outlet,
            "author": self.author,
            "fetched": fetched_at,
            "from": self.origin,
            "note": self.note,
        }
        return (
            json.dumps(
                {k: v for k, v in data.items() if v is not None}, ensure_ascii=False, indent=1
            )
            + "\n"
        )


def slug(text: str, width: int = 60) -> str:
    """An ASCII file-name part: ``Élection à Paris !`` → ``election-a-paris``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = "-".join(words)[:width].rstrip("-")
    return out or "article"


def folder_name(name: str) -> str:
    """The folder a source's articles go in."""
    return slug(name, 40)
