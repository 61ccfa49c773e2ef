"""What confidence costs: translating with each sentence scored (``generate_scored``:
each batch's teacher-forced pass over the full vocabulary submitted as soon as its beam
search ends) against translating alone (``generate``), on the opus-mt-fr-en-shaped model.

    python scripts/bench_confidence.py [--synthetic N] [--rounds R] [--json FILE]

The model is scripts/bench.py's (random weights, opus-mt-fr-en's shape, built once into
the user cache); every output is forced to 1.2 x its batch's longest source, as in
bench.py, so that a random model writes the lengths a real one would. Both run in the
default engine's token-budget batches (CTranslate2 int8 on CPU, beam 4), one after the
other in each round. Prints and saves the seconds of each and the extra time, per round
and the median.
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

import bench  # noqa: E402  (the benchmark model and corpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=200, help="articles of 2 sentences")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from translate_news.core.options import ModelOptions
    from translate_news.seq2seq.model import Seq2SeqModel

    # The full vocabulary: the cost of the confidence alone (with the map bench.py builds,
    # the guard would redo every sentence of these random weights: bench_guard.py).
    options = ModelOptions(str(bench.cached_model()), device="cpu", shortlist=False)
    model = Seq2SeqModel(options, beams=4)
    decoding = model._decoding  # every output exactly its batch's cap, as bench.py forces

    def forced(max_new_tokens, settings, *rest):
        return decoding(max_new_tokens, {**settings, "min_new_tokens": max_new_tokens}, *rest)

    model._decoding = forced
    articles = bench.corpora(False, args.synthetic)["synthetic"]
    sentences = [s for article in articles for s in article]
    inputs = model.encode(sentences)
    rounds = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        model.generate(inputs, bench._forced)
        plain = time.perf_counter() - started
        started = time.perf_counter()
        model.generate_scored(inputs, bench._forced)
        scored = time.perf_counter() - started
        ratio = scored / plain - 1
        rounds.append(
            {"translate_s": round(plain, 3), "scored_s": round(scored, 3), "ratio": ratio}
        )
        print(f"translate {plain:.2f} s  translate and score {scored:.2f} s  cost {ratio:+.1%}")
    result = {
        "model": "opus-mt-fr-en-shaped",
        "signature": str(model.signature()),
        "sentences": len(sentences),
        "source_tokens": sum(map(len, inputs)),
        "rounds": rounds,
        "median_ratio": statistics.median(r["ratio"] for r in rounds),
        "machine": bench.machine(),
    }
    print(f"median: confidence costs {result['median_ratio']:.1%} of translation time")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
