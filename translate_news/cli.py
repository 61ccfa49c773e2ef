"""The ``translate-news`` command: parse, call the library, write. Data goes to stdout,
diagnostics to stderr; a library error becomes one line and a non-zero exit.

Options that several commands take are declared once, as an option group: a function
whose parameters are the options and whose result is the object they make (a
:class:`TranslateOptions`, :class:`ReadOptions`, ...). :func:`command` splices a group's
options into each command that names it and hands the command the built object.
To add a command: write a function with a docstring (its ``--help``), name the groups
it takes as parameters, and decorate it with ``@command()``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import json
import logging
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import typer
import typer.core
from typer.models import ParameterInfo

from .errors import InputError, ModelNotFoundError, OutputError, TranslateNewsError, UsageError
from .options import (
    Backend,
    ComputeType,
    ModelOptions,
    SummaryOptions,
    TranslateOptions,
    check_device,
)
from .output import FORMATS, Format
from .readers import MAX_INPUT_MB, ReadOptions

if TYPE_CHECKING:
    from .folder import Report

app = typer.Typer(
    name="translate-news",
    help="Translate French news into English, offline, on CPU or GPU.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])
_state: dict[str, Any] = {"verbose": False, "quiet": False, "hid_progress": False}

VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show what runs, tracebacks and library logs.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]


def _version(show: bool) -> None:
    if show:
        from ._version import __version__

        typer.echo(f"translate-news {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Configuration file (default: ./translate-news.toml, then the user one).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", metavar="", is_eager=True, callback=_version, help="Print the version."
        ),
    ] = False,
) -> None:
    """Translate French news into English, offline, on CPU or GPU."""
    from . import config as configuration

    _state.update(verbose=verbose, quiet=quiet)
    try:
        loaded = configuration.load(configuration.find(config), _option_specs(ctx))
    except UsageError as exc:
        typer.echo(f"translate-news: error: {exc}", err=True)
        raise typer.Exit(2) from None
    _state["config"] = loaded
    ctx.default_map = loaded.default_map()


def _option_specs(ctx: typer.Context) -> dict[str, dict[str, Any]]:
    """Every command's long options, as the configuration file may set them."""
    from .config import OptionSpec

    specs: dict[str, dict[str, Any]] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
                continue
            options = specs.setdefault(f"{prefix}{name}", {})
            for param in command.params:
                long = [o for o in param.opts if o.startswith("--")]
                if param.param_type_name != "option" or param.hidden or not long:
                    continue
                convert = functools.partial(_convert, param)
                options[long[0][2:]] = OptionSpec(convert, bool(param.type_descriptor.is_path))

    walk(ctx.command, "")
    return specs


def _convert(param: Any, value: Any) -> Any:
    """A value from the configuration file, checked as the command line would check it."""
    desc = param.type_descriptor
    if desc.is_list:
        if not isinstance(value, list):
            raise ValueError('expected a list, such as ["a", "b"]')
        return [_convert_one(param, v) for v in value]
    return _convert_one(param, value)


def _convert_one(param: Any, value: Any) -> Any:
    desc = param.type_descriptor
    kind = desc.annotation
    if desc.is_choice:
        if value not in (desc.choices or ()):
            raise ValueError(f"{value!r} is not one of {', '.join(map(str, desc.choices))}")
    elif kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
    elif kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, int if kind is int else (int, float)):
            raise ValueError(f"expected a {'whole ' if kind is int else ''}number, got {value!r}")
        if param.min is not None and value < param.min:
            raise ValueError(f"must be at least {param.min}, got {value}")
    elif not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    elif param.name == "device":  # not a fixed choice: cuda:N
        check_device(value)
    return value


# --- option groups ---------------------------------------------------------------


def _flags(verbose: VerboseOpt = False, quiet: QuietOpt = False) -> None:
    """-v and -q, accepted after the subcommand too."""
    _state.update(verbose=_state["verbose"] or verbose, quiet=_state["quiet"] or quiet)


def _count(help: str) -> Any:
    """A whole number option of at least 1."""
    return typer.Option(min=1, help=help)


def translation_options(
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Model alias, Hub id or local directory "
            "(default: $TRANSLATE_NEWS_MODEL, then models/opus-mt-fr-en, then the Hub).",
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
    cache: Annotated[Path | None, typer.Option("--cache", hidden=True)] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", hidden=True)] = False,
) -> TranslateOptions:
    """The translation model and engine (--cache and --no-cache are the old spellings
    of --memory and --no-memory)."""
    path = memory or cache
    return TranslateOptions(
        model=ModelOptions(
            name=model,
            backend=backend,
            device=device,
            compute_type=compute_type,
            threads=threads,
            batch_tokens=batch_tokens,
        ),
        beams=beams,
        memory=not (no_memory or no_cache),
        memory_path=None if path is None else str(path),
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


def _signature_of(group: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(group, eval_str=True)


class _Command(typer.core.TyperCommand):
    """A command whose help names its arguments without typer's type names (``<path>``):
    what an argument takes is in its help text."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            if param.param_type_name == "argument":
                param.display_type_rich = _no_type
        return params


def _no_type(ctx: Any = None) -> None:
    return None


def _metavar(name: str, annotation: Any) -> Any:
    """``annotation`` with a plain placeholder for help (``PATH``, ``N``, a choice's
    values, none for a flag) instead of typer's type names (``<bool>``, ``<list[str]>``)."""
    if get_origin(annotation) is not Annotated:
        return annotation
    kind, *extras = get_args(annotation)
    infos = [e for e in extras if isinstance(e, ParameterInfo)]
    if not infos or infos[0].metavar is not None:
        return annotation
    union = get_origin(kind) in (Union, UnionType)
    base = next(a for a in get_args(kind) if a is not type(None)) if union else kind
    if get_origin(base) is list:
        base = get_args(base)[0]
    if get_origin(base) is Literal:
        label = "|".join(map(str, get_args(base)))
    else:
        labels = {bool: "", int: "N", float: "NUMBER", Path: "PATH"}
        label = labels.get(base, "TEXT")
    info = copy.copy(infos[0])
    info.metavar = name.upper() if isinstance(info, typer.models.ArgumentInfo) else label
    return Annotated[(kind, *[info if e is infos[0] else e for e in extras])]


def command(
    *, on: typer.Typer = app, name: str | None = None, **groups: Callable[..., Any]
) -> Callable[[F], F]:
    """Register a command (on ``on``, the main app or a group of commands): each
    parameter named in ``groups`` is replaced by that group's options, and the command
    receives the group's result; -v/-q are accepted after the subcommand; the project's
    own errors become one line on stderr (a traceback with -v)."""

    def decorate(function: F) -> F:
        own = _signature_of(function)
        parameters = [p for p in own.parameters.values() if p.name not in groups]
        members: dict[str, tuple[Callable[..., Any], list[str]]] = {}
        for key, group in {**groups, "": _flags}.items():  # -v and -q shown last
            group_parameters = list(_signature_of(group).parameters.values())
            members[key] = (group, [p.name for p in group_parameters])
            parameters += group_parameters
        members = {"": members.pop(""), **members}  # and read first
        parameters = [
            p.replace(
                kind=inspect.Parameter.KEYWORD_ONLY, annotation=_metavar(p.name, p.annotation)
            )
            for p in parameters
        ]

        @functools.wraps(function)
        def wrapper(**values: Any) -> Any:
            try:
                built = {
                    name: group(**{key: values.pop(key) for key in keys})
                    for name, (group, keys) in members.items()
                }
                built.pop("")
                _configure_logging()
                return function(**values, **built)
            except TranslateNewsError as exc:
                if _state["verbose"]:
                    raise
                typer.echo(f"translate-news: error: {exc}", err=True)
                raise typer.Exit(2 if isinstance(exc, UsageError) else 1) from None
            finally:  # the stream the handler writes to is the command's own
                logging.getLogger().handlers.clear()

        del wrapper.__wrapped__  # typer must see the spliced signature, not the original
        wrapper.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        on.command(name=name, cls=_Command)(wrapper)
        return wrapper  # type: ignore[return-value]

    return decorate


class _Formatter(logging.Formatter):
    """The library's news as ``translate-news: ...`` (what it is doing: a download, a
    conversion) and ``translate-news: warning: ...``, like the errors."""

    def format(self, record: logging.LogRecord) -> str:
        label = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        return f"translate-news: {label}{record.getMessage()}"


def _configure_logging() -> None:
    verbose, quiet = _state["verbose"], _state["quiet"]
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # What the tool itself is doing (a one-time conversion, say) is worth a line.
    logging.getLogger("translate_news").setLevel(logging.ERROR if quiet else logging.INFO)
    if not verbose:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        if "HF_HUB_DISABLE_PROGRESS_BARS" not in os.environ:
            os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
            _state["hid_progress"] = True
        warnings.filterwarnings("ignore", module="transformers")
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)


def _say(message: str) -> None:
    """A progress or status line on stderr, unless -q."""
    if not _state["quiet"]:
        typer.echo(message, err=True)


def _show_signature(role: str, signature: object) -> None:
    """With -v, what will run, as its one-line signature."""
    if _state["verbose"]:
        typer.echo(f"{role}: {signature}", err=True)


# --- commands --------------------------------------------------------------------


@command(options=translation_options, reading=read_options)
def translate(
    options: TranslateOptions,
    reading: ReadOptions,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Output file, or folder for a folder or feed (default: stdout)."
        ),
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="Output format (default: from -o's extension)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing outputs.")] = False,
    source: Annotated[
        str | None,
        typer.Argument(
            help="A French article (.txt, .md, .html, .docx, .json, .jsonl), a folder of "
            "them, or - for standard input."
        ),
    ] = None,
    text: Annotated[
        str | None,
        typer.Option("--text", "-t", help="French text to translate, instead of a file."),
    ] = None,
) -> None:
    """Translate French articles into English.

    Examples:

        translate-news translate seeds/article.txt

        translate-news translate article.html -o article.en.md --format md

        translate-news translate articles/ -o english/ --format json

        translate-news translate --text "Le Kremlin a assuré mardi ne rien attendre."
    """
    from .engine import Translator
    from .output import format_for, render, write_atomic
    from .readers import FEED_SUFFIXES, parse_article, read_article

    if (source is None) == (text is None):
        raise UsageError("give a file, a folder or - to translate, or --text, but not both")
    if text is not None:
        source = "-"  # a short text behaves as standard input would
    path = Path(source or "-")
    if source != "-" and (path.is_dir() or path.suffix.lower() in FEED_SUFFIXES):
        if output is None:
            raise UsageError(f"{source}: translating many articles needs -o FOLDER")
        _check_output_folder(output)
        _translate_many(path, output, fmt or "md", force, options, reading)
        return
    chosen = format_for(output, fmt)
    if output is not None and output.exists() and not force:
        raise OutputError(f"{output}: already exists; pass --force to overwrite it")
    article = parse_article(text, path="<text>") if text else read_article(source or "-", reading)
    translator = Translator(options=options)
    _show_signature("translation", translator.signature)
    text = render(translator.translate_article(article), chosen)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text, force=force)
        _say(f"wrote {output}")


def _translate_many(
    root: Path,
    out_dir: Path,
    fmt: str,
    force: bool,
    options: TranslateOptions,
    reading: ReadOptions,
) -> None:
    from .engine import Translator
    from .folder import Translations, run_folder

    translator = Translator(options=options)
    _show_signature("translation", translator.signature)
    out_dir.mkdir(parents=True, exist_ok=True)

    def show(kind: str, source: str, detail: str) -> None:
        if kind == "failed":
            typer.echo(f"translate-news: error: {detail}", err=True)
        elif kind == "passed over":
            _say(detail)
        elif kind != "stopped":
            _say(f"{kind}: {source} -> {detail}")

    outputs = Translations(fmt, force=force)
    report = run_folder(translator, root, out_dir, outputs, reading=reading, on_event=show)
    _finish(report)


def _check_output_folder(out_dir: Path) -> None:
    """A many-article run writes a folder: refuse a file there, or a name that says file."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(
            f"{out_dir}: exists and is not a folder; a many-article run needs -o FOLDER"
        )
    if not out_dir.exists() and out_dir.suffix.lower() in {f".{f}" for f in FORMATS}:
        raise UsageError(
            f"{out_dir}: looks like a file name; a many-article run writes a folder of them "
            "(-o FOLDER)"
        )


def _finish(report: Report) -> None:
    """The closing count of a many-article run; exit code 1 when anything failed or the
    run stopped."""
    rows = [
        ("done", len(report.done), ""),
        ("skipped", len(report.skipped), "  (already done; --force redoes them)"),
        ("failed", len(report.failed), ""),
    ]
    if report.passed_over:
        rows.append(("not read", len(report.passed_over), "  (not regular files)"))
    _say("\n".join(f"{name:<9}{count:>6}{note}" for name, count, note in rows))
    if report.stopped is not None:
        typer.echo(f"translate-news: error: {report.stopped}; the run stopped", err=True)
    if report.failed or report.stopped is not None:
        raise typer.Exit(1)


@command()
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


@command(options=translation_options, summary=summary_options, reading=read_options)
def summarize(
    source: Annotated[Path, typer.Argument(help="An article, a feed or a folder of them.")],
    options: TranslateOptions,
    summary: SummaryOptions,
    reading: ReadOptions,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output folder (.en.md and .en.json each).")
    ] = Path("summaries"),
    force: Annotated[bool, typer.Option(help="Redo articles already summarised.")] = False,
    fmt: Annotated[
        Literal["md", "html"],
        typer.Option(
            "--format",
            "-f",
            help="html: also write each translation as a standalone page, which a "
            "briefing in HTML links to.",
        ),
    ] = "md",
) -> None:
    """Translate and summarise articles: a file or a whole folder (recursively).

    Articles already done with the same source and options are skipped; one bad file is
    reported and the rest go on; the exit code is 1 if any failed.

    Examples:

        translate-news summarize seeds/ -o summaries/

        translate-news summarize articles/ -o out/ --summarizer lead
    """
    from .engine import Translator
    from .folder import Summaries, run_folder
    from .summarize import Summarizer

    if not source.exists():
        raise InputError(f"{source}: no such file or folder")
    _check_output_folder(output)
    # The summariser runs where the translation runs, with its own batch budget.
    engine = dataclasses.replace(
        options.model, name=summary.model.name, batch_tokens=None, revision=None
    )
    summarizer = Summarizer(options=dataclasses.replace(summary, model=engine))
    translator = Translator(options=options)
    _show_signature("translation", translator.signature)
    _show_signature("summary", summarizer.signature)
    output.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    count = _count_articles(source, output, reading)
    with typer.progressbar(
        length=max(1, count), label="articles", file=sys.stderr, hidden=_state["quiet"]
    ) as bar:

        def progress(kind: str, item: str, detail: str) -> None:
            if kind == "failed":
                failures.append(f"translate-news: error: {detail}")
            elif kind == "passed over":
                failures.append(detail)
            if kind in ("done", "skipped", "failed"):
                bar.update(1)

        outputs = Summaries(summarizer, force=force, pages=fmt == "html")
        report = run_folder(translator, source, output, outputs, reading=reading, on_event=progress)
    for line in failures:
        typer.echo(line, err=True)
    _finish(report)


def _count_articles(source: Path, out_dir: Path, reading: ReadOptions) -> int:
    """How many articles a run will see: one per file, one per record of a feed."""
    from .folder import find_inputs
    from .readers import FEED_SUFFIXES, read_articles

    total = 0
    for found in find_inputs(source, out_dir):
        if found.path.suffix.lower() not in FEED_SUFFIXES:
            total += 1
            continue
        try:
            total += sum(1 for _ in read_articles(found.path, reading, lambda error: None))
        except InputError:
            total += 1  # reported as one failure
    return total


@command()
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
    from .output import write_atomic

    render = RENDERERS.get(output.suffix.lower())
    if render is None:
        raise OutputError(f"{output}: the briefing must end in .md, .html or .json")
    pages = output.suffix.lower() == ".html"
    entries, problems = load_entries(folder, output.resolve().parent, pages=pages)
    for problem in problems:
        typer.echo(f"translate-news: error: {problem}", err=True)
    write_atomic(output, render(entries, title), force=force)
    noun = "article" if len(entries) == 1 else "articles"
    _say(f"wrote {output} ({len(entries)} {noun})")
    if problems:
        raise typer.Exit(1)


# --- models ----------------------------------------------------------------------

models_app = typer.Typer(
    help="Download, list, remove and locate the models translate-news runs.",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")

NameArg = Annotated[str, typer.Argument(help="An alias (opus-mt-fr-en) or a Hub id.")]


@command(on=models_app, name="download")
def models_download(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Aliases or Hub ids (default: the translation and summary models)."),
    ] = None,
    folder: Annotated[
        Path | None,
        typer.Option("--dir", help="Where to put them (default: the user models folder)."),
    ] = None,
    compute_type: Annotated[
        ComputeType, typer.Option(help="The CTranslate2 conversion to make once.")
    ] = "int8",
) -> None:
    """Download models from the Hugging Face Hub (resumable, checked whole) and convert
    them for CTranslate2 once, so that later runs need no network.

    Examples:

        translate-news models download

        translate-news models download opus-mt-tc-big-fr-en --dir /srv/models
    """
    from huggingface_hub.utils import enable_progress_bars

    from .backends import conversion_dir, convert_to_ctranslate2
    from .model_store import download
    from .models import DEFAULT_MODEL, DEFAULT_SUMMARIZER, model_fingerprint

    if _state["hid_progress"]:  # a download shows its progress, unless -q
        del os.environ["HF_HUB_DISABLE_PROGRESS_BARS"]
    if not _state["quiet"]:
        enable_progress_bars()
    for name in names or [DEFAULT_MODEL, DEFAULT_SUMMARIZER]:
        _say(f"{name}: downloading into the Hugging Face cache (resumes where it stopped)")
        path, placed = download(name, folder)
        target = conversion_dir(path, model_fingerprint(path), compute_type)
        convert_to_ctranslate2(path, compute_type, target)
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
        how = "placed" if placed else "already there"
        _say(f"{name}: {how} at {path} ({size:.0f} MB with its {compute_type} conversion)")


@command(on=models_app, name="list")
def models_list() -> None:
    """List the models on this machine: where, size, CTranslate2 conversions made, and
    which command uses each.

    Example:

        translate-news models list
    """
    from .model_store import list_models

    used = _models_in_use()
    rows = [("MODEL", "WHERE", "SIZE", "CONVERTED", "USED BY")]
    for model in list_models():
        users = ", ".join(role for role, path in used.items() if path == model.path)
        size = f"{model.size / 1e6:.0f} MB"
        converted = ",".join(model.converted) or "-"
        rows.append((model.name, model.where, size, converted, users or "-"))
    if len(rows) == 1:
        _say("no models on this machine; translate-news models download fetches them")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def _models_in_use() -> dict[str, Path | None]:
    """The folder each command's model would load from now (None: not on this machine)."""
    from .models import SUMMARY, TRANSLATION, model_dir, resolve_model

    used: dict[str, Path | None] = {}
    for command_name, role in (("translate", TRANSLATION), ("summarize", SUMMARY)):
        try:
            source = resolve_model(None, role=role)
            used[command_name] = model_dir(source, {"local_files_only": True})
        except ModelNotFoundError:
            used[command_name] = None
    return used


@command(on=models_app, name="remove")
def models_remove(name: NameArg) -> None:
    """Delete a model from this machine: the models folder, ./models and the Hugging
    Face cache, with its conversions.

    Example:

        translate-news models remove opus-mt-tc-big-fr-en
    """
    from .model_store import remove

    for path in remove(name):
        _say(f"removed {path}")


@command(on=models_app, name="path")
def models_path(name: NameArg) -> None:
    """Print the folder a model loads from (for scripts).

    Example:

        translate-news models path opus-mt-fr-en
    """
    from .model_store import find

    copies = find(name)
    if not copies:
        raise ModelNotFoundError(
            f"model '{name}' is not on this machine; translate-news models download {name}"
        )
    typer.echo(str(copies[0].path))


# --- config ----------------------------------------------------------------------

config_app = typer.Typer(help="See the settings each command runs with.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@command(on=config_app, name="show")
def config_show(ctx: typer.Context) -> None:
    """Print every command's settings apart from its command line, and where each comes
    from: the configuration file, the environment or the default. The output is TOML: a
    starting point for a configuration file.

    Example:

        translate-news config show > translate-news.toml
    """
    from .config import setting

    loaded = _state["config"]
    typer.echo(f"# configuration file: {loaded.path or 'none'}")
    root = ctx.find_root().command

    def walk(group: Any, prefix: str) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name}.")
                continue
            lines = []
            for param in command.params:
                long = [o for o in param.opts if o.startswith("--")]
                if param.param_type_name != "option" or param.hidden or not long:
                    continue
                key = long[0][2:]
                found = setting(loaded, f"{prefix}{name}".replace(".", " "), key, param.default)
                value = _toml(found.value)
                lines.append(
                    f"{'# ' if value is None else ''}{key} = {value or ''}  # {found.source}"
                )
            typer.echo(f"\n[{prefix}{name}]\n" + "\n".join(lines))

    walk(root, "")


def _toml(value: Any) -> str | None:
    """A value as TOML; None for an unset one."""
    if value is None or value == ():
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) or '""' for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


# --- doctor ----------------------------------------------------------------------


@command(options=translation_options, summary=summary_options)
def doctor(options: TranslateOptions, summary: SummaryOptions) -> None:
    """Check this machine: versions, processor, GPUs, which model each command will use
    and whether it is here and converted, the signature each runs with, where files are
    kept, and each problem with the command that fixes it. Exit code 1 when translation
    cannot run.

    Example:

        translate-news doctor
    """
    from .doctor import examine

    engine = dataclasses.replace(options.model, name=summary.model.name, batch_tokens=None)
    summary = dataclasses.replace(summary, model=engine)
    checkup = examine(options, summary, _state["config"].path)
    for section, lines in checkup.sections.items():
        typer.echo(section)
        width = max(len(label) for label, _ in lines)
        for label, value in lines:
            typer.echo(f"  {label:<{width}}  {value}")
    typer.echo("Problems" if checkup.problems else "No problems found.")
    for problem in checkup.problems:
        typer.echo(f"  - {problem}")
    if not checkup.can_translate:
        raise typer.Exit(1)


# --- evaluate --------------------------------------------------------------------


@command(options=translation_options)
def evaluate(
    options: TranslateOptions,
    references: Annotated[
        Path,
        typer.Option(
            help="Reference translations, one per line; with --summaries, a folder of "
            "reference summaries (<name>.txt for each <name>.en.json)."
        ),
    ],
    hypotheses: Annotated[
        Path | None, typer.Option(help="Translations to score, one per line.")
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option(help="French sentences, one per line: translated now, then scored."),
    ] = None,
    summaries: Annotated[
        Path | None, typer.Option(help="A folder written by summarize: score its summaries.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score translations (BLEU, chrF, with sacrebleu's signature) or summaries
    (ROUGE-1/2/L F1) against references.

    Examples:

        translate-news evaluate --source test.fr --references test.en

        translate-news evaluate --hypotheses mine.en --references test.en --json

        translate-news evaluate --summaries summaries/ --references gold/
    """
    from .evaluate import read_segments, score_summaries, score_translations, summary_pairs

    if sum(x is not None for x in (hypotheses, source, summaries)) != 1:
        raise UsageError("give one of --hypotheses, --source or --summaries")
    if summaries is not None:
        found, expected = summary_pairs(summaries, references)
        scores: Any = score_summaries(found, expected)
        lines = [
            f"ROUGE-1 {scores.rouge1:.4f}  ROUGE-2 {scores.rouge2:.4f}  "
            f"ROUGE-L {scores.rougeL:.4f}  ({scores.documents} summaries, F1, stemmed)"
        ]
    else:
        expected = read_segments(references)
        if source is not None:
            from .engine import Translator

            translator = Translator(options=options)
            _show_signature("translation", translator.signature)
            found = translator.translate(read_segments(source))
        else:
            found = read_segments(hypotheses)  # type: ignore[arg-type]
        scores = score_translations(found, expected)
        lines = [
            f"BLEU {scores.bleu:.2f}  {scores.bleu_signature}",
            f"chrF {scores.chrf:.2f}  {scores.chrf_signature}",
            f"({scores.segments} segments)",
        ]
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(scores), indent=2))
    else:
        typer.echo("\n".join(lines))
