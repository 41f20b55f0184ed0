"""The store interface: everything the rest of the system may ask of Qdrant, and nothing more.

Two backends implement it (`EdgeStore`, the embedded Qdrant Edge shard; a Qdrant server through
qdrant-client) and one conformance suite (`tests/test_store_conformance.py`) holds both to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from kb.requests import SearchFilters

DENSE = "dense"
SPARSE = "bm25"
FACTS = "facts"
"""The facts-section index (`kb.search.facts_index`): a collection of its own, its sparse vector of the same name."""
REASONING = "reasoning"
"""The reasoning index (`kb.search.facts_index.open_reasoning_index`): the Court's THE LAW paragraphs of each ECtHR
judgment or decision as one point, in a collection of its own like the facts index."""
DOCUMENT_INDEXES = (FACTS, REASONING)
"""Every document index: one point per document, a sparse-only collection beside the chunks (`kb.facts`)."""


def document_index(index: str) -> str:
    """`index` if it names a document index; a ValueError naming the valid ones otherwise (both backends)."""
    if index not in DOCUMENT_INDEXES:
        raise ValueError(f"no document index {index!r}: the store has {', '.join(DOCUMENT_INDEXES)}")
    return index

QueryMode = Literal["hybrid", "dense", "bm25"]
"""What one store query ranks by (`kb.search.retrieval.SearchMode` adds `ranked`, which re-ranks BM25 results)."""

KEYWORD_FIELDS = ("doc_id", "doc_version", "doc_type", "court", "respondent_state", "articles", "language",
                  "source_kind", "source_name", "section", "paragraph", "appno", "formation", "role")
EMBED_RANK = "embed_rank"
"""Payload field: how useful a chunk's dense vector is (`kb.indexing.chunking.embed_rank`); the backfill (`kb embed`)
fills the highest first. Not part of a document's version, so a stored chunk keeps its id and version with or
without it."""
RRF_K = 60
"""The k of reciprocal rank fusion (a hit at rank r adds about 1/(k + r)), Cormack et al.'s constant and Qdrant's
default, in one place: both backends' hybrid queries and the search's named-source fusion (`kb.search.source_cues`)."""
ALL_VALUES = 10_000_000
"""A facet limit no field reaches (the whole corpus is 326,141 chunks): `facet(key, limit=ALL_VALUES)` is every value
of `key`, where the default limit gives the commonest few for a menu."""
MISSING_FIELDS = ["doc_id", "text", EMBED_RANK]
"""The payload `ChunkStore.missing_dense` returns: what the backfill embeds (`text`) and reports."""
INTEGER_FIELDS = ("importance", "year", "para_index", EMBED_RANK)
DATETIME_FIELDS = ("date",)
BOOL_FIELDS: tuple[str, ...] = ()
"""None: qdrant-edge-py 0.9.0 matches no boolean value (measured: MatchValue(True) finds nothing, indexed or not),
so flags that filters use are stored as keywords (`formation`)."""
"""Every payload field a filter, facet or document lookup uses; each gets a payload index."""


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]


@dataclass(frozen=True)
class ChunkPoint:
    """One paragraph as stored: a content-derived UUID, both vectors and the full payload. `dense` is empty for a
    chunk written sparse-first: it is stored without a dense vector until `update_vectors` gives it one."""

    id: str
    dense: list[float]
    sparse: SparseVector
    payload: dict


@dataclass(frozen=True)
class FactsPoint:
    """One document in a document index (`DOCUMENT_INDEXES`): a BM25 vector of its whole THE FACTS section, or of
    its whole reasoning."""

    id: str
    doc_id: str
    sparse: SparseVector

    @staticmethod
    def from_record(record, index: str = FACTS) -> FactsPoint:
        """A point of document index `index` read back from either backend (an Edge or a qdrant-client record:
        `id`, `payload`, and `vector` keyed by vector name, the sparse one with `indices` and `values`)."""
        sv = record.vector.get(index) if isinstance(record.vector, dict) else None
        return FactsPoint(str(record.id), str((record.payload or {}).get("doc_id")),
                          SparseVector(list(sv.indices), list(sv.values)) if sv is not None else SparseVector([], []))


@dataclass(frozen=True)
class StoredChunk:
    id: str
    payload: dict
    score: float = 0.0
    dense: list[float] | None = None
    sparse: SparseVector | None = None

    @classmethod
    def of_record(cls, record, with_vectors: bool) -> StoredChunk:
        """A scrolled point of either backend (an Edge or a qdrant-client record) with its payload, and its vectors
        if they were read."""
        dense = sparse = None
        if with_vectors and isinstance(record.vector, dict):
            dense = list(record.vector.get(DENSE) or []) or None
            sv = record.vector.get(SPARSE)
            sparse = SparseVector(list(sv.indices), list(sv.values)) if sv is not None else None
        return cls(str(record.id), dict(record.payload or {}), 0.0, dense, sparse)


@dataclass(frozen=True)
class DocumentVersion:
    """What the store holds of one document: its content version and how many of its chunks are present."""

    doc_id: str
    version: str
    expected_chunks: int
    stored_chunks: int

    @property
    def complete(self) -> bool:
        return self.stored_chunks == self.expected_chunks


def encode_version(doc_id: str, content_hash: str, n_chunks: int) -> str:
    """`doc_version` payload value; one facet over it tells every document's version and completeness."""
    return f"{doc_id}@{content_hash}#{n_chunks}"


def document_file(payload: dict | None) -> tuple[str, str]:
    """(doc_id, source_file) of a first chunk's payload, as both backends' `document_files` return them."""
    payload = payload or {}
    return str(payload.get("doc_id")), str(payload.get("source_file") or "")


def paragraphs_by_document(keys: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(doc_id, its paragraph numbers) for `ChunkStore.scroll_paragraphs`, one per document, both backends alike."""
    by_doc: dict[str, list[str]] = {}
    for doc_id, paragraph in keys:
        by_doc.setdefault(doc_id, [])
        if paragraph not in by_doc[doc_id]:
            by_doc[doc_id].append(paragraph)
    return sorted(by_doc.items())


def decode_versions(facets: Iterable[tuple[str, int]]) -> dict[str, DocumentVersion]:
    out: dict[str, DocumentVersion] = {}
    for value, count in facets:
        doc_id, _, rest = value.rpartition("@")
        content_hash, _, n = rest.partition("#")
        previous = out.get(doc_id)
        version = DocumentVersion(doc_id, content_hash, int(n), count)
        if previous is None or version.stored_chunks > previous.stored_chunks:
            out[doc_id] = version
    return out


class ChunkStore(Protocol):
    """A Qdrant collection of paragraph chunks with a dense and a BM25 sparse vector, and beside it the document
    indexes (`DOCUMENT_INDEXES`): each a sparse-only collection of one point per ECtHR document, its sparse vector
    named after the index (IDF modifier, payload `doc_id`). The `*_facts` methods serve every document index, the
    facts index unless `index` says otherwise."""

    def upsert(self, points: list[ChunkPoint]) -> None: ...

    def delete(self, ids: list[str]) -> None: ...

    def payload_changes(self) -> int | None:
        """How many writes of chunks or payloads (not of dense vectors alone) this object has made since it opened
        the store, when no other process can write it (the Edge store, which one process holds), else None. A count
        derived from payloads (documents, facets) is then current while this number is unchanged: the app's sidebar
        and filter counts are recomputed after a write, not on a timer (`ui.state.Fresh`)."""
        ...

    def update_vectors(self, vectors: dict[str, list[float]]) -> int:
        """Set the dense vector of stored chunks (chunk id → vector); payload, sparse vector, id and version stay as
        they are. Ids no longer stored (the document was replaced or removed meanwhile) are skipped: a chunk id is
        derived from its text, so a vector is never set on a chunk of another text. Returns how many were set."""
        ...

    def missing_dense(self, limit: int) -> list[StoredChunk]:
        """Up to `limit` chunks without a dense vector, most useful first (`EMBED_RANK` descending, chunks without a
        rank last), with the payload fields `doc_id`, `text` and `EMBED_RANK`. The store is the backfill's only
        state: a chunk leaves this list when `update_vectors` gives it a vector."""
        ...

    def count_missing_dense(self) -> int:
        """Chunks stored without a dense vector (a dense or hybrid search cannot find them)."""
        ...

    def delete_documents(self, doc_ids: list[str]) -> None:
        """Deletes the documents' chunks and their points in every document index."""
        ...

    def search(
        self,
        dense: list[float] | None,
        sparse: SparseVector | None,
        filters: SearchFilters,
        limit: int,
        mode: QueryMode = "hybrid",
        prefetch_limit: int = 100,
        weights: tuple[float, float] = (1.0, 1.0),
    ) -> list[StoredChunk]: ...

    def document_chunks(self, doc_id: str) -> list[StoredChunk]: ...

    def retrieve(self, ids: list[str]) -> list[StoredChunk]: ...

    def dense_vectors(self, ids: list[str]) -> dict[str, list[float] | None]:
        """Of these chunk ids, each stored one with its dense vector (None: stored without one, waiting for `kb
        embed`); ids not stored are left out. What a write of a replaced document reads so that an unchanged passage
        (same id: same document, place and text) keeps its dense state instead of going to the model."""
        ...

    def versions(self) -> dict[str, DocumentVersion]: ...

    def document_files(self) -> dict[str, str]:
        """doc_id → `source_file` of every stored document (read from its first chunk), so that a run which cannot
        read a file knows which stored documents came from it and keeps them, while removing the others."""
        ...

    def count(self, filters: SearchFilters | None = None) -> int: ...

    def facet(self, key: str, filters: SearchFilters | None = None, limit: int = 50) -> list[tuple[str, int]]: ...

    def scroll(self, filters: SearchFilters | None = None, batch: int = 1000,
               with_vectors: bool = False) -> Iterator[StoredChunk]: ...

    def scroll_paragraphs(self, keys: Iterable[tuple[str, str]], filters: SearchFilters | None = None,
                          batch: int = 256) -> Iterator[StoredChunk]:
        """The chunks of these (doc_id, paragraph) pairs that pass `filters` (whose own `doc_ids` and `paragraphs`
        are not used), in `scroll`'s order. Why not `scroll` with `doc_ids` and `paragraphs`: that matches every
        paragraph number in every document, ~8 times the chunks wanted when the ranker fetches its cited
        paragraphs (~9 ms of a ranked search on the full store)."""
        ...

    def set_document_fields(self, fields: dict[str, dict]) -> None:
        """Sets payload fields on every chunk of each document (doc_id → {field: value}): what is derived from the
        whole corpus after the documents were written (`kb citations build`: `importance`)."""
        ...

    def upsert_facts(self, points: list[FactsPoint], *, index: str = FACTS) -> None: ...

    def delete_facts(self, doc_ids: list[str], *, index: str = FACTS) -> None: ...

    def facts_doc_ids(self, *, index: str = FACTS) -> set[str]: ...

    def scroll_facts(self, batch: int = 1000, *, index: str = FACTS) -> Iterator[FactsPoint]:
        """Every point of the document index with its vector (what `kb migrate` copies)."""
        ...

    def search_facts(self, sparse: SparseVector, limit: int | None, doc_ids: tuple[str, ...] = (),
                     exclude_doc_ids: tuple[str, ...] = (), score_threshold: float | None = None, *,
                     index: str = FACTS) -> list[tuple[str, float]]:
        """(doc_id, score) of the documents whose point matches `sparse`, best first; `limit` None: all of them."""
        ...

    def facts_scores(self, sparse: SparseVector, exclude_doc_ids: tuple[str, ...] = (),
                     score_threshold: float | None = None, *, index: str = FACTS) -> list[float]:
        """The scores alone of every document `search_facts(sparse, None, …)` lists, best first: what a rank needs.
        Why: reading ~2,000 points' payloads and converting them was ~2/3 of that query's ~30 ms per ranked search."""
        ...

    def flush(self) -> None: ...

    def optimize(self) -> None: ...

    def close(self) -> None: ...
