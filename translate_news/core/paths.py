"""Where translate-news keeps its own files, resolved when called, never at import."""

from __future__ import annotations

import os
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


def default_memory() -> Path:
    """The translation memory's file unless one is named: ``memory.sqlite`` in the user
    cache folder."""
    return cache_root() / "memory.sqlite"


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
