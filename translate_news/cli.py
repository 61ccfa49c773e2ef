"""The ``translate-news`` command: parse, call the library, write. Data goes to stdout,
diagnostics to stderr; a library error becomes one line and a non-zero exit."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .errors import TranslateNewsError

app = typer.Typer(
    name="translate-news",
    help="Translate French news into English, offline, on CPU or GPU.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state = {"verbose": False}
F = TypeVar("F", bound=Callable[..., Any])

ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model alias, Hub id or local directory "
        "(default: $TRANSLATE_NEWS_MODEL, then models/opus-mt-fr-en, then the Hub).",
    ),
]
DeviceOpt = Annotated[str, typer.Option(help="auto, cpu or cuda (auto: CUDA when available).")]
BeamsOpt = Annotated[int | None, typer.Option(min=1, help="Beam size (default: the model's own).")]
BatchTokensOpt = Annotated[
    int | None,
    typer.Option(min=1, help="Padded source tokens per batch (default: 2048/beams on CPU)."),
]

BackendOpt = Annotated[
    str,
    typer.Option(help="auto, torch or ctranslate2 (auto: CTranslate2 when installed)."),
]
ComputeTypeOpt = Annotated[
    str | None,
    typer.Option(help="CTranslate2 precision (default: int8 on CPU, float16 on CUDA)."),
]
ThreadsOpt = Annotated[int | None, typer.Option(min=1, help="CPU threads (default: all cores).")]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Do not read or write the translation memory.")
]
CacheOpt = Annotated[
    Path | None,
    typer.Option("--cache", help="Translation memory file (default: the user cache)."),
]


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show tracebacks and library logs.")
    ] = False,
) -> None:
    """Translate French news into English, offline, on CPU or GPU."""
    _state["verbose"] = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)
    if not verbose:
        import os
        import warnings

        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        warnings.filterwarnings("ignore", module="transformers")
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)


def _errors_to_exit(command: F) -> F:
    """Turn library errors into one line on stderr and exit code 1 (traceback with -v)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (TranslateNewsError, ValueError) as exc:
            if _state["verbose"]:
                raise
            typer.echo(f"translate-news: error: {exc}", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


TitleFieldOpt = Annotated[str, typer.Option(help="Feed records: the title field.")]
DateFieldOpt = Annotated[str, typer.Option(help="Feed records: the date field.")]
TextFieldOpt = Annotated[
    list[str] | None, typer.Option(help="Feed records: the text field (repeatable).")
]


def _engine_options(
    model: str | None,
    backend: str,
    device: str,
    compute_type: str | None,
    beams: int | None,
    batch_tokens: int | None,
    threads: int | None,
    no_cache: bool,
    cache: Path | None,
) -> Any:
    from .engine import TranslateOptions

    return TranslateOptions(
        model=model,
        backend=backend,
        device=device,
        compute_type=compute_type,
        beams=beams,
        batch_tokens=batch_tokens,
        threads=threads,
        memory=not no_cache,
        memory_path=None if cache is None else str(cache),
    )


def _feed_fields(title_field: str, date_field: str, text_field: list[str] | None) -> Any:
    from .readers import FeedFields

    return FeedFields(title_field, date_field, tuple(text_field or ("text", "body")))


@app.command()
@_errors_to_exit
def translate(
    source: Annotated[
        str,
        typer.Argument(
            help="A French article (.txt, .md, .html, .docx, .json, .jsonl), a folder of "
            "them, or - for standard input."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Output file, or folder for a folder or feed (default: stdout)."
        ),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="txt, md, json or html.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing outputs.")] = False,
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    beams: BeamsOpt = None,
    batch_tokens: BatchTokensOpt = None,
    backend: BackendOpt = "auto",
    compute_type: ComputeTypeOpt = None,
    threads: ThreadsOpt = None,
    no_cache: NoCacheOpt = False,
    cache: CacheOpt = None,
    title_field: TitleFieldOpt = "title",
    date_field: DateFieldOpt = "date",
    text_field: TextFieldOpt = None,
) -> None:
    """Translate French articles into English.

    Examples:

        translate-news translate seeds/article.txt

        translate-news translate article.html -o article.en.md --format md

        translate-news translate articles/ -o english/ --format json
    """
    from .engine import Translator
    from .errors import OutputError
    from .output import format_for, render, write_atomic
    from .readers import FEED_SUFFIXES, read_article

    options = _engine_options(
        model, backend, device, compute_type, beams, batch_tokens, threads, no_cache, cache
    )
    path = Path(source)
    if source != "-" and (path.is_dir() or path.suffix.lower() in FEED_SUFFIXES):
        if output is None:
            raise OutputError(f"{source}: translating many articles needs -o FOLDER")
        fields = _feed_fields(title_field, date_field, text_field)
        _translate_many(path, output, format_for(None, fmt or "md"), force, options, fields)
        return
    chosen = format_for(output, fmt)
    if output is not None and output.exists() and not force:
        raise OutputError(f"{output}: already exists; pass --force to overwrite it")
    article = read_article(source)
    text = render(Translator(options=options).translate_article(article), chosen)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text, force=force)
        typer.echo(f"wrote {output}", err=True)


def _translate_many(
    root: Path, out_dir: Path, fmt: str, force: bool, options: Any, fields: Any
) -> None:
    from .engine import Translator
    from .errors import OutputError
    from .folder import translate_folder

    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)

    def show(kind: str, source: str, detail: str) -> None:
        if kind == "failed":
            typer.echo(f"translate-news: error: {detail}", err=True)
        else:
            typer.echo(f"{kind}: {source} -> {detail}", err=True)

    report = translate_folder(
        Translator(options=options), root, out_dir, fmt, force=force, fields=fields, on_event=show
    )
    _finish(report)


def _finish(report: Any) -> None:
    """The closing count of a many-article run; exit code 1 when anything failed."""
    rows = (
        ("done", len(report.done), ""),
        ("skipped", len(report.skipped), "  (already done; --force redoes them)"),
        ("failed", len(report.failed), ""),
    )
    typer.echo("\n".join(f"{name:<8}{count:>6}{note}" for name, count, note in rows), err=True)
    if report.failed:
        raise typer.Exit(1)


@app.command()
@_errors_to_exit
def split(
    file: Annotated[str, typer.Argument(help="French article, or - for standard input.")],
) -> None:
    """Print the sentences of an article, one per line, a blank line between paragraphs.

    Example:

        translate-news split seeds/article.txt
    """
    from .readers import read_article
    from .segment import split_sentences

    article = read_article(file)
    blocks = [article.title] if article.title else []
    for paragraph in article.paragraphs:
        sentences = split_sentences(paragraph.body)
        if paragraph.credit:
            sentences.append(paragraph.credit)
        blocks.append("\n".join(" ".join(s.split()) for s in sentences))
    sys.stdout.write("\n\n".join(blocks) + "\n")


SummarizerOpt = Annotated[
    str | None,
    typer.Option(
        help="'lead' (first sentences, no model), a Hub id or a local directory "
        "(default: $TRANSLATE_NEWS_SUMMARIZER, then sshleifer/distilbart-cnn-12-6)."
    ),
]


@app.command()
@_errors_to_exit
def summarize(
    source: Annotated[Path, typer.Argument(help="An article, a feed or a folder of them.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output folder (.en.md and .en.json each).")
    ] = Path("summaries"),
    summarizer: SummarizerOpt = None,
    sentences: Annotated[int, typer.Option(min=1, help="LEAD-k: sentences kept.")] = 3,
    max_tokens: Annotated[int, typer.Option(min=1, help="Model summary: most tokens.")] = 142,
    min_tokens: Annotated[
        int | None,
        typer.Option(min=0, help="Model summary: fewest tokens (default: the model's own)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Redo articles already summarised.")] = False,
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    beams: BeamsOpt = None,
    batch_tokens: BatchTokensOpt = None,
    backend: BackendOpt = "auto",
    compute_type: ComputeTypeOpt = None,
    threads: ThreadsOpt = None,
    no_cache: NoCacheOpt = False,
    cache: CacheOpt = None,
    title_field: TitleFieldOpt = "title",
    date_field: DateFieldOpt = "date",
    text_field: TextFieldOpt = None,
) -> None:
    """Translate and summarise articles: a file or a whole folder (recursively).

    Articles already done with the same source and options are skipped; one bad file is
    reported and the rest go on; the exit code is 1 if any failed.

    Examples:

        translate-news summarize seeds/ -o summaries/

        translate-news summarize articles/ -o out/ --summarizer lead
    """
    from .engine import Translator
    from .folder import summarize_folder
    from .summarize import Summarizer, SummaryOptions

    translator = Translator(
        options=_engine_options(
            model, backend, device, compute_type, beams, batch_tokens, threads, no_cache, cache
        )
    )
    options = SummaryOptions(
        summarizer=summarizer,
        sentences=sentences,
        max_tokens=max_tokens,
        min_tokens=min_tokens,
        device=device,
        backend=backend,
        compute_type=compute_type,
        threads=threads,
    )
    fields = _feed_fields(title_field, date_field, text_field)
    engine = Summarizer(options=options)
    output.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    count = _count_articles(source, fields)
    with typer.progressbar(length=max(1, count), label="articles", file=sys.stderr) as bar:

        def progress(kind: str, item: str, detail: str) -> None:
            if kind == "failed":
                failures.append(detail)
            bar.update(1)

        report = summarize_folder(
            translator, engine, source, output, force=force, fields=fields, on_event=progress
        )
    for line in failures:
        typer.echo(f"translate-news: error: {line}", err=True)
    _finish(report)


def _count_articles(source: Path, fields: Any = None) -> int:
    """How many articles a run will see: one per file, one per record of a feed."""
    from .errors import InputError
    from .folder import find_inputs
    from .readers import DEFAULT_FIELDS, FEED_SUFFIXES, read_articles

    total = 0
    for path in find_inputs(source):
        if path.suffix.lower() not in FEED_SUFFIXES:
            total += 1
            continue
        try:
            total += sum(1 for _ in read_articles(path, fields or DEFAULT_FIELDS))
        except InputError:
            total += 1  # reported as one failure
    return total


@app.command()
@_errors_to_exit
def brief(
    folder: Annotated[Path, typer.Argument(help="A folder written by 'summarize'.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="briefing.md, briefing.html or briefing.json")
    ],
    title: Annotated[str | None, typer.Option(help="The briefing's title.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing briefing.")] = False,
) -> None:
    """Write an English briefing of summarised articles, newest first, grouped by day.

    Example:

        translate-news brief summaries/ -o briefing.html --title "Ukraine, July 2025"
    """
    from .briefing import RENDERERS, load_entries
    from .errors import OutputError
    from .output import write_atomic

    render = RENDERERS.get(output.suffix.lower())
    if render is None:
        raise OutputError(f"{output}: the briefing must end in .md, .html or .json")
    entries = load_entries(folder, output.resolve().parent)
    write_atomic(output, render(entries, title), force=force)
    noun = "article" if len(entries) == 1 else "articles"
    typer.echo(f"wrote {output} ({len(entries)} {noun})", err=True)
