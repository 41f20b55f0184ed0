"""Matters on disk: they survive a restart, keep their passages, and refuse grounds that do not exist."""

from __future__ import annotations

import json

import pytest

from kb.drafting.matters import GROUNDS, MatterStore
from kb.errors import MatterNotFoundError


@pytest.fixture(scope="module")
def saadi_hit(sample_kb):
    hits = sample_kb.search("substantial grounds real risk Article 3 expulsion", limit=20)
    return next(h for h in hits if h.doc_id == "HEJUD-37201-06" and h.paragraph)


def test_matters_survive_reopening_the_store(tmp_path, saadi_hit):
    store = MatterStore(tmp_path / "matters")
    first = store.create("Wang Wei", requesting_state="China", offence="bribery", risk_factors="Uyghur; Falun Gong")
    second = store.create("Ivanov", requesting_state="Russia")
    first.add_passage(saadi_hit, "article3", note="the test for real risk")
    first.add_custom_ground("Article 8: family life")
    store.save(first)

    reopened = MatterStore(tmp_path / "matters")
    assert [m.id for m in reopened.list()] == [first.id, second.id]  # most recently updated first
    again = reopened.get(first.id)
    assert (again.name, again.requesting_state, again.offence) == ("Wang Wei", "China", "bribery")
    assert again.custom_grounds == ["Article 8: family life"]
    [passage] = again.passages
    assert passage.citation == saadi_hit.citation
    assert passage.citation.startswith("Saadi v. Italy [GC], no. 37201/06, §")
    assert passage.text == saadi_hit.text and passage.note == "the test for real risk"
    assert not [p for p in (tmp_path / "matters").iterdir() if p.suffix != ".json"]  # no temp file left behind


def test_add_passage_is_idempotent_per_ground_and_remove_by_ground(tmp_path, saadi_hit):
    matter = MatterStore(tmp_path).create("A")
    matter.add_passage(saadi_hit, "article3")
    matter.add_passage(saadi_hit, "article3")
    matter.add_passage(saadi_hit, "assurances")
    assert [p.ground for p in matter.passages] == ["article3", "assurances"]
    assert matter.remove_passage(saadi_hit.chunk_id, "article3") == 1
    assert [p.ground for p in matter.passages] == ["assurances"]
    assert matter.remove_passage(saadi_hit.chunk_id) == 1
    assert matter.passages == []


def test_unknown_ground_is_refused_with_the_valid_ones(tmp_path, saadi_hit):
    matter = MatterStore(tmp_path).create("A")
    with pytest.raises(ValueError) as err:
        matter.add_passage(saadi_hit, "article99")
    assert "article99" in str(err.value) and all(key in str(err.value) for key in GROUNDS)
    matter.add_custom_ground("Abuse of process")
    matter.add_passage(saadi_hit, "Abuse of process")
    assert matter.passages[0].ground == "Abuse of process"


def test_missing_bad_and_damaged_matters(tmp_path):
    store = MatterStore(tmp_path)
    with pytest.raises(MatterNotFoundError, match="kb matter list"):
        store.get("no-such-matter")
    with pytest.raises(MatterNotFoundError):
        store.get("../../etc/passwd")
    good = store.create("Good")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert [m.id for m in store.list()] == [good.id]  # one damaged file does not hide the others
    with pytest.raises(ValueError, match="broken.json"):
        store.get("broken")
    with pytest.raises(ValueError, match="needs a name"):
        store.create("   ")
    store.delete(good.id)
    assert store.list() == []
    with pytest.raises(MatterNotFoundError):
        store.delete(good.id)


def test_matter_file_is_plain_json_with_quoted_text(tmp_path, saadi_hit):
    store = MatterStore(tmp_path)
    matter = store.create("Quote keeper")
    matter.add_passage(saadi_hit, "article3")
    store.save(matter)
    data = json.loads((tmp_path / f"{matter.id}.json").read_text(encoding="utf-8"))
    assert data["passages"][0]["text"] == saadi_hit.text
    assert data["passages"][0]["section"] == saadi_hit.section
