"""The rerank measured as scripts/eval_faithfulness.py measures it, on a model that
loses numbers: every sentence whose n best hold the numbers is recovered."""

from __future__ import annotations

from translate_news import Translator

from .conftest import _load_script, make_test_models


def test_the_rerank_recovers_every_sentence_whose_nbest_holds_the_numbers(numbers_model):
    evaluation = _load_script("eval_faithfulness")
    translator = Translator(str(numbers_model), memory=False, device="cpu")
    held_out = [fr for fr, _ in make_test_models.numbers_corpus(300, seed=99)]
    report = evaluation.evaluate(translator, held_out)
    assert report["sentences"] == 300
    assert report["flagged_before"] > report["flagged_after"]
    assert report["recovered"] == report["nbest_holds_them"] > 0
    assert report["every_recoverable_recovered"]
    for example in report["examples"]:
        assert example["best"] != example["chosen"]
