"""What the shortlist guard costs, at forced redo rates, on the opus-mt-fr-en-shaped model.

    python scripts/bench_guard.py [--synthetic N] [--rounds R] [--json FILE]

The benchmark model has random weights, whose full-vocabulary mass on any shortlist is
low: its guard would redo every sentence. So the redo rate is forced here (every k-th
sentence, whatever the bound says) at 0%, 5% and 20%, and timed beside the full
vocabulary (no scoring) and the shortlist unguarded (no scoring), each output forced to
1.2 x its batch's longest source as in scripts/bench.py, with bench.py's map of a
realistic size. The redo rates the trained test models really show are in
scripts/eval_shortlist_guard.py. CTranslate2 int8 on CPU, beam 4; median of the rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench  # noqa: E402  (the benchmark model, corpus and map)

RATES = (0.0, 0.05, 0.20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=100, help="articles of 2 sentences")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from translate_news.core.options import ModelOptions
    from translate_news.seq2seq.model import Seq2SeqModel

    folder = bench.cached_model()
    bench.make_shortlist(folder, args.synthetic, "cpu")
    full = _forced(Seq2SeqModel(ModelOptions(str(folder), device="cpu", shortlist=False), beams=4))
    short = _forced(Seq2SeqModel(ModelOptions(str(folder), device="cpu", shortlist=True), beams=4))
    sentences = [s for a in bench.corpora(False, args.synthetic)["synthetic"] for s in a]
    inputs = full.encode(sentences)
    runs: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        runs.setdefault("full vocabulary", []).append(
            _time(lambda: full.generate(inputs, bench._forced))
        )
        runs.setdefault("shortlist, unguarded", []).append(
            _time(lambda: short.generate(inputs, bench._forced))
        )
        for rate in RATES:
            with bench.forced_redo(rate):
                took = _time(lambda: short.generate_scored(inputs, bench._forced))
            runs.setdefault(f"guarded, {rate:.0%} redone", []).append(took)
    base = statistics.median(runs["full vocabulary"])
    tokens = sum(map(len, inputs))
    result = {
        "sentences": len(sentences),
        "source_tokens": tokens,
        "signature": str(short.signature()),
        "runs": {
            name: {
                "seconds": [round(t, 2) for t in times],
                "tokens_per_s": round(tokens / statistics.median(times), 1),
                "x_full": round(base / statistics.median(times), 2),
            }
            for name, times in runs.items()
        },
        "machine": bench.machine(),
    }
    for name, found in result["runs"].items():
        print(f"{name:24} {found['tokens_per_s']:8} tok/s  {found['x_full']:5} x full vocabulary")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def _forced(model):
    """Every output exactly its batch's cap, as bench.py forces it."""
    decoding = model._decoding

    def forced(max_new_tokens, settings, *rest):
        return decoding(max_new_tokens, {**settings, "min_new_tokens": max_new_tokens}, *rest)

    model._decoding = forced
    return model


def _time(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
