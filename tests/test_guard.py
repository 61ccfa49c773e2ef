import pytest

from translate_news import Translator
from translate_news.text.guard import has_loop, is_runaway, split_long


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("un deux trois", 5, ["un deux trois"]),
        ("un deux, trois quatre; cinq six", 2, ["un deux,", "trois quatre;", "cinq six"]),
        ("un deux, trois quatre; cinq six", 4, ["un deux, trois quatre;", "cinq six"]),
        ("a b c d e f g", 3, ["a b c", "d e f", "g"]),
        ("un, a b c d e", 2, ["un,", "a b", "c d", "e"]),
    ],
)
def test_split_long(text, limit, expected):
    pieces = split_long(text, words, limit)
    assert pieces == expected
    assert " ".join(pieces) == " ".join(text.split())


def test_split_long_single_huge_word():
    pieces = split_long("x" * 25, len, 10)
    assert pieces == ["x" * 10, "x" * 10, "x" * 5]


@pytest.mark.parametrize(
    ("tokens", "loop"),
    [
        ([1, 2, 3, 4, 5, 6], False),
        ([7, 7, 7, 7], True),
        ([1, 5, 6, 5, 6, 5, 6, 5, 6], True),
        ([9, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3], True),
        ([1, 2, 1, 2, 1, 2, 3], False),
    ],
)
def test_has_loop(tokens, loop):
    assert has_loop(tokens) is loop


def test_is_runaway():
    assert is_runaway(5, list(range(20)), cap=20)
    assert is_runaway(5, list(range(20)), cap=40)  # more than 3x the source + 4
    assert not is_runaway(5, list(range(8)), cap=20)


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_over_long_sentence_is_translated_in_pieces(random_model, backend):
    translator = Translator(str(random_model), backend=backend, beams=1, memory=False)
    sentence = ", ".join(f"la ville numéro {i} attend la décision" for i in range(120)) + "."
    assert translator.model.count(sentence) > translator.model.max_input_tokens
    (english,) = translator.translate([sentence])
    assert english  # no index error, no silent cut: every piece went through


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_outputs_never_exceed_their_cap(random_model, backend, monkeypatch):
    translator = Translator(str(random_model), backend=backend, beams=2, memory=False)
    tokenizer = translator.model.tokenizer
    lengths = []
    generate = translator.model.backend.generate

    def record(batch, decoding):
        out = generate(batch, decoding)
        if len(batch) == 1:
            lengths.append((len(batch[0]), len(out[0]), decoding.no_repeat_ngram_size))
        return out

    monkeypatch.setattr(translator.model.backend, "generate", record)
    sources = ["Frappes meurtrières", "Le Kremlin a assuré mardi ne pas s'attendre à des avancées."]
    translator.translate(sources)
    # The random model loops: each sentence is translated again alone, loops forbidden.
    assert {n for _, _, n in lengths} == {3}
    assert all(out <= translator.output_cap(src) for src, out, _ in lengths)
    assert len(tokenizer(sources)["input_ids"]) == 2
