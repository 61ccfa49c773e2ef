"""Two tokenizers read without transformers: MarianTokenizer's with sentencepiece alone,
and BART's (RoBERTa's byte-level BPE) with the tokenizers library alone.

Importing transformers takes 1.3 s on two cores; reading these files directly keeps it
out of a process that translates and summarises with CTranslate2. Each class does what
transformers 5's own does, and tests hold it to that over the seed, the test corpus and
generated text.

A Marian tokenizer is two SentencePiece models and a vocabulary file: the text is split
on its special tokens (``</s>``, ``<unk>``, ``<pad>``) where they are written out, a
leading ``>>xx<<`` language code is kept whole, the rest goes through the source
SentencePiece model, a piece missing from the vocabulary is ``<unk>``, and ``</s>`` ends
every input. Decoding drops special tokens and joins the pieces with the source model
(the vocabulary is shared).

BART's tokenizer is ``tokenizer.json`` where the model has one, else ``vocab.json`` and
``merges.txt`` (distilbart-cnn-12-6 has only these) built as transformers builds them:
byte-level BPE, ``<s>`` before and ``</s>`` after every input, special tokens kept whole.

:func:`load` returns None for anything it does not reproduce exactly (separate
vocabularies, added tokens that strip spaces, space clean-up on decoding, SentencePiece
options, extra special tokens): transformers' own tokenizer is used then.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")

_log = logging.getLogger(__name__)


def load(folder: Path) -> MarianPieces | BytePieces | None:
    """The tokenizer of the Marian or BART model in ``folder``, or None when
    transformers' own is needed (see the module docstring)."""
    if not all((folder / name).is_file() for name in _FILES):  # not Marian's files
        return _load_bytes(folder)
    try:
        config = read_json(folder / "tokenizer_config.json")
        vocab = read_json(folder / "vocab.json")
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
        self._target_model = folder / "target.spm"
        self._target: Any = None
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

    def encode_target(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of English texts, as the model writes them (the target pieces, and
        the end of sequence), as transformers' ``text_target`` gives them."""
        if self._target is None:
            import sentencepiece

            self._target = sentencepiece.SentencePieceProcessor(model_file=str(self._target_model))
        return [
            [*self.convert_tokens_to_ids(self._target.encode(t, out_type=str)), self.eos_token_id]
            for t in texts
        ]

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


# --- BART: byte-level BPE -------------------------------------------------------------

_BYTE_LEVEL_CLASSES = {"BartTokenizer", "RobertaTokenizer"}
_BYTE_LEVEL_MODELS = {"bart", "roberta"}
# The special tokens transformers registers, in its order, with their defaults.
_BYTE_SPECIAL = {
    "bos": "<s>",
    "eos": "</s>",
    "unk": "<unk>",
    "sep": "</s>",
    "pad": "<pad>",
    "cls": "<s>",
    "mask": "<mask>",
}
# Settings that change nothing we reproduce (what transformers itself writes there;
# transformers 5 skips clean_up_tokenization_spaces for byte-level BPE, unless forced
# by a setting not listed here). Any other setting, unless empty, is left to it.
_BYTE_IGNORED = {
    "tokenizer_class",
    "model_max_length",
    "add_prefix_space",
    "trim_offsets",
    "errors",
    "backend",
    "is_local",
    "local_files_only",
    "name_or_path",
    "added_tokens_decoder",
    "clean_up_tokenization_spaces",
    *(f"{name}_token" for name in _BYTE_SPECIAL),
}


def _load_bytes(folder: Path) -> BytePieces | None:
    """BART's tokenizer in ``folder`` read with the tokenizers library, or None."""
    try:
        config = read_json(folder / "tokenizer_config.json")
        model = read_json(folder / "config.json")
        specials_map = read_json(folder / "special_tokens_map.json")
    except (OSError, ValueError):
        return None  # transformers will say what is wrong with it
    name = str(config.get("tokenizer_class") or "").removesuffix("Fast")
    if name not in _BYTE_LEVEL_CLASSES and not (
        not name and model.get("model_type") in _BYTE_LEVEL_MODELS
    ):
        return None
    specials = {}
    for key, default in _BYTE_SPECIAL.items():
        token = config.get(f"{key}_token", specials_map.get(f"{key}_token", default))
        token = token.get("content") if isinstance(token, dict) else token
        if not isinstance(token, str):
            return None
        specials[key] = token
    unknown = {key for key in set(config) - _BYTE_IGNORED if config[key] not in ({}, [], None)}
    if (
        unknown
        or set(specials_map) - {f"{key}_token" for key in _BYTE_SPECIAL}
        or (folder / "added_tokens.json").exists()
    ):
        return None
    declared = config.get("added_tokens_decoder") or {}
    prefix_space = bool(config.get("add_prefix_space"))
    try:
        tokenizer = _byte_level_backend(folder, prefix_space)
    except Exception as exc:
        # tokenizers (Rust) raises a plain Exception on a damaged file; that, and a file
        # that cannot be read or has the wrong shape, leave the folder to transformers,
        # which says what is wrong with it. Anything else is a bug, raised.
        if type(exc) is not Exception and not isinstance(exc, (OSError, ValueError, TypeError)):
            raise
        _log.debug("%s: no tokenizers-only tokenizer (%s)", folder, exc)
        return None
    if tokenizer is None or not _add_special_tokens(tokenizer, specials, declared, prefix_space):
        return None
    return BytePieces(tokenizer, specials, config)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a model's folder; {} where the file is absent."""
    if not path.is_file():
        return {}
    found = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(found, dict):
        raise ValueError(f"{path} is not a JSON object")
    return found


def _byte_level_backend(folder: Path, prefix_space: bool) -> Any:
    """The tokenizers.Tokenizer transformers' RobertaTokenizer builds from the folder's
    files: its tokenizer.json, else vocab.json and merges.txt; None without either."""
    from tokenizers import Tokenizer, decoders, pre_tokenizers
    from tokenizers.models import BPE

    if (folder / "tokenizer.json").is_file():
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    elif (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file():
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        lines = (folder / "merges.txt").read_text(encoding="utf-8").splitlines()
        merges = [
            tuple(line.split(" ")) for line in lines if line and not line.startswith("#version")
        ]
        tokenizer = Tokenizer(
            BPE(vocab, merges, continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False)
        )
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=prefix_space)
        tokenizer.decoder = decoders.ByteLevel()
    else:
        return None
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _add_special_tokens(
    tokenizer: Any,
    specials: dict[str, str],
    declared: dict[str, dict[str, Any]],
    prefix_space: bool,
) -> bool:
    """Register the special tokens as transformers does (with the flags the tokenizer's
    configuration declares for them) and its post-processor: ``<s>`` before, ``</s>``
    after. False where a declared token is not special or lands on another id."""
    from tokenizers import AddedToken, processors

    flags = ("lstrip", "rstrip", "single_word", "normalized")
    wanted = {token["content"]: token for token in declared.values() if "content" in token}
    for token in wanted.values():
        if not token.get("special"):
            return False
    for content in specials.values():
        wanted.setdefault(content, {"content": content})
    tokenizer.add_special_tokens(
        [
            AddedToken(content, special=True, **{k: bool(t[k]) for k in flags if k in t})
            for content, t in wanted.items()
        ]
    )
    for index, token in declared.items():
        if tokenizer.token_to_id(token.get("content", "")) != int(index):
            return False
    ids = {key: tokenizer.token_to_id(token) for key, token in specials.items()}
    if None in (ids["sep"], ids["cls"]):
        return False
    tokenizer.post_processor = processors.RobertaProcessing(
        (specials["sep"], ids["sep"]), (specials["cls"], ids["cls"]), True, prefix_space
    )
    return True


class BytePieces:
    """What the engine asks of a tokenizer, for a BART model (see :func:`load`)."""

    def __init__(self, tokenizer: Any, specials: dict[str, str], config: dict[str, Any]) -> None:
        self.backend = tokenizer
        ids = {key: tokenizer.token_to_id(token) for key, token in specials.items()}
        self.eos_token_id = ids["eos"]
        self.pad_token_id = ids["pad"]
        self.unk_token_id = ids["unk"]
        self.all_special_ids = sorted({i for i in ids.values() if i is not None})
        # As transformers: no limit of its own where the configuration gives none.
        self.model_max_length = config.get("model_max_length") or int(1e30)

    def __call__(self, texts: str | Sequence[str], truncation: bool = False) -> dict[str, Any]:
        if isinstance(texts, str):
            return {"input_ids": self.backend.encode(texts).ids}
        return {"input_ids": [found.ids for found in self.backend.encode_batch(list(texts))]}

    def convert_ids_to_tokens(self, ids: int | Sequence[int]) -> Any:
        if isinstance(ids, int):
            return self.backend.id_to_token(ids)
        return [self.backend.id_to_token(int(index)) for index in ids]

    def convert_tokens_to_ids(self, tokens: str | Sequence[str]) -> Any:
        if isinstance(tokens, str):
            return self._id(tokens)
        return [self._id(token) for token in tokens]

    def _id(self, token: str) -> int:
        found = self.backend.token_to_id(token)
        return self.unk_token_id if found is None else found

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        return self.backend.decode(list(ids), skip_special_tokens=skip_special_tokens)

    def batch_decode(
        self, sequences: Sequence[Sequence[int]], skip_special_tokens: bool = True
    ) -> list[str]:
        return self.backend.decode_batch(
            [list(ids) for ids in sequences], skip_special_tokens=skip_special_tokens
        )
