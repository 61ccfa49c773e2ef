"""A vocabulary shortlist: for each batch, the English subwords the model may write.

At every decoding step a translation model scores its whole target vocabulary (59,514
subwords for opus-mt-fr-en), although a sentence can only need a few hundred of them.
CTranslate2 can restrict that step to candidates read from a vocabulary map (its
``vmap.txt``): subwords that are always allowed, and for each source subword in the
batch, the target subwords it may become. This module builds that map:

1. pairs of token sequences: French sentences and what the model itself writes for
   them (or an existing translation, tokenised with the model's target vocabulary);
2. word alignment by IBM model 1 (expectation maximisation over the pairs: ``p(e|f)``,
   the probability that source token ``f`` is translated as target token ``e``);
3. the map: the ``common`` most frequent target tokens always, and for each source
   token its ``per_source`` most probable targets.

The map is kept in the model's folder beside its conversions (or in the user cache)
and copied into a conversion when a run asks for it (``--shortlist``). What it costs in
quality on your own text, ``translate-news evaluate agreement`` measures.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate_news.core.files import write_atomic
from translate_news.seq2seq.convert import conversion_dir

NULL = ""  # IBM model 1's empty source word: targets no source word explains

Pair = tuple[Sequence[str], Sequence[str]]


def align(pairs: Sequence[Pair], iterations: int = 5) -> dict[str, dict[str, float]]:
    """IBM model 1 translation probabilities ``table[f][e] = p(e | f)``, estimated by
    ``iterations`` rounds of expectation maximisation from uniform.

    Vectorised over every (source position, target position) of the corpus: 3,200
    sentence pairs of 37 tokens align in 1.4 s on two cores (scripts/bench.py's map is
    built in 8 s, against 72 s with the loop in Python this replaced)."""
    import numpy as np

    ids: dict[str, int] = {NULL: 0}
    keys, groups, offset = [], [], 0
    for source, target in pairs:
        fs = np.array([0, *(ids.setdefault(f, len(ids)) for f in source)], dtype=np.int64)
        es = np.array([ids.setdefault(e, len(ids)) for e in target], dtype=np.int64)
        keys.append((np.tile(fs, len(es)) << 32) | np.repeat(es, len(fs)))
        groups.append(np.repeat(np.arange(offset, offset + len(es)), len(fs)))
        offset += len(es)
    if not keys:
        return {}
    flat = np.concatenate(keys)
    pair_keys, index = np.unique(flat, return_inverse=True)
    group = np.concatenate(groups)
    source_of = pair_keys >> 32
    t = np.ones(len(pair_keys))
    for _ in range(iterations):
        weights = t[index]
        share = weights / np.bincount(group, weights=weights)[group]  # over each target
        counts = np.bincount(index, weights=share, minlength=len(pair_keys))
        t = counts / np.bincount(source_of, weights=counts)[source_of]
    names = list(ids)
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for key, p in zip(pair_keys.tolist(), t.tolist()):
        table[names[key >> 32]][names[key & 0xFFFFFFFF]] = p
    return table


@dataclass(frozen=True)
class VocabularyMap:
    """Target tokens always allowed, and the candidates of each source token."""

    always: tuple[str, ...]
    candidates: dict[str, tuple[str, ...]]

    def text(self) -> str:
        """CTranslate2's format: ``source<TAB>target target ...`` per line, the
        always-allowed tokens on the line whose source is empty."""
        lines = ["\t" + " ".join(self.always)]
        lines += [f"{f}\t{' '.join(es)}" for f, es in sorted(self.candidates.items())]
        return "\n".join(lines) + "\n"

    def allowed(self, source: Iterable[str]) -> set[str]:
        """The target tokens a batch with these source tokens may use."""
        found = set(self.always)
        for f in source:
            found.update(self.candidates.get(f, ()))
        return found


def build(
    pairs: Iterable[Pair],
    common: int = 100,
    per_source: int = 20,
    iterations: int = 5,
    always: Sequence[str] | None = None,
) -> VocabularyMap:
    """The shortlist of ``pairs``: the ``common`` most frequent targets (or ``always``,
    where given), and for each source token its ``per_source`` most probable targets
    under IBM model 1."""
    usable = [
        (tuple(f for f in s if _plain(f)), tuple(e for e in t if _plain(e))) for s, t in pairs
    ]
    usable = [(s, t) for s, t in dict.fromkeys(usable) if s and t]  # each pair once
    if always is None:
        frequency = Counter(e for _, target in usable for e in target)
        always = [e for e, _ in frequency.most_common(common)]
    table = align(usable, iterations)
    candidates = {}
    for f, row in table.items():
        if f == NULL:
            continue
        best = sorted(row.items(), key=lambda item: (-item[1], item[0]))[:per_source]
        candidates[f] = tuple(e for e, _ in best)
    return VocabularyMap(tuple(e for e in always if _plain(e)), candidates)


# A word of a SentencePiece vocabulary: the word-boundary mark, then two letters or more.
_WORD_MARK = "\u2581"


def vocabulary_words(model_dir: Path, count: int | None = None) -> list[str]:
    """The ``count`` (default: all) most frequent French words of a Marian model's
    source vocabulary, most frequent first: the pieces of its ``source.spm`` that are
    whole words (the word-boundary mark, then letters), ranked by their unigram scores,
    which SentencePiece learned from the model's own training text. Empty without one."""
    words = _ranked(model_dir / "source.spm", _is_word)[:count]
    return [w.removeprefix(_WORD_MARK) for w in words]


def frequent_targets(model_dir: Path, count: int) -> list[str]:
    """The ``count`` most frequent English subwords of a Marian model by the unigram
    scores of its ``target.spm`` (learned from its training English): the tokens a
    shortlist always allows. Empty without one."""
    return _ranked(model_dir / "target.spm", _plain)[:count]


def _ranked(spm: Path, keep: Callable[[str], bool]) -> list[str]:
    """The normal pieces of a SentencePiece model that ``keep`` accepts, by score."""
    if not spm.is_file():
        return []
    import sentencepiece

    model = sentencepiece.SentencePieceProcessor(model_file=str(spm))
    pieces = [
        (model.get_score(i), i, model.id_to_piece(i))
        for i in range(model.get_piece_size())
        if not (model.is_control(i) or model.is_unknown(i) or model.is_unused(i))
    ]
    return [piece for _, _, piece in sorted(pieces, key=lambda p: (-p[0], p[1])) if keep(piece)]


def _is_word(piece: str) -> bool:
    word = piece.removeprefix(_WORD_MARK)
    return piece.startswith(_WORD_MARK) and len(word) >= 2 and word.isalpha()


def _plain(token: str) -> bool:
    """A token the map's format can hold (no spaces or tabs, not empty)."""
    return bool(token) and not any(c.isspace() for c in token)


def digest(path: Path) -> str:
    """What names a shortlist in a signature: a hash of its file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def save(vmap: VocabularyMap, model_dir: Path, fingerprint: str) -> Path:
    """Keep ``vmap`` as the shortlist of the model in ``model_dir`` (replacing any), where
    ``--shortlist`` finds it; returns the file."""
    path = shortlist_path(model_dir, fingerprint)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, vmap.text(), force=True)
    return path


def shortlist_path(model_dir: Path, fingerprint: str) -> Path:
    """Where the model's vocabulary shortlist is kept: a folder beside its conversions
    (a file beside the weights would change the model's fingerprint)."""
    return conversion_dir(model_dir, fingerprint, "shortlist", version=None) / "vmap.txt"


def install_vmap(vmap: Path | None, conversion: Path) -> str | None:
    """Copy the shortlist ``vmap`` into ``conversion`` (CTranslate2 reads it from the
    model's folder when loading) unless it is there already; its hash, or None."""
    if vmap is None:
        return None
    installed, wanted = conversion / "vmap.txt", digest(vmap)
    if not installed.is_file() or digest(installed) != wanted:
        write_atomic(installed, vmap.read_text(encoding="utf-8"), force=True)
    return wanted
