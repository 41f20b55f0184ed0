"""`kb migrate`: move the store between the embedded Qdrant Edge shard and a Qdrant server collection.

The copy goes through the `ChunkStore` interface (scroll with vectors, upsert), so ids, both vectors and
the payload travel unchanged and nothing is re-embedded; each document index beside the chunks (`DOCUMENT_INDEXES`:
the `<store>-facts` and `<store>-reasoning` shards on Edge, the `<collection>-facts` and `<collection>-reasoning`
collections on a server) travels the same way. Upserts are idempotent by id: an interrupted copy is finished by
running the same command again. The copy is then checked, not assumed: the chunk count of every document version
must match, sample queries (each a stored chunk's own dense vector, and its BM25 terms) must return the same top hits
from both stores, and in each document index the same documents must have a point and sample queries (a point's own
terms) must rank the documents the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.settings import Settings
from kb.store import EMBEDDING_DIM
from kb.store.base import (
    ALL_VALUES,
    DOCUMENT_INDEXES,
    FACTS,
    ChunkPoint,
    ChunkStore,
    FactsPoint,
    QueryMode,
    SearchFilters,
    SparseVector,
    StoredChunk,
)
from legal.errors import StoreEmptyError, StoreUnavailableError

LOCAL_PREFIX = "path:"
"""`--to path:/folder` opens qdrant-client's local mode in that folder instead of a server (tests, dry runs)."""


@dataclass
class IndexReport:
    """One document index's copy and check (`kb.store.base.DOCUMENT_INDEXES`)."""

    copied: int = 0
    source_count: int = 0
    target_count: int = 0
    missing: list[str] = field(default_factory=list)
    """Documents with a point in one store and not the other."""
    queries: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.source_count == self.target_count and not self.missing and not self.mismatches


@dataclass
class MigrationReport:
    source: str
    target: str
    copied: int = 0
    source_count: int = 0
    target_count: int = 0
    versions_checked: int = 0
    version_mismatches: list[str] = field(default_factory=list)
    spot_queries: int = 0
    spot_mismatches: list[str] = field(default_factory=list)
    indexes: dict[str, IndexReport] = field(default_factory=lambda: {i: IndexReport() for i in DOCUMENT_INDEXES})
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.source_count == self.target_count and not self.version_mismatches and not self.spot_mismatches
                and all(r.ok for r in self.indexes.values()))

    def problems(self) -> list[str]:
        return self.version_mismatches + self.spot_mismatches + [
            p for r in self.indexes.values() for p in r.missing + r.mismatches]

    def line(self) -> str:
        verdict = "verified" if self.ok else "NOT verified"
        return (f"{self.copied} chunks copied from {self.source} to {self.target} in {self.seconds:.0f} s; "
                f"{verdict}: {self.target_count}/{self.source_count} chunks, {self.versions_checked} document "
                f"versions ({len(self.version_mismatches)} differ), {self.spot_queries} spot queries "
                f"({len(self.spot_mismatches)} differ)"
                + "".join(f"; {r.copied} {i} points copied, {r.target_count}/{r.source_count} documents "
                          f"({len(r.missing)} differ), {r.queries} {i} queries ({len(r.mismatches)} differ)"
                          for i, r in self.indexes.items()))


def copy_chunks(source: ChunkStore, target: ChunkStore, batch: int = 256,
                progress: Callable[[int], None] | None = None) -> int:
    """Every chunk of `source` into `target`, `batch` points per write; returns how many were copied. A chunk still
    without a dense vector (written sparse-first) is copied without one, and `kb embed` fills it in either store."""
    copied = 0
    buffer: list[ChunkPoint] = []
    for chunk in source.scroll(batch=batch, with_vectors=True):
        buffer.append(ChunkPoint(chunk.id, chunk.dense or [], chunk.sparse or SparseVector([], []), chunk.payload))
        if len(buffer) >= batch:
            target.upsert(buffer)
            copied += len(buffer)
            buffer = []
            if progress:
                progress(copied)
    if buffer:
        target.upsert(buffer)
        copied += len(buffer)
        if progress:
            progress(copied)
    target.flush()
    return copied


def copy_facts(source: ChunkStore, target: ChunkStore, batch: int = 256, index: str = FACTS) -> int:
    """Every point of document index `index` of `source` into `target`, `batch` points per write; returns how many
    were copied."""
    copied = 0
    buffer: list[FactsPoint] = []
    for point in source.scroll_facts(batch=batch, index=index):
        buffer.append(point)
        if len(buffer) >= batch:
            target.upsert_facts(buffer, index=index)
            copied += len(buffer)
            buffer = []
    target.upsert_facts(buffer, index=index)
    target.flush()
    return copied + len(buffer)


def rankings_agree(a: list[StoredChunk], b: list[StoredChunk], tol: float = 1e-4) -> bool:
    """Same hits in the same order, except among equal scores, whose order each backend may choose.

    The last group of equal scores may be cut at the limit differently; there only the scores must agree.
    """
    if len(a) != len(b):
        return False
    if any(abs(x.score - y.score) > tol * max(1.0, abs(x.score)) for x, y in zip(a, b, strict=True)):
        return False
    groups: list[list[int]] = []
    for i, chunk in enumerate(a):
        if groups and abs(a[groups[-1][0]].score - chunk.score) <= tol * max(1.0, abs(chunk.score)):
            groups[-1].append(i)
        else:
            groups.append([i])
    return all({a[i].id for i in g} == {b[i].id for i in g} for g in groups[:-1])


def verify(source: ChunkStore, target: ChunkStore, report: MigrationReport, samples: int = 20, limit: int = 10) -> None:
    """Counts per document version, then `samples` dense and `samples` BM25 queries taken from stored chunks."""
    report.source_count = source.count()
    report.target_count = target.count()
    want = dict(source.facet("doc_version", limit=ALL_VALUES))
    got = dict(target.facet("doc_version", limit=ALL_VALUES))
    report.versions_checked = len(want)
    report.version_mismatches = sorted(v for v in set(want) | set(got) if want.get(v) != got.get(v))
    if report.source_count == 0:
        return
    step = max(1, report.source_count // samples)
    picked = [c for i, c in enumerate(source.scroll(batch=1000, with_vectors=True)) if i % step == 0][:samples]
    for chunk in picked:
        queries: list[tuple[QueryMode, list[float] | None, SparseVector | None]] = \
            [("dense", chunk.dense, None)] if chunk.dense else []
        if chunk.sparse is not None and chunk.sparse.indices:
            queries.append(("bm25", None, SparseVector(chunk.sparse.indices, [1.0] * len(chunk.sparse.indices))))
        for mode, dense, sparse in queries:
            report.spot_queries += 1
            a = source.search(dense, sparse, SearchFilters(), limit=limit, mode=mode)
            b = target.search(dense, sparse, SearchFilters(), limit=limit, mode=mode)
            if not rankings_agree(a, b):
                report.spot_mismatches.append(f"{mode} query from chunk {chunk.id} ({chunk.payload.get('doc_id')})")


def verify_facts(source: ChunkStore, target: ChunkStore, report: IndexReport, samples: int = 20,
                 index: str = FACTS) -> None:
    """The same documents in document index `index`, then `samples` queries (a point's own terms) ranking every
    document."""
    want, got = source.facts_doc_ids(index=index), target.facts_doc_ids(index=index)
    report.source_count, report.target_count = len(want), len(got)
    report.missing = [f"{index} point of {d} in one store only" for d in sorted(want ^ got)]
    points = list(source.scroll_facts(index=index))
    step = max(1, len(points) // samples)
    for point in points[::step][:samples]:
        if not point.sparse.indices:
            continue
        query = SparseVector(point.sparse.indices, [1.0] * len(point.sparse.indices))
        report.queries += 1
        a, b = ([StoredChunk(d, {}, s) for d, s in store.search_facts(query, None, index=index)]
                for store in (source, target))
        if not rankings_agree(a, b):
            report.mismatches.append(f"{index} query from the {index} point of {point.doc_id}")


def migrate(source: ChunkStore, target: ChunkStore, source_name: str, target_name: str, batch: int = 256,
            samples: int = 20, progress: Callable[[int], None] | None = None) -> MigrationReport:
    started = time.monotonic()
    report = MigrationReport(source_name, target_name)
    report.copied = copy_chunks(source, target, batch, progress)
    for index, checked in report.indexes.items():
        checked.copied = copy_facts(source, target, batch, index)
    verify(source, target, report, samples)
    for index, checked in report.indexes.items():
        verify_facts(source, target, checked, samples, index)
    report.seconds = time.monotonic() - started
    return report


def open_server(settings: Settings, where: str, dim: int = EMBEDDING_DIM) -> ChunkStore:
    from kb.store.server import ServerStore

    if where.startswith(LOCAL_PREFIX):
        return ServerStore(None, settings.collection, dim, location=where[len(LOCAL_PREFIX):])
    return ServerStore(where, settings.collection, dim, api_key=settings.qdrant_api_key,
                       shard_number=settings.qdrant_shards, replication_factor=settings.qdrant_replicas)


def open_edge(path: Path, must_exist: bool, dim: int = EMBEDDING_DIM) -> ChunkStore:
    from kb.store.edge import EdgeStore

    if must_exist and not path.exists():
        raise StoreUnavailableError(f"No Edge store at {path}; pass --from-edge PATH (the folder KB_STORE points at)")
    return EdgeStore(path, dim)


@dataclass(frozen=True)
class MigrateRequest:
    """What `kb migrate` (or any caller) asks for, without argparse: the server URL (`path:DIR` for qdrant-client's
    local mode), the Edge folder (None: `KB_STORE`), the direction, points per write and spot queries."""

    to: str
    from_edge: Path | None = None
    back: bool = False
    batch: int = 256
    samples: int = 20


def run(settings: Settings, request: MigrateRequest,
        progress: Callable[[int, int], None] | None = None) -> MigrationReport:
    """Edge → server by default, server → Edge with `back`; `progress(copied, total)` after every batch. The report
    says whether the copy was verified; printing it is the caller's business (the CLI, a script, a test)."""
    edge_path = Path(request.from_edge).resolve() if request.from_edge else settings.store
    server_name = f"{request.to} (collection {settings.collection})"
    if request.back:
        source, target = open_server(settings, request.to), None
        source_name, target_name = server_name, str(edge_path)
        if source.count() == 0:
            source.close()
            raise StoreEmptyError(f"{server_name} holds no chunks; nothing to copy back")
        target = open_edge(edge_path, must_exist=False)
    else:
        source = open_edge(edge_path, must_exist=True)
        source_name, target_name = str(edge_path), server_name
        target = open_server(settings, request.to)
    total = source.count()
    try:
        return migrate(source, target, source_name, target_name, request.batch, request.samples,
                       progress=(lambda n: progress(n, total)) if progress else None)
    finally:
        source.close()
        target.close()
