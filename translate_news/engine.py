"""The translation engine: one loaded model, sentences in, English out, in batches.

Data flows one way: articles -> paragraphs -> a flat list of sentences (with the
whitespace between them kept aside) -> unique sentences, sorted by token length, cut
into token-budget batches -> translations, restored to document order -> the same
paragraphs in English.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .article import Article, Paragraph
from .batching import token_budget_batches
from .models import ModelSource, hub_kwargs, load_pretrained, resolve_model
from .segment import sentence_spans

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class TranslateOptions:
    """How to translate; shared by the CLI, the Python API and every command.

    ``model`` is an alias, a Hub id or a local directory (None: the resolution order
    in :mod:`translate_news.models`); ``beams`` None uses the model's generation config.
    ``batch_tokens`` bounds the padded source tokens of one batch.
    """

    model: str | None = None
    device: str = "auto"
    beams: int | None = None
    batch_tokens: int = 4096
    revision: str | None = None
    cache_dir: str | None = None
    local_files_only: bool = False
    articles_per_window: int = 32

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.beams is not None and self.beams < 1:
            raise ValueError(f"beams must be at least 1, got {self.beams}")
        if self.batch_tokens < 1:
            raise ValueError(f"batch_tokens must be positive, got {self.batch_tokens}")


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
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        device = self.options.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        elif device == "cuda" and not torch.cuda.is_available():
            from .errors import TranslateNewsError

            raise TranslateNewsError("--device cuda was asked for, but torch sees no CUDA GPU")
        self.device = device
        kwargs = hub_kwargs(self.source, self.options.cache_dir, self.options.local_files_only)
        self.tokenizer = load_pretrained(AutoTokenizer, self.source, **kwargs)
        dtype = torch.float16 if device == "cuda" else torch.float32
        model = load_pretrained(AutoModelForSeq2SeqLM, self.source, dtype=dtype, **kwargs)
        self.model = model.to(device).eval()
        config = self.model.config
        self.max_input_tokens = min(
            getattr(config, "max_position_embeddings", 512) or 512,
            self.tokenizer.model_max_length or 512,
        )
        self.beams = self.options.beams or self.model.generation_config.num_beams or 1

    # --- sentences -------------------------------------------------------------

    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate sentences; identical sentences are translated once, order is kept."""
        cleaned = [" ".join(sentence.split()) for sentence in sentences]
        unique = list(dict.fromkeys(s for s in cleaned if s))
        done = dict(zip(unique, self._translate_unique(unique)))
        done[""] = ""
        return [done[sentence] for sentence in cleaned]

    def _translate_unique(self, sentences: list[str]) -> list[str]:
        if not sentences:
            return []
        ids = self.tokenizer(sentences, truncation=False)["input_ids"]
        results: list[str] = [""] * len(sentences)
        for batch in token_budget_batches([len(x) for x in ids], self.options.batch_tokens):
            outputs = self._generate([ids[i] for i in batch])
            for index, (text, length) in zip(batch, outputs):
                if length >= self.output_cap(len(ids[index])) and len(batch) > 1:
                    # Hit its own length cap inside a batch: redo it alone so that its
                    # output never depends on its neighbours.
                    text, length = self._generate([ids[index]])[0]
                results[index] = text
        return results

    def output_cap(self, source_tokens: int) -> int:
        """The most tokens generated for a source of ``source_tokens`` tokens."""
        return min(2 * source_tokens + 10, self.max_input_tokens)

    def _generate(self, batch: list[list[int]]) -> list[tuple[str, int]]:
        """Generate for one batch of token ids: (text, generated token count) per row."""
        import torch

        pad = self.tokenizer.pad_token_id
        longest = max(len(x) for x in batch)
        input_ids = torch.full((len(batch), longest), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), longest), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            mask[row, : len(ids)] = 1
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device),
                num_beams=self.beams,
                max_length=None,
                max_new_tokens=self.output_cap(longest),
            )
        # Tokens after the decoder start, up to and including the end of sequence.
        lengths = (out[:, 1:] != pad).sum(dim=1).tolist()
        texts = self.tokenizer.batch_decode(out, skip_special_tokens=True)
        return list(zip(texts, lengths))

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
            plans = [_plan(units, article) for article in window]
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


# A planned paragraph: (kind, [(source sentence, unit index or None)], separators)
_Plan = tuple[str, list[tuple[str, int | None]], list[str]]


def _plan(units: _Units, article: Article) -> tuple[tuple[str, int] | None, list[_Plan]]:
    title = None if article.title is None else (article.title, units.add(article.title))
    return title, [_split(units, paragraph) for paragraph in article.paragraphs]


def _split(units: _Units, paragraph: Paragraph) -> _Plan:
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
    return paragraph.kind, items, separators


def _pair(item: tuple[str, int | None], translations: list[str]) -> SentencePair:
    source, index = item
    if index is None:
        return SentencePair(source, source, translated=False)
    return SentencePair(source, translations[index])


def _assemble(plan: _Plan, translations: list[str]) -> TranslatedParagraph:
    kind, items, separators = plan
    return TranslatedParagraph(
        kind, tuple(_pair(item, translations) for item in items), tuple(separators)
    )
