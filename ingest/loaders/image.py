"""A photographed or scanned page (PNG, JPEG, TIFF) read by OCR (`ingest.loaders.ocr`): one page, cited by page."""

from __future__ import annotations

import io
from pathlib import Path

from ingest.loaders import ocr
from ingest.loaders.common import read_bytes
from ingest.loaders.self_description import FIRST_LINES, describe
from ingest.loaders.text_blocks import detect_language, doc_id_prefix, file_doc_id, has_words, join_lines, split_blocks
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    from PIL import Image, UnidentifiedImageError

    problem = ocr.missing()
    if problem:
        raise BadInputError(path, f"an image has no text layer: {problem}")
    try:
        with Image.open(io.BytesIO(read_bytes(path))) as image:
            frames = getattr(image, "n_frames", 1)
            texts = []
            for frame in range(min(frames, ocr.MAX_OCR_PAGES)):
                image.seek(frame)
                texts.append(ocr.read_image(image.convert("RGB"), path, frame + 1 if frames > 1 else None))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise BadInputError(path, f"not a readable image ({exc})") from exc
    paragraphs = [Paragraph(text=text, page=page)
                  for page, page_text in enumerate(texts, 1)
                  for text in (join_lines(block) for block in split_blocks(page_text)) if has_words(text)]
    if not paragraphs:
        raise BadInputError(path, "no text found by OCR in the image")
    said = describe([line for text in texts for line in text.splitlines()][:FIRST_LINES], "", "", path.stem)
    return [SourceDocument(doc_id=file_doc_id(doc_id_prefix(kind), source_file), title=said.title, court=said.author,
                           date=said.date, doc_type="DOCUMENT", source_kind=kind, source_file=source_file,
                           paragraphs=paragraphs, language=detect_language(" ".join(p.text for p in paragraphs)),
                           text_defects=["ocr"], extra={"ocr": True, "pages": len(texts)})]
