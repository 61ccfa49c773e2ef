"""Numbers a translation must keep: found in French, looked for in English.

French and English write the same number differently: ``12 000`` (a space, a no-break
space or a narrow one between thousands) is ``12,000``; ``1,5`` is ``1.5``; ``3e`` is
``3rd``; ``1er`` is ``1st``; ``15h30`` is ``15:30`` or ``3:30 pm``. Each number of a
French sentence becomes a :class:`Number` with the English forms that keep it; the
check passes when every one of them is found among the English sentence's numbers.

What is checked: digits, in the forms above, percentages (the sign is not checked),
years, article numbers such as ``49.3``, times, ordinals, and dates ``27/11/2026`` (day
and year: the month may become a word). An English number may be spelled out (``three``
for ``3``, ``first`` for ``1er``). What is not: numbers the French spells out in words,
units, signs, and roman numerals (``XXIe siècle``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACES = "[ \u00a0\u202f]"
# French: a time, a date, an ordinal, a number with thousands spaces, a decimal.
_FRENCH = re.compile(
    r"(?<![\w,.])(?:"
    rf"(?P<hour>[01]?\d|2[0-3]){_SPACES}?h(?:eures?)?{_SPACES}?(?P<minute>[0-5]\d)?(?![\w])"
    r"|(?P<day>[0-3]?\d)/(?P<month>[01]?\d)/(?P<year>\d{2}|\d{4})(?!\d)"
    r"|(?P<ordinal>\d+)(?:er|re|ère|ere|e|ème|eme|nde?|d)(?![\w])"
    rf"|(?P<number>\d{{1,3}}(?:{_SPACES}\d{{3}})+(?:,\d+)?(?!\d)|\d+(?:[.,]\d+)*)"
    r")"
)
# English: a time, an ordinal, a number with thousands commas, a decimal.
_ENGLISH = re.compile(
    r"(?<![\w.])(?:"
    r"(?P<hour>[01]?\d|2[0-3])(?:[:.h](?P<minute>[0-5]\d))?"
    r"\s*(?P<half>[ap])\.?\s?m\b\.?"
    r"|(?P<hour24>[01]?\d|2[0-3])[:h](?P<minute24>[0-5]\d)(?!\d)"
    r"|(?P<ordinal>\d+)(?:st|nd|rd|th)\b"
    r"|(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)"
    rf"|\d{{1,3}}(?:{_SPACES}\d{{3}})+(?!\d)|\d+(?:\.\d+)*)"
    r")",
    re.IGNORECASE,
)
_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_TENS |= {"ninety": 90, "hundred": 100}
_ORDINAL_WORDS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth twentieth"
).split()
_SPELLED = {w: str(i) for i, w in enumerate(_WORDS)} | {w: str(n) for w, n in _TENS.items()}
_SPELLED |= {w: str(i) for i, w in enumerate(_ORDINAL_WORDS)}
_SPELLED_WORD = re.compile(r"\b(" + "|".join(sorted(_SPELLED, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class Number:
    """A number of the source as written (``text``) and the English keys that keep it."""

    text: str
    keys: frozenset[str]


def french_numbers(text: str) -> list[Number]:
    """The numbers of a French sentence, in order."""
    found = []
    for match in _FRENCH.finditer(text):
        found.append(Number(match.group().strip(), frozenset(_french_keys(match))))
    return found


def _french_keys(match: re.Match[str]) -> set[str]:
    if match["hour"] is not None:
        return _time_keys(int(match["hour"]), int(match["minute"] or 0))
    if match["day"] is not None:
        return {f"date:{int(match['day'])}/{match['year']}"}
    if match["ordinal"] is not None:
        n = str(int(match["ordinal"]))
        return {f"ordinal:{n}", n}
    raw = match["number"]
    joined = re.sub(_SPACES, "", raw)
    keys = {joined.replace(",", ".")}
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", joined):  # 12.000: thousands, or an article
        keys.add(joined.replace(".", ""))
    return {_plain(key) for key in keys}


def _time_keys(hour: int, minute: int) -> set[str]:
    """``15h30`` is kept by 15:30, by 3:30 pm, and by 3:30 with no am or pm."""
    return {f"time:{hour}:{minute:02}", f"time:{hour % 12 or 12}:{minute:02}/12"}


def english_keys(text: str) -> set[str]:
    """Every key the numbers of an English sentence provide."""
    keys: set[str] = set()
    for match in _ENGLISH.finditer(text):
        if match["hour"] is not None:
            hour, minute = int(match["hour"]), int(match["minute"] or 0)
            pm = match["half"].lower() == "p"
            keys.add(f"time:{(hour % 12) + (12 if pm else 0)}:{minute:02}")
        elif match["hour24"] is not None:
            keys |= _time_keys(int(match["hour24"]), int(match["minute24"]))
        elif match["ordinal"] is not None:
            n = str(int(match["ordinal"]))
            keys |= {f"ordinal:{n}", n}
        else:
            number = match["number"]
            keys.add(_plain(re.sub(_SPACES, "", number.replace(",", ""))))
            if re.search(_SPACES, number):  # 12 000 left as in French, or two numbers
                keys |= {_plain(part) for part in re.split(_SPACES, number)}
    for word in _SPELLED_WORD.findall(text.lower()):
        keys |= {_SPELLED[word], f"ordinal:{_SPELLED[word]}"}
    _add_dates(text, keys)
    return keys


def _add_dates(text: str, keys: set[str]) -> None:
    """A date is kept when its day and its year are both in the English, in any order."""
    numbers = {m.group() for m in re.finditer(r"\d+", text)}
    days = {str(int(n)) for n in numbers if len(n) <= 2}
    for year in (n for n in numbers if len(n) in (2, 4)):
        keys |= {f"date:{day}/{year}" for day in days}


def _plain(value: str) -> str:
    """One spelling per value: no leading zeros in the whole part (``07`` is ``7``)."""
    whole, dot, rest = value.partition(".")
    return (whole.lstrip("0") or "0") + dot + rest


def missing_numbers(source: str, translation: str) -> list[str]:
    """The numbers of ``source`` (as written there) that ``translation`` does not keep."""
    wanted = french_numbers(source)
    if not wanted:
        return []
    present = english_keys(translation)
    return [number.text for number in wanted if not number.keys & present]
