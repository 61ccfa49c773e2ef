"""Word out: ``translate in.docx`` writes the same document in English, opened here with
python-docx (and, where Debian's LibreOffice is installed, rendered by it), with its
styles, list, table, header, footer, footnote, hyperlink, picture and run formatting."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest
from click.testing import CliRunner

from translate_news.cli import app

from .conftest import make_test_models
from .word_documents import footnote_texts, make_document

runner = CliRunner()
SOFFICE = shutil.which("soffice")


def _english(path):
    import docx

    return docx.Document(str(path))


def test_a_word_file_becomes_the_same_document_in_english(toy_model, tmp_path):
    """As README shows it: ``translate report.docx`` writes ``report.en.docx`` beside it
    (the memory on, every default but the model)."""
    source = make_document(tmp_path / "report.docx")
    result = runner.invoke(app, ["translate", str(source), "-m", str(toy_model)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr and result.stdout == ""
    document = _english(tmp_path / "report.en.docx")
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[:3] == [
        ("Heading 1", "The mayor announces the budget"),
        ("Normal", "The mayor announces the budget on Tuesday. The press watches the report."),
        ("List Bullet", "The government refuses the reform."),
    ]
    runs = [(r.text, r.bold, r.italic) for r in document.paragraphs[1].runs]
    assert ("on Tuesday", True, None) in runs and ("watches", None, True) in runs
    cells = [c.text for c in document.tables[0].rows[0].cells]
    assert cells == ["The cat eats the apple.", "The president prepares the meeting on Monday."]
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "The press watches the report."
    assert section.footer.paragraphs[0].text == "The journalist prepares the project."
    assert footnote_texts(tmp_path / "report.en.docx") == ["The press watches the report."]
    linked = document.paragraphs[3]._p
    (link,) = linked.xpath("./w:hyperlink")
    assert "".join(link.xpath(".//w:t/text()")) == "the decision"  # around its English
    assert link.xpath("./w:r/w:rPr/w:u") and document.paragraphs[3].text.endswith("today.")
    noted = document.paragraphs[4]._p
    assert document.paragraphs[4].text == "The dog awaits the bread."
    assert noted.xpath(".//w:footnoteReference")  # the footnote's mark kept
    assert len(document.inline_shapes) == 1  # the picture kept
    assert document.core_properties.title == "The mayor announces the budget"
    assert "translate-news" in document.core_properties.comments
    again = runner.invoke(app, ["translate", str(source), "-m", str(toy_model)])
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_o_docx_writes_a_word_document_whatever_the_input(toy_model, toy_article, tmp_path):
    """``-o out.docx`` wrote plain text into a file named .docx, which Word cannot open."""
    out = tmp_path / "out.docx"
    result = runner.invoke(
        app, ["translate", str(toy_article), "-m", str(toy_model), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    document = _english(out)
    assert document.paragraphs[0].text == "The mayor announces the budget"
    assert "The cat eats the apple." in [p.text for p in document.paragraphs]
    terminal = runner.invoke(
        app, ["translate", str(toy_article), "-m", str(toy_model), "-f", "docx"]
    )
    assert terminal.exit_code == 2 and "not written to the terminal" in terminal.stderr


def test_flags_are_marked_and_counted_in_word(numbers_model, tmp_path):
    import docx

    made = docx.Document()
    french = [fr for fr, _ in make_test_models.numbers_corpus(60, seed=99)]
    for sentence in french:
        made.add_paragraph(sentence)
    made.save(str(tmp_path / "n.docx"))
    result = runner.invoke(app, ["translate", str(tmp_path / "n.docx"), "-m", str(numbers_model)])
    assert result.exit_code == 0, result.output
    document = _english(tmp_path / "n.en.docx")
    marks = [r for p in document.paragraphs for r in p.runs if r.text.startswith(" [check:")]
    assert marks and all(r.font.highlight_color is not None for r in marks)
    assert f"{len(marks)} sentence" in result.stderr  # the closing count


@pytest.mark.parametrize(
    "body, message",
    [(b"PK\x03\x04 not really", "not a readable Word (.docx) file"), (b"", "not a readable")],
)
def test_a_damaged_word_file_is_one_line_and_nothing_is_written(toy_model, tmp_path, body, message):
    source = tmp_path / "bad.docx"
    source.write_bytes(body)
    result = runner.invoke(app, ["translate", str(source), "-m", str(toy_model)])
    assert result.exit_code == 1 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "bad.en.docx").exists()


def test_a_word_zip_bomb_is_refused_before_it_is_unpacked(toy_model, tmp_path):
    source = make_document(tmp_path / "bomb.docx")
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("word/padding.xml", b" " * 30_000_000, zipfile.ZIP_DEFLATED)
    result = runner.invoke(
        app, ["translate", str(source), "-m", str(toy_model), "--max-input-mb", "10"]
    )
    assert result.exit_code == 1 and "over the 10 MB input limit" in result.stderr
    assert not (tmp_path / "bomb.en.docx").exists()


def test_a_folder_to_word_resumes(toy_model, toy_article, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    make_document(folder / "report.docx")
    shutil.copy(toy_article, folder / "toy.txt")
    args = [
        "translate",
        str(folder),
        "-o",
        str(tmp_path / "out"),
        "-f",
        "docx",
        "-m",
        str(toy_model),
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    report = _english(tmp_path / "out" / "report.en.docx")
    assert report.tables[0].rows[0].cells[0].text == "The cat eats the apple."  # kept whole
    toy = _english(tmp_path / "out" / "toy.en.docx")
    assert toy.paragraphs[0].text == "The mayor announces the budget"
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "skipped       2" in second.stderr


@pytest.mark.skipif(SOFFICE is None, reason="Debian's libreoffice-writer is not installed")
def test_libreoffice_renders_the_english_document(toy_model, tmp_path):
    """LibreOffice opens what we write and prints it: the English, bold and all."""
    from pypdf import PdfReader

    source = make_document(tmp_path / "report.docx")
    assert runner.invoke(app, ["translate", str(source), "-m", str(toy_model)]).exit_code == 0
    subprocess.run(
        [SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(tmp_path / "report.en.docx")],
        check=True, capture_output=True, timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "report.en.pdf").pages)
    for english in ["The mayor announces the budget on Tuesday.", "The cat eats the apple.",
                    "The journalist prepares the project.", "The minister defends the decision"]:  # fmt: skip
        assert english in " ".join(text.split())
    assert "maire" not in text
