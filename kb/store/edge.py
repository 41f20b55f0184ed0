"""The embedded store: one Qdrant Edge shard in this process (HNSW, payload indexes, sparse IDF, RRF fusion)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import qdrant_edge as q
from filelock import FileLock, Timeout

from kb.store.base import (
    ALL_VALUES,
    BOOL_FIELDS,
    DATETIME_FIELDS,
    DENSE,
    DOCUMENT_INDEXES,
    EMBED_RANK,
    FACTS,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    MISSING_FIELDS,
    RRF_K,
    SPARSE,
    ChunkPoint,
    DocumentVersion,
    FactsPoint,
    QueryMode,
    SearchFilters,
    SparseVector,
    StoredChunk,
    decode_versions,
    document_file,
    document_index,
    paragraphs_by_document,
)
from kb.store.payloads import PayloadCopy, copy_path
from legal.errors import StoreLockedError

UPSERT_POINTS = 4096
"""Points per update operation: a document of any usual size (the longest judgment has ~1,500 paragraphs) is one
operation, and a 80,000-paragraph file is not converted for Qdrant all at once (its write peaked at 3.5 GB)."""


def lock_path(path: Path) -> Path:
    """The ownership lock of the shard at `path`: a file beside the shard folder, never inside it."""
    return path.with_name(f"{path.name}.lock")


def index_path(path: Path, index: str = FACTS) -> Path:
    """The shard of document index `index` beside the chunk shard (`<store>-facts`, `<store>-reasoning`): a shard
    owns its whole folder, so it cannot be inside."""
    return path.with_name(f"{path.name}-{index}")


class EdgeStore:
    """A Qdrant Edge shard under `path`, and each document index (`DOCUMENT_INDEXES`) in a shard of its own beside
    it (`index_path`), owned by this process while it is open.

    Ownership is decided by our own lock (`flock` on `lock_path(path)`, released by close, a crash or kill -9)
    taken *before* Qdrant Edge is called: Edge's own WAL lock refuses a second opener only after that opener has
    touched the shard's files, and from then on every flush of the owner failed ("tracker_journal.dat is shorter
    than expected", issue 14). A second process now stops at our lock and never reaches the shards.
    """

    def __init__(self, path: Path, dim: int, wait: float = 0.0) -> None:
        """`wait`: seconds to wait for another process to let go of the store (`kb embed` holds it while nobody
        serves it and lets go when asked: `kb.indexing.handover.open_asking`); 0 refuses at once."""
        self.path = Path(path)
        self.dim = dim
        self._lock = threading.RLock()
        self._shard = None
        self._indexes: dict[str, q.EdgeShard] = {}
        self._changes = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._owner = FileLock(lock_path(self.path), thread_local=False)
        try:
            self._owner.acquire(timeout=max(0.0, wait), poll_interval=0.2)
        except Timeout:
            raise StoreLockedError(
                f"The store at {self.path} is open in another process (Qdrant Edge allows one). "
                "Stop that process (e.g. the Streamlit app) or use `kb update`, which hands work to it."
            ) from None
        try:
            self._open_shards()
            self._payloads = PayloadCopy(copy_path(self.path))
            self._keep_copy()
        except BaseException:
            self._owner.release()
            raise

    def _open_shards(self) -> None:
        self._shard = _open_shard(self.path, chunk_config(self.dim))
        self._create_indexes()
        for index in DOCUMENT_INDEXES:  # a store written before an index existed gets it empty
            shard = self._indexes[index] = _open_shard(index_path(self.path, index), q.EdgeConfig(
                vectors={}, sparse_vectors={index: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)}))
            if "doc_id" not in shard.info().payload_schema:
                shard.update(q.UpdateOperation.create_field_index("doc_id", q.PayloadSchemaType.Keyword))

    def _create_indexes(self) -> None:
        """Index every filter field; on an existing shard only the fields added since it was created."""
        present = set(self._shard.info().payload_schema)
        kinds = ((KEYWORD_FIELDS, q.PayloadSchemaType.Keyword), (INTEGER_FIELDS, q.PayloadSchemaType.Integer),
                 (DATETIME_FIELDS, q.PayloadSchemaType.Datetime), (BOOL_FIELDS, q.PayloadSchemaType.Bool))
        for names, schema in kinds:
            for name in names:
                if name not in present:
                    self._shard.update(q.UpdateOperation.create_field_index(name, schema))

    # writing: each write of the chunk shard is made to its payload copy too (`kb.store.payloads`) ----------------

    def _stamp(self) -> dict[str, int]:
        """Each segment's version (the number of the last operation applied to it): any write advances one."""
        with self._lock:
            return {k: int(v["segment_version"]) for k, v in self._shard.snapshot_manifest().items()}

    def payload_changes(self) -> int | None:
        return self._changes

    def _keep_copy(self) -> None:
        """Rebuild the payload copy unless it is current for this shard (see `kb.store.payloads`)."""
        stamp = self._stamp()
        if not self._payloads.agrees(stamp, self.count()):
            self._payloads.rebuild(self.scroll(), stamp)

    def upsert(self, points: list[ChunkPoint]) -> None:
        with self._payloads.writing():
            for start in range(0, len(points), UPSERT_POINTS):
                edge_points = [
                    q.Point(
                        id=p.id,
                        vector={SPARSE: q.SparseVector(indices=p.sparse.indices, values=p.sparse.values),
                                **({DENSE: p.dense} if p.dense else {})},
                        payload=p.payload,
                    )
                    for p in points[start:start + UPSERT_POINTS]
                ]
                with self._lock:
                    self._shard.update(q.UpdateOperation.upsert_points(edge_points))
            self._payloads.upsert(points, self._stamp())
            with self._lock:
                self._changes += 1

    def update_vectors(self, vectors: dict[str, list[float]]) -> int:
        if not vectors:
            return 0
        # Edge refuses the whole update if one id is absent, so only stored ids are sent
        with self._payloads.writing(), self._lock:
            present = [str(r.id) for r in self._shard.retrieve(list(vectors), with_payload=False, with_vector=False)]
            if present:
                self._shard.update(q.UpdateOperation.update_vectors(
                    [q.PointVectors(id=i, vector={DENSE: list(vectors[i])}) for i in present]))
            self._payloads.unchanged(self._stamp())
        return len(present)

    def delete(self, ids: list[str]) -> None:
        if ids:
            with self._payloads.writing():
                with self._lock:
                    self._shard.update(q.UpdateOperation.delete_points(list(ids)))
                self._payloads.delete(list(ids), self._stamp())
                with self._lock:
                    self._changes += 1

    def delete_documents(self, doc_ids: list[str]) -> None:
        """The documents' chunks and their points in every document index."""
        if doc_ids:
            condition = q.Filter(must=[q.FieldCondition(key="doc_id", match=q.MatchAny(any=list(doc_ids)))])
            with self._payloads.writing():
                with self._lock:
                    self._shard.update(q.UpdateOperation.delete_points_by_filter(condition))
                    for shard in self._indexes.values():
                        shard.update(q.UpdateOperation.delete_points_by_filter(condition))
                self._payloads.delete_documents(list(doc_ids), self._stamp())
                with self._lock:
                    self._changes += 1

    def set_document_fields(self, fields: dict[str, dict]) -> None:
        with self._payloads.writing():
            with self._lock:
                for doc_id, payload in fields.items():
                    condition = q.Filter(must=[q.FieldCondition(key="doc_id", match=q.MatchAny(any=[doc_id]))])
                    self._shard.update(q.UpdateOperation.set_payload_by_filter(condition, payload))
            self._payloads.set_document_fields(fields, self._stamp())
            with self._lock:
                self._changes += 1

    def _index(self, index: str) -> q.EdgeShard:
        return self._indexes[document_index(index)]

    def upsert_facts(self, points: list[FactsPoint], *, index: str = FACTS) -> None:
        if points:
            edge_points = [q.Point(id=p.id, vector={index: q.SparseVector(indices=p.sparse.indices,
                                                                          values=p.sparse.values)},
                                   payload={"doc_id": p.doc_id}) for p in points]
            with self._lock:
                self._index(index).update(q.UpdateOperation.upsert_points(edge_points))

    def delete_facts(self, doc_ids: list[str], *, index: str = FACTS) -> None:
        if doc_ids:
            condition = q.Filter(must=[q.FieldCondition(key="doc_id", match=q.MatchAny(any=list(doc_ids)))])
            with self._lock:
                self._index(index).update(q.UpdateOperation.delete_points_by_filter(condition))

    def flush(self) -> None:
        with self._lock:
            for shard in (self._shard, *self._indexes.values()):
                shard.flush()

    def optimize(self) -> None:
        with self._payloads.writing(), self._lock:
            for shard in (self._shard, *self._indexes.values()):
                shard.optimize()
            self._payloads.unchanged(self._stamp())

    def close(self) -> None:
        with self._lock:
            if self._shard is None:
                return
            try:
                for shard in (self._shard, *self._indexes.values()):
                    shard.flush()
                    shard.close()
            finally:
                self._shard = None
                self._indexes = {}
                self._payloads.close()
                self._owner.release()

    # reading -------------------------------------------------------------------------------------------

    def search(
        self,
        dense: list[float] | None,
        sparse: SparseVector | None,
        filters: SearchFilters,
        limit: int,
        mode: QueryMode = "hybrid",
        prefetch_limit: int = 100,
        weights: tuple[float, float] = (1.0, 1.0),
    ) -> list[StoredChunk]:
        edge_filter = to_edge_filter(filters)
        dense_query = q.Query.Nearest(list(dense), using=DENSE) if dense is not None else None
        sparse_query = (
            q.Query.Nearest(q.SparseVector(indices=sparse.indices, values=sparse.values), using=SPARSE)
            if sparse is not None and sparse.indices
            else None
        )
        if mode == "dense" or (mode == "hybrid" and sparse_query is None):
            arguments = {"query": dense_query}
        elif mode == "bm25" or dense_query is None:
            if sparse_query is None:
                return []
            arguments = {"query": sparse_query}
        else:
            arguments = {
                "prefetches": [
                    q.Prefetch(limit=prefetch_limit, query=dense_query, filter=edge_filter),
                    q.Prefetch(limit=prefetch_limit, query=sparse_query, filter=edge_filter),
                ],
                "query": q.Fusion.Rrf(k=RRF_K, weights=list(weights)),
            }
        with self._lock:
            copied = self._payloads.settled()
            points = self._shard.query(q.QueryRequest(limit=limit, filter=edge_filter, with_payload=not copied,
                                                      **arguments))
        if not copied:
            return [StoredChunk(str(p.id), dict(p.payload or {}), float(p.score)) for p in points]
        return self._copied_payloads([(str(p.id), float(p.score)) for p in points])

    def _copied_payloads(self, hits: list[tuple[str, float]]) -> list[StoredChunk]:
        """The hits with their payloads from the payload copy (`kb.store.payloads`), which this process keeps equal
        to the shard's: Edge's payloads cost a BM25 query of 60 hits ~60 % of its CPU (reading them from the cold
        payload storage and making Python objects of them, ~3.5 ms), the copy's rows by primary key and
        `json.loads` about a third of that. A hit the copy lacks (a write that began after the query deleted it,
        or added it and has not committed the copy yet) is read from the shard, and left out if it is gone."""
        payloads = self._payloads.payloads([point_id for point_id, _ in hits])
        lacking = [point_id for point_id, _ in hits if point_id not in payloads]
        if lacking:
            with self._lock:
                records = self._shard.retrieve(lacking, with_payload=True, with_vector=False)
            payloads.update((str(r.id), dict(r.payload or {})) for r in records)
        return [StoredChunk(point_id, payloads[point_id], score) for point_id, score in hits if point_id in payloads]

    def retrieve(self, ids: list[str]) -> list[StoredChunk]:
        with self._lock:
            records = self._shard.retrieve(list(ids), with_payload=True, with_vector=False)
        return [StoredChunk(str(r.id), dict(r.payload or {})) for r in records]

    def dense_vectors(self, ids: list[str]) -> dict[str, list[float] | None]:
        if not ids:
            return {}
        with self._lock:
            records = self._shard.retrieve(list(ids), with_payload=False, with_vector=True)
        return {str(r.id): (list(r.vector.get(DENSE) or []) or None) if isinstance(r.vector, dict) else None
                for r in records}

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        chunks = list(self.scroll(SearchFilters(doc_ids=(doc_id,))))
        return sorted(chunks, key=lambda c: c.payload.get("para_index", 0))

    def scroll(
        self, filters: SearchFilters | None = None, batch: int = 1000, with_vectors: bool = False
    ) -> Iterator[StoredChunk]:
        return self._scroll(to_edge_filter(filters or SearchFilters()), batch, with_vectors)

    def scroll_paragraphs(self, keys: Iterable[tuple[str, str]], filters: SearchFilters | None = None,
                          batch: int = 256) -> Iterator[StoredChunk]:
        either = [q.Filter(must=[q.FieldCondition(key="doc_id", match=q.MatchValue(value=doc_id)),
                                 q.FieldCondition(key="paragraph", match=q.MatchAny(any=paragraphs))])
                  for doc_id, paragraphs in paragraphs_by_document(keys)]
        if not either:
            return iter(())
        base = to_edge_filter(replace(filters or SearchFilters(), doc_ids=(), paragraphs=()))
        return self._scroll(q.Filter(must=base.must if base else None, must_not=base.must_not if base else None,
                                     should=either), batch, False, copied=True)

    def _scroll(self, edge_filter: q.Filter | None, batch: int, with_vectors: bool,
                copied: bool = False) -> Iterator[StoredChunk]:
        """`copied`: the payloads may come from the payload copy when it is settled (as `search`'s do); never for the
        scroll that rebuilds the copy."""
        offset = None
        while True:
            with self._lock:
                from_copy = copied and not with_vectors and self._payloads.settled()
                records, offset = self._shard.scroll(
                    q.ScrollRequest(offset=offset, limit=batch, filter=edge_filter, with_payload=not from_copy,
                                    with_vector=with_vectors)
                )
            if from_copy:
                yield from self._copied_payloads([(str(r.id), 0.0) for r in records])
            else:
                yield from (StoredChunk.of_record(r, with_vectors) for r in records)
            if offset is None:
                return

    def versions(self) -> dict[str, DocumentVersion]:
        return decode_versions(self.facet("doc_version", limit=ALL_VALUES))

    def missing_dense(self, limit: int) -> list[StoredChunk]:
        out: list[StoredChunk] = []
        for edge_filter, order in ((_LACKING, q.OrderBy(EMBED_RANK, q.Direction.Desc)), (_LACKING_UNRANKED, None)):
            if len(out) >= limit:
                break
            with self._lock:
                records, _ = self._shard.scroll(q.ScrollRequest(
                    limit=limit - len(out), filter=edge_filter, with_payload=MISSING_FIELDS, with_vector=False,
                    order_by=order))
            out += [StoredChunk(str(r.id), dict(r.payload or {})) for r in records]
        return out

    def count_missing_dense(self) -> int:
        with self._lock:
            return int(self._shard.count(q.CountRequest(exact=True, filter=_LACKING)))

    def document_files(self) -> dict[str, str]:
        first = q.Filter(must=[q.FieldCondition(key="para_index", match=q.MatchValue(value=0))])
        out: dict[str, str] = {}
        offset = None
        while True:
            with self._lock:
                records, offset = self._shard.scroll(q.ScrollRequest(
                    offset=offset, limit=10_000, filter=first, with_payload=["doc_id", "source_file"],
                    with_vector=False))
            out.update(document_file(r.payload) for r in records)
            if offset is None:
                return out

    def facts_doc_ids(self, *, index: str = FACTS) -> set[str]:
        with self._lock:
            response = self._index(index).facet(q.FacetRequest(key="doc_id", limit=ALL_VALUES, exact=True))
        return {str(h.value) for h in response.hits if h.count > 0}

    def scroll_facts(self, batch: int = 1000, *, index: str = FACTS) -> Iterator[FactsPoint]:
        offset = None
        while True:
            with self._lock:
                records, offset = self._index(index).scroll(
                    q.ScrollRequest(offset=offset, limit=batch, with_payload=True, with_vector=True))
            yield from (FactsPoint.from_record(r, index) for r in records)
            if offset is None:
                return

    def search_facts(self, sparse: SparseVector, limit: int | None, doc_ids: tuple[str, ...] = (),
                     exclude_doc_ids: tuple[str, ...] = (), score_threshold: float | None = None, *,
                     index: str = FACTS) -> list[tuple[str, float]]:
        points = self._query_facts(index, sparse, limit, doc_ids, exclude_doc_ids, score_threshold,
                                   with_payload=True)
        return [(str((p.payload or {}).get("doc_id")), float(p.score)) for p in points]

    def facts_scores(self, sparse: SparseVector, exclude_doc_ids: tuple[str, ...] = (),
                     score_threshold: float | None = None, *, index: str = FACTS) -> list[float]:
        """Every document's score, then the excluded documents' own scores taken out of that list (one equal value
        each), instead of a `must_not` filter: Edge checked that filter on each of the ~2,000 points a passage's
        facts rank lists, ~6 of the query's ~9 ms of CPU (most in Edge's threads, beside the searching one). The
        same scores are left, in the same order."""
        scores = [float(p.score) for p in self._query_facts(index, sparse, None, (), (), score_threshold,
                                                            with_payload=False)]
        if exclude_doc_ids:
            for p in self._query_facts(index, sparse, None, exclude_doc_ids, (), score_threshold, with_payload=False):
                scores.remove(float(p.score))
        return scores

    def _query_facts(self, index: str, sparse: SparseVector, limit: int | None, doc_ids: tuple[str, ...],
                     exclude_doc_ids: tuple[str, ...], score_threshold: float | None, with_payload: bool) -> list:
        if not sparse.indices:
            return []
        edge_filter = to_edge_filter(SearchFilters(doc_ids=doc_ids, exclude_doc_ids=exclude_doc_ids))
        with self._lock:
            shard = self._index(index)
            if limit is None:
                limit = int(shard.count(q.CountRequest(exact=True)))
            if not limit:
                return []
            return shard.query(q.QueryRequest(
                limit=limit, query=q.Query.Nearest(q.SparseVector(indices=sparse.indices, values=sparse.values),
                                                   using=index),
                filter=edge_filter, score_threshold=score_threshold, with_payload=with_payload))

    def count(self, filters: SearchFilters | None = None) -> int:
        with self._lock:
            return int(self._shard.count(q.CountRequest(exact=True, filter=to_edge_filter(filters or SearchFilters()))))

    def facet(self, key: str, filters: SearchFilters | None = None, limit: int = 50) -> list[tuple[str, int]]:
        with self._lock:
            response = self._shard.facet(
                q.FacetRequest(key=key, limit=limit, exact=True, filter=to_edge_filter(filters or SearchFilters()))
            )
        # Edge keeps a value with count 0 after its points are deleted (until segments are optimised)
        return [(str(h.value), int(h.count)) for h in response.hits if h.count > 0]


_LACKING = q.Filter(must_not=[q.HasVectorCondition(DENSE)])
_LACKING_UNRANKED = q.Filter(must=[q.IsEmptyCondition(key=EMBED_RANK)], must_not=[q.HasVectorCondition(DENSE)])
"""Chunks without a dense vector; those of them without a rank (written before ranks were stored), which an ordered
scroll leaves out."""


def chunk_config(dim: int) -> q.EdgeConfig:
    """The chunk shard's config. Dense vectors are `Memory.Cold` (mapped, paged in when a dense or hybrid search
    reads them) instead of Edge's default `Cached`, which faults the whole storage in at load: 480 MB of the
    whole corpus resident in every process that opens the store, even before any vector is stored (the appendable
    segment's storage is sized by its points). An existing segment keeps the placement it was written with until it
    is rewritten (optimised); see docs/architecture.md. Measured by `bench/store_memory.py`."""
    return q.EdgeConfig(
        vectors={DENSE: q.EdgeVectorParams(size=dim, distance=q.Distance.Cosine, memory=q.Memory.Cold)},
        sparse_vectors={SPARSE: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)},
    )


def _open_shard(path: Path, config: q.EdgeConfig) -> q.EdgeShard:
    """Loads the shard at `path` with `config` (an existing shard keeps its data; placements given here are
    persisted and apply to segments written from then on, e.g. by `optimize`), or creates it with `config`; a shard
    open in another process is a StoreLockedError that says what to do."""
    try:
        if (path / "edge_config.json").exists() or (path / "wal").exists():
            return q.EdgeShard.load(str(path), config)
        path.mkdir(parents=True, exist_ok=True)
        return q.EdgeShard.create(str(path), config)
    except Exception as exc:  # qdrant_edge raises a bare Exception for a locked WAL
        if "WouldBlock" in str(exc) or "lock" in str(exc).lower():
            raise StoreLockedError(
                f"The store at {path} is open in another process (Qdrant Edge allows one). "
                "Stop that process (e.g. the Streamlit app) or use `kb update`, which hands work to it."
            ) from exc
        raise


def to_edge_filter(filters: SearchFilters) -> q.Filter | None:
    """Our filters as a Qdrant filter: each list is an OR inside, the lists are ANDed."""
    must: list = [q.FieldCondition(key=key, match=q.MatchAny(any=values)) for key, values in filters.keyword_matches()]
    if filters.date_from or filters.date_to:
        must.append(q.FieldCondition(key="date", range=q.RangeDateTime(gte=filters.date_from, lte=filters.date_to)))
    if filters.max_importance is not None:
        must.append(q.FieldCondition(key="importance", range=q.RangeFloat(lte=float(filters.max_importance))))
    must += [q.IsEmptyCondition(key=key) for key in filters.unknown]
    must_not = []
    if filters.exclude_doc_ids:
        must_not.append(q.FieldCondition(key="doc_id", match=q.MatchAny(any=list(filters.exclude_doc_ids))))
    if not must and not must_not:
        return None
    return q.Filter(must=must or None, must_not=must_not or None)
