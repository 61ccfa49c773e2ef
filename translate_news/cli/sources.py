"""The commands that start from sources: fetch (feeds and pages to article files)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from translate_news.cli.groups import FETCHING, PATH
from translate_news.cli.shell import command, say, state

if TYPE_CHECKING:
    from translate_news.pipeline.fetch import FetchOptions, FetchReport


def fetch_with_progress(sources_file: Path, output: Path, fetching: FetchOptions) -> FetchReport:
    """Fetch the sources of ``sources_file`` into ``output`` with a progress bar; the
    failures printed after it, one line each."""
    from translate_news.formats.feeds import read_sources
    from translate_news.pipeline.fetch import fetch_sources
    from translate_news.pipeline.folder import check_output_folder

    sources = read_sources(sources_file)
    check_output_folder(output)
    failures: list[str] = []
    hidden = state["quiet"] or not sys.stderr.isatty()
    with click.progressbar(length=1, label="fetching", file=sys.stderr, hidden=hidden) as bar:

        def progress(kind: str, item: str, detail: str) -> None:
            if kind == "listed":
                bar.length = max(1, int(detail))
                return
            if kind == "failed":
                failures.append(f"translate-news: error: {detail}")
            if kind in ("done", "skipped") or (kind == "failed" and item != ""):
                bar.update(1)

        report = fetch_sources(sources, output, fetching, on_event=progress)
    for line in failures:
        click.echo(line, err=True)
    return report


def fetch_summary(report: FetchReport) -> str:
    """The closing count of a fetch."""
    rows = [
        ("new", len(report.written), ""),
        ("from feed", report.from_summary, "  (the page could not be used: the feed's summary)"),
        ("known", report.known, "  (fetched before)"),
        ("unchanged", report.unchanged, "  (feeds not changed since the last run)"),
        ("failed", len(report.failed), ""),
    ]
    return "\n".join(f"{name:<10}{count:>6}{note}" for name, count, note in rows)


@command(fetching=FETCHING)
@click.argument("sources", type=click.Path(path_type=Path), metavar="SOURCES.toml")
@click.option(
    "--output", "-o", **PATH, default=Path("articles"), show_default=True, help="Output folder."
)
def fetch(fetching: FetchOptions, sources: Path, output: Path) -> None:
    """Fetch the new items of the feeds and pages named in SOURCES.toml, one article
    file (.json) per item, in a folder per source, ready for summarize and brief.

    Polite: robots.txt honoured, one request at a time per host, a delay apart; feeds
    asked only for what changed. What was fetched is remembered beside the articles, so
    running it again (from cron, say) fetches only what is new. Each failure is one
    line with its address; the exit code is 1 if any.

    Example:

        translate-news fetch sources.toml -o articles/
    """
    report = fetch_with_progress(sources, output, fetching)
    say(fetch_summary(report))
    if report.failed:
        raise click.exceptions.Exit(1)
