"""The cross-process write path: how `kb update` changes a store that another process has open.

A Qdrant Edge shard admits one process (a second one gets a WAL lock error), and the process that serves
searches (the Streamlit app) must keep it. So a writer that finds the store locked does the slow work itself
(loading, embedding the documents new to the store) and hands over ready-to-upsert batches as files in
`$KB_HOME/inbox/`; a passage of a stored document goes without a dense vector, and the owner gives it the one it
holds (`keep_stored_dense`) or leaves it to `kb embed`:

* a batch file is written under a temporary name, fsynced, then `os.replace`d into place, so the owner only
  ever sees whole files;
* the owner (`InboxWatcher`, a thread in the serving process) applies each file in name order, flushes the
  store, and only then deletes the file. Chunk ids are content-derived, so applying a file twice is harmless:
  a kill at any point is repaired by applying the remaining files again;
* a file that fails to apply is tried again at the next poll (later files wait, so versions stay in order), at most
  `KB_INBOX_ATTEMPTS` times (counted in `attempts.json`, before each try, so a crash mid-apply counts too); then it
  is moved to `inbox/failed/` and the files after it are applied;
* after each apply the owner rewrites `versions.json`, the snapshot of what the store holds, which is how a
  writer that cannot open the store decides what is new, changed or gone.

When nobody holds the store, `kb update` opens it, applies any leftover inbox files, and writes directly.

Dense vectors that `kb embed` makes for chunks written sparse-first travel the same way, in vector-only batches
(`*.vectors.json.gz`: chunk ids and float32 vectors). They never hold up a document update: the owner applies them only
while no document batch waits, and one it cannot apply is dropped with a warning rather than retried, since nothing is
lost (the chunks still lack a vector, and the embedding cache holds it for the worker's next round). The worker asks
the owner what to embed next through `embed-request.json`, answered in `embed-todo.json` (`answer_embed_request`).

When nobody serves the store, `kb embed` holds it across its rounds and lets go when asked (`store-holder.json` says
it will): a process that waits to open the store says so in a `store-wanted-*.json` file while it waits
(`open_asking`), and the holder closes the store within a poll (`store_wanted`).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.atomic import atomic_move, atomic_write, process_alive, writer_pid
from kb.indexing.writing import Batch, StoredDocument, apply_batch, keep_stored_dense, store_documents
from kb.settings import Settings
from kb.store.base import ChunkStore
from legal.errors import ConfigError, KbError, StoreLockedError

BATCH_SUFFIX = ".batch.json.gz"
VECTORS_SUFFIX = ".vectors.json.gz"
EMBED_REQUEST = "embed-request.json"
EMBED_TODO = "embed-todo.json"
SNAPSHOT = "versions.json"
HEARTBEAT = "owner.json"
HOLDER = "store-holder.json"
WANTED = "store-wanted-"
ATTEMPTS = "attempts.json"
FAILED = "failed"


class BatchApplyError(KbError):
    """An inbox batch that the store refused; it is retried, and set aside after `KB_INBOX_ATTEMPTS` tries."""


_sequence = 0
_sequence_lock = threading.Lock()


def _next_name(suffix: str) -> str:
    """Names sort by creation time, so a later version of a document wins."""
    global _sequence
    with _sequence_lock:
        _sequence += 1
        return f"{time.time_ns():020d}-{os.getpid()}-{_sequence:06d}{suffix}"


def write_batch(inbox: Path, batch: Batch) -> Path:
    """Hand a batch to the owner."""
    payload = gzip.compress(json.dumps(batch.to_json(), ensure_ascii=False).encode("utf-8"), compresslevel=3)
    return atomic_write(inbox / _next_name(BATCH_SUFFIX), payload)


# -- vector-only batches (`kb embed`) ----------------------------------------------------------------------


def write_vectors(inbox: Path, vectors: dict[str, list[float]]) -> Path:
    """Hand dense vectors (chunk id → vector) to whoever applies the inbox next."""
    ids = list(vectors)
    matrix = np.asarray([vectors[i] for i in ids], dtype=np.float32)
    data = {"ids": ids, "dim": int(matrix.shape[1]) if ids else 0,
            "vectors": base64.b64encode(matrix.tobytes()).decode("ascii")}
    return atomic_write(inbox / _next_name(VECTORS_SUFFIX), gzip.compress(json.dumps(data).encode(), compresslevel=1))


def read_vectors(path: Path) -> dict[str, list[float]]:
    data = json.loads(gzip.decompress(path.read_bytes()))
    ids = [str(i) for i in data["ids"]]
    if not ids:
        return {}
    matrix = np.frombuffer(base64.b64decode(data["vectors"]), dtype=np.float32).reshape(len(ids), int(data["dim"]))
    return {i: row.tolist() for i, row in zip(ids, matrix, strict=True)}


def pending_vectors(inbox: Path) -> list[Path]:
    return sorted(inbox.glob(f"*{VECTORS_SUFFIX}")) if inbox.is_dir() else []


VECTOR_SLICE = 256
"""Vectors set per store call when the owner applies a batch (~13 ms each on the whole corpus): a Qdrant Edge call
holds the interpreter (the GIL) and the store's lock, so every search of the process waits for it; a round of
thousands (~140 ms per 4,096) is set in slices that searches run between."""
VECTOR_FLUSH = 4096
"""Vectors the owner sets before it flushes the store. A flush of the whole corpus took 0.5-1.4 s, during which no
search of the process runs (it holds the GIL): once per round it was the worst latency of searches during the fill
(max 1.0-1.2 s against 0.6 s with the worker stopped, `bench/fill_latency.py`). Vectors not yet flushed that a crash
loses cost nothing to redo: their chunks still lack a vector, which `kb embed` takes from the embedding cache."""
VECTOR_IDLE = 60.0
"""Seconds without a new vector batch after which the owner flushes what it has set (the fill has ended or stopped)."""


def apply_vectors(store: ChunkStore, inbox: Path, warn: Callable[[str], None] = lambda m: None) -> int:
    """Apply waiting vector batches, oldest first, while no document batch waits; returns how many vectors were set.
    The caller flushes. A batch that cannot be read or applied is dropped with a warning: its chunks still lack their
    vector, which the worker takes from the embedding cache in a later round."""
    applied = 0
    for path in pending_vectors(inbox):
        if pending_batches(inbox):
            break  # a document update waits: it goes first
        try:
            vectors = list(read_vectors(path).items())
            for start in range(0, len(vectors), VECTOR_SLICE):
                applied += store.update_vectors(dict(vectors[start:start + VECTOR_SLICE]))
        except Exception as exc:  # damaged file or a refusing store: the vectors are made again, nothing is lost
            warn(f"{path}: dense vectors not applied ({type(exc).__name__}: {exc}); `kb embed` makes them again")
        path.unlink(missing_ok=True)
    return applied


WANTED_LIMIT = 2_000
"""Passages `WantedPassages` keeps: a question's pool lacks at most ~120 vectors, so the last ~20 questions'."""


class WantedPassages:
    """The passages searches wanted vectors for and neither the embedding cache nor the store held
    (`kb.search.meaning.PoolSimilarity`, which places them by expectation meanwhile): the owner hands them to `kb
    embed` before the store's own order (`todo_of`), so the pools of the questions being asked fill first, the last
    question's first. Thread-safe; the newest `limit` only."""

    def __init__(self, limit: int = WANTED_LIMIT) -> None:
        self.limit = limit
        self._passages: dict[str, str] = {}  # chunk id → text, the next to hand out last
        self._lock = threading.Lock()

    def add(self, documents: list) -> None:
        """A search's candidates (Haystack Documents: chunk id and stored text), best first."""
        with self._lock:
            for doc in reversed(documents):
                self._passages.pop(doc.id, None)
                self._passages[doc.id] = doc.content or ""
            for stale in list(self._passages)[:max(0, len(self._passages) - self.limit)]:
                del self._passages[stale]

    def take(self, limit: int) -> list[tuple[str, str]]:
        """Up to `limit` (chunk id, text), the newest search's best first; they are handed out once."""
        with self._lock:
            return [self._passages.popitem() for _ in range(min(limit, len(self._passages)))]

    def __len__(self) -> int:
        return len(self._passages)


@dataclass(frozen=True)
class EmbedTodo:
    """The owner's answer to `kb embed`: chunks to embed, most useful first (id, text), and the store's counts."""

    chunks: list[tuple[str, str]]
    missing: int
    total: int


def todo_of(store: ChunkStore, limit: int, wanted: WantedPassages | None = None) -> EmbedTodo:
    """The next `limit` chunks to embed: first those searches wanted (`WantedPassages`), then the chunks without a
    dense vector in the store's order (`ChunkStore.missing_dense`); and the counts for progress."""
    chunks = wanted.take(limit) if wanted is not None else []
    taken = {i for i, _ in chunks}
    chunks += [(c.id, str(c.payload.get("text") or "")) for c in store.missing_dense(limit - len(chunks))
               if c.id not in taken]
    return EmbedTodo(chunks, store.count_missing_dense(), store.count())


def request_todo(inbox: Path, limit: int) -> str:
    """Ask the owner for the next chunks to embed; returns the request's id, which the answer repeats."""
    nonce = uuid.uuid4().hex
    atomic_write(inbox / EMBED_REQUEST, json.dumps({"pid": os.getpid(), "nonce": nonce, "limit": limit}))
    return nonce


def read_todo(inbox: Path, nonce: str) -> EmbedTodo | None:
    """The owner's answer to request `nonce`, or None while there is none (an answer to an older request is not)."""
    try:
        data = json.loads((inbox / EMBED_TODO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("nonce") != nonce:
        return None
    return EmbedTodo([(str(i), str(t)) for i, t in data["chunks"]], int(data["missing"]), int(data["total"]))


def answer_embed_request(store: ChunkStore, inbox: Path, wanted: WantedPassages | None = None) -> bool:
    """The owner's side: answer a waiting request of a live `kb embed` (after applying its vectors, so nothing is
    handed out twice), the passages its searches wanted first; a request of a process that is gone is dropped."""
    path = inbox / EMBED_REQUEST
    try:
        request = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if process_alive(int(request.get("pid", 0))):
        todo = todo_of(store, int(request.get("limit", 0)), wanted)
        atomic_write(inbox / EMBED_TODO, json.dumps({"nonce": request.get("nonce"), "missing": todo.missing,
                                                     "total": todo.total, "chunks": todo.chunks}, ensure_ascii=False))
    path.unlink(missing_ok=True)
    return True


class InboxSink:
    """The store is held by another process: each batch becomes an inbox file that its watcher applies."""

    mode = "handover"

    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox

    def deliver(self, batch: Batch) -> None:
        write_batch(self.inbox, batch)

    def finish(self) -> None:
        """Nothing to do: every batch file is whole and durable once `deliver` returns."""


def pending_batches(inbox: Path) -> list[Path]:
    return sorted(inbox.glob(f"*{BATCH_SUFFIX}")) if inbox.is_dir() else []


def _set_aside(inbox: Path, path: Path, why: str, warn: Callable[[str], None]) -> None:
    atomic_move(path, inbox / FAILED / path.name)
    warn(f"{path}: {why}; moved to {inbox / FAILED}")


def _read_attempts(inbox: Path) -> dict[str, int]:
    try:
        data = json.loads((inbox / ATTEMPTS).read_text(encoding="utf-8"))
        return {str(k): int(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def _write_attempts(inbox: Path, attempts: dict[str, int]) -> None:
    atomic_write(inbox / ATTEMPTS, json.dumps(attempts))


def apply_inbox(store: ChunkStore, inbox: Path, warn: Callable[[str], None] = lambda m: None,
                max_attempts: int = 5) -> int:
    """Apply every waiting batch file in order; returns how many were applied. Safe to interrupt and redo.

    A batch the store refuses raises `BatchApplyError` (the later files wait for it, so a newer version is never
    overwritten by an older one) until it has been tried `max_attempts` times; then it is set aside in `failed/`.
    """
    applied = 0
    attempts = _read_attempts(inbox)
    for path in pending_batches(inbox):
        tries = attempts.get(path.name, 0)
        if tries >= max_attempts:
            _set_aside(inbox, path, f"update batch failed to apply {tries} times", warn)
            continue
        try:
            batch = Batch.from_json(json.loads(gzip.decompress(path.read_bytes())))
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            # Whole files only ever appear here, so an unreadable one is foreign or damaged: set it aside.
            _set_aside(inbox, path, f"unreadable update batch ({type(exc).__name__}: {exc})", warn)
            continue
        attempts[path.name] = tries + 1
        _write_attempts(inbox, attempts)
        try:
            keep_stored_dense(store, batch)
            apply_batch(store, batch)
            store.flush()
        except Exception as exc:
            if tries + 1 < max_attempts:
                raise BatchApplyError(f"{path}: the store refused this update batch ({type(exc).__name__}: {exc}); "
                                      f"attempt {tries + 1} of {max_attempts}") from exc
            _set_aside(inbox, path, f"update batch failed to apply {tries + 1} times, last with "
                                    f"{type(exc).__name__}: {exc}", warn)
            continue
        path.unlink()
        applied += 1
    live = {p.name for p in pending_batches(inbox)}
    if attempts and set(attempts) - live:
        _write_attempts(inbox, {name: n for name, n in attempts.items() if name in live})
    _remove_dead_temporaries(inbox)
    return applied


def _remove_dead_temporaries(inbox: Path) -> None:
    """Temporary files of writers that were killed mid-write; a live writer's file is left alone."""
    if not inbox.is_dir():
        return
    for tmp in inbox.glob(".*.tmp"):
        pid = writer_pid(tmp)
        if pid is not None and not process_alive(pid):
            tmp.unlink(missing_ok=True)


# -- the versions snapshot ---------------------------------------------------------------------------------


def write_snapshot(inbox: Path, documents: dict[str, StoredDocument]) -> None:
    data = {"written_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "documents": {d: [s.version, s.complete, s.kind, s.source, s.source_file] for d, s in documents.items()}}
    atomic_write(inbox / SNAPSHOT, json.dumps(data, ensure_ascii=False))


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
                 warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr), max_attempts: int = 5,
                 wanted: WantedPassages | None = None) -> None:
        """`wanted`: the passages this process's searches lacked vectors for, handed to `kb embed` first."""
        if interval <= 0:
            raise ConfigError(f"inbox poll interval {interval}; it must be a positive number of seconds")
        self.store = store
        self.inbox = inbox
        self.interval = interval
        self.max_attempts = max_attempts
        self.warn = warn
        self.wanted = wanted
        self.applied = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="kb-inbox-watcher", daemon=True)
        self._documents: dict[str, StoredDocument] | None = None
        self._unflushed = 0
        """Vectors set since the last flush (`VECTOR_FLUSH`)."""
        self._vectors_at = 0.0

    def start(self) -> InboxWatcher:
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def poll_once(self) -> int:
        """Apply what is waiting (document batches first, then vectors); refresh the snapshot after document changes
        (and once at start); then answer `kb embed`'s request for more work. Vectors are flushed every
        `VECTOR_FLUSH` of them, `VECTOR_IDLE` seconds after the last batch, with a document batch, or at close."""
        applied = apply_inbox(self.store, self.inbox, self.warn, self.max_attempts)
        if applied:
            self._unflushed = 0  # apply_inbox flushed
        if applied or self._documents is None:
            self._documents = store_documents(self.store)
            write_snapshot(self.inbox, self._documents)
        self.applied += applied
        vectors = apply_vectors(self.store, self.inbox, self.warn)
        now = time.monotonic()
        if vectors:
            self._unflushed += vectors
            self._vectors_at = now
        if self._unflushed >= VECTOR_FLUSH or (self._unflushed and now - self._vectors_at >= VECTOR_IDLE):
            self.store.flush()
            self._unflushed = 0
        answer_embed_request(self.store, self.inbox, self.wanted)
        return applied

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                atomic_write(self.inbox / HEARTBEAT, json.dumps({"pid": os.getpid(), "at": time.time()}))
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
    return time.time() - float(beat.get("at", 0)) < within and process_alive(int(beat.get("pid", 0)))


HOLDER_WAIT = 30.0
"""How long `try_open` waits for a holder that lets go when asked (`kb embed`, which closes the store within a poll of
0.25 s and a close, 0.6-1.6 s for the whole corpus here)."""


def try_open(settings: Settings, ask: bool = True) -> ChunkStore | None:
    """The store if this process can open it, or None when another process holds it (then hand over). `ask`: when
    the holder is one that lets go when asked (`holder_yields`), ask it and wait up to `HOLDER_WAIT`."""
    from kb.store import open_store

    try:
        return open_store(settings)
    except StoreLockedError:
        if not (ask and holder_yields(settings.inbox)):
            return None
    try:
        return _open_waiting(settings, HOLDER_WAIT)
    except StoreLockedError:
        return None


def open_asking(settings: Settings, wait: float) -> ChunkStore:
    """Open the store, waiting up to `wait` seconds for the process that holds it; while waiting, say so in a
    `store-wanted-*` file, which a holder that lets go when asked (`kb embed`) answers by closing the store."""
    from kb.store import open_store

    try:
        return open_store(settings)
    except StoreLockedError:
        if wait <= 0:
            raise
    return _open_waiting(settings, wait)


def _open_waiting(settings: Settings, wait: float) -> ChunkStore:
    """`open_asking` once the store was found locked: ask its holder (`store-wanted-*`) and wait for it."""
    from kb.store import open_store

    wanted = settings.inbox / f"{WANTED}{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
    atomic_write(wanted, json.dumps({"pid": os.getpid(), "at": time.time()}))
    try:
        return open_store(settings, wait=wait)
    finally:
        wanted.unlink(missing_ok=True)


def store_wanted(inbox: Path) -> bool:
    """Whether a live process waits to open the store (`open_asking`); the files of dead ones are removed."""
    wanted = False
    for path in inbox.glob(f"{WANTED}*.json"):
        try:
            pid = int(json.loads(path.read_text(encoding="utf-8")).get("pid", 0))
        except (OSError, ValueError, AttributeError):
            continue  # being written or removed right now
        if process_alive(pid):
            wanted = True
        else:
            path.unlink(missing_ok=True)
    return wanted


def announce_holder(inbox: Path) -> None:
    """This process holds the store and lets go when asked (`store_wanted`)."""
    atomic_write(inbox / HOLDER, json.dumps({"pid": os.getpid()}))


def withdraw_holder(inbox: Path) -> None:
    (inbox / HOLDER).unlink(missing_ok=True)


def holder_yields(inbox: Path) -> bool:
    """Whether the store's holder lets go when asked: its notice names a live process (a killed holder's notice stays
    behind, and its lock is gone with it)."""
    try:
        pid = int(json.loads((inbox / HOLDER).read_text(encoding="utf-8")).get("pid", 0))
    except (OSError, ValueError, AttributeError):
        return False
    return process_alive(pid)
