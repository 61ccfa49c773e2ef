"""An HTTP server: LibreTranslate's API (so its clients switch by changing a URL), our
own article endpoints and a web page, with the sentences of concurrent callers
translated together.

* LibreTranslate's endpoints as its ``app.py`` implements them: ``POST /translate``
  (``q`` a string or a list, ``source`` fr or auto, ``target`` en, ``format`` text or
  html, ``alternatives``, ``api_key``), ``POST /detect``, ``GET /languages``,
  ``POST /translate_file`` and ``GET /download_file/...``, ``GET /frontend/settings``,
  ``POST /suggest``; fields from the query string, a form or JSON alike; errors as
  ``{"error": "..."}``; CORS open to every origin unless told otherwise.
* Ours: ``POST /translate_article`` (``{"text": ...}``: the CLI's JSON, sentence by
  sentence, with flags), ``/summarize``, ``/brief``; ``GET /`` is a page over them;
  ``GET /health``, ``GET /metrics`` (Prometheus text), ``GET /docs`` (OpenAPI).

**Batching across callers.** A request's sentences join a queue; a worker takes what
arrived within a short window (``window`` seconds) and translates it as one list, in
token-budget batches, so ten callers at once share batches instead of waiting in line;
each gets exactly its own sentences back, in order. The queue is bounded: beyond
``queue_limit`` sentences a request is answered 503 at once, not queued without end.

**Limits.** Loopback unless told otherwise (the CLI's ``--host``); optional API keys
(LibreTranslate's semantics: an unknown key is refused, no key is served at the default
rate unless keys are required); ``requests_per_minute`` per key, per client address
without one; ``char_limit`` characters per text; ``body_limit`` bytes per body however it
is sent; ``read_timeout`` seconds to send it; ``timeout`` seconds per request (503).

**Whose fault.** A request the server cannot serve is 4xx; a failure of the server's own
(its translation memory, its model) is 5xx with a message that names no path, logged in
full, and ``/health`` says ``degraded`` with the reason until the server serves again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import html
import json
import logging
import re
import secrets
import tempfile
import time
import urllib.parse
from collections import OrderedDict, defaultdict, deque
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

# FastAPI reads the endpoints' annotations, so Request must be importable by name here;
# this module is imported only by ``serve`` (the package never imports it).
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from translate_news._version import __version__
from translate_news.core.document import Article, Summary, TranslatedArticle
from translate_news.core.errors import (
    BackendUnavailable,
    InputError,
    MemoryUnusable,
    ModelNotFoundError,
    TranslateNewsError,
    UsageError,
)
from translate_news.formats import briefing
from translate_news.formats.output import render, summary_record, to_dict
from translate_news.formats.readers import SUFFIXES, parse_article, read_articles
from translate_news.pipeline.memory import IMPORTED
from translate_news.pipeline.summarizer import Summarizer
from translate_news.pipeline.translator import Checked, Translator, normalize, plan_text
from translate_news.text.checks import check_summary
from translate_news.text.language import confidences, foreign_language
from translate_news.text.segment import sentence_spans

_log = logging.getLogger(__name__)

LANGUAGES = [
    {"code": "en", "name": "English", "targets": []},
    {"code": "fr", "name": "French", "targets": ["en"]},
]
ALTERNATIVES_LIMIT = 10  # the most alternatives one request may ask for
# A text split for translation: its sentences, and how to put their English back.
Plan = tuple[list[str], Callable[[list[Checked]], str]]


@dataclass(frozen=True)
class ServerLimits:
    """What one request, one key and the whole server may ask (see the module doc)."""

    char_limit: int = 20_000  # per text (LibreTranslate's --char-limit)
    batch_limit: int = 1_000  # texts per request (LibreTranslate's --batch-limit)
    body_limit: int = 2_000_000
    timeout: float = 120.0
    read_timeout: float = 30.0  # seconds a client may take to send its body
    queue_limit: int = 20_000
    window: float = 0.01
    api_keys: frozenset[str] = frozenset()
    # Without a key a request is served unless keys are required (for every origin, or
    # for origins that do not match this regular expression: LibreTranslate's option).
    require_api_key: bool = False
    require_api_key_origin: str | None = None
    requests_per_minute: int = 0  # per key (per client address without one); 0: no limit
    cors_origins: tuple[str, ...] = ("*",)
    suggestions: bool = False  # POST /suggest writes editors' corrections to the memory


class Refused(Exception):
    """A request answered with an error: ``status`` and one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Histogram:
    """Counts of observations at most each bound, their sum and number: a constant size
    however long the server runs."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds, self.counts = bounds, [0] * len(bounds)
        self.total, self.count, self.largest = 0.0, 0, 0.0

    def observe(self, value: float) -> None:
        for i, bound in enumerate(self.bounds):
            if value <= bound:
                self.counts[i] += 1
        self.total += value
        self.count += 1
        self.largest = max(self.largest, value)

    def lines(self, name: str, label: str = "") -> list[str]:
        tag = f'path="{label}",' if label else ""
        out = [
            f'{name}_bucket{{{tag}le="{bound}"}} {count}'
            for bound, count in zip(self.bounds, self.counts)
        ]
        out.append(f'{name}_bucket{{{tag}le="+Inf"}} {self.count}')
        out.append(f"{name}_sum{{{tag.rstrip(',')}}} {self.total:.6f}")
        out.append(f"{name}_count{{{tag.rstrip(',')}}} {self.count}")
        return out


_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
_SECONDS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass
class Metrics:
    """Counters and histograms, written in Prometheus' text format."""

    requests: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    sentences: int = 0
    characters: int = 0
    abandoned: int = 0  # requests whose caller left before their batch ran
    batch_sizes: Histogram = field(default_factory=lambda: Histogram(_SIZES))
    latencies: dict[str, Histogram] = field(
        default_factory=lambda: defaultdict(lambda: Histogram(_SECONDS))
    )

    def text(self) -> str:
        lines = ["# TYPE translate_news_requests_total counter"]
        for (path, status), count in sorted(self.requests.items()):
            labels = f'path="{path}",status="{status}"'
            lines.append(f"translate_news_requests_total{{{labels}}} {count}")
        for name, value in (
            ("sentences", self.sentences),
            ("characters", self.characters),
            ("abandoned", self.abandoned),
        ):
            lines += [
                f"# TYPE translate_news_{name}_total counter",
                f"translate_news_{name}_total {value}",
            ]
        lines.append("# TYPE translate_news_batch_sentences histogram")
        lines += self.batch_sizes.lines("translate_news_batch_sentences")
        lines.append("# TYPE translate_news_request_seconds histogram")
        for path, histogram in sorted(self.latencies.items()):
            lines += histogram.lines("translate_news_request_seconds", path)
        return "\n".join(lines) + "\n"


KEPT_FILES = 64  # translated files kept for download, oldest dropped first
DISCONNECT_POLL = 0.05  # seconds between checks that a waiting caller is still there


class Batcher:
    """Translates the sentences of concurrent requests together (see the module doc).
    ``translate`` runs in one worker thread, so the model is never used by two at once."""

    def __init__(
        self,
        translate: Callable[[list[str]], list[Checked]],
        limits: ServerLimits,
        metrics: Metrics,
        together: bool = True,
    ) -> None:
        self._translate, self.limits, self.metrics = translate, limits, metrics
        self.together = together
        self._queue: list[tuple[list[str], asyncio.Future[list[Checked]]]] = []
        self._pending = 0
        self._wake: asyncio.Event | None = None
        self.worker = concurrent.futures.ThreadPoolExecutor(1, "translate-news")

    async def translate(
        self, sentences: list[str], gone: Callable[[], Awaitable[bool]] | None = None
    ) -> list[Checked]:
        """The translations of ``sentences``, once a batch has run them. ``gone`` says
        whether the caller has disconnected: its sentences are then dropped from the
        queue (work already in a batch runs to its end)."""
        if not sentences:
            return []
        if self._pending + len(sentences) > self.limits.queue_limit:
            raise Refused(503, "the server is busy: too many sentences waiting; try again soon")
        future: asyncio.Future[list[Checked]] = asyncio.get_running_loop().create_future()
        self._queue.append((sentences, future))
        self._pending += len(sentences)
        assert self._wake is not None, "Batcher.run is not running"
        self._wake.set()
        deadline = time.monotonic() + self.limits.timeout
        while not future.done():
            left = deadline - time.monotonic()
            if left <= 0:
                future.cancel()
                raise Refused(503, f"the translation took longer than {self.limits.timeout:g} s")
            await asyncio.wait({future}, timeout=min(left, DISCONNECT_POLL))
            if not future.done() and gone is not None and await gone():
                future.cancel()
                self.metrics.abandoned += 1
                raise Refused(499, "the client went away")
        return future.result()

    async def run(self) -> None:
        """Take what arrived within the window, translate it, hand each caller its own."""
        self._wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.limits.window)
            self._wake.clear()
            jobs, self._queue = self._queue, []
            if not self.together:  # one request at a time (for comparison)
                self._queue, jobs = jobs[1:], jobs[:1]
                if self._queue:
                    self._wake.set()
            self._pending -= sum(len(sentences) for sentences, _ in jobs)
            live = [(s, f) for s, f in jobs if not f.done()]  # a caller that left is dropped
            flat = [sentence for sentences, _ in live for sentence in sentences]
            if not flat:
                continue
            self.metrics.batch_sizes.observe(len(flat))
            try:
                results = await loop.run_in_executor(self.worker, self._translate, flat)
            except Exception as exc:  # every caller of this batch hears it
                for _, future in live:
                    if not future.done():
                        future.set_exception(exc)
                continue
            start = 0
            for sentences, future in live:
                if not future.done():
                    future.set_result(results[start : start + len(sentences)])
                start += len(sentences)


class _Html(HTMLParser):
    """An HTML fragment as markup and text runs; text inside script and style is kept
    as markup (never translated)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[bool, str]] = []  # (is text, content)
        self._raw = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._raw += tag in ("script", "style")
        self.parts.append((False, self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append((False, self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        self._raw -= tag in ("script", "style") and self._raw > 0
        self.parts.append((False, f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        self.parts.append((not self._raw and bool(data.strip()), data))

    def handle_comment(self, data: str) -> None:
        self.parts.append((False, f"<!--{data}-->"))


class Service:
    """What the endpoints do, apart from HTTP (tested through a real server)."""

    def __init__(
        self,
        translator: Translator,
        limits: ServerLimits,
        together: bool = True,
        summarizer: Summarizer | None = None,
    ):
        self.translator, self.limits, self.metrics = translator, limits, Metrics()
        self.summarizer = summarizer
        self.batcher = Batcher(translator.translate_checked, limits, self.metrics, together)
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        # kept name -> (media type, body, download name)
        self.files: OrderedDict[str, tuple[str, bytes, str]] = OrderedDict()
        self.fault: str | None = None  # why the server last failed, until it serves again

    def failed(self, exc: Exception) -> Any:
        """A failure of the server's own, as the caller sees it: 5xx and what failed,
        never a path (the whole message goes to the log); ``/health`` says degraded."""
        _log.error("%s", exc)
        message = str(exc)
        if isinstance(exc, MemoryUnusable):
            what = "its translation memory failed"
        elif isinstance(exc, (ModelNotFoundError, BackendUnavailable)):
            what = "its model cannot run"
        else:
            what = f"it failed ({type(exc).__name__})"
        full = "disk is full" in message or getattr(exc, "errno", None) == errno.ENOSPC
        self.fault = what
        return _error(
            507 if full else 503,
            f"the server cannot serve this now: {what}; its operator has the details",
        )

    def admit(self, key: object, client: str, origin: str) -> None:
        """LibreTranslate's key rules: an unknown key is refused (403); no key is served
        unless keys are required for this origin (400, LibreTranslate's answer); then
        each key, or each client address without one, within its rate (429)."""
        if key is not None and not isinstance(key, str):
            raise Refused(400, "Invalid request: api_key must be a string")
        key = key or None
        keys = self.limits.api_keys
        if not keys:
            key = None  # a key names nobody here: callers are told apart by address
        elif key is not None and key not in keys:
            raise Refused(403, "Invalid API key")
        elif key is None and self.key_required(origin):
            raise Refused(400, "Please contact the server operator to get an API key")
        per_minute = self.limits.requests_per_minute
        if per_minute:
            now = time.monotonic()
            if len(self._calls) > 10_000:  # forget callers idle for a minute
                for name in [n for n, c in self._calls.items() if c[-1] < now - 60]:
                    del self._calls[name]
            calls = self._calls[f"key {key}" if key else f"address {client}"]
            while calls and calls[0] < now - 60:
                calls.popleft()
            if len(calls) >= per_minute:
                raise Refused(429, f"Slowdown: {per_minute} per 1 minute")
            calls.append(now)

    def key_required(self, origin: str = "") -> bool:
        """Whether a request from ``origin`` without a key is refused."""
        if not self.limits.api_keys:
            return False
        pattern = self.limits.require_api_key_origin
        return self.limits.require_api_key or (
            pattern is not None and re.match(pattern, origin) is None
        )

    def check_size(self, texts: list[str]) -> None:
        """Refuse more texts than the batch limit, or a text longer than the character
        limit (each text on its own, as LibreTranslate)."""
        if len(texts) > self.limits.batch_limit:
            raise Refused(
                400,
                f"Invalid request: request ({len(texts)}) exceeds text limit "
                f"({self.limits.batch_limit})",
            )
        for text in texts:
            if len(text) > self.limits.char_limit:
                raise Refused(
                    400,
                    f"Invalid request: request ({len(text)}) exceeds text limit "
                    f"({self.limits.char_limit})",
                )
        self.metrics.characters += sum(len(t) for t in texts)

    async def in_worker(self, work: Callable[..., Any], *args: Any) -> Any:
        """``work(*args)`` in the thread the model runs in (one model at work at a time)."""
        return await asyncio.get_running_loop().run_in_executor(self.batcher.worker, work, *args)

    async def alternatives(self, plans: list[Plan], best: list[str], count: int) -> list[list[str]]:
        """Up to ``count`` other translations of each planned text (:meth:`plan`, format
        text): the k-th puts each sentence's k-th next hypothesis of the model (its best
        where it has no more) into the text; each differs from the text's translation
        and from the others."""
        flat = [sentence for sentences, _ in plans for sentence in sentences]
        found = await self.in_worker(self.translator.hypotheses, flat, count + 1)

        def assemble() -> list[list[str]]:
            out, start = [], 0
            for (sentences, finish), chosen in zip(plans, best):
                mine = found[start : start + len(sentences)]
                start += len(sentences)
                options = []
                for k in range(1, count + 1):
                    picks = [h[k] if len(h) > k else (h[0] if h else "") for h in mine]
                    options.append(finish([Checked(t) for t in picks]))
                out.append([o for o in dict.fromkeys(options) if o != chosen][:count])
            return out

        return await asyncio.to_thread(assemble)

    async def suggest(self, source: str, suggestion: str) -> int:
        """Keep an editor's English for ``source``'s sentences in the memory, where it
        comes before any model's; how many sentences. Several sentences must line up."""
        memory = self.translator.memory
        if memory is None:
            raise Refused(503, "this server has no translation memory to keep suggestions in")
        sources, _ = plan_text(source)
        if len(sources) == 1:
            targets = [suggestion]
        else:
            targets = [suggestion[a:b] for a, b in sentence_spans(suggestion)]
        if not sources or len(targets) != len(sources):
            raise Refused(
                400,
                f"Invalid request: the suggestion has {len(targets)} sentences where q has "
                f"{len(sources)}; suggest one sentence at a time",
            )
        entries = {normalize(f): (normalize(e), ()) for f, e in zip(sources, targets)}
        await self.in_worker(lambda: memory.put_many(IMPORTED, entries, origin="suggestion"))
        return len(entries)

    async def plan(self, texts: list[str], fmt: str) -> list[Plan]:
        """Each text's sentences and how to put their translations back (markup kept for
        ``html``), split off the event loop."""
        plan = _plan_html if fmt == "html" else plan_text
        return await asyncio.to_thread(lambda: [plan(text) for text in texts])

    async def translate(
        self, plans: list[Plan], gone: Callable[[], Awaitable[bool]] | None = None
    ) -> list[str]:
        """Each planned text (:meth:`plan`) in English, all through one batch; the
        reassembling runs off the event loop too."""
        flat = [sentence for sentences, _ in plans for sentence in sentences]
        self.metrics.sentences += len(flat)
        results = await self.batcher.translate(flat, gone)
        self.fault = None

        def finish_all() -> list[str]:
            out, start = [], 0
            for sentences, finish in plans:
                out.append(finish(results[start : start + len(sentences)]))
                start += len(sentences)
            return out

        return await asyncio.to_thread(finish_all)

    async def translate_articles(self, articles: list[Article]) -> list[TranslatedArticle]:
        sentences, finish = await asyncio.to_thread(self.translator.plan_articles, articles)
        self.metrics.sentences += len(sentences)
        results = await self.batcher.translate(sentences)
        self.fault = None
        return await asyncio.to_thread(finish, results)

    async def translate_article(self, text: str) -> dict[str, Any]:
        article = await asyncio.to_thread(parse_article, text, path="<request>")
        [english] = await self.translate_articles([article])
        return await asyncio.to_thread(to_dict, english)

    async def summarize(self, texts: list[str]) -> list[tuple[TranslatedArticle, Summary]]:
        """Each article in English with its summary (the summariser runs in the worker
        thread the translations run in: one model at work at a time)."""
        if self.summarizer is None:
            raise Refused(503, "this server has no summariser (see translate-news serve --help)")
        articles = await asyncio.to_thread(
            lambda: [parse_article(t, path=f"<request {i}>") for i, t in enumerate(texts)]
        )
        english = await self.translate_articles(articles)
        summaries = await self.in_worker(self.summarizer.summarize_many, english)
        glossary = self.translator.glossary
        return [
            (e, replace(s, flags=check_summary(e.french, s.text, glossary)))
            for e, s in zip(english, summaries)
        ]

    async def translate_file(self, name: str, body: bytes) -> str:
        """Translate an uploaded file (any format the CLI reads) into a file kept here
        for download; returns the name it is kept under. Only the name's suffix is used
        to read it; the download is named as the upload was (``.md`` where the English
        is written as Markdown: Word files and feeds)."""
        name = _CONTROL.sub("", Path(name.replace("\\", "/")).name)[:200] or "file.txt"
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise Refused(400, f"Invalid request: unsupported file type {suffix or name!r}")
        articles = await asyncio.to_thread(_read_upload, name, suffix, body)
        self.check_size([_article_text(a) for a in articles])
        english = await self.translate_articles(articles)
        fmt = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html"}.get(suffix, "md")
        text = await asyncio.to_thread(lambda: "\n".join(render(e, fmt) for e in english))
        same = {"txt": (".txt", ".text"), "html": (".html", ".htm"), "md": (".md", ".markdown")}
        download = name if suffix in same[fmt] else f"{Path(name).stem}.md"
        kept = f"{secrets.token_hex(16)}.{_UNSAFE.sub('_', download)}"
        types = {"txt": "text/plain", "md": "text/markdown", "html": "text/html"}
        self.files[kept] = (f"{types[fmt]}; charset=utf-8", text.encode(), download)
        while len(self.files) > KEPT_FILES:
            self.files.popitem(last=False)
        return kept


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE = re.compile(r"[^\w.-]")  # what a kept file's name in its URL may not hold


def _read_upload(name: str, suffix: str, body: bytes) -> list[Article]:
    """The articles of an uploaded file, read as the CLI reads one; errors name the
    upload, never the temporary file it was written to."""
    with tempfile.TemporaryDirectory(prefix="translate-news-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(body)
        try:
            return list(read_articles(path))
        except TranslateNewsError as exc:
            raise InputError(str(exc).replace(str(path), name).replace(folder, "")) from None


def _article_text(article: Article) -> str:
    """All the text of an article that would be translated."""
    return "\n".join([article.title or "", *(p.text for p in article.paragraphs)])


def detect(text: str) -> list[dict[str, Any]]:
    """LibreTranslate's detection records, most likely first (at most 3): lingua's
    confidences over the candidate languages, from 0 to 100; ``en`` at 0 when there is
    nothing to tell by, as LibreTranslate answers."""
    found = confidences(text) if text.strip() else []
    if not found:
        return [{"confidence": 0.0, "language": "en"}]
    return [{"confidence": round(100 * value, 1), "language": code} for code, value in found[:3]]


def detect_source(text: str) -> dict[str, Any]:
    """``detectedLanguage`` for ``source=auto``: French unless the text is confidently
    another language (five words or more, as for articles), with lingua's confidence."""
    foreign = foreign_language(text) if text.strip() else None
    found = dict(confidences(text)) if text.strip() else {}
    language = foreign or "fr"
    return {"confidence": round(100 * found.get(language, 0.0), 1), "language": language}


def _plan_html(markup: str) -> Plan:
    """The sentences of an HTML fragment's text, and how to put their translations back
    into its markup."""
    parser = _Html()
    parser.feed(markup)
    parser.close()
    sentences: list[str] = []
    pieces: list[tuple[int, int, Callable[[list[Checked]], str]] | str] = []
    for is_text, content in parser.parts:
        if not is_text:
            pieces.append(content)
            continue
        lead = content[: len(content) - len(content.lstrip())]
        tail = content[len(content.rstrip()) :]
        units, finish = plan_text(content.strip())
        pieces.append((len(sentences), len(units), _wrap(lead, tail, finish)))
        sentences += units

    def finish_all(translations: list[Checked]) -> str:
        out = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                start, count, finish = piece
                out.append(finish(translations[start : start + count]))
        return "".join(out)

    return sentences, finish_all


def _wrap(
    lead: str, tail: str, finish: Callable[[list[Checked]], str]
) -> Callable[[list[Checked]], str]:
    return lambda translations: lead + html.escape(finish(translations), quote=False) + tail


def create_app(
    translator: Translator,
    limits: ServerLimits | None = None,
    together: bool = True,
    summarizer: Summarizer | None = None,
) -> Any:
    """The FastAPI application over a loaded ``translator`` (and ``summarizer``)."""
    service = Service(translator, limits or ServerLimits(), together, summarizer)
    limits = service.limits

    @asynccontextmanager
    async def lifespan(app: Any):  # the batcher's worker runs as long as the server
        task = asyncio.create_task(service.batcher.run())
        yield
        task.cancel()

    app = FastAPI(
        title="translate-news",
        version=__version__,
        description="French news into English: LibreTranslate's API, batched across callers.",
        lifespan=lifespan,
    )
    app.state.service = service

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[..., Any]) -> Any:
        """Bodies over the limit refused before they are read; every failure answered as
        JSON here, inside the CORS layer, so that a page elsewhere can read it too."""
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limits.body_limit):
            response: Any = _error(413, f"the body is larger than {limits.body_limit} bytes")
        else:
            try:
                response = await call_next(request)
            except Exception as exc:  # a bug: one line to the caller, the traceback logged
                _log.exception("%s %s failed", request.method, request.url.path)
                response = _error(500, f"internal error ({type(exc).__name__}); please report it")
        path = request.url.path if request.url.path in KNOWN else "other"
        service.metrics.requests[(path, response.status_code)] += 1
        service.metrics.latencies[path].observe(time.perf_counter() - started)
        return response

    # LibreTranslate's CORS headers by default (every origin, GET and POST, 20 days).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(limits.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Authorization"],
        max_age=60 * 60 * 24 * 20,
    )

    async def body(request: Request) -> bytes:
        """The body, read up to the limit however it is sent (a chunked body has no
        length to refuse it by) and within ``read_timeout`` (a client that trickles it
        is cut off)."""
        if hasattr(request, "_body"):
            return request._body

        async def read() -> bytes:
            chunks, size = [], 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.body_limit:
                    raise Refused(413, f"the body is larger than {limits.body_limit} bytes")
                chunks.append(chunk)
            return b"".join(chunks)

        try:
            data = await asyncio.wait_for(read(), limits.read_timeout)
        except asyncio.TimeoutError:
            raise Refused(408, f"the body took longer than {limits.read_timeout:g} s") from None
        request._body = data  # Starlette's form and JSON readers take it from here
        return data

    async def fields(request: Request) -> dict[str, Any]:
        """A request's fields as LibreTranslate reads them: the query string, then a JSON
        or form body (a field in both: the body's)."""
        values: dict[str, Any] = _fields(request.query_params)
        kind = request.headers.get("content-type", "")
        data = await body(request)
        try:
            if kind.startswith("application/json"):
                parsed = json.loads(data or b"{}")
                if not isinstance(parsed, dict):
                    raise Refused(400, "Invalid request: the JSON body must be an object")
                values.update(parsed)
            elif data:
                values.update(_fields(await request.form()))
        except (ValueError, UnicodeDecodeError, RecursionError, AssertionError):
            raise Refused(400, "Invalid request: the body is not valid JSON or a form") from None
        return values

    def admit(request: Request, data: dict[str, Any]) -> None:
        host = request.client.host if request.client else "unknown"
        service.admit(data.get("api_key"), host, request.headers.get("origin", ""))

    @app.post("/translate", summary="Translate text (LibreTranslate-compatible)")
    async def translate(request: Request) -> Any:
        data = await fields(request)
        admit(request, data)
        q = data.get("q")
        source = _code(data, "source", "auto")
        target, fmt = _code(data, "target", "en"), _code(data, "format", "text")
        count = _alternatives(data.get("alternatives"))
        if q is None:
            raise Refused(400, "Invalid request: missing q parameter")
        texts = q if isinstance(q, list) else [q]
        if not all(isinstance(t, str) for t in texts):
            raise Refused(400, "Invalid request: q must be a string or a list of strings")
        if source not in ("fr", "auto"):
            raise Refused(400, f"{source} is not supported: this server translates fr to en")
        if target != "en":
            raise Refused(400, f"{target} is not supported: this server translates fr to en")
        if fmt not in ("text", "html"):
            raise Refused(400, f"{fmt} format is not supported (text or html)")
        service.check_size(texts)
        detected = []
        if source == "auto":
            detected = await asyncio.to_thread(lambda: [detect_source(t) for t in texts])
        foreign = [d["language"] for d in detected if d["language"] != "fr"]
        if foreign:
            raise Refused(400, f"{foreign[0]} (detected) is not supported: fr to en only")
        plans = await service.plan(texts, fmt)
        english = await service.translate(plans, request.is_disconnected)
        one = not isinstance(q, list)
        answer: dict[str, Any] = {"translatedText": english[0] if one else english}
        if detected:
            answer["detectedLanguage"] = detected[0] if one else detected
        if count:  # as LibreTranslate: none for html
            others = (
                await service.alternatives(plans, english, count)
                if fmt == "text"
                else [[] for _ in texts]
            )
            answer["alternatives"] = others[0] if one else others
        return answer

    @app.get("/languages", summary="Supported languages (LibreTranslate-compatible)")
    async def languages() -> list[dict[str, Any]]:
        return LANGUAGES

    @app.post("/detect", summary="Detect the language (LibreTranslate-compatible)")
    async def detect_language(request: Request) -> list[dict[str, Any]]:
        data = await fields(request)
        admit(request, data)
        q = data.get("q")
        if not isinstance(q, str) or not q:
            raise Refused(400, "Invalid request: missing q parameter")
        service.check_size([q])
        return await asyncio.to_thread(detect, q)

    @app.get("/frontend/settings", summary="What a client needs to know (LibreTranslate's)")
    async def frontend_settings() -> dict[str, Any]:
        return {
            "charLimit": limits.char_limit,
            "frontendTimeout": 500,
            "apiKeys": bool(limits.api_keys),
            "keyRequired": service.key_required(),
            "suggestions": limits.suggestions,
            "filesTranslation": True,
            "supportedFilesFormat": list(SUFFIXES),
            "language": {
                "source": {"code": "fr", "name": "French"},
                "target": {"code": "en", "name": "English"},
            },
        }

    @app.post("/suggest", summary="An editor's translation, kept in the memory")
    async def suggest(request: Request) -> Any:
        if not limits.suggestions:
            raise Refused(403, "Suggestions are disabled on this server.")
        data = await fields(request)
        admit(request, data)
        for name in ("q", "s", "source", "target"):
            if not data.get(name):
                raise Refused(400, f"Invalid request: missing {name} parameter")
        q, suggestion = data["q"], data["s"]
        if not isinstance(q, str) or not isinstance(suggestion, str):
            raise Refused(400, "Invalid request: q and s must be strings")
        if _code(data, "source", "fr") not in ("fr", "auto") or _code(data, "target", "en") != "en":
            raise Refused(400, "this server translates fr to en only")
        service.check_size([q, suggestion])
        await service.suggest(q, suggestion)
        return {"success": True}

    async def article_text(request: Request) -> str:
        """The ``text`` field of an article request, admitted and within the limits."""
        data = await fields(request)
        admit(request, data)
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise Refused(400, "Invalid request: give the article as text")
        service.check_size([text])
        return text

    @app.post("/translate_article", summary="An article in English, sentence by sentence")
    async def translate_article(request: Request) -> Any:
        return await service.translate_article(await article_text(request))

    @app.post("/summarize", summary="An article in English with its summary (the CLI's JSON)")
    async def summarize(request: Request) -> Any:
        [(english, summary)] = await service.summarize([await article_text(request)])
        record = json.loads(summary_record(english, summary, "", ""))
        return {k: v for k, v in record.items() if k not in ("fingerprint", "markdown", "page")}

    @app.post("/brief", summary="A briefing of several articles (md, html or json)")
    async def brief(request: Request) -> Any:
        data = await fields(request)
        admit(request, data)
        texts, fmt = data.get("articles"), data.get("format", "md")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise Refused(400, "Invalid request: articles must be a list of article texts")
        if fmt not in ("md", "html", "json"):
            raise Refused(400, f"Invalid request: format must be md, html or json, not {fmt}")
        service.check_size(texts)
        done = await service.summarize(texts)
        entries = [
            briefing.Entry(_headline(e), e.date, s.text, f"#article-{i + 1}", str(e.signature))
            for i, (e, s) in enumerate(done)
        ]
        entries.sort(key=lambda entry: entry.date or "", reverse=True)
        render_brief = {"md": briefing.to_markdown, "html": briefing.to_html}
        if fmt == "json":
            return json.loads(briefing.to_json(entries))
        types = {"md": "text/markdown", "html": "text/html"}
        return Response(render_brief[fmt](entries), media_type=f"{types[fmt]}; charset=utf-8")

    @app.post("/translate_file", summary="Translate a file (LibreTranslate-compatible)")
    async def translate_file(request: Request) -> Any:
        await body(request)
        try:
            form = await request.form()
        except (ValueError, UnicodeDecodeError, AssertionError):
            raise Refused(400, "Invalid request: send the file as multipart/form-data") from None
        data = {**_fields(request.query_params), **_fields(form)}
        admit(request, data)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Refused(400, "Invalid request: missing file parameter")
        if not upload.filename:
            raise Refused(400, "Invalid request: empty file")
        if (
            _code(data, "source", "auto") not in ("fr", "auto")
            or _code(data, "target", "en") != "en"
        ):
            raise Refused(400, "this server translates fr to en only")
        kept = await service.translate_file(upload.filename, await upload.read())
        return {"translatedFileUrl": str(request.url_for("download_file", name=kept))}

    @app.get("/download_file/{name}", summary="A translated file", name="download_file")
    async def download_file(name: str) -> Any:
        found = service.files.get(name)
        if found is None:
            raise Refused(404, "no such translated file (files are kept for a while only)")
        media, content, download = found
        return Response(content, media_type=media, headers=_attachment(download))

    @app.get("/health", summary="Whether the server can serve, and what translates")
    async def health() -> Any:
        faults = [service.fault] if service.fault else []
        if translator.memory is not None:
            try:
                await asyncio.to_thread(translator.memory.check)
            except TranslateNewsError as exc:
                _log.error("%s", exc)
                faults.append("the translation memory cannot be read")
        record = {
            "status": "degraded" if faults else "ok",
            "version": __version__,
            "signature": str(translator.signature),
        }
        if faults:
            record["reason"] = "; ".join(dict.fromkeys(faults))
        return JSONResponse(record, status_code=503 if faults else 200)

    @app.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics")
    async def metrics() -> str:
        return service.metrics.text()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return PAGE

    async def refused(request: Request, exc: Exception) -> Any:
        if isinstance(exc, Refused):
            return _error(exc.status, str(exc))
        if isinstance(exc, (InputError, UsageError)):  # what the request sent
            return _error(400, str(exc))
        return service.failed(exc)

    for kind in (Refused, TranslateNewsError):
        app.add_exception_handler(kind, refused)

    async def http_error(request: Request, exc: Exception) -> Any:
        """Starlette's and FastAPI's own refusals, in our shape: {"error": ...}."""
        status = getattr(exc, "status_code", 400)
        if status == 404:
            return _error(404, f"no such endpoint: {request.url.path}")
        if status == 405:
            return _error(405, f"{request.method} is not allowed here")
        detail = getattr(exc, "detail", None)
        return _error(status, str(detail) if isinstance(detail, str) else "Invalid request")

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, http_error)
    return app


def _fields(values: Any) -> dict[str, Any]:
    """A query string's or a form's fields: a field given once as its value, given more
    than once as the list of its values (``q`` as a list)."""
    out: dict[str, Any] = {}
    for key in dict.fromkeys(values.keys()):
        found = values.getlist(key)
        out[key] = found[0] if len(found) == 1 else found
    return out


def _code(data: dict[str, Any], name: str, default: str) -> str:
    """A language code or format, as LibreTranslate reads it (any case); the default
    where it is missing or empty (LibreTranslate refuses a missing source or target)."""
    value = data.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise Refused(400, f"Invalid request: {name} must be a string")
    return value.strip().lower()


def _alternatives(value: object) -> int:
    """LibreTranslate's ``alternatives``: a whole number, 0 if missing or negative."""
    if value is None or value == "":
        return 0
    try:
        count = (
            int(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
        )
    except ValueError:
        count = None
    if count is None:
        raise Refused(400, "Invalid request: alternatives parameter is not a number")
    if count > ALTERNATIVES_LIMIT:
        raise Refused(
            400, f"Invalid request: alternatives parameter must be <= {ALTERNATIVES_LIMIT}"
        )
    return max(0, count)


def _attachment(name: str) -> dict[str, str]:
    """A Content-Disposition that gives the download its name, in ASCII and in UTF-8."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    quoted = urllib.parse.quote(name, safe="")
    return {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    }


KNOWN = {
    "/translate", "/languages", "/detect", "/translate_article", "/summarize", "/brief",
    "/translate_file", "/health", "/metrics", "/", "/frontend/settings", "/suggest",
}  # fmt: skip


def _headline(article: TranslatedArticle) -> str:
    if article.title is not None:
        return article.title.translation
    first = next((p.text for p in article.paragraphs if p.text.strip()), "")
    return first[:80]


def _error(status: int, message: str) -> Any:
    return JSONResponse({"error": message}, status_code=status)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>translate-news</title>
<style>
body{max-width:60rem;margin:auto;padding:1rem;font:1rem/1.5 Georgia,serif}
textarea{width:100%;min-height:10rem;font:inherit}
table{width:100%;border-collapse:collapse;margin-top:1rem}
td{vertical-align:top;padding:.4rem;border-top:1px solid #ddd;width:50%}
.flag{background:#ffd9d9}.note{font:.75rem sans-serif;color:#a00}
#status{color:#555;font:.85rem sans-serif}
#keyline{font:.85rem sans-serif}
</style></head><body>
<h1>translate-news</h1>
<p>Paste a French article, or drop a text file on the box.</p>
<textarea id="text" placeholder="Le gouvernement a présenté mardi son budget."></textarea>
<p id="keyline" hidden><label>API key <input id="key" type="password" autocomplete="off"></label>
<span id="keynote"></span></p>
<p><button id="go">Translate</button> <span id="status"></span></p>
<p id="summary"></p>
<table id="pairs"></table>
<script>
const box = document.getElementById("text"), pairs = document.getElementById("pairs");
const status = document.getElementById("status"), summary = document.getElementById("summary");
const key = document.getElementById("key"), params = new URLSearchParams(location.search);
// The key is kept in this browser only (localStorage), never in the page's address.
key.value = localStorage.getItem("translate-news-key") || "";
key.addEventListener("change", () => localStorage.setItem("translate-news-key", key.value));
const settings = fetch("frontend/settings").then(r => r.json()).then(s => {
  if (s.apiKeys) {
    document.getElementById("keyline").hidden = false;
    document.getElementById("keynote").textContent =
      s.keyRequired ? "(required)" : "(optional: without one, the default rate applies)";
  }
}).catch(() => {});
box.addEventListener("dragover", e => e.preventDefault());
box.addEventListener("drop", async e => {
  e.preventDefault();
  const file = e.dataTransfer.files[0];
  if (file) box.value = await file.text();
});
function cell(text, flags) {
  const td = document.createElement("td");
  td.textContent = text;
  if (flags && flags.length) {
    td.className = "flag";
    const note = document.createElement("div");
    note.className = "note";
    const say = f => f.kind + (f.missing.length ? ": " + f.missing.join(", ") : "");
    note.textContent = "check: " + flags.map(say).join("; ");
    td.appendChild(note);
  }
  return td;
}
async function translate() {
  status.textContent = "translating…";
  pairs.replaceChildren();
  const fields = {text: box.value};
  if (key.value) fields.api_key = key.value;
  const ask = path => fetch(path, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(fields)});
  let response, answer;
  try {
    response = await ask("summarize");  // the English and its summary
    answer = await response.json();
    if (response.status === 503 && /no summariser/.test(answer.error)) {
      response = await ask("translate_article");
      answer = await response.json();
    }
  } catch (error) { status.textContent = "the server did not answer (" + error + ")"; return; }
  if (!response.ok) { status.textContent = answer.error; return; }
  const data = answer.translation || answer;
  summary.replaceChildren();
  if (answer.summary) {
    const label = document.createElement("strong");
    label.textContent = "Summary (" + answer.summary.method + "): ";
    summary.append(label, ...cell(answer.summary.text, answer.summary.flags).childNodes);
  }
  const rows = [];
  if (data.title) rows.push(data.title);
  for (const p of data.paragraphs) rows.push(...p.sentences);
  for (const s of rows) {
    const tr = document.createElement("tr");
    tr.append(cell(s.source), cell(s.translation, s.flags));
    pairs.appendChild(tr);
  }
  status.textContent = rows.length + " sentences · " + data.signature;
}
document.getElementById("go").addEventListener("click", translate);
// A link can carry the text: /?text=... fills the box and translates it.
const given = params.get("text");
if (given) { box.value = given; settings.then(translate); }
</script>
</body></html>
"""
