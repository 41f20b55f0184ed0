"""Hybrid query latency: our Qdrant Edge store against qdrant-haystack's local-mode QdrantDocumentStore.

    KB_HOME=data .venv/bin/python bench/query_latency.py [--chunks 50000] [--queries 200]

Both sides get the same chunks (up to --chunks, read with their vectors from our store, ECtHR first) and the same
queries (dev.jsonl query texts). Reported per side, p50/p95 in ms:
- retrieval only: the store query with precomputed dense + BM25 query vectors (prefetch + RRF);
- end to end (ours): `KnowledgeBase.search`, query embedding included, on the whole store.
The local-mode baseline is what DEVELOPERS.md measured as too slow for the product (94 ms dense, 1.7 s sparse).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import numpy as np
from haystack import Document
from haystack.dataclasses import SparseEmbedding

from kb.api import KnowledgeBase
from kb.embedding import make_bm25
from kb.settings import Settings
from kb.store.base import SearchFilters, SparseVector


def percentiles(values: list[float]) -> str:
    p50, p95 = np.percentile(values, [50, 95])
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--eval", type=Path, default=Path(__file__).resolve().parents[2] / "shared/eval/dev.jsonl")
    args = parser.parse_args()

    kb = KnowledgeBase(Settings.load())
    total = kb.store.count()
    if total == 0:
        sys.exit("the store is empty: run `kb ingest` first")
    queries = [json.loads(line)["query"] for line in islice(args.eval.open(encoding="utf-8"), args.queries)]
    bm25 = make_bm25()
    vectors = []
    for q in queries:
        sv = bm25.embed_query(q)
        vectors.append((kb.embed_query(q), SparseVector(list(sv.indices), list(sv.values))))

    ours_retrieval = []
    for dense, sparse in vectors:
        started = time.perf_counter()
        kb.store.search(dense, sparse, SearchFilters(), limit=10, mode="hybrid", prefetch_limit=100)
        ours_retrieval.append((time.perf_counter() - started) * 1000)
    ours_e2e = []
    for q in queries:
        started = time.perf_counter()
        kb.search(q, limit=10)
        ours_e2e.append((time.perf_counter() - started) * 1000)

    from haystack_integrations.components.retrievers.qdrant import QdrantHybridRetriever
    from haystack_integrations.document_stores.qdrant import QdrantDocumentStore

    with tempfile.TemporaryDirectory() as folder:
        baseline = QdrantDocumentStore(path=folder, embedding_dim=384, use_sparse_embeddings=True, sparse_idf=True,
                                       recreate_index=True, progress_bar=False)
        docs = []
        for chunk in islice(kb.store.scroll(SearchFilters(source_kinds=("echr",)), batch=1000, with_vectors=True),
                            args.chunks):
            docs.append(Document(id=chunk.id, content=chunk.payload.get("text", ""), embedding=chunk.dense,
                                 sparse_embedding=SparseEmbedding(chunk.sparse.indices, chunk.sparse.values),
                                 meta={"doc_id": chunk.payload.get("doc_id")}))
        started = time.perf_counter()
        baseline.write_documents(docs)
        load_s = time.perf_counter() - started
        retriever = QdrantHybridRetriever(document_store=baseline, top_k=10)
        theirs = []
        for dense, sparse in vectors[: min(len(vectors), 50)]:
            started = time.perf_counter()
            retriever.run(query_embedding=dense, query_sparse_embedding=SparseEmbedding(sparse.indices, sparse.values))
            theirs.append((time.perf_counter() - started) * 1000)
    kb.close()

    print(f"store: {total:,} chunks; baseline loaded with {len(docs):,} of them in {load_s:.0f} s; "
          f"{len(queries)} queries (baseline: {len(theirs)})")
    print(f"ours, Qdrant Edge, retrieval only ({total:,} chunks):       {percentiles(ours_retrieval)}")
    print(f"ours, KnowledgeBase.search end to end ({total:,} chunks):   {percentiles(ours_e2e)}")
    print(f"qdrant-haystack local mode, retrieval only ({len(docs):,}): {percentiles(theirs)}")
    print(f"speed-up at p50, retrieval only: {statistics.median(theirs) / statistics.median(ours_retrieval):.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
