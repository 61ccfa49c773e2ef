"""A glossary: how names and terms must come out in English.

Two kinds of entry: a source term and the English the translation must contain
(``Kiev`` → ``Kyiv``), and a term to keep as it is (``Élysée``, a name, a brand). Terms
match on word boundaries; accents always count, and case counts when the term has a
capital letter (``Renaissance`` the party, not ``renaissance``).

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
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, UsageError


@dataclass(frozen=True)
class Term:
    """One entry: ``source`` in the French asks for ``english`` in the English."""

    source: str
    english: str

    @property
    def keep(self) -> bool:
        return self.source == self.english


def _pattern(term: str) -> re.Pattern[str]:
    flags = 0 if any(c.isupper() for c in term) else re.IGNORECASE
    body = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


class Glossary:
    """Terms checked in every translated sentence (and in summaries)."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = tuple(terms)
        self._patterns = [(t, _pattern(t.source), _pattern(t.english)) for t in self.terms]
        text = "\n".join(f"{t.source}\t{t.english}" for t in self.terms)
        self.digest = hashlib.sha256(text.encode()).hexdigest()[:12]

    @classmethod
    def load(cls, path: str | Path) -> Glossary:
        """Read a TSV or TOML glossary (by its suffix: ``.toml``, else TSV)."""
        path = Path(path)
        try:
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
        return [
            term.english
            for term, found, wanted in self._patterns
            if found.search(source) and not wanted.search(english)
        ]

    def wrong_forms(self, source: str, english: str) -> list[str]:
        """The English terms a text written from ``source`` (a summary) should use but
        does not: it has the source form of a term the glossary changes."""
        return [
            term.english
            for term, found, wanted in self._patterns
            if not term.keep
            and found.search(source)
            and found.search(english)
            and not wanted.search(english)
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
    return [Term(k.strip(), k.strip()) for k in keep] + [
        Term(s.strip(), e.strip() or s.strip()) for s, e in table.items()
    ]
