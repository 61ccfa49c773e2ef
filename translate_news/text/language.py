"""Which sentences are not French: an offline language identifier (lingua, whose models
ship in its wheel), so that an English quote or a paragraph in another language passes
through untranslated instead of being garbled by the fr->en model."""

from __future__ import annotations

import re
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

# The cheap test: French function words, and those of the other candidates that French
# does not share (so "y", "si", "de", "en", "il" are in neither foreign list).
FRENCH_WORDS = frozenset(
    """le la les l' de des du d' un une et est en à au aux dans pour sur par avec ce cet
    cette ces qui que qu' ne n' pas il elle ils elles on se s' sa son ses leur leurs nous
    vous été sont ont a mais ou où plus c' j' était sera selon lors après depuis""".split()
)
FOREIGN_WORDS = frozenset(
    """the of and to is in that it for with was are be this have has by from not we they
    he she will would been an at as or but i you his her their our it's
    der die das und ist nicht mit ein eine einen dem den zu von sich auch auf wir ich es
    für im sind wird hat war bei aus nach vor zum zur wie dass aber oder sie er
    el los las del por con una lo como más pero su sus al muy hay ha han fue está ni sin
    ya nos para este esta yo
    di che della delle dei degli gli per non sono è nel nella alla hanno ci più anche
    questo questa uno da dal dalla come
    o os do dos das não em um uma com é são ao foi seu sua ela ele eles isso nós
    het een van niet dat op met zijn wij ik zei voor aan ook maar bij heeft werd""".split()
)
_WORD = re.compile(r"[^\W\d_]+['’]?")
_NOT_FRENCH_LETTERS = re.compile(
    r"[ñãõßäöìòø¿¡\u0370-\u03ff\u0400-\u052f\u0590-\u08ff\u3040-\u9fff]", re.IGNORECASE
)
# A consonant then a, o, i or u: common word ends in Italian, Spanish and Portuguese,
# rarer in French (whose -eau, -ou, -ai, -oi, -ui do not count).
_ROMANCE_END = re.compile(r"[^aeiouyéèêàâ'][aoiu]$")


def plainly_french(text: str) -> bool:
    """True when ``text`` is French by its function words alone: at least two French
    ones, none of another candidate language's, no letter French does not use, and
    twice as many French words as Italian-, Spanish- or Portuguese-looking word ends.

    On the gold French sentences (3,317 of five words or more) it says yes to 2,926 (88%),
    on none where lingua's answer differs except one lingua gets wrong (Romanian place
    names taken for Dutch); on the toy English corpus and tests/data/languages.tsv
    (sentences in each candidate language) it says yes to none."""
    if _NOT_FRENCH_LETTERS.search(text):
        return False
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    if any(w in FOREIGN_WORDS for w in words):
        return False
    french = sum(w in FRENCH_WORDS for w in words)
    romance = sum(w not in FRENCH_WORDS and _ROMANCE_END.search(w) is not None for w in words)
    return french >= 2 and french >= 2 * romance


@lru_cache(maxsize=2)
def _detector(quick: bool = False) -> Any:
    """lingua over the candidate languages; ``quick``: its low-accuracy mode (trigrams
    only: 0.06 s to load against 1.3 s)."""
    from lingua import Language, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in CANDIDATES))
    return (builder.with_low_accuracy_mode() if quick else builder).build()


def _foreign(detector: Any, text: str) -> str | None:
    best = detector.compute_language_confidence_values(text)[0]
    code = best.language.iso_code_639_1.name.lower()
    return code if code != "fr" and best.value >= MIN_CONFIDENCE else None


def foreign_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language when it is confidently not French.

    What is plainly French (see :func:`plainly_french`) never reaches lingua, so a
    French article usually never loads it. The rest goes to the quick detector first;
    only what it takes for foreign is asked of the full one. On the gold French sentences
    (3,317 of five words or more) and the toy English corpus: 7 French sentences taken
    for foreign (the full detector alone: 8), 443 of 607 English ones found (the same)."""
    if len(text.split()) < MIN_WORDS or plainly_french(text):
        return None
    if _foreign(_detector(quick=True), text) is None:
        return None
    return _foreign(_detector(), text)


def sentence_languages(sentences: Sequence[str], paragraph: str) -> list[str | None]:
    """The language of each sentence of ``paragraph`` when it is confidently not French,
    else None. A sentence too short to tell takes the paragraph's language."""
    whole: str | None = None
    if any(len(s.split()) < MIN_WORDS for s in sentences):
        whole = foreign_language(paragraph)
    return [foreign_language(s) if len(s.split()) >= MIN_WORDS else whole for s in sentences]


def confidences(text: str) -> list[tuple[str, float]]:
    """The candidate languages of ``text`` as (ISO 639-1 code, confidence from 0 to 1),
    most likely first, from lingua's full detector; those it gives no chance left out.
    Empty when the text has nothing to tell by (no letters)."""
    values = _detector().compute_language_confidence_values(text)
    return [(v.language.iso_code_639_1.name.lower(), v.value) for v in values if v.value > 0]
