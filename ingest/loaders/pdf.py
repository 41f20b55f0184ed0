"""PDF reports and documents via pypdf: paragraphs rebuilt from hard-wrapped lines, page by page.

pypdf gives one line per printed line and rarely a blank line between paragraphs, so a paragraph ends at a
blank line, at a line that starts a numbered paragraph / list item after a sentence end, after a short line
(a heading or a paragraph's last line) when the next line starts like a new sentence, or at a sentence end
marked by the trailing double space Word and iText leave after a paragraph's last line. Page numbers and
running headers (the same line on most pages) are dropped; `I. Introduction`-style headings go to
`Paragraph.heading`.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pypdf
from pypdf.errors import LimitReachedError, PyPdfError

from ingest.loaders.common import read_bytes
from ingest.loaders.text_blocks import (
    NumberSequence,
    detect_language,
    doc_id_prefix,
    file_doc_id,
    has_words,
    join_lines,
    leading_number,
    normalise_ws,
)
from ingest.model import BadInputError, Paragraph, SourceDocument


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
        "OHCHR Assessment of human rights concerns in the Xinjiang Uyghur Autonomous Region, "
        "People’s Republic of China",
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

_SENTENCE_END = re.compile(r"""[.!?:;”"’)\]—–]\d{0,3}$|[。！？；：」』）]$""")
_ITEM_START = re.compile(r"^(?:\d{1,3}\.\s|\(\w{1,4}\)\s|[•●▪\uf0b7\-–]\s|SEC(?:TION)?\.?\s+\d|[A-Z]{1,4}\.\s+[A-Z])")
_NEW_LINE_START = re.compile(r"^[A-Z0-9“\"(•●▪\uf0b7]")
_HEADING = re.compile(r"^(?:[IVX]{1,5}|[A-H])\.\s+\S")
_SECTION = re.compile(r"^SEC(?:TION)?\.?\s+\d+\.\s")
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


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    reader = _reader(path)
    texts = _page_texts(path, reader)
    if not any(has_words(text) for text in texts):
        raise BadInputError(path, "no extractable text (scanned PDF; needs OCR)")

    pages = [text.splitlines() for text in texts]
    furniture = _furniture(pages)
    numbers = NumberSequence()
    paragraphs: list[Paragraph] = []
    heading: str | None = None
    for page_number, lines in enumerate(pages, start=1):
        for index, block in enumerate(_blocks(lines, furniture)):
            text = join_lines(block)
            if len(text) < 3 or not has_words(text):
                continue
            if _HEADING.match(text) and len(text) <= 200 and not _SENTENCE_END.search(text):
                heading = text
                continue
            number = numbers.take(leading_number(text))
            if number is None and index == 0 and numbers.last is not None and not _ITEM_START.match(text):
                number = str(numbers.last)  # the numbered paragraph running on from the previous page
            paragraphs.append(Paragraph(text=text, number=number, page=page_number, heading=heading))

    empty_pages = [n for n, text in enumerate(texts, start=1) if not has_words(text)]
    known = KNOWN.get(path.name)
    first = paragraphs[0].text
    return [
        SourceDocument(
            doc_id=known.doc_id if known else file_doc_id(doc_id_prefix(kind), source_file),
            title=known.title if known else _title(reader, first, path),
            court=known.court if known else normalise_ws(str((reader.metadata or {}).get("/Author") or "")),
            doc_type="REPORT" if kind == "report" else "DOCUMENT",
            source_kind=kind,
            source_file=source_file,
            paragraphs=paragraphs,
            date=known.date if known else None,
            language=detect_language(" ".join(p.text for p in paragraphs[:50])),
            url=known.url if known else None,
            text_defects=["pages_without_text"] if empty_pages else [],
            extra={"pages": len(texts), "pages_without_text": empty_pages},
        )
    ]
