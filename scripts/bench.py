"""Benchmark the translation engines on a model shaped exactly like opus-mt-fr-en.

    python scripts/bench.py [--quick] [--json FILE] [--threads N] [--engines a,b,...]
                            [--device cpu|cuda] [--synthetic N] [--beam-sizes 4,1]
                            [--rounds N]
                            [--arch opus-mt-fr-en|opus-mt-tc-big-fr-en]
    python scripts/bench.py --startup [--json FILE]   # whole-process start-up times
    python scripts/bench.py --end-to-end [--json FILE]  # the seed, translated and
                                                        # summarised, cold process

The model is built from opus-mt-fr-en's configuration (vocabulary 59,514, 6+6 layers,
d_model 512) with random weights, so nothing is downloaded; its tokenizer is a real
MarianTokenizer whose vocabulary is padded to 59,514 entries. Every engine is forced to
the same output length (1.2 x the longest source of each batch; 1.2 x the source for
one-sentence calls), so the comparison is about speed alone:

* naive: transformers, one sentence per generate() call (on an even sample of at most
  60 sentences per corpus: with one sentence per call, speed does not depend on the rest);
* hf-sorted: transformers, length-sorted batches of 16 (what EasyNMT does);
* ct2-plain: CTranslate2 int8, length-sorted batches of 16, no other tuning;
* default: translate_news.Translator with its default options;
* fastest: translate_news.Translator tuned for CPU throughput;
* shortlist: the default with a vocabulary shortlist of realistic size (the 100 most
  frequent target tokens + 20 per source token), built before the runs by the same code
  as ``translate-news models shortlist`` on the synthetic corpus (see make_shortlist);
  the number of candidates per batch is reported with it;
* guarded: the product's default where a shortlist is built: that shortlist under its
  guard (the full-vocabulary scoring pass of every sentence), with the redo rate forced
  to 5% (GUARDED_REDO): the random weights' mass on any shortlist is low, so their guard
  would redo every sentence (scripts/bench_guard.py times other rates).

On CUDA (--device cuda) the transformers engines run in float16, ct2-plain in float16,
and ours with its own choice for the GPU; peak memory is then the host's, not the GPU's.

Each engine runs in its own child process for each beam size (so that its peak
resident memory is its own; --quick runs everything in one process instead), at
beam 4 and beam 1, on the seed article and on a synthetic corpus of articles.
Figures are printed and written as JSON (--json).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import itertools
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

OPUS_MT_FR_EN = {
    "vocab_size": 59514,
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
}
# Helsinki-NLP/opus-mt-tc-big-fr-en's config.json (transformer-big), seen on the Hub.
OPUS_MT_TC_BIG_FR_EN = {
    "vocab_size": 53017,
    "d_model": 1024,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
}
ARCHS = {"opus-mt-fr-en": OPUS_MT_FR_EN, "opus-mt-tc-big-fr-en": OPUS_MT_TC_BIG_FR_EN}
ENGINES = ("naive", "hf-sorted", "ct2-plain", "default", "fastest", "shortlist", "guarded")
DISTILBART_CNN_12_6 = {
    "vocab_size": 50264,
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 6,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "max_position_embeddings": 1024,
}
SUMMARY_TOKENS = 60
RATIO = 1.2
NAIVE_SAMPLE = 60
GUARDED_REDO = 0.05  # the redo rate the guarded engine is measured at (see forced_redo)
PASSES = 8  # draws of the synthetic corpus a benchmark shortlist is built from


def build_model(out: Path) -> Path:
    """opus-mt-fr-en's architecture, random weights, a real tokenizer padded to its vocab."""
    import make_test_models as builder
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.manual_seed(0)
    corpus = builder.toy_corpus()
    french = builder._seed_french() + [fr for fr, _ in corpus]
    builder.build_tokenizer(out, french, [en for _, en in corpus], (1000, 400))
    vocab = json.loads((out / "vocab.json").read_text(encoding="utf-8"))
    del vocab["<pad>"]
    for i in range(len(vocab), OPUS_MT_FR_EN["vocab_size"] - 1):
        vocab[f"▁filler{i}"] = i
    vocab["<pad>"] = OPUS_MT_FR_EN["vocab_size"] - 1
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
    )
    dims = {k: v for k, v in OPUS_MT_FR_EN.items() if k != "vocab_size"}
    config = builder.marian_config(OPUS_MT_FR_EN["vocab_size"], **dims)
    model = MarianMTModel(config).eval()
    with torch.no_grad():
        model.model.shared.weight[config.pad_token_id].zero_()
    builder._save(model, tokenizer, out, beams=4, max_length=512)
    return out


def build_tc_big(out: Path) -> Path:
    """opus-mt-tc-big-fr-en's architecture and file layout, random weights."""
    import make_test_models as builder

    return builder.make_tc_big(out, **OPUS_MT_TC_BIG_FR_EN)


def cached_model(arch: str = "opus-mt-fr-en") -> Path:
    """The benchmark model of ``arch``, built once into the user cache (300 MB for
    opus-mt-fr-en, 460 MB for tc-big, 1.2 GB for distilbart-cnn-12-6) and reused while
    the builder is unchanged; conversions are cached beside it."""
    from translate_news.core.paths import cache_root

    build = {"opus-mt-fr-en": build_model, "distilbart-cnn-12-6": build_summarizer}.get(
        arch, build_tc_big
    )
    recipe = (ROOT / "scripts" / "make_test_models.py").read_text(encoding="utf-8")
    recipe += inspect.getsource(build) + repr(ARCHS.get(arch, DISTILBART_CNN_12_6))
    key = hashlib.sha256(recipe.encode()).hexdigest()[:12]
    target = cache_root() / "bench" / f"{arch}-shaped-{key}"
    if not (target / "config.json").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            built = build(Path(tmp) / "model")
            shutil.rmtree(target, ignore_errors=True)
            built.rename(target)
    return target


def corpora(quick: bool, synthetic: int = 200) -> dict[str, list[list[str]]]:
    """Articles as lists of sentences: the seed article, and a synthetic corpus built
    from its sentences with names and numbers changed so that no sentence repeats."""
    from translate_news import read_article, split_sentences

    seed_path = next((ROOT / "seeds").glob("*.txt"))
    seed = read_article(seed_path)
    seed_sentences = [s for p in seed.paragraphs for s in split_sentences(p.body)]
    rng = random.Random(7)
    articles = []
    count, per_article = (2, 1) if quick else (synthetic, 2)
    for a in range(count):
        sentences = []
        for s in rng.sample(seed_sentences, per_article):
            sentences.append(re.sub(r"\d+", lambda m: str(rng.randint(2, 999)), s) + f" ({a})")
        articles.append(sentences)
    if quick:
        seed_sentences = seed_sentences[:2]
    return {"seed": [seed_sentences], "synthetic": articles}


def _forced(length: int) -> int:
    return max(1, math.ceil(RATIO * length))


def run_engine(
    engine: str,
    beam_sizes: list[int],
    model_dir: Path,
    threads: int,
    quick: bool,
    device: str = "cpu",
    synthetic: int = 200,
) -> list[dict]:
    """Run one engine at each beam size on every corpus (in this process)."""
    runs = []
    setup = _setup(engine, model_dir, threads, device)
    for beams in beam_sizes:
        for corpus, articles in corpora(quick, synthetic).items():
            sentences = [s for article in articles for s in article]
            if engine == "naive" and len(sentences) > NAIVE_SAMPLE:
                # One sentence per call: its tokens/s does not depend on the other
                # sentences, so an even sample measures it without an hour-long run.
                sentences = sentences[:: math.ceil(len(sentences) / NAIVE_SAMPLE)]
            # Load and warm up outside the timing; a GPU also settles its kernels and
            # memory pool on real batch shapes first.
            setup(sentences[:64] if device == "cuda" else ["Il pleut."], beams)
            start = time.perf_counter()
            src_tokens = setup(sentences, beams)
            seconds = time.perf_counter() - start
            runs.append(
                {
                    "engine": engine,
                    "device": device,
                    "backend": getattr(setup, "backend", ""),
                    "beams": beams,
                    "corpus": corpus,
                    "sentences": len(sentences),
                    "src_tokens": src_tokens,
                    "seconds": round(seconds, 3),
                    "src_tokens_per_s": round(src_tokens / seconds, 1),
                }
            )
    peak = peak_rss_mb()
    for run in runs:
        run["peak_rss_mb"] = round(peak)
        run["rss_isolated"] = not quick
    return runs


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM is per address space; ru_maxrss is not
    (Linux carries it across exec, so a child would report its parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup(engine: str, model_dir: Path, threads: int, device: str = "cpu"):
    """Load ``engine`` once; return a function translating sentences at a beam size."""
    cuda = device == "cuda"
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(model_dir)

    def count(sentences):
        return sum(len(ids) for ids in tokenizer(sentences)["input_ids"])

    if engine in ("naive", "hf-sorted"):
        import torch
        from transformers import MarianMTModel

        torch.set_num_threads(threads)
        dtype = torch.float16 if cuda else torch.float32
        model = MarianMTModel.from_pretrained(model_dir, dtype=dtype).to(device).eval()

        def hf(sentences, beams):
            size = 1 if engine == "naive" else 16
            order = (
                range(len(sentences))
                if engine == "naive"
                else sorted(range(len(sentences)), key=lambda i: -len(sentences[i]))
            )
            order = list(order)
            for i in range(0, len(order), size):
                batch = tokenizer(
                    [sentences[j] for j in order[i : i + size]], return_tensors="pt", padding=True
                ).to(device)
                length = _forced(batch["input_ids"].shape[1])
                with torch.inference_mode():
                    model.generate(
                        **batch,
                        num_beams=beams,
                        max_length=None,
                        max_new_tokens=length,
                        min_new_tokens=length,
                    )
            if cuda:
                torch.cuda.synchronize()
            return count(sentences)

        hf.backend = f"transformers {dtype}".replace("torch.", "")
        return hf
    if engine == "ct2-plain":
        import ctranslate2
        from ctranslate2.converters import TransformersConverter

        quantization = "float16" if cuda else "int8"
        target = model_dir / f"ct2-plain-{quantization}"
        if not target.exists():
            TransformersConverter(str(model_dir)).convert(str(target), quantization=quantization)
        translator = ctranslate2.Translator(str(target), device=device, intra_threads=threads)

        def ct2(sentences, beams):
            tokens = [tokenizer.convert_ids_to_tokens(i) for i in tokenizer(sentences)["input_ids"]]
            order = sorted(range(len(tokens)), key=lambda i: -len(tokens[i]))
            for i in range(0, len(order), 16):
                batch = [tokens[j] for j in order[i : i + 16]]
                length = _forced(max(len(t) for t in batch))
                translator.translate_batch(
                    batch, beam_size=beams, max_decoding_length=length, min_decoding_length=length
                )
            return count(sentences)

        ct2.backend = f"ctranslate2 {quantization}"
        return ct2
    # "fastest" pins what "default" chooses by itself on this machine (CTranslate2 int8,
    # every core, the CPU batch budget), so that a change of defaults shows up here.
    # The product uses a shortlist by default where one is built; the benchmark model's
    # has random weights, whose mass on any shortlist is low, so its guard would redo
    # everything: "default" and "fastest" are measured without one.
    tuned = {
        "default": {"device": device, "shortlist": False},
        "fastest": {
            "backend": "ctranslate2",
            "compute_type": "float16" if cuda else "int8",
            "threads": threads,
            "device": device,
            "shortlist": False,
        },
        "shortlist": {"device": device, "shortlist": True},
        "guarded": {"device": device},  # the map is there: used, guarded
    }[engine]
    current: dict[int, Any] = {}

    def ours(sentences, beams):
        if beams not in current:
            current.clear()  # one loaded model at a time, as a user would have
            current[beams] = forced_translator(model_dir, beams=beams, memory=False, **tuned)
            backend = current[beams].model.backend
            ours.backend = f"{backend.name} {backend.precision}"
        with forced_redo(GUARDED_REDO if engine == "guarded" else None):
            current[beams].translate(sentences)
        return count(sentences)

    return ours


@contextlib.contextmanager
def forced_redo(rate: float | None) -> Iterator[None]:
    """Within it, the shortlist guard redoes every (1 / ``rate``)-th sentence it checks
    and keeps the rest, whatever their bound says (``rate`` 0: none; None: the guard as
    it is): the random weights' own verdict would be to redo them all."""
    from translate_news.seq2seq import confidence

    real = confidence.verified
    if rate is not None:
        counter, every = itertools.count(), round(1 / rate) if rate else 0

        def forced(mass: float, row: Any, greedy: bool) -> bool:
            return not (every and next(counter) % every == 0)

        confidence.verified = forced
    try:
        yield
    finally:
        confidence.verified = real


def forced_translator(model_dir: Path, **options: Any) -> Any:
    """translate_news.Translator with every output forced to RATIO x its batch's longest
    source and the runaway guard off (it would translate the forced outputs again): the
    speed of the engine alone."""
    from translate_news import Translator

    class Forced(Translator):
        def output_cap(self, source_tokens: int) -> int:  # of the batch's longest source
            return max(1, round(RATIO * source_tokens))

        def _repair_runaways(self, units, outputs):
            return outputs, set()

        def _rerank(self, sentences, units, owners, outputs):
            return set()  # no output replaced

    translator = Forced(str(model_dir), **options)
    decoding = translator.model._decoding  # every output exactly as long as its cap

    def forced(max_new_tokens, settings, *rest):
        return decoding(max_new_tokens, {**settings, "min_new_tokens": max_new_tokens}, *rest)

    translator.model._decoding = forced
    return translator


def make_shortlist(model_dir: Path, synthetic: int, device: str) -> dict:
    """Build the model's shortlist (100 always + 20 per source token) from the synthetic
    corpus with translate_news.seq2seq.shortlist.build, the code ``models shortlist`` runs; report
    how many target tokens a batch of the default engine at beam 4 may then use.

    The model has random weights: its own translations use a handful of distinct tokens,
    which would make a shortlist far smaller than a real one (and the engine unfairly
    fast). So the English side is a pseudo-translation: each French subword has 20
    English subwords drawn at random from the whole target vocabulary, and each time it
    occurs becomes one of them (the corpus is drawn PASSES times, so that each is seen).
    A batch may then use about 100 + 20 per distinct source subword: the size of a real
    map whose lists never overlap, an upper bound (real lists share "the", "." ...)."""
    from translate_news.core.options import ModelOptions
    from translate_news.seq2seq.batching import token_budget_batches
    from translate_news.seq2seq.model import Seq2SeqModel
    from translate_news.seq2seq.shortlist import build, save

    sentences = [s for article in corpora(False, synthetic)["synthetic"] for s in article]
    model = Seq2SeqModel(ModelOptions(str(model_dir), device=device))
    vocabulary = model.tokenizer.convert_ids_to_tokens(list(range(model.vocabulary_size)))
    rng = random.Random(11)
    sources = [model.tokens(ids) for ids in model.encode(sentences)]
    english = {f: rng.sample(vocabulary, 20) for f in sorted({f for s in sources for f in s})}
    pairs = [(s, [rng.choice(english[f]) for f in s]) for _ in range(PASSES) for s in sources]
    started = time.perf_counter()
    vmap = build(pairs, common=100, per_source=20)
    built = time.perf_counter() - started
    path = save(vmap, model.folder, model.fingerprint)
    budget = 2048 // 4  # the default CPU budget at beam 4
    batches = token_budget_batches([len(s) + 1 for s in sources], budget)
    allowed = [len(vmap.allowed(f for i in b for f in sources[i])) for b in batches]
    return {
        "path": str(path),
        "sentences": len(sentences),
        "build_seconds": round(built, 1),
        "source_tokens": len(vmap.candidates),
        "vocabulary": len(vocabulary),
        "candidates_per_batch_mean": round(sum(allowed) / len(allowed)),
        "candidates_per_batch_min": min(allowed),
        "candidates_per_batch_max": max(allowed),
    }


def build_summarizer(out: Path) -> Path:
    """distilbart-cnn-12-6's architecture with random weights; its tokenizer is the test
    BART tokenizer with filler entries added to its vocabulary up to the real size."""
    import make_test_models as builder
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    torch.manual_seed(0)
    builder.make_bart(out)
    spec = json.loads((out / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = spec["model"]["vocab"]
    for i in range(len(vocab), DISTILBART_CNN_12_6["vocab_size"]):
        vocab[f"filler{i}"] = i
    (out / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    settings = json.loads((out / "tokenizer_config.json").read_text(encoding="utf-8"))
    settings["model_max_length"] = 1024
    (out / "tokenizer_config.json").write_text(json.dumps(settings), encoding="utf-8")
    ids = {"pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2, "decoder_start_token_id": 2}
    config = BartConfig(**DISTILBART_CNN_12_6, **ids, forced_bos_token_id=0, forced_eos_token_id=2)
    model = BartForConditionalGeneration(config).eval()
    model.generation_config.num_beams = 4
    model.save_pretrained(out)
    return out


def bench_summarizer(threads: int, articles: int) -> list[dict]:
    """Seconds per article at beam 4, every summary forced to SUMMARY_TOKENS tokens:
    transformers and plain CTranslate2 int8, one article per call, against
    translate_news.Summarizer with its defaults (CTranslate2 int8, batched)."""
    import make_test_models as builder
    import torch
    from transformers import AutoTokenizer, BartForConditionalGeneration

    from translate_news.pipeline.summarizer import Summarizer

    torch.set_num_threads(threads)
    english = [en for _, en in builder.toy_corpus()]
    texts = [" ".join(english[i * 40 : (i + 1) * 40]) for i in range(articles)]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_summarizer(Path(tmp) / "distilbart-cnn-12-6-shaped")
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = BartForConditionalGeneration.from_pretrained(model_dir).eval()
        start = time.perf_counter()
        for text in texts:
            with torch.inference_mode():
                model.generate(
                    **tokenizer(text, return_tensors="pt"),
                    num_beams=4,
                    max_length=None,
                    max_new_tokens=SUMMARY_TOKENS,
                    min_new_tokens=SUMMARY_TOKENS,
                )
        runs.append(("transformers", time.perf_counter() - start))
        del model
        import ctranslate2

        from translate_news.seq2seq.convert import convert_to_ctranslate2

        plain = convert_to_ctranslate2(model_dir, "int8", Path(tmp) / "ct2-int8")
        translator = ctranslate2.Translator(str(plain), device="cpu", intra_threads=threads)
        start = time.perf_counter()
        for text in texts:
            tokens = tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])
            translator.translate_batch(
                [tokens],
                beam_size=4,
                max_decoding_length=SUMMARY_TOKENS,
                min_decoding_length=SUMMARY_TOKENS,
            )
        runs.append(("ct2-plain", time.perf_counter() - start))
        del translator
        ours = Summarizer(
            str(model_dir), device="cpu", max_tokens=SUMMARY_TOKENS, min_tokens=SUMMARY_TOKENS
        )
        start = time.perf_counter()
        for text in texts:
            ours.summarize_paragraphs([text])
        runs.append(("translate-news", time.perf_counter() - start))
        # As a folder run does: a window of articles summarised together.
        start = time.perf_counter()
        ours.summarize_paragraph_lists([[text] for text in texts])
        runs.append(("translate-news, all at once", time.perf_counter() - start))
        tokens = sum(len(ids) for ids in tokenizer(texts)["input_ids"])
    return [
        {
            "engine": name,
            "beams": 4,
            "articles": len(texts),
            "src_tokens": tokens,
            "summary_tokens": SUMMARY_TOKENS,
            "seconds": round(seconds, 2),
            "seconds_per_article": round(seconds / len(texts), 2),
        }
        for name, seconds in runs
    ]


# What each cold process of --end-to-end runs: the seed article translated (beam 4,
# outputs forced to RATIO x source), then English of the same length summarised (beam 4,
# forced to SUMMARY_TOKENS tokens). The random-weight translation decodes to nonsense
# words that BART's tokenizer cuts into letters (33 chunks for the seed), so the text
# summarised is a stand-in of real English: toy-corpus sentences, as many words as the
# seed has. {seed}, {translation}, {summary}, {english}, {root} are filled in.
END_TO_END = {
    # transformers 5 removed pipeline("translation") and pipeline("summarization"); this
    # is what they ran: one input per generate() call, cut to the model's input.
    "plain transformers (as its pipelines)": """
import math
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
from translate_news import read_article, split_sentences

def load(name):
    return AutoTokenizer.from_pretrained(name), AutoModelForSeq2SeqLM.from_pretrained(name)

def generate(tokenizer, model, text, tokens):
    batch = tokenizer(text, return_tensors="pt", truncation=True)
    if tokens is None:
        tokens = math.ceil({ratio} * batch["input_ids"].shape[1])
    out = model.generate(**batch, num_beams=4, max_length=None, max_new_tokens=tokens,
                         min_new_tokens=tokens)
    return tokenizer.decode(out[0], skip_special_tokens=True)

article = read_article({seed!r})
tokenizer, model = load({translation!r})
english = [" ".join(generate(tokenizer, model, s, None) for s in split_sentences(p.body))
           for p in article.paragraphs]
english = open({english!r}, encoding="utf-8").read().split("\\n\\n")  # the stand-in
tokenizer, model = load({summary!r})
print(len(generate(tokenizer, model, "\\n".join(english), {tokens})))
""",
    "translate-news --no-shortlist": """
import sys
sys.path[:0] = [{root!r}, {root!r} + "/scripts"]
from bench import forced_translator
from translate_news import Summarizer, read_article

article = read_article({seed!r})
translator = forced_translator({translation!r}, memory=False, shortlist=False)
english = translator.translate_article(article)
english = open({english!r}, encoding="utf-8").read().split("\\n\\n")  # the stand-in
summarizer = Summarizer({summary!r}, max_tokens={tokens}, min_tokens={tokens})
summary = summarizer.summarize_paragraphs(english)
print(len(summary.text), summary.chunks)
""",
}
# The product's default where the model has a shortlist: used, under the guard.
END_TO_END["translate-news default (guarded shortlist, 5% redone)"] = (
    END_TO_END["translate-news --no-shortlist"]
    .replace("import forced_translator", "import forced_redo, forced_translator")
    .replace("memory=False, shortlist=False)", "memory=False)")
    .replace(
        "english = translator.translate_article(article)",
        "with forced_redo({redo}):\n    english = translator.translate_article(article)",
    )
)


def bench_end_to_end(repeats: int = 3) -> list[dict]:
    """Whole-process wall time (model loading included), median of ``repeats``, of the
    seed article translated and summarised: our default against a plain script of
    transformers pipelines (one sentence per call, as such scripts do). Both models are
    shaped like the real ones (opus-mt-fr-en, distilbart-cnn-12-6) with random weights;
    the CTranslate2 conversions are made once beforehand, as a user's first run does."""
    import statistics

    import make_test_models as builder

    seed = next((ROOT / "seeds").glob("*.txt"))
    words = len(seed.read_text(encoding="utf-8").split())
    sentences = iter(en for _, en in builder.toy_corpus(size=2000))
    paragraphs, count = [], 0
    while count < words:
        paragraph = " ".join(next(sentences) for _ in range(4))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    stand_in = Path(tempfile.mkdtemp()) / "english.txt"
    stand_in.write_text("\n\n".join(paragraphs), encoding="utf-8")
    fill = {
        "seed": str(seed),
        "english": str(stand_in),
        "translation": str(cached_model("opus-mt-fr-en")),
        "summary": str(cached_model("distilbart-cnn-12-6")),
        "root": str(ROOT),
        "ratio": RATIO,
        "tokens": SUMMARY_TOKENS,
        "redo": GUARDED_REDO,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    scripts = {name: code.format(**fill) for name, code in END_TO_END.items()}
    command = [sys.executable, __file__, "--make-shortlist", "--model-dir", fill["translation"]]
    subprocess.run(command, capture_output=True, check=True)  # as the shortlist engine's
    subprocess.run(  # converts both models once, outside the timing
        [sys.executable, "-c", scripts["translate-news --no-shortlist"]], check=True, env=env
    )
    runs = []
    for name, code in scripts.items():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env)
            times.append(round(time.perf_counter() - start, 2))
            print(f"{name}: {times[-1]} s", file=sys.stderr)
        runs.append({"what": name, "median_s": statistics.median(times), "runs": times})
    plain = runs[0]["median_s"]
    for run in runs:
        run["x_plain"] = round(plain / run["median_s"], 2)
    return runs


def toy_model() -> Path:
    """The trained toy model of the test suite, built once into the user cache."""
    import make_test_models as builder

    from translate_news.core.paths import cache_root

    recipe = (ROOT / "scripts" / "make_test_models.py").read_bytes()
    target = cache_root() / "bench" / f"test-models-{hashlib.sha256(recipe).hexdigest()[:12]}"
    if not (target / "marian-toy" / "config.json").exists():
        with tempfile.TemporaryDirectory() as tmp:
            built = builder.make_toy(Path(tmp) / "marian-toy")
            target.mkdir(parents=True, exist_ok=True)
            shutil.move(str(built), target / "marian-toy")
    return target / "marian-toy"


def bench_startup(repeats: int = 5) -> list[dict]:
    """Whole-process wall time, median of ``repeats``: what a user waits for one short
    article (the toy article with the toy model, converted already), beside the floors
    (an empty interpreter, importing CTranslate2) and --help."""
    import statistics

    model = toy_model()
    cli = [sys.executable, "-m", "translate_news"]
    translate = [*cli, "translate", str(ROOT / "tests" / "data" / "toy.txt")]
    translate += ["--model", str(model), "--no-memory"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import ctranslate2": [sys.executable, "-c", "import ctranslate2"],
        "translate-news --help": [*cli, "--help"],
        "translate the toy article": translate,
    }
    subprocess.run(translate, capture_output=True, check=True)  # converts the model once
    runs = []
    for name, command in commands.items():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        runs.append({"what": name, "median_s": round(statistics.median(times), 3), "runs": times})
    return runs


def medians(runs: list[dict]) -> list[dict]:
    """Each engine's median speed ratio to ct2-plain over the rounds (ratios taken within
    a round, so that the machine's drift between rounds cancels)."""
    import statistics

    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        if r.get("ratio_vs_ct2_plain") is not None:
            groups.setdefault((r["engine"], r["beams"], r["corpus"]), []).append(r)
    return [
        {
            "engine": engine,
            "beams": beams,
            "corpus": corpus,
            "rounds": len(found),
            "ratio": statistics.median(r["ratio_vs_ct2_plain"] for r in found),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in found),
        }
        for (engine, beams, corpus), found in groups.items()
    ]


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def gpu_name(device: str) -> str | None:
    if device != "cuda":
        return None
    import torch

    return torch.cuda.get_device_name(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny corpora, one process (memory not per engine): under a minute",
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--model-dir", type=Path, help="the model to time (default: built once, then cached)"
    )
    parser.add_argument(
        "--arch", choices=sorted(ARCHS), default="opus-mt-fr-en", help="the model's shape"
    )
    parser.add_argument(
        "--summarizer", action="store_true", help="time the summariser instead (see README)"
    )
    parser.add_argument("--articles", type=int, default=8, help="with --summarizer")
    parser.add_argument(
        "--startup", action="store_true", help="time whole processes: --help, one short article"
    )
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument(
        "--synthetic", type=int, default=200, help="articles (of 2 sentences) in that corpus"
    )
    parser.add_argument(
        "--end-to-end",
        action="store_true",
        help="time the seed translated and summarised from a cold process, against "
        "plain transformers pipelines",
    )
    parser.add_argument("--beam-sizes", default="4,1", help="comma-separated (default 4,1)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="run every engine this many times (median shown)"
    )
    parser.add_argument("--make-shortlist", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--beams", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        runs = run_engine(
            args.child,
            [args.beams],
            args.model_dir,
            args.threads,
            args.quick,
            args.device,
            args.synthetic,
        )
        print(json.dumps(runs))
        return 0

    whole_process = {"startup_runs": bench_startup, "end_to_end": bench_end_to_end}
    for key, bench in whole_process.items():
        if not getattr(args, "startup" if key == "startup_runs" else key):
            continue
        runs = bench()
        for r in runs:
            ratio = f"  {r['x_plain']:6.2f} x" if "x_plain" in r else ""
            print(f"{r['what']:38} {r['median_s']:8.2f} s (median of {len(r['runs'])}){ratio}")
        if args.json:
            args.json.write_text(json.dumps({"machine": machine(), key: runs}, indent=2))
        return 0

    if args.summarizer:
        runs = bench_summarizer(args.threads, args.articles)
        for r in runs:
            print(f"{r['engine']:28} {r['seconds_per_article']:8.2f} s/article", end="")
            print(f" ({r['articles']} articles, {r['src_tokens']} source tokens)")
        if args.json:
            report = {"machine": machine() | {"threads": args.threads}, "summarizer_runs": runs}
            args.json.write_text(json.dumps(report, indent=2))
        return 0

    model_dir = args.model_dir or cached_model(args.arch)
    if args.make_shortlist:
        print(json.dumps(make_shortlist(model_dir, args.synthetic, args.device)))
        return 0
    engines = args.engines.split(",")
    beam_sizes = [int(b) for b in args.beam_sizes.split(",")]
    shortlist = None
    if {"shortlist", "guarded"} & set(engines):  # built in a child: this process stays light
        command = [sys.executable, __file__, "--make-shortlist", "--model-dir", str(model_dir)]
        command += ["--device", args.device, "--synthetic", str(args.synthetic)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        shortlist = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"shortlist: {shortlist}", file=sys.stderr)
    runs: list[dict] = []
    failed: list[str] = []
    for round_ in range(1, args.rounds + 1):
        for engine in engines:
            if args.quick:  # in this process: no child start-ups, memory not isolated
                found = run_engine(
                    engine, beam_sizes, model_dir, args.threads, True, args.device, args.synthetic
                )
                runs += [r | {"round": round_} for r in found]
                continue
            for beams in beam_sizes:
                command = [sys.executable, __file__, "--child", engine, "--beams", str(beams)]
                command += ["--model-dir", str(model_dir), "--threads", str(args.threads)]
                command += ["--device", args.device, "--synthetic", str(args.synthetic)]
                done = subprocess.run(command, capture_output=True, text=True)
                if done.returncode != 0:  # report it and go on with the other engines
                    print(f"{engine} beam {beams} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                    failed.append(f"{engine} beam {beams}")
                    continue
                runs += [r | {"round": round_} for r in json.loads(done.stdout.splitlines()[-1])]
                print(f"round {round_}: {engine} beam {beams}: done", file=sys.stderr)
    for base_engine in ("naive", "ct2-plain"):
        base = {
            (r["round"], r["beams"], r["corpus"]): r["src_tokens_per_s"]
            for r in runs
            if r["engine"] == base_engine
        }
        for run in runs:
            found = base.get((run["round"], run["beams"], run["corpus"]))
            ratio = round(run["src_tokens_per_s"] / found, 2) if found else None
            run[f"ratio_vs_{base_engine.replace('-', '_')}"] = ratio
    report = {
        "machine": machine() | {"threads": args.threads, "gpu": gpu_name(args.device)},
        "arch": args.arch,
        "quick": args.quick,
        "shortlist": shortlist,
        "runs": runs,
        "medians_vs_ct2_plain": medians(runs),
        "failed": failed,
    }
    print(
        f"{'round':>5} {'engine':10} {'beams':>5} {'corpus':10} {'tokens':>7} {'s':>8} "
        f"{'tok/s':>8} {'MB':>6} {'x naive':>8} {'x ct2':>6}  backend"
    )
    for r in runs:
        print(
            f"{r['round']:5d} {r['engine']:10} {r['beams']:5d} {r['corpus']:10} "
            f"{r['src_tokens']:7d} {r['seconds']:8.2f} {r['src_tokens_per_s']:8.1f} "
            f"{r['peak_rss_mb']:6d} {r['ratio_vs_naive'] or 0:8.2f} "
            f"{r['ratio_vs_ct2_plain'] or 0:6.2f}  {r['backend']}"
        )
    for row in report["medians_vs_ct2_plain"]:
        print(
            f"median of {row['rounds']}: {row['engine']} beam {row['beams']} {row['corpus']}: "
            f"{row['ratio']:.2f} x ct2-plain, peak RSS {row['peak_rss_mb']} MB"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
