"""Summaries of translated articles: LEAD-3, or a small seq2seq model over the English.

The model path reuses the engine's machinery (the torch backend, token-budget batches,
halving on out-of-memory). An article longer than the model's input limit (1,024 tokens
for BART) is never cut: its paragraphs are packed into chunks under the limit, each
chunk is summarised, then the chunk summaries are summarised, and the result says how
many chunks it took.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from .backends import Decoding, generate_all, load_torch_backend
from .batching import token_budget_batches
from .engine import TranslatedArticle
from .guard import split_long
from .models import hub_kwargs, load_pretrained, resolve_model, tokenizer_class

DEFAULT_SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
SUMMARIZER_ENV = "TRANSLATE_NEWS_SUMMARIZER"
LEAD = "lead"


@dataclass(frozen=True)
class SummaryOptions:
    """How to summarise. ``summarizer`` is "lead" (the first ``sentences`` sentences, no
    model), a Hub id or a local seq2seq directory (None: ``$TRANSLATE_NEWS_SUMMARIZER``,
    then distilbart-cnn-12-6). ``max_tokens``/``min_tokens`` bound a model summary."""

    summarizer: str | None = None
    sentences: int = 3
    max_tokens: int = 142
    min_tokens: int = 0
    beams: int | None = None
    device: str = "auto"
    batch_tokens: int = 8192
    revision: str | None = None
    cache_dir: str | None = None
    local_files_only: bool = False

    def __post_init__(self) -> None:
        if self.sentences < 1:
            raise ValueError(f"sentences must be at least 1, got {self.sentences}")
        if not 0 <= self.min_tokens <= self.max_tokens:
            raise ValueError("need 0 <= min_tokens <= max_tokens")


@dataclass(frozen=True)
class Summary:
    """A summary, what made it, and into how many chunks the article had to be cut."""

    text: str
    method: str
    chunks: int
    options: SummaryOptions


def lead(article: TranslatedArticle, sentences: int = 3) -> str:
    """The first ``sentences`` translated sentences of the article's text paragraphs."""
    picked: list[str] = []
    for paragraph in article.paragraphs:
        if paragraph.kind != "text" or paragraph.language:
            continue
        picked += [pair.translation for pair in paragraph.sentences if pair.translation]
        if len(picked) >= sentences:
            break
    return " ".join(picked[:sentences])


class Summarizer:
    """A loaded summariser (or LEAD-k when ``summarizer="lead"``); load once, then
    :meth:`summarize` translated articles or :meth:`summarize_paragraphs` plain English."""

    def __init__(
        self,
        summarizer: str | None = None,
        *,
        options: SummaryOptions | None = None,
        **overrides: Any,
    ) -> None:
        options = options or SummaryOptions()
        if summarizer is not None:
            overrides["summarizer"] = summarizer
        self.options = replace(options, **overrides) if overrides else options
        self.name = LEAD
        if self.options.summarizer != LEAD:
            self._load()

    def _load(self) -> None:
        opts = self.options
        source = resolve_model(
            opts.summarizer, default=DEFAULT_SUMMARIZER, env=SUMMARIZER_ENV, revision=opts.revision
        )
        kwargs = hub_kwargs(source, opts.cache_dir, opts.local_files_only)
        self.tokenizer = load_pretrained(tokenizer_class(source, kwargs), source, **kwargs)
        self.backend = load_torch_backend(source, kwargs, opts.device, None, self.tokenizer)
        config = self.backend.model.config
        task = (getattr(config, "task_specific_params", None) or {}).get("summarization", {})
        self.prefix = task.get("prefix") or ("summarize: " if config.model_type == "t5" else "")
        self.limit = min(
            getattr(config, "max_position_embeddings", None) or 512,
            self.tokenizer.model_max_length or 512,
        )
        generation = self.backend.model.generation_config
        self.beams = opts.beams or generation.num_beams or 1
        self.name = source.name

    def summarize(self, article: TranslatedArticle) -> Summary:
        """Summarise a translated article."""
        if self.name == LEAD:
            return Summary(lead(article, self.options.sentences), "lead", 1, self.options)
        paragraphs = [p.text for p in article.paragraphs if p.kind == "text" and not p.language]
        return self.summarize_paragraphs(paragraphs or [p.text for p in article.paragraphs])

    def summarize_paragraphs(self, paragraphs: Sequence[str]) -> Summary:
        """Summarise English paragraphs with the model, chunking what does not fit."""
        chunks = self._chunks([p for p in paragraphs if p.strip()])
        summaries = self._generate(chunks)
        while len(summaries) > 1:
            summaries = self._generate(self._chunks(summaries))
        return Summary(summaries[0] if summaries else "", self.name, len(chunks), self.options)

    def _count(self, text: str) -> int:
        return len(self.tokenizer(self.prefix + text, truncation=False)["input_ids"])

    def _chunks(self, paragraphs: list[str]) -> list[str]:
        """Paragraphs packed into chunks that fit the model's input, in order."""
        pieces = [piece for p in paragraphs for piece in split_long(p, self._count, self.limit)]
        chunks: list[str] = []
        for piece in pieces:
            candidate = f"{chunks[-1]}\n{piece}" if chunks else piece
            if chunks and self._count(candidate) <= self.limit:
                chunks[-1] = candidate
            else:
                chunks.append(piece)
        return chunks

    def _generate(self, texts: list[str]) -> list[str]:
        if not texts:
            return []
        ids = self.tokenizer([self.prefix + t for t in texts], truncation=False)["input_ids"]
        decoding = Decoding(self.beams, self.options.max_tokens, self.options.min_tokens)
        batches = token_budget_batches([len(x) for x in ids], self.options.batch_tokens)
        jobs = [([ids[i] for i in batch], decoding) for batch in batches]
        outputs: list[list[int]] = [[] for _ in texts]
        for batch, outs in zip(batches, generate_all(self.backend, jobs)):
            for index, out in zip(batch, outs):
                outputs[index] = out
        decoded = self.tokenizer.batch_decode(outputs, skip_special_tokens=True)
        return [" ".join(text.split()) for text in decoded]
