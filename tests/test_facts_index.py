"""The document indexes on real judgments, in a real Qdrant Edge store: a story of facts finds the case that tells it
(the facts index), a question of law finds the judgment whose reasoning answers it (the reasoning index), and both
follow the documents the write path writes and removes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.loaders.echr import COURT_ROLES, load
from kb.facts import REASONING_DOC_TYPES, build
from kb.search.facts_index import FactsIndex, open_reasoning_index
from kb.store.base import FACTS, REASONING, SearchFilters
from kb.store.edge import EdgeStore, index_path
from tests.conftest import SAMPLE_FILES

DIM = 384


@pytest.fixture(scope="module")
def documents(corpus_root: Path) -> list:
    return [d for f in SAMPLE_FILES if f.startswith("echr/") for d in load(corpus_root / f, f, "echr")]


@pytest.fixture(scope="module")
def index(documents, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FactsIndex]:
    store = EdgeStore(tmp_path_factory.mktemp("facts") / "store", DIM)
    built = build(documents, store)
    assert built[FACTS] >= 5 and built[REASONING] == len(store.facts_doc_ids(index=REASONING)) >= 5
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


OTHMAN, MAMATKULOV, NA, YORDANOVA = "HEJUD-8139-09", "HEJUD-46827-99", "001-87458", "001-100741"
QUESTIONS = {
    OTHMAN: "Can diplomatic assurances from the receiving State remove a real risk of torture when a terrorist "
            "suspect is deported?",
    MAMATKULOV: "Is an interim measure under Rule 39 binding, so that extraditing the applicants before the Court "
                "rules breaches Article 34?",
    NA: "Tamil asylum seeker risk on return to Sri Lanka from the authorities at Colombo airport",
    YORDANOVA: "Is a Roma settlement's eviction a proportionate interference with the right to respect for home?",
}
"""A question of law for the reasoning of each of four judgments and decisions of the sample."""


def test_the_reasoning_index_ranks_the_judgment_whose_reasoning_answers_first(index: FactsIndex) -> None:
    reasoning = open_reasoning_index(index.store)
    assert reasoning is not None
    for doc_id, question in QUESTIONS.items():
        assert reasoning.first(question, 3)[0] == doc_id, question
    every = reasoning.first(QUESTIONS[OTHMAN], 100)
    assert set(every) == index.store.facts_doc_ids(index=REASONING) and "CLIN-37201-06" not in every, \
        "every judgment and decision with reasoning, not the information note"
    assert reasoning.first(QUESTIONS[OTHMAN], 2) == every[:2]
    assert reasoning.first(QUESTIONS[OTHMAN], 3, exclude_doc_ids=[OTHMAN, "no-such-judgment"]) == every[1:4]
    assert reasoning.first("qwertyuiop zxcvbnm", 10) == [] and reasoning.first("the", 10) == []
    assert reasoning.first(QUESTIONS[OTHMAN], 0) == []


def test_a_rebuild_drops_judgments_no_longer_in_the_corpus(documents, tmp_path: Path) -> None:
    store = EdgeStore(tmp_path / "store", DIM)
    try:
        assert open_reasoning_index(store) is None, "an empty reasoning index is no source"
        build(documents, store)
        kept = [d for d in documents if d.doc_id != "HEJUD-14038-88"]
        build(kept, store)
        assert "HEJUD-14038-88" not in store.facts_doc_ids() and store.facts_doc_ids()
        reasoning = store.facts_doc_ids(index=REASONING)
        assert "HEJUD-14038-88" not in reasoning and reasoning == {d.doc_id for d in kept} - {"CLIN-37201-06"}
    finally:
        store.close()
    assert not list(tmp_path.rglob("*.npz"))


def test_a_store_from_before_the_reasoning_index_opens_and_gains_it(documents, tmp_path: Path) -> None:
    """A store written before the reasoning index existed (no `<store>-reasoning` shard) opens as before, its facts
    kept, with an empty reasoning index that a build then fills."""
    import shutil

    store = EdgeStore(tmp_path / "store", DIM)
    facts = build(documents, store)[FACTS]
    store.close()
    shutil.rmtree(index_path(tmp_path / "store", REASONING))
    store = EdgeStore(tmp_path / "store", DIM)
    try:
        assert len(store.facts_doc_ids()) == facts and not store.facts_doc_ids(index=REASONING)
        build(documents, store)
        assert open_reasoning_index(store).first(QUESTIONS[NA], 1) == [NA]
    finally:
        store.close()
    assert index_path(tmp_path / "store", REASONING).is_dir()


def test_the_write_path_keeps_the_index_current(sample_kb) -> None:
    """sample_kb was filled by `kb ingest` (removal: `test_store_conformance`): every ECtHR document written with a
    facts section has its facts point, and no other document has one."""
    store = sample_kb.store
    with_facts = SearchFilters(source_kinds=("echr",), sections=("THE FACTS",))
    echr = {doc_id for doc_id, _ in store.facet("doc_id", with_facts, limit=1000)}
    assert len(echr) >= 5 and store.facts_doc_ids() == echr
    assert FactsIndex(store).ranks(SOERING_STORY, sorted(echr))["HEJUD-14038-88"] == 1
    with_reasoning = SearchFilters(source_kinds=("echr",), doc_types=REASONING_DOC_TYPES, sections=("THE LAW",),
                                   roles=COURT_ROLES)
    reasoned = {doc_id for doc_id, _ in store.facet("doc_id", with_reasoning, limit=1000)}
    assert len(reasoned) >= 5 and store.facts_doc_ids(index=REASONING) == reasoned
    assert open_reasoning_index(store).first(QUESTIONS[OTHMAN], 1) == [OTHMAN]
