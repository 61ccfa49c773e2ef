"""Translation memory: a SQLite store of sentence translations.

A model's translation is keyed by a hash of the resolved signature of what translates
(model fingerprint, backend, precision, device, beams, batch budget, version) and the
source sentence, so a changed model or setting never returns a stale translation, and
two runs that resolve to the same settings share entries. A translation imported from a
translator's TMX file is keyed by the source alone and comes before any model's: an
editor's correction wins. WAL mode and a busy timeout make it safe for several
processes translating at once; each thread that uses it gets its own connection (a
server's worker threads, a Ray actor's), since a SQLite connection belongs to the thread
that made it. WAL needs memory shared between the processes of one machine, so a memory
on a network file system (NFS, SMB, ...) is refused in one line (SQLite's documentation:
WAL "does not work over a network filesystem").

The memory defends itself: its integrity is checked when it opens, and a damaged file
is moved aside (``memory.sqlite.damaged-<time>``, never over an earlier copy) with a
warning, the run going on with a fresh one. Any other SQLite error is one
:class:`~translate_news.core.errors.MemoryUnusable` line (a :class:`FatalError`), never a traceback.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from translate_news.core.document import Confidence, Flag, ShortlistCheck
from translate_news.core.errors import MemoryUnusable
from translate_news.core.files import special_kind


class Entry(NamedTuple):
    """A translation, the flags of how it was made (split-long, loop-guard) and the
    model's confidence in it (None for an editor's)."""

    translation: str
    flags: tuple[Flag, ...] = ()
    confidence: Confidence | None = None
    shortlist: ShortlistCheck | None = None  # the shortlist guard's, when one was used


# The signature of imported translations: an editor's, for any model.
IMPORTED = "import"

_log = logging.getLogger(__name__)
# SQLite's result codes for a file that is damaged or not a database at all.
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
# Where the kernel lists what is mounted, and the file systems that are not on this
# machine (SQLite's WAL cannot work there).
MOUNTS = Path("/proc/self/mounts")
NETWORK_FILESYSTEMS = frozenset(
    """nfs nfs4 cifs smb3 smbfs 9p afs ceph glusterfs lustre gpfs beegfs orangefs ncpfs
    davfs fuse.sshfs fuse.s3fs fuse.gcsfuse fuse.rclone fuse.glusterfs fuse.juicefs
    fuse.cephfs""".split()
)


def filesystem_type(path: Path) -> str | None:
    """The type of the file system ``path`` is (or would be) on, from the mount table;
    None where there is no mount table to read (not Linux)."""
    try:
        table = MOUNTS.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    place = path.absolute()
    while not place.exists() and place != place.parent:
        place = place.parent
    target = os.path.realpath(place)
    found, longest = None, -1
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        # The table escapes spaces and the like as octal (\040).
        point = fields[1].encode().decode("unicode_escape")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > longest:
            found, longest = fields[2], len(point)
    return found


def check_local(path: str | Path) -> None:
    """Refuse a memory on a network file system, in one line."""
    kind = filesystem_type(Path(path))
    if kind in NETWORK_FILESYSTEMS:
        raise MemoryUnusable(
            f"translation memory {path} is on a network file system ({kind}), where "
            "SQLite's WAL mode does not work; pass --memory PATH on a local disk, or "
            "--no-memory"
        )


def _confidence(stored: str) -> Confidence | None:
    """A row's confidence: its words and their log-probabilities, kept as JSON."""
    if not stored:
        return None
    try:
        return Confidence(tuple((str(word), float(score)) for word, score in json.loads(stored)))
    except (ValueError, TypeError):  # not as we wrote it: as if there were none
        return None


def _shortlist(stored: str) -> ShortlistCheck | None:
    """A row's shortlist guard result, kept as JSON."""
    if not stored:
        return None
    try:
        found = json.loads(stored)
        status, mass = found["status"], float(found["mass"])
    except (ValueError, TypeError, KeyError):  # not as we wrote it: as if there were none
        return None
    return ShortlistCheck(status, mass) if status in ("verified", "redone") else None


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
        check_local(self.path)
        kind = special_kind(self.path)
        if kind is not None:  # SQLite would open a device, and leave its journal beside it
            raise MemoryUnusable(
                f"translation memory {self.path} is {kind}, not a regular file; "
                "pass --memory PATH for a file, or --no-memory"
            )
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        with self._errors("cannot be opened"):
            try:
                db = self._open(check=True)
            except (_Damaged, sqlite3.DatabaseError) as exc:
                if not _is_damage(exc):
                    raise
                aside = self._move_aside()
                _log.warning(
                    "translation memory %s is damaged (%s); moved it to %s and started a new one",
                    self.path,
                    str(exc).splitlines()[0][:200],
                    aside.name,
                )
                db = self._open(check=True)
        self._adopt(db)

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection, made on its first use (the file was checked when
        the memory opened)."""
        db = getattr(self._local, "db", None)
        if db is None:
            with self._errors("cannot be opened"):
                db = self._open(check=False)
            self._adopt(db)
        return db

    def _adopt(self, db: sqlite3.Connection) -> None:
        self._local.db = db
        with self._lock:
            self._connections.append(db)

    def _open(self, check: bool) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread off only so that close() may close every thread's
        # connection; each is used by the thread that made it.
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if not check:
                return db
            problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                first = (problems[0].splitlines() or ["?"])[-1] if problems else "?"
                raise _Damaged(f"{len(problems)} problems found; the first: {first}")
            # origin: "model" (made under signature) or "import" (an editor's, any model).
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, "
                "origin TEXT NOT NULL, signature TEXT NOT NULL, source TEXT NOT NULL, "
                "translation TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '', "
                "created REAL NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS entries_source ON entries (source)")
            columns = {row[1] for row in db.execute("PRAGMA table_info(entries)")}
            for column in ("confidence", "shortlist"):  # a memory from before 0.4: none
                if column not in columns:
                    db.execute(f"ALTER TABLE entries ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self) -> Path:
        """Move the damaged file (and its WAL companions) to a name no earlier copy has:
        a hard link to a new name never replaces an existing file, as a rename would."""
        stamp = f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
        for attempt in itertools.count(1):
            aside = self.path.with_name(stamp if attempt == 1 else f"{stamp}-{attempt}")
            try:
                os.link(self.path, aside)
            except FileExistsError:
                continue
            break
        self.path.unlink()
        for suffix in ("-wal", "-shm"):
            companion = Path(f"{self.path}{suffix}")
            if companion.exists():
                companion.replace(f"{aside}{suffix}")
        return aside

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """SQLite and file errors as one line that says what to do."""
        try:
            yield
        except (OSError, sqlite3.Error) as exc:
            raise MemoryUnusable(
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
            with self._errors("cannot be read"):
                select = "SELECT key, translation, flags, confidence, shortlist FROM entries"
                rows = self._rows_where_in(select, "key", list(by_key))
                for key, translation, flags, scores, guard in rows:
                    kinds = tuple(Flag(kind) for kind in flags.split(",") if kind)
                    sure, check = _confidence(scores), _shortlist(guard)
                    found[by_key[key]] = Entry(translation, kinds, sure, check)
        return found

    def _rows_where_in(self, select: str, column: str, values: list[str]) -> Iterator[Any]:
        """The rows of ``select`` whose ``column`` is one of ``values``, asked for 500 at a
        time (SQLite bounds the parameters of one statement)."""
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(f"{select} WHERE {column} IN ({marks})", chunk)

    def put_many(
        self,
        signature: str,
        entries: dict[str, Entry] | dict[str, tuple[str, tuple[Flag, ...]]],
        origin: str = "model",
    ) -> None:
        """Remember translations made under ``signature`` (``IMPORTED``: an editor's,
        for any model), in one transaction; concurrent writers wait their turn."""
        if not entries:
            return
        now = time.time()
        rows = []
        for source, value in entries.items():
            entry = Entry(*value)
            kinds = ",".join(f.kind for f in entry.flags)
            key = self._key(signature, source)
            scores = "" if entry.confidence is None else json.dumps(entry.confidence.words)
            guard = "" if entry.shortlist is None else json.dumps(entry.shortlist.as_dict())
            row = (key, origin, signature, source, entry.translation, kinds, now, scores, guard)
            rows.append(row)
        insert = (
            "INSERT OR REPLACE INTO entries (key, origin, signature, source, translation, "
            "flags, created, confidence, shortlist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        with self._errors("cannot be written"):
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(insert, rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def held(self, sources: Iterable[str]) -> dict[str, dict[str, str]]:
        """What the memory holds for each of ``sources``: signature -> translation."""
        found: dict[str, dict[str, str]] = {}
        select = "SELECT source, signature, translation FROM entries"
        with self._errors("cannot be read"):
            for source, signature, translation in self._rows_where_in(
                select, "source", list(dict.fromkeys(sources))
            ):
                found.setdefault(source, {})[signature] = translation
        return found

    def merge(self, units: Iterable[tuple[str, str, str | None, str | None]]) -> tuple[int, int]:
        """Import (source, translation, origin, signature) units, as a TMX file holds
        them, keeping the promise that an editor's correction comes first and only an
        editor's does: a unit whose English the memory already holds for that sentence
        is left as it is; one our export wrote as a model's translation, under a
        signature the memory has nothing for, is kept as that model's (another node's
        memory, merged); any other is an editor's correction, for any model. Returns
        (corrections, model translations added)."""
        units = list(units)
        held = self.held(u[0] for u in units)
        corrections: dict[str, Entry] = {}
        models: dict[str, dict[str, Entry]] = {}
        for source, translation, origin, signature in units:
            mine = held.get(source, {})
            if translation in mine.values():
                continue
            if origin == "model" and signature and signature != IMPORTED and signature not in mine:
                models.setdefault(signature, {})[source] = Entry(translation)
            else:
                corrections[source] = Entry(translation)
        self.put_many(IMPORTED, corrections, origin="import")
        for signature, entries in models.items():
            self.put_many(signature, entries)
        return len(corrections), sum(len(e) for e in models.values())

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

    def check(self) -> None:
        """Raise :class:`MemoryUnusable` unless the memory can be read now (for /health)."""
        with self._errors("cannot be read"):
            self._db.execute("SELECT 1 FROM entries LIMIT 1").fetchall()

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            connections, self._connections = self._connections, []
        for db in connections:
            db.close()
        self._local = threading.local()
