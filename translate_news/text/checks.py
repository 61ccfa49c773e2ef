"""What is checked in each English sentence, and the flags a reader sees.

* ``number``: every number of the French is in the English, in its English form
  (:mod:`translate_news.text.numbers`);
* ``glossary``: every glossary term of the French is in the English as the glossary
  says (:mod:`translate_news.text.glossary`);
* ``untranslated``: the English is still plainly French (or the French copied whole).

The first two the translator tries to repair before flagging: it asks the model for its
n best translations and takes the best-scoring one that passes. ``loop-guard`` (the
output looped and was translated again with loops forbidden) and ``split-long`` (the
sentence was longer than the model's input and was translated in pieces) are flags the
translator itself raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from translate_news.core.document import Flag
from translate_news.text.language import MIN_WORDS, plainly_french
from translate_news.text.numbers import missing_numbers
from translate_news.text.quotes import quote_problems

if TYPE_CHECKING:
    from translate_news.text.glossary import Glossary

# The flags an n-best choice can repair.
REPAIRABLE = ("number", "glossary")


def check(source: str, english: str, glossary: Glossary | None = None) -> tuple[Flag, ...]:
    """The flags ``english`` raises as the translation of ``source``."""
    flags = []
    numbers = missing_numbers(source, english)
    if numbers:
        flags.append(Flag("number", tuple(numbers)))
    if glossary is not None:
        terms = glossary.missing(source, english)
        if terms:
            flags.append(Flag("glossary", tuple(terms)))
    if _untranslated(source, english):
        flags.append(Flag("untranslated"))
    lost, names = quote_problems(source, english)
    if lost:
        flags.append(Flag("quote"))
    if names:
        flags.append(Flag("speaker", tuple(names)))
    return tuple(flags)


def check_summary(french: str, summary: str, glossary: Glossary | None) -> tuple[Flag, ...]:
    """The flags a summary of an article whose source is ``french`` raises: a term the
    glossary changes, written in its source form."""
    wrong = glossary.wrong_forms(french, summary) if glossary is not None else []
    return (Flag("glossary", tuple(wrong)),) if wrong else ()


def repairable(flags: tuple[Flag, ...]) -> bool:
    return any(flag.kind in REPAIRABLE for flag in flags)


def _untranslated(source: str, english: str) -> bool:
    if len(source.split()) < MIN_WORDS:
        return False
    return " ".join(english.split()) == " ".join(source.split()) or plainly_french(english)
