"""Confidence from the model that translated (issue 24, its ground floor): per-token
log-probabilities of the chosen translation, the same from CTranslate2 and transformers,
grouped into words as Bergamot does."""

from __future__ import annotations

import html
import json
import math
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from translate_news import Translator
from translate_news.cli import app
from translate_news.core.document import Confidence, Flag
from translate_news.core.errors import UsageError
from translate_news.core.options import ModelOptions, TranslateOptions
from translate_news.pipeline.memory import Entry, TranslationMemory
from translate_news.seq2seq import confidence
from translate_news.seq2seq.model import Seq2SeqModel

from .conftest import make_test_models

FRENCH = [fr for fr, _ in make_test_models.toy_article_pairs()]


@pytest.fixture(scope="module")
def engines(toy_model):
    ct2 = Seq2SeqModel(
        ModelOptions(str(toy_model), backend="ctranslate2", device="cpu", compute_type="float32")
    )
    torch = Seq2SeqModel(ModelOptions(str(toy_model), backend="torch", device="cpu"))
    inputs = ct2.encode(FRENCH)
    return ct2, torch, inputs, ct2.generate(inputs, 40)


def test_both_backends_give_the_same_token_log_probabilities(engines):
    """Within 1e-4 at float32 (9e-6 measured), for every token, end of sequence
    included: the numbers are the model's, not a backend's."""
    ct2, torch, inputs, outputs = engines
    a, b = ct2.score(inputs, outputs), torch.score(inputs, outputs)
    assert [len(row) for row in a] == [len(out) for out in outputs] == [len(row) for row in b]
    assert max(abs(x - y) for r, s in zip(a, b) for x, y in zip(r, s)) < 1e-4
    assert all(p <= 0 for row in a for p in row)


def test_the_scores_are_those_of_the_translation_the_beam_chose(engines):
    """CTranslate2's own beam score of its best hypothesis (length-normalised, penalty
    1) is the mean of the scored token log-probabilities."""
    ct2, _, inputs, outputs = engines
    scores = ct2.score(inputs, outputs)
    tokens = [ct2.backend.tokenizer.convert_ids_to_tokens(ids) for ids in inputs]
    beams = ct2.backend.translator.translate_batch(
        tokens, beam_size=ct2.beams, return_scores=True, max_decoding_length=40
    )
    for result, row in zip(beams, scores):
        assert result.scores[0] == pytest.approx(sum(row) / len(row), abs=1e-3)


def test_words_are_the_translation_s_words_each_with_its_score(engines):
    ct2, _, inputs, outputs = engines
    for output, row in zip(outputs, ct2.score(inputs, outputs)):
        words = ct2.words(output, row)
        assert " ".join(word for word, _ in words) == ct2.decode([output])[0]
        assert all(score <= 0 for _, score in words)


def test_subwords_group_into_words_at_the_boundary_mark():
    pieces = ["▁T", "he", "▁c", "at", "▁", "e", "at", "s", "."]
    log_probs = [-0.2, -0.4, -1.0, -3.0, -0.1, -0.1, -0.1, -0.1, -0.6]
    words = confidence.words(pieces, log_probs)
    assert [size for size, _ in words] == [2, 2, 5]
    assert [round(score, 6) for _, score in words] == [-0.3, -2.0, -0.2]
    assert confidence.sentence([s for _, s in words]) == pytest.approx((-0.3 - 2.0 - 0.2) / 3)
    # byte-level BPE's mark (BART), and a first subword without any mark
    assert [n for n, _ in confidence.words(["Le", "Ġmaire"], [-1.0, -1.0])] == [1, 1]
    assert confidence.sentence([]) == 0.0 and confidence.probability(0.0) == 1.0
    with pytest.raises(ValueError, match="2 subwords but 1 scores"):
        confidence.words(["▁a", "b"], [-1.0])


def test_a_summariser_s_outputs_score_too(bart_model):
    """BART (byte-level subwords, a forced first token): scored on both backends alike."""
    ct2 = Seq2SeqModel(
        ModelOptions(str(bart_model), backend="ctranslate2", device="cpu", compute_type="float32")
    )
    torch = Seq2SeqModel(ModelOptions(str(bart_model), backend="torch", device="cpu"))
    inputs = ct2.encode(["The mayor announces the budget on Tuesday. The press reads it."])
    outputs = ct2.generate(inputs, 12)
    a, b = ct2.score(inputs, outputs), torch.score(inputs, outputs)
    assert max(abs(x - y) for r, s in zip(a, b) for x, y in zip(r, s)) < 1e-3


# --- every translated sentence carries it -----------------------------------------


def test_every_translated_sentence_carries_the_model_s_confidence(toy_model):
    """Memory on, as users run it: the words are the translation's and the scores those
    the model gives the chosen output (the same as scoring it afresh)."""
    translator = Translator(str(toy_model), device="cpu")
    checked = translator.translate_checked(FRENCH)
    model = translator.model
    inputs = model.encode(FRENCH)
    outputs = model.generate(inputs, translator.output_cap)
    for found, output, row in zip(checked, outputs, model.score(inputs, outputs)):
        assert found.confidence is not None
        assert " ".join(word for word, _ in found.confidence.words) == found.text
        expected = model.words(output, row)
        assert [w for w, _ in found.confidence.words] == [w for w, _ in expected]
        for (_, got), (_, want) in zip(found.confidence.words, expected):
            assert got == pytest.approx(want, abs=1e-5)
        assert 0 < found.confidence.sentence <= 1


def test_the_memory_keeps_the_confidence_with_the_translation(toy_model, tmp_path):
    memory = tmp_path / "memory.sqlite"
    first = Translator(str(toy_model), device="cpu", memory_path=str(memory))
    made = first.translate_checked(FRENCH[:3])
    again = Translator(str(toy_model), device="cpu", memory_path=str(memory))
    again.model.generate_scored = None  # a hit must not decode: it would fail here
    assert again.translate_checked(FRENCH[:3]) == made


def test_a_memory_from_before_gains_the_column_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE entries (key TEXT PRIMARY KEY, origin TEXT NOT NULL, signature TEXT "
        "NOT NULL, source TEXT NOT NULL, translation TEXT NOT NULL, flags TEXT NOT NULL "
        "DEFAULT '', created REAL NOT NULL)"
    )
    key = TranslationMemory._key("sig", "Bonjour.")
    db.execute("INSERT INTO entries VALUES (?, 'model', 'sig', 'Bonjour.', 'Hello.', '', 0)", [key])
    db.commit()
    db.close()
    memory = TranslationMemory(path)
    assert memory.get_many("sig", ["Bonjour."]) == {"Bonjour.": Entry("Hello.")}
    sure = Confidence((("Hi.", -0.25),))
    memory.put_many("sig", {"Salut.": Entry("Hi.", (), sure)})
    assert memory.get_many("sig", ["Salut."])["Salut."].confidence == sure


@pytest.mark.parametrize("threshold, flagged", [(1.0, True), (0.0, False)])
def test_min_confidence_decides_the_flag(toy_model, threshold, flagged):
    translator = Translator(str(toy_model), device="cpu", memory=False, min_confidence=threshold)
    for found in translator.translate_checked(FRENCH[:4]):
        assert (Flag("low-confidence") in found.flags) is flagged
    assert str(Flag("low-confidence")) == "low confidence"


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_min_confidence_is_a_probability(bad):
    with pytest.raises(UsageError, match="min_confidence must be between 0 and 1"):
        TranslateOptions(min_confidence=bad)


# --- shown where people read, with the defaults --------------------------------------

NUMBERS = [fr for fr, _ in make_test_models.numbers_corpus(40, seed=99)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
runner = CliRunner()


def _article(tmp_path, sentences) -> Path:
    path = tmp_path / "article.txt"
    path.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    return path


def test_text_marks_low_confidence_and_the_count_and_strict_include_it(tmp_path, random_model):
    """A random model is unsure of everything it writes: with the defaults (memory on,
    --min-confidence 0.5) every sentence says so, the closing line counts them and
    --strict fails the run; --min-confidence 0, or the configuration file, turns it off."""
    article = _article(tmp_path, NUMBERS[:3])
    args = ["translate", str(article), "-m", str(random_model)]
    done = runner.invoke(app, [*args, "--format", "md"])
    assert done.exit_code == 0, done.output
    assert done.stdout.count("low confidence\\]") == 3
    assert "3 sentences flagged" in done.stderr
    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 1 and "(--strict)" in strict.stderr
    off = runner.invoke(app, [*args, "--min-confidence", "0"])
    assert off.exit_code == 0 and "low confidence" not in off.stdout
    config = tmp_path / "translate-news.toml"
    config.write_text("[translate]\nmin-confidence = 0.0\n", encoding="utf-8")
    filed = runner.invoke(app, ["--config", str(config), *args])
    assert filed.exit_code == 0 and "low confidence" not in filed.stdout
    refused = runner.invoke(app, [*args, "--min-confidence", "2"])
    assert refused.exit_code == 2 and "2.0 is not in the range" in refused.stderr


def test_json_gives_each_sentence_and_word_its_confidence(tmp_path, numbers_model):
    article = _article(tmp_path, NUMBERS[:12])
    done = runner.invoke(app, ["translate", str(article), "-m", str(numbers_model), "-f", "json"])
    assert done.exit_code == 0, done.output
    sentences = [s for p in json.loads(done.stdout)["paragraphs"] for s in p["sentences"]]
    assert len(sentences) == 12
    for sentence in sentences:
        sure = sentence["confidence"]
        assert " ".join(w["word"] for w in sure["words"]) == sentence["translation"]
        assert all((w["confidence"] < 0.5) == w["weak"] for w in sure["words"])
        logs = [math.log(w["confidence"]) for w in sure["words"]]
        assert sure["sentence"] == pytest.approx(math.exp(sum(logs) / len(logs)), abs=1e-3)


def _page_and_weak_words(tmp_path: Path, model: Path) -> tuple[Path, list[dict]]:
    """The numbers article translated to an HTML page with the defaults, and the words
    its JSON marks as weak."""
    article = _article(tmp_path, NUMBERS[:12])
    page = tmp_path / "article.en.html"
    args = ["translate", str(article), "-m", str(model)]
    assert runner.invoke(app, [*args, "-o", str(page)]).exit_code == 0
    data = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    weak = [
        w for p in data["paragraphs"] for s in p["sentences"]
        for w in s["confidence"]["words"] if w["weak"]
    ]  # fmt: skip
    return page, weak


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_html_shades_weak_words_in_a_real_browser(tmp_path, numbers_model):
    """As Chromium reads the page: each weak word of the JSON is a shaded span with its
    confidence in a tooltip and in words, and the legend says what the marks mean."""
    page, weak = _page_and_weak_words(tmp_path, numbers_model)
    assert weak, "the numbers model is unsure of some words of these sentences"
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    for word in weak:
        percent = f"{word['confidence']:.0%}"
        assert (
            f'<span class="weak" title="model confidence {percent}">{html.escape(word["word"])}'
            f'<span class="sr"> (low confidence: {percent})</span></span>'
        ) in dom
    assert dom.count('class="weak"') == len(weak) + 1  # and the legend's sample
    assert '<p class="legend">Marked for checking' in dom


# --- alternatives ---------------------------------------------------------------------


def test_alternatives_come_from_the_same_beam_with_their_confidences(toy_model, monkeypatch):
    translator = Translator(str(toy_model), device="cpu")
    model = translator.model
    searches = []
    real = model._generate
    monkeypatch.setattr(model, "_generate", lambda *a: searches.append(a) or real(*a))
    [found] = translator.translate_checked([FRENCH[0]], alternatives=3)
    assert len(searches) == 1  # one beam search: the best and the others
    beam = real(model.encode([FRENCH[0]]), translator.output_cap, 4, 4, {})[0]
    texts = list(dict.fromkeys(model.decode(beam)))
    assert found.text == texts[0]
    assert [a.translation for a in found.alternatives] == texts[1:4]
    for alternative, output in zip(found.alternatives, beam[1:]):
        [row] = model.score(model.encode([FRENCH[0]]), [output])
        expected = confidence.sentence([s for _, s in model.words(output, row)])
        assert alternative.confidence.log_prob == pytest.approx(expected, abs=1e-5)


def test_cli_alternatives_in_json_and_refused_elsewhere(toy_article, toy_model):
    args = ["translate", str(toy_article), "-m", str(toy_model)]
    done = runner.invoke(app, [*args, "-f", "json", "--alternatives", "2"])
    assert done.exit_code == 0, done.output
    sentences = [s for p in json.loads(done.stdout)["paragraphs"] for s in p["sentences"]]
    for sentence in sentences:
        assert 1 <= len(sentence["alternatives"]) <= 2
        for alternative in sentence["alternatives"]:
            assert alternative["translation"] != sentence["translation"]
            assert 0 < alternative["confidence"] <= 1
    plain = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    assert all(s["alternatives"] == [] for p in plain["paragraphs"] for s in p["sentences"])
    refused = runner.invoke(app, [*args, "--alternatives", "2"])
    assert refused.exit_code == 2
    assert "--alternatives shows in JSON, for one article: add --format json" in refused.stderr


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_a_printed_page_says_each_weak_word_s_confidence_in_words(tmp_path, numbers_model):
    """Printed by Chromium (print styles on, no colour needed): each weak word is followed
    by its confidence in words, and the legend is on the page."""
    from pypdf import PdfReader

    page, weak = _page_and_weak_words(tmp_path, numbers_model)
    pdf = tmp_path / "article.pdf"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    for word in weak:
        assert f"{word['word']} (low confidence: {word['confidence']:.0%})" in text, text
    assert "Marked for checking" in text
