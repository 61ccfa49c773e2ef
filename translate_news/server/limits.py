"""What one request, one key and the whole server may ask, and a refusal."""

from __future__ import annotations

from dataclasses import dataclass


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


class Refused(Exception):
    """A request answered with an error: ``status`` and one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
