"""Which source word each output word translates, from the model's own cross-attention
(the last decoder layer, its heads averaged: what CTranslate2 returns with
``return_attention`` from a conversion whose alignment heads are all of them, and what
transformers returns as ``cross_attentions``), read as a hidden Markov alignment (Vogel,
Ney and Tillmann, 1996): each English word's attention over the French words, weighed by
a diagonal prior (fast_align's, Dyer et al., 2013), and the best path through them where
moving one French word on costs nothing, staying costs ``STAY`` and any other jump
``JUMP`` per word skipped. French and English news keep most of their word order, and a
small model's attention alone points at the wrong word for about half of them.

Measured on the toy and numbers models against the alignments their corpora are built
with (subject, verb, object, time; 300 sentences each, the CTranslate2 backend): the
attention alone picks the right French word for 43% and 64% of English words, the
prior alone 74% and 77%, each word's best under the prior (tension 12) 87% and 95%, the
best path (``TENSION`` 4, ``JUMP`` 1, ``STAY`` 2) 99.8% and 94.2%; of the settings
tried (tension 0-12, jump and stay 0.5-2) none did better on both.
"""

from __future__ import annotations

from collections.abc import Sequence

from translate_news.seq2seq.confidence import WORD_MARKS
from translate_news.text.inline import by_position

TENSION = 4.0
JUMP = 1.0
STAY = 2.0


def piece_words(pieces: Sequence[str]) -> list[int]:
    """The word each subword belongs to: a new word at each subword that begins with a
    word-boundary mark (a first subword without one begins a word too)."""
    found, word = [], -1
    for piece in pieces:
        if word < 0 or piece.startswith(WORD_MARKS):
            word += 1
        found.append(word)
    return found


def word_links(
    attention: Sequence[Sequence[float]],
    source_words: Sequence[int],
    target_words: Sequence[int],
) -> list[int]:
    """For each target word, the source word it translates: the best path through the
    attention of its subwords (``attention[t][s]``, target subword by source subword)
    summed over each word's subwords (see the module's note)."""
    import numpy as np

    sources = max(source_words, default=-1) + 1
    targets = max(target_words, default=-1) + 1
    if not sources or not targets:
        return [0] * targets
    mass = np.zeros((targets, sources))
    for row, target in zip(attention, target_words):
        np.add.at(mass[target], list(source_words[: len(row)]), row[: len(source_words)])
    mass /= np.maximum(mass.sum(axis=1, keepdims=True), 1e-12)
    where_target = (np.arange(targets) + 0.5) / targets
    where_source = (np.arange(sources) + 0.5) / sources
    emitted = np.log(mass + 1e-6) - TENSION * np.abs(where_target[:, None] - where_source)
    step = np.arange(sources)[None, :] - np.arange(sources)[:, None]  # [from, to]
    cost = np.where(step == 1, 0.0, np.where(step == 0, STAY, JUMP * np.abs(step - 1)))
    best, back = emitted[0], []
    for t in range(1, targets):
        reach = best[:, None] - cost
        back.append(reach.argmax(axis=0))
        best = reach.max(axis=0) + emitted[t]
    path = [int(best.argmax())]
    for came in reversed(back):
        path.append(int(came[path[-1]]))
    return path[::-1]


def diagonal(sources: int, targets: int) -> list[int]:
    """The prior's own links, for a pair the model cannot attend over (too long for it)."""
    return by_position(sources, targets)
