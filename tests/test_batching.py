import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate_news.seq2seq.batching import token_budget_batches


@pytest.mark.parametrize(
    ("lengths", "budget", "expected"),
    [
        ([], 10, []),
        ([5], 1, [[0]]),
        ([3, 10, 4, 9], 20, [[1, 3], [2, 0]]),
        ([2, 2, 2, 2], 4, [[0, 1], [2, 3]]),
        ([30, 1, 1], 10, [[0], [1, 2]]),
    ],
)
def test_batches(lengths, budget, expected):
    assert token_budget_batches(lengths, budget) == expected


@given(st.lists(st.integers(1, 200), max_size=80), st.integers(1, 1000))
def test_every_item_once_and_within_budget(lengths, budget):
    batches = token_budget_batches(lengths, budget)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        padded = len(batch) * max(lengths[i] for i in batch)
        assert padded <= budget or len(batch) == 1
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat, reverse=True)


def test_budget_must_be_positive():
    with pytest.raises(ValueError):
        token_budget_batches([1], 0)
