"""Hostile files of every format we read, generated here: each is refused with one line naming the file and the
field or limit, the good file beside it is stored, and a bomb stays under a memory ceiling measured in a subprocess.

Paths covered: the loaders themselves (what every path calls through `loader_for`), `kb ingest FILE`, the corpus,
the drop folder, UI uploads and HUDOC results. The stores are real Qdrant Edge stores and the model is the real one.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import home_env
from pypdf.generic import NameObject, StreamObject

from ingest.hudoc import to_document
from ingest.loaders import loader_for
from ingest.loaders.common import MAX_FILE_BYTES, MAX_XML_ELEMENTS
from kb.api import KnowledgeBase
from kb.indexing.ingest import IngestRequest
from kb.indexing.update import UpdateRequest, run_update, save_upload
from kb.settings import Settings
from legal.errors import BadInputError

PROJECT = Path(__file__).resolve().parents[1]

GOOD_TEXT = """Expert report on detention conditions in the requesting state

1. The remand centre at Qincheng holds detainees in cells of four square metres without daylight.

2. Lawyers of the detainees' choosing are refused access for the first six months of detention.
"""

RECORD = {
    "id": "001-990001",
    "title": "CASE OF HOSTILE v. NOWHERE",
    "doctype": "JUDGMENT",
    "language": "en",
    "date": "2020-01-02",
    "respondent_state": "Nowhere",
    "articles": ["3"],
    "importance": "2",
    "appno": "1/20",
    "extra": {"hudoc_doctype": "CHAMBER"},
    "paragraphs": ["PROCEDURE", "1. The case originated in an application against Nowhere.",
                   "2. The applicant alleged a real risk of ill-treatment on return."],
    "paragraph_numbers": [None, 1, 2],
}


def _record(**changes: object) -> bytes:
    record = copy.deepcopy(RECORD)
    record.update(changes)
    return json.dumps(record).encode()


def _nested(depth: int) -> bytes:
    return b'{"paragraphs": ["x"], "extra": ' + b"[" * depth + b"]" * depth + b"}"


UN_GOOD = {"metadata": {"committee": "CAT", "kind": "General Comment", "number": 99, "title": "General Comment 99"},
           "paragraphs": [{"ID": 1, "Text": "States parties shall not expel a person to a State where torture."}]}


def _un(meta: dict | None = None, paragraph: dict | None = None) -> bytes:
    data = copy.deepcopy(UN_GOOD)
    data["metadata"].update(meta or {})
    data["paragraphs"][0].update(paragraph or {})
    return json.dumps(data).encode()


def _docx_bytes(paragraphs: int = 1) -> bytes:
    document = docx.Document()
    for i in range(paragraphs):
        document.add_paragraph(f"Paragraph {i} of a counsel's note on the risk of torture on return.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_of_empty_paragraphs(count: int) -> bytes:
    """A real DOCX whose body is `count` empty paragraphs: 20 million make 208 KB zipped and 120 MB of XML."""
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != "word/document.xml":
                target.writestr(entry, source.read(entry))
                continue
            head = source.read(entry).partition(b"<w:body>")[0]
            with target.open("word/document.xml", "w", force_zip64=True) as part:  # written in pieces: stays small
                part.write(head + b"<w:body>")
                for _ in range(count // 100_000):
                    part.write(b"<w:p/>" * 100_000)
                part.write(b"</w:body></w:document>")
    return out.getvalue()


def _zip_bomb_docx() -> bytes:
    """A DOCX with a 300 MB part of zeros (300 KB zipped)."""
    out = io.BytesIO(_docx_bytes())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
        with target.open("word/media/zeros.bin", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                part.write(block)
    return out.getvalue()


def _pdf(pages: int = 1, content: bytes | None = None) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    if content is not None:
        stream = StreamObject()
        stream.set_data(zlib.compress(content, 9))  # set_data stores the bytes as given: already compressed
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _gzip_bomb() -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        block = b" " * (1 << 20)
        for _ in range(MAX_FILE_BYTES // len(block) + 8):
            gz.write(block)
    return out.getvalue()


def _text_pdf() -> bytes:
    """A one-page PDF with real text (a Helvetica text object), the good file beside a bad one."""
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = writer._add_object(pypdf.generic.DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    page[NameObject("/Resources")] = pypdf.generic.DictionaryObject({
        NameObject("/Font"): pypdf.generic.DictionaryObject({NameObject("/F1"): font})})
    stream = StreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 720 Td (Detainees are denied access to a lawyer of their choosing.) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CASES: list[tuple[str, str, bytes | Callable[[], bytes], str]] = [
    # (file name, format, content, what the one-line error must say)
    ("echr_deep.json", "echr-json", _nested(100_000), "nested"),
    ("echr_extra_deep.json", "echr-json", _record(extra={"a": {"b": {"c": {"d": {"e": 1}}}}}), "field 'extra'"),
    ("echr_date_int.json", "echr-json", _record(date=12345), "field 'date'"),
    ("echr_date_garbage.json", "echr-json", _record(date="not a date"), "field 'date'"),
    ("echr_date_impossible.json", "echr-json", _record(date="2020-02-31"), "not a calendar date"),
    ("echr_paragraph_int.json", "echr-json", _record(paragraphs=["PROCEDURE", 17, "x"]), "field 'paragraphs[1]'"),
    ("echr_paragraph_object.json", "echr-json", _record(paragraphs=["a", {"text": "b"}, "c"]),
     "field 'paragraphs[1]'"),
    ("echr_title_list.json", "echr-json", _record(title=["CASE", "OF"]), "field 'title'"),
    ("echr_state_int.json", "echr-json", _record(respondent_state=7), "field 'respondent_state'"),
    ("echr_extra_list.json", "echr-json", _record(extra=[1, 2]), "field 'extra'"),
    ("echr_extra_string.json", "echr-json", _record(extra="odd"), "field 'extra'"),
    ("echr_id_object.json", "echr-json", _record(id={"x": 1}), "field 'id'"),
    ("echr_articles_object.json", "echr-json", _record(articles=[{"a": 3}]), "field 'articles[0]'"),
    ("echr_importance_bool.json", "echr-json", _record(importance=True), "field 'importance'"),
    ("echr_numbers_float.json", "echr-json", _record(paragraph_numbers=[None, 1.5, 2]),
     "field 'paragraph_numbers[1]'"),
    ("echr_title_huge.json", "echr-json", _record(title="A" * 50_000), "field 'title'"),
    ("echr_broken.json", "echr-json", b'{"paragraphs": ["x"', "broken JSON"),
    ("echr_bomb.json.gz", "echr-json", _gzip_bomb, "decompression bomb"),
    ("un_text_int.json", "un-json", _un(paragraph={"Text": 5}), "field 'paragraphs[0].Text'"),
    ("un_number_list.json", "un-json", _un(meta={"number": [1]}), "field 'metadata.number'"),
    ("un_title_object.json", "un-json", _un(meta={"title": {"en": "x"}}), "field 'metadata.title'"),
    ("bomb.docx", "docx", lambda: _docx_of_empty_paragraphs(20_000_000), f"more than {MAX_XML_ELEMENTS:,} elements"),
    ("zipbomb.docx", "docx", _zip_bomb_docx, "decompression bomb"),
    ("notzip.docx", "docx", b"PK\x03\x04 truncated", "corrupt or truncated"),
    ("elements.xml", "akn-xml", b"<akomaNtoso>" + b"<p/>" * (MAX_XML_ELEMENTS + 10) + b"</akomaNtoso>",
     f"more than {MAX_XML_ELEMENTS:,} XML elements"),
    ("elements.html", "html", b"<html><body>" + b"<p>x</p>" * (MAX_XML_ELEMENTS + 10) + b"</body></html>",
     f"more than {MAX_XML_ELEMENTS:,} XML elements"),
    ("stream-bomb.pdf", "pdf", lambda: _pdf(content=b"BT ET " * 20_000_000), "decompression bomb"),
    ("pages.pdf", "pdf", lambda: _pdf(pages=5_001), "5,001 pages (limit 5,000)"),
    ("broken.pdf", "pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
     "PDF"),
    ("binary.md", "markdown", b"\x00\x01\x02 binary", "binary data"),
]
"""Every hostile input, by the format that reads it. The bombs are given as the function that builds them, called by
`hostile_dir` when a test first needs them: built here at import, they cost every xdist worker ~5 s of collection
whether or not it runs this module."""

BOMBS = {"bomb.docx", "zipbomb.docx", "elements.xml", "elements.html", "stream-bomb.pdf", "pages.pdf",
         "echr_bomb.json.gz", "echr_deep.json"}
MEMORY_CEILING_MB = 200
"""Peak RSS above the same process reading a small good file of the same format. Without the guards the 208 KB DOCX
took ~3 GB; with them the streamed element count and pypdf's 75 MB stream bound are what remain."""


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, _, data, _ in CASES:
        _write(folder, name, data() if callable(data) else data)
    return folder


def _assert_one_line(message: str, name: str, expected: str) -> None:
    assert "\n" not in message and "Traceback" not in message, message
    assert name in message, f"the error does not name the file: {message}"
    assert expected in message, f"expected {expected!r} in: {message}"


@pytest.mark.parametrize(("name", "fmt", "expected"), [(n, f, e) for n, f, _, e in CASES], ids=[c[0] for c in CASES])
def test_loader_refuses_with_one_line_naming_file_and_field(hostile_dir: Path, name: str, fmt: str,
                                                             expected: str) -> None:
    path = hostile_dir / name
    with pytest.raises(BadInputError) as caught:
        loader_for(fmt)(path, name, "upload")
    _assert_one_line(str(caught.value), name, expected)


_MEASURE = """
import sys
from pathlib import Path
from ingest.loaders import loader_for
from legal.errors import BadInputError
fmt, path = sys.argv[1], Path(sys.argv[2])
try:
    loader_for(fmt)(path, path.name, "upload")
    outcome = "loaded"
except BadInputError as exc:
    outcome = str(exc)
status = Path("/proc/self/status").read_text()
print(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) // 1024)
print(outcome)
"""
"""Peak RSS of this process only: `VmHWM` starts afresh at exec, while `getrusage`'s `ru_maxrss` keeps the peak of
the parent (pytest with the model loaded) across `fork` and `exec` and would hide any bomb."""

GOOD_BY_FORMAT = {"docx": ("good.docx", _docx_bytes(5)), "pdf": ("good.pdf", _text_pdf()),
                  "akn-xml": ("good.xml", b"<akomaNtoso><p>text</p></akomaNtoso>"),
                  "html": ("good.html", b"<html><body><p>A paragraph of text.</p></body></html>"),
                  "echr-json": ("good.json", _record())}


def _peak_mb(fmt: str, path: Path) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-c", _MEASURE, fmt, str(path)], capture_output=True, text=True,
                            cwd=PROJECT, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    peak, outcome = result.stdout.strip().split("\n", 1)
    return int(peak), outcome


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bombs_stay_under_a_memory_ceiling(hostile_dir: Path, tmp_path: Path, name: str) -> None:
    fmt = next(f for n, f, _, _ in CASES if n == name)
    good_name, good = GOOD_BY_FORMAT[fmt]
    baseline, _ = _peak_mb(fmt, _write(tmp_path, good_name, good))
    peak, outcome = _peak_mb(fmt, hostile_dir / name)
    assert name in outcome and "\n" not in outcome, outcome
    assert peak - baseline < MEMORY_CEILING_MB, f"{name}: peak {peak} MB against {baseline} MB for a good file"


def _quiet_ingest(settings: Settings, files: list[Path]) -> tuple[object, list[str]]:
    warnings: list[str] = []
    kb = KnowledgeBase(settings)
    try:
        report = kb.ingest(IngestRequest(files=tuple(files)), warn=warnings.append)
        stats = kb.stats()
    finally:
        kb.close()
    return (report, stats), warnings


def _search_ids(settings: Settings, query: str) -> list[str]:
    kb = KnowledgeBase(settings)
    try:
        return [h.doc_id for h in kb.search(query, limit=5)]
    finally:
        kb.close()


HOSTILE_SAMPLE = ("echr_deep.json", "echr_date_int.json", "echr_paragraph_int.json", "echr_title_list.json",
                  "echr_state_int.json", "echr_date_garbage.json", "echr_extra_list.json", "un_text_int.json",
                  "bomb.docx", "elements.html", "broken.pdf", "stream-bomb.pdf")
"""The hostile files that run through every ingest path beside a good file (the loader test covers them all)."""


def _expected(name: str) -> str:
    return next(e for n, _, _, e in CASES if n == name)


def test_kb_ingest_files_stores_the_good_file_and_names_each_bad_one(hostile_dir: Path, tmp_path: Path,
                                                                     corpus_root: Path) -> None:
    settings = Settings.load(home_env(tmp_path / "home", corpus_root))
    good = _write(tmp_path, "good.txt", GOOD_TEXT.encode())
    bad = [hostile_dir / n for n in HOSTILE_SAMPLE if not n.startswith("un_")]
    (report, stats), warnings = _quiet_ingest(settings, [*bad, good])
    assert report.failed == len(bad), warnings
    assert stats["documents"] == 1
    assert len(warnings) == len(bad)
    for path, warning in zip(bad, warnings, strict=True):
        _assert_one_line(warning, path.name, _expected(path.name))
    assert _search_ids(settings, "cells of four square metres without daylight")


def test_corpus_drop_folder_and_uploads_skip_bad_files_and_store_the_good(hostile_dir: Path, tmp_path: Path,
                                                                          corpus_root: Path) -> None:
    corpus = tmp_path / "corpus"
    good_decision = "echr/DECISION/001-100741.json"
    _write(corpus, good_decision, (corpus_root / good_decision).read_bytes())
    for name in HOSTILE_SAMPLE:
        if name.startswith("echr_"):
            _write(corpus, f"echr/DECISION/{name}", (hostile_dir / name).read_bytes())
        elif name.startswith("un_"):
            _write(corpus, f"un/{name}", (hostile_dir / name).read_bytes())
    settings = Settings.load(home_env(tmp_path / "home", corpus))
    _write(settings.drop, "good-note.txt", GOOD_TEXT.encode())
    drop_bad = [n for n in HOSTILE_SAMPLE if not n.startswith(("echr_", "un_"))]
    for name in drop_bad:
        _write(settings.drop, name, (hostile_dir / name).read_bytes())
    for name in ("bomb.docx", "broken.pdf"):
        save_upload(settings, name, (hostile_dir / name).read_bytes())
    save_upload(settings, "upload-note.md", b"# Note\n\nThe assurances given by the requesting state cannot be "
                                            b"verified by any independent monitor.\n")
    warnings: list[str] = []
    report = run_update(settings, UpdateRequest(everything=True), warn=warnings.append)
    corpus_bad = [n for n in HOSTILE_SAMPLE if n.startswith(("echr_", "un_"))]
    assert report.failed == len(corpus_bad) + len(drop_bad) + 2, warnings
    assert report.added == 3, warnings  # the decision, the drop-folder note, the uploaded note
    where = {n: f"echr/DECISION/{n}" if n.startswith("echr_") else f"un/{n}" for n in corpus_bad}
    where |= {n: str(settings.drop / n) for n in drop_bad}
    where |= {n: str(settings.uploads / n) for n in ("bomb.docx", "broken.pdf")}
    for name, path in where.items():
        lines = [w for w in warnings if f"{path}:" in w]
        assert len(lines) == 1, (path, warnings)
        _assert_one_line(lines[0], name, _expected(name))
    assert "001-100741" in _search_ids(settings, "Roma families eviction Bulgaria")
    assert _search_ids(settings, "cells of four square metres without daylight")
    assert _search_ids(settings, "assurances cannot be verified by any independent monitor")


def test_hudoc_results_are_checked_before_use() -> None:
    columns = {"itemid": "001-990002", "docname": "CASE OF X v. Y", "respondent": "GBR", "kpdate": "2021-03-04T00:00"}
    html = "<html><body><p>1. The applicant complained of a risk of ill-treatment.</p></body></html>"
    assert to_document(columns, html).date == "2021-03-04"
    with pytest.raises(BadInputError) as caught:
        to_document({**columns, "docname": ["CASE"]}, html)
    _assert_one_line(str(caught.value), "hudoc:001-990002", "field 'docname'")
    with pytest.raises(BadInputError) as caught:
        to_document({**columns, "kpdate": "garbage"}, html)
    _assert_one_line(str(caught.value), "hudoc:001-990002", "field 'date'")


def test_stored_text_has_no_terminal_escapes_bidi_overrides_or_file_links(tmp_path: Path) -> None:
    record = _record(title="CASE OF \x1b]0;pwned\x07EVIL\u202e88/83041 v. NOWHERE", appno="14038/\u202e88",
                     paragraphs=["PROCEDURE", "1. Text \x1b[2J\x1b[31mred\x1b[0m here.", "2. More."])
    path = _write(tmp_path, "escapes.json", record)
    [doc] = loader_for("echr-json")(path, path.name, "upload")
    stored = json.dumps([doc.title, doc.appno, [p.text for p in doc.paragraphs]], ensure_ascii=False)
    assert "\x1b" not in stored and "\u202e" not in stored
    assert "EVIL88/83041" in doc.title and doc.appno == ["14038/88"]
    un = _write(tmp_path, "un_link.json", _un(meta={"link": "file:///etc/passwd"}))
    [un_doc] = loader_for("un-json")(un, un.name, "upload")
    assert un_doc.url is None, "a file: link from a document must not become the source link"
    js = _write(tmp_path, "un_js.json", _un(meta={"link": "javascript:alert(1)"}))
    assert loader_for("un-json")(js, js.name, "upload")[0].url is None
    ok = _write(tmp_path, "un_ok.json", _un(meta={"link": "https://example.org/a>b<img src=x onerror=alert(1)>"}))
    assert loader_for("un-json")(ok, ok.name, "upload")[0].url == \
        "https://example.org/a%3Eb%3Cimg%20src=x%20onerror=alert%281%29%3E"


def test_uploads_refuse_long_names_lock_files_and_huge_files(tmp_path: Path, corpus_root: Path) -> None:
    settings = Settings.load(home_env(tmp_path / "home", corpus_root))
    long_name = "a" * 241 + ".pdf"
    with pytest.raises(BadInputError) as caught:
        save_upload(settings, long_name, _text_pdf())
    message = str(caught.value)
    assert "file name too long" in message and str(settings.home) not in message and "\n" not in message
    with pytest.raises(BadInputError, match="temporary file Word keeps"):
        save_upload(settings, "~$ounsel note.docx", _docx_bytes())
    with pytest.raises(BadInputError, match="file too large"):
        save_upload(settings, "huge.txt", b"x" * (MAX_FILE_BYTES + 1))
    assert not settings.uploads.exists() or not any(settings.uploads.iterdir()), "nothing refused is kept"


def _cli(home: Path, corpus: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**home_env(home, corpus), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT, timeout=600)


@pytest.mark.parametrize(("args", "expected"), [
    (("search", "torture", "-k", "-5"), "limit -5 is out of range"),
    (("search", "torture", "-k", "1000000"), "limit 1000000 is out of range"),
    (("search", "torture", "--article", "abc"), "article 'abc' is not a Convention article"),
    (("show", "001-1", "--context", "-1"), "-1 is negative"),
    (("draft", "some-matter", "--out", "/nonexistent/dir/x.docx"), "the folder /nonexistent/dir does not exist"),
])
def test_cli_refuses_bad_arguments_in_one_line(tmp_path: Path, corpus_root: Path, args: tuple[str, ...],
                                               expected: str) -> None:
    result = _cli(tmp_path / "home", corpus_root, *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert expected in lines[-1], result.stderr
    assert "Traceback" not in result.stderr
    assert not Path("/nonexistent").exists()
