"""Direct quotes in French news copy, with their speaker where the sentence names one,
and what to check of their English.

A quote is text in « guillemets », in “curly” or "straight" quotation marks, or a
sentence in the dash form of French news (``– Nous refusons, a dit le maire.``). Its
speaker is who the sentence gives it to: ``», a déclaré le maire Jean Dupont``,
``Jean Dupont a affirmé : « ... »``, ``selon X``; ``a-t-il dit`` names a verb but no
one. The English is checked: a quote whose English is not inside quotation marks, or a
speaker whose name (its capitalised words) the English does not keep, is flagged."""

from __future__ import annotations

import re

from translate_news.core.document import Quote

VERBS = (
    "déclaré|affirmé|dit|assuré|expliqué|estimé|indiqué|souligné|ajouté|précisé|annoncé|"
    "lancé|martelé|confié|répondu|prévenu|reconnu|insisté|jugé|dénoncé|regretté|averti|"
    "admis|rappelé|déclare|affirme|assure|explique|estime|indique|souligne|ajoute|précise|"
    "annonce|lance|martèle|confie|répond|prévient|reconnaît|insiste|juge|dénonce|regrette"
)
_WHO = (
    r"(?P<who>(?:(?:[Ll]e|[Ll]a|[Ll]es|[Ll]'|[Ll]’)\s*)?[\wÀ-ÿ'’-]+"
    r"(?:\s+(?:de\s+|d'|d’|du\s+)?[A-ZÀ-Ý][\wÀ-ÿ'’-]+)*)"
)
_QUOTED = re.compile(r"«\s*(?P<q>[^«»]+?)\s*»|“(?P<c>[^“”]+)”|\"(?P<s>[^\"]+)\"")
_DASH = re.compile(r"^\s*[–—-]\s+(?P<q>.+?)(?=,\s*(?:a|avait|ont)(?:-t-(?:il|elle|ils))?\s|$)")
_AFTER = re.compile(
    rf"[»”\",]\s*,?\s*(?:a|avait|ont|avaient)?(?P<pro>-t-(?:il|elle|ils|elles))?\s*"
    rf"(?P<verb>{VERBS})\b(?:\s+(?!à\b|que\b)" + _WHO + ")?",
    re.I,
)
_BEFORE = re.compile(_WHO + rf"\s+(?:a|avait|ont)\s+(?P<verb>{VERBS})\s*:?\s*[«“\"]")
_SELON = re.compile(r"\b[Ss]elon\s+" + _WHO)
_ENGLISH = re.compile(r"[«“\"‘]\s*(?P<q>[^«»“”\"‘’]+?)\s*[»”\"’]")
_NAME = re.compile(r"\b[A-ZÀ-Ý][\wÀ-ÿ'’-]+")


def find_quotes(sentence: str) -> list[tuple[str, str | None, str | None]]:
    """Each direct quote of a French sentence as (its text, speaker, verb)."""
    quotes = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(sentence)]
    if not quotes:
        dash = _DASH.match(sentence)
        quotes = [dash.group("q").strip()] if dash else []
    if not quotes:
        return []
    speaker, verb = _speaker(sentence)
    return [(quote.strip(), speaker, verb) for quote in quotes]


def _speaker(sentence: str) -> tuple[str | None, str | None]:
    for pattern in (_AFTER, _BEFORE):
        found = pattern.search(sentence)
        if found:
            who = found.groupdict().get("who")
            pronoun = found.groupdict().get("pro")
            return (None if pronoun else who), found.group("verb").lower()
    selon = _SELON.search(sentence)
    return (selon.group("who"), "selon") if selon else (None, None)


def quotes(french: str, english: str) -> tuple[Quote, ...]:
    """The quotes of a sentence and its English: the English of each, where its
    quotation marks are kept (in order), and the speaker."""
    found = find_quotes(french)
    in_english = [m.group("q") for m in _ENGLISH.finditer(english)]
    return tuple(
        Quote(text, in_english[i] if i < len(in_english) else None, speaker, verb)
        for i, (text, speaker, verb) in enumerate(found)
    )


def quote_problems(french: str, english: str) -> tuple[list[str], list[str]]:
    """What the English of a quoting sentence loses: the quotes it does not keep inside
    quotation marks, and the speakers' names it does not keep."""
    found = quotes(french, english)
    lost = [q.french for q in found if q.english is None and not _is_dash(french)]
    names = {
        name
        for q in found
        if q.speaker
        for word in _NAME.findall(q.speaker)
        if (name := re.sub(r"^[LlDd]['’]", "", word)) and name not in _DETERMINERS
    }
    return lost, sorted(n for n in names if n not in english)


_DETERMINERS = {"Le", "La", "Les", "L", "Un", "Une", "Du", "De", "Des"}


def _is_dash(french: str) -> bool:
    """The dash form has no quotation marks to keep."""
    return bool(_DASH.match(french)) and not _QUOTED.search(french)
