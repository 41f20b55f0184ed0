"""The store's payload copy (`kb.store.payloads`), which `kb check` reads instead of loading the shard: it holds what
the shard holds after every kind of write, answers the check's filters as the shard does, and is rebuilt when it
cannot be trusted (a writer killed between the shard and the copy, a write by code that did not keep it)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import qdrant_edge as q

from kb.store.base import SearchFilters
from kb.store.payloads import PayloadCopy, copy_path
from tests.conftest import clone_store, home_env


def payloads(source) -> dict[str, dict]:
    return {c.id: c.payload for c in source.scroll()}


@pytest.fixture
def clone(sample_kb, tmp_path: Path):
    """A store of its own holding the sample documents (this test writes to it), with its copy."""
    from kb.settings import Settings
    from kb.store import open_store

    settings = Settings.load(home_env(tmp_path / "home", Path(sample_kb.settings.corpus)))
    clone_store(sample_kb, settings)
    store = open_store(settings)
    yield settings, store
    store.close()


def test_the_copy_follows_every_kind_of_write(clone):
    settings, store = clone
    copy = PayloadCopy.reader(settings.store)
    assert copy is not None and payloads(copy) == payloads(store) and len(payloads(store)) > 100
    doc = "HEJUD-37201-06"
    chunks = store.document_chunks(doc)
    store.set_document_fields({doc: {"importance": 1, "key_case": "yes"}})
    store.delete([chunks[-1].id])
    others = sorted({d for d, _ in store.facet("doc_id", None, 100)} - {doc})
    store.delete_documents(others[:1])
    assert payloads(copy) == payloads(store)
    assert [c.payload for c in copy.document_chunks(doc)] == [c.payload for c in store.document_chunks(doc)]
    assert copy.document_chunks(doc)[0].payload["key_case"] == "yes"


@pytest.mark.parametrize("filters", [
    SearchFilters(source_kinds=("echr",), doc_types=("JUDGMENT", "DECISION")),
    SearchFilters(source_kinds=("echr",), paragraphs=("1", "125")),
    SearchFilters(doc_ids=("HEJUD-37201-06", "HEJUD-14038-88")),
    SearchFilters(articles=("3",), respondent_states=("ITA",)),
    SearchFilters(articles=("3",)),
    SearchFilters(date_from="2005-01-01", date_to="2010-12-31"),
    SearchFilters(unknown=("articles",)),
    SearchFilters(exclude_doc_ids=("HEJUD-37201-06",), source_kinds=("echr",)),
])
def test_the_copy_answers_the_checks_filters_as_the_shard(sample_kb, filters):
    copy = PayloadCopy.reader(sample_kb.settings.store)
    store = sample_kb.store
    assert copy is not None
    assert copy.count(filters) == store.count(filters)
    for key in ("doc_id", "source_kind", "articles"):
        assert sorted(copy.facet(key, filters, 10**6)) == sorted(store.facet(key, filters, 10**6))
    assert {c.id for c in copy.scroll(filters)} == {c.id for c in store.scroll(filters)}


def test_a_copy_that_cannot_be_trusted_is_not_read_and_is_rebuilt(clone):
    from kb.store import open_store

    settings, store = clone
    before = payloads(store)
    store.close()
    with sqlite3.connect(copy_path(settings.store)) as con:  # a writer killed between the shard and its copy
        con.execute("UPDATE meta SET value = 'writing 999999999' WHERE key = 'state'")
        con.execute("DELETE FROM chunks WHERE rowid % 2 = 0")
    assert PayloadCopy.reader(settings.store) is None
    store = open_store(settings)  # the next writer rebuilds it
    try:
        copy = PayloadCopy.reader(settings.store)
        assert copy is not None and payloads(copy) == before
        # a write that did not keep the copy (code before it, or a tool on the shard): the shard's stamp moves
        doc = "HEJUD-14038-88"
        store._shard.update(q.UpdateOperation.set_payload_by_filter(
            q.Filter(must=[q.FieldCondition(key="doc_id", match=q.MatchAny(any=[doc]))]), {"importance": 4}))
        assert copy.document_chunks(doc)[0].payload.get("importance") != 4
    finally:
        store.close()
    store = open_store(settings)
    try:
        assert PayloadCopy.reader(settings.store).document_chunks(doc)[0].payload["importance"] == 4
    finally:
        store.close()


def copy_rows(settings, point_id: str) -> dict:
    with sqlite3.connect(copy_path(settings.store)) as con:
        return json.loads(con.execute("SELECT payload FROM chunks WHERE id = ?", (point_id,)).fetchone()[0])


def hits_payloads(store, query) -> dict[str, dict]:
    return {c.id: c.payload for c in store.search(None, query, SearchFilters(), 40, mode="bm25")}


def test_a_search_reads_its_hits_payloads_as_the_shard_holds_them(clone, monkeypatch):
    """The writer's own searches read their hits' payloads from the copy (`EdgeStore.search`): after every kind of
    write they are the shard's, and after a write that failed half-way (the shard changed, the copy rolled back) they
    are still the shard's, read from it."""
    import kb.store.edge as edge
    from kb.store.base import ChunkPoint

    settings, store = clone
    doc = "HEJUD-37201-06"
    chunks = list(store.scroll(SearchFilters(doc_ids=(doc,)), with_vectors=True))
    query = chunks[5].sparse
    shard = payloads(store)
    assert hits_payloads(store, query) == {i: shard[i] for i in hits_payloads(store, query)}
    store.set_document_fields({doc: {"importance": 1, "key_case": "yes"}})
    store.delete([chunks[6].id])
    found = hits_payloads(store, query)
    assert chunks[6].id not in found and found[chunks[5].id]["key_case"] == "yes"
    assert found == {i: payloads(store)[i] for i in found}
    # a write whose first batch reached the shard and whose second failed: one point a batch
    monkeypatch.setattr(edge, "UPSERT_POINTS", 1)
    changed = ChunkPoint(chunks[5].id, chunks[5].dense or [], chunks[5].sparse, {**chunks[5].payload, "title": "new"})
    broken = ChunkPoint("not a point id", [], chunks[5].sparse, {})
    with pytest.raises(ValueError, match="UUID"):
        store.upsert([changed, broken])
    assert copy_rows(settings, chunks[5].id)["title"] != "new"  # the copy rolled back
    assert PayloadCopy.reader(settings.store) is None  # nor does a reader beside this live writer trust it
    assert hits_payloads(store, query)[chunks[5].id]["title"] == "new"
