"""LegalRanker on the real sample store: cited-by counts on hits, exclusions honoured, a named case jumps up."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from haystack import Document

from ingest.loaders.echr import COURT_ROLES, load
from kb.citations.graph import CitationGraph, build
from kb.requests import SearchMode
from kb.search.pipeline import build_search, run_search
from kb.search.queries import read_query
from kb.search.ranking import (
    DEFAULT_RANKING,
    FEATURES,
    LEADING_PER_DOCUMENT,
    MAX_PER_DOCUMENT,
    PHRASE_WORD,
    RANK_CONSTANT,
    SPACING_MARKS,
    key_of,
    meaning_values,
    phrase_words,
    ranking_features,
    shared_phrase_weights,
    spread_documents,
)
from kb.search.retrieval import to_document
from kb.store.base import SearchFilters
from legal.text import index_text
from tests.conftest import SAMPLE_FILES, clone_store, home_env


@pytest.fixture(scope="module")
def graph(corpus_root: Path, tmp_path_factory: pytest.TempPathFactory) -> CitationGraph:
    docs = [d for f in SAMPLE_FILES if f.startswith("echr/") for d in load(corpus_root / f, f, "echr")]
    path = tmp_path_factory.mktemp("rank") / "citations.sqlite"
    build(corpus_root, path, documents=docs)
    return CitationGraph(path)


@pytest.fixture(scope="module")
def sparse_store(sample_kb, tmp_path_factory: pytest.TempPathFactory):
    """The sample documents in a store `kb embed` has not filled yet (`kb ingest --sparse-first`): no dense vectors."""
    from kb.settings import Settings
    from kb.store import open_store

    settings = Settings.load(home_env(tmp_path_factory.mktemp("sparse"), sample_kb.settings.corpus))
    clone_store(sample_kb, settings, dense=False)
    store = open_store(settings)
    yield store
    store.close()


def _ranked(sample_kb, graph, weights=DEFAULT_RANKING, facts=None):
    return build_search(sample_kb.store, sample_kb.settings.embedding, SearchMode.RANKED,
                        ranking=weights, graph=graph, facts=facts,
                        embed_cache=sample_kb.settings.embeddings_cache)


def _search(sample_kb, graph, query: str, filters: SearchFilters, weights=DEFAULT_RANKING) -> list[Document]:
    return run_search(_ranked(sample_kb, graph, weights), query, filters, 10)


def test_hits_carry_cited_by_counts_without_excluded_citers(sample_kb, graph) -> None:
    query = "expulsion may give rise to an issue under Article 3 where substantial grounds real risk deported"
    hits = _search(sample_kb, graph, query, SearchFilters())
    assert all(isinstance(h.meta["cited_by"], int) for h in hits)
    counted = {(h.meta["doc_id"], h.meta["paragraph"]): h.meta["cited_by"] for h in hits}
    assert any(n > 0 for n in counted.values())
    for (doc_id, para), n in counted.items():
        assert n == graph.paragraph_counts([(doc_id, para)]).get((doc_id, para), 0)
    excluded = _search(sample_kb, graph, query, SearchFilters(exclude_doc_ids=("HEJUD-37201-06", "001-87458")))
    assert all(h.meta["doc_id"] not in ("HEJUD-37201-06", "001-87458") for h in excluded)
    for h in excluded:
        key = (h.meta["doc_id"], h.meta["paragraph"])
        assert h.meta["cited_by"] == graph.paragraph_counts([key], ["HEJUD-37201-06", "001-87458"]).get(key, 0)
    soering = [("HEJUD-14038-88", str(n)) for n in range(80, 100)]
    soering_all = sum(graph.paragraph_counts(soering).values())
    soering_ex = sum(graph.paragraph_counts(soering, ["HEJUD-37201-06"]).values())
    assert soering_ex < soering_all


def test_application_number_in_query_puts_that_case_first(sample_kb, graph) -> None:
    reading = read_query("see no. 22414/93 on Article 3")
    assert (reading.appnos, reading.names) == ({"22414/93"}, set())
    query = "real risk of ill-treatment on expulsion 22414/93"
    named = _ranked(sample_kb, graph).run(query=query, filters=SearchFilters(), top_k=10)
    assert named["documents"][0].meta["doc_id"] == "HEJUD-22414-93"
    plain = _ranked(sample_kb, graph, DEFAULT_RANKING.with_weights(named_case=0.0)).run(
        query=query, filters=SearchFilters(), top_k=10)
    plain_scores = {d.id: d.score for d in plain["candidates"]}
    assert {d.id for d in named["candidates"]} == set(plain_scores)
    for d in named["candidates"]:  # the named case gains exactly the named_case weight, no other candidate anything
        gain = DEFAULT_RANKING.of(read_query(query).lawyer).named_case if d.meta["doc_id"] == "HEJUD-22414-93" else 0.0
        assert d.score == pytest.approx(plain_scores[d.id] + gain)


def test_unknown_feature_is_refused_with_the_valid_names() -> None:
    with pytest.raises(ValueError, match="best_voter"):
        DEFAULT_RANKING.without("popularity")


def test_retrieved_paragraphs_vote_for_the_paragraphs_they_cite(sample_kb, graph) -> None:
    """Saadi § 125 restates the principle and cites Soering §§ 90-91: its votes bring Soering's paragraphs in."""
    query = ("expulsion may give rise to an issue under Article 3 and hence engage the responsibility of that State "
             "where substantial grounds have been shown for believing that the person concerned if deported faces "
             "a real risk of being subjected to treatment contrary to Article 3")
    only_saadi = SearchFilters(doc_ids=("HEJUD-37201-06", "HEJUD-14038-88"), sections=("THE LAW",))
    voting = replace(DEFAULT_RANKING, passage_model=None)  # the weights' votes; the passage model's: below
    silent = voting.with_weights(votes=0.0, best_voter=0.0, cited_document=0.0)

    def soering_ranks(hits) -> list[int]:
        return [i for i, h in enumerate(hits)
                if h.meta["doc_id"] == "HEJUD-14038-88" and h.meta["paragraph"] in ("90", "91")]

    with_votes = soering_ranks(_search(sample_kb, graph, query, only_saadi, voting))
    without = soering_ranks(_search(sample_kb, graph, query, only_saadi, silent))
    assert with_votes, "Soering §§ 90-91 should be lifted by Saadi's citations"
    assert not without or min(with_votes) < min(without) or len(with_votes) > len(without)
    assert soering_ranks(_search(sample_kb, graph, query, only_saadi)), "the passage model lifts them too"

    saadi_excluded = replace(only_saadi, exclude_doc_ids=("HEJUD-37201-06",))
    hits = _search(sample_kb, graph, query, saadi_excluded, voting)
    assert all(h.meta["doc_id"] != "HEJUD-37201-06" for h in hits)
    assert soering_ranks(hits) == soering_ranks(_search(sample_kb, graph, query, saadi_excluded, silent))


def _chunk(doc_id: str, para: int) -> Document:
    return Document(id=f"{doc_id}#{para}", content="", meta={"doc_id": doc_id, "paragraph": str(para)}, score=1.0)


def test_a_documents_third_paragraph_waits_until_the_other_documents_are_listed() -> None:
    ranked = [_chunk("A", 1), _chunk("A", 2), _chunk("A", 3), _chunk("B", 1), _chunk("A", 4), _chunk("C", 1)]
    spread = spread_documents(ranked, 2)
    assert [(c.meta["doc_id"], c.meta["paragraph"]) for c in spread] == [
        ("A", "1"), ("A", "2"), ("B", "1"), ("C", "1"), ("A", "3"), ("A", "4")]
    assert spread_documents(ranked, 2, keep={"A"}) == ranked


def test_ranked_search_lists_several_authorities_but_not_when_limited_to_one_document(sample_kb, graph) -> None:
    """A Convention keyword search: the first judgment shows up to four paragraphs (its principles, the leading
    judgments part), every other judgment two before the rest are listed."""
    query = "real risk of ill-treatment expulsion Article 3 substantial grounds deported"
    hits = _search(sample_kb, graph, query, SearchFilters(), DEFAULT_RANKING)
    first = [h.meta["doc_id"] for h in hits[:8]]
    assert len(set(first)) >= 3
    assert first.count(first[0]) <= LEADING_PER_DOCUMENT, first
    assert max(first.count(d) for d in set(first) - {first[0]}) <= MAX_PER_DOCUMENT, first
    saadi = _search(sample_kb, graph, query, SearchFilters(doc_ids=("HEJUD-37201-06",)), DEFAULT_RANKING)
    assert len(saadi) >= 3 and {h.meta["doc_id"] for h in saadi} == {"HEJUD-37201-06"}


def test_each_candidate_has_every_feature_and_excluded_documents_give_no_votes(sample_kb, graph) -> None:
    query = ("expulsion may give rise to an issue under Article 3 where substantial grounds have been shown for "
             "believing that the person concerned if deported faces a real risk")
    search = _ranked(sample_kb, graph)
    cands = search.run(query=query, filters=SearchFilters(), top_k=10)["candidates"]
    features = [ranking_features(c) for c in cands]
    assert all(set(f) == set(FEATURES) for f in features)
    assert any(f["votes"] > 0 for f in features)
    retrieved = [c for c, f in zip(cands, features, strict=True) if f["retrieval"]]
    bm25 = sample_kb.store.search(None, _sparse(query), SearchFilters(), limit=60, mode="bm25")
    rank = {}
    for i, chunk in enumerate(bm25, 1):
        rank.setdefault(key_of(to_document(chunk)), i)
    assert len(retrieved) == len(bm25)
    for c in retrieved:
        assert ranking_features(c)["retrieval"] == 1 / (RANK_CONSTANT + rank[key_of(c)])
    fetched = [f for f in features if f["retrieval"] == 0.0]
    assert fetched and all(f["votes"] > 0 for f in fetched)
    everything = SearchFilters(exclude_doc_ids=tuple(sorted({c.meta["doc_id"] for c in cands})))
    fetch, rank = search.pipeline.get_component("fetch"), search.pipeline.get_component("rank")
    evidence = fetch.run(documents=[to_document(c) for c in bm25], filters=everything)
    assert evidence["evidence"].votes == {} and evidence["fetched"] == []
    assert rank.run(reading=read_query(query), filters=everything, **evidence)["documents"] == []


def _sparse(text: str):
    from kb.embedding import Bm25QueryEmbedder
    from kb.store.base import SparseVector

    sv = Bm25QueryEmbedder().run(text=text, reading=read_query(text))["sparse_embedding"]  # a passage's pairs too
    return SparseVector(list(sv.indices), list(sv.values))


def test_a_story_of_facts_lifts_the_case_whose_facts_section_tells_it(sample_kb, graph) -> None:
    from kb.search.facts_index import FactsIndex

    facts = FactsIndex(sample_kb.store)  # filled by the write path as sample_kb was ingested
    story = ("The applicant was detained pending extradition to the United States to face charges of capital murder "
             "in Virginia; he risked the death penalty and the death row phenomenon.")
    cands = _ranked(sample_kb, graph, facts=facts).run(query=story, filters=SearchFilters(), top_k=10)["candidates"]
    soering = [ranking_features(c)["facts_document"] for c in cands if c.meta["doc_id"] == "HEJUD-14038-88"]
    assert soering and soering[0] == max(ranking_features(c)["facts_document"] for c in cands) > 0
    without = _ranked(sample_kb, graph).run(query=story, filters=SearchFilters(), top_k=10)["candidates"]
    assert all(ranking_features(c)["facts_document"] == 0 for c in without)


def test_a_lawyers_question_gets_the_courts_own_statements_first(sample_kb) -> None:
    """The words of a plain question match parties' submissions and facts as well as the Court's reasoning (BM25
    order); ranked, the Court's own statements come first."""
    from kb.search.queries import is_question

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


def test_candidates_pass_between_components_as_one_uncopied_object() -> None:
    """Haystack deep-copies each component input, walking lists element by element (a Protocol check apiece, ~20 %
    of a ranked search); `Candidates` is one object to it, handed on as is, and reads like the list it holds."""
    from haystack.core.pipeline.utils import _deepcopy_with_exceptions

    from kb.documents import Candidates, SharedDocument

    docs = [SharedDocument(id=str(i), content=f"paragraph {i}", meta={"doc_id": "d", "paragraph": str(i)})
            for i in range(3)]
    candidates = Candidates(docs)
    assert _deepcopy_with_exceptions({"documents": candidates})["documents"] is candidates
    assert candidates == docs and list(candidates) == docs and candidates[1] is docs[1] and len(candidates) == 3
    assert candidates != docs[:2] and Candidates() == []


def test_a_paragraph_holding_the_querys_phrases_in_order_outweighs_the_same_words_shuffled(sample_kb) -> None:
    """`shared_phrases` rewards the query's words in their order (the Court restating the paragraph it cites), and a
    phrase every candidate holds counts for little."""
    saadi = next(c for c in sample_kb.store.document_chunks("HEJUD-37201-06") if c.payload.get("paragraph") == "125")
    text = saadi.payload["text"]
    query = " ".join(text.split()[10:50])
    words = query.split()
    shuffled = " ".join(words[::2] + words[1::2])  # the same words, hardly a three-word run left in order
    docs = [Document(id="a", content=text, meta={"doc_id": "HEJUD-37201-06", "paragraph": "125"}),
            Document(id="b", content=shuffled, meta={"doc_id": "X", "paragraph": "1"})]
    weights = shared_phrase_weights(query, docs)
    assert weights[("HEJUD-37201-06", "125")] >= 30 > 5 * weights.get(("X", "1"), 0.0)
    both = [Document(id=str(i), content="the Court reiterates that it is so", meta={"doc_id": str(i), "paragraph": "1"})
            for i in range(4)]
    assert shared_phrase_weights("the Court reiterates", both) == {(str(i), "1"): 0.25 for i in range(4)}
    assert DEFAULT_RANKING.passages.shared_phrases > 0 and DEFAULT_RANKING.questions.shared_phrases == 0
    assert DEFAULT_RANKING.of(read_query("diplomatic assurances").lawyer) is DEFAULT_RANKING.questions
    assert DEFAULT_RANKING.of(read_query(query).lawyer) is DEFAULT_RANKING.passages


def test_phrase_words_are_the_words_the_regular_expression_finds(sample_kb) -> None:
    """`phrase_words` splits a text made ASCII by its spacing marks without the regular expression, lower-casing it
    on the way: it must give exactly `PHRASE_WORD`'s words of the lower-cased text for every text, ASCII or not, in
    any case (a shared phrase counted differently would move scores), and take the fast way for most paragraphs."""
    texts = ["", "  ", "a", "Art. 3 § 1(b): the applicant’s “fear”\xa0— well‑founded… (2006)", "x_y z2w 3rd ½ ² Ⅻ",
             "Çakıcı v. Turkey [GC], no. 23657/94, § 98, ECHR 1999‑IV", "İstanbul KELVIN \u212a ﬁnal", "A\tB\nC\rD"]
    texts += [c.payload["text"] for c in sample_kb.store.document_chunks("HEJUD-37201-06")]
    for text in texts:
        assert phrase_words(text) == PHRASE_WORD.findall(text.lower()), text
    spaced = [t for t in texts[8:] if all(c.isascii() or c in SPACING_MARKS for c in t)]
    assert len(spaced) > len(texts[8:]) / 2
    assert not any(mark.isalnum() for mark in SPACING_MARKS)


def test_a_questions_candidates_are_ranked_by_meaning_and_a_passages_are_not(sample_kb, graph) -> None:
    """A question's candidates get `meaning`, 1/(k + rank) by MiniLM similarity to the question, read from the
    embedding cache the write path filled (`kb.search.meaning`): every candidate its own rank, the nearest one on
    the risk of torture the question asks about. A pasted passage, whose weights give `meaning` none,
    costs no model time: every candidate's value is 0."""
    question = "Can a state rely on diplomatic assurances that a deported person will not be tortured?"
    search = sample_kb.search_pipeline(SearchMode.RANKED)
    cands = search.run(query=question, filters=SearchFilters(source_kinds=("echr",)), top_k=10)["candidates"]
    meaning = {key_of(c): ranking_features(c)["meaning"] for c in cands}
    assert sorted(meaning.values(), reverse=True) == [1 / (RANK_CONSTANT + r) for r in range(1, len(meaning) + 1)]
    best = max(cands, key=lambda c: ranking_features(c)["meaning"])
    assert "tortur" in (best.content or "").lower(), best.content[:200]
    passage = ("The Court reiterates that diplomatic assurances are not in themselves sufficient to ensure adequate "
               "protection against the risk of ill-treatment where reliable sources have reported practices")
    plain = search.run(query=passage, filters=SearchFilters(), top_k=10)["candidates"]
    assert all(ranking_features(c)["meaning"] == 0.0 for c in plain)


def test_a_question_over_a_cold_embedding_cache_waits_for_no_model_and_asks_kb_embed_for_its_pool(
        sample_kb, sparse_store, graph, tmp_path: Path) -> None:
    """While `kb embed` still fills a sparse-first store and the cache (a new user's first hour), a question's pool
    lacks most vectors: embedded inline, ~80 of them took 3-5 s a question. The search reads the cache and the store
    only and hands the candidates both lacked to `kb embed`, best first, ahead of the store's own order; on a warm
    cache it hands over nothing."""
    from kb.embedding import EmbeddingCache
    from kb.indexing.handover import WantedPassages, todo_of

    question = "Can a state rely on diplomatic assurances that a deported person will not be tortured?"
    filters = SearchFilters(source_kinds=("echr",))
    cold, wanted = tmp_path / "cold.sqlite", WantedPassages()
    search = build_search(sparse_store, sample_kb.settings.embedding, SearchMode.RANKED, graph=graph,
                          embed_cache=cold, embed_wanted=wanted.add)
    out = search.run(query=question, filters=filters, top_k=10)
    texts = {index_text(c.content or "") for c in out["candidates"]}
    assert len(texts) > 20
    assert not EmbeddingCache(cold, sample_kb.settings.embedding).get_arrays(list(texts))  # no passage embedded
    assert len(wanted) == len(texts)
    later = search.run(query="What is the death row phenomenon?", filters=filters, top_k=10)["candidates"]
    todo = todo_of(sample_kb.store, 5, wanted)  # the store is embedded: only what the questions wanted
    assert len(todo.chunks) == 5 and {i for i, _ in todo.chunks} <= {d.id for d in later}  # the last question's
    assert all(text == sample_kb.store.retrieve([i])[0].payload["text"] for i, text in todo.chunks)
    rest = todo_of(sample_kb.store, 10_000, wanted)
    assert len(wanted) == 0 and not {i for i, _ in rest.chunks} & {i for i, _ in todo.chunks}  # handed out once

    warm = WantedPassages()
    build_search(sample_kb.store, sample_kb.settings.embedding, SearchMode.RANKED, graph=graph,
                 embed_cache=sample_kb.settings.embeddings_cache, embed_wanted=warm.add).run(
        query=question, filters=filters, top_k=10)
    assert len(warm) == 0


def test_a_store_whose_embedding_cache_was_lost_ranks_by_the_vectors_it_holds(sample_kb, graph,
                                                                              tmp_path: Path) -> None:
    """A store whose dense vectors are complete but whose embedding cache is gone (deleted, a copied or migrated store,
    a server store filled elsewhere) leaves `kb embed` nothing to fill: read from the cache alone, every question of a
    serving process would rank its pool by one made-up similarity for ever. The vectors the cache lacks are read from
    the store, so the question is ranked as on a warm cache: every candidate its own meaning rank, the same hits, and
    nothing goes to the model or to `kb embed`."""
    from kb.embedding import EmbeddingCache
    from kb.indexing.handover import WantedPassages

    question = "Can a state rely on diplomatic assurances that a deported person will not be tortured?"
    filters = SearchFilters(source_kinds=("echr",))
    lost, wanted = tmp_path / "lost.sqlite", WantedPassages()
    out = build_search(sample_kb.store, sample_kb.settings.embedding, SearchMode.RANKED, graph=graph,
                       embed_cache=lost, embed_wanted=wanted.add).run(query=question, filters=filters, top_k=10)
    meaning = {key_of(c): ranking_features(c)["meaning"] for c in out["candidates"]}
    assert sorted(meaning.values(), reverse=True) == [1 / (RANK_CONSTANT + r) for r in range(1, len(meaning) + 1)]
    warm = _ranked(sample_kb, graph).run(query=question, filters=filters, top_k=10)
    assert [d.id for d in out["documents"]] == [d.id for d in warm["documents"]]
    assert len(wanted) == 0
    texts = [index_text(c.content or "") for c in out["candidates"]]
    assert not EmbeddingCache(lost, sample_kb.settings.embedding).get_arrays(texts)  # nothing embedded


def test_a_lost_cache_reads_each_pool_vector_from_the_store_once(sample_kb, graph, tmp_path: Path) -> None:
    """Over a lost cache every question read its pool's vectors from the store and kept none, though the next
    question's pool holds many of the same passages: the vectors read are kept (`RECENT_VECTORS`), and the next
    question over them reads none again and gets the similarities a first reading gives."""
    from kb.documents import Candidates
    from kb.search.meaning import PoolSimilarity

    question = "Can a state rely on diplomatic assurances that a deported person will not be tortured?"
    docs = _ranked(sample_kb, graph).run(query=question, filters=SearchFilters(source_kinds=("echr",)),
                                         top_k=10)["candidates"]
    asked: list[list[str]] = []

    def stored(ids: list[str]):
        asked.append(list(ids))
        return sample_kb.store.dense_vectors(ids)

    def meaning(read=stored) -> PoolSimilarity:
        return PoolSimilarity(sample_kb.settings.embedding, tmp_path / "lost.sqlite", lambda reading: True, key_of,
                              wanted=lambda lacking: None, stored=read)

    pool = meaning()
    first = pool.run(Candidates(docs), read_query(question))["similarity"]
    assert len(asked) == 1 and len(asked[0]) == len({index_text(d.content or "") for d in docs}) > 20
    later = "What is the death row phenomenon?"
    again = pool.run(Candidates(docs), read_query(later))["similarity"]
    assert len(asked) == 1, "nothing read from the store again"
    assert dict(again) == dict(meaning(sample_kb.store.dense_vectors).run(Candidates(docs), read_query(later))[
        "similarity"]) and dict(first) != dict(again)


def test_a_question_begun_embedding_on_its_own_thread_gets_the_similarities_of_one_embedded_inline(
        sample_kb, graph) -> None:
    """The ranked search begins a question's embedding as soon as the query is read (`QueryEmbedding`), so the model
    runs beside the retrievers: the pool's similarities are those the question embedded in the step itself gets. A
    pasted passage, whose weights give meaning nothing, begins no embedding."""
    from kb.documents import Candidates
    from kb.search.meaning import PoolSimilarity

    question = "Can a state rely on diplomatic assurances that a deported person will not be tortured?"
    docs = Candidates(_ranked(sample_kb, graph).run(query=question, filters=SearchFilters(source_kinds=("echr",)),
                                                    top_k=10)["candidates"])
    pool = PoolSimilarity(sample_kb.settings.embedding, sample_kb.settings.embeddings_cache,
                          lambda reading: reading.lawyer, key_of)
    begun = pool.start(read_query(question))
    assert begun.pending is not None
    inline = pool.run(docs, read_query(question))["similarity"]
    assert len(inline) > 20 and dict(pool.run(docs, read_query(question), query_vector=begun)["similarity"]) == dict(
        inline)
    passage = ("The Court reiterates that diplomatic assurances are not in themselves sufficient to ensure adequate "
               "protection against the risk of ill-treatment where reliable sources have reported practices.")
    assert pool.start(read_query(passage)).pending is None


def test_two_questions_overlapping_on_a_fresh_pool_similarity_both_get_their_similarities(sample_kb, graph) -> None:
    """The app's searches may overlap, and the first question of a process loads the model: a second question asked
    meanwhile found the query embedder made but the passages' not yet, and failed. Each of several questions begun
    at once on a fresh step gets the similarities one asked alone gets."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from kb.documents import Candidates
    from kb.search.meaning import PoolSimilarity

    question = "Can a state rely on diplomatic assurances that a deported person will not be tortured?"
    docs = Candidates(_ranked(sample_kb, graph).run(query=question, filters=SearchFilters(source_kinds=("echr",)),
                                                    top_k=10)["candidates"])

    def fresh() -> PoolSimilarity:
        return PoolSimilarity(sample_kb.settings.embedding, sample_kb.settings.embeddings_cache, lambda reading: True,
                              key_of)

    alone = dict(fresh().run(docs, read_query(question))["similarity"])
    assert len(alone) > 20
    for _ in range(5):
        pool, together = fresh(), threading.Barrier(4)

        def ask(pool=pool, together=together) -> dict:
            together.wait()
            return dict(pool.run(docs, read_query(question), query_vector=pool.start(read_query(question)))[
                "similarity"])

        with ThreadPoolExecutor(4) as threads:
            answers = [threads.submit(ask) for _ in range(4)]
            assert [answer.result() for answer in answers] == [alone] * 4


def test_a_partly_embedded_pool_places_the_passages_without_a_vector_by_expectation(
        sample_kb, sparse_store, graph, tmp_path: Path) -> None:
    """While `kb embed` fills a store, some of a question's candidates have no vector yet. Each gets the mean of
    `meaning` over every place of the pool, and a candidate with a vector the value its place among the others'
    similarities would have on average once the rest are known: the first of them no longer takes the top value as
    though nothing could come before it (a pool ranked so did worse on the expert questions than no meaning at all).
    The values add up to a whole pool's, and the known candidates keep their order."""
    from kb.embedding import EmbeddingCache
    from kb.indexing.handover import WantedPassages

    question = "Can a state rely on diplomatic assurances that a deported person will not be tortured?"
    filters = SearchFilters(source_kinds=("echr",))
    warm = _ranked(sample_kb, graph).run(query=question, filters=filters, top_k=10)["candidates"]
    full = {key_of(c): ranking_features(c)["meaning"] for c in warm}
    by_meaning = sorted(warm, key=lambda c: -full[key_of(c)])
    texts = list(dict.fromkeys(index_text(c.content or "") for c in by_meaning))
    held = set(texts[::2])  # the first by meaning among them
    vectors = EmbeddingCache(sample_kb.settings.embeddings_cache, sample_kb.settings.embedding).get_arrays(list(held))
    partial = EmbeddingCache(tmp_path / "partial.sqlite", sample_kb.settings.embedding)
    partial.put_many([(t, v.tolist()) for t, v in vectors.items()])
    assert len(vectors) == len(held)

    wanted = WantedPassages()
    cands = build_search(sparse_store, sample_kb.settings.embedding, SearchMode.RANKED, graph=graph,
                         embed_cache=tmp_path / "partial.sqlite", embed_wanted=wanted.add).run(
        query=question, filters=filters, top_k=10)["candidates"]
    meaning = {key_of(c): ranking_features(c)["meaning"] for c in cands}
    assert meaning.keys() == full.keys() and len(wanted) == len(texts) - len(held)
    known = [key_of(c) for c in by_meaning if index_text(c.content or "") in held]
    unknown = {key_of(c) for c in by_meaning} - set(known)
    places = [1 / (RANK_CONSTANT + r) for r in range(1, len(full) + 1)]
    assert unknown and [meaning[k] for k in unknown] == [pytest.approx(sum(places) / len(places))] * len(unknown)
    assert [meaning[k] for k in known] == sorted((meaning[k] for k in known), reverse=True)
    assert meaning[known[0]] < places[0] == full[known[0]]
    assert sum(meaning.values()) == pytest.approx(sum(places))


def test_meaning_values_are_the_expectation_over_every_place_the_unknown_candidates_could_take() -> None:
    """Computed truth: three candidates known (one pair tied), two unknown; every order of the five that keeps the
    known ones' order (ties either way) equally likely, each candidate's mean 1/(k + place)."""
    import itertools

    from kb.search.meaning import Similarity

    known = {("a", "1"): 0.9, ("a", "2"): 0.5, ("a", "3"): 0.5, ("a", "4"): 0.1}
    unknown = frozenset({("b", "1"), ("b", "2")})
    totals = dict.fromkeys([*known, *unknown], 0.0)
    orders = 0
    for tie in ((("a", "2"), ("a", "3")), (("a", "3"), ("a", "2"))):
        chain = [("a", "1"), *tie, ("a", "4")]
        for slots in itertools.combinations(range(6), 4):
            for rest in itertools.permutations(sorted(unknown)):
                order, others = [None] * 6, iter(rest)
                for slot, key in zip(slots, chain, strict=True):
                    order[slot] = key
                order = [key if key is not None else next(others) for key in order]
                for place, key in enumerate(order, 1):
                    totals[key] += 1 / (RANK_CONSTANT + place)
                orders += 1
    values = meaning_values(Similarity(known, unknown))
    assert values == {key: pytest.approx(total / orders) for key, total in totals.items()}
    places = {("a", "1"): 1, ("a", "2"): 2.5, ("a", "3"): 2.5, ("a", "4"): 4}  # nothing unknown: the plain reciprocal
    assert meaning_values(Similarity(known)) == {key: 1 / (RANK_CONSTANT + place) for key, place in places.items()}


def test_a_full_list_never_loads_the_fills_model_and_a_short_one_is_still_filled(sample_kb, graph) -> None:
    """The short-list fill's query embedder loads the model when a list is left short, not with the ranked search:
    warmed with it, a pasted passage's search (full list, no `meaning`) loaded the model, 2.4 s, for nothing."""
    from kb.search.retrieval import FILLED

    search = _ranked(sample_kb, graph)
    fill_embedder = search.pipeline.get_component("fill").fill.pipeline.get_component("dense")
    passage = ("The Court reiterates that expulsion by a Contracting State may give rise to an issue under Article 3 "
               "where substantial grounds have been shown for believing that the person concerned faces a real risk")
    assert len(run_search(search, passage, SearchFilters(), 10)) == 10
    assert fill_embedder.embedding_backend is None, "a full list: the fill's model not loaded"
    short = run_search(search, "zeppelin defenestration", SearchFilters(), 10)
    assert any(d.meta.get(FILLED) for d in short) and fill_embedder.embedding_backend is not None


def test_a_convention_question_gets_the_court_paragraphs_of_the_judgments_whose_reasoning_answers_it(
        sample_kb, graph) -> None:
    """The reasoning source (`kb.search.reasoning`) adds, for a Convention question only, Court paragraphs in THE LAW
    of the reasoning index's first judgments that the paragraph retriever did not bring; without it they are not
    candidates at all, so nothing could rank them."""
    from kb.search.facts_index import open_reasoning_index
    from kb.search.reasoning import REASONING_SECTION
    from kb.store.base import REASONING

    index = open_reasoning_index(sample_kb.store)
    assert index is not None, "the write path fills the reasoning index of every ingested judgment"
    question = ("Can a state rely on diplomatic assurances when it deports a terrorism suspect to a country where "
                "torture is practised?")
    first = index.first(question, 10)
    assert first and set(first) <= sample_kb.store.facts_doc_ids(index=REASONING)
    searches = {reasoning: build_search(sample_kb.store, sample_kb.settings.embedding, SearchMode.RANKED,
                                        graph=graph, reasoning=reasoning,
                                        embed_cache=sample_kb.settings.embeddings_cache)
                for reasoning in (None, index)}

    def candidates(reasoning, query: str) -> dict:
        return {key_of(d): d for d in searches[reasoning].run(query=query, filters=SearchFilters(),
                                                               top_k=10)["candidates"]}

    without, with_source = candidates(None, question), candidates(index, question)
    added = {k: d for k, d in with_source.items() if k not in without}
    assert added, "the source brings paragraphs the retriever did not"
    assert set(without) <= set(with_source), "it only adds"
    for doc in added.values():
        assert doc.meta["doc_id"] in first and doc.meta["section"] == REASONING_SECTION
        assert doc.meta["role"] in COURT_ROLES
    passage = ("The Court reiterates that expulsion by a Contracting State may give rise to an issue under Article 3 "
               "where substantial grounds have been shown for believing that the person concerned faced a real risk.")
    assert set(candidates(index, passage)) == set(candidates(None, passage)), "a pasted passage takes no source"
    keywords = "diplomatic assurances terrorism suspect torture"
    assert set(candidates(index, keywords)) == set(candidates(None, keywords)), "nor does a keyword search"



def test_a_question_naming_a_body_of_chinese_law_names_the_statutes_as_a_source() -> None:
    """"Supervision commission" names Chinese law, as "the ICCPR" names a treaty: the Supervision Law's articles get the
    median authority of the Court's paragraphs though neither holds half the question's words through the glossary,
    and a Court paragraph of a key case sharing "retention" with the question no longer takes their places (it had:
    `bench/data/prc_questions.jsonl` pq-02). Naming China alone names a country: "can China's diplomatic assurances be
    trusted" keeps the gate (the articles must be a strong match), so the Court's principles stay first."""
    from kb.documents import Candidates, SharedDocument
    from kb.search.ranking import LegalRanker

    question = "When a supervision commission holds an official in retention, must his family be informed?"
    assert read_query(question).chinese_law and not read_query(
        "can China's diplomatic assurances be trusted when torture is widespread").chinese_law
    assert read_query("How does China's counter-terrorism law define terrorism?").chinese_law
    assert not read_query("Is a confession obtained by torture admissible under the criminal law?").china

    def doc(name: str, **meta) -> SharedDocument:
        return SharedDocument(id=name, content=f"text of {name}", score=1.0,
                              meta={"doc_id": name, "paragraph": "1", **meta})

    court = {"source_kind": "echr", "role": "court", "importance": 1}
    pool = [doc("E0", **court)]
    pool += [doc(f"PRC-{i}", source_kind="prc-law", matched_terms=["retention → 留置"]) for i in range(4)]
    pool += [doc(f"E{i}", **court) for i in range(1, 4)]

    def court_places(named: bool) -> list[int]:
        ranked = LegalRanker(chinese_law_named=named).run(documents=Candidates(pool), reading=read_query(question),
                                                          glossary_terms=3)["documents"]
        return [i for i, d in enumerate(ranked) if d.meta["source_kind"] == "echr"]

    assert court_places(True) == [0, 5, 6, 7]
    assert court_places(False)[:2] == [0, 1]
