"""Translation memory: a SQLite cache of sentence translations.

A sentence's key is a hash of the resolved signature of what translates (model
fingerprint, backend, precision, device, beams, batch budget, version) and the source
sentence, so a changed model or setting never returns a stale translation, and two runs
that resolve to the same settings share entries. WAL mode and a busy timeout make it
safe for several processes translating at once.

The memory defends itself: its integrity is checked when it opens, and a damaged file
is moved aside (``memory.sqlite.damaged-<time>``) with a warning, the run going on with
a fresh one. Any other SQLite error is one :class:`FatalError` line, never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import FatalError

_log = logging.getLogger(__name__)
# SQLite's result codes for a file that is damaged or not a database at all.
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class _Damaged(Exception):
    """The database opened but failed its integrity check."""


def _is_damage(exc: Exception) -> bool:
    """Whether ``exc`` says the file is damaged (not busy, locked or unreadable)."""
    if isinstance(exc, _Damaged):
        return True
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11 and later
    if code is not None:
        return code in _DAMAGED
    return "not a database" in str(exc) or "malformed" in str(exc)


class TranslationMemory:
    """Sentence translations keyed by signature + source text."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._errors("cannot be opened"):
            try:
                self._db = self._open()
            except (_Damaged, sqlite3.DatabaseError) as exc:
                if not _is_damage(exc):
                    raise
                aside = self._move_aside()
                _log.warning(
                    "translation memory %s is damaged (%s); moved it to %s and started a new one",
                    self.path,
                    exc,
                    aside.name,
                )
                self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            (status,) = db.execute("PRAGMA quick_check").fetchone()
            if status != "ok":
                raise _Damaged(status)
            db.execute(
                "CREATE TABLE IF NOT EXISTS memory "
                "(key TEXT PRIMARY KEY, translation TEXT NOT NULL)"
            )
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self) -> Path:
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            companion = Path(f"{self.path}{suffix}")
            if companion.exists():
                companion.rename(f"{aside}{suffix}")
        return aside

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """SQLite and file errors as one line that says what to do."""
        try:
            yield
        except (OSError, sqlite3.Error) as exc:
            raise FatalError(
                f"translation memory {self.path} {what} ({exc}); "
                "pass --memory PATH for another file, or --no-memory"
            ) from exc

    @staticmethod
    def _key(signature: str, source: str) -> str:
        return hashlib.sha256(f"{signature}\x00{source}".encode()).hexdigest()

    def get_many(self, signature: str, sources: Iterable[str]) -> dict[str, str]:
        """The translations of ``sources`` made under ``signature`` that are known."""
        by_key = {self._key(signature, s): s for s in sources}
        found: dict[str, str] = {}
        keys = list(by_key)
        with self._errors("cannot be read"):
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, translation FROM memory WHERE key IN ({marks})", chunk
                )
                for key, translation in rows:
                    found[by_key[key]] = translation
        return found

    def put_many(self, signature: str, pairs: dict[str, str]) -> None:
        """Remember translations made under ``signature`` (one transaction; concurrent
        writers wait their turn)."""
        if not pairs:
            return
        rows = [(self._key(signature, s), t) for s, t in pairs.items()]
        with self._errors("cannot be written"):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR REPLACE INTO memory VALUES (?, ?)", rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM memory").fetchone()[0]

    def close(self) -> None:
        self._db.close()
