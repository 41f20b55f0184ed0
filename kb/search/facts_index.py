"""The facts-section index: each ECtHR judgment's THE FACTS section as one BM25 vector, in the store: which case a
story of facts tells.

Why: a query that recounts facts ("the applicant, a journalist, was arrested …") is looking for the case with those
facts. Paragraph BM25 scores each paragraph alone, so a later judgment that retells the facts in one long paragraph
can outrank the case itself; scoring the whole facts section per judgment does not (summary cases of dev.jsonl,
grouped cross-validation: doc_hit@1 0.964 → see `bench/fit_ranking.py`).

One point per judgment in a sparse-only collection beside the chunks (`ChunkStore.upsert_facts`; on Qdrant Edge a
second shard, on a server a second collection), its vector the `qdrant_edge.Bm25` document weights (k1 1.2, b 0.75,
`FACTS_AVG_LEN`) of the whole facts section, with the same tokenizer as the paragraphs; the collection's IDF modifier
supplies the IDF. `kb citations build` indexes every judgment of the corpus; the write path keeps it current
(`index_written_document` as a document is written; `ChunkStore.delete_documents` deletes facts points too).
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Iterable

import qdrant_edge as q

from ingest.model import SourceDocument
from kb.embedding import BM25_CONFIG
from kb.store.base import ChunkPoint, ChunkStore, FactsPoint, SparseVector

K1, B = 1.2, 0.75
FACTS_AVG_LEN = 1796.968
"""Mean length in tokens of a facts section over the corpus's 2,821 judgments that have one (measured 2026-12-01:
1796.968; the former in-process index recomputed it at each build). Fixed, so that a judgment indexed later by the
write path is weighted like the rest."""
FACTS_NAMESPACE = uuid.UUID("6f0c1d1e-6a5b-4a8e-9a53-2f6c0b7d7f10")
UPSERT_BATCH = 256


def facts_text(doc: SourceDocument) -> str:
    return "\n".join(p.text for p in doc.paragraphs if p.section == "THE FACTS")


def index_written_document(store: ChunkStore, doc_id: str, points: list[ChunkPoint]) -> None:
    """The write path's hook (`kb.indexing.writing.write_document`): after an ECtHR document's chunks are written,
    its facts point is replaced from their THE FACTS texts (or deleted if it has none), so a judgment added by
    `kb update` is ranked by its facts like the rest. Removal needs no hook: `ChunkStore.delete_documents` deletes
    the documents' facts points too."""
    if not points or points[0].payload.get("source_kind") != "echr":
        return
    text = "\n".join(p.payload.get("text", "") for p in points if p.payload.get("section") == "THE FACTS")
    point = FactsEmbedder().point_of(doc_id, text)
    if point is None:
        store.delete_facts([doc_id])
    else:
        store.upsert_facts([point])


def facts_id(doc_id: str) -> str:
    return str(uuid.uuid5(FACTS_NAMESPACE, doc_id))


class FactsEmbedder:
    """BM25 weights of a whole facts section (document side) and of a query (each distinct term 1)."""

    def __init__(self) -> None:
        self.documents = q.Bm25(q.Bm25Config(**{**BM25_CONFIG, "k": K1, "b": B, "avg_len": FACTS_AVG_LEN}))
        self.queries = q.Bm25(q.Bm25Config(**BM25_CONFIG))

    def point(self, doc: SourceDocument) -> FactsPoint | None:
        """The facts point of a judgment, None if it has no facts section."""
        return self.point_of(doc.doc_id, facts_text(doc))

    def point_of(self, doc_id: str, text: str) -> FactsPoint | None:
        if not text.strip():
            return None
        sv = self.documents.embed_document(text)
        return FactsPoint(facts_id(doc_id), doc_id, SparseVector(list(sv.indices), list(sv.values)))

    def query(self, text: str) -> SparseVector:
        sv = self.queries.embed_query(text)
        return SparseVector(list(sv.indices), list(sv.values))


def index_judgments(store: ChunkStore, documents: Iterable[SourceDocument]) -> int:
    """Upserts the facts point of each ECtHR document with a facts section and deletes that of one without;
    returns how many were indexed."""
    embedder = FactsEmbedder()
    batch: list[FactsPoint] = []
    without: list[str] = []
    indexed = 0
    for doc in documents:
        if doc.source_kind != "echr":
            continue
        point = embedder.point(doc)
        if point is None:
            without.append(doc.doc_id)
        else:
            batch.append(point)
        if len(batch) >= UPSERT_BATCH:
            store.upsert_facts(batch)
            indexed += len(batch)
            batch = []
    store.upsert_facts(batch)
    store.delete_facts(without)
    return indexed + len(batch)


def build(documents: Iterable[SourceDocument], store: ChunkStore) -> int:
    """Indexes every judgment of `documents` and drops the points of judgments no longer among them."""
    documents = list(documents)
    indexed = index_judgments(store, documents)
    present = {d.doc_id for d in documents}
    store.delete_facts(sorted(store.facts_doc_ids() - present))
    return indexed


class FactsIndex:
    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.embedder = FactsEmbedder()

    def ranks(self, query: str, doc_ids: Iterable[str], exclude_doc_ids: Iterable[str] = ()) -> dict[str, int]:
        """The 1-based rank of each of `doc_ids` among all indexed judgments (excluded ones left out) by how well
        its facts section matches the query; documents without a match or without facts get no rank.

        Two store queries: the scores of the wanted judgments, then every judgment scoring at least the lowest of
        them, which gives each its exact rank."""
        excluded = tuple(sorted(set(exclude_doc_ids)))
        wanted = tuple(sorted(set(doc_ids) - set(excluded)))
        sparse = self.embedder.query(query)
        if not wanted or not sparse.indices:
            return {}
        scores = {d: s for d, s in self.store.search_facts(sparse, len(wanted), doc_ids=wanted) if s > 0}
        if not scores:
            return {}
        above = sorted(self.store.facts_scores(sparse, exclude_doc_ids=excluded,
                                               score_threshold=min(scores.values())))
        return {d: len(above) - bisect.bisect_right(above, s) + 1 for d, s in scores.items()}


def open_facts_index(store: ChunkStore) -> FactsIndex | None:
    """The index, or None while `kb citations build` has not filled it."""
    return FactsIndex(store) if store.facts_doc_ids() else None
