"""Plain text files (drop-folder notes, exported judgments): blank-line separated paragraphs."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders.common import read_text
from ingest.loaders.self_description import FIRST_LINES, UPLOAD, describe
from ingest.loaders.text_blocks import (
    NumberSequence,
    detect_language,
    doc_id_prefix,
    file_doc_id,
    has_words,
    join_lines,
    split_blocks,
)
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError
from legal.text import leading_number


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    blocks = [text for text in (join_lines(block) for block in split_blocks(read_text(path))) if has_words(text)]
    if not blocks:
        raise BadInputError(path, "no text paragraphs (only punctuation or rules)")
    numbers = NumberSequence()
    paragraphs = [Paragraph(text=text, number=numbers.take(leading_number(text))) for text in blocks]
    said = describe(blocks[:FIRST_LINES] if kind == UPLOAD else [], "",
                    blocks[0] if len(blocks[0]) <= 200 else "", path.stem)
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
            language=detect_language(" ".join(blocks)),
        )
    ]
