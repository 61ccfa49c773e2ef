"""Text with markup, planned for translation: the sentences of an HTML fragment's text
runs, and how to put their English back into the same markup (text inside script and
style never translated, the English escaped)."""

from __future__ import annotations

import html
from collections.abc import Callable
from html.parser import HTMLParser

from translate_news.pipeline.translator import Checked, plan_text

# A text split for translation: its sentences, and how to put their English back.
Plan = tuple[list[str], Callable[[list[Checked]], str]]


class _Html(HTMLParser):
    """An HTML fragment as markup and text runs; text inside script and style is kept
    as markup (never translated)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[bool, str]] = []  # (is text, content)
        self._raw = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._raw += tag in ("script", "style")
        self.parts.append((False, self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append((False, self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        self._raw -= tag in ("script", "style") and self._raw > 0
        self.parts.append((False, f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        self.parts.append((not self._raw and bool(data.strip()), data))

    def handle_comment(self, data: str) -> None:
        self.parts.append((False, f"<!--{data}-->"))


def plan_html(markup: str) -> Plan:
    """The sentences of an HTML fragment's text, and how to put their translations back
    into its markup."""
    parser = _Html()
    parser.feed(markup)
    parser.close()
    sentences: list[str] = []
    pieces: list[tuple[int, int, Callable[[list[Checked]], str]] | str] = []
    for is_text, content in parser.parts:
        if not is_text:
            pieces.append(content)
            continue
        lead = content[: len(content) - len(content.lstrip())]
        tail = content[len(content.rstrip()) :]
        units, finish = plan_text(content.strip())
        pieces.append((len(sentences), len(units), _wrap(lead, tail, finish)))
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

    return sentences, finish_all


def _wrap(
    lead: str, tail: str, finish: Callable[[list[Checked]], str]
) -> Callable[[list[Checked]], str]:
    return lambda translations: lead + html.escape(finish(translations), quote=False) + tail
