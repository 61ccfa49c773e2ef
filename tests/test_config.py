"""The configuration file: defaults per command, checked, with the command line and the
environment before it."""

import pytest
from typer.testing import CliRunner

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
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout
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
