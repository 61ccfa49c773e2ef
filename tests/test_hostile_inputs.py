"""Hostile inputs, round two, by family: the translation memory, Word and HTML input,
folder runs, options and configuration, and the CLI as README shows it. Each ends in one
clear line and a non-zero exit, with nothing already written lost."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_news import Translator
from translate_news.cli import app
from translate_news.pipeline.memory import TranslationMemory
from translate_news.text.glossary import Glossary, Term, _pattern

from .conftest import make_test_models

runner = CliRunner()
PAIRS = make_test_models.toy_article_pairs()


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# --- the translation memory --------------------------------------------------------


def test_a_partly_damaged_memory_warns_in_one_line(tmp_path, caplog):
    path = tmp_path / "tm.sqlite"
    memory = TranslationMemory(path)
    memory.put_many("sig", {f"phrase {i} " * 40: (f"sentence {i} " * 40, ()) for i in range(400)})
    memory.close()
    data = bytearray(path.read_bytes())
    for start in range(8192, len(data) - 4096, 16384):  # scattered damage, header intact
        data[start : start + 512] = os.urandom(512)
    path.write_bytes(bytes(data))
    for companion in tmp_path.glob("tm.sqlite-*"):
        companion.unlink()
    with caplog.at_level(logging.WARNING, "translate_news.pipeline.memory"):
        TranslationMemory(path).close()
    [warning] = [r.getMessage() for r in caplog.records]
    assert "is damaged" in warning and "\n" not in warning and len(warning) < 600
    assert len(list(tmp_path.glob("tm.sqlite.damaged-*"))) == 1


def test_a_memory_that_is_a_device_is_refused_and_nothing_is_left_beside_it(toy_model):
    result = runner.invoke(
        app, ["translate", "--text", PAIRS[0][0], "-m", str(toy_model), "--memory", "/dev/null"]
    )
    assert result.exit_code == 1 and "not a regular file" in one_line(result)
    assert not any(Path(f"/dev/null{suffix}").exists() for suffix in ("-wal", "-shm", "-journal"))


def test_control_characters_from_a_feed_round_trip_through_tmx(tmp_path, toy_model):
    feed = tmp_path / "feed.jsonl"
    record = {"id": "a", "text": PAIRS[0][0].replace(" ", " \u0007", 1)}
    feed.write_text(json.dumps(record) + "\n", encoding="utf-8")
    memory = tmp_path / "tm.sqlite"
    done = runner.invoke(
        app, ["translate", str(feed), "-o", str(tmp_path / "out"), "-m", str(toy_model),
              "--memory", str(memory)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    exported = tmp_path / "tm.tmx"
    assert (
        runner.invoke(app, ["memory", "export", str(exported), "--memory", str(memory)]).exit_code
        == 0
    )
    again = runner.invoke(app, ["memory", "import", str(exported), "--memory", str(memory)])
    assert again.exit_code == 0, again.output
    assert "1 already held" in again.stderr and "imported 0 corrections" in again.stderr


def test_a_tmx_nested_deep_is_read_and_a_fifo_refused(tmp_path):
    deep = tmp_path / "deep.tmx"
    inner = "<hi>" * 5000 + "Le chat dort." + "</hi>" * 5000
    deep.write_text(
        '<tmx version="1.4"><header/><body><tu><tuv xml:lang="fr"><seg>' + inner + "</seg></tuv>"
        '<tuv xml:lang="en"><seg>The cat sleeps.</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    memory = str(tmp_path / "tm.sqlite")
    result = runner.invoke(app, ["memory", "import", str(deep), "--memory", memory])
    assert result.exit_code == 0 and "imported 1 corrections" in result.stderr
    fifo = tmp_path / "in.tmx"
    os.mkfifo(fifo)
    refused = runner.invoke(app, ["memory", "import", str(fifo), "--memory", memory])
    assert refused.exit_code == 1 and "must be a regular file, not a FIFO" in one_line(refused)


def test_export_edit_one_import_makes_one_correction_for_any_model(
    tmp_path, toy_model, random_model
):
    """The promise "your corrections come first", and only yours: the sentences left as
    they were keep their model and signature, so another model translates them itself."""
    path = str(tmp_path / "tm.sqlite")
    french = [PAIRS[0][0], PAIRS[1][0], PAIRS[2][0]]
    first = Translator(str(toy_model), memory_path=path)
    assert first.translate(french) == [PAIRS[0][1], PAIRS[1][1], PAIRS[2][1]]
    exported = tmp_path / "tm.tmx"
    assert runner.invoke(app, ["memory", "export", str(exported), "--memory", path]).exit_code == 0
    edited = exported.read_text(encoding="utf-8").replace(PAIRS[1][1], "An editor's sentence.")
    exported.write_text(edited, encoding="utf-8")
    result = runner.invoke(app, ["memory", "import", str(exported), "--memory", path])
    assert result.exit_code == 0, result.output
    assert "imported 1 corrections" in result.stderr and "2 already held" in result.stderr
    stats = TranslationMemory(path).stats()
    assert stats == {str(first.signature): 3, "import": 1}
    other = Translator(str(random_model), memory_path=path)
    done = other.translate(french)
    assert done[1] == "An editor's sentence."
    assert done[0] != PAIRS[0][1] and done[2] != PAIRS[2][1]  # its own, not the first model's


def test_another_nodes_memory_merges_as_that_models(tmp_path, toy_model):
    here, there = str(tmp_path / "here.sqlite"), str(tmp_path / "there.sqlite")
    node = Translator(str(toy_model), memory_path=there)
    node.translate([PAIRS[3][0]])
    exported = tmp_path / "there.tmx"
    assert runner.invoke(app, ["memory", "export", str(exported), "--memory", there]).exit_code == 0
    result = runner.invoke(app, ["memory", "import", str(exported), "--memory", here])
    assert "1 model translations added" in result.stderr
    assert TranslationMemory(here).stats() == {str(node.signature): 1}


# --- Word and HTML input -----------------------------------------------------------


def _docx(paragraphs: list[str], *, core: bool = True) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = ""
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    if core:
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    stripped = io.BytesIO()
    with zipfile.ZipFile(stripped, "w") as target:
        for item in source.infolist():
            if item.filename != "docProps/core.xml":
                data = source.read(item)
                if item.filename.endswith(".rels") or item.filename == "[Content_Types].xml":
                    data = re.sub(rb"<[^>]*core[^>]*/>", b"", data)
                target.writestr(item, data)
    return stripped.getvalue()


def test_a_word_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, toy_model):
    bomb = tmp_path / "bomb.docx"
    source = zipfile.ZipFile(io.BytesIO(_docx(["x"])))
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 1_000_000, 1)
            target.writestr(item, data)
    assert bomb.stat().st_size < 100_000
    unpacked = sum(m.file_size for m in zipfile.ZipFile(bomb).infolist())
    result = runner.invoke(
        app, ["translate", str(bomb), "-m", str(toy_model), "--max-input-mb", "2"]
    )
    assert result.exit_code == 1
    assert f"unpacks to {unpacked / 1e6:.0f} MB, over the 2 MB input limit" in one_line(result)


@pytest.mark.parametrize(
    "body",
    [b"PK\x03\x04not a zip at all", b"", "cut", "bad-xml", "no-document"],
)
def test_a_damaged_word_file_is_one_line(tmp_path, toy_model, body):
    good = _docx([PAIRS[0][0]])
    if body == "cut":
        body = good[: len(good) // 2]
    elif body in ("bad-xml", "no-document"):
        source = zipfile.ZipFile(io.BytesIO(good))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                if item.filename == "word/document.xml":
                    if body == "no-document":
                        continue
                    target.writestr(item, b"<w:document><w:body><w:p>")
                else:
                    target.writestr(item, source.read(item))
        body = out.getvalue()
    path = tmp_path / "damaged.docx"
    path.write_bytes(body)
    result = runner.invoke(app, ["translate", str(path), "-m", str(toy_model)])
    assert result.exit_code == 1
    line = one_line(result)
    assert "damaged.docx" in line and ("Word" in line or "empty" in line)


def test_a_word_file_without_its_own_properties_has_no_made_up_title(tmp_path, toy_model):
    path = tmp_path / "plain.docx"
    path.write_bytes(_docx([PAIRS[0][0]], core=False))
    assert "docProps/core.xml" not in zipfile.ZipFile(path).namelist()
    result = runner.invoke(app, ["translate", str(path), "-m", str(toy_model), "-f", "json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["title"] is None and "Word Document" not in result.stdout


def test_an_oversize_web_page_is_refused_before_parsing(tmp_path, toy_model):
    page = tmp_path / "huge.html"
    page.write_text("<html><body>" + "<p>Le chat dort.</p>" * 600_000 + "</body></html>")
    result = runner.invoke(app, ["translate", str(page), "-m", str(toy_model)])
    assert result.exit_code == 1 and "not a news page" in one_line(result)


def test_text_nested_deeper_than_the_parser_reads_is_refused_not_dropped(tmp_path, toy_model):
    page = tmp_path / "deep.html"
    inner = (
        "<div>" * 400
        + "<p>Le chat mange la pomme. La presse regarde le rapport.</p>"
        + "</div>" * 400
    )
    page.write_text(f"<html><body><article><p>{PAIRS[0][0]}</p>{inner}</article></body></html>")
    result = runner.invoke(app, ["translate", str(page), "-m", str(toy_model)])
    assert result.exit_code == 1 and "nested deeper than the 255 levels" in one_line(result)
    assert "discarding data" not in result.output


# --- folder runs -------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_does_not_end_the_run(tmp_path, toy_model):
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.path.join(os.fsencode(folder), b"d\xe9p\xeache.txt")
    with open(odd, "wb") as handle:
        handle.write(PAIRS[0][0].encode())
    (folder / "b.txt").write_text(PAIRS[1][0], encoding="utf-8")
    result = runner.invoke(
        app,
        ["translate", str(folder), "-o", str(tmp_path / "out"), "-f", "json", "-m", str(toy_model)],
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").glob("*.json")]
    assert sorted(r["paragraphs"][0]["sentences"][0]["translation"] for r in records) == sorted(
        [PAIRS[0][1], PAIRS[1][1]]
    )


def test_a_deeply_nested_feed_record_is_one_line_and_the_rest_go_on(tmp_path, toy_model):
    feed = tmp_path / "feed.jsonl"
    good = json.dumps({"id": "good", "text": PAIRS[0][0]})
    feed.write_text(good + "\n" + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    result = runner.invoke(
        app, ["translate", str(feed), "-o", str(tmp_path / "out"), "-m", str(toy_model)]
    )
    assert result.exit_code == 1 and "nested too deep" in result.stderr
    assert "Traceback" not in result.output
    assert PAIRS[0][1] in (tmp_path / "out" / "feed#good.en.md").read_text(encoding="utf-8")


# --- options and configuration -----------------------------------------------------


@pytest.mark.parametrize(
    "option, value, words",
    [
        ("--beams", "100000", "beams must be at most 64"),
        ("--threads", "100000", "threads must be at most 1024"),
        ("--batch-tokens", "99999999999", "batch_tokens must be at most"),
    ],
)
def test_options_out_of_bounds_are_refused_before_any_model_loads(
    option, value, words, monkeypatch
):
    import translate_news.seq2seq.model as seq2seq

    monkeypatch.setattr(seq2seq, "Seq2SeqModel", None)  # nothing may load
    result = runner.invoke(app, ["translate", "--text", "Le chat dort.", option, value])
    assert result.exit_code == 2 and words in one_line(result)


def _config(tmp_path, text: str) -> Path:
    path = tmp_path / "translate-news.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_configuration_values_out_of_bounds_or_outside_tables_name_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _config(tmp_path, "[translate]\nbeams = 99999999999999999999\n")
    huge = runner.invoke(app, ["translate", "--text", "Le chat dort."])
    assert huge.exit_code == 2 and "beams must be at most 64" in one_line(huge)
    _config(tmp_path, 'model = "x"\n')
    stray = runner.invoke(app, ["translate", "--text", "Le chat dort."])
    assert stray.exit_code == 2
    assert "translate-news.toml: a value outside any table: model" in one_line(stray)


def test_the_format_in_the_configuration_applies_to_one_article(
    tmp_path, toy_model, toy_article, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    _config(tmp_path, f'[translate]\nformat = "md"\nmodel = "{toy_model}"\n')
    result = runner.invoke(app, ["translate", str(toy_article)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"# {PAIRS[-1][1]}")  # Markdown: the title as a heading
    shown = runner.invoke(app, ["config", "show"])
    assert 'format = "md"' in shown.stdout


def test_config_show_is_valid_toml_even_uncommented(tmp_path, monkeypatch):
    import tomllib

    monkeypatch.chdir(tmp_path)
    shown = runner.invoke(app, ["config", "show"])
    assert shown.exit_code == 0
    assert "[defaults]" in shown.stdout
    uncommented = "\n".join(
        re.sub(r"^# (\w[\w-]* = )", r"\1", line) for line in shown.stdout.splitlines()
    )
    data = tomllib.loads(uncommented)
    assert "model" in data["translate"] and "defaults" in data


def test_glossary_files_that_are_not_glossaries(tmp_path, toy_model):
    def run(glossary) -> object:
        return runner.invoke(
            app,
            ["translate", "--text", PAIRS[0][0], "-m", str(toy_model), "--glossary", str(glossary)],
        )

    empty = tmp_path / "empty-term.tsv"
    empty.write_text("Kiev\tKyiv\n\tNothing\n", encoding="utf-8")
    assert run(empty).exit_code == 2 and "empty-term.tsv:2: no source term" in run(empty).stderr
    fifo = tmp_path / "terms.fifo"
    os.mkfifo(fifo)
    assert run(fifo).exit_code == 1 and "must be a regular file" in one_line(run(fifo))
    assert "must be a regular file" in one_line(run("/dev/zero"))


words = st.text(alphabet="aAéÉbB-' ", min_size=1, max_size=8).map(str.strip).filter(bool)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    terms=st.lists(words, min_size=1, max_size=8, unique=True),
    text=st.text(alphabet="aAéÉbB-' .", max_size=40),
)
def test_the_glossary_index_finds_what_the_patterns_find(terms, text):
    """The index is only a faster way to the same answer: each term's own pattern,
    searched in the whole text, is the reference."""
    glossary = Glossary([Term(t, t.upper() + "!") for t in terms])
    expected = [t.upper() + "!" for t in terms if _pattern(t).search(text)]
    assert sorted(glossary.missing(text, "")) == sorted(expected)


# --- the CLI as README shows it ----------------------------------------------------


def test_a_gpu_that_is_not_there_is_a_usage_error(toy_model):
    result = runner.invoke(
        app, ["translate", "--text", "Le chat dort.", "-m", str(toy_model), "--device", "cuda"]
    )
    assert result.exit_code == 2 and "GPU" in one_line(result)


def test_models_path_takes_any_local_folder(toy_model):
    result = runner.invoke(app, ["models", "path", str(toy_model)])
    assert result.exit_code == 0 and result.stdout.strip() == str(toy_model.resolve())


def test_a_missing_model_offline_is_said_at_once_without_a_connection(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("HF_HUB_OFFLINE is set: no connection may be tried")

    monkeypatch.setattr(socket, "create_connection", no_network)
    result = runner.invoke(app, ["translate", "--text", "Le chat dort.", "-m", "someone/not-here"])
    assert result.exit_code == 1 and "HF_HUB_OFFLINE" in one_line(result)


def test_summarize_off_a_terminal_prints_no_stray_progress_label(tmp_path, toy_model):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(make_test_models.TOY_ARTICLE, encoding="utf-8")
    result = runner.invoke(
        app, ["summarize", str(folder), "-o", str(tmp_path / "out"), "-m", str(toy_model),
              "--summarizer", "lead"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not sys.stderr.isatty()
    assert "articles" not in [line.strip() for line in result.stderr.splitlines()]
