"""From sources to article files: each feed read (conditionally: ETag and
Last-Modified), each new item's page fetched and its article extracted (trafilatura),
checked to be French, and written as one JSON article per item, in a folder per source.

Incremental and idempotent: what was fetched is remembered in SQLite beside the output
(``.translate-news-fetch.sqlite``: address, canonical address, content hash, file, time),
so no address, and no article reached by two addresses, is fetched or written twice. An
item whose page cannot be had keeps its feed's summary and says so; every failure is one
line naming its address, and the rest go on.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from translate_news.core.errors import FatalError, TranslateNewsError, UsageError
from translate_news.core.files import write_atomic
from translate_news.formats.feeds import FeedItem, Fetched, Source, folder_name, parse_feed
from translate_news.pipeline.web import FetchError, Web, WebOptions

STATE_FILE = ".translate-news-fetch.sqlite"
# What a subscriber-only page says where the article stops (Le Monde, Le Figaro,
# Libération, Les Échos, Mediapart...).
PAYWALL = re.compile(
    r"réservée? aux abonnés|il vous reste \d+\s*% de (cet|l') article|déjà abonnée?\s*\?"
    r"|abonnez-vous pour (lire|continuer)|pour lire la suite",
    re.IGNORECASE,
)
MIN_ARTICLE_CHARS = 200  # less is a teaser, a stub or a page that is not an article
OnEvent = Callable[[str, str, str], None]
_TRANSIENT = ("no answer within", "cannot connect", "not all sent", "HTTP 5")


def _ignore(kind: str, item: str, detail: str) -> None:
    pass


@dataclass(frozen=True)
class FetchOptions:
    """Which items: those dated ``since`` (an ISO date) or later, at most ``limit`` new
    ones this run; ``workers`` requests at once (never two to one host); how each
    request is made."""

    since: str | None = None
    limit: int | None = None
    workers: int = 4
    web: WebOptions = field(default_factory=WebOptions)

    def __post_init__(self) -> None:
        if self.since is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.since):
            raise UsageError(f"--since must be a date (YYYY-MM-DD), got {self.since!r}")
        if self.limit is not None and self.limit < 1:
            raise UsageError(f"--limit must be 1 or more, got {self.limit}")
        if not 1 <= self.workers <= 64:
            raise UsageError(f"workers must be from 1 to 64, got {self.workers}")


@dataclass
class FetchReport:
    """What a run did: the files written, one line per failure, the feeds that had not
    changed (304), the items already fetched before, those kept from a feed summary."""

    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unchanged: int = 0
    known: int = 0
    from_summary: int = 0


class State:
    """What earlier runs fetched, in SQLite beside the articles (one connection, shared
    by the run's threads one at a time)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / STATE_FILE
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.executescript(
                "CREATE TABLE IF NOT EXISTS items (url TEXT PRIMARY KEY, canonical TEXT,"
                " digest TEXT, file TEXT, fetched TEXT, status TEXT);"
                "CREATE INDEX IF NOT EXISTS by_canonical ON items (canonical);"
                "CREATE INDEX IF NOT EXISTS by_digest ON items (digest);"
                "CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, etag TEXT,"
                " modified TEXT, fetched TEXT);"
            )
        except sqlite3.Error as exc:
            raise FatalError(f"{self.path}: the fetch state cannot be used ({exc})") from None

    def _query(self, sql: str, values: tuple[str | None, ...]) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, values).fetchone()

    def _write(self, sql: str, values: tuple[str | None, ...]) -> None:
        try:
            with self._lock:
                self._db.execute(sql, values)
                self._db.commit()
        except sqlite3.Error as exc:
            raise FatalError(f"{self.path}: the fetch state cannot be written ({exc})") from None

    def known(self, url: str) -> bool:
        return (
            self._query("SELECT 1 FROM items WHERE url = ? OR canonical = ?", (url, url))
            is not None
        )

    def same_as(self, canonical: str, digest: str) -> str | None:
        """The file of an article already fetched at ``canonical`` or with this text."""
        row = self._query(
            "SELECT file FROM items WHERE (canonical = ? OR digest = ?) AND file IS NOT NULL",
            (canonical, digest),
        )
        return None if row is None else row[0]

    def validators(self, url: str) -> dict[str, str]:
        """The conditional headers for a feed fetched before."""
        row = self._query("SELECT etag, modified FROM feeds WHERE url = ?", (url,))
        headers = {}
        if row and row[0]:
            headers["If-None-Match"] = row[0]
        if row and row[1]:
            headers["If-Modified-Since"] = row[1]
        return headers

    def feed_read(self, url: str, etag: str | None, modified: str | None) -> None:
        self._write(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?)", (url, etag, modified, _now())
        )

    def remember(
        self, url: str, canonical: str | None, digest: str | None, file: str | None, status: str
    ) -> None:
        self._write(
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?)",
            (url, canonical, digest, file, _now(), status),
        )

    def close(self) -> None:
        self._db.close()


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class _Item:
    source: Source
    item: FeedItem


@dataclass(frozen=True)
class _Got:
    """A page fetched and read (``fetched``), or why not (``error``)."""

    job: _Item
    fetched: Fetched | None = None
    error: str | None = None
    final: bool = True  # the failure would happen again: remember it


def fetch_sources(
    sources: list[Source],
    out_dir: Path,
    options: FetchOptions | None = None,
    on_event: OnEvent = _ignore,
) -> FetchReport:
    """Fetch the new items of ``sources`` into ``out_dir`` (a folder per source); see
    the module docstring. Events: ``listed`` (how many items will be fetched), then
    ``done``, ``failed`` or ``skipped`` per item, and ``failed`` per feed."""
    options = options or FetchOptions()
    out_dir.mkdir(parents=True, exist_ok=True)
    report = FetchReport()
    state = State(out_dir)
    try:
        with Web(options.web) as web, ThreadPoolExecutor(options.workers) as pool:
            jobs = _new_items(web, pool, state, sources, options, report, on_event)
            on_event("listed", "", str(len(jobs)))
            for got in pool.map(lambda job: _get(web, job), _by_turns(jobs)):
                _keep(got, state, out_dir, report, on_event)
    finally:
        state.close()
    return report


def _new_items(
    web: Web,
    pool: ThreadPoolExecutor,
    state: State,
    sources: list[Source],
    options: FetchOptions,
    report: FetchReport,
    on_event: OnEvent,
) -> list[_Item]:
    """The items of every source not fetched before, within --since and the limits. A
    feed's validators are kept only when every new item of it was taken: one cut short
    by a limit is read in full again next time, for the rest."""
    jobs: list[_Item] = []
    taken: set[str] = set()
    for source, read in zip(sources, pool.map(lambda s: _read_source(web, state, s), sources)):
        if isinstance(read, str):
            report.failed.append(read)
            on_event("failed", source.url, read)
            continue
        if read is None:
            report.unchanged += 1
            continue
        items, validators = read
        fresh = [i for i in items if options.since is None or (i.date or "9") >= options.since]
        unseen: dict[str, FeedItem] = {}
        for item in fresh:  # an item listed twice is taken once
            if item.link not in taken:
                unseen.setdefault(item.link, item)
        new = [i for i in unseen.values() if not state.known(i.link)]
        report.known += len({i.link for i in fresh} - taken) - len({i.link for i in new})
        room = len(new) if source.limit is None else min(len(new), source.limit)
        if options.limit is not None:
            room = min(room, options.limit - len(jobs))
        jobs += [_Item(source, item) for item in new[:room]]
        taken.update(item.link for item in new[:room])
        if room == len(new) and validators is not None:
            state.feed_read(source.url, *validators)
    return jobs


def _by_turns(jobs: list[_Item]) -> list[_Item]:
    """``jobs`` taking turns by host (one of each host's, then the next of each...), so
    that the workers wait on different hosts' delays rather than all on one's."""
    hosts: dict[str, list[_Item]] = {}
    for job in jobs:
        hosts.setdefault((urlsplit(job.item.link).hostname or "").lower(), []).append(job)
    turns = itertools.zip_longest(*hosts.values())
    return [job for turn in turns for job in turn if job is not None]


def _read_source(
    web: Web, state: State, source: Source
) -> tuple[list[FeedItem], tuple[str | None, str | None] | None] | str | None:
    """A source's items and its feed's validators (ETag, Last-Modified); None for a
    feed unchanged since it was last read; a line for a feed that could not be read."""
    if source.kind == "page":
        return [FeedItem(source.url, None, None, "")], None
    try:
        response = web.get(source.url, state.validators(source.url), source.delay)
        if response.status == 304:
            return None
        items = parse_feed(response.body, source.url)
    except TranslateNewsError as exc:
        return str(exc)
    return items, (response.headers.get("etag"), response.headers.get("last-modified"))


def _get(web: Web, job: _Item) -> _Got:
    """Fetch and read one item's page (in a worker thread)."""
    item, source = job.item, job.source
    if not source.pages:
        return _summary(job, None)
    try:
        response = web.get(item.link, delay=source.delay)
        fetched = _article(response.body, response.url, job)
    except TranslateNewsError as exc:
        why = str(exc)
        return _summary(job, why, final=not any(t in why for t in _TRANSIENT))
    return _Got(job, fetched)


def _article(raw: bytes, url: str, job: _Item) -> Fetched:
    from translate_news.formats.readers import read_page
    from translate_news.text.language import foreign_language

    article = read_page(raw, url)
    paragraphs = tuple(p.text for p in article.paragraphs)
    text = "\n\n".join(paragraphs)
    if PAYWALL.search(text):
        raise FetchError(f"{url}: a subscriber-only page (its article is behind a paywall)")
    if len(text) < MIN_ARTICLE_CHARS:
        raise FetchError(f"{url}: not an article ({len(text)} characters of text)")
    language = foreign_language(text[:3000])
    if language is not None:
        raise FetchError(f"{url}: not in French (it reads as '{language}'); not fetched")
    origin = article.origin
    canonical = origin.url if origin is not None else url
    return Fetched(
        article.title or job.item.title,
        job.item.date or article.date,
        paragraphs,
        canonical,
        job.source.name,
        None if origin is None else origin.author,
    )


def _summary(job: _Item, why: str | None, final: bool = True) -> _Got:
    """The item from its feed's own summary, where it has one."""
    item = job.item
    if why is not None and "not in French" in why:
        return _Got(job, error=why)
    if not item.summary.strip():
        return _Got(job, error=why or f"{item.link}: the feed gives no text for it", final=final)
    note = None if why is None else f"the page could not be used: {why}"
    paragraphs = tuple(p for p in item.summary.split("\n\n") if p.strip())
    fetched = Fetched(
        item.title, item.date, paragraphs, item.link, job.source.name, None, "feed summary", note
    )
    return _Got(job, fetched, why)


def _keep(got: _Got, state: State, out_dir: Path, report: FetchReport, on_event: OnEvent) -> None:
    """Write what was fetched, remember it, and tell."""
    link = got.job.item.link
    if got.error is not None:
        report.failed.append(
            got.error if got.fetched is None else f"{got.error}; kept the feed's summary"
        )
        on_event("failed", link, report.failed[-1])
    fetched = got.fetched
    if fetched is None:
        if got.final:
            state.remember(link, None, None, None, "failed")
        return
    earlier = state.same_as(fetched.url, fetched.digest)
    if earlier is not None:
        state.remember(link, fetched.url, fetched.digest, None, "same")
        on_event("skipped", link, f"{link}: the same article as {earlier}")
        return
    folder = out_dir / folder_name(got.job.source.name)
    folder.mkdir(exist_ok=True)
    path = folder / fetched.file_name()
    write_atomic(path, fetched.record(_now()), force=True)
    state.remember(
        link, fetched.url, fetched.digest, str(path.relative_to(out_dir)), fetched.origin
    )
    report.written.append(path)
    report.from_summary += fetched.origin == "feed summary"
    on_event("done", link, str(path))
