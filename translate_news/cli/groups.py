"""The option groups: options several commands take, declared once. Each is a function
whose parameters are the options and whose result is the object they make."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from translate_news.core.errors import UsageError
from translate_news.core.options import (
    Backend,
    ComputeType,
    ModelOptions,
    SummaryOptions,
    TranslateOptions,
)
from translate_news.formats.readers import MAX_INPUT_MB, ReadOptions


def _count(help: str) -> Any:
    """A whole number option of at least 1."""
    return typer.Option(min=1, help=help)


def translation_options(
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Model alias, Hub id or local directory (default: $TRANSLATE_NEWS_MODEL, "
            "the configuration file, then opus-mt-fr-en from the models folder, ./models "
            "or the Hub).",
        ),
    ] = None,
    device: Annotated[
        str,
        typer.Option(
            metavar="auto|cpu|cuda|cuda:N",
            help="Where to run: auto (CUDA when available), cpu, cuda (the first GPU), "
            "cuda:1 (the second), ...",
        ),
    ] = "auto",
    backend: Annotated[
        Backend, typer.Option(help="auto: CTranslate2 when installed and able to run.")
    ] = "auto",
    compute_type: Annotated[
        ComputeType | None,
        typer.Option(help="CTranslate2 precision (default: int8 on CPU, float16 on CUDA)."),
    ] = None,
    threads: Annotated[int | None, _count("CPU threads (default: all cores).")] = None,
    batch_tokens: Annotated[
        int | None, _count("Padded source tokens per batch (default: 2048/beams on CPU).")
    ] = None,
    beams: Annotated[int | None, _count("Beam size (default: the model's own).")] = None,
    memory: Annotated[
        Path | None,
        typer.Option("--memory", help="Translation memory file (default: the user cache)."),
    ] = None,
    no_memory: Annotated[
        bool, typer.Option("--no-memory", help="Do not read or write the translation memory.")
    ] = False,
    shortlist: Annotated[
        bool,
        typer.Option(
            help="Restrict each batch's English vocabulary to the model's shortlist "
            "(CTranslate2; build it with: translate-news models shortlist)."
        ),
    ] = False,
    glossary: Annotated[
        Path | None,
        typer.Option(
            help="Terms the English must keep: TSV (source<TAB>English; the source alone "
            "keeps it) or TOML. Sentences that lose one are flagged."
        ),
    ] = None,
) -> TranslateOptions:
    """The translation model and engine."""
    return TranslateOptions(
        model=ModelOptions(
            name=model,
            backend=backend,
            device=device,
            compute_type=compute_type,
            threads=threads,
            batch_tokens=batch_tokens,
            shortlist=shortlist,
        ),
        beams=beams,
        memory=not no_memory,
        memory_path=None if memory is None else str(memory),
        glossary=None if glossary is None else str(glossary),
    )


def read_options(
    title_field: Annotated[str, typer.Option(help="Feed records: the title field.")] = "title",
    date_field: Annotated[str, typer.Option(help="Feed records: the date field.")] = "date",
    text_field: Annotated[
        list[str] | None, typer.Option(help="Feed records: the text field (repeatable).")
    ] = None,
    id_field: Annotated[
        list[str] | None,
        typer.Option(help="Feed records: the field naming each output (repeatable; id, url)."),
    ] = None,
    max_input_mb: Annotated[
        float, typer.Option(help="Refuse a file or standard input larger than this, in MB.")
    ] = MAX_INPUT_MB,
) -> ReadOptions:
    """How inputs are read: feed fields and the size limit."""
    return ReadOptions(
        title=title_field,
        date=date_field,
        text=tuple(text_field or ("text", "body")),
        ids=tuple(id_field or ("id", "url")),
        max_mb=max_input_mb,
    )


def summary_options(
    summarizer: Annotated[
        str | None,
        typer.Option(
            help="'lead' (first sentences, no model), a Hub id or a local directory "
            "(default: $TRANSLATE_NEWS_SUMMARIZER, then sshleifer/distilbart-cnn-12-6)."
        ),
    ] = None,
    sentences: Annotated[int, _count("LEAD-k: sentences kept.")] = 3,
    max_tokens: Annotated[int, _count("Model summary: most tokens.")] = 142,
    min_tokens: Annotated[
        int | None,
        typer.Option(min=0, help="Model summary: fewest tokens (default: the model's own)."),
    ] = None,
) -> SummaryOptions:
    """The summariser; it runs on the translation's device, backend and precision."""
    return SummaryOptions(
        model=ModelOptions(name=summarizer),
        sentences=sentences,
        max_tokens=max_tokens,
        min_tokens=min_tokens,
    )


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


def ray_options(
    ray: Annotated[
        bool,
        typer.Option(
            "--ray",
            help='Run on a Ray cluster (pip install "translate-news[ray]"): the same '
            "outputs; -o must be writable by every worker.",
        ),
    ] = False,
    address: Annotated[
        str | None,
        typer.Option(
            help="With --ray: auto (a running cluster), ray://HOST:PORT, or none "
            "for a local instance."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="With --ray: actors (default: one per GPU, else per CPU)."),
    ] = None,
) -> RayOptions | None:
    """The Ray run's options; None for a local run."""
    if not ray and (address is not None or workers is not None):
        raise UsageError("--address and --workers go with --ray")
    return RayOptions(address, workers) if ray else None


# --strict, for the commands that translate articles.
Strict = Annotated[
    bool, typer.Option(help="Exit with status 1 when a sentence is flagged (for scripts).")
]
