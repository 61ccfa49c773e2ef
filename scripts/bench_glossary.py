"""What a large glossary costs: the same sentences translated with no glossary and with
one of N terms, each timed end to end (the glossary read, the checks, any rerank),
median of a few rounds: in this process (a Translator made and used), and as a user runs
it (``translate-news translate FILE --glossary terms.tsv``, a fresh process each time).

    python scripts/bench_glossary.py [--terms 100000] [--sentences 120] [--rounds 3]
                                     [--model DIR] [--json FILE]

The model is the toy Marian of scripts/make_test_models.py (built into a temporary
folder unless --model names one), the sentences its corpus's French; the glossary is N
made-up terms of one to three words plus five that the sentences hold, so that checks
and reranks run as they would.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]


def glossary_file(folder: Path, count: int, sentences: list[str]) -> Path:
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyzéèà"
    terms = set()
    while len(terms) < count:
        words = [
            "".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(rng.randint(1, 3))
        ]
        term = " ".join(words)
        terms.add(term.capitalize() if rng.random() < 0.3 else term)
    real = sorted({w for s in sentences for w in s.rstrip(".").split() if len(w) > 4})[:5]
    path = folder / "terms.tsv"
    lines = [f"{t}\t{t.upper()}" for t in sorted(terms)] + [f"{w}\t{w}" for w in real]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(model: Path, sentences: list[str], glossary: Path | None) -> float:
    from translate_news import Translator

    start = time.perf_counter()
    translator = Translator(
        str(model), memory=False, device="cpu", glossary=glossary and str(glossary)
    )
    translator.translate_checked(sentences)
    return time.perf_counter() - start


def command(model: Path, article: Path, glossary: Path | None) -> float:
    """``translate-news translate`` of ``article`` in a fresh process, in seconds."""
    args = [sys.executable, "-m", "translate_news", "translate", str(article), "-m", str(model)]
    args += ["--no-memory", "-q"] + (["--glossary", str(glossary)] if glossary else [])
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def ratio(runs: list[tuple[float, float]]) -> dict:
    without, with_terms = zip(*runs)
    return {
        "no_glossary_s": round(statistics.median(without), 3),
        "glossary_s": round(statistics.median(with_terms), 3),
        "ratio": round(statistics.median(w / n for n, w in runs), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=100_000)
    parser.add_argument("--sentences", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    import make_test_models

    folder = Path(tempfile.mkdtemp(prefix="bench-glossary-"))
    model = args.model
    if model is None:
        make_test_models.main([str(folder / "models")])
        model = folder / "models" / "marian-toy"
    corpus = [fr for fr, _ in make_test_models.toy_corpus()]
    sentences = list(dict.fromkeys(corpus))[: args.sentences]
    glossary = glossary_file(folder, args.terms, sentences)
    article = folder / "article.txt"
    article.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    timed(model, sentences[:2], None)  # warm: imports, the model's conversion
    inside, outside = [], []
    for _ in range(args.rounds):  # alternated, so that drift on the machine hits both
        inside.append((timed(model, sentences, None), timed(model, sentences, glossary)))
        outside.append((command(model, article, None), command(model, article, glossary)))
    report = {
        "sentences": len(sentences),
        "terms": args.terms,
        "rounds": args.rounds,
        "in_process": ratio(inside),
        "command": ratio(outside),
    }
    for where in ("in_process", "command"):
        found = report[where]
        print(
            f"{where:10} {len(sentences)} sentences: no glossary {found['no_glossary_s']:.2f} s, "
            f"{args.terms:,} terms {found['glossary_s']:.2f} s ({found['ratio']:.2f}x, "
            f"median of {args.rounds})",
            file=sys.stderr,
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
