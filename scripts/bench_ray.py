"""The folder run locally against Ray with 1 and 2 workers, on synthetic articles.

    python scripts/bench_ray.py [--articles 200] [--json FILE]

Each article is two sentences of bench.py's synthetic corpus; the model is the
opus-mt-fr-en-shaped one of bench.py (random weights, every output forced to 1.2 x its
batch's longest source, beam 4). Each run translates the whole folder into a fresh
output folder (JSON), model loading included, on a local Ray instance started once
beforehand (its start-up is reported apart). Printed and saved: seconds, articles per
second, and Ray's overhead per article against the local run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]


def forced(options):
    """Each worker's translator: bench.py's forced-length one (pickled by value)."""
    sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]  # in a Ray worker too
    import bench

    return bench.forced_translator(options.model.name, options=options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    import bench
    import ray

    from translate_news.core.options import ModelOptions, TranslateOptions
    from translate_news.formats.readers import DEFAULT_READ
    from translate_news.pipeline.cluster import Job, _run
    from translate_news.pipeline.folder import TranslationWriter, run_folder

    model = bench.cached_model("opus-mt-fr-en")
    options = TranslateOptions(model=ModelOptions(str(model)), memory=False)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i, article in enumerate(bench.corpora(False, args.articles)["synthetic"]):
            (folder / f"{i:04}.txt").write_text("\n\n".join(article) + "\n", encoding="utf-8")
        tokens = sum(
            len(s.split()) for a in bench.corpora(False, args.articles)["synthetic"] for s in a
        )

        start = time.perf_counter()
        translator = forced(options)
        report = run_folder(translator, folder, Path(tmp) / "local", TranslationWriter("json"))
        runs.append(
            {"run": "local", "seconds": time.perf_counter() - start, "done": len(report.done)}
        )
        del translator

        start = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - start
        for workers in (1, 2):
            job = Job(options, None, "json", False, False, str(Path(tmp) / f"ray{workers}"), forced)
            start = time.perf_counter()
            report = _run(ray, folder, job, DEFAULT_READ, workers, lambda *a: None)
            runs.append(
                {"run": f"ray, {workers} worker(s)", "seconds": time.perf_counter() - start,
                 "done": len(report.done)}
            )  # fmt: skip
        ray.shutdown()
    local = runs[0]["seconds"]
    for run in runs:
        run["seconds"] = round(run["seconds"], 2)
        run["articles_per_s"] = round(run["done"] / run["seconds"], 2)
        run["overhead_per_article_s"] = round((run["seconds"] - local) / max(1, run["done"]), 3)
        print(
            f"{run['run']:18} {run['seconds']:8.2f} s  {run['articles_per_s']:6.2f} articles/s"
            f"  overhead {run['overhead_per_article_s']:+.3f} s/article",
            file=sys.stderr,
        )
    print(f"ray.init: {ray_start:.1f} s (once)", file=sys.stderr)
    if args.json:
        report = {"machine": bench.machine(), "articles": args.articles, "words": tokens,
                  "ray_init_s": round(ray_start, 1), "runs": runs}  # fmt: skip
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
