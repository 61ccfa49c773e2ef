"""``translate-news serve``: the HTTP server (see :mod:`translate_news.server.app`)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer

from translate_news.cli.groups import summary_beside, summary_options, translation_options
from translate_news.cli.shell import command, say, show_signature
from translate_news.core.errors import ModelNotFoundError, UsageError
from translate_news.core.options import SummaryOptions, TranslateOptions


@command(options=translation_options, summary=summary_options)
def serve(
    options: TranslateOptions,
    summary: SummaryOptions,
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback unless you say otherwise).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 5000,
    char_limit: Annotated[
        int, typer.Option(min=1, help="Characters per text (LibreTranslate's --char-limit).")
    ] = 20_000,
    batch_limit: Annotated[
        int, typer.Option(min=1, help="Texts per request (LibreTranslate's --batch-limit).")
    ] = 1_000,
    api_keys: Annotated[
        Path | None,
        typer.Option(
            help="A file of API keys, one per line, '#' lines are comments (also "
            "$TRANSLATE_NEWS_API_KEYS, comma-separated). An unknown key is refused; a "
            "request without one is served unless --require-api-key(-origin) says otherwise."
        ),
    ] = None,
    require_api_key: Annotated[
        bool, typer.Option(help="With --api-keys: refuse every request without a key.")
    ] = False,
    require_api_key_origin: Annotated[
        str | None,
        typer.Option(
            help="With --api-keys: refuse requests without a key unless their Origin "
            "matches this regular expression (LibreTranslate's option)."
        ),
    ] = None,
    req_limit: Annotated[
        int,
        typer.Option(
            min=0, help="Requests per minute per key (per client address without one); 0: no limit."
        ),
    ] = 0,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds a request may take.")] = 120.0,
    cors_origins: Annotated[
        str,
        typer.Option(
            help="Origins whose web pages may call the server, comma-separated ('*': any, "
            "LibreTranslate's default)."
        ),
    ] = "*",
    suggestions: Annotated[
        bool,
        typer.Option(
            help="Take POST /suggest: an accepted suggestion is kept in the translation "
            "memory as an editor's correction of that sentence."
        ),
    ] = False,
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

        from translate_news.server.app import create_app
        from translate_news.server.limits import ServerLimits
    except ImportError as exc:
        raise UsageError(
            f"serve needs the server extra ({exc.name} is missing): "
            'pip install "translate-news[server]"'
        ) from None
    from translate_news.pipeline.summarizer import Summarizer
    from translate_news.pipeline.translator import Translator

    keys = set(filter(None, os.environ.get("TRANSLATE_NEWS_API_KEYS", "").split(",")))
    if api_keys is not None:
        keys |= read_keys(api_keys)
    if (require_api_key or require_api_key_origin) and not keys:
        raise UsageError("--require-api-key and --require-api-key-origin need --api-keys")
    if require_api_key_origin is not None:
        try:
            re.compile(require_api_key_origin)
        except re.error as exc:
            raise UsageError(
                f"--require-api-key-origin: not a regular expression ({exc})"
            ) from None
    if suggestions and not options.memory:
        raise UsageError("--suggestions keeps them in the translation memory: drop --no-memory")
    origins = tuple(o.strip() for o in cors_origins.split(",") if o.strip())
    limits = ServerLimits(
        char_limit=char_limit,
        batch_limit=batch_limit,
        api_keys=frozenset(keys),
        require_api_key=require_api_key,
        require_api_key_origin=require_api_key_origin,
        requests_per_minute=req_limit,
        timeout=timeout,
        cors_origins=origins,
        suggestions=suggestions,
    )
    translator = Translator(options=options)  # loaded once, before the first request
    show_signature("translation", translator.signature)
    try:
        summarizer: Summarizer | None = Summarizer(options=summary_beside(options, summary))
        show_signature("summary", summarizer.line)
    except ModelNotFoundError as exc:
        summarizer = None
        say(f"warning: no summariser ({exc}); /summarize and /brief will answer 503")
    if host not in ("127.0.0.1", "localhost", "::1") and not (
        keys and (require_api_key or require_api_key_origin)
    ):
        say(
            f"warning: listening on {host} without requiring API keys: anyone who can "
            "reach it may use it (--api-keys FILE --require-api-key)"
        )
    say(f"serving on http://{host}:{port}/ (Ctrl-C stops)")
    app = create_app(translator, limits, summarizer=summarizer)
    uvicorn.run(app, host=host, port=port, log_level="warning")


KEYS_FILE_LIMIT = 1_000_000  # bytes: a keys file larger than this is not a keys file


def read_keys(path: Path) -> set[str]:
    """The keys of a keys file: one per line, blank lines and ``#`` comments left out."""
    from translate_news.core.files import read_regular

    data = read_regular(path, KEYS_FILE_LIMIT, "an API keys file", UsageError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text, not an API keys file") from None
    lines = (line.strip() for line in text.splitlines())
    return {line for line in lines if line and not line.startswith("#")}
