"""Translation memory: a SQLite cache of sentence translations.

A sentence's key is a hash of the resolved signature of what translates (model
fingerprint, backend, precision, device, beams, batch budget, version) and the source
sentence, so a changed model or setting never returns a stale translation, and two runs
that resolve to the same settings share entries. WAL mode and a busy timeout make it safe for
several processes translating at once.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .errors import TranslateNewsError


class TranslationMemory:
    """Sentence translations keyed by signature + source text."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS memory "
                "(key TEXT PRIMARY KEY, translation TEXT NOT NULL)"
            )
        except (OSError, sqlite3.Error) as exc:
            raise TranslateNewsError(
                f"translation memory {self.path} cannot be opened ({exc}); "
                "pass --memory PATH or --no-memory"
            ) from exc

    @staticmethod
    def _key(signature: str, source: str) -> str:
        return hashlib.sha256(f"{signature}\x00{source}".encode()).hexdigest()

    def get_many(self, signature: str, sources: Iterable[str]) -> dict[str, str]:
        """The translations of ``sources`` made under ``signature`` that are known."""
        by_key = {self._key(signature, s): s for s in sources}
        found: dict[str, str] = {}
        keys = list(by_key)
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
