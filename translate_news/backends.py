"""Execution backends: token ids in, token ids out, for one batch.

* :class:`TorchBackend`: transformers ``generate`` (fp32 on CPU, fp16 on CUDA).
* :class:`CTranslate2Backend`: a CTranslate2 conversion of the same model (int8 on
  CPU, float16 on CUDA), converted on first use and cached beside the model.

Both cut a batch in half and retry when the GPU runs out of memory, so no sentence is
ever lost to an out-of-memory error.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .errors import BackendUnavailable, TranslateNewsError, UsageError
from .options import ModelOptions, gpu_index
from .paths import cache_root

_log = logging.getLogger(__name__)


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


class Backend(Protocol):
    name: str
    precision: str
    device: str
    shortlist: str | None  # the vocabulary shortlist in use (its hash), if any

    def generate(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        """Output token ids per row (no start token; end-of-sequence kept when emitted)."""
        ...


def _is_oom(exc: BaseException) -> bool:
    return "out of memory" in str(exc).lower()


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
        if not _is_oom(exc) and not isinstance(exc, MemoryError):
            raise
        if len(batch) == 1:
            raise TranslateNewsError(
                f"out of memory translating one sentence of {len(batch[0])} tokens "
                f"on {backend.name}; try --device cpu"
            ) from exc
    return _halves(backend, batch, decoding)


def _halves(backend: Backend, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
    _empty_cuda_cache()
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
    submit = getattr(backend, "submit", None)
    if submit is None:
        return [generate_halving(backend, batch, decoding) for batch, decoding in jobs]
    pending = [submit(batch, decoding) for batch, decoding in jobs]
    results = []
    for (batch, decoding), collect in zip(jobs, pending):
        try:
            results.append(collect())
            continue
        except (RuntimeError, MemoryError) as exc:
            if not _is_oom(exc) and not isinstance(exc, MemoryError):
                raise
        results.append(generate_halving(backend, batch, decoding))  # see there: not in except
    return results


def _empty_cuda_cache() -> None:
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


class TorchBackend:
    """transformers ``generate`` on a loaded seq2seq model."""

    name = "torch"
    shortlist = None

    def __init__(self, model: Any, device: str, pad_token_id: int) -> None:
        self.model = model
        self.device = device
        self.pad = pad_token_id
        self.precision = str(next(model.parameters()).dtype).replace("torch.", "")

    def generate(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        import torch

        longest = max(len(x) for x in batch)
        input_ids = torch.full((len(batch), longest), self.pad, dtype=torch.long)
        mask = torch.zeros((len(batch), longest), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            mask[row, : len(ids)] = 1
        extra: dict[str, Any] = {}
        if decoding.no_repeat_ngram_size:
            extra["no_repeat_ngram_size"] = decoding.no_repeat_ngram_size
        if decoding.repetition_penalty != 1.0:
            extra["repetition_penalty"] = decoding.repetition_penalty
        if decoding.length_penalty != 1.0 and decoding.beams > 1:
            extra["length_penalty"] = decoding.length_penalty
        if decoding.min_new_tokens:
            extra["min_length"] = 0  # min_new_tokens says it all; no warning about both
        if decoding.hypotheses > 1:
            extra["num_return_sequences"] = decoding.hypotheses
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device),
                num_beams=decoding.beams,
                max_length=None,
                max_new_tokens=decoding.max_new_tokens,
                min_new_tokens=decoding.min_new_tokens or None,
                **extra,
            )
        rows = out[:, 1:].tolist()
        return [[t for t in row if t != self.pad] for row in rows]


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

    def submit(self, batch: list[list[int]], decoding: Decoding) -> Callable[[], list[list[int]]]:
        """Start decoding ``batch`` on a free worker; call the result to wait for it."""
        tokens = [self.tokenizer.convert_ids_to_tokens(ids) for ids in batch]
        # Only options that differ from CTranslate2's defaults are passed: passing some
        # defaults explicitly (min_decoding_length=0) changes its beam search.
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
            extra["target_prefix"] = [[bos]] * len(tokens)
        if self.shortlist:
            extra["use_vmap"] = True
        if decoding.hypotheses > 1:
            extra["num_hypotheses"] = decoding.hypotheses
        futures = self.translator.translate_batch(
            tokens,
            beam_size=decoding.beams,
            # With a forced end, the last place is the end-of-sequence token's.
            max_decoding_length=longest,
            asynchronous=True,
            **extra,
        )

        def collect() -> list[list[int]]:
            out = []
            for future in futures:
                try:
                    result = future.result()
                except RuntimeError as exc:
                    if _MISSING_LIBRARY.search(str(exc)):
                        raise _unavailable(exc) from exc
                    raise
                for hypothesis in result.hypotheses[: decoding.hypotheses]:
                    ids = self.tokenizer.convert_tokens_to_ids(hypothesis)
                    # CTranslate2 drops the end-of-sequence token; count it when it
                    # stopped early.
                    ended = decoding.forced_eos or len(ids) < decoding.max_new_tokens
                    out.append([*ids, self.eos] if ended else ids)
            return out

        return collect


# What CTranslate2 says when its GPU libraries do not match the machine's CUDA.
_MISSING_LIBRARY = re.compile(r"Library \S+ is not found|driver version is insufficient")


def _unavailable(exc: BaseException) -> BackendUnavailable:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return BackendUnavailable(f"CTranslate2 cannot run on this GPU: {reason}")


def load_backend(
    source: Any, kwargs: dict[str, Any], tokenizer: Any, options: ModelOptions
) -> tuple[Backend, Path]:
    """The backend ``options`` ask for, loaded, and the model's folder. "auto" is
    CTranslate2 when it is installed, transformers when it is not or cannot run on the GPU."""
    from .models import model_dir, model_fingerprint

    choice = options.backend
    if choice == "auto":
        choice = "ctranslate2" if ctranslate2_available() else "torch"
    if choice == "ctranslate2":
        folder = model_dir(source, kwargs)
        try:
            loaded = load_ctranslate2_backend(
                folder,
                model_fingerprint(folder),
                tokenizer,
                options.device,
                options.compute_type,
                options.threads or os.cpu_count() or 1,
                options.shortlist,
            )
            return loaded, folder
        except BackendUnavailable as exc:
            fall_back(exc, options.backend)
    loaded = load_torch_backend(source, kwargs, options, tokenizer.pad_token_id)
    return loaded, model_dir(source, kwargs)


def fall_back(exc: BackendUnavailable, requested: str) -> None:
    """Go on with transformers when CTranslate2 was only chosen by default; else stop."""
    if requested != "auto":
        raise TranslateNewsError(f"{exc}; try --backend torch") from exc
    _log.warning("%s; using transformers instead", exc)


def default_batch_tokens(device: str, backend: str, beams: int) -> int:
    """Padded source tokens per batch when the user sets none."""
    if gpu_index(device) is None:
        # Beam search on CPU runs faster and leaner on small batches (see README).
        return max(64, 2048 // beams)
    # transformers on an H100 ran 1.2-1.5x faster in batches of 16 sentences (about
    # 1,000 padded tokens) than with an 8192-token budget (scripts/results).
    return 8192 if backend == "ctranslate2" else 1024


# What CTranslate2's CUDA 12 wheels load by name at their first matrix product.
CUDA_LIBRARIES = ("libcublasLt.so.12", "libcublas.so.12")


def cuda_library_dirs() -> list[Path]:
    """The folders of NVIDIA's CUDA 12 cuBLAS wheel (``pip install
    "translate-news[cuda]"`` brings it), where installed."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("nvidia.cublas")
    except ModuleNotFoundError:
        return []
    locations = [] if spec is None else list(spec.submodule_search_locations or [])
    return [Path(location) / "lib" for location in locations]


@functools.lru_cache(maxsize=1)
def preload_cuda_libraries(folders: tuple[Path, ...] | None = None) -> tuple[Path, ...]:
    """Load CUDA 12's cuBLAS from NVIDIA's wheel before CTranslate2 asks for it by name,
    so that its CUDA 12 build runs on a machine whose system CUDA is another version
    (it failed with "libcublas.so.12 is not found" on a CUDA 13 H100). Returns the
    libraries loaded; none where the wheel is absent or the system is not Linux."""
    if sys.platform != "linux":
        return ()
    import ctypes

    loaded = []
    for folder in cuda_library_dirs() if folders is None else folders:
        for name in CUDA_LIBRARIES:
            path = folder / name
            if not path.exists():
                continue
            try:
                ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
            except OSError as exc:
                _log.warning("%s could not be loaded (%s)", path, exc)
                continue
            loaded.append(path)
    return tuple(loaded)


def load_ctranslate2_backend(
    model_dir: Path,
    fingerprint: str,
    tokenizer: Any,
    device: str,
    compute_type: str | None,
    threads: int,
    shortlist: bool = False,
) -> CTranslate2Backend:
    """Convert ``model_dir`` once (cached) and load it on ``device`` (auto: CUDA when
    CTranslate2 sees a GPU), int8 on CPU and float16 on CUDA unless ``compute_type``;
    with ``shortlist``, with the model's vocabulary shortlist."""
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    if device == "auto":
        device = "cuda" if gpus else "cpu"
    index = gpu_index(device)
    if index is not None and index >= gpus:
        raise UsageError(f"--device {device} was asked for, but CTranslate2 sees {gpus} GPU(s)")
    if index is not None:
        for path in preload_cuda_libraries():
            _log.info("CUDA library for CTranslate2: %s", path)
    compute_type = compute_type or ("int8" if index is None else "float16")
    target = conversion_dir(model_dir, fingerprint, compute_type)
    vmap = shortlist_path(model_dir, fingerprint) if shortlist else None
    if vmap is not None and not vmap.is_file():
        raise TranslateNewsError(
            f"{model_dir} has no vocabulary shortlist yet; build one with: "
            f"translate-news models shortlist {model_dir} --corpus FOLDER"
        )

    path = convert_to_ctranslate2(model_dir, compute_type, target)
    digest = _install_vmap(vmap, path)
    try:
        return CTranslate2Backend(path, tokenizer, device, compute_type, threads, digest)
    except (RuntimeError, ValueError, IndexError, OSError) as exc:  # a damaged conversion
        _log.warning(
            "the CTranslate2 conversion %s cannot be loaded (%s); converting again", path, exc
        )
        shutil.rmtree(path)
    path = convert_to_ctranslate2(model_dir, compute_type, target)
    digest = _install_vmap(vmap, path)
    return CTranslate2Backend(path, tokenizer, device, compute_type, threads, digest)


def shortlist_path(model_dir: Path, fingerprint: str) -> Path:
    """Where the model's vocabulary shortlist is kept: a folder beside its conversions
    (a file beside the weights would change the model's fingerprint)."""
    return conversion_dir(model_dir, fingerprint, "shortlist") / "vmap.txt"


def _install_vmap(vmap: Path | None, conversion: Path) -> str | None:
    """Copy the shortlist ``vmap`` into ``conversion`` (CTranslate2 reads it from the
    model's folder when loading) unless it is there already; its hash, or None."""
    if vmap is None:
        return None
    from .shortlist import digest

    installed, wanted = conversion / "vmap.txt", digest(vmap)
    if not installed.is_file() or digest(installed) != wanted:
        from .output import write_atomic

        write_atomic(installed, vmap.read_text(encoding="utf-8"), force=True)
    return wanted


def load_torch_backend(
    source: Any, kwargs: dict[str, Any], options: ModelOptions, pad_token_id: int
) -> TorchBackend:
    """Load a seq2seq model with transformers on ``options.device`` (auto: CUDA when
    available; half precision on CUDA), in evaluation mode."""
    import torch
    from transformers import AutoModelForSeq2SeqLM

    from .models import load_pretrained

    device = options.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    index = gpu_index(device)
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if index is not None and index >= gpus:
        raise UsageError(f"--device {device} was asked for, but torch sees {gpus} GPU(s)")
    if options.threads:
        torch.set_num_threads(options.threads)
    dtype = torch.float32 if index is None else torch.float16
    model = load_pretrained(AutoModelForSeq2SeqLM, source, dtype=dtype, **kwargs)
    return TorchBackend(model.to(device).eval(), device, pad_token_id)


def ctranslate2_available() -> bool:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True


def convert_to_ctranslate2(model_dir: Path, quantization: str, target: Path) -> Path:
    """Convert a transformers model directory to CTranslate2 at ``target`` (atomically).

    The conversion loads the full-precision model, so it runs in a child process: the
    translating process never holds those weights, and its peak memory stays low.
    """
    if (target / "model.bin").exists():
        return target
    if not ctranslate2_available():
        raise TranslateNewsError(
            "the ctranslate2 backend needs the ctranslate2 package: pip install ctranslate2"
        )
    import subprocess
    import sys

    from .models import damaged_file

    damaged = damaged_file(model_dir)
    if damaged is not None:  # the caller names it and the repair; no conversion starts
        raise TranslateNewsError(f"{damaged[0]} is damaged ({damaged[1]})")
    target.parent.mkdir(parents=True, exist_ok=True)
    _log.info(
        "converting %s for CTranslate2 (%s), once; it is kept in %s",
        model_dir,
        quantization,
        target,
    )
    started = time.perf_counter()
    # A plain child interpreter, not multiprocessing: that would re-run the caller's
    # main module, which fails for a script read from stdin.
    code = "import sys; from translate_news.backends import _convert; _convert(*sys.argv[1:])"
    here = str(Path(__file__).resolve().parent.parent)  # found even when not installed
    path = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", code, str(model_dir), quantization, str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"exit status {done.returncode}; out of memory?"
        raise TranslateNewsError(f"converting {model_dir} to CTranslate2 failed: {why}")
    size = sum(f.stat().st_size for f in target.iterdir() if f.is_file()) / 1e6
    _log.info("converted in %.1f s (%.1f MB)", time.perf_counter() - started, size)
    return target


def _convert(model_dir: str, quantization: str, target: str) -> None:
    import transformers
    from ctranslate2.converters import TransformersConverter

    # CTranslate2's BART loader reads config.normalize_before, which configurations
    # written by transformers 5 no longer carry; BART in transformers is always
    # post-norm. (This runs in the converter's own child process.)
    if not hasattr(transformers.BartConfig, "normalize_before"):
        transformers.BartConfig.normalize_before = False

    tmp = Path(tempfile.mkdtemp(dir=Path(target).parent, prefix=f".{Path(target).name}."))
    try:
        TransformersConverter(model_dir).convert(str(tmp), quantization=quantization, force=True)
        os.replace(tmp, target)
    except OSError:
        if not (Path(target) / "model.bin").exists():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def conversion_dir(model_dir: Path, fingerprint: str, quantization: str) -> Path:
    """Where a conversion lives: beside the model when its folder is writable, else in the
    user cache (``$TRANSLATE_NEWS_CACHE_DIR`` or ``~/.cache/translate-news``)."""
    beside = model_dir / f"ctranslate2-{quantization}-{fingerprint[:12]}"
    if beside.exists() or os.access(model_dir, os.W_OK):
        return beside
    return cache_root() / "ctranslate2" / f"{model_dir.name}-{quantization}-{fingerprint[:12]}"
