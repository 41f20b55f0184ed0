"""Generic HTML pages (drop-folder material): the text of paragraphs, list items and headings."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.html
from lxml import etree

from ingest.loaders.common import check_xml_elements, decode_text, read_bytes
from ingest.loaders.text_blocks import (
    detect_language,
    doc_id_prefix,
    file_doc_id,
    has_words,
    join_lines,
    normalise_ws,
    split_blocks,
)
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError

_DROP = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _HEADINGS | {"p", "li", "blockquote", "pre", "dd", "dt", "td", "th", "caption", "figcaption"}


def _is_leaf_block(element: etree._Element) -> bool:
    """A block that holds no other block, so nested markup (`<li><p>`) is read once."""
    return not any(isinstance(child.tag, str) and child.tag in _BLOCKS for child in element.iterdescendants())


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    data = read_bytes(path)
    text = decode_text(path, data)
    check_xml_elements(path, io.BytesIO(data), html=True, what="HTML page")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise BadInputError(path, f"cannot parse HTML ({exc})") from exc
    page_title = normalise_ws(root.findtext(".//title") or "")
    for element in root.iter(*_DROP):
        element.drop_tree()
    for comment in root.iter(etree.Comment):
        comment.drop_tree()

    paragraphs: list[Paragraph] = []
    heading: str | None = None
    first_h1: str | None = None
    for element in root.iter(*_BLOCKS):
        if not _is_leaf_block(element):
            continue
        block = normalise_ws(element.text_content())
        if not has_words(block):
            continue
        if element.tag in _HEADINGS:
            heading = block
            if element.tag == "h1" and first_h1 is None:
                first_h1 = block
            continue
        if element.tag == "pre":
            block = element.text_content().strip()
        paragraphs.append(Paragraph(text=block, heading=heading))
    if not paragraphs:
        body = root.find("body")
        loose = body.text_content() if body is not None else root.text_content()
        paragraphs = [Paragraph(text=t) for t in (join_lines(b) for b in split_blocks(loose)) if has_words(t)]
    if not paragraphs:
        raise BadInputError(path, "no text in the HTML page (no paragraphs, list items or body text)")
    return [
        SourceDocument(
            doc_id=file_doc_id(doc_id_prefix(kind), source_file),
            title=page_title or first_h1 or path.stem,
            court="",
            doc_type="DOCUMENT",
            source_kind=kind,
            source_file=source_file,
            paragraphs=paragraphs,
            language=detect_language(" ".join(p.text for p in paragraphs)),
        )
    ]
