"""Summaries of translated articles: LEAD-k, or a small seq2seq model over the English.

The model path stands on the same :class:`~translate_news.seq2seq.model.Seq2SeqModel` as
translation: CTranslate2 when it is installed and can run (int8 on CPU, float16 on CUDA,
converted once and cached; transformers otherwise, when asked, or as the fallback),
token-budget batches, halving on out-of-memory. What is the summariser's own: chunking
an article to the model's input, the levels of chunk summaries, and the decoding
settings. Both backends decode with the model's
own generation settings (beams, length penalty, no-repeat n-grams, minimum length,
forced first token), read once from its folder.

An article longer than the model's input limit (1,024 tokens for BART) is never cut:
its paragraphs are packed into chunks under the limit, each chunk is summarised, then
the chunk summaries are summarised, and the result says how many chunks it took.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from translate_news.core.config import SUMMARIZER_ENV
from translate_news.core.document import Summary, TranslatedArticle, summary_line
from translate_news.core.errors import UsageError
from translate_news.core.options import LEAD, Signature, SummaryOptions, with_overrides
from translate_news.seq2seq.model import Seq2SeqModel
from translate_news.seq2seq.sources import DEFAULT_SUMMARIZER, SUMMARY, ModelSource
from translate_news.text.checks import check_summary
from translate_news.text.glossary import Glossary
from translate_news.text.guard import split_long


def lead(article: TranslatedArticle, sentences: int = 3) -> str:
    """The first ``sentences`` translated sentences of the article's text paragraphs."""
    picked: list[str] = []
    for paragraph in article.paragraphs:
        if paragraph.kind != "text" or paragraph.language:
            continue
        picked += [p.translation for p in paragraph.sentences if p.translated and p.translation]
        if len(picked) >= sentences:
            break
    return " ".join(picked[:sentences])


class Summarizer:
    """A loaded summariser (or LEAD-k when the model is "lead"); load once, then
    :meth:`summarize` translated articles or :meth:`summarize_paragraphs` plain English.

    Keyword overrides go to the field of that name in :class:`SummaryOptions` or in its
    :class:`ModelOptions`: ``Summarizer("t5-small", device="cpu", max_tokens=60)``.
    """

    def __init__(
        self,
        summarizer: str | None = None,
        *,
        options: SummaryOptions | None = None,
        **overrides: Any,
    ) -> None:
        self.options = with_overrides(options or SummaryOptions(), summarizer, overrides)
        if self.options.model.name is None and os.environ.get(SUMMARIZER_ENV) == LEAD:
            # $TRANSLATE_NEWS_SUMMARIZER=lead, as --summarizer lead
            self.options = with_overrides(self.options, LEAD, {})
        self.model: Seq2SeqModel | None = None
        if self.options.is_lead:
            return
        opts = self.options
        self.model = Seq2SeqModel(
            opts.model,
            beams=opts.beams,
            role=SUMMARY,
            check=self._check,
        )
        t5 = self.model.model_type == "t5"
        self.prefix: str = self.model.task("summarization").get("prefix") or (
            "summarize: " if t5 else ""
        )
        self.settings = _settings(self.model, opts)

    def _check(self, source: ModelSource, config: dict[str, Any]) -> None:
        """Refuse, before it loads, a model that cannot summarise with these options."""
        architectures = config.get("architectures") or []
        if not config.get("is_encoder_decoder") and not any(
            str(a).endswith("ForConditionalGeneration") for a in architectures
        ):
            kind = ", ".join(map(str, architectures)) or config.get("model_type") or "unknown"
            raise UsageError(
                f"{source.name} is not a sequence-to-sequence model ({kind}); a summariser is "
                f"one such as {DEFAULT_SUMMARIZER} or t5-small, or 'lead'"
            )
        positions = config.get("max_position_embeddings")
        if isinstance(positions, int) and self.options.max_tokens >= positions:
            raise UsageError(
                f"--max-tokens {self.options.max_tokens} is more than {source.name} can write "
                f"({positions - 1} tokens at most)"
            )

    @property
    def method(self) -> str:
        """What a summary is made with: ``LEAD-k``, or the model's name."""
        if self.model is None:
            return f"LEAD-{self.options.sentences}"
        return self.model.name

    @property
    def signature(self) -> Signature | None:
        """What summarises now (None for LEAD-k, which uses no model)."""
        if self.model is None:
            return None
        bounds = {"max_tokens": self.options.max_tokens}
        return self.model.signature(**bounds, min_tokens=self.settings["min_new_tokens"])

    @property
    def line(self) -> str:
        """What summarises now, as one line: the signature's, or ``LEAD-3|translate-news
        0.3.0``."""
        return summary_line(self.method, self.signature)

    def _loaded(self) -> Seq2SeqModel:
        if self.model is None:
            raise AttributeError("LEAD-k summaries use no model")
        return self.model

    def _summary(self, text: str, chunks: int) -> Summary:
        return Summary(text, self.method, chunks, self.options, self.signature)

    def summarize_checked(
        self, articles: Sequence[TranslatedArticle], glossary: Glossary | None
    ) -> list[Summary]:
        """:meth:`summarize_many`, each summary flagged for a term of ``glossary`` it
        writes in its source form."""
        return [flag_terms(s, a, glossary) for s, a in zip(self.summarize_many(articles), articles)]

    def summarize(self, article: TranslatedArticle) -> Summary:
        """Summarise a translated article."""
        return self.summarize_many([article])[0]

    def summarize_many(self, articles: Sequence[TranslatedArticle]) -> list[Summary]:
        """Summarise several articles at once: their chunks are decoded together, in
        concurrent batches, and each summary is the one it would get alone."""
        if self.model is None:
            return [self._summary(lead(a, self.options.sentences), 1) for a in articles]
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
        return [self._summary(text, len(group)) for text, group in zip(texts, groups)]

    def _count(self, text: str) -> int:
        return self._loaded().count(self.prefix + text)

    def _chunks(self, paragraphs: list[str]) -> list[str]:
        """Paragraphs packed into chunks that fit the model's input, in order."""
        limit = self._loaded().max_input_tokens
        pieces = [piece for p in paragraphs for piece in split_long(p, self._count, limit)]
        chunks: list[str] = []
        for piece in pieces:
            candidate = f"{chunks[-1]}\n{piece}" if chunks else piece
            if chunks and self._count(candidate) <= limit:
                chunks[-1] = candidate
            else:
                chunks.append(piece)
        return chunks

    def _generate(self, texts: list[str]) -> list[str]:
        model = self._loaded()
        inputs = model.encode([self.prefix + t for t in texts])
        outputs = model.generate(inputs, self.options.max_tokens, **self.settings)
        return [" ".join(text.split()) for text in model.decode(outputs)]


def _settings(model: Seq2SeqModel, opts: SummaryOptions) -> dict[str, Any]:
    """How a summary is decoded: the model's own generation settings, bounded by
    ``opts``."""
    if opts.min_tokens is not None:
        minimum = opts.min_tokens
    else:  # transformers counts the decoder start token in min_length
        minimum = (model.setting("min_length") or 0) - 1
    # At least one token, as CTranslate2 always decodes: an empty summary says nothing.
    minimum = max(1, minimum)
    return {
        # A forced end takes the last place: the words can fill the others at most.
        "min_new_tokens": min(minimum, opts.max_tokens - model.forced_eos),
        "no_repeat_ngram_size": model.setting("no_repeat_ngram_size") or 0,
        "repetition_penalty": model.setting("repetition_penalty") or 1.0,
        "length_penalty": model.setting("length_penalty") or 1.0,
    }


def _english_paragraphs(article: TranslatedArticle) -> list[str]:
    """The article's body text in English: its text paragraphs, else everything."""
    paragraphs = [p.text for p in article.paragraphs if p.kind == "text" and not p.language]
    return paragraphs or [p.text for p in article.paragraphs]


def flag_terms(summary: Summary, article: TranslatedArticle, glossary: Glossary | None) -> Summary:
    """``summary`` of ``article``, flagged for each term of ``glossary`` it writes in its
    source form (unchanged without a glossary)."""
    if glossary is None:
        return summary
    return replace(summary, flags=check_summary(article.french, summary.text, glossary))
