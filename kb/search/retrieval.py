"""Hybrid retrieval as a Haystack pipeline: query → (MiniLM, BM25) → Qdrant prefetch + RRF → ranked chunks."""

from __future__ import annotations

import re

from haystack import Pipeline, component
from haystack.dataclasses import SparseEmbedding

from kb.embedding import Bm25QueryEmbedder, SharedTextEmbedder, text_embedder
from kb.store.base import SEARCH_MODES, ChunkStore, SearchFilters, SearchMode, SparseVector, StoredChunk

DEFAULT_WEIGHTS = (1.0, 1.0)
"""RRF weights (dense, BM25)."""
RANKED_WEIGHTS = (0.0, 1.0)
"""RRF weights of `--mode ranked`. A dense weight of 0 means BM25 candidates only, and no query embedding: on the whole
ECtHR corpus MiniLM added nothing to the re-ranked results (citation doc_hit@10 0.695 at 0.5/1, 0.718 at 0.2/1,
0.720 without it) and cost ~40 ms a query (`kb eval`, 500 dev cases)."""
RANKED_CANDIDATES = 60
"""Fused candidates the legal ranker re-orders; a deeper pool lets authority lift a paragraph from below the top 10."""


def check_mode(mode: str) -> SearchMode:
    if mode not in SEARCH_MODES:
        raise ValueError(f"unknown search mode {mode!r}; valid modes: {', '.join(SEARCH_MODES)}")
    return mode  # type: ignore[return-value]


@component
class HybridRetriever:
    """Dense and BM25 candidates from the store, fused by weighted reciprocal rank inside Qdrant."""

    def __init__(self, store: ChunkStore, mode: SearchMode = "hybrid", weights: tuple[float, float] = DEFAULT_WEIGHTS,
                 prefetch_limit: int = 100) -> None:
        self.store = store
        self.mode = check_mode(mode)
        self.weights = weights
        self.prefetch_limit = prefetch_limit

    @component.output_types(chunks=list[StoredChunk])
    def run(
        self,
        filters: SearchFilters,
        top_k: int = 10,
        query_embedding: list[float] | None = None,
        sparse_embedding: SparseEmbedding | None = None,
    ) -> dict:
        sparse = (
            SparseVector(list(sparse_embedding.indices), list(sparse_embedding.values)) if sparse_embedding else None
        )
        chunks = self.store.search(query_embedding, sparse, filters, limit=top_k, mode=self.mode,
                                   prefetch_limit=max(self.prefetch_limit, top_k), weights=self.weights)
        return {"chunks": chunks}


def _fingerprint(text: str) -> str:
    body = re.sub(r"^\s*\d{1,4}\.\s*", "", text or "")
    return re.sub(r"\W+", " ", body.lower()).strip()[:300]


@component
class NearDuplicateFilter:
    """One hit per passage: boilerplate repeated verbatim across judgments would otherwise fill the list."""

    @component.output_types(chunks=list[StoredChunk])
    def run(self, chunks: list[StoredChunk], top_k: int = 10) -> dict:
        seen: set[str] = set()
        kept = []
        for chunk in chunks:
            key = _fingerprint(chunk.payload.get("text", ""))
            if key in seen:
                continue
            seen.add(key)
            kept.append(chunk)
        return {"chunks": kept[:top_k]}


def build_search_pipeline(store: ChunkStore, model: str, dtype: str, mode: SearchMode = "hybrid",
                          weights: tuple[float, float] = DEFAULT_WEIGHTS, embedder=None, ranker=None,
                          crosslingual: bool = True) -> Pipeline:
    """`embedder` lets callers share one warmed-up text embedder between the pipelines of several modes;
    `ranker` (a `kb.search.ranking.LegalRanker`) re-orders the fused candidates before near-duplicates are dropped;
    `crosslingual` fuses in the Chinese documents found by the glossary-translated query (`kb.search.crosslingual`;
    not in dense mode, which is the comparison without BM25)."""
    pipeline = Pipeline()
    pipeline.add_component("retriever", HybridRetriever(store, mode, weights))
    pipeline.add_component("dedupe", NearDuplicateFilter())
    if ranker is not None:
        pipeline.add_component("rank", ranker)
    if mode != "bm25":
        pipeline.add_component("dense", SharedTextEmbedder(embedder) if embedder else text_embedder(model, dtype))
        pipeline.connect("dense.embedding", "retriever.query_embedding")
    if mode != "dense":
        pipeline.add_component("sparse", Bm25QueryEmbedder())
        pipeline.connect("sparse.sparse_embedding", "retriever.sparse_embedding")
    candidates = "retriever.chunks"
    if crosslingual and mode != "dense":
        from kb.search.crosslingual import add_crosslingual

        candidates = add_crosslingual(pipeline, store, candidates)
    if ranker is not None:
        pipeline.connect(candidates, "rank.chunks")
        pipeline.connect("rank.chunks", "dedupe.chunks")
    else:
        pipeline.connect(candidates, "dedupe.chunks")
    return pipeline


def run_search(
    pipeline: Pipeline, query: str, filters: SearchFilters, top_k: int, overfetch: int = 3
) -> list[StoredChunk]:
    inputs: dict = {"retriever": {"filters": filters, "top_k": top_k * overfetch}, "dedupe": {"top_k": top_k}}
    names = set(pipeline.graph.nodes)
    if "dense" in names:
        inputs["dense"] = {"text": query}
    if "sparse" in names:
        inputs["sparse"] = {"text": query}
    if "translate" in names:
        inputs["translate"] = {"text": query}
        inputs["retriever_zh"] = {"filters": filters}
    if "rank" in names:
        inputs["rank"] = {"query": query, "filters": filters}
        inputs["retriever"]["top_k"] = max(top_k * overfetch, RANKED_CANDIDATES)
    return pipeline.run(inputs)["dedupe"]["chunks"]
