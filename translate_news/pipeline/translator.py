"""The translator: French sentences and articles in, English out, over one
:class:`~translate_news.seq2seq.model.Seq2SeqModel`. What is the translator's own: sentence
segmentation and reassembly, the guards against truncation and runaway output, and the
translation memory.

Data flows one way: articles -> paragraphs -> a flat list of sentences (with the
whitespace between them kept aside) -> unique sentences, sorted by token length, cut
into token-budget batches -> translations, restored to document order -> the same
paragraphs in English.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from translate_news.core.document import (
    Alternative,
    Article,
    Confidence,
    Flag,
    Paragraph,
    SentencePair,
    ShortlistCheck,
    TranslatedArticle,
    TranslatedParagraph,
)
from translate_news.core.options import Signature, TranslateOptions, with_overrides
from translate_news.core.paths import default_memory
from translate_news.pipeline.memory import Entry, TranslationMemory
from translate_news.seq2seq.model import Seq2SeqModel
from translate_news.text import dates
from translate_news.text.checks import check, repairable
from translate_news.text.glossary import Glossary
from translate_news.text.guard import is_runaway, split_long
from translate_news.text.language import sentence_languages
from translate_news.text.quotes import quotes
from translate_news.text.segment import sentence_spans

# How many translations the model is asked for when the best loses a number or a term.
RERANK_HYPOTHESES = 8
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalize(sentence: str) -> str:
    """A sentence as it is translated and remembered: control characters (not text,
    and not storable in a TMX file) and runs of whitespace become one space."""
    return " ".join(_CONTROL.sub(" ", sentence).split())


@dataclass(frozen=True)
class Checked:
    """One sentence's English, the flags it raises and the model's confidence in it;
    where asked for (:func:`.markup.aligned`), which French word each English word
    translates (``links``)."""

    text: str
    flags: tuple[Flag, ...] = ()
    confidence: Confidence | None = None
    alternatives: tuple[Alternative, ...] = ()
    shortlist: ShortlistCheck | None = None
    links: tuple[int, ...] | None = None


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

    Keyword overrides go to the field of that name in :class:`TranslateOptions` or in
    its :class:`ModelOptions` (``device``, ``backend``, ``batch_tokens``, ...).
    """

    def __init__(
        self, model: str | None = None, *, options: TranslateOptions | None = None, **overrides: Any
    ) -> None:
        self.options = with_overrides(options or TranslateOptions(), model, overrides)
        self.glossary: Glossary | None = None
        if self.options.glossary is not None:
            self.glossary = Glossary.load(self.options.glossary)  # before a model loads
        self.model = Seq2SeqModel(self.options.model, beams=self.options.beams)
        self.memory: TranslationMemory | None = None
        if self.options.memory:
            self.memory = TranslationMemory(self.options.memory_path or default_memory())

    @property
    def signature(self) -> Signature:
        """What translates now: model, backend, precision, device, beams, batch budget,
        glossary and version. It keys the translation memory."""
        signature = self.model.signature()
        if self.glossary is None:
            return signature
        return dataclasses.replace(signature, glossary=self.glossary.digest)

    # --- sentences -------------------------------------------------------------

    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate sentences; identical sentences are translated once, order is kept,
        and remembered translations come from the translation memory."""
        return [checked.text for checked in self.translate_checked(sentences)]

    def translate_checked(
        self, sentences: Sequence[str], alternatives: int | None = None
    ) -> list[Checked]:
        """Translate sentences as :meth:`translate` does, each with its flags (see
        :mod:`translate_news.text.checks`) and the model's confidence: a sentence whose
        numbers or glossary terms the best translation loses takes the best of the
        model's n best that keeps them; one the model is less sure of than
        ``options.min_confidence`` is flagged ``low-confidence``.

        With ``alternatives`` n (default ``options.alternatives``), each sentence also
        gets up to n other translations, with their confidences, from the same beam
        search as its best (at least n + 1 wide); these are decoded even where the
        memory knows the sentence (its translation is still the one given), and not
        remembered."""
        count = self.options.alternatives if alternatives is None else alternatives
        cleaned = [normalize(sentence) for sentence in sentences]
        unique = list(dict.fromkeys(s for s in cleaned if s))
        memory = self.memory
        done = memory.get_many(str(self.signature), unique) if memory is not None else {}
        todo = unique if count else [s for s in unique if s not in done]
        made, others = self._translate_unique(todo, count)
        fresh = dict(zip(todo, made))
        if memory is not None and not count:  # under what translated them
            memory.put_many(str(self.signature), fresh)
        done = fresh | done if count else done | fresh
        more = dict(zip(todo, others))
        checked = {"": Checked("")}
        for source, entry in done.items():
            flags = (*entry.flags, *check(source, entry.translation, self.glossary))
            if self.doubtful(entry.confidence):
                flags += (Flag("low-confidence"),)
            kept = tuple(a for a in more.get(source, ()) if a.translation != entry.translation)
            checked[source] = Checked(
                entry.translation, flags, entry.confidence, kept[:count], entry.shortlist
            )
        return [checked[sentence] for sentence in cleaned]

    def doubtful(self, confidence: Confidence | None) -> bool:
        """Whether a translation's confidence is under ``options.min_confidence``."""
        return confidence is not None and confidence.sentence < self.options.min_confidence

    def _translate_unique(
        self, sentences: list[str], alternatives: int = 0
    ) -> tuple[list[Entry], list[tuple[Alternative, ...]]]:
        """Translate distinct sentences; over-long ones go through in pieces. Each comes
        with the flags of how it was made (split-long, loop-guard) and its confidence,
        and with ``alternatives``, up to that many + 1 others of the same beam (none for
        a sentence in pieces)."""
        if not sentences:
            return [], []
        units, owners = self._units(sentences)
        checks: list[ShortlistCheck | None] = [None] * len(units)
        if alternatives:
            nbest = self.nbest(units, alternatives + 1)
            outputs = [found[0] for found in nbest]
            scores = self.model.score(units, outputs)
        else:
            outputs, scores, checks = self.model.generate_scored(units, self.output_cap)
        outputs, repaired = self._repair_runaways(units, outputs)
        changed = repaired | self._rerank(sentences, units, owners, outputs)
        again = sorted(changed)  # scored again: their outputs are not the beam's
        rescored = self.model.score([units[i] for i in again], [outputs[i] for i in again])
        for index, row in zip(again, rescored):
            scores[index] = row
            found = checks[index]  # translated again over the full vocabulary
            checks[index] = None if found is None else ShortlistCheck("redone", found.mass)
        texts = self.model.decode(outputs)
        sure = [Confidence(tuple(self.model.words(o, s))) for o, s in zip(outputs, scores)]
        results = []
        for owned in owners:
            flags = [Flag("split-long")] if len(owned) > 1 else []
            if repaired.intersection(owned):
                flags.append(Flag("loop-guard"))
            text = " ".join(texts[i] for i in owned)
            sure_of = Confidence.joined(sure[i] for i in owned)
            results.append(Entry(text, tuple(flags), sure_of, _joined([checks[i] for i in owned])))
        if not alternatives:
            return results, [() for _ in sentences]
        return results, self._alternatives(units, owners, nbest)

    def _alternatives(
        self, units: list[list[int]], owners: list[list[int]], nbest: list[list[list[int]]]
    ) -> list[tuple[Alternative, ...]]:
        """The other hypotheses of each one-piece sentence, runaways left out, each text
        once, with its confidence (one scoring pass for all)."""
        wanted: list[tuple[int, list[int]]] = []  # (sentence, output)
        for k, owned in enumerate(owners):
            if len(owned) != 1:
                continue
            unit = owned[0]
            cap = self.output_cap(len(units[unit]))
            for output in nbest[unit][1:]:
                if not is_runaway(len(units[unit]), output, cap):
                    wanted.append((k, output))
        outputs = [output for _, output in wanted]
        inputs = [units[owners[k][0]] for k, _ in wanted]
        found: list[dict[str, Alternative]] = [{} for _ in owners]
        scored = self.model.score(inputs, outputs)
        for (k, output), text, row in zip(wanted, self.model.decode(outputs), scored):
            sure = Confidence(tuple(self.model.words(output, row)))
            found[k].setdefault(text, Alternative(text, sure))
        return [tuple(options.values()) for options in found]

    def _units(self, sentences: list[str]) -> tuple[list[list[int]], list[list[int]]]:
        """The inputs the model translates (each sentence, or the pieces of one too long
        for it) and, for each sentence, the indices of its units."""
        ids = self.model.encode(sentences)
        limit = self.model.max_input_tokens
        units: list[list[int]] = []
        owners: list[list[int]] = []
        for sentence, sentence_ids in zip(sentences, ids):
            if len(sentence_ids) <= limit:
                owners.append([len(units)])
                units.append(sentence_ids)
                continue
            pieces = split_long(sentence, self.model.count, limit)
            owners.append(list(range(len(units), len(units) + len(pieces))))
            units.extend(self.model.encode(pieces))
        return units, owners

    def _rerank(
        self,
        sentences: list[str],
        units: list[list[int]],
        owners: list[list[int]],
        outputs: list[list[int]],
    ) -> set[int]:
        """Each sentence (of one piece) whose translation loses a number or a glossary
        term is decoded again for the model's ``RERANK_HYPOTHESES`` best translations;
        the best-scoring one that keeps them all replaces its output, if any does.
        Returns the units replaced."""
        texts = self.model.decode([outputs[owned[0]] for owned in owners])
        failing = [
            k
            for k, (sentence, text) in enumerate(zip(sentences, texts))
            if len(owners[k]) == 1 and repairable(check(sentence, text, self.glossary))
        ]
        if not failing:
            return set()
        inputs = [units[owners[k][0]] for k in failing]
        replaced = set()
        for k, source_ids, hypotheses in zip(failing, inputs, self.nbest(inputs)):
            kept = self.first_faithful(sentences[k], source_ids, hypotheses)
            if kept is not None:
                outputs[owners[k][0]] = kept
                replaced.add(owners[k][0])
        return replaced

    def first_faithful(
        self, sentence: str, source_ids: list[int], hypotheses: list[list[int]]
    ) -> list[int] | None:
        """The first of ``hypotheses`` (best first) that neither runs away nor loses a
        number or glossary term of ``sentence``; None when none does."""
        cap = self.output_cap(len(source_ids))
        usable = [h for h in hypotheses if not is_runaway(len(source_ids), h, cap)]
        for output, text in zip(usable, self.model.decode(usable)):
            if not repairable(check(sentence, text, self.glossary)):
                return output
        return None

    def nbest(
        self, inputs: Sequence[list[int]], count: int = RERANK_HYPOTHESES
    ) -> list[list[list[int]]]:
        """The model's ``count`` best outputs (ids) of each input, best first, from one
        beam search at least ``count`` wide, over the full vocabulary (the shortlist
        guard checks the best translation only)."""
        return self.model.generate_nbest(inputs, self.output_cap, count, shortlist=False)

    def output_cap(self, source_tokens: int) -> int:
        """The most tokens generated for a source of ``source_tokens`` tokens."""
        return min(2 * source_tokens + 10, self.model.max_input_tokens)

    def translate_ids(self, units: list[list[int]]) -> list[list[int]]:
        """The model's output ids for each input (source ids within the model's input
        limit), with the same decoding and guards as :meth:`translate`."""
        return self._repair_runaways(units, self.model.generate(units, self.output_cap))[0]

    def _repair_runaways(
        self, units: list[list[int]], outputs: list[list[int]]
    ) -> tuple[list[list[int]], set[int]]:
        """A loop, or an output the batch's cap let run past its own, is translated again
        alone with loops forbidden, so its neighbours never matter. Returns the outputs
        and which were translated again."""
        repaired = set()
        for index, out in enumerate(outputs):
            cap = self.output_cap(len(units[index]))
            if is_runaway(len(units[index]), out, cap):
                outputs[index] = self.model.generate_one(
                    units[index],
                    cap,
                    no_repeat_ngram_size=3,
                    repetition_penalty=1.2,
                    shortlist=False,  # the full vocabulary: not checked by the guard
                )
                repaired.add(index)
        return outputs, repaired

    # --- documents -------------------------------------------------------------

    def translate_text(self, text: str) -> str:
        """Translate French text; paragraphs, line breaks and spacing are kept."""
        sentences, finish = plan_text(text)
        return finish(self.translate_checked(sentences))

    def translate_article(self, article: Article) -> TranslatedArticle:
        """Translate one article; see :meth:`translate_articles`."""
        return next(iter(self.translate_articles([article])))

    def translate_articles(self, articles: Iterable[Article]) -> Iterator[TranslatedArticle]:
        """Translate articles lazily: each window of articles goes through as one flat,
        length-sorted list of sentences, so a long stream never sits in memory."""
        iterator = iter(articles)
        while window := list(itertools.islice(iterator, self.options.articles_per_window)):
            sentences, finish = self.plan_articles(window)
            yield from finish(self.translate_checked(sentences))

    def plan_articles(
        self, articles: Sequence[Article]
    ) -> tuple[list[str], Callable[[list[Checked]], list[TranslatedArticle]]]:
        """The sentences ``articles`` need translated, and the function that builds the
        articles from those sentences' translations (whoever made them: a server
        translates the sentences of several callers together)."""
        units = _Units()
        plans = [_plan(units, a, self.options.detect_language) for a in articles]

        def finish(translations: list[Checked]) -> list[TranslatedArticle]:
            return [
                TranslatedArticle(
                    title=None if title is None else _pair(title, translations, when),
                    date=article.date,
                    paragraphs=tuple(_assemble(p, translations, when) for p in paragraphs),
                    options=self.options,
                    signature=self.signature,
                    path=article.path,
                    record=article.record,
                    origin=article.origin,
                )
                for article, (title, paragraphs) in zip(articles, plans)
                for when in [dates.reference(article.date, _first_text(article))]
            ]

        return units.sentences, finish


def plan_text(text: str) -> tuple[list[str], Callable[[list[Checked]], str]]:
    """The sentences of French ``text`` and the function that puts their translations
    back with the text's paragraphs, line breaks and spacing."""
    units = _Units()
    paragraph = _split(units, Paragraph(text), detect_language=False)
    return units.sentences, lambda translations: _assemble(paragraph, translations).text


# A planned sentence: (source, unit index or None when it passes through, its language
# when it is not French); a planned paragraph: (kind, sentences, separators).
_Sentence = tuple[str, int | None, str | None]
_Plan = tuple[str, list[_Sentence], list[str]]


def _plan(
    units: _Units, article: Article, detect_language: bool
) -> tuple[_Sentence | None, list[_Plan]]:
    title = None if article.title is None else (article.title, units.add(article.title), None)
    return title, [_split(units, p, detect_language) for p in article.paragraphs]


def _split(units: _Units, paragraph: Paragraph, detect_language: bool) -> _Plan:
    """A paragraph's sentences, each a unit to translate, or passed through when it is
    confidently not French (decided sentence by sentence: an English quote inside a
    French paragraph passes through, the French around it is translated)."""
    body = paragraph.body
    spans = sentence_spans(body)
    sentences = [body[start:end] for start, end in spans]
    languages = sentence_languages(sentences, body) if detect_language else [None] * len(sentences)
    items: list[_Sentence] = []
    for sentence, language in zip(sentences, languages):
        items.append((sentence, None if language else units.add(sentence), language))
    separators = [body[end : spans[i + 1][0]] for i, (_, end) in enumerate(spans[:-1])]
    if paragraph.credit is not None:
        if items:
            separators.append(paragraph.text[len(body) : paragraph.text.rindex(paragraph.credit)])
        items.append((paragraph.credit, None, None))
    return paragraph.kind, items, separators


def _joined(checks: list[ShortlistCheck | None]) -> ShortlistCheck | None:
    """One sentence's guard result from its pieces': redone if any was, the lowest
    mass; None without the shortlist."""
    if not checks or any(c is None for c in checks):
        return None
    found = [c for c in checks if c is not None]
    status = "redone" if any(c.status == "redone" for c in found) else "verified"
    return ShortlistCheck(status, min(c.mass for c in found))


def _first_text(article: Article) -> str | None:
    """Where a dateline would be: the first paragraph's text."""
    return article.paragraphs[0].text if article.paragraphs else None


def _pair(
    item: _Sentence, translations: list[Checked], when: dates.Reference | None = None
) -> SentencePair:
    source, index, language = item
    if index is None:
        return SentencePair(source, source, translated=False, language=language)
    found = translations[index]
    return SentencePair(
        source,
        found.text,
        flags=found.flags,
        confidence=found.confidence,
        alternatives=found.alternatives,
        shortlist=found.shortlist,
        dates=dates.find_dates(source, when),
        quotes=quotes(source, found.text),
    )


def _assemble(
    plan: _Plan, translations: list[Checked], when: dates.Reference | None = None
) -> TranslatedParagraph:
    kind, items, separators = plan
    pairs = tuple(_pair(item, translations, when) for item in items)
    languages = {pair.language for pair in pairs if pair.translated or pair.language}
    whole = languages.pop() if len(languages) == 1 else None  # every sentence, one language
    return TranslatedParagraph(kind, pairs, tuple(separators), whole)
