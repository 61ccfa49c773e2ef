"""Token-budget batching: sort by length, cut batches whose padded size fits a budget."""

from __future__ import annotations

from collections.abc import Sequence


def token_budget_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Group item indices into batches of similar length, longest first.

    A batch's cost is its padded size, ``len(batch) * longest item``; every batch stays
    within ``budget`` except a single item longer than the budget, which goes alone.
    Ties keep their original order, so the batching is deterministic.

    >>> token_budget_batches([3, 10, 4, 9], budget=20)
    [[1, 3], [2, 0]]
    """
    if budget < 1:
        raise ValueError(f"batch token budget must be positive, got {budget}")
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index in order:
        width = max(longest, lengths[index])
        if current and width * (len(current) + 1) > budget:
            batches.append(current)
            current, width = [], lengths[index]
        current.append(index)
        longest = width
    if current:
        batches.append(current)
    return batches
