"""Where translate-news keeps its own files, resolved when called, never at import."""

from __future__ import annotations

import os
import stat
from pathlib import Path

CACHE_ENV = "TRANSLATE_NEWS_CACHE_DIR"
MODELS_DIR_ENV = "TRANSLATE_NEWS_MODELS_DIR"
CONFIG_ENV = "TRANSLATE_NEWS_CONFIG_DIR"
APP = "translate-news"


def cache_root() -> Path:
    """The user cache folder: ``$TRANSLATE_NEWS_CACHE_DIR``, else the platform's
    (``~/.cache/translate-news`` on Linux). Holds the translation memory and conversions
    of models whose own folder is not writable."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def user_models_dir() -> Path:
    """Where ``translate-news models download`` puts models, and the first place looked:
    ``$TRANSLATE_NEWS_MODELS_DIR``, else the user data folder's ``models``
    (``~/.local/share/translate-news/models`` on Linux)."""
    explicit = os.environ.get(MODELS_DIR_ENV)
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False)) / "models"


def config_dir() -> Path:
    """The user configuration folder: ``$TRANSLATE_NEWS_CONFIG_DIR``, else
    ``~/.config/translate-news`` on Linux."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def hf_cache_dir() -> Path:
    """The Hugging Face cache as the environment says now (``HF_HUB_CACHE``, else
    ``HF_HOME/hub``, else ``~/.cache/huggingface/hub``); huggingface_hub itself reads
    these once, when it is first imported."""
    explicit = os.environ.get("HF_HUB_CACHE")
    if explicit:
        return Path(explicit)
    home = os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface"
    return Path(home) / "hub"


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
