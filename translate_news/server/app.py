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
import functools
import logging
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

# FastAPI reads the endpoints' annotations, so Request must be importable by name here;
# this package is imported only by ``serve`` (the rest of the package never imports it).
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from translate_news._version import __version__
from translate_news.core.errors import InputError, TranslateNewsError, UsageError
from translate_news.pipeline.summarizer import Summarizer
from translate_news.pipeline.translator import Translator
from translate_news.server import articles, libretranslate
from translate_news.server.limits import Refused, ServerLimits
from translate_news.server.service import Service, current_service, error_response

_log = logging.getLogger(__name__)


def create_app(
    translator: Translator,
    limits: ServerLimits | None = None,
    together: bool = True,
    summarizer: Summarizer | None = None,
) -> FastAPI:
    """The FastAPI application over a loaded ``translator`` (and ``summarizer``)."""
    service = Service(translator, limits or ServerLimits(), together, summarizer)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:  # the batcher's worker runs as the server does
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
    app.middleware("http")(_guard)
    # LibreTranslate's CORS headers by default (every origin, GET and POST, 20 days).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(service.limits.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Authorization"],
        max_age=60 * 60 * 24 * 20,
    )
    for router in (libretranslate.router, articles.router, _status):
        app.include_router(router)
    for kind in (Refused, TranslateNewsError):
        app.add_exception_handler(kind, _refused)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _http_error)
    return app


async def _guard(request: Request, call_next: Callable[..., Any]) -> Any:
    """Bodies over the limit refused before they are read; every failure answered as
    JSON here, inside the CORS layer, so that a page elsewhere can read it too."""
    service = current_service(request)
    limit = service.limits.body_limit
    started = time.perf_counter()
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        response: Any = error_response(413, f"the body is larger than {limit} bytes")
    else:
        try:
            response = await call_next(request)
        except Exception as exc:  # a bug: one line to the caller, the traceback logged
            _log.exception("%s %s failed", request.method, request.url.path)
            response = error_response(
                500, f"internal error ({type(exc).__name__}); please report it"
            )
    path = request.url.path if request.url.path in _KNOWN else "other"
    service.metrics.answered(path, response.status_code, time.perf_counter() - started)
    return response


async def _refused(request: Request, exc: Exception) -> Any:
    if isinstance(exc, Refused):
        return error_response(exc.status, str(exc))
    if isinstance(exc, (InputError, UsageError)):  # what the request sent
        return error_response(400, str(exc))
    return current_service(request).failed(exc)


async def _http_error(request: Request, exc: Exception) -> Any:
    """Starlette's and FastAPI's own refusals, in our shape: {"error": ...}."""
    status = getattr(exc, "status_code", 400)
    if status == 404:
        return error_response(404, f"no such endpoint: {request.url.path}")
    if status == 405:
        return error_response(405, f"{request.method} is not allowed here")
    detail = getattr(exc, "detail", None)
    return error_response(status, str(detail) if isinstance(detail, str) else "Invalid request")


_status = APIRouter()


@_status.get("/health", summary="Whether the server can serve, and what translates")
async def health(request: Request) -> Any:
    service = current_service(request)
    faults = [service.fault] if service.fault else []
    memory = service.translator.memory
    if memory is not None:
        try:
            await asyncio.to_thread(memory.check)
        except TranslateNewsError as exc:
            _log.error("%s", exc)
            faults.append("the translation memory cannot be read")
    record = {
        "status": "degraded" if faults else "ok",
        "version": __version__,
        "signature": str(service.translator.signature),
    }
    if faults:
        record["reason"] = "; ".join(dict.fromkeys(faults))
    return JSONResponse(record, status_code=503 if faults else 200)


@_status.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics")
async def metrics(request: Request) -> str:
    return current_service(request).metrics.text()


@_status.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page() -> str:
    return _page()


@functools.cache
def _page() -> str:
    """The page at /: a file shipped with the package, read when first asked for."""
    return files("translate_news.server").joinpath("page.html").read_text(encoding="utf-8")


# The paths counted by name in the metrics (any other is "other").
_KNOWN = {
    route.path for r in (libretranslate.router, articles.router, _status) for route in r.routes
}
