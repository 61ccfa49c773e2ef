"""The translation engine on small real Marian checkpoints (see scripts/make_test_models.py)."""

import pytest

from translate_news import ModelOptions, TranslateOptions, Translator, parse_article
from translate_news.core.errors import ModelNotFoundError

from .conftest import make_test_models

PAIRS = make_test_models.toy_article_pairs()


def test_toy_model_translates_exactly(toy_translator):
    assert toy_translator.translate([fr for fr, _ in PAIRS]) == [en for _, en in PAIRS]


@pytest.mark.parametrize("budget", [1, 7, 40, 4096])
def test_same_translation_alone_or_in_a_batch(toy_model, budget):
    translator = Translator(str(toy_model), device="cpu", batch_tokens=budget)
    sources = [fr for fr, _ in PAIRS]
    alone = [translator.translate([s])[0] for s in sources]
    assert translator.translate(sources) == alone


@pytest.mark.parametrize("beams", [1, 4])
def test_random_model_is_batch_invariant(random_model, beams):
    translator = Translator(str(random_model), device="cpu", beams=beams, batch_tokens=256)
    sources = [
        "Le Kremlin a assuré mardi ne pas s'attendre à des avancées miraculeuses.",
        "Frappes meurtrières",
        "Kiev insiste aussi sur la nécessité d'un cessez-le-feu de 30 jours.",
        "Dmitri Peskov avait souligné lundi que les positions restaient opposées.",
    ]
    alone = [translator.translate([s])[0] for s in sources]
    assert translator.translate(sources) == alone


def test_order_kept_and_duplicates_translated_once(toy_model, monkeypatch):
    translator = Translator(str(toy_model), device="cpu", memory=False)
    seen = []
    generate = translator.model.generate_scored

    def spy(units, decoding):
        seen.extend(tuple(x) for x in units)
        return generate(units, decoding)

    monkeypatch.setattr(translator.model, "generate_scored", spy)
    sources = [
        "Le chat mange la pomme.",
        "",
        "La presse regarde le rapport.",
        "Le chat mange la pomme.",
    ]
    assert translator.translate(sources) == [
        "The cat eats the apple.",
        "",
        "The press watches the report.",
        "The cat eats the apple.",
    ]
    assert len(seen) == 2


def test_translate_text_keeps_layout(toy_translator):
    text = "Le chat mange la pomme.  La presse regarde le rapport.\nLe maire annonce le budget"
    assert toy_translator.translate_text(text) == (
        "The cat eats the apple.  The press watches the report.\nThe mayor announces the budget"
    )


def test_article_with_caption_credit_passes_through(toy_translator):
    article = parse_article(
        " date 2025-07-22 Le chat mange la pomme\n\nLe maire annonce le budget AFP/Archives\n"
    )
    result = toy_translator.translate_article(article)
    assert result.title.translation == "The cat eats the apple"
    (caption,) = result.paragraphs
    assert caption.kind == "caption"
    assert caption.text == "The mayor announces the budget AFP/Archives"
    assert caption.sentences[-1].translated is False
    assert result.options.model == toy_translator.options.model


def test_articles_stream_in_windows(toy_model):
    translator = Translator(str(toy_model), device="cpu", articles_per_window=2)
    articles = (parse_article(f"Le chat mange la pomme.\n\n{fr}") for fr, _ in PAIRS[:5])
    results = list(translator.translate_articles(articles))
    assert [r.paragraphs[1].text for r in results] == [en for _, en in PAIRS[:5]]


def test_missing_model_directory(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no such directory"):
        Translator(str(tmp_path / "absent"))


def test_unreachable_hub_model_is_a_clear_error():
    with pytest.raises(ModelNotFoundError, match="HF_HUB_OFFLINE"):
        Translator("Helsinki-NLP/opus-mt-fr-en")


def test_options_are_validated():
    with pytest.raises(ValueError, match="device"):
        ModelOptions(device="tpu")
    with pytest.raises(ValueError, match="beams"):
        TranslateOptions(beams=0)


def test_non_french_paragraph_passes_through_marked(toy_model):
    from translate_news.formats.output import to_dict, to_markdown

    english = "The president said he would not attend the summit in Brussels next week."
    article = parse_article(f"Le chat mange la pomme.\n\n{english}\n\nFrappes meurtrières")
    translator = Translator(str(toy_model), memory=False)
    result = translator.translate_article(article)
    first, second, third = result.paragraphs
    assert (first.text, first.language) == ("The cat eats the apple.", None)
    assert (second.text, second.language) == (english, "en")
    assert second.sentences[0].translated is False
    assert third.language is None  # too short to tell: translated as French
    assert f"[not translated, language: en] {english}" in to_markdown(result)
    assert [p["language"] for p in to_dict(result)["paragraphs"]] == ["fr", "en", "fr"]
    off = Translator(str(toy_model), memory=False, detect_language=False)
    assert off.translate_article(article).paragraphs[1].language is None
