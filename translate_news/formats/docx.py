"""Word documents in English: the same document, each paragraph's text replaced by its
translation, everything else as it was (styles, headings, lists, tables, headers and
footers, footnotes and endnotes, hyperlinks, images, fields), and the formatting of
runs (bold, italic, underline, a link) carried onto the English words aligned to the
French words it covered (:mod:`translate_news.text.inline`).

In each paragraph the formatting most of its text has is the paragraph's own; each run
formatted otherwise, and each hyperlink, is an element to carry. What is not text (a
picture, a field, a footnote's mark, a bookmark) stays at its place in the sentence."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translate_news.core.document import TranslatedArticle
from translate_news.core.errors import InputError
from translate_news.formats.output import flag_note
from translate_news.formats.readers import check_docx_size
from translate_news.text.inline import Span, joined, project
from translate_news.text.segment import sentence_spans

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# The parts whose paragraphs are translated, by the end of their content type.
TEXT_PARTS = ("document.main+xml", "header+xml", "footer+xml", "footnotes+xml", "endnotes+xml")
# Elements that hold runs and are carried as a whole (a link, a tracked insertion).
_CONTAINERS = {f"{{{W}}}{name}" for name in ("hyperlink", "ins", "smartTag")}
# What a run's text is made of; a run holding anything else is kept as it is.
_TEXT = {f"{{{W}}}{name}" for name in ("t", "tab", "br", "cr", "rPr", "lastRenderedPageBreak")}
_FINGERPRINT = re.compile(r"translate-news-fingerprint: ([0-9a-f]{64})")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class English:
    """One sentence's translation as a document takes it: its text, which French word
    each of its words translates (None: by position), and what to mark after it."""

    text: str
    links: tuple[int, ...] | None = None
    mark: str = ""  # as formats.output.flag_note writes it


@dataclass
class _Paragraph:
    element: Any
    text: str
    spans: list[Span]
    base: Any  # the run properties of most of its text (None: none)
    places: list[tuple[int, int]] = field(default_factory=list)
    first: int = 0  # its first sentence's index in the plan


class WordPlan:
    """A Word document planned for translation: :attr:`sentences` (the title first,
    where the document has one) and :meth:`finish`, the document in English."""

    def __init__(self, raw: bytes, path: Path | str, limit: int) -> None:
        import docx

        check_docx_size(raw, path, limit)
        try:
            self.document = docx.Document(io.BytesIO(raw))
            self._trees = [tree for part in self.document.part.package.iter_parts()
                           for tree in _tree(part)]  # fmt: skip
            self.paragraphs = [
                p for _, root in self._trees for e in root.iter(_w("p")) if (p := _read(e))
            ]
            self.title = self.document.core_properties.title or None
        except Exception as exc:  # python-docx and lxml on a damaged file: one line
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise InputError(f"{path}: not a readable Word (.docx) file ({reason})") from None
        self.sentences: list[str] = [self.title] if self.title else []
        aligned: list[int] = []  # the sentences of paragraphs with elements to carry
        for paragraph in self.paragraphs:
            paragraph.places = sentence_spans(paragraph.text)
            paragraph.first = len(self.sentences)
            self.sentences += [paragraph.text[a:b] for a, b in paragraph.places]
            if paragraph.spans:
                aligned += range(paragraph.first, len(self.sentences))
        self.aligned = tuple(aligned)

    def finish(self, english: Sequence[English], note: str = "") -> bytes:
        """The document with each sentence's English (in :attr:`sentences` order), and
        ``note`` (what translated it) in its properties' comments."""
        if self.title:
            self.document.core_properties.title = english[0].text
        for paragraph in self.paragraphs:
            count = len(paragraph.places)
            _replace(paragraph, english[paragraph.first : paragraph.first + count])
        for part, root in self._trees:
            if part is not None:  # a part python-docx keeps as bytes
                from lxml import etree

                part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        if note:
            self.document.core_properties.comments = note
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def _tree(part: Any) -> list[tuple[Any, Any]]:
    """A text part's XML: (None, its element) where python-docx parsed it, else (the
    part, the element parsed from its bytes, written back by :meth:`WordPlan.finish`)."""
    if not part.content_type.endswith(TEXT_PARTS):
        return []
    element = getattr(part, "_element", None)
    if element is not None:
        return [(None, element)]
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return [(part, etree.fromstring(part.blob, parser))]


def _read(paragraph: Any) -> _Paragraph | None:
    """A paragraph's text and its elements (None when it has no text to translate)."""
    text, spans = _children(paragraph, 0)
    if not any(c.isalnum() for c in text):
        return None
    base = _dominant(text, spans)
    spans = _without(spans, base)
    return _Paragraph(paragraph, text, spans, base)


def _children(parent: Any, at: int) -> tuple[str, list[Span]]:
    """The text of ``parent``'s runs from offset ``at``, each run a span tagged
    ("run", its properties), each container ("box", its shell), anything else a point."""
    text, spans = "", []
    for child in parent:
        start = at + len(text)
        if child.tag == _w("pPr"):
            continue
        if child.tag == _w("r") and all(c.tag in _TEXT for c in child):
            piece = _run_text(child)
            text += piece
            spans.append(Span(start, start + len(piece), ("run", child.find(_w("rPr")), None)))
        elif child.tag in _CONTAINERS:
            inner, kids = _children(child, start)
            text += inner
            shell = copy.deepcopy(child)
            for grandchild in list(shell):
                shell.remove(grandchild)
            spans.append(Span(start, start + len(inner), ("box", None, shell), kids))
        else:
            spans.append(Span(start, start, ("point", None, child)))
    return text, spans


def _run_text(run: Any) -> str:
    out = []
    for child in run:
        if child.tag == _w("t"):
            out.append(child.text or "")
        elif child.tag == _w("tab"):
            out.append("\t")
        elif child.tag in (_w("br"), _w("cr")):
            out.append("\n")
    return "".join(out)


def _key(properties: Any) -> bytes:
    from lxml import etree

    return b"" if properties is None else etree.tostring(properties)


def _dominant(text: str, spans: list[Span]) -> Any:
    """The run properties most of ``spans``' text has."""
    sizes: dict[bytes, tuple[int, Any]] = {}
    for span in spans:
        if span.tag[0] == "run":
            key = _key(span.tag[1])
            size, _ = sizes.get(key, (0, None))
            sizes[key] = (size + span.end - span.start, span.tag[1])
    if not sizes:
        return None
    return max(sizes.values(), key=lambda found: found[0])[1]


def _without(spans: list[Span], base: Any) -> list[Span]:
    """``spans`` less the runs formatted as ``base`` (the paragraph's own: no element),
    neighbouring runs formatted alike merged into one; a container's runs likewise
    against the formatting most of its own text has."""
    out: list[Span] = []
    for span in spans:
        kind, properties, shell = span.tag
        if kind == "box":
            inner = _dominant("", span.children)
            span = Span(span.start, span.end, ("box", inner, shell), _without(span.children, inner))
        elif kind == "run":
            if _key(properties) == _key(base):
                continue
            last = out[-1] if out else None
            if (
                last
                and last.tag[0] == "run"
                and last.end == span.start
                and _key(last.tag[1]) == _key(properties)
            ):
                last.end = span.end
                continue
        out.append(span)
    return out


def _replace(paragraph: _Paragraph, english: Sequence[English]) -> None:
    """Put the English into the paragraph: its children after its properties, rebuilt."""
    pairs = [(found.text, found.links) for found in english]
    target, links, ends = joined(paragraph.text, paragraph.places, pairs)
    marks = [(end, found.mark) for end, found in zip(ends, english) if found.mark]
    placed = project(paragraph.text, target, links, paragraph.spans)
    for where, mark in reversed(marks):
        _insert_point(placed, where, ("mark", None, mark))
    element = paragraph.element
    for child in list(element):
        if child.tag != _w("pPr"):
            element.remove(child)
    element.extend(_build(target, placed, 0, len(target), paragraph.base))


def _insert_point(spans: list[Span], where: int, tag: Any) -> None:
    """A zero-width span at ``where``, inside the innermost span holding it."""
    for span in spans:
        if span.start < where < span.end or (span.tag[0] == "box" and span.end == where):
            _insert_point(span.children, where, tag)
            return
    spans.append(Span(where, where, tag))
    spans.sort(key=lambda s: (s.start, s.end > s.start))


def _build(text: str, spans: list[Span], lo: int, hi: int, base: Any) -> list[Any]:
    """The runs (and kept elements) of ``text[lo:hi]``: text outside every span in the
    ``base`` formatting."""
    out, at = [], lo
    for span in spans:
        out += _runs(text[at : span.start], base)
        kind, properties, kept = span.tag
        if kind == "point":
            out.append(kept)  # moved, not copied: a picture's own paragraphs are translated
        elif kind == "mark":
            out += _runs(kept, _highlighted(base))
        elif kind == "run":
            out += _build(text, span.children, span.start, span.end, properties)
        else:
            shell = copy.deepcopy(kept)
            shell.extend(_build(text, span.children, span.start, span.end, properties))
            out.append(shell)
        at = span.end
    out += _runs(text[at:hi], base)
    return out


def _runs(text: str, properties: Any) -> list[Any]:
    """One run of ``text`` with a copy of ``properties`` (a French language mark made
    English); tabs and line breaks as Word writes them."""
    if not text:
        return []
    from docx.oxml import OxmlElement

    run = OxmlElement("w:r")
    if properties is not None:
        own = copy.deepcopy(properties)
        for language in own.iter(_w("lang")):
            if (language.get(_w("val")) or "").lower().startswith("fr"):
                language.set(_w("val"), "en-GB")
        run.append(own)
    for piece in re.split(r"([\t\n])", text):
        if piece == "\t":
            run.append(OxmlElement("w:tab"))
        elif piece == "\n":
            run.append(OxmlElement("w:br"))
        elif piece:
            element = OxmlElement("w:t")
            element.text = piece
            element.set(XML_SPACE, "preserve")
            run.append(element)
    return [run]


def _highlighted(properties: Any) -> Any:
    """``properties`` with a yellow highlight, for a flag's mark."""
    from docx.oxml import OxmlElement

    own = copy.deepcopy(properties) if properties is not None else OxmlElement("w:rPr")
    mark = OxmlElement("w:highlight")
    mark.set(_w("val"), "yellow")
    own.append(mark)
    return own


def read_fingerprint(path: Path) -> str | None:
    """The fingerprint a document written by translate-news records in its comments."""
    import docx

    try:
        found = _FINGERPRINT.findall(docx.Document(str(path)).core_properties.comments or "")
    except Exception:  # not there, or not a document we can read: not done
        return None
    return found[-1] if found else None


def article_docx(article: TranslatedArticle, note: str = "") -> bytes:
    """A new Word document of a translated article (from a format other than Word):
    its title, headings as headings, paragraphs, flags marked."""
    import docx

    document = docx.Document()
    if article.title is not None:
        document.add_heading(article.title.translation, level=0)
        document.core_properties.title = article.title.translation
    for paragraph in article.paragraphs:
        if paragraph.kind == "heading":
            document.add_heading(paragraph.text, level=1)
            continue
        made = document.add_paragraph()
        for pair in paragraph.sentences:
            made.add_run(("" if not made.runs else " ") + pair.translation)
            if pair.flags:
                mark = made.add_run(flag_note(pair.flags))
                mark.font.highlight_color = 7  # WD_COLOR_INDEX.YELLOW
    document.core_properties.comments = note
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
