"""Relative dates in French news copy ("mardi", "hier", "la semaine dernière", "le 14",
"le 14 juillet", "jeudi soir", "ce week-end") resolved against the article's date, so
that a reader of a briefing made days later knows which day is meant. The English is
not changed: each sentence carries its mentions, the French span and the ISO date (or
range, ``start/end``) it names, or None where it cannot be told.

A bare weekday or day of the month is read with the sentence's tense: past (a passé
composé, an imparfait) names the latest such day up to the article's date, future (a
futur, "va" or "doit" and an infinitive) the next from it; in the present, the nearest
(a weekday within three days either way, a day of the month within fifteen). What
stays unresolved: habits ("le mardi", "tous les mardis", "chaque lundi"), "un mardi",
"cette nuit" (the night before or the one to come), a date that does not exist or does
not fall on the weekday it is given with, and everything when the article has no date
(or, for a weekday, only its month)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from translate_news.core.document import DateMention

WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}  # fmt: skip
NUMBERS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "quinze": 15,
}  # fmt: skip

_DAY = "|".join(WEEKDAYS)
_MONTH = "|".join(MONTHS)
_PART = r"(?:\s+(?:matin|midi|après-midi|soir|soirée|nuit))?"


@dataclass(frozen=True)
class Reference:
    """What is known of the article's date: its year, and month and day where known."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def date(self) -> dt.date | None:
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)


_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_WRITTEN = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH})\s+(\d{{4}})\b", re.I)
_DATELINE = re.compile(
    rf"^\s*[A-ZÀ-Ý][\wÀ-ÿ'’ .-]{{1,40}},\s*(\d{{1,2}}(?:er)?\s+(?:{_MONTH})\s+\d{{4}})", re.I
)


def reference(date_text: str | None, first_paragraph: str | None = None) -> Reference | None:
    """The date relative dates are read against: the dateline ("PARIS, 14 juillet 2025
    (AFP) -"), else the article's own date (ISO, full or a month; or written out)."""
    dateline = _DATELINE.match(first_paragraph or "")
    for text in (dateline.group(1) if dateline else None, date_text):
        if not text:
            continue
        found = _ISO.match(text)
        if found:
            year, month, day = (int(g) if g else None for g in found.groups())
            return _valid(Reference(year, month, day))  # type: ignore[arg-type]
        written = _WRITTEN.search(text)
        if written:
            day, month, year = written.groups()
            return _valid(Reference(int(year), MONTHS[month.lower()], int(day)))
    return None


def _valid(found: Reference) -> Reference | None:
    try:
        if found.month is not None:
            dt.date(found.year, found.month, found.day or 1)
    except ValueError:
        return None
    return found


_PAST = re.compile(
    r"\b(?:a|ont|avait|avaient|est|sont|était|étaient|ai|avons|avez|as)\s+(?:(?:déjà|été|pas|"
    r"notamment|aussi)\s+)?\w+(?:é|ée|és|ées|i|is|it|u|us|ue|ert|aint)\b|\b\w+(?:ait|aient)\b"
    r"|\ba-t-(?:il|elle)\b|\bont-ils\b",
    re.I,
)
_FUTURE = re.compile(
    r"\b\w{2,}(?:era|eront|ira|iront|ra|ront|rai|rons)\b|\b(?:va|vont|doit|doivent|devrait|"
    r"devraient)\s+\w+(?:er|ir|re)\b|\bprévue?s?\b",
    re.I,
)


def tense(sentence: str) -> int:
    """-1 for a sentence in the past, 1 in the future, 0 when it cannot be told."""
    past, future = bool(_PAST.search(sentence)), bool(_FUTURE.search(sentence))
    return -1 if past and not future else 1 if future and not past else 0


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _range(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()}/{end.isoformat()}"


def _weekday(ref: dt.date, weekday: int, direction: int, strict: bool = False) -> dt.date:
    """The day of ``weekday`` before (-1) or after (1) ``ref``, or the nearest (0)."""
    ahead = (weekday - ref.weekday()) % 7
    if direction > 0:
        return ref + dt.timedelta(days=ahead or (7 if strict else 0))
    behind = (ref.weekday() - weekday) % 7
    if direction < 0:
        return ref - dt.timedelta(days=behind or (7 if strict else 0))
    return ref + dt.timedelta(days=ahead if ahead <= 3 else -behind)


def _week(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    after = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, 1), after - dt.timedelta(days=1)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


# Each rule: a pattern, and what its match names given the reference and the tense
# (None: not resolvable). Tried in order; a span once matched is not matched again.
Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Reference, int], str | None]]


def _absolute(m: re.Match[str], ref: Reference, direction: int) -> str | None:
    weekday, day, month, year = m.group("wd"), m.group("d"), m.group("m"), m.group("y")
    month_number = MONTHS[month.lower()]
    day_number = 1 if day.lower() == "1er" else int(day)
    years = [int(year)] if year else [ref.year - 1, ref.year, ref.year + 1]
    candidates = []
    for y in years:
        try:
            candidates.append(dt.date(y, month_number, day_number))
        except ValueError:
            continue
    if not candidates:
        return None
    if year or ref.date is None:
        chosen = next((c for c in candidates if c.year == (int(year) if year else ref.year)), None)
    else:
        chosen = _directed(candidates, ref.date, direction)
    if chosen is None or (weekday and WEEKDAYS.index(weekday.lower()) != chosen.weekday()):
        return None  # no such day, or not the weekday it is given with
    return _iso(chosen)


def _directed(candidates: list[dt.date], ref: dt.date, direction: int) -> dt.date | None:
    """Of ``candidates``, the latest up to ``ref`` (past), the first from it (future), or
    the nearest (none nearer by a day than another: else None)."""
    if direction < 0:
        return max((c for c in candidates if c <= ref), default=None)
    if direction > 0:
        return min((c for c in candidates if c >= ref), default=None)
    ordered = sorted(candidates, key=lambda c: abs((c - ref).days))
    if len(ordered) > 1 and abs((ordered[0] - ref).days) == abs((ordered[1] - ref).days):
        return None
    return ordered[0] if ordered else None


def _day_of_month(m: re.Match[str], ref: Reference, direction: int) -> str | None:
    day = 1 if m.group("d").lower() == "1er" else int(m.group("d"))
    if ref.month is None or day > 31:
        return None
    if ref.day is None:  # only the month is known: that month's day
        try:
            return _iso(dt.date(ref.year, ref.month, day))
        except ValueError:
            return None
    candidates = []
    for by in (-1, 0, 1):
        year, month = _shift_month(ref.year, ref.month, by)
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    chosen = _directed(candidates, ref.date, direction)  # type: ignore[arg-type]
    if chosen is None or (direction == 0 and abs((chosen - ref.date).days) > 15):  # type: ignore[operator]
        return None
    return _iso(chosen)


def _relative_day(offset: int) -> Callable[[re.Match[str], Reference, int], str | None]:
    def resolve(m: re.Match[str], ref: Reference, direction: int) -> str | None:
        return None if ref.date is None else _iso(ref.date + dt.timedelta(days=offset))

    return resolve


def _named_weekday(m: re.Match[str], ref: Reference, direction: int) -> str | None:
    if ref.date is None:
        return None
    weekday = WEEKDAYS.index(m.group("wd").lower())
    which = (m.group("which") or "").lower()
    if which in ("précédent", "suivant"):
        return None  # before or after another day the text names, not the article's
    if which in ("dernier", "passé"):
        return _iso(_weekday(ref.date, weekday, -1, strict=True))
    if which == "prochain":
        return _iso(_weekday(ref.date, weekday, 1, strict=True))
    return _iso(_weekday(ref.date, weekday, direction))


def _period(m: re.Match[str], ref: Reference, direction: int) -> str | None:
    unit, which = m.group("unit").lower(), (m.groupdict().get("which") or "").lower()
    by = -1 if which in ("dernier", "dernière", "passé", "passée") else (
        1 if which in ("prochain", "prochaine") else 0)  # fmt: skip
    if unit in ("an", "année"):
        return str(ref.year + by)
    if unit == "mois":
        if ref.month is None:
            return None
        year, month = _shift_month(ref.year, ref.month, by)
        return f"{year:04d}-{month:02d}"
    if ref.date is None:
        return None
    if unit == "semaine":
        return _range(*_week(ref.date + dt.timedelta(weeks=by)))
    return _weekend(ref.date, by, direction)


def _weekend(ref: dt.date, by: int, direction: int) -> str:
    """ "ce week-end": the one under way on a Saturday or Sunday, else the one ahead (the
    one just past in a sentence in the past); "dernier" and "prochain" the one before
    and the one after the weekend under way, or the last and the coming one."""
    if ref.weekday() >= 5:
        current = ref - dt.timedelta(days=ref.weekday() - 5)
        saturday = current + dt.timedelta(weeks=by)
    else:
        coming = ref + dt.timedelta(days=5 - ref.weekday())
        past = by < 0 or (by == 0 and direction < 0)
        saturday = coming - dt.timedelta(weeks=1) if past else coming
    return _range(saturday, saturday + dt.timedelta(days=1))


def _ago(m: re.Match[str], ref: Reference, direction: int) -> str | None:
    count, unit = _count(m.group("n")), m.group("unit").lower().rstrip("s")
    sign = -1 if m.group("dir").lower().startswith("il y a") else 1
    if unit == "an" or unit == "année":
        return str(ref.year + sign * count)
    if unit == "moi":  # "mois" less its s
        if ref.month is None:
            return None
        year, month = _shift_month(ref.year, ref.month, sign * count)
        return f"{year:04d}-{month:02d}"
    if ref.date is None:
        return None
    days = count * (7 if unit == "semaine" else 1)
    return _iso(ref.date + dt.timedelta(days=sign * days))


def _never(m: re.Match[str], ref: Reference, direction: int) -> str | None:
    return None


_HABIT = rf"\b(?:tous les|chaque|un|le)\s+(?:{_DAY})s?\b"
_NOT_A_HABIT = r"(?!\s+(?:\d|1er|dernier|prochain|précédent|suivant))"
_ABSOLUTE = (
    rf"\b(?:(?P<wd>{_DAY})\s+)?(?:le\s+)?(?P<d>\d{{1,2}}|1er)\s+(?P<m>{_MONTH})"
    r"(?:\s+(?P<y>\d{4}))?\b"
)
_WEEKDAY_DAY = rf"\b(?P<wd>{_DAY})\s+(?P<d>\d{{1,2}}|1er)\b(?!\s*(?:%|h\b|heures?))"
_WEEKDAY = (
    rf"\b(?:(?:ce|le)\s+)?(?P<wd>{_DAY})"
    rf"(?:\s+(?P<which>dernier|passé|précédent|prochain|suivant))?{_PART}\b"
)
_AGO = (
    r"\b(?P<dir>il y a|dans)\s+(?P<n>\d{1,3}|" + "|".join(NUMBERS) + r")\s+"
    r"(?P<unit>jours?|semaines?|mois|ans?|années?)\b"
)
_LAST_NEXT = (
    r"\b(?:la|le|l'|l’)\s*(?P<unit>semaine|mois|an|année|week-end)\s+"
    r"(?P<which>dernier|dernière|passé|passée|prochain|prochaine)\b"
)
_THIS = r"\b(?P<this>ce|cette|cet)\s+(?P<unit>semaine|mois|année|week-end)(?:-ci)?\b"
# "le 14", not "le 14e", "le 14 %", "le 14 h", "le 14 000", "le 14,5", "le 14 juin".
_DAY_NUMBER = r"\ble\s+(?P<d>\d{1,2}|1er)\b(?!\s*(?:%|e\b|ème|°|h\b|heures?|\d|[,.]\d|[^\W\d_]))"
_TODAY = r"\baujourd'hui\b|\baujourd’hui\b|\bce\s+(?:matin|midi|soir)\b|\bcet\s+après-midi\b"


def _rules() -> list[Rule]:
    def rule(pattern: str, resolve: Callable[[re.Match[str], Reference, int], str | None]) -> Rule:
        return re.compile(pattern, re.I), resolve

    return [
        rule(_HABIT + _NOT_A_HABIT, _never),
        rule(_ABSOLUTE, _absolute),
        rule(_WEEKDAY_DAY, _weekday_and_day),
        rule(r"\bavant-hier\b" + _PART, _relative_day(-2)),
        rule(r"\baprès-demain\b" + _PART, _relative_day(2)),
        rule(r"\bhier\b" + _PART, _relative_day(-1)),
        rule(r"\bdemain\b" + _PART, _relative_day(1)),
        rule(_TODAY, _relative_day(0)),
        rule(r"\bcette\s+nuit\b", _never),
        rule(_WEEKDAY, _named_weekday),
        rule(_AGO, _ago),
        rule(_LAST_NEXT, _period),
        rule(_THIS, _period),
        rule(_DAY_NUMBER, _day_of_month),
    ]


def _weekday_and_day(m: re.Match[str], ref: Reference, direction: int) -> str | None:
    """ "mardi 15": the 15th near the article's date, if it is a Tuesday."""
    found = _day_of_month(m, ref, direction)
    if found is None or dt.date.fromisoformat(found).weekday() != WEEKDAYS.index(
        m.group("wd").lower()
    ):
        return None
    return found


_COMPILED: list[Rule] = []


def find_dates(sentence: str, ref: Reference | None) -> tuple[DateMention, ...]:
    """The date mentions of a French sentence, in order, each resolved against ``ref``
    (None: every one unresolved)."""
    if not _COMPILED:
        _COMPILED.extend(_rules())
    direction = tense(sentence)
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for pattern, resolve in _COMPILED:
        for m in pattern.finditer(sentence):
            start, end = m.span()
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            value = None if ref is None else resolve(m, ref, direction)
            found.append(DateMention(m.group(), start, end, value))
    return tuple(sorted(found, key=lambda mention: mention.start))
