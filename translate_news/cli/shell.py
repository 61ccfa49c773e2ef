"""The shell every command runs in: the typer app, the option groups spliced into each
command (:func:`command`), the configuration file read into click's default map, and
errors turned into one line. Data goes to stdout, diagnostics to stderr.

Options that several commands take are declared once, as an option group (see
:mod:`.groups`): a function whose parameters are the options and whose result is the
object they make. :func:`command` splices a group's options into each command that names
it and hands the command the built object.
"""

from __future__ import annotations

import copy
import functools
import inspect
import logging
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import typer
import typer.core
from typer.models import ParameterInfo

from translate_news.core.errors import TranslateNewsError, UsageError
from translate_news.core.options import check_device

app = typer.Typer(
    name="translate-news",
    help="Translate French news into English, offline, on CPU or GPU.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])
state: dict[str, Any] = {"verbose": False, "quiet": False, "set_env": []}

VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show what runs, tracebacks and library logs.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]


def _version(show: bool) -> None:
    if show:
        from translate_news._version import __version__

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
    from translate_news.core import config as configuration

    state.update(verbose=verbose, quiet=quiet)
    try:
        loaded = configuration.load(configuration.find(config), _option_specs(ctx))
    except UsageError as exc:
        typer.echo(f"translate-news: error: {exc}", err=True)
        raise typer.Exit(2) from None
    state["config"] = loaded
    ctx.default_map = loaded.default_map()


def _option_specs(ctx: typer.Context) -> dict[str, dict[str, Any]]:
    """Every command's long options, as the configuration file may set them."""
    from translate_news.core.config import OptionSpec

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
                is_path = bool(param.type_descriptor.is_path)
                options[long[0][2:]] = OptionSpec(convert, is_path, param.name)

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


def _flags(verbose: VerboseOpt = False, quiet: QuietOpt = False) -> None:
    """-v and -q, accepted after the subcommand too."""
    state.update(verbose=state["verbose"] or verbose, quiet=state["quiet"] or quiet)


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
                if state["verbose"]:
                    raise
                typer.echo(f"translate-news: error: {exc}", err=True)
                raise typer.Exit(2 if isinstance(exc, UsageError) else 1) from None
            finally:  # the stream the handler writes to is the command's own
                logging.getLogger().handlers.clear()
                while state["set_env"]:
                    os.environ.pop(state["set_env"].pop(), None)

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
    verbose, quiet = state["verbose"], state["quiet"]
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # What the tool itself is doing (a one-time conversion, say) is worth a line.
    logging.getLogger("translate_news").setLevel(logging.ERROR if quiet else logging.INFO)
    if not verbose:
        # Quieter libraries for this command only (the wrapper puts them back).
        for name, value in (
            ("TRANSFORMERS_VERBOSITY", "error"),
            ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
        ):
            if name not in os.environ:
                os.environ[name] = value
                state["set_env"].append(name)
        warnings.filterwarnings("ignore", module="transformers")
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)


def say(message: str) -> None:
    """A progress or status line on stderr, unless -q."""
    if not state["quiet"]:
        typer.echo(message, err=True)


def show_signature(role: str, signature: object) -> None:
    """With -v, what will run, as its one-line signature."""
    if state["verbose"]:
        typer.echo(f"{role}: {signature}", err=True)
