"""Load benchmark of translate-news serve, on loopback only.

    python scripts/bench_server.py [--requests N] [--clients 1,8,32] [--json FILE]

A server is started in this process on 127.0.0.1 with the opus-mt-fr-en-shaped model of
scripts/bench.py (random weights; every output forced to 1.2 x its batch's longest
source, as there), once with batching across callers and once one request at a time.
For each number of concurrent clients, N requests (each one distinct sentence of
bench.py's synthetic corpus) are sent as fast as the clients can, and requests per second and the
p50 and p95 latencies are printed and saved. The engine alone (the same N sentences in one
call, no HTTP) is timed first: at C clients in flight no server can answer in under
C / its sentences per second on average.

The server runs as ``serve`` does by default, with the translation memory on (a fresh
one in a temporary folder, so that every request of the runs above misses it). Then the
first run's requests are sent again, at 1 client and at the largest count: each is a
memory hit, and their latency is printed and saved too.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]


def serve(translator, together: bool):
    """A uvicorn server on a free loopback port; returns (url, server, thread)."""
    import uvicorn

    from translate_news.server.app import create_app
    from translate_news.server.limits import ServerLimits

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(translator, ServerLimits(), together)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def load(url: str, sentences: list[str], clients: int, requests: int, offset: int) -> dict:
    """``requests`` POST /translate from ``clients`` threads; throughput and latency."""
    import httpx

    latencies: list[float] = []

    def one(i: int, client: httpx.Client) -> None:
        start = time.perf_counter()
        q = sentences[(offset + i) % len(sentences)]
        answer = client.post(f"{url}/translate", json={"q": q})
        answer.raise_for_status()
        latencies.append(time.perf_counter() - start)

    with httpx.Client(timeout=600) as client, ThreadPoolExecutor(clients) as pool:
        start = time.perf_counter()
        list(pool.map(lambda i: one(i, client), range(requests)))
        seconds = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": requests,
        "seconds": round(seconds, 2),
        "requests_per_s": round(requests / seconds, 2),
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
    }


def engine_alone(translator, sentences: list[str]) -> dict:
    """The engine's own throughput with no HTTP and every sentence in one call: the most
    sentences a second any server on this machine can answer, which bounds its mean
    latency from below at N clients in flight to N / this (Little's law). The texts are
    split as the server splits a request's ``q`` (a text of two sentences is two units),
    so that this does the server's work."""
    from translate_news.pipeline.translator import plan_text

    start = time.perf_counter()
    translator.translate_checked([unit for text in sentences for unit in plan_text(text)[0]])
    seconds = time.perf_counter() - start
    return {
        "sentences": len(sentences),
        "seconds": round(seconds, 2),
        "sentences_per_s": round(len(sentences) / seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=96, help="per client count")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    import bench

    # Distinct sentences (bench.py's synthetic corpus), so that no request is answered
    # by another's translation of the same sentence.
    synthetic = bench.corpora(False, 400)["synthetic"]
    sentences = [s for article in synthetic for s in article]
    memory = Path(tempfile.mkdtemp(prefix="bench-server-")) / "memory.sqlite"
    translator = bench.forced_translator(
        bench.cached_model("opus-mt-fr-en"), memory_path=str(memory)
    )
    translator.translate(sentences[-2:])  # warm (sentences no run below sends)
    alone = bench.forced_translator(bench.cached_model("opus-mt-fr-en"), memory=False)
    engine = engine_alone(alone, sentences[: args.requests])
    del alone
    clients = [int(c) for c in args.clients.split(",")]
    print(
        f"engine alone, {engine['sentences']} sentences in one call: "
        f"{engine['sentences_per_s']:.2f} sentences/s; so at {max(clients)} clients in "
        f"flight no server can answer in under {max(clients) / engine['sentences_per_s']:.2f} s "
        "on average (Little's law)",
        file=sys.stderr,
    )
    runs = []
    for together in (True, False):
        url, server, thread = serve(translator, together)
        for count in clients:
            run = load(url, sentences, count, args.requests, offset=len(runs) * args.requests)
            run["batching"] = "across callers" if together else "one request at a time"
            runs.append(run)
            print(
                f"{run['batching']:22} {count:3d} clients: {run['requests_per_s']:7.2f} req/s"
                f"  p50 {run['p50_s']:6.2f} s  p95 {run['p95_s']:6.2f} s",
                file=sys.stderr,
            )
        if together:  # the first run's requests again: every one a memory hit
            hits = []
            for count in (1, max(clients)):
                run = load(url, sentences, count, args.requests, offset=0)
                hits.append(run)
                print(
                    f"{'memory hits':22} {count:3d} clients: {run['requests_per_s']:7.2f} req/s"
                    f"  p50 {run['p50_s'] * 1000:6.1f} ms  p95 {run['p95_s'] * 1000:6.1f} ms",
                    file=sys.stderr,
                )
        server.should_exit = True
        thread.join(10)
    if args.json:
        report = {
            "machine": bench.machine(),
            "memory": "on (empty at the start)",
            "engine_alone": engine,
            "runs": runs,
            "memory_hits": hits,
        }
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
