"""The folder run on a Ray cluster (``--ray``): the same outputs as the local run.

The driver reads the inputs (:func:`translate_news.pipeline.folder.pending`) into a Ray Dataset
of (article, output path) rows; ``map_batches`` runs :class:`_Worker`, an actor class
that loads the translator (and summariser) once per actor, over an actor pool: one GPU
per actor when the cluster has GPUs, else ``threads`` CPUs each. Each actor processes
its batches with :func:`translate_news.pipeline.folder.process`, exactly as the local run does:
the same fingerprints (a rerun skips what is done), the same file names and JSON, the
same atomic writes, the same failure lines. Outputs go to ``-o``, which every worker
must be able to write (one machine, or a shared file system on a cluster).

The translation memory: each actor opens its own (the default path is in each node's
user cache, so the actors of a node share that node's memory), with a connection per
thread. A memory on a network file system is refused before Ray starts, since SQLite's
WAL mode does not work there (see :mod:`translate_news.pipeline.memory`).

An article that fails is recorded with its reason, not retried. An actor that dies
mid-batch (killed, out of memory) is restarted by Ray and its batch run again; writes
are atomic and skip what is done, so nothing is half-written or written twice.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from translate_news.core.errors import UsageError
from translate_news.core.options import SummaryOptions, TranslateOptions
from translate_news.formats.readers import ReadOptions
from translate_news.pipeline.folder import (
    OnEvent,
    Report,
    SummaryWriter,
    TranslationWriter,
    pending,
    process,
)

# How many articles one Ray batch carries: a window of the local run.
BATCH = 32


def require_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError('the --ray run needs Ray: pip install "translate-news[ray]"') from None
    return ray


@dataclasses.dataclass(frozen=True)
class Job:
    """What each worker needs to rebuild the run's outputs (picklable)."""

    options: TranslateOptions
    summary: SummaryOptions | None  # None: translations only
    fmt: str
    force: bool
    pages: bool
    out_dir: str
    # How each worker makes its translator (None: Translator(options=...)); a benchmark
    # passes one that forces output lengths.
    make_translator: Callable[[TranslateOptions], Any] | None = None


class _Worker:
    """One Ray actor: the models loaded once, then batches of articles processed."""

    def __init__(self, job: Job) -> None:
        from translate_news.pipeline.summarizer import Summarizer
        from translate_news.pipeline.translator import Translator

        self.job = job
        make = job.make_translator or (lambda options: Translator(options=options))
        self.translator = make(job.options)
        self.outputs: TranslationWriter | SummaryWriter
        if job.summary is None:
            self.outputs = TranslationWriter(job.fmt, force=job.force, translator=self.translator)
        else:
            summarizer = Summarizer(options=job.summary)
            self.outputs = SummaryWriter(summarizer, force=job.force, pages=job.pages)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        from translate_news.core.errors import FatalError

        window = [
            (pickle.loads(article), Path(target))
            for article, target in zip(batch["article"], batch["target"])
        ]
        report = Report()
        try:
            process(self.translator, self.outputs, Path(self.job.out_dir), window, report)
        except FatalError as exc:
            report.stopped = str(exc)
        return {"report": [pickle.dumps(report)]}


def run_on_ray(
    root: Path,
    job: Job,
    reading: ReadOptions,
    *,
    address: str | None = None,
    workers: int | None = None,
    on_event: OnEvent | None = None,
) -> Report:
    """Run the folder job on Ray (``address``: "auto", "ray://host:port", or None for a
    local instance started here); the merged :class:`Report`."""
    ray = require_ray()
    if job.options.memory:  # before Ray starts: every actor would refuse it
        from translate_news.core.paths import default_memory
        from translate_news.pipeline.memory import check_local

        check_local(job.options.memory_path or default_memory())
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    try:
        return _run(ray, root, job, reading, workers, on_event or (lambda *a: None))
    finally:
        if started_here:
            ray.shutdown()


def _run(
    ray: Any,
    root: Path,
    job: Job,
    reading: ReadOptions,
    workers: int | None,
    on_event: Callable[[str, str, str], None],
) -> Report:
    report = Report()
    rows = [
        {"article": pickle.dumps(article), "target": str(target)}
        for article, target in pending(
            root, Path(job.out_dir), "json" if job.summary else job.fmt, reading, report, on_event
        )
    ]
    if not rows:
        return report
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    threads = job.options.model.threads or 1
    if workers is None:
        workers = gpus or max(1, int(resources.get("CPU", 1)) // threads)
    # The options go to the workers as they are (they are recorded in every output, which
    # must be the local run's byte for byte): --threads sizes each actor's CPU share.
    dataset = ray.data.from_items(rows)
    results = dataset.map_batches(
        _Worker,
        fn_constructor_args=(job,),
        batch_size=BATCH,
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_gpus=1 if gpus else 0,
        num_cpus=threads,
        # An actor that dies is restarted and its batch runs again: Ray Data's default for
        # actor pools (max_restarts and max_task_retries -1), which passing them ourselves
        # would only repeat through ray_remote_args, deprecated (to go in Ray 2.64).
    )
    for row in results.iter_rows():
        part: Report = pickle.loads(row["report"])
        for field in ("done", "skipped", "failed", "passed_over", "flagged"):
            getattr(report, field).extend(getattr(part, field))
        report.stopped = report.stopped or part.stopped
        for target in part.done:
            on_event("done", target, target)
        for source, message in part.failed:
            on_event("failed", source, message)
    return report
