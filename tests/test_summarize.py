"""Summaries: LEAD-3 exactly, and real (tiny, random) BART and T5 through the model path."""

import pytest

from translate_news import Translator, parse_article
from translate_news.summarize import Summarizer, SummaryOptions

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
    assert (summary.method, summary.chunks) == ("lead", 1)


def test_lead_length_option(translated):
    assert Summarizer("lead", sentences=1).summarize(translated).text == (
        "The mayor announces the budget on Tuesday."
    )


@pytest.mark.parametrize("fixture", ["bart_model", "t5_model"])
def test_model_summary_within_bounds(request, fixture, translated):
    model = request.getfixturevalue(fixture)
    summarizer = Summarizer(str(model), max_tokens=12, device="cpu")
    generate = summarizer.backend.generate
    lengths = []

    def record(batch, decoding):
        out = generate(batch, decoding)
        lengths.extend(len(row) for row in out)
        return out

    summarizer.backend.generate = record
    summary = summarizer.summarize(translated)
    assert summary.method == str(model) and summary.chunks == 1
    assert summary.text
    assert lengths and max(lengths) <= 12


def test_t5_gets_its_prefix(t5_model, bart_model):
    assert Summarizer(str(t5_model)).prefix == "summarize: "
    assert Summarizer(str(bart_model)).prefix == ""


def test_long_article_is_chunked_not_cut(bart_model):
    summarizer = Summarizer(str(bart_model), max_tokens=8)
    paragraphs = [f"The mayor announces the budget number {i} on Tuesday." for i in range(40)]
    chunks = summarizer._chunks(paragraphs)
    assert len(chunks) > 1
    assert all(summarizer._count(c) <= summarizer.limit for c in chunks)
    assert "\n".join(chunks).split("\n") == paragraphs  # nothing dropped, order kept
    summary = summarizer.summarize_paragraphs(paragraphs)
    assert summary.chunks == len(chunks) and summary.text


def test_options_validated():
    with pytest.raises(ValueError):
        SummaryOptions(sentences=0)
    with pytest.raises(ValueError):
        SummaryOptions(min_tokens=10, max_tokens=5)
