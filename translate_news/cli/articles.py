"""The commands over articles: translate, split, summarize and brief."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from translate_news.core.errors import InputError, OutputError, UsageError
from translate_news.core.options import SummaryOptions, TranslateOptions
from translate_news.formats.output import FORMATS, Format
from translate_news.formats.readers import ReadOptions

if TYPE_CHECKING:
    from translate_news.pipeline.folder import Report

from translate_news.cli.groups import (
    RayOptions,
    Strict,
    ray_options,
    read_options,
    summary_beside,
    summary_options,
    translation_options,
)
from translate_news.cli.shell import command, say, show_signature, state


@command(options=translation_options, reading=read_options, cluster=ray_options)
def translate(
    options: TranslateOptions,
    reading: ReadOptions,
    cluster: RayOptions | None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Output file, or folder for a folder or feed (default: stdout)."
        ),
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="Output format (default: from -o's extension)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing outputs.")] = False,
    source: Annotated[
        str | None,
        typer.Argument(
            help="A French article (.txt, .md, .html, .docx, .json, .jsonl), a folder of "
            "them, or - for standard input."
        ),
    ] = None,
    text: Annotated[
        str | None,
        typer.Option("--text", "-t", help="French text to translate, instead of a file."),
    ] = None,
    strict: Strict = False,
) -> None:
    """Translate French articles into English. A sentence whose English loses a number
    or a glossary term, or is left in French, is flagged: [check: ...] in the output.

    Examples:

        translate-news translate seeds/article.txt

        translate-news translate article.html -o article.en.md --format md

        translate-news translate articles/ -o english/ --format json

        translate-news translate --text "Le Kremlin a assuré mardi ne rien attendre."
    """
    from translate_news.core.files import write_atomic
    from translate_news.formats.output import format_for, render
    from translate_news.formats.readers import FEED_SUFFIXES, parse_article, read_article
    from translate_news.pipeline.translator import Translator

    if (source is None) == (text is None):
        raise UsageError("give a file, a folder or - to translate, or --text, but not both")
    if text is not None:
        source = "-"  # a short text behaves as standard input would
    path = Path(source or "-")
    if source != "-" and (path.is_dir() or path.suffix.lower() in FEED_SUFFIXES):
        if output is None:
            raise UsageError(f"{source}: translating many articles needs -o FOLDER")
        _check_output_folder(output)
        _translate_many(path, output, fmt or "md", force, options, reading, strict, cluster)
        return
    if cluster is not None:
        raise UsageError("--ray runs a folder or a feed (with -o FOLDER), not one article")
    chosen = format_for(output, fmt)
    if output is not None and output.exists() and not force:
        raise OutputError(f"{output}: already exists; pass --force to overwrite it")
    article = parse_article(text, path="<text>") if text else read_article(source or "-", reading)
    translator = Translator(options=options)
    show_signature("translation", translator.signature)
    english = translator.translate_article(article)
    text = render(english, chosen)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text, force=force)
        say(f"wrote {output}")
    flagged = [(str(output or "the output"), len(english.flagged))] if english.flagged else []
    _report_flags(flagged, strict)


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
            typer.echo(f"translate-news: error: {detail}", err=True)
        elif kind == "passed over":
            say(detail)
        elif kind != "stopped":
            say(f"{kind}: {source} -> {detail}")

    if cluster is not None:
        _on_ray(root, out_dir, None, fmt, force, options, reading, cluster, strict, show)
        return
    translator = Translator(options=options)
    show_signature("translation", translator.signature)
    out_dir.mkdir(parents=True, exist_ok=True)  # once the model has loaded
    outputs = TranslationWriter(fmt, force=force)
    report = run_folder(translator, root, out_dir, outputs, reading=reading, on_event=show)
    _finish(report, strict)


def _check_output_folder(out_dir: Path) -> None:
    """A many-article run writes a folder: refuse a file there, or a name that says file."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(
            f"{out_dir}: exists and is not a folder; a many-article run needs -o FOLDER"
        )
    if not out_dir.exists() and out_dir.suffix.lower() in {f".{f}" for f in FORMATS}:
        raise UsageError(
            f"{out_dir}: looks like a file name; a many-article run writes a folder of them "
            "(-o FOLDER)"
        )


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
                typer.echo(f"translate-news: error: {detail}", err=True)

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
        typer.echo(f"translate-news: error: {line} (--strict)", err=True)
        raise typer.Exit(1)
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
        typer.echo(f"translate-news: error: {report.stopped}; the run stopped", err=True)
    if report.failed or report.stopped is not None:
        _report_flags(report.flagged, False)
        raise typer.Exit(1)
    _report_flags(report.flagged, strict)


@command()
def split(
    file: Annotated[str, typer.Argument(help="French article, or - for standard input.")],
) -> None:
    """Print the sentences of an article, one per line, a blank line between paragraphs.

    Example:

        translate-news split seeds/article.txt
    """
    from translate_news.formats.readers import read_article
    from translate_news.text.segment import split_sentences

    article = read_article(file)
    blocks = [article.title] if article.title else []
    for paragraph in article.paragraphs:
        sentences = split_sentences(paragraph.body)
        if paragraph.credit:
            sentences.append(paragraph.credit)
        blocks.append("\n".join(" ".join(s.split()) for s in sentences))
    sys.stdout.write("\n\n".join(blocks) + "\n")


@command(
    options=translation_options, summary=summary_options, reading=read_options, cluster=ray_options
)
def summarize(
    source: Annotated[Path, typer.Argument(help="An article, a feed or a folder of them.")],
    options: TranslateOptions,
    summary: SummaryOptions,
    reading: ReadOptions,
    cluster: RayOptions | None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output folder (.en.md and .en.json each).")
    ] = Path("summaries"),
    force: Annotated[bool, typer.Option(help="Redo articles already summarised.")] = False,
    fmt: Annotated[
        Literal["md", "html"],
        typer.Option(
            "--format",
            "-f",
            help="html: also write each translation as a standalone page, which a "
            "briefing in HTML links to.",
        ),
    ] = "md",
    strict: Strict = False,
) -> None:
    """Translate and summarise articles: a file or a whole folder (recursively).

    Articles already done with the same source and options are skipped; one bad file is
    reported and the rest go on; the exit code is 1 if any failed.

    Examples:

        translate-news summarize seeds/ -o summaries/

        translate-news summarize articles/ -o out/ --summarizer lead
    """
    from translate_news.pipeline.folder import SummaryWriter, run_folder
    from translate_news.pipeline.summarizer import Summarizer
    from translate_news.pipeline.translator import Translator

    if not source.exists():
        raise InputError(f"{source}: no such file or folder")
    _check_output_folder(output)
    if cluster is not None:
        beside = summary_beside(options, summary)
        _on_ray(source, output, beside, fmt, force, options, reading, cluster, strict)
        return
    summarizer = Summarizer(options=summary_beside(options, summary))
    translator = Translator(options=options)
    show_signature("translation", translator.signature)
    show_signature("summary", summarizer.line)
    output.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    count = _count_articles(source, output, reading)
    # Off the terminal click would still print the bar's label, once: a stray line.
    hidden = state["quiet"] or not sys.stderr.isatty()
    with typer.progressbar(
        length=max(1, count), label="articles", file=sys.stderr, hidden=hidden
    ) as bar:

        def progress(kind: str, item: str, detail: str) -> None:
            if kind == "failed":
                failures.append(f"translate-news: error: {detail}")
            elif kind == "passed over":
                failures.append(detail)
            if kind in ("done", "skipped", "failed"):
                bar.update(1)

        outputs = SummaryWriter(summarizer, force=force, pages=fmt == "html")
        report = run_folder(translator, source, output, outputs, reading=reading, on_event=progress)
    for line in failures:
        typer.echo(line, err=True)
    _finish(report, strict)


def _count_articles(source: Path, out_dir: Path, reading: ReadOptions) -> int:
    """How many articles a run will see: one per file, one per record of a feed."""
    from translate_news.formats.readers import FEED_SUFFIXES, read_articles
    from translate_news.pipeline.folder import find_inputs

    total = 0
    for found in find_inputs(source, out_dir):
        if found.path.suffix.lower() not in FEED_SUFFIXES:
            total += 1
            continue
        try:
            total += sum(1 for _ in read_articles(found.path, reading, lambda error: None))
        except InputError:
            total += 1  # reported as one failure
    return total


@command()
def brief(
    folder: Annotated[Path, typer.Argument(help="A folder written by 'summarize'.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="briefing.md, briefing.html or briefing.json")
    ],
    title: Annotated[str | None, typer.Option(help="The briefing's title.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing briefing.")] = False,
) -> None:
    """Write an English briefing of summarised articles, newest first, grouped by day.

    Example:

        translate-news brief summaries/ -o briefing.html --title "Ukraine, July 2025"
    """
    from translate_news.core.files import write_atomic
    from translate_news.formats.briefing import RENDERERS, load_entries

    render = RENDERERS.get(output.suffix.lower())
    if render is None:
        raise OutputError(f"{output}: the briefing must end in .md, .html or .json")
    pages = output.suffix.lower() == ".html"
    entries, problems = load_entries(folder, output.resolve().parent, pages=pages)
    for problem in problems:
        typer.echo(f"translate-news: error: {problem}", err=True)
    write_atomic(output, render(entries, title), force=force)
    noun = "article" if len(entries) == 1 else "articles"
    say(f"wrote {output} ({len(entries)} {noun})")
    if problems:
        raise typer.Exit(1)
