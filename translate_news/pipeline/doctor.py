"""``translate-news doctor``: what this machine has, what each command would run with,
and each problem with the command that fixes it."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from dataclasses import dataclass, field, replace
from pathlib import Path

from translate_news._version import __version__
from translate_news.core.errors import TranslateNewsError
from translate_news.core.options import SummaryOptions, TranslateOptions
from translate_news.core.paths import (
    config_dir,
    default_memory,
    hf_cache_dir,
    user_models_dir,
)
from translate_news.seq2seq.sources import (
    SUMMARY,
    TRANSLATION,
    Role,
    local_copy,
    local_name,
    resolve_model,
)
from translate_news.seq2seq.store import conversions

_PACKAGES = ("torch", "ctranslate2", "transformers", "huggingface_hub", "sentencepiece")
_CPU_FLAGS = ("avx", "avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8", "neon")


@dataclass
class Checkup:
    """The doctor's findings: sections of (label, value) lines, and problems with fixes."""

    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    can_translate: bool = True

    def add(self, section: str, label: str, value: str) -> None:
        self.sections.setdefault(section, []).append((label, value))


def examine(
    translate: TranslateOptions, summary: SummaryOptions, config_file: Path | None
) -> Checkup:
    """Look at the machine and at the models ``translate`` and ``summary`` name."""
    checkup = Checkup()
    _versions(checkup)
    _processor(checkup)
    _gpus(checkup)
    _translation(checkup, translate)
    _summaries(checkup, summary)
    checkup.add("Locations", "configuration file", str(config_file or "none"))
    checkup.add("Locations", "user configuration", str(config_dir() / "config.toml"))
    checkup.add("Locations", "models folder", str(user_models_dir()))
    checkup.add("Locations", "Hugging Face cache", str(hf_cache_dir()))
    memory = translate.memory_path or default_memory()
    checkup.add("Locations", "translation memory", str(memory) if translate.memory else "off")
    return checkup


def _versions(checkup: Checkup) -> None:
    checkup.add("Versions", "python", platform.python_version())
    checkup.add("Versions", "translate-news", __version__)
    for name in _PACKAGES:
        try:
            checkup.add("Versions", name, importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            checkup.add("Versions", name, "not installed")
            if name == "ctranslate2":
                checkup.problems.append(
                    "CTranslate2 is not installed, so every model runs on transformers, 2-4x "
                    "slower on CPU: pip install ctranslate2"
                )


def _processor(checkup: Checkup) -> None:
    name = platform.processor() or platform.machine()
    checkup.add("Processor", "cpu", f"{name}, {os.cpu_count()} cores")
    flags = _cpu_flags()
    features = [f for f in _CPU_FLAGS if f in flags] or ["(unknown)"]
    checkup.add("Processor", "features", " ".join(features))
    try:
        import ctranslate2
    except ImportError:
        checkup.add("Processor", "CTranslate2 on cpu", "not installed")
        return
    types = sorted(ctranslate2.get_supported_compute_types("cpu"))
    checkup.add("Processor", "CTranslate2 on cpu", ", ".join(types))


def _cpu_flags() -> set[str]:
    """The processor's feature flags, from Linux's /proc/cpuinfo; none known elsewhere
    (or where it cannot be read), which the checkup shows as unknown."""
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.is_file():
        return set()
    for line in cpuinfo.read_text(errors="replace").splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def _gpus(checkup: Checkup) -> None:
    try:
        import torch

        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        for index in range(count):
            props = torch.cuda.get_device_properties(index)
            memory = f"{props.total_memory / 2**30:.0f} GiB"
            checkup.add(
                "GPUs", f"cuda:{index}", f"{props.name}, {memory} (torch {torch.version.cuda})"
            )
        if not count:
            checkup.add("GPUs", "torch", "no CUDA GPU")
    except ImportError:
        checkup.add("GPUs", "torch", "not installed")
    try:
        import ctranslate2

        checkup.add("GPUs", "CTranslate2 sees", f"{ctranslate2.get_cuda_device_count()} GPU(s)")
    except ImportError:
        return
    from translate_news.seq2seq.cuda import cuda_library_dirs

    folders = [str(f) for f in cuda_library_dirs() if f.is_dir()]
    checkup.add(
        "GPUs",
        "cuBLAS 12 for it",
        ", ".join(folders) or 'the system\'s (pip install "translate-news[cuda]" brings its own)',
    )


def _where(role: Role, name: str | None) -> tuple[str, Path | None]:
    """How a model resolves, and its folder on this machine (None: not here)."""
    source = resolve_model(name, role=role)
    return source.name, local_copy(source)


def _translation(checkup: Checkup, options: TranslateOptions) -> None:
    from translate_news.pipeline.translator import Translator

    name, folder = _where(TRANSLATION, options.model.name)
    checkup.add("translate", "model", name)
    if folder is None:
        checkup.can_translate = False
        checkup.add("translate", "on this machine", "no")
        checkup.problems.append(
            f"the translation model is not on this machine: "
            f"translate-news models download {local_name(name)}"
        )
        return
    checkup.add("translate", "folder", str(folder))
    checkup.add("translate", "converted", ", ".join(conversions(folder)) or "not yet (first run)")
    try:
        translator = Translator(options=replace(options, memory=False))
    except TranslateNewsError as exc:
        checkup.can_translate = False
        checkup.problems.append(f"the translation model does not load: {exc}")
        return
    checkup.add("translate", "signature", str(translator.signature))


def _summaries(checkup: Checkup, options: SummaryOptions) -> None:
    from translate_news.pipeline.summarizer import Summarizer

    if options.is_lead:
        checkup.add("summarize", "model", "none (LEAD-k)")
        return
    name, folder = _where(SUMMARY, options.model.name)
    checkup.add("summarize", "model", name)
    if folder is None:
        checkup.add("summarize", "on this machine", "no")
        checkup.problems.append(
            "the summariser is not on this machine: translate-news models download "
            f"{local_name(name)}, or summarize --summarizer lead"
        )
        return
    checkup.add("summarize", "folder", str(folder))
    checkup.add("summarize", "converted", ", ".join(conversions(folder)) or "not yet (first run)")
    try:
        summarizer = Summarizer(options=options)
    except TranslateNewsError as exc:
        checkup.problems.append(f"the summariser does not load: {exc}")
        return
    checkup.add("summarize", "signature", summarizer.line)
