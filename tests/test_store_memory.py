"""Where the chunk shard keeps its dense vectors: mapped and paged in on use (`Memory.Cold`), not faulted in whole
at load (Edge's default), for new stores and for stores created before the setting (issue 21: 480 MB of the whole
corpus's dense storage resident in every process holding the store, with or without vectors)."""

from __future__ import annotations

import json
from pathlib import Path

import qdrant_edge as q

from kb.store.base import DENSE, SPARSE, ChunkPoint, SearchFilters, SparseVector
from kb.store.edge import EdgeStore

DIM = 384


def storage_types(shard: Path) -> set[str]:
    """The dense storage type of every segment of the shard at `shard`."""
    return {json.loads(f.read_text())["config"]["vector_data"][DENSE]["storage_type"]
            for f in (shard / "segments").glob("*/segment.json")}


def points(n: int) -> list[ChunkPoint]:
    return [ChunkPoint(id=f"00000000-0000-0000-0000-{i:012d}", dense=[float(i + 1)] + [0.5] * (DIM - 1),
                       sparse=SparseVector(indices=[i, 1000 + i], values=[1.0, 0.5]),
                       payload={"doc_id": f"DOC-{i}", "para_index": i, "text": f"paragraph {i}"})
            for i in range(n)]


def test_a_new_store_maps_its_dense_vectors_without_loading_them(tmp_path: Path) -> None:
    store = EdgeStore(tmp_path / "store", DIM)
    store.upsert(points(3))
    store.close()
    assert storage_types(tmp_path / "store") == {"ChunkedMmap"}  # Edge's default is "InRamChunkedMmap"


def test_a_store_created_with_the_old_config_opens_and_is_moved_on_optimise(tmp_path: Path) -> None:
    shard_path = tmp_path / "store"
    shard_path.mkdir()
    old = q.EdgeShard.create(str(shard_path), q.EdgeConfig(
        vectors={DENSE: q.EdgeVectorParams(size=DIM, distance=q.Distance.Cosine)},
        sparse_vectors={SPARSE: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)}))
    old.update(q.UpdateOperation.upsert_points([
        q.Point(id=p.id, vector={DENSE: p.dense, SPARSE: q.SparseVector(indices=p.sparse.indices,
                                                                         values=p.sparse.values)},
                payload=p.payload) for p in points(3)]))
    old.flush()
    old.close()
    assert storage_types(shard_path) == {"InRamChunkedMmap"}

    store = EdgeStore(shard_path, DIM)
    found = store.search(points(3)[2].dense, points(3)[2].sparse, SearchFilters(), 3, mode="hybrid")
    assert found[0].payload["doc_id"] == "DOC-2"
    store.optimize()
    assert store.count() == 3
    store.close()
    assert storage_types(shard_path) == {"ChunkedMmap"}
