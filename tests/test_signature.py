"""One model layer, one set of options, and outputs that say how they were made."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from translate_news import (
    ModelOptions,
    Signature,
    SummaryOptions,
    TranslateOptions,
    Translator,
    __version__,
)
from translate_news.cli import app
from translate_news.core.errors import TranslateNewsError, UsageError
from translate_news.core.options import with_overrides

from .conftest import ROOT, make_test_models

runner = CliRunner()


def test_overrides_go_to_the_object_that_has_the_field():
    options = with_overrides(TranslateOptions(), "x", {"device": "cpu", "beams": 4})
    assert options.model == ModelOptions(name="x", device="cpu")
    assert options.beams == 4
    summary = with_overrides(SummaryOptions(), "lead", {"sentences": 5, "threads": 2})
    assert (summary.model.name, summary.model.threads, summary.sentences) == ("lead", 2, 5)
    with pytest.raises(TypeError):
        with_overrides(TranslateOptions(), None, {"colour": "blue"})


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: ModelOptions(device="tpu"), "device"),
        (lambda: ModelOptions(backend="onnx"), "backend"),
        (lambda: ModelOptions(compute_type="int3"), "compute_type"),
        (lambda: ModelOptions(threads=0), "threads"),
        (lambda: ModelOptions(batch_tokens=0), "batch_tokens"),
        (lambda: TranslateOptions(beams=0), "beams"),
        (lambda: SummaryOptions(beams=0), "beams"),
        (lambda: SummaryOptions(sentences=0), "sentences"),
        (lambda: SummaryOptions(min_tokens=9, max_tokens=5), "min_tokens"),
    ],
)
def test_options_are_validated_in_one_place(make, field):
    with pytest.raises(UsageError, match=field) as error:
        make()
    assert isinstance(error.value, TranslateNewsError) and isinstance(error.value, ValueError)


def test_signature_line_and_record():
    signature = Signature(
        "Helsinki-NLP/opus-mt-fr-en", "1a2b", "ctranslate2", "int8", "cpu", 4, 512, "0.2.0"
    )
    assert str(signature) == (
        "opus-mt-fr-en@1a2b|ctranslate2-int8|cpu|beams=4|budget=512|translate-news 0.2.0"
    )
    record = signature.as_dict()
    assert record["beams"] == 4 and record["line"] == str(signature)
    bounded = Signature("t5-small", "9f", "torch", "float32", "cpu", 1, 2048, "0.2.0", (("a", 1),))
    assert "|budget=2048|a=1|translate-news" in str(bounded)


def test_translator_reports_what_runs(toy_model):
    translator = Translator(str(toy_model), device="cpu", memory=False)
    signature = translator.signature
    assert (signature.backend, signature.precision, signature.device) == (
        "ctranslate2",
        "int8",
        "cpu",
    )
    assert signature.beams == 4 and signature.budget == 2048 // 4
    assert signature.model == str(toy_model) and signature.version == __version__
    assert len(signature.fingerprint) == 16


def test_auto_and_its_resolution_share_the_memory(toy_model, tmp_path, monkeypatch):
    path = str(tmp_path / "tm.sqlite")
    asked_auto = Translator(str(toy_model), memory_path=path)
    assert asked_auto.translate(["Le chat mange la pomme."]) == ["The cat eats the apple."]
    pinned = Translator(
        str(toy_model), memory_path=path, backend="ctranslate2", compute_type="int8", beams=4
    )
    assert pinned.signature == asked_auto.signature

    def no_generation(units, decoding):
        raise AssertionError("should have come from the translation memory")

    monkeypatch.setattr(pinned.model, "generate", no_generation)
    assert pinned.translate(["Le chat mange la pomme."]) == ["The cat eats the apple."]


class _MissingCublas:
    def result(self):
        raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")


class _BrokenGpuTranslator:
    """Stands for a CTranslate2 translator whose every batch fails as it did on a CUDA 13
    machine: it loaded, then could not load cuBLAS at the first matrix product."""

    def translate_batch(self, tokens, **options):
        return [_MissingCublas() for _ in tokens]


def test_a_gpu_library_missing_after_loading_fails_each_article_in_one_line(
    tmp_path, toy_model, bart_model
):
    """The backend is chosen once, when the model loads (which tries a GPU batch and
    falls back there); a library that goes missing later is each article's one-line
    failure naming --backend torch, and the run goes on to the end."""
    from translate_news.pipeline.folder import SummaryWriter, run_folder
    from translate_news.pipeline.summarizer import Summarizer

    src = tmp_path / "in"
    src.mkdir()
    for i, (fr, _) in enumerate(make_test_models.toy_article_pairs()[:4]):
        (src / f"{i}.txt").write_text(f"{fr}\n\nLe chat mange la pomme.\n", encoding="utf-8")
    summarizer = Summarizer(str(bart_model), device="cpu", max_tokens=8)
    assert summarizer.model.backend.name == "ctranslate2"
    summarizer.model.backend.translator = _BrokenGpuTranslator()
    translator = Translator(str(toy_model), device="cpu", memory=False)
    report = run_folder(translator, src, tmp_path / "out", SummaryWriter(summarizer))
    assert report.done == [] and len(report.failed) == 4 and report.stopped is None
    assert all("libcublas.so.12" in why and "--backend torch" in why for _, why in report.failed)
    assert summarizer.model.backend.name == "ctranslate2"  # never swapped mid-run
    assert not list((tmp_path / "out").glob("*.en.json"))


def test_translate_json_carries_the_resolved_signature(toy_article, toy_model):
    result = runner.invoke(app, ["translate", str(toy_article), "-m", str(toy_model), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    resolved = data["resolved"]
    assert (resolved["backend"], resolved["precision"]) == ("ctranslate2", "int8")
    assert type(resolved["beams"]) is int and resolved["beams"] == 4
    assert data["signature"] == resolved["line"]
    assert data["signature"].startswith("marian-toy@")
    assert data["options"]["model"]["backend"] == "auto"  # what was asked, beside what ran


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_markdown_and_html_footers_give_the_signature(toy_article, toy_model, fmt):
    result = runner.invoke(app, ["translate", str(toy_article), "-m", str(toy_model), "-f", fmt])
    assert result.exit_code == 0, result.output
    footer = result.stdout[result.stdout.rindex("Machine translation") :]
    assert "marian-toy@" in footer and "|ctranslate2-int8|cpu|beams=4|budget=512|" in footer


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_before_or_after_the_command_prints_the_signature(toy_article, toy_model, where):
    args = ["translate", str(toy_article), "-m", str(toy_model)]
    args = ["-v", *args] if where == "before" else [*args, "-v"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "translation: marian-toy@" in result.stderr
    assert "|ctranslate2-int8|cpu|beams=4|budget=512|" in result.stderr


def test_quiet_prints_errors_only(toy_article, toy_model, tmp_path):
    out = tmp_path / "en.md"
    result = runner.invoke(
        app, ["translate", str(toy_article), "-m", str(toy_model), "-o", str(out), "-q"]
    )
    assert result.exit_code == 0 and result.stderr == "" and out.exists()


def test_summarize_lead_five_is_labelled_so(tmp_path, toy_model):
    src = tmp_path / "in"
    src.mkdir()
    sentences = " ".join(fr for fr, _ in make_test_models.toy_article_pairs()[:6])
    (src / "a.txt").write_text(sentences + "\n", encoding="utf-8")
    args = ["summarize", str(src), "-o", str(tmp_path / "out"), "-m", str(toy_model)]
    result = runner.invoke(app, [*args, "--summarizer", "lead", "--sentences", "5", "--no-memory"])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "out" / "a.en.md").read_text(encoding="utf-8")
    assert "> **Summary** (LEAD-5):" in markdown
    assert f"*Summary: `LEAD-5|translate-news {__version__}`*" in markdown
    record = json.loads((tmp_path / "out" / "a.en.json").read_text(encoding="utf-8"))
    assert record["summary"]["method"] == "LEAD-5"
    assert record["summary"]["options"]["sentences"] == 5
    assert record["translation"]["resolved"]["backend"] == "ctranslate2"


def test_summarize_checks_its_source_before_loading_models(tmp_path, monkeypatch):
    import translate_news.pipeline.translator

    def no_loading(*args, **kwargs):
        raise AssertionError("a model was loaded for a source that does not exist")

    monkeypatch.setattr(translate_news.pipeline.translator.Translator, "__init__", no_loading)
    result = runner.invoke(app, ["summarize", str(tmp_path / "absent"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"translate-news: error: {tmp_path / 'absent'}: no such file or folder"
    )


def test_choices_are_shown_and_checked(toy_article):
    shown = runner.invoke(app, ["translate", "--help"], env={"COLUMNS": "200"})
    for choices in ("auto|cpu|cuda", "auto|torch|ctranslate2", "txt|md|json|html", "int8|"):
        assert choices in shown.stdout
    refused = runner.invoke(app, ["translate", str(toy_article), "--device", "tpu"])
    assert refused.exit_code == 2 and "tpu" in refused.output


def test_a_bug_is_not_dressed_as_a_one_line_error(toy_article, monkeypatch):
    """Only the project's own errors become one line: a stray ValueError is a bug."""
    import translate_news.formats.readers

    def buggy(*args, **kwargs):
        raise ValueError("a bug in a reader")

    monkeypatch.setattr(translate_news.formats.readers, "read_article", buggy)
    result = runner.invoke(app, ["translate", str(toy_article)])
    assert isinstance(result.exception, ValueError)
    assert "translate-news: error" not in result.output


def test_the_old_cache_spelling_is_gone(toy_article, toy_model, tmp_path):
    """--cache and --no-cache (hidden since --memory) are refused as unknown options, and
    nothing is written."""
    memory = tmp_path / "old.sqlite"
    args = ["translate", str(toy_article), "-m", str(toy_model), "--cache", str(memory)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "No such option" in result.stderr
    assert "--cache" in result.stderr
    assert not memory.exists()


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's contracts (pyproject.toml) over the package under ``root``."""
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
    )


def test_the_layers_hold_and_no_package_has_a_circle():
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_an_import_up_inside_a_function_breaks_the_layers(tmp_path):
    """The contract sees function-level imports, where circles hid before."""
    shutil.copytree(ROOT / "translate_news", tmp_path / "translate_news")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    output = tmp_path / "translate_news" / "formats" / "output.py"
    output.write_text(
        output.read_text(encoding="utf-8")
        + "\n\ndef _up():\n    from translate_news.pipeline.translator import Translator\n\n"
        "    return Translator\n",
        encoding="utf-8",
    )
    done = _lint_imports(tmp_path)
    assert done.returncode == 1
    assert "translate_news.formats is not allowed to import translate_news.pipeline" in done.stdout


def test_no_function_in_the_package_is_longer_than_sixty_lines():
    """The house rule (ARCHITECTURE.md): a longer function is doing two jobs. A
    declarative option list (a function that returns a list literal) is not counted."""
    import ast

    def declarative(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        last = node.body[-1]
        return isinstance(last, ast.Return) and isinstance(last.value, ast.List)

    long = []
    for path in sorted((ROOT / "translate_news").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not declarative(node):
                lines = node.end_lineno - node.lineno + 1
                if lines > 60:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {lines}")
    assert long == []


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:0", "cuda:1", "cuda:12"])
def test_devices_name_a_gpu_by_number(device):
    from translate_news.core.options import gpu_index

    assert ModelOptions(device=device).device == device
    expected = {"auto": None, "cpu": None, "cuda": 0}.get(device)
    assert gpu_index(device) == (int(device[5:]) if device.startswith("cuda:") else expected)


@pytest.mark.parametrize("device", ["gpu", "cuda:", "cuda:x", "cuda1", "CPU", "tpu"])
def test_other_devices_are_refused(device):
    with pytest.raises(UsageError, match="device must be auto, cpu, cuda or cuda:N"):
        ModelOptions(device=device)


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_a_gpu_that_is_not_there_is_one_line(toy_article, toy_model, backend):
    args = ["translate", str(toy_article), "-m", str(toy_model), "--no-memory"]
    result = runner.invoke(app, [*args, "--device", "cuda:1", "--backend", backend])
    assert result.exit_code == 2  # an option that cannot work here, as README says
    (line,) = result.stderr.strip().splitlines()
    assert "--device cuda:1 was asked for, but" in line and "sees 0 GPU(s)" in line
