"""Summaries of translated articles: LEAD-3, or a small seq2seq model over the English.

The model path reuses the engine's machinery: CTranslate2 when it is installed (int8 on
CPU, float16 on CUDA, converted once and cached; transformers otherwise or when asked),
token-budget batches, halving on out-of-memory. Both backends decode with the model's
own generation settings (beams, length penalty, no-repeat n-grams, minimum length,
forced first token), read once from its folder.

An article longer than the model's input limit (1,024 tokens for BART) is never cut:
its paragraphs are packed into chunks under the limit, each chunk is summarised, then
the chunk summaries are summarised, and the result says how many chunks it took.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .backends import (
    BACKENDS,
    Decoding,
    default_batch_tokens,
    generate_all,
    load_backend,
)
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
    then distilbart-cnn-12-6). ``max_tokens``/``min_tokens`` bound a model summary
    (``min_tokens`` None: the model's own minimum). ``backend``, ``compute_type``,
    ``device``, ``threads`` and ``batch_tokens`` mean what they mean for translation."""

    summarizer: str | None = None
    sentences: int = 3
    max_tokens: int = 142
    min_tokens: int | None = None
    beams: int | None = None
    device: str = "auto"
    backend: str = "auto"
    compute_type: str | None = None
    threads: int | None = None
    batch_tokens: int | None = None
    revision: str | None = None
    cache_dir: str | None = None
    local_files_only: bool = False

    def __post_init__(self) -> None:
        if self.sentences < 1:
            raise ValueError(f"sentences must be at least 1, got {self.sentences}")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")
        if self.min_tokens is not None and not 0 <= self.min_tokens <= self.max_tokens:
            raise ValueError("need 0 <= min_tokens <= max_tokens")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")


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
        self.backend, folder = load_backend(
            source,
            kwargs,
            self.tokenizer,
            backend=opts.backend,
            device=opts.device,
            compute_type=opts.compute_type,
            threads=opts.threads,
        )
        config = _read_json(folder / "config.json")
        task = (config.get("task_specific_params") or {}).get("summarization", {})
        t5 = config.get("model_type") == "t5"
        self.prefix = task.get("prefix") or ("summarize: " if t5 else "")
        self.limit = min(
            config.get("max_position_embeddings") or 512,
            self.tokenizer.model_max_length or 512,
        )
        self.decoding = _decoding(folder, opts)
        self.beams = self.decoding.beams
        self.batch_tokens = opts.batch_tokens or default_batch_tokens(
            self.backend.device, self.backend.name, self.beams
        )
        self.name = source.name

    def summarize(self, article: TranslatedArticle) -> Summary:
        """Summarise a translated article."""
        return self.summarize_many([article])[0]

    def summarize_many(self, articles: Sequence[TranslatedArticle]) -> list[Summary]:
        """Summarise several articles at once: their chunks are decoded together, in
        concurrent batches, and each summary is the one it would get alone."""
        if self.name == LEAD:
            return [
                Summary(lead(a, self.options.sentences), "lead", 1, self.options) for a in articles
            ]
        return self.summarize_paragraph_lists([_english_paragraphs(a) for a in articles])

    def summarize_paragraphs(self, paragraphs: Sequence[str]) -> Summary:
        """Summarise English paragraphs with the model, chunking what does not fit."""
        return self.summarize_paragraph_lists([paragraphs])[0]

    def summarize_paragraph_lists(self, documents: Sequence[Sequence[str]]) -> list[Summary]:
        """Summarise each list of English paragraphs: chunks first, then the chunks'
        summaries, level by level, every document's pieces of a level decoded together.

        When a level's summaries cannot be packed into fewer chunks (each summary nearly
        as long as the model's input: ``max_tokens`` too large for the model), the
        summary is those summaries joined, rather than a loop that never ends.
        """
        groups = [self._chunks([p for p in paragraphs if p.strip()]) for paragraphs in documents]
        texts = ["" for _ in groups]
        todo = {i: group for i, group in enumerate(groups) if group}
        while todo:
            outputs = iter(self._generate([piece for group in todo.values() for piece in group]))
            level = {i: [next(outputs) for _ in group] for i, group in todo.items()}
            todo = {}
            for i, summaries in level.items():
                chunks = self._chunks(summaries) if len(summaries) > 1 else summaries
                if len(chunks) < len(summaries):
                    todo[i] = chunks
                else:
                    texts[i] = " ".join(summaries)
        return [
            Summary(text, self.name, len(group), self.options) for text, group in zip(texts, groups)
        ]

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
        batches = token_budget_batches([len(x) for x in ids], self.batch_tokens)
        jobs = [([ids[i] for i in batch], self.decoding) for batch in batches]
        outputs: list[list[int]] = [[] for _ in texts]
        for batch, outs in zip(batches, generate_all(self.backend, jobs)):
            for index, out in zip(batch, outs):
                outputs[index] = out
        decoded = self.tokenizer.batch_decode(outputs, skip_special_tokens=True)
        return [" ".join(text.split()) for text in decoded]


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _decoding(folder: Path, opts: SummaryOptions) -> Decoding:
    """The model's generation settings (``generation_config.json``, else the same keys
    in ``config.json``, as transformers reads them), bounded by ``opts``."""
    settings = _read_json(folder / "generation_config.json") or _read_json(folder / "config.json")
    if opts.min_tokens is not None:
        minimum = opts.min_tokens
    else:  # transformers counts the decoder start token in min_length
        minimum = (settings.get("min_length") or 0) - 1
    # At least one token, as CTranslate2 always decodes: an empty summary says nothing.
    minimum = max(1, minimum)
    forced_eos = settings.get("forced_eos_token_id") is not None
    return Decoding(
        beams=opts.beams or settings.get("num_beams") or 1,
        max_new_tokens=opts.max_tokens,
        # A forced end takes the last place: the words can fill the others at most.
        min_new_tokens=min(minimum, opts.max_tokens - forced_eos),
        no_repeat_ngram_size=settings.get("no_repeat_ngram_size") or 0,
        repetition_penalty=settings.get("repetition_penalty") or 1.0,
        length_penalty=settings.get("length_penalty") or 1.0,
        forced_bos=settings.get("forced_bos_token_id"),
        forced_eos=forced_eos,
    )


def _english_paragraphs(article: TranslatedArticle) -> list[str]:
    """The article's body text in English: its text paragraphs, else everything."""
    paragraphs = [p.text for p in article.paragraphs if p.kind == "text" and not p.language]
    return paragraphs or [p.text for p in article.paragraphs]
