"""Hostile inputs, one class at a time: no output overwritten or stale, no run taken down
by one input, nothing written where it must not be."""

import errno
import json
import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_news.cli import app
from translate_news.core.document import Article
from translate_news.formats.readers import SUFFIXES, read_articles, record_key
from translate_news.pipeline.folder import distinct_stems, find_inputs, output_path

from .conftest import make_test_models

runner = CliRunner()
PAIRS = make_test_models.toy_article_pairs()


def translate(src, out, model, *extra):
    args = ["translate", str(src), "-o", str(out), "-m", str(model), "--no-memory"]
    return runner.invoke(app, [*args, *extra])


def counts(result) -> str:
    return " ".join(result.stderr.split())


# --- 1. one input, one output ------------------------------------------------------


def test_same_stem_different_extensions_get_two_outputs(tmp_path, toy_model):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(PAIRS[0][0], encoding="utf-8")
    (src / "a.md").write_text(PAIRS[1][0], encoding="utf-8")
    (src / "b.txt").write_text(PAIRS[2][0], encoding="utf-8")
    result = translate(src, tmp_path / "out", toy_model, "-f", "txt")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert (out / "a.txt.en.txt").read_text(encoding="utf-8") == PAIRS[0][1] + "\n"
    assert (out / "a.md.en.txt").read_text(encoding="utf-8") == PAIRS[1][1] + "\n"
    assert (out / "b.en.txt").read_text(encoding="utf-8") == PAIRS[2][1] + "\n"


names = st.text(alphabet="aAbB#%~._-é ", min_size=1, max_size=6).filter(
    lambda n: not n.startswith(".") and n.strip() == n
)
ids = st.one_of(
    st.none(),
    st.integers(0, 3),
    st.sampled_from(["x", "X", "a.b", "..", "Ab", "~1", "x#y", "http://e.fr/a?b=1"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(st.tuples(names, st.sampled_from(SUFFIXES)), max_size=8),
    feed=st.lists(st.tuples(ids, st.sampled_from(["Un.", "Deux.", "Trois."])), max_size=8),
)
def test_no_two_inputs_share_an_output(files, feed):
    """Any folder of names (case variants, '#', '%', shared stems) and any feed (ids
    missing, repeated, differing only in case, URLs, duplicate records) give every input
    its own output, even on a file system that ignores case."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "in"
        root.mkdir()
        written = 0
        for stem, suffix in files:
            path = root / f"{stem}{suffix}"
            if suffix in {".json", ".jsonl", ".ndjson"} or path.exists():
                continue  # the feed is below
            path.write_text("Le chat mange la pomme.", encoding="utf-8")
            written += 1
        records = [{"text": text} | ({} if i is None else {"id": i}) for i, text in feed]
        (root / "feed.jsonl").write_text(
            "\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8"
        )
        outputs = []
        for found in find_inputs(root):
            # Only a feed's content names its outputs; other files are named by their names.
            is_feed = found.path.name == "feed.jsonl"
            articles = read_articles(found.path) if is_feed else [Article(())]
            for article in articles:
                outputs.append(output_path(found, article, Path("out"), "md").as_posix())
        assert len(outputs) == written + len(records)  # every input read, once
        assert len({o.casefold() for o in outputs}) == len(outputs)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a.txt", "b.md"], ["a", "b"]),
        (["a.txt", "a.md"], ["a.txt", "a.md"]),
        (["A.txt", "a.txt"], ["A.txt~", "a.txt~"]),
        (["x#1.txt", "50%.md"], ["x%231", "50%25"]),
        (["a.txt", "a.md", "a.txt.md"], ["a.txt", "a.md", "a.txt.md"]),
    ],
)
def test_distinct_stems(names, expected):
    stems = distinct_stems(names)
    assert [stems[n][: len(e)] for n, e in zip(names, expected)] == expected
    assert len({s.casefold() for s in stems.values()}) == len(names)


def test_a_record_inserted_at_the_top_renames_nothing(tmp_path, toy_model):
    feed = tmp_path / "feed.jsonl"
    records = [{"id": f"r{i}", "text": fr} for i, (fr, _) in enumerate(PAIRS[:2])]
    feed.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    out = tmp_path / "out"
    assert translate(feed, out, toy_model, "-f", "txt").exit_code == 0
    first = (out / "feed#r0.en.txt").read_text(encoding="utf-8")
    new = {"id": "new", "text": PAIRS[2][0]}
    feed.write_text("\n".join(json.dumps(r) for r in [new, *records]), encoding="utf-8")
    again = translate(feed, out, toy_model, "-f", "txt")
    assert "done 1 skipped 2" in counts(again)
    assert (out / "feed#new.en.txt").read_text(encoding="utf-8") == PAIRS[2][1] + "\n"
    assert (out / "feed#r0.en.txt").read_text(encoding="utf-8") == first


def test_a_folder_with_a_hash_in_its_name(tmp_path, toy_model):
    src = tmp_path / "dossier #3"
    src.mkdir()
    (src / "a#b.txt").write_text(PAIRS[0][0], encoding="utf-8")
    result = translate(src, tmp_path / "out #3", toy_model, "-f", "txt")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out #3" / "a%23b.en.txt").exists()


# --- 2. resume by fingerprint ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["txt", "md", "json", "html"])
def test_an_edited_source_or_a_changed_option_is_redone(tmp_path, toy_model, fmt):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"{i}.txt").write_text(PAIRS[i][0], encoding="utf-8")
    out = tmp_path / "out"
    assert "done 3 skipped 0" in counts(translate(src, out, toy_model, "-f", fmt))
    assert "done 0 skipped 3" in counts(translate(src, out, toy_model, "-f", fmt))
    (src / "1.txt").write_text(PAIRS[5][0], encoding="utf-8")
    assert "done 1 skipped 2" in counts(translate(src, out, toy_model, "-f", fmt))
    assert PAIRS[5][1] in (out / f"1.en.{fmt}").read_text(encoding="utf-8")
    assert "done 3 skipped 0" in counts(translate(src, out, toy_model, "-f", fmt, "--beams", "1"))


# --- 3. outputs are never inputs ---------------------------------------------------


@pytest.mark.parametrize("inside", [True, False])
def test_a_run_never_reads_its_own_outputs(tmp_path, toy_model, inside):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(PAIRS[0][0], encoding="utf-8")
    out = src / "english" if inside else src
    for _ in range(2):
        result = translate(src, out, toy_model, "-f", "md")
        assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.rglob("*.md"))
    assert written == ["a.en.md"]


# --- 4. writes touch only what they own ---------------------------------------------


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder"])
def test_what_is_not_a_regular_file_is_never_replaced(tmp_path, toy_article, toy_model, kind):
    target = tmp_path / "out.md"
    keep = tmp_path / "precious.txt"
    keep.write_text("precious", encoding="utf-8")
    if kind == "symlink":
        target.symlink_to(keep)
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    args = ["translate", str(toy_article), "-m", str(toy_model), "-o", str(target), "--force"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refusing to replace it" in lines[0]
    assert keep.read_text(encoding="utf-8") == "precious"
    assert target.is_symlink() if kind == "symlink" else not target.is_file()


# --- 5. failure isolation ----------------------------------------------------------


def _folder(root: Path, n: int = 3) -> Path:
    root.mkdir()
    for i in range(n):
        (root / f"{i}.txt").write_text(PAIRS[i][0], encoding="utf-8")
    return root


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_full_disk_stops_the_run_at_once(tmp_path, toy_model, monkeypatch, code):
    src = _folder(tmp_path / "in", 5)
    real_replace = os.replace
    writes = []

    def full_after_two(source, destination):
        if len(writes) >= 2:
            raise OSError(code, os.strerror(code))
        writes.append(destination)
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", full_after_two)
    result = translate(src, tmp_path / "out", toy_model, "-f", "md")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and os.strerror(code) in errors[0] and "the run stopped" in errors[0]
    assert "done 2" in counts(result)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


def test_one_article_that_fails_to_translate_is_one_line(tmp_path, toy_model, monkeypatch):
    from translate_news.core.errors import TranslateNewsError
    from translate_news.pipeline.translator import Translator

    src = _folder(tmp_path / "in")
    real = Translator.translate_checked

    def fails_on_one(self, sentences):
        if PAIRS[1][0] in sentences:
            raise TranslateNewsError("out of memory translating one sentence of 900 tokens")
        return real(self, sentences)

    monkeypatch.setattr(Translator, "translate_checked", fails_on_one)
    result = translate(src, tmp_path / "out", toy_model, "-f", "md")
    assert result.exit_code == 1
    assert "done 2 skipped 0" in counts(result) and "failed 1" in counts(result)
    (line,) = [x for x in result.stderr.splitlines() if "error" in x]
    assert "1.txt" in line and "out of memory" in line


def _model_folder(tmp_path, config: dict) -> Path:
    folder = tmp_path / "not-a-summariser"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("summarizer", "extra", "message"),
    [
        ("bart", ["--max-tokens", "500"], "more than"),
        ("bert", [], "not a sequence-to-sequence model"),
    ],
)
def test_summary_settings_that_cannot_work_are_usage_errors_before_loading(
    tmp_path, bart_model, toy_model, monkeypatch, summarizer, extra, message
):
    import translate_news.pipeline.translator

    def no_loading(*args, **kwargs):
        raise AssertionError("the translation model was loaded")

    monkeypatch.setattr(translate_news.pipeline.translator.Translator, "__init__", no_loading)
    model = bart_model
    if summarizer == "bert":
        model = _model_folder(tmp_path, {"architectures": ["BertModel"], "model_type": "bert"})
    src = _folder(tmp_path / "in", 1)
    args = ["summarize", str(src), "-o", str(tmp_path / "out"), "-m", str(toy_model)]
    result = runner.invoke(app, [*args, "--summarizer", str(model), *extra])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


@pytest.mark.parametrize(
    ("output", "fmt", "message"),
    [("x.md", "json", "make them agree"), ("single.md", None, "looks like a file name")],
)
def test_contradictory_outputs_are_refused(tmp_path, toy_model, toy_article, output, fmt, message):
    source = toy_article if fmt else _folder(tmp_path / "in", 1)
    args = ["translate", str(source), "-m", str(toy_model), "-o", str(tmp_path / output)]
    result = runner.invoke(app, [*args, *(["-f", fmt] if fmt else [])])
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / output).exists()


# --- 6. inputs that are not plain files, and sizes -----------------------------------


def test_a_fifo_among_the_inputs_is_passed_over(tmp_path, toy_model):
    src = _folder(tmp_path / "in", 2)
    os.mkfifo(src / "x.txt")
    result = translate(src, tmp_path / "out", toy_model, "-f", "md")
    assert result.exit_code == 0, result.output
    assert "x.txt: is a FIFO, not an article file; passed over" in result.stderr
    assert "done 2" in counts(result) and "not read 1" in counts(result)


def test_a_fifo_given_alone_is_refused_at_once(tmp_path, toy_model):
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    result = runner.invoke(app, ["translate", str(fifo), "-m", str(toy_model)])
    assert result.exit_code == 1 and "is a FIFO" in result.stderr


def test_an_unreadable_folder_is_a_failure(tmp_path, toy_model, monkeypatch):
    src = _folder(tmp_path / "in", 2)
    (src / "locked").mkdir()
    (src / "locked" / "z.txt").write_text(PAIRS[3][0], encoding="utf-8")
    real_scandir = os.scandir

    def denied(path="."):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    result = translate(src, tmp_path / "out", toy_model, "-f", "md")
    assert result.exit_code == 1
    assert "locked: cannot be read (Permission denied)" in result.stderr
    assert "done 2 skipped 0" in counts(result) and "failed 1" in counts(result)


def test_files_and_standard_input_over_the_limit_are_refused(tmp_path, toy_model):
    big = tmp_path / "big.txt"
    big.write_text("Le chat mange la pomme. " * 100, encoding="utf-8")
    limit = ["--max-input-mb", "0.001"]
    result = runner.invoke(app, ["translate", str(big), "-m", str(toy_model), *limit])
    assert result.exit_code == 1 and "larger than the 0.001 MB input limit" in result.stderr
    piped = runner.invoke(
        app, ["translate", "-", "-m", str(toy_model), *limit], input="Le chat. " * 200
    )
    assert piped.exit_code == 1 and "<stdin>: larger than" in piped.stderr
    assert len(piped.stderr.strip().splitlines()) == 1


# --- 7. the translation memory defends itself --------------------------------------------


def test_a_damaged_memory_is_moved_aside(tmp_path, toy_article, toy_model):
    memory = tmp_path / "tm.sqlite"
    memory.write_bytes(b"this is not a database, it is a text file" * 100)
    args = ["translate", str(toy_article), "-m", str(toy_model), "--memory", str(memory)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (warning,) = result.stderr.strip().splitlines()
    assert (
        warning.startswith("translate-news: warning: translation memory")
        and "is damaged" in warning
    )
    (aside,) = tmp_path.glob("tm.sqlite.damaged-*")
    assert aside.read_bytes().startswith(b"this is not a database")
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and again.stdout == result.stdout


def test_an_unusable_memory_is_one_line(tmp_path, toy_article, toy_model):
    memory = tmp_path / "a folder"
    memory.mkdir()
    args = ["translate", str(toy_article), "-m", str(toy_model), "--memory", str(memory)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "translation memory" in line and "--no-memory" in line


# --- 8. corrupt model files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("source.spm", lambda p: p.write_bytes(b"garbage" * 10)),
        ("config.json", lambda p: p.write_text('{"model_type": "marian",', encoding="utf-8")),
        ("model.safetensors", lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])),
    ],
)
def test_a_damaged_model_file_is_named_with_its_repair(
    tmp_path, toy_model, toy_article, name, damage
):
    copy = tmp_path / "toy"
    shutil.copytree(toy_model, copy, ignore=shutil.ignore_patterns("ctranslate2-*"))
    damage(copy / name)
    result = runner.invoke(app, ["translate", str(toy_article), "-m", str(copy), "--no-memory"])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert f"{copy / name} is damaged" in line and "copy the model folder again" in line


def test_a_damaged_conversion_is_converted_again(tmp_path, toy_model, caplog):
    from translate_news import Translator

    copy = tmp_path / "toy"
    shutil.copytree(toy_model, copy)
    for converted in copy.glob("ctranslate2-int8-*"):
        (converted / "model.bin").write_bytes(b"\x00" * 64)
    translator = Translator(str(copy), device="cpu", memory=False, compute_type="int8")
    assert translator.translate([PAIRS[0][0]]) == [PAIRS[0][1]]
    assert "converting again" in caplog.text


# --- 9. the briefing links only to what was written ---------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def _summaries(tmp_path, toy_model) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "javascript:alert(1).txt").write_text(PAIRS[0][0], encoding="utf-8")
    (src / "b.txt").write_text(" date 2025-07-22 Titre\n\n" + PAIRS[1][0], encoding="utf-8")
    (src / "c.txt").write_text(PAIRS[2][0], encoding="utf-8")
    out = tmp_path / "out"
    args = ["summarize", str(src), "-o", str(out), "-m", str(toy_model), "--summarizer", "lead"]
    assert runner.invoke(app, [*args, "--no-memory"]).exit_code == 0
    return out


def test_briefing_links_are_relative_and_encoded(tmp_path, toy_model):
    out = _summaries(tmp_path, toy_model)
    page = tmp_path / "briefing.html"
    assert runner.invoke(app, ["brief", str(out), "-o", str(page)]).exit_code == 0
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    assert sorted(parser.links) == [
        "out/b.en.md",
        "out/c.en.md",
        "out/javascript%3Aalert%281%29.en.md",
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.update(markdown="../../etc/passwd"), "is not a file beside it"),
        (lambda r: r["translation"].update(date="next Tuesday"), "is not an ISO date"),
        (lambda r: r["summary"].update(text=["a", "list"]), "not text"),
        (lambda r: r.pop("translation"), "not a summary written by translate-news"),
    ],
)
def test_a_hand_edited_record_is_one_line_and_left_out(tmp_path, toy_model, edit, message):
    out = _summaries(tmp_path, toy_model)
    record_path = out / "b.en.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    edit(record)
    record_path.write_text(json.dumps(record), encoding="utf-8")
    briefing = tmp_path / "briefing.md"
    result = runner.invoke(app, ["brief", str(out), "-o", str(briefing)])
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if "error" in x]
    assert "b.en.json" in line and message in line and "left out" in line
    assert "(2 articles)" in result.stderr and briefing.exists()


def test_source_text_is_escaped_in_markdown(tmp_path, toy_model):
    out = _summaries(tmp_path, toy_model)
    record_path = out / "c.en.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["summary"]["text"] = "Voir [ici](javascript:alert(1)) <script>x</script>"
    record_path.write_text(json.dumps(record), encoding="utf-8")
    briefing = tmp_path / "briefing.md"
    assert runner.invoke(app, ["brief", str(out), "-o", str(briefing)]).exit_code == 0
    text = briefing.read_text(encoding="utf-8")
    assert r"Voir \[ici\](javascript:alert(1)) \<script\>x\</script\>" in text


# --- 11. mixed-language paragraphs ------------------------------------------------------

ENGLISH = "The president said he would not attend the summit in Brussels next week."


def test_a_quoted_english_sentence_passes_through_marked(tmp_path, toy_model):
    from translate_news import Translator, parse_article
    from translate_news.formats.output import to_dict, to_html, to_markdown, to_text

    article = parse_article(f"{PAIRS[0][0]} {ENGLISH} {PAIRS[1][0]}")
    english = Translator(str(toy_model), memory=False).translate_article(article)
    (paragraph,) = english.paragraphs
    assert [p.translation for p in paragraph.sentences] == [PAIRS[0][1], ENGLISH, PAIRS[1][1]]
    assert [p.language for p in paragraph.sentences] == [None, "en", None]
    assert paragraph.language is None  # mixed: the paragraph as a whole is French
    marked = f"{PAIRS[0][1]} [not translated, language: en] {ENGLISH} {PAIRS[1][1]}"
    assert to_text(english).strip() == marked
    assert marked in to_markdown(english)
    sentences = to_dict(english)["paragraphs"][0]["sentences"]
    assert [s["language"] for s in sentences] == [None, "en", None]
    page = to_html(english)
    assert f'<span lang="en" class="untranslated">{ENGLISH}</span>' in page
    assert ".untranslated::before{content:'[not translated, '" in page


def test_a_whole_english_paragraph_is_marked_once(toy_model):
    from translate_news import Translator, parse_article
    from translate_news.formats.output import to_html

    article = parse_article(f"{PAIRS[0][0]}\n\n{ENGLISH} {ENGLISH.replace('next', 'this')}")
    english = Translator(str(toy_model), memory=False).translate_article(article)
    assert english.paragraphs[1].language == "en"
    assert '<p lang="en" class="untranslated">' in to_html(english)


@pytest.mark.parametrize(
    ("record", "plain"),
    [
        ({"id": "abc"}, "abc"),
        ({"id": 12}, "12"),
        ({"url": "https://e.fr/a"}, None),
        ({"id": "a/b"}, None),
        ({"id": "..", "text": "x"}, None),
        ({"text": "x"}, None),
    ],
)
def test_record_keys(record, plain):
    key = record_key(record, ("id", "url"))
    assert key == plain if plain else (key.startswith("~") and len(key) == 17)
    assert key == record_key(dict(reversed(record.items())), ("id", "url"))  # stable
