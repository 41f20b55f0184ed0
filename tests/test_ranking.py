"""LegalRanker on the real sample store: cited-by counts on hits, exclusions honoured, a named case jumps up."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ingest.loaders.echr import load
from kb.citations.graph import CitationGraph, build
from kb.search.ranking import DEFAULT_RANKING, LegalRanker, RankingWeights, named_in_query, spread_documents
from kb.search.retrieval import RANKED_WEIGHTS, build_search_pipeline, run_search
from kb.store.base import SearchFilters, StoredChunk
from tests.conftest import SAMPLE_FILES


@pytest.fixture(scope="module")
def graph(corpus_root: Path, tmp_path_factory: pytest.TempPathFactory) -> CitationGraph:
    docs = [d for f in SAMPLE_FILES if f.startswith("echr/") for d in load(corpus_root / f, f, "echr")]
    path = tmp_path_factory.mktemp("rank") / "citations.sqlite"
    build(corpus_root, path, documents=docs)
    return CitationGraph(path)


def _search(sample_kb, graph, query: str, filters: SearchFilters, weights: RankingWeights = DEFAULT_RANKING):
    ranker = LegalRanker(graph, weights)
    pipeline = build_search_pipeline(sample_kb.store, sample_kb.settings.model, sample_kb.settings.embed_dtype,
                                     "bm25", RANKED_WEIGHTS, ranker=ranker)
    return run_search(pipeline, query, filters, 10)


def test_hits_carry_cited_by_counts_without_excluded_citers(sample_kb, graph) -> None:
    query = "expulsion may give rise to an issue under Article 3 where substantial grounds real risk deported"
    hits = _search(sample_kb, graph, query, SearchFilters())
    assert all(isinstance(h.payload["cited_by"], int) for h in hits)
    counted = {(h.payload["doc_id"], h.payload["paragraph"]): h.payload["cited_by"] for h in hits}
    assert any(n > 0 for n in counted.values())
    excluded = _search(sample_kb, graph, query, SearchFilters(exclude_doc_ids=("HEJUD-37201-06", "001-87458")))
    assert all(h.payload["doc_id"] not in ("HEJUD-37201-06", "001-87458") for h in excluded)
    for h in excluded:
        key = (h.payload["doc_id"], h.payload["paragraph"])
        assert h.payload["cited_by"] <= counted.get(key, h.payload["cited_by"])
    soering = [("HEJUD-14038-88", str(n)) for n in range(80, 100)]
    soering_all = sum(graph.paragraph_counts(soering).values())
    soering_ex = sum(graph.paragraph_counts(soering, ["HEJUD-37201-06"]).values())
    assert soering_ex < soering_all


def test_application_number_in_query_puts_that_case_first(sample_kb, graph) -> None:
    assert named_in_query("see no. 22414/93 on Article 3") == ({"22414/93"}, set())
    hits = _search(sample_kb, graph, "real risk of ill-treatment on expulsion 22414/93", SearchFilters())
    assert hits[0].payload["doc_id"] == "HEJUD-22414-93"
    plain = _search(sample_kb, graph, "real risk of ill-treatment on expulsion 22414/93", SearchFilters(),
                    replace(DEFAULT_RANKING, named_case=0.0))
    assert [h.id for h in plain] != [h.id for h in hits] or plain[0].payload["doc_id"] == "HEJUD-22414-93"


def test_unknown_feature_is_refused_with_the_valid_names() -> None:
    with pytest.raises(ValueError, match="best_voter"):
        DEFAULT_RANKING.without("popularity")


def _ranked_search(sample_kb, graph, query: str, filters: SearchFilters, weights: RankingWeights):
    ranker = LegalRanker(graph, weights, sample_kb.store)
    pipeline = build_search_pipeline(sample_kb.store, sample_kb.settings.model, sample_kb.settings.embed_dtype,
                                     "bm25", RANKED_WEIGHTS, ranker=ranker)
    return run_search(pipeline, query, filters, 10)


def test_retrieved_paragraphs_vote_for_the_paragraphs_they_cite(sample_kb, graph) -> None:
    """Saadi § 125 restates the principle and cites Soering §§ 90-91: its votes bring Soering's paragraphs in."""
    query = ("expulsion may give rise to an issue under Article 3 and hence engage the responsibility of that State "
             "where substantial grounds have been shown for believing that the person concerned if deported faces "
             "a real risk of being subjected to treatment contrary to Article 3")
    only_saadi = SearchFilters(doc_ids=("HEJUD-37201-06", "HEJUD-14038-88"), sections=("THE LAW",))
    silent = replace(DEFAULT_RANKING, votes=0.0, best_voter=0.0, cited_document=0.0)
    voting = DEFAULT_RANKING

    def soering_ranks(hits) -> list[int]:
        return [i for i, h in enumerate(hits)
                if h.payload["doc_id"] == "HEJUD-14038-88" and h.payload["paragraph"] in ("90", "91")]

    with_votes = soering_ranks(_ranked_search(sample_kb, graph, query, only_saadi, voting))
    without = soering_ranks(_ranked_search(sample_kb, graph, query, only_saadi, silent))
    assert with_votes, "Soering §§ 90-91 should be lifted by Saadi's citations"
    assert not without or min(with_votes) < min(without) or len(with_votes) > len(without)

    saadi_excluded = replace(only_saadi, exclude_doc_ids=("HEJUD-37201-06",))
    hits = _ranked_search(sample_kb, graph, query, saadi_excluded, voting)
    assert all(h.payload["doc_id"] != "HEJUD-37201-06" for h in hits)
    assert soering_ranks(hits) == soering_ranks(_ranked_search(sample_kb, graph, query, saadi_excluded, silent))


def _chunk(doc_id: str, para: int) -> StoredChunk:
    return StoredChunk(f"{doc_id}#{para}", {"doc_id": doc_id, "paragraph": str(para)}, 1.0)


def test_a_documents_third_paragraph_waits_until_the_other_documents_are_listed() -> None:
    ranked = [_chunk("A", 1), _chunk("A", 2), _chunk("A", 3), _chunk("B", 1), _chunk("A", 4), _chunk("C", 1)]
    spread = spread_documents(ranked, 2)
    assert [(c.payload["doc_id"], c.payload["paragraph"]) for c in spread] == [
        ("A", "1"), ("A", "2"), ("B", "1"), ("C", "1"), ("A", "3"), ("A", "4")]
    assert spread_documents(ranked, 2, keep={"A"}) == ranked


def test_ranked_search_lists_several_authorities_but_not_when_limited_to_one_document(sample_kb, graph) -> None:
    query = "real risk of ill-treatment expulsion Article 3 substantial grounds deported"
    hits = _ranked_search(sample_kb, graph, query, SearchFilters(), DEFAULT_RANKING)
    first = [h.payload["doc_id"] for h in hits[:6]]
    assert len(set(first)) >= 3
    assert max(first.count(d) for d in first) <= 2
    saadi = _ranked_search(sample_kb, graph, query, SearchFilters(doc_ids=("HEJUD-37201-06",)), DEFAULT_RANKING)
    assert len(saadi) >= 3 and {h.payload["doc_id"] for h in saadi} == {"HEJUD-37201-06"}


def test_each_candidate_has_every_feature_and_excluded_documents_give_no_votes(sample_kb, graph) -> None:
    from kb.search.ranking import FEATURES

    query = ("expulsion may give rise to an issue under Article 3 where substantial grounds have been shown for "
             "believing that the person concerned if deported faces a real risk")
    ranker = LegalRanker(graph, DEFAULT_RANKING, sample_kb.store)
    chunks = sample_kb.store.search(None, _sparse(query), SearchFilters(), limit=60, mode="bm25")
    cands = ranker.candidates(chunks, query, SearchFilters())
    assert all(set(c.features) == set(FEATURES) for c in cands)
    assert any(c.features["votes"] > 0 for c in cands)
    assert [c.features["retrieval"] for c in cands[:3]] == sorted((c.features["retrieval"] for c in cands[:3]),
                                                                 reverse=True)
    fetched = [c for c in cands if c.features["retrieval"] == 0.0]
    assert all(c.features["votes"] > 0 for c in fetched)
    everything = tuple(sorted({c.key[0] for c in cands}))
    silent = ranker.candidates(chunks, query, SearchFilters(exclude_doc_ids=everything))
    assert silent == []


def _sparse(text: str):
    from kb.embedding import Bm25QueryEmbedder
    from kb.store.base import SparseVector

    sv = Bm25QueryEmbedder().run(text=text)["sparse_embedding"]
    return SparseVector(list(sv.indices), list(sv.values))


def test_a_story_of_facts_lifts_the_case_whose_facts_section_tells_it(sample_kb, graph, corpus_root, tmp_path) -> None:
    from kb.search.facts_index import FactsIndex
    from kb.search.facts_index import build as build_facts

    docs = [d for f in SAMPLE_FILES if f.startswith("echr/") for d in load(corpus_root / f, f, "echr")]
    build_facts(docs, tmp_path / "facts-index.npz")
    facts = FactsIndex(tmp_path / "facts-index.npz")
    story = ("The applicant was detained pending extradition to the United States to face charges of capital murder "
             "in Virginia; he risked the death penalty and the death row phenomenon.")
    ranker = LegalRanker(graph, DEFAULT_RANKING, sample_kb.store, facts)
    chunks = sample_kb.store.search(None, _sparse(story), SearchFilters(), limit=60, mode="bm25")
    cands = ranker.candidates(chunks, story, SearchFilters())
    soering = [c.features["facts_document"] for c in cands if c.key[0] == "HEJUD-14038-88"]
    assert soering and soering[0] == max(c.features["facts_document"] for c in cands) > 0
    without = LegalRanker(graph, DEFAULT_RANKING, sample_kb.store).candidates(chunks, story, SearchFilters())
    assert all(c.features["facts_document"] == 0 for c in without)


def test_a_lawyers_question_gets_the_courts_own_statements_first(sample_kb) -> None:
    """The words of a plain question match parties' submissions and facts as well as the Court's reasoning (BM25
    order); ranked, the Court's own statements come first."""
    from kb.search.ranking import is_question

    query = ("Can the government rely on diplomatic assurances from the receiving state when it deports someone "
             "who says he will be tortured there?")
    assert is_question(query) and not is_question("The Court reiterates that diplomatic assurances are not in "
                                                  "themselves sufficient to ensure adequate protection.")
    echr = SearchFilters(source_kinds=("echr",))
    words_only = sample_kb.search(query, echr, limit=10, mode="bm25")
    assert {h.role for h in words_only} - {"court", "operative"}, [h.role for h in words_only]
    ranked = sample_kb.search(query, echr, limit=5)
    assert [h.role for h in ranked] == ["court"] * 5, [(h.citation, h.role) for h in ranked]


def test_reporter_references_come_from_the_courts_own_citations(graph: CitationGraph) -> None:
    """Othman and the others cite Saadi as "ECHR 2008" and Soering as "Series A no. 161": the citation a hit gets."""
    reporters = graph.reporters(["HEJUD-37201-06", "HEJUD-14038-88", "UN-CAT-GC-4"])
    assert reporters.get("HEJUD-37201-06", "").startswith("ECHR 2008"), reporters
    assert reporters.get("HEJUD-14038-88") == "Series A no. 161", reporters
    assert "UN-CAT-GC-4" not in reporters
