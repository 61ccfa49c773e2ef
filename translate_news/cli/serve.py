"""``translate-news serve``: the HTTP server (see :mod:`translate_news.server`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ModelNotFoundError, UsageError
from ..options import SummaryOptions, TranslateOptions
from .groups import summary_beside, summary_options, translation_options
from .shell import command, say, show_signature


@command(options=translation_options, summary=summary_options)
def serve(
    options: TranslateOptions,
    summary: SummaryOptions,
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback unless you say otherwise).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 5000,
    char_limit: Annotated[
        int, typer.Option(min=1, help="Characters per request (LibreTranslate's --char-limit).")
    ] = 20_000,
    api_keys: Annotated[
        Path | None,
        typer.Option(
            help="A file of API keys, one per line (also $TRANSLATE_NEWS_API_KEYS, "
            "comma-separated); without, no key is needed."
        ),
    ] = None,
    req_limit: Annotated[
        int, typer.Option(min=0, help="Requests per minute per key (per address); 0: no limit.")
    ] = 0,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds a request may take.")] = 120.0,
) -> None:
    """Serve translations over HTTP with LibreTranslate's API (POST /translate,
    /translate_file, /detect, GET /languages), plus POST /translate_article,
    /summarize, /brief, a web page at /, /health, /metrics and the OpenAPI schema at
    /docs. Concurrent callers share batches.

    Examples:

        translate-news serve

        translate-news serve --host 0.0.0.0 --port 5000 --api-keys keys.txt --req-limit 60
    """
    try:
        import uvicorn

        from ..server import ServerLimits, create_app
    except ImportError as exc:
        raise UsageError(
            f"serve needs the server extra ({exc.name} is missing): "
            'pip install "translate-news[server]"'
        ) from None
    from ..engine import Translator
    from ..summarize import Summarizer

    keys = set(filter(None, os.environ.get("TRANSLATE_NEWS_API_KEYS", "").split(",")))
    if api_keys is not None:
        try:
            keys |= {line.strip() for line in api_keys.read_text().splitlines() if line.strip()}
        except OSError as exc:
            raise UsageError(f"{api_keys}: cannot be read ({exc.strerror})") from None
    limits = ServerLimits(
        char_limit=char_limit,
        api_keys=frozenset(keys),
        requests_per_minute=req_limit,
        timeout=timeout,
    )
    translator = Translator(options=options)  # loaded once, before the first request
    show_signature("translation", translator.signature)
    try:
        summarizer: Summarizer | None = Summarizer(options=summary_beside(options, summary))
        show_signature("summary", summarizer.signature)
    except ModelNotFoundError as exc:
        summarizer = None
        say(f"warning: no summariser ({exc}); /summarize and /brief will answer 503")
    if host not in ("127.0.0.1", "localhost", "::1") and not keys:
        say(f"warning: listening on {host} with no API keys: anyone who can reach it may use it")
    say(f"serving on http://{host}:{port}/ (Ctrl-C stops)")
    app = create_app(translator, limits, summarizer=summarizer)
    uvicorn.run(app, host=host, port=port, log_level="warning")
