"""Inline markup carried from a French text to its English: each element (a bold word, a
link, a formatted run) wraps the English words aligned to the French words it wrapped.

Elements are a tree of character spans over the French text; :func:`project` gives the
same tree over the English, nested as before, siblings apart (in the English order,
which may differ), every element kept; :func:`render` writes it back with its markup,
every English character once."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"\S+")
# What may open or close a word and stays outside an element that did not wrap it.
_OPENING = "«“‘\"'([{¿¡"
_CLOSING = ".,;:!?…»”’\"')]}"


@dataclass
class Span:
    """An element over ``[start, end)`` of a text; ``tag`` is the caller's (its markup)."""

    start: int
    end: int
    tag: Any
    children: list[Span] = field(default_factory=list)


def words(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each word (run of non-space) of ``text``."""
    return [m.span() for m in _WORD.finditer(text)]


def by_position(sources: int, targets: int) -> list[int]:
    """Links of ``targets`` words to ``sources`` words by their place alone."""
    if not sources:
        return [0] * targets
    return [min(sources - 1, int((t + 0.5) * sources / targets)) for t in range(targets)]


def joined(
    source: str,
    places: Sequence[tuple[int, int]],
    english: Sequence[tuple[str, Sequence[int] | None]],
) -> tuple[str, list[int], list[int]]:
    """The English of ``source`` whose sentences at ``places`` are translated (each an
    English and its words' links to the sentence's, None: by position), the text
    between sentences kept; the links of all its words to ``source``'s words; and where
    each sentence's English ends in it."""
    target, links, ends = "", [], []
    french = words(source)
    at = 0
    for (a, b), (translation, local) in zip(places, english):
        target += source[at:a]
        mine = [i for i, (start, _) in enumerate(french) if a <= start < b]
        sentence = translation.strip()
        count = len(words(sentence))
        if local is None or len(local) != count:
            local = by_position(len(mine), count)
        links += [mine[min(max(0, link), len(mine) - 1)] if mine else 0 for link in local]
        target += sentence
        ends.append(len(target))
        at = b
    return target + source[at:], links, ends


def project(source: str, target: str, links: Sequence[int], spans: Sequence[Span]) -> list[Span]:
    """``spans`` over ``source`` carried onto ``target``, whose k-th word translates the
    ``links[k]``-th word of ``source``."""
    french, english = words(source), words(target)
    links = [min(max(0, link), len(french) - 1) for link in links[: len(english)]]
    if len(links) < len(english) and french:
        links += [len(french) - 1] * (len(english) - len(links))
    place = _Placer(source, target, french, english, links)
    placed = [place(span) for span in spans]
    _settle(placed, 0, len(target))
    return placed


def render(text: str, spans: Sequence[Span], escape: Callable[[str], str]) -> str:
    """``text`` with each span's markup (its tag, a pair of strings) around it, escaped."""
    return _render(text, list(spans), 0, len(text), escape)


def _render(text: str, spans: list[Span], lo: int, hi: int, escape: Callable[[str], str]) -> str:
    out, at = [], lo
    for span in spans:
        opening, closing = span.tag
        out += [escape(text[at : span.start]), opening]
        out += [_render(text, span.children, span.start, span.end, escape), closing]
        at = span.end
    out.append(escape(text[at:hi]))
    return "".join(out)


def _settle(spans: list[Span], lo: int, hi: int) -> None:
    """Each span inside ``[lo, hi)`` and after the previous one, in place, sorted by
    where it starts (ties in their French order); their children likewise."""
    for span in spans:
        span.start = min(max(span.start, lo), hi)
        span.end = min(max(span.end, span.start), hi)
    spans.sort(key=lambda span: span.start)  # stable: ties keep their order
    at = lo
    for span in spans:
        span.start = max(span.start, at)
        span.end = max(span.end, span.start)
        at = span.end
        _settle(span.children, span.start, span.end)


@dataclass
class _Placer:
    source: str
    target: str
    french: list[tuple[int, int]]
    english: list[tuple[int, int]]
    links: list[int]

    def __call__(self, span: Span) -> Span:
        start, end = self._where(span)
        return Span(start, end, span.tag, [self(child) for child in span.children])

    def _where(self, span: Span) -> tuple[int, int]:
        """Where one element goes in the English: around the words aligned to its
        words, else the words aligned to the nearest French word that has some; an
        element with no word (punctuation, nothing) goes where its place maps."""
        wrapped = [
            i
            for i, (a, b) in enumerate(self.french)
            if _has_word(self.source[max(a, span.start) : min(b, span.end)])
        ]
        if not wrapped:
            return self._point(span)
        chosen = self._aligned(wrapped)
        start, end = self.english[min(chosen)][0], self.english[max(chosen)][1]
        inside = self.source[span.start : span.end].strip()
        while (
            end > start + 1
            and self.target[end - 1] in _CLOSING
            and not inside.endswith(self.target[end - 1])
        ):
            end -= 1
        while (
            start < end - 1
            and self.target[start] in _OPENING
            and not inside.startswith(self.target[start])
        ):
            start += 1
        return start, end

    def _aligned(self, wrapped: list[int]) -> list[int]:
        """The English words aligned to ``wrapped`` French words, or to the nearest
        French word that has any."""
        chosen = [k for k, link in enumerate(self.links) if link in wrapped]
        if chosen or not self.links:
            return chosen or [0]
        nearest = min(
            set(self.links),
            key=lambda w: (min(abs(w - x) for x in wrapped), w),
        )
        return [k for k, link in enumerate(self.links) if link == nearest]

    def _point(self, span: Span) -> tuple[int, int]:
        """An element without words: around the same punctuation in the English near
        where it maps, else empty there: after the English of the French word it is
        attached to, or before the first English word aligned to a French word after
        it."""
        at = self._mapped(span.start)
        inside = self.source[span.start : span.end].strip()
        if inside:
            found = [m.start() for m in re.finditer(re.escape(inside), self.target)]
            if found:
                near = min(found, key=lambda x: abs(x - at))
                return near, near + len(inside)
        return at, at

    def _mapped(self, place: int) -> int:
        before = [i for i, (_, b) in enumerate(self.french) if b <= place]
        if before and place > 0 and not self.source[place - 1].isspace():
            earlier = [k for k, link in enumerate(self.links) if link <= before[-1]]
            if earlier:
                return self.english[max(earlier)][1]
        after = len(before)
        following = [k for k, link in enumerate(self.links) if link >= after]
        return self.english[min(following)][0] if following else len(self.target.rstrip())


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)
