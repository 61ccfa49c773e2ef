"""How a batch is decoded, whatever runs it: the settings (:class:`Decoding`), what a
backend offers (:class:`Backend`), and the out-of-memory rule: a batch that does not fit
is cut in half and retried until one row is left, so no sentence is lost to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from translate_news.core.errors import TranslateNewsError
from translate_news.core.options import gpu_index
from translate_news.seq2seq.cuda import empty_cache, is_oom

T = TypeVar("T")


@dataclass(frozen=True)
class Decoding:
    """How to decode one batch: beam size, length bounds and loop prevention.

    ``forced_bos`` is the token a model must start its output with (BART's ``<s>``)
    and ``forced_eos`` whether an output cut at the length limit ends with the
    end-of-sequence token: transformers applies both from the model's generation config,
    CTranslate2 is given the first as its target prefix and leaves room for the second.
    With ``hypotheses`` n > 1 (at most ``beams``), a backend returns the n best outputs
    of each row, best first, one after the other.
    """

    beams: int
    max_new_tokens: int
    min_new_tokens: int = 0
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    length_penalty: float = 1.0
    forced_bos: int | None = None
    forced_eos: bool = False
    hypotheses: int = 1
    shortlist: bool = True  # use the backend's vocabulary shortlist, if it has one


class Backend(Protocol):
    name: str
    precision: str
    device: str
    shortlist: str | None  # the vocabulary shortlist in use (its hash), if any

    def generate(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        """Output token ids per row (no start token; end-of-sequence kept when emitted)."""
        ...

    def score(self, sources: list[list[int]], targets: list[list[int]]) -> list[list[float]]:
        """The log-probability of each token of each target (as ``generate`` writes
        them) given its source, over the full vocabulary."""
        ...

    def attention(
        self, sources: list[list[int]], targets: list[list[int]]
    ) -> list[list[list[float]]]:
        """Each target token's cross-attention over its source's tokens (the last
        decoder layer, its heads averaged), rows in target order; a backend may leave
        out the row of a final end-of-sequence token."""
        ...


def generate_halving(
    backend: Backend, batch: list[list[int]], decoding: Decoding
) -> list[list[int]]:
    """``backend.generate``, halving the batch on out-of-memory until one row is left.

    The halves run after the ``except`` block has ended: inside it, the exception's
    traceback keeps the failed attempt's frames, and with them its GPU tensors, alive,
    so the halves would run out of memory too (seen on an H100).
    """
    try:
        return backend.generate(batch, decoding)
    except (RuntimeError, MemoryError) as exc:
        if not is_oom(exc):
            raise
        if len(batch) == 1:
            raise TranslateNewsError(
                f"out of memory translating one sentence of {len(batch[0])} tokens "
                f"on {backend.name}; try --device cpu"
            ) from exc
    return _halves(backend, batch, decoding)


def _halves(backend: Backend, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
    empty_cache()
    half = len(batch) // 2
    return generate_halving(backend, batch[:half], decoding) + generate_halving(
        backend, batch[half:], decoding
    )


def generate_all(
    backend: Backend, jobs: list[tuple[list[list[int]], Decoding]]
) -> list[list[list[int]]]:
    """Run several batches; a backend with ``submit`` runs them concurrently.

    A batch that runs out of memory is redone through :func:`generate_halving`.
    """
    return list(generate_each(backend, jobs))


def generate_each(
    backend: Backend, jobs: list[tuple[list[list[int]], Decoding]]
) -> Iterator[list[list[int]]]:
    """:func:`generate_all`, yielding each batch's outputs, in order, as soon as they
    are there: all batches are submitted first, so work handed to the backend between
    two yields (scoring a finished batch) queues behind them and fills the workers
    that the last batches leave idle."""
    submit = getattr(backend, "submit", None)
    if submit is None:
        for batch, decoding in jobs:
            yield generate_halving(backend, batch, decoding)
        return
    pending = [submit(batch, decoding) for batch, decoding in jobs]
    for (batch, decoding), collect in zip(jobs, pending):
        result = unless_out_of_memory(collect)
        # Halving runs outside the except block: see generate_halving.
        yield generate_halving(backend, batch, decoding) if result is None else result


def unless_out_of_memory(collect: Callable[[], T]) -> T | None:
    """``collect()``, or None when it ran out of memory."""
    try:
        return collect()
    except (RuntimeError, MemoryError) as exc:
        if not is_oom(exc):
            raise
    return None


def submit_score(
    backend: Backend, sources: list[list[int]], targets: list[list[int]]
) -> Callable[[], list[list[float]]]:
    """Start scoring one batch where the backend can run it concurrently (else score it
    now); call the result for the log-probabilities."""
    submit = getattr(backend, "submit_score", None)
    if submit is not None:
        return submit(sources, targets)
    found = backend.score(sources, targets)
    return lambda: found


def default_batch_tokens(device: str, backend: str, beams: int) -> int:
    """Padded source tokens per batch when the user sets none."""
    if gpu_index(device) is None:
        # Beam search on CPU runs faster and leaner on small batches (see README).
        return max(64, 2048 // beams)
    # transformers on an H100 ran 1.2-1.5x faster in batches of 16 sentences (about
    # 1,000 padded tokens) than with an 8192-token budget (scripts/results).
    return 8192 if backend == "ctranslate2" else 1024
