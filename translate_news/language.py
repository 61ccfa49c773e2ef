"""Which paragraphs are not French: an offline language identifier (lingua, whose models
ship in its wheel), so that an English quote or a paragraph in another language passes
through untranslated instead of being garbled by the fr->en model."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from .document import Article

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


def mark_languages(article: Article) -> Article:
    """The article with every confidently non-French paragraph marked with its language."""
    paragraphs = tuple(replace(p, language=foreign_language(p.body)) for p in article.paragraphs)
    return replace(article, paragraphs=paragraphs)
