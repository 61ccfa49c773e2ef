"""Reading what users have: encodings, web pages, Word files, feeds, standard input, and
every kind of bad input giving one clear error."""

import json
import os

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_news import read_article, read_articles
from translate_news.cli import app
from translate_news.core.errors import InputError
from translate_news.formats.readers import decode, record_key

FRENCH = (
    "Le Kremlin a assuré mardi ne pas s'attendre à des « avancées miraculeuses » lors des "
    "prochaines négociations. L'Élysée évoque un coût de 3 000 € et l'œuvre d'un État "
    "qui n’a pas répondu."
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_decode_exactly(tmp_path, encoding):
    path = tmp_path / "article.txt"
    path.write_bytes(FRENCH.encode(encoding))
    assert read_article(path).paragraphs[0].text == FRENCH


def test_latin1_without_euro_decodes(tmp_path):
    text = FRENCH.replace("€", "euros").replace("œ", "oe").replace("’", "'")
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    assert read_article(path).paragraphs[0].text == text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\t\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"Texte\x07 avec une cloche.", "control character"),
        (b"\xef\xbb\xbfUn texte \xff\xfe cass\xe9", "UTF-8"),
    ],
)
def test_bad_text_files(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_article(path)


def test_content_decides_when_the_name_does_not(tmp_path):
    plain = tmp_path / "article"
    plain.write_text("Un paragraphe.\n\nUn autre.", encoding="utf-8")
    assert len(read_article(plain).paragraphs) == 2
    page = tmp_path / "page.aspx"
    page.write_text(PAGE, encoding="utf-8")
    assert read_article(page).title == "Le Kremlin n'attend rien des négociations"


def test_unsupported_extension(tmp_path):
    path = tmp_path / "article.odt"  # PDF is read now (tests/test_pdf.py); OpenDocument not
    path.write_bytes(b"PK\x03\x04 an OpenDocument text")
    with pytest.raises(InputError, match="unsupported file type"):
        read_article(path)
    bare = tmp_path / "article.pdf"
    bare.write_bytes(b"%PDF-1.4")  # a header and nothing else
    with pytest.raises(InputError, match=r"not a readable PDF|holds no text"):
        read_article(bare)


def test_symlink_loop_and_dangling_link(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="cannot read"):
        read_article(loop)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(InputError, match="no such file"):
        read_article(dangling)


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Site</title>
<meta property="article:published_time" content="2025-07-22T10:00:00Z"></head><body>
<nav><a href="/">Accueil</a> | <a href="/monde">Monde</a></nav>
<article><h1>Le Kremlin n'attend rien des négociations</h1>
<p>Le Kremlin a assuré mardi ne pas s'attendre à des avancées miraculeuses lors des négociations.</p>
<h2>Positions opposées</h2>
<p>Dmitri Peskov avait souligné lundi que les positions des deux camps restaient opposées.</p>
</article><div class="comments"><p>Commentaire : quel scandale, vraiment honteux !</p></div>
<footer>Publicité - Abonnez-vous</footer></body></html>"""


def test_html_page(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    article = read_article(path)
    assert article.title == "Le Kremlin n'attend rien des négociations"
    assert article.date == "2025-07-22"
    texts = [p.text for p in article.paragraphs]
    assert texts[0].startswith("Le Kremlin a assuré mardi")
    assert ("heading", "Positions opposées") in [(p.kind, p.text) for p in article.paragraphs]
    joined = " ".join(texts)
    assert "Accueil" not in joined and "Publicité" not in joined and "scandale" not in joined


def test_html_declared_utf8_but_invalid(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.replace("négociations", "n\xe9gociations").encode("latin-1"))
    with pytest.raises(InputError, match="declares UTF-8"):
        read_article(path)


@pytest.mark.parametrize(
    "page",
    [
        "<div>" * 5000 + "<p>Texte perdu au fond.</p>" + "</div>" * 5000,
        "<html><body><p>Un paragraphe <b>jamais fermé<p><table><tr><td>cellule",
        "<html><body><nav>Menu</nav></body></html>",
    ],
)
def test_broken_or_empty_html_is_an_article_or_a_clear_error(tmp_path, page):
    path = tmp_path / "page.htm"
    path.write_text(page, encoding="utf-8")
    try:
        article = read_article(path)
    except InputError as exc:
        assert "page.htm" in str(exc)
    else:
        assert article.paragraphs


def test_docx(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Le titre de l'article", level=0)
    document.add_paragraph("Premier paragraphe. Deux phrases.")
    document.add_heading("Intertitre", level=1)
    document.add_paragraph("Second paragraphe.")
    path = tmp_path / "article.docx"
    document.save(path)
    article = read_article(path)
    assert article.title == "Le titre de l'article"
    assert [(p.kind, p.text) for p in article.paragraphs] == [
        ("text", "Premier paragraphe. Deux phrases."),
        ("heading", "Intertitre"),
        ("text", "Second paragraphe."),
    ]


def test_not_a_docx(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(InputError, match="Word"):
        read_article(path)


def test_jsonl_feed(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [
        {"title": "Premier", "date": "2025-07-01", "text": "Un.\n\nDeux."},
        {"title": "Second", "body": "Trois."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n", encoding="utf-8")
    articles = list(read_articles(path))
    assert [(a.title, a.date, len(a.paragraphs)) for a in articles] == [
        ("Premier", "2025-07-01", 2),
        ("Second", None, 1),
    ]
    # Records are named by their id, else a hash of the record, never by position.
    key = record_key(records[1], ("id", "url"))
    assert key.startswith("~") and articles[1].record == key
    assert articles[1].path == str(path) and articles[1].source == f"{path}#{key}"


@pytest.mark.parametrize(
    ("line", "message"),
    [("[1, 2]", "not a JSON object"), ("{broken", "not valid JSON"), ('{"x": 1}', "no text")],
)
def test_bad_feed_lines(tmp_path, line, message):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "Bon."}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        list(read_articles(path))


def test_stdin(toy_model):
    runner = CliRunner()
    result = runner.invoke(
        app, ["translate", "-", "--model", str(toy_model)], input="Le chat mange la pomme.\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "The cat eats the apple.\n"


def test_five_megabyte_paragraph_is_read_whole(tmp_path):
    sentence = "Le gouvernement a annoncé mardi une réforme du budget de l'État. "
    text = sentence * (5_000_000 // len(sentence))
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    (paragraph,) = read_article(path).paragraphs
    assert paragraph.text == text.strip()


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1))
def test_decoding_never_loses_or_invents_text(text):
    for encoding in ("utf-8", "utf-8-sig", "utf-16"):
        assert decode(text.encode(encoding), "x") == text


def test_folder_run_isolates_failures_and_resumes(tmp_path, toy_model):
    src = tmp_path / "in é"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("Le chat mange la pomme.", encoding="utf-8")
    (src / "sub" / "b.md").write_text(
        "# Le maire annonce le budget\n\nLa presse regarde le rapport."
    )
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    (src / "sub" / "up").symlink_to(src, target_is_directory=True)  # a folder loop
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["translate", str(src), "-o", str(out), "--model", str(toy_model), "-f", "txt"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert (out / "a.en.txt").read_text(encoding="utf-8") == "The cat eats the apple.\n"
    assert (
        (out / "sub" / "b.en.txt")
        .read_text(encoding="utf-8")
        .startswith("The mayor announces the budget\n\nThe press watches the report.")
    )
    counts = " ".join(result.stderr.split())
    assert "done 2 skipped 0" in counts and "failed 3" in counts
    assert result.stderr.count("translate-news: error:") == 3
    # No temporary files: the only hidden files are the plain-text outputs' fingerprints.
    hidden = sorted(p.name for p in out.rglob("*") if p.name.startswith("."))
    assert hidden == [".a.en.txt.fingerprint", ".b.en.txt.fingerprint"]
    # A second run resumes: nothing to redo, outputs untouched.
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}
    again = runner.invoke(app, args)
    assert "done 0 skipped 2" in " ".join(again.stderr.split())
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")} == before


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from translate_news.core.files import write_atomic

    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "out.txt"

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "texte complet")
    assert list(folder.iterdir()) == []


def test_ten_thousand_characters_without_punctuation(tmp_path, toy_model):
    path = tmp_path / "long.txt"
    path.write_text(" ".join(["le chat mange la pomme"] * 440), encoding="utf-8")
    assert len(path.read_text(encoding="utf-8")) > 10_000
    runner = CliRunner()
    result = runner.invoke(app, ["translate", str(path), "-m", str(toy_model), "-f", "json"])
    assert result.exit_code == 0, result.output
    (paragraph,) = json.loads(result.stdout)["paragraphs"]
    assert len(paragraph["sentences"]) == 1 and paragraph["translation"]


def test_unreadable_file(tmp_path, monkeypatch):
    from pathlib import Path

    path = tmp_path / "secret.txt"
    path.write_text("Texte.", encoding="utf-8")

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(InputError, match="cannot read \\(Permission denied\\)"):
        read_article(path)


_TEXT = st.lists(
    st.sampled_from([*"abcé ÉM.«»\"'?!\n\t", "\n\n", " AFP", " date 2025-07 "]), max_size=80
).map("".join)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_parsing_never_loses_or_invents_text(text):
    from translate_news import parse_article

    try:
        article = parse_article(text)
    except InputError:
        assert not text.strip()
        return
    parts = [article.date or "", article.title or ""] + [p.text for p in article.paragraphs]
    squeeze = lambda s: "".join(s.split()).replace("date", "")  # noqa: E731
    assert squeeze("".join(parts)) == squeeze(text)


def test_feed_fields_from_the_command_line(tmp_path, toy_model):
    path = tmp_path / "feed.jsonl"
    path.write_text(
        json.dumps({"headline": "Le chat mange la pomme", "content": "Le chat mange la pomme."})
        + "\n"
    )
    out = tmp_path / "out"
    args = ["translate", str(path), "-o", str(out), "-m", str(toy_model), "-f", "json"]
    args += ["--title-field", "headline", "--text-field", "content"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    (written,) = out.glob("feed#*.en.json")
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["title"]["translation"] == "The cat eats the apple"
