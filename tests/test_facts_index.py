"""The facts-section index on real judgments: a story of facts finds the case that tells it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders.echr import load
from kb.search.facts_index import FactsIndex, build
from tests.conftest import SAMPLE_FILES


@pytest.fixture(scope="module")
def index(corpus_root: Path, tmp_path_factory: pytest.TempPathFactory) -> FactsIndex:
    docs = [d for f in SAMPLE_FILES if f.startswith("echr/") for d in load(corpus_root / f, f, "echr")]
    path = tmp_path_factory.mktemp("facts") / "facts-index.npz"
    assert build(docs, path) >= 5
    return FactsIndex(path)


SOERING_STORY = ("The applicant, a German national, was detained in prison in England pending extradition to the "
                 "United States of America to face charges of murder in Virginia, where he risked the death penalty "
                 "and years on death row; his girlfriend and he had killed her parents.")


def test_a_story_of_facts_ranks_the_case_that_tells_it_first(index: FactsIndex) -> None:
    everything = index.doc_ids.tolist()
    ranks = index.ranks(SOERING_STORY, everything)
    assert ranks["HEJUD-14038-88"] == 1
    assert sorted(ranks.values()) == list(range(1, len(ranks) + 1))


def test_excluded_documents_and_documents_without_facts_get_no_rank(index: FactsIndex) -> None:
    ranks = index.ranks(SOERING_STORY, ["HEJUD-14038-88", "HEJUD-37201-06", "CLIN-37201-06"],
                        exclude_doc_ids=["HEJUD-14038-88"])
    assert "HEJUD-14038-88" not in ranks and "CLIN-37201-06" not in ranks
    assert ranks.get("HEJUD-37201-06", 0) >= 1
    assert index.ranks("qwertyuiop zxcvbnm", index.doc_ids.tolist()) == {}
