"""The facts-section index's points: each ECtHR judgment's THE FACTS section as one BM25 vector, written by both
the write path (`index_written_document`, as a document is written) and `kb citations build` (`build`), and read by
the ranker (`kb.search.facts_index`).

Why a module of its own below the write and the read path: the encoder and the writer served both, and when they
lived in `kb/search` the write path imported the read path.

One point per judgment in a sparse-only collection beside the chunks (`ChunkStore.upsert_facts`; on Qdrant Edge a
second shard, on a server a second collection), its vector the `qdrant_edge.Bm25` document weights (k1 1.2, b 0.75,
`FACTS_AVG_LEN`) of the whole facts section, with the same tokenizer as the paragraphs; the collection's IDF modifier
supplies the IDF. `ChunkStore.delete_documents` deletes facts points too, so removal needs no hook.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

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
    """The write path's hook (`kb.indexing.writing.write_documents`): after an ECtHR document's chunks are written,
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


@dataclass(frozen=True)
class JudgmentFacts:
    """The facts points of a set of documents, computed apart from the store: `kb citations build` lets the
    documents' text go before it opens the store (the two together peaked at 3.4 GB on the whole corpus)."""

    points: list[FactsPoint]
    without: list[str]
    """ECtHR documents with no facts section: their point, if any, is deleted."""
    present: frozenset[str]
    """Every document given: the points of ECtHR documents outside it are deleted."""


def judgment_facts(documents: Iterable[SourceDocument]) -> JudgmentFacts:
    embedder = FactsEmbedder()
    points: list[FactsPoint] = []
    without: list[str] = []
    present: set[str] = set()
    for doc in documents:
        present.add(doc.doc_id)
        if doc.source_kind != "echr":
            continue
        point = embedder.point(doc)
        if point is None:
            without.append(doc.doc_id)
        else:
            points.append(point)
    return JudgmentFacts(points, without, frozenset(present))


def write_facts(facts: JudgmentFacts, store: ChunkStore) -> int:
    """Upserts the points, deletes those of judgments without a facts section or no longer among the documents;
    returns how many judgments are indexed."""
    for start in range(0, len(facts.points), UPSERT_BATCH):
        store.upsert_facts(facts.points[start:start + UPSERT_BATCH])
    store.delete_facts(facts.without)
    store.delete_facts(sorted(store.facts_doc_ids() - facts.present))
    return len(facts.points)


def build(documents: Iterable[SourceDocument], store: ChunkStore) -> int:
    """Indexes every judgment of `documents` and drops the points of judgments no longer among them."""
    return write_facts(judgment_facts(documents), store)
