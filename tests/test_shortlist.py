"""The vocabulary shortlist: alignment, CTranslate2's map format, built and used by the
tool on the toy model."""

from __future__ import annotations

import json
import shutil
import statistics

import pytest
from click.testing import CliRunner

from translate_news import Translator
from translate_news.cli import app
from translate_news.core.errors import TranslateNewsError, UsageError
from translate_news.pipeline.vocabulary import model_pairs
from translate_news.seq2seq.shortlist import VocabularyMap, align, build, save

from .conftest import make_test_models

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_ibm_model_1_learns_which_word_translates_which():
    pairs = [
        ("la maison".split(), "the house".split()),
        ("la fleur".split(), "the flower".split()),
        ("maison bleue".split(), "blue house".split()),
        ("fleur bleue".split(), "blue flower".split()),
        ("la maison bleue".split(), "the blue house".split()),
    ]
    table = align(pairs, iterations=10)
    for french, english in [("la", "the"), ("maison", "house"), ("fleur", "flower")]:
        assert max(table[french], key=table[french].get) == english
    assert table["bleue"]["blue"] > 0.5


def test_the_map_is_in_ctranslate2s_format():
    vmap = VocabularyMap(always=("▁the", "."), candidates={"▁maison": ("▁house", "▁home")})
    lines = vmap.text().splitlines()
    assert lines[0] == "\t▁the ."  # the empty source: always allowed
    assert lines[1] == "▁maison\t▁house ▁home"
    assert vmap.allowed(["▁maison", "▁inconnu"]) == {"▁the", ".", "▁house", "▁home"}


def test_build_keeps_the_most_frequent_and_the_top_k_per_source():
    pairs = [(["▁a", "▁b"], ["▁x", "▁y"]), (["▁a"], ["▁x"]), (["▁c"], ["▁z", "▁x"])]
    vmap = build(pairs, common=1, per_source=1)
    assert vmap.always == ("▁x",)
    assert vmap.candidates["▁a"] == ("▁x",)
    assert vmap.candidates["▁c"] in {("▁x",), ("▁z",)}
    assert set(vmap.candidates) == {"▁a", "▁b", "▁c"}


@pytest.fixture
def own_toy(toy_model, tmp_path):
    """A copy of the toy model (with its conversion) whose shortlist this test owns."""
    copy = tmp_path / "marian-toy"
    shutil.copytree(toy_model, copy)
    return copy


def _halves() -> tuple[list[str], list[str]]:
    french = [fr for fr, _ in make_test_models.toy_corpus()]
    return french[: len(french) // 2], french[len(french) // 2 :]


def test_a_shortlist_from_one_half_translates_the_other_half_identically(own_toy):
    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    pairs = model_pairs(full, first)
    vmap = build(pairs, common=10, per_source=10)
    save(vmap, full.model.folder, full.model.fingerprint)
    short = Translator(
        str(own_toy), backend="ctranslate2", device="cpu", memory=False, shortlist=True
    )
    assert short.translate(second) == full.translate(second)
    # ... while a sentence is allowed well under half of the 103 English tokens:
    sources = [short.model.tokens(ids) for ids in short.model.encode(second)]
    assert statistics.mean(len(vmap.allowed(s)) for s in sources) < 103 / 2
    assert short.signature.shortlist and f"|shortlist={short.signature.shortlist}|" in str(
        short.signature
    )


def test_a_shortlist_too_small_changes_translations(own_toy):
    """The map is really used: with one candidate per source token, the toy model
    cannot write what it wrote before."""
    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    vmap = build(model_pairs(full, first), common=0, per_source=1)
    save(vmap, full.model.folder, full.model.fingerprint)
    short = Translator(
        str(own_toy), backend="ctranslate2", device="cpu", memory=False, shortlist=True
    )
    assert short.translate(second) != full.translate(second)


def test_shortlist_without_one_built_says_how_to_build_it(own_toy):
    with pytest.raises(TranslateNewsError, match="translate-news models shortlist"):
        Translator(str(own_toy), backend="ctranslate2", device="cpu", shortlist=True)


def test_shortlist_is_refused_with_the_torch_backend(own_toy):
    with pytest.raises(UsageError, match="CTranslate2"):
        Translator(str(own_toy), backend="torch", shortlist=True)


def test_the_commands_build_use_and_measure_a_shortlist(own_toy, tmp_path):
    first, second = _halves()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for start in range(0, len(first), 50):  # articles of 50 sentences
        (corpus / f"{start:03}.txt").write_text("\n\n".join(first[start : start + 50]) + "\n")
    held_out = tmp_path / "held-out.fr"
    held_out.write_text("\n".join(second) + "\n")

    missing = cli("translate", "--text", second[0], "-m", own_toy, "--shortlist")
    assert missing.exit_code != 0
    assert "models shortlist" in missing.stderr and "Traceback" not in missing.output

    built = cli(
        "models", "shortlist", own_toy, "--corpus", corpus, "--common", 10, "--per-source", 10
    )
    assert built.exit_code == 0, built.output
    assert "shortlist of" in built.stderr and "--shortlist" in built.stderr

    measured = cli("evaluate", "agreement", "--source", held_out, "-m", own_toy, "--json")
    assert measured.exit_code == 0, measured.output
    report = json.loads(measured.stdout)
    assert report["sentences"] == len(second)
    assert report["identical"] == len(second) and report["differences"] == []

    used = cli("translate", "--text", second[0], "-m", own_toy, "--shortlist", "-v")
    assert used.exit_code == 0, used.output
    assert "|shortlist=" in used.stderr


def test_a_shortlist_from_an_existing_translation(own_toy, tmp_path):
    pairs = make_test_models.toy_corpus()[:200]
    (tmp_path / "train.fr").write_text("\n".join(fr for fr, _ in pairs) + "\n")
    (tmp_path / "train.en").write_text("\n".join(en for _, en in pairs) + "\n")
    french = tmp_path / "train.fr"
    built = cli(
        "models", "shortlist", own_toy, "--corpus", french, "--english", french.with_suffix(".en")
    )
    assert built.exit_code == 0, built.output
    assert "aligning 200 sentence pairs" in built.stderr
    (tmp_path / "short.en").write_text("one line\n")
    uneven = cli(
        "models", "shortlist", own_toy, "--corpus", french, "--english", tmp_path / "short.en"
    )
    assert uneven.exit_code == 2 and "200 French lines but 1 English" in uneven.stderr


def test_agreement_needs_source(own_toy, tmp_path):
    result = cli("evaluate", "agreement", "-m", own_toy)
    assert result.exit_code == 2 and "Missing option '--source'" in result.stderr


def test_the_old_evaluate_spelling_is_refused_in_one_line(tmp_path):
    """evaluate is subcommands now: the old flags say which command to use."""
    result = cli("evaluate", "--source", tmp_path / "x.fr")
    assert result.exit_code == 2 and "No such option" in result.stderr
    assert "--source" in result.stderr


def test_with_a_shortlist_the_confidence_is_over_the_full_vocabulary(own_toy):
    """The shortlist narrows the search, not the scores: a shortlisted translation's
    confidence is what the full model gives that same output (here a shortlist so small
    that the translations change, and the model is unsure of them)."""
    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    save(build(model_pairs(full, first), common=5, per_source=2), full.model.folder,
         full.model.fingerprint)  # fmt: skip
    short = Translator(
        str(own_toy), backend="ctranslate2", device="cpu", memory=False, shortlist=True
    )
    sentences = second[:40]
    found = short.translate_checked(sentences)
    inputs = full.model.encode(sentences)
    outputs = short.model.generate(inputs, short.output_cap)
    compared = 0
    for checked, output, row in zip(found, outputs, full.model.score(inputs, outputs)):
        if checked.text != short.model.decode([output])[0]:
            continue  # translated again by the loop guard: another output
        compared += 1
        expected = full.model.words(output, row)
        assert [w for w, _ in checked.confidence.words] == [w for w, _ in expected]
        for (_, got), (_, want) in zip(checked.confidence.words, expected):
            assert got == pytest.approx(want, abs=1e-5)
    assert compared >= 10
    assert [c.text for c in found] != full.translate(sentences)  # the shortlist bit
    assert min(c.confidence.sentence for c in found) < min(
        c.confidence.sentence for c in full.translate_checked(sentences)
    )
