"""Translation memory: a SQLite store of sentence translations.

A model's translation is keyed by a hash of the resolved signature of what translates
(model fingerprint, backend, precision, device, beams, batch budget, version) and the
source sentence, so a changed model or setting never returns a stale translation, and
two runs that resolve to the same settings share entries. A translation imported from a
translator's TMX file is keyed by the source alone and comes before any model's: an
editor's correction wins. WAL mode and a busy timeout make it safe for several
processes translating at once.

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

from .document import Flag
from .errors import FatalError

# A translation and the flags of how it was made (split-long, loop-guard).
Entry = tuple[str, tuple[Flag, ...]]
# The signature of imported translations: an editor's, for any model.
IMPORTED = "import"

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
            # origin: "model" (made under signature) or "import" (an editor's, any model).
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, "
                "origin TEXT NOT NULL, signature TEXT NOT NULL, source TEXT NOT NULL, "
                "translation TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '', "
                "created REAL NOT NULL)"
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

    def get_many(self, signature: str, sources: Iterable[str]) -> dict[str, Entry]:
        """The translations of ``sources`` known: an imported one, else one made under
        ``signature``; each with the flags of how it was made."""
        found: dict[str, Entry] = {}
        for sign in (IMPORTED, signature):
            by_key = {self._key(sign, s): s for s in sources if s not in found}
            keys = list(by_key)
            with self._errors("cannot be read"):
                for i in range(0, len(keys), 500):
                    chunk = keys[i : i + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key, translation, flags FROM entries WHERE key IN ({marks})",
                        chunk,
                    )
                    for key, translation, flags in rows:
                        kinds = tuple(Flag(kind) for kind in flags.split(",") if kind)
                        found[by_key[key]] = (translation, kinds)
        return found

    def put_many(self, signature: str, entries: dict[str, Entry], origin: str = "model") -> None:
        """Remember translations made under ``signature`` (``IMPORTED``: an editor's,
        for any model), in one transaction; concurrent writers wait their turn."""
        if not entries:
            return
        now = time.time()
        rows = [
            (self._key(signature, s), origin, signature, s, t, ",".join(f.kind for f in flags), now)
            for s, (t, flags) in entries.items()
        ]
        with self._errors("cannot be written"):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def entries(self) -> Iterator[tuple[str, str, str, str]]:
        """Every entry as (origin, signature, source, translation), oldest first."""
        with self._errors("cannot be read"):
            yield from self._db.execute(
                "SELECT origin, signature, source, translation FROM entries ORDER BY created"
            )

    def stats(self) -> dict[str, int]:
        """How many entries each signature (or the imported ones) has."""
        with self._errors("cannot be read"):
            rows = self._db.execute(
                "SELECT signature, COUNT(*) FROM entries GROUP BY signature ORDER BY 2 DESC"
            )
            return dict(rows.fetchall())

    def clear(self) -> int:
        """Forget every entry; how many there were."""
        count = len(self)
        with self._errors("cannot be written"):
            self._db.execute("DELETE FROM entries")
        return count

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    def close(self) -> None:
        self._db.close()
