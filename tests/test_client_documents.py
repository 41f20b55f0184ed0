"""The lawyer's own documents: cited by what they say about themselves, and read by OCR when they are scans."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from client_briefs import EXPERT_REPORT_LINES, SCANNED_RULING, write_expert_report  # noqa: E402

from ingest.loaders import docx as docx_loader  # noqa: E402
from ingest.loaders.self_description import describe, parse_date  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]


def test_a_document_is_described_by_its_first_lines_then_its_properties_then_its_name():
    said = describe(list(EXPERT_REPORT_LINES), author="Chambers Workstation 3", title="Expert report - Uyghur",
                    fallback_title="expert-report-marsh")
    assert (said.author, said.date) == ("Dr Helen Marsh", "2026-12-02")
    assert said.title == "Expert report: the treatment of Uyghurs returned to the People's Republic of China"
    plain = describe(["The family visited him twice.", "He was thin."], author="Word User", title="",
                     fallback_title="family-statement")
    assert (plain.author, plain.title, plain.date) == ("Word User", "family-statement", None)
    assert [parse_date(t) for t in ("Dated 2 December 2026", "December 2, 2026", "2026年12月2日", "31 February 2026")
            ] == ["2026-12-02", "2026-12-02", "2026-12-02", None]


def test_an_uploaded_docx_is_cited_by_its_author_and_date_not_the_workstation(tmp_path):
    path = write_expert_report(tmp_path / "report.docx")
    [upload] = docx_loader.load(path, str(path), "upload")
    assert (upload.court, upload.date) == ("Dr Helen Marsh", "2026-12-02")
    assert upload.title.startswith("Expert report: the treatment of Uyghurs")
    [corpus] = docx_loader.load(path, str(path), "campaign")  # a corpus source keeps what its loader gives it
    assert corpus.court == "Chambers Workstation 3"


def test_a_scanned_pdf_without_tesseract_is_refused_in_one_line(corpus_root, tmp_path):
    """No OCR program on the PATH: the scan is refused with one line naming what to install, not skipped silently."""
    code = ("import sys; from pathlib import Path; from ingest.loaders import pdf; from legal.errors import "
            "BadInputError\ntry:\n    pdf.load(Path(sys.argv[1]), 'ruling.pdf', 'campaign')\nexcept BadInputError "
            "as exc:\n    print(exc)\n")
    empty = tmp_path / "bin"
    empty.mkdir()
    run = subprocess.run([sys.executable, "-c", code, str(corpus_root / SCANNED_RULING)], capture_output=True,
                         text=True, timeout=120, cwd=PROJECT,
                         env={**os.environ, "PATH": str(empty), "PYTHONPATH": str(PROJECT)})
    message = run.stdout.strip()
    assert run.returncode == 0 and len(message.splitlines()) == 1, (run.stdout, run.stderr[-500:])
    assert "no extractable text (scanned PDF)" in message and "tesseract-ocr-chi-sim" in message


def test_a_photographed_page_is_read_by_ocr_and_describes_itself(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    from ingest.loaders import image, ocr

    if ocr.missing():
        pytest.skip(ocr.missing())
    page = Image.new("RGB", (1700, 700), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=44)
    lines = ("Statement of the family of Mr Li Wei", "Prepared by Li Na, his sister", "Dated 3 November 2026",
             "He was held in liuzhi for six months and his family was never told where.")
    for n, line in enumerate(lines):
        draw.text((60, 60 + n * 120), line, fill="black", font=font)
    path = tmp_path / "statement.png"
    page.save(path)
    [doc] = image.load(path, str(path), "upload")
    text = " ".join(p.text for p in doc.paragraphs)
    assert "liuzhi" in text and all(p.page == 1 for p in doc.paragraphs)
    assert (doc.court, doc.date) == ("Li Na", "2026-11-03")
