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
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from translate_news.core.errors import InputError, UsageError
from translate_news.core.files import parse_toml, read_regular

GLOSSARY_LIMIT = 50_000_000  # bytes: a larger file is not a glossary
_TOKEN = re.compile(r"\w+|[^\w\s]")


class Term(NamedTuple):
    """One entry: ``source`` in the French asks for ``english`` in the English (a tuple:
    a glossary of 100,000 terms is made in a blink)."""

    source: str
    english: str

    @property
    def keep(self) -> bool:
        return self.source == self.english


def _cased(term: str) -> bool:
    """Whether case counts for ``term``: it has a capital letter."""
    return term.lower() != term


def _pattern(term: str) -> re.Pattern[str]:
    flags = 0 if _cased(term) else re.IGNORECASE
    body = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


class _Index:
    """Phrases found by their tokens: ``find(text)`` is the set of phrases in ``text``,
    by the rules of :func:`_pattern`, in time that grows with the text."""

    def __init__(self, phrases: Iterable[str]) -> None:
        cased: dict[tuple[str, ...], list[str]] = {}
        folded: dict[tuple[str, ...], list[str]] = {}
        tokens = _TOKEN.findall
        for phrase in phrases:  # the hot loop of a large glossary's load: kept lean
            lowered = phrase.lower()
            into = cased if lowered != phrase else folded  # cased: it has a capital
            key = tuple(tokens(phrase if into is cased else lowered))
            same = into.get(key)
            if same is None:
                into[key] = [phrase]
            else:
                same.append(phrase)
        self._cased, self._folded = cased, folded
        self._lengths = sorted({*map(len, cased), *map(len, folded)})
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
        self._by_source: dict[str, list[Term]] = {}  # in the glossary's order
        for term in self.terms:
            found = self._by_source.get(term.source)
            if found is None:
                self._by_source[term.source] = [term]
            else:
                found.append(term)
        self._order = dict(zip(self._by_source, range(len(self._by_source))))
        self._index = _Index(self._by_source)
        text = "\n".join(["\t".join(t) for t in self.terms])
        self.digest = hashlib.sha256(text.encode()).hexdigest()[:12]

    def _found(self, text: str) -> list[Term]:
        """The terms whose source is in ``text``, in the glossary's order."""
        sources = sorted(self._index.find(text), key=self._order.__getitem__)
        return [term for source in sources for term in self._by_source[source]]

    @classmethod
    def load(cls, path: str | Path) -> Glossary:
        """Read a TSV or TOML glossary (by its suffix: ``.toml``, else TSV)."""
        path = Path(path)
        if not path.exists():
            raise InputError(f"{path}: no such glossary file")
        data = read_regular(path, GLOSSARY_LIMIT, "a glossary", InputError)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
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
    terms: list[Term] = []
    add = terms.append
    for number, line in enumerate(text.splitlines(), 1):
        source, tab, english = line.partition("\t")
        source = source.strip()
        if not tab:
            if source and source[0] != "#":  # a term to keep as it is
                add(Term(source, source))
            continue
        if source.startswith("#"):
            continue
        if "\t" in english:
            raise UsageError(f"{path}:{number}: one tab per line: source, then English")
        if not source:
            raise UsageError(f"{path}:{number}: no source term before the tab")
        add(Term(source, english.strip() or source))
    return terms


def _toml(text: str, path: Path) -> list[Term]:
    data = parse_toml(text, path)
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
