"""The shell every command runs in: the click group, the option groups each command takes
(:func:`command`), the configuration file read into click's default map, and errors
turned into one line. Data goes to stdout, diagnostics to stderr.

Options that several commands take are declared once, as a :class:`Group` of click
options (see :mod:`.groups`) with the function that builds their object. A command
names its groups in ``@command(...)``, which adds their options to the click command
and hands the command each built object. Only click's public API: no signature is
rewritten.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from translate_news.core.errors import TranslateNewsError, UsageError
from translate_news.core.options import check_device

F = TypeVar("F", bound=Callable[..., Any])
state: dict[str, Any] = {"verbose": False, "quiet": False, "set_env": []}

# Every option's default is shown in --help, as the options themselves say it.
SETTINGS = {"show_default": True, "max_content_width": 100}


def _version(ctx: click.Context, param: click.Parameter, show: bool) -> None:
    if show and not ctx.resilient_parsing:
        from translate_news._version import __version__

        click.echo(f"translate-news {__version__}")
        ctx.exit()


@click.group(name="translate-news", context_settings=SETTINGS)
@click.option("--verbose", "-v", is_flag=True, help="Show what runs, tracebacks and library logs.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Configuration file (default: ./translate-news.toml, then the user one).",
)
@click.option(
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_version,
    help="Print the version.",
)
@click.pass_context
def app(ctx: click.Context, verbose: bool, quiet: bool, config: Path | None) -> None:
    """Translate French news into English, offline, on CPU or GPU."""
    from translate_news.core import config as configuration

    state.update(verbose=verbose, quiet=quiet)
    try:
        loaded = configuration.load(configuration.find(config), _option_specs(ctx))
    except UsageError as exc:
        click.echo(f"translate-news: error: {exc}", err=True)
        ctx.exit(2)
    state["config"] = loaded
    ctx.default_map = loaded.default_map()


def group(name: str, help: str) -> click.Group:
    """A group of commands under the main one (``models``, ``memory``, ...)."""
    return app.group(name=name, help=help, no_args_is_help=True)(lambda: None)


def _option_specs(ctx: click.Context) -> dict[str, dict[str, Any]]:
    """Every command's long options, as the configuration file may set them."""
    from translate_news.core.config import OptionSpec

    specs: dict[str, dict[str, Any]] = {}
    for path, command in commands(ctx.command):
        options = specs.setdefault(path, {})
        for param, key in settable(command):
            convert = functools.partial(_convert, param)
            options[key] = OptionSpec(convert, isinstance(param.type, click.Path), param.name)
    return specs


def commands(group: Any, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    """Each command under ``group`` with its path (``models download``)."""
    for name, command in getattr(group, "commands", {}).items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def settable(command: click.Command) -> Iterator[tuple[click.Option, str]]:
    """The options of ``command`` a configuration file may set, with their long name."""
    for param in command.params:
        long = [o for o in param.opts if o.startswith("--")]
        if isinstance(param, click.Option) and not param.hidden and long:
            yield param, long[0][2:]


def default_of(param: click.Option) -> Any:
    """The option's default as a value: False for a flag and None for anything else where
    it was given none (click 8.3 and later mark that with an object of their own)."""
    value = param.default
    if isinstance(value, (str, int, float, list, tuple, Path)) or value is None:
        return value
    return False if param.is_flag else None


def _convert(param: click.Option, value: Any) -> Any:
    """A value from the configuration file, checked as the command line would check it."""
    if param.multiple:
        if not isinstance(value, list):
            raise ValueError('expected a list, such as ["a", "b"]')
        return [_convert_one(param, v) for v in value]
    return _convert_one(param, value)


def _convert_one(param: click.Option, value: Any) -> Any:
    kind = param.type
    if isinstance(kind, click.Choice):
        if value not in kind.choices:
            raise ValueError(f"{value!r} is not one of {', '.join(map(str, kind.choices))}")
    elif isinstance(kind, click.types.BoolParamType):
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
    elif isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        whole = isinstance(kind, click.types.IntParamType)
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            raise ValueError(f"expected a {'whole ' if whole else ''}number, got {value!r}")
        low = getattr(kind, "min", None)
        if low is not None and value < low:
            raise ValueError(f"must be at least {low}, got {value}")
    elif not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    elif param.name == "device":  # not a fixed choice: cuda:N
        check_device(value)
    return value


@dataclass(frozen=True)
class Group:
    """Options several commands take, declared once as click options (made anew for
    each command), and ``build``, which turns their values into the object the command
    receives."""

    options: Callable[[], list[click.Option]]
    build: Callable[..., Any]


def _flags() -> list[click.Option]:
    return [
        click.Option(
            ["--verbose", "-v"], is_flag=True, help="Show what runs, tracebacks and library logs."
        ),
        click.Option(["--quiet", "-q"], is_flag=True, help="Print errors only."),
    ]


def _set_flags(*, verbose: bool, quiet: bool) -> None:
    """-v and -q, accepted after the subcommand too."""
    state.update(verbose=state["verbose"] or verbose, quiet=state["quiet"] or quiet)


FLAGS = Group(_flags, _set_flags)


def command(
    *,
    on: click.Group = app,
    name: str | None = None,
    progress_bars: bool = False,
    **groups: Group,
) -> Callable[[F], F]:
    """Register a click command (on ``on``, the main group or one of its groups) from a
    function decorated with its own click options: each keyword names a :class:`Group`
    whose options the command also takes (after its own; -v and -q last) and the
    parameter that receives the group's built object. The project's own errors become
    one line on stderr (a traceback with -v); with ``progress_bars`` the libraries'
    progress bars stay on (a download)."""

    def decorate(function: F) -> F:
        members = {**groups, "": FLAGS}

        @functools.wraps(function)
        def run(**values: Any) -> Any:
            try:
                built = {
                    key: member.build(**{k: values.pop(k) for k in _names(member)})
                    for key, member in members.items()
                }
                built.pop("")
                _configure_logging(progress_bars)
                return function(**values, **built)
            except TranslateNewsError as exc:
                if state["verbose"]:
                    raise
                click.echo(f"translate-news: error: {exc}", err=True)
                raise click.exceptions.Exit(2 if isinstance(exc, UsageError) else 1) from None
            finally:  # the stream the handler writes to is the command's own
                logging.getLogger().handlers.clear()
                while state["set_env"]:
                    os.environ.pop(state["set_env"].pop(), None)

        made = on.command(name=name)(run)
        for member in members.values():
            made.params.extend(member.options())
        return function

    return decorate


def _names(member: Group) -> list[str]:
    return [str(option.name) for option in member.options()]


class _Formatter(logging.Formatter):
    """The library's news as ``translate-news: ...`` (what it is doing: a download, a
    conversion) and ``translate-news: warning: ...``, like the errors."""

    def format(self, record: logging.LogRecord) -> str:
        label = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        return f"translate-news: {label}{record.getMessage()}"


def _configure_logging(progress_bars: bool = False) -> None:
    verbose, quiet = state["verbose"], state["quiet"]
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # What the tool itself is doing (a one-time conversion, say) is worth a line.
    logging.getLogger("translate_news").setLevel(logging.ERROR if quiet else logging.INFO)
    if not verbose:
        # Quieter libraries for this command only (the wrapper puts them back).
        quieter = [("TRANSFORMERS_VERBOSITY", "error")]
        if not progress_bars:
            quieter.append(("HF_HUB_DISABLE_PROGRESS_BARS", "1"))
        for name, value in quieter:
            if name not in os.environ:
                os.environ[name] = value
                state["set_env"].append(name)
        warnings.filterwarnings("ignore", module="transformers")
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)


def say(message: str) -> None:
    """A progress or status line on stderr, unless -q."""
    if not state["quiet"]:
        click.echo(message, err=True)


def show_signature(role: str, signature: object) -> None:
    """With -v, what will run, as its one-line signature."""
    if state["verbose"]:
        click.echo(f"{role}: {signature}", err=True)
