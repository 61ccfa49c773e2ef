"""What a run is asked to do, and what actually ran.

* :class:`ModelOptions`: how to load one seq2seq model (which, where, on what). The
  translation and the summary options each embed one, so every entry point (CLI,
  Python API, later a server or a cluster job) passes the same object.
* :class:`TranslateOptions`, :class:`SummaryOptions`: what is the translator's and the
  summariser's own.
* :class:`Signature`: what a loaded model resolved those options to (backend, precision,
  device, beams, batch budget, model fingerprint), as a record and as one printable line,
  in the manner of sacrebleu's signatures. It is written into every output.

Every option is validated here, once, when the object is made.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args

from translate_news.core.errors import UsageError

# auto, cpu, cuda (the first GPU), cuda:1 (the second), ...
_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?")
Backend = Literal["auto", "torch", "ctranslate2"]
ComputeType = Literal[
    "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16",
    "float32",
]  # fmt: skip
BACKENDS: tuple[str, ...] = get_args(Backend)
COMPUTE_TYPES: tuple[str, ...] = get_args(ComputeType)
LEAD = "lead"


def check_device(device: object) -> None:
    """Refuse anything but auto, cpu, cuda and cuda:N."""
    if not isinstance(device, str) or not _DEVICE.fullmatch(device):
        raise UsageError(
            f"device must be auto, cpu, cuda or cuda:N (N: the GPU's number), got {device!r}"
        )


def gpu_index(device: str) -> int | None:
    """The GPU a device names (``cuda`` is 0, ``cuda:1`` is 1); None for the CPU."""
    if not device.startswith("cuda"):
        return None
    return int(device.partition(":")[2] or 0)


def _one_of(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UsageError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


def _at_least(name: str, value: int | None, minimum: int, maximum: int | None = None) -> None:
    """Refuse a count below ``minimum`` or above ``maximum`` (or not a whole number)."""
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise UsageError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise UsageError(f"{name} must be at most {maximum}, got {value}")


# Bounds checked before any model loads: beyond them a run does not get better, it runs
# out of memory or stalls (--beams 100000 took 4.5 GB before it was refused).
MAX_BEAMS = 64
MAX_THREADS = 1024
MAX_BATCH_TOKENS = 1_000_000
MAX_WINDOW = 100_000
MAX_SUMMARY_TOKENS = 100_000
MAX_SENTENCES = 10_000
MAX_ALTERNATIVES = MAX_BEAMS - 1  # n others need a beam n + 1 wide
# A sentence whose confidence (the geometric mean of its words' probabilities) is under
# this is flagged "low confidence"; chosen from scripts/eval_confidence.py (README).
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class ModelOptions:
    """How to load one model.

    ``name`` is an alias, a Hub id or a local directory (None: the caller's resolution
    order, see :mod:`translate_news.seq2seq.sources`). ``backend`` "auto" is CTranslate2 when it is
    installed and can run (int8 on CPU, float16 on CUDA; ``compute_type`` overrides),
    transformers otherwise. ``batch_tokens`` bounds the padded source tokens of one batch
    (None: 2048 / beams on CPU; on CUDA 8192 with CTranslate2, 1024 with transformers).
    ``threads`` None uses every core. ``revision``, ``cache_dir`` and
    ``local_files_only`` go to Hugging Face as they are. ``shortlist`` restricts each
    batch's output vocabulary with the map ``translate-news models shortlist`` built,
    under its guard (CTranslate2 only; see :mod:`translate_news.seq2seq.shortlist`);
    None: when the model has one.
    """

    name: str | None = None
    backend: str = "auto"
    device: str = "auto"
    compute_type: str | None = None
    threads: int | None = None
    batch_tokens: int | None = None
    revision: str | None = None
    cache_dir: str | None = None
    local_files_only: bool = False
    shortlist: bool | None = None

    def __post_init__(self) -> None:
        check_device(self.device)
        _one_of("backend", self.backend, BACKENDS)
        if self.shortlist and self.backend == "torch":
            raise UsageError("the vocabulary shortlist is CTranslate2's: not with backend torch")
        if self.compute_type is not None:
            _one_of("compute_type", self.compute_type, COMPUTE_TYPES)
        _at_least("threads", self.threads, 1, MAX_THREADS)
        _at_least("batch_tokens", self.batch_tokens, 1, MAX_BATCH_TOKENS)


@dataclass(frozen=True)
class TranslateOptions:
    """How to translate; shared by the CLI, the Python API and every command.

    ``beams`` None uses the model's generation config. ``memory`` keeps translations in
    a SQLite translation memory at ``memory_path`` (default: the user cache).
    ``detect_language`` passes paragraphs that are confidently not French through
    untranslated, marked. ``articles_per_window`` articles are translated as one flat,
    length-sorted list of sentences. ``glossary`` is a TSV or TOML file of terms the
    English must keep (see :mod:`translate_news.text.glossary`). A sentence the model
    is less sure of than ``min_confidence`` (0 to 1; 0: never) is flagged.
    ``alternatives`` n gives each sentence up to n other translations of its beam.
    """

    model: ModelOptions = field(default_factory=ModelOptions)
    beams: int | None = None
    memory: bool = True
    memory_path: str | None = None
    detect_language: bool = True
    articles_per_window: int = 32
    glossary: str | None = None
    min_confidence: float = MIN_CONFIDENCE
    alternatives: int = 0

    def __post_init__(self) -> None:
        _at_least("beams", self.beams, 1, MAX_BEAMS)
        _at_least("alternatives", self.alternatives, 0, MAX_ALTERNATIVES)
        _at_least("articles_per_window", self.articles_per_window, 1, MAX_WINDOW)
        if not 0.0 <= self.min_confidence <= 1.0:  # NaN too
            raise UsageError(f"min_confidence must be between 0 and 1, got {self.min_confidence}")


@dataclass(frozen=True)
class SummaryOptions:
    """How to summarise. ``model.name`` is "lead" (the first ``sentences`` sentences, no
    model), a Hub id or a local seq2seq directory (None: ``$TRANSLATE_NEWS_SUMMARIZER``,
    then distilbart-cnn-12-6). ``max_tokens``/``min_tokens`` bound a model summary
    (``min_tokens`` None: the model's own minimum); ``beams`` None: the model's own."""

    model: ModelOptions = field(default_factory=ModelOptions)
    sentences: int = 3
    max_tokens: int = 142
    min_tokens: int | None = None
    beams: int | None = None

    def __post_init__(self) -> None:
        _at_least("sentences", self.sentences, 1, MAX_SENTENCES)
        _at_least("max_tokens", self.max_tokens, 1, MAX_SUMMARY_TOKENS)
        _at_least("beams", self.beams, 1, MAX_BEAMS)
        if self.min_tokens is not None and not 0 <= self.min_tokens <= self.max_tokens:
            raise UsageError(
                f"need 0 <= min_tokens <= max_tokens, got {self.min_tokens} and {self.max_tokens}"
            )

    @property
    def is_lead(self) -> bool:
        return self.model.name == LEAD


_Options = TypeVar("_Options", TranslateOptions, SummaryOptions)
_MODEL_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelOptions))


def with_overrides(options: _Options, name: str | None, overrides: dict[str, Any]) -> _Options:
    """``options`` with ``name`` as the model and keyword overrides applied, each to the
    object that has that field: ``with_overrides(opts, "x", {"device": "cpu", "beams": 4})``
    sets ``opts.model.device`` and ``opts.beams``. An unknown keyword is a TypeError."""
    model = {k: v for k, v in overrides.items() if k in _MODEL_FIELDS and k != "name"}
    own = {k: v for k, v in overrides.items() if k not in model}
    if name is not None:
        model["name"] = name
    if model:
        own["model"] = dataclasses.replace(options.model, **model)
    return dataclasses.replace(options, **own) if own else options


@dataclass(frozen=True)
class Signature:
    """What a loaded model actually runs: the options resolved, and the model's identity.

    ``str(signature)`` is one line, for example
    ``opus-mt-fr-en@1a2b3c4d5e6f7a8b|ctranslate2-int8|cpu|beams=4|budget=512|translate-news 0.3.0``;
    ``settings`` adds what a caller decodes with beyond beams (a summary's length bounds),
    ``shortlist`` and ``glossary`` the hashes of the vocabulary shortlist (always under
    its guard: ``shortlist=<hash>,guarded``) and the glossary in use.
    Two runs with equal signatures produce the same text.
    """

    model: str
    fingerprint: str
    backend: str
    precision: str
    device: str
    beams: int
    budget: int
    version: str
    settings: tuple[tuple[str, int], ...] = ()
    shortlist: str | None = None
    glossary: str | None = None

    @property
    def short_name(self) -> str:
        return self.model.rstrip("/").rsplit("/", 1)[-1]

    def __str__(self) -> str:
        extra = "".join(f"|{key}={value}" for key, value in self.settings)
        if self.shortlist:
            extra += f"|shortlist={self.shortlist},guarded"
        if self.glossary:
            extra += f"|glossary={self.glossary}"
        return (
            f"{self.short_name}@{self.fingerprint}|{self.backend}-{self.precision}|{self.device}"
            f"|beams={self.beams}|budget={self.budget}{extra}|translate-news {self.version}"
        )

    @staticmethod
    def fingerprint_of(line: str) -> str | None:
        """The model fingerprint of a signature as :meth:`__str__` writes it (None for a
        line that is not one): which model made a translation-memory entry."""
        head = line.split("|", 1)[0]
        return head.rsplit("@", 1)[1] if "@" in head else None

    def as_dict(self) -> dict[str, Any]:
        record = dataclasses.asdict(self)
        record["settings"] = dict(self.settings)
        record["line"] = str(self)
        return record
