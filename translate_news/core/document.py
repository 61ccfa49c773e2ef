"""The documents every stage shares: a French article as read, and its English.

An :class:`Article` is a title, a date and paragraphs. Each :class:`Paragraph` keeps its
exact source text (inner line breaks included) and a kind: ``text``, ``heading`` or
``caption``. A caption remembers its trailing photo credit ("AFP/Archives"), which is a
name and is never sent to the translation model.

A :class:`TranslatedArticle` holds the same paragraphs in English, sentence by sentence
(:class:`SentencePair`), with the options asked for and the :class:`Signature` of what
ran; a :class:`Summary` likewise. Nothing here loads a model.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from translate_news.core.options import Signature, SummaryOptions, TranslateOptions


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article, exactly as in the source."""

    text: str
    kind: str = "text"
    credit: str | None = None
    language: str | None = None  # set when the paragraph is not French: not translated

    @property
    def body(self) -> str:
        """The part to translate: the text without its photo credit."""
        if self.credit is None:
            return self.text
        return self.text[: self.text.rindex(self.credit)].rstrip()


@dataclass(frozen=True)
class Origin:
    """Where a fetched article was published: its address, the outlet (the source's
    name in the sources file) and its author where the page says."""

    url: str
    outlet: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Article:
    """A source article: title and date when known, then its paragraphs in order;
    ``path`` is the file it was read from and ``record`` its record's key in a feed;
    ``origin`` its address, outlet and author where known (a fetched article)."""

    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    date: str | None = None
    path: str | None = None
    record: str | None = None
    origin: Origin | None = None

    @property
    def source(self) -> str:
        """Where the article comes from: ``path``, or ``path#record`` for a feed's."""
        return _source(self.path, self.record)


@dataclass(frozen=True)
class DateMention:
    """A date a French sentence names relative to the article's ("mardi", "hier", "la
    semaine dernière"): the French span (``text``, at ``start``-``end`` in the
    sentence) and the ISO date, month, year or range (``start/end``) it resolves to,
    None where that cannot be told (:mod:`translate_news.text.dates`)."""

    text: str
    start: int
    end: int
    value: str | None


@dataclass(frozen=True)
class Quote:
    """A direct quote in a French sentence: its French, its English where the English
    keeps it in quotation marks (None where not), its speaker where the sentence names
    one, and the verb that gives it (:mod:`translate_news.text.quotes`)."""

    french: str
    english: str | None
    speaker: str | None
    verb: str | None


# What a flag says about a sentence's English (see translate_news.text.checks).
FlagKind = Literal[
    "number",
    "glossary",
    "untranslated",
    "loop-guard",
    "split-long",
    "low-confidence",
    "quote",
    "speaker",
]


@dataclass(frozen=True)
class Flag:
    """Something a reader should check in one sentence's English: ``kind`` says what,
    ``missing`` what the English lacks (numbers or terms, as the source writes them)."""

    kind: FlagKind
    missing: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind == "low-confidence":
            return "low confidence"
        if self.kind == "quote":
            return "quote not in quotation marks"
        return f"{self.kind}: {', '.join(self.missing)}" if self.missing else self.kind

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "missing": list(self.missing)}


# A word the model gives less than this probability is marked as weak where people read
# (Firefox's threshold: its translations paint words under log(0.5) red).
WEAK_WORD = 0.5


def mean_log_prob(scores: Sequence[float]) -> float:
    """The mean of log-probabilities (0.0, certainty, for none): a word's of its
    subwords', a sentence's of its words' (Bergamot's quality estimator)."""
    return sum(scores) / len(scores) if scores else 0.0


@dataclass(frozen=True)
class Confidence:
    """How sure the model that translated a sentence was: each word of its English with
    the mean log-probability of the word's subwords, as the model scored the chosen
    translation over its full vocabulary (see :mod:`translate_news.seq2seq.confidence`).
    :attr:`sentence` and :meth:`word` read them as probabilities, between 0 and 1."""

    words: tuple[tuple[str, float], ...]

    @property
    def log_prob(self) -> float:
        return mean_log_prob([score for _, score in self.words])

    @property
    def sentence(self) -> float:
        """The sentence's confidence: the geometric mean of its words'."""
        return math.exp(self.log_prob)

    def word(self, index: int) -> float:
        """The confidence of word ``index``, between 0 and 1."""
        return math.exp(self.words[index][1])

    def weak(self) -> list[int]:
        """The words (their indices) the model gives less than ``WEAK_WORD``."""
        bound = math.log(WEAK_WORD)
        return [i for i, (_, score) in enumerate(self.words) if score < bound]

    def as_dict(self) -> dict[str, object]:
        weak = set(self.weak())
        return {
            "sentence": round(self.sentence, 4),
            "words": [
                {"word": word, "confidence": round(math.exp(score), 4), "weak": i in weak}
                for i, (word, score) in enumerate(self.words)
            ],
        }

    @classmethod
    def joined(cls, parts: Iterable[Confidence | None]) -> Confidence | None:
        """One sentence's confidence from its pieces' (None if any piece has none)."""
        words: list[tuple[str, float]] = []
        for part in parts:
            if part is None:
                return None
            words.extend(part.words)
        return cls(tuple(words))


@dataclass(frozen=True)
class ShortlistCheck:
    """What the shortlist guard found for one sentence translated with the vocabulary
    shortlist: ``mass`` is a lower bound on the full model's probability mass inside the
    shortlist at every step of its translation; ``status`` "verified" (the full
    vocabulary would have chosen the same) or "redone" (translated again without it)."""

    status: Literal["verified", "redone"]
    mass: float

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "mass": round(self.mass, 4)}


@dataclass(frozen=True)
class Alternative:
    """Another translation the model's beam search found for a sentence, with its
    confidence."""

    translation: str
    confidence: Confidence

    def as_dict(self) -> dict[str, object]:
        return {"translation": self.translation, "confidence": round(self.confidence.sentence, 4)}


@dataclass(frozen=True)
class SentencePair:
    """A source sentence and its English; ``translated`` is False for what passes
    through untouched: photo credits, and sentences confidently not in French, whose
    ``language`` (ISO 639-1) is then given. ``flags`` say what a reader should check;
    ``confidence`` how sure the model was (None where no model translated: passed
    through, or an editor's translation from the memory)."""

    source: str
    translation: str
    translated: bool = True
    language: str | None = None
    flags: tuple[Flag, ...] = ()
    confidence: Confidence | None = None
    alternatives: tuple[Alternative, ...] = ()  # when asked for (--alternatives N)
    shortlist: ShortlistCheck | None = None  # with the vocabulary shortlist
    dates: tuple[DateMention, ...] = ()  # the French's relative dates, resolved
    quotes: tuple[Quote, ...] = ()  # its direct quotes, with their speakers


@dataclass(frozen=True)
class TranslatedParagraph:
    """A paragraph in English, sentence by sentence, with the source whitespace kept."""

    kind: str
    sentences: tuple[SentencePair, ...]
    separators: tuple[str, ...] = ()
    language: str | None = None  # the source language when no sentence of it was French

    @property
    def source(self) -> str:
        return self._join(pair.source for pair in self.sentences)

    @property
    def text(self) -> str:
        return self._join(pair.translation for pair in self.sentences)

    def _join(self, parts: Iterable[str]) -> str:
        parts = list(parts)
        out = parts[:1]
        for separator, part in zip(self.separators, parts[1:]):
            out += [separator, part]
        return "".join(out)


@dataclass(frozen=True)
class TranslatedArticle:
    """An article in English, with the options asked for and what actually ran."""

    title: SentencePair | None
    date: str | None
    paragraphs: tuple[TranslatedParagraph, ...]
    options: TranslateOptions
    signature: Signature
    path: str | None = None
    record: str | None = None
    origin: Origin | None = None

    @property
    def model(self) -> str:
        """The model's name as resolved: a Hub id or a local directory."""
        return self.signature.model

    @property
    def source(self) -> str:
        """Where the article comes from: ``path``, or ``path#record`` for a feed's."""
        return _source(self.path, self.record)

    @property
    def headline(self) -> str:
        """What names the article in a briefing (see :func:`headline`)."""
        title = None if self.title is None else self.title.translation
        return headline(title, (p.text for p in self.paragraphs))

    @property
    def pairs(self) -> list[SentencePair]:
        """Every sentence pair, the title's first."""
        pairs = [self.title] if self.title is not None else []
        return pairs + [pair for paragraph in self.paragraphs for pair in paragraph.sentences]

    @property
    def flagged(self) -> list[SentencePair]:
        """The sentences (title first) a reader should check."""
        return [pair for pair in self.pairs if pair.flags]

    @property
    def french(self) -> str:
        """The source text, title first, one paragraph per line."""
        lines = [self.title.source] if self.title is not None else []
        return "\n".join(lines + [paragraph.source for paragraph in self.paragraphs])


@dataclass(frozen=True)
class Summary:
    """A summary, what made it, and into how many chunks the article had to be cut.

    ``method`` says what was done: ``LEAD-3`` or the model's name; ``signature`` what the
    model ran with, its length bounds included (None for LEAD, which uses no model), and
    :attr:`line` both as one line.
    ``flags`` say what a reader should check (a glossary term in its source form).
    """

    text: str
    method: str
    chunks: int
    options: SummaryOptions
    signature: Signature | None = None
    flags: tuple[Flag, ...] = ()

    @property
    def line(self) -> str:
        """What made the summary, as one line (``LEAD-3|translate-news 0.3.0`` for LEAD)."""
        return summary_line(self.method, self.signature)


# A headline without a title: the start of the first paragraph, this long at most.
HEADLINE_CHARACTERS = 120


def headline(title: str | None, paragraphs: Iterable[str]) -> str:
    """What names an article in a briefing: its title, else the first
    ``HEADLINE_CHARACTERS`` of its first paragraph that has text."""
    if title:
        return title
    return next((p for p in paragraphs if p.strip()), "")[:HEADLINE_CHARACTERS]


def summary_line(method: str, signature: Signature | None) -> str:
    """A summariser's one line: its model's signature, or for LEAD-k, the method."""
    if signature is not None:
        return str(signature)
    from translate_news._version import __version__

    return f"{method}|translate-news {__version__}"


def _source(path: str | None, record: str | None) -> str:
    where = path or "input"
    return where if record is None else f"{where}#{record}"
