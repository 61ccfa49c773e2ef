"""PDF in: text PDFs made here from our own French (reportlab; tests/pdf_documents.py),
in one and two columns, written line by line across the page, with a running header,
page numbers, headings, hyphenated line ends and a table."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from translate_news.cli import app
from translate_news.formats.readers import read_article

from .conftest import make_test_models
from .pdf_documents import HEADER, make_pdf, paragraphs, scanned_pdf

runner = CliRunner()
ENGLISH = dict(make_test_models.toy_corpus())


@pytest.mark.parametrize("columns", [1, 2])
def test_reading_order_headings_and_running_text(tmp_path, columns):
    article = read_article(make_pdf(tmp_path / "report.pdf", pages=3, columns=columns))
    assert article.title == "Le maire annonce le budget"
    body = [p.text for p in article.paragraphs if p.kind == "text" and " | " not in p.text]
    # Every paragraph, in reading order, its hyphenated words joined.
    assert body == paragraphs(36)[: len(body)] and len(body) == 9 * columns
    headings = [p.text for p in article.paragraphs if p.kind == "heading"]
    assert headings == ["La ministre défend la décision"] * (9 * columns)
    rows = [p.text for p in article.paragraphs if " | " in p.text]
    assert rows[:2] == ["Ville | Budget", "Paris | 12 000 euros"]
    everything = " ".join(p.text for p in article.paragraphs)
    assert HEADER not in everything and "Page" not in everything  # running text dropped
    assert "-" not in everything  # no hyphenation left


def test_translate_a_pdf_as_readme_shows_it(toy_model, tmp_path):
    source = make_pdf(tmp_path / "report.pdf", pages=1, columns=2)
    result = runner.invoke(app, ["translate", str(source), "-m", str(toy_model)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("\n\n")
    assert lines[0] == "The mayor announces the budget"
    first = paragraphs(1)[0]
    english = " ".join(ENGLISH[s + "."] for s in first.rstrip(".").split(". "))
    assert english in result.stdout
    word = runner.invoke(
        app, ["translate", str(source), "-m", str(toy_model), "-o", str(tmp_path / "r.docx")]
    )
    assert word.exit_code == 0, word.output
    import docx

    assert docx.Document(str(tmp_path / "r.docx")).paragraphs[0].text == lines[0]


def test_a_scan_and_a_damaged_pdf_are_one_line_and_nothing_is_written(toy_model, tmp_path):
    cases = [
        (scanned_pdf(tmp_path / "scan.pdf"), "has no text layer (a scanned PDF?)"),
        (tmp_path / "bad.pdf", "not a readable PDF"),
    ]
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> broken")
    for source, message in cases:
        out = tmp_path / f"{source.stem}.md"
        result = runner.invoke(
            app, ["translate", str(source), "-m", str(toy_model), "-o", str(out)]
        )
        assert result.exit_code == 1 and message in result.stderr, result.output
        assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()


def test_a_pdf_bomb_is_refused_before_it_is_unpacked(toy_model, tmp_path):
    """A small PDF whose stream inflates to 30 MB, under a 10 MB input limit."""
    import zlib

    packed = zlib.compress(b" " * 30_000_000, 9)
    source = tmp_path / "bomb.pdf"
    source.write_bytes(
        b"%PDF-1.7\n1 0 obj << /Length "
        + str(len(packed)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + packed
        + b"\nendstream\nendobj\n%%EOF\n"
    )
    assert source.stat().st_size < 100_000
    args = ["translate", str(source), "-m", str(toy_model), "--max-input-mb", "10"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "over twice the 10 MB input limit" in result.stderr


def test_a_pdf_is_known_by_its_content(tmp_path):
    source = make_pdf(tmp_path / "report.pdf", pages=1, columns=1)
    nameless = tmp_path / "download"
    nameless.write_bytes(source.read_bytes())
    assert read_article(nameless).title == "Le maire annonce le budget"
