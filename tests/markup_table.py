"""Sentences of the toy corpus with inline markup, and where their English must carry it:
the corpus is built word by word (subject, verb, object, time), so the English words
each French word becomes are known."""

from __future__ import annotations

import itertools

from scripts import make_test_models

# Which French words (first, last; 5 is the time) an element wraps, and its tags; cases
# take one, or two (nested, or side by side).
PATTERNS = [
    ((0, 1), ("<b>", "</b>")),
    ((1, 1), ('<a href="/maire?x=1&amp;y=2">', "</a>")),
    ((2, 2), ("<i>", "</i>")),
    ((3, 4), ("<em>", "</em>")),
    ((4, 4), ('<span class="n" lang="fr">', "</span>")),
    ((5, 5), ("<strong>", "</strong>")),
    ((2, 4), ("<u>", "</u>")),
    ((0, 5), ("<mark>", "</mark>")),
    ((0, 4), ("<sup>", "</sup>")),
    ((1, 2), ("<code>", "</code>")),
]


def _english_range(first: int, last: int, english_words: int) -> tuple[int, int]:
    """The English words of French words ``first`` to ``last`` (the time, word 5, may
    be two English words: "on Tuesday")."""
    end = english_words - 1 if last >= 5 else last
    return first, end


def _wrap(words: list[str], first: int, last: int, tags: tuple[str, str]) -> list[str]:
    """``words`` with ``tags`` around words ``first`` to ``last``, a final stop left out."""
    out = list(words)
    stop = out[last].endswith(".")
    inner = out[last][:-1] if stop else out[last]
    out[first] = tags[0] + out[first] if first != last else out[first]
    if first == last:
        out[last] = tags[0] + inner + tags[1] + ("." if stop else "")
    else:
        out[last] = inner + tags[1] + ("." if stop else "")
    return out


def cases(count: int = 48) -> list[tuple[str, str, str]]:
    """(French with markup, the toy model's English of the plain sentence, the English
    with the markup where it belongs): every pattern, and pairs of them nested."""
    pairs = [
        (fr, en)
        for fr, en in make_test_models.toy_corpus()
        if fr.endswith(".") and len(fr.split()) == 6
    ]
    found = []
    patterns = itertools.cycle(
        [[p] for p in PATTERNS]
        + [
            [PATTERNS[0], PATTERNS[1]],
            [PATTERNS[3], PATTERNS[4]],
            [PATTERNS[0], PATTERNS[2]],
            [PATTERNS[5], PATTERNS[6]],
        ]
    )
    for (fr, en), chosen in zip(pairs[::7], patterns):
        french, english = fr.split(), en.split()
        for (first, last), tags in sorted(chosen, key=lambda p: p[0][1] - p[0][0]):
            french = _wrap(french, first, last, tags)
            english = _wrap(english, *_english_range(first, last, len(en.split())), tags)
        found.append((" ".join(french), en, " ".join(english)))
        if len(found) == count:
            break
    return found
