"""How often the shortlist guard redoes a sentence, and whether what it keeps is the full
vocabulary's translation, by threshold: the measurement the beam-search bound
(``seq2seq.confidence.BEAM_MASS``) was chosen from.

    python scripts/eval_shortlist_guard.py [--models DIR] [--json FILE]

DIR holds the test suite's marian-toy and marian-numbers (default: built once into the
user cache, as scripts/eval_confidence.py builds them). For each model a shortlist is
built from its own translations of one half of its corpus (the toy corpus; 600
sentences of the numbers corpus) and each sentence of the other half (held out) is
translated with it, at the model's beam (4), unguarded, beside the full vocabulary's
translation. Shortlists: the product's defaults (``common`` 100, ``per_source`` 20:
larger than these models' English), a small one (10, 2) and a too-small one (0, 1). For
each threshold: the share of sentences redone, and how many kept (not redone) differ
from the full vocabulary's translation, which must be none.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import make_test_models as builder  # noqa: E402
from eval_confidence import models  # noqa: E402

THRESHOLDS = [0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999]
SHORTLISTS = {"default (100, 20)": (100, 20), "small (10, 2)": (10, 2), "too small (0, 1)": (0, 1)}


def measure(model_dir: Path, french: list[str], budget: int | None = None) -> dict:
    from translate_news import Translator
    from translate_news.pipeline.vocabulary import model_pairs
    from translate_news.seq2seq.shortlist import build, save

    half = len(french) // 2
    learn, held = french[:half], french[half:]
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / model_dir.name
        shutil.copytree(model_dir, copy)
        full = Translator(str(copy), backend="ctranslate2", device="cpu", memory=False,
                          batch_tokens=budget)  # fmt: skip
        inputs = full.model.encode(held)
        wanted = full.model.generate(inputs, full.output_cap)
        pairs = model_pairs(full, learn)
        for name, (common, per_source) in SHORTLISTS.items():
            save(build(pairs, common=common, per_source=per_source), full.model.folder,
                 full.model.fingerprint)  # fmt: skip
            short = Translator(str(copy), backend="ctranslate2", device="cpu", memory=False,
                               shortlist=True, batch_tokens=budget)  # fmt: skip
            outputs = []
            for batch, collect in _shortlisted(short.model, inputs, short.output_cap):
                for index, (row, total) in zip(batch, collect()):
                    outputs.append((index, row, total))
            outputs.sort()
            found = [row for _, row, _ in outputs]
            scores = full.model.score(inputs, found)
            masses = [_mass(s, t) for s, (_, _, t) in zip(scores, outputs)]
            # The greedy criterion, which the beam check requires besides the bound.
            exact = [bool(s) and 1 - m < math.exp(min(s)) for s, m in zip(scores, masses)]
            same = [a == b for a, b in zip(found, wanted)]
            report[name] = {
                "sentences": len(held),
                "same_unguarded": sum(same),
                "by_threshold": {
                    str(t): {
                        "redone": round(
                            sum(not (e and m >= t) for m, e in zip(masses, exact)) / len(held), 3
                        ),
                        "kept_but_different": sum(
                            e and m >= t and not s for m, e, s in zip(masses, exact, same)
                        ),
                    }
                    for t in THRESHOLDS
                },
            }
    return report


def _shortlisted(model, inputs, cap):
    """Each batch's indices and its shortlisted decoding, with the totals (unguarded)."""
    batches, jobs = model._jobs(inputs, cap, 1, model.beams, {})
    return [(b, model.backend.submit_scored(rows, d)) for b, (rows, d) in zip(batches, jobs)]


def _mass(scores: list[float], total: float) -> float:
    from translate_news.seq2seq.confidence import shortlist_mass

    return shortlist_mass(scores, total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    folder = models(args.models)
    toy = [fr for fr, _ in builder.toy_corpus()]
    numbers = [fr for fr, _ in builder.numbers_corpus(600, seed=99)]
    # The default batches, and small ones (64 padded tokens): a batch's shortlist is the
    # union of its sentences', so smaller batches allow fewer tokens.
    report = {
        "toy": measure(folder / "marian-toy", toy),
        "numbers": measure(folder / "marian-numbers", numbers),
        "toy, batches of 64": measure(folder / "marian-toy", toy, 64),
        "numbers, batches of 64": measure(folder / "marian-numbers", numbers, 64),
    }
    for model, shortlists in report.items():
        for name, found in shortlists.items():
            line = "  ".join(
                f"{t}: {v['redone']:.0%}/{v['kept_but_different']}"
                for t, v in found["by_threshold"].items()
            )
            print(f"{model:22} {name:18} same unguarded {found['same_unguarded']}/"
                  f"{found['sentences']}  redone/kept-but-different  {line}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
