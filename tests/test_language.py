"""The cheap "plainly French" test that keeps lingua from loading for most articles."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from translate_news.text.language import MIN_WORDS, foreign_language, plainly_french

DATA = Path(__file__).parent / "data"
GOLD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "fr-sentences"


def _others() -> list[tuple[str, str]]:
    rows = (line.rstrip("\n").split("\t") for line in (DATA / "languages.tsv").open())
    return [(code, text) for code, text in rows]


@pytest.mark.parametrize(("code", "text"), _others())
def test_no_other_language_is_plainly_french(code, text):
    assert not plainly_french(text), code


def test_plain_french_and_what_is_not():
    assert plainly_french("Le chat mange la pomme.")
    assert plainly_french("Le gouvernement a présenté mardi un budget en hausse de 3 %.")
    assert not plainly_french("Le ragazze mangiano la pizza a Roma.")  # Italian word ends
    assert not plainly_french("Il a joué avec Los Abuelos de la Nada.")  # Spanish "los"
    assert not plainly_french("Paris Match")  # no function word at all


def test_english_of_the_toy_corpus_is_never_plainly_french():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import make_test_models

    assert not any(plainly_french(english) for _, english in make_test_models.toy_corpus())


@pytest.mark.skipif(not GOLD.is_dir(), reason="../shared/eval is not beside the checkout")
def test_most_gold_french_is_plainly_french_and_lingua_agrees():
    sentences = []
    for path in sorted(GOLD.glob("*.tsv")):
        with path.open() as handle:
            rows = csv.DictReader(handle, delimiter="\t")
            sentences += [r["text"] for r in rows if len(r["text"].split()) >= MIN_WORDS]
    plain = [s for s in sentences if plainly_french(s)]
    assert len(plain) >= 0.85 * len(sentences)
    # Where the cheap test says French, lingua (quick then full) disagrees at most once:
    # Romanian place names it takes for Dutch.
    from translate_news.text.language import _detector, _foreign

    assert sum(_foreign(_detector(quick=True), s) is not None for s in plain) <= 40
    assert sum(_foreign(_detector(), s) is not None for s in plain) <= 1


def test_a_french_article_loads_neither_lingua_nor_nltk(toy_model):
    code = (
        "import sys; from translate_news import Translator, parse_article; "
        f"t = Translator({str(toy_model)!r}, backend='ctranslate2', device='cpu', memory=False); "
        f"a = parse_article(open({str(DATA / 'toy.txt')!r}).read()); "
        "r = t.translate_article(a); "
        "print(len(r.paragraphs), [m for m in ('lingua', 'nltk') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # Nor NLTK: sentences are split by the punkt package (0.3 s less to start).
    assert out.stdout.strip() == "4 []"


def test_an_english_sentence_still_found():
    assert foreign_language("The company has refused to comment on the report.") == "en"
