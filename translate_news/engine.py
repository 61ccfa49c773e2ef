"""The translation engine: one loaded model, sentences in, English out, in batches.

Data flows one way: articles -> paragraphs -> a flat list of sentences (with the
whitespace between them kept aside) -> unique sentences, sorted by token length, cut
into token-budget batches -> translations, restored to document order -> the same
paragraphs in English.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .article import Article, Paragraph
from .backends import (
    BACKENDS,
    BackendUnavailable,
    Decoding,
    cache_root,
    default_batch_tokens,
    fall_back,
    generate_all,
    generate_halving,
    load_backend,
    load_torch_backend,
    model_fingerprint,
)
from .batching import token_budget_batches
from .guard import is_runaway, split_long
from .language import mark_languages
from .memory import TranslationMemory
from .models import (
    ModelSource,
    hub_kwargs,
    load_pretrained,
    resolve_model,
    tokenizer_class,
)
from .segment import sentence_spans

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class TranslateOptions:
    """How to translate; shared by the CLI, the Python API and every command.

    ``model`` is an alias, a Hub id or a local directory (None: the resolution order
    in :mod:`translate_news.models`). ``backend`` "auto" uses CTranslate2 when it is
    installed (int8 on CPU, float16 on CUDA; ``compute_type`` overrides) and torch
    otherwise. ``beams`` None uses the model's generation config. ``batch_tokens``
    bounds the padded source tokens of one batch (None: on CUDA 8192 with CTranslate2,
    1024 with transformers; 2048 / beams on CPU, where beam search runs faster and
    leaner on small batches).
    ``threads`` None uses every core.
    ``memory`` keeps translations in a SQLite translation memory at ``memory_path``
    (default: the user cache). ``detect_language`` passes paragraphs that are confidently
    not French through untranslated, marked. ``force_length_ratio`` is for benchmarks only: every
    output is forced to that many times its batch's longest source, guards off.
    """

    model: str | None = None
    backend: str = "auto"
    device: str = "auto"
    compute_type: str | None = None
    beams: int | None = None
    batch_tokens: int | None = None
    threads: int | None = None
    memory: bool = True
    memory_path: str | None = None
    revision: str | None = None
    cache_dir: str | None = None
    local_files_only: bool = False
    articles_per_window: int = 32
    force_length_ratio: float | None = None
    detect_language: bool = True

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.beams is not None and self.beams < 1:
            raise ValueError(f"beams must be at least 1, got {self.beams}")
        if self.batch_tokens is not None and self.batch_tokens < 1:
            raise ValueError(f"batch_tokens must be positive, got {self.batch_tokens}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")


@dataclass(frozen=True)
class SentencePair:
    """A source sentence and its English; ``translated`` is False for what passes
    through untouched (photo credits)."""

    source: str
    translation: str
    translated: bool = True


@dataclass(frozen=True)
class TranslatedParagraph:
    """A paragraph in English, sentence by sentence, with the source whitespace kept."""

    kind: str
    sentences: tuple[SentencePair, ...]
    separators: tuple[str, ...] = ()
    language: str | None = None  # the source language when it was not French

    @property
    def source(self) -> str:
        return self._join(pair.source for pair in self.sentences)

    @property
    def text(self) -> str:
        return self._join(pair.translation for pair in self.sentences)

    def _join(self, parts: Iterable[str]) -> str:
        parts = list(parts)
        out = parts[:1]
        for separator, part in zip(self.separators, parts[1:]):
            out += [separator, part]
        return "".join(out)


@dataclass(frozen=True)
class TranslatedArticle:
    """An article in English, with what produced it (model and options)."""

    title: SentencePair | None
    date: str | None
    paragraphs: tuple[TranslatedParagraph, ...]
    model: str
    options: TranslateOptions
    path: str | None = None


@dataclass
class _Units:
    """The sentences of some articles as one flat list, and how to put them back."""

    sentences: list[str] = field(default_factory=list)

    def add(self, text: str) -> int:
        self.sentences.append(text)
        return len(self.sentences) - 1


class Translator:
    """A loaded translation model. Load once, then translate strings, sentence lists or
    whole articles::

        translator = Translator("Helsinki-NLP/opus-mt-fr-en", device="cpu")
        translator.translate(["Le chat dort.", "Il pleut."])
    """

    def __init__(
        self, model: str | None = None, *, options: TranslateOptions | None = None, **overrides: Any
    ) -> None:
        options = options or TranslateOptions()
        if model is not None:
            overrides["model"] = model
        if overrides:
            options = TranslateOptions(**{**options.__dict__, **overrides})
        self.options = options
        self.source: ModelSource = resolve_model(options.model, revision=options.revision)
        self._load()

    def _load(self) -> None:
        opts = self.options
        kwargs = hub_kwargs(self.source, opts.cache_dir, opts.local_files_only)
        self.tokenizer = load_pretrained(
            tokenizer_class(self.source, kwargs), self.source, **kwargs
        )
        self.backend, self.model_dir = load_backend(
            self.source,
            kwargs,
            self.tokenizer,
            backend=opts.backend,
            device=opts.device,
            compute_type=opts.compute_type,
            threads=opts.threads,
        )
        self.device = self.backend.device
        config = _read_config(self.model_dir)
        self.max_input_tokens = min(
            config.get("max_position_embeddings") or 512, self.tokenizer.model_max_length or 512
        )
        generation = _read_config(self.model_dir, "generation_config.json")
        self.beams = opts.beams or generation.get("num_beams") or config.get("num_beams") or 1
        self.batch_tokens = opts.batch_tokens or self._default_batch_tokens()
        self.memory = None
        if opts.memory and opts.force_length_ratio is None:
            path = opts.memory_path or cache_root() / "memory.sqlite"
            self.memory = TranslationMemory(path, self.signature)

    def _default_batch_tokens(self) -> int:
        return default_batch_tokens(self.device, self.backend.name, self.beams)

    def _fall_back_to_torch(self, exc: BackendUnavailable) -> None:
        """CTranslate2 failed on its first GPU batch: reload with transformers."""
        fall_back(exc, self.options.backend)
        opts = self.options
        kwargs = hub_kwargs(self.source, opts.cache_dir, opts.local_files_only)
        self.backend = load_torch_backend(
            self.source, kwargs, opts.device, opts.threads, self.tokenizer
        )
        self.device = self.backend.device
        self.batch_tokens = opts.batch_tokens or self._default_batch_tokens()
        if self.memory is not None:
            self.memory = TranslationMemory(self.memory.path, self.signature)

    @functools.cached_property
    def fingerprint(self) -> str:
        """A hash of the model directory (read once: vocabularies can be megabytes)."""
        return model_fingerprint(self.model_dir)

    @property
    def signature(self) -> str:
        """What determines a translation: model, backend, precision and decoding."""
        return (
            f"{self.fingerprint}|{self.backend.name}|{self.backend.precision}"
            f"|beams={self.beams}|cap=2x+10|guard=v1|force={self.options.force_length_ratio}"
        )

    # --- sentences -------------------------------------------------------------

    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate sentences; identical sentences are translated once, order is kept,
        and remembered translations come from the translation memory."""
        cleaned = [" ".join(sentence.split()) for sentence in sentences]
        unique = list(dict.fromkeys(s for s in cleaned if s))
        done = self.memory.get_many(unique) if self.memory is not None else {}
        todo = [s for s in unique if s not in done]
        fresh = dict(zip(todo, self._translate_unique(todo)))
        if self.memory is not None:
            self.memory.put_many(fresh)
        done.update(fresh)
        done[""] = ""
        return [done[sentence] for sentence in cleaned]

    def _translate_unique(self, sentences: list[str]) -> list[str]:
        """Translate distinct sentences; over-long ones go through in pieces."""
        if not sentences:
            return []
        ids = self.tokenizer(sentences, truncation=False)["input_ids"]
        units: list[list[int]] = []
        owners: list[list[int]] = []  # unit indices of each sentence
        for sentence, sentence_ids in zip(sentences, ids):
            if len(sentence_ids) <= self.max_input_tokens:
                owners.append([len(units)])
                units.append(sentence_ids)
                continue
            pieces = split_long(sentence, self._count_tokens, self.max_input_tokens)
            piece_ids = self.tokenizer(pieces, truncation=False)["input_ids"]
            owners.append(list(range(len(units), len(units) + len(pieces))))
            units.extend(piece_ids)
        texts = self._translate_ids(units)
        return [" ".join(texts[i] for i in owned) for owned in owners]

    def _count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, truncation=False)["input_ids"])

    def output_cap(self, source_tokens: int) -> int:
        """The most tokens generated for a source of ``source_tokens`` tokens."""
        return min(2 * source_tokens + 10, self.max_input_tokens)

    def _translate_ids(self, units: list[list[int]]) -> list[str]:
        outputs: list[list[int]] = [[] for _ in units]
        force = self.options.force_length_ratio
        batches = token_budget_batches([len(x) for x in units], self.batch_tokens)
        jobs = []
        for batch in batches:
            longest = max(len(units[i]) for i in batch)
            if force is None:
                decoding = Decoding(self.beams, self.output_cap(longest))
            else:
                length = max(1, round(force * longest))
                decoding = Decoding(self.beams, length, min_new_tokens=length)
            jobs.append(([units[i] for i in batch], decoding))
        try:
            results = generate_all(self.backend, jobs)
        except BackendUnavailable as exc:
            self._fall_back_to_torch(exc)
            return self._translate_ids(units)
        for batch, outs in zip(batches, results):
            for index, out in zip(batch, outs):
                outputs[index] = out
        if force is None:
            for index, out in enumerate(outputs):
                cap = self.output_cap(len(units[index]))
                if is_runaway(len(units[index]), out, cap):
                    # A loop, or the batch's cap let it run past its own: translate it
                    # again alone, with loops forbidden, so its neighbours never matter.
                    safe = Decoding(self.beams, cap, no_repeat_ngram_size=3, repetition_penalty=1.2)
                    outputs[index] = generate_halving(self.backend, [units[index]], safe)[0]
        return self.tokenizer.batch_decode(outputs, skip_special_tokens=True)

    # --- documents -------------------------------------------------------------

    def translate_text(self, text: str) -> str:
        """Translate French text; paragraphs, line breaks and spacing are kept."""
        units = _Units()
        paragraph = _split(units, Paragraph(text))
        return _assemble(paragraph, self.translate(units.sentences)).text

    def translate_article(self, article: Article) -> TranslatedArticle:
        """Translate one article; see :meth:`translate_articles`."""
        return next(iter(self.translate_articles([article])))

    def translate_articles(self, articles: Iterable[Article]) -> Iterator[TranslatedArticle]:
        """Translate articles lazily: each window of articles goes through as one flat,
        length-sorted list of sentences, so a long stream never sits in memory."""
        iterator = iter(articles)
        while window := list(itertools.islice(iterator, self.options.articles_per_window)):
            units = _Units()
            plans = [_plan(units, a, self.options.detect_language) for a in window]
            translations = self.translate(units.sentences)
            for article, (title, paragraphs) in zip(window, plans):
                yield TranslatedArticle(
                    title=None if title is None else _pair(title, translations),
                    date=article.date,
                    paragraphs=tuple(_assemble(p, translations) for p in paragraphs),
                    model=self.source.name,
                    options=self.options,
                    path=article.path,
                )


def _read_config(model_dir: Path, name: str = "config.json") -> dict[str, Any]:
    path = model_dir / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


# A planned paragraph: (kind, [(source sentence, unit index or None)], separators, language)
_Plan = tuple[str, list[tuple[str, int | None]], list[str], str | None]


def _plan(
    units: _Units, article: Article, detect_language: bool
) -> tuple[tuple[str, int] | None, list[_Plan]]:
    title = None if article.title is None else (article.title, units.add(article.title))
    if detect_language:
        article = mark_languages(article)
    return title, [_split(units, paragraph) for paragraph in article.paragraphs]


def _split(units: _Units, paragraph: Paragraph) -> _Plan:
    if paragraph.language is not None:  # not French: passes through untranslated
        return paragraph.kind, [(paragraph.text, None)], [], paragraph.language
    body = paragraph.body
    spans = sentence_spans(body)
    items: list[tuple[str, int | None]] = []
    separators: list[str] = []
    for i, (start, end) in enumerate(spans):
        items.append((body[start:end], units.add(body[start:end])))
        if i + 1 < len(spans):
            separators.append(body[end : spans[i + 1][0]])
    if paragraph.credit is not None:
        if items:
            separators.append(paragraph.text[len(body) : paragraph.text.rindex(paragraph.credit)])
        items.append((paragraph.credit, None))
    return paragraph.kind, items, separators, None


def _pair(item: tuple[str, int | None], translations: list[str]) -> SentencePair:
    source, index = item
    if index is None:
        return SentencePair(source, source, translated=False)
    return SentencePair(source, translations[index])


def _assemble(plan: _Plan, translations: list[str]) -> TranslatedParagraph:
    kind, items, separators, language = plan
    return TranslatedParagraph(
        kind, tuple(_pair(item, translations) for item in items), tuple(separators), language
    )
