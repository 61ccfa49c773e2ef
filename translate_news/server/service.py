"""What the endpoints do, apart from HTTP: the limits, LibreTranslate's key rules, the
:class:`Batcher` that translates concurrent callers' sentences together, and the
:class:`Service` the routes call (one per application)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import logging
import re
import secrets
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from translate_news.core.document import Article, Summary, TranslatedArticle
from translate_news.core.errors import BackendUnavailable, MemoryUnusable, ModelNotFoundError
from translate_news.formats.output import (
    DOCUMENT_FORMATS,
    MEDIA_TYPES,
    english_file,
    render,
    to_dict,
)
from translate_news.formats.readers import DEFAULT_READ, SUFFIXES, parse_article, read_upload
from translate_news.pipeline.markup import (
    Plan,
    aligned,
    plan_html,
    plan_plain,
    translate_document,
)
from translate_news.pipeline.memory import IMPORTED
from translate_news.pipeline.summarizer import Summarizer
from translate_news.pipeline.translator import Checked, Translator, normalize, plan_text
from translate_news.server import requests
from translate_news.server.limits import Refused, ServerLimits
from translate_news.server.metrics import Metrics
from translate_news.text.segment import sentence_spans

_log = logging.getLogger(__name__)


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
                self.metrics.abandoned.inc()
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
            self.metrics.batch(len(flat))
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
        return error_response(
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

    async def admitted(self, request: Request) -> dict[str, Any]:
        """The request's fields, once its caller is admitted (:meth:`admit`)."""
        data = await requests.fields(request, self.limits)
        self.admit_request(request, data)
        return data

    def admit_request(self, request: Request, data: dict[str, Any]) -> None:
        host = request.client.host if request.client else "unknown"
        self.admit(data.get("api_key"), host, request.headers.get("origin", ""))

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
        self.metrics.characters.inc(sum(len(t) for t in texts))

    async def in_worker(self, work: Callable[..., Any], *args: Any) -> Any:
        """``work(*args)`` in the thread the model runs in (one model at work at a time)."""
        return await asyncio.get_running_loop().run_in_executor(self.batcher.worker, work, *args)

    async def with_alternatives(
        self, plans: list[Plan], count: int
    ) -> tuple[list[str], list[list[str]]]:
        """Each planned text (:meth:`plan`, format text) in English and up to ``count``
        others, all from one beam search per sentence: the k-th other puts each
        sentence's k-th alternative (its best where it has no more) into the text; each
        differs from the text's translation and from the others."""
        flat = [sentence for sentences, *_ in plans for sentence in sentences]
        self.metrics.sentences.inc(len(flat))
        found = await self.in_worker(self.translator.translate_checked, flat, count)

        def assemble() -> tuple[list[str], list[list[str]]]:
            best, out, start = [], [], 0
            for sentences, finish, _ in plans:
                mine = found[start : start + len(sentences)]
                start += len(sentences)
                chosen = finish(mine)
                options = []
                for k in range(count):
                    picks = [
                        Checked(c.alternatives[k].translation) if len(c.alternatives) > k else c
                        for c in mine
                    ]
                    options.append(finish(picks))
                best.append(chosen)
                out.append([o for o in dict.fromkeys(options) if o != chosen][:count])
            return best, out

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
        plan = plan_html if fmt == "html" else plan_plain
        return await asyncio.to_thread(lambda: [plan(text) for text in texts])

    async def translate(
        self, plans: list[Plan], gone: Callable[[], Awaitable[bool]] | None = None
    ) -> list[str]:
        """Each planned text (:meth:`plan`) in English, all through one batch; the
        reassembling runs off the event loop too."""
        flat = [sentence for sentences, *_ in plans for sentence in sentences]
        self.metrics.sentences.inc(len(flat))
        results = await self.batcher.translate(flat, gone)
        self.fault = None
        wanted, start = [], 0
        for sentences, _, needs in plans:
            wanted += [start + i for i in needs]
            start += len(sentences)
        if wanted:
            model = self.translator.model
            results = await self.in_worker(aligned, model, flat, results, wanted)

        def finish_all() -> list[str]:
            out, start = [], 0
            for sentences, finish, _ in plans:
                out.append(finish(results[start : start + len(sentences)]))
                start += len(sentences)
            return out

        return await asyncio.to_thread(finish_all)

    async def translate_articles(self, articles: list[Article]) -> list[TranslatedArticle]:
        sentences, finish = await asyncio.to_thread(self.translator.plan_articles, articles)
        self.metrics.sentences.inc(len(sentences))
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
        summaries = await self.in_worker(
            self.summarizer.summarize_checked, english, self.translator.glossary
        )
        return list(zip(english, summaries))

    async def translate_file(self, name: str, body: bytes) -> str:
        """Translate an uploaded file (any format the CLI reads) into a file kept here
        for download; returns the name it is kept under. Only the name's suffix is used
        to read it; the download is named as the upload was (``.md`` where the English
        is written as Markdown: feeds). A Word file or subtitles come back as the same
        document in English (formatting, cues kept)."""
        name = _CONTROL.sub("", Path(name.replace("\\", "/")).name)[:200] or "file.txt"
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise Refused(400, f"Invalid request: unsupported file type {suffix or name!r}")
        articles = await asyncio.to_thread(read_upload, name, body)
        self.check_size([_article_text(a) for a in articles])
        kind = DOCUMENT_FORMATS.get(suffix)
        if kind is not None:
            note = f"Translated from French by translate-news: {self.translator.signature}"
            made = self.translator, body, name, DEFAULT_READ.max_bytes, note
            done = await self.in_worker(lambda: translate_document(*made))
            data, download = done.data, name
            media = MEDIA_TYPES[kind] + ("" if kind == "docx" else "; charset=utf-8")
        else:
            english = await self.translate_articles(articles)
            fmt, download = english_file(name)
            text = await asyncio.to_thread(lambda: "\n".join(render(e, fmt) for e in english))
            media, data = f"{MEDIA_TYPES[fmt]}; charset=utf-8", text.encode()
        kept = f"{secrets.token_hex(16)}.{_UNSAFE.sub('_', download)}"
        self.files[kept] = (media, data, download)
        while len(self.files) > KEPT_FILES:
            self.files.popitem(last=False)
        return kept


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE = re.compile(r"[^\w.-]")  # what a kept file's name in its URL may not hold


def _article_text(article: Article) -> str:
    """All the text of an article that would be translated."""
    return "\n".join([article.title or "", *(p.text for p in article.paragraphs)])


def error_response(status: int, message: str) -> JSONResponse:
    """An error as LibreTranslate answers one: ``{"error": message}``."""
    return JSONResponse({"error": message}, status_code=status)


def current_service(request: Request) -> Service:
    """The application's :class:`Service` (a FastAPI dependency of the routes)."""
    return request.app.state.service
