"""The number check: French forms against English ones."""

from __future__ import annotations

import pytest

from translate_news.text.numbers import french_numbers, missing_numbers

KEPT = [
    ("12 000 manifestants", "12,000 demonstrators"),
    ("12\u00a0000 manifestants", "12,000 demonstrators"),
    ("12\u202f000 manifestants", "12 000 demonstrators"),
    ("1 500 000 euros", "1,500,000 euros"),
    ("une hausse de 1,5 %", "a rise of 1.5%"),
    ("une hausse de 1,5 %", "a 1.5 percent rise"),
    ("1 200,50 euros", "1,200.50 euros"),
    ("le 3e trimestre", "the 3rd quarter"),
    ("le 3e trimestre", "the third quarter"),
    ("le 1er mai", "May 1st"),
    ("le 1er mai", "May 1"),
    ("la 1re fois", "the first time"),
    ("le 2nd tour", "the second round"),
    ("l'article 49.3", "Article 49.3"),
    ("à 15h30", "at 3:30 pm"),
    ("à 15h30", "at 15:30"),
    ("à 15 h 30", "at 3.30 p.m."),
    ("à 15h", "at 3 pm"),
    ("à 20 heures", "at 8 p.m."),
    ("à 9h", "at 9 a.m."),
    ("à 9h", "at 9:00"),
    ("en 2024", "in 2024"),
    ("le 27/11/2026", "on 27 November 2026"),
    ("le 27/11/2026", "on 11/27/2026"),
    ("3 enfants", "three children"),
    ("12 morts", "twelve dead"),
    ("le COVID-19", "Covid-19"),
    ("1,5 milliard", "1.5 billion"),
    ("2-1 pour Lyon", "2-1 to Lyon"),
    ("Pas de nombre ici.", "No number here."),
]

LOST = [
    ("12 000 manifestants", "1,200 demonstrators", ["12 000"]),
    ("une hausse de 1,5 %", "a rise of 15%", ["1,5"]),
    ("le 3e trimestre", "the fourth quarter", ["3e"]),
    ("à 15h30", "at 5:30 pm", ["15h30"]),
    ("à 15h30", "at 3:30 am", ["15h30"]),
    ("en 2024 et 2025", "in 2024", ["2025"]),
    ("le 27/11/2026", "on 27 November", ["27/11/2026"]),
    ("49,3 %", "49%", ["49,3"]),
]


@pytest.mark.parametrize(("french", "english"), KEPT)
def test_numbers_kept(french, english):
    assert missing_numbers(french, english) == []


@pytest.mark.parametrize(("french", "english", "missing"), LOST)
def test_numbers_lost(french, english, missing):
    assert missing_numbers(french, english) == missing


def test_identifiers_and_words_are_not_numbers():
    assert french_numbers("L'A380 d'Airbus et le G7.") == []
    assert [n.text for n in french_numbers("Les 1ers et 3 000 autres")] == ["1", "3 000"]
