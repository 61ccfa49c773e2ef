"""Text with markup, planned for translation: the sentences of an HTML fragment, and how
to put their English back into the same markup (text inside script and style never
translated, the English escaped).

A sentence holding inline elements (``<b>``, ``<a href>``, ``<span>`` ..., images and
comments too) is translated whole, and each element is put back around the English
words aligned to the French words it wrapped (:mod:`translate_news.text.inline`, with
the links of :func:`aligned`). Block elements end sentences' runs of text; an inline
element whose other end lies across one (or has none) stays where it was, as markup."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from translate_news.formats.docx import English, WordPlan
from translate_news.formats.output import flag_note
from translate_news.formats.readers import decode
from translate_news.formats.subtitles import LINE, LINES, SubtitlePlan
from translate_news.pipeline.translator import Checked, Translator, plan_text
from translate_news.seq2seq.model import Seq2SeqModel
from translate_news.text.inline import Span, joined, project, render
from translate_news.text.segment import sentence_spans

# Elements that live inside a sentence; any other tag ends a run of text.
INLINE = frozenset(
    "a abbr b bdi bdo cite code data del dfn em font i ins kbd mark q s samp small span"
    " strike strong sub sup time u var".split()
)
# Inline elements without content: kept at their place in the sentence.
INLINE_VOID = frozenset({"img", "wbr"})


class Plan(NamedTuple):
    """A text split for translation: its sentences, how to put their English back, and
    which of them need their words aligned first (:func:`aligned`)."""

    sentences: list[str]
    finish: Callable[[list[Checked]], str]
    aligned: tuple[int, ...] = ()


def aligned(
    model: Seq2SeqModel, sentences: Sequence[str], checked: Sequence[Checked], wanted: Sequence[int]
) -> list[Checked]:
    """``checked`` with the ``links`` of the ``wanted`` sentences' words (the model's
    alignment of each French sentence with its English)."""
    out = list(checked)
    if not wanted:
        return out
    found = model.align([sentences[i] for i in wanted], [checked[i].text for i in wanted])
    for index, links in zip(wanted, found):
        out[index] = dataclasses.replace(out[index], links=tuple(links))
    return out


@dataclass(frozen=True)
class Rewritten:
    """A document in English, written over its source: its bytes, how many of its
    sentences are flagged, and what the user should know of it."""

    data: bytes
    flagged: int
    warnings: tuple[str, ...] = ()


def translate_document(
    translator: Translator, raw: bytes, path: str | Path, limit: int, note: str = ""
) -> Rewritten:
    """A Word file or subtitles (by ``path``'s suffix) in English, written over the same
    document: Word's formatting carried (:mod:`translate_news.formats.docx`), subtitles'
    cues kept (:mod:`translate_news.formats.subtitles`); ``note`` (what translated it)
    in its properties or a note; a flagged sentence marked ``[check: ...]``."""
    if Path(path).suffix.lower() == ".docx":
        plan = WordPlan(raw, path, limit)
        found = translator.translate_checked(plan.sentences)
        found = aligned(translator.model, plan.sentences, found, plan.aligned)
        english = [English(c.text, c.links, flag_note(c.flags)) for c in found]
        return Rewritten(plan.finish(english, note), sum(bool(c.flags) for c in found))
    subtitles = SubtitlePlan(decode(raw, path), str(path))
    found = translator.translate_checked(subtitles.sentences)
    found = aligned(translator.model, subtitles.sentences, found, subtitles.aligned)
    marked = [c.text + flag_note(c.flags) for c in found]
    text = subtitles.finish(marked, note, [c.links for c in found])
    warnings = ()
    if subtitles.overflow:
        warnings = (
            f"{path}: {subtitles.overflow} cue(s) need more than {LINES} lines of {LINE} "
            "characters in English; kept whole",
        )
    return Rewritten(text.encode("utf-8"), sum(bool(c.flags) for c in found), warnings)


def plan_plain(text: str) -> Plan:
    """A text without markup, as :func:`.translator.plan_text` plans it."""
    return Plan(*plan_text(text))


# A parsed fragment: (kind, content, tag name); kinds "text", "raw" (markup kept as it
# is, or text never translated), "open" and "close" (an inline element's tags), "point"
# (an inline element without content, or a comment).
_Part = tuple[str, str, str]


class _Html(HTMLParser):
    """An HTML fragment as parts; text inside script and style is raw."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[_Part] = []
        self._raw = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._raw += tag in ("script", "style")
        kind = "open" if tag in INLINE else "point" if tag in INLINE_VOID else "raw"
        self.parts.append((kind, self.get_starttag_text() or "", tag))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = "point" if tag in INLINE | INLINE_VOID else "raw"
        self.parts.append((kind, self.get_starttag_text() or "", tag))

    def handle_endtag(self, tag: str) -> None:
        self._raw -= tag in ("script", "style") and self._raw > 0
        self.parts.append(("close" if tag in INLINE else "raw", f"</{tag}>", tag))

    def handle_data(self, data: str) -> None:
        self.parts.append(("raw" if self._raw else "text", data, ""))

    def handle_comment(self, data: str) -> None:
        self.parts.append(("point", f"<!--{data}-->", ""))


def _demote_unmatched(parts: list[_Part]) -> list[_Part]:
    """Inline tags as markup (raw) where their element does not close inside one run of
    text: no matching tag, a crossing one, or a block element between."""
    parts = list(parts)
    while True:
        changed = False
        stack: list[int] = []
        pairs: dict[int, int] = {}
        for i, (kind, _, tag) in enumerate(parts):
            if kind == "open":
                stack.append(i)
            elif kind == "close":
                if stack and parts[stack[-1]][2] == tag:
                    pairs[stack.pop()] = i
                else:
                    parts[i] = ("raw", parts[i][1], tag)
                    changed = True
        for i in stack:
            parts[i] = ("raw", parts[i][1], parts[i][2])
            changed = True
        for start, end in pairs.items():
            if any(parts[k][0] == "raw" for k in range(start + 1, end)):
                parts[start] = ("raw", parts[start][1], parts[start][2])
                parts[end] = ("raw", parts[end][1], parts[end][2])
                changed = True
        if not changed:
            return parts


def plan_html(markup: str) -> Plan:
    """The sentences of an HTML fragment's text, and how to put their translations back
    into its markup."""
    parser = _Html()
    parser.feed(markup)
    parser.close()
    sentences: list[str] = []
    aligned_ones: list[int] = []
    pieces: list[tuple[int, int, Callable[[list[Checked]], str]] | str] = []
    for run in _runs(_demote_unmatched(parser.parts)):
        if isinstance(run, str):
            pieces.append(run)
            continue
        units, finish, needs = _plan_run(run)
        if needs:
            aligned_ones += range(len(sentences), len(sentences) + len(units))
        pieces.append((len(sentences), len(units), finish))
        sentences += units

    def finish_all(translations: list[Checked]) -> str:
        out = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                start, count, finish = piece
                out.append(finish(translations[start : start + count]))
        return "".join(out)

    return Plan(sentences, finish_all, tuple(aligned_ones))


def _runs(parts: list[_Part]) -> list[list[_Part] | str]:
    """Raw markup as it is, and the runs of text and inline elements between."""
    out: list[list[_Part] | str] = []
    for part in parts:
        if part[0] == "raw":
            out.append(part[1])
        elif out and isinstance(out[-1], list):
            out[-1].append(part)
        else:
            out.append([part])
    return out


def _plan_run(
    run: list[_Part],
) -> tuple[list[str], Callable[[list[Checked]], str], bool]:
    """One run's sentences, how to put their English back, and whether that needs the
    words aligned (it holds inline elements)."""
    if all(kind == "text" for kind, _, _ in run):
        text = "".join(content for _, content, _ in run)
        if not text.strip():
            return [], lambda _: text, False
        lead = text[: len(text) - len(text.lstrip())]
        tail = text[len(text.rstrip()) :]
        units, finish = plan_text(text.strip())
        return units, lambda found: lead + html.escape(finish(found), quote=False) + tail, False
    text, spans = _spans(run)
    places = sentence_spans(text)
    if not places:  # no words: as it was
        kept = "".join(html.escape(c, quote=False) if k == "text" else c for k, c, _ in run)
        return [], lambda _: kept, False
    units = [text[a:b] for a, b in places]
    return units, lambda found: _project_run(text, places, spans, found), True


def _spans(run: list[_Part]) -> tuple[str, list[Span]]:
    """A run's text and its inline elements as spans over it (their tags matched)."""
    text = ""
    roots: list[Span] = []
    open_ones: list[Span] = []
    for kind, content, tag in run:
        siblings = open_ones[-1].children if open_ones else roots
        if kind == "text":
            text += content
        elif kind == "point":
            siblings.append(Span(len(text), len(text), (content, "")))
        elif kind == "open":
            span = Span(len(text), len(text), (content, f"</{tag}>"))
            siblings.append(span)
            open_ones.append(span)
        else:
            open_ones.pop().end = len(text)
    return text, roots


def _project_run(
    text: str, places: list[tuple[int, int]], spans: list[Span], found: list[Checked]
) -> str:
    """The English of one run, its French gaps kept, with its elements projected."""
    english, links, _ = joined(text, places, [(c.text, c.links) for c in found])
    placed = project(text, english, links, spans)
    return render(english, placed, lambda part: html.escape(part, quote=False))
