"""A Word document in French made with python-docx, holding what a newsroom's documents
hold: a title, headings, formatted runs, a list, a table, a header and a footer, a
footnote, a hyperlink and a picture. Every sentence is the toy model's."""

from __future__ import annotations

import base64
from pathlib import Path

# A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:footnote>"
    '<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> '
    "La presse regarde le rapport.</w:t></w:r></w:p></w:footnote></w:footnotes>"
)


def make_document(path: Path) -> Path:
    """Write the French document to ``path``."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.title = "Le maire annonce le budget"
    document.add_heading("Le maire annonce le budget", level=1)
    paragraph = document.add_paragraph("Le maire annonce le budget ")
    paragraph.add_run("mardi").bold = True
    paragraph.add_run(". La presse ")
    paragraph.add_run("regarde").italic = True
    paragraph.add_run(" le rapport.")
    document.add_paragraph("Le gouvernement refuse la réforme.", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Le chat mange la pomme."
    table.cell(0, 1).text = "Le président prépare la rencontre lundi."
    linked = document.add_paragraph("La ministre défend ")
    rid = document.part.relate_to("https://example.org/d", RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = "la décision"
    run.append(text)
    link.append(run)
    linked._p.append(link)
    linked.add_run(" aujourd'hui.")
    noted = document.add_paragraph("Le chien attend le pain.")
    reference = noted.add_run()
    mark = OxmlElement("w:footnoteReference")
    mark.set(qn("w:id"), "1")
    reference._r.append(mark)
    picture = path.with_name("pixel.png")
    picture.write_bytes(PIXEL)
    document.add_paragraph("Le chat regarde le pain.").add_run().add_picture(str(picture))
    section = document.sections[0]
    section.header.paragraphs[0].text = "La presse regarde le rapport."
    section.footer.paragraphs[0].text = "Le journaliste prépare le projet."
    footnotes = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        FOOTNOTES.encode(),
        document.part.package,
    )
    document.part.relate_to(footnotes, RT.FOOTNOTES)
    document.save(str(path))
    return path


def footnote_texts(path: Path) -> list[str]:
    """The text of each footnote of the document at ``path``."""
    import zipfile

    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(path).read("word/footnotes.xml"))
    notes = root.findall(f"{{{W}}}footnote")
    return ["".join(n.itertext()).strip() for n in notes if n.get(f"{{{W}}}id") not in ("-1", "0")]
