"""Building a model's vocabulary shortlist from French text (``models shortlist``): the
sentences of a corpus translated by the model itself (or an existing translation read
beside them), aligned into the map :mod:`translate_news.seq2seq.shortlist` makes, and
kept where ``--shortlist`` finds it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate_news.core.errors import InputError, UsageError
from translate_news.formats.readers import read_articles
from translate_news.pipeline.evaluate import read_segments
from translate_news.pipeline.folder import find_inputs
from translate_news.pipeline.translator import Translator
from translate_news.seq2seq.model import Seq2SeqModel
from translate_news.seq2seq.shortlist import Pair, build, save
from translate_news.text.segment import sentence_spans


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
    corpus: Path,
    english: Path | None = None,
    *,
    common: int = 100,
    per_source: int = 20,
    say: Callable[[str], None] = lambda _: None,
) -> Shortlist:
    """Build and keep ``translator``'s model's shortlist from the French ``corpus``
    (articles as ``translate`` reads them, translated now), or with ``english``, from
    French and English sentences one per line (aligned, not translated)."""
    if not corpus.exists():
        raise InputError(f"{corpus}: no such file or folder")
    if english is not None:
        french, translated = read_segments(corpus), read_segments(english)
        if len(french) != len(translated):
            raise UsageError(
                f"{len(french)} French lines but {len(translated)} English: one of each per line"
            )
        pairs = file_pairs(translator.model, french, translated)
        say(f"aligning {len(pairs)} sentence pairs")
    else:
        sentences = corpus_sentences(corpus)
        if not sentences:
            raise InputError(f"{corpus}: no French sentences found")
        say(f"translating {len(sentences)} sentences, then aligning them")
        pairs = model_pairs(translator, sentences)
    vmap = build(pairs, common=common, per_source=per_source)
    path = save(vmap, translator.model.folder, translator.model.fingerprint)
    allowed = [len(vmap.allowed(source)) for source, _ in pairs]
    return Shortlist(
        path=path,
        french_tokens=len(vmap.candidates),
        mean_allowed=sum(allowed) / max(1, len(allowed)),
        vocabulary=translator.model.vocabulary_size,
    )


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
