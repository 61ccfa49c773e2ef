"""The SentencePiece-only Marian tokenizer against transformers' MarianTokenizer: the
same ids and the same text, on the seed, the test corpus and generated text."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from translate_news import tokenizer as pieces

from .conftest import SEED, make_test_models

FIXTURES = ["toy_model", "random_model", "tc_big_model"]


@pytest.fixture(scope="module", params=FIXTURES)
def pair(request):
    from transformers import MarianTokenizer

    folder = request.getfixturevalue(request.param)
    ours = pieces.load(folder)
    assert ours is not None
    return ours, MarianTokenizer.from_pretrained(folder)


def _texts() -> list[str]:
    seed = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = [text for pair in make_test_models.toy_corpus() for text in pair]
    return seed + corpus


def test_same_ids_and_text_on_the_seed_and_corpus(pair):
    ours, theirs = pair
    texts = _texts()
    expected = theirs(texts, truncation=False)["input_ids"]
    assert ours(texts)["input_ids"] == expected
    assert ours.batch_decode(expected) == theirs.batch_decode(expected, skip_special_tokens=True)
    assert (ours.eos_token_id, ours.pad_token_id) == (theirs.eos_token_id, theirs.pad_token_id)


PARTS = [
    *"abcdeéèàçôœ ABCÉ.,;:!?'’«»\"-—()0123456789\n\t",
    *["</s>", "<unk>", "<pad>", ">>fr<<", ">>", "<<", "✓", "😀", "Ω", "ß", "\u00a0", " Le chat "],
]
TEXT = st.lists(st.sampled_from(PARTS), max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
@example(text=">>\n>>fr<<")  # a language code runs to the first <<, newlines and all
def test_same_ids_on_any_text(pair, text):
    ours, theirs = pair
    assert ours(text)["input_ids"] == theirs(text, truncation=False)["input_ids"]
    assert ours.tokenize(text) == theirs.tokenize(text)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_same_text_from_any_ids(pair, data):
    ours, theirs = pair
    size = len(theirs.get_vocab())
    ids = data.draw(st.lists(st.integers(0, size - 1), max_size=40))
    assert ours.decode(ids) == theirs.decode(ids, skip_special_tokens=True)
    tokens = theirs.convert_ids_to_tokens(ids)
    assert ours.convert_ids_to_tokens(ids) == tokens
    assert ours.convert_tokens_to_ids(tokens) == theirs.convert_tokens_to_ids(tokens)


def test_what_it_does_not_reproduce_is_left_to_transformers(toy_model, tmp_path):
    import json
    import shutil

    copy = tmp_path / "toy"
    shutil.copytree(toy_model, copy, ignore=shutil.ignore_patterns("ctranslate2-*"))
    config = json.loads((copy / "tokenizer_config.json").read_text(encoding="utf-8"))
    config["separate_vocabs"] = True
    (copy / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    assert pieces.load(copy) is None
    assert pieces.load(tmp_path) is None  # no tokenizer files at all
