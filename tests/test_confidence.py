"""Confidence from the model that translated (issue 24, its ground floor): per-token
log-probabilities of the chosen translation, the same from CTranslate2 and transformers,
grouped into words as Bergamot does."""

from __future__ import annotations

import sqlite3

import pytest

from translate_news import Translator
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
