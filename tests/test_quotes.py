"""Direct quotes: found with their speaker, their English read back, and flagged where
the English loses the quotation marks or changes the speaker's name."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from translate_news.cli import app
from translate_news.text.checks import check
from translate_news.text.quotes import find_quotes

CASES = [
    ("« Nous refusons ce budget », a déclaré le maire Jean Dupont.",
     [("Nous refusons ce budget", "le maire Jean Dupont", "déclaré")]),
    ("Jean Dupont a affirmé : « Le budget est prêt. »",
     [("Le budget est prêt.", "Jean Dupont", "affirmé")]),
    ("« Le budget est prêt », a-t-il dit.", [("Le budget est prêt", None, "dit")]),
    ("Selon Marie Curie, « la science avance ».", [("la science avance", "Marie Curie", "selon")]),
    ("– Nous refusons, a dit le maire.", [("Nous refusons", "le maire", "dit")]),
    ("“Nous verrons”, a ajouté la ministre.", [("Nous verrons", "la ministre", "ajouté")]),
    ('Le président a lancé : "Au travail !"', [("Au travail !", "Le président", "lancé")]),
    ("« Oui », « non », a répondu Paul Martin.",
     [("Oui", "Paul Martin", "répondu"), ("non", "Paul Martin", "répondu")]),
    ("Le chat mange la pomme.", []),
]  # fmt: skip


@pytest.mark.parametrize("french, expected", CASES)
def test_quotes_and_speakers(french, expected):
    assert find_quotes(french) == expected


def test_a_quote_out_of_its_marks_or_a_changed_speaker_is_flagged():
    french = "« Nous refusons ce budget », a déclaré le maire Jean Dupont."
    assert check(french, '"We refuse this budget," said Mayor Jean Dupont.') == ()
    kinds = [str(f) for f in check(french, "We refuse this budget, said Mayor Jean Durand.")]
    assert kinds == ["quote not in quotation marks", "speaker: Dupont"]
    # The dash form has no marks to keep; the speaker's name still counts.
    assert check("– Nous refusons, a dit Jean Dupont.", "- We refuse, said Jean Dupont.") == ()


def test_quotes_in_json(toy_model, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("« Le maire annonce le budget », a déclaré Jean Dupont.\n", "utf-8")
    result = CliRunner().invoke(app, ["translate", str(source), "-m", str(toy_model), "-f", "json"])
    assert result.exit_code == 0, result.output
    (quote,) = json.loads(result.stdout)["paragraphs"][0]["sentences"][0]["quotes"]
    assert quote["french"] == "Le maire annonce le budget" and quote["speaker"] == "Jean Dupont"
    assert quote["verb"] == "déclaré" and "english" in quote
