"""`kb embed`: dense vectors for the chunks written without one (sparse-first), most useful first, while the store
serves searches.

The store is the only state: a chunk lacks its dense vector until one is set (`ChunkStore.missing_dense`), so a
worker killed at any point (kill -9 included) is resumed by starting it again, and nothing the embedding cache holds
is embedded twice (the worker goes through `CachedDocumentEmbedder`, which puts every new vector in the cache first).

Each round takes the next chunks without a vector (about `ROUND_SECONDS` of model time at the last round's rate), in
`embed_rank` order (`kb.indexing.chunking`), and embeds them slice by slice while a writer thread (`StoreHold`) puts
the last slice's vectors where they go, so the writes overlap the model (ONNX Runtime releases the GIL):

* when a serving process holds the store (the app, `kb mcp`: their inbox watcher beats), the worker asks it for the
  next chunks through the inbox and never opens the store; the round's vectors go to the owner as one vector-only
  inbox batch (`kb.indexing.handover`), which it applies between document updates;
* when nobody holds it, the worker opens it once and keeps it across rounds (opening the whole corpus took 3.3 s
  quiet, 10 s under load: a fifth of a loaded fill when it was opened every round), sets the vectors itself and
  flushes once a round; a process that asks for the store (`handover.open_asking`: the app, `kb mcp`, `kb search`,
  `kb update` starting) gets it within a poll and a close, and the rest of the round goes to the inbox;
* when another process holds it without a watcher (`kb update` writing directly, a `kb search`), the worker waits.
"""

from __future__ import annotations

import ctypes
import json
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from kb.atomic import atomic_write
from kb.documents import SharedDocument
from kb.embedding import CachedDocumentEmbedder, EmbeddingCache, check_model, document_embedder
from kb.embedding_onnx import model_tokenizer
from kb.indexing.handover import (
    EmbedTodo,
    announce_holder,
    apply_inbox,
    apply_vectors,
    owner_alive,
    process_alive,
    read_todo,
    request_todo,
    store_wanted,
    todo_of,
    try_open,
    withdraw_holder,
    write_vectors,
)
from kb.indexing.sync import WarnFn, stderr
from kb.settings import Settings
from kb.store.base import ChunkStore
from legal.errors import KbError, StoreEmptyError
from legal.text import index_text

ROUND_SECONDS = 30.0
"""Model time a round aims at. A hand-over round costs one inbox poll (~2 s); a direct round reads the next chunks
(0.1-0.4 s for the whole corpus here) and flushes in the writer thread, so much shorter rounds would spend the fill
waiting, and much longer ones would leave the sidebar's share and ETA standing still."""
FIRST_ROUND = 128
"""The first round's size, before there is a rate to size rounds by (a loaded machine embeds a few passages/s)."""
MAX_ROUND = 8192
SLICE = 128
"""Passages embedded between two looks at the stop signal (SIGTERM from `make run` ending). A round is ordered by
token count before it is sliced, so a slice's batches pad as little as the whole round's would (0.4 % more tokens
than the texts hold, against 5 % for slices in rank order)."""
ANSWER_WAIT = 60.0
"""How long the worker waits for the owner's answer before it checks again who holds the store."""
LOCKED_WAIT = 5.0
"""Pause before trying again when the store is held by a process that takes no hand-over."""
POLL = 0.25
"""How often the writer thread looks for a process asking for the store it holds (`handover.store_wanted`)."""

ProgressFn = Callable[["EmbedProgress"], None]


@dataclass
class EmbedProgress:
    """Where the fill stands: chunks with a dense vector (`done`) of `total`, and this run's own counts."""

    done: int = 0
    total: int = 0
    embedded: int = 0
    """Passages the model embedded in this run."""
    cached: int = 0
    """Passages whose vector came from the embedding cache."""
    handed: int = 0
    """Vectors written into the store or handed over (inbox batches) in this run."""
    rounds: int = 0
    mode: str = ""
    """`direct` (this process holds the store while nobody serves it) or `handover` (a serving process holds it)."""
    seconds: float = 0.0
    rated: int = 0
    """Vectors handed since the first round ended, over `rated_seconds`: the rate's basis. The first round is left
    out because it carries the run's start (the store's open, the wait for it, the model's load) with only
    `FIRST_ROUND` passages: timed from the start, the sidebar's first time left read ~1,660 min for a 38 min fill."""
    rated_seconds: float = 0.0

    @property
    def missing(self) -> int:
        return self.total - self.done

    def rate(self) -> float | None:
        """Vectors per second in this run after its first round, once a later round has ended (None before)."""
        return self.rated / self.rated_seconds if self.rated and self.rated_seconds > 0 else None

    def line(self) -> str:
        share = 100.0 * self.done / self.total if self.total else 100.0
        return (f"dense vectors: {self.done:,} of {self.total:,} chunks ({share:.0f} %); this run embedded "
                f"{self.embedded:,} and took {self.cached:,} from the cache in {self.seconds:.0f} s "
                f"({self.rounds} rounds, {self.mode or 'nothing to do'})")


def progress_path(settings: Settings) -> Path:
    """The worker's last progress (JSON), which the app's sidebar reads for the share embedded and the time left."""
    return settings.logs / "embed-progress.json"


def read_progress(settings: Settings, within: float = 300.0) -> dict | None:
    """The progress a live worker wrote within `within` seconds, else None (no fill under way)."""
    try:
        data = json.loads(progress_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if time.time() - float(data.get("at", 0)) > within or not process_alive(int(data.get("pid", 0))):
        return None
    return data


class StoreHold:
    """The store while this worker holds it, and the thread that writes the vectors.

    The main thread embeds a slice while this thread writes the one before: into the store when this process holds
    it, else into the round's inbox batch (written at the round's end). A new vector is in the embedding cache before
    it gets here (`CachedDocumentEmbedder`), so what a kill loses is taken from the cache next time. Between writes it
    looks every `POLL` s for a process waiting to open the store (`store_wanted`) and closes the store for it. A write
    that fails stops the writes (`error`), and the main thread raises it at its next slice: the vectors not written
    are in the cache, and their chunks still lack them."""

    _FLUSH = object()
    _STOP = object()

    def __init__(self, settings: Settings, warn: WarnFn) -> None:
        self.settings = settings
        self.inbox = settings.inbox
        self.warn = warn
        self.store: ChunkStore | None = None
        self.lock = threading.RLock()
        """Held around every use of `store`: the main thread reads the next chunks, this thread writes and lets go."""
        self.unflushed = 0
        """Vectors set since the last flush: not yet durable, so progress does not count them as done."""
        self.generation = 0
        """How many times this process opened the store: what was read from it before it was let go may be stale."""
        self.error: Exception | None = None
        self._pending: dict[str, list[float]] = {}
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="kb-embed-writer", daemon=True)
        self._thread.start()

    def open(self) -> ChunkStore | None:
        """The store: held already, or opened now unless another process holds it or is waiting for it."""
        with self.lock:
            if self.store is None and not store_wanted(self.inbox):
                self.store = try_open(self.settings, ask=False)
                if self.store is not None:
                    self.generation += 1
                    announce_holder(self.inbox)
            return self.store

    def write(self, vectors: dict[str, list[float]]) -> None:
        self.check()
        self._queue.put(vectors)

    def flush_later(self) -> None:
        """Make what is set durable, in this thread, while the model runs."""
        self._queue.put(self._FLUSH)

    def flush(self) -> None:
        """Make what is set durable now."""
        with self.lock:
            if self.store is not None and self.unflushed:
                self.store.flush()
            self.unflushed = 0

    def end_round(self) -> None:
        """Wait until every vector given so far is written: set in the store, or (not held) in one inbox batch."""
        self._queue.join()
        self.check()
        with self.lock:
            if self._pending:
                write_vectors(self.inbox, self._pending)
                self._pending = {}

    def check(self) -> None:
        if self.error is not None:
            raise KbError(f"kb embed: writing dense vectors failed ({type(self.error).__name__}: {self.error}); "
                          "the passages they were for still lack a vector and nothing stored is lost (the vectors "
                          f"are in the embedding cache {self.settings.embeddings_cache}). Run `kb embed` again; if "
                          "it fails the same way, move that cache aside") from self.error

    def release(self) -> None:
        """Close the store (flushing it) and give its memory back, so another process can open it."""
        with self.lock:
            if self.store is None:
                return
            try:
                self.store.close()
            finally:
                self.store = None
                self.unflushed = 0
                withdraw_holder(self.inbox)
                return_freed_memory()

    def close(self) -> None:
        self._queue.put(self._STOP)
        self._thread.join()
        try:
            self.release()
        except Exception as exc:
            if self.error is None:
                raise
            self.warn(f"kb embed: closing the store after the failed write: {type(exc).__name__}: {exc}")

    def _loop(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=POLL)
            except queue.Empty:
                item = None
            try:
                if item is not None and item is not self._STOP and self.error is None:
                    self._apply(item)
                if self.store is not None and store_wanted(self.inbox):
                    self.release()
            except Exception as exc:  # raised in the main thread (`check`); the vectors are in the cache
                self.error = exc
            finally:
                if item is not None:
                    self._queue.task_done()
            if item is self._STOP:
                return

    def _apply(self, item: object) -> None:
        with self.lock:
            if item is self._FLUSH:
                self.flush()
            elif self.store is not None:
                self.store.update_vectors(item)
                self.unflushed += len(item)
            else:
                self._pending.update(item)


@dataclass
class Round:
    """A round's chunks as the owner or the store listed them, and the documents the model embeds, in token order."""

    todo: EmbedTodo
    docs: list[SharedDocument]


class Backfill:
    """One `kb embed` run; `run()` returns its progress once every chunk has a dense vector or `stop` is set."""

    def __init__(self, settings: Settings, progress: ProgressFn | None = None, warn: WarnFn = stderr,
                 stop: threading.Event | None = None, round_size: int | None = None) -> None:
        """`round_size`: chunks per round, fixed; None sizes each round to `ROUND_SECONDS` at the last rate."""
        if round_size is not None and round_size < 1:
            raise ValueError(f"round size {round_size}; it must be a positive number of chunks")
        check_model(settings.model)
        self.settings = settings
        self.inbox = settings.inbox
        self.on_progress = progress
        self.warn = warn
        self.stop = stop or threading.Event()
        self.round_size = round_size or FIRST_ROUND
        self.fixed = round_size is not None
        tokens = Path(settings.model) / "tokenizer.json"  # a sentence-transformers model may ship another kind
        self.tokenizer = model_tokenizer(Path(settings.model)) if tokens.exists() else None
        self.embedder = CachedDocumentEmbedder(
            lambda: document_embedder(settings.embedding),
            EmbeddingCache(settings.embeddings_cache, settings.embedding))
        self.state = EmbedProgress()
        self._waiting_said = False
        self._ahead: Future | None = None

    def _store_exists(self) -> bool:
        """Never create a store by opening one: an empty new store would have nothing to fill."""
        return bool(self.settings.qdrant_url) or self.settings.store.exists()

    def run(self) -> EmbedProgress:
        if not self._store_exists():
            raise StoreEmptyError(f"No store at {self.settings.store}: run `kb ingest --sparse-first` (or `make run`) "
                                  "first")
        started = time.monotonic()
        first_round_end: tuple[float, int] | None = None  # (when, vectors handed by then): the rate's origin
        self.inbox.mkdir(parents=True, exist_ok=True)
        hold = StoreHold(self.settings, self.warn)
        ahead = ThreadPoolExecutor(1, thread_name_prefix="kb-embed-ahead")
        try:
            while not self.stop.is_set():
                next_round = self._next(hold)
                if next_round is None:
                    self.stop.wait(LOCKED_WAIT)
                    continue
                todo = next_round.todo
                self.state.done, self.state.total = todo.total - todo.missing - hold.unflushed, todo.total
                now = time.monotonic()
                self.state.seconds = now - started
                if first_round_end is not None:
                    self.state.rated_seconds = now - first_round_end[0]
                    self.state.rated = self.state.handed - first_round_end[1]
                self._report()
                if not todo.chunks:
                    with hold.lock:
                        hold.flush()
                        if hold.store is not None:  # counted again: a round read ahead counts the one before it
                            self.state.done = todo.total - hold.store.count_missing_dense()
                    break
                if self.state.mode == "direct":
                    self._ahead = ahead.submit(self._read_ahead, hold, todo.chunks, self.round_size)
                hold.flush_later()  # the last round's vectors, while this one is embedded
                embedding = time.monotonic()
                written = self._embed(next_round.docs, hold)
                hold.end_round()
                if not self.fixed and written:
                    rate = written / max(time.monotonic() - embedding, 1e-3)
                    self.round_size = int(min(MAX_ROUND, max(FIRST_ROUND, rate * ROUND_SECONDS)))
                self.state.handed += written
                self.state.rounds += 1
                if first_round_end is None and written:
                    first_round_end = (time.monotonic(), self.state.handed)
            if self.stop.is_set():
                self._apply_last(hold)
        finally:
            ahead.shutdown(cancel_futures=True)
            hold.close()
        self.state.seconds = time.monotonic() - started
        self._report()
        return self.state

    # who holds the store ----------------------------------------------------------------------------------

    def _next(self, hold: StoreHold) -> Round | None:
        """The next chunks to embed, from the owner or from the store itself (read ahead during the last round when
        nothing changed the store since); None when neither can say now."""
        ahead, self._ahead = self._ahead, None
        if owner_alive(self.inbox, within=max(30.0, 10 * self.settings.inbox_poll)):
            self.state.mode = "handover"
            todo = self._ask_owner()
            return Round(todo, self._prepare(todo.chunks)) if todo is not None else None
        ready = ahead.result() if ahead is not None else None  # before taking the lock, which the reader takes
        with hold.lock:
            store = hold.open()
            if store is None:
                if not self._waiting_said:
                    self.warn(f"kb embed: the store at {self.settings.store} is held by a process that takes no "
                              "hand-over (`kb update` writing, a `kb search`); waiting for it")
                    self._waiting_said = True
                return None
            self.state.mode = "direct"
            changed = apply_inbox(store, self.inbox, self.warn, self.settings.inbox_attempts)
            vectors = apply_vectors(store, self.inbox, self.warn)  # a round handed over when the store was asked for
            hold.unflushed += vectors
            if ready is not None and ready[0] == hold.generation and not changed and not vectors:
                return ready[1]
            todo = todo_of(store, self.round_size)
        return Round(todo, self._prepare(todo.chunks))

    def _read_ahead(self, hold: StoreHold, current: list[tuple[str, str]], limit: int) -> tuple[int, Round] | None:
        """The round after `current`, read and put in token order while `current` is embedded (0.4 s of store reads
        and 0.6 s of text preparation per 1,000 passages here, which the model waited for): the chunks without a
        vector past those of `current`. Its counts include `current`'s chunks as missing, so the progress it gives
        errs low. With the store's generation, which `_next` checks."""
        with hold.lock:
            if hold.store is None:
                return None
            generation = hold.generation
            skip = {chunk_id for chunk_id, _ in current}
            listed = todo_of(hold.store, limit + len(skip))
        chunks = [chunk for chunk in listed.chunks if chunk[0] not in skip][:limit]
        return generation, Round(EmbedTodo(chunks, listed.missing, listed.total), self._prepare(chunks))

    def _ask_owner(self) -> EmbedTodo | None:
        nonce = request_todo(self.inbox, self.round_size)
        deadline = time.monotonic() + ANSWER_WAIT
        while time.monotonic() < deadline and not self.stop.is_set():
            todo = read_todo(self.inbox, nonce)
            if todo is not None:
                return todo
            self.stop.wait(min(0.25, self.settings.inbox_poll / 4))
        return None

    def _apply_last(self, hold: StoreHold) -> None:
        """Stopped: the last vectors into the store if nobody serves it (a serving owner applies them), and the count
        of chunks with a vector once they are flushed."""
        if owner_alive(self.inbox, within=max(30.0, 10 * self.settings.inbox_poll)) or not self._store_exists():
            return
        with hold.lock:
            store = hold.open()
            if store is None:
                return  # whoever holds it now, or the next `kb embed`, applies them
            hold.unflushed += apply_vectors(store, self.inbox, self.warn)
            hold.flush()
            self.state.done = self.state.total - store.count_missing_dense()

    # the model ----------------------------------------------------------------------------------------------

    def _prepare(self, chunks: list[tuple[str, str]]) -> list[SharedDocument]:
        """What the model embeds for each chunk, longest in tokens first."""
        docs = [SharedDocument(id=i, content=index_text(text) or text) for i, text in chunks]
        if self.tokenizer is not None:
            lengths = [len(e.ids) for e in self.tokenizer.encode_batch([d.content for d in docs])]
            docs = [docs[i] for i in sorted(range(len(docs)), key=lambda i: -lengths[i])]
        return docs

    def _embed(self, docs: list[SharedDocument], hold: StoreHold) -> int:
        """Embeds the documents through the embedding cache, slice by slice, each slice's vectors given to the writer
        thread; stops early (keeping what is done) when asked to. Returns how many vectors were given."""
        given = 0
        for start in range(0, len(docs), SLICE):
            if self.stop.is_set():
                break
            batch = docs[start:start + SLICE]
            before = self.embedder.embedded
            hold.write({doc.id: doc.embedding for doc in self.embedder.run(documents=batch)["documents"]})
            given += len(batch)
            fresh = self.embedder.embedded - before
            self.state.embedded += fresh
            self.state.cached += len(batch) - fresh
        return given

    def _report(self) -> None:
        rate = self.state.rate()
        atomic_write(progress_path(self.settings), json.dumps({
            "pid": os.getpid(), "at": time.time(), **asdict(self.state), "rate": rate,
            "eta_seconds": self.state.missing / rate if rate else None}))
        if self.on_progress:
            self.on_progress(self.state)


def return_freed_memory() -> None:
    """Give the heap a closed store leaves behind back to the system. The whole corpus's store takes ~0.7 GB of heap
    when opened; closing it frees that, but the C library kept it (measured here: 560 MB resident after one open and
    close, 856 MB after two, 49 MB after `malloc_trim`), and a worker that opened the store while nobody served it
    would then sit beside the app with it. A no-op where the C library has no `malloc_trim` (not glibc)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def run_embed(settings: Settings, progress: ProgressFn | None = None, warn: WarnFn = stderr,
              stop: threading.Event | None = None, round_size: int | None = None) -> EmbedProgress:
    """Fill every missing dense vector (or until `stop` is set); see the module docstring."""
    return Backfill(settings, progress, warn, stop, round_size).run()
