"""`kb check BRIEF`: every authority a brief cites, and every quotation it attributes to one, checked against the
stored sources.

Why: studies of commercial legal AI found 17–33 % of answers with a hallucinated or misattributed authority. A
brief is safe to file only when each citation names a real document, its name, number and date agree, its pinpoint
exists and each quotation is the paragraph's own text. What the corpus does not hold is reported as "cannot verify"
(`not_in_corpus`), never as verified; where the corpus holds several documents a citation could mean and nothing in
it decides, the answer is `ambiguous`, never a silent choice.

Citations are read with the one grammar of `legal.citations` (the forms are listed there), in the body, in
footnotes (DOCX footnotes and Markdown `[^n]` notes, read where their mark stands) and inside quoted judgments.
Resolution goes through the store (each document's title, date, formation, application numbers), not the corpus
files, so the check answers for exactly what the knowledge base can show:
- ECtHR: the application number decides; a name, date or formation that disagrees with it is reported with what
  the corpus says. Without a number, the name and the respondent state find the candidates and the citation's own
  evidence chooses: its date or report year, `[GC]`, `(dec.)` or a decisions report (EHRR SE/CD, D.R.), `(no. 2)`,
  `(Article 50)`. A bare name means the principal judgment: a numbered follow-up (`(no. 2)`), an Article 50,
  revision or interpretation judgment is never taken for it, and of a Chamber and a Grand Chamber judgment on the
  same application the Grand Chamber's is the principal one.
- Quotations are graded by alignment (`legal.quotations`): verbatim or near passes; otherwise the words that are
  not in the source are named and the paragraph where the text does occur is given.
"""

from __future__ import annotations

import bisect
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ingest.loaders.akn import neutral_citation_parts
from ingest.loaders.echr import speaker
from kb.citations.style import cite, long_date, source_link
from kb.passages import Hit
from kb.store.base import SearchFilters, StoredChunk
from kb.store.payloads import Payloads
from legal.citations import (
    CHINESE_SENTENCE_END,
    IBID,
    LAW_REPORT,
    ROMAN,
    Citation,
    Scanner,
    applicant_tokens,
    edit_distance,
    fold,
    initials_only,
    names_one_judgment,
    sentence_ends,
    state_key,
    title_applicant,
)
from legal.errors import BadInputError, BriefError
from legal.grounds import GROUNDS
from legal.numerals import article_number
from legal.quotations import Alignment, align, best_place, find_quotes, numbered_parts

STATUSES = ("verified", "not_in_corpus", "ambiguous", "name_number_mismatch", "date_mismatch", "pinpoint_missing",
            "quote_differs", "quote_not_found")
"""`verified`, or the problem found; a citation with several problems reports the first in this order of checks:
not in corpus, ambiguous, name/number, date, pinpoint, quotation (`quote_differs`: the passage is at the pinpoint
but the quotation changes its words; `quote_not_found`: the words are not at the pinpoint)."""
CANNOT_VERIFY = ("not_in_corpus", "ambiguous")
"""Statuses that say the check could not decide, as opposed to an error found in the brief."""
CLOSE_QUOTE = "verified, quote close"
"""How the report marks a verified citation whose quotation is close to the source but not verbatim (`quote_match`
`close`): the citation is right; the quotation's differences are named for the lawyer to correct or accept."""

BRIEF_SUFFIXES = (".docx", ".pdf", ".md", ".markdown", ".txt", ".xml")
MAX_BRIEF_CHARS = 2_000_000
"""Text a brief may hold (about 1,000 pages); the grammar reads it in linear time, and this bounds that time."""
MAX_CITATIONS = 3_000
"""Citations one check resolves. The longest UK judgment in the corpus has ~400; a text with more is not a brief
(or is many): it is refused with a message rather than left to run for minutes."""


# The brief ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Note:
    """A footnote read where its mark stands: its text occupies [start, end) of the block's text."""

    start: int
    end: int
    label: str
    line: int


@dataclass(frozen=True)
class Block:
    """A paragraph of the brief.

    `line`: where a reader finds it — the line it starts on (text, Markdown), the Word paragraph's number (DOCX),
    the judgment's own paragraph number `[N]` (a UK judgment in Akoma Ntoso; 0 before its first), the paragraph's
    number in reading order (PDF). `number`: the brief's own paragraph number when it numbers its paragraphs.
    """

    text: str
    line: int
    style: str = "line"
    """`line`, `paragraph` (DOCX), `judgment` (UK XML), `page` (PDF)."""
    number: str | None = None
    notes: tuple[Note, ...] = ()
    page: int | None = None

    def note_at(self, offset: int) -> Note | None:
        return next((n for n in self.notes if n.start <= offset < n.end), None)

    def line_at(self, offset: int) -> int:
        if note := self.note_at(offset):
            return note.line
        if self.style == "line":
            return self.line + self.text.count("\n", 0, offset)
        return self.line

    def where(self, offset: int) -> str:
        """The location a lawyer can go to: `line 12`, `paragraph 14 (¶ 5)`, `[51]`, `footnote 3 (line 40)`."""
        note = self.note_at(offset)
        line = self.line_at(offset)
        if self.style == "judgment":
            place = f"[{self.number}]" if self.number else "before [1]"
        elif self.style == "page":
            place = f"p. {self.page}, paragraph {line}" if self.page else f"paragraph {line}"
        else:
            place = f"{self.style} {line}" + (f" (¶ {self.number})" if self.number and not note else "")
        return f"footnote {note.label} ({place})" if note else place


_EMPHASIS = re.compile(r"(?<![\w*_])[*_]{1,2}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,2}(?![\w*_])")
"""Markdown emphasis marks (`*Saadi v. Italy* [GC]`): read without them, as a reader sees the text."""
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
"""Characters a reader does not see that a paste from a web page or a PDF leaves inside words: a soft hyphen (U+00AD),
zero-width spaces and joiners, direction marks. Left in, `Saadi v. Italy, § 9125` with a soft hyphen inside `Saadi`
was no citation at all and its wrong pinpoint went unreported; read without them, as the reader sees the text."""
_OWN_NUMBER = re.compile(r"^\s*(?:\[\s*)?(\d{1,4})[.)\]]\s")
_MD_NOTE_MARK = re.compile(r"\[\^([\w-]{1,20})\]")
_MD_NOTE_DEF = re.compile(r"^\[\^([\w-]{1,20})\]:\s?(.*)$")


def _numbered(blocks: list[Block]) -> list[Block]:
    """Each block with the brief's own paragraph number: its own (`12.`), else that of the numbered paragraph it
    continues (a quotation set out under it); a heading starts afresh."""
    out, current = [], None
    for b in blocks:
        if b.number is None and b.style != "judgment":
            if m := _OWN_NUMBER.match(b.text):
                current = m.group(1)
            elif b.text.lstrip().startswith("#"):
                current = None
            out.append(Block(b.text, b.line, b.style, current, b.notes, b.page))
        else:
            out.append(b)
    return out


def text_blocks(text: str, source: str = "the text") -> list[Block]:
    """Blank-line separated paragraphs, each with the line it starts on; Markdown footnotes (`[^3]: …`) are read at
    their marks, so a quotation and the footnote that cites it are read together, as a reader does. A note read at
    more marks than the text's length allows is refused (`_NoteBudget`)."""
    lines = [_EMPHASIS.sub("", _INVISIBLE.sub("", line)) for line in text.splitlines()]
    notes: dict[str, tuple[str, int]] = {}
    body: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if m := _MD_NOTE_DEF.match(line):
            notes.setdefault(m.group(1), (m.group(2), number))
            body.append((number, ""))
        else:
            body.append((number, line))
    blocks, current, start = [], [], 1
    for number, line in body:
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append(("\n".join(current), start))
            current = []
    if current:
        blocks.append(("\n".join(current), start))
    used: set[str] = set()
    out = []
    budget = _NoteBudget(source)
    for raw, start in blocks:
        block_text, inserted = _inline_notes(raw, notes, used, budget)
        out.append(Block(block_text, start, "line", notes=inserted))
    out += [Block(text, line, "line") for label, (text, line) in notes.items() if label not in used]
    return _numbered(out)


class _NoteBudget:
    """The characters a brief's text may reach once its footnotes are read at their marks (MAX_BRIEF_CHARS). A note
    may be referred to at several marks and is read at each; a 118 KB Markdown file marking one 37 KB note 20,000
    times came to 740 MB of text and ran past a minute (a Word file can do the same with footnote references). It
    is refused as soon as the text read passes the limit."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.left = MAX_BRIEF_CHARS

    def spend(self, chars: int) -> None:
        self.left -= chars
        if self.left < 0:
            raise BriefError(f"{self.source}: more than {MAX_BRIEF_CHARS:,} characters once its footnotes are read "
                             "at their marks (a note referred to at very many marks); check it in parts")


def _inline_notes(raw: str, notes: dict[str, tuple[str, int]], used: set[str], budget: _NoteBudget
                  ) -> tuple[str, tuple[Note, ...]]:
    """`raw` with each footnote mark replaced by ` (<the note's text>)`; the notes' places in the new text."""
    parts: list[str] = []
    inserted: list[Note] = []
    pos = length = 0
    for m in _MD_NOTE_MARK.finditer(raw):
        label = m.group(1)
        if label not in notes:
            continue
        parts.append(raw[pos:m.start()])
        length += m.start() - pos
        note_text, note_line = notes[label]
        piece = f" ({note_text})"
        budget.spend(len(piece))
        inserted.append(Note(length + 2, length + len(piece) - 1, label, note_line))
        parts.append(piece)
        length += len(piece)
        pos = m.end()
        used.add(label)
    parts.append(raw[pos:])
    return "".join(parts), tuple(inserted)


def _refuse_long(path: Path | str, blocks: list[Block]) -> list[Block]:
    chars = sum(len(b.text) for b in blocks)
    if chars > MAX_BRIEF_CHARS:
        raise BriefError(f"{path}: {chars:,} characters of text (limit {MAX_BRIEF_CHARS:,}, about 1,000 pages); "
                         "check it in parts")
    return blocks


def read_brief(path: Path, notices: list[str] | None = None) -> list[Block]:
    """The brief's paragraphs with their locations (`Block.line`). Every format goes through the ingest's own
    defences first: the size limit, and for DOCX the zip-bomb and element-count checks. `notices` gets what the
    lawyer should know of how it was read (a text brief read as GB18030, not UTF-8: `_decode`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise BriefError(f"{path}: a folder, not a file; give the brief's file")
    if path.is_symlink() and not path.exists():
        raise BriefError(f"{path}: a symbolic link that leads to no file (its target is missing, or links loop); give "
                         "the brief's file")
    if path.exists() and not path.is_file():
        raise BriefError(f"{path}: not a regular file (a named pipe, device or socket, which would be read forever); "
                         "give the brief's file")
    if not path.is_file():
        raise BriefError(f"{path}: no such file")
    if suffix not in BRIEF_SUFFIXES:
        raise BriefError(f"{path}: cannot read a {suffix or 'suffix-less'} file; use one of "
                         f"{', '.join(BRIEF_SUFFIXES)}")
    try:
        if suffix == ".docx":
            return _refuse_long(path, _docx_blocks(path))
        if suffix in (".pdf", ".xml"):
            return _refuse_long(path, _loader_blocks(path, suffix))
        from ingest.loaders.common import read_bytes

        data = read_bytes(path)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise BriefError(f"{path}: UTF-16 text (what Windows Notepad saves as “Unicode”); re-save it as UTF-8")
        text, read_as = _decode(path, data)
        if read_as and notices is not None:
            notices.append(f"{path.name}: {read_as}")
        if len(text) > MAX_BRIEF_CHARS:
            raise BriefError(f"{path}: {len(text):,} characters of text (limit {MAX_BRIEF_CHARS:,}, about 1,000 "
                             "pages); check it in parts")
        return text_blocks(text, str(path))
    except BadInputError as exc:
        raise BriefError(str(exc)) from None


GB_ENCODINGS = ("gb18030", "gbk", "gb2312")
"""What `charset_normalizer` names the mainland Chinese encodings GB18030 covers: a Chinese lawyer's text file as
Windows (简体中文) and WPS save it."""
MIN_HAN_SHARE = 0.9
"""Of the characters outside ASCII a text read as GB18030 has, the share that must be Chinese characters, Chinese
punctuation or full-width forms for the reading to be believed."""
SAVE_AS_UTF8 = "re-save it as UTF-8 (Notepad, WPS or Word: Save As, encoding “UTF-8”) and check it again"


def _han_share(text: str) -> tuple[float, int]:
    """The share of Chinese characters and punctuation among `text`'s characters outside ASCII, and how many
    Chinese characters it has."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    han = sum(1 for ch in wide if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ord(ch) >= 0x20000)
    marks = sum(1 for ch in wide if "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
                or "\u2010" <= ch <= "\u2027" or ch in "§·")
    return ((han + marks) / len(wide) if wide else 0.0), han


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The brief's text, and how it was read when not as UTF-8. A text file that is not UTF-8 is read as GB18030
    only when it can be told so: `charset_normalizer` names a GB encoding, the bytes decode as GB18030 without
    error, and what they give is Chinese (`MIN_HAN_SHARE`, and 10 Chinese characters at least). Otherwise it is
    refused, naming the encoding it seems to be in and the one to save it in: the same bytes are often as good
    Korean or Big5 to a detector (an English brief naming one Chinese statute), and a wrong guess would check
    garbage."""
    from ingest.loaders.common import decode_text

    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:8192]:
            return decode_text(path, data), ""  # binary: refused there
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        guess = best.encoding if best is not None else None
        if guess in GB_ENCODINGS:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                text = ""
            share, han = _han_share(text)
            if share >= MIN_HAN_SHARE and han >= 10:
                return text, "read as GB18030 (Chinese) text, not UTF-8: check that its Chinese reads right"
        seems = f"; it seems to be {guess} text, which cannot be told for certain" if guess else ""
        raise BriefError(f"{path}: not UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}){seems}; "
                         f"{SAVE_AS_UTF8}") from None
    return decode_text(path, data), ""


def _loader_blocks(path: Path, suffix: str) -> list[Block]:
    """A PDF or a UK judgment through the ingest loader. A judgment's paragraph is located by its own number `[N]`
    (the loader's extra blocks, e.g. a quotation set out under it, keep that number)."""
    from ingest.loaders import FORMAT_BY_SUFFIX, loader_for

    doc = loader_for(FORMAT_BY_SUFFIX[suffix])(path, str(path), "brief")[0]
    out: list[Block] = []
    if suffix == ".xml":
        current: str | None = None
        heading: str | None = None
        for p in doc.paragraphs:
            if p.section == "FOOTNOTE":
                out.append(Block(p.text, int(current) if current and current.isdigit() else 0, "judgment", current))
                continue
            text = p.text
            if p.number is None and current and p.heading and p.heading != heading:
                # a "heading" inside a numbered paragraph is read with the block after it (a quoted article's title,
                # `Article 4 States Parties shall …`; once a sentence the source broke across blocks, 2014 EWCA Crim
                # 1729 [35], which the loader now reads whole). On the 67 UK judgments it changes none of the 1,148
                # citations found, only block text; bench/data/uk_citations.tsv's spans are measured in that text, so
                # dropping it means labelling that file again on a store (`bench/uk_citations.py label`)
                text = f"{p.heading} {text}"
            current, heading = p.number or current, p.heading
            if text.strip():
                out.append(Block(text, int(current) if current and current.isdigit() else 0, "judgment", current))
        return out
    for i, p in enumerate(doc.paragraphs, 1):
        if p.text.strip():
            out.append(Block(_INVISIBLE.sub("", p.text), i, "page", page=p.page if isinstance(p.page, int) else None))
    return _numbered(out)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _open_docx(path: Path):
    """The Word document after the ingest's checks: size, ZIP signature, zip bomb, element count."""
    from ingest.loaders.common import check_docx_parts, check_zip, read_bytes

    data = read_bytes(path)
    if not data.startswith(b"PK"):
        raise BriefError(f"{path}: not a readable DOCX file (no ZIP signature); re-save it from Word")
    check_docx_parts(path, check_zip(path, data))
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for a damaged package
        why = ("elements nested more than 256 deep, tables in tables" if "Excessive depth" in str(exc)
               else type(exc).__name__)  # lxml's limit: the reason was only `XMLSyntaxError`
        raise BriefError(f"{path}: not a readable DOCX file ({why}); re-save it from Word") from None


def _docx_notes(document) -> dict[str, str]:
    """Footnote id → its text, from the footnotes part (python-docx has no API for it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from lxml import etree

    for rel in document.part.rels.values():
        if rel.reltype == RELATIONSHIP_TYPE.FOOTNOTES and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob, etree.XMLParser(resolve_entities=False, huge_tree=False))
            return {n.get(f"{_W}id"): " ".join("".join(t.text or "" for t in n.iter(f"{_W}t")).split())
                    for n in root.iter(f"{_W}footnote") if int(n.get(f"{_W}id") or 0) > 0}
    return {}


_DOCX_CONTAINERS = frozenset({f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml",
                               f"{_W}smartTag"})
"""What holds Word paragraphs in the body besides the body itself: a table (its rows and cells, a table nested in a
cell) and a content control. python-docx's `Document.paragraphs` lists only the body's own paragraphs, so a table
of authorities with a wrong pinpoint was never read (session 18)."""


def docx_paragraphs(document) -> list:
    """Every paragraph of the body in reading order, those in tables and content controls too; the numbering
    `_docx_blocks` gives a paragraph and the annotated copy finds it by. Walked with a stack, not recursion: a
    hostile file may nest tables deeper than Python recurses (the element count is bounded by the ingest's check)."""
    from docx.text.paragraph import Paragraph

    out: list = []
    stack = [iter(document.element.body)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
        elif element.tag == f"{_W}p":
            out.append(Paragraph(element, document._body))
        elif element.tag in _DOCX_CONTAINERS:
            stack.append(iter(element))
    return out


def _docx_blocks(path: Path) -> list[Block]:
    """Word paragraphs by number (what the annotated copy's comments are anchored to), with their footnotes read
    where the footnote marks stand."""
    document = _open_docx(path)
    notes = _docx_notes(document)
    out: list[Block] = []
    heading = False
    budget = _NoteBudget(str(path))
    for i, p in enumerate(docx_paragraphs(document), 1):
        pieces: list[str] = []
        inserted: list[Note] = []
        length = 0
        for el in p._p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}footnoteReference"):
            if el.tag == f"{_W}t":
                piece = el.text or ""
            elif el.tag == f"{_W}footnoteReference":
                label = el.get(f"{_W}id") or ""
                note = notes.get(label, "")
                piece = f" ({note})"
                budget.spend(len(piece))
                inserted.append(Note(length + 2, length + len(piece) - 1, label, i))
            else:
                piece = " "
            pieces.append(piece)
            length += len(piece)
        text = "".join(pieces)
        style = p.style.name if p.style is not None else ""
        heading = style.startswith(("Heading", "Title"))
        if text.strip():
            out.append(Block(text, i, "paragraph", notes=tuple(inserted),
                             number=None if heading else _own_number(out, text)))
    return out


def _own_number(previous: list[Block], text: str) -> str | None:
    if m := _OWN_NUMBER.match(text):
        return m.group(1)
    return previous[-1].number if previous else None


# Finding citations -------------------------------------------------------------------------------------------------

@dataclass
class Found:
    """One citation as written, with where it stands and the quotations attributed to it."""

    citation: Citation
    block: int
    line: int
    where: str
    quotes: list[str] = field(default_factory=list)
    quote_group: list[int] = field(default_factory=list)
    """Indexes (in the brief's list) of citations sharing this citation's quotations: the notes under one mark
    group (`…”[^3][^4]`); a quotation verified in any of them is verified."""
    note: int | None = None
    """The number of the footnote the citation stands in, as its writer sees it: a Markdown note's own number
    (`[^12]`, whatever order the marks stand in: a lawyer adding a note numbers it next), else the footnote's place
    in reading order (Word numbers them so): what `(n 12)` and `supra note 12` refer to."""

    @property
    def text(self) -> str:
        return self.citation.text


_LEAD = re.compile(r"[\s,;:)\]”\"’]{0,4}(?:\.(?=\s{0,2}[(\[]))?\s{0,2}(?:[(\[]\s{0,2})?(?:[Ss]ee\s{0,2},?\s{0,2})?"
                   r"(?:also\s{1,2})?(?:e\.g\.\s{0,2},?\s{0,2})?(?:in\s{1,2})?")
"""What may stand between a quotation and the citation right after it: punctuation, `(see`, `see also`, `in`; not a
full stop and a new sentence (`“…”. In Kurt v Turkey the Court said` starts another attribution)."""
_CITATION_SENTENCE_END = re.compile(r"[\s)\]]*(?:[.;]|$)")
"""The end of a citation's own sentence: past a quotation's full stop, only a citation that is a sentence of its own
(`“….” Soering v. the United Kingdom, § 91.`) is the quotation's source, not one a new sentence goes on from."""
PRECEDING_QUOTE_WINDOW = 300
"""A quotation after a citation in the same sentence (`Soering, § 113, the Court held that “…”`) is attributed to
it when it starts within this many characters; past a sentence end the text has moved on."""
_SENTENCE_BREAK = re.compile(rf"[.!?]\s+(?=[A-Z“‘\"(])|\n|{CHINESE_SENTENCE_END.pattern}")


def _attach_quotes(block: Block, found: list[tuple[int, Citation]]
                   ) -> tuple[dict[int, list[str]], list[tuple[int, int]]]:
    """Each quotation goes to the citation right after it (`“…” (Saadi, § 125)`), to the footnote(s) whose mark
    follows it in the paragraph, or to a pinpointed citation before it in the same sentence (`the Court held in
    Saadi, § 125, that “…”`: without the pinpoint, `in Dzhaksybergenov (supra) when it stated that “…”` is as often
    another court speaking); citations inside a quotation are the quoted court's own. A quotation inside a
    footnote goes to a citation of that footnote, right after it or pinpointed before it (`Ibid., art. 43: “…”`;
    before session 20 it went unchecked). Returns the quotations of each citation, and the spans of the quotations
    attributed."""
    text = block.text
    out: dict[int, list[str]] = {}
    spans: list[tuple[int, int]] = []
    ends: list[int] | None = None

    def one_sentence(start: int, end: int) -> bool:
        """Whether no sentence ends in text[start:end]: the sentence ends are found once a paragraph (searched
        between each quotation and the next mark, 10,000 quotations before one mark cost quadratic time)."""
        nonlocal ends
        if ends is None:
            ends = sentence_ends(text)
        i = bisect.bisect_left(ends, start)
        return i == len(ends) or ends[i] >= end

    for q in find_quotes(text):
        note = block.note_at(q.start)
        if note is not None:  # a quotation inside a footnote goes to a citation of that note only
            scope = [(i, c) for i, c in found if note.start <= c.start < note.end]
        else:
            scope = found
        after = [(i, c) for i, c in scope if c.start >= q.end]
        targets: list[int] = []
        if after and after[0][1].start - q.end <= 40 and _LEAD.fullmatch(text, q.end, after[0][1].start) and (
                one_sentence(q.end - 2, after[0][1].start)
                or _CITATION_SENTENCE_END.match(text, after[0][1].end)):
            targets = [after[0][0]]  # past the quotation's own full stop only a citation that is a sentence of its
            # own (`“….” Soering v. the United Kingdom, § 91.`), not `“….” Chahal v. the United Kingdom concerned …`
        if not targets and note is not None:
            before = [(i, c) for i, c in scope if c.end <= q.start and q.start - c.end <= PRECEDING_QUOTE_WINDOW]
            if before and before[-1][1].paragraphs and not _SENTENCE_BREAK.search(text, before[-1][1].end, q.start):
                targets = [before[-1][0]]  # `[^4]: Saadi v. Italy [GC], no. 37201/06, § 127: “…”`
        elif not targets:
            mark = next((n for n in block.notes if n.start > q.end), None)
            if mark is not None and one_sentence(q.end - 2, mark.start - 2):
                # the mark closes the quotation's own sentence: `“…”, it said.[^3]`; past a sentence end (`“…”. Later
                # it held that expulsion is no different.[^3]`) the note is the later sentence's source
                group = [n for n in block.notes if n.start >= mark.start and not _text_between(text, mark, n)]
                targets = [i for i, c in found if any(n.start <= c.start < n.end for n in group)]
        if not targets and note is None:
            before = [(i, c) for i, c in found if c.end <= q.start and q.start - c.end <= PRECEDING_QUOTE_WINDOW
                      and not block.note_at(c.start)]
            if before and before[-1][1].paragraphs:
                i, c = before[-1]
                if not _SENTENCE_BREAK.search(text, c.end, q.start) and not any(
                        c.end <= o.start < q.start for _, o in found if o is not c):
                    targets = [i]
        for i in targets:
            out.setdefault(i, []).append(q.text)
        if targets:
            spans.append((q.start, q.end))
    return out, spans


def _text_between(text: str, first: Note, later: Note) -> bool:
    """Whether words stand between two footnote marks (`…”[^3][^4]` has none: one group)."""
    if later.start <= first.start:
        return False
    return bool(text[first.end + 1:later.start - 2].strip(" .,;)"))


_TITLE_PIN = re.compile(r"(?:\s*\([^()]{1,40}\))?(?:\s*,\s*cited\s+above)?\s*,\s*"
                        r"(?:(?:para(?:graph)?\.?|§)\s*(?P<para>[\w.-]{0,11}\w)(?:\s*\(p\.\s*\d{1,4}\))?|p\.\s*(?P<page>\d{1,4}))")


_NOTE_REST = re.compile(r"[\s.,;]+|<?https?://\S+>?")
"""What may follow a title that makes up a footnote: its full stop and the link the export prints."""


def _titled(text: str, titles: dict[str, str], notes: tuple[Note, ...] = ()) -> list[Citation]:
    """Stored documents cited by title (`OHCHR, Assessment of human rights concerns … (31 August 2022), para. 48
    (p. 15)`): each title found with `str.find`, so the cost is linear in the text for each title. A short title
    counts with a pinpoint after it, or as the whole of a footnote (`About.`)."""
    out = []
    for title, doc_id in titles.items():
        pos = text.find(title)
        while pos >= 0:
            end = pos + len(title)
            pins: tuple[str, ...] = ()
            m = _TITLE_PIN.match(text, end, min(len(text), end + 80))
            if m:
                pins = (m.group("para"),) if m.group("para") else ()  # a page is not a pinpoint the store numbers
                end = m.end()
            whole_note = any(n.start <= pos and end <= n.end and not text[n.start:pos].strip()
                             and not _NOTE_REST.sub("", text[end:n.end]) for n in notes)
            if not m and not whole_note and len(title) < MIN_TITLE_CHARS or (pos and text[pos - 1].isalnum()) or (
                    end < len(text) and text[end].isalnum()):
                pos = text.find(title, pos + 1)
                continue  # a short title as a mere word, or a title inside a longer word
            out.append(Citation("document", "full", pos, end, " ".join(text[pos:end].split()), name=title,
                                key=doc_id, paragraphs=pins))
            pos = text.find(title, end)
    return out


_BARE_IBID_AROUND = re.compile(r"[\s(\[,;.]*")
_BARE_IBID_END = re.compile(r"\.?(?:\s{0,2}[)\];]|\s*$)")
"""What closes a bare `ibid.` after a quotation: `(ibid.)`, `(ibid)`, the paragraph's end; not `(ibid paragraph
[119])`, a pinpoint the grammar does not read (2021 EWCA Civ 783 [259] cites a domestic judgment so)."""


def _bare_ibids(block: Block, citations: list[Citation]) -> list[Citation]:
    """`Ibid.` without a pinpoint where it attributes something: the whole of a footnote (`…”[^5]` / `[^5]: Ibid.`),
    or a parenthesis or sentence right after a quotation (`“…” (ibid.)`). It means the source and the pinpoint
    cited just before; the grammar reads `ibid.` only with a pinpoint of its own (elsewhere in a judgment a bare
    one is as often a domestic source's), so a quotation under a bare `Ibid.` went unchecked."""
    text = block.text
    out = []
    quote_ends = [q.end for q in find_quotes(text)]
    for m in IBID.finditer(text):
        if any(c.start <= m.start() < c.end for c in citations):
            continue
        since = max((c.end for c in citations if c.end <= m.start()), default=0)
        if LAW_REPORT.search(text, since, m.start()):
            continue  # `Smith v Jones [2005] 2 AC 668 … “…” (ibid.)`: the report the grammar does not read is meant
        note = block.note_at(m.start())
        whole_note = note is not None and _BARE_IBID_AROUND.fullmatch(text, note.start, m.start()) is not None \
            and _BARE_IBID_AROUND.fullmatch(text, m.end(), note.end) is not None
        after_quote = note is None and _BARE_IBID_END.match(text, m.end()) is not None and any(
            0 <= m.start() - end <= 40 and _LEAD.fullmatch(text, end, m.start()) for end in quote_ends)
        if whole_note or after_quote:
            out.append(Citation("echr", "ibid", m.start(), m.end(), m.group()))
    return out


def find_citations(blocks: list[Block], limit: int = MAX_CITATIONS, titles: dict[str, str] | None = None
                   ) -> list[Found]:
    """Every citation in the brief in reading order, each with the quotations attributed to it; `titles` (title →
    doc id) are the stored documents cited by title."""
    scanner = Scanner()
    out: list[Found] = []
    numbered_notes = 0
    for index, block in enumerate(blocks):
        note_numbers = {n.start: int(n.label) if block.style == "line" and n.label.isdigit() else numbered_notes + i
                        for i, n in enumerate(block.notes, 1)}
        numbered_notes += len(block.notes)
        citations = scanner.scan(block.text, limit - len(out))
        if "bid" in block.text and (bare := _bare_ibids(block, citations)):
            citations = sorted(citations + bare, key=lambda c: c.start)
        if titles:
            spans = [(c.start, c.end) for c in citations]
            citations = sorted(citations + [t for t in _titled(block.text, titles, block.notes)
                                            if not any(s < t.end and t.start < e for s, e in spans)],
                               key=lambda c: c.start)
        if not numbered_notes:  # `(n 12) [96]` without footnotes read: nothing to follow
            citations = [c for c in citations if c.form != "note"]
        if len(out) + len(citations) > limit:
            raise BriefError(f"more than {limit:,} citations: this is not one brief (or it is many); check it in "
                             "parts")
        attached, quoted = _attach_quotes(block, list(enumerate(citations)))
        if quoted:  # the citations inside a quotation the brief attributes are the quoted court's, checked as text
            keep = [i for i, c in enumerate(citations) if not any(s <= c.start < e for s, e in quoted)]
            renumber = {old: new for new, old in enumerate(keep)}
            citations = [citations[i] for i in keep]
            attached = {renumber[i]: qs for i, qs in attached.items() if i in renumber}
        base = len(out)
        out.extend(Found(c, index, block.line_at(c.start), block.where(c.start),
                         note=note_numbers[n.start] if (n := block.note_at(c.start)) else None) for c in citations)
        for i, quotes in attached.items():
            group = [base + j for j, qs in attached.items() if qs is quotes or set(qs) & set(quotes)]
            out[base + i].quotes = quotes
            out[base + i].quote_group = sorted(set(group))
    return out


# The corpus side ---------------------------------------------------------------------------------------------------

VARIANTS = {"article 50": re.compile(r"\((?:Article\s+50|[Jj]ust\s+[Ss]atisfaction)\)", re.I),
            "revision": re.compile(r"\((?:[Rr]evision)\)"), "interpretation": re.compile(r"\([Ii]nterpretation\)"),
            "preliminary objections": re.compile(r"\([Pp]reliminary [Oo]bjections?\)")}
"""Judgments that are not the principal one on an application, told by their titles."""


@dataclass
class Case:
    doc_id: str
    title: str
    date: str | None
    doc_type: str
    appnos: tuple[str, ...]
    states: tuple[str, ...]
    grand_chamber: bool
    applicant: tuple[str, ...]
    payload: dict
    core: tuple[str, ...] = ()
    """The applicant's words outside any parenthesis: `Othman` of `Othman (Abu Qatada)`."""

    @property
    def label(self) -> str:
        return cite({**self.payload, "paragraph": None, "page": None, "section": None})

    @property
    def variant(self) -> str | None:
        return next((name for name, pattern in VARIANTS.items() if pattern.search(self.title)), None)

    @property
    def number(self) -> int | None:
        """`(no. 2)`, or the Roman numeral of an inter-state case (`Georgia v. Russia (II)`)."""
        if m := re.search(r"\(nos?\.\s*(\d+)", self.title):
            return int(m.group(1))
        m = re.search(r"\((I{1,3}|IV|V|VI{1,3})\)", self.title)
        return ROMAN[m.group(1)] if m else None

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


def _similar(a: str, b: str) -> bool:
    """Spellings of one name (`Ponomaryov`, `Ponomarev`): equal, or at most one edit in six letters."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 2:
        return False
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio() >= 0.8


def name_agrees(cited: tuple[str, ...], case: tuple[str, ...], loose: bool = False) -> bool:
    """Whether a cited name names this applicant: its words are among the title's (`Othman` of `Othman (Abu
    Qatada)`); a name of initials must be the same initials (`AS` is not `DMF a.s.`). `loose`, for a name checked
    against the case its application number already found, asks only that a word of the name be a spelling of one
    of the title's (`Anatoliy Ponomaryov and Vitaliy Ponomaryov` of `Ponomaryovi`; not `Chahal` of `Saadi`)."""
    if not cited:
        return False
    if all(len(w) <= 4 and w.isalpha() for w in cited) and all(len(w) <= 4 for w in case) and (
            len(cited) == len(case)):
        return cited == case
    if loose:
        return any(_similar(w, c) for w in cited for c in case if len(w) > 2)
    return set(cited) <= set(case)


TITLE_KINDS_EXCLUDED = ("echr", "un", "national", "prc-law")
"""Kinds the grammar cites by their own forms; every other stored document (a report, a campaign page, an upload) is
cited by its title, as `kb.citations.style.cite` writes it."""
MIN_TITLE_CHARS = 12
"""A shorter title (`About`) is a word, not a citation, unless a pinpoint follows it (`About, para. 3`)."""


MAX_SUGGESTIONS = 3
SPELLING_SLACK = 0.4
"""Edits per letter of the cited applicant's name a suggestion may be away: `Ranniman` is 3 edits from `Raninen`
(8 letters allow 3); `Smith` allows 2, so `Smyth` is offered, `Saadi` is not."""


def _states(state: str | None) -> set[str]:
    """The respondent states a citation names: `Belgium and Greece` is two, `Bosnia and Herzegovina` one."""
    parts = re.split(r"\s*(?:,|\band\b|&)\s*", state or "")
    return {state_key(s) for s in [state or "", *parts] if s.strip()}


class CorpusIndex:
    """The store's documents as a citation resolver: ECtHR cases by application number and applicant name, UN
    General Comments, UK judgments and PRC statutes by their ids. Paragraphs are fetched per cited document.

    `store` is what the payloads are read from: the store, or its payload copy (`kb.store.payloads`), which needs no
    shard loaded and may be read while another process holds the store."""

    def __init__(self, store: Payloads) -> None:
        self.store = store
        self.cases: dict[str, Case] = {}
        self.by_appno: dict[str, list[str]] = {}
        self.by_word: dict[str, list[str]] = {}
        self.doc_ids: dict[str, set[str]] = {}
        self._chunks: dict[str, list[StoredChunk]] = {}
        for kind in ("un", "national", "prc-law"):
            self.doc_ids[kind] = {d for d, _ in store.facet("doc_id", SearchFilters(source_kinds=(kind,)), 10**6)}
        self.titles: dict[str, str] = {}
        """Title → doc id of the documents cited by title (reports, campaign pages, a lawyer's uploads)."""
        titled = tuple(k for k, _ in store.facet("source_kind", None, 100) if k not in TITLE_KINDS_EXCLUDED)
        if titled:
            for chunk in store.scroll(SearchFilters(source_kinds=titled)):
                title = " ".join((chunk.payload.get("title") or "").split())
                if len(title) >= 3:
                    self.titles.setdefault(title, chunk.payload["doc_id"])
            self.doc_ids["document"] = set(self.titles.values())
        cited = SearchFilters(source_kinds=("echr",), doc_types=("JUDGMENT", "DECISION"))
        ids = {d for d, _ in store.facet("doc_id", cited, 10**7)}
        firsts: dict[str, dict] = {}
        for chunk in store.scroll(SearchFilters(source_kinds=("echr",), doc_types=("JUDGMENT", "DECISION"),
                                                paragraphs=("1",))):
            firsts.setdefault(chunk.payload["doc_id"], chunk.payload)
        rest = sorted(ids - set(firsts))
        for start in range(0, len(rest), 50):
            for chunk in store.scroll(SearchFilters(doc_ids=tuple(rest[start:start + 50]))):
                firsts.setdefault(chunk.payload["doc_id"], chunk.payload)
        for doc_id, p in firsts.items():
            p = {k: v for k, v in p.items() if k != "text"}
            case = Case(doc_id, p.get("title") or doc_id, p.get("date"), p.get("doc_type", ""),
                        tuple(p.get("appno") or ()), tuple(state_key(s) for s in p.get("respondent_state") or ()),
                        bool(p.get("grand_chamber")), title_applicant(p.get("title") or ""), p,
                        title_applicant(p.get("title") or "", core=True))
            self.cases[doc_id] = case
            for a in case.appnos:
                self.by_appno.setdefault(a, []).append(doc_id)
            for w in set(case.applicant):
                self.by_word.setdefault(w, []).append(doc_id)

    def chunks(self, doc_id: str) -> list[StoredChunk]:
        if doc_id not in self._chunks:
            self._chunks[doc_id] = self.store.document_chunks(doc_id)
        return self._chunks[doc_id]

    def paragraphs(self, doc_id: str) -> dict[str, str]:
        """Pinpoint → paragraph text; a number printed twice (a separate opinion's) keeps the judgment's own."""
        out: dict[str, str] = {}
        for c in self.chunks(doc_id):
            number = c.payload.get("paragraph")
            if number and str(number) not in out:
                out[str(number)] = c.payload.get("text", "")
        return out

    def unnumbered(self, doc_id: str) -> list[tuple[str, str]]:
        """(where, text) of the paragraphs without a number: a decision's reasoning, a separate opinion."""
        out = []
        for c in self.chunks(doc_id):
            p = c.payload
            if not p.get("paragraph") and p.get("section") not in ("HEADER",):
                where = p.get("heading") if p.get("section") == "SEPARATE OPINION" else None
                out.append((f"the {where or (p.get('section') or 'unnumbered text').lower()}", p.get("text", "")))
        return out

    def by_name(self, name: str, state: str | None) -> list[Case]:
        """The cases whose applicant the name names (`name_agrees`) against one of the respondent states cited;
        when none does, the cases of the same state whose applicant's name is a spelling of it (`Ponomaryov` for
        `Ponomaryovi`): the Court's own spellings of one name vary."""
        tokens = applicant_tokens(name)
        if not tokens:
            return []
        wanted = _states(state)

        def of_state(c: Case) -> bool:
            return not wanted or not c.states or bool(wanted & set(c.states))

        pool = self.by_word.get(tokens[-1], [])
        exact = [c for d in pool if name_agrees(tokens, (c := self.cases[d]).applicant) and of_state(c)]
        if exact or not state or initials_only(name) or len(tokens[-1]) < 6:
            return exact
        return [c for c in self.cases.values() if of_state(c) and c.applicant
                and all(any(_similar(w, a) for a in c.applicant) for w in tokens)]

    def suggestions(self, name: str, state: str | None) -> list[Case]:
        """For a name that resolves to nothing, the stored cases against the same respondent state whose applicant is
        spelt closest (`Ranniman v Finland` → Raninen v. Finland): at most `MAX_SUGGESTIONS`, within `SPELLING_SLACK`
        of the name's letters, principal judgments before other documents of one name. Offered as a suggestion only:
        a citation is never resolved by spelling alone (a Ranniman may exist that the store does not hold)."""
        cited = " ".join(applicant_tokens(name))
        wanted = _states(state)
        if not cited or not wanted or initials_only(name):
            return []
        allowed = max(1, int(len(cited.replace(" ", "")) * SPELLING_SLACK))
        close: dict[str, tuple[int, int, Case]] = {}
        for case in self.cases.values():
            if not case.core or not wanted & set(case.states):
                continue
            distance = min(edit_distance(cited, spelling, allowed) for spelling in (" ".join(case.core), *case.core))
            if distance > allowed:
                continue
            rank = (distance, case.variant is not None or case.number is not None or case.doc_type != "JUDGMENT")
            key = " ".join(case.core)
            if key not in close or rank < close[key][:2]:
                close[key] = (*rank, case)
        return [case for *_, case in sorted(close.values(), key=lambda r: (r[0], r[1], r[2].title))][:MAX_SUGGESTIONS]

    def prc_versions(self, key: str | None, name: str) -> list[str]:
        """Stored versions of the statute a citation names (ids `PRC-<short title>[-<date>]`)."""
        wanted = {re.sub(r"[《》\s]", "", (key or name)).replace("中华人民共和国", "")}
        if not key:
            wanted.add(re.sub(r"[《》\s]", "", name).replace("中华人民共和国", ""))
        out = []
        for doc_id in self.doc_ids.get("prc-law", set()):
            short = re.sub(r"-\d{4}-\d{2}-\d{2}$", "", doc_id.removeprefix("PRC-"))
            short = re.sub(r"[《》\s]", "", short).replace("中华人民共和国", "")
            if short in wanted or any(w and (w.endswith(short) and len(short) >= 2) for w in wanted if key is None
                                      and re.search(r"[\u4e00-\u9fff]", w)):
                out.append(doc_id)
        if not out and not key:  # an English title outside the grammar's table: match the stored English titles
            folded = fold(re.sub(r"\s+of\s+the\s+People[’']s\s+Republic\s+of\s+China", "", name, flags=re.I))
            for doc_id in self.doc_ids.get("prc-law", set()):
                chunks = self.chunks(doc_id)
                english = (chunks[0].payload.get("doc_extra") or {}).get("english_title") if chunks else None
                if english and fold(re.sub(r"\s+of\s+the\s+People[’']s\s+Republic\s+of\s+China", "", english,
                                           flags=re.I)) == folded:
                    out.append(doc_id)
        return sorted(out)


# Checking ----------------------------------------------------------------------------------------------------------

@dataclass
class QuoteGrade:
    """How one attributed quotation compares with its source."""

    quote: str
    grade: str
    """`verbatim`, `near`, `differs`, `not_found` (at the pinpoint, or anywhere in the document without one), or
    `translation` (an English quotation of a Chinese source: not compared)."""
    missing: list[str] = field(default_factory=list)
    """The quotation's words that are not in the source."""
    found_at: str | None = None
    """Where the text does occur, when that is not the pinpoint (`§ 88`)."""
    differences: list[str] = field(default_factory=list)
    """For `near`: where the quotation departs from the source, in the brief's and the source's own words
    (`legal.quotations.Alignment.differences`)."""
    changes: list[dict] = field(default_factory=list)
    """The same, each with its place: `said` (the brief's words) at `said_span` of `quote`, `source` (the source's
    words) at `source_span` of the source's text the quotation was aligned with (its pinpointed paragraphs joined by
    a space), `source_words` (a long stretch left out is counted, not quoted)."""


@dataclass
class CheckedCitation:
    """One row of the report (`kb check --json` prints these)."""

    text: str
    line: int
    status: str
    reason: str
    kind: str
    doc_id: str | None = None
    citation: str | None = None
    """The corpus document's own citation, in the court's style."""
    paragraphs: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    quote_found_at: list[str] = field(default_factory=list)
    """Where each quotation that is not at the pinpoint does occur in the document (`§ 125`), if anywhere."""
    url: str | None = None
    where: str = ""
    """The location in the brief's own terms: `line 12`, `paragraph 14 (¶ 5)`, `[51]`, `footnote 3 (…)`."""
    quote_grades: list[QuoteGrade] = field(default_factory=list)
    quote_match: str | None = None
    """For a verified citation with quotations compared: `verbatim`, or `close` when one of them is close to the
    source but not verbatim (a word changed, left out or added without `…` or brackets; `QuoteGrade.differences`
    names them): the citation is right, the quotation is for the lawyer to correct or accept (the store's text
    lacks some words of the Court's, mostly place names, so a close match is not counted as an error)."""
    candidates: list[str] = field(default_factory=list)
    """For `ambiguous`: the documents the citation could mean."""
    suggestions: list[str] = field(default_factory=list)
    """For a name the store does not hold: the stored cases against the same state spelt closest, never a match."""
    start: int = field(default=0, repr=False)
    end: int = field(default=0, repr=False)
    block: int = field(default=0, repr=False)

    @property
    def mark(self) -> str:
        """The status as the report shows it: a verified citation whose quotation is close but not verbatim is
        marked apart (`CLOSE_QUOTE`), not shown as a plain `verified`."""
        return CLOSE_QUOTE if self.status == "verified" and self.quote_match == "close" else self.status

    def to_dict(self) -> dict:
        data = asdict(self)
        for k in ("start", "end", "block"):
            data.pop(k)
        return {k: v for k, v in data.items() if v is not None and v != [] and v != "" or k in ("text", "doc_id")}


@dataclass
class _Choice:
    case: Case | None = None
    status: str = "verified"
    reason: str = ""
    note: str = ""
    candidates: list[Case] = field(default_factory=list)


class Checker:
    """Checks found citations against a `CorpusIndex`, in reading order (`cited above`/`ibid.` look back)."""

    def __init__(self, index: CorpusIndex, link: Callable[[dict], str | None] = source_link) -> None:
        """`link`: a stored document's public page from its payload (`kb.citations.style.source_link` with the
        manifest's folder links, as `KnowledgeBase.link` gives it)."""
        self.index = index
        self.link = link
        self.statute_versions: dict[str, str] = {}
        """Statute → the version the brief cited with its year: a later citation without one means it again."""

    def check(self, found: list[Found]) -> list[CheckedCitation]:
        rows: list[CheckedCitation] = []
        reports: dict[str, CheckedCitation] = {}
        earlier: list[tuple[tuple[str, ...], CheckedCitation]] = []
        # the last row in the body (False) and in the footnotes (True): `ibid.` in a footnote is the previous
        # footnote's source, in the body the body's (a footnote read at its mark stands between them, not before)
        last: dict[bool, CheckedCitation] = {}
        statutes: dict[bool, Citation] = {}
        """The PRC statute each side last cited (its citation): what `Ibid., art. 43` cites at another article."""
        # without footnotes (a PDF or text brief) `Saadi (n 12)` is resolved by its name, as `cited above` is
        has_notes = any(f.note is not None for f in found)
        full_rows: dict[int, CheckedCitation] = {}
        """Rows of the citations that name their source whole, by index in `found`: made once, in reading order or
        earlier for a cross-reference to a note whose mark stands later (a note a lawyer added and numbered next)."""

        full_in_note: dict[int | None, list[int]] = {}
        """Indexes (in `found`) of the full citations, by the footnote they stand in: listed once, not searched for at
        every cross-reference."""
        for i, g in enumerate(found):
            if g.citation.form == "full":
                full_in_note.setdefault(g.note, []).append(i)

        def in_note(number: int | None) -> list[tuple[tuple[str, ...], CheckedCitation]]:
            """The full citations footnote `number` holds, resolved: what `(n 12)` refers to (OSCOLA's cross-reference
            names the note of the full citation)."""
            out = []
            for i in full_in_note.get(number, ()):
                g = found[i]
                if i not in full_rows:
                    full_rows[i] = self._full(g)
                out.append((applicant_tokens(g.citation.name) if g.citation.name else (), full_rows[i]))
            return out

        for i, f in enumerate(found):
            c = f.citation
            if c.form == "full" or c.kind == "uk":  # a UK short form names its judgment's neutral citation
                row = full_rows.get(i) or self._full(f)
                full_rows[i] = row
                if c.kind == "echr":
                    self._same_report(c, row, reports)
                    earlier.append((applicant_tokens(c.name), row))
            elif c.form == "note" or c.note is not None and c.form == "short" and has_notes:
                row = self._cross_reference(f, in_note(c.note), earlier)
            elif c.kind == "echr" and c.form == "short":
                row = self._echr_short(f, earlier)
            elif c.kind == "prc" and c.form == "ibid":
                side = (f.note is not None) if (f.note is not None) in last else (f.note is None)
                row = self._prc_ibid(f, last.get(side), statutes.get(side))
            else:
                row = self._ibid(f, last.get(f.note is not None) or last.get(f.note is None))
            rows.append(row)
            last[f.note is not None] = row
            if c.kind == "prc" and c.form == "full" and row.doc_id:
                statutes[f.note is not None] = c
        self._grade_quotes(found, rows)
        return rows

    def _full(self, f: Found) -> CheckedCitation:
        """A citation that names its source whole: an ECtHR case, a General Comment, a document by title, a UK
        judgment, a PRC statute."""
        c = f.citation
        if c.kind == "echr":
            return self._echr_full(f)
        if c.kind == "un":
            return self._un(f)
        if c.kind == "document":
            return self._document(f, c.key, "document", f"{c.name} is not in the store")
        if c.kind == "uk":
            parts = neutral_citation_parts(c.name or "")
            return self._document(f, parts[0] if parts else None, "national", f"{c.name} is not in the store")
        return self._prc(f)

    @staticmethod
    def _same_report(c: Citation, row: CheckedCitation, reports: dict[str, CheckedCitation]) -> None:
        """A law report names one case: `(2013) 56 EHRR 27` cited for Hode and Abdi, then for `Abdi v United Kingdom`
        (another case in the corpus), is a slip the report number shows."""
        for report in c.reports:
            if not names_one_judgment(report):
                continue  # `ECHR 2012`, `Reports 1996-V`: a volume shared by many judgments
            first = reports.get(report)
            if first is None:
                if row.doc_id and row.status not in CANNOT_VERIFY:
                    reports[report] = row
            elif row.doc_id and first.doc_id != row.doc_id and row.status == "verified":
                row.status = "name_number_mismatch"
                row.reason = (f"{report} is {first.citation} (as cited at {first.where}), not {c.name}; the corpus's "
                              f"{c.name} v. {c.state} is {row.citation}.")
                row.doc_id, row.citation, row.url = first.doc_id, first.citation, first.url  # the number decides

    def _row(self, f: Found, status: str, reason: str, case: Case | None = None) -> CheckedCitation:
        c = f.citation
        return CheckedCitation(c.text, f.line, status, reason, "echr" if c.form == "ibid" else c.kind,
                               case.doc_id if case else None, case.label if case else None, list(c.paragraphs),
                               list(f.quotes), url=self.link(case.payload) if case else None, where=f.where,
                               start=c.start, end=c.end, block=f.block)

    # ECtHR

    @staticmethod
    def _year_fits(c: Citation, year: int | None) -> bool:
        return c.year is None or year is not None and c.year - (0 if c.year_exact else REPORT_LAG) <= year <= c.year

    def _choose(self, c: Citation, candidates: list[Case]) -> _Choice:
        """The one document a citation means among candidates of the right name (or number), by its own evidence;
        `ambiguous` when several remain and nothing decides, a mismatch when its date or formation fits none."""
        pool = [k for k in candidates if (k.number or 1) == (c.number or 1)] or (
            [] if c.number and c.number > 1 else candidates)
        if not pool:
            return _Choice(status="not_in_corpus", reason=f"the corpus holds no “(no. {c.number})” case of that "
                           f"name (it has {candidates[0].label})", candidates=candidates)
        if c.variant in VARIANTS:
            marked = [k for k in pool if k.variant == c.variant]
            if not marked:
                return _Choice(status="not_in_corpus", reason=f"the corpus holds no {c.variant} judgment of "
                               f"{pool[0].title} (it has {pool[0].label})", candidates=pool)
            pool = marked
        else:
            principal = [k for k in pool if k.variant is None]
            if not principal:
                return _Choice(status="not_in_corpus", reason=f"the corpus holds only {pool[0].label}, not the "
                               "judgment on the merits", candidates=pool)
            pool = principal
        if c.decision:
            decisions = [k for k in pool if k.doc_type == "DECISION"]
            if not decisions:
                return _Choice(status="not_in_corpus", reason="the corpus holds no decision of that name (it has "
                               f"{pool[0].label})", candidates=pool)
            pool = decisions
        cited_name = set(applicant_tokens(c.name))
        same_name = [k for k in pool if cited_name in (set(k.applicant), set(k.core))]
        if not same_name and not (c.date or c.year or c.appnos):
            return _Choice(status="ambiguous", reason=f"{c.name} is only part of the name of "
                           + "; ".join(k.label for k in pool[:3]) + ": give the date or the application number",
                           candidates=pool)
        if c.date or c.year:
            fitting = [k for k in pool if k.date == c.date] if c.date else [k for k in pool
                                                                             if self._year_fits(c, k.year)]
            when = long_date(c.date) if c.date else str(c.year)
            if not fitting and not same_name and not c.appnos:
                return _Choice(status="not_in_corpus", reason=f"{c.name} v. {c.state} of {when} is not in the store "
                               f"(the corpus has {pool[0].label})", candidates=pool)
            if not fitting:
                pool = same_name or pool
                return _Choice(pool[0] if len(pool) == 1 else None, "date_mismatch", self._date_reason(pool, when),
                               candidates=pool)
            pool = fitting
        if len(pool) > 1 and not c.appnos:
            pool = [k for k in pool if cited_name in (set(k.applicant), set(k.core))] or pool  # Abdi, not Hode and Abdi
        if c.grand_chamber and any(k.grand_chamber for k in pool):
            pool = [k for k in pool if k.grand_chamber]
        if len(pool) > 1 and not c.decision:
            judgments = [k for k in pool if k.doc_type != "DECISION"]
            pool = judgments or pool
        if len(pool) > 1 and c.paragraphs:
            having = [k for k in pool if all(p in self.index.paragraphs(k.doc_id) for p in c.paragraphs)]
            pool = having or pool
        note = ""
        if len(pool) > 1:
            shared = set(pool[0].appnos).intersection(*(set(k.appnos) for k in pool[1:]))
            grand = [k for k in pool if k.grand_chamber]
            if shared and len(grand) == 1:
                chamber = [k for k in pool if not k.grand_chamber]
                note = (f"the Grand Chamber judgment, not the Chamber's of {long_date(chamber[0].date)}"
                        if chamber else "")
                pool = grand
        if len(pool) > 1:
            return _Choice(status="ambiguous", reason="the corpus holds " + "; ".join(k.label for k in pool[:4])
                           + ("; …" if len(pool) > 4 else "") + ": name the application number or the date",
                           candidates=pool)
        case = pool[0]
        if c.grand_chamber and not case.grand_chamber:
            return _Choice(case, "date_mismatch", f"{case.label}: a Chamber judgment in the corpus, not a Grand "
                           "Chamber one", candidates=pool)
        superseded = [k for k in self.index.cases.values() if k.grand_chamber and not case.grand_chamber
                      and set(k.appnos) & set(case.appnos) and (k.date or "") > (case.date or "")]
        if superseded:
            note = f"referred to the Grand Chamber, which gave judgment on {long_date(superseded[0].date)}"
        return _Choice(case, note=note)

    @staticmethod
    def _date_reason(pool: list[Case], cited: str | None) -> str:
        dates = ", ".join(sorted({long_date(k.date) or "undated" for k in pool}))
        what = pool[0].label if len(pool) == 1 else f"{pool[0].title} ({len(pool)} documents)"
        return f"{what}: the corpus dates it {dates}, not {cited}"

    def _echr_full(self, f: Found) -> CheckedCitation:
        c = f.citation
        tokens = applicant_tokens(c.name)
        if c.appnos:
            numbered = list({d: self.index.cases[d] for a in c.appnos for d in self.index.by_appno.get(a, [])}
                            .values())
            if numbered:
                agreeing = [k for k in numbered if name_agrees(tokens, k.applicant, loose=True)]
                if not agreeing:
                    named = self.index.by_name(c.name or "", c.state)
                    other = f"; the corpus's {c.name} is {named[0].label}" if named else ""
                    return self._row(f, "name_number_mismatch", f"no. {', '.join(c.appnos)} is {numbered[0].label}, "
                                     f"not {c.name}{other}.", numbered[0])
                choice = self._choose(c, agreeing)
                return self._chosen(f, choice)
            named = self.index.by_name(c.name or "", c.state)
            if named and not initials_only(c.name):
                choice = self._choose(c, named)
                if choice.case is not None and choice.status == "verified":
                    return self._row(f, "name_number_mismatch", f"{c.name} is {choice.case.label} in the corpus; "
                                     f"no. {', '.join(c.appnos)} is not its application number.", choice.case)
            hint = f" (the corpus's {c.name} v. {c.state} is {named[0].label})" if named else ""
            return self._row(f, "not_in_corpus", f"cannot verify: no. {', '.join(c.appnos)} ({c.name}) is not in "
                             f"the store{hint}.")  # the number names a case the store lacks: no spelling to suggest
        named = self.index.by_name(c.name or "", c.state)
        if not named:
            return self._suggested(self._row(f, "not_in_corpus", f"cannot verify: {c.name} v. {c.state} is not in "
                                             "the store."), c)
        return self._chosen(f, self._choose(c, named))

    def _suggested(self, row: CheckedCitation, c: Citation) -> CheckedCitation:
        """The row with the closest stored names of the same state (the cited name matched none), said as a
        suggestion in the reason (the CLI's and the app's table) and listed in `suggestions` (JSON, MCP)."""
        close = self.index.suggestions(c.name or "", c.state)
        if close:
            row.suggestions = [k.label for k in close]
            row.reason += (f" Suggestion only, not a match: did you mean {' or '.join(row.suggestions)}? Check the "
                           "name against the source before citing it.")
        return row

    def _chosen(self, f: Found, choice: _Choice) -> CheckedCitation:
        if choice.status == "ambiguous":
            row = self._row(f, "ambiguous", f"cannot verify: {choice.reason}.")
            row.candidates = [k.doc_id for k in choice.candidates]
            return row
        if choice.status != "verified" or choice.case is None:
            row = self._row(f, choice.status, (f"cannot verify: {choice.reason}" if choice.status == "not_in_corpus"
                                               else choice.reason) + ".", choice.case)
            row.candidates = [k.doc_id for k in choice.candidates] if choice.case is None else []
            return row
        row = self._pinpoints(f, choice.case.doc_id, choice.case.label, "echr", self.link(choice.case.payload))
        if choice.note:
            row.reason = row.reason.rstrip(".") + f" ({choice.note})."
        return row

    def _echr_short(self, f: Found, earlier: list[tuple[tuple[str, ...], CheckedCitation]]) -> CheckedCitation:
        tokens = applicant_tokens(f.citation.name)
        if f.citation.domestic_namesake and "§" not in f.citation.text:
            return self._row(f, "ambiguous", f"cannot verify: the text cites both a Strasbourg case and a domestic "
                             f"case named {f.citation.name}; this pinpoint may be either's.")
        resolved = [row for key, row in reversed(earlier)
                    if tokens and set(tokens) <= set(key) and row.doc_id and row.status not in CANNOT_VERIFY]
        if f.citation.same_place and not f.citation.paragraphs:  # `loc. cit.`: the last place cited, a pinpoint
            resolved = [row for row in resolved if row.paragraphs] + resolved  # (not a mention of the case by name)
        if resolved:
            return self._again(f, resolved[0])
        for key, row in reversed(earlier):
            if tokens and set(tokens) <= set(key):
                return self._row(f, row.status if row.status in CANNOT_VERIFY else "not_in_corpus",
                                 f"cannot verify: the earlier citation of {f.citation.name} did not resolve "
                                 f"({row.reason.rstrip('.')}).")
        named = self.index.by_name(f.citation.name or "", None)
        if named:
            return self._chosen(f, self._choose(f.citation, named))
        return self._row(f, "not_in_corpus", f"cannot verify: no earlier citation of {f.citation.name} resolves to "
                         "a document in the store.")

    def _cross_reference(self, f: Found, held: list[tuple[tuple[str, ...], CheckedCitation]],
                         earlier: list[tuple[tuple[str, ...], CheckedCitation]]) -> CheckedCitation:
        """`Saadi (n 12) [96]`, `supra note 12, § 80`, `(n 12) [96]`: the authority footnote 12 cites in full, as a
        reader follows the reference; a name footnote 12 does not cite is a wrong reference, said with what the note
        does cite (and the name then resolves as `cited above` does)."""
        c = f.citation
        tokens = applicant_tokens(c.name) if c.name else ()
        meant = [row for key, row in held if set(tokens) <= set(key)] if tokens else [row for _, row in held]
        if not meant and len(held) == 1 and held[0][1].kind != "echr":
            meant = [held[0][1]]  # `Smith (n 3) [45]` of a UK judgment: its parties are not in its neutral citation
        if len({row.doc_id for row in meant}) == 1:
            row = meant[-1]
            if not row.doc_id or row.status in CANNOT_VERIFY:
                return self._row(f, row.status if row.status in CANNOT_VERIFY else "not_in_corpus",
                                 f"cannot verify: the citation in footnote {c.note} did not resolve "
                                 f"({row.reason.rstrip('.')}).")
            return self._again(f, row)
        if meant:
            return self._row(f, "ambiguous", f"cannot verify: footnote {c.note} cites several authorities ("
                             + "; ".join(row.text for row in meant[:3]) + "); name the one meant.")
        reason = (f"footnote {c.note} cites {'; '.join(row.text for _, row in held[:3])}, not {c.name}" if held
                  else f"footnote {c.note} cites no authority in full")
        if not tokens:
            return self._row(f, "not_in_corpus", f"cannot verify: {reason}.")
        row = self._echr_short(f, earlier)
        if row.status not in CANNOT_VERIFY:
            row.status, row.reason = "name_number_mismatch", f"{reason}: {row.reason}"
        return row

    def _again(self, f: Found, row: CheckedCitation) -> CheckedCitation:
        """The document an earlier row resolved to, at this citation's pinpoint; at the earlier one for a bare
        `Ibid.` or `loc. cit.` (the same source at the same place)."""
        if not f.citation.paragraphs and row.paragraphs and (f.citation.form == "ibid" or f.citation.same_place):
            f = replace(f, citation=replace(f.citation, paragraphs=tuple(row.paragraphs)))
        case = self.index.cases.get(row.doc_id or "")
        if case is None:
            return self._pinpoints(f, row.doc_id or "", row.citation or "", row.kind, row.url)
        return self._pinpoints(f, case.doc_id, case.label, "echr", self.link(case.payload))

    def _prc_ibid(self, f: Found, last: CheckedCitation | None, statute: Citation | None) -> CheckedCitation:
        """`Ibid., art. 43` (`同上，第四十三条`): the statute of the citation just before, at the article it names."""
        if last is None or last.kind != "prc" or statute is None:
            what = f"“{f.citation.text}” names an article, "
            return self._row(f, "not_in_corpus", f"cannot verify: {what}but the citation before it is no statute."
                             if last else f"cannot verify: {what}with no citation before it.")
        c = f.citation
        return self._prc(replace(f, citation=replace(statute, form="full", start=c.start, end=c.end, text=c.text,
                                                     paragraphs=c.paragraphs, quotes=c.quotes)))

    def _ibid(self, f: Found, last: CheckedCitation | None) -> CheckedCitation:
        if last is None or not last.doc_id or last.status in CANNOT_VERIFY:
            return self._row(f, "not_in_corpus", "cannot verify: the citation “ibid.” refers to is not in the "
                             "store." if last else "cannot verify: “ibid.” with no citation before it.")
        return self._again(f, last)

    # Pinpoints and quotations

    def _pinpoints(self, f: Found, doc_id: str, label: str, kind: str, url: str | None) -> CheckedCitation:
        row = self._row(f, "verified", "")
        row.kind, row.doc_id, row.citation, row.url = kind, doc_id, label, url
        pins = list(f.citation.paragraphs)
        paragraphs = self.index.paragraphs(doc_id)
        if kind == "prc":
            pins = row.paragraphs
        missing = [p for p in pins if p not in paragraphs]
        if missing:
            numbers = sorted(int(p) for p in paragraphs if p.isdigit())
            span = "unnumbered"
            if numbers:  # `§ 1–128`; a UK paragraph is bracketed at both ends, `[1]–[499]` (was `[1]–499`)
                last = _pin(kind, [str(numbers[-1])]) if kind in ("uk", "national") else str(numbers[-1])
                span = f"{_pin(kind, [str(numbers[0])])}–{last}"
            row.status, row.reason = "pinpoint_missing", (
                f"{label} has no {_pin(kind, missing)} (its paragraphs run {span}).")
            return row
        pin = f", {_pin(kind, pins)}" if pins else ""
        row.reason = f"{label}{pin}: {'exists' if pin else 'found'}."
        return row

    def _grade_quotes(self, found: list[Found], rows: list[CheckedCitation]) -> None:
        """Grade every attributed quotation against its citation's document; a quotation shared by a group of notes
        (`…”[^3][^4]`) passes when any of them holds it."""
        for i, f in enumerate(found):
            row = rows[i]
            for quote in f.quotes:
                group = [rows[j] for j in (f.quote_group or [i]) if rows[j].doc_id and rows[j].status == "verified"]
                if row not in group:
                    continue
                grades = [(r, self._grade(quote, r)) for r in group]
                passing = [(r, g) for r, g in grades if g.grade in ("verbatim", "near", "translation")
                           and g.found_at is None]
                if passing:
                    r, g = passing[0]
                    if r is row:
                        row.quote_grades.append(g)
                    continue
                if row is not group[0]:
                    continue
                best = max(grades, key=lambda rg: (rg[1].found_at is not None, rg[1].grade != "not_found"))
                r, g = best if best[1].found_at else (row, grades[0][1])
                r.quote_grades.append(g)
            self._quote_status(row)

    def _grade(self, quote: str, row: CheckedCitation) -> QuoteGrade:
        doc_id = row.doc_id or ""
        kind = row.kind
        paragraphs = self.index.paragraphs(doc_id)
        source = " ".join(paragraphs.get(p, "") for p in row.paragraphs) or " ".join(list(paragraphs.values())[:20])
        if _chinese(quote) != _chinese(source):
            return QuoteGrade(quote, "translation")
        worst: QuoteGrade | None = None
        differences: list[str] = []
        changes: list[dict] = []
        at = 0
        for part, pins in numbered_parts(quote, tuple(row.paragraphs)):
            grade = self._grade_part(part, pins, doc_id, kind, paragraphs)
            differences += grade.differences
            at = max(0, quote.find(part, at))  # a numbered part's changes placed in the whole quotation
            changes += [{**c, "said_span": [c["said_span"][0] + at, c["said_span"][1] + at]}
                        if c["said_span"] else c for c in grade.changes]
            if worst is None or _RANK[grade.grade] > _RANK[worst.grade] or grade.found_at and not worst.found_at:
                worst = grade
        assert worst is not None
        near = worst.grade == "near"
        return QuoteGrade(quote, worst.grade, worst.missing, worst.found_at, differences if near else [],
                          changes if near else [])

    def _grade_part(self, part: str, pins: tuple[str, ...], doc_id: str, kind: str, paragraphs: dict[str, str]
                    ) -> QuoteGrade:
        here: Alignment | None = None
        if pins and all(p in paragraphs for p in pins):
            here = align(part, " ".join(paragraphs[p] for p in pins))
            if here.grade in ("verbatim", "near"):
                return QuoteGrade(part, here.grade, list(here.missing), differences=list(here.differences),
                                  changes=_changes(here))
        places = [(_pin(kind, [n]), t) for n, t in paragraphs.items() if n not in pins] + self.index.unnumbered(
            doc_id)
        elsewhere = best_place(part, places)
        if elsewhere and elsewhere[1].grade in ("verbatim", "near") and (here is None or
                                                                         elsewhere[1].coverage > here.coverage):
            if not pins:
                return QuoteGrade(part, elsewhere[1].grade, list(elsewhere[1].missing),
                                  differences=list(elsewhere[1].differences), changes=_changes(elsewhere[1]))
            return QuoteGrade(part, "not_found", list(here.missing) if here else [], elsewhere[0])
        if here is not None and here.grade == "differs":
            return QuoteGrade(part, "differs", list(here.missing))
        if not pins and elsewhere and elsewhere[1].grade == "differs":
            return QuoteGrade(part, "differs", list(elsewhere[1].missing), elsewhere[0])
        return QuoteGrade(part, "not_found", list(here.missing) if here else [])

    @staticmethod
    def _quote_status(row: CheckedCitation) -> None:
        if row.status != "verified" or not row.quote_grades:
            return
        problems = []
        for g in row.quote_grades:
            if g.grade in ("verbatim", "near", "translation"):
                continue
            words = "; ".join(f"“{w}”" for w in g.missing[:3]) + (" …" if len(g.missing) > 3 else "")
            if g.found_at and g.grade == "not_found":
                problems.append(("quote_not_found", f"the quotation “{_short(g.quote)}” is at {g.found_at}, not "
                                 f"{_pin(row.kind, row.paragraphs)}"))
                row.quote_found_at.append(g.found_at)
            elif g.grade == "differs":
                at = f" ({g.found_at})" if g.found_at else ""
                problems.append(("quote_differs", f"the quotation “{_short(g.quote)}” differs from the source{at}: "
                                 f"not in it: {words}"))
            else:
                problems.append(("quote_not_found", f"the quotation “{_short(g.quote)}” is not in {row.citation}"))
        near = [g for g in row.quote_grades if g.grade == "near"]
        translated = sum(1 for g in row.quote_grades if g.grade == "translation")
        if problems:
            row.status = "quote_not_found" if any(s == "quote_not_found" for s, _ in problems) else "quote_differs"
            row.reason = "; ".join(r for _, r in problems) + "."
        else:
            verbatim = len(row.quote_grades) - translated - len(near)
            close = "; ".join(f"quotation “{_short(g.quote, 5)}” close, not verbatim: "
                              + (", ".join(g.differences[:MAX_DIFFERENCES_SHOWN]) or "its wording differs")
                              + (" …" if len(g.differences) > MAX_DIFFERENCES_SHOWN else "") for g in near)
            row.reason = row.reason.rstrip(".") + (f"; {verbatim} quotation(s) verbatim" if verbatim else "") + (
                f"; {translated} translated quotation(s) not compared" if translated else "") + (
                f"; {close}" if close else "") + "."
            if verbatim or near:
                row.quote_match = "close" if near else "verbatim"

    # Other sources

    def _document(self, f: Found, doc_id: str | None, kind: str, absent: str) -> CheckedCitation:
        if not doc_id or doc_id not in self.index.doc_ids.get(kind, set()):
            return self._row(f, "not_in_corpus", f"cannot verify: {absent}.")
        payload = self.index.chunks(doc_id)[0].payload
        label = cite({**payload, "paragraph": None, "page": None, "section": None})
        return self._pinpoints(f, doc_id, label, f.citation.kind, self.link(payload))

    def _un(self, f: Found) -> CheckedCitation:
        c = f.citation
        kind, number = (c.key or "GC-0").split("-")
        matches = []
        for d in self.index.doc_ids.get("un", set()):
            parts = d.split("-")
            if len(parts) >= 4 and parts[-2] == kind and parts[-1] == number and (c.name is None
                                                                                 or c.name in parts[1:-2]):
                matches.append(d)
        if len(matches) > 1:
            row = self._row(f, "ambiguous", f"cannot verify: {', '.join(sorted(matches))} all have that number; name "
                            "the committee.")
            row.candidates = sorted(matches)
            return row
        what = f"{c.name + ' ' if c.name else ''}{'General Recommendation' if kind == 'GR' else 'General Comment'} " \
               f"No. {number} is not in the store"
        row = self._document(f, matches[0] if matches else None, "un", what)
        if row.doc_id and c.year and row.status == "verified":
            payload = self.index.chunks(row.doc_id)[0].payload
            years = {(payload.get("date") or "")[:4], str((payload.get("doc_extra") or {}).get("year")),
                     *re.findall(r"\((\d{4})\)", payload.get("title") or "")}
            if str(c.year) not in years:
                row.status, row.reason = "date_mismatch", (
                    f"{row.citation}: dated {' or '.join(sorted(y for y in years if y.isdigit()))}, not {c.year}.")
        return row

    def _prc(self, f: Found) -> CheckedCitation:
        c = f.citation
        versions = self.index.prc_versions(c.key, c.name or "")
        wanted = c.paragraphs[0]
        article, _, sub = wanted.partition("-")
        target = (int(article), int(sub or 0))
        # the version of the year cited, else the one cited before, else the latest (an amendment may renumber)
        before = self.statute_versions.get(c.key or c.name or "")
        order = sorted(versions, key=lambda d: (c.year is not None and str(c.year) in d, d == before, d),
                       reverse=True)
        for doc_id in order:
            for chunk in self.index.chunks(doc_id):
                label = chunk.payload.get("paragraph") or ""
                if article_number(label) == target:
                    row = self._row(f, "verified", "")
                    row.kind, row.doc_id, row.url = "prc", doc_id, self.link(chunk.payload)
                    row.citation = cite({**chunk.payload, "paragraph": None})
                    row.paragraphs = [label]
                    row.reason = f"{row.citation}, {label}: exists."
                    if c.year is not None:
                        self.statute_versions[c.key or c.name or ""] = doc_id
                    return row
        shown = f"art. {article}" + (f"-{sub}" if sub else "")
        if versions:
            row = self._row(f, "pinpoint_missing", f"{c.name} has no {shown} in the stored version(s) "
                            f"{', '.join(versions)}.")
            row.kind, row.doc_id = "prc", versions[-1]
            return row
        return self._row(f, "not_in_corpus", f"cannot verify: {c.name} is not in the store.")


MAX_DIFFERENCES_SHOWN = 4
"""Differences of a close quotation the reason names; JSON gives them all (`QuoteGrade.differences`)."""
REPORT_LAG = 3
"""Years a law report may follow the judgment: `Ponomaryov v Bulgaria (2014) 59 EHRR 20` reports the judgment of 21
June 2011."""


def _changes(alignment: Alignment) -> list[dict]:
    """An alignment's changes as the JSON gives them (`QuoteGrade.changes`)."""
    return [{"said": c.said, "source": c.source, "said_span": list(c.said_span) if c.said_span else None,
             "source_span": list(c.source_span) if c.source_span else None, "source_words": c.source_words}
            for c in alignment.changes]


def _chinese(text: str) -> bool:
    """Mostly Chinese: a quotation in English of a Chinese statute is a translation, not to be aligned with it."""
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return han > 0.3 * len(text.replace(" ", "") or " ")


_RANK = {"translation": 0, "verbatim": 0, "near": 1, "differs": 2, "not_found": 3}


def _pin(kind: str, numbers: Iterable[str]) -> str:
    """Pinpoints in the source's own style: `§ 125`, `para. 12`, `[63]`, `第二十二条`."""
    numbers = list(numbers)
    if kind in ("uk", "national"):
        return ", ".join(f"[{n}]" for n in numbers)
    if kind in ("prc", "prc-law"):
        return ", ".join(numbers)
    return f"{'§' if kind == 'echr' else 'para.'} {', '.join(numbers)}"


def _short(text: str, words: int = 8) -> str:
    """The quotation's first words (`In sum, the decision by …`); Chinese, written without spaces, by its first
    characters, two to a word (a 100-character quotation of Criminal Law art. 383 was shown whole)."""
    if _chinese(text):
        text = "".join(text.split())
        return text[:2 * words] + (" …" if len(text) > 2 * words else "")
    parts = " ".join(text.split()).split(" ")
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# Report ------------------------------------------------------------------------------------------------------------

def shows_ground(text: str, ground: str) -> bool:
    """Whether a text shows the signs of a built-in ground (`legal.grounds.Ground.signs`)."""
    return ground in GROUNDS and bool(re.search(GROUNDS[ground].signs, text, re.I))


LEADING_IMPORTANCE = 2
"""HUDOC's importance levels run from 1 (key case) to 4 (low); a leading authority is of level 1 or 2."""
LEADING_CITED_BY = 2
"""…or its paragraph is cited by this many judgments of the corpus (`kb citations build`): more than one court's
choice, not a single reference."""


def leads_on(hit: Hit, ground: str) -> bool:
    """Whether a search hit may be offered as a leading authority a brief arguing `ground` does not cite. A search
    for the ground's principles (`legal.grounds.Ground.queries`) also finds the Government's submission a judgment
    recounts, a paragraph that shares words but not the subject (Bykov v. Russia on "assurances" of a different
    kind) and minor judgments that restate a principle; so the passage must be the Court's own reasoning
    (`ingest.loaders.echr.speaker`), show the ground's signs, and not come from a judgment of lesser importance
    unless other judgments cite the paragraph. A judgment whose importance is unknown (a store without HUDOC's
    levels or the citation graph's estimate) is not refused for it: nothing says it is minor."""
    if speaker(hit.role) != "court" or not shows_ground(hit.text, ground):
        return False
    return (hit.importance is None or hit.importance <= LEADING_IMPORTANCE
            or (hit.cited_by or 0) >= LEADING_CITED_BY)


@dataclass
class MissingAuthority:
    ground: str
    label: str
    doc_id: str
    citation: str
    url: str | None


@dataclass
class CheckReport:
    source: str
    """The brief's path, or `<text>`."""
    citations: list[CheckedCitation]
    blocks: list[Block] = field(default_factory=list, repr=False)
    grounds: list[str] = field(default_factory=list)
    missing: list[MissingAuthority] = field(default_factory=list)
    missing_note: str = ""
    """Why `missing` was not looked for, when it could not be (the store held by another process)."""
    notices: list[str] = field(default_factory=list)
    """How the brief was read where the lawyer should know it (`read_brief`: a text file read as GB18030)."""

    def problems(self) -> list[CheckedCitation]:
        return [c for c in self.citations if c.status != "verified"]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for c in self.citations if c.status == s) for s in STATUSES}

    def to_dict(self) -> dict:
        return {"source": self.source, "citations": [c.to_dict() for c in self.citations], "counts": self.counts(),
                "grounds": self.grounds, "missing": [asdict(m) for m in self.missing],
                **({"missing_note": self.missing_note} if self.missing_note else {}),
                **({"notices": self.notices} if self.notices else {})}

    def table(self, width: int = 60) -> str:
        rows = [("where", "status", "citation", "reason")]
        rows += [(c.where or str(c.line), c.mark, _clip(c.text, width), c.reason) for c in self.citations]
        widths = [max(_display_width(r[i]) for r in rows) for i in range(3)]
        lines = [*self.notices, *([""] if self.notices else [])]
        lines += ["  ".join(r[i] + " " * (widths[i] - _display_width(r[i])) for i in range(3)) + "  " + r[3]
                  for r in rows]
        close = sum(1 for c in self.citations if c.mark == CLOSE_QUOTE)
        counts = ", ".join(f"{n} {s}" + (f" ({close} with a quotation close, not verbatim)" if s == "verified" and close
                                         else "") for s, n in self.counts().items() if n)
        lines.append(f"\n{len(self.citations)} citations: {counts or 'none'}")
        if self.missing:
            lines.append("\nYou may be missing:")
            for m in self.missing:
                lines.append(f"  [{m.label}] {m.citation}  ({m.doc_id})")
        if self.missing_note:
            lines.append(f"\nLeading authorities the brief does not cite: {self.missing_note}.")
        return "\n".join(lines)


def _display_width(text: str) -> int:
    """Columns `text` takes in a terminal: an East Asian wide or full-width character takes two (session 21: a
    Chinese citation, counted one a character, pushed its row's reason out of the table's column)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def argued_grounds(blocks: Iterable[Block]) -> list[str]:
    text = "\n".join(b.text for b in blocks)
    return [g for g in GROUNDS if shows_ground(text, g)]


def check_blocks(index: CorpusIndex, blocks: list[Block], source: str = "<text>",
                 link: Callable[[dict], str | None] = source_link) -> CheckReport:
    try:
        found = find_citations(blocks, titles=index.titles)
    except BriefError as exc:  # too many citations: say which brief
        raise BriefError(f"{'the text' if source == '<text>' else source}: {exc}") from None
    citations = Checker(index, link).check(found)
    return CheckReport(source, citations, blocks, argued_grounds(blocks))


# The annotated copy ------------------------------------------------------------------------------------------------

def annotate_docx(report: CheckReport, out: Path) -> Path:
    """A copy of the brief with a Word comment on each problem, anchored on the citation's own words (the runs are
    split around it); a citation in a footnote is commented at its footnote mark. A DOCX brief is copied as it is;
    any other brief is rebuilt paragraph by paragraph. The folder must exist."""
    import docx

    out = Path(out)
    if not out.parent.is_dir():
        raise BriefError(f"--docx {out}: the folder {out.parent} does not exist; create it or choose another")
    blocks, brief = report.blocks, Path(report.source)
    problems = report.problems()
    if brief.suffix.lower() == ".docx" and brief.is_file():
        document = _open_docx(brief)
        paragraphs = {i: p for i, p in enumerate(docx_paragraphs(document), 1)}
        by_block = {n: paragraphs[b.line] for n, b in enumerate(blocks) if b.line in paragraphs}
    else:
        document = docx.Document()
        by_block = {}
        for n, b in enumerate(blocks):
            by_block[n] = document.add_paragraph(b.text)
    for c in problems:
        paragraph = by_block.get(c.block)
        if paragraph is None:
            continue
        block = blocks[c.block]
        note = block.note_at(c.start)
        runs = _note_mark_runs(paragraph, note) if note else []  # a Word footnote: at its mark
        runs = runs or _split_runs(paragraph, block, c.start, c.end)  # else the citation's own words
        if not runs:
            runs = paragraph.runs or [paragraph.add_run("")]
        where = f"footnote {note.label}: " if note else ""
        document.add_comment(runs, text=f"{c.status}: {where}{c.text}: {c.reason}", author="kb check",
                             initials="kb")
    document.save(str(out))
    return out


def _run_spans(paragraph, block: Block) -> Iterator[tuple[object, int, int]]:
    """(run, start, end) of each text run in the block's own offsets: every run in document order, those inside a
    hyperlink too, as `_docx_blocks` read them (footnote texts read inline take room there but have no run)."""
    from docx.text.run import Run

    pos = 0
    notes = iter(block.notes)
    note = next(notes, None)
    for r in paragraph._p.iter(f"{_W}r"):
        run = Run(r, paragraph)
        for el in run._r:
            if el.tag == f"{_W}footnoteReference" and note is not None:
                pos = note.end + 1
                note = next(notes, None)
        text = run.text
        yield run, pos, pos + len(text)
        pos += len(text)


def _split_runs(paragraph, block: Block, start: int, end: int) -> list:
    """The runs that hold exactly [start, end) of the paragraph, made by splitting the runs at both ends (each half
    keeps the run's formatting)."""
    from copy import deepcopy

    for boundary in (start, end):
        for run, s, e in list(_run_spans(paragraph, block)):
            if s < boundary < e and len(run._r.findall(f"{_W}t")) == 1:
                tail = deepcopy(run._r)
                run._r.addnext(tail)
                text = run.text
                run.text = text[:boundary - s]
                tail.find(f"{_W}t").text = text[boundary - s:]
                tail.find(f"{_W}t").set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                run._r.find(f"{_W}t").set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                break
    return [run for run, s, e in _run_spans(paragraph, block) if s < end and e > start and run.text]


def _note_mark_runs(paragraph, note: Note) -> list:
    """The run that holds the footnote's mark in the body."""
    from docx.text.run import Run

    for run in (Run(r, paragraph) for r in paragraph._p.iter(f"{_W}r")):
        for el in run._r:
            if el.tag == f"{_W}footnoteReference" and el.get(f"{_W}id") == note.label:
                return [run]
    return []
