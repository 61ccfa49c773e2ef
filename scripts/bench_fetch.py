"""From feeds to a briefing, timed: 50 fixture feeds of 20 items each (1,000 articles),
each feed and its pages on its own loopback host (127.0.0.1 to 127.0.0.50: fifty
outlets), fetched by ``fetch_sources``, then translated and summarised (LEAD-3, the
translation memory on, fresh) as ``brief sources.toml`` does.

    python scripts/bench_fetch.py [--feeds 50] [--items 20] [--model toy|opus] [--json FILE]

* fetch, politeness off: no delay between requests to a host, 16 requests at once.
* fetch, politeness on: the defaults (one request at a time per host, 1 s apart, 4
  requests at once, each to another host), robots.txt read from each host as always.
* translate: the fetched articles of the first run, summarised; the share of the wall
  time each part took, and how many sentences the memory gave back: two items of every
  feed are copies of one of five agency dispatches, each copy adding a sentence, so the
  dispatches' sentences are translated once.

``--model toy`` is the test suite's trained toy model (its sentences are the articles'
vocabulary: fast, and real translations); ``opus`` the opus-mt-fr-en-shaped model of
scripts/bench.py (random weights, real dimensions: the real model's cost per token).
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
import bench  # noqa: E402  (the benchmark models and the machine's description)
import fixture_web as fw  # noqa: E402

DISPATCHES = 5
COPIES_PER_FEED = 2


def build_web(feeds: int, items: int) -> tuple[list[fw.FixtureWeb], list[str]]:
    """The fixture outlets: one server per feed, on its own loopback address; the
    sources file's feed addresses."""
    servers, urls = [], []
    dispatches = [
        [" ".join(fw.sentences(9000 + d * 10 + k, 3)) for k in range(4)] for d in range(DISPATCHES)
    ]
    for f in range(feeds):
        server = fw.FixtureWeb(host=f"127.0.0.{f + 1}")
        site, base = server.site, server.base
        site.page("/robots.txt", fw.ROBOTS, "text/plain")
        entries = []
        for n in range(items):
            if n < COPIES_PER_FEED:
                paragraphs = [
                    *dispatches[(f + n) % DISPATCHES],
                    f"Le journaliste {f} attend le projet {n}.",
                ]
            else:  # sentences of its own (numbered), so only the dispatches repeat
                paragraphs = [_own(fw.sentences(f * 1000 + n * 10 + k, 3), f, n) for k in range(4)]
            title = f"{fw.sentences(f * 1000 + n, 1)[0].rstrip('.')} {f * 1000 + n}"
            day = f"2025-07-{1 + n % 28:02d}"
            url = f"{base}/articles/{n}.html"
            site.page(
                f"/articles/{n}.html",
                fw.article_page(title, paragraphs, date=day, url=url, author="AFP"),
            )
            entries.append((title, url, fw.rfc822(day), paragraphs[0]))
        site.page("/rss.xml", fw.rss(f"Outlet {f}", entries), "application/rss+xml")
        servers.append(server)
        urls.append(f"{base}/rss.xml")
    return servers, urls


def _own(sentences: list[str], feed: int, item: int) -> str:
    return " ".join(f"{s[:-1]} {feed * 1000 + item}." for s in sentences)


def timed_fetch(urls: list[str], out: Path, polite: bool) -> dict:
    from translate_news.formats.feeds import Source
    from translate_news.pipeline.fetch import FetchOptions, fetch_sources
    from translate_news.pipeline.web import WebOptions

    sources = [Source(f"Outlet {k}", url) for k, url in enumerate(urls)]
    options = FetchOptions() if polite else FetchOptions(workers=16, web=WebOptions(delay=0.0))
    start = time.perf_counter()
    report = fetch_sources(sources, out, options)
    seconds = time.perf_counter() - start
    items = len(report.written)
    return {
        "politeness": "on (defaults)" if polite else "off",
        "delay_s": options.web.delay,
        "requests_at_once": options.workers,
        "items": items,
        "failed": len(report.failed),
        "seconds": round(seconds, 2),
        "items_per_s": round(items / seconds, 1),
    }


def timed_translation(folder: Path, out: Path, model: Path) -> dict:
    from translate_news import Summarizer, Translator
    from translate_news.pipeline.folder import SummaryWriter, run_folder
    from translate_news.pipeline.memory import TranslationMemory

    memory = out.parent / "memory.sqlite"
    translator = Translator(str(model), device="cpu", memory_path=str(memory))
    summarizer = Summarizer("lead")
    start = time.perf_counter()
    report = run_folder(translator, folder, out, SummaryWriter(summarizer))
    seconds = time.perf_counter() - start
    sentences = sum(_count(p) for p in out.rglob("*.en.json"))
    translated = len(TranslationMemory(str(memory)))
    return {
        "articles": len(report.done),
        "failed": len(report.failed),
        "seconds": round(seconds, 2),
        "articles_per_s": round(len(report.done) / seconds, 2),
        "sentences": sentences,
        "translated_by_the_model": translated,
        "given_back_by_the_memory": sentences - translated,
    }


def _count(record: Path) -> int:
    data = json.loads(record.read_text("utf-8"))["translation"]
    titles = 1 if data.get("title") else 0
    return titles + sum(len(p["sentences"]) for p in data["paragraphs"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--model", choices=["toy", "opus"], default="toy")
    parser.add_argument("--no-polite", action="store_true", help="skip the polite run")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    model = bench.toy_model() if args.model == "toy" else bench.cached_model()
    servers, urls = build_web(args.feeds, args.items)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            runs = [timed_fetch(urls, tmp_path / "fast", polite=False)]
            print(json.dumps(runs[-1]), flush=True)
            translation = timed_translation(tmp_path / "fast", tmp_path / "summaries", model)
            print(json.dumps(translation), flush=True)
            if not args.no_polite:
                runs.append(timed_fetch(urls, tmp_path / "polite", polite=True))
                print(json.dumps(runs[-1]), flush=True)
    finally:
        for server in servers:
            server.close()
    for run in runs:  # of a run's wall time, fetching then translating what it fetched
        run["share_fetching"] = round(run["seconds"] / (run["seconds"] + translation["seconds"]), 3)
    total = runs[0]["seconds"] + translation["seconds"]
    result = {
        "machine": bench.machine(),
        "model": args.model,
        "feeds": args.feeds,
        "items": args.feeds * args.items,
        "fetch": runs,
        "translate": translation,
        "end_to_end_items_per_s": round(runs[0]["items"] / total, 2),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
