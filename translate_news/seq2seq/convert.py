"""Conversions for CTranslate2: made once per model and precision, in a child process
(the translating process never holds the full-precision weights), atomically, and kept
beside the model or in the user cache."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from translate_news.core.errors import TranslateNewsError
from translate_news.core.paths import cache_root

_log = logging.getLogger(__name__)

# The conversion's own version, in its folder's name: a conversion made before its
# alignment heads were all of the last layer's (version 2) is made again.
CONVERSION = 2


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
    from translate_news.seq2seq.sources import damaged_file

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
    code = (
        "import sys; from translate_news.seq2seq.convert import _convert; _convert(*sys.argv[1:])"
    )
    here = str(Path(__file__).resolve().parents[2])  # found even when not installed
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
    earlier = target.parent / target.name.rpartition(f"-v{CONVERSION}")[0]
    if target.name.endswith(f"-v{CONVERSION}") and (earlier / "model.bin").is_file():
        shutil.rmtree(earlier, ignore_errors=True)  # the version 1 this one replaces
    size = sum(f.stat().st_size for f in target.iterdir() if f.is_file()) / 1e6
    _log.info("converted in %.1f s (%.1f MB)", time.perf_counter() - started, size)
    return target


def _convert(model_dir: str, quantization: str, target: str) -> None:
    """Convert in this (child) process, into a temporary folder renamed into place."""
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):
        """CTranslate2's converter, for configurations transformers 5 writes: its BART
        loader reads ``config.normalize_before``, which they no longer carry (BART in
        transformers is always post-norm). Set on this model's configuration only,
        through the converter's own ``load_model``."""

        def load_model(self, model_class: Any, path: str, **kwargs: Any) -> Any:
            model = super().load_model(model_class, path, **kwargs)
            if model.config.model_type == "bart" and not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = False
            return model

        def _load(self) -> Any:
            # Attention for word alignment (seq2seq/alignment.py) from all the last
            # layer's heads, averaged, as the transformers backend reads it; one head by
            # default.
            spec = super()._load()
            decoder = getattr(spec, "decoder", None)
            if decoder is not None and hasattr(decoder, "alignment_heads"):
                decoder.alignment_heads = decoder.num_heads
            return spec

    tmp = Path(tempfile.mkdtemp(dir=Path(target).parent, prefix=f".{Path(target).name}."))
    try:
        Converter(model_dir).convert(str(tmp), quantization=quantization, force=True)
        os.replace(tmp, target)
    except OSError:
        if not (Path(target) / "model.bin").exists():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def conversion_dir(
    model_dir: Path, fingerprint: str, quantization: str, version: int | None = CONVERSION
) -> Path:
    """Where a conversion (of ``version``; None for files kept beside them) lives: beside
    the model when its folder is writable, else in the user cache
    (``$TRANSLATE_NEWS_CACHE_DIR`` or ``~/.cache/translate-news``)."""
    name = f"ctranslate2-{quantization}-{fingerprint[:12]}"
    if version is not None:
        name += f"-v{version}"
    beside = model_dir / name
    if beside.exists() or os.access(model_dir, os.W_OK):
        return beside
    return cache_root() / "ctranslate2" / f"{model_dir.name}-{name.removeprefix('ctranslate2-')}"


def ctranslate2_available() -> bool:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True
