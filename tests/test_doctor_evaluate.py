"""doctor and evaluate, through the command line, on the tiny models."""

import json

from click.testing import CliRunner

from translate_news.cli import app

from .conftest import make_test_models

runner = CliRunner()
PAIRS = make_test_models.toy_article_pairs()


def test_doctor_reports_what_each_command_runs(toy_model, bart_model, monkeypatch):
    monkeypatch.setenv("TRANSLATE_NEWS_MODEL", str(toy_model))
    monkeypatch.setenv("TRANSLATE_NEWS_SUMMARIZER", str(bart_model))
    result = runner.invoke(app, ["doctor", "--max-tokens", "20"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("Versions", "Processor", "GPUs", "translate", "summarize", "Locations"):
        assert f"\n{heading}\n" in f"\n{out}"
    assert "marian-toy@" in out and "|ctranslate2-int8|cpu|beams=4|budget=512|" in out
    assert "bart-random@" in out and "|max_tokens=20|" in out
    assert "converted" in out and "int8" in out
    assert out.rstrip().endswith("No problems found.")


def test_doctor_without_a_model_says_how_to_get_it():
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "translate-news models download opus-mt-fr-en" in result.stdout
    assert (
        "translate-news models download distilbart-cnn-12-6, or summarize --summarizer lead"
        in result.stdout
    )


def test_evaluate_the_toy_model_on_its_own_pairs(tmp_path, toy_model):
    source, reference = tmp_path / "test.fr", tmp_path / "test.en"
    source.write_text("\n".join(fr for fr, _ in PAIRS) + "\n", encoding="utf-8")
    reference.write_text("\n".join(en for _, en in PAIRS) + "\n", encoding="utf-8")
    args = ["evaluate", "translations", "--source", str(source), "--references", str(reference)]
    result = runner.invoke(app, [*args, "-m", str(toy_model), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert (scores["segments"], scores["bleu"], scores["chrf"]) == (len(PAIRS), 100.0, 100.0)
    assert scores["bleu_signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a")


def test_evaluate_hypotheses_from_a_file(tmp_path):
    reference = tmp_path / "ref.en"
    reference.write_text("The cat eats the apple.\nThe dog sleeps.\n", encoding="utf-8")
    hypotheses = tmp_path / "hyp.en"
    hypotheses.write_text("The cat eats the apple.\nA bird sings loudly.\n", encoding="utf-8")
    args = [
        "evaluate",
        "translations",
        "--hypotheses",
        str(hypotheses),
        "--references",
        str(reference),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    bleu = float(result.stdout.split()[1])
    assert 0 < bleu < 100 and "tok:13a" in result.stdout and "(2 segments)" in result.stdout
    short = tmp_path / "short.en"
    short.write_text("The cat eats the apple.\n", encoding="utf-8")
    mismatch = runner.invoke(
        app,
        ["evaluate", "translations", "--hypotheses", str(short), "--references", str(reference)],
    )
    assert mismatch.exit_code == 2 and "1 translations but 2 references" in mismatch.stderr


def test_evaluate_summaries_against_references(tmp_path, toy_model):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(" ".join(fr for fr, _ in PAIRS[:4]), encoding="utf-8")
    (src / "b.txt").write_text(" ".join(fr for fr, _ in PAIRS[2:6]), encoding="utf-8")
    out = tmp_path / "out"
    args = ["summarize", str(src), "-o", str(out), "-m", str(toy_model), "--summarizer", "lead"]
    assert runner.invoke(app, args).exit_code == 0
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.txt").write_text(" ".join(en for _, en in PAIRS[:3]), encoding="utf-8")
    (gold / "b.txt").write_text(" ".join(en for _, en in PAIRS[2:5]), encoding="utf-8")
    result = runner.invoke(
        app, ["evaluate", "summaries", str(out), "--references", str(gold), "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores == {"documents": 2, "rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
    (gold / "b.txt").unlink()
    missing = runner.invoke(app, ["evaluate", "summaries", str(out), "--references", str(gold)])
    assert missing.exit_code == 1 and "no reference for b.txt" in missing.stderr
