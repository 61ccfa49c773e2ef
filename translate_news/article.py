"""Articles: the structure every stage of the pipeline shares, and reading one from text.

An article is a title, a date and paragraphs. Each paragraph keeps its exact source
text (inner line breaks included) and a kind: ``text``, ``heading`` or ``caption``.
A caption remembers its trailing photo credit ("AFP/Archives"), which is a name and
is never sent to the translation model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InputError

PARAGRAPH_KINDS = ("text", "heading", "caption")

# ` date 2025-07 <title>`: the header line of the seed articles.
_HEADER = re.compile(r"^\s*date\s+(?P<date>\d{4}(?:-\d{2}){0,2})\s+(?P<title>\S.*?)\s*$")
# A trailing photo credit: "AFP", "AFP/Archives", "POOL/AFP/Archives", "Reuters", ...
_AGENCIES = (
    "AFP|AP|ANP|Belga|dpa|DPA|EPA|Getty Images|Getty|MAXPPP|POOL|Reuters|REUTERS|SIPA|Xinhua"
)
_CREDIT = re.compile(
    rf"\s(?P<credit>(?:[A-Z][\w-]*/)*(?:{_AGENCIES})(?:/[A-Z][\w-]*)*)\s*$",
)
_TERMINAL = ".!?…:;"
_MAX_HEADING_WORDS = 12
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article, exactly as in the source."""

    text: str
    kind: str = "text"
    credit: str | None = None
    language: str | None = None  # set when the paragraph is not French: not translated

    @property
    def body(self) -> str:
        """The part to translate: the text without its photo credit."""
        if self.credit is None:
            return self.text
        return self.text[: self.text.rindex(self.credit)].rstrip()


@dataclass(frozen=True)
class Article:
    """A source article: title and date when known, then its paragraphs in order."""

    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    date: str | None = None
    path: str | None = None


def classify(text: str) -> Paragraph:
    """Make a paragraph of ``text``, recognising photo captions and headings."""
    credit = _CREDIT.search(text)
    if credit and "\n" not in text and len(text.split()) > 2:
        return Paragraph(text, "caption", credit.group("credit"))
    if "\n" not in text and text[-1] not in _TERMINAL and len(text.split()) <= _MAX_HEADING_WORDS:
        return Paragraph(text, "heading")
    return Paragraph(text, "text")


def parse_article(text: str, *, markdown: bool = False, path: str | None = None) -> Article:
    """Parse an article from plain text (or Markdown when ``markdown``).

    Paragraphs are separated by blank lines; a line break inside a paragraph is kept.
    A first line ` date YYYY-MM[-DD] Title` gives the date and title; in Markdown a
    first-level heading gives the title and other headings become heading paragraphs.

    >>> parse_article(" date 2025-07 Titre\\n\\nUn. Deux.").paragraphs
    (Paragraph(text='Un. Deux.', kind='text', credit=None, language=None),)
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = date = None
    lines = text.split("\n", 1)
    header = _HEADER.match(lines[0])
    if header:
        date, title = header.group("date"), header.group("title")
        text = lines[1] if len(lines) > 1 else ""
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        block = block.strip()
        if not block:
            continue
        heading = _MD_HEADING.match(block) if markdown and "\n" not in block else None
        if heading and len(heading.group(1)) == 1 and title is None and not paragraphs:
            title = heading.group(2)
        elif heading:
            paragraphs.append(Paragraph(heading.group(2), "heading"))
        else:
            paragraphs.append(classify(block))
    if not paragraphs and title is None:
        raise InputError(f"{path or 'input'}: no text to translate (the article is empty)")
    return Article(tuple(paragraphs), title=title, date=date, path=path)
