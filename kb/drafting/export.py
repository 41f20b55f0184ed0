"""Export a draft and the matter's authorities as DOCX (real Word footnotes) and Markdown (`[^n]` footnotes).

python-docx has no footnote API, so `export_docx` writes the `word/footnotes.xml` part itself: the two separator
footnotes Word expects (ids -1 and 0), then one `<w:footnote>` per citation, referenced from the text by
`<w:footnoteReference>` runs. Word and LibreOffice number and place them as footnotes of their own.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

from kb.drafting.draft import Draft, md_text
from kb.drafting.matters import CollectedPassage, Matter
from kb.safe_text import http_url

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SEPARATORS = (
    f'<w:footnotes {nsdecls("w")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    '</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    '</w:footnotes>'
)


def _clean(text: str | None) -> str:
    """Text Word can store: XML-invalid control characters removed (a PDF extraction can carry them)."""
    return _XML_INVALID.sub("", text or "")


def authorities(draft: Draft, matter: Matter) -> list[CollectedPassage]:
    """The matter's collected passages, then the proposed passages the draft cites; one row per passage and ground."""
    rows = list(matter.passages)
    seen = {(p.chunk_id, p.ground) for p in rows}
    cited = {fn.chunk_id for fn in draft.footnotes}
    for chunk_id, passage in draft.evidence.items():
        if chunk_id in cited and (chunk_id, passage.ground) not in seen:
            rows.append(passage)
            seen.add((chunk_id, passage.ground))
    return rows


def export_markdown(draft: Draft, matter: Matter) -> str:
    """The draft with `[^n]` footnotes, followed by the table of authorities (before the footnote definitions)."""
    lines = ["## Authorities", ""]
    for p in authorities(draft, matter):
        status = p.note or ""
        lines.append(f"- **{md_text(matter.ground_label(p.ground))}**: {md_text(p.citation)}"
                     + (f" ({md_text(status)})" if status else "")
                     + (f" <{url}>" if (url := http_url(p.url)) else ""))
        lines.append(f"  > {md_text(p.text)}")
    return draft.markdown(appendix="\n".join(lines))


class _FootnotesPart:
    """The `word/footnotes.xml` part of one document, created on first use."""

    def __init__(self, document) -> None:
        self.document = document
        part = document.part
        self.part = XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, parse_xml(_SEPARATORS),
                            part.package)
        part.relate_to(self.part, RELATIONSHIP_TYPE.FOOTNOTES)
        self.next_id = 1

    def add(self, paragraph, text: str) -> int:
        """Append a footnote holding `text` and put its reference mark at the end of `paragraph`."""
        fid = self.next_id
        self.next_id += 1
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(fid))
        p = OxmlElement("w:p")
        p.append(_run(None, superscript=True, child="w:footnoteRef"))
        p.append(_run(" " + _clean(text), size=9))
        note.append(p)
        self.part.element.append(note)
        paragraph._p.append(_run(None, superscript=True, child="w:footnoteReference", ref=fid))
        return fid


def _run(text: str | None, superscript: bool = False, child: str | None = None, ref: int | None = None,
         size: int | None = None):
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    if superscript:
        va = OxmlElement("w:vertAlign")
        va.set(qn("w:val"), "superscript")
        rpr.append(va)
    if size:
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(size * 2))
        rpr.append(sz)
    r.append(rpr)
    if child:
        el = OxmlElement(child)
        if ref is not None:
            el.set(qn("w:id"), str(ref))
        r.append(el)
    if text is not None:
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
    return r


def export_docx(draft: Draft, matter: Matter, path: Path | str) -> Path:
    """Write the draft with Word footnotes and a table of authorities to `path`; returns the path written."""
    path = Path(path)
    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(_clean(draft.title), level=0)
    notes = _FootnotesPart(doc)
    for section in draft.sections:
        doc.add_heading(_clean(section.heading), level=1)
        for para in section.paragraphs:
            p = doc.add_paragraph(_clean(para.text))
            for fid in para.footnote_ids:
                # Word points each mark at its own footnote, so a citation repeated in the text is written again
                fn = draft.footnote(fid)
                if fn is not None:
                    link = f" {url}" if (url := http_url(fn.url)) else ""
                    notes.add(p, f"{fn.citation}.{link}")
    if draft.warnings:
        doc.add_heading("Warnings", level=1)
        for w in draft.warnings:
            doc.add_paragraph(_clean(w), style="List Bullet")
    rows = authorities(draft, matter)
    doc.add_heading("Authorities", level=1)
    if rows:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, label in zip(table.rows[0].cells, ("Ground", "Citation", "Passage", "Note"), strict=True):
            cell.text = label
        for passage in rows:
            cells = table.add_row().cells
            cells[0].text = _clean(matter.ground_label(passage.ground))
            cells[1].text = _clean(passage.citation)
            cells[2].text = _clean(passage.text)
            cells[3].text = _clean(passage.note)
    else:
        doc.add_paragraph("No passages collected for this matter yet.")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
