"""The Court's own paragraphs, retrieved deeper for a Convention question.

Why: a lawyer's or an expert's question shares its words with the facts and the parties' submissions as much as with
the Court's statement of the law, so among BM25's first 60 paragraphs over the whole store the Court's are a minority,
and the one that answers is often below them; the ranker then demotes the others (`question_not_court`) but cannot
rank what was never retrieved. The same BM25 query limited to the paragraphs where the Court speaks (full store, the
93 ECtHR dev questions, each with its exclusions) has the pinpointed paragraph within its first 60 for 47 questions,
against 39 over every paragraph (within the first 10: 35 against 21). So, for a Convention question
(`QueryReading.convention`: a lawyer's query naming no other source), the Court's first `limit` paragraphs join the
candidates in BM25-score order (both lists score the same query on the same index), which makes the `retrieval`
feature their rank among all of them; any other query passes unchanged.
"""

from __future__ import annotations

from dataclasses import replace

from haystack import component
from haystack.dataclasses import SparseEmbedding

from ingest.loaders.echr import COURT_ROLES
from kb.documents import Candidates
from kb.search.queries import QueryReading
from kb.search.retrieval import RANKED_CANDIDATES, bm25_documents
from kb.store.base import ChunkStore, SearchFilters, SparseVector


@component
class CourtParagraphRetriever:
    """Adds the best `limit` ECtHR paragraphs where the Court speaks, by the same BM25 query, to a Convention
    question's candidates, all in BM25-score order."""

    def __init__(self, store: ChunkStore, limit: int = RANKED_CANDIDATES) -> None:
        self.store = store
        self.limit = limit

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, reading: QueryReading, filters: SearchFilters,
            sparse_embedding: SparseEmbedding | None = None) -> dict:
        roles = tuple(r for r in COURT_ROLES if not filters.roles or r in filters.roles)
        if sparse_embedding is None or not reading.convention or not roles:
            return {"documents": documents}
        sparse = SparseVector(list(sparse_embedding.indices), list(sparse_embedding.values))
        court = bm25_documents(self.store, sparse, replace(filters, source_kinds=("echr",), roles=roles), self.limit)
        present = {d.id for d in documents}
        merged = [*documents, *(d for d in court if d.id not in present)]
        merged.sort(key=lambda d: -(d.score or 0.0))  # stable: the retrieved list's own order among equal scores
        return {"documents": Candidates(merged)}
