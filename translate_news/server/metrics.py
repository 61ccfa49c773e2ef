"""The server's Prometheus metrics, with prometheus_client: requests by path and status,
sentences and characters, callers who left, the sentences per shared batch and each
path's latency; the process's own (memory, CPU, open files) come with it."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
_SECONDS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """One application's metrics, in a registry of their own (two servers in one process,
    as in the tests, count apart)."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "translate_news_requests",
            "Requests answered, by path and status.",
            ["path", "status"],
            registry=registry,
        )
        self.sentences = Counter(
            "translate_news_sentences", "Sentences sent to translation.", registry=registry
        )
        self.characters = Counter(
            "translate_news_characters", "Characters of the texts received.", registry=registry
        )
        self.abandoned = Counter(
            "translate_news_abandoned",
            "Requests whose caller left before their batch ran.",
            registry=registry,
        )
        self.batch_sentences = Histogram(
            "translate_news_batch_sentences",
            "Sentences per batch translated together, across callers.",
            buckets=_SIZES,
            registry=registry,
        )
        self.request_seconds = Histogram(
            "translate_news_request_seconds",
            "Seconds to answer, by path.",
            ["path"],
            buckets=_SECONDS,
            registry=registry,
        )
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        self.largest_batch = 0  # the most sentences one batch has held

    def batch(self, sentences: int) -> None:
        """A batch of ``sentences`` (from every caller waiting) goes to the model."""
        self.batch_sentences.observe(sentences)
        self.largest_batch = max(self.largest_batch, sentences)

    def answered(self, path: str, status: int, seconds: float) -> None:
        self.requests.labels(path=path, status=str(status)).inc()
        self.request_seconds.labels(path=path).observe(seconds)

    def value(self, name: str, **labels: str) -> float:
        """A sample's value (``translate_news_abandoned_total``, ...); 0 before any."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def text(self) -> str:
        """Everything, in Prometheus' text format."""
        return generate_latest(self.registry).decode()
