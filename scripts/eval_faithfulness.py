"""Measure the number and glossary checks, and what the n-best rerank repairs.

    python scripts/eval_faithfulness.py --model DIR --corpus FILE [--glossary FILE]
                                        [--json FILE]
    python scripts/eval_faithfulness.py --toy [--json FILE]

For each French sentence of the corpus (one per line): is the model's best translation
flagged (a number or a glossary term lost)? does one of its n best translations keep
them all? is the sentence still flagged after translate-news's rerank? The rerank must
recover exactly the sentences whose n best hold what was lost; the script says whether
it did (exit code 1 if not).

--toy builds (once, cached) a tiny Marian trained briefly on sentences with numbers in
every French form ("12 000 euros" -> "12,000 euros", "4,5" -> "4.5"), and evaluates it
on 300 held-out sentences of the same kind, numbers varied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def evaluate(translator, sentences: list[str]) -> dict:
    """The checks before and after the rerank over ``sentences``, with ``translator``
    (its glossary included)."""
    from translate_news.text.checks import check, repairable

    model = translator.model
    sentences = [" ".join(s.split()) for s in dict.fromkeys(sentences) if s.strip()]
    ids = model.encode(sentences)
    kept = [i for i, x in enumerate(ids) if len(x) <= model.max_input_tokens]
    sentences, ids = [sentences[i] for i in kept], [ids[i] for i in kept]
    best = model.decode(translator.translate_ids(ids))
    before = {
        i
        for i, (s, t) in enumerate(zip(sentences, best))
        if repairable(check(s, t, translator.glossary))
    }
    flagged = sorted(before)
    nbest = translator.nbest([ids[i] for i in flagged])
    holds = {
        i
        for i, hypotheses in zip(flagged, nbest)
        if translator.first_faithful(sentences[i], ids[i], hypotheses) is not None
    }
    after_checked = translator.translate_checked(sentences)
    after = {i for i, c in enumerate(after_checked) if repairable(c.flags)}
    recovered = before - after
    n = len(sentences)
    return {
        "sentences": n,
        "flagged_before": len(before),
        "flagged_before_share": round(len(before) / max(1, n), 4),
        "nbest_holds_them": len(holds),
        "flagged_after": len(after),
        "flagged_after_share": round(len(after) / max(1, n), 4),
        "recovered": len(recovered),
        "every_recoverable_recovered": recovered == holds and not (after - before),
        "examples": [
            {"source": sentences[i], "best": best[i], "chosen": after_checked[i].text}
            for i in sorted(recovered)[:5]
        ],
    }


def toy_model() -> Path:
    """The numbers toy model, built once into the user cache."""
    import make_test_models as builder

    from translate_news.core.paths import cache_root

    recipe = (ROOT / "scripts" / "make_test_models.py").read_bytes()
    target = cache_root() / "eval" / f"marian-numbers-{hashlib.sha256(recipe).hexdigest()[:12]}"
    if not (target / "config.json").exists():
        import torch

        torch.set_num_threads(1)  # as the test suite builds it: the same weights
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            builder.make_numbers(Path(tmp) / "model").rename(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="the translation model (default with --toy: built)")
    parser.add_argument("--corpus", type=Path, help="French sentences, one per line")
    parser.add_argument("--glossary", type=Path)
    parser.add_argument("--toy", action="store_true", help="the numbers toy model and corpus")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    from translate_news import Translator

    if args.toy:
        import make_test_models as builder

        model = args.model or str(toy_model())
        sentences = [fr for fr, _ in builder.numbers_corpus(300, seed=99)]
    elif args.model and args.corpus:
        model = args.model
        sentences = args.corpus.read_text(encoding="utf-8").splitlines()
    else:
        parser.error("give --model and --corpus, or --toy")
    glossary = None if args.glossary is None else str(args.glossary)
    translator = Translator(model, memory=False, glossary=glossary)
    report = {"model": model, "signature": str(translator.signature)}
    report |= evaluate(translator, sentences)
    for key in ("sentences", "flagged_before", "nbest_holds_them", "flagged_after", "recovered"):
        print(f"{key:28} {report[key]}")
    print(f"{'every recoverable recovered':28} {report['every_recoverable_recovered']}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0 if report["every_recoverable_recovered"] else 1


if __name__ == "__main__":
    sys.exit(main())
