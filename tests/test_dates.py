"""Relative dates in French copy, resolved against the article's date: a table of cases
across week, month and year boundaries, and the ambiguous ones that must stay open."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from translate_news.cli import app
from translate_news.text.dates import Reference, find_dates, reference

THU = "2025-07-17"  # a Thursday
NEW_YEAR = "2026-01-01"  # a Thursday
MON = "2025-03-03"  # a Monday, after a February of 28 days
LEAP = "2024-03-01"  # a Friday, after a February of 29
MONTH_ONLY = "2025-07"

CASES = [
    # (article date, French, [(span, resolved)])
    (THU, "Le maire a annoncé mardi le budget.", [("mardi", "2025-07-15")]),
    (THU, "Le maire annoncera mardi le budget.", [("mardi", "2025-07-22")]),
    (THU, "Le maire annonce le budget mardi.", [("mardi", "2025-07-15")]),
    (THU, "Le maire annonce le budget samedi.", [("samedi", "2025-07-19")]),
    (THU, "Le maire annonce le budget dimanche.", [("dimanche", "2025-07-20")]),
    (THU, "Le maire annonce le budget lundi.", [("lundi", "2025-07-14")]),
    (THU, "Le maire annonce le budget jeudi.", [("jeudi", "2025-07-17")]),
    (THU, "Jeudi soir, le chat a mangé la pomme.", [("Jeudi soir", "2025-07-17")]),
    (THU, "Mercredi matin, la police est intervenue.", [("Mercredi matin", "2025-07-16")]),
    (THU, "Ce mardi, la presse a regardé le rapport.", [("Ce mardi", "2025-07-15")]),
    (THU, "Hier, la police est intervenue.", [("Hier", "2025-07-16")]),
    (THU, "Hier soir, la police est intervenue.", [("Hier soir", "2025-07-16")]),
    (THU, "Avant-hier, il a plu.", [("Avant-hier", "2025-07-15")]),
    (THU, "Demain, il pleuvra.", [("Demain", "2025-07-18")]),
    (THU, "Après-demain matin, le président partira.", [("Après-demain matin", "2025-07-19")]),
    (THU, "Aujourd'hui, la ville fête le budget.", [("Aujourd'hui", "2025-07-17")]),
    (THU, "Ce soir, la presse regarde le rapport.", [("Ce soir", "2025-07-17")]),
    (THU, "Lundi dernier, le maire est parti.", [("Lundi dernier", "2025-07-14")]),
    (THU, "Jeudi dernier, le maire est parti.", [("Jeudi dernier", "2025-07-10")]),
    (THU, "Jeudi prochain, le maire partira.", [("Jeudi prochain", "2025-07-24")]),
    (
        THU,
        "La semaine dernière, le gouvernement a cédé.",
        [("La semaine dernière", "2025-07-07/2025-07-13")],
    ),
    (
        THU,
        "La semaine prochaine, le gouvernement cédera.",
        [("La semaine prochaine", "2025-07-21/2025-07-27")],
    ),
    (THU, "Cette semaine, le gouvernement cède.", [("Cette semaine", "2025-07-14/2025-07-20")]),
    (THU, "Le mois dernier, la ville a voté.", [("Le mois dernier", "2025-06")]),
    (THU, "Le mois prochain, la ville votera.", [("Le mois prochain", "2025-08")]),
    (THU, "Ce mois-ci, la ville vote.", [("Ce mois-ci", "2025-07")]),
    (THU, "L'an dernier, la ville a voté.", [("L'an dernier", "2024")]),
    (THU, "L'année prochaine, la ville votera.", [("L'année prochaine", "2026")]),
    (THU, "Ce week-end, la ville fête le budget.", [("Ce week-end", "2025-07-19/2025-07-20")]),
    (THU, "Ce week-end, la ville a fêté le budget.", [("Ce week-end", "2025-07-12/2025-07-13")]),
    (
        THU,
        "Le week-end dernier, la ville a fêté.",
        [("Le week-end dernier", "2025-07-12/2025-07-13")],
    ),
    (
        THU,
        "Le week-end prochain, la ville fêtera.",
        [("Le week-end prochain", "2025-07-19/2025-07-20")],
    ),
    (THU, "Le 14 juillet, le président a parlé.", [("Le 14 juillet", "2025-07-14")]),
    (THU, "Le 14 juillet, le président parlera.", [("Le 14 juillet", "2026-07-14")]),
    (THU, "Le 14 juillet 2024, le président a parlé.", [("Le 14 juillet 2024", "2024-07-14")]),
    (THU, "Le 1er mai 2024, la ville a défilé.", [("Le 1er mai 2024", "2024-05-01")]),
    (THU, "Mardi 15 juillet, le maire a parlé.", [("Mardi 15 juillet", "2025-07-15")]),
    (THU, "La réunion aura lieu le 30.", [("le 30", "2025-07-30")]),
    (THU, "La réunion a eu lieu le 30.", [("le 30", "2025-06-30")]),
    (THU, "La réunion se tient le 20.", [("le 20", "2025-07-20")]),
    (THU, "Il y a trois jours, il a dit non.", [("Il y a trois jours", "2025-07-14")]),
    (THU, "Dans deux semaines, il partira.", [("Dans deux semaines", "2025-07-31")]),
    (THU, "Il y a deux mois, il a dit non.", [("Il y a deux mois", "2025-05")]),
    (THU, "Il y a un an, il a dit non.", [("Il y a un an", "2024")]),
    (THU, "Il a parlé mardi et jeudi.", [("mardi", "2025-07-15"), ("jeudi", "2025-07-17")]),
    (THU, "Le chat mange la pomme.", []),
    # Not dates at all.
    (THU, "Le taux atteint le 14 %.", []),
    (THU, "Il habite le 14e arrondissement.", []),
    (THU, "Le budget passe le 14 000 euros.", []),
    (THU, "Le vote a lieu le 14 h 30.", []),
    # Ambiguous, or impossible: found, left unresolved.
    (THU, "Cette nuit, il a plu.", [("Cette nuit", None)]),
    (THU, "Tous les mardis, le marché ouvre.", [("Tous les mardis", None)]),
    (THU, "Chaque lundi, le maire reçoit.", [("Chaque lundi", None)]),
    (THU, "Le mardi, le maire dort.", [("Le mardi", None)]),
    (THU, "Il est arrivé un mardi.", [("un mardi", None)]),
    (THU, "Il était parti le mardi précédent.", [("le mardi précédent", None)]),
    (THU, "Le 31 juin, il a parlé.", [("Le 31 juin", None)]),
    (THU, "Mercredi 15 juillet, le maire a parlé.", [("Mercredi 15 juillet", None)]),
    (THU, "Mardi 16, le maire a parlé.", [("Mardi 16", None)]),
    # A year's end.
    (NEW_YEAR, "Hier, il a neigé.", [("Hier", "2025-12-31")]),
    (NEW_YEAR, "Avant-hier, il a neigé.", [("Avant-hier", "2025-12-30")]),
    (NEW_YEAR, "Le 31 décembre, la ville a fêté.", [("Le 31 décembre", "2025-12-31")]),
    (NEW_YEAR, "Le mois dernier, la ville a voté.", [("Le mois dernier", "2025-12")]),
    (
        NEW_YEAR,
        "La semaine dernière, il a neigé.",
        [("La semaine dernière", "2025-12-22/2025-12-28")],
    ),
    (NEW_YEAR, "L'an dernier, il a neigé.", [("L'an dernier", "2025")]),
    (NEW_YEAR, "Mardi, il a neigé.", [("Mardi", "2025-12-30")]),
    (NEW_YEAR, "La ville fête le 30.", [("le 30", "2025-12-30")]),
    (NEW_YEAR, "Demain, il neigera.", [("Demain", "2026-01-02")]),
    # A month's end: February of 28 and of 29 days.
    (MON, "Hier, il a neigé.", [("Hier", "2025-03-02")]),
    (MON, "Avant-hier, il a neigé.", [("Avant-hier", "2025-03-01")]),
    (MON, "Il y a trois jours, il a neigé.", [("Il y a trois jours", "2025-02-28")]),
    (MON, "Samedi, il a neigé.", [("Samedi", "2025-03-01")]),
    (MON, "Le week-end dernier, il a neigé.", [("Le week-end dernier", "2025-03-01/2025-03-02")]),
    (MON, "Le 29, il a neigé.", [("Le 29", None)]),  # February 2025 had none
    (LEAP, "Hier, il a neigé.", [("Hier", "2024-02-29")]),
    (LEAP, "Le 29 février, il a neigé.", [("Le 29 février", "2024-02-29")]),
    # Only the month is known: a day of it, not a weekday.
    (MONTH_ONLY, "Le 14, il a parlé.", [("Le 14", "2025-07-14")]),
    (MONTH_ONLY, "Mardi, il a parlé.", [("Mardi", None)]),
    (MONTH_ONLY, "Le mois dernier, il a parlé.", [("Le mois dernier", "2025-06")]),
    (MONTH_ONLY, "Hier, il a parlé.", [("Hier", None)]),
    # No date at all.
    (None, "Hier, il a parlé.", [("Hier", None)]),
]


@pytest.mark.parametrize("date, french, expected", CASES)
def test_relative_dates(date, french, expected):
    found = find_dates(french, reference(date))
    assert [(d.text, d.value) for d in found] == expected
    assert all(french[d.start : d.end] == d.text for d in found)


def test_the_table_is_large():
    assert len(CASES) >= 60
    assert sum(1 for *_, e in CASES for _, v in e if v is None) >= 10


def test_the_reference_is_the_dateline_then_the_article_s_date():
    dateline = "PARIS, 1er janvier 2026 (AFP) - Le maire a parlé."
    assert reference("2025-12-30", dateline) == Reference(2026, 1, 1)
    assert reference("2025-12-30", "Le maire a parlé.") == Reference(2025, 12, 30)
    assert reference("2025-12-30T08:00:00+01:00") == Reference(2025, 12, 30)
    assert reference("14 juillet 2025") == Reference(2025, 7, 14)
    assert reference("2025-02-30") is None and reference("hier") is None


def test_dates_in_json_and_on_hover_in_html(toy_model, tmp_path):
    """As users run it: the JSON lists each sentence's dates; the page shows them on
    hover; the English is not changed."""
    import json

    source = tmp_path / "a.txt"
    source.write_text(
        " date 2025-07-17 Le maire annonce le budget\n\nLe maire annonce le budget mardi.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["translate", str(source), "-m", str(toy_model), "-f", "json"])
    assert result.exit_code == 0, result.output
    sentence = json.loads(result.stdout)["paragraphs"][0]["sentences"][0]
    assert sentence["translation"] == "The mayor announces the budget on Tuesday."
    assert sentence["dates"] == [{"text": "mardi", "start": 27, "end": 32, "date": "2025-07-15"}]
    page = CliRunner().invoke(app, ["translate", str(source), "-m", str(toy_model), "-f", "html"])
    assert '<span class="dated" title="mardi: Tuesday 15 July 2025">' in page.stdout
