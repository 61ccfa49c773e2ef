"""The backends, one per module (:mod:`.ctranslate2`, :mod:`.torch`), and the choice
between them, made once per model: "auto" is CTranslate2 when it is installed and can
run, transformers otherwise (with a warning when CTranslate2 was only the default).

A backend has ``name``, ``precision``, ``device``, ``shortlist`` and
``generate(batch, decoding)`` (:class:`~translate_news.seq2seq.decoding.Backend`), and
``submit`` where it can run batches concurrently.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from translate_news.core.errors import BackendUnavailable, TranslateNewsError
from translate_news.core.options import ModelOptions
from translate_news.seq2seq.backends.ctranslate2 import load_ctranslate2_backend
from translate_news.seq2seq.backends.torch import load_torch_backend
from translate_news.seq2seq.convert import ctranslate2_available
from translate_news.seq2seq.decoding import Backend

_log = logging.getLogger(__name__)


def load_backend(
    source: Any, kwargs: dict[str, Any], tokenizer: Any, options: ModelOptions
) -> tuple[Backend, Path]:
    """The backend ``options`` ask for, loaded, and the model's folder. "auto" is
    CTranslate2 when it is installed, transformers when it is not or cannot run on the GPU."""
    from translate_news.seq2seq.sources import model_dir, model_fingerprint

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
