"""Which sentences are not French: an offline language identifier (lingua, whose models
ship in its wheel), so that an English quote or a paragraph in another language passes
through untranslated instead of being garbled by the fr->en model."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

# Languages a French news article quotes most; French must win against all of them.
CANDIDATES = (
    "FRENCH",
    "ENGLISH",
    "GERMAN",
    "SPANISH",
    "ITALIAN",
    "PORTUGUESE",
    "DUTCH",
    "RUSSIAN",
    "UKRAINIAN",
    "ARABIC",
)
MIN_WORDS = 5  # shorter passages (headings, names) are too short to tell reliably
MIN_CONFIDENCE = 0.8


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in CANDIDATES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def foreign_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language when it is confidently not French."""
    if len(text.split()) < MIN_WORDS:
        return None
    best = _detector().compute_language_confidence_values(text)[0]
    code = best.language.iso_code_639_1.name.lower()
    return code if code != "fr" and best.value >= MIN_CONFIDENCE else None


def sentence_languages(sentences: Sequence[str], paragraph: str) -> list[str | None]:
    """The language of each sentence of ``paragraph`` when it is confidently not French,
    else None. A sentence too short to tell takes the paragraph's language."""
    whole: str | None = None
    if any(len(s.split()) < MIN_WORDS for s in sentences):
        whole = foreign_language(paragraph)
    return [foreign_language(s) if len(s.split()) >= MIN_WORDS else whole for s in sentences]
