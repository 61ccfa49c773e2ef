"""The models on this machine: download, list, remove, and where each one is.

``download`` fetches a model from the Hugging Face Hub into its cache (resumable, and
nothing is fetched again that is already there), checks that the copy is whole, and
places it in the user models folder (hard links where the file system allows, so the
weights are not stored twice), where every command finds it first, offline too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from translate_news.core.errors import ModelNotFoundError, OutputError, UsageError
from translate_news.core.paths import hf_cache_dir, user_models_dir
from translate_news.seq2seq.sources import (
    ALIASES,
    ModelSource,
    damaged_file,
    hub_kwargs,
    is_hub_id,
    local_name,
    model_dir,
    model_folders,
)

MARKER = ".translate-news-source"  # the Hub id a downloaded folder came from


@dataclass(frozen=True)
class StoredModel:
    """A model found on this machine."""

    name: str  # the alias or Hub id it answers to
    path: Path
    where: str  # "models folder", "./models" or "Hugging Face cache"
    size: int  # bytes on disk
    converted: tuple[str, ...]  # CTranslate2 precisions converted already


def hub_id_of(name: str) -> str:
    """The Hub id an alias or id names; anything else is a usage error."""
    hub_id = ALIASES.get(name, name)
    if not is_hub_id(hub_id):
        raise UsageError(
            f"'{name}' is neither an alias ({', '.join(ALIASES)}) nor a Hub id (owner/name)"
        )
    return hub_id


def download(
    name: str, folder: Path | None = None, *, revision: str | None = None
) -> tuple[Path, bool]:
    """Fetch ``name`` (an alias or a Hub id) into ``folder`` (default: the user models
    folder) as ``<folder>/<alias or last part>``; returns the path and whether anything
    was placed (False when an identical copy was there already)."""
    hub_id = hub_id_of(name)
    target = (folder or user_models_dir()) / local_name(hub_id)
    source = ModelSource(hub_id, local=False, revision=revision)
    snapshot = model_dir(source, hub_kwargs(source, None, local_files_only=False))
    damaged = damaged_file(snapshot)
    if damaged is not None:
        path, why = damaged
        raise ModelNotFoundError(
            f"the downloaded {path.name} of {hub_id} is damaged ({why}); "
            f"run 'hf download {hub_id} --force-download', then this command again"
        )
    marker = target / MARKER
    if marker.is_file() and marker.read_text(encoding="utf-8").split("\n")[0] == snapshot.name:
        return target, False  # this very revision is there already
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot hold models ({exc.strerror})") from None
    try:
        for path in snapshot.iterdir():
            if path.is_file():
                _link_or_copy(path.resolve(), staging / path.name)
        (staging / MARKER).write_text(f"{snapshot.name}\n{hub_id}\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot be written ({exc.strerror})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target, True


def download_converted(
    name: str, folder: Path | None, compute_type: str
) -> tuple[Path, bool, float]:
    """:func:`download`, then the model's CTranslate2 conversion at ``compute_type``,
    made once, so that later runs need no network; returns the path, whether anything
    was placed, and the size in MB with the conversion."""
    from translate_news.seq2seq.convert import conversion_dir, convert_to_ctranslate2
    from translate_news.seq2seq.sources import model_fingerprint

    path, placed = download(name, folder)
    target = conversion_dir(path, model_fingerprint(path), compute_type)
    convert_to_ctranslate2(path, compute_type, target)
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
    return path, placed, size


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def find(name: str) -> list[StoredModel]:
    """Every copy of ``name`` (alias, Hub id) on this machine, first the one used."""
    hub_id = hub_id_of(name)
    return [m for m in list_models() if m.name in {name, hub_id, local_name(hub_id)}]


def list_models() -> list[StoredModel]:
    """The models in the user models folder, in ./models and in the Hugging Face cache."""
    found = []
    for folder, where in zip(model_folders(), ("models folder", "./models")):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if (path / "config.json").is_file():
                name = ALIASES.get(path.name, path.name)
                found.append(StoredModel(name, path, where, _size(path), conversions(path)))
    found += _hub_cache()
    return found


def _hub_cache() -> list[StoredModel]:
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        cache = scan_cache_dir(hf_cache_dir())
    except CacheNotFound:  # nothing was ever downloaded here
        return []
    found = []
    for repo in sorted(cache.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model" or not repo.revisions:
            continue
        latest = max(repo.revisions, key=lambda r: r.last_modified)
        if not (latest.snapshot_path / "config.json").exists():
            continue
        snapshot = latest.snapshot_path
        size = repo.size_on_disk + _size(snapshot, only_dirs=True)
        found.append(
            StoredModel(repo.repo_id, snapshot, "Hugging Face cache", size, conversions(snapshot))
        )
    return found


def remove(name: str) -> list[Path]:
    """Delete every copy of ``name`` on this machine (with its conversions); returns
    the paths removed, and raises when there was none."""
    copies = find(name)
    if not copies:
        raise ModelNotFoundError(f"model '{name}' is not on this machine")
    removed = []
    for model in copies:
        if model.where == "Hugging Face cache":
            from huggingface_hub import scan_cache_dir

            cache = scan_cache_dir(hf_cache_dir())
            repo = next(r for r in cache.repos if r.repo_id == model.name)
            cache.delete_revisions(*(r.commit_hash for r in repo.revisions)).execute()
            removed.append(repo.repo_path)
        else:
            shutil.rmtree(model.path)
            removed.append(model.path)
    return removed


def _size(path: Path, only_dirs: bool = False) -> int:
    """Bytes under ``path`` (hard links counted once); with ``only_dirs``, only what is
    in its sub-folders (conversions beside a cached snapshot)."""
    seen, total = set(), 0
    for root, _dirs, files in os.walk(path):
        if only_dirs and Path(root) == path:
            continue
        for file in files:
            stat = os.stat(os.path.join(root, file))
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_size
    return total


def conversions(path: Path) -> tuple[str, ...]:
    """The CTranslate2 precisions a model folder has been converted to, and
    "shortlist" when it has a vocabulary shortlist."""
    return tuple(
        sorted(
            {
                d.name.split("-")[1]
                for d in path.glob("ctranslate2-*")
                if ((d / "model.bin").exists() or (d / "vmap.txt").exists())
                and len(d.name.split("-")) > 2
            }
        )
    )
