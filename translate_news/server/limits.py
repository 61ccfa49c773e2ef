"""What one request, one key and the whole server may ask, and a refusal."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_news.core.errors import UsageError
from translate_news.core.files import read_regular

KEYS_ENV = "TRANSLATE_NEWS_API_KEYS"  # keys, comma-separated, beside or instead of a file
KEYS_FILE_LIMIT = 1_000_000  # bytes: a keys file larger than this is not a keys file


@dataclass(frozen=True)
class ServerLimits:
    """What one request, one key and the whole server may ask (see the module doc)."""

    char_limit: int = 20_000  # per text (LibreTranslate's --char-limit)
    batch_limit: int = 1_000  # texts per request (LibreTranslate's --batch-limit)
    body_limit: int = 2_000_000
    timeout: float = 120.0
    read_timeout: float = 30.0  # seconds a client may take to send its body
    queue_limit: int = 20_000
    window: float = 0.01
    api_keys: frozenset[str] = frozenset()
    # Without a key a request is served unless keys are required (for every origin, or
    # for origins that do not match this regular expression: LibreTranslate's option).
    require_api_key: bool = False
    require_api_key_origin: str | None = None
    requests_per_minute: int = 0  # per key (per client address without one); 0: no limit
    cors_origins: tuple[str, ...] = ("*",)
    suggestions: bool = False  # POST /suggest writes editors' corrections to the memory

    @property
    def keys_required(self) -> bool:
        """Whether some requests without a key are refused."""
        return bool(self.api_keys) and (self.require_api_key or bool(self.require_api_key_origin))


def configured_limits(keys_file: Path | None, **settings: Any) -> ServerLimits:
    """The limits ``serve`` runs with: the API keys of ``keys_file`` and of
    ``$TRANSLATE_NEWS_API_KEYS``, and ``settings`` (:class:`ServerLimits` fields), checked:
    requiring keys needs some, and an origin pattern must be a regular expression."""
    keys = set(filter(None, os.environ.get(KEYS_ENV, "").split(",")))
    if keys_file is not None:
        keys |= read_keys(keys_file)
    pattern = settings.get("require_api_key_origin")
    if (settings.get("require_api_key") or pattern) and not keys:
        raise UsageError("--require-api-key and --require-api-key-origin need --api-keys")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UsageError(
                f"--require-api-key-origin: not a regular expression ({exc})"
            ) from None
    return ServerLimits(api_keys=frozenset(keys), **settings)


def read_keys(path: Path) -> set[str]:
    """The keys of a keys file: one per line, blank lines and ``#`` comments left out."""
    data = read_regular(path, KEYS_FILE_LIMIT, "an API keys file", UsageError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text, not an API keys file") from None
    lines = (line.strip() for line in text.splitlines())
    return {line for line in lines if line and not line.startswith("#")}


class Refused(Exception):
    """A request answered with an error: ``status`` and one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
