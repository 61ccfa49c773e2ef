"""The commands over articles: translate, split, summarize and brief."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from translate_news.core.errors import FatalError, InputError, OutputError, UsageError
from translate_news.core.options import MAX_ALTERNATIVES, SummaryOptions, TranslateOptions
from translate_news.formats.output import FORMATS, Format
from translate_news.formats.readers import ReadOptions

if TYPE_CHECKING:
    from translate_news.pipeline.folder import Report

from translate_news.cli.groups import (
    FETCHING,
    PATH,
    RAY,
    READING,
    SUMMARY,
    TRANSLATION,
    TRANSLATION_UNDER_BRIEF,
    RayOptions,
    strict_option,
    summary_beside,
    whole,
)
from translate_news.cli.shell import command, say, show_signature, state


@command(options=TRANSLATION, reading=READING, cluster=RAY)
@click.argument("source", required=False, metavar="[SOURCE]")
@click.option(
    "--output",
    "-o",
    **PATH,
    help="Output file, or folder for a folder or feed (default: stdout).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    metavar="|".join(FORMATS),
    help="Output format (default: from -o's extension).",
)
@click.option("--force/--no-force", default=False, help="Overwrite existing outputs.")
@click.option("--text", "-t", metavar="TEXT", help="French text to translate, instead of a file.")
@click.option(
    "--alternatives",
    **whole(0, MAX_ALTERNATIVES),
    default=0,
    help="With --format json, up to N other translations of each sentence, from the same "
    "beam search, with their confidences.",
)
@strict_option
def translate(
    options: TranslateOptions,
    reading: ReadOptions,
    cluster: RayOptions | None,
    source: str | None,
    output: Path | None,
    fmt: Format | None,
    force: bool,
    text: str | None,
    alternatives: int,
    strict: bool,
) -> None:
    """Translate French articles into English. A sentence whose English loses a number
    or a glossary term, is left in French, or that the model is unsure of (under
    --min-confidence), is flagged: [check: ...] in the output.

    SOURCE is a French article (.txt, .md, .html, .docx, .json, .jsonl), a folder of
    them, or - for standard input.

    Examples:

        translate-news translate seeds/article.txt

        translate-news translate article.html -o article.en.md --format md

        translate-news translate articles/ -o english/ --format json

        translate-news translate --text "Le Kremlin a assuré mardi ne rien attendre."
    """
    from translate_news.formats.output import format_for
    from translate_news.formats.readers import FEED_SUFFIXES
    from translate_news.pipeline.folder import check_output_folder

    if (source is None) == (text is None):
        raise UsageError("give a file, a folder or - to translate, or --text, but not both")
    if text is not None:
        source = "-"  # a short text behaves as standard input would
    path = Path(source or "-")
    many = source != "-" and (path.is_dir() or path.suffix.lower() in FEED_SUFFIXES)
    if alternatives and (many or format_for(output, fmt) != "json"):
        raise UsageError("--alternatives shows in JSON, for one article: add --format json")
    options = dataclasses.replace(options, alternatives=alternatives)
    if many:
        if output is None:
            raise UsageError(f"{source}: translating many articles needs -o FOLDER")
        check_output_folder(output)
        _translate_many(path, output, fmt or "md", force, options, reading, strict, cluster)
        return
    if cluster is not None:
        raise UsageError("--ray runs a folder or a feed (with -o FOLDER), not one article")
    _translate_one(source or "-", text, output, fmt, force, options, reading, strict)


def _translate_one(
    source: str,
    text: str | None,
    output: Path | None,
    fmt: Format | None,
    force: bool,
    options: TranslateOptions,
    reading: ReadOptions,
    strict: bool,
) -> None:
    """One article (a file, standard input or --text) to stdout or one file; a Word file
    or subtitles to the same document in English (``<name>.en.docx``, ``.en.srt``,
    ``.en.vtt`` beside it unless -o says)."""
    from translate_news.core.files import write_atomic
    from translate_news.formats.output import DOCUMENT_FORMATS, format_for
    from translate_news.formats.readers import parse_article, read_article
    from translate_news.pipeline.translator import Translator

    suffix = "" if text is not None or source == "-" else Path(source).suffix.lower()
    kind = DOCUMENT_FORMATS.get(suffix)
    if kind and output is None and fmt in (None, kind):
        output = Path(source).with_suffix(f".en{suffix}")
    chosen = format_for(output, fmt)
    if chosen == "docx" and output is None:
        raise UsageError("a Word document is not written to the terminal: give -o FILE.docx")
    if chosen in ("srt", "vtt") and chosen != kind:
        raise UsageError(f"{chosen} subtitles are written from {chosen} subtitles, not {source}")
    if output is not None and output.exists() and not force:
        raise OutputError(f"{output}: already exists; pass --force to overwrite it")
    if kind and chosen == kind:
        written, flags = _translate_document(Path(source), options, reading)
    else:
        article = parse_article(text, path="<text>") if text else read_article(source, reading)
        translator = Translator(options=options)
        show_signature("translation", translator.signature)
        english = translator.translate_article(article)
        written, flags = _rendered(english, chosen, translator.signature), len(english.flagged)
    if output is None:
        sys.stdout.write(str(written))
    else:
        write_atomic(output, written, force=force)
        say(f"wrote {output}")
    _report_flags([(str(output or "the output"), flags)] if flags else [], strict)


def _translate_document(
    source: Path, options: TranslateOptions, reading: ReadOptions
) -> tuple[bytes, int]:
    """A Word file or subtitles as the same document in English, and how many sentences
    are flagged; what the user should know of it is said."""
    from translate_news.formats.readers import read_file_bytes
    from translate_news.pipeline.markup import translate_document
    from translate_news.pipeline.translator import Translator

    raw = read_file_bytes(source, reading.max_bytes)
    translator = Translator(options=options)
    show_signature("translation", translator.signature)
    note = f"Translated from French by translate-news: {translator.signature}"
    done = translate_document(translator, raw, source, reading.max_bytes, note)
    for warning in done.warnings:
        say(warning)
    return done.data, done.flagged


def _rendered(english: Any, fmt: str, signature: object) -> str | bytes:
    from translate_news.formats.docx import article_docx
    from translate_news.formats.output import render

    if fmt == "docx":
        return article_docx(english, f"Translated from French by translate-news: {signature}")
    return render(english, fmt)


def _translate_many(
    root: Path,
    out_dir: Path,
    fmt: str,
    force: bool,
    options: TranslateOptions,
    reading: ReadOptions,
    strict: bool,
    cluster: RayOptions | None = None,
) -> None:
    from translate_news.pipeline.folder import TranslationWriter, run_folder
    from translate_news.pipeline.translator import Translator

    def show(kind: str, source: str, detail: str) -> None:
        if kind == "failed":
            click.echo(f"translate-news: error: {detail}", err=True)
        elif kind == "passed over":
            say(detail)
        elif kind in ("done", "skipped"):
            say(f"{kind}: {source} -> {detail}")

    if cluster is not None:
        _on_ray(root, out_dir, None, fmt, force, options, reading, cluster, strict, show)
        return
    translator = Translator(options=options)
    show_signature("translation", translator.signature)
    out_dir.mkdir(parents=True, exist_ok=True)  # once the model has loaded
    outputs = TranslationWriter(fmt, force=force, translator=translator, limit=reading.max_bytes)
    report = run_folder(translator, root, out_dir, outputs, reading=reading, on_event=show)
    _finish(report, strict)


def _on_ray(
    root: Path,
    out_dir: Path,
    summary: SummaryOptions | None,
    fmt: str,
    force: bool,
    options: TranslateOptions,
    reading: ReadOptions,
    cluster: RayOptions,
    strict: bool,
    show: Callable[[str, str, str], None] | None = None,
) -> None:
    """A many-article run on Ray (translations, or summaries with ``summary``): the
    same outputs and closing count as the local run."""
    from translate_news.pipeline.cluster import Job, require_ray, run_on_ray

    require_ray()  # before anything is read or made
    out_dir.mkdir(parents=True, exist_ok=True)
    if show is None:

        def show(kind: str, item: str, detail: str) -> None:
            if kind == "failed":
                click.echo(f"translate-news: error: {detail}", err=True)

    # SummaryWriter: the record is the JSON output; the html format adds each page.
    job = Job(options, summary, "json" if summary else fmt, force, fmt == "html", str(out_dir))
    report = run_on_ray(
        root, job, reading, address=cluster.address, workers=cluster.workers, on_event=show
    )
    _finish(report, strict)


def _report_flags(flagged: list[tuple[str, int]], strict: bool) -> None:
    """The line that says how many sentences were flagged and where; with ``strict``,
    exit code 1 when any was."""
    if not flagged:
        return
    count = sum(n for _, n in flagged)
    where = ", ".join(path for path, _ in flagged[:3]) + (", ..." if len(flagged) > 3 else "")
    plural = "s" if count != 1 else ""
    line = f"{count} sentence{plural} flagged (marked [check: ...]; in JSON, flags) in {where}"
    if strict:
        click.echo(f"translate-news: error: {line} (--strict)", err=True)
        raise click.exceptions.Exit(1)
    say(line)


def _finish(report: Report, strict: bool = False) -> None:
    """The closing count of a many-article run; exit code 1 when anything failed, the
    run stopped, or (``strict``) a sentence was flagged."""
    rows = [
        ("done", len(report.done), ""),
        ("skipped", len(report.skipped), "  (already done; --force redoes them)"),
        ("failed", len(report.failed), ""),
    ]
    if report.passed_over:
        rows.append(("not read", len(report.passed_over), "  (not regular files)"))
    say("\n".join(f"{name:<9}{count:>6}{note}" for name, count, note in rows))
    if report.stopped is not None:
        click.echo(f"translate-news: error: {report.stopped}; the run stopped", err=True)
    if report.failed or report.stopped is not None:
        _report_flags(report.flagged, False)
        raise click.exceptions.Exit(1)
    _report_flags(report.flagged, strict)


@command()
@click.argument("file")
def split(file: str) -> None:
    """Print the sentences of an article (FILE, or - for standard input), one per line,
    a blank line between paragraphs.

    Example:

        translate-news split seeds/article.txt
    """
    from translate_news.formats.output import to_sentences
    from translate_news.formats.readers import read_article

    sys.stdout.write(to_sentences(read_article(file)))


def _progress(bar: Any, failures: list[str]) -> Callable[[str, str, str], None]:
    """A folder run's events moving the progress bar; failures kept to print after it."""

    def progress(kind: str, item: str, detail: str) -> None:
        # The total is learnt from the run's own pass: the files, then each record of a
        # feed beyond its first.
        if kind == "listed":
            bar.length = max(1, int(detail))
        elif kind == "more":
            bar.length += 1
        elif kind == "failed":
            failures.append(f"translate-news: error: {detail}")
        elif kind == "passed over":
            failures.append(detail)
        if kind in ("done", "skipped", "failed"):
            bar.update(1)

    return progress


@command(options=TRANSLATION, summary=SUMMARY, reading=READING, cluster=RAY)
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    **PATH,
    default=Path("summaries"),
    help="Output folder (.en.md and .en.json each).",
)
@click.option("--force/--no-force", default=False, help="Redo articles already summarised.")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["md", "html"]),
    default="md",
    metavar="md|html",
    help="html: also write each translation as a standalone page, which a briefing in "
    "HTML links to.",
)
@strict_option
def summarize(
    options: TranslateOptions,
    summary: SummaryOptions,
    reading: ReadOptions,
    cluster: RayOptions | None,
    source: Path,
    output: Path,
    force: bool,
    fmt: str,
    strict: bool,
) -> None:
    """Translate and summarise articles: SOURCE is a file, a feed or a whole folder
    (recursively).

    Articles already done with the same source and options are skipped; one bad file is
    reported and the rest go on; the exit code is 1 if any failed.

    Examples:

        translate-news summarize seeds/ -o summaries/

        translate-news summarize articles/ -o out/ --summarizer lead
    """
    from translate_news.pipeline.folder import check_output_folder

    if not source.exists():
        raise InputError(f"{source}: no such file or folder")
    check_output_folder(output)
    if cluster is not None:
        beside = summary_beside(options, summary)
        _on_ray(source, output, beside, fmt, force, options, reading, cluster, strict)
        return
    _finish(summarize_folder(options, summary, source, output, reading, fmt, force), strict)


def summarize_folder(
    options: TranslateOptions,
    summary: SummaryOptions,
    source: Path,
    output: Path,
    reading: ReadOptions,
    fmt: str = "md",
    force: bool = False,
    label: str = "articles",
) -> Report:
    """Translate and summarise the articles of ``source`` into ``output`` with a
    progress bar (``label``); the failures printed after it, one line each."""
    from translate_news.pipeline.folder import SummaryWriter, run_folder
    from translate_news.pipeline.summarizer import Summarizer
    from translate_news.pipeline.translator import Translator

    summarizer = Summarizer(options=summary_beside(options, summary))
    translator = Translator(options=options)
    show_signature("translation", translator.signature)
    show_signature("summary", summarizer.line)
    output.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    # Off the terminal click would still print the bar's label, once: a stray line.
    hidden = state["quiet"] or not sys.stderr.isatty()
    with click.progressbar(length=1, label=label, file=sys.stderr, hidden=hidden) as bar:
        outputs = SummaryWriter(summarizer, force=force, pages=fmt == "html")
        progress = _progress(bar, failures)
        report = run_folder(translator, source, output, outputs, reading=reading, on_event=progress)
    for line in failures:
        click.echo(line, err=True)
    return report


@command(options=TRANSLATION_UNDER_BRIEF, summary=SUMMARY, fetching=FETCHING)
@click.argument("folder", type=click.Path(path_type=Path), metavar="FOLDER|SOURCES.toml")
@click.option(
    "--output",
    "-o",
    **PATH,
    required=True,
    help="briefing.md, briefing.html or briefing.json",
)
@click.option("--title", metavar="TEXT", help="The briefing's title.")
@click.option("--force/--no-force", default=False, help="Overwrite an existing briefing.")
@click.option(
    "--min-confidence",
    type=click.FloatRange(0.0, 1.0),
    metavar="P",
    help="An article whose translation has sentences the model was less sure of than P "
    "(default: as flagged when it was translated) is marked, or left out.",
)
@click.option(
    "--low-confidence",
    type=click.Choice(["mark", "leave-out"]),
    default="mark",
    show_default=True,
    help="What to do with such an article.",
)
@click.option(
    "--work",
    **PATH,
    help="From a sources file: the folder that keeps its articles and summaries "
    "between runs (default: beside the briefing, NAME-sources/).",
)
def brief(
    options: TranslateOptions,
    summary: SummaryOptions,
    fetching: Any,
    folder: Path,
    output: Path,
    title: str | None,
    force: bool,
    min_confidence: float | None,
    low_confidence: str,
    work: Path | None,
) -> None:
    """Write an English briefing of the summarised articles in FOLDER (written by
    summarize), newest first, grouped by day; wire copies (one dispatch in several
    outlets) are one item.

    From a sources file (SOURCES.toml, as fetch reads it), do it all: fetch what is new,
    translate and summarise it, and write the briefing of everything fetched so far
    (replacing the last one). Run it again later and only new items are fetched and
    translated; the translation options apply.

    Examples:

        translate-news brief summaries/ -o briefing.html --title "Ukraine, July 2025"

        translate-news brief sources.toml -o briefing.html
    """
    from translate_news.core.files import write_atomic
    from translate_news.formats.briefing import RENDERERS, load_entries

    failed = False
    if folder.suffix.lower() == ".toml":
        if min_confidence is not None:
            options = dataclasses.replace(options, min_confidence=min_confidence)
        folder, failed = _from_sources(folder, output, work, options, summary, fetching)
        force = True

    if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:  # NaN: click lets it by
        raise UsageError(f"--min-confidence must be between 0 and 1, got {min_confidence}")
    render = RENDERERS.get(output.suffix.lower())
    if render is None:
        raise OutputError(f"{output}: the briefing must end in .md, .html or .json")
    pages = output.suffix.lower() == ".html"
    entries, problems, dropped = load_entries(
        folder,
        output.resolve().parent,
        pages=pages,
        min_confidence=min_confidence,
        leave_out=low_confidence == "leave-out",
    )
    for problem in problems:
        click.echo(f"translate-news: error: {problem}", err=True)
    if not entries:
        raise InputError(f"{folder}: every article was left out for low confidence")
    write_atomic(output, render(entries, title), force=force)
    noun = "article" if len(entries) == 1 else "articles"
    left = f"; {dropped} left out for low confidence" if dropped else ""
    say(f"wrote {output} ({len(entries)} {noun}{left})")
    if problems or failed:
        raise click.exceptions.Exit(1)


def _from_sources(
    sources: Path,
    output: Path,
    work: Path | None,
    options: TranslateOptions,
    summary: SummaryOptions,
    fetching: Any,
) -> tuple[Path, bool]:
    """Fetch, translate and summarise what is new in ``sources``, each stage with its
    progress bar; the folder of summaries to brief, and whether anything failed."""
    from translate_news.cli.sources import fetch_summary, fetch_with_progress
    from translate_news.formats.readers import DEFAULT_READ

    if output.suffix.lower() not in (".md", ".markdown", ".html", ".json"):
        raise OutputError(f"{output}: the briefing must end in .md, .html or .json")
    work = work if work is not None else output.parent / f"{output.stem}-sources"
    fetched = fetch_with_progress(sources, work / "articles", fetching)
    say(fetch_summary(fetched))
    if not any((work / "articles").rglob("*.json")):
        raise InputError(f"{sources}: nothing could be fetched, so there is nothing to brief")
    fmt = "html" if output.suffix.lower() == ".html" else "md"
    report = summarize_folder(
        options,
        summary,
        work / "articles",
        work / "summaries",
        DEFAULT_READ,
        fmt,
        label="translating",
    )
    done, skipped, failed = len(report.done), len(report.skipped), len(report.failed)
    say(f"translated {done} new ({skipped} done before, {failed} failed)")
    if report.stopped is not None:
        raise FatalError(f"{report.stopped}; the run stopped before the briefing")
    return work / "summaries", bool(fetched.failed or report.failed or report.stopped)
