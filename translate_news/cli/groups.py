"""The option groups: options several commands take, declared once as click options,
each with the function that builds the object a command uses from their values."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, get_args

import click

from translate_news.cli.shell import Group
from translate_news.core.errors import UsageError
from translate_news.core.options import (
    COMPUTE_TYPES,
    MIN_CONFIDENCE,
    Backend,
    ModelOptions,
    SummaryOptions,
    TranslateOptions,
)
from translate_news.formats.readers import MAX_INPUT_MB, ReadOptions

# What an option takes, said once: a path (shown as PATH), a whole number (N).
PATH: dict[str, Any] = {"type": click.Path(path_type=Path), "metavar": "PATH"}


def whole(low: int = 1, high: int | None = None) -> dict[str, Any]:
    """A whole number option's type and placeholder: at least ``low`` (at most ``high``)."""
    return {"type": click.IntRange(low, high), "metavar": "N"}


def _count(name: str, help: str, default: int | None = None, low: int = 1) -> click.Option:
    """A whole number option of at least ``low``."""
    return click.Option([name], **whole(low), default=default, help=help)


def _translation() -> list[click.Option]:
    choices = "|".join(get_args(Backend))
    return [
        click.Option(
            ["--model", "-m"],
            metavar="TEXT",
            help="Model alias, Hub id or local directory (default: $TRANSLATE_NEWS_MODEL, "
            "the configuration file, then opus-mt-fr-en from the models folder, ./models "
            "or the Hub).",
        ),
        click.Option(
            ["--device"],
            default="auto",
            show_default=True,
            metavar="auto|cpu|cuda|cuda:N",
            help="Where to run: auto (CUDA when available), cpu, cuda (the first GPU), "
            "cuda:1 (the second), ...",
        ),
        click.Option(
            ["--backend"],
            type=click.Choice(get_args(Backend)),
            default="auto",
            show_default=True,
            metavar=choices,
            help="auto: CTranslate2 when installed and able to run.",
        ),
        click.Option(
            ["--compute-type"],
            type=click.Choice(COMPUTE_TYPES),
            metavar="|".join(COMPUTE_TYPES),
            help="CTranslate2 precision (default: int8 on CPU, float16 on CUDA).",
        ),
        _count("--threads", "CPU threads (default: all cores)."),
        _count("--batch-tokens", "Padded source tokens per batch (default: 2048/beams on CPU)."),
        _count("--beams", "Beam size (default: the model's own)."),
        click.Option(
            ["--memory"], **PATH, help="Translation memory file (default: the user cache)."
        ),
        click.Option(
            ["--no-memory"], is_flag=True, help="Do not read or write the translation memory."
        ),
        click.Option(
            ["--shortlist/--no-shortlist"],
            default=None,
            help="Restrict each batch's English vocabulary to the model's shortlist, "
            "under its guard (CTranslate2; default: when one is built, with: "
            "translate-news models shortlist).",
        ),
        click.Option(
            ["--glossary"],
            **PATH,
            help="Terms the English must keep: TSV (source<TAB>English; the source alone "
            "keeps it) or TOML. Sentences that lose one are flagged.",
        ),
        click.Option(
            ["--min-confidence"],
            type=click.FloatRange(0.0, 1.0),
            default=MIN_CONFIDENCE,
            show_default=True,
            metavar="P",
            help="Flag a sentence the model is less sure of than P (0 to 1; its words' "
            "geometric mean probability; 0: never): [check: low confidence].",
        ),
    ]


def translation_options(
    *,
    model: str | None = None,
    device: str = "auto",
    backend: Backend = "auto",
    compute_type: str | None = None,
    threads: int | None = None,
    batch_tokens: int | None = None,
    beams: int | None = None,
    memory: Path | None = None,
    no_memory: bool = False,
    shortlist: bool | None = None,
    glossary: Path | None = None,
    min_confidence: float = MIN_CONFIDENCE,
) -> TranslateOptions:
    """The translation model and engine."""
    return TranslateOptions(
        model=ModelOptions(
            name=model,
            backend=backend,
            device=device,
            compute_type=compute_type,  # type: ignore[arg-type]
            threads=threads,
            batch_tokens=batch_tokens,
            shortlist=shortlist,
        ),
        beams=beams,
        memory=not no_memory,
        memory_path=None if memory is None else str(memory),
        glossary=None if glossary is None else str(glossary),
        min_confidence=min_confidence,
    )


TRANSLATION = Group(_translation, translation_options)
# brief from a sources file translates too; its own --min-confidence serves both.
TRANSLATION_UNDER_BRIEF = Group(
    lambda: [o for o in _translation() if o.name != "min_confidence"], translation_options
)


def _reading() -> list[click.Option]:
    def field(name: str, help: str, default: str | None = None) -> click.Option:
        return click.Option(
            [name], default=default, show_default=default is not None, metavar="TEXT",
            multiple=default is None, help=help,
        )  # fmt: skip

    return [
        field("--title-field", "Feed records: the title field.", "title"),
        field("--date-field", "Feed records: the date field.", "date"),
        field("--text-field", "Feed records: the text field (repeatable)."),
        field("--id-field", "Feed records: the field naming each output (repeatable; id, url)."),
        click.Option(
            ["--max-input-mb"],
            type=click.FLOAT,
            default=MAX_INPUT_MB,
            show_default=True,
            metavar="NUMBER",
            help="Refuse a file or standard input larger than this, in MB.",
        ),
    ]


def read_options(
    *,
    title_field: str = "title",
    date_field: str = "date",
    text_field: tuple[str, ...] = (),
    id_field: tuple[str, ...] = (),
    max_input_mb: float = MAX_INPUT_MB,
) -> ReadOptions:
    """How inputs are read: feed fields and the size limit."""
    return ReadOptions(
        title=title_field,
        date=date_field,
        text=tuple(text_field or ("text", "body")),
        ids=tuple(id_field or ("id", "url")),
        max_mb=max_input_mb,
    )


READING = Group(_reading, read_options)


def _summary() -> list[click.Option]:
    return [
        click.Option(
            ["--summarizer"],
            metavar="TEXT",
            help="'lead' (first sentences, no model), a Hub id or a local directory "
            "(default: $TRANSLATE_NEWS_SUMMARIZER, then sshleifer/distilbart-cnn-12-6).",
        ),
        _count("--sentences", "LEAD-k: sentences kept.", 3),
        _count("--max-tokens", "Model summary: most tokens.", 142),
        _count("--min-tokens", "Model summary: fewest tokens (default: the model's own).", low=0),
    ]


def summary_options(
    *, summarizer: str | None = None, sentences: int = 3, max_tokens: int = 142,
    min_tokens: int | None = None,
) -> SummaryOptions:  # fmt: skip
    """The summariser; it runs on the translation's device, backend and precision."""
    return SummaryOptions(
        model=ModelOptions(name=summarizer),
        sentences=sentences,
        max_tokens=max_tokens,
        min_tokens=min_tokens,
    )


SUMMARY = Group(_summary, summary_options)


_ADDRESS = "With --ray: auto (a running cluster), ray://HOST:PORT, or none for a local instance."


def _ray() -> list[click.Option]:
    return [
        click.Option(
            ["--ray"],
            is_flag=True,
            help='Run on a Ray cluster (pip install "translate-news[ray]"): the same '
            "outputs; -o must be writable by every worker.",
        ),
        click.Option(["--address"], metavar="TEXT", help=_ADDRESS),
        _count("--workers", "With --ray: actors (default: one per GPU, else per CPU)."),
    ]


def ray_options(
    *, ray: bool = False, address: str | None = None, workers: int | None = None
) -> RayOptions | None:
    """The Ray run's options; None for a local run."""
    if not ray and (address is not None or workers is not None):
        raise UsageError("--address and --workers go with --ray")
    return RayOptions(address, workers) if ray else None


def summary_beside(translation: TranslateOptions, summary: SummaryOptions) -> SummaryOptions:
    """The summariser's options when it runs where the translation runs: the same
    device, backend, precision and threads, with its own model and batch budget."""
    engine = dataclasses.replace(
        translation.model,
        name=summary.model.name,
        batch_tokens=None,
        revision=None,
        shortlist=False,
    )
    return dataclasses.replace(summary, model=engine)


@dataclasses.dataclass(frozen=True)
class RayOptions:
    """Where and how wide a ``--ray`` run goes."""

    address: str | None
    workers: int | None


RAY = Group(_ray, ray_options)

strict_option = click.option(
    "--strict/--no-strict",
    default=False,
    help="Exit with status 1 when a sentence is flagged (for scripts).",
)


def _fetching() -> list[click.Option]:
    number = {"type": click.FLOAT, "metavar": "SECONDS"}
    return [
        click.Option(["--since"], metavar="YYYY-MM-DD", help="Only items dated this day or later."),
        _count("--limit", "At most this many new items this run (default: all)."),
        click.Option(
            ["--delay"],
            **number,
            default=1.0,
            show_default=True,
            help="Between two requests to one host (robots.txt's Crawl-delay when longer).",
        ),
        click.Option(
            ["--timeout"], **number, default=20.0, show_default=True, help="For a whole answer."
        ),
        _count("--connections", "Requests at once (never two to one host).", 4),
    ]


def fetch_options(
    *, since: str | None = None, limit: int | None = None, delay: float = 1.0,
    timeout: float = 20.0, connections: int = 4,
) -> Any:  # fmt: skip
    """What to fetch and how politely (pipeline.fetch.FetchOptions)."""
    from translate_news.pipeline.fetch import FetchOptions
    from translate_news.pipeline.web import WebOptions

    web = WebOptions(timeout=timeout, delay=delay)
    return FetchOptions(since=since, limit=limit, workers=connections, web=web)


FETCHING = Group(_fetching, fetch_options)
