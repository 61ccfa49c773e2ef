"""Quality you can check on your own data: translations against reference translations
(BLEU and chrF, by sacrebleu, with its signature so a score can be reproduced), and
summaries against reference summaries (ROUGE-1, ROUGE-2 and ROUGE-L F1, by rouge-score,
stemmed, as the summarisation literature reports them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from translate_news.core.errors import InputError, UsageError
from translate_news.core.options import TranslateOptions
from translate_news.formats.output import read_summary_record


def evaluate_translations(
    references: Path,
    *,
    source: Path | None = None,
    hypotheses: Path | None = None,
    options: TranslateOptions | None = None,
) -> TranslationScores:
    """Score against ``references`` the translations in ``hypotheses``, or those of the
    French sentences in ``source``, translated now with ``options``."""
    from translate_news.pipeline.translator import Translator

    expected = read_segments(references)
    if source is not None:
        found = Translator(options=options).translate(read_segments(source))
    elif hypotheses is not None:
        found = read_segments(hypotheses)
    else:
        raise UsageError("give the French sentences to translate, or the translations")
    return score_translations(found, expected)


def evaluate_summaries(folder: Path, references: Path) -> SummaryScores:
    """Score the summaries ``summarize`` wrote in ``folder`` against ``references``."""
    return score_summaries(*summary_pairs(folder, references))


def evaluate_agreement(source: Path, options: TranslateOptions | None = None) -> Agreement:
    """Translate the sentences of ``source`` without and with the shortlist (under its
    guard), compare, and count what the guard redid: the shortlist's price here."""
    from translate_news.pipeline.translator import Translator

    sentences = read_segments(source)
    full = Translator(options=options, shortlist=False).translate(sentences)
    guarded = Translator(options=options, shortlist=True).translate_checked(sentences)
    redone = sum(c.shortlist is not None and c.shortlist.status == "redone" for c in guarded)
    aside = sum(c.shortlist is None for c in guarded)
    return agreement(sentences, full, [c.text for c in guarded], redone, aside)


@dataclass(frozen=True)
class TranslationScores:
    """Corpus BLEU and chrF of hypotheses against one reference each."""

    segments: int
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str


@dataclass(frozen=True)
class SummaryScores:
    """Mean ROUGE F1 of summaries against one reference summary each."""

    documents: int
    rouge1: float
    rouge2: float
    rougeL: float


@dataclass(frozen=True)
class Agreement:
    """How many sentences the vocabulary shortlist leaves exactly as they were."""

    sentences: int
    identical: int
    share: float
    differences: list[dict[str, str]]
    redone: int = 0  # sentences the shortlist guard translated again without it
    redo_share: float = 0.0
    # translated without the shortlist: the guard had redone too many before them
    set_aside: int = 0


def agreement(
    sources: list[str],
    full: list[str],
    shortlisted: list[str],
    redone: int = 0,
    set_aside: int = 0,
) -> Agreement:
    """Compare translations made without (``full``) and with the shortlist, of which
    the guard ``redone`` so many, and ``set_aside`` so many were translated without it
    (:class:`translate_news.seq2seq.confidence.GuardRecord`)."""
    differences = [
        {"source": s, "full": f, "shortlist": t}
        for s, f, t in zip(sources, full, shortlisted)
        if f != t
    ]
    same, n = len(sources) - len(differences), max(1, len(sources))
    return Agreement(
        len(sources),
        same,
        round(same / n, 4),
        differences,
        redone,
        round(redone / n, 4),
        set_aside,
    )


def score_translations(hypotheses: list[str], references: list[str]) -> TranslationScores:
    """BLEU and chrF of ``hypotheses`` against ``references``, segment by segment."""
    _same_length(len(hypotheses), len(references), "translations")
    from sacrebleu.metrics import BLEU, CHRF

    bleu, chrf = BLEU(), CHRF()
    return TranslationScores(
        segments=len(hypotheses),
        bleu=round(bleu.corpus_score(hypotheses, [references]).score, 2),
        chrf=round(chrf.corpus_score(hypotheses, [references]).score, 2),
        bleu_signature=str(bleu.get_signature()),
        chrf_signature=str(chrf.get_signature()),
    )


def score_summaries(summaries: list[str], references: list[str]) -> SummaryScores:
    """Mean ROUGE-1/2/L F1 of ``summaries`` against ``references``."""
    _same_length(len(summaries), len(references), "summaries")
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    for summary, reference in zip(summaries, references):
        for name, score in scorer.score(reference, summary).items():
            totals[name] += score.fmeasure
    n = max(1, len(summaries))
    means = {name: round(total / n, 4) for name, total in totals.items()}
    return SummaryScores(documents=len(summaries), **means)


def read_segments(path: Path) -> list[str]:
    """The segments of a file, one per line (a final empty line is not a segment)."""
    try:
        return path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc})") from None


def summary_pairs(folder: Path, references: Path) -> tuple[list[str], list[str]]:
    """The summaries a ``summarize`` run wrote in ``folder`` and, for each
    ``<name>.en.json``, the reference ``<name>.txt`` (or ``.md``) in ``references``."""
    summaries, expected, missing = [], [], []
    for path in sorted(folder.rglob("*.en.json")):
        record = read_summary_record(path)
        stem = path.relative_to(folder).as_posix()[: -len(".en.json")]
        reference = next(
            (
                references / f"{stem}{s}"
                for s in (".txt", ".md")
                if (references / f"{stem}{s}").is_file()
            ),
            None,
        )
        if reference is None:
            missing.append(f"{stem}.txt")
            continue
        summaries.append(record.summary)
        expected.append(" ".join(reference.read_text(encoding="utf-8").split()))
    if missing:
        raise InputError(f"{references}: no reference for {', '.join(missing[:5])}")
    if not summaries:
        raise InputError(f"{folder}: no summaries found; run translate-news summarize first")
    return summaries, expected


def _same_length(got: int, expected: int, what: str) -> None:
    if got != expected:
        raise UsageError(f"{got} {what} but {expected} references: one of each per line")
