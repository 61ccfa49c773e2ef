"""Build small, real translation checkpoints for offline tests.

    python scripts/make_test_models.py DIR

writes two Marian fr->en model directories that load through the same code
path as ``Helsinki-NLP/opus-mt-fr-en`` (``MarianMTModel`` + ``MarianTokenizer``
with SentencePiece models and a shared ``vocab.json``):

* ``DIR/marian-random``: the real architecture class, tiny dimensions, random
  weights. It exercises loading, batching and generation; its output is noise.
* ``DIR/bart-random`` and ``DIR/t5-random``: the summarisers' architectures, random
  weights, real tokenizers (byte-level BPE, SentencePiece unigram).
* ``DIR/marian-toy``: a tiny Marian trained here on a synthetic French->English
  corpus (a few hundred sentences over a small lexicon) until it translates
  every training sentence exactly, so tests can assert whole translations.
* ``DIR/marian-numbers``: a tiny Marian trained briefly on sentences with a number in
  each, French form to English form; it loses some numbers, which the number check
  and its n-best rerank are measured on.
* ``DIR/marian-tc-big``: opus-mt-tc-big-fr-en's file layout, tiny dimensions.

Everything is deterministic (fixed seeds, one thread) and takes about two minutes on
two CPU cores. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seeds"

# --- The synthetic corpus ---------------------------------------------------
# (French, English) pairs; French nouns carry their article so that gender
# agreement is part of what the model must learn.
SUBJECTS = [
    ("le chat", "the cat"),
    ("le chien", "the dog"),
    ("la ministre", "the minister"),
    ("le président", "the president"),
    ("la ville", "the city"),
    ("le gouvernement", "the government"),
    ("la police", "the police"),
    ("le maire", "the mayor"),
    ("la presse", "the press"),
    ("le journaliste", "the journalist"),
]
VERBS = [
    ("mange", "eats"),
    ("regarde", "watches"),
    ("aime", "likes"),
    ("attend", "awaits"),
    ("refuse", "refuses"),
    ("annonce", "announces"),
    ("défend", "defends"),
    ("prépare", "prepares"),
]
OBJECTS = [
    ("la pomme", "the apple"),
    ("le pain", "the bread"),
    ("la réforme", "the reform"),
    ("le budget", "the budget"),
    ("la décision", "the decision"),
    ("le rapport", "the report"),
    ("la rencontre", "the meeting"),
    ("le projet", "the project"),
]
TIMES = [
    ("", ""),
    (" mardi", " on Tuesday"),
    (" lundi", " on Monday"),
    (" aujourd'hui", " today"),
]

# The toy article used by the tests: every sentence is in the training corpus.
TOY_ARTICLE = """\
 date 2025-07 Le maire annonce le budget

Le maire annonce le budget mardi. La presse regarde le rapport.

Le gouvernement refuse la réforme. La ministre défend la décision aujourd'hui.

Le président prépare la rencontre lundi.

Le chat mange la pomme.
"""


AMOUNTS = [
    ("euros", "euros"),
    ("personnes", "people"),
    ("kilomètres", "kilometres"),
    ("voitures", "cars"),
]


def _amount(rng: random.Random) -> tuple[str, str]:
    """A number in French and in English: 345, 12 000 (12,000) or 4,5 (4.5)."""
    kind = rng.randrange(3)
    if kind == 0:
        n = str(rng.randint(2, 999))
        return n, n
    if kind == 1:
        high, low = rng.randint(1, 99), rng.randint(0, 999)
        return f"{high} {low:03}", f"{high},{low:03}"
    whole, tenth = rng.randint(1, 99), rng.randint(1, 9)
    return f"{whole},{tenth}", f"{whole}.{tenth}"


def numbers_corpus(size: int = 1500, seed: int = 5) -> list[tuple[str, str]]:
    """Sentence pairs with a number in each, in French form and English form:
    "Le maire annonce 12 000 euros mardi." -> "The mayor announces 12,000 euros on
    Tuesday." (for the number check and its n-best rerank)."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(size):
        (fs, es), (fv, ev), (ft, et) = (rng.choice(x) for x in (SUBJECTS, VERBS, TIMES))
        (fa, ea), (fn, en) = _amount(rng), rng.choice(AMOUNTS)
        pairs.append(
            (_capitalise(f"{fs} {fv} {fa} {fn}{ft}."), _capitalise(f"{es} {ev} {ea} {en}{et}."))
        )
    return pairs


NUMBERS_EPOCHS = 18


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def toy_corpus(size: int = 600, seed: int = 13) -> list[tuple[str, str]]:
    """Sentence pairs of the synthetic corpus, including every toy-article unit."""
    rng = random.Random(seed)
    combos = list(itertools.product(SUBJECTS, VERBS, OBJECTS, TIMES))
    rng.shuffle(combos)
    pairs: list[tuple[str, str]] = []
    for i, ((fs, es), (fv, ev), (fo, eo), (ft, et)) in enumerate(combos[:size]):
        fr, en = f"{fs} {fv} {fo}{ft}", f"{es} {ev} {eo}{et}"
        if i % 5 == 0:  # headline style: no final full stop
            pairs.append((_capitalise(fr), _capitalise(en)))
        else:
            pairs.append((_capitalise(fr) + ".", _capitalise(en) + "."))
    return pairs + toy_article_pairs()


def toy_article_pairs() -> list[tuple[str, str]]:
    """The expected translation of every unit of ``TOY_ARTICLE``."""
    lookup = {}
    for (fs, es), (fv, ev), (fo, eo), (ft, et) in itertools.product(
        SUBJECTS, VERBS, OBJECTS, TIMES
    ):
        lookup[f"{fs} {fv} {fo}{ft}"] = f"{es} {ev} {eo}{et}"
    pairs = []
    for line in TOY_ARTICLE.splitlines()[1:]:
        for sentence in line.replace(". ", ".\n").splitlines():
            if sentence:
                pairs.append((sentence, _english_for(sentence, lookup)))
    title = TOY_ARTICLE.splitlines()[0].split(" ", 3)[3]
    pairs.append((title, _english_for(title, lookup)))
    return pairs


def _english_for(sentence: str, lookup: dict[str, str]) -> str:
    stop = sentence.endswith(".")
    core = sentence.rstrip(".")
    english = _capitalise(lookup[core[:1].lower() + core[1:]])
    return english + ("." if stop else "")


# --- Tokenizers ---------------------------------------------------------------


def train_spm(lines: list[str], vocab_size: int, path: Path, **options) -> list[str]:
    """Train a SentencePiece unigram model on ``lines``; return its pieces."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=-1,
        eos_id=1,
        pad_id=-1,
        eos_piece="</s>",
        num_threads=1,
        minloglevel=2,
        **options,
    )
    path.write_bytes(buffer.getvalue())
    processor = spm.SentencePieceProcessor(model_proto=buffer.getvalue())
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_tokenizer(
    out: Path, french: list[str], english: list[str], sizes: tuple[int, int], **options
):
    """A real MarianTokenizer: two SentencePiece models and a shared vocab.json."""
    from transformers import MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    source_pieces = train_spm(french, sizes[0], out / "source.spm", **options)
    target_pieces = train_spm(english, sizes[1], out / "target.spm", **options)
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in source_pieces + target_pieces:
        vocab.setdefault(piece, len(vocab))
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1))
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        model_max_length=512,
    )
    tokenizer.save_pretrained(out)
    return tokenizer


def marian_config(vocab_size: int, **dims):
    """A MarianConfig shaped like opus-mt (swish, scaled embeddings), sized by ``dims``."""
    from transformers import MarianConfig

    pad = vocab_size - 1
    return MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        activation_function="swish",
        scale_embedding=True,
        static_position_embeddings=True,
        normalize_before=False,
        max_position_embeddings=512,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        **dims,
    )


def _save(model, tokenizer, out: Path, beams: int, max_length: int) -> None:
    from transformers import GenerationConfig

    pad = model.config.pad_token_id
    model.generation_config = GenerationConfig(
        num_beams=beams,
        max_length=max_length,
        bad_words_ids=[[pad]],
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _seed_french() -> list[str]:
    lines = []
    for path in sorted(SEED_DIR.glob("*.txt")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def make_random(out: Path) -> Path:
    """Random-weight Marian with the real classes and tokenizer, tiny dimensions."""
    import torch
    from transformers import MarianMTModel

    torch.manual_seed(0)
    corpus = toy_corpus()
    tokenizer = build_tokenizer(
        out, _seed_french() + [fr for fr, _ in corpus], [en for _, en in corpus], (400, 200)
    )
    config = marian_config(
        len(tokenizer.get_vocab()),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
    )
    model = MarianMTModel(config).eval()
    _save(model, tokenizer, out, beams=4, max_length=64)
    return out


def make_tc_big(out: Path, **dims: int) -> Path:
    """Random-weight Marian with what sets Helsinki-NLP/opus-mt-tc-big-fr-en's files
    apart from opus-mt-fr-en's: "</s>" is not token 0 (eos_token_id 43311 there), relu,
    1,024 positions against the tokenizer's 512, decoding settings in config.json with
    no generation_config.json, and float16 weights in pytorch_model.bin only. ``dims``
    default to tiny; the benchmark passes the real ones."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.manual_seed(0)
    corpus = toy_corpus()
    french = _seed_french() + [fr for fr, _ in corpus]
    build_tokenizer(out, french, [en for _, en in corpus], (400, 200))
    vocab = json.loads((out / "vocab.json").read_text(encoding="utf-8"))
    middle = next(token for token, i in vocab.items() if i == len(vocab) // 2)
    vocab["</s>"], vocab[middle] = vocab[middle], 0  # "</s>" moves, a piece takes 0
    size = dims.pop("vocab_size", len(vocab))
    pad = vocab.pop("<pad>")
    for i in range(len(vocab), size - 1):
        vocab[f"▁filler{i}"] = i
    vocab["<pad>"] = size - 1 if size > pad else pad
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        model_max_length=512,
    )
    tiny = {
        "d_model": 32,
        "encoder_layers": 2,
        "decoder_layers": 2,
        "encoder_attention_heads": 4,
        "decoder_attention_heads": 4,
        "encoder_ffn_dim": 64,
        "decoder_ffn_dim": 64,
    }
    config = marian_config(len(vocab), **{**tiny, **dims})
    eos = vocab["</s>"]
    config.activation_function = "relu"
    config.max_position_embeddings = 1024
    config.eos_token_id = config.forced_eos_token_id = eos
    config.bos_token_id = 0
    model = MarianMTModel(config).eval().half()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    # transformers 5 writes safetensors only; the Hub's copy has a pickle of the weights.
    weights = out / "model.safetensors"
    torch.save(model.state_dict(), out / "pytorch_model.bin")
    weights.unlink()
    (out / "generation_config.json").unlink(missing_ok=True)
    settings = json.loads((out / "config.json").read_text(encoding="utf-8"))
    settings.update(
        num_beams=4, max_length=512, bad_words_ids=[[vocab["<pad>"]]], forced_eos_token_id=eos
    )
    (out / "config.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    return out


def _tiny_marian(tokenizer):
    """A tiny Marian over ``tokenizer``'s vocabulary, and its AdamW optimiser."""
    import torch
    from transformers import MarianMTModel

    config = marian_config(
        len(tokenizer.get_vocab()),
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
    )
    model = MarianMTModel(config)
    return model, torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)


def _epoch(model, optimiser, tokenizer, corpus, rng: random.Random) -> float:
    """One pass over ``corpus`` (shuffled) in batches of 64; the mean loss."""
    import torch

    pad = model.config.pad_token_id
    model.train()
    rng.shuffle(corpus)
    total = 0.0
    for i in range(0, len(corpus), 64):
        chunk = corpus[i : i + 64]
        batch = tokenizer(
            [fr for fr, _ in chunk],
            text_target=[en for _, en in chunk],
            padding=True,
            return_tensors="pt",
        )
        batch["labels"][batch["labels"] == pad] = -100
        loss = model(**batch).loss
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            # As in the converted opus-mt models, <pad> (the decoder start) embeds to
            # zeros; the tied output layer would otherwise train it.
            model.model.shared.weight[pad].zero_()
        total += loss.item() * len(chunk)
    return total / len(corpus)


def make_toy(out: Path, max_seconds: float = 50.0) -> Path:
    """Train a tiny Marian on the synthetic corpus until it reproduces it exactly."""
    import torch

    torch.manual_seed(0)
    rng = random.Random(0)
    corpus = toy_corpus()
    tokenizer = build_tokenizer(out, [fr for fr, _ in corpus], [en for _, en in corpus], (160, 120))
    model, optimiser = _tiny_marian(tokenizer)
    start = time.monotonic()
    for epoch in range(200):
        loss = _epoch(model, optimiser, tokenizer, corpus, rng)
        if loss < 0.002 and epoch % 5 == 4 and _reproduces(model, tokenizer):
            break
        if time.monotonic() - start > max_seconds:
            raise RuntimeError(f"toy model did not converge in {max_seconds:.0f}s")
    model.eval()
    _save(model, tokenizer, out, beams=4, max_length=64)
    return out


def make_numbers(out: Path, epochs: int = NUMBERS_EPOCHS) -> Path:
    """A tiny Marian trained for a fixed, short time on ``numbers_corpus``: it keeps most
    numbers, loses some at beam 4, and often has them among its n best, which is what
    the number check and its rerank are measured on (scripts/eval_faithfulness.py)."""
    import torch

    torch.manual_seed(0)
    rng = random.Random(0)
    corpus = numbers_corpus()
    french, english = [fr for fr, _ in corpus], [en for _, en in corpus]
    tokenizer = build_tokenizer(out, french, english, (120, 100), split_digits=True)
    model, optimiser = _tiny_marian(tokenizer)
    for _ in range(epochs):
        _epoch(model, optimiser, tokenizer, corpus, rng)
    model.eval()
    _save(model, tokenizer, out, beams=4, max_length=64)
    return out


def _reproduces(model, tokenizer) -> bool:
    """True when greedy and beam decoding give every toy-article translation."""
    import torch

    model.eval()
    pairs = toy_article_pairs()
    batch = tokenizer([fr for fr, _ in pairs], padding=True, return_tensors="pt")
    with torch.inference_mode():
        for beams in (1, 4):
            ids = model.generate(**batch, num_beams=beams, max_new_tokens=40)
            got = tokenizer.batch_decode(ids, skip_special_tokens=True)
            if got != [en for _, en in pairs]:
                return False
    return True


def _english_lines() -> list[str]:
    lines = [en for _, en in toy_corpus()]
    return lines + ["summarize: " + line for line in lines[:50]]


def make_bart(out: Path) -> Path:
    """A random-weight BART (the summariser's architecture) with a real byte-level BPE
    tokenizer trained on the toy corpus's English; 64 positions, so chunking shows."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from tokenizers.processors import RobertaProcessing
    from transformers import AutoTokenizer, BartConfig, BartForConditionalGeneration

    torch.manual_seed(0)
    out.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        _english_lines(), vocab_size=400, min_frequency=1, special_tokens=specials
    )
    bpe._tokenizer.post_processor = RobertaProcessing(("</s>", 2), ("<s>", 0))
    bpe.save(str(out / "tokenizer.json"))
    config = {"tokenizer_class": "BartTokenizer", "model_max_length": 64}
    config |= dict(
        zip(("bos_token", "pad_token", "eos_token", "unk_token", "mask_token"), specials)
    )
    (out / "tokenizer_config.json").write_text(json.dumps(config))
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = BartForConditionalGeneration(
        BartConfig(
            vocab_size=len(tokenizer),
            d_model=32,
            encoder_layers=2,
            decoder_layers=2,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=64,
            decoder_ffn_dim=64,
            max_position_embeddings=64,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            decoder_start_token_id=2,
            forced_bos_token_id=0,
            forced_eos_token_id=2,
        )
    ).eval()
    # distilbart-cnn-12-6's decoding settings, so that both backends are tested on them.
    generation = model.generation_config
    generation.num_beams = 4
    generation.length_penalty = 2.0
    generation.no_repeat_ngram_size = 3
    generation.min_length = 5
    generation.early_stopping = True
    generation.forced_bos_token_id = 0
    generation.forced_eos_token_id = 2
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def make_t5(out: Path) -> Path:
    """A random-weight T5 with a real SentencePiece-unigram tokenizer (needs the
    ``summarize: `` prefix, as t5-small does)."""
    import torch
    from tokenizers import SentencePieceUnigramTokenizer
    from tokenizers.processors import TemplateProcessing
    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

    torch.manual_seed(0)
    out.mkdir(parents=True, exist_ok=True)
    unigram = SentencePieceUnigramTokenizer()
    unigram.train_from_iterator(
        _english_lines(),
        vocab_size=200,
        special_tokens=["<pad>", "</s>", "<unk>"],
        unk_token="<unk>",
    )
    unigram._tokenizer.post_processor = TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", 1)]
    )
    unigram.save(str(out / "tokenizer.json"))
    config = {"tokenizer_class": "T5Tokenizer", "model_max_length": 512, "extra_ids": 0}
    config |= {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    (out / "tokenizer_config.json").write_text(json.dumps(config))
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = T5ForConditionalGeneration(
        T5Config(
            vocab_size=len(tokenizer),
            d_model=32,
            d_kv=8,
            d_ff=64,
            num_layers=2,
            num_decoder_layers=2,
            num_heads=4,
            pad_token_id=0,
            eos_token_id=1,
            decoder_start_token_id=0,
        )
    ).eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="where to write the model directories")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    builders = (
        ("marian-random", make_random),
        ("marian-toy", make_toy),
        ("bart-random", make_bart),
        ("t5-random", make_t5),
        ("marian-numbers", make_numbers),
        ("marian-tc-big", make_tc_big),
    )
    for name, build in builders:
        start = time.monotonic()
        target = args.dir / name
        with tempfile.TemporaryDirectory(dir=args.dir.parent if args.dir.exists() else None) as tmp:
            build(Path(tmp) / name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                import shutil

                shutil.rmtree(target)
            (Path(tmp) / name).rename(target)
        print(f"{target}: built in {time.monotonic() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
