"""The cross-process write path: how `kb update` changes a store that another process has open.

A Qdrant Edge shard admits one process (a second one gets a WAL lock error), and the process that serves
searches (the Streamlit app) must keep it. So a writer that finds the store locked does all the slow work
itself (loading, embedding) and hands over ready-to-upsert batches as files in `$KB_HOME/inbox/`:

* a batch file is written under a temporary name, fsynced, then `os.replace`d into place, so the owner only
  ever sees whole files;
* the owner (`InboxWatcher`, a thread in the serving process) applies each file in name order, flushes the
  store, and only then deletes the file. Chunk ids are content-derived, so applying a file twice is harmless:
  a kill at any point is repaired by applying the remaining files again;
* after each apply the owner rewrites `versions.json`, the snapshot of what the store holds, which is how a
  writer that cannot open the store decides what is new, changed or gone.

When nobody holds the store, `kb update` opens it, applies any leftover inbox files, and writes directly.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import KbError, StoreLockedError
from kb.indexing.pipeline import write_document
from kb.settings import Settings
from kb.store.base import ChunkPoint, ChunkStore, SearchFilters, SparseVector

BATCH_SUFFIX = ".batch.json.gz"
SNAPSHOT = "versions.json"
HEARTBEAT = "owner.json"
FAILED = "failed"


def inbox_dir(settings: Settings) -> Path:
    return settings.home / "inbox"


@dataclass
class Batch:
    """Whole documents to write (each replaces every stored chunk of that document) and documents to remove."""

    documents: dict[str, list[ChunkPoint]] = field(default_factory=dict)
    removals: list[str] = field(default_factory=list)

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


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> Path:
    """Write to `.name.<pid>.tmp`, fsync, rename: a reader sees the old file, or the new one whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return path


_sequence = 0
_sequence_lock = threading.Lock()


def write_batch(inbox: Path, batch: Batch) -> Path:
    """Hand a batch to the owner; names sort by creation time, so a later version of a document wins."""
    global _sequence
    with _sequence_lock:
        _sequence += 1
        name = f"{time.time_ns():020d}-{os.getpid()}-{_sequence:06d}{BATCH_SUFFIX}"
    payload = gzip.compress(json.dumps(batch.to_json(), ensure_ascii=False).encode("utf-8"), compresslevel=3)
    return atomic_write(inbox / name, payload)


def pending_batches(inbox: Path) -> list[Path]:
    return sorted(inbox.glob(f"*{BATCH_SUFFIX}")) if inbox.is_dir() else []


def apply_batch(store: ChunkStore, batch: Batch) -> None:
    """Upsert each document whole, then drop its chunks that the new version no longer has (as `kb ingest` does)."""
    for doc_id, points in batch.documents.items():
        write_document(store, doc_id, points)
    if batch.removals:
        store.delete_documents(batch.removals)


def apply_inbox(store: ChunkStore, inbox: Path, warn: Callable[[str], None] = lambda m: None) -> int:
    """Apply every waiting batch file in order; returns how many were applied. Safe to interrupt and redo."""
    applied = 0
    for path in pending_batches(inbox):
        try:
            batch = Batch.from_json(json.loads(gzip.decompress(path.read_bytes())))
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            # Whole files only ever appear here, so an unreadable one is foreign or damaged: set it aside.
            (inbox / FAILED).mkdir(exist_ok=True)
            os.replace(path, inbox / FAILED / path.name)
            warn(f"{path}: unreadable update batch ({type(exc).__name__}: {exc}); moved to {inbox / FAILED}")
            continue
        apply_batch(store, batch)
        store.flush()
        path.unlink()
        applied += 1
    _remove_dead_temporaries(inbox)
    return applied


def _remove_dead_temporaries(inbox: Path) -> None:
    """Temporary files of writers that were killed mid-write; a live writer's file is left alone."""
    if not inbox.is_dir():
        return
    for tmp in inbox.glob(".*.tmp"):
        pid = tmp.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the versions snapshot ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDocument:
    """What a writer needs to know of a stored document: its version, completeness, kind and source."""

    version: str
    complete: bool
    kind: str | None
    source: str | None


def store_documents(store: ChunkStore) -> dict[str, StoredDocument]:
    """Every stored document with its kind and source, from facets over the indexed payload fields."""
    kinds = _doc_values(store, "source_kind", "source_kinds")
    sources = _doc_values(store, "source_name", "source_names")
    return {doc_id: StoredDocument(v.version, v.complete, kinds.get(doc_id), sources.get(doc_id))
            for doc_id, v in store.versions().items()}


def _doc_values(store: ChunkStore, key: str, filter_field: str) -> dict[str, str]:
    """doc_id → the value of a per-document payload field, one facet per distinct value."""
    out: dict[str, str] = {}
    for value, _ in store.facet(key, limit=100_000):
        for doc_id, _ in store.facet("doc_id", SearchFilters(**{filter_field: (value,)}), limit=10_000_000):
            out[doc_id] = value
    return out


def write_snapshot(inbox: Path, documents: dict[str, StoredDocument]) -> None:
    data = {"written_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "documents": {d: [s.version, s.complete, s.kind, s.source] for d, s in documents.items()}}
    atomic_write(inbox / SNAPSHOT, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def read_snapshot(inbox: Path) -> dict[str, StoredDocument] | None:
    path = inbox / SNAPSHOT
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {d: StoredDocument(*row) for d, row in data["documents"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KbError(f"{path}: unreadable versions snapshot ({exc}); delete it and restart the app, "
                      "which writes it again") from exc


# -- the owner's side --------------------------------------------------------------------------------------


class InboxWatcher:
    """A daemon thread in the process that owns the store: applies handed-over batches every `interval` seconds.

    Searches keep running while it applies (the store serialises single calls; a document is upserted whole
    before its old chunks are removed, so a search sees the old or the new version, never neither).
    """

    def __init__(self, store: ChunkStore, inbox: Path, interval: float = 2.0,
                 warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> None:
        if interval <= 0:
            raise ValueError(f"inbox poll interval {interval}; it must be a positive number of seconds")
        self.store = store
        self.inbox = inbox
        self.interval = interval
        self.warn = warn
        self.applied = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="kb-inbox-watcher", daemon=True)
        self._documents: dict[str, StoredDocument] | None = None

    def start(self) -> InboxWatcher:
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def poll_once(self) -> int:
        """Apply what is waiting; refresh the snapshot after changes (and once at start)."""
        applied = apply_inbox(self.store, self.inbox, self.warn)
        if applied or self._documents is None:
            self._documents = store_documents(self.store)
            write_snapshot(self.inbox, self._documents)
        self.applied += applied
        return applied

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                (self.inbox / HEARTBEAT).write_text(json.dumps({"pid": os.getpid(), "at": time.time()}))
                self.poll_once()
            except Exception as exc:  # the app must keep serving; the file stays and is retried next poll
                self.warn(f"inbox {self.inbox}: applying an update batch failed ({type(exc).__name__}: {exc}); "
                          "retrying")
            self._stop.wait(self.interval)


def owner_alive(inbox: Path, within: float = 30.0) -> bool:
    """Whether a watcher has looked into the inbox lately, i.e. handed-over batches will be applied soon."""
    try:
        beat = json.loads((inbox / HEARTBEAT).read_text())
    except (OSError, ValueError):
        return False
    return time.time() - float(beat.get("at", 0)) < within and _alive(int(beat.get("pid", 0)))


def try_open(settings: Settings) -> ChunkStore | None:
    """The store if this process can open it, or None when another process holds it (then hand over)."""
    from kb.store import open_store

    try:
        return open_store(settings)
    except StoreLockedError:
        return None
