"""Getting pages and feeds politely (httpx): a User-Agent naming the tool and its
version, timeouts that bound the whole answer (not only each read), a cap on its size,
a bounded number of redirects (each hop checked again), robots.txt honoured (RFC 9309:
its Crawl-delay too), and one request at a time per host, a delay apart.

Every failure is a :class:`FetchError` whose message is one line naming the address.
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from translate_news._version import __version__
from translate_news.core.errors import TranslateNewsError, UsageError

USER_AGENT = f"translate-news/{__version__} (+https://github.com/translate-news/translate-news)"
REDIRECTS = (301, 302, 303, 307, 308)
ROBOTS_LIMIT = 500_000  # RFC 9309: crawlers must read at least 500 KiB of robots.txt


class FetchError(TranslateNewsError):
    """An address that could not be had; the message names it and says why, and
    ``status`` is the HTTP status where the server answered one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WebOptions:
    """How to fetch: ``timeout`` seconds for a whole answer, ``max_mb`` the largest
    answer read, ``redirects`` followed at most, ``delay`` seconds between two requests
    to one host (robots.txt's Crawl-delay when longer), ``robots`` whether robots.txt
    is honoured."""

    timeout: float = 20.0
    max_mb: float = 10.0
    redirects: int = 5
    delay: float = 1.0
    robots: bool = True
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        if not 0 < self.timeout <= 600:
            raise UsageError(f"the timeout must be from 0 to 600 seconds, got {self.timeout}")
        if not 0 < self.max_mb <= 1000:
            raise UsageError(f"the size limit must be from 0 to 1000 MB, got {self.max_mb}")
        if not 0 <= self.delay < 3600:
            raise UsageError(f"the delay must be from 0 to 3600 seconds, got {self.delay}")
        if not 0 <= self.redirects <= 20:
            raise UsageError(f"redirects must be from 0 to 20, got {self.redirects}")


@dataclass(frozen=True)
class Response:
    """An answer: the address it finally came from, its status (200, or 304 for a
    conditional request whose resource has not changed), headers and body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = float("-inf")
    robots: urllib.robotparser.RobotFileParser | None = None
    crawl_delay: float = 0.0
    down: str | None = None  # why the host could not be reached (then not asked again)


class Web:
    """A polite HTTP client, safe to share between threads: requests to one host wait
    their turn and the delay; requests to different hosts run at once."""

    def __init__(self, options: WebOptions | None = None) -> None:
        import httpx

        self.options = options or WebOptions()
        self._client = httpx.Client(
            headers={"User-Agent": self.options.user_agent},
            timeout=httpx.Timeout(self.options.timeout),
            follow_redirects=False,
        )
        self._hosts: dict[str, _Host] = {}
        self._guard = threading.Lock()
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Web:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, url: str, headers: Mapping[str, str] | None = None, delay: float | None = None
    ) -> Response:
        """``url``'s answer, following redirects (each hop allowed by its robots.txt);
        ``delay`` overrides the run's for this host. 304 is an answer; any other
        status that is not success is a :class:`FetchError`."""
        seen = [url]
        for _ in range(self.options.redirects + 1):
            response = self._one(seen[-1], headers or {}, delay)
            if response.status not in REDIRECTS:
                return response
            target = urljoin(seen[-1], response.headers.get("location", ""))
            if target in seen:
                raise FetchError(f"{url}: redirects in a loop (back to {target})")
            seen.append(target)
        raise FetchError(f"{url}: more than {self.options.redirects} redirects")

    def _one(self, url: str, headers: Mapping[str, str], delay: float | None) -> Response:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url}: not an http(s) address")
        host = self._host(parts.hostname)
        with host.lock:
            if host.down is not None:
                raise FetchError(f"{url}: {host.down}")
            if self.options.robots:
                self._check_robots(host, url)
            self._wait(host, delay)
            return self._request(url, headers)

    def _host(self, name: str) -> _Host:
        with self._guard:
            return self._hosts.setdefault(name.lower(), _Host())

    def _wait(self, host: _Host, delay: float | None) -> None:
        pause = max(self.options.delay if delay is None else delay, host.crawl_delay)
        wait = host.last + pause - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        host.last = time.monotonic()

    def _check_robots(self, host: _Host, url: str) -> None:
        if host.robots is None:
            host.robots = self._robots(url, host)
        if not host.robots.can_fetch(self.options.user_agent, url):
            raise FetchError(f"{url}: refused by the site's robots.txt")

    def _robots(self, url: str, host: _Host) -> urllib.robotparser.RobotFileParser:
        """The site's robots.txt: a 4xx means no rules (RFC 9309, 2.3.1.3); a 5xx or
        no answer means the whole site is off limits for now (2.3.1.4)."""
        parser = urllib.robotparser.RobotFileParser()
        parts = urlsplit(url)
        where = f"{parts.scheme}://{parts.netloc}/robots.txt"
        self._wait(host, None)
        try:
            response = self._request(where, {}, limit=ROBOTS_LIMIT, truncate=True)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                parser.allow_all = True
                return parser
            if exc.status is None:  # no answer at all: the host is down for this run
                host.down = str(exc).removeprefix(f"{where}: ")
                raise FetchError(f"{url}: {host.down}") from None
            parser.disallow_all = True
            return parser
        parser.parse(response.body.decode("utf-8", "replace").splitlines())
        delay = parser.crawl_delay(self.options.user_agent)
        host.crawl_delay = min(float(delay), 60.0) if delay else 0.0
        return parser

    def _request(
        self, url: str, headers: Mapping[str, str], limit: int | None = None, truncate: bool = False
    ) -> Response:
        import httpx

        limit = limit or int(self.options.max_mb * 1_000_000)
        deadline = time.monotonic() + self.options.timeout
        self.requests += 1
        try:
            with self._client.stream("GET", url, headers=dict(headers)) as answer:
                if answer.status_code in (*REDIRECTS, 304):
                    return Response(str(answer.url), answer.status_code, dict(answer.headers))
                if answer.status_code >= 400:
                    why = f"{url}: HTTP {answer.status_code} {answer.reason_phrase}".rstrip()
                    raise FetchError(why, answer.status_code)
                body = _read(answer, url, limit, deadline, truncate)
                return Response(str(answer.url), answer.status_code, dict(answer.headers), body)
        except httpx.TimeoutException:
            raise FetchError(f"{url}: no answer within {self.options.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise FetchError(f"{url}: cannot connect ({_reason(exc)})") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__} ({_reason(exc)})") from None


def _read(answer: Any, url: str, limit: int, deadline: float, truncate: bool) -> bytes:
    declared = answer.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit and not truncate:
        raise FetchError(f"{url}: {int(declared) / 1e6:.0f} MB, over the {limit / 1e6:g} MB limit")
    chunks, size = [], 0
    for chunk in answer.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            if truncate:
                break
            raise FetchError(f"{url}: over the {limit / 1e6:g} MB limit")
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: not all sent within the time allowed")
    return b"".join(chunks)[:limit]


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "Name or service not known" in text or "nodename nor servname" in text or "-2]" in text:
        return "the host name does not resolve"
    return text.splitlines()[0][:160]
