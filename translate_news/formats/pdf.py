"""Text PDFs (press releases, reports, decisions) read as articles, with pdfminer.six:
its characters come with their place and size, which is what reading order and
headings are made from here (the order a PDF stores its text in is often not the
order it is read in: line by line across both columns, for many producers).

* reading order: a page is in two columns when little of its text (under a quarter)
  runs across its middle; there, lines that do are full width, they cut the page into
  bands, and in each band the left column is read before the right;
* headings: lines set larger than the body text (1.15 x its most common size); the
  first of the largest on the first page is the title;
* running headers, footers and page numbers (in the top or bottom 8% of the page, not
  set larger than the body, repeated on most pages once digits are set aside, or a bare
  page number) are dropped;
* a word hyphenated at a line's end is joined; a paragraph runs on across a column or
  page break when it had not ended;
* a table's cells on one line become one row, cells apart by `` | ``.

A PDF without a text layer (a scan) is refused, saying so."""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from translate_news.core.errors import InputError

MARGIN = 0.08  # of the page's height: where running headers and footers live
HEADING = 1.15  # x the body text's size
# A page is in two columns when less of its text than this runs across its middle.
COLUMNS = 0.25
MAX_PAGES = 5000
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d+(\s*(/|sur|of|de)\s*\d+)?$", re.I)
_ENDED = re.compile(r"[.!?:;»”\"')]$")


@dataclass
class _Line:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float


def read_pdf(raw: bytes, path: Path | str, limit: int) -> tuple[str | None, list[tuple[str, str]]]:
    """The title and paragraphs (text, and ``heading``, ``row`` for a table's row, or
    ``text``) of a text PDF; a scan, an encrypted or a damaged file refused in one line,
    and one whose streams would inflate past twice ``limit`` before any is read."""
    check_inflated(raw, path, limit)
    lines, heights, images = _lines(raw, path)
    if not any(c.isalnum() for line in lines for c in line.text):
        if images:
            raise InputError(
                f"{path}: has no text layer (a scanned PDF?); translate-news reads text "
                "PDFs: run OCR on it first (for example ocrmypdf)"
            )
        raise InputError(f"{path}: holds no text")
    body = _body_size(lines)
    kept = _without_running(lines, heights, body)
    ordered = [line for page in sorted({ln.page for ln in kept}) for line in _read_order(
        [ln for ln in kept if ln.page == page])]  # fmt: skip
    return _paragraphs(ordered, body)


_STREAM = re.compile(rb"stream\r?\n")


def check_inflated(raw: bytes, path: Path | str, limit: int) -> None:
    """Refuse a PDF by what its compressed streams would inflate to (a "zip bomb": a
    small file whose streams unpack to gigabytes), counted a piece at a time, before
    pdfminer unpacks any whole."""
    import zlib

    total, start = 0, 0
    while (found := _STREAM.search(raw, start)) is not None:
        end = raw.find(b"endstream", found.end())
        end = len(raw) if end < 0 else end
        inflater = zlib.decompressobj()
        data = raw[found.end() : end]
        try:
            piece = inflater.decompress(data, 1 << 20)
            while piece:
                total += len(piece)
                if total > 2 * limit:
                    raise InputError(
                        f"{path}: unpacks to over {2 * limit / 1e6:.0f} MB, over twice the "
                        f"{limit / 1e6:g} MB input limit; raise it with --max-input-mb if it "
                        "is real"
                    )
                piece = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
        except zlib.error:
            pass  # not deflated (or encrypted): pdfminer reads it as it is
        start = end + len(b"endstream")


def _lines(raw: bytes, path: Path | str) -> tuple[list[_Line], dict[int, float], int]:
    """Every line of text with its place and size, the height of each page, and how
    many pictures the pages hold."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTImage, LTTextLine

    lines: list[_Line] = []
    heights: dict[int, float] = {}
    images = 0
    try:
        for number, page in enumerate(extract_pages(io.BytesIO(raw), laparams=LAParams())):
            if number >= MAX_PAGES:
                raise InputError(f"{path}: over {MAX_PAGES} pages; split it")
            heights[number] = page.height
            stack = list(page)
            while stack:
                item = stack.pop()
                if isinstance(item, LTTextLine):
                    sizes = [c.size for c in item if isinstance(c, LTChar)]
                    text = " ".join(item.get_text().split())
                    if text and sizes:
                        box = item.bbox
                        lines.append(_Line(number, *box, text, statistics.median(sizes)))
                    continue
                images += isinstance(item, LTImage)
                if hasattr(item, "__iter__"):
                    stack.extend(item)
    except InputError:
        raise
    except Exception as exc:  # pdfminer on a damaged or encrypted file: one line, any kind
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not a readable PDF ({reason})") from None
    return lines, heights, images


def _body_size(lines: list[_Line]) -> float:
    """The size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0]


def _without_running(lines: list[_Line], heights: dict[int, float], body: float) -> list[_Line]:
    """``lines`` less running headers, footers and page numbers (never set larger than
    the body: a heading at the top of each page stays)."""

    def marginal(line: _Line) -> bool:
        if line.size >= body * HEADING:
            return False
        height = heights[line.page]
        return line.y1 > height * (1 - MARGIN) or line.y0 < height * MARGIN

    pages = len(heights)
    seen: Counter[str] = Counter()
    for line in lines:
        if marginal(line):
            seen[re.sub(r"\d+", "#", line.text)] += 1
    repeated = {text for text, count in seen.items() if pages > 1 and count >= max(2, pages / 2)}
    return [
        line
        for line in lines
        if not (
            marginal(line)
            and (re.sub(r"\d+", "#", line.text) in repeated or _PAGE_NUMBER.match(line.text))
        )
    ]


def _read_order(lines: list[_Line]) -> list[_Line]:
    """One page's lines in reading order: bands between full-width lines, the left
    column of each before its right; cells on one line joined into a row."""
    if not lines:
        return []
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    middle = (left + right) / 2
    crossing = sum(len(ln.text) for ln in lines if ln.x0 < middle - 5 < middle + 5 < ln.x1)
    if crossing >= COLUMNS * sum(len(ln.text) for ln in lines):  # one column
        return _rows(sorted(lines, key=lambda ln: (-ln.y1, ln.x0)))
    out: list[_Line] = []
    band: list[_Line] = []
    for line in sorted(lines, key=lambda ln: (-ln.y1, ln.x0)):
        if line.x0 < middle - 5 < middle + 5 < line.x1:
            out += _columns(band, middle)
            band = []
            out.append(line)
        else:
            band.append(line)
    return _rows(out + _columns(band, middle))


def _columns(band: list[_Line], middle: float) -> list[_Line]:
    columns = [ln for ln in band if ln.x1 <= middle + 5], [ln for ln in band if ln.x1 > middle + 5]
    return [ln for column in columns for ln in sorted(column, key=lambda ln: (-ln.y1, ln.x0))]


def _rows(lines: list[_Line]) -> list[_Line]:
    """Lines that share a baseline in the same column (a table's cells) as one row."""
    out: list[_Line] = []
    for line in lines:
        last = out[-1] if out else None
        if last is not None and abs(last.y0 - line.y0) < 0.5 * line.size and line.x0 > last.x1:
            out[-1] = _Line(
                last.page, last.x0, min(last.y0, line.y0), line.x1, max(last.y1, line.y1),
                f"{last.text} | {line.text}", max(last.size, line.size),
            )  # fmt: skip
        else:
            out.append(line)
    return out


def _paragraphs(lines: list[_Line], body: float) -> tuple[str | None, list[tuple[str, str]]]:
    """The title and paragraphs (text, kind) of lines in reading order."""
    largest = max((ln.size for ln in lines if ln.page == 0), default=0.0)
    title = None
    blocks: list[tuple[bool, list[_Line]]] = []  # (heading, lines)
    for line in lines:
        heading = line.size >= body * HEADING
        if title is None and heading and line.page == 0 and line.size == largest:
            title = line.text
            continue
        last = blocks[-1] if blocks else None
        if last is not None and last[0] == heading and _continues(last[1][-1], line):
            last[1].append(line)
        else:
            blocks.append((heading, [line]))
    paragraphs = []
    for heading, block in blocks:
        text = _joined([ln.text for ln in block])
        paragraphs.append((text, "heading" if heading else "row" if " | " in text else "text"))
    return title, paragraphs


def _continues(previous: _Line, line: _Line) -> bool:
    """Whether ``line`` goes on the paragraph ``previous`` ends: the next line below it
    in the same column, or the top of the next column or page when it had not ended."""
    if " | " in previous.text or " | " in line.text:
        return False  # a table's rows stand apart
    same_column = line.page == previous.page and abs(line.x0 - previous.x0) < 2 * line.size
    gap = previous.y0 - line.y1
    if same_column and -line.size < gap < 0.8 * line.size:
        return True
    return not _ENDED.search(previous.text) and line.text[:1].islower()


def _joined(texts: list[str]) -> str:
    """Lines as one paragraph, a word hyphenated at a line's end joined."""
    out = ""
    for text in texts:
        if re.search(r"[^\W\d_]-$", out) and text[:1].islower():
            out = out[:-1] + text
        else:
            out = f"{out} {text}" if out else text
    return out
