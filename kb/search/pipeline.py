"""Search as one Haystack pipeline from query text to hits, per mode (`SearchMode`), wrapped as a `SuperComponent`
with three inputs (`query`, `filters`, `top_k`) and one output (`documents`, best first).

`kb search`, `kb eval`, the Streamlit app and `bench/fit_ranking.py` all run the object `build_search` returns
(`KnowledgeBase.search_pipeline` keeps one per configuration), so what is measured is what a lawyer gets.

The query is read once at the head (`kb.search.queries.QueryReader`: a lawyer's question? which sources, China, which
case does it name?) and every component below that depends on that takes the reading (`reading`), not the query.

    ranked:  query → [BM25 query steps] → BM25 embedder → retriever (60 candidates) ─┐
             query → Chinese retriever (glossary terms → BM25, 30) ──────────────────┴→ cue joiner (RRF; the named
                                                         sources' own BM25 lists, 30 per source, fetched there)
                   → leading-judgment retriever → cited-paragraph fetcher → pool similarity (MiniLM, a question)
                   → legal ranker → spreader → near-duplicate filter → Court beside (a question naming China
                     as a country whose first 10 lack the Court: + the principles of the ranked search of the question
                     without China's name) → [UN standard slot]
                   → short-list fill (a list left short: + hybrid search's new passages) → body first
    hybrid:  query → MiniLM embedder ┐
             query → [BM25 query steps] → BM25 embedder ┴→ retriever (RRF in Qdrant) → cue joiner (as ranked)
                   → near-duplicate filter → body first
    bm25: as hybrid without the MiniLM side; dense: MiniLM alone, no Chinese side.
    [ ]: a part off by default (`SearchParts`). A question's MiniLM embedding begins once the query is read, on a
    thread of its own (`kb.search.meaning.QueryEmbedding`), and the pool similarity takes it from there.

A query-side step (e.g. expanding the BM25 query with glossary terms) is a component with
`run(query: str) -> {"query": str}`; pass a factory for it in `bm25_query_steps` and every BM25 embedder of the
search (the fill's too) reads the rewritten query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from haystack import Document, Pipeline, SuperComponent

from kb.citations.graph import CitationGraph
from kb.embedding import Bm25QueryEmbedder, text_embedder
from kb.requests import SearchMode
from kb.search.crosslingual import add_crosslingual
from kb.search.meaning import PoolSimilarity, QueryEmbedding
from kb.search.modes import ALL_PARTS, NO_PARTS, SearchParts
from kb.search.principles import CourtBeside, LeadingJudgmentRetriever
from kb.search.queries import QueryReader
from kb.search.ranking import (
    DEFAULT_RANKING,
    LEADING_PER_DOCUMENT,
    CitedParagraphFetcher,
    DocumentSpreader,
    LegalRanker,
    key_of,
)
from kb.search.reasoning import ReasoningSource
from kb.search.retrieval import (
    DEFAULT_WEIGHTS,
    RANKED_CANDIDATES,
    BodyFirst,
    ChunkRetriever,
    NearDuplicateFilter,
    ShortListFill,
)
from kb.search.source_cues import CuedSourceRetriever, CueJoiner, StandardSlot
from kb.settings import Embedding
from kb.store.base import ChunkStore, SearchFilters

QueryStep = Callable[[], object]
"""A factory of a query-side component (`run(query: str) -> {"query": str}`); a factory because a component
instance may belong to one pipeline only, and the ranked search holds the fill's pipeline too."""


def build_search(store: ChunkStore, embedding: Embedding, mode: SearchMode | str = SearchMode.RANKED,
                 weights: tuple[float, float] | None = None, ranking=DEFAULT_RANKING,
                 graph: CitationGraph | None = None, facts=None, reasoning=None,
                 candidates: SearchMode = SearchMode.BM25,
                 bm25_query_steps: Sequence[QueryStep] = (), parts: SearchParts = ALL_PARTS,
                 embed_cache: Path | None = None, embed_wanted: Callable[[list[Document]], None] | None = None
                 ) -> SuperComponent:
    """The search of `mode`. `weights` are hybrid RRF weights (dense, BM25): a parameter of `hybrid` (and of ranked
    search over hybrid `candidates`, an ablation); any other mode refuses them rather than ignore them. `ranking`,
    `graph` and `facts` (a `kb.search.facts_index.FactsIndex`) serve the legal ranker of `ranked`, `reasoning` (the
    store's reasoning index, `kb.search.facts_index.open_reasoning_index`) its fetched candidates. `parts` says which
    of the further retrievers and ranking parts run (`SearchParts`; none of the BM25-side ones in `dense`, the
    comparison without BM25). `embed_cache`: the embedding cache the pool's MiniLM vectors are read from
    (`kb.search.meaning`), else from the store's dense vectors; `embed_wanted` is told the candidates both lacked
    (`kb.indexing.handover.WantedPassages`)."""
    mode = SearchMode.from_str(mode)
    fused = mode is SearchMode.HYBRID or (mode is SearchMode.RANKED and candidates is SearchMode.HYBRID)
    if weights is not None and not fused:
        raise ValueError(f"weights are the RRF weights of hybrid retrieval; {mode} search takes none")
    if mode is SearchMode.RANKED and candidates not in (SearchMode.BM25, SearchMode.HYBRID):
        raise ValueError(f"ranked search re-ranks bm25 or hybrid candidates, not {candidates}")
    weights = weights or DEFAULT_WEIGHTS
    pipeline = Pipeline()
    inputs: dict[str, list[str]] = {"query": [], "filters": ["retriever.filters"], "top_k": ["retriever.top_k"]}
    retrieval = candidates if mode is SearchMode.RANKED else mode
    if retrieval in (SearchMode.HYBRID, SearchMode.DENSE):
        pipeline.add_component("dense", text_embedder(embedding))
        inputs["query"].append("dense.text")
    pipeline.add_component("retriever", ChunkRetriever(store, retrieval, weights,
                                                       RANKED_CANDIDATES if mode is SearchMode.RANKED else 0))
    if retrieval in (SearchMode.HYBRID, SearchMode.DENSE):
        pipeline.connect("dense.embedding", "retriever.query_embedding")
    if retrieval in (SearchMode.HYBRID, SearchMode.BM25):
        inputs["query"].append(_add_bm25_side(pipeline, inputs, bm25_query_steps))
    candidates_out = "retriever.documents"
    if (parts.crosslingual or parts.source_cues) and retrieval is not SearchMode.DENSE:
        # Second retrievers for what the question names: a source (a UN committee, a UK court, the OHCHR) or China.
        pipeline.add_component("cue_join", CueJoiner(CuedSourceRetriever(store) if parts.source_cues else None))
        pipeline.connect(candidates_out, "cue_join.documents")
        candidates_out = "cue_join.documents"
        if parts.source_cues:
            pipeline.connect("sparse.sparse_embedding", "cue_join.sparse_embedding")
            pipeline.connect(_reading(pipeline, inputs), "cue_join.reading")
            inputs["filters"].append("cue_join.filters")
        if parts.crosslingual:
            query_in, filters_in = add_crosslingual(pipeline, store, "cue_join.zh_documents")
            pipeline.connect(_reading(pipeline, inputs), "retriever_zh.reading")
            inputs["query"].append(query_in)
            inputs["filters"].append(filters_in)
    pipeline.add_component("dedupe", NearDuplicateFilter())
    pipeline.add_component("body_first", BodyFirst())
    inputs["top_k"].append("dedupe.top_k")
    inputs["filters"].append("body_first.filters")
    if mode is not SearchMode.RANKED:
        pipeline.connect(candidates_out, "dedupe.documents")
        pipeline.connect("dedupe.documents", "body_first.documents")
        return SuperComponent(pipeline, input_mapping=inputs, output_mapping={"body_first.documents": "documents"})

    if parts.leading_judgments and retrieval is not SearchMode.DENSE:
        _add_bm25_reader(pipeline, inputs, "leading", LeadingJudgmentRetriever(store))
        pipeline.connect(candidates_out, "leading.documents")
        candidates_out = "leading.documents"
    ranker = LegalRanker(graph, ranking, facts, parts.source_aware, parts.chinese_law_named,
                         parts.case_reports_capped)
    pipeline.add_component("rank", ranker)
    pipeline.connect(_reading(pipeline, inputs), "rank.reading")
    if "retriever_zh" in pipeline.graph.nodes:
        pipeline.connect("retriever_zh.glossary_terms", "rank.glossary_terms")
    fetched_out = None
    if graph is not None and ranker.needs_citations():
        pipeline.add_component("fetch", CitedParagraphFetcher(graph, store))
        pipeline.connect(candidates_out, "fetch.documents")
        pipeline.connect("fetch.documents", "rank.documents")
        pipeline.connect("fetch.evidence", "rank.evidence")
        inputs["filters"].append("fetch.filters")
        fetched_out = "fetch.fetched"
    else:
        pipeline.connect(candidates_out, "rank.documents")
    if parts.reasoning_source and reasoning is not None and retrieval is not SearchMode.DENSE:
        _add_bm25_reader(pipeline, inputs, "reasoning", ReasoningSource(store, reasoning))
        pipeline.connect(candidates_out, "reasoning.documents")
        if fetched_out:
            pipeline.connect(fetched_out, "reasoning.fetched")
        fetched_out = "reasoning.fetched"
    if fetched_out:
        pipeline.connect(fetched_out, "rank.fetched")
    if ranking.uses("meaning"):
        similarity = PoolSimilarity(embedding, embed_cache, lambda reading: bool(ranking.of(reading.lawyer).meaning),
                                    key_of, embed_wanted, store.dense_vectors)
        pipeline.add_component("meaning", similarity)
        # The query's embedding begins once the query is read (Haystack runs the steps ready at once in the order of
        # their names, and `meaning_query` comes before the retrievers').
        pipeline.add_component("meaning_query", QueryEmbedding(similarity))
        pipeline.connect("read.reading", "meaning_query.reading")
        pipeline.connect("meaning_query.query_vector", "meaning.query_vector")
        pipeline.connect(candidates_out, "meaning.documents")
        if fetched_out:
            pipeline.connect(fetched_out, "meaning.fetched")
        pipeline.connect("meaning.similarity", "rank.similarity")
        pipeline.connect("read.reading", "meaning.reading")
    pipeline.add_component("spread", DocumentSpreader(
        leading_per_document=LEADING_PER_DOCUMENT if parts.leading_judgments else parts.first_judgment_places,
        principles_first=parts.principles_first))
    pipeline.connect("rank.documents", "spread.documents")
    pipeline.connect("read.reading", "spread.reading")
    pipeline.connect("spread.documents", "dedupe.documents")
    listed = "dedupe.documents"
    if parts.court_beside and retrieval is not SearchMode.DENSE:
        # The same search of the question without China's name, run only when the list lacks the Court.
        convention = build_search(store, embedding, mode, weights if fused else None, ranking, graph, facts,
                                  reasoning, candidates, bm25_query_steps, replace(parts, court_beside=0),
                                  embed_cache, embed_wanted)
        pipeline.add_component("beside", CourtBeside(convention, parts.court_beside))
        pipeline.connect(listed, "beside.documents")
        pipeline.connect(_reading(pipeline, inputs), "beside.reading")
        inputs["filters"].append("beside.filters")
        inputs["top_k"].append("beside.top_k")
        listed = "beside.documents"
    if parts.standard_slot:
        _add_bm25_reader(pipeline, inputs, "standard", StandardSlot(store), top_k=True)
        pipeline.connect(listed, "standard.documents")
        listed = "standard.documents"
    # The fill: a list left short (the query's words are nearly absent) is completed by hybrid search, by meaning.
    pipeline.add_component("fill", ShortListFill(build_search(store, embedding, SearchMode.HYBRID,
                                                              bm25_query_steps=bm25_query_steps, parts=NO_PARTS)))
    pipeline.connect(listed, "fill.documents")
    pipeline.connect("fill.documents", "body_first.documents")
    inputs["query"].append("fill.query")
    inputs["filters"] += ["rank.filters", "spread.filters", "fill.filters"]
    inputs["top_k"].append("fill.top_k")
    return SuperComponent(pipeline, input_mapping=inputs,
                          output_mapping={"body_first.documents": "documents", "rank.documents": "candidates"})


def _reading(pipeline: Pipeline, inputs: dict[str, list[str]]) -> str:
    """The socket of the query's reading: `QueryReader` (added with the first component that needs it) reads the
    query once for every component of the search."""
    if "read" not in pipeline.graph.nodes:
        pipeline.add_component("read", QueryReader())
        inputs["query"].append("read.query")
    return "read.reading"


def _add_bm25_reader(pipeline: Pipeline, inputs: dict[str, list[str]], name: str, component: object,
                     top_k: bool = False) -> None:
    """Adds a component that reads the BM25 query vector and takes the query's reading and the search's filters (and
    `top_k`): the second retrievers and the UN slot, which run the same BM25 query again within other filters."""
    pipeline.add_component(name, component)
    pipeline.connect("sparse.sparse_embedding", f"{name}.sparse_embedding")
    pipeline.connect(_reading(pipeline, inputs), f"{name}.reading")
    inputs["filters"].append(f"{name}.filters")
    if top_k:
        inputs["top_k"].append(f"{name}.top_k")


def _add_bm25_side(pipeline: Pipeline, inputs: dict[str, list[str]], steps: Sequence[QueryStep]) -> str:
    """The BM25 query embedder behind the query steps, told the query's reading (a pasted passage's word pairs);
    returns the socket the query text goes to."""
    pipeline.add_component("sparse", Bm25QueryEmbedder())
    pipeline.connect("sparse.sparse_embedding", "retriever.sparse_embedding")
    pipeline.connect(_reading(pipeline, inputs), "sparse.reading")
    target = "sparse.text"
    for i in reversed(range(len(steps))):
        name = f"bm25_query_{i}"
        pipeline.add_component(name, steps[i]())
        pipeline.connect(f"{name}.query", target)
        target = f"{name}.query"
    return target


def run_search(search: SuperComponent, query: str, filters: SearchFilters, top_k: int) -> list[Document]:
    """The first `top_k` hits of `search` (a `build_search` result), best first."""
    return search.run(query=query, filters=filters, top_k=top_k)["documents"]
