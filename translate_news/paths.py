"""Where translate-news keeps its own files, resolved when called, never at import."""

from __future__ import annotations

import os
import stat
from pathlib import Path

CACHE_ENV = "TRANSLATE_NEWS_CACHE_DIR"


def cache_root() -> Path:
    """The user cache folder: ``$TRANSLATE_NEWS_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or
    ``~/.cache``, then ``translate-news``. Holds the translation memory and conversions
    of models whose own folder is not writable."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "translate-news"


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
