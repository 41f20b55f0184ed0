"""UK judgments in LegalDocML / Akoma Ntoso XML (The National Archives' Find Case Law).

In these files every `<paragraph>` is a sibling: the judgment's numbered paragraphs (`45.`) and their
sub-paragraphs (`(a)`, `i)`, bullets) alike, with quotations and headings in `<level>` blocks between them.
We rebuild what a lawyer cites: one `Paragraph` per numbered paragraph, its sub-paragraphs and quotations
joined into its text, headings carried in `Paragraph.heading`. A footnote is a passage of its own (section
`FOOTNOTE`, as a report's) numbered as the paragraph that calls it: that is its pinpoint.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from lxml import etree

from ingest.loaders.common import check_xml_elements, decode_text, read_bytes
from ingest.loaders.text_blocks import NumberSequence, has_words, normalise_ws
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError
from legal.text import join_broken_hyphens

AKN = "{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}"
TNA_URL = "https://caselaw.nationalarchives.gov.uk/"

_CITATION = re.compile(r"^\[(\d{4})\]\s+([A-Z]+)\s+(?:(Civ|Crim)\s+)?(\d+)(?:\s+\(([^)]+)\))?$")
_MAIN_NUMBER = re.compile(r"^(\d{1,4})\.?$")
_SKIP = {f"{AKN}style", f"{AKN}authorialNote", "style"}
_HEADING_MAX = 150
_HEADING_WORDS = 12
"""An unstyled line longer than this is a sentence the source broke across two blocks ("… in Jeunesse v" /
"Netherlands (2015) 60 EHRR 17 …"), not a heading: taken for one, it cut the paragraph and left the rest unnumbered
(26 of 188 passages of [2020] EWCA Civ 1176). Lines styled `Heading…` are headings whatever their length."""
_CONTINUES = frozenset("a an and as at by for from in into of on or than that the to v which who with".split())
"""A line ending in one of these words, or starting in lower case ("or he"), leads into the next block."""
_CLAUSE = re.compile(r"^(?:I|We|He|She|It|They)\s+[a-z]")
"""A line opening with a subject and a lower-case word ("We also note that …", "It then acknowledges …") is the
start of a sentence, never a heading: all 4 such unstyled "headings" of the UK corpus were broken sentences."""
_GOES_ON = re.compile(r"^[“‘\"'(]*[a-z]+\b(?![.)])")
"""A block opening with a lower-case word (not a list marker such as `i)`, `(a)` or `a.`) carries on the sentence of
the block before it: an unstyled "heading" followed by one is the first half of that sentence ("… having a sea
frontage" / "of approximately 876 metres …": 36 of the UK corpus's headings before this rule)."""
_OPENS_QUOTE = ("“", "‘", '"', "'")
"""An unstyled line opening a quotation (`“Article 4`, `"Rule 1: Basic Principles`) is the start of quoted text, a
heading of the document quoted at most: it stays in the paragraph that quotes it."""
_QUESTION = re.compile(r"^Q\s*[.:]")
"""`Q. Why not?`: a question put to a witness in a transcript the judgment sets out, not a heading."""
_TYPED_NUMBER = re.compile(r"^(\d{1,4})\.(?=\s)")
"""A numbered paragraph whose number the conversion typed into its text (`<level>…<p>97. In the course of …`, not
`<paragraph><num>97.`), mostly the first paragraph after a heading: numbered when it is the very next number and not
set in as a quotation (`_QUOTE_INDENT`); a quoted judgment's `15.` after [11] is not the judgment's 15."""
_QUOTE_INDENT = 0.75
"""Inches: a block set further in than this is quoted (TNA's judgments set their own paragraphs at 0-0.5 in, the
quotations at 1 in or more), so a number opening it is the quoted text's, not the judgment's."""
_MARGIN = re.compile(r"margin-left:\s*(-?[\d.]+)in")
_SECTION_NUMBER = re.compile(r"^((?:\d{1,3}[A-Z]{1,2}|[A-Z]{1,2})\.\d{1,3})(?=\s|$)")
"""A practice direction's own paragraph number (`3L.7`, `50D.9`, `J.2`), typed at the start of a block or in the first
cell of a table row. Where these outnumber the plain numbered paragraphs (`_numbered_by_section`), they are the
document's pinpoints: [2020] EWCA Crim 1347, the Criminal Practice Directions, is cited `CPD 3L.7`."""
_INTRODUCES = re.compile(r"(?::[-—–]?|\bas follows\.?|\b(?:provides|reads|says|states)\.?)\s*$")
"""The end of a paragraph that sets out a quotation after it."""
_CAPITALS = re.compile(r"[A-Z]{2}")
"""A line set in capitals (`INDEX`) is a heading by its type even when a lower-case block follows it."""


def _parser() -> etree.XMLParser:
    # No entity expansion, DTD loading or network access: a crafted upload must not read local files (XXE).
    return etree.XMLParser(resolve_entities=False, huge_tree=False, no_network=True, load_dtd=False)


def _text(element: etree._Element) -> str:
    """Text of an element without `<style>` blocks and footnote bodies (those become passages of their own), a word
    the source's line break left as `Al- Adsani` one word again (as `join_lines` does for other formats)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.tag in _SKIP:
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag in (f"{AKN}p", f"{AKN}br", f"{AKN}tr") and parts:
            parts.append("\n")
        elif node.tag == f"{AKN}marker" and node.get("name") == "tab":
            parts.append(" ")  # `3A.4<marker name="tab"/>CrimPR 8.3` is `3A.4 CrimPR 8.3`, not `3A.4CrimPR`
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not element:
            parts.append(node.tail)

    walk(element)
    lines = (join_broken_hyphens(normalise_ws(line)) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _indent(element: etree._Element) -> float:
    """The left margin of the block's first line, in inches (0 when the source gives none)."""
    first = element if element.tag in (f"{AKN}p", f"{AKN}num") else element.find(f".//{AKN}p")
    match = _MARGIN.search(first.get("style") or "") if first is not None else None
    return float(match.group(1)) if match else 0.0


def _quoted_numbers(body: etree._Element) -> set[etree._Element]:
    """The `<paragraph>`s whose number is a quoted judgment's: set in further than the judgment's own numbers (their
    most common margin, + `_QUOTE_INDENT` / 2) and repeated by a paragraph of the judgment itself. [2020] EWCA Civ
    1176 [70] sets out the tribunal's §§ 68-76 as numbered paragraphs at 1.5 in: read in order, the tribunal's 71-76
    took [71]-[76] and the Court's own went unnumbered (12 such numbers in 4 of the 67 judgments)."""
    numbered = [(paragraph, int(m.group(1)), _indent(paragraph.find(f"{AKN}num")))
                for paragraph in body.iter(f"{AKN}paragraph")
                if (m := _MAIN_NUMBER.match(normalise_ws(paragraph.findtext(f"{AKN}num") or "")))]
    if not numbered:
        return set()
    margins = [round(indent, 1) for _, _, indent in numbered]
    limit = max(set(margins), key=margins.count) + _QUOTE_INDENT / 2
    typed = {int(m.group(1)) for p in body.iter(f"{AKN}p") if p.getparent().getparent().tag != f"{AKN}paragraph"
             and _indent(p) <= limit and (m := _TYPED_NUMBER.match(normalise_ws(" ".join(p.itertext()))))}
    own = {number for _, number, indent in numbered if indent <= limit} | typed
    return {paragraph for paragraph, number, indent in numbered if indent > limit and number in own}


def _footnotes(element: etree._Element) -> list[str]:
    notes = []
    for note in element.iter(f"{AKN}authorialNote"):
        marker = note.get("marker") or ""
        text = normalise_ws(" ".join(note.itertext()))
        if has_words(text):
            notes.append(f"[{marker}] {text}" if marker else text)
    return notes


def neutral_citation_parts(citation: str) -> tuple[str, str] | None:
    """`[2017] EWHC 1912 (Admin)` → (`EWHC-2017-1912-Admin`, `EWHC (Admin)`); `[2020] EWCA Civ 108` →
    (`EWCA-2020-108-Civ`, `EWCA Civ`)."""
    match = _CITATION.match(normalise_ws(citation))
    if not match:
        return None
    year, court, division, number, bracket = match.groups()
    division = division or bracket
    doc_id = "-".join(part for part in (court, year, number, division) if part)
    label = court + (f" {match.group(3)}" if match.group(3) else "") + (f" ({bracket})" if bracket else "")
    return doc_id, label


class _Builder:
    """Collects numbered paragraphs with the text that belongs to them."""

    def __init__(self, by_section: bool = False, quoted: set[etree._Element] | None = None) -> None:
        self.by_section = by_section
        """Whether `_SECTION_NUMBER`s are the document's pinpoints."""
        self.quoted = quoted or set()
        """Numbered paragraphs of a quoted judgment (`_quoted_numbers`): text of the paragraph quoting them."""
        self.paragraphs: list[Paragraph] = []
        self.heading: str | None = None
        self.current: list[str] | None = None
        self.current_number: str | None = None
        self.current_heading: str | None = None
        self.notes: list[str] = []
        self.numbers = NumberSequence(max_gap=5)
        self.pending: str | None = None
        """An unstyled heading candidate, held until the next block shows whether it was a broken sentence."""
        self.last_set_in = False
        """Whether the last block was set in as a quotation (`_QUOTE_INDENT`)."""

    def quoting(self) -> bool:
        """Whether the text so far runs into a quotation: the paragraph introduces one (`… It says:-`, `… as
        follows:`) or the block before was set in as one. A block set in there is the quoted text's, its heading
        (a quoted treaty's `Article 12`, a rule's `Application to vacate a guilty plea`, a transcript's `MR JUSTICE
        FLAUX: So West LB reduced their commitment?`) too: read as the judgment's headings (110 of the 67
        judgments), they cut the paragraph quoting them and left the rest of the quotation an unnumbered passage."""
        return self.last_set_in or bool(self.current and _INTRODUCES.search(self.current[-1]))

    def in_quotation(self, set_in: bool) -> bool:
        """Whether a heading-like block is text of the current paragraph: set in where the text runs into a
        quotation (`quoting`), or after a quotation opened on a line of its own and not closed (`“Article 26` /
        `FREEDOM OF MOVEMENT`, the Refugee Convention's heading, [2016] EWHC 954 (Admin)); or the paragraph has no
        more than a title so far (`82. Independent` / `Sole wording in issue (1972 to 1987)` / its text, [2010]
        EWCA Civ 1096): a numbered paragraph is never a heading alone, and the block after it was cut off as an
        unnumbered passage."""
        if self.by_section or not self.current:
            return False
        last = self.current[-1]
        opened = last.count("“") > last.count("”") and len(last.split()) <= _HEADING_WORDS
        title = (self.current_number is not None and len(self.current) == 1
                 and len(last.split()) <= _HEADING_WORDS + 1 and not last.rstrip().endswith((".", ":", ";", ",")))
        return (set_in and self.quoting()) or opened or title

    def flush(self) -> None:
        if self.current:
            self.paragraphs.append(
                Paragraph(text="\n".join(self.current), number=self.current_number, heading=self.current_heading)
            )
        self.paragraphs.extend(
            Paragraph(text=note, number=self.current_number, section="FOOTNOTE", heading=self.current_heading)
            for note in self.notes
        )
        self.current, self.current_number, self.notes = None, None, []

    def start(self, text: str, number: str | None) -> None:
        self.flush()
        self.current, self.current_number, self.current_heading = [text], number, self.heading

    def settle(self, text: str | None = None, number: str | None = None) -> None:
        """Decide the held heading candidate on the block that follows it (`text`, None at the end): an unnumbered
        block that carries on its sentence makes it text of the paragraph it interrupted; otherwise a heading."""
        pending, self.pending = self.pending, None
        if pending is None:
            return
        if text is not None and number is None and _GOES_ON.match(text):
            self.add(pending)
        else:
            self.flush()
            self.heading = pending

    def add(self, text: str) -> None:
        """Text of the current paragraph (an unnumbered one when none has begun)."""
        if self.current is None:
            self.start(text, None)
        else:
            self.current.append(text)

    def paragraph(self, element: etree._Element) -> None:
        num = normalise_ws(element.findtext(f"{AKN}num") or "")
        body = _text(element)
        if num and body.startswith(num):
            body = body[len(num) :].lstrip()
        main = _MAIN_NUMBER.match(num) if element not in self.quoted else None
        number = self.numbers.take(int(main.group(1))) if main else None
        text = f"{num} {body}".strip() if num else body
        if not has_words(text):
            return
        self.settle(text, number)
        self.last_set_in = _indent(element) >= _QUOTE_INDENT
        if number is not None:
            self.start(text, number)
        else:
            self.add_unnumbered(text)
        self.notes += _footnotes(element)

    def level(self, element: etree._Element) -> None:
        """A block between numbered paragraphs: a heading, or text of the paragraph before it. A block styled `Quote`
        is quoted text whatever it looks like (`93. …`, `Article 24: Adoption`): the paragraph setting it out is what
        a lawyer cites, and a line ending in an elision (`…`) is no heading either."""
        text = _text(element)
        if not has_words(text):
            return
        rows = element.xpath(".//a:tr[not(ancestor::a:tr)]", namespaces={"a": AKN[1:-1]})
        if self.by_section and element.tag != f"{AKN}tr" and any(_SECTION_NUMBER.match(_text(r)) for r in rows):
            for row in rows:  # a table of numbered paragraphs, one a row: `3L.7` | `It may be in some cases …`
                self.level(row)
            return
        section = self.by_section and _SECTION_NUMBER.match(text)
        classes = [p.get("class") or "" for p in element.iter(f"{AKN}p")]
        quoted = any(c.startswith("Quote") for c in classes)
        typed = None if quoted or _indent(element) >= _QUOTE_INDENT else _TYPED_NUMBER.match(text)
        number = int(typed.group(1)) if typed and self.numbers.is_next(int(typed.group(1))) else None
        self.settle(text, None if number is None else str(number))
        styled = any(c.startswith("Heading") for c in classes)
        set_in = _indent(element) >= _QUOTE_INDENT
        in_quotation = self.in_quotation(set_in)
        self.last_set_in = set_in
        looks_like_heading = (
            not quoted
            and not in_quotation
            and not section
            and len(text) <= _HEADING_MAX
            and "\n" not in text
            and not text.rstrip().endswith((".", ":", ";", ",", "”", '"', "—", "–", "-", "…"))
            and (styled or (len(text.split()) <= _HEADING_WORDS and not text[0].islower()
                            and not text.startswith(_OPENS_QUOTE) and not _QUESTION.match(text)
                            and text.split()[-1].lower() not in _CONTINUES and not _CLAUSE.match(text)))
        )
        if looks_like_heading and (styled or _CAPITALS.search(text) and text.isupper()):
            self.flush()
            self.heading = text
            return
        if looks_like_heading:
            self.pending = text
            return
        if number is not None:
            self.start(text, self.numbers.take(number))
        else:
            self.add_unnumbered(text)
        self.notes += _footnotes(element)

    def add_unnumbered(self, text: str) -> None:
        """A block without a number of its own: text of the current paragraph, or, where practice-direction numbers
        are the pinpoints, the paragraphs its lines open (`add_sections`)."""
        if self.by_section:
            self.add_sections(text)
        else:
            self.add(text)

    def add_sections(self, text: str) -> None:
        """Text in which each line opening with a `_SECTION_NUMBER` starts the paragraph of that number."""
        lines: list[str] = []
        for line in [*text.split("\n"), None]:
            opens = line is not None and _SECTION_NUMBER.match(line)
            if lines and (opens or line is None):
                head = _SECTION_NUMBER.match(lines[0])
                if head and lines[0] == head.group(1) and len(lines) > 1:
                    lines[:2] = [f"{lines[0]} {lines[1]}"]  # the number in a cell (or line) of its own
                if head:
                    self.start("\n".join(lines), head.group(1))
                else:
                    self.add("\n".join(lines))
                lines = []
            if line is not None:
                lines.append(line)

    def walk(self, container: etree._Element) -> None:
        for child in container:
            if child.tag == f"{AKN}paragraph":
                self.paragraph(child)
            elif child.tag in (f"{AKN}level", f"{AKN}hcontainer") and child.find(f".//{AKN}paragraph") is not None:
                self.walk(child)
            elif isinstance(child.tag, str) and child.tag not in _SKIP:
                self.level(child)


def _numbered_by_section(body: etree._Element) -> bool:
    """Whether the blocks opening with a practice direction's number (`3A.4`) outnumber the numbered paragraphs: the
    two Criminal Practice Directions of the corpus hold 826 and 1,143 against 17-20 (other judgments 0-4 against
    their hundreds)."""
    sections = sum(1 for p in body.iter(f"{AKN}p") if _SECTION_NUMBER.match(normalise_ws(" ".join(p.itertext()))))
    numbered = sum(1 for n in body.iter(f"{AKN}num") if _MAIN_NUMBER.match(normalise_ws(n.text or "")))
    return sections > numbered


def _frbr(root: etree._Element, tag: str, attribute: str) -> str | None:
    element = root.find(f".//{AKN}FRBRWork/{AKN}{tag}")
    return element.get(attribute) if element is not None else None


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    data = read_bytes(path)
    decode_text(path, data)  # binary junk and non-UTF-8 files get the same clear refusal as other text formats
    check_xml_elements(path, io.BytesIO(data), what="XML document")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise BadInputError(path, f"broken XML at line {line} column {column}: {exc.msg}") from exc
    if root is None or etree.QName(root).localname != "akomaNtoso":
        tag = etree.QName(root).localname if root is not None else "nothing"
        raise BadInputError(path, f"not an Akoma Ntoso judgment (root element is <{tag}>, expected <akomaNtoso>)")

    body = root.find(f".//{AKN}judgmentBody")
    if body is None:
        raise BadInputError(path, "no <judgmentBody> in the Akoma Ntoso document")
    builder = _Builder(by_section=_numbered_by_section(body), quoted=_quoted_numbers(body))
    for child in body:
        if child.tag == f"{AKN}decision":
            builder.walk(child)
        else:
            builder.level(child)
    builder.settle()
    builder.flush()
    if not builder.paragraphs:
        raise BadInputError(path, "the judgment body has no text")

    name = _frbr(root, "FRBRname", "value")
    date = _frbr(root, "FRBRdate", "date")
    uri = _frbr(root, "FRBRuri", "value")
    citation = normalise_ws(
        root.findtext(".//{*}cite") or root.findtext(f".//{AKN}neutralCitation") or ""
    )
    court_code = normalise_ws(root.findtext(".//{*}court") or "")
    parts = neutral_citation_parts(citation) if citation else None
    doc_id, court = parts if parts else (path.stem, court_code or "UK court")
    defects = [] if parts else ["no_neutral_citation"]
    numbers = [int(p.number) for p in builder.paragraphs if p.number and p.number.isdigit()]
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
    if missing:
        defects.append("gaps_in_paragraph_numbering")
    frbr_number = _frbr(root, "FRBRnumber", "value")
    if parts and frbr_number and frbr_number not in doc_id.split("-"):
        defects.append("citation_number_differs_from_frbr_number")
    return [
        SourceDocument(
            doc_id=doc_id,
            title=join_broken_hyphens(normalise_ws(name or "")) or citation or path.stem,
            court=court,
            doc_type="JUDGMENT",
            source_kind=kind,
            source_file=source_file,
            paragraphs=builder.paragraphs,
            date=date,
            language="en",
            url=TNA_URL + uri if uri and not uri.startswith("http") else uri,
            text_defects=defects,
            extra={
                "neutral_citation": citation or None,
                "court_code": court_code or None,
                "frbr_uri": uri,
                "missing_paragraph_numbers": missing,
            },
        )
    ]
