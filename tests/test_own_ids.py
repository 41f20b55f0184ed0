"""A lawyer's own files name their documents in their own namespace and can never replace a corpus document; ids
shaped like paths are refused with the file and the field named (issue 21). Real files, a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import home_env

from ingest.files import ReadFailure, folder_files, named_files, read
from ingest.loaders import un
from ingest.manifest import Manifest
from kb.api import KnowledgeBase
from kb.indexing.ingest import IngestRequest, run_ingest
from kb.indexing.update import UpdateRequest, run_update
from kb.settings import Settings

UN_FILE = "un/Annotated_CAT_GC4_art.3.json"
ECHR_FILE = "echr/DECISION/001-100741.json"


@pytest.fixture()
def home(tmp_path: Path, corpus_root: Path) -> Settings:
    """A two-file corpus (real files linked) with the UN General Comment stored, and an empty drop folder."""
    corpus = tmp_path / "corpus"
    for rel in (ECHR_FILE, UN_FILE):
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).symlink_to(corpus_root / rel)
    settings = Settings.load(home_env(tmp_path / "home", corpus))
    settings.drop.mkdir(parents=True)
    assert run_update(settings, UpdateRequest(drop=False, uploads=False), warn=print).added == 1
    return settings


def un_doc_id(corpus_root: Path) -> str:
    return un.load(corpus_root / UN_FILE, UN_FILE, "un")[0].doc_id


def spoof(corpus_root: Path, doc_id: str) -> str:
    """A real ECtHR record (the Yordanova decision) under another title, claiming `doc_id`."""
    record = json.loads((corpus_root / ECHR_FILE).read_text(encoding="utf-8"))
    return json.dumps({**record, "id": doc_id, "title": "Spoof v. Italy"})


def show(settings: Settings, doc_id: str):
    kb = KnowledgeBase(settings)
    try:
        return kb.show(doc_id)
    finally:
        kb.close()


def test_a_dropped_record_claiming_a_corpus_id_does_not_replace_that_authority(home: Settings,
                                                                                 corpus_root: Path) -> None:
    authority = un_doc_id(corpus_root)
    before = show(home, authority)
    (home.drop / "spoof.json").write_text(spoof(corpus_root, authority), encoding="utf-8")
    (home.drop / "passwd.json").write_text(spoof(corpus_root, "../../etc/passwd"), encoding="utf-8")
    warnings: list[str] = []

    report = run_update(home, UpdateRequest(corpus=False), warn=warnings.append)

    assert (report.added, report.replaced, report.failed) == (1, 0, 1)
    assert any("passwd.json" in w and "field 'id'" in w and "file path" in w for w in warnings), warnings
    after = show(home, authority)
    assert after.paragraphs[0].title == before.paragraphs[0].title != "Spoof v. Italy"
    assert [p.text for p in after.paragraphs] == [p.text for p in before.paragraphs]
    kb = KnowledgeBase(home)
    try:
        own = [d for d in kb.store.versions() if d.startswith("DROP-spoof-")]
        assert len(own) == 1 and "passwd" not in " ".join(kb.store.versions())
        view = kb.show(own[0])
        assert view.paragraphs[0].title == "Spoof v. Italy"
    finally:
        kb.close()


def test_a_file_named_outside_the_corpus_gets_its_own_id_and_a_corpus_file_keeps_its_own(
        home: Settings, corpus_root: Path, tmp_path: Path) -> None:
    """`kb ingest FILE`: a file outside the corpus is the lawyer's (its id in the upload namespace, the id it claims
    kept as `id_in_file`); a corpus file named on the command line is the corpus document it always was."""
    authority = un_doc_id(corpus_root)
    mine = tmp_path / "elsewhere" / "claims-un.json"
    mine.parent.mkdir()
    mine.write_text(spoof(corpus_root, authority), encoding="utf-8")
    manifest = Manifest.load(home.manifest)
    own, corpus_file = named_files([mine, corpus_root / UN_FILE], corpus_root, manifest, "upload")
    own_docs, corpus_docs = read(own), read(corpus_file)
    assert not isinstance(own_docs, ReadFailure) and not isinstance(corpus_docs, ReadFailure)
    assert own_docs[0].doc_id.startswith("UPLOAD-claims-un-") and own_docs[0].extra["id_in_file"] == authority
    assert corpus_docs[0].doc_id == authority

    kb = KnowledgeBase(home)
    try:
        report = run_ingest(home, kb.store, IngestRequest(files=(mine,)), warn=print)
    finally:
        kb.close()
    assert (report.added, report.replaced) == (1, 0)
    assert show(home, authority).paragraphs[0].title != "Spoof v. Italy"


def test_an_own_file_keeps_its_id_across_edits_and_two_of_one_name_do_not_collide(tmp_path: Path,
                                                                                  corpus_root: Path) -> None:
    """The id comes from where the file sits: edited, it is the same document; another folder's file of the same
    name is another document, whatever ids they claim."""
    for folder in ("a", "b"):
        (tmp_path / "drop" / folder).mkdir(parents=True)
        (tmp_path / "drop" / folder / "case.json").write_text(spoof(corpus_root, "001-100741"), encoding="utf-8")
    first = [read(item)[0].doc_id for item in folder_files(tmp_path / "drop", "drop", "drop")]
    (tmp_path / "drop" / "a" / "case.json").write_text(spoof(corpus_root, "001-999999"), encoding="utf-8")
    again = [read(item)[0].doc_id for item in folder_files(tmp_path / "drop", "drop", "drop")]
    assert first == again and len(set(first)) == 2 and all(i.startswith("DROP-case-") for i in first)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/etc/passwd", "notes//x", "a/./b", "~/x", "C:\\x\\y"])
def test_path_shaped_ids_are_refused_naming_file_and_field(tmp_path: Path, corpus_root: Path, bad: str) -> None:
    path = tmp_path / "record.json"
    path.write_text(spoof(corpus_root, bad), encoding="utf-8")
    item = next(named_files([path], None, Manifest.load(Settings.load().manifest), "upload"))
    failure = read(item)
    assert isinstance(failure, ReadFailure) and failure.path == str(path)
    assert "field 'id'" in failure.reason and "file path" in failure.reason
