"""Files read and written safely: what is not a regular file is named, a read is bounded,
and a write goes through a temporary file and a rename, so no reader sees half a file."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

from translate_news.core.errors import OutputError, UsageError

# Lone surrogates (a file name that is not UTF-8, read with surrogateescape) cannot be
# encoded; they are written as U+FFFD.
SURROGATE = re.compile("[\ud800-\udfff]")


def special_kind(path: Path, *, follow_links: bool = True) -> str | None:
    """What ``path`` is when it is there but not a regular file ("a folder", "a FIFO",
    "a socket", "a device", "a symbolic link" when links are not followed); None when it
    is a regular file or absent. Reading a FIFO or a device could wait forever, and
    replacing a link or a device would destroy what the user had there."""
    try:
        mode = path.stat().st_mode if follow_links else path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def read_regular(path: Path, limit: int, what: str, error: type[Exception]) -> bytes:
    """The bytes of ``path``, which must be a regular file (a FIFO would hang, a device
    never end) of at most ``limit`` bytes; else ``error`` with one line naming it as
    ``what`` ("a glossary")."""
    kind = special_kind(path)
    if kind is not None:
        raise error(f"{path}: {what} must be a regular file, not {kind}")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise error(f"{path}: larger than {limit / 1e6:g} MB, not {what}")
    return data


def write_atomic(path: str | os.PathLike[str], text: str | bytes, *, force: bool = False) -> None:
    """Write UTF-8 ``text`` (or bytes, as they are) to ``path`` through a temporary file
    and a rename in the same folder, so a reader never sees half a file. An existing
    regular file is replaced only with ``force``; a link, folder, FIFO or device there is
    never replaced."""
    path = Path(path)
    kind = special_kind(path, follow_links=False)
    if kind is not None:
        raise OutputError(f"{path}: is {kind}, not a file; refusing to replace it")
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: folder {path.parent} does not exist")
    # In text, a name that is not UTF-8 is shown as such.
    data = SURROGATE.sub("\ufffd", text).encode("utf-8") if isinstance(text, str) else text
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            why = exc.strerror or type(exc).__name__
            raise OutputError(f"{path}: cannot be written ({why})", exc.errno) from exc
        raise


def parse_toml(text: str, path: Path) -> dict:
    """``text`` read as TOML (the standard library's ``tomllib``, or ``tomli`` on Python
    3.10); a file that is not valid TOML is one :class:`UsageError` naming ``path``."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser, as a package
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
