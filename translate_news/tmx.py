"""TMX 1.4, the format translators' tools exchange translation memories in.

:func:`to_tmx` writes the translation memory's entries (French → English sentence
pairs, each with how it was made as ``<prop>``s); :func:`read_tmx` reads the French and
English of each translation unit of any TMX file (languages matched by their primary
subtag: ``fr-FR`` is French; the markup codes inside a segment are dropped, its text kept),
so an editor's corrections can be imported. The standard library's XML parser is
enough for this flat format.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from ._version import __version__
from .errors import InputError

_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


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
            ET.SubElement(variant, "seg").text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# Inline elements that hold the original document's markup, not text.
_NATIVE_CODE = {"bpt", "ept", "ph", "it"}


def _text(element: ET.Element) -> str:
    """A segment's text: what its native-code elements hold is left out, the text
    around and inside the others (``<hi>``, ``<sub>``) kept."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in _NATIVE_CODE:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read_tmx(path: Path) -> list[tuple[str, str]]:
    """The (French, English) pairs of a TMX file's translation units; a unit without
    both languages is left out."""
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (ET.ParseError, OSError) as exc:
        raise InputError(f"{path}: not a TMX file ({exc})") from None
    if root.tag != "tmx":
        raise InputError(f"{path}: not a TMX file (its root element is <{root.tag}>)")
    pairs = []
    for unit in root.iter("tu"):
        found: dict[str, str] = {}
        for variant in unit.iter("tuv"):
            lang = (variant.get(_LANG) or variant.get("lang") or "").split("-")[0].lower()
            segment = variant.find("seg")
            if segment is not None and lang in ("fr", "en"):
                found.setdefault(lang, " ".join(_text(segment).split()))
        if found.get("fr") and found.get("en"):
            pairs.append((found["fr"], found["en"]))
    return pairs
