"""Export a draft as a court document: DOCX (the court heading, numbered paragraphs, real Word footnotes, page
numbers, the signature block, the table of authorities) and Markdown (`[^n]` footnotes).

python-docx has no footnote API, so `export_docx` writes the `word/footnotes.xml` part itself: the two separator
footnotes Word expects (ids -1 and 0), then one `<w:footnote>` per citation, referenced from the text by
`<w:footnoteReference>` runs. Word and LibreOffice number and place them as footnotes of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from kb.drafting.argument import Style
from kb.drafting.brief import Draft, Footnote, italic_spans, md_italic, md_text
from kb.drafting.matters import CollectedPassage, Matter
from kb.drafting.prose import Person, court_date
from kb.drafting.sources import (
    CATEGORIES,
    case_name,
    category,
    court_style,
    is_case,
    is_strasbourg,
    italic_name,
    pin_of,
)
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
    return name.split(" v. ")[0] if is_strasbourg(passage) and " v. " in name else name


def footnote_texts(draft: Draft) -> dict[int, tuple[str, list[str]]]:
    """Each footnote's words and its italic case names: the full citation the first time a document is cited,
    `Saadi, cited above, § 125` after that (the Court's own practice). For the Markdown, where a footnote cited
    twice is one note; the DOCX, where each mark is a note of its own, words each mark with `note_text`."""
    seen: set[str] = set()
    out: dict[int, tuple[str, list[str]]] = {}
    for fn in draft.footnotes:
        out[fn.id] = note_text(draft, fn, seen)
    return out


def note_text(draft: Draft, fn: Footnote, seen: set[str]) -> tuple[str, list[str]]:
    """The words of one footnote and its italic case names: the full citation when its document is not in `seen`,
    the short form "cited above" when it is; `seen` then holds it."""
    passage = draft.evidence.get(fn.chunk_id)
    if passage is None:
        return f"{court_style(fn.citation)}.", []
    italic = [italic_name(passage)] if is_case(passage) else []
    repeat = passage.doc_id in seen
    seen.add(passage.doc_id)
    if not repeat:
        return f"{court_style(fn.citation)}.", italic
    short = short_name(passage)
    pin = pin_of(fn.citation)[1]
    return f"{short}, cited above" + (f", {pin}" if pin else "") + ".", [short] if italic else []


def table_of_authorities(draft: Draft) -> list[Authority]:
    """The documents the brief cites, grouped by category (`CATEGORIES`, Grand Chamber first) and sorted by name."""
    by_doc: dict[str, Authority] = {}
    for fn in draft.footnotes:
        passage = draft.evidence.get(fn.chunk_id)
        if passage is None:
            continue
        name, pin = pin_of(court_style(passage.citation))
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


def heading_block(draft: Draft, matter: Matter) -> list[tuple[str, str]]:
    """The court heading as (role, text) lines: court, case number, parties, the document's title and date. A field
    the matter lacks is a visible gap to fill, never left out."""
    style = Style.of(matter)
    return [
        ("court", (matter.court or "[court]").upper()),
        ("case", f"Case No. {matter.case_number or '[case number]'}"),
        ("matter", f"In the matter of the request of {style.state} for the extradition of {style.client.name}"),
        ("party", f"Requesting State: {style.state}"),
        ("party", f"Requested person: {style.client.name}"),
        ("title", draft.title),
        ("date", filing_date(matter)),
    ]


def filing_date(matter: Matter) -> str:
    """The date the brief bears: the matter's filing date, else today, as courts write it."""
    return court_date(matter.filing_date) if matter.filing_date else court_date(date.today().isoformat())


def signature_block(matter: Matter) -> list[str]:
    """Date, signature line, counsel and chambers, and whom counsel acts for."""
    counsel = [line.strip() for line in (matter.counsel or "[counsel]").splitlines() if line.strip()]
    chambers = [line.strip() for line in matter.chambers.splitlines() if line.strip()]
    return [filing_date(matter), "", "______________________________", *counsel, *chambers,
            f"Counsel for {Person.of(matter.client_name()).name}"]


def export_markdown(draft: Draft, matter: Matter) -> str:
    """The brief with its heading block, `[^n]` footnotes ("cited above" for repeats), the signature and the table
    of authorities; no warnings."""
    head = [md_text(text) if role != "court" else f"**{md_text(text)}**" for role, text in heading_block(draft, matter)
            if role != "title"]
    lines = ["", *[md_text(line) if line else "" for line in signature_block(matter)], "", "## Table of authorities"]
    current = None
    for a in table_of_authorities(draft):
        if a.category != current:
            current = a.category
            lines += ["", f"### {CATEGORIES[a.category]}", ""]
        lines.append(f"- {md_italic(a.name, [a.italic])}" + (f": {_pins(a.pins)}" if a.pins else ""))
    notes = {fid: md_italic(text, italic) for fid, (text, italic) in footnote_texts(draft).items()}
    return draft.markdown(appendix="\n".join(lines), footnote_text=notes, preamble="\n\n".join(head))


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
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(qn("w:val"), "FootnoteText")
        ppr.append(pstyle)
        p.append(ppr)
        p.append(_run(None, superscript=True, child="w:footnoteRef"))
        p.append(_run(" ", size=10))
        for piece, is_name in italic_spans(_clean(text), italic or []):
            p.append(_run(piece, size=10, italic=is_name))
        note.append(p)
        self.part.element.append(note)
        paragraph._p.append(_run(None, superscript=True, child="w:footnoteReference", ref=fid))
        return fid


def _run(text: str | None, superscript: bool = False, child: str | None = None, ref: int | None = None,
         size: int | None = None, italic: bool = False):
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    if superscript:
        rstyle = OxmlElement("w:rStyle")
        rstyle.set(qn("w:val"), "FootnoteReference")
        rpr.append(rstyle)
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
    """Write the brief to `path` as a court document: A4, the court heading (court, case number, parties, title,
    date), numbered paragraphs, Word footnotes ("cited above" for repeats) in footnote style, page numbers in the
    footer, case names in italics, the signature block and the table of authorities; black headings in the body
    font, and document properties from the matter. The warnings stay out of it (`Draft.warnings`)."""
    path = Path(path)
    doc = Document()
    _a4(doc)
    _court_styles(doc)
    _page_numbers(doc)
    _properties(doc, draft, matter)
    for role, text in heading_block(draft, matter):
        p = doc.add_paragraph(_clean(text), style="Title" if role == "title" else None)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if role in ("court", "case"):
            for run in p.runs:
                run.bold = True
    notes = _FootnotesPart(doc)
    cited: set[str] = set()  # documents cited in full so far, in Word's order of the marks (`note_text`)
    for section in draft.sections:
        doc.add_heading(_clean(section.heading), level=1)
        for para in section.paragraphs:
            if para.kind == "subheading":
                doc.add_heading(_clean(para.text), level=2)
                continue
            p = doc.add_paragraph(style="List Number")
            p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            for piece, is_name in italic_spans(_clean(" ".join(para.text.split())), para.italic):
                p.add_run(piece).italic = is_name or None
            marks = [fn for fid in para.footnote_ids if (fn := draft.footnote(fid)) is not None]
            for n, fn in enumerate(marks):
                if n:  # "¹⁴,¹⁵": two marks side by side would read as one number, "1415"
                    p._p.append(_run(",", superscript=True))
                text, italic = note_text(draft, fn, cited)
                link = f" {url}" if (url := http_url(fn.url)) else ""
                remark = f" {fn.remark}" if fn.remark else ""
                notes.add(p, f"{text}{link}{remark}", italic)
    doc.add_paragraph()
    lines = signature_block(matter)
    for n, line in enumerate(lines, 1):  # the block is kept on one page
        doc.add_paragraph(_clean(line)).paragraph_format.keep_with_next = n < len(lines)
    doc.add_page_break()
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


BODY_FONT = "Times New Roman"
"""The font courts expect (LibreOffice substitutes the metric-compatible Liberation Serif where it is absent)."""
CJK_FONT = "SimSun"
"""For Chinese quotations; LibreOffice falls back to any installed CJK font."""


def _fonts(style, size: int, bold: bool | None = None) -> None:
    """`style` in the body font, black, at `size` points: the template's theme fonts and blue removed."""
    style.font.name = BODY_FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attr, font in (("w:ascii", BODY_FONT), ("w:hAnsi", BODY_FONT), ("w:cs", BODY_FONT), ("w:eastAsia", CJK_FONT)):
        fonts.set(qn(attr), font)


def _court_styles(doc) -> None:
    """Body 12 pt; headings bold black in the body font (python-docx's template has blue Calibri Light ones);
    footnotes 10 pt with superscript reference numbers."""
    styles = doc.styles
    _fonts(styles["Normal"], 12)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    _fonts(styles["Title"], 14, bold=True)
    for name, size in (("Heading 1", 13), ("Heading 2", 12), ("Heading 3", 12)):
        _fonts(styles[name], size, bold=True)
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.keep_with_next = True
    title = styles["Title"].element.get_or_add_pPr()
    for border in title.findall(qn("w:pBdr")):  # the template's title has a blue rule under it
        title.remove(border)
    text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = styles["Normal"]
    _fonts(text, 10)
    text.paragraph_format.space_after = Pt(0)
    text.element.set(qn("w:styleId"), "FootnoteText")
    ref = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    ref.font.superscript = True
    ref.element.set(qn("w:styleId"), "FootnoteReference")


def _page_numbers(doc) -> None:
    """`Page N of M` centred in every page's footer, as Word and LibreOffice fields."""
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    footer._p.append(_field("PAGE"))
    footer.add_run(" of ")
    footer._p.append(_field("NUMPAGES"))


def _field(instruction: str):
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} \\* MERGEFORMAT ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    return field


def _properties(doc, draft: Draft, matter: Matter) -> None:
    """The file's properties from the matter (python-docx's template says "python-docx", created 2013)."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props = doc.core_properties
    author = " ".join((matter.counsel or "").split()) or f"Counsel for {matter.client_name()}"
    props.author = props.last_modified_by = _clean(author)[:255]
    props.title = _clean(draft.title)[:255]
    props.subject = _clean(f"Extradition: {matter.requesting_state}")[:255]
    props.keywords = _clean(matter.case_number)[:255]
    props.comments = ""
    props.category = "Submissions"
    props.created = props.modified = now
    props.last_printed = now
    props.revision = 1
def _a4(doc) -> None:
    """A4 with 25 mm margins, as the Court's practice directions ask (python-docx defaults to US Letter)."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
