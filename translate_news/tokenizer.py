"""MarianTokenizer's encoding and decoding with sentencepiece alone.

A Marian tokenizer is two SentencePiece models and a vocabulary file. Reading them
directly, instead of through transformers, keeps transformers (1.3 s to import on two
cores) out of a process that translates with CTranslate2. It does what transformers
5's ``MarianTokenizer`` does, and tests hold it to that over the seed, the test corpus
and generated text: the text is split on its special tokens (``</s>``, ``<unk>``,
``<pad>``) where they are written out, a leading ``>>xx<<`` language code is kept
whole, the rest goes through the source SentencePiece model, a piece missing from the
vocabulary is ``<unk>``, and ``</s>`` ends every input. Decoding drops special tokens
and joins the pieces with the source model (the vocabulary is shared).

:func:`load` returns None for anything it does not reproduce exactly (separate
vocabularies, added tokens that strip spaces, space clean-up on decoding, SentencePiece
options): transformers' own tokenizer is used then.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")


def load(folder: Path) -> MarianPieces | None:
    """The tokenizer of the Marian model in ``folder``, or None when transformers' own
    is needed (see the module docstring)."""
    if not all((folder / name).is_file() for name in _FILES):
        return None
    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # transformers will say what is wrong with it
    if (
        config.get("tokenizer_class") != "MarianTokenizer"
        or config.get("separate_vocabs")
        or config.get("clean_up_tokenization_spaces")
        or config.get("sp_model_kwargs")
        or any(
            token.get(flag)
            for token in (config.get("added_tokens_decoder") or {}).values()
            for flag in ("lstrip", "rstrip", "single_word")
        )
        or (folder / "added_tokens.json").exists()
    ):
        return None
    return MarianPieces(folder, config, vocab)


class MarianPieces:
    """What the engine asks of a tokenizer, for a Marian model (see :func:`load`)."""

    def __init__(self, folder: Path, config: dict[str, Any], vocab: dict[str, int]) -> None:
        import sentencepiece

        self.source = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        self.encoder = vocab
        self.decoder = {index: token for token, index in vocab.items()}
        names = {k: config.get(f"{k}_token") or d for k, d in _SPECIAL.items()}
        self.unk_token_id = vocab[names["unk"]]
        self.eos_token_id = vocab[names["eos"]]
        self.pad_token_id = vocab[names["pad"]]
        self.special = {names[k]: vocab[names[k]] for k in _SPECIAL if names[k] in vocab}
        self.special_ids = set(self.special.values())
        self.all_special_ids = sorted(self.special_ids)  # as transformers' tokenizers
        self.model_max_length = config.get("model_max_length") or 512
        self._split = re.compile(
            "(" + "|".join(map(re.escape, sorted(self.special, key=len, reverse=True))) + ")"
        )

    def __call__(self, texts: str | Sequence[str], truncation: bool = False) -> dict[str, Any]:
        if isinstance(texts, str):
            return {"input_ids": self._encode(texts)}
        return {"input_ids": [self._encode(text) for text in texts]}

    def _encode(self, text: str) -> list[int]:
        return [*self.convert_tokens_to_ids(self.tokenize(text)), self.eos_token_id]

    def tokenize(self, text: str) -> list[str]:
        pieces: list[str] = []
        for chunk in self._split.split(text):
            if not chunk:
                continue
            if chunk in self.special:
                pieces.append(chunk)
                continue
            code = _LANGUAGE_CODE.match(chunk)
            if code:
                pieces.append(code.group())
                chunk = chunk[code.end() :]
            pieces += self.source.encode(chunk, out_type=str)
        return pieces

    def convert_tokens_to_ids(self, tokens: str | Sequence[str]) -> Any:
        if isinstance(tokens, str):
            return self.encoder.get(tokens, self.unk_token_id)
        return [self.encoder.get(token, self.unk_token_id) for token in tokens]

    def convert_ids_to_tokens(self, ids: int | Sequence[int]) -> Any:
        if isinstance(ids, int):
            return self._token(ids)
        return [self._token(index) for index in ids]

    def _token(self, index: int) -> str:
        if index in self.decoder:
            return self.decoder[index]
        return self.source.id_to_piece(index) or self.decoder[self.unk_token_id]

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        tokens = [
            self._token(i) for i in ids if not (skip_special_tokens and i in self.special_ids)
        ]
        text, run = "", []
        for token in tokens:  # special tokens (kept) are never decoded by SentencePiece
            if token in self.special:
                text += self.source.decode_pieces(run) + token + " "
                run = []
            else:
                run.append(token)
        text += self.source.decode_pieces(run)
        return text.replace("\u2581", " ").strip()

    def batch_decode(
        self, sequences: Sequence[Sequence[int]], skip_special_tokens: bool = True
    ) -> list[str]:
        return [self.decode(ids, skip_special_tokens) for ids in sequences]


_SPECIAL = {"eos": "</s>", "unk": "<unk>", "pad": "<pad>"}
_LANGUAGE_CODE = re.compile(r">>.*?<<", re.DOTALL)  # as MarianTokenizer: up to the first <<
