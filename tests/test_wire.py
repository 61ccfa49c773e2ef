"""Wire copies: one dispatch run by several outlets becomes one briefing item; different
stories on one topic stay apart (crafted sets, both directions)."""

import json

from click.testing import CliRunner

from tests.conftest import _load_script
from translate_news.cli import app
from translate_news.text.wire import copies, dispatch, own_sentences, sentence_key

fixture_web = _load_script("fixture_web")
runner = CliRunner()

DISPATCH = [
    "Le gouvernement a présenté mardi un projet de loi sur l'énergie.",
    "Le texte prévoit une baisse de 10 % des tarifs réglementés.",
    "« Nous tenons nos engagements », a déclaré la ministre.",
    "L'opposition dénonce une mesure électoraliste.",
    "Le Parlement examinera le texte en janvier.",
    "Les fournisseurs devront s'adapter avant l'été.",
    "La Commission de régulation de l'énergie rendra un avis.",
    "Le coût pour l'État est estimé à 2 milliards d'euros.",
]
SAME_TOPIC = [  # another story on energy: shares the background sentence and a quote
    "Les fournisseurs d'électricité ont annoncé une hausse des prix.",
    "Le coût pour l'État est estimé à 2 milliards d'euros.",
    "« Nous tenons nos engagements », a déclaré la ministre.",
    "Les associations de consommateurs saisissent la justice.",
    "Une audience est prévue au tribunal de Nanterre.",
    "Les factures augmenteront de 5 % en moyenne.",
    "Les ménages modestes recevront un chèque énergie.",
]


def test_copies_are_grouped_and_other_stories_are_not():
    reprint = [*DISPATCH, "Notre journal avait révélé le projet en juin."]
    edited = [s.replace("mardi", "ce mardi") for s in DISPATCH[:3]] + DISPATCH[3:]
    punctuated = [s.replace("« ", '"').replace(" »", '"').upper() for s in DISPATCH]
    short = DISPATCH[:3]  # a brief: the dispatch's opening, nothing else
    unrelated = ["Le chat mange la pomme.", "Le chien regarde le pain."]
    groups = copies([DISPATCH, SAME_TOPIC, reprint, edited, punctuated, short, unrelated])
    assert groups == [[0, 2, 3, 4, 5], [1], [6]]
    # The other direction: a story on the topic never joins however many copies exist.
    assert copies([SAME_TOPIC, DISPATCH, DISPATCH[:6]]) == [[0], [1, 2]]
    assert copies([SAME_TOPIC[:3], DISPATCH[6:]]) == [[0], [1]]  # one shared of three
    assert copies([DISPATCH[:2], DISPATCH]) == [[0], [1]]  # two in common: too few to tell
    assert copies([[], []]) == [[0], [1]]  # nothing to tell by: apart


def test_what_each_outlet_added_and_which_copy_stands_for_the_dispatch():
    a = [*DISPATCH[:6], "Ajout de A."]
    b = [*DISPATCH, "Ajout de B."]
    c = DISPATCH[2:]
    assert own_sentences([a, b, c]) == [[6], [8], []]
    assert dispatch([a, b, c]) == 1  # b ran the most of what the others ran
    assert sentence_key("« Oui », a-t-il dit.") == sentence_key('"oui" a-t-il dit')


def _story_page(base, name, paragraphs, day):
    return fixture_web.article_page(
        "Le maire annonce le budget", paragraphs, date=day, url=f"{base}/{name}.html", author="AFP"
    )


def test_a_dispatch_in_two_feeds_is_one_briefing_item(tmp_path, toy_model, monkeypatch):
    """Two outlets run one dispatch (one adds a paragraph); a third runs another story
    on the same subject. Fetched, summarised and briefed: two items, the first listing
    both outlets, with what the second added, and its sentences translated once."""
    web = fixture_web.FixtureWeb()
    try:
        base = web.base
        wire = [" ".join(fixture_web.sentences(k, 3)) for k in (1, 2, 3, 4)]
        extra = "Le chien attend le pain lundi. La police refuse le rapport."
        other = [" ".join(fixture_web.sentences(k, 3)) for k in (11, 12, 13)] + [wire[0]]
        site = web.site
        site.page("/robots.txt", "", "text/plain")
        site.page("/a.html", _story_page(base, "a", wire, "2025-07-14"))
        site.page("/b.html", _story_page(base, "b", [*wire, extra], "2025-07-14"))
        site.page("/c.html", _story_page(base, "c", other, "2025-07-14"))
        for feed, pages in (("a", ["a"]), ("b", ["b", "c"])):
            items = [
                (
                    "Le maire annonce le budget",
                    f"{base}/{p}.html",
                    fixture_web.rfc822("2025-07-14"),
                    "",
                )
                for p in pages
            ]
            site.page(f"/{feed}.xml", fixture_web.rss(feed, items), "application/rss+xml")
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'delay = 0\n[[feed]]\nname = "Ouest-Matin"\nurl = "{base}/a.xml"\n'
            f'[[feed]]\nname = "Le Quotidien"\nurl = "{base}/b.xml"\n',
            encoding="utf-8",
        )
        assert (
            runner.invoke(app, ["fetch", str(sources), "-o", str(tmp_path / "in")]).exit_code == 0
        )
    finally:
        web.close()
    summarized = runner.invoke(
        app,
        [
            "summarize",
            str(tmp_path / "in"),
            "-o",
            str(tmp_path / "out"),
            "-m",
            str(toy_model),
            "--summarizer",
            "lead",
        ],
    )
    assert summarized.exit_code == 0, summarized.output
    out = tmp_path / "briefing.json"
    assert runner.invoke(app, ["brief", str(tmp_path / "out"), "-o", str(out)]).exit_code == 0
    (day,) = json.loads(out.read_text("utf-8"))["days"]
    items = day["articles"]
    assert len(items) == 2
    merged = next(i for i in items if i["outlets"])
    names = [o["name"] for o in merged["outlets"]]
    assert sorted(names) == ["Le Quotidien", "Ouest-Matin"]
    added = {o["name"]: o["added"] for o in merged["outlets"]}
    assert added["Ouest-Matin"] == [] and len(added["Le Quotidien"]) == 2
    assert all(o["url"].startswith(base) for o in merged["outlets"])
    alone = next(i for i in items if not i["outlets"])
    assert alone["url"] == f"{base}/c.html" and alone["outlet"] == "Le Quotidien"
    md = tmp_path / "briefing.md"
    assert runner.invoke(app, ["brief", str(tmp_path / "out"), "-o", str(md)]).exit_code == 0
    text = md.read_text("utf-8")
    assert "**Ran in 2 outlets**" in text and "the dispatch as it stands" in text
    assert f"[Original]({base}/c.html)" in text
