"""Text from scanned pages: Tesseract (English and simplified Chinese) through pytesseract, page by page.

The requesting state's papers in a real case (the request, the warrant, the rulings) usually arrive as scans, so a
PDF without a text layer, or a photographed page, is read by OCR instead of being skipped. Pages are rendered with
pypdfium2 (already a dependency of the PDF stack) at 300 dpi, Tesseract's recommended resolution. Tesseract itself is
a system program (Debian: `tesseract-ocr tesseract-ocr-chi-sim`, installed by `make run` and `.ci/run` where
apt-get exists); where it is absent the file is refused with one line that says so, and the run goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from legal.errors import BadInputError

LANGUAGES = ("chi_sim", "eng")
DPI = 300
MAX_OCR_PAGES = 200
"""A scanned request or ruling runs to tens of pages; OCR costs seconds a page, so a larger scan is refused."""
MAX_PIXELS = 60_000_000
"""An image larger than this (an A0 scan at 600 dpi) is refused before Tesseract holds it in memory."""
_WIDE = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_WIDE}) +(?={_WIDE}|\d)|(?<=\d) +(?={_WIDE})")
"""Tesseract puts a space between Chinese characters, and between them and digits (`自 2019 年`); Chinese has
none."""
INSTALL_HINT = ("install Tesseract with English and simplified Chinese (Debian: apt-get install tesseract-ocr "
                "tesseract-ocr-chi-sim; `make run` does this where apt-get exists)")


@lru_cache(maxsize=1)
def missing() -> str | None:
    """Why OCR cannot run here (one line naming what to install), or None when it can."""
    try:
        import pytesseract
    except ImportError:
        return f"OCR needs the pytesseract package and {INSTALL_HINT}"
    try:
        languages = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError):
        return f"OCR needs the tesseract program: {INSTALL_HINT}"
    absent = [lang for lang in LANGUAGES if lang not in languages]
    return f"Tesseract lacks the language data {', '.join(absent)}: {INSTALL_HINT}" if absent else None


def clean(text: str) -> str:
    """OCR output as the loaders' text: no space inside Chinese, no trailing blanks."""
    return "\n".join(_CJK_SPACE.sub("", line).rstrip() for line in text.splitlines())


def read_image(image, path: Path, page: int | None = None) -> str:
    """The text of one page image."""
    import pytesseract

    if image.width * image.height > MAX_PIXELS:
        where = f"page {page}: " if page else ""
        raise BadInputError(path, f"{where}image of {image.width}×{image.height} pixels is too large to OCR "
                                  f"(limit {MAX_PIXELS:,} pixels)")
    try:
        return clean(pytesseract.image_to_string(image, lang="+".join(LANGUAGES)))
    except (pytesseract.TesseractError, RuntimeError, OSError) as exc:
        raise BadInputError(path, f"OCR failed{f' on page {page}' if page else ''} ({exc})") from exc


def pdf_pages(path: Path, data: bytes) -> list[str]:
    """The OCR text of every page of a scanned PDF, in page order; refused (one line) where OCR is not installed."""
    problem = missing()
    if problem:
        raise BadInputError(path, f"no extractable text (scanned PDF): {problem}")
    return [read_image(image, path, number) for number, image in _rendered(path, data)]


def _rendered(path: Path, data: bytes) -> Iterator[tuple[int, object]]:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise BadInputError(path, f"cannot render the scanned PDF for OCR ({exc})") from exc
    try:
        if len(pdf) > MAX_OCR_PAGES:
            raise BadInputError(path, f"scanned PDF of {len(pdf)} pages; OCR reads at most {MAX_OCR_PAGES}")
        for index in range(len(pdf)):
            yield index + 1, pdf[index].render(scale=DPI / 72).to_pil()
    finally:
        pdf.close()
