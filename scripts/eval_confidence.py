"""How well the model's confidence tells right translations from wrong ones, beside
the rule-based flags (a number or a glossary term lost, French left in), where we know
the truth.

    python scripts/eval_confidence.py [--models DIR] [--threshold P] [--json FILE]

The models are the test suite's (scripts/make_test_models.py): DIR holds marian-toy
and marian-numbers (default: built once into the user cache). The sets:

* toy, held out: sentences of the toy grammar the toy model was not trained on (it
  learnt 600 of its 2,560), with their exact English;
* toy + unknown words, + shuffled words, + English, + numbers: held-out sentences with
  an object the model never saw, their words shuffled, their English given as input,
  or a number put in: no right translation is possible, so each is wrong;
* numbers, held out: 300 sentences the numbers model was not trained on, right when
  its English (after translate-news's n-best rerank) is the reference exactly; most
  of its wrong ones lose or change a number.

Each sentence goes through ``Translator.translate_checked``, as users run it. For each
set: ROC AUC of the confidence (how often a wrong translation scores below a right
one) and of the rule-based flags, and the precision and recall of the flag at the
threshold, of the rules, and of their union. ``--sweep`` prints precision and recall
at each threshold, the measurement the default was chosen from.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import make_test_models as builder  # noqa: E402

UNKNOWN = ["la baleine", "le fromage", "la montagne", "le tracteur", "la guitare"]
COUNTED = ["pommes", "rapports", "projets", "décisions"]


def models(folder: Path | None) -> Path:
    """A folder with marian-toy and marian-numbers: ``folder``, or built once into the
    user cache (single-threaded, as the test suite builds them: the same weights)."""
    if folder is not None:
        return folder
    from translate_news.core.paths import cache_root

    recipe = (ROOT / "scripts" / "make_test_models.py").read_bytes()
    target = cache_root() / "eval" / f"confidence-{hashlib.sha256(recipe).hexdigest()[:12]}"
    for name, make in (("marian-toy", builder.make_toy), ("marian-numbers", builder.make_numbers)):
        if not (target / name / "config.json").exists():
            import torch

            torch.set_num_threads(1)
            target.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=target) as tmp:
                make(Path(tmp) / name).rename(target / name)
    return target


def toy_sets(size: int = 300, seed: int = 7) -> dict[str, list[tuple[str, str | None]]]:
    """(French, the right English or None where none can be right) for each toy set."""
    trained = {fr.rstrip(".") for fr, _ in builder.toy_corpus()}
    rng = random.Random(seed)
    held = []
    for (fs, es), (fv, ev), (fo, eo), (ft, et) in itertools.product(
        builder.SUBJECTS, builder.VERBS, builder.OBJECTS, builder.TIMES
    ):
        french = builder._capitalise(f"{fs} {fv} {fo}{ft}")
        if french not in trained:
            held.append((french + ".", builder._capitalise(f"{es} {ev} {eo}{et}") + "."))
    held = rng.sample(held, size)
    unknown, shuffled, english, numbers = [], [], [], []
    for french, right in held[:100]:
        words = french.rstrip(".").split()
        object_at = 3 if len(words) > 3 else 2  # "Le chat mange la pomme": the object
        unknown.append((" ".join([*words[:2], rng.choice(UNKNOWN)]) + ".", None))
        mixed = words[:]
        while mixed == words:
            rng.shuffle(mixed)
        shuffled.append((builder._capitalise(" ".join(mixed).lower()) + ".", None))
        english.append((right, None))
        counted = f"{rng.randint(2, 999)} {rng.choice(COUNTED)}"
        numbers.append((" ".join([*words[:2], counted, *words[object_at + 1 :]]) + ".", None))
    return {
        "toy, held out": held,
        "toy + unknown words": unknown,
        "toy + shuffled words": shuffled,
        "toy + English input": english,
        "toy + numbers": numbers,
    }


def auc(wrong: list[float], right: list[float]) -> float | None:
    """ROC AUC of a score where lower means wrong: the chance a wrong one scores below
    a right one, ties counting half (Mann-Whitney)."""
    if not wrong or not right:
        return None
    below = sum((w < r) + 0.5 * (w == r) for w in wrong for r in right)
    return below / (len(wrong) * len(right))


def flag_figures(flags: list[bool], wrong: list[bool]) -> dict[str, float | int | None]:
    hits = sum(f and w for f, w in zip(flags, wrong))
    return {
        "flagged": sum(flags),
        "precision": round(hits / sum(flags), 3) if any(flags) else None,
        "recall": round(hits / sum(wrong), 3) if any(wrong) else None,
    }


def judge(translator, pairs: list[tuple[str, str | None]]) -> list[dict]:
    """Each sentence's English, confidence, rule flags and whether it is right."""
    from translate_news.text.checks import check

    found = translator.translate_checked([fr for fr, _ in pairs])
    rows = []
    for (french, right), checked in zip(pairs, found):
        rules = check(french, checked.text, translator.glossary)
        rows.append(
            {
                "french": french,
                "english": checked.text,
                "confidence": checked.confidence.sentence,
                "rules": bool(rules),
                "wrong": right is None or checked.text != right,
            }
        )
    return rows


def figures(rows: list[dict], threshold: float) -> dict:
    wrong = [r["wrong"] for r in rows]
    scores = [r["confidence"] for r in rows]
    low = [s < threshold for s in scores]
    rules = [r["rules"] for r in rows]
    return {
        "sentences": len(rows),
        "wrong": sum(wrong),
        "auc_confidence": _round(auc(*_split(scores, wrong))),
        "auc_rules": _round(auc(*_split([0.0 if f else 1.0 for f in rules], wrong))),
        "confidence_flag": flag_figures(low, wrong),
        "rules_flag": flag_figures(rules, wrong),
        "union_flag": flag_figures([a or b for a, b in zip(low, rules)], wrong),
    }


def _split(scores: list[float], wrong: list[bool]) -> tuple[list[float], list[float]]:
    return [s for s, w in zip(scores, wrong) if w], [s for s, w in zip(scores, wrong) if not w]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, help="a folder with marian-toy, marian-numbers")
    parser.add_argument("--threshold", type=float, help="default: the product's")
    parser.add_argument("--sweep", action="store_true", help="precision/recall by threshold")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from translate_news import Translator
    from translate_news.core.options import MIN_CONFIDENCE

    threshold = MIN_CONFIDENCE if args.threshold is None else args.threshold
    folder = models(args.models)
    toy = Translator(str(folder / "marian-toy"), memory=False, device="cpu")
    numbers = Translator(str(folder / "marian-numbers"), memory=False, device="cpu")
    held = toy_sets()
    judged = {name: judge(toy, pairs) for name, pairs in held.items()}
    judged["numbers, held out"] = judge(
        numbers, [(fr, en) for fr, en in builder.numbers_corpus(300, seed=99)]
    )
    base = judged["toy, held out"]
    populations = {"toy, held out": base, "numbers, held out": judged["numbers, held out"]}
    for name, rows in judged.items():
        if name.startswith("toy +"):
            populations[f"{name} (with the held-out)"] = base + rows
    populations["all"] = [row for rows in judged.values() for row in rows]
    report = {
        "threshold": threshold,
        "toy": str(toy.signature),
        "numbers": str(numbers.signature),
        "sets": {name: figures(rows, threshold) for name, rows in populations.items()},
    }
    print(f"threshold {threshold}")
    print(f"{'set':42} {'n':>4} {'wrong':>5} {'AUC conf':>8} {'AUC rules':>9}  precision/recall")
    for name, f in report["sets"].items():
        pr = "  ".join(
            f"{label} {f[key]['precision']}/{f[key]['recall']}"
            for label, key in (
                ("conf", "confidence_flag"),
                ("rules", "rules_flag"),
                ("union", "union_flag"),
            )
        )
        print(
            f"{name:42} {f['sentences']:>4} {f['wrong']:>5} {f['auc_confidence']!s:>8} "
            f"{f['auc_rules']!s:>9}  {pr}"
        )
    if args.sweep:
        everything = populations["all"]
        wrong = [r["wrong"] for r in everything]
        report["sweep"] = {}
        for t in [step / 20 for step in range(1, 16)] + [step / 100 for step in range(76, 100)]:
            f = flag_figures([r["confidence"] < t for r in everything], wrong)
            report["sweep"][str(t)] = f
            print(f"threshold {t:.2f}: precision {f['precision']} recall {f['recall']}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
