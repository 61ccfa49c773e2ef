"""Faithfulness checks: the n-best rerank, the glossary, flags in every output."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from translate_news import Translator, parse_article
from translate_news.cli import app
from translate_news.core.document import Flag
from translate_news.core.errors import InputError, UsageError
from translate_news.formats.output import render
from translate_news.text.glossary import Glossary, Term

from .conftest import make_test_models

runner = CliRunner()
SOURCE = "Ils étaient 12 000 à manifester à Kiev."
TITLE = "Des milliers de manifestants dans les rues de la ville mardi soir"


class FixedBackend:
    """A backend that writes given English: ``best`` for an ordinary batch, ``nbest``
    (in score order) when asked for n hypotheses. It records what it was asked."""

    name, precision, device, shortlist = "fixed", "float32", "cpu", None

    def __init__(self, tokenizer, best: str, nbest: list[str]) -> None:
        self.tokenizer, self.best, self.nbest, self.asked = tokenizer, best, nbest, []

    def generate(self, batch, decoding):
        self.asked.append(decoding)
        texts = [self.best] if decoding.hypotheses == 1 else self.nbest[: decoding.hypotheses]
        return [self.tokenizer(text)["input_ids"] for _ in batch for text in texts]

    def score(self, sources, targets):
        """Certain of what it writes (log-probability 0), so only the rules flag here."""
        return [[0.0] * len(target) for target in targets]


def _fixed(random_model, best: str, nbest: list[str], **options) -> Translator:
    translator = Translator(str(random_model), memory=False, device="cpu", **options)
    translator.model.backend = FixedBackend(translator.model.tokenizer, best, nbest)
    return translator


def test_the_best_hypothesis_that_keeps_the_numbers_is_taken(random_model):
    nbest = ["They were 1,200 in Kiev.", "They were 120 in Kiev.", "They were 12,000 in Kiev."]
    translator = _fixed(random_model, "They were 1,200 in Kiev.", nbest)
    [checked] = translator.translate_checked([SOURCE])
    assert checked.text == "They were 12,000 in Kiev." and checked.flags == ()
    asked = translator.model.backend.asked[-1]
    assert asked.hypotheses == 8 and asked.beams >= 8


def test_when_no_hypothesis_keeps_them_the_best_is_kept_and_flagged(random_model):
    nbest = ["They were 1,200 in Kiev.", "They were 120 in Kiev."]
    translator = _fixed(random_model, "They were 1,200 in Kiev.", nbest)
    [checked] = translator.translate_checked([SOURCE])
    assert checked.text == "They were 1,200 in Kiev."
    assert checked.flags == (Flag("number", ("12 000",)),)


def test_a_kept_number_asks_for_no_hypotheses(random_model):
    translator = _fixed(random_model, "They were 12,000 in Kiev.", [])
    translator.translate_checked([SOURCE])
    assert [d.hypotheses for d in translator.model.backend.asked] == [1]


def test_glossary_terms_are_reranked_then_flagged(random_model, tmp_path):
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("# names\nKiev\tKyiv\nÉlysée\n", encoding="utf-8")
    nbest = ["They were 12,000 in Kiev.", "They were 12,000 in Kyiv."]
    translator = _fixed(random_model, "They were 12,000 in Kiev.", nbest, glossary=str(glossary))
    assert translator.translate_checked([SOURCE])[0].text == "They were 12,000 in Kyiv."
    assert f"|glossary={translator.glossary.digest}|" in str(translator.signature)
    stuck = _fixed(random_model, "They were 12,000 in Kiev.", nbest[:1], glossary=str(glossary))
    assert stuck.translate_checked([SOURCE])[0].flags == (Flag("glossary", ("Kyiv",)),)


def test_glossary_matching():
    terms = Glossary([Term("Kiev", "Kyiv"), Term("Élysée", "Élysée"), Term("dette", "debt")])
    assert terms.missing("À Kiev, l'Élysée", "In Kyiv, the Élysée") == []
    assert terms.missing("À Kiev, l'Élysée", "In Kiev, the Elysee") == ["Kyiv", "Élysée"]
    assert terms.missing("Kievien et kiev", "x") == []  # word boundaries; case for names
    assert terms.missing("La Dette publique", "Public Debt") == []  # case-free for words
    assert terms.wrong_forms("Kiev", "The summary says Kiev.") == ["Kyiv"]
    assert terms.wrong_forms("Kiev", "The summary says Kyiv.") == []


def test_glossary_files(tmp_path):
    toml = tmp_path / "g.toml"
    toml.write_text('keep = ["Élysée"]\n[terms]\nKiev = "Kyiv"\n', encoding="utf-8")
    assert {(t.source, t.english) for t in Glossary.load(toml).terms} == {
        ("Élysée", "Élysée"),
        ("Kiev", "Kyiv"),
    }
    bad = tmp_path / "bad.toml"
    bad.write_text("words = 3\n", encoding="utf-8")
    with pytest.raises(UsageError, match="unknown key"):
        Glossary.load(bad)
    with pytest.raises(InputError, match="no such glossary"):
        Glossary.load(tmp_path / "absent.tsv")
    tabs = tmp_path / "tabs.tsv"
    tabs.write_text("a\tb\tc\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"tabs\.tsv:1"):
        Glossary.load(tabs)


def test_flags_are_in_every_output(random_model):
    translator = _fixed(random_model, "They were 1,200 in Kiev.", ["They were 1,200 in Kiev."])
    english = translator.translate_article(parse_article(f"{TITLE}\n\n{SOURCE}"))
    assert len(english.flagged) == 1
    data = json.loads(render(english, "json"))
    [sentence] = [s for p in data["paragraphs"] for s in p["sentences"] if s["source"] == SOURCE]
    assert sentence["flags"] == [{"kind": "number", "missing": ["12 000"]}]
    assert "They were 1,200 in Kiev. [check: number: 12 000]" in render(english, "txt")
    assert "\\[check: number: 12 000\\]" in render(english, "md")
    page = render(english, "html")
    assert '<mark class="flagged" title="check: number: 12 000">' in page


def test_the_toy_models_own_translations_raise_no_flag(toy_model):
    translator = Translator(str(toy_model), memory=False, device="cpu")
    french = [fr for fr, _ in make_test_models.toy_corpus()]
    assert [c.flags for c in translator.translate_checked(french) if c.flags] == []


def test_count_line_and_strict(random_model, tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    article = tmp_path / "in" / "a.txt"
    article.write_text(f"{TITLE}\n\n{SOURCE}\n", encoding="utf-8")
    real = Translator.__init__

    def fixed_backend(self, *args, **kwargs):
        real(self, *args, **kwargs)
        best = "They were 1,200 in Kiev."
        self.model.backend = FixedBackend(self.model.tokenizer, best, [best])

    monkeypatch.setattr(Translator, "__init__", fixed_backend)
    args = ["translate", str(article), "-m", str(random_model), "--no-memory"]
    out = tmp_path / "a.en.md"
    done = runner.invoke(app, [*args, "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert f"1 sentence flagged (marked [check: ...]; in JSON, flags) in {out}" in done.stderr
    strict = runner.invoke(app, [*args, "-o", str(out), "--force", "--strict"])
    assert strict.exit_code == 1 and "(--strict)" in strict.stderr
    assert out.exists()  # written all the same
    folder = runner.invoke(app, [*args[:1], str(article.parent), *args[2:], "-o", tmp_path / "o"])
    assert folder.exit_code == 0 and "1 sentence flagged" in folder.stderr


def test_a_summary_with_a_term_in_its_source_form_is_flagged(random_model, tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(f"{TITLE}\n\n{SOURCE}\n", encoding="utf-8")
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("Kiev\tKyiv\n", encoding="utf-8")
    real = Translator.__init__

    def fixed_backend(self, *args, **kwargs):
        real(self, *args, **kwargs)
        best = "They were 12,000 in Kiev."  # keeps the number, not the term
        self.model.backend = FixedBackend(self.model.tokenizer, best, [best])

    monkeypatch.setattr(Translator, "__init__", fixed_backend)
    out = tmp_path / "out"
    args = ["summarize", tmp_path / "in", "-o", out, "-m", random_model, "--summarizer", "lead"]
    result = runner.invoke(app, [str(a) for a in [*args, "--glossary", glossary, "--no-memory"]])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "a.en.json").read_text(encoding="utf-8"))
    assert record["summary"]["flags"] == [{"kind": "glossary", "missing": ["Kyiv"]}]
    assert "Kiev. \\[check: glossary: Kyiv\\]" in (out / "a.en.md").read_text(encoding="utf-8")
