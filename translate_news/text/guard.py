"""Faithfulness guards: no silent truncation of long input, no runaway output.

opus-mt models read at most 512 tokens and are known to loop on headings, captions and
fragments. :func:`split_long` cuts an over-long sentence at clause punctuation, then at
whitespace, into pieces that fit; :func:`is_runaway` spots output that repeats itself or
is far longer than its source, so that the engine can translate it again more safely.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

_CLAUSE = re.compile(r"(?<=[;:,–—)])\s+")

# Output longer than this many times its source (in tokens) is suspect.
MAX_LENGTH_RATIO = 3.0
# The same n-gram (n <= 4) this many times in a row is a loop.
MAX_REPEATS = 4


def split_long(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` tokens (as counted by ``count``).

    Clauses are packed greedily; a clause still too long is cut between words, and a
    single word longer than the limit is cut between characters. Joining the pieces
    with single spaces gives back the text with its whitespace folded.
    """
    if count(text) <= limit:
        return [text]
    pieces: list[str] = []
    for clause in _CLAUSE.split(text):
        if count(clause) > limit:
            units = clause.split()
            if len(units) == 1:
                units = list(clause)
                pieces += _pack(units, count, limit, joiner="")
                continue
            pieces += _pack(units, count, limit, joiner=" ")
        else:
            pieces.append(clause)
    return _pack(pieces, count, limit, joiner=" ")


def _pack(units: Sequence[str], count: Callable[[str], int], limit: int, joiner: str) -> list[str]:
    packed: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if current and count(candidate) > limit:
            packed.append(current)
            current = unit
        else:
            current = candidate
    if current:
        packed.append(current)
    return packed


def is_runaway(source_tokens: int, output: Sequence[int], cap: int) -> bool:
    """Whether ``output`` (token ids) looks like a loop or a runaway generation."""
    if len(output) >= cap:
        return True
    if source_tokens >= 4 and len(output) > MAX_LENGTH_RATIO * source_tokens + 4:
        return True
    return has_loop(output)


def has_loop(tokens: Sequence[int], repeats: int = MAX_REPEATS) -> bool:
    """Whether some n-gram (n <= 4) occurs ``repeats`` times in a row."""
    tokens = list(tokens)
    for n in range(1, 5):
        for offset in range(n):
            run = 1
            for i in range(offset + n, len(tokens) - n + 1, n):
                if tokens[i : i + n] == tokens[i - n : i]:
                    run += 1
                    if run >= repeats:
                        return True
                else:
                    run = 1
    return False
