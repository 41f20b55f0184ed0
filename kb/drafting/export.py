"""Export a draft and the matter's authorities as DOCX (real Word footnotes) and Markdown (`[^n]` footnotes).

python-docx has no footnote API, so `export_docx` writes the `word/footnotes.xml` part itself: the two separator
footnotes Word expects (ids -1 and 0), then one `<w:footnote>` per citation, referenced from the text by
`<w:footnoteReference>` runs. Word and LibreOffice number and place them as footnotes of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from kb.drafting.draft import (
    CATEGORIES,
    Draft,
    case_name,
    category,
    is_case,
    italic_name,
    italic_spans,
    md_italic,
    pin_of,
)
from kb.drafting.matters import CollectedPassage, Matter
from legal.text import http_url

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


@dataclass
class Authority:
    """One document in the table of authorities, with every pinpoint the brief cites in it."""

    category: str
    name: str
    """The document-level citation: `Saadi v. Italy [GC], no. 37201/06, 28 February 2008`."""
    italic: str
    pins: list[str]


def short_name(passage: CollectedPassage) -> str:
    """The name a repeat citation uses: the applicant's for a Strasbourg case (`Saadi`), else the full name."""
    name = case_name(passage)
    return name.split(" v. ")[0] if category(passage) in ("gc", "echr") and " v. " in name else name


def footnote_texts(draft: Draft) -> dict[int, tuple[str, list[str]]]:
    """Each footnote's words and its italic case names: the full citation the first time a document is cited,
    `Saadi, cited above, § 125` after that (the Court's own practice)."""
    seen: set[str] = set()
    out: dict[int, tuple[str, list[str]]] = {}
    for fn in draft.footnotes:
        passage = draft.evidence.get(fn.chunk_id)
        if passage is None:
            out[fn.id] = (f"{fn.citation}.", [])
            continue
        italic = [italic_name(passage)] if is_case(passage) else []
        if passage.doc_id in seen:
            short = short_name(passage)
            pin = pin_of(fn.citation)[1]
            out[fn.id] = (f"{short}, cited above" + (f", {pin}" if pin else "") + ".", [short] if italic else [])
        else:
            out[fn.id] = (f"{fn.citation}.", italic)
        seen.add(passage.doc_id)
    return out


def table_of_authorities(draft: Draft) -> list[Authority]:
    """The documents the brief cites, grouped by category (`CATEGORIES`, Grand Chamber first) and sorted by name."""
    by_doc: dict[str, Authority] = {}
    for fn in draft.footnotes:
        passage = draft.evidence.get(fn.chunk_id)
        if passage is None:
            continue
        name, pin = pin_of(passage.citation)
        entry = by_doc.setdefault(passage.doc_id, Authority(category(passage), name,
                                                            italic_name(passage) if is_case(passage) else "", []))
        if pin and pin not in entry.pins:
            entry.pins.append(pin)
    order = list(CATEGORIES)
    return sorted(by_doc.values(), key=lambda a: (order.index(a.category), _sort_key(a.name)))


def _sort_key(name: str) -> str:
    return re.sub(r"^(the|case of)\s+", "", name.casefold()).strip()


def _pins(pins: list[str]) -> str:
    numbers = [p[2:] for p in pins if p.startswith("§ ")]
    if len(numbers) == len(pins) and len(pins) > 1:
        return "§§ " + ", ".join(sorted(numbers, key=lambda n: int(n) if n.isdigit() else 0))
    return ", ".join(pins)


def export_markdown(draft: Draft, matter: Matter) -> str:
    """The brief with `[^n]` footnotes ("cited above" for repeats) and the table of authorities; no warnings."""
    lines = ["## Table of authorities"]
    current = None
    for a in table_of_authorities(draft):
        if a.category != current:
            current = a.category
            lines += ["", f"### {CATEGORIES[a.category]}", ""]
        lines.append(f"- {md_italic(a.name, [a.italic])}" + (f": {_pins(a.pins)}" if a.pins else ""))
    notes = {fid: md_italic(text, italic) for fid, (text, italic) in footnote_texts(draft).items()}
    return draft.markdown(appendix="\n".join(lines), footnote_text=notes)


class _FootnotesPart:
    """The `word/footnotes.xml` part of one document, created on first use."""

    def __init__(self, document) -> None:
        self.document = document
        part = document.part
        self.part = XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, parse_xml(_SEPARATORS),
                            part.package)
        part.relate_to(self.part, RELATIONSHIP_TYPE.FOOTNOTES)
        self.next_id = 1

    def add(self, paragraph, text: str, italic: list[str] | None = None) -> int:
        """Append a footnote holding `text` (its case names in italics) and put its mark at the end of `paragraph`."""
        fid = self.next_id
        self.next_id += 1
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(fid))
        p = OxmlElement("w:p")
        p.append(_run(None, superscript=True, child="w:footnoteRef"))
        p.append(_run(" ", size=9))
        for piece, is_name in italic_spans(_clean(text), italic or []):
            p.append(_run(piece, size=9, italic=is_name))
        note.append(p)
        self.part.element.append(note)
        paragraph._p.append(_run(None, superscript=True, child="w:footnoteReference", ref=fid))
        return fid


def _run(text: str | None, superscript: bool = False, child: str | None = None, ref: int | None = None,
         size: int | None = None, italic: bool = False):
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    if italic:
        rpr.append(OxmlElement("w:i"))
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
    """Write the brief to `path` on A4 with Word footnotes ("cited above" for repeats), case names in italics and a
    table of authorities by category; the warnings stay out of it (`Draft.warnings`). Returns the path written."""
    path = Path(path)
    doc = Document()
    _a4(doc)
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(_clean(draft.title), level=0)
    notes = _FootnotesPart(doc)
    texts = footnote_texts(draft)
    for section in draft.sections:
        doc.add_heading(_clean(section.heading), level=1)
        for para in section.paragraphs:
            if para.kind == "subheading":
                doc.add_heading(_clean(para.text), level=2)
                continue
            p = doc.add_paragraph()
            for piece, is_name in italic_spans(_clean(" ".join(para.text.split())), para.italic):
                p.add_run(piece).italic = is_name or None
            for fid in para.footnote_ids:
                fn = draft.footnote(fid)
                if fn is not None:
                    text, italic = texts[fid]
                    link = f" {url}" if (url := http_url(fn.url)) else ""
                    remark = f" {fn.remark}" if fn.remark else ""
                    notes.add(p, f"{text}{link}{remark}", italic)
    doc.add_heading("Table of authorities", level=1)
    current = None
    for a in table_of_authorities(draft):
        if a.category != current:
            current = a.category
            doc.add_heading(CATEGORIES[a.category], level=2)
        p = doc.add_paragraph()
        for piece, is_name in italic_spans(_clean(a.name), [a.italic]):
            p.add_run(piece).italic = is_name or None
        if a.pins:
            p.add_run(f": {_pins(a.pins)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _a4(doc) -> None:
    """A4 with 25 mm margins, as the Court's practice directions ask (python-docx defaults to US Letter)."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
