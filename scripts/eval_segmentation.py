"""Score translate_news.split_sentences on gold French sentence boundaries.

    python scripts/eval_segmentation.py [TSV ...] [--json FILE] [--errors N]

By default it reads ../shared/eval/fr-sentences/*.tsv (columns source, sent_id,
text). Scoring follows ../shared/eval/README.md: groups of 8 consecutive sentences of
one source are joined with a space; a gold boundary counts only after a sentence that
ends in terminal punctuation (. ! ? ..., optionally followed by a closing quote or
bracket); precision, recall and F1 are computed on boundary character offsets (the
offset where the next sentence starts). A predicted boundary at an uncounted gold
boundary (after a bare title) is neither rewarded nor penalised.

It also reports boundaries misplaced around quotation marks (a predicted boundary
next to a quote mark that is one mark away from a gold boundary) and the speed of the
splitter in MB of French text per second on one core.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate_news.text.segment import sentence_spans  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "eval" / "fr-sentences"
GROUP = 8
_TERMINAL = re.compile(r"[.!?…][»”\"')\]]*\s*$")
_QUOTES = set('«»“”"')


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    quote_misplaced: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.quote_misplaced += other.quote_misplaced

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def read_groups(path: Path) -> list[tuple[str, list[str]]]:
    """Groups of up to 8 consecutive gold sentences of one source."""
    by_source: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            by_source[row["source"]].append(row["text"].strip())
    groups = []
    for source, sentences in by_source.items():
        for i in range(0, len(sentences), GROUP):
            groups.append((source, sentences[i : i + GROUP]))
    return groups


def score_group(sentences: list[str]) -> tuple[Score, str]:
    text = " ".join(sentences)
    counted, uncounted = set(), set()
    offset = 0
    for sentence in sentences[:-1]:
        offset += len(sentence) + 1
        (counted if _TERMINAL.search(sentence) else uncounted).add(offset)
    predicted = {start for start, _ in sentence_spans(text)[1:]} - uncounted
    score = Score(len(predicted & counted), len(predicted - counted), len(counted - predicted))
    for wrong in predicted ^ counted:
        near = text[max(0, wrong - 2) : wrong + 1]
        if _QUOTES & set(near) and any(abs(wrong - b) <= 3 for b in predicted ^ counted - {wrong}):
            score.quote_misplaced += 1
    if predicted != counted:
        for b in sorted(predicted ^ counted):
            tag = "‖+" if b in predicted else "‖-"
            score.errors.append(f"...{text[max(0, b - 70) : b]}{tag}{text[b : b + 50]}...")
    return score, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--errors", type=int, default=0, help="print up to N wrong groups")
    args = parser.parse_args(argv)
    files = args.files or sorted(DEFAULT_DIR.glob("*.tsv"))
    if not files:
        print(f"no TSV files given and none in {DEFAULT_DIR}", file=sys.stderr)
        return 2

    report: dict[str, dict] = {}
    all_texts: list[str] = []
    shown = 0
    print(
        f"{'file / source':32} {'P':>7} {'R':>7} {'F1':>7} {'quote':>6} "
        f"{'tp':>6} {'fp':>4} {'fn':>4}"
    )
    for path in files:
        per_source: dict[str, Score] = defaultdict(Score)
        for source, sentences in read_groups(path):
            score, text = score_group(sentences)
            all_texts.append(text)
            per_source[source].add(score)
            for error in score.errors:
                if shown < args.errors:
                    print(f"  [{source}] {error}", file=sys.stderr)
                    shown += 1
        total = Score()
        for score in per_source.values():
            total.add(score)
        rows = [(path.name, total)] + [(f"  {s}", sc) for s, sc in sorted(per_source.items())]
        for name, sc in rows:
            print(
                f"{name:32} {sc.precision:7.4f} {sc.recall:7.4f} {sc.f1:7.4f} "
                f"{sc.quote_misplaced:6d} {sc.tp:6d} {sc.fp:4d} {sc.fn:4d}"
            )
            report[name.strip()] = {k: v for k, v in asdict(sc).items() if k != "errors"} | {
                "precision": sc.precision,
                "recall": sc.recall,
                "f1": sc.f1,
            }

    corpus = "\n\n".join(all_texts) * 5
    start = time.perf_counter()
    sentence_spans(corpus)
    seconds = time.perf_counter() - start
    megabytes = len(corpus.encode("utf-8")) / 1e6
    speed = megabytes / seconds
    print(f"speed: {speed:.2f} MB/s ({megabytes:.1f} MB in {seconds:.2f}s, one core)")
    report["speed_mb_per_s"] = speed
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
