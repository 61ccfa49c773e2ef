"""English briefings: every summarised article of a folder, newest first, grouped by day.

A briefing is built from the ``.en.json`` records that ``translate-news summarize``
writes, and rendered as Markdown, one standalone HTML page (no external assets, readable
on a phone, printable) or JSON.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import quote

from translate_news.core.document import Summary, TranslatedArticle
from translate_news.core.errors import InputError
from translate_news.formats.output import (
    html_page,
    human_date,
    human_span,
    json_text,
    md_escape,
    read_summary_record,
)
from translate_news.text.wire import copies, dispatch, own_sentences

UNDATED = "Undated"


@dataclass(frozen=True)
class Outlet:
    """One outlet that ran a wire dispatch: its name, the article's address there, the
    link to its full translation, and the sentences (English) only it ran."""

    name: str
    url: str | None
    link: str
    added: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One article of a briefing."""

    headline: str
    date: str | None
    summary: str
    link: str
    signature: str | None = None  # what translated the article
    unsure: int = 0  # sentences of its translation of low confidence
    sentences: int = 0  # sentences of its translation with a confidence
    said: tuple[tuple[str, str], ...] = ()  # who said what: (speaker, the quote in English)
    dated: tuple[tuple[str, str], ...] = ()  # the dates its summary names: (French, ISO)
    url: str | None = None  # where it was published, for a fetched article
    outlet: str | None = None
    outlets: tuple[Outlet, ...] = ()  # a wire dispatch: every outlet that ran it

    @property
    def dates(self) -> str | None:
        """What the item says of the relative dates its summary's sentences named."""
        if not self.dated:
            return None
        said = dict.fromkeys(f"{french} = {human_span(value)}" for french, value in self.dated)
        return "Dates: " + "; ".join(said)  # each once, in the order the summary names them

    @property
    def doubt(self) -> str | None:
        """What the item says when the summary was built on low-confidence English."""
        if not self.unsure:
            return None
        return (
            f"check: {self.unsure} of {self.sentences} sentences of the translation are of "
            "low confidence"
        )


def load_entries(
    folder: Path,
    relative_to: Path,
    *,
    pages: bool = False,
    min_confidence: float | None = None,
    leave_out: bool = False,
) -> tuple[list[Entry], list[str], int]:
    """The summarised articles under ``folder``, newest first (undated last), one line
    for each record that is not a valid summary (left out), and how many were left out
    for low confidence. Each links to its full translation beside the record (its HTML
    page when ``pages`` and there is one, else its Markdown), by a relative,
    percent-encoded path from the folder ``relative_to`` (where the briefing will be
    written). An article whose translation has sentences of low confidence (under
    ``min_confidence``, else as flagged when it was translated) says so, or with
    ``leave_out`` is left out."""
    entries, problems, dropped = [], [], 0
    sentences = []
    for path in sorted(folder.rglob("*.en.json")):
        try:
            record = read_summary_record(path)
        except InputError as exc:
            problems.append(f"{exc}; left out")
            continue
        scored = [c for c in record.confidences if c is not None]
        unsure = (
            record.unsure if min_confidence is None else sum(c < min_confidence for c in scored)
        )
        if unsure and leave_out:
            dropped += 1
            continue
        target = record.page if pages and record.page is not None else record.markdown
        relative = Path(os.path.relpath(target, relative_to)).as_posix()
        # A name that is not UTF-8 is linked by its own bytes.
        link = "/".join(
            quote(part, safe="", errors="surrogateescape") for part in relative.split("/")
        )
        entries.append(
            Entry(
                record.headline,
                record.date,
                record.summary,
                link,
                record.signature,
                unsure,
                len(scored),
                record.said,
                record.dated,
                record.url,
                record.outlet,
            )
        )
        sentences.append(record.sentences)
    if not entries and not dropped:
        raise InputError(f"{folder}: no summaries found; run translate-news summarize first")
    return newest_first(merge_copies(entries, sentences)), problems, dropped


def merge_copies(entries: list[Entry], sentences: list[tuple[tuple[str, str], ...]]) -> list[Entry]:
    """``entries`` with the wire copies among them (told by their French sentences,
    (French, English) pairs beside each entry) made one: the copy that stands for the
    dispatch, listing every outlet that ran it (itself first) and what each added."""
    merged = []
    for group in copies([[fr for fr, _ in sentences[i]] for i in range(len(entries))]):
        if len(group) == 1:
            merged.append(entries[group[0]])
            continue
        french = [[fr for fr, _ in sentences[i]] for i in group]
        own = own_sentences(french)
        lead = dispatch(french)
        outlets = [
            Outlet(
                entries[i].outlet or entries[i].headline,
                entries[i].url,
                entries[i].link,
                tuple(sentences[i][k][1] for k in own[n]),
            )
            for n, i in enumerate(group)
        ]
        outlets.insert(0, outlets.pop(lead))
        merged.append(replace(entries[group[lead]], outlets=tuple(outlets)))
    return merged


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    """``entries`` newest first, the undated last (each group in its own order)."""
    entries = list(entries)
    dated = sorted((e for e in entries if e.date), key=lambda e: e.date or "", reverse=True)
    return dated + [e for e in entries if not e.date]


def entries_of(summarised: Iterable[tuple[TranslatedArticle, Summary]]) -> list[Entry]:
    """Briefing entries for articles just summarised (not read from records), newest
    first, each linked to its place in the same page (``#article-1``, ...); wire
    copies among them made one (see :func:`merge_copies`)."""
    summarised = list(summarised)
    entries = [
        Entry(
            english.headline,
            english.date,
            summary.text,
            f"#article-{i}",
            str(english.signature),
            *_unsure(english),
            *_said_dated(english, summary.text),
            None if english.origin is None else english.origin.url,
            None if english.origin is None else english.origin.outlet,
        )
        for i, (english, summary) in enumerate(summarised, 1)
    ]
    sentences = [
        tuple((p.source, p.translation) for par in english.paragraphs for p in par.sentences)
        for english, _ in summarised
    ]
    return newest_first(merge_copies(entries, sentences))


def _unsure(english: TranslatedArticle) -> tuple[int, int]:
    """How many sentences of a translation are flagged of low confidence, of how many
    with a confidence."""
    pairs = english.pairs
    low = sum(any(f.kind == "low-confidence" for f in pair.flags) for pair in pairs)
    return low, sum(pair.confidence is not None for pair in pairs)


def _said_dated(
    english: TranslatedArticle, summary: str
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Who said what in a translation, and the dates its summary's sentences name."""
    pairs = english.pairs
    said = tuple((q.speaker, q.english) for p in pairs for q in p.quotes if q.speaker and q.english)
    dated = tuple(
        (d.text, d.value)
        for p in pairs
        if p.translation and p.translation in summary
        for d in p.dates
        if d.value
    )
    return said, dated


def _time(entry: Entry) -> str:
    """The time of day an entry carries (``10:05``), or nothing."""
    return entry.date[11:16] if entry.date and len(entry.date) > 10 else ""


def _days(entries: list[Entry]) -> list[tuple[str, str, list[Entry]]]:
    """The entries by day: (ISO day, the day as a reader says it, its entries)."""
    days = []
    for day, group in groupby(entries, lambda e: (e.date or "")[:10]):
        days.append((day, human_date(day) if day else UNDATED, list(group)))
    return days


def _signatures(entries: list[Entry]) -> list[str]:
    """The distinct signatures of what translated the briefing's articles."""
    return sorted({e.signature for e in entries if e.signature})


def _heading(entries: list[Entry], title: str | None) -> tuple[str, str]:
    dates = sorted(e.date[:10] for e in entries if e.date)
    first, last = (human_date(dates[0]), human_date(dates[-1])) if dates else ("", "")
    span = f"{first} to {last}" if first != last else first
    count = f"{len(entries)} article{'s' if len(entries) != 1 else ''}"
    return title or "News briefing", f"{span}, {count}" if span else count


def to_markdown(entries: list[Entry], title: str | None = None) -> str:
    heading, subtitle = _heading(entries, title)
    lines = [f"# {md_escape(heading)}", "", f"*{md_escape(subtitle)}*"]
    for _day, label, group in _days(entries):
        lines += ["", f"## {label}"]
        for entry in group:
            lines += ["", f"### {md_escape(entry.headline)}", ""]
            if _time(entry):
                lines.append(f"*{_time(entry)}*  ")
            lines.append(md_escape(entry.summary))
            if entry.doubt:
                lines += ["", f"*{md_escape(entry.doubt)}*"]
            if entry.dates:
                lines += ["", f"*{md_escape(entry.dates)}*"]
            if entry.said:
                lines += ["", "**Who said what**", ""]
                lines += [f"- {md_escape(who)}: “{md_escape(what)}”" for who, what in entry.said]
            lines += ["", *_md_sources(entry)]
    lines += ["", "---", ""] + [f"*Machine translation: `{s}`*  " for s in _signatures(entries)]
    return "\n".join(lines).rstrip() + "\n"


def _md_url(url: str) -> str:
    """An address as a Markdown link target: what would end or break it encoded."""
    for char, code in (("(", "%28"), (")", "%29"), (" ", "%20"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return url


def _md_sources(entry: Entry) -> list[str]:
    """Where to read more: the full translation and the original; for a dispatch,
    every outlet that ran it and what each added."""
    if not entry.outlets:
        original = f" · [Original]({_md_url(entry.url)})" if entry.url else ""
        return [f"[Full translation]({entry.link}){original}"]
    lines = [f"**Ran in {len(entry.outlets)} outlets**", ""]
    for outlet in entry.outlets:
        name = (
            f"[{md_escape(outlet.name)}]({_md_url(outlet.url)})"
            if outlet.url
            else md_escape(outlet.name)
        )
        added = " ".join(f"“{md_escape(a)}”" for a in outlet.added)
        lines.append(
            f"- {name} ([translation]({outlet.link})): "
            + (f"added {added}" if added else "the dispatch as it stands")
        )
    return lines


def _html_sources(entry: Entry) -> str:
    esc = html.escape
    if not entry.outlets:
        original = f' · <a href="{esc(entry.url)}">Original</a>' if entry.url else ""
        return f'<p><a href="{esc(entry.link)}">Full translation</a>{original}</p>'
    items = []
    for outlet in entry.outlets:
        name = (
            f'<a href="{esc(outlet.url)}">{esc(outlet.name)}</a>'
            if outlet.url
            else esc(outlet.name)
        )
        added = " ".join(f"“{esc(a)}”" for a in outlet.added)
        what = f"added {added}" if added else "the dispatch as it stands"
        items.append(f'<li>{name} (<a href="{esc(outlet.link)}">translation</a>): {what}</li>')
    return (
        f'<div class="wire"><h4>Ran in {len(entry.outlets)} outlets</h4>'
        f"<ul>{''.join(items)}</ul></div>"
    )


def to_json(entries: list[Entry], title: str | None = None) -> str:
    return json_text(to_record(entries, title))


def to_record(entries: list[Entry], title: str | None = None) -> dict[str, Any]:
    """The briefing as the JSON object :func:`to_json` writes."""
    heading, subtitle = _heading(entries, title)
    days = [
        {
            "day": day or None,
            "label": label,
            "articles": [asdict(e) | {"doubt": e.doubt, "dates": e.dates} for e in group],
        }
        for day, label, group in _days(entries)
    ]
    return {"title": heading, "subtitle": subtitle, "count": len(entries), "days": days}


_STYLE = (
    "body{max-width:42rem;margin:auto;padding:1rem;font:1.05rem/1.5 Georgia,serif;color:#111}"
    "h1{font-size:1.6rem;margin-bottom:0}.sub{color:#555;margin-top:.2rem}"
    "h2{font-size:1.1rem;border-bottom:1px solid #ccc;margin-top:2rem}"
    "article{margin:1rem 0;break-inside:avoid}h3{font-size:1.05rem;margin:.2rem 0}"
    "time{color:#555;font-size:.9rem}a{color:#1a4d8f}"
    "footer{margin-top:2rem;border-top:1px solid #ccc;color:#555;font-size:.8rem}"
    "code{overflow-wrap:anywhere}"
    ".doubt{font:.85rem sans-serif;color:#7a3a00;border-left:3px solid #a34f00;"
    "padding-left:.4rem}.dates{font:.85rem sans-serif;color:#333}"
    ".said h4,.wire h4{font:bold .85rem sans-serif;margin:.5rem 0 0}"
    ".said ul,.wire ul{margin:.2rem 0}.wire{font-size:.95rem}"
    "@media print{a{color:#111}a::after{content:' (' attr(href) ')';font-size:.8rem}}"
)


def to_html(entries: list[Entry], title: str | None = None) -> str:
    heading, subtitle = _heading(entries, title)
    esc = html.escape
    body = [f"<h1>{esc(heading)}</h1>", f'<p class="sub">{esc(subtitle)}</p>']
    for day, label, group in _days(entries):
        named = f'<time datetime="{esc(day)}">{esc(label)}</time>' if day else esc(label)
        body.append(f"<section><h2>{named}</h2>")
        for entry in group:
            time = _time(entry)
            when = f'<time datetime="{esc(entry.date or "")}">{esc(time)}</time>' if time else ""
            doubt = f'<p class="doubt">{esc(entry.doubt)}</p>' if entry.doubt else ""
            dates = f'<p class="dates">{esc(entry.dates)}</p>' if entry.dates else ""
            said = "".join(f"<li>{esc(who)}: “{esc(what)}”</li>" for who, what in entry.said)
            said = f'<div class="said"><h4>Who said what</h4><ul>{said}</ul></div>' if said else ""
            body.append(
                f"<article><h3>{esc(entry.headline)}</h3>{when}<p>{esc(entry.summary)}</p>"
                f"{doubt}{dates}{said}{_html_sources(entry)}</article>"
            )
        body.append("</section>")
    signatures = "".join(
        f"<p>Machine translation: <code>{esc(s)}</code></p>" for s in _signatures(entries)
    )
    body.append(f"<footer>{signatures}</footer>")
    return html_page(esc(heading), _STYLE, body)


RENDERERS = {".md": to_markdown, ".markdown": to_markdown, ".html": to_html, ".json": to_json}
