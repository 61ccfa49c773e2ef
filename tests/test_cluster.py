"""The --ray run: a local Ray instance (2 CPUs) started here, the toy model; the same
files as the local run."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from translate_news.cli import app

from .conftest import make_test_models

ray = pytest.importorskip("ray")
runner = CliRunner()
PAIRS = make_test_models.toy_article_pairs()


def _crash_once(marker: str):
    """Ray's setup hook for each worker process: the first actor to take a batch creates
    ``marker`` and dies at once (SIGKILL), as a killed process does; later ones run."""

    def setup() -> None:
        import os
        import signal

        from translate_news.pipeline import cluster

        run = cluster._Worker.__call__

        def call(self, batch):
            try:
                with open(marker, "x"):
                    pass
            except FileExistsError:
                return run(self, batch)
            os.kill(os.getpid(), signal.SIGKILL)

        cluster._Worker.__call__ = call

    return setup


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A local Ray instance whose first batch kills its actor (SIGKILL), once: the fault
    is injected here, by Ray's worker setup hook, not by the product."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    marker = tmp_path_factory.mktemp("crash") / "killed"
    env = {"worker_process_setup_hook": _crash_once(str(marker))}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env=env)
    yield marker
    ray.shutdown()


def _inputs(root):
    root.mkdir()
    (root / "a.txt").write_text(make_test_models.TOY_ARTICLE, encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "b.md").write_text(f"# {PAIRS[2][0]}\n\n{PAIRS[3][0]}\n", encoding="utf-8")
    records = [
        {"id": "one", "title": PAIRS[4][0], "text": PAIRS[5][0], "date": "2025-07-02"},
        {"id": "two", "title": PAIRS[0][0], "text": PAIRS[1][0], "date": "2025-07-01"},
        {"id": "bad", "title": "no text"},
    ]
    (root / "feed.jsonl").write_text("\n".join(map(json.dumps, records)) + "\n")
    return root


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_ray_writes_the_same_files_as_the_local_run(local_ray, toy_model, tmp_path):
    source = _inputs(tmp_path / "in")
    common = ["-m", str(toy_model), "-f", "json", "--no-memory"]
    local = runner.invoke(app, ["translate", str(source), "-o", str(tmp_path / "local"), *common])
    assert local.exit_code == 1  # the bad record
    on_ray = runner.invoke(
        app,
        ["translate", str(source), "-o", str(tmp_path / "ray"), *common, "--ray", "--workers", "2"],
    )
    assert on_ray.exit_code == 1, on_ray.output
    assert "feed.jsonl" in on_ray.stderr and "done" in on_ray.stderr
    local_files, ray_files = _files(tmp_path / "local"), _files(tmp_path / "ray")
    assert len(local_files) == 4 and local_files == ray_files  # byte for byte
    assert local_ray.exists()  # an actor was killed mid-batch; Ray ran its batch again
    again = runner.invoke(
        app,
        ["translate", str(source), "-o", str(tmp_path / "ray"), *common, "--ray", "--workers", "2"],
    )
    assert "skipped       4" in again.stderr  # the same fingerprints: nothing redone


def test_ray_summaries_brief_like_local_ones(local_ray, toy_model, tmp_path):
    source = _inputs(tmp_path / "in")
    common = ["-m", str(toy_model), "--summarizer", "lead", "--no-memory"]
    for where, extra in (("local", []), ("ray", ["--ray"])):
        runner.invoke(app, ["summarize", str(source), "-o", str(tmp_path / where), *common, *extra])
    assert _files(tmp_path / "local") == _files(tmp_path / "ray")
    briefed = runner.invoke(app, ["brief", str(tmp_path / "ray"), "-o", str(tmp_path / "b.md")])
    assert briefed.exit_code == 0, briefed.output
    assert PAIRS[5][1] in (tmp_path / "b.md").read_text(encoding="utf-8")


def test_without_ray_the_flag_is_one_line(toy_model, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    source = _inputs(tmp_path / "in")
    result = runner.invoke(
        app, ["translate", str(source), "-o", str(tmp_path / "o"), "-m", str(toy_model), "--ray"]
    )
    assert result.exit_code == 2
    assert 'pip install "translate-news[ray]"' in result.stderr and "Traceback" not in result.output
    alone = runner.invoke(app, ["translate", str(source / "a.txt"), "--ray"])
    assert alone.exit_code == 2 and "folder or a feed" in alone.stderr
    stray = runner.invoke(app, ["translate", str(source), "-o", "x", "--workers", "2"])
    assert stray.exit_code == 2 and "go with --ray" in stray.stderr


def test_ray_summaries_with_the_defaults(local_ray, toy_model, tmp_path):
    """``summarize --ray`` as README shows it: the translation memory on, at each node's
    default path (here the one node's), used from Ray's batch threads."""
    from translate_news.core.paths import cache_root

    source = _inputs(tmp_path / "in")
    result = runner.invoke(
        app, ["summarize", str(source), "-o", str(tmp_path / "out"), "-m", str(toy_model),
              "--summarizer", "lead", "--ray"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # the feed's record without text, only
    assert "memory" not in result.stderr
    record = json.loads((tmp_path / "out" / "a.en.json").read_text(encoding="utf-8"))
    assert record["summary"]["text"].startswith(f"{PAIRS[0][1]} {PAIRS[1][1]}")  # LEAD-3
    where = ray.get(ray.remote(lambda: str(cache_root() / "memory.sqlite")).remote())
    from translate_news.pipeline.memory import TranslationMemory

    remembered = {source for _, _, source, _ in TranslationMemory(where).entries()}
    assert PAIRS[0][0] in remembered


def test_ray_refuses_a_memory_on_a_network_file_system(local_ray, toy_model, tmp_path, monkeypatch):
    from translate_news.pipeline import memory

    share = tmp_path / "share"
    share.mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nfiler:/x {share} nfs rw 0 0\n", encoding="utf-8")
    monkeypatch.setattr(memory, "MOUNTS", mounts)
    result = runner.invoke(
        app, ["translate", str(_inputs(tmp_path / "in")), "-o", str(tmp_path / "out"),
              "-m", str(toy_model), "--ray", "--memory", str(share / "m.sqlite")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "network file system (nfs)" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
