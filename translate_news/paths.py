"""Where translate-news keeps its own files, resolved when called, never at import."""

from __future__ import annotations

import os
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
