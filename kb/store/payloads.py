"""A copy of every stored chunk's payload in SQLite beside the Qdrant Edge shard, kept by the process that writes
the shard, so that a reader who needs payloads only reads them without loading the shard, and while another process
holds it.

Why: `kb check` needs documents by id and application number and the paragraphs of the ones a brief cites, nothing
else; but Qdrant Edge loads a whole shard to read one payload. The store is one appendable segment (Edge optimises
only when asked, and nothing asks), whose BM25 index Edge builds in RAM at load and whose dense vectors it maps in
whole: on the full corpus 1.7 GB of the 1.86 GB every `kb` command paid before its first line of work (measured with
/proc/self/smaps: dense vectors 480 MB, heap 444 MB, payload indexes 350 MB, BM25 vectors 110 MB). Loading options
(`payload_memory`, a vector's `memory`) apply to optimised segments only. Edge 0.9 has no read-only open and admits
one process per shard; SQLite admits any number of readers beside one writer, so the copy is also what lets
`kb check` run beside the app or `kb mcp` instead of refusing.

Kept current without trusting anyone's memory:
- every write of the shard (`EdgeStore.upsert`, `delete`, `delete_documents`, `set_document_fields`) marks the copy
  `writing` (with the writer's process id) before it touches the shard, and applies the same change to the copy in
  the transaction that marks it `current` again, with the shard's `stamp` (each segment's version: the number of
  the last operation applied, which any write advances);
- a writer opening the shard rebuilds the copy (one scroll, ~1 min on the full corpus) unless it is `current` with
  the shard's stamp and point count: that catches a crash between the two writes and a write by code that did not
  keep the copy;
- a reader (`PayloadCopy.reader`) uses the copy only when it is `current`, or `writing` by a process still alive
  (a write under way: the reader sees the copy before or after it, as a search would); otherwise it reads the shard.

The writer's own searches read their hits' payloads here too (`EdgeStore.search`, the fetcher's
`scroll_paragraphs`), on a connection of their own, while the copy is `settled`: Edge's cold payload storage cost a
60-hit BM25 query ~60 % of its CPU. Measured in one process, interleaved per query (copy reads on and off), 313
queries of `bench/ranked_latency.py`, fastest of 3, whole store eval23s, load 8-9, every top 10 and candidate list
identical in all 939 pairs: questions' searching-thread CPU 38.3 → 33.8 ms a query (process 57.9 → 53.0), passages'
34.6 → 32.7 ms, questions' wall p50 / p95 82.7 / 131.5 → 74.5 / 119.4 ms at that load.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from kb.atomic import process_alive
from kb.store.base import ChunkPoint, SearchFilters, StoredChunk

COLUMNS = ("doc_id", "source_kind", "doc_type", "paragraph")
"""Payload fields kept in columns of their own (indexed): what the check filters by."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (id TEXT PRIMARY KEY, doc_id TEXT, source_kind TEXT, doc_type TEXT, paragraph TEXT,
    para_index INTEGER, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks (doc_id, para_index);
DROP INDEX IF EXISTS chunks_kind;
CREATE INDEX IF NOT EXISTS chunks_kind_doc ON chunks (source_kind, doc_type, paragraph, doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
"""`chunks_kind_doc` ends with `doc_id` so that a facet of documents by kind and type (the check's index of the
corpus) reads the index alone: on the whole corpus 0.09 s instead of 0.9 s through the table."""


class Payloads(Protocol):
    """What a reader of payloads alone asks: a `ChunkStore` answers it, and so does the copy."""

    def count(self, filters: SearchFilters | None = None) -> int: ...

    def facet(self, key: str, filters: SearchFilters | None = None, limit: int = 50) -> list[tuple[str, int]]: ...

    def scroll(self, filters: SearchFilters | None = None, batch: int = 1000) -> Iterator[StoredChunk]: ...

    def document_chunks(self, doc_id: str) -> list[StoredChunk]: ...


SEARCH_IDS = 500
"""Ids per query of `PayloadCopy.payloads` (SQLite's limit on parameters is far above; a search asks for ~60)."""


SEARCH_MAP_BYTES = 0x7FFF0000
"""How much of the copy a search's connection reads by memory map (SQLite's default ceiling, ~2 GB; the whole
corpus's copy is 0.84 GB) instead of a read call per page: 60 payloads read by id and parsed cost 2.3-3.2 ms of CPU
read, 1.6-2.0 ms mapped (300 batches of 60 random ids, both in one process, two rounds). The pages mapped are the
file's, shared with the OS's cache and reclaimable, not the process's own memory."""


def copy_path(store: Path) -> Path:
    """The copy of the shard at `store`: a file beside the shard folder (a shard owns its whole folder)."""
    return store.with_name(f"{store.name}-payloads.sqlite")


def _row(point_id: str, payload: dict) -> tuple:
    values = [payload.get(c) for c in COLUMNS]
    values[3] = str(values[3]) if values[3] is not None else None
    return (point_id, *values, payload.get("para_index"), json.dumps(payload, ensure_ascii=False))


class PayloadCopy:
    """The copy, as its writer (`EdgeStore`, which holds the shard) or as a reader (`reader`)."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
        self._writes = 0  # this writer's writes under way
        self._spoilt = False  # a write failed: the copy may differ from the shard until the next open rebuilds it
        self._search: sqlite3.Connection | None = None
        self._search_lock = threading.Lock()
        if read_only:
            self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self._con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.executescript(SCHEMA)

    @classmethod
    def reader(cls, store: Path) -> PayloadCopy | None:
        """The copy of the shard at `store` if it can be trusted now (see the module's docstring), else None."""
        path = copy_path(store)
        if not path.exists():
            return None
        try:
            copy = cls(path, read_only=True)
        except sqlite3.Error:
            return None
        if copy.trusted():
            return copy
        copy.close()
        return None

    def trusted(self) -> bool:
        """`current`, or being written by a process still alive."""
        try:
            with self._lock:
                state = self._meta("state") or ""
        except sqlite3.Error:
            return False
        return state == "current" or state.startswith("writing ") and process_alive(int(state.split()[1]))

    def close(self) -> None:
        with self._lock, self._search_lock:
            self._con.close()
            if self._search is not None:
                self._search.close()

    # the searcher's side: the writer's own searches read their hits' payloads here ------------------------------

    def settled(self) -> bool:
        """Whether the copy holds what the shard holds as far as this writer knows: no write of its own under way
        and none failed. Asked under the shard's lock, before a query, by the process that writes both (a write
        marks itself under way before it touches the shard and unmarks itself after the copy's commit)."""
        return not self.read_only and self._writes == 0 and not self._spoilt

    def payloads(self, ids: list[str]) -> dict[str, dict]:
        """The payloads of `ids` the copy holds, by id, read on a connection of their own: in WAL mode it reads
        the last commit while a write is under way on the writer's connection, so a search never waits for one."""
        found: dict[str, dict] = {}
        with self._search_lock:
            if self._search is None:
                self._search = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
                self._search.execute(f"PRAGMA mmap_size={SEARCH_MAP_BYTES}")
            for start in range(0, len(ids), SEARCH_IDS):
                part = ids[start:start + SEARCH_IDS]
                found.update(self._search.execute(
                    f"SELECT id, payload FROM chunks WHERE id IN ({','.join('?' * len(part))})", part).fetchall())
        return {point_id: json.loads(payload) for point_id, payload in found.items()}

    def _meta(self, key: str) -> str | None:
        row = self._con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # the writer's side -------------------------------------------------------------------------------------------

    def agrees(self, stamp: dict[str, int], count: int) -> bool:
        """Whether the copy is current for a shard with this stamp and point count."""
        with self._lock:
            return (self._meta("state") == "current" and self._meta("stamp") == json.dumps(stamp, sort_keys=True)
                    and self._con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] == count)

    def rebuild(self, chunks: Iterable[StoredChunk], stamp: dict[str, int]) -> int:
        """Replace the whole copy with `chunks` (a scroll of the shard); returns the rows written."""
        with self.writing():
            self._con.execute("DELETE FROM chunks")
            n = 0
            batch: list[tuple] = []
            for chunk in chunks:
                batch.append(_row(chunk.id, chunk.payload))
                if len(batch) >= 1000:
                    n += self._insert(batch)
                    batch = []
            n += self._insert(batch)
            self._done(stamp)
        return n

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around one write of the shard and its copy: marked `writing` (committed) before, and the copy's change
        made in one transaction with `_done`. An exception marks it `stale`, so the next opener rebuilds it and,
        until then, no reader in another process (`reader`: `kb check` beside the app) trusts it: left `writing` by
        a process still alive, it was read as a write under way while the shard already held what the copy had
        rolled back."""
        with self._lock:
            self._writes += 1
            try:
                self._con.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (f"writing {os.getpid()}",))
                self._con.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self._spoilt = True
                    self._con.execute("ROLLBACK")
                    self._con.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'stale')")
                    raise
            finally:
                self._writes -= 1

    def _done(self, stamp: dict[str, int]) -> None:
        self._con.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (json.dumps(stamp, sort_keys=True),))
        self._con.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'current')")
        self._con.execute("COMMIT")

    def _insert(self, rows: list[tuple]) -> int:
        self._con.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def upsert(self, points: list[ChunkPoint], stamp: dict[str, int]) -> None:
        self._insert([_row(p.id, p.payload) for p in points])
        self._done(stamp)

    def unchanged(self, stamp: dict[str, int]) -> None:
        """A write that changed no payload (dense vectors, an optimisation): the copy takes the shard's stamp."""
        self._done(stamp)

    def delete(self, ids: list[str], stamp: dict[str, int]) -> None:
        self._con.executemany("DELETE FROM chunks WHERE id = ?", [(i,) for i in ids])
        self._done(stamp)

    def delete_documents(self, doc_ids: list[str], stamp: dict[str, int]) -> None:
        self._con.executemany("DELETE FROM chunks WHERE doc_id = ?", [(d,) for d in doc_ids])
        self._done(stamp)

    def set_document_fields(self, fields: dict[str, dict], stamp: dict[str, int]) -> None:
        """Qdrant's set-payload: the given keys replaced, the others kept (`json_patch` drops a key set to null,
        which Qdrant keeps as null: no caller sets one)."""
        self._con.executemany("UPDATE chunks SET payload = json_patch(payload, ?) WHERE doc_id = ?",
                              [(json.dumps(payload, ensure_ascii=False), doc_id) for doc_id, payload in fields.items()])
        self._done(stamp)

    # the reader's side: what the check asks of a store ----------------------------------------------------------

    def count(self, filters: SearchFilters | None = None) -> int:
        where, args = _where(filters)
        with self._lock:
            return int(self._con.execute(f"SELECT COUNT(*) FROM chunks{where}", args).fetchone()[0])

    def facet(self, key: str, filters: SearchFilters | None = None, limit: int = 50) -> list[tuple[str, int]]:
        """Values of a keyword field with their chunk counts, commonest first (a list field counts each value)."""
        where, args = _where(filters)
        # `+column`: group over the kind index, which covers it, not in the document index's order through the table
        value = f"+{key}" if key in COLUMNS else "j.value"
        source = "chunks" if key in COLUMNS else f"chunks, json_each(chunks.payload, '$.{_field(key)}') AS j"
        with self._lock:
            rows = self._con.execute(f"SELECT {value}, COUNT(*) AS n FROM {source}{where} "
                                     f"{'AND' if where else 'WHERE'} {value} IS NOT NULL GROUP BY {value} "
                                     "ORDER BY n DESC, 1 LIMIT ?", (*args, limit)).fetchall()
        return [(str(v), int(n)) for v, n in rows]

    def scroll(self, filters: SearchFilters | None = None, batch: int = 1000) -> Iterator[StoredChunk]:
        where, args = _where(filters)
        with self._lock:
            cursor = self._con.execute(f"SELECT id, payload FROM chunks{where}", args)
        while True:
            with self._lock:
                rows = cursor.fetchmany(batch)
            if not rows:
                return
            for point_id, payload in rows:
                yield StoredChunk(point_id, json.loads(payload))

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        with self._lock:
            rows = self._con.execute("SELECT id, payload FROM chunks WHERE doc_id = ? ORDER BY para_index",
                                     (doc_id,)).fetchall()
        return [StoredChunk(point_id, json.loads(payload)) for point_id, payload in rows]

    def generation(self) -> str | None:
        """Changes with every write: what a reader's caches are keyed by."""
        with self._lock:
            return self._meta("stamp")


def _field(key: str) -> str:
    if not key.replace("_", "").isalnum():
        raise ValueError(f"not a payload field name: {key!r}")
    return key


def _where(filters: SearchFilters | None) -> tuple[str, list]:
    """`filters` as SQL over the copy, with Qdrant's meaning: each list an OR inside, the lists ANDed, a list field
    matching when any of its values does."""
    filters = filters or SearchFilters()
    clauses: list[str] = []
    args: list = []
    for key, values in filters.keyword_matches():
        marks = ",".join("?" * len(values))
        if key in COLUMNS:
            clauses.append(f"chunks.{key} IN ({marks})")
        else:
            clauses.append(f"EXISTS (SELECT 1 FROM json_each(chunks.payload, '$.{_field(key)}') "
                           f"WHERE value IN ({marks}))")
        args += [str(v) for v in values]
    if filters.date_from:
        clauses.append("json_extract(chunks.payload, '$.date') >= ?")
        args.append(filters.date_from)
    if filters.date_to:
        clauses.append("json_extract(chunks.payload, '$.date') <= ?")
        args.append(filters.date_to)
    if filters.max_importance is not None:
        clauses.append("json_extract(chunks.payload, '$.importance') <= ?")
        args.append(filters.max_importance)
    for key in filters.unknown:
        clauses.append(f"coalesce(json_array_length(chunks.payload, '$.{_field(key)}'), "
                       f"json_extract(chunks.payload, '$.{_field(key)}') IS NOT NULL) = 0")
    if filters.exclude_doc_ids:
        clauses.append(f"chunks.doc_id NOT IN ({','.join('?' * len(filters.exclude_doc_ids))})")
        args += list(filters.exclude_doc_ids)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args
