"""Text PDFs made from our own French with reportlab, laid out line by line as a press
release or a report is: a title, headings in a larger size, body text in one or two
columns with words hyphenated at line ends, a small table, a running header and a page
number on every page. Every sentence is the toy model's."""

from __future__ import annotations

from pathlib import Path

from scripts import make_test_models

WIDTH, HEIGHT = 595, 842  # A4 in points
MARGIN = 56
HEADER = "Ministère de la Presse - communiqué"
BODY, HEADING, TITLE = 10, 14, 20
LEADING = 13


def paragraphs(count: int, seed: int = 0) -> list[str]:
    """``count`` paragraphs of three toy-corpus sentences each."""
    pairs = [fr for fr, _ in make_test_models.toy_corpus() if fr.endswith(".")]
    return [
        " ".join(pairs[(seed + 3 * i + k) % len(pairs)] for k in range(3)) for i in range(count)
    ]


def _wrap(text: str, width: float, size: int, font: str = "Helvetica") -> list[str]:
    """Lines of at most ``width`` points; a word that does not fit is hyphenated when at
    least three letters of it fit, as typesetting does."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if stringWidth(trial, font, size) <= width:
            line = trial
            continue
        for cut in range(len(word) - 2, 2, -1):
            head = f"{line} {word[:cut]}-".strip()
            if word[:cut].isalpha() and stringWidth(head, font, size) <= width:
                lines.append(head)
                line = word[cut:]
                break
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def make_pdf(path: Path, pages: int = 2, columns: int = 2, title: str | None = None) -> Path:
    """Write a French text PDF of ``pages`` pages in ``columns`` columns to ``path``. Its
    text is written line by line across the page (the left column's line, then the
    right's at the same height), as many producers write it: reading order must come
    from where the text is, not from the order it is stored in."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    gap = 24
    width = (WIDTH - 2 * MARGIN - gap * (columns - 1)) / columns
    texts = iter(paragraphs(pages * 12))
    for number in range(1, pages + 1):
        drawn = [(MARGIN, HEIGHT - 30, 8, False, HEADER)]
        drawn.append((WIDTH - MARGIN - 30, 30, 8, False, f"Page {number}"))
        y = HEIGHT - MARGIN - 10
        if number == 1:
            drawn.append((MARGIN, y, TITLE, True, title or "Le maire annonce le budget"))
            y -= 2 * TITLE
        top = y
        for column in range(columns):
            x, y = MARGIN + column * (width + gap), top
            for block in range(3):
                drawn.append((x, y, HEADING, True, "La ministre défend la décision"))
                y -= HEADING + 6
                for line in _wrap(next(texts), width, BODY):
                    drawn.append((x, y, BODY, False, line))
                    y -= LEADING
                y -= LEADING
                if block == 1 and column == 0:
                    for row in (("Ville", "Budget"), ("Paris", "12 000 euros")):
                        drawn.append((x, y, BODY, False, row[0]))
                        drawn.append((x + width / 2, y, BODY, False, row[1]))
                        y -= LEADING
                    y -= LEADING
        for x, y, size, bold, text in sorted(drawn, key=lambda d: (-d[1], d[0])):
            page.setFont("Helvetica-Bold" if bold else "Helvetica", size)
            page.drawString(x, y, text)
        page.showPage()
    page.save()
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF of one page holding only a picture (no text layer), as a scanner makes."""
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from .word_documents import PIXEL

    page = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    page.drawImage(ImageReader(io.BytesIO(PIXEL)), 0, 0, WIDTH, HEIGHT)
    page.showPage()
    page.save()
    return path
