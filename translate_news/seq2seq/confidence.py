"""Confidence from the model that translated, as Bergamot computes it without any extra
model (browsermt/bergamot-translator, ``src/translator/quality_estimator.cpp``): the
log-probabilities of the chosen subwords, grouped into words (a new word where a subword
begins with the word-boundary mark), a word's score the mean of its subwords', a
sentence's the mean of its words'. Firefox marks words under log(0.5)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from translate_news.core.document import ShortlistCheck, mean_log_prob

# Where a subword begins a word: SentencePiece's mark (Marian), byte-level BPE's (BART).
WORD_MARKS = ("\u2581", "\u0120")


def words(pieces: Sequence[str], log_probs: Sequence[float]) -> list[tuple[int, float]]:
    """The words of ``pieces`` (subwords, in order, no special tokens) as (how many
    subwords, mean log-probability), a new word at each subword that begins with a
    word-boundary mark; a first subword without one begins a word too."""
    if len(pieces) != len(log_probs):
        raise ValueError(f"{len(pieces)} subwords but {len(log_probs)} scores")
    groups: list[list[float]] = []
    for piece, log_prob in zip(pieces, log_probs):
        if not groups or piece.startswith(WORD_MARKS):
            groups.append([])
        groups[-1].append(log_prob)
    return [(len(group), mean_log_prob(group)) for group in groups]


def sentence(word_scores: Sequence[float]) -> float:
    """A sentence's score: the mean of its words' (0.0, certainty, for none)."""
    return mean_log_prob(word_scores)


def probability(log_prob: float) -> float:
    """A mean log-probability as a probability between 0 and 1, for reading."""
    return math.exp(log_prob)


# With beam search the guard's bound covers the chosen translation's path only, not the
# beams it discarded: a sentence is kept when the full model puts at least this much of
# its probability inside the shortlist at every step, besides the greedy criterion.
# Measured on the toy and numbers models with three shortlists, in default and small
# batches (scripts/eval_shortlist_guard.py): the bound alone kept one sentence of 300
# that differs at 0.8, and one of 40 at 0.994 in small batches (a path through a token
# of probability 0.001); with the greedy criterion too, none at any threshold.
BEAM_MASS = 0.95


def shortlist_mass(full: Sequence[float], shortlisted: float) -> float:
    """A lower bound on the full model's probability mass inside the shortlist at every
    step of one translation: each step's full log-probability of the chosen token is the
    shortlisted one plus the log of that step's mass, so the totals differ by the sum of
    the logs of the masses, and each mass is at least their product."""
    return math.exp(min(0.0, sum(full) - shortlisted))


def verified(mass: float, full: Sequence[float], greedy: bool) -> bool:
    """Whether a shortlisted translation is the full vocabulary's. Greedy, exactly: if
    the mass left outside the shortlist is below each chosen token's own probability,
    no excluded token could have been chosen at any step. Beam search: that, and the
    bound ``BEAM_MASS`` on the chosen path (the beams it discarded are not seen: a path
    through one unlikely token, which the first condition catches, was measured to
    lose to one through a token outside the shortlist)."""
    exact = bool(full) and 1.0 - mass < math.exp(min(full))
    return exact if greedy else exact and mass >= BEAM_MASS


# Above this share of redone sentences the guarded shortlist is slower than the full
# vocabulary: scripts/bench_guard.py measured, on the opus-mt-fr-en shape at beam 4,
# 587, 522 and 416 source tokens/s at 0%, 5% and 20% redone against 354 without the
# shortlist, a line that meets 354 at 27%.
BREAK_EVEN = 0.25


class GuardRecord:
    """What the guard redid lately, and whether the shortlist is still worth using: once
    more than :data:`BREAK_EVEN` of the last ``window`` sentences it checked were redone
    (``least`` seen at least), the next ``rest`` sentences are translated with the full
    vocabulary, then the shortlist is tried again. A map that misses the user's text
    costs at most about the break-even, never a run slower than the full vocabulary."""

    def __init__(self, window: int = 256, least: int = 64, rest: int = 1024) -> None:
        self.window, self.least, self.rest = window, least, rest
        self.recent: list[bool] = []  # redone or not, oldest first
        self.resting = 0  # sentences still to translate without the shortlist

    def use(self, sentences: int) -> bool:
        """Whether to use the shortlist for the next ``sentences`` (counted if not)."""
        if self.resting <= 0:
            return True
        self.resting -= sentences
        return False

    def note(self, checks: Sequence[ShortlistCheck | None]) -> None:
        """Record the guard's results of one call."""
        self.recent = [*self.recent, *(c.status == "redone" for c in checks if c)]
        self.recent = self.recent[-self.window :]
        if len(self.recent) >= self.least and sum(self.recent) > BREAK_EVEN * len(self.recent):
            self.resting, self.recent = self.rest, []
