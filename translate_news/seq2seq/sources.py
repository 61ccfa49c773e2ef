"""Which model to load, and loading it from a local directory or the Hugging Face Hub.

A model is named by an alias (``opus-mt-fr-en``), a Hub id or a local directory. When
none is named, each :class:`Role` says where to look: the translation model is
``$TRANSLATE_NEWS_MODEL``, else ``Helsinki-NLP/opus-mt-fr-en``; the summariser
``$TRANSLATE_NEWS_SUMMARIZER``, else ``sshleifer/distilbart-cnn-12-6``. (The command line
puts ``--model`` and the configuration file before both.) A Hub id is then looked for in
the user models folder (where ``translate-news models download`` puts it), then in
``./models``, then in the Hugging Face cache and on the Hub. Nothing depends on the
working folder but ``./models``, and everything is resolved when called.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from translate_news.core.config import MODEL_ENV, SUMMARIZER_ENV
from translate_news.core.errors import ModelNotFoundError
from translate_news.core.paths import hf_cache_dir, user_models_dir

_log = logging.getLogger(__name__)
DEFAULT_MODEL = "Helsinki-NLP/opus-mt-fr-en"
DEFAULT_SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
ALIASES = {
    "opus-mt-fr-en": DEFAULT_MODEL,
    "opus-mt-tc-big-fr-en": "Helsinki-NLP/opus-mt-tc-big-fr-en",
    "distilbart-cnn-12-6": DEFAULT_SUMMARIZER,
    "distilbart-cnn-6-6": "sshleifer/distilbart-cnn-6-6",
}
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


@dataclass(frozen=True)
class Role:
    """What a model is for, where to look when none is named, and how else to go on."""

    name: str
    default: str
    env: str
    option: str
    otherwise: str = ""


TRANSLATION = Role("translation", DEFAULT_MODEL, MODEL_ENV, "--model")
SUMMARY = Role(
    "summaries", DEFAULT_SUMMARIZER, SUMMARIZER_ENV, "--summarizer", ", or --summarizer lead"
)


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from: a local directory or a Hub id (with a revision), and,
    for a Hub id, the local folders that were looked in first."""

    name: str
    local: bool
    revision: str | None = None
    role: Role = TRANSLATION
    looked: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return self.name


def is_hub_id(name: str) -> bool:
    """Whether ``name`` has the form of a Hugging Face Hub id (owner/name)."""
    return bool(_HUB_ID.match(name)) and not name.startswith(".")


def local_name(hub_id: str) -> str:
    """The folder name of a Hub model on this machine: its alias, else its last part."""
    return next((alias for alias, full in ALIASES.items() if full == hub_id), hub_id.split("/")[-1])


def model_folders() -> list[Path]:
    """Where a named model is looked for on this machine, in order."""
    return [user_models_dir(), Path("models")]


def resolve_model(
    name: str | os.PathLike[str] | None = None,
    *,
    role: Role = TRANSLATION,
    revision: str | None = None,
) -> ModelSource:
    """Turn an alias, Hub id, directory or nothing into a :class:`ModelSource`."""
    looked = []
    if name is None:
        name = os.environ.get(role.env) or None
        looked.append(f"${role.env} (unset)" if name is None else f"${role.env}")
    name = os.fspath(name or role.default)
    hub_id = ALIASES.get(name)
    if hub_id is None:
        path = Path(name).expanduser()
        if path.is_dir():
            return ModelSource(str(path), local=True, role=role)
        if path.exists():
            raise ModelNotFoundError(f"model '{name}' is a file; pass the model's directory")
        if not is_hub_id(name):
            raise ModelNotFoundError(
                f"model '{name}' not found: no such directory, not an alias "
                f"({', '.join(ALIASES)}), and not a Hub id (owner/name)"
            )
        hub_id = name
    for folder in model_folders():
        candidate = folder / local_name(hub_id)
        if candidate.is_dir():
            return ModelSource(str(candidate), local=True, role=role)
        looked.append(str(candidate if candidate.is_absolute() else f"./{candidate}"))
    return ModelSource(hub_id, local=False, revision=revision, role=role, looked=tuple(looked))


def hub_kwargs(
    source: ModelSource, cache_dir: str | os.PathLike[str] | None, local_files_only: bool
) -> dict[str, Any]:
    """Keyword arguments for Hugging Face ``from_pretrained`` calls."""
    local_files_only = local_files_only or _hub_offline()
    cache_dir = cache_dir or hf_cache_dir()
    kwargs: dict[str, Any] = {"cache_dir": str(cache_dir), "local_files_only": local_files_only}
    if not source.local and source.revision:
        kwargs["revision"] = source.revision
    return kwargs


def load_pretrained(loader: Any, source: ModelSource, **kwargs: Any) -> Any:
    """Call ``loader.from_pretrained`` and turn every "cannot have it" into one clear error."""

    def attempt(settings: dict[str, Any]) -> Any:
        try:
            return loader.from_pretrained(source.name, **settings)
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(_not_found_message(source, exc)) from exc

    return _cache_then_hub(source, kwargs, attempt)


T = TypeVar("T")


def _cache_then_hub(
    source: ModelSource, kwargs: dict[str, Any], attempt: Callable[[dict[str, Any]], T]
) -> T:
    """``attempt(kwargs)``, trying the cached copy first for a Hub id (no network round
    trip, works offline): when it is not complete there, the Hub, said at once to be
    unreachable when it is (huggingface_hub would retry for about 45 s, warning at every
    try). A local folder, or ``local_files_only``, is attempted as it is."""
    if source.local or kwargs.get("local_files_only"):
        return attempt(kwargs)
    try:
        return attempt({**kwargs, "local_files_only": True})
    except ModelNotFoundError as exc:
        _log.debug("%s is not complete in the cache (%s); asking the Hub", source.name, exc)
    unreachable = "HF_HUB_OFFLINE is set" if _offline() else _hub_unreachable()
    if unreachable:
        raise ModelNotFoundError(
            _not_found_message(source, None, f"the Hub cannot be reached ({unreachable})")
        )
    return attempt(kwargs)


def _offline() -> bool:
    """Whether huggingface_hub is told to stay offline (``HF_HUB_OFFLINE``): then a model
    missing here is said to be at once, with no connection tried."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _hub_unreachable(timeout: float = 3.0) -> str | None:
    """Why the Hub (``HF_ENDPOINT``) cannot be reached, or None when it may be.

    One TCP connection, before huggingface_hub's retries: with no network those take
    about 45 s. Behind a proxy nothing is checked, since only the proxy can tell.
    """
    if any(
        os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
    ):
        return None
    from urllib.parse import urlsplit

    endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    import socket

    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return f"{host}:{port}: {exc.strerror or type(exc).__name__}"
    return None


# What converting or running a model needs from its Hub repository: configuration,
# vocabularies and one copy of the weights (not the TensorFlow, Flax or Rust copies).
_MODEL_FILES = ["*.json", "*.spm", "*.model", "*.txt", "*.safetensors"]
_TORCH_WEIGHTS = ["pytorch_model*.bin"]


def model_dir(source: ModelSource, kwargs: dict[str, Any]) -> Path:
    """The folder holding a model's files, weights included: the directory itself, or for
    a Hub id its snapshot in the Hugging Face cache, downloaded first when incomplete."""
    if source.local:
        return Path(source.name)
    return _cache_then_hub(source, kwargs, functools.partial(_snapshot, source))


def _snapshot(source: ModelSource, kwargs: dict[str, Any]) -> Path:
    """The model's snapshot in the Hugging Face cache, fetched unless ``local_files_only``."""
    from huggingface_hub import snapshot_download

    common = {
        "revision": kwargs.get("revision"),
        "cache_dir": kwargs.get("cache_dir"),
        "local_files_only": bool(kwargs.get("local_files_only")),
    }
    if not common["local_files_only"]:
        _log.info("downloading %s from the Hugging Face Hub, once", source.name)
    started = time.perf_counter()
    try:
        folder = Path(snapshot_download(source.name, allow_patterns=_MODEL_FILES, **common))
        if not _has_weights(folder):
            folder = Path(snapshot_download(source.name, allow_patterns=_TORCH_WEIGHTS, **common))
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(_not_found_message(source, exc)) from exc
    if not common["local_files_only"]:
        size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 1e6
        took = time.perf_counter() - started
        _log.info("downloaded %s: %.0f MB in %.0f s, kept in %s", source.name, size, took, folder)
    if not _has_weights(folder) or not (folder / "config.json").exists():
        raise ModelNotFoundError(
            _not_found_message(source, None, "its cached copy has no weights or configuration")
            if common["local_files_only"]
            else f"model '{source.name}' has no PyTorch weights or no config.json on the Hub"
        )
    return folder


def local_copy(source: ModelSource, kwargs: dict[str, Any] | None = None) -> Path | None:
    """The folder of the model's complete copy on this machine (its directory, or its
    snapshot in the Hugging Face cache), never fetching; None when there is none."""
    kwargs = hub_kwargs(source, None, True) if kwargs is None else kwargs
    try:
        return model_dir(source, {**kwargs, "local_files_only": True})
    except ModelNotFoundError:
        return None


def model_fingerprint(folder: Path) -> str:
    """What identifies a model: a short hash of its folder's configuration and
    vocabularies, and of its weights' names, sizes and modification times."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        digest.update(path.name.encode())
        if path.suffix in {".json", ".spm", ".model", ".txt"} and path.stat().st_size < 10_000_000:
            digest.update(path.read_bytes())
        else:
            stat = path.stat()
            digest.update(f"{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def peek_config(source: ModelSource, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The model's ``config.json`` when it is on this machine and readable, without
    loading anything else; None otherwise (loading the model will say why)."""
    return _local_json(source, kwargs, "config.json")


def _local_json(source: ModelSource, kwargs: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A JSON file of the model's, from its folder or the Hugging Face cache (never the
    network); None when it is not there or not a JSON object."""
    if source.local:
        path = Path(source.name) / name
    else:
        from huggingface_hub import hf_hub_download

        try:
            path = Path(
                hf_hub_download(
                    source.name,
                    name,
                    revision=kwargs.get("revision"),
                    cache_dir=kwargs.get("cache_dir"),
                    local_files_only=True,
                )
            )
        except (OSError, ValueError):  # not cached yet
            return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def damaged_file(folder: Path) -> tuple[Path, str] | None:
    """The first file of a model folder that cannot be what its name says (a JSON file
    that does not parse, a SentencePiece model that does not load, safetensors weights
    cut short), and why; None when every file looks whole."""
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        try:
            if path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
            elif path.suffix in {".spm", ".model"}:
                import sentencepiece

                sentencepiece.SentencePieceProcessor(model_file=str(path))
            elif path.suffix == ".safetensors":
                _check_safetensors(path)
        except (OSError, ValueError, RuntimeError) as exc:
            return path, str(exc).strip().splitlines()[0][:160] if str(
                exc
            ).strip() else "unreadable"
    return None


def _check_safetensors(path: Path) -> None:
    """A safetensors file is an 8-byte header length, a JSON header, then the tensors."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        length = int.from_bytes(handle.read(8), "little")
        if size < 8 or length > size - 8:
            raise ValueError("its header runs past the end of the file")
        header = json.loads(handle.read(length))
    ends = [v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"]
    if 8 + length + max(ends, default=0) > size:
        raise ValueError(f"cut short: {size} bytes, its header describes more")


def repair_hint(source: ModelSource, folder: Path) -> str:
    """The command that fetches a whole copy of the model again."""
    if source.local:
        return (
            "copy the model folder again "
            f"(for a Hub model: hf download OWNER/NAME --local-dir {folder})"
        )
    return f"download it again: hf download {source.name} --force-download"


def _has_weights(folder: Path) -> bool:
    return any(folder.glob("*.safetensors")) or any(folder.glob("pytorch_model*.bin"))


def tokenizer_class(source: ModelSource, kwargs: dict[str, Any]) -> Any:
    """The tokenizer class a model names in its ``tokenizer_config.json``.

    Importing that class directly (``MarianTokenizer``) rather than going through
    ``AutoTokenizer`` keeps torch out of a process that translates with CTranslate2:
    about 250 MB less resident memory. Falls back to ``AutoTokenizer``.
    """
    import transformers

    config = _local_json(source, kwargs, "tokenizer_config.json")  # else AutoTokenizer fetches it
    name = config.get("tokenizer_class") if config else None
    found = getattr(transformers, name, None) if isinstance(name, str) else None
    return found if found is not None else transformers.AutoTokenizer


def _hub_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` is set now (huggingface_hub reads it only at import)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _not_found_message(source: ModelSource, exc: Exception | None, why: str = "") -> str:
    if source.local:
        return (
            f"model directory '{source.name}' could not be loaded "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
        )
    why = why or (
        "HF_HUB_OFFLINE is set" if _hub_offline() else "the Hub is unreachable or has no such model"
    )
    looked = ", ".join([*source.looked, "the Hugging Face cache"])
    role = source.role
    return (
        f"{role.name} model '{source.name}' not found (looked in {looked}) and {why}; "
        f"run 'translate-news models download {local_name(source.name)}' on a connected "
        f"machine, or pass {role.option} DIR{role.otherwise}"
    )
