"""Writing: embedded chunks become store points, grouped in whole-document batches that a sink writes or hands over.

One rule for every write path (`kb ingest`, `kb update`, the app applying an inbox batch): a document is upserted
whole (in one store operation with other whole documents, for any document of the corpus;
`kb.store.edge.UPSERT_POINTS` at a time beyond), and only then are its chunks that the new version no longer has
removed, so an interruption leaves either the old version or both (the next run finishes the replacement; a new
version cut short counts as incomplete, its `doc_version` naming more chunks than are stored), never a half document
that looks complete. `write_documents` is that rule, and the one place a per-document side effect of a write belongs.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from haystack import Document, component

from kb.embedding import (
    Bm25DocumentEmbedder,
    CachedDocumentEmbedder,
    EmbeddingCache,
    check_model,
    document_embedder,
)
from kb.facts import index_written_document
from kb.settings import Settings
from kb.store.base import ALL_VALUES, ChunkPoint, ChunkStore, SearchFilters, SparseVector


@dataclass
class Batch:
    """Whole documents to write (each replaces every stored chunk of that document) and documents to remove."""

    documents: dict[str, list[ChunkPoint]] = field(default_factory=dict)
    removals: list[str] = field(default_factory=list)
    new: set[str] = field(default_factory=set)
    """Documents of which the writer knows the store held no chunk when its run began and that no one else writes
    (`kb ingest` holding the store): no stale chunk to look for. Not handed over: the owner checks every document."""

    def chunks(self) -> int:
        return sum(len(points) for points in self.documents.values())

    def to_json(self) -> dict:
        return {
            "documents": {
                doc_id: [{"id": p.id, "dense": p.dense, "sparse": [p.sparse.indices, p.sparse.values],
                          "payload": p.payload} for p in points]
                for doc_id, points in self.documents.items()
            },
            "removals": self.removals,
        }

    @classmethod
    def from_json(cls, data: dict) -> Batch:
        return cls(
            documents={
                doc_id: [ChunkPoint(p["id"], p["dense"], SparseVector(*p["sparse"]), p["payload"]) for p in points]
                for doc_id, points in data.get("documents", {}).items()
            },
            removals=list(data.get("removals", [])),
        )


def to_point(doc: Document) -> ChunkPoint:
    sparse = doc.sparse_embedding
    return ChunkPoint(
        id=doc.id,
        dense=doc.embedding or [],  # not copied: a 80,000-paragraph file held 80,000 copies of one shared vector
        sparse=SparseVector(list(sparse.indices), list(sparse.values)) if sparse else SparseVector([], []),
        payload={k: v for k, v in doc.meta.items() if v is not None},
    )


WRITE_POINTS = 4096
"""Chunks gathered into one store call from whole documents (the size of the Edge store's own update operation,
`kb.store.edge.UPSERT_POINTS`): a larger document is written alone, split there."""


def write_documents(store: ChunkStore, documents: dict[str, list[ChunkPoint]], new: set[str] | frozenset = frozenset()
                    ) -> None:
    """Whole documents: upsert all their chunks, then drop the chunks each no longer has (not looked for in the
    documents of `new`, which had none stored).

    Documents go to the store together, whole ones up to `WRITE_POINTS` chunks a call (a larger document is one
    call alone): one store operation and one payload-copy transaction for a batch of small documents instead of
    one each (a whole-corpus ingest made ~5,000 of each, ~1/6 of its write time). Every write path ends here (direct
    writes and inbox batches alike), so an index derived per document (e.g. a judgment's facts point) is kept
    current by a call added here and nowhere else.
    """
    together: list[ChunkPoint] = []
    for points in documents.values():
        if together and len(together) + len(points) > WRITE_POINTS:
            store.upsert(together)
            together = []
        together += points
    if together:
        store.upsert(together)
    for doc_id, points in documents.items():
        if doc_id not in new:
            keep = {p.id for p in points}
            store.delete([c.id for c in store.document_chunks(doc_id) if c.id not in keep])
        index_written_document(store, doc_id, points)


def keep_stored_dense(store: ChunkStore, batch: Batch) -> None:
    """A chunk handed over without a dense vector keeps the one the store holds under its id (same document, place
    and text), as a direct write does (`DenseFill`): the updating process cannot read the store, so it leaves every
    passage of a replaced document that the embedding cache lacks to the owner (`owner_keeps`), and the upsert
    would otherwise drop a stored vector the cache had lost. What neither holds waits for `kb embed`."""
    bare = [p.id for points in batch.documents.values() for p in points if not p.dense]
    stored = {i: v for i, v in store.dense_vectors(bare).items() if v} if bare else {}
    if stored:
        batch.documents = {doc_id: [replace(p, dense=stored[p.id]) if not p.dense and p.id in stored else p
                                    for p in points] for doc_id, points in batch.documents.items()}


def apply_batch(store: ChunkStore, batch: Batch) -> None:
    write_documents(store, batch.documents, batch.new)
    if batch.removals:
        store.delete_documents(batch.removals)


class Sink(Protocol):
    """Where finished batches go: the store itself, or the inbox of the process that holds it."""

    mode: str

    def deliver(self, batch: Batch) -> None: ...

    def finish(self) -> None: ...


FLUSH_CHUNKS = 4096
"""Chunks written between two flushes of the store. Qdrant Edge keeps what is not flushed in memory: an ingest of 300
judgments (36k chunks) flushed only at the end grew 4.6 KB of anonymous memory a chunk, 2.1 KB flushed every 4,096
(every 512: 0.9 KB, but each flush took ~1.3 s on the loaded machine, 25 % of the run)."""


class StoreSink:
    """This process holds the store: write each batch now, flush every `FLUSH_CHUNKS` chunks and at the end (chunk
    ids and versions come from content, so work lost to a crash before a flush is redone by the next run)."""

    mode = "direct"

    def __init__(self, store: ChunkStore, flush_chunks: int = FLUSH_CHUNKS) -> None:
        self.store = store
        self.flush_chunks = flush_chunks
        self.unflushed = 0

    def deliver(self, batch: Batch) -> None:
        apply_batch(self.store, batch)
        self.unflushed += batch.chunks()
        if self.unflushed >= self.flush_chunks:
            self.finish()

    def finish(self) -> None:
        self.store.flush()
        self.unflushed = 0


@component
class BatchWriter:
    """The pipeline's last step: the embedded chunks, grouped by document, as one batch to the sink."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    @component.output_types(batch=Batch)
    def run(self, documents: list[Document], new: set[str] | None = None) -> dict:
        """`new`: the documents that had no chunk stored when the run began (`Batch.new`)."""
        batch = Batch(new=new or set())
        for doc in documents:
            batch.documents.setdefault(doc.meta["doc_id"], []).append(to_point(doc))
        self.sink.deliver(batch)
        return {"batch": batch}


FILE_SECONDS = 120.0
"""Model time one source file may take in a run. A file beyond it (a 21 MB Markdown of 80,000 paragraphs held `kb
update` for over ten minutes) has its other passages written without dense vectors, BM25-searchable at once, and `kb
embed` gives them theirs; the files after it are not kept waiting."""
EMBED_SLICE = 256
"""Passages embedded between two looks at the files' budgets: a budget is overrun by at most one slice (~4 s at 70
passages/s), and the model still gets runs of passages long enough to sort by length."""


StoredDense = Callable[[list[str]], dict[str, list[float] | None]]
"""Chunk ids → the stored ones with their dense vector or None (`ChunkStore.dense_vectors`)."""


def owner_keeps(ids: list[str]) -> dict[str, list[float] | None]:
    """The `StoredDense` of a write handed over to the process that holds the store (`kb update` beside the app),
    which this one cannot read: every passage of a document the store holds may be stored, so none goes to the model
    here; it is handed over without a vector and keeps the owner's (`keep_stored_dense`), or waits for `kb embed`.
    Before, each such passage the cache lacked was embedded by the update beside the app's searches: a loader change
    rewrote 267,398 sparse-first ECtHR chunks at ~30 chunks/s, where a direct update writes them at ~670/s."""
    return dict.fromkeys(ids)


@component
class DenseFill:
    """Dense vectors for the chunks a sync writes: from the embedding cache, then from the store (`stored`: a chunk
    it already holds, i.e. the same document, place and text, keeps its vector, or its lack of one), then
    (`embedder` given) from the model, each source file within `file_seconds` of model time. A chunk left without a
    vector is written sparse-only and is what `kb embed` fills (`ChunkStore.missing_dense`); without `embedder`
    (sparse-first) only the cache and the store are read.

    Why the store: a loader change gives every document of its source a new version, and `kb update` rewrites them
    all. In a store written sparse-first and not yet filled by `kb embed`, the model ran for every passage the cache
    lacked, unchanged ones included (session 18: 267,398 ECtHR chunks at ~30 chunks/s, 2.6 hours; the model was 81 %
    of the write's time): a write now runs the model for passages new to the store only, and leaves the backlog to
    `kb embed`, in the same `embed_rank` order."""

    def __init__(self, cache: EmbeddingCache, embedder: CachedDocumentEmbedder | None,
                 file_seconds: float | None = FILE_SECONDS, stored: StoredDense | None = None) -> None:
        self.cache = cache
        self.embedder = embedder
        self.file_seconds = file_seconds
        self.stored = stored
        self.spent: dict[str, float] = {}
        """Model seconds per source file in this run."""
        self.over_budget: dict[str, int] = {}
        """Passages per source file left without a dense vector because the file's model time ran out."""
        self.without_dense = 0

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document], new: set[str] | None = None) -> dict:
        """`new`: documents the store held no chunk of when the run began (`Batch.new`): not looked up."""
        known = self.cache.get_many([d.content or "" for d in documents])
        asked = [d.id for d in documents if (d.content or "") not in known and d.meta.get("doc_id") not in (new or ())]
        kept = self.stored(asked) if self.stored is not None and asked else {}  # stored: never sent to the model
        pending = ([d for d in documents if (d.content or "") not in known and d.id not in kept]
                   if self.embedder is not None else [])
        stopped: set[str] = set()
        at = 0
        while at < len(pending):  # slices across files, so the model gets long runs of passages to sort by length
            piece: list[Document] = []
            while at < len(pending) and len(piece) < EMBED_SLICE:
                doc, at = pending[at], at + 1
                source_file = _file_of(doc)
                if (doc.content or "") in known:
                    continue  # the same text in an earlier slice
                if self.file_seconds is not None and self.spent.get(source_file, 0.0) >= self.file_seconds:
                    stopped.add(source_file)
                else:
                    piece.append(doc)
            if not piece:
                break
            started = time.monotonic()
            for done in self.embedder.run(documents=piece)["documents"]:
                known[done.content or ""] = done.embedding
            elapsed = time.monotonic() - started
            for source_file, n in Counter(_file_of(d) for d in piece).items():  # each file pays for its share
                self.spent[source_file] = self.spent.get(source_file, 0.0) + elapsed * n / len(piece)
        out = [doc if (vector := known.get(doc.content or "", kept.get(doc.id))) is None
               else replace(doc, embedding=vector) for doc in documents]
        for doc in out:
            if doc.embedding is None:
                self.without_dense += 1
                if _file_of(doc) in stopped and doc.id not in kept:
                    self.over_budget[_file_of(doc)] = self.over_budget.get(_file_of(doc), 0) + 1
        return {"documents": out}


def _file_of(doc: Document) -> str:
    return str(doc.meta.get("source_file") or "")


class Indexer:
    """The write steps in turn: dense vectors (`DenseFill`: the embedding cache, then the model unless `embed` is
    False), BM25 weights, the batch writer.

    Called directly, not as a Haystack `Pipeline`: before each component a pipeline walks every chunk of its input
    lists with a runtime Protocol check (~40 µs each), ~9 % of a sparse-first ingest's time (cProfile, 800 files of
    the corpus), for steps that are always these three in this order."""

    def __init__(self, settings: Settings, sink: Sink, embed: bool = True,
                 file_seconds: float | None = FILE_SECONDS, stored: StoredDense | None = None) -> None:
        """`stored`: the store's dense state of chunks it holds (`DenseFill`), when this process holds the store."""
        cache = EmbeddingCache(settings.embeddings_cache, settings.embedding)
        check_model(settings.model)  # a missing model is named before any work, even if the cache would not need it
        embedder = CachedDocumentEmbedder(
            lambda: document_embedder(settings.embedding), cache) if embed else None
        self.dense = DenseFill(cache, embedder, file_seconds, stored)
        self.sparse = Bm25DocumentEmbedder()
        self.writer = BatchWriter(sink)

    def run(self, documents: list[Document], new: set[str] | None = None) -> Batch:
        """Write `documents` (whole documents' chunks); `new` as `Batch.new`. A chunk that has its BM25 vector
        already (given by the reading process, `kb.indexing.sync.ReadAhead`) keeps it."""
        embedded = self.dense.run(documents=documents, new=new)["documents"]
        todo = [d for d in embedded if d.sparse_embedding is None]
        if todo:
            encoded = iter(self.sparse.run(documents=todo)["documents"])
            embedded = [next(encoded) if d.sparse_embedding is None else d for d in embedded]
        return self.writer.run(documents=embedded, new=new)["batch"]


# -- what the store holds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDocument:
    """What a writer needs to know of a stored document: its version, completeness, kind, source and file."""

    version: str
    complete: bool
    kind: str | None
    source: str | None
    source_file: str | None = None
    """The file it was read from (None: not known, e.g. from a snapshot written before files were recorded)."""


def store_documents(store: ChunkStore) -> dict[str, StoredDocument]:
    """Every stored document with its kind and source (facets over the indexed payload fields) and its file."""
    kinds = _doc_values(store, "source_kind", "source_kinds")
    sources = _doc_values(store, "source_name", "source_names")
    files = store.document_files()
    return {doc_id: StoredDocument(v.version, v.complete, kinds.get(doc_id), sources.get(doc_id),
                                 files.get(doc_id) or None)
            for doc_id, v in store.versions().items()}


def _doc_values(store: ChunkStore, key: str, filter_field: str) -> dict[str, str]:
    """doc_id → the value of a per-document payload field, one facet per distinct value."""
    out: dict[str, str] = {}
    for value, _ in store.facet(key, limit=100_000):
        for doc_id, _ in store.facet("doc_id", SearchFilters(**{filter_field: (value,)}), limit=ALL_VALUES):
            out[doc_id] = value
    return out
