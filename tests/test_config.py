"""The configuration file: defaults per command, checked, with the command line and the
environment before it."""

import pytest
from click.testing import CliRunner

from translate_news.cli import app

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def write(folder, text):
    path = folder / "translate-news.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_then_command_line(workdir, toy_model, toy_article):
    write(
        workdir, f'[defaults]\nmodel = "{toy_model}"\nno-memory = true\n\n[translate]\nbeams = 1\n'
    )
    from_file = runner.invoke(app, ["translate", str(toy_article), "-v"])
    assert from_file.exit_code == 0, from_file.output
    assert "|beams=1|" in from_file.stderr and "The cat eats the apple." in from_file.stdout
    overridden = runner.invoke(app, ["translate", str(toy_article), "-v", "--beams", "4"])
    assert "|beams=4|" in overridden.stderr


def test_environment_comes_before_the_file(workdir, toy_model, toy_article, monkeypatch):
    write(workdir, '[translate]\nmodel = "someone/not-here"\nno-memory = true\n')
    monkeypatch.setenv("TRANSLATE_NEWS_MODEL", str(toy_model))
    result = runner.invoke(app, ["translate", str(toy_article)])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["config", "show"])
    assert f'model = "{toy_model}"  # environment $TRANSLATE_NEWS_MODEL' in shown.stdout


def test_user_config_and_explicit_file(workdir, tmp_path, monkeypatch):
    user = tmp_path / "home" / "config" / "translate-news"
    user.mkdir(parents=True)
    (user / "config.toml").write_text("[summarize]\nsentences = 5\n", encoding="utf-8")
    shown = runner.invoke(app, ["config", "show"])
    assert f"sentences = 5  # file {user / 'config.toml'}" in shown.stdout
    other = tmp_path / "other.toml"
    other.write_text('[summarize]\nsummarizer = "lead"\n', encoding="utf-8")
    explicit = runner.invoke(app, ["--config", str(other), "config", "show"])
    assert 'summarizer = "lead"  # file' in explicit.stdout
    assert "sentences = 3  # default" in explicit.stdout


def test_paths_in_the_file_are_relative_to_it(workdir, toy_model, toy_article):
    write(workdir, f'[translate]\nmodel = "{toy_model}"\nmemory = "tm/memory.sqlite"\n')
    (workdir / "tm").mkdir()
    elsewhere = workdir.parent / "elsewhere"
    elsewhere.mkdir()
    result = runner.invoke(
        app, ["--config", str(workdir / "translate-news.toml"), "translate", str(toy_article)]
    )
    assert result.exit_code == 0, result.output
    assert (workdir / "tm" / "memory.sqlite").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[translate]\ncolour = 1\n", "[translate] colour: translate has no option --colour"),
        ('[translate]\ndevice = "tpu"\n', "[translate] device: device must be auto, cpu, cuda"),
        ('[translate]\nbackend = "onnx"\n', "[translate] backend: 'onnx' is not one of auto"),
        ('[translate]\nbeams = "four"\n', "[translate] beams: expected a whole number"),
        ("[translate]\nbeams = 0\n", "[translate] beams: must be at least 1"),
        ('[translate]\ntext-field = "body"\n', "[translate] text-field: expected a list"),
        ("[defaults]\nsentence = 2\n", "[defaults] sentence: no command has an option --sentence"),
        ("[translat]\nbeams = 2\n", "[translat] is not a command"),
        ("[translate\nbeams = 2\n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_one_line_naming_file_and_key(workdir, text, message):
    path = write(workdir, text)
    result = runner.invoke(app, ["split", "-"], input="Un. Deux.")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"translate-news: error: {path.name}") and message in line


def test_version_and_completion():
    from translate_news import __version__

    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.strip() == f"translate-news {__version__}"
    script = runner.invoke(app, ["completion", "bash"])
    assert script.exit_code == 0 and "_TRANSLATE_NEWS_COMPLETE=bash_complete" in script.stdout
    import subprocess
    import sys

    module = subprocess.run(
        [sys.executable, "-m", "translate_news", "--version"], capture_output=True, text=True
    )
    assert module.stdout.strip() == f"translate-news {__version__}"


def test_glossary_and_shortlist_from_the_file(workdir, toy_model, toy_article):
    (workdir / "terms.tsv").write_text("chat\tfeline\n", encoding="utf-8")
    write(workdir, f'[defaults]\nglossary = "terms.tsv"\n\n[translate]\nmodel = "{toy_model}"\n')
    result = runner.invoke(
        app, ["--config", str(workdir / "translate-news.toml"), "translate", str(toy_article)]
    )
    assert result.exit_code == 0, result.output
    # "chat" must come out as "feline": the toy model cannot, so the sentence is flagged.
    assert "The cat eats the apple. [check: glossary: feline]" in result.stdout
    assert "1 sentence flagged" in result.stderr
    write(workdir, f'[translate]\nmodel = "{toy_model}"\nshortlist = true\n')
    result = runner.invoke(app, ["translate", str(toy_article)])
    assert result.exit_code == 1 and "models shortlist" in result.stderr


def _python_310() -> str | None:
    """A Python 3.10 interpreter on this machine (on PATH, or beside this one under pyenv)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    siblings = sorted(Path(sys.base_prefix).parent.glob("3.10*/bin/python"))
    if siblings:
        return str(siblings[0])
    found = shutil.which("python3.10")  # (a pyenv shim there may not run: checked)
    if found and subprocess.run([found, "-c", ""], capture_output=True).returncode == 0:
        return found
    return None


def test_toml_glossaries_and_configuration_files_read_on_python_3_10(tmp_path):
    """requires-python allows 3.10, whose standard library has no tomllib: both TOML
    readers go through tomli there (a traceback before)."""
    import importlib.util
    import os
    import subprocess
    from pathlib import Path

    from .conftest import ROOT

    python = _python_310()
    if python is None:
        pytest.skip("no Python 3.10 interpreter on this machine")
    # tomli alone beside the package: nothing else of this environment reaches 3.10.
    extra = tmp_path / "site"
    extra.mkdir()
    (extra / "tomli").symlink_to(Path(importlib.util.find_spec("tomli").origin).parent)
    (tmp_path / "g.toml").write_text(
        'keep = ["Élysée"]\n[terms]\n"Assemblée nationale" = "National Assembly"\n',
        encoding="utf-8",
    )
    (tmp_path / "c.toml").write_text('[translate]\nbeams = "many"\n', encoding="utf-8")
    code = (
        "import sys; from pathlib import Path\n"
        "from translate_news.core import config\n"
        "from translate_news.core.errors import UsageError\n"
        "from translate_news.text.glossary import Glossary\n"
        "print(sys.version_info[:2], sorted(t.source for t in Glossary.load(sys.argv[1]).terms))\n"
        "try:\n    config.load(Path(sys.argv[2]), {})\n"
        "except UsageError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [python, "-c", code, str(tmp_path / "g.toml"), str(tmp_path / "c.toml")],
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{extra}"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    version, terms = done.stdout.splitlines()[0].split(") ")
    assert version == "(3, 10" and terms == "['Assemblée nationale', 'Élysée']"
    # The configuration file was parsed (then checked: here, against no commands).
    assert done.stdout.splitlines()[1].endswith(
        "[translate] is not a command; the tables are defaults"
    )
