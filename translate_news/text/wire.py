"""Wire copies: articles that share most of their sentences (one agency dispatch run by
several outlets, edited or not) told apart from different stories on one topic.

Each sentence is keyed by a hash of its words (case, spacing, punctuation and the form
of quotation marks aside), the same sentence hash whichever outlet ran it. Two articles
are copies when the sentences they share are at least ``SHARE`` of the shorter one's,
and at least ``LEAST`` sentences (two sentences in common, however short the article,
are too common to tell: a stock phrase and a quote); copies of copies are one group. A
different story on the same topic shares a background sentence or a quote, not most
of itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

SHARE = 0.6
LEAST = 3
_WORD = re.compile(r"\w+")


def sentence_key(sentence: str) -> str:
    """The hash of a sentence's words: ``« Oui », a-t-il dit.`` and ``"Oui" a-t-il
    dit`` have one."""
    words = _WORD.findall(sentence.casefold())
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:16]


def copies(articles: Sequence[Sequence[str]]) -> list[list[int]]:
    """The articles (each its sentences) grouped into copies of one another: lists of
    indices, each in order, the groups in order of their first article; an article
    that copies none is a group of one."""
    keys = [{sentence_key(s) for s in sentences if _WORD.search(s)} for sentences in articles]
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            if _copy(keys[i], keys[j]):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _copy(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    shared = len(a & b)
    shorter = min(len(a), len(b))
    return shared >= LEAST and shared >= SHARE * shorter


def own_sentences(group: Sequence[Sequence[str]]) -> list[list[int]]:
    """For each article of a group of copies, the indices of its sentences that no
    other copy ran: what that outlet added."""
    keyed = [[sentence_key(s) for s in sentences] for sentences in group]
    counts: dict[str, int] = {}
    for keys in keyed:
        for key in set(keys):
            counts[key] = counts.get(key, 0) + 1
    return [[i for i, key in enumerate(keys) if counts[key] == 1] for keys in keyed]


def dispatch(group: Sequence[Sequence[str]]) -> int:
    """The copy that stands for the group: the one most of whose sentences the others
    ran too (the first such)."""
    own = own_sentences(group)
    return max(range(len(group)), key=lambda i: (len(group[i]) - len(own[i]), -i))
