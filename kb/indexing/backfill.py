"""`kb embed`: dense vectors for the chunks written without one (sparse-first), most useful first, while the store
serves searches.

The store is the only state: a chunk lacks its dense vector until one is set (`ChunkStore.missing_dense`), so a
worker killed at any point (kill -9 included) is resumed by starting it again, and nothing the embedding cache holds
is embedded twice (the worker goes through `CachedDocumentEmbedder`, which puts every new vector in the cache first).

Each round takes the next chunks without a vector (about `ROUND_SECONDS` of model time at the last round's rate), in
`embed_rank` order (`kb.indexing.chunking`), embeds them with the store closed, and hands the vectors over as one
vector-only inbox batch (`kb.indexing.handover`):

* when a serving process holds the store (the app, `kb mcp`: their inbox watcher beats), the worker asks it for the
  next chunks through the inbox and never opens the store; the owner applies the vectors between document updates;
* when nobody holds it, the worker opens it for a moment each round (apply what the inbox holds, read the next
  chunks, close), so `kb search`, `kb update` or the app starting meanwhile find it free most of the time, and an
  opener that waits for the lock (`KnowledgeBase`) gets it within one round's short hold;
* when another process holds it without a watcher (`kb update` writing directly, a `kb search`), the worker waits.
"""

from __future__ import annotations

import ctypes
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from kb.atomic import atomic_write
from kb.documents import SharedDocument
from kb.embedding import CachedDocumentEmbedder, EmbeddingCache, check_model, document_embedder
from kb.embedding_onnx import model_tokenizer
from kb.indexing.handover import (
    EmbedTodo,
    apply_inbox,
    apply_vectors,
    owner_alive,
    process_alive,
    read_todo,
    request_todo,
    todo_of,
    try_open,
    write_vectors,
)
from kb.indexing.sync import WarnFn, stderr
from kb.settings import Settings
from legal.errors import StoreEmptyError
from legal.text import index_text

ROUND_SECONDS = 30.0
"""Model time a round aims at. A hand-over round costs one inbox poll (~2 s); a direct round opens the store (~3.3 s
for the whole corpus here; applying 1,024 vectors and a flush take 0.05 s), so much shorter rounds would spend the
fill opening the store, and much longer ones would leave the sidebar's share and ETA standing still."""
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
    """Vectors handed over (inbox batches) in this run."""
    rounds: int = 0
    mode: str = ""
    """`direct` (this process opened the store between rounds) or `handover` (a serving process holds it)."""
    seconds: float = 0.0

    @property
    def missing(self) -> int:
        return self.total - self.done

    def rate(self) -> float | None:
        """Vectors per second in this run, once there is a round to go by."""
        return self.handed / self.seconds if self.handed and self.seconds > 0 else None

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

    def _store_exists(self) -> bool:
        """Never create a store by opening one: an empty new store would have nothing to fill."""
        return bool(self.settings.qdrant_url) or self.settings.store.exists()

    def run(self) -> EmbedProgress:
        if not self._store_exists():
            raise StoreEmptyError(f"No store at {self.settings.store}: run `kb ingest --sparse-first` (or `make run`) "
                                  "first")
        started = time.monotonic()
        self.inbox.mkdir(parents=True, exist_ok=True)
        while not self.stop.is_set():
            todo = self._next()
            if todo is None:
                self.stop.wait(LOCKED_WAIT)
                continue
            self.state.done, self.state.total = todo.total - todo.missing, todo.total
            self.state.seconds = time.monotonic() - started
            self._report()
            if not todo.chunks:
                break
            embedding = time.monotonic()
            vectors = self._embed(todo.chunks)
            if not self.fixed and vectors:
                rate = len(vectors) / max(time.monotonic() - embedding, 1e-3)
                self.round_size = int(min(MAX_ROUND, max(FIRST_ROUND, rate * ROUND_SECONDS)))
            if vectors:
                write_vectors(self.inbox, vectors)
                self.state.handed += len(vectors)
            self.state.rounds += 1
        if self.stop.is_set():
            self._apply_last()
        self.state.seconds = time.monotonic() - started
        self._report()
        return self.state

    # who holds the store ----------------------------------------------------------------------------------

    def _next(self) -> EmbedTodo | None:
        """The next chunks to embed, from the owner or from the store itself; None when neither can say now."""
        if owner_alive(self.inbox, within=max(30.0, 10 * self.settings.inbox_poll)):
            self.state.mode = "handover"
            return self._ask_owner()
        store = try_open(self.settings)
        if store is None:
            if not self._waiting_said:
                self.warn(f"kb embed: the store at {self.settings.store} is held by a process that takes no hand-over "
                          "(`kb update` writing, a `kb search`); waiting for it")
                self._waiting_said = True
            return None
        self.state.mode = "direct"
        try:
            apply_inbox(store, self.inbox, self.warn, self.settings.inbox_attempts)
            if apply_vectors(store, self.inbox, self.warn):
                store.flush()
            return todo_of(store, self.round_size)
        finally:
            store.close()
            return_freed_memory()

    def _ask_owner(self) -> EmbedTodo | None:
        nonce = request_todo(self.inbox, self.round_size)
        deadline = time.monotonic() + ANSWER_WAIT
        while time.monotonic() < deadline and not self.stop.is_set():
            todo = read_todo(self.inbox, nonce)
            if todo is not None:
                return todo
            self.stop.wait(min(0.25, self.settings.inbox_poll / 4))
        return None

    def _apply_last(self) -> None:
        """Stopped: the last round's vectors into the store if nobody serves it (a serving owner applies them)."""
        if owner_alive(self.inbox, within=max(30.0, 10 * self.settings.inbox_poll)) or not self._store_exists():
            return
        store = try_open(self.settings)
        if store is None:
            return  # whoever holds it now, or the next `kb embed`, applies them
        try:
            if apply_vectors(store, self.inbox, self.warn):
                store.flush()
            self.state.done = self.state.total - store.count_missing_dense()
        finally:
            store.close()
            return_freed_memory()

    # the model ----------------------------------------------------------------------------------------------

    def _embed(self, chunks: list[tuple[str, str]]) -> dict[str, list[float]]:
        """Vectors of the chunks, through the embedding cache; stops early (keeping what is done) when asked to."""
        out: dict[str, list[float]] = {}
        docs = [SharedDocument(id=i, content=index_text(text) or text) for i, text in chunks]
        if self.tokenizer is not None:
            lengths = [len(e.ids) for e in self.tokenizer.encode_batch([d.content for d in docs])]
            docs = [docs[i] for i in sorted(range(len(docs)), key=lambda i: -lengths[i])]
        for start in range(0, len(docs), SLICE):
            if self.stop.is_set():
                break
            batch = docs[start:start + SLICE]
            before = self.embedder.embedded
            for doc in self.embedder.run(documents=batch)["documents"]:
                out[doc.id] = doc.embedding
            fresh = self.embedder.embedded - before
            self.state.embedded += fresh
            self.state.cached += len(batch) - fresh
        return out

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
