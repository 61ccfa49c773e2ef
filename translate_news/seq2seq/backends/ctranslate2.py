"""The CTranslate2 backend: a conversion of the same model (int8 on CPU, float16 on
CUDA), converted on first use, with the vocabulary shortlist when asked for."""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from translate_news.core.errors import BackendUnavailable, TranslateNewsError
from translate_news.core.options import gpu_index
from translate_news.seq2seq.convert import conversion_dir, convert_to_ctranslate2
from translate_news.seq2seq.cuda import check_gpu, preload_cuda_libraries
from translate_news.seq2seq.decoding import Decoding
from translate_news.seq2seq.shortlist import install_vmap, shortlist_path

_log = logging.getLogger(__name__)

# How many outputs' attention the backend keeps for alignment (float16: a 40-token
# sentence's is about 3 KB).
KEPT_ATTENTION = 4096


# Target tokens scored at once by score_batch (see submit_score).
SCORE_TOKENS_CPU = 64
SCORE_TOKENS_GPU = 4096


class CTranslate2Backend:
    """A CTranslate2 translator over the converted model directory ``path``.

    On CPU the cores are spread over parallel workers (``inter_threads``), each
    decoding its own small batch: at beam 4 on two cores this is 1.7 x faster than one
    two-threaded worker on larger batches (see README). On CUDA one worker runs.
    """

    name = "ctranslate2"

    def __init__(
        self,
        path: Path,
        tokenizer: Any,
        device: str,
        compute_type: str,
        threads: int,
        shortlist: str | None = None,
    ) -> None:
        import ctranslate2

        self.tokenizer = tokenizer
        self.shortlist = shortlist  # its vmap.txt is in ``path``
        self.device = device
        self.precision = compute_type
        index = gpu_index(device)
        if index is None:
            inter = min(threads, 4)
            intra = max(1, threads // inter)
        else:
            inter, intra = 1, 0
        self.eos = tokenizer.eos_token_id
        # The attention of the outputs decoded last (CTranslate2 returns it from the beam
        # search itself, at no measurable cost): what :meth:`attention` gives without a
        # second decode. Keyed by (source ids, output ids without the end of sequence).
        self._attended: OrderedDict[tuple[tuple[int, ...], tuple[int, ...]], Any] = OrderedDict()
        self._lock = threading.Lock()
        try:
            self.translator = ctranslate2.Translator(
                str(path),
                device="cpu" if index is None else "cuda",
                device_index=index or 0,
                compute_type=compute_type,
                inter_threads=inter,
                intra_threads=intra,
            )
            if index is not None:
                # Translate a few words so that a GPU CTranslate2 cannot use fails here,
                # at load: its wheels load CUDA 12's cuBLAS only when first needed, so
                # with another CUDA major version it sees the GPU, loads the model, and
                # fails on the first sentence.
                probe = tokenizer.convert_ids_to_tokens(tokenizer("Bonjour à tous.")["input_ids"])
                self.translator.translate_batch([probe], max_decoding_length=4)
        except (RuntimeError, OSError) as exc:
            if index is None:
                raise
            raise _unavailable(exc) from exc

    def generate(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        return self.submit(batch, decoding)()

    def score(self, sources: list[list[int]], targets: list[list[int]]) -> list[list[float]]:
        """The log-probability of each token of each target given its source, in one
        teacher-forced pass (CTranslate2's ``score_batch``, the full vocabulary, never
        the shortlist)."""
        return self.submit_score(sources, targets)()

    def submit_score(
        self, sources: list[list[int]], targets: list[list[int]]
    ) -> Callable[[], list[list[float]]]:
        """Start :meth:`score` on a free worker; call the result to wait for it."""
        source_tokens = [self.tokenizer.convert_ids_to_tokens(ids) for ids in sources]
        ended = [bool(ids) and ids[-1] == self.eos for ids in targets]
        target_tokens = [
            self.tokenizer.convert_ids_to_tokens(ids[:-1] if end else ids)
            for ids, end in zip(targets, ended)
        ]
        # Teacher forcing keeps every position's full-vocabulary logits at once (59,514
        # floats, 238 kB, per target token of opus-mt-fr-en): sub-batches bound that.
        # Peak memory translating 200 sentences at beam 4 on a CPU (opus-mt-fr-en's
        # shape): 874 MB unbounded, 671 at 256 tokens, 509-540 at 64, at one speed.
        futures = self.translator.score_batch(
            source_tokens,
            target_tokens,
            max_batch_size=SCORE_TOKENS_CPU if self.device == "cpu" else SCORE_TOKENS_GPU,
            batch_type="tokens",
            asynchronous=True,
        )

        def collect() -> list[list[float]]:
            # score_batch scores the end-of-sequence token it adds: kept where the
            # target has one.
            found = [list(future.result().log_probs) for future in futures]
            return [row if end else row[:-1] for row, end in zip(found, ended)]

        return collect

    def attention(
        self, sources: list[list[int]], targets: list[list[int]]
    ) -> list[list[list[float]]]:
        """Each target token's cross-attention over its source's tokens (the alignment
        heads of the conversion, all heads of the last layer, averaged): as the beam
        search that wrote the target returned it, else from a decode forced along it
        (``target_prefix``, ``return_attention``), which costs about as much as the
        translation did."""
        found: list[list[list[float]] | None] = []
        with self._lock:
            for source, target in zip(sources, targets):
                kept = self._attended.get(self._key(source, target))
                found.append(None if kept is None else kept.astype(float).tolist())
        missing = [i for i, matrix in enumerate(found) if matrix is None]
        if missing:
            forced = self._forced([sources[i] for i in missing], [targets[i] for i in missing])
            for i, matrix in zip(missing, forced):
                found[i] = matrix
        return [matrix or [] for matrix in found]

    def _key(self, source: list[int], target: list[int]) -> tuple[tuple[int, ...], ...]:
        end = len(target) - (bool(target) and target[-1] == self.eos)
        return tuple(source), tuple(target[:end])

    def _keep(self, source: list[int], target: list[int], attention: Any) -> None:
        import numpy as np

        with self._lock:
            self._attended[self._key(source, target)] = np.asarray(attention, dtype=np.float16)
            while len(self._attended) > KEPT_ATTENTION:
                self._attended.popitem(last=False)

    def _forced(
        self, sources: list[list[int]], targets: list[list[int]]
    ) -> list[list[list[float]]]:
        source_tokens = [self.tokenizer.convert_ids_to_tokens(ids) for ids in sources]
        prefixes = [
            self.tokenizer.convert_ids_to_tokens(ids[:-1] if ids and ids[-1] == self.eos else ids)
            for ids in targets
        ]
        found = self.translator.translate_batch(
            source_tokens,
            target_prefix=prefixes,
            beam_size=1,
            max_decoding_length=max(len(p) for p in prefixes) + 1,
            return_attention=True,
            use_vmap=False,
        )
        return [
            [list(row) for row in result.attention[0][: len(target)]]
            for result, target in zip(found, targets)
        ]

    def submit(self, batch: list[list[int]], decoding: Decoding) -> Callable[[], list[list[int]]]:
        """Start decoding ``batch`` on a free worker; call the result to wait for it."""
        collect = self._submit(batch, decoding, scores=False)
        return lambda: [ids for ids, _ in collect()]

    def submit_scored(
        self, batch: list[list[int]], decoding: Decoding
    ) -> Callable[[], list[tuple[list[int], float]]]:
        """:meth:`submit`, each output with the total log-probability the decoding gave
        it (over the shortlist, where one is used: each step normalised over the tokens
        the batch may use)."""
        return self._submit(batch, decoding, scores=True)

    def _submit(
        self, batch: list[list[int]], decoding: Decoding, scores: bool
    ) -> Callable[[], list[tuple[list[int], float]]]:
        tokens = [self.tokenizer.convert_ids_to_tokens(ids) for ids in batch]
        extra = self._options(decoding, len(tokens))
        extra["return_attention"] = True  # kept for alignment (see __init__)
        if scores:
            extra["return_scores"] = True
        futures = self.translator.translate_batch(
            tokens,
            beam_size=decoding.beams,
            # With a forced end, the last place is the end-of-sequence token's.
            max_decoding_length=decoding.max_new_tokens - decoding.forced_eos,
            asynchronous=True,
            **extra,
        )

        def collect() -> list[tuple[list[int], float]]:
            out = []
            for row, future in enumerate(futures):
                try:
                    result = future.result()
                except RuntimeError as exc:
                    if _MISSING_LIBRARY.search(str(exc)):  # after a load that worked
                        raise TranslateNewsError(
                            f"{_unavailable(exc)}; try --backend torch"
                        ) from exc
                    raise
                source = batch[row]
                for k, hypothesis in enumerate(result.hypotheses[: decoding.hypotheses]):
                    ids = self.tokenizer.convert_tokens_to_ids(hypothesis)
                    if result.attention:
                        self._keep(source, ids, result.attention[k])
                    # CTranslate2 drops the end-of-sequence token; count it when it
                    # stopped early.
                    ended = decoding.forced_eos or len(ids) < decoding.max_new_tokens
                    ids = [*ids, self.eos] if ended else ids
                    # Its score is the total over the tokens, the end included, divided
                    # by their number to the length penalty.
                    norm = len(ids) ** decoding.length_penalty
                    total = result.scores[k] * norm if scores else 0.0
                    out.append((ids, total))
            return out

        return collect

    def _options(self, decoding: Decoding, rows: int) -> dict[str, Any]:
        """CTranslate2's options for ``decoding``: only those that differ from its
        defaults are passed (passing some defaults explicitly, min_decoding_length=0,
        changes its beam search)."""
        extra: dict[str, Any] = {}
        longest = decoding.max_new_tokens - decoding.forced_eos
        if decoding.min_new_tokens:
            extra["min_decoding_length"] = min(decoding.min_new_tokens, longest)
        if decoding.no_repeat_ngram_size:
            extra["no_repeat_ngram_size"] = decoding.no_repeat_ngram_size
        if decoding.repetition_penalty != 1.0:
            extra["repetition_penalty"] = decoding.repetition_penalty
        if decoding.length_penalty != 1.0:
            extra["length_penalty"] = decoding.length_penalty
        if decoding.forced_bos is not None:
            bos = self.tokenizer.convert_ids_to_tokens(decoding.forced_bos)
            extra["target_prefix"] = [[bos]] * rows
        if self.shortlist and decoding.shortlist:
            extra["use_vmap"] = True
        if decoding.hypotheses > 1:
            extra["num_hypotheses"] = decoding.hypotheses
        return extra


# What CTranslate2 says when its GPU libraries do not match the machine's CUDA.
_MISSING_LIBRARY = re.compile(r"Library \S+ is not found|driver version is insufficient")


def _unavailable(exc: BaseException) -> BackendUnavailable:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return BackendUnavailable(f"CTranslate2 cannot run on this GPU: {reason}")


def load_ctranslate2_backend(
    model_dir: Path,
    fingerprint: str,
    tokenizer: Any,
    device: str,
    compute_type: str | None,
    threads: int,
    shortlist: bool | None = None,
) -> CTranslate2Backend:
    """Convert ``model_dir`` once (cached) and load it on ``device`` (auto: CUDA when
    CTranslate2 sees a GPU), int8 on CPU and float16 on CUDA unless ``compute_type``;
    with the model's vocabulary shortlist when ``shortlist`` (None: when it has one)."""
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    if device == "auto":
        device = "cuda" if gpus else "cpu"
    index = check_gpu(device, gpus, "CTranslate2")
    if index is not None:
        for path in preload_cuda_libraries():
            _log.info("CUDA library for CTranslate2: %s", path)
    compute_type = compute_type or ("int8" if index is None else "float16")
    target = conversion_dir(model_dir, fingerprint, compute_type)
    vmap = shortlist_path(model_dir, fingerprint) if shortlist is not False else None
    if shortlist is None and vmap is not None and not vmap.is_file():
        vmap = None  # none built: the full vocabulary
    if vmap is not None and not vmap.is_file():
        raise TranslateNewsError(
            f"{model_dir} has no vocabulary shortlist yet; build one with: "
            f"translate-news models shortlist {model_dir} --corpus FOLDER"
        )

    path = convert_to_ctranslate2(model_dir, compute_type, target)
    digest = install_vmap(vmap, path)
    try:
        return CTranslate2Backend(path, tokenizer, device, compute_type, threads, digest)
    except (RuntimeError, ValueError, IndexError, OSError) as exc:  # a damaged conversion
        _log.warning(
            "the CTranslate2 conversion %s cannot be loaded (%s); converting again", path, exc
        )
        shutil.rmtree(path)
    path = convert_to_ctranslate2(model_dir, compute_type, target)
    digest = install_vmap(vmap, path)
    return CTranslate2Backend(path, tokenizer, device, compute_type, threads, digest)
