"""summarize and brief through the command line, on the toy model."""

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from translate_news import Summarizer, Translator
from translate_news.cli import app

runner = CliRunner()

ARTICLE = " date {date} {title}\n\n{body}\n"
TOY = {
    "a.txt": (
        "2025-07-21",
        "Le chat mange la pomme",
        "Le maire annonce le budget mardi. La presse regarde le rapport.\n\nLe gouvernement refuse la réforme. Le chat mange la pomme.",
    ),
    "sub/b.txt": (
        "2025-07-22",
        "La presse regarde le rapport",
        "Le président prépare la rencontre lundi.",
    ),
    "c.txt": (
        "2025-07-22",
        "Le maire annonce le budget",
        "La ministre défend la décision aujourd'hui.",
    ),
}


def make_folder(root):
    for name, (date, title, body) in TOY.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ARTICLE.format(date=date, title=title, body=body), encoding="utf-8")
    (root / "broken.txt").write_bytes(b"\x00\x01 binaire")
    return root


def summarize(src, out, toy_model, *extra):
    args = ["summarize", str(src), "-o", str(out), "-m", str(toy_model)]
    return runner.invoke(app, [*args, "--summarizer", "lead", *extra])


def test_summarize_folder_lead3_resume_and_failure(tmp_path, toy_model):
    src, out = make_folder(tmp_path / "in"), tmp_path / "out"
    result = summarize(src, out, toy_model)
    assert result.exit_code == 1  # broken.txt failed, the others are done
    assert "binary" in result.stderr
    record = json.loads((out / "a.en.json").read_text(encoding="utf-8"))
    assert record["summary"]["text"] == (
        "The mayor announces the budget on Tuesday. The press watches the report. "
        "The government refuses the reform."
    )
    assert record["summary"]["method"] == "LEAD-3" and record["summary"]["chunks"] == 1
    markdown = (out / "a.en.md").read_text(encoding="utf-8")
    assert markdown.startswith("# The cat eats the apple\n\n*2025-07-21*\n\n> **Summary** (LEAD-3)")
    assert (out / "sub" / "b.en.json").exists()
    # Resumable: nothing redone; a changed source or option counts as not done.
    again = summarize(src, out, toy_model)
    assert "skipped 3" in " ".join(again.stderr.split())
    (src / "c.txt").write_text(
        ARTICLE.format(
            date="2025-07-22", title="Le chat mange la pomme", body="Le chat mange la pomme."
        ),
        encoding="utf-8",
    )
    changed = summarize(src, out, toy_model, "--sentences", "1")
    assert "done 3" in " ".join(changed.stderr.split())


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.links, self.external = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs["href"])
        if tag in ("script", "link", "img") or (attrs.get("src") or "").startswith("http"):
            self.external.append(tag)

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def test_brief_markdown_html_json(tmp_path, toy_model):
    src, out = make_folder(tmp_path / "in"), tmp_path / "out"
    summarize(src, out, toy_model)
    md = tmp_path / "briefing.md"
    assert (
        runner.invoke(app, ["brief", str(out), "-o", str(md), "--title", "Toy news"]).exit_code == 0
    )
    text = md.read_text(encoding="utf-8")
    assert text.startswith(
        "# Toy news\n\n*Monday 21 July 2025 to Tuesday 22 July 2025, 3 articles*\n\n"
        "## Tuesday 22 July 2025\n"
    )
    assert text.index("## Tuesday 22 July 2025") < text.index("## Monday 21 July 2025")
    assert "2025-07-2" not in text  # each date once, as a reader says it, not in ISO
    assert "[Full translation](out/a.en.md)" in text

    page = tmp_path / "briefing.html"
    assert runner.invoke(app, ["brief", str(out), "-o", str(page)]).exit_code == 0
    outline = Outline()
    outline.feed(page.read_text(encoding="utf-8"))
    assert outline.tags.count("article") == 3 and outline.tags.count("h2") == 2
    assert outline.external == [] and "meta" in outline.tags
    assert sorted(outline.links) == ["out/a.en.md", "out/c.en.md", "out/sub/b.en.md"]
    assert outline.text.count("News briefing") == 2  # <title> and <h1>
    assert "Monday 21 July 2025 to Tuesday 22 July 2025, 3 articles" in outline.text
    assert outline.text.count("Tuesday 22 July 2025") == 1  # once, as the day's heading

    data_path = tmp_path / "briefing.json"
    assert runner.invoke(app, ["brief", str(out), "-o", str(data_path)]).exit_code == 0
    data = json.loads(data_path.read_text(encoding="utf-8"))
    assert [d["day"] for d in data["days"]] == ["2025-07-22", "2025-07-21"]
    assert data["count"] == 3


def test_brief_without_summaries_is_one_line(tmp_path):
    result = runner.invoke(app, ["brief", str(tmp_path), "-o", str(tmp_path / "b.md")])
    assert result.exit_code == 1 and "no summaries found" in result.stderr


def test_summarize_with_a_model(tmp_path, toy_model, bart_model):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(
        "Le chat mange la pomme. La presse regarde le rapport.\n", encoding="utf-8"
    )
    args = ["summarize", str(src), "-o", str(tmp_path / "out"), "-m", str(toy_model)]
    result = runner.invoke(app, [*args, "--summarizer", str(bart_model), "--max-tokens", "10"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "a.en.json").read_text(encoding="utf-8"))
    assert record["summary"]["method"] == str(bart_model) and record["summary"]["text"]


def test_folder_summaries_are_made_together_and_equal_alone(tmp_path, toy_model, bart_model):
    from translate_news import Translator, read_article
    from translate_news.pipeline.folder import SummaryWriter, run_folder
    from translate_news.pipeline.summarizer import Summarizer

    src = make_folder(tmp_path / "in")
    translator = Translator(str(toy_model), device="cpu", memory=False)
    summarizer = Summarizer(str(bart_model), device="cpu", max_tokens=10)
    windows = []
    many = summarizer.summarize_many

    def spy(articles):
        windows.append(len(articles))
        return many(articles)

    summarizer.summarize_many = spy
    report = run_folder(translator, src, tmp_path / "out", SummaryWriter(summarizer))
    assert windows == [3] and len(report.done) == 3 and len(report.failed) == 1
    for name in TOY:
        alone = summarizer.summarize(translator.translate_article(read_article(src / name)))
        record = json.loads(
            (tmp_path / "out" / name.replace(".txt", ".en.json")).read_text(encoding="utf-8")
        )
        assert record["summary"]["text"] == alone.text


def test_a_window_that_fails_to_summarise_goes_on_one_by_one(tmp_path, toy_model, bart_model):
    from translate_news import Translator
    from translate_news.core.errors import TranslateNewsError
    from translate_news.pipeline.folder import SummaryWriter, run_folder
    from translate_news.pipeline.summarizer import Summarizer

    src = make_folder(tmp_path / "in")
    summarizer = Summarizer(str(bart_model), device="cpu", max_tokens=10)

    many = summarizer.summarize_many

    def out_of_memory(articles):  # a window is too much, one article at a time is not
        if len(articles) > 1:
            raise TranslateNewsError("out of memory summarising one chunk of 900 tokens")
        return many(articles)

    summarizer.summarize_many = out_of_memory
    translator = Translator(str(toy_model), device="cpu", memory=False)
    report = run_folder(translator, src, tmp_path / "out", SummaryWriter(summarizer))
    assert len(report.done) == 3 and len(report.failed) == 1


def test_a_folder_is_read_once_and_the_progress_total_counts_records(
    tmp_path, toy_model, monkeypatch
):
    """summarize reads each input once (it read every feed twice, once to count for the
    progress bar): the total is learnt from the same pass, files then feed records."""
    from translate_news.pipeline import folder

    src = make_folder(tmp_path / "in")  # three articles and one unreadable file
    records = [{"title": f"Titre {i}", "text": "Le chat mange la pomme."} for i in range(5)]
    (src / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    reads, events = [], []
    real = folder.read_articles

    def counted(path, *args, **kwargs):
        reads.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(folder, "read_articles", counted)
    result = summarize(src, tmp_path / "out", toy_model)
    assert result.exit_code == 1  # the unreadable file; the rest are done
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 5  # each file once
    translator = Translator(str(toy_model), memory=False)
    outputs = folder.SummaryWriter(Summarizer("lead"))
    folder.run_folder(
        translator, src, tmp_path / "again", outputs, on_event=lambda *e: events.append(e)
    )
    listed = [int(detail) for kind, _, detail in events if kind == "listed"]
    more = sum(kind == "more" for kind, _, _ in events)
    assert listed == [5] and listed[0] + more == 3 + 1 + 5  # files, then the other records


def test_summarize_a_feed_with_its_own_field_names(tmp_path, toy_model):
    feed = tmp_path / "feed.jsonl"
    records = [
        {"titre": "Le chat mange la pomme", "contenu": "Le maire annonce le budget mardi."},
        {"titre": "La presse regarde le rapport", "contenu": "Le chat mange la pomme."},
    ]
    feed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    out = tmp_path / "out"
    result = summarize(feed, out, toy_model, "--title-field", "titre", "--text-field", "contenu")
    assert result.exit_code == 0, result.output
    summaries = sorted(
        json.loads(p.read_text(encoding="utf-8"))["summary"]["text"] for p in out.rglob("*.json")
    )
    assert summaries == ["The cat eats the apple.", "The mayor announces the budget on Tuesday."]


def test_html_summaries_give_pages_the_html_briefing_links_to(tmp_path, toy_model):
    src, out = make_folder(tmp_path / "in"), tmp_path / "out"
    result = summarize(src, out, toy_model, "--format", "html")
    assert result.exit_code == 1  # broken.txt
    page = (out / "a.en.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<strong>Summary</strong> (LEAD-3)" in page
    assert '<time datetime="2025-07-21">Monday 21 July 2025</time>' in page
    briefing = tmp_path / "briefing.html"
    assert runner.invoke(app, ["brief", str(out), "-o", str(briefing)]).exit_code == 0
    outline = Outline()
    outline.feed(briefing.read_text(encoding="utf-8"))
    assert sorted(outline.links) == ["out/a.en.html", "out/c.en.html", "out/sub/b.en.html"]
    markdown = tmp_path / "briefing.md"
    assert runner.invoke(app, ["brief", str(out), "-o", str(markdown)]).exit_code == 0
    assert "[Full translation](out/a.en.md)" in markdown.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("iso", "said"),
    [
        ("2025-07-22", "Tuesday 22 July 2025"),
        ("2025-07-22T10:05:00+02:00", "Tuesday 22 July 2025"),
        ("2024-02-29", "Thursday 29 February 2024"),
        ("2025-07", "July 2025"),
        ("2025", "2025"),
    ],
)
def test_dates_as_a_reader_says_them(iso, said):
    from translate_news.formats.output import human_date

    assert human_date(iso) == said


def test_a_briefing_says_which_summaries_rest_on_low_confidence_english(
    tmp_path, toy_model, random_model
):
    """Defaults, as users run them: summaries of a random model's English (unsure of
    every sentence) say so in their briefing item; the toy model's do not; brief
    --min-confidence re-reads the recorded scores, --low-confidence leave-out drops them."""
    articles = tmp_path / "articles"
    make_folder(articles)
    unsure, sure = tmp_path / "unsure", tmp_path / "sure"
    assert summarize(articles, unsure, random_model).exit_code == 1  # broken.txt fails
    assert summarize(articles, sure, toy_model).exit_code == 1
    for fmt in ("md", "html", "json"):
        shown = tmp_path / f"unsure.{fmt}"
        assert runner.invoke(app, ["brief", str(unsure), "-o", str(shown)]).exit_code == 0
        text = shown.read_text(encoding="utf-8")
        assert text.count("sentences of the translation are of low confidence") == 3
        assert "check: 5 of 5 sentences" in text  # a.txt: its title and four sentences
        calm = tmp_path / f"sure.{fmt}"
        assert runner.invoke(app, ["brief", str(sure), "-o", str(calm)]).exit_code == 0
        assert "low confidence" not in calm.read_text(encoding="utf-8")
    data = json.loads((tmp_path / "unsure.json").read_text(encoding="utf-8"))
    items = [a for day in data["days"] for a in day["articles"]]
    assert all(a["unsure"] == a["sentences"] > 0 and a["doubt"] for a in items)
    relaxed = tmp_path / "relaxed.md"
    args = ["brief", str(unsure), "-o", str(relaxed), "--min-confidence", "0"]
    assert runner.invoke(app, args).exit_code == 0
    assert "low confidence" not in relaxed.read_text(encoding="utf-8")
    strict = tmp_path / "strict.md"
    args = ["brief", str(sure), "-o", str(strict), "--min-confidence", "1", "--low-confidence"]
    done = runner.invoke(app, [*args, "leave-out"])
    assert done.exit_code == 1
    assert "every article was left out for low confidence" in done.stderr
    assert not strict.exists()
    nan = runner.invoke(app, ["brief", str(sure), "-o", str(strict), "--min-confidence", "nan"])
    assert nan.exit_code == 2 and "--min-confidence must be between 0 and 1" in nan.stderr
    kept = runner.invoke(
        app, ["brief", str(sure), "-o", str(strict), "--low-confidence", "leave-out"]
    )
    assert kept.exit_code == 0 and "(3 articles)" in kept.stderr


def test_a_record_whose_confidence_is_not_a_probability_is_left_out(tmp_path, toy_model):
    articles, out = tmp_path / "articles", tmp_path / "out"
    make_folder(articles)
    summarize(articles, out, toy_model)
    record = out / "c.en.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["translation"]["paragraphs"][0]["sentences"][0]["confidence"]["sentence"] = "high"
    record.write_text(json.dumps(data), encoding="utf-8")
    done = runner.invoke(app, ["brief", str(out), "-o", str(tmp_path / "b.md")])
    assert done.exit_code == 1
    assert "a sentence's confidence is 'high', not between 0 and 1); left out" in done.stderr


def test_a_briefing_item_gives_its_summary_s_dates(tmp_path, toy_model):
    """As users run it: summarize, then brief; the summary says "mardi" relative to the
    article's date (Monday 21 July 2025), the item says which day that was."""
    src, out = make_folder(tmp_path / "in"), tmp_path / "out"
    summarize(src, out, toy_model)
    result = runner.invoke(app, ["brief", str(out), "-o", str(tmp_path / "b.md")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "b.md").read_text(encoding="utf-8")
    assert "*Dates: mardi = Tuesday 22 July 2025*" in text
    page = runner.invoke(app, ["brief", str(out), "-o", str(tmp_path / "b.html")])
    assert page.exit_code == 0
    assert '<p class="dates">Dates: mardi = Tuesday 22 July 2025</p>' in (
        tmp_path / "b.html"
    ).read_text(encoding="utf-8")


def test_who_said_what_in_each_format():
    from translate_news.formats import briefing

    entry = briefing.Entry(
        "The mayor speaks", "2025-07-21", "The mayor spoke.", "a.en.md",
        said=(("le maire Jean Dupont", "We refuse this budget"),),
    )  # fmt: skip
    markdown = briefing.to_markdown([entry])
    assert "**Who said what**\n\n- le maire Jean Dupont: “We refuse this budget”" in markdown
    page = briefing.to_html([entry])
    assert (
        "<h4>Who said what</h4><ul><li>le maire Jean Dupont: “We refuse this budget”</li>" in page
    )
    record = briefing.to_record([entry])["days"][0]["articles"][0]
    assert list(record["said"]) == [("le maire Jean Dupont", "We refuse this budget")]
