"""An HTTP server: LibreTranslate's API (so its clients switch by changing a URL), our
own article endpoint and a web page, with the sentences of concurrent callers
translated together.

* ``POST /translate`` (``q`` a string or a list, ``source`` fr or auto, ``target`` en,
  ``format`` text or html, ``api_key``; JSON or form), ``GET /languages``,
  ``POST /detect``: as LibreTranslate answers them, errors as ``{"error": "..."}``.
* ``POST /translate_article`` (``{"text": ...}``): the CLI's JSON, sentence by sentence,
  with flags. ``GET /`` is a page that shows it; ``GET /health``, ``GET /metrics``
  (Prometheus text), ``GET /docs`` (OpenAPI).

**Batching across callers.** A request's sentences join a queue; a worker takes what
arrived within a short window (``window`` seconds) and translates it as one list, in
token-budget batches, so ten callers at once share batches instead of waiting in line;
each gets exactly its own sentences back, in order. The queue is bounded: beyond
``queue_limit`` sentences a request is answered 503 at once, not queued without end.

**Limits.** Loopback unless told otherwise (the CLI's ``--host``); an optional set of
API keys, each limited to ``requests_per_minute``; ``char_limit`` characters per request;
``body_limit`` bytes per body; ``timeout`` seconds per request (503). No request names
a path on the server: nothing is read or written but the translation memory.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import html
import json
import re
import secrets
import tempfile
import time
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
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from . import briefing
from ._version import __version__
from .checks import check_summary
from .document import Article, Summary, TranslatedArticle
from .engine import Checked, Translator, plan_text
from .errors import TranslateNewsError
from .language import foreign_language
from .output import render, summary_record, to_dict
from .readers import SUFFIXES, parse_article, read_articles
from .summarize import Summarizer

LANGUAGES = [
    {"code": "en", "name": "English", "targets": []},
    {"code": "fr", "name": "French", "targets": ["en"]},
]


@dataclass(frozen=True)
class ServerLimits:
    """What one request, one key and the whole server may ask (see the module doc)."""

    char_limit: int = 20_000
    body_limit: int = 2_000_000
    timeout: float = 120.0
    queue_limit: int = 20_000
    window: float = 0.01
    api_keys: frozenset[str] = frozenset()
    requests_per_minute: int = 0  # per key (per client address without keys); 0: no limit


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
        self.files: OrderedDict[str, tuple[str, bytes]] = OrderedDict()  # name -> (type, body)

    def admit(self, key: str | None, client: str) -> None:
        """Refuse a missing or unknown API key (403) or a key over its rate (429)."""
        if self.limits.api_keys and key not in self.limits.api_keys:
            raise Refused(403, "Invalid API key")
        per_minute = self.limits.requests_per_minute
        if per_minute:
            calls, now = self._calls[key or client], time.monotonic()
            while calls and calls[0] < now - 60:
                calls.popleft()
            if len(calls) >= per_minute:
                raise Refused(429, f"Slowdown: {per_minute} requests per minute at most")
            calls.append(now)

    def check_size(self, texts: list[str]) -> None:
        characters = sum(len(t) for t in texts)
        if characters > self.limits.char_limit:
            raise Refused(
                400,
                f"Invalid request: request ({characters}) exceeds text limit "
                f"({self.limits.char_limit})",
            )
        self.metrics.characters += characters

    async def translate(
        self, texts: list[str], fmt: str, gone: Callable[[], Awaitable[bool]] | None = None
    ) -> list[str]:
        """Each text in English (markup kept for ``html``), all through one batch."""
        plans: list[tuple[list[str], Callable[[list[Checked]], str]]] = []
        for text in texts:
            plans.append(_plan_html(text) if fmt == "html" else plan_text(text))
        flat = [sentence for sentences, _ in plans for sentence in sentences]
        self.metrics.sentences += len(flat)
        results = await self.batcher.translate(flat, gone)
        out, start = [], 0
        for sentences, finish in plans:
            out.append(finish(results[start : start + len(sentences)]))
            start += len(sentences)
        return out

    async def translate_articles(self, articles: list[Article]) -> list[TranslatedArticle]:
        sentences, finish = self.translator.plan_articles(articles)
        self.metrics.sentences += len(sentences)
        return finish(await self.batcher.translate(sentences))

    async def translate_article(self, text: str) -> dict[str, Any]:
        article = parse_article(text, path="<request>")
        return to_dict((await self.translate_articles([article]))[0])

    async def summarize(self, texts: list[str]) -> list[tuple[TranslatedArticle, Summary]]:
        """Each article in English with its summary (the summariser runs in the worker
        thread the translations run in: one model at work at a time)."""
        if self.summarizer is None:
            raise Refused(503, "this server has no summariser (see translate-news serve --help)")
        articles = [parse_article(text, path=f"<request {i}>") for i, text in enumerate(texts)]
        english = await self.translate_articles(articles)
        loop = asyncio.get_running_loop()
        summaries = await loop.run_in_executor(
            self.batcher.worker, self.summarizer.summarize_many, english
        )
        glossary = self.translator.glossary
        return [
            (e, replace(s, flags=check_summary(e.french, s.text, glossary)))
            for e, s in zip(english, summaries)
        ]

    async def translate_file(self, name: str, body: bytes) -> str:
        """Translate an uploaded file (any format the CLI reads) into a file kept here
        for download; returns its name. Only the name's suffix is used."""
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise Refused(400, f"Invalid request: unsupported file type {suffix or name!r}")
        with tempfile.TemporaryDirectory(prefix="translate-news-") as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(body)
            articles = list(read_articles(path))
        english = await self.translate_articles(articles)
        fmt = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html"}.get(suffix, "md")
        text = "\n".join(render(e, fmt) for e in english)
        stem = re.sub(r"[^\w.-]", "_", Path(name).stem)[:80] or "file"
        kept = f"{secrets.token_hex(8)}-{stem}.en.{fmt}"
        types = {"txt": "text/plain", "md": "text/markdown", "html": "text/html"}
        self.files[kept] = (f"{types[fmt]}; charset=utf-8", text.encode())
        while len(self.files) > KEPT_FILES:
            self.files.popitem(last=False)
        return kept


def detect(text: str) -> dict[str, Any]:
    """LibreTranslate's detection record: French unless confidently another language."""
    found = foreign_language(text) if text.strip() else None
    return {"confidence": 90.0, "language": found or "fr"}


def _plan_html(markup: str) -> tuple[list[str], Callable[[list[Checked]], str]]:
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
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > service.limits.body_limit):
            response: Any = _error(
                413, f"the body is larger than {service.limits.body_limit} bytes"
            )
        else:
            response = await call_next(request)
        path = request.url.path if request.url.path in KNOWN else "other"
        service.metrics.requests[(path, response.status_code)] += 1
        service.metrics.latencies[path].observe(time.perf_counter() - started)
        return response

    async def within_limit(request: Request) -> None:
        """Refuse a body over the limit that came without a length (chunked): the
        middleware has refused the others before reading them."""
        if len(await request.body()) > service.limits.body_limit:
            raise Refused(413, f"the body is larger than {service.limits.body_limit} bytes")

    async def fields(request: Request) -> dict[str, Any]:
        """A request's fields, from JSON or a form, as LibreTranslate reads them."""
        kind = request.headers.get("content-type", "")
        await within_limit(request)
        try:
            if kind.startswith("application/json"):
                body = json.loads(await request.body() or b"{}")
                if not isinstance(body, dict):
                    raise Refused(400, "Invalid request: the JSON body must be an object")
                return body
            form = await request.form()
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "Invalid request: the body is not valid JSON or a form") from None
        values = {k: form.getlist(k) for k in form}
        return {k: v[0] if len(v) == 1 else v for k, v in values.items()}

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    @app.post("/translate", summary="Translate text (LibreTranslate-compatible)")
    async def translate(request: Request) -> Any:
        data = await fields(request)
        service.admit(data.get("api_key"), client(request))
        q, source = data.get("q"), data.get("source", "auto")
        target, fmt = data.get("target", "en"), data.get("format", "text")
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
            raise Refused(400, f"Invalid request: format must be text or html, not {fmt}")
        service.check_size(texts)
        detected = [detect(t) for t in texts] if source == "auto" else []
        foreign = [d["language"] for d in detected if d["language"] != "fr"]
        if foreign:
            raise Refused(400, f"{foreign[0]} (detected) is not supported: fr to en only")
        english = await service.translate(texts, fmt, request.is_disconnected)
        answer: dict[str, Any] = {"translatedText": english if isinstance(q, list) else english[0]}
        if detected:
            answer["detectedLanguage"] = detected if isinstance(q, list) else detected[0]
        return answer

    @app.get("/languages", summary="Supported languages (LibreTranslate-compatible)")
    async def languages() -> list[dict[str, Any]]:
        return LANGUAGES

    @app.post("/detect", summary="Detect the language (LibreTranslate-compatible)")
    async def detect_language(request: Request) -> list[dict[str, Any]]:
        data = await fields(request)
        service.admit(data.get("api_key"), client(request))
        q = data.get("q")
        if not isinstance(q, str):
            raise Refused(400, "Invalid request: missing q parameter")
        service.check_size([q])
        return [detect(q)]

    async def article_text(request: Request) -> str:
        """The ``text`` field of an article request, admitted and within the limits."""
        data = await fields(request)
        service.admit(data.get("api_key"), client(request))
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
        service.admit(data.get("api_key"), client(request))
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
        await within_limit(request)
        try:
            form = await request.form()
        except (ValueError, UnicodeDecodeError, AssertionError):
            raise Refused(400, "Invalid request: send the file as multipart/form-data") from None
        service.admit(_text(form.get("api_key")), client(request))
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Refused(400, "Invalid request: missing file parameter")
        if _text(form.get("source")) not in (None, "fr", "auto") or _text(
            form.get("target")
        ) not in (None, "en"):
            raise Refused(400, "this server translates fr to en only")
        body = await upload.read()
        service.check_size([body.decode("utf-8", "replace")])
        kept = await service.translate_file(upload.filename or "file.txt", body)
        return {"translatedFileUrl": str(request.url_for("download_file", name=kept))}

    @app.get("/download_file/{name}", summary="A translated file", name="download_file")
    async def download_file(name: str) -> Any:
        found = service.files.get(name)
        if found is None:
            raise Refused(404, "no such translated file (files are kept for a while only)")
        media, body = found
        return Response(body, media_type=media)

    @app.get("/health", summary="Whether the server is up, and what translates")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "signature": str(translator.signature)}

    @app.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics")
    async def metrics() -> str:
        return service.metrics.text()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return PAGE

    async def refused(request: Request, exc: Exception) -> Any:
        if isinstance(exc, Refused):
            return _error(exc.status, str(exc))
        if isinstance(exc, TranslateNewsError):
            return _error(400, str(exc))
        return _error(500, f"internal error ({type(exc).__name__}); please report it")

    for kind in (Refused, TranslateNewsError, Exception):
        app.add_exception_handler(kind, refused)
    app.add_exception_handler(
        404, lambda request, exc: _error(404, f"no such endpoint: {request.url.path}")
    )
    app.add_exception_handler(
        405, lambda request, exc: _error(405, f"{request.method} is not allowed here")
    )
    return app


KNOWN = {
    "/translate", "/languages", "/detect", "/translate_article", "/summarize", "/brief",
    "/translate_file", "/health", "/metrics", "/",
}  # fmt: skip


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


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
</style></head><body>
<h1>translate-news</h1>
<p>Paste a French article, or drop a text file on the box.</p>
<textarea id="text" placeholder="Le gouvernement a présenté mardi son budget."></textarea>
<p><button id="go">Translate</button> <span id="status"></span></p>
<p id="summary"></p>
<table id="pairs"></table>
<script>
const box = document.getElementById("text"), pairs = document.getElementById("pairs");
const status = document.getElementById("status"), summary = document.getElementById("summary");
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
  const ask = path => fetch(path, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({text: box.value})});
  let response = await ask("summarize");  // the English and its summary
  if (response.status === 503) response = await ask("translate_article");  // no summariser
  const answer = await response.json();
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
const given = new URLSearchParams(location.search).get("text");
if (given) { box.value = given; translate(); }
</script>
</body></html>
"""
