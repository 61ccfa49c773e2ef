"""Subtitles (SubRip ``.srt``, WebVTT ``.vtt``) in English on the same cues: the cues'
text read as one stream, each sentence translated whole even where it runs across
cues, and its English shared out over the same cues at word boundaries: each English
word goes to the cue of the French word the model aligns it to (kept in order), or,
without an alignment, each cue gets its share by the length of French it held; each
cue's English in lines of at most :data:`LINE` characters, two
lines where that fits (the usual norm: Netflix's and the BBC's 42 and two), never cut:
a cue whose English needs more lines gets them, and is counted.

Timings, cue numbers and identifiers, cue settings, and WebVTT's header, notes and style
blocks are kept as they are. Formatting tags inside a cue are left out of what is
translated; a cue written wholly in ``<i>`` (the usual mark for a voice off screen)
stays so."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from translate_news.core.errors import InputError
from translate_news.text.segment import sentence_spans

LINE = 42
LINES = 2
_TIMING = re.compile(
    r"^\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}(?:\s.*)?$"
)
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_ITALIC = re.compile(r"^\s*<i>(.*)</i>\s*$", re.S)


@dataclass
class Cue:
    """One cue: the lines before its text (number, timing), its text, whether it is in
    italics; or, for a block that is not a cue (WebVTT's header, a note), ``head`` alone."""

    head: list[str]
    text: str = ""
    italic: bool = False
    cue: bool = True


def parse(text: str, path: str) -> tuple[str, list[Cue]]:
    """The kind (``srt`` or ``vtt``) and blocks of a subtitle file's text; a block of an
    ``.srt`` without a timing line is refused (one line, its number)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    kind = "vtt" if text.startswith("WEBVTT") else "srt"
    blocks = [b for b in re.split(r"\n\s*\n", text.strip("\n")) if b.strip()]
    cues = []
    for number, block in enumerate(blocks, 1):
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if timing is None or (kind == "vtt" and lines[0].startswith(("NOTE", "STYLE", "REGION"))):
            if kind == "srt":
                raise InputError(f"{path}: block {number} of these subtitles has no timing line")
            cues.append(Cue(lines, cue=False))
            continue
        body = "\n".join(lines[timing + 1 :])
        italic = _ITALIC.match(body)
        plain = _TAG.sub("", italic.group(1) if italic else body)
        cues.append(Cue(lines[: timing + 1], " ".join(plain.split()), bool(italic)))
    if not any(c.cue for c in cues):
        raise InputError(f"{path}: holds no subtitle cues")
    return kind, cues


class SubtitlePlan:
    """Subtitles planned for translation: :attr:`sentences`, and :meth:`finish`."""

    def __init__(self, text: str, path: str) -> None:
        self.kind, self.cues = parse(text, path)
        self._spoken = [c for c in self.cues if c.cue and c.text]
        self.stream = ""
        self._ranges = []
        for cue in self._spoken:
            if self.stream:
                self.stream += " "
            self._ranges.append((len(self.stream), len(self.stream) + len(cue.text)))
            self.stream += cue.text
        self.places = sentence_spans(self.stream)
        self.sentences = [self.stream[a:b] for a, b in self.places]
        self._held = [self._cues_of(a, b) for a, b in self.places]
        # The sentences that run across cues: their words' alignment shares them out.
        self.aligned = tuple(i for i, held in enumerate(self._held) if len(held) > 1)
        self.overflow = 0  # cues whose English needs more than two lines

    def _cues_of(self, a: int, b: int) -> list[tuple[int, int, int]]:
        """The cues a sentence at ``[a, b)`` of the stream runs over: (cue, characters
        of it there, how many of the sentence's words begin before the cue)."""
        held = []
        for k, (start, end) in enumerate(self._ranges):
            if min(b, end) > max(a, start):
                before = len(self.stream[a : max(a, start)].split())
                held.append((k, min(b, end) - max(a, start), before))
        return held

    def finish(
        self, english: Sequence[str], note: str = "", links: Sequence[Sequence[int] | None] = ()
    ) -> str:
        """The subtitles with each sentence's English on its cues (``links``: for each
        sentence, the French word each English word translates, or None); ``note`` in a
        WebVTT NOTE block after the header (SubRip has no place for one)."""
        shares: list[list[str]] = [[] for _ in self._spoken]
        for index, (held, translation) in enumerate(zip(self._held, english)):
            words = translation.split()
            linked = links[index] if index < len(links) else None
            sizes = [n for _, n, _ in held]
            if linked is not None and len(linked) == len(words):
                parts = _by_links(words, list(linked), [w for _, _, w in held])
            else:
                parts = _share(words, sizes)
            for (k, _, _), part in zip(held, parts):
                if part:
                    shares[k].append(" ".join(part))
        out, spoken = [], iter(shares)
        self.overflow = 0
        for index, cue in enumerate(self.cues):
            if not cue.cue:
                out.append("\n".join(cue.head))
                if index == 0 and self.kind == "vtt" and note:
                    out.append("NOTE\n" + note.replace("-->", "->"))
                continue
            lines = _lines(" ".join(next(spoken))) if cue.text else []
            self.overflow += len(lines) > LINES
            if cue.italic and lines:
                lines[0] = "<i>" + lines[0]
                lines[-1] += "</i>"
            out.append("\n".join([*cue.head, *lines]))
        return "\n\n".join(out) + "\n"


def _share(words: list[str], sizes: list[int]) -> list[list[str]]:
    """``words`` in order over cues that held ``sizes`` characters of the French: each
    cue about its share, every cue a word where there are enough."""
    count, total = len(words), sum(sizes) or 1
    cuts, held = [0], 0
    for i, size in enumerate(sizes[:-1], 1):
        held += size
        cut = round(count * held / total)
        if count >= len(sizes):
            cut = min(max(cut, cuts[-1] + 1), count - (len(sizes) - i))
        cuts.append(max(cut, cuts[-1]))
    cuts.append(count)
    return [words[cuts[i] : cuts[i + 1]] for i in range(len(sizes))]


def _by_links(words: list[str], links: list[int], starts: list[int]) -> list[list[str]]:
    """``words`` over the cues whose French words begin at ``starts`` (word indices):
    each word to the cue of the French word it is aligned to, in order (a word never
    goes back to an earlier cue than the word before it), every cue a word where there
    are enough."""
    cues, reached = [], 0
    for link in links:
        reached = max(reached, link)
        cues.append(max(k for k, start in enumerate(starts) if start <= reached or k == 0))
    cuts = [0] + [sum(1 for c in cues if c < k) for k in range(1, len(starts))] + [len(words)]
    if len(words) >= len(starts):
        for k in range(1, len(starts)):
            cuts[k] = min(max(cuts[k], cuts[k - 1] + 1), len(words) - (len(starts) - k))
    return [words[cuts[k] : cuts[k + 1]] for k in range(len(starts))]


def _lines(text: str) -> list[str]:
    """``text`` in lines of at most :data:`LINE` characters: one, or two balanced ones,
    else as many as it needs (a word longer than a line keeps its own)."""
    if len(text) <= LINE:
        return [text] if text else []
    spaces = [m.start() for m in re.finditer(" ", text)]
    fits = [s for s in spaces if s <= LINE and len(text) - s - 1 <= LINE]
    if fits:
        middle = min(fits, key=lambda s: abs(len(text) / 2 - s))
        return [text[:middle], text[middle + 1 :]]
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > LINE:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def article_text(text: str, path: str) -> str:
    """The French a subtitle file holds, as one paragraph (for the other outputs)."""
    return SubtitlePlan(text, path).stream
