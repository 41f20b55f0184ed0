"""British and American spellings are one word to BM25 (`kb.spelling`): an American-spelled question finds the
ECtHR's British-spelled paragraph through the real pipeline, and words that are not spelling variants stay as they
are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.embedding import make_bm25
from kb.spelling import fold_spelling
from tests.conftest import home_env

VARIANTS = [("sterilization", "sterilisation"), ("organization", "organisation"), ("recognize", "recognise"),
            ("behavior", "behaviour"), ("defense", "defence"), ("offense", "offence"), ("judgement", "judgment"),
            ("center", "centre"), ("labor", "labour"), ("counsellor", "counselor"), ("programme", "program"),
            ("foetal", "fetal"), ("licence", "license"), ("practise", "practice"), ("analyze", "analyse"),
            ("wilful", "willful"), ("gruelling", "grueling"), ("dialogue", "dialog"),
            ("haemorrhage", "hemorrhage"), ("paediatric", "pediatric"), ("manoeuvre", "maneuver"),
            ("criminalizes", "criminalises"), ("neighbourhood", "neighborhood"), ("favourable", "favorable")]
"""Each pair two term ids to the tokenizer alone (the English stemmer keeps them apart; measured session 25)."""

NOT_VARIANTS = ("four", "hour", "your", "yours", "our", "court", "course", "source", "journal", "tour", "flour",
                "contour", "detour", "citizen", "size", "seize", "prize", "genre", "acre", "massacre", "ogre",
                "mediocre", "called", "filled", "killed", "telling", "spelling", "shall", "all", "Chartres", "Müller",
                "logue", "rogue", "colleague", "there", "where", "more", "before", "office", "sentence", "except")
"""Words a rule's letters reach that are no spelling variant: kept, so they meet no other word."""


@pytest.mark.parametrize(("one", "other"), VARIANTS)
def test_both_spellings_are_one_bm25_term(one: str, other: str) -> None:
    bm25 = make_bm25()
    assert list(bm25.embed_query(one).indices) == list(bm25.embed_query(other).indices) != []
    assert list(bm25.embed_document(one.upper()).indices) == list(bm25.embed_document(other.capitalize()).indices)


def test_words_that_are_not_variants_stay_as_they_are() -> None:
    for word in NOT_VARIANTS:
        assert fold_spelling(word) == word
        assert fold_spelling(word.capitalize()) == word.capitalize()
    text = "Four hours: the court's course of action, (a citizen's size) — Müllerization; travelled 2x!"
    assert fold_spelling(text) == text.replace("travelled", "traveled")


V_C = "001-107364"
"""V.C. v. Slovakia: the Court writes "sterilisation" (96 paragraphs); 8 others quote texts that write "-ization"."""
SOERING = "echr/JUDGMENT/HEJUD-14038-88.json.gz"


@pytest.fixture(scope="module")
def kb(corpus_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A real store of V.C. v. Slovakia and Soering, written as the whole store is (`kb ingest --sparse-first`)."""
    from kb.api import KnowledgeBase
    from kb.indexing.ingest import IngestRequest
    from kb.settings import Settings

    knowledge = KnowledgeBase(Settings.load(home_env(tmp_path_factory.mktemp("spelling"), corpus_root)))
    files = (corpus_root / f"echr/JUDGMENT/{V_C}.json.gz", corpus_root / SOERING)
    report = knowledge.ingest(IngestRequest(files=files, sparse_first=True), warn=lambda m: None)
    assert report.failed == 0, report.failures
    yield knowledge
    knowledge.close()


def test_an_american_question_finds_the_courts_british_paragraph(kb) -> None:
    """A lawyer's question spelt the American way reaches V.C. v. Slovakia § 106, where the Court writes
    "sterilisation", as the British spelling does; the paragraph is quoted as the Court wrote it."""
    american = "How does sterilization bear on a person's reproductive health and physical integrity?"
    hits = kb.search(american, limit=5, mode="bm25")
    assert (hits[0].doc_id, hits[0].paragraph) == (V_C, "106")
    assert "The Court notes that sterilisation constitutes a major interference" in hits[0].text
    british = kb.search(american.replace("sterilization", "sterilisation"), limit=5, mode="bm25")
    assert [(h.doc_id, h.paragraph) for h in british] == [(h.doc_id, h.paragraph) for h in hits]


def test_the_reasoning_index_reads_both_spellings_as_one(kb) -> None:
    """The document index a question of law is asked of (`kb.facts`) folds as the chunks do: V.C.'s reasoning says
    "sterilisation" and answers "sterilization"."""
    from kb.search.facts_index import open_reasoning_index

    reasoning = open_reasoning_index(kb.store)
    assert reasoning.first("sterilization without informed consent", 2)[0] == V_C
    assert reasoning.first("behavior", 2) == reasoning.first("behaviour", 2) != []
