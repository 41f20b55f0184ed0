"""The facts-section index on real judgments, in a real Qdrant Edge store: a story of facts finds the case that
tells it, and the index follows the documents the write path writes and removes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.loaders.echr import load
from kb.facts import build
from kb.search.facts_index import FactsIndex
from kb.store.base import SearchFilters
from kb.store.edge import EdgeStore
from tests.conftest import SAMPLE_FILES

DIM = 384


@pytest.fixture(scope="module")
def documents(corpus_root: Path) -> list:
    return [d for f in SAMPLE_FILES if f.startswith("echr/") for d in load(corpus_root / f, f, "echr")]


@pytest.fixture(scope="module")
def index(documents, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FactsIndex]:
    store = EdgeStore(tmp_path_factory.mktemp("facts") / "store", DIM)
    assert build(documents, store) >= 5
    yield FactsIndex(store)
    store.close()


SOERING_STORY = ("The applicant, a German national, was detained in prison in England pending extradition to the "
                 "United States of America to face charges of murder in Virginia, where he risked the death penalty "
                 "and years on death row; his girlfriend and he had killed her parents.")


def test_a_story_of_facts_ranks_the_case_that_tells_it_first(index: FactsIndex) -> None:
    everything = sorted(index.store.facts_doc_ids())
    ranks = index.ranks(SOERING_STORY, everything)
    assert ranks["HEJUD-14038-88"] == 1
    assert sorted(ranks.values()) == list(range(1, len(ranks) + 1))
    assert index.store.count() == 0, "the facts index is a collection of its own"


def test_excluded_documents_and_documents_without_facts_get_no_rank(index: FactsIndex) -> None:
    ranks = index.ranks(SOERING_STORY, ["HEJUD-14038-88", "HEJUD-37201-06", "CLIN-37201-06"],
                        exclude_doc_ids=["HEJUD-14038-88"])
    assert "HEJUD-14038-88" not in ranks and "CLIN-37201-06" not in ranks
    everything = sorted(index.store.facts_doc_ids())
    assert ranks["HEJUD-37201-06"] == index.ranks(SOERING_STORY, everything)["HEJUD-37201-06"] - 1
    assert index.ranks("qwertyuiop zxcvbnm", everything) == {}


def test_a_rebuild_drops_judgments_no_longer_in_the_corpus(documents, tmp_path: Path) -> None:
    store = EdgeStore(tmp_path / "store", DIM)
    try:
        build(documents, store)
        kept = [d for d in documents if d.doc_id != "HEJUD-14038-88"]
        build(kept, store)
        assert "HEJUD-14038-88" not in store.facts_doc_ids() and store.facts_doc_ids()
    finally:
        store.close()
    assert not list(tmp_path.rglob("*.npz"))


def test_the_write_path_keeps_the_index_current(sample_kb) -> None:
    """sample_kb was filled by `kb ingest` (removal: `test_store_conformance`): every ECtHR document written with a
    facts section has its facts point, and no other document has one."""
    store = sample_kb.store
    with_facts = SearchFilters(source_kinds=("echr",), sections=("THE FACTS",))
    echr = {doc_id for doc_id, _ in store.facet("doc_id", with_facts, limit=1000)}
    assert len(echr) >= 5 and store.facts_doc_ids() == echr
    assert FactsIndex(store).ranks(SOERING_STORY, sorted(echr))["HEJUD-14038-88"] == 1
