"""TMX 1.4, the format translators' tools exchange translation memories in.

:func:`to_tmx` writes the translation memory's entries (French → English sentence
pairs, each with how it was made as ``<prop>``s); :func:`read_tmx` reads the French and
English of each translation unit of any TMX file (languages matched by their primary
subtag: ``fr-FR`` is French; the markup codes inside a segment are dropped, its text kept),
so an editor's corrections can be imported, with the ``<prop>``s of how each was made
where our own export wrote them. The standard library's XML parser is enough for this
flat format; a segment's markup is walked without recursion, so no nesting is too deep.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from translate_news._version import __version__
from translate_news.core.errors import InputError
from translate_news.core.files import read_regular

_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TMX_LIMIT = 500_000_000  # bytes: a larger file is not a translation memory to import
# What XML 1.0 cannot hold at all (C0 controls but tab and newlines, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Unit(NamedTuple):
    """One translation unit: French, English, and how it was made where the file says
    (our own export's ``x-origin`` and ``x-signature`` props), else None."""

    source: str
    translation: str
    origin: str | None = None
    signature: str | None = None


def to_tmx(entries: Iterable[tuple[str, str, str, str]]) -> str:
    """A TMX 1.4 document of ``(origin, signature, source, translation)`` entries."""
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(
        root,
        "header",
        creationtool="translate-news",
        creationtoolversion=__version__,
        segtype="sentence",
        adminlang="en",
        srclang="fr",
        datatype="plaintext",
        **{"o-tmf": "translate-news"},
    )
    body = ET.SubElement(root, "body")
    for origin, signature, source, translation in entries:
        unit = ET.SubElement(body, "tu")
        ET.SubElement(unit, "prop", type="x-origin").text = origin
        ET.SubElement(unit, "prop", type="x-signature").text = signature
        for lang, text in (("fr", source), ("en", translation)):
            variant = ET.SubElement(unit, "tuv", {_LANG: lang})
            ET.SubElement(variant, "seg").text = _NOT_XML.sub("", text)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# Inline elements that hold the original document's markup, not text.
_NATIVE_CODE = {"bpt", "ept", "ph", "it"}


def _text(element: ET.Element) -> str:
    """A segment's text: what its native-code elements hold is left out, the text
    around and inside the others (``<hi>``, ``<sub>``) kept; walked with a stack."""
    parts: list[str] = []
    stack: list[tuple[ET.Element, bool]] = [(element, False)]
    while stack:
        node, done = stack.pop()
        if done:  # after the node's children: its tail, unless it is the segment
            if node is not element:
                parts.append(node.tail or "")
            continue
        skip = node is not element and node.tag in _NATIVE_CODE
        if not skip:
            parts.append(node.text or "")
        stack.append((node, True))
        if not skip:
            stack.extend((child, False) for child in reversed(node))
    return "".join(parts)


def read_tmx(path: Path) -> list[Unit]:
    """The translation units of a TMX file that have both French and English; only a
    regular file is read (a FIFO would hang)."""
    data = read_regular(path, TMX_LIMIT, "a TMX file", InputError)
    try:
        root = ET.fromstring(data)  # in the encoding the file declares
    except ET.ParseError as exc:
        raise InputError(f"{path}: not a TMX file ({exc})") from None
    if root.tag != "tmx":
        raise InputError(f"{path}: not a TMX file (its root element is <{root.tag}>)")
    units = []
    for unit in root.iter("tu"):
        found: dict[str, str] = {}
        for variant in unit.iter("tuv"):
            lang = (variant.get(_LANG) or variant.get("lang") or "").split("-")[0].lower()
            segment = variant.find("seg")
            if segment is not None and lang in ("fr", "en"):
                found.setdefault(lang, " ".join(_text(segment).split()))
        props = {p.get("type"): (p.text or "") for p in unit.findall("prop")}
        if found.get("fr") and found.get("en"):
            units.append(
                Unit(found["fr"], found["en"], props.get("x-origin"), props.get("x-signature"))
            )
    return units
