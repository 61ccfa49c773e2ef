import json

from click.testing import CliRunner

from translate_news.cli import app

from .conftest import SEED, make_test_models

runner = CliRunner()
TOY_ENGLISH = """\
The mayor announces the budget
2025-07

The mayor announces the budget on Tuesday. The press watches the report.

The government refuses the reform. The minister defends the decision today.

The president prepares the meeting on Monday.

The cat eats the apple.
"""


def test_translate_toy_article_exactly(toy_article, toy_model):
    result = runner.invoke(app, ["translate", str(toy_article), "--model", str(toy_model)])
    assert result.exit_code == 0, result.output
    assert result.stdout == TOY_ENGLISH


def test_translate_to_markdown_file(toy_article, toy_model, tmp_path):
    out = tmp_path / "sortie é.md"
    args = ["translate", str(toy_article), "-m", str(toy_model), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# The mayor announces the budget\n\n*2025-07*\n\n")
    assert "The cat eats the apple." in text
    # An existing output is not overwritten without --force.
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_seed_to_json_keeps_paragraphs(random_model):
    result = runner.invoke(
        app, ["translate", str(SEED), "--model", str(random_model), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    text = SEED.read_text(encoding="utf-8")
    source_paragraphs = [b for b in text.split("\n", 1)[1].split("\n\n") if b.strip()]
    assert len(data["paragraphs"]) == len(source_paragraphs)
    assert data["date"] == "2025-07"
    for paragraph, source in zip(data["paragraphs"], source_paragraphs):
        assert paragraph["source"] == source.strip()
        assert all(pair["translation"] for pair in paragraph["sentences"])


def test_toy_json_pairs(toy_article, toy_model):
    result = runner.invoke(app, ["translate", str(toy_article), "-m", str(toy_model), "-f", "json"])
    data = json.loads(result.stdout)
    pairs = [
        (p["source"], p["translation"]) for par in data["paragraphs"] for p in par["sentences"]
    ]
    assert pairs == make_test_models.toy_article_pairs()[:-1]


def test_html_output(toy_article, toy_model):
    result = runner.invoke(app, ["translate", str(toy_article), "-m", str(toy_model), "-f", "html"])
    assert result.exit_code == 0
    assert "<h1>The mayor announces the budget</h1>" in result.stdout


def test_no_model_reachable_is_one_line():
    result = runner.invoke(app, ["translate", str(SEED)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Helsinki-NLP/opus-mt-fr-en" in lines[0] and "--model" in lines[0]
    assert "Traceback" not in result.output


def test_missing_input_file(tmp_path, toy_model):
    result = runner.invoke(app, ["translate", str(tmp_path / "absent.txt"), "-m", str(toy_model)])
    assert result.exit_code == 1
    assert (
        result.stderr.strip() == f"translate-news: error: {tmp_path / 'absent.txt'}: no such file"
    )


def test_split_command():
    result = runner.invoke(app, ["split", str(SEED)])
    assert result.exit_code == 0
    blocks = result.stdout.strip().split("\n\n")
    assert blocks[0].startswith("Le Kremlin dit")
    assert (
        "Le porte-parole de la présidence russe, Dmitri Peskov au Kremlin, le 23 juin 2025 à Moscou\nPOOL/AFP/Archives"
        in blocks
    )
    assert (
        'M. Zelensky a ainsi indiqué mardi s\'attendre à discuter avec Moscou de nouveaux échanges et du rapatriement d\'enfants ukrainiens emmenés en Russie.\nIl a dit aussi vouloir "préparer une réunion" avec Vladimir Poutine pour "mettre véritablement fin à cette guerre".'
        in blocks
    )


def test_translate_a_quick_sentence_with_text(toy_model):
    result = runner.invoke(
        app, ["translate", "--text", "Le chat mange la pomme.", "-m", str(toy_model), "--no-memory"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "The cat eats the apple.\n"


def test_text_and_a_file_or_neither_is_a_usage_error(toy_article):
    for args in (["translate"], ["translate", str(toy_article), "--text", "Un."]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "or --text, but not both" in result.stderr


def test_help_has_no_type_names():
    for command in (["translate"], ["summarize"], ["brief"], ["models", "download"]):
        shown = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"}).stdout
        for placeholder in ("<bool>", "<list[str]>", "<int>", "<float>", "<path>"):
            assert placeholder not in shown, (command, placeholder)
