"""``translate-news serve``: the HTTP server (see :mod:`translate_news.server.app`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from translate_news.cli.groups import PATH, SUMMARY, TRANSLATION, summary_beside, whole
from translate_news.cli.shell import command, say, show_signature
from translate_news.core.errors import ModelNotFoundError, UsageError
from translate_news.core.options import SummaryOptions, TranslateOptions

if TYPE_CHECKING:
    from translate_news.pipeline.summarizer import Summarizer

_OPEN = "anyone who can reach it may use it (--api-keys FILE --require-api-key)"


@command(options=TRANSLATION, summary=SUMMARY)
@click.option(
    "--host", default="127.0.0.1", help="Address to listen on (loopback unless you say otherwise)."
)
@click.option("--port", **whole(1, 65535), default=5000, help="Port to listen on.")
@click.option(
    "--char-limit",
    **whole(),
    default=20_000,
    help="Characters per text (LibreTranslate's --char-limit).",
)
@click.option(
    "--batch-limit",
    **whole(),
    default=1_000,
    help="Texts per request (LibreTranslate's --batch-limit).",
)
@click.option(
    "--api-keys",
    **PATH,
    help="A file of API keys, one per line, '#' lines are comments (also "
    "$TRANSLATE_NEWS_API_KEYS, comma-separated). An unknown key is refused; a request "
    "without one is served unless --require-api-key(-origin) says otherwise.",
)
@click.option(
    "--require-api-key/--no-require-api-key",
    default=False,
    help="With --api-keys: refuse every request without a key.",
)
@click.option(
    "--require-api-key-origin",
    metavar="TEXT",
    help="With --api-keys: refuse requests without a key unless their Origin matches this "
    "regular expression (LibreTranslate's option).",
)
@click.option(
    "--req-limit",
    **whole(0),
    default=0,
    help="Requests per minute per key (per client address without one); 0: no limit.",
)
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=120.0, help="Seconds a request may take."
)
@click.option(
    "--cors-origins",
    default="*",
    help="Origins whose web pages may call the server, comma-separated ('*': any, "
    "LibreTranslate's default).",
)
@click.option(
    "--suggestions/--no-suggestions",
    default=False,
    help="Take POST /suggest: an accepted suggestion is kept in the translation memory as "
    "an editor's correction of that sentence.",
)
def serve(
    options: TranslateOptions,
    summary: SummaryOptions,
    host: str,
    port: int,
    char_limit: int,
    batch_limit: int,
    api_keys: Path | None,
    require_api_key: bool,
    require_api_key_origin: str | None,
    req_limit: int,
    timeout: float,
    cors_origins: str,
    suggestions: bool,
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
        from translate_news.server.limits import configured_limits
    except ImportError as exc:
        raise UsageError(
            f"serve needs the server extra ({exc.name} is missing): "
            'pip install "translate-news[server]"'
        ) from None
    from translate_news.pipeline.translator import Translator

    if suggestions and not options.memory:
        raise UsageError("--suggestions keeps them in the translation memory: drop --no-memory")
    limits = configured_limits(
        api_keys,
        char_limit=char_limit,
        batch_limit=batch_limit,
        require_api_key=require_api_key,
        require_api_key_origin=require_api_key_origin,
        requests_per_minute=req_limit,
        timeout=timeout,
        cors_origins=tuple(o.strip() for o in cors_origins.split(",") if o.strip()),
        suggestions=suggestions,
    )
    translator = Translator(options=options)  # loaded once, before the first request
    show_signature("translation", translator.signature)
    summarizer = _summarizer_or_none(options, summary)
    if host not in ("127.0.0.1", "localhost", "::1") and not limits.keys_required:
        say(f"warning: listening on {host} without requiring API keys: {_OPEN}")
    say(f"serving on http://{host}:{port}/ (Ctrl-C stops)")
    app = create_app(translator, limits, summarizer=summarizer)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _summarizer_or_none(options: TranslateOptions, summary: SummaryOptions) -> Summarizer | None:
    """The summariser, or None with a warning: the server still translates without it."""
    from translate_news.pipeline.summarizer import Summarizer

    try:
        summarizer = Summarizer(options=summary_beside(options, summary))
    except ModelNotFoundError as exc:
        say(f"warning: no summariser ({exc}); /summarize and /brief will answer 503")
        return None
    show_signature("summary", summarizer.line)
    return summarizer
