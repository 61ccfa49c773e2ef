import pytest

from translate_news import parse_article, read_article
from translate_news.core.errors import InputError

from .conftest import SEED


def test_seed_header_gives_date_and_title():
    article = read_article(SEED)
    assert article.date == "2025-07"
    assert article.title.startswith("Le Kremlin dit n'attendre aucune")


def test_seed_keeps_every_paragraph_in_order():
    text = SEED.read_text(encoding="utf-8")
    blocks = [b.strip() for b in text.split("\n", 1)[1].split("\n\n") if b.strip()]
    article = read_article(SEED)
    assert [p.text for p in article.paragraphs] == blocks


def test_seed_captions_and_headings():
    article = read_article(SEED)
    captions = [p for p in article.paragraphs if p.kind == "caption"]
    assert [p.credit for p in captions] == ["AFP/Archives", "POOL/AFP/Archives", "AFP"]
    assert captions[0].body.endswith("le 2 juin 2025 en Turquie")
    headings = [p.text for p in article.paragraphs if p.kind == "heading"]
    assert headings == ['Positions "diamétralement opposées"', "Frappes meurtrières"]


@pytest.mark.parametrize(
    ("text", "kind", "credit"),
    [
        ("Des voitures détruites à Odessa, le 22 juillet 2025 en Ukraine AFP", "caption", "AFP"),
        ("Le président, à Paris le 3 mai REUTERS/Archives", "caption", "REUTERS/Archives"),
        ("Frappes meurtrières", "heading", None),
        ("Il pleut à Paris.", "text", None),
        ("Un paragraphe\nsur deux lignes", "text", None),
        ("Dépêche AFP", "heading", None),
    ],
)
def test_paragraph_kinds(text, kind, credit):
    paragraph = parse_article(text).paragraphs[0]
    assert (paragraph.kind, paragraph.credit) == (kind, credit)


def test_line_break_inside_paragraph_is_kept():
    article = parse_article("Première ligne\nseconde ligne.\n\nAutre paragraphe.")
    assert article.paragraphs[0].text == "Première ligne\nseconde ligne."
    assert len(article.paragraphs) == 2


def test_markdown_title_and_headings():
    article = parse_article("# Titre\n\n## Intertitre\n\nTexte.", markdown=True)
    assert article.title == "Titre"
    assert [(p.kind, p.text) for p in article.paragraphs] == [
        ("heading", "Intertitre"),
        ("text", "Texte."),
    ]


@pytest.mark.parametrize("content", [b"", b"  \n\n \t\n"])
def test_empty_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty"):
        read_article(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")


def test_shipped_toy_article_matches_the_builder():
    from .conftest import ROOT, make_test_models

    shipped = (ROOT / "tests" / "data" / "toy.txt").read_text(encoding="utf-8")
    assert shipped == make_test_models.TOY_ARTICLE
