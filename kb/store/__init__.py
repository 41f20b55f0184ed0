"""`open_store(settings)`: the embedded Qdrant Edge shard, or a Qdrant server when `KB_QDRANT_URL` is set."""

from __future__ import annotations

from kb.settings import Settings
from kb.store.base import ChunkStore

EMBEDDING_DIM = 384


def open_store(settings: Settings, dim: int = EMBEDDING_DIM, wait: float = 0.0) -> ChunkStore:
    """`wait`: seconds an embedded store's opener waits for another process to let go of it (a server needs none).
    The store's vector space is recorded on opening (`kb.store.space.settle`)."""
    from kb.store.space import settle

    if settings.qdrant_url:
        from kb.store.server import ServerStore

        store: ChunkStore = ServerStore(settings.qdrant_url, settings.collection, dim,
                                        api_key=settings.qdrant_api_key, shard_number=settings.qdrant_shards,
                                        replication_factor=settings.qdrant_replicas)
    else:
        from kb.store.edge import EdgeStore

        store = EdgeStore(settings.store, dim, wait)
    settle(settings, store)
    return store
