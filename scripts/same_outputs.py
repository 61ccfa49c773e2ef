"""Run the commands on the test inputs in two checkouts and compare every file they write.

    python scripts/same_outputs.py BEFORE_TREE AFTER_TREE --models DIR

``DIR`` holds the test models (``scripts/make_test_models.py DIR``). Each tree runs in
its own isolated HOME with its own package first on ``sys.path`` (the same interpreter
and libraries), the commands as README shows them plus every output format. Prints one
line per command, then each file that differs; exits 1 when any file differs or is
missing on one side. Used to show that a refactoring changed no output.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (name, arguments): run with the toy model as the default translation model.
COMMANDS: list[tuple[str, list[str]]] = [
    ("split", ["split", "{data}/toy.txt"]),
    ("translate-txt", ["translate", "{data}/toy.txt", "-o", "{out}/toy.en.txt"]),
    ("translate-md", ["translate", "{data}/toy.txt", "-o", "{out}/toy.en.md"]),
    ("translate-json", ["translate", "{data}/toy.txt", "-o", "{out}/toy.en.json"]),
    ("translate-html", ["translate", "{data}/toy.txt", "-o", "{out}/toy.en.html"]),
    ("translate-stdout", ["translate", "{data}/toy.txt", "-f", "json"]),
    ("translate-seed", ["translate", "{seed}", "-o", "{out}/seed.en.json"]),
    ("translate-folder", ["translate", "{inputs}", "-o", "{out}/folder", "-f", "json"]),
    ("translate-glossary", ["translate", "{data}/toy.txt", "-f", "md", "--glossary", "{glossary}"]),
    ("summarize-lead", ["summarize", "{inputs}", "-o", "{out}/lead", "--summarizer", "lead"]),
    (
        "summarize-model",
        [
            "summarize",
            "{inputs}",
            "-o",
            "{out}/bart",
            "--summarizer",
            "{bart}",
            "--max-tokens",
            "40",
        ],
    ),
    ("brief-md", ["brief", "{out}/lead", "-o", "{out}/briefing.md"]),
    ("brief-html", ["brief", "{out}/lead", "-o", "{out}/briefing.html"]),
    ("brief-json", ["brief", "{out}/lead", "-o", "{out}/briefing.json"]),
    ("memory-stats", ["memory", "stats"]),
    ("memory-export", ["memory", "export", "{out}/memory.tmx"]),
    ("bad-input", ["translate", "{out}/missing.txt"]),
    ("bad-option", ["translate", "{data}/toy.txt", "--beams", "0"]),
    ("doctor", ["doctor"]),
    ("models-list", ["models", "list"]),
    ("config-show", ["config", "show"]),
    (
        "evaluate-source",
        ["evaluate", "translations", "--source", "{fr}", "--references", "{en}", "--json"],
    ),
    (
        "evaluate-hypotheses",
        ["evaluate", "translations", "--hypotheses", "{en}", "--references", "{en}"],
    ),
    ("evaluate-summaries", ["evaluate", "summaries", "{out}/lead", "--references", "{gold}"]),
    ("models-shortlist", ["models", "shortlist", "{model}", "--corpus", "{inputs}"]),
    ("evaluate-agreement", ["evaluate", "agreement", "--source", "{fr}", "--json"]),
]


# A tree from before evaluate became subcommands spells these commands so.
OLD_SPELLING = {
    "evaluate-source": ["evaluate", "--source", "{fr}", "--references", "{en}", "--json"],
    "evaluate-hypotheses": ["evaluate", "--hypotheses", "{en}", "--references", "{en}"],
    "evaluate-summaries": ["evaluate", "--summaries", "{out}/lead", "--references", "{gold}"],
    "evaluate-agreement": ["evaluate", "--agreement", "--source", "{fr}", "--json"],
}


def _old_spelling(tree: Path, env: dict[str, str]) -> bool:
    """Whether ``tree``'s evaluate is the one command with flags (before subcommands)."""
    done = subprocess.run(
        [sys.executable, "-m", "translate_news", "evaluate", "--help"],
        env=env,
        cwd=tree.parent,  # not this checkout: its package would come first
        capture_output=True,
        text=True,
    )
    return "--agreement" in done.stdout


def run_tree(tree: Path, work: Path, models: Path) -> None:
    home, out, inputs = work / "home", work / "out", work / "inputs"
    for folder in (home, out, inputs):
        folder.mkdir(parents=True)
    data = ROOT / "tests" / "data"
    seed = next((ROOT / "seeds").glob("*.txt"))
    shutil.copy(data / "toy.txt", inputs / "toy.txt")
    shutil.copy(seed, inputs / seed.name)
    # The models are copied in without their conversions: each run makes its own (and its
    # shortlist), and nothing is written beside the caller's test models.
    for name in ("marian-toy", "bart-random"):
        shutil.copytree(models / name, work / name, ignore=shutil.ignore_patterns("ctranslate2-*"))
    models = work
    glossary = work / "glossary.tsv"
    glossary.write_text("budget\tbudget\nmaire\tmayor\n", encoding="utf-8")
    (work / "source.fr").write_text(
        "Le maire annonce le budget mardi.\nLa presse regarde le rapport.\n", encoding="utf-8"
    )
    (work / "references.en").write_text(
        "The mayor announces the budget on Tuesday.\nThe press looks at the report.\n",
        encoding="utf-8",
    )
    gold = work / "gold"
    gold.mkdir()
    for name in ("toy.txt", seed.name):
        (gold / name).write_text("The mayor announces the budget.\n", encoding="utf-8")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "HF_HOME": str(home / "hf"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONPATH": str(tree),
        "TRANSLATE_NEWS_MODEL": str(models / "marian-toy"),
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "LC_ALL": "C.UTF-8",
    }
    fill = {
        "data": str(data),
        "seed": str(inputs / seed.name),
        "inputs": str(inputs),
        "out": str(out),
        "glossary": str(glossary),
        "bart": str(models / "bart-random"),
        "model": str(models / "marian-toy"),
        "fr": str(work / "source.fr"),
        "en": str(work / "references.en"),
        "gold": str(gold),
    }
    logs = work / "logs"
    logs.mkdir()
    old = _old_spelling(tree, env)
    for name, arguments in COMMANDS:
        arguments = OLD_SPELLING.get(name, arguments) if old else arguments
        argv = [a.format(**fill) for a in arguments]
        done = subprocess.run(
            [sys.executable, "-m", "translate_news", *argv],
            env=env,
            capture_output=True,
            text=True,
            cwd=work,
        )
        text = f"exit {done.returncode}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
        for key, value in (("{home}", home), ("{out}", out), ("{root}", ROOT), ("{tree}", tree)):
            text = text.replace(str(value), key)
        text = re.sub(r"\b\d+(\.\d+)? s\b", "N s", text)  # timings
        (logs / f"{name}.log").write_text(text, encoding="utf-8")
        print(f"{tree.name:>12} {name:<20} exit {done.returncode}")


def compare(left: Path, right: Path) -> list[str]:
    files = lambda base: {  # noqa: E731
        p.relative_to(base) for p in base.rglob("*") if p.is_file() and "home" not in p.parts
    }
    ours, theirs = files(left), files(right)
    problems = [f"only in before: {p}" for p in sorted(ours - theirs)]
    problems += [f"only in after: {p}" for p in sorted(theirs - ours)]
    for path in sorted(ours & theirs):
        if not filecmp.cmp(left / path, right / path, shallow=False):
            problems.append(f"differs: {path}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--keep", type=Path, help="Keep both runs' files here.")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="same-outputs-")) if args.keep is None else args.keep
    # Both trees run in the same folder (paths are written into some outputs), one after
    # the other, and each run is then moved aside.
    place = Path(tempfile.gettempdir()) / "same-outputs-run"
    for side, tree in (("before", args.before), ("after", args.after)):
        shutil.rmtree(place, ignore_errors=True)
        run_tree(tree.resolve(), place, args.models.resolve())
        shutil.move(place, work / side)
    left, right = work / "before", work / "after"
    problems = compare(left, right)
    for line in problems:
        print(line)
    count = sum(1 for p in left.rglob("*") if p.is_file() and "home" not in p.parts)
    print(f"{count} files compared, {len(problems)} differences ({work})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
