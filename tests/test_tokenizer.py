"""The SentencePiece-only Marian tokenizer against transformers' MarianTokenizer: the
same ids and the same text, on the seed, the test corpus and generated text."""

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from translate_news.seq2seq import tokenizers as pieces

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


# --- BART's byte-level BPE, read with the tokenizers library alone -------------------


def _as_distilbart(bart: Path, out: Path, legacy: bool) -> Path:
    """The test BART's tokenizer in distilbart-cnn-12-6's layout on the Hub: vocab.json
    and merges.txt, no tokenizer.json, a tokenizer_config.json that names no class (the
    model type says BART); ``legacy`` adds what transformers 4 wrote beside them (the
    special tokens' map, ``<mask>`` taking the space before it, space clean-up on, no
    extra special tokens)."""
    import json

    out.mkdir()
    spec = json.loads((bart / "tokenizer.json").read_text(encoding="utf-8"))
    model = spec["model"]
    (out / "vocab.json").write_text(json.dumps(model["vocab"]), encoding="utf-8")
    merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
    (out / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", "utf-8")
    (out / "config.json").write_text((bart / "config.json").read_text("utf-8"), "utf-8")
    config: dict = {"model_max_length": 1024}
    if legacy:
        mask = {"content": "<mask>", "lstrip": True, "rstrip": False, "normalized": True}
        specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
        specials |= {"sep_token": "</s>", "pad_token": "<pad>", "cls_token": "<s>"}
        specials["mask_token"] = {**mask, "single_word": False}
        (out / "special_tokens_map.json").write_text(json.dumps(specials), "utf-8")
        index = model["vocab"]["<mask>"]
        config["added_tokens_decoder"] = {
            str(index): {**mask, "single_word": False, "special": True}
        }
        config |= {"clean_up_tokenization_spaces": True, "extra_special_tokens": {}}
    (out / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return out


@pytest.fixture(scope="module", params=["tokenizer.json", "vocab+merges", "legacy"])
def bart_pair(request, bart_model, tmp_path_factory):
    from transformers import AutoTokenizer

    folder = bart_model
    if request.param != "tokenizer.json":
        out = tmp_path_factory.mktemp("bart") / "distilbart"
        folder = _as_distilbart(bart_model, out, legacy=request.param == "legacy")
    ours = pieces.load(folder)
    assert isinstance(ours, pieces.BytePieces)
    return ours, AutoTokenizer.from_pretrained(folder)


def _english() -> list[str]:
    return [en for _, en in make_test_models.toy_corpus()] + [
        "Le Premier ministre a dit « non » à 12 000 personnes.",
        "  Two  spaces, a tab\tand\n\na new paragraph. ",
        "",
    ]


def test_bart_same_ids_and_text_on_the_corpus(bart_pair):
    ours, theirs = bart_pair
    texts = _english()
    expected = theirs(texts, truncation=False)["input_ids"]
    assert ours(texts)["input_ids"] == expected
    assert ours(texts[0])["input_ids"] == expected[0]
    assert ours.batch_decode(expected) == theirs.batch_decode(expected, skip_special_tokens=True)
    assert (ours.eos_token_id, ours.pad_token_id) == (theirs.eos_token_id, theirs.pad_token_id)
    assert set(ours.all_special_ids) == set(theirs.all_special_ids)
    assert ours.model_max_length == theirs.model_max_length


BART_PARTS = [
    *"abcdeéèàç ABC.,;:!?'’«»\"-—()0123456789\n\t",
    *["<s>", "</s>", "<unk>", "<pad>", "<mask>", " <mask>", "✓", "😀", "\u00a0", " the cat "],
]


@settings(max_examples=150, deadline=None)
@given(text=st.lists(st.sampled_from(BART_PARTS), max_size=40).map("".join))
@example(text="a <mask> b <s></s>")
def test_bart_same_ids_on_any_text(bart_pair, text):
    ours, theirs = bart_pair
    assert ours(text)["input_ids"] == theirs(text, truncation=False)["input_ids"]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_bart_same_text_from_any_ids(bart_pair, data):
    ours, theirs = bart_pair
    ids = data.draw(st.lists(st.integers(0, len(theirs) - 1), max_size=40))
    assert ours.decode(ids) == theirs.decode(ids, skip_special_tokens=True)
    tokens = theirs.convert_ids_to_tokens(ids)
    assert ours.convert_ids_to_tokens(ids) == tokens
    assert ours.convert_tokens_to_ids(tokens) == theirs.convert_tokens_to_ids(tokens)


def test_bart_what_it_does_not_reproduce_is_left_to_transformers(bart_model, tmp_path):
    import json

    folder = _as_distilbart(bart_model, tmp_path / "bart", legacy=False)
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    forced = {"clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output": True}
    for extra in ({"additional_special_tokens": ["<x>"]}, {"do_lower_case": True}, forced):
        (folder / "tokenizer_config.json").write_text(json.dumps(config | extra), "utf-8")
        assert pieces.load(folder) is None
    (folder / "tokenizer_config.json").write_text(json.dumps(config), "utf-8")
    (folder / "added_tokens.json").write_text('{"<x>": 400}', "utf-8")
    assert pieces.load(folder) is None


@pytest.mark.parametrize(
    "name, damage",
    [
        ("tokenizer.json", '{"version": "1.0", "model": {"type": "BPE"}}'),
        ("tokenizer.json", "{not json"),
        ("vocab.json", "[1, 2]"),
        ("merges.txt", "a b c\n"),
    ],
)
def test_bart_damaged_files_are_left_to_transformers(bart_model, tmp_path, name, damage):
    """A tokenizer file it cannot read never raises here: transformers reads it and says
    what is wrong (the model loader turns that into one line naming the file)."""
    folder = bart_model
    if name != "tokenizer.json":
        folder = _as_distilbart(bart_model, tmp_path / "bart", legacy=False)
    else:
        import shutil

        folder = tmp_path / "bart"
        shutil.copytree(bart_model, folder, ignore=shutil.ignore_patterns("ctranslate2-*"))
    (folder / name).write_text(damage, encoding="utf-8")
    assert pieces.load(folder) is None
