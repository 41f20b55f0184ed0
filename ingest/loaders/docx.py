"""Word documents (drop-folder material) via python-docx: body paragraphs and tables in reading order."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from lxml import etree

from ingest.loaders.common import check_docx_parts, check_zip, read_bytes
from ingest.loaders.self_description import FIRST_LINES, UPLOAD, describe
from ingest.loaders.text_blocks import (
    NumberSequence,
    detect_language,
    doc_id_prefix,
    file_doc_id,
    has_words,
    normalise_ws,
)
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError
from legal.text import leading_number


def _open(path: Path):
    data = read_bytes(path)
    if not data.startswith(b"PK"):
        raise BadInputError(path, "not a DOCX file (no ZIP signature); re-save it from Word as .docx")
    check_docx_parts(path, check_zip(path, data))
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, etree.XMLSyntaxError, ValueError, EOFError) as exc:
        raise BadInputError(path, f"corrupt or truncated DOCX ({type(exc).__name__}: {exc})") from exc


def _blocks(document) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph and table row, in reading order."""
    out = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(normalise_ws(cell.text) for cell in row.cells))
                out.append(("Table", " | ".join(c for c in cells if c)))
        else:
            out.append((item.style.name if item.style is not None else "", normalise_ws(item.text)))
    return out


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    document = _open(path)
    paragraphs: list[Paragraph] = []
    heading: str | None = None
    first_heading: str | None = None
    title = normalise_ws(document.core_properties.title or "")
    numbers = NumberSequence()
    for style, text in _blocks(document):
        if not has_words(text):
            continue
        if style == "Title":
            title = title or text
            continue
        if style.startswith("Heading"):
            heading = text
            first_heading = first_heading or text
            continue
        paragraphs.append(Paragraph(text=text, heading=heading, number=numbers.take(leading_number(text))))
    if not paragraphs:
        raise BadInputError(path, "the DOCX has no text (empty document or only images)")
    said = describe([text for _, text in _blocks(document)[:FIRST_LINES]] if kind == UPLOAD else [],
                    normalise_ws(document.core_properties.author or ""), title or first_heading or "", path.stem)
    return [
        SourceDocument(
            doc_id=file_doc_id(doc_id_prefix(kind), source_file),
            title=said.title,
            court=said.author,
            date=said.date,
            doc_type="DOCUMENT",
            source_kind=kind,
            source_file=source_file,
            paragraphs=paragraphs,
            language=detect_language(" ".join(p.text for p in paragraphs)),
            # The file's creation time is not the document's date (templates carry old ones), so it is only a hint.
            extra={"file_created": created.isoformat() if (created := document.core_properties.created) else None},
        )
    ]
