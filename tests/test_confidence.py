"""Confidence from the model that translated (issue 24, its ground floor): per-token
log-probabilities of the chosen translation, the same from CTranslate2 and transformers,
grouped into words as Bergamot does."""

from __future__ import annotations

import pytest

from translate_news.core.options import ModelOptions
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
