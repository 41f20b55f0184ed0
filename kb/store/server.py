"""The scale-out store: a collection on a Qdrant server or cluster, reached through qdrant-client.

It holds the same schema as the embedded Edge shard (named dense vector, BM25 sparse vector with IDF, a
payload index per filter field) and answers the same queries (prefetch dense + sparse, weighted RRF), so
`tests/test_store_conformance.py` can require both backends to return the same results.

`location=":memory:"` or a folder path runs qdrant-client's local mode instead of a server: the tests use
it as a stand-in for a server, since no Qdrant server runs on the build machine.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace

from qdrant_client import QdrantClient, models

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
from legal.errors import StoreUnavailableError

UPSERT_BATCH = 256
"""Points per upsert request: keeps each request well under the server's 32 MB body limit (~6 KB a point)."""

_INDEX_TYPES = (
    (KEYWORD_FIELDS, models.PayloadSchemaType.KEYWORD),
    (INTEGER_FIELDS, models.PayloadSchemaType.INTEGER),
    (DATETIME_FIELDS, models.PayloadSchemaType.DATETIME),
    (BOOL_FIELDS, models.PayloadSchemaType.BOOL),
)


class ServerStore:
    """One collection on a Qdrant server (`url`) or in qdrant-client's local mode (`location`).

    The collection is created on first use with `shard_number` shards, each kept on `replication_factor`
    nodes; an existing collection is checked against our schema instead, so a wrong vector size or a
    collection of someone else's fails here, naming the collection, rather than on the first search.
    """

    def __init__(
        self,
        url: str | None,
        collection: str,
        dim: int,
        api_key: str | None = None,
        shard_number: int = 1,
        replication_factor: int = 1,
        location: str | None = None,
        timeout: int = 60,
    ) -> None:
        if (url is None) == (location is None):
            raise ValueError("ServerStore needs exactly one of url= (a Qdrant server) or location= (local mode)")
        if shard_number < 1 or replication_factor < 1:
            raise ValueError(f"shard_number={shard_number}, replication_factor={replication_factor}: both must be >= 1")
        self.url = url
        self.location = location
        self.collection = collection
        self.dim = dim
        self._lock = threading.RLock()
        where = url or location
        try:
            if url is not None:
                self._client = QdrantClient(url=url, api_key=api_key, timeout=timeout)
            elif location == ":memory:":
                self._client = QdrantClient(location=":memory:")
            else:
                self._client = QdrantClient(path=location)
            exists = self._client.collection_exists(collection)
        except Exception as exc:  # connection refused, bad API key, locked local folder
            raise StoreUnavailableError(
                f"Cannot reach the Qdrant store at {where} (collection {collection!r}): {exc}. "
                "Check KB_QDRANT_URL / KB_QDRANT_API_KEY and that the server is up (`curl URL/readyz`), "
                "or unset KB_QDRANT_URL to use the embedded store."
            ) from exc
        if exists:
            self._check_schema()
        else:
            self._create(shard_number, replication_factor)
        self.index_collections = {index: f"{collection}-{index}" for index in DOCUMENT_INDEXES}
        """Each document index's collection (`<collection>-facts`, `<collection>-reasoning`); a store written
        before an index existed gets it empty."""
        for index, name in self.index_collections.items():
            if not self._client.collection_exists(name):
                self._client.create_collection(
                    name, vectors_config={},
                    sparse_vectors_config={index: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                    shard_number=shard_number, replication_factor=replication_factor)
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="Payload indexes have no effect")
                    self._client.create_payload_index(name, "doc_id", field_schema=models.PayloadSchemaType.KEYWORD,
                                                      wait=True)

    def _create(self, shard_number: int, replication_factor: int) -> None:
        self._client.create_collection(
            self.collection,
            vectors_config={DENSE: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            shard_number=shard_number,
            replication_factor=replication_factor,
        )
        with warnings.catch_warnings():  # local mode warns that it ignores them; the schema stays the same
            warnings.filterwarnings("ignore", message="Payload indexes have no effect")
            for names, schema in _INDEX_TYPES:
                for name in names:
                    self._client.create_payload_index(self.collection, name, field_schema=schema, wait=True)

    def _check_schema(self) -> None:
        params = self._client.get_collection(self.collection).config.params
        vectors = params.vectors if isinstance(params.vectors, dict) else {}
        sparse = params.sparse_vectors or {}
        dense = vectors.get(DENSE)
        if dense is None or dense.size != self.dim or SPARSE not in sparse:
            raise StoreUnavailableError(
                f"Collection {self.collection!r} at {self.url or self.location} does not have our schema "
                f"(dense vector {DENSE!r} of size {self.dim}, sparse vector {SPARSE!r}); it has dense "
                f"{ {k: v.size for k, v in vectors.items()} } and sparse {sorted(sparse)}. "
                "Set KB_COLLECTION to another name or delete that collection."
            )

    # writing -------------------------------------------------------------------------------------------

    def payload_changes(self) -> int | None:
        """None: other processes may write the collection, so no count here says what changed."""
        return None

    def upsert(self, points: list[ChunkPoint]) -> None:
        for start in range(0, len(points), UPSERT_BATCH):
            batch = [
                models.PointStruct(
                    id=p.id,
                    vector={SPARSE: models.SparseVector(indices=list(p.sparse.indices), values=list(p.sparse.values)),
                            **({DENSE: list(p.dense)} if p.dense else {})},
                    payload=p.payload,
                )
                for p in points[start : start + UPSERT_BATCH]
            ]
            with self._lock:
                self._client.upsert(self.collection, batch, wait=True)

    def update_vectors(self, vectors: dict[str, list[float]]) -> int:
        present: list[str] = []
        ids = list(vectors)
        for start in range(0, len(ids), UPSERT_BATCH):
            with self._lock:  # the server refuses the whole request if one id is absent, so only stored ids are sent
                stored = [str(r.id) for r in self._client.retrieve(self.collection, ids[start:start + UPSERT_BATCH],
                                                                   with_payload=False, with_vectors=False)]
                if stored:
                    self._client.update_vectors(self.collection, [models.PointVectors(id=i, vector={DENSE: list(
                        vectors[i])}) for i in stored], wait=True)
            present += stored
        return len(present)

    def delete(self, ids: list[str]) -> None:
        if ids:
            with self._lock:
                self._client.delete(self.collection, models.PointIdsList(points=list(ids)), wait=True)

    def delete_documents(self, doc_ids: list[str]) -> None:
        if doc_ids:
            selector = models.FilterSelector(filter=models.Filter(
                must=[models.FieldCondition(key="doc_id", match=models.MatchAny(any=list(doc_ids)))]
            ))
            with self._lock:
                self._client.delete(self.collection, selector, wait=True)
                for name in self.index_collections.values():
                    self._client.delete(name, selector, wait=True)

    def set_document_fields(self, fields: dict[str, dict]) -> None:
        for doc_id, payload in fields.items():
            selector = models.FilterSelector(filter=models.Filter(
                must=[models.FieldCondition(key="doc_id", match=models.MatchAny(any=[doc_id]))]))
            with self._lock:
                self._client.set_payload(self.collection, payload, points=selector, wait=True)

    def _index(self, index: str) -> str:
        return self.index_collections[document_index(index)]

    def upsert_facts(self, points: list[FactsPoint], *, index: str = FACTS) -> None:
        collection = self._index(index)
        for start in range(0, len(points), UPSERT_BATCH):
            batch = [models.PointStruct(id=p.id, vector={index: models.SparseVector(indices=list(p.sparse.indices),
                                                                                   values=list(p.sparse.values))},
                                        payload={"doc_id": p.doc_id}) for p in points[start:start + UPSERT_BATCH]]
            with self._lock:
                self._client.upsert(collection, batch, wait=True)

    def delete_facts(self, doc_ids: list[str], *, index: str = FACTS) -> None:
        collection = self._index(index)
        if doc_ids:
            selector = models.FilterSelector(filter=models.Filter(
                must=[models.FieldCondition(key="doc_id", match=models.MatchAny(any=list(doc_ids)))]))
            with self._lock:
                self._client.delete(collection, selector, wait=True)

    def flush(self) -> None:
        """Every write already waited for the server to apply it (`wait=True`); nothing is buffered here."""

    def optimize(self) -> None:
        """The server's optimizers run on their own; there is no call to force them."""

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None  # type: ignore[assignment]

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
        """Same decision table as the Edge store: a missing vector falls back to the other one."""
        qfilter = to_server_filter(filters)
        sparse_query = (models.SparseVector(indices=list(sparse.indices), values=list(sparse.values))
                        if sparse is not None and sparse.indices else None)
        dense_query = list(dense) if dense is not None else None
        prefetch = None
        if mode == "dense" or (mode == "hybrid" and sparse_query is None):
            query, using = dense_query, DENSE
        elif mode == "bm25" or dense_query is None:
            if sparse_query is None:
                return []
            query, using = sparse_query, SPARSE
        else:
            prefetch = [
                models.Prefetch(query=dense_query, using=DENSE, limit=prefetch_limit, filter=qfilter),
                models.Prefetch(query=sparse_query, using=SPARSE, limit=prefetch_limit, filter=qfilter),
            ]
            query, using = models.RrfQuery(rrf=models.Rrf(k=RRF_K, weights=list(weights))), None
        with self._lock:
            response = self._client.query_points(
                self.collection, query=query, using=using, prefetch=prefetch, query_filter=qfilter,
                limit=limit, with_payload=True,
            )
        return [StoredChunk(str(p.id), dict(p.payload or {}), float(p.score)) for p in response.points]

    def retrieve(self, ids: list[str]) -> list[StoredChunk]:
        with self._lock:
            records = self._client.retrieve(self.collection, list(ids), with_payload=True, with_vectors=False)
        return [StoredChunk(str(r.id), dict(r.payload or {})) for r in records]

    def dense_vectors(self, ids: list[str]) -> dict[str, list[float] | None]:
        if not ids:
            return {}
        with self._lock:
            records = self._client.retrieve(self.collection, list(ids), with_payload=False, with_vectors=[DENSE])
        return {str(r.id): (list(r.vector.get(DENSE) or []) or None) if isinstance(r.vector, dict) else None
                for r in records}

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        chunks = list(self.scroll(SearchFilters(doc_ids=(doc_id,))))
        return sorted(chunks, key=lambda c: c.payload.get("para_index", 0))

    def scroll(
        self, filters: SearchFilters | None = None, batch: int = 1000, with_vectors: bool = False
    ) -> Iterator[StoredChunk]:
        return self._scroll(to_server_filter(filters or SearchFilters()), batch, with_vectors)

    def scroll_paragraphs(self, keys: Iterable[tuple[str, str]], filters: SearchFilters | None = None,
                          batch: int = 256) -> Iterator[StoredChunk]:
        either: list[models.Condition] = [
            models.Filter(must=[models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)),
                                models.FieldCondition(key="paragraph", match=models.MatchAny(any=paragraphs))])
            for doc_id, paragraphs in paragraphs_by_document(keys)]
        if not either:
            return iter(())
        base = to_server_filter(replace(filters or SearchFilters(), doc_ids=(), paragraphs=()))
        return self._scroll(models.Filter(must=base.must if base else None, must_not=base.must_not if base else None,
                                          should=either), batch, False)

    def _scroll(self, qfilter: models.Filter | None, batch: int, with_vectors: bool) -> Iterator[StoredChunk]:
        offset = None
        while True:
            with self._lock:
                records, offset = self._client.scroll(
                    self.collection, scroll_filter=qfilter, limit=batch, offset=offset, with_payload=True,
                    with_vectors=with_vectors,
                )
            yield from (StoredChunk.of_record(r, with_vectors) for r in records)
            if offset is None:
                return

    def versions(self) -> dict[str, DocumentVersion]:
        return decode_versions(self.facet("doc_version", limit=ALL_VALUES))

    def missing_dense(self, limit: int) -> list[StoredChunk]:
        out: list[StoredChunk] = []
        for qfilter, order in ((_LACKING, models.OrderBy(key=EMBED_RANK, direction=models.Direction.DESC)),
                               (_LACKING_UNRANKED, None)):
            if len(out) >= limit:
                break
            with self._lock:
                records, _ = self._client.scroll(self.collection, scroll_filter=qfilter, limit=limit - len(out),
                                                 with_payload=MISSING_FIELDS, with_vectors=False, order_by=order)
            out += [StoredChunk(str(r.id), dict(r.payload or {})) for r in records]
        return out

    def count_missing_dense(self) -> int:
        with self._lock:
            return int(self._client.count(self.collection, count_filter=_LACKING, exact=True).count)

    def document_files(self) -> dict[str, str]:
        first = models.Filter(must=[models.FieldCondition(key="para_index", match=models.MatchValue(value=0))])
        out: dict[str, str] = {}
        offset = None
        while True:
            with self._lock:
                records, offset = self._client.scroll(self.collection, scroll_filter=first, limit=10_000,
                                                      offset=offset, with_payload=["doc_id", "source_file"],
                                                      with_vectors=False)
            out.update(document_file(r.payload) for r in records)
            if offset is None:
                return out

    def facts_doc_ids(self, *, index: str = FACTS) -> set[str]:
        with self._lock:
            response = self._client.facet(self._index(index), "doc_id", limit=ALL_VALUES, exact=True)
        return {str(h.value) for h in response.hits if h.count > 0}

    def scroll_facts(self, batch: int = 1000, *, index: str = FACTS) -> Iterator[FactsPoint]:
        collection = self._index(index)
        offset = None
        while True:
            with self._lock:
                records, offset = self._client.scroll(collection, limit=batch, offset=offset,
                                                      with_payload=True, with_vectors=True)
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
        return [float(p.score) for p in self._query_facts(index, sparse, None, (), exclude_doc_ids, score_threshold,
                                                          with_payload=False)]

    def _query_facts(self, index: str, sparse: SparseVector, limit: int | None, doc_ids: tuple[str, ...],
                     exclude_doc_ids: tuple[str, ...], score_threshold: float | None, with_payload: bool) -> list:
        collection = self._index(index)
        if not sparse.indices:
            return []
        qfilter = to_server_filter(SearchFilters(doc_ids=doc_ids, exclude_doc_ids=exclude_doc_ids))
        with self._lock:
            if limit is None:
                limit = int(self._client.count(collection, exact=True).count)
            if not limit:
                return []
            return self._client.query_points(
                collection, query=models.SparseVector(indices=list(sparse.indices), values=list(sparse.values)),
                using=index, query_filter=qfilter, limit=limit, score_threshold=score_threshold,
                with_payload=with_payload).points

    def count(self, filters: SearchFilters | None = None) -> int:
        with self._lock:
            result = self._client.count(self.collection, count_filter=to_server_filter(filters or SearchFilters()),
                                        exact=True)
        return int(result.count)

    def facet(self, key: str, filters: SearchFilters | None = None, limit: int = 50) -> list[tuple[str, int]]:
        with self._lock:
            response = self._client.facet(self.collection, key, limit=limit, exact=True,
                                          facet_filter=to_server_filter(filters or SearchFilters()))
        return [(str(h.value), int(h.count)) for h in response.hits]


_LACKING = models.Filter(must_not=[models.HasVectorCondition(has_vector=DENSE)])
_LACKING_UNRANKED = models.Filter(must=[models.IsEmptyCondition(is_empty=models.PayloadField(key=EMBED_RANK))],
                                  must_not=[models.HasVectorCondition(has_vector=DENSE)])
"""As `edge._LACKING` and `edge._LACKING_UNRANKED`."""


def to_server_filter(filters: SearchFilters) -> models.Filter | None:
    """Our filters as a qdrant-client filter, condition for condition the same as `edge.to_edge_filter`."""
    must: list[models.Condition] = [
        models.FieldCondition(key=key, match=models.MatchAny(any=values)) for key, values in filters.keyword_matches()
    ]
    if filters.date_from or filters.date_to:
        must.append(models.FieldCondition(key="date", range=models.DatetimeRange(gte=filters.date_from,
                                                                                 lte=filters.date_to)))
    if filters.max_importance is not None:
        must.append(models.FieldCondition(key="importance", range=models.Range(lte=float(filters.max_importance))))
    must += [models.IsEmptyCondition(is_empty=models.PayloadField(key=key)) for key in filters.unknown]
    must_not: list[models.Condition] = []
    if filters.exclude_doc_ids:
        must_not.append(models.FieldCondition(key="doc_id", match=models.MatchAny(any=list(filters.exclude_doc_ids))))
    if not must and not must_not:
        return None
    return models.Filter(must=must or None, must_not=must_not or None)
