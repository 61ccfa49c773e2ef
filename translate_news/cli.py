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


@app.command()
@_errors_to_exit
def translate(
    file: Annotated[Path, typer.Argument(help="French article (.txt or .md).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="txt, md, json or html.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing output file.")] = False,
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    beams: BeamsOpt = None,
    batch_tokens: BatchTokensOpt = None,
    backend: BackendOpt = "auto",
    compute_type: ComputeTypeOpt = None,
    threads: ThreadsOpt = None,
    no_cache: NoCacheOpt = False,
    cache: CacheOpt = None,
) -> None:
    """Translate one French article into English.

    Examples:

        translate-news translate seeds/article.txt

        translate-news translate article.txt -o article.en.md --format md
    """
    from .article import read_article
    from .engine import TranslateOptions, Translator
    from .output import format_for, render, write_atomic

    chosen = format_for(output, fmt)
    if output is not None and output.exists() and not force:
        from .errors import OutputError

        raise OutputError(f"{output}: already exists; pass --force to overwrite it")
    article = read_article(file)
    options = TranslateOptions(
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
    text = render(Translator(options=options).translate_article(article), chosen)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text, force=force)
        typer.echo(f"wrote {output}", err=True)


@app.command()
@_errors_to_exit
def split(
    file: Annotated[Path, typer.Argument(help="French article (.txt or .md).")],
) -> None:
    """Print the sentences of an article, one per line, a blank line between paragraphs.

    Example:

        translate-news split seeds/article.txt
    """
    from .article import read_article
    from .segment import split_sentences

    article = read_article(file)
    blocks = [article.title] if article.title else []
    for paragraph in article.paragraphs:
        sentences = split_sentences(paragraph.body)
        if paragraph.credit:
            sentences.append(paragraph.credit)
        blocks.append("\n".join(" ".join(s.split()) for s in sentences))
    sys.stdout.write("\n\n".join(blocks) + "\n")
