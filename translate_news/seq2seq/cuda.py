"""CUDA around the backends: out-of-memory errors told apart, the cache emptied, the
GPU index checked against what a library sees, and CUDA 12's cuBLAS preloaded for
CTranslate2's wheels."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

from translate_news.core.errors import UsageError
from translate_news.core.options import gpu_index

_log = logging.getLogger(__name__)


def is_oom(exc: BaseException) -> bool:
    """Whether ``exc`` is running out of memory (a GPU's, told in its message, or the host's)."""
    return isinstance(exc, MemoryError) or "out of memory" in str(exc).lower()


def check_gpu(device: str, gpus: int, library: str) -> int | None:
    """The GPU index ``device`` names (None on CPU), refused when ``library`` sees fewer."""
    index = gpu_index(device)
    if index is not None and index >= gpus:
        raise UsageError(f"--device {device} was asked for, but {library} sees {gpus} GPU(s)")
    return index


def empty_cache() -> None:
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


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
