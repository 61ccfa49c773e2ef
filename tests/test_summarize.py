"""Summaries: LEAD-3 exactly, and real (tiny, random) BART and T5 through the model path."""

import pytest

from translate_news import Translator, parse_article
from translate_news.pipeline.summarizer import Summarizer, SummaryOptions

from .conftest import make_test_models

TOY = parse_article(make_test_models.TOY_ARTICLE)


@pytest.fixture(scope="module")
def translated(toy_model):
    return Translator(str(toy_model), memory=False).translate_article(TOY)


def test_lead_three(translated):
    summary = Summarizer("lead").summarize(translated)
    assert summary.text == (
        "The mayor announces the budget on Tuesday. The press watches the report. "
        "The government refuses the reform."
    )
    assert (summary.method, summary.chunks) == ("LEAD-3", 1)


def test_lead_length_option(translated):
    assert Summarizer("lead", sentences=1).summarize(translated).text == (
        "The mayor announces the budget on Tuesday."
    )


def _record_lengths(backend, lengths):
    """Record the length of every output row, whichever way the backend is driven."""
    generate = backend.generate

    def recorded(batch, decoding):
        out = generate(batch, decoding)
        lengths.extend(len(row) for row in out)
        return out

    backend.generate = recorded
    submit = getattr(backend, "submit", None)
    if submit is not None:

        def recorded_submit(batch, decoding):
            collect = submit(batch, decoding)

            def recorded_collect():
                out = collect()
                lengths.extend(len(row) for row in out)
                return out

            return recorded_collect

        backend.submit = recorded_submit


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
@pytest.mark.parametrize("fixture", ["bart_model", "t5_model"])
def test_model_summary_within_bounds(request, fixture, backend, translated):
    model = request.getfixturevalue(fixture)
    summarizer = Summarizer(str(model), max_tokens=12, device="cpu", backend=backend)
    lengths = []
    _record_lengths(summarizer.model.backend, lengths)
    summary = summarizer.summarize(translated)
    assert summarizer.model.backend.name == backend
    assert summary.method == str(model) and summary.chunks == 1
    assert summary.text
    assert lengths and max(lengths) <= 12


PARAGRAPHS = [
    " ".join(en for _, en in make_test_models.toy_corpus()[i : i + 3]) for i in range(0, 90, 3)
]


@pytest.mark.parametrize("beams", [1, None])
@pytest.mark.parametrize("fixture", ["bart_model", "t5_model"])
def test_ctranslate2_summaries_equal_transformers(request, fixture, beams):
    """Same model, same settings (the BART has distilbart-cnn's: beam 4, length penalty
    2, no repeated trigram, a minimum length, forced first and last tokens)."""
    model = str(request.getfixturevalue(fixture))
    common = {"device": "cpu", "beams": beams, "max_tokens": 20}
    torch = Summarizer(model, backend="torch", **common)
    ct2 = Summarizer(model, backend="ctranslate2", compute_type="float32", **common)
    expected = [torch.summarize_paragraphs([p]).text for p in PARAGRAPHS]
    assert [ct2.summarize_paragraphs([p]).text for p in PARAGRAPHS] == expected


def test_decoding_follows_the_model_and_the_options(bart_model):
    default = Summarizer(str(bart_model), device="cpu", max_tokens=20)
    assert (default.model.backend.name, default.model.backend.precision) == ("ctranslate2", "int8")
    model, settings = default.model, default.settings
    assert (model.beams, settings["length_penalty"], settings["no_repeat_ngram_size"]) == (
        4,
        2.0,
        3,
    )
    assert (settings["min_new_tokens"], model.forced_bos, model.forced_eos) == (4, 0, True)
    chosen = Summarizer(str(bart_model), device="cpu", max_tokens=20, min_tokens=9, beams=2)
    assert (chosen.model.beams, chosen.settings["min_new_tokens"]) == (2, 9)


def test_t5_gets_its_prefix(t5_model, bart_model):
    assert Summarizer(str(t5_model), max_tokens=20).prefix == "summarize: "
    assert Summarizer(str(bart_model), max_tokens=20).prefix == ""


def test_long_article_is_chunked_not_cut(bart_model):
    summarizer = Summarizer(str(bart_model), max_tokens=8)
    paragraphs = [f"The mayor announces the budget number {i} on Tuesday." for i in range(40)]
    chunks = summarizer._chunks(paragraphs)
    assert len(chunks) > 1
    assert all(summarizer._count(c) <= summarizer.model.max_input_tokens for c in chunks)
    assert "\n".join(chunks).split("\n") == paragraphs  # nothing dropped, order kept
    summary = summarizer.summarize_paragraphs(paragraphs)
    assert summary.chunks == len(chunks) and summary.text


def test_options_validated():
    with pytest.raises(ValueError):
        SummaryOptions(sentences=0)
    with pytest.raises(ValueError):
        SummaryOptions(min_tokens=10, max_tokens=5)


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_many_at_once_equals_one_by_one(bart_model, backend):
    """Decoding several articles' chunks together (the batch a folder run makes) gives
    each article the summary it gets alone, a long one's chunk levels included."""
    summarizer = Summarizer(str(bart_model), device="cpu", max_tokens=8, backend=backend)
    long = [f"The mayor announces the budget number {i} on Tuesday." for i in range(40)]
    documents = [PARAGRAPHS[i : i + 3] for i in range(0, 12, 3)] + [long, []]
    alone = [summarizer.summarize_paragraphs(d) for d in documents]
    together = summarizer.summarize_paragraph_lists(documents)
    assert together == alone
    assert together[4].chunks > 1 and together[5].text == ""


def test_ctranslate2_summaries_import_neither_torch_nor_transformers(bart_model):
    import subprocess
    import sys

    Summarizer(str(bart_model), device="cpu", max_tokens=8)  # converted already
    code = (
        "import sys; from translate_news.pipeline.summarizer import Summarizer; "
        f"s = Summarizer({str(bart_model)!r}, device='cpu', max_tokens=8); "
        "print(bool(s.summarize_paragraphs(['The mayor announces the budget.']).text), "
        "[m for m in ('torch', 'transformers') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # Nor transformers: BART's tokenizer is read with the tokenizers library.
    assert out.stdout.strip() == "True []"


def test_summaries_too_long_to_pack_end_instead_of_looping(bart_model):
    """Two 40-token summaries never fit the tiny BART's 64-token input together: the
    levels cannot shrink, so the chunk summaries are the summary (this looped forever)."""
    summarizer = Summarizer(str(bart_model), device="cpu", max_tokens=40, min_tokens=39)
    paragraphs = [f"The mayor announces the budget number {i} on Tuesday." for i in range(12)]
    summary = summarizer.summarize_paragraphs(paragraphs)
    chunks = summarizer._chunks(paragraphs)
    alone = [summarizer.summarize_paragraphs([chunk]).text for chunk in chunks]
    assert summary.chunks == len(chunks) > 1
    assert summary.text == " ".join(alone)
