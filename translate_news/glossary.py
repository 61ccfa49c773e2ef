"""A glossary: how names and terms must come out in English.

Two kinds of entry: a source term and the English the translation must contain
(``Kiev`` → ``Kyiv``), and a term to keep as it is (``Élysée``, a name, a brand). Terms
match on word boundaries; accents always count, and case counts when the term has a
capital letter (``Renaissance`` the party, not ``renaissance``).

Finding the terms takes time that grows with the text, not with the glossary: the terms
are indexed by their tokens (runs of letters and digits, and single other characters),
each sentence's token n-grams are looked up, and a candidate is confirmed with the term's
own pattern (so the rules above hold exactly).

The file is TSV (``source<TAB>English`` per line; a line with the source alone keeps
it; ``#`` starts a comment) or TOML::

    keep = ["Élysée", "Renaissance"]

    [terms]
    Kiev = "Kyiv"
    "Assemblée nationale" = "National Assembly"
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, UsageError

GLOSSARY_LIMIT = 50_000_000  # bytes: a larger file is not a glossary
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Term:
    """One entry: ``source`` in the French asks for ``english`` in the English."""

    source: str
    english: str

    @property
    def keep(self) -> bool:
        return self.source == self.english


def _cased(term: str) -> bool:
    """Whether case counts for ``term``: it has a capital letter."""
    return any(c.isupper() for c in term)


def _pattern(term: str) -> re.Pattern[str]:
    flags = 0 if _cased(term) else re.IGNORECASE
    body = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


class _Index:
    """Phrases found by their tokens: ``find(text)`` is the set of phrases in ``text``,
    by the rules of :func:`_pattern`, in time that grows with the text."""

    def __init__(self, phrases: set[str]) -> None:
        self._cased: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self._folded: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for phrase in phrases:
            tokens = tuple(_TOKEN.findall(phrase))
            if _cased(phrase):
                self._cased[tokens].append(phrase)
            else:
                self._folded[tuple(t.lower() for t in tokens)].append(phrase)
        self._lengths = sorted({len(k) for k in (*self._cased, *self._folded)})
        self._patterns: dict[str, re.Pattern[str]] = {}

    def pattern(self, phrase: str) -> re.Pattern[str]:
        found = self._patterns.get(phrase)
        if found is None:
            found = self._patterns[phrase] = _pattern(phrase)
        return found

    def find(self, text: str) -> set[str]:
        matches = list(_TOKEN.finditer(text))
        tokens = [m.group() for m in matches]
        folded = [t.lower() for t in tokens]
        found: set[str] = set()
        for i, match in enumerate(matches):
            for n in self._lengths:
                if i + n > len(tokens):
                    break
                for phrase in (
                    *self._cased.get(tuple(tokens[i : i + n]), ()),
                    *self._folded.get(tuple(folded[i : i + n]), ()),
                ):
                    if phrase not in found and self.pattern(phrase).match(text, match.start()):
                        found.add(phrase)
        return found

    def has(self, phrase: str, text: str) -> bool:
        return self.pattern(phrase).search(text) is not None


class Glossary:
    """Terms checked in every translated sentence (and in summaries)."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = tuple(terms)
        self._by_source: dict[str, list[Term]] = defaultdict(list)
        for term in self.terms:
            self._by_source[term.source].append(term)
        self._order = {source: i for i, source in enumerate(self._by_source)}
        self._index = _Index(set(self._by_source))
        text = "\n".join(f"{t.source}\t{t.english}" for t in self.terms)
        self.digest = hashlib.sha256(text.encode()).hexdigest()[:12]

    def _found(self, text: str) -> list[Term]:
        """The terms whose source is in ``text``, in the glossary's order."""
        sources = sorted(self._index.find(text), key=self._order.__getitem__)
        return [term for source in sources for term in self._by_source[source]]

    @classmethod
    def load(cls, path: str | Path) -> Glossary:
        """Read a TSV or TOML glossary (by its suffix: ``.toml``, else TSV)."""
        path = Path(path)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):  # a FIFO would hang, a device never end
                raise InputError(f"{path}: a glossary must be a regular file")
            if info.st_size > GLOSSARY_LIMIT:
                raise InputError(f"{path}: larger than {GLOSSARY_LIMIT // 1_000_000} MB")
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{path}: no such glossary file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
        terms = _toml(text, path) if path.suffix.lower() == ".toml" else _tsv(text, path)
        if not terms:
            raise UsageError(f"{path}: the glossary has no terms")
        return cls(terms)

    def missing(self, source: str, english: str) -> list[str]:
        """The English terms ``english`` lacks for the glossary terms ``source`` has."""
        return [t.english for t in self._found(source) if not self._index.has(t.english, english)]

    def wrong_forms(self, source: str, english: str) -> list[str]:
        """The English terms a text written from ``source`` (a summary) should use but
        does not: it has the source form of a term the glossary changes."""
        written = self._index.find(english)
        return [
            t.english
            for t in self._found(source)
            if not t.keep and t.source in written and not self._index.has(t.english, english)
        ]


def _tsv(text: str, path: Path) -> list[Term]:
    terms = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        source, _, english = line.partition("\t")
        if "\t" in english:
            raise UsageError(f"{path}:{number}: one tab per line: source, then English")
        source, english = source.strip(), english.strip() or source.strip()
        if not source:
            raise UsageError(f"{path}:{number}: no source term before the tab")
        terms.append(Term(source, english))
    return terms


def _toml(text: str, path: Path) -> list[Term]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"keep", "terms"}
    if unknown:
        raise UsageError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; use keep, terms")
    keep, table = data.get("keep", []), data.get("terms", {})
    if not isinstance(keep, list) or not all(isinstance(k, str) and k.strip() for k in keep):
        raise UsageError(f"{path}: keep must be a list of terms")
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise UsageError(f'{path}: [terms] must map each term to its English ("Kiev" = "Kyiv")')
    if any(not source.strip() for source in table):
        raise UsageError(f"{path}: [terms] has an empty term")
    return [Term(k.strip(), k.strip()) for k in keep] + [
        Term(s.strip(), e.strip() or s.strip()) for s, e in table.items()
    ]
