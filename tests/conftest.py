"""Shared fixtures: small real models built once per source version, and an isolated
environment for every test (no network, no user caches, no stray configuration)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

import pytest

# Before anything imports huggingface_hub, which reads these once: no test may reach the Hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "seeds").glob("*.txt"))


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


make_test_models = _load_script("make_test_models")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Point every cache and user directory at tmp_path; forbid the Hub."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for name in (
        "TRANSLATE_NEWS_CACHE_DIR",
        "TRANSLATE_NEWS_CONFIG_DIR",
        "TRANSLATE_NEWS_SUMMARIZER",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRANSLATE_NEWS_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("TRANSLATE_NEWS_MODEL", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def test_models(request) -> Path:
    """The directory holding marian-random and marian-toy, rebuilt when the builder changes."""
    script = (ROOT / "scripts" / "make_test_models.py").read_bytes()
    key = hashlib.sha256(script).hexdigest()[:16]
    root = Path(
        os.environ.get("TRANSLATE_NEWS_TEST_MODELS") or request.config.cache.mkdir("models")
    )
    target = root / key
    if not (target / "marian-tc-big" / "config.json").exists():
        assert make_test_models.main([str(target)]) == 0
    return target


@pytest.fixture(scope="session")
def toy_model(test_models) -> Path:
    return test_models / "marian-toy"


@pytest.fixture(scope="session")
def random_model(test_models) -> Path:
    return test_models / "marian-random"


@pytest.fixture(scope="session")
def numbers_model(test_models) -> Path:
    return test_models / "marian-numbers"


@pytest.fixture(scope="session")
def bart_model(test_models) -> Path:
    return test_models / "bart-random"


@pytest.fixture(scope="session")
def t5_model(test_models) -> Path:
    return test_models / "t5-random"


@pytest.fixture(scope="session")
def tc_big_model(test_models) -> Path:
    return test_models / "marian-tc-big"


@pytest.fixture(scope="session")
def toy_translator(toy_model):
    from translate_news import Translator

    return Translator(str(toy_model), device="cpu")


@pytest.fixture(scope="session")
def random_translator(random_model):
    from translate_news import Translator

    return Translator(str(random_model), device="cpu")


@pytest.fixture
def toy_article(tmp_path) -> Path:
    path = tmp_path / "toy article.txt"
    path.write_text(make_test_models.TOY_ARTICLE, encoding="utf-8")
    return path


def hub_cache(root: Path, repo: str, model: Path, keep=lambda name: True) -> Path:
    """A Hugging Face cache under ``root`` holding ``model``'s files (those ``keep``
    accepts) as the Hub repository ``repo``, laid out as huggingface_hub lays it: files
    in ``blobs/`` by hash, linked from ``snapshots/<commit>/``, ``refs/main``."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    folder = root / f"models--{repo.replace('/', '--')}"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(commit)
    (folder / "blobs").mkdir()
    snapshot = folder / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for path in model.iterdir():
        if path.is_file() and keep(path.name):
            data = path.read_bytes()
            blob = folder / "blobs" / hashlib.sha256(data).hexdigest()
            blob.write_bytes(data)
            (snapshot / path.name).symlink_to(os.path.relpath(blob, snapshot))
    return root
