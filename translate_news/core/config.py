"""The configuration file: defaults for every option a command takes, kept in TOML.

The file is ``--config FILE``, else ``translate-news.toml`` in the working folder, else
``config.toml`` in the user configuration folder. It holds a table per command, keyed by
the long option names, and a ``[defaults]`` table that every command taking the option
reads::

    [defaults]
    device = "cpu"
    memory = "~/translations.sqlite"

    [translate]
    beams = 2
    format = "md"

    [summarize]
    summarizer = "lead"
    sentences = 5

Precedence: the command line, then the environment (``TRANSLATE_NEWS_MODEL``,
``TRANSLATE_NEWS_SUMMARIZER``), then the file, then the built-in default. A relative path
in the file is relative to the file's folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translate_news.core.errors import UsageError
from translate_news.core.files import parse_toml
from translate_news.core.paths import config_dir

FILE_NAME = "translate-news.toml"
# Options that an environment variable also sets; it comes before the file.
MODEL_ENV = "TRANSLATE_NEWS_MODEL"
SUMMARIZER_ENV = "TRANSLATE_NEWS_SUMMARIZER"
ENVIRONMENT = {"model": MODEL_ENV, "summarizer": SUMMARIZER_ENV}
DEFAULTS = "defaults"


@dataclass(frozen=True)
class OptionSpec:
    """What the file may set for one option: ``convert`` checks and converts a value
    (raising ValueError with a reason); a path is taken relative to the file."""

    convert: Callable[[Any], Any]
    is_path: bool = False
    param: str | None = None  # the command's parameter it sets (--format sets fmt)


@dataclass(frozen=True)
class Setting:
    """One option's value for one command, and where it came from."""

    value: Any
    source: str  # "file", "environment" or "default"


@dataclass
class Config:
    """A configuration file, read and checked against the commands it configures."""

    path: Path | None = None
    # command path ("translate", "models download") -> option name -> value
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    # command path -> option name -> the parameter it sets, where the name differs
    params: dict[str, dict[str, str]] = field(default_factory=dict)

    def default_map(self) -> dict[str, Any]:
        """The values as click's ``default_map``: nested by command, keyed by parameter;
        an option whose environment variable is set is left to the environment."""
        nested: dict[str, Any] = {}
        for command, options in self.values.items():
            node = nested
            for part in command.split():
                node = node.setdefault(part, {})
            names = self.params.get(command, {})
            for key, value in options.items():
                if not os.environ.get(ENVIRONMENT.get(key, "")):
                    node[names.get(key, key.replace("-", "_"))] = value
        return nested


def find(explicit: Path | None) -> Path | None:
    """The configuration file in use (see the module docstring), or None."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"{explicit}: no such configuration file")
        return explicit
    for candidate in (Path(FILE_NAME), config_dir() / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


Commands = dict[str, dict[str, OptionSpec]]


def load(path: Path | None, commands: Commands) -> Config:
    """Read ``path`` and check it against ``commands`` (command path -> long option name
    -> :class:`OptionSpec`). Every problem is a :class:`UsageError` naming the file, the
    table and the key."""
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read ({exc})") from None
    data = parse_toml(text, path)
    config = Config(path)
    defaults = data.pop(DEFAULTS, {})
    if not isinstance(defaults, dict):
        raise UsageError(f"{path}: [{DEFAULTS}] must be a table")
    for key, value in defaults.items():
        takers = [c for c, options in commands.items() if key in options]
        if not takers:
            raise UsageError(f"{path}: [{DEFAULTS}] {key}: no command has an option --{key}")
        for command in takers:
            _set(config, commands, command, key, value, DEFAULTS)
    for table, options in _tables(data, path):
        if table not in commands:
            known = ", ".join(sorted({DEFAULTS, *commands}))
            raise UsageError(f"{path}: [{table}] is not a command; the tables are {known}")
        for key, value in options.items():
            if key not in commands[table]:
                raise UsageError(f"{path}: [{table}] {key}: {table} has no option --{key}")
            _set(config, commands, table, key, value, table)
    return config


def _tables(data: dict[str, Any], path: Path, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """The command tables of the file; ``[models.download]`` is the command
    ``models download``."""
    found = []
    for name, value in data.items():
        if not isinstance(value, dict):
            raise UsageError(
                f"{path}: a value outside any table: {name}; put it under [{DEFAULTS}]"
            )
        options = {k: v for k, v in value.items() if not isinstance(v, dict)}
        if options or not value:
            found.append((f"{prefix}{name}", options))
        inner = {k: v for k, v in value.items() if isinstance(v, dict)}
        found += _tables(inner, path, f"{prefix}{name} ")
    return found


def _set(
    config: Config, commands: Commands, command: str, key: str, value: Any, table: str
) -> None:
    spec, path = commands[command][key], config.path
    if spec.is_path and isinstance(value, str) and path is not None:
        value = str(path.parent / Path(value).expanduser())
    try:
        converted = spec.convert(value)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{path}: [{table}] {key}: {exc}") from None
    config.values.setdefault(command, {})[key] = converted
    if spec.param is not None:
        config.params.setdefault(command, {})[key] = spec.param


def setting(config: Config, command: str, option: str, default: Any) -> Setting:
    """What ``option`` of ``command`` is, apart from the command line, and why."""
    variable = ENVIRONMENT.get(option)
    if variable and os.environ.get(variable):
        return Setting(os.environ[variable], f"environment ${variable}")
    if option in config.values.get(command, {}):
        return Setting(config.values[command][option], f"file {config.path}")
    return Setting(default, "default")
