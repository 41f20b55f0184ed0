"""`kb update` on real files and a real Qdrant Edge store: what a lawyer adds, changes or removes shows up in search.

Each test builds its own tiny store (a few documents) under a temporary KB_HOME; the shared `sample_kb` store
is not touched because updates add and remove documents.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import home_env

from kb.api import KnowledgeBase
from kb.indexing.handover import pending_batches, read_snapshot, write_batch
from kb.indexing.update import UpdateRequest, log_path, parse_interval, run_update, save_upload
from kb.indexing.writing import Batch
from kb.settings import Settings
from kb.store.base import ChunkPoint, SearchFilters, SparseVector
from legal.errors import BadInputError, KbError
from tests.waiting import wait_until

MEMO = """Expert report on prison conditions in the requesting state

1. The detention centre at Qincheng holds pre-trial detainees in cells of four square metres.

2. Detainees are interrogated at night and denied access to a lawyer of their choosing for six months.

3. Medical care is withheld as a means of pressure, according to three former detainees interviewed in 2023.
"""

NOTE = """# Counsel's note on diplomatic assurances

The assurances offered by the requesting state are not specific and cannot be monitored independently.

No independent body has access to the detention facilities named in the assurances.
"""


def quiet(_: str) -> None:
    """Warnings go nowhere: the tests assert on the report instead."""


@pytest.fixture()
def home(tmp_path: Path, corpus_root: Path) -> Settings:
    """Settings over a two-file corpus (real files linked, never copied into the project)."""
    corpus = tmp_path / "corpus"
    for rel in ("echr/DECISION/001-100741.json", "un/Annotated_CAT_GC4_art.3.json"):
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).symlink_to(corpus_root / rel)
    settings = Settings.load(home_env(tmp_path / "home", corpus))
    settings.drop.mkdir(parents=True)
    return settings


def search_ids(settings: Settings, query: str, **filters) -> list[str]:
    kb = KnowledgeBase(settings)
    try:
        return [h.doc_id for h in kb.search(query, SearchFilters(**filters), limit=5)]
    finally:
        kb.close()


def stored_versions(settings: Settings) -> dict:
    kb = KnowledgeBase(settings)
    try:
        return kb.store.versions()
    finally:
        kb.close()


def test_drop_folder_added_changed_removed_and_logged(home: Settings) -> None:
    memo = home.drop / "expert-report.txt"
    memo.write_text(MEMO, encoding="utf-8")
    (home.drop / "note.md").write_text(NOTE, encoding="utf-8")
    (home.drop / "~$note.docx").write_bytes(b"word lock file")  # Word's lock file is not material

    first = run_update(home, UpdateRequest(corpus=False), warn=quiet)
    assert (first.added, first.failed, first.mode) == (2, 0, "direct")
    hits = search_ids(home, "night interrogation without a lawyer", source_kinds=("drop",))
    assert hits and hits[0].startswith("DROP-expert-report-")

    second = run_update(home, UpdateRequest(corpus=False), warn=quiet)
    assert (second.added, second.replaced, second.unchanged, second.chunks) == (0, 0, 2, 0)

    memo.write_text(MEMO + "\n4. Solitary confinement lasted eleven months in the case of the applicant's brother.\n",
                    encoding="utf-8")
    third = run_update(home, UpdateRequest(corpus=False), warn=quiet)
    assert (third.replaced, third.unchanged) == (1, 1)
    kb = KnowledgeBase(home)
    try:
        view = kb.show(hits[0], "4")
        assert "eleven months" in view.paragraphs[view.focus].text
    finally:
        kb.close()

    memo.unlink()
    fourth = run_update(home, UpdateRequest(corpus=False), warn=quiet)
    assert (fourth.removed, fourth.unchanged) == (1, 1)
    assert not any(h.startswith("DROP-expert-report-") for h in search_ids(home, "Qincheng detention centre"))

    lines = [json.loads(line) for line in log_path(home).read_text(encoding="utf-8").splitlines()]
    assert [(e["added"], e["replaced"], e["removed"]) for e in lines] == [(2, 0, 0), (0, 0, 0), (0, 1, 0), (0, 0, 1)]


def test_corpus_changes_only_what_is_stored_unless_all(home: Settings) -> None:
    report = run_update(home, UpdateRequest(drop=False, uploads=False), warn=quiet)
    assert (report.added, report.deferred) == (1, 1), "a never-ingested ECtHR document waits for --all, UN does not"
    assert search_ids(home, "non-refoulement obligation of States parties", source_kinds=("un",))

    report = run_update(home, UpdateRequest(everything=True, drop=False, uploads=False), warn=quiet)
    assert (report.added, report.unchanged, report.failed) == (1, 1, 0)
    again = run_update(home, UpdateRequest(drop=False, uploads=False), warn=quiet)
    assert (again.unchanged, again.added, again.deferred, again.chunks) == (2, 0, 0, 0)
    hits = search_ids(home, "non-refoulement obligation of States parties", source_kinds=("un",))
    assert hits and hits[0].startswith("UN-")


def test_unchanged_corpus_files_are_not_opened_again(home: Settings) -> None:
    first = run_update(home, UpdateRequest(drop=False, uploads=False), warn=quiet)
    assert (first.deferred, first.added, first.files_unopened) == (1, 1, 0)
    deferred = run_update(home, UpdateRequest(drop=False, uploads=False), warn=quiet)
    assert (deferred.deferred, deferred.unchanged, deferred.files_unopened) == (1, 1, 2), "known without reading"
    added = run_update(home, UpdateRequest(everything=True, drop=False, uploads=False), warn=quiet)
    assert (added.added, added.files_unopened) == (1, 1), "--all must read what was deferred"
    quiet_run = run_update(home, UpdateRequest(drop=False, uploads=False), warn=quiet)
    assert (quiet_run.unchanged, quiet_run.files_unopened, quiet_run.chunks) == (2, 2, 0)

    decision = home.corpus / "echr/DECISION/001-100741.json"
    record = json.loads(decision.read_text(encoding="utf-8"))
    paragraphs = record["paragraphs"]
    last = paragraphs[-1]
    paragraphs[-1] = (last + " Amended.") if isinstance(last, str) else {**last, "text": last["text"] + " Amended."}
    decision.unlink()  # the symlink to the shared corpus; the amended copy lives in this test's tmp folder only
    decision.write_text(json.dumps(record), encoding="utf-8")
    changed = run_update(home, UpdateRequest(drop=False, uploads=False), warn=quiet)
    assert (changed.replaced, changed.unchanged, changed.files_unopened) == (1, 1, 1)

    (home.home / "file-memo.json").write_text("not json", encoding="utf-8")
    rebuilt = run_update(home, UpdateRequest(drop=False, uploads=False), warn=quiet)
    assert (rebuilt.unchanged, rebuilt.files_unopened, rebuilt.failed) == (2, 0, 0), "a broken memo means a full read"


def counted_tesseract(folder: Path) -> Path:
    """A `tesseract` first on the PATH that logs each page it is given (not `--list-langs`) and runs the real one."""
    folder.mkdir()
    (folder / "tesseract").write_text(f'''#!/bin/sh
case "$*" in *--list-langs*) ;; *) echo "$1" >> {folder / "pages.log"} ;; esac
exec {shutil.which("tesseract")} "$@"
''', encoding="utf-8")
    (folder / "tesseract").chmod(0o755)
    return folder / "pages.log"


def test_a_scanned_pdf_is_read_by_ocr_once_in_an_update(home: Settings, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync engine keeps the chunks of only so many documents from its first pass to its second
    (`KEEP_CHUNKS`) and reads the other files again: a scan in the drop folder behind a bundle of that many
    paragraphs was OCR'd twice in one `kb update` (seconds a page), and again by every later update, since the file
    memo covered corpus files only."""
    from PIL import Image, ImageDraw, ImageFont

    from ingest.loaders.ocr import missing
    from kb.indexing.sync import KEEP_CHUNKS

    if missing():
        pytest.skip(missing())
    pages = counted_tesseract(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{pages.parent}{os.pathsep}{os.environ['PATH']}")
    (home.drop / "a-bundle.md").write_text("# Bundle\n\n" + "\n\n".join(
        f"Exhibit {n}: the assurance was not monitored." for n in range(KEEP_CHUNKS)), encoding="utf-8")
    page = Image.new("RGB", (900, 300), "white")
    ImageDraw.Draw(page).text((40, 120), "No lawyer visited the applicant in custody.", fill="black",
                              font=ImageFont.load_default(size=36))
    page.save(home.drop / "scanned-ruling.pdf", "PDF", resolution=100)

    report = run_update(home, UpdateRequest(corpus=False, sparse_first=True), warn=quiet)
    assert (report.added, report.failed, report.chunks) == (2, 0, KEEP_CHUNKS + 1)
    assert len(pages.read_text().splitlines()) == 1, "the scan's one page went to Tesseract once"
    hits = search_ids(home, "lawyer visited the applicant in custody", source_kinds=("drop",))
    assert hits and hits[0].startswith("DROP-scanned-ruling-")

    again = run_update(home, UpdateRequest(corpus=False, sparse_first=True), warn=quiet)
    assert (again.unchanged, again.files_unopened, again.chunks) == (2, 2, 0)
    assert len(pages.read_text().splitlines()) == 1, "an unchanged scan is not read again by the next update"


def test_an_unreadable_drop_file_keeps_its_documents_and_a_deleted_one_is_removed(home: Settings) -> None:
    """One unreadable file used to block every removal from its folder (issue 14): now only its own documents
    stay (what it holds now is unknown), and the one line reporting it says so."""
    (home.drop / "note.md").write_text(NOTE, encoding="utf-8")
    (home.drop / "expert-report.txt").write_text(MEMO, encoding="utf-8")
    assert run_update(home, UpdateRequest(corpus=False), warn=quiet).added == 2
    before = stored_versions(home)
    (home.drop / "expert-report.txt").write_bytes(b"\x00\x9f binary \xff" * 40)  # the loader refuses it
    (home.drop / "scan.pdf").write_bytes(b"%PDF-1.4 not really a pdf")  # never stored: nothing to keep
    (home.drop / "note.md").unlink()
    lines: list[str] = []
    report = run_update(home, UpdateRequest(corpus=False), warn=lines.append)
    assert (report.failed, report.removed) == (2, 1)
    stored = stored_versions(home)
    assert not any(d.startswith("DROP-note-") for d in stored), "the deleted file's document is removed"
    report_id = next(d for d in before if d.startswith("DROP-expert-report-"))
    assert stored[report_id] == before[report_id], "the unreadable file's document is kept as it was"
    kept = [line for line in lines if "expert-report.txt" in line]
    assert len(kept) == 1 and "its 1 stored document is kept" in kept[0] and "\n" not in kept[0]
    assert [line for line in lines if "scan.pdf" in line and "kept" not in line]


@pytest.fixture()
def copied(tmp_path: Path, corpus_root: Path) -> Settings:
    """Three real ECtHR decisions and a UN General Comment copied (not linked) into a corpus of the test's own,
    which the test may then break or delete."""
    corpus = tmp_path / "corpus"
    for rel in ("echr/DECISION/001-100741.json", "echr/DECISION/001-101735.json", "echr/DECISION/001-103572.json",
                "un/Annotated_CAT_GC4_art.3.json"):
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus_root / rel, corpus / rel)
    return Settings.load(home_env(tmp_path / "home", corpus))


@pytest.mark.parametrize("breakage", ["loader error", "no read permission"])
def test_an_unreadable_corpus_file_keeps_its_documents_and_a_deleted_one_is_removed(copied: Settings,
                                                                                   breakage: str) -> None:
    if breakage == "no read permission" and os.geteuid() == 0:
        pytest.skip("root reads a file whatever its permissions")
    only_corpus = UpdateRequest(everything=True, drop=False, uploads=False)
    assert run_update(copied, only_corpus, warn=quiet).added == 4
    before = stored_versions(copied)
    decisions = copied.corpus / "echr/DECISION"
    broken, deleted = decisions / "001-101735.json", decisions / "001-103572.json"
    if breakage == "loader error":
        broken.write_text(broken.read_text(encoding="utf-8")[:5000], encoding="utf-8")  # truncated JSON
    else:
        broken.chmod(0)
        (copied.home / "file-memo.json").unlink()  # unchanged size and time: the memo would not open it at all
    deleted.unlink()
    lines: list[str] = []
    try:
        report = run_update(copied, only_corpus, warn=lines.append)
    finally:
        broken.chmod(0o644)
    assert (report.failed, report.removed, report.unchanged) == (1, 1, 2)
    stored = stored_versions(copied)
    assert "001-103572" not in stored, "the deleted file's document is removed"
    assert stored["001-101735"] == before["001-101735"], "the unreadable file's document is kept as it was"
    assert {"001-100741"} <= stored.keys() and any(d.startswith("UN-") for d in stored)
    [line] = [line for line in lines if "001-101735" in line]
    assert "echr/DECISION/001-101735.json" in line and "1 stored document is kept" in line


def test_uploads_are_saved_safely_and_ingested(home: Settings) -> None:
    path = save_upload(home, "../../etc/counsel note.md", NOTE.encode("utf-8"))
    assert path.parent == home.home / "uploads" and path.name == "counsel note.md"
    with pytest.raises(BadInputError, match="unsupported file type"):
        save_upload(home, "payload.exe", b"MZ")
    report = run_update(home, UpdateRequest(corpus=False), warn=quiet)
    assert report.added == 1
    hits = search_ids(home, "assurances cannot be monitored independently", source_kinds=("upload",))
    assert hits and hits[0].startswith("UPLOAD-counsel note-")


def test_the_app_adds_and_removes_an_upload_through_the_facade(home: Settings) -> None:
    """What the "Add material" page does: the file is kept, made searchable in the app's own store, listed, and on
    "Remove" deleted and taken out of the store (the app no longer unlinks files or runs the update itself)."""
    kb = KnowledgeBase(home)
    try:
        kb.save_upload("counsel note.md", NOTE.encode("utf-8"))
        assert kb.add_uploads(warn=quiet).added == 1
        assert [p.name for p in kb.uploaded_files()] == ["counsel note.md"]
        found = kb.search("assurances cannot be monitored independently", SearchFilters(source_kinds=("upload",)))
        assert found and found[0].doc_id.startswith("UPLOAD-counsel note-")
        assert kb.remove_upload("counsel note.md", warn=quiet).removed == 1
        assert kb.uploaded_files() == []
        assert not any(doc_id.startswith("UPLOAD-") for doc_id in kb.store.versions())
    finally:
        kb.close()


def test_locked_store_gets_the_update_through_the_inbox(home: Settings) -> None:
    """The serving process holds the store: the update is handed over and applied by its watcher."""
    (home.drop / "note.md").write_text(NOTE, encoding="utf-8")
    run_update(home, UpdateRequest(corpus=False), warn=quiet)
    owner = KnowledgeBase(home.with_(inbox_poll=0.2))
    try:
        watcher = owner.start_inbox_watcher()
        assert owner.store.count() > 0
        wait_until(lambda: read_snapshot(home.inbox) is not None, 10, 0.1, "the owner wrote no snapshot within 10 s")
        assert watcher.applied == 0
        (home.drop / "expert-report.txt").write_text(MEMO, encoding="utf-8")
        report = run_update(home, UpdateRequest(corpus=False), warn=quiet)
        assert (report.mode, report.added, report.unchanged) == ("handover", 1, 1)
        wait_until(lambda: [h.doc_id for h in owner.search("Qincheng detention centre", limit=3)
                            if h.doc_id.startswith("DROP-expert-report-")],
                   10, 0.2, "handed-over document not searchable in the owner within 10 s")
        # the watcher removes the batch file just after the store has applied it: wait for that too
        wait_until(lambda: pending_batches(home.inbox) == [], 10, 0.1, "applied batch still pending after 10 s")
    finally:
        owner.close()


def test_beside_the_app_an_unreadable_file_keeps_its_documents_and_a_deleted_one_is_removed(home: Settings) -> None:
    """The hourly update beside the serving app decides from the owner's snapshot, which records each document's
    file, so the deleted file's document is removed and the unreadable file's is kept there too."""
    (home.drop / "note.md").write_text(NOTE, encoding="utf-8")
    (home.drop / "expert-report.txt").write_text(MEMO, encoding="utf-8")
    assert run_update(home, UpdateRequest(corpus=False), warn=quiet).added == 2
    owner = KnowledgeBase(home.with_(inbox_poll=0.2))
    try:
        owner.start_inbox_watcher()
        wait_until(lambda: read_snapshot(home.inbox) is not None, 10, 0.1, "the owner wrote no snapshot within 10 s")
        (home.drop / "expert-report.txt").write_bytes(b"\x00\x9f binary \xff" * 40)
        (home.drop / "note.md").unlink()
        report = run_update(home, UpdateRequest(corpus=False), warn=quiet)
        assert (report.mode, report.failed, report.removed) == ("handover", 1, 1)
        wait_until(lambda: not pending_batches(home.inbox), 10, 0.1,
                   lambda: f"inbox not applied within 10 s: {pending_batches(home.inbox)}")
        stored = owner.store.versions()
        assert not any(d.startswith("DROP-note-") for d in stored)
        assert any(d.startswith("DROP-expert-report-") for d in stored)
    finally:
        owner.close()


def test_interval_parsing() -> None:
    assert parse_interval("1h") == 3600 and parse_interval("15m") == 900 and parse_interval("90") == 90
    with pytest.raises(ValueError, match="90s, 15m, 1h"):
        parse_interval("hourly")


def test_a_poisoned_inbox_batch_is_set_aside_after_the_attempts_and_later_batches_apply(home: Settings) -> None:
    """A batch the store refuses used to be retried forever, blocking every later update (issue 9)."""
    (home.drop / "note.md").write_text(NOTE, encoding="utf-8")
    (home.drop / "expert-report.txt").write_text(MEMO, encoding="utf-8")
    assert run_update(home, UpdateRequest(corpus=False), warn=quiet).added == 2
    note = next(d for d in stored_versions(home) if d.startswith("DROP-note-"))
    poison = Batch(documents={"DROP-poison": [ChunkPoint(
        "00000000-0000-0000-0000-00000000dead", [0.5, 0.5, 0.5], SparseVector([1], [1.0]), {"doc_id": "DROP-poison"})]})
    write_batch(home.inbox, poison)  # a 3-dimensional vector: the store refuses it
    write_batch(home.inbox, Batch(removals=[note]))  # handed over after it: must wait, then apply
    settings = home.with_(inbox_attempts=2)
    nothing = UpdateRequest(corpus=False, drop=False, uploads=False)

    with pytest.raises(KbError, match="attempt 1 of 2"):
        run_update(settings, nothing, warn=quiet)
    assert len(pending_batches(home.inbox)) == 2, "the later batch waits, so versions stay in order"
    warnings: list[str] = []
    report = run_update(settings, nothing, warn=warnings.append)
    assert report.leftovers == 1 and pending_batches(home.inbox) == []
    assert [p.name for p in (home.inbox / "failed").iterdir()] and "failed to apply 2 times" in warnings[0]
    assert "Vector dimension error" in warnings[0]
    stored = stored_versions(home)
    assert note not in stored and "DROP-poison" not in stored and len(stored) == 1
    assert json.loads((home.inbox / "attempts.json").read_text()) == {}


SOERING, SAADI, NA = "HEJUD-14038-88", "HEJUD-37201-06", "001-87458"
"""Saadi v. Italy cites Soering; NA. v. the United Kingdom cites Saadi."""
SAADI_QUESTION = ("May the danger a terrorist suspect poses to the community be weighed against the risk of "
                  "ill-treatment if he is deported to Tunisia?")


def test_update_keeps_citation_rows_and_facts_points_of_judgments_current(tmp_path: Path, corpus_root: Path,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         capsys: pytest.CaptureFixture) -> None:
    """Issue 9: a judgment added, changed or removed by `kb update` gets (or loses) its citation rows and its facts
    and reasoning points as it is written; each time the graph equals a fresh `kb citations build` of the same
    corpus. Issue 22: `kb citations build --if-needed` (make run) fills an empty reasoning index and keeps the graph."""
    import gzip

    from test_citation_graph import graph_rows

    from kb.citations.graph import CitationGraph, build
    from kb.cli import main
    from kb.search.facts_index import FactsIndex, open_reasoning_index
    from kb.store.base import REASONING

    judgments = tmp_path / "corpus" / "echr" / "JUDGMENT"
    judgments.mkdir(parents=True)
    for doc_id in (SOERING, NA):
        (judgments / f"{doc_id}.json.gz").symlink_to(corpus_root / f"echr/JUDGMENT/{doc_id}.json.gz")
    settings = Settings.load(home_env(tmp_path / "home", tmp_path / "corpus"))
    request = UpdateRequest(everything=True, drop=False, uploads=False)
    assert run_update(settings, request, warn=quiet).added == 2
    for key, value in home_env(settings.home, settings.corpus).items():
        monkeypatch.setenv(key, value)
    assert main(["citations", "build"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("reading the ECtHR judgments and decisions in "), "a silent first minute says what it does"
    assert "reasoning of 2 judgments and decisions indexed" in said

    def check(saadi_cites_soering: bool, na_cites_saadi: bool) -> None:
        fresh = tmp_path / "fresh.sqlite"
        build(settings.corpus, fresh)
        assert graph_rows(settings.citations_db) == graph_rows(fresh)
        graph = CitationGraph(settings.citations_db)
        assert ((SAADI, "125") in {(c.doc_id, c.paragraph) for c in graph.cited_by(SOERING, "91")}) \
            == saadi_cites_soering
        assert any(c.doc_id == NA for c in graph.cited_by(SAADI, "125")) == na_cites_saadi

    check(saadi_cites_soering=False, na_cites_saadi=False)
    saadi = judgments / f"{SAADI}.json.gz"
    saadi.symlink_to(corpus_root / f"echr/JUDGMENT/{SAADI}.json.gz")
    assert run_update(settings, request, warn=quiet).added == 1
    check(saadi_cites_soering=True, na_cites_saadi=True)
    record = json.loads(gzip.decompress(saadi.read_bytes()))
    numbers = [str(n) for n in record["paragraph_numbers"]]
    story = record["paragraphs"][numbers.index("9")]
    kb = KnowledgeBase(settings)
    try:
        assert SAADI in kb.store.facts_doc_ids()
        assert FactsIndex(kb.store).ranks(story, [SAADI, SOERING, NA])[SAADI] == 1
        assert kb.store.facts_doc_ids(index=REASONING) == {SOERING, SAADI, NA}
        assert open_reasoning_index(kb.store).first(SAADI_QUESTION, 1) == [SAADI]
    finally:
        kb.close()

    at = numbers.index("125")
    record["paragraph_numbers"][at:at + 1], record["paragraphs"][at:at + 1] = [], []  # the copy drops § 125
    saadi.unlink()  # the link to the shared corpus; the changed copy lives in this test's folder only
    saadi.write_bytes(gzip.compress(json.dumps(record).encode("utf-8")))
    assert run_update(settings, request, warn=quiet).replaced == 1
    check(saadi_cites_soering=False, na_cites_saadi=True)  # NA. still names Saadi's application number

    saadi.unlink()
    assert run_update(settings, request, warn=quiet).removed == 1
    check(saadi_cites_soering=False, na_cites_saadi=False)
    kb = KnowledgeBase(settings)
    try:
        assert kb.store.facts_doc_ids() == {SOERING, NA}
        assert SAADI not in FactsIndex(kb.store).ranks(story, [SAADI, SOERING, NA])
        assert kb.store.facts_doc_ids(index=REASONING) == {SOERING, NA}
        assert SAADI not in open_reasoning_index(kb.store).first(SAADI_QUESTION, 10)
        kb.store.delete_facts([SOERING, NA], index=REASONING)  # a store from before the reasoning index
    finally:
        kb.close()
    capsys.readouterr()
    assert main(["citations", "build", "--if-needed"]) == 0
    said = capsys.readouterr().out
    assert "is current: not rebuilt; the store's reasoning index is empty" in said
    assert "reasoning of 2 judgments and decisions indexed" in said and "citations in" not in said
    check(saadi_cites_soering=False, na_cites_saadi=False)
    assert main(["citations", "build", "--if-needed"]) == 0
    assert "reasoning" not in capsys.readouterr().out, "a filled index is not built again"
    kb = KnowledgeBase(settings)
    try:
        assert kb.store.facts_doc_ids(index=REASONING) == {SOERING, NA}
    finally:
        kb.close()
    with sqlite3.connect(settings.citations_db) as con:
        assert not con.execute("SELECT COUNT(*) FROM citations WHERE citing_doc = ?", (SAADI,)).fetchone()[0]
        assert not con.execute("SELECT COUNT(*) FROM documents WHERE doc_id = ?", (SAADI,)).fetchone()[0]
