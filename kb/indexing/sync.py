"""The sync engine behind `kb ingest` and `kb update`: diff the sources against the store, embed, write or hand over.

One algorithm with three policies (`SyncPolicy`): a chunk budget or defer-new (which never-stored documents are
written), removal of documents whose file is gone from a source read whole, and the sink (write to the store this
process holds, or hand batches to the process that does).

Memory stays bounded however large the corpus (issue 14: a full ingest grew past 9 GB when every prepared document
was held until the end). The first pass reads each file once and keeps, per document to write, only its id, size,
priority and where it came from; prepared chunks are kept only up to `KEEP_CHUNKS` in all (and always for a document
read by OCR, which is costly to read again). The second pass writes in
priority order in batches of about `batch_chunks` chunks, reading again the files whose chunks were not kept.
Reading is cheap next to embedding (~1 % of the time here), so the second read costs little when the model runs.

It is not cheap without the model: in a sparse-first whole-corpus ingest reading and cutting were a third of the
time, half of it the second read. A run that needs no order (`SyncPolicy.exclusive`: no budget, no defer-new, this
process the store's only writer, so nobody searches it before the run ends) writes as it reads, in one pass.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.files import ReadFailure, SourceFile, read
from ingest.model import SourceDocument
from kb.citations.graph import update as update_graph
from kb.indexing.chunking import PreparedDocument, exit_with, prepare_or_fail, read_encoded, read_prepared
from kb.indexing.file_memo import FileMemo
from kb.indexing.writing import (
    FILE_SECONDS,
    Batch,
    DenseFill,
    Indexer,
    Sink,
    StoredDocument,
    StoreSink,
    owner_keeps,
)
from kb.reporting import ProgressFn, WarnFn, stderr
from kb.settings import Settings
from legal.errors import GraphOutdatedError

BATCH_CHUNKS = 512
"""Chunks per model batch group: large enough to keep the model busy, and never half a document."""
KEEP_CHUNKS = 4 * BATCH_CHUNKS
"""Prepared chunks the first pass keeps for the second; beyond that, files are read again (bounded memory)."""


@dataclass
class IngestReport:
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    removed: int = 0
    failed: int = 0
    chunks: int = 0
    deferred: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    tracebacks: list[tuple[str, str]] = field(default_factory=list)
    """Loader bugs (path, traceback): kept for the log, never shown to the lawyer."""
    seconds: float = 0.0
    mode: str = "direct"
    """`direct` (this process wrote the store) or `handover` (batches left for the process that holds it)."""
    batches: int = 0
    files_unopened: int = 0
    """Files unchanged since they were last read (`kb.indexing.file_memo`), whose documents are all as stored."""
    without_dense: int = 0
    """Chunks written without a dense vector (sparse-first, or past a file's model-time budget), for `kb embed`."""
    over_budget: list[tuple[str, int]] = field(default_factory=list)
    """(source file, passages written without a dense vector) for each file whose model time ran out."""

    def fail(self, failure: ReadFailure, warn: WarnFn, kept: int = 0) -> None:
        """Count and report one failure; `kept`: stored documents of the file left in place (it could not be read)."""
        self.failed += 1
        self.failures.append((failure.path, failure.reason))
        if failure.traceback:
            self.tracebacks.append((failure.path, failure.traceback))
        warn(f"skipped {failure.path}: {failure.reason}"
             + (f"; its {kept} stored {'document is' if kept == 1 else 'documents are'} kept as stored (what the "
                "file holds now is unknown)" if kept else ""))

    def summary(self) -> dict:
        return {"added": self.added, "unchanged": self.unchanged, "replaced": self.replaced,
                "removed": self.removed, "failed": self.failed, "chunks": self.chunks}

    def counts(self) -> str:
        how = ("written to the store" if self.mode == "direct"
               else f"handed to the serving process in {self.batches} inbox batches")
        return (f"documents: {self.added} added, {self.unchanged} unchanged, {self.replaced} replaced, "
                f"{self.removed} removed, {self.failed} failed; {self.chunks} chunks {how} in {self.seconds:.0f} s")

    def line(self) -> str:
        text = self.counts()
        if self.deferred:
            text += f"; {self.deferred} documents left for a later run (budget reached; `kb ingest --all` takes all)"
        return text + self.unopened()

    def unopened(self) -> str:
        text = (f"; {self.files_unopened} files unchanged since last read were not opened"
                if self.files_unopened else "")
        if self.without_dense and self.mode == "handover":
            text += (f"; {self.without_dense} chunks were handed over without a dense vector, searchable by BM25 and "
                     "ranked search once applied: each keeps the vector the store holds for it, and `kb embed` adds "
                     "the others")
        elif self.without_dense:
            text += (f"; {self.without_dense} chunks are searchable by BM25 and ranked search now and wait for their "
                     "dense vectors (`kb embed`)")
        return text

    def note_dense(self, fill: DenseFill, warn: WarnFn) -> None:
        """Take the dense step's counts, and name each file whose model time ran out (the run went on without it)."""
        self.without_dense += fill.without_dense
        for source_file, left in fill.over_budget.items():
            self.over_budget.append((source_file, left))
            warn(f"{source_file}: the per-file embedding budget ({fill.file_seconds:.0f} s of model time) ran out; "
                 f"{left} of its passages are written for BM25 and ranked search now, and `kb embed` adds their "
                 "dense vectors")


@dataclass(frozen=True)
class SyncPolicy:
    budget: int | None = None
    """At most this many chunks of budgeted sources (the ECtHR bulk) are written, most relevant first."""
    defer_new: bool = False
    """Never-stored documents of budgeted sources wait (`kb update` without --all keeps the first ingest's choice)."""
    remove: bool = False
    """Remove stored documents of a source read whole whose file no longer holds them (never the documents of a file
    that could not be read: what it holds now is unknown)."""
    batch_chunks: int = BATCH_CHUNKS
    embed: bool = True
    """Embed passages the embedding cache does not hold now; False (sparse-first): write them without a dense vector,
    for `kb embed` to fill while the store is already searchable."""
    file_seconds: float | None = FILE_SECONDS
    """Model time one source file may take (`kb.indexing.writing.FILE_SECONDS`); None: no limit."""
    exclusive: bool = False
    """This run writes the store it holds and nothing else writes it meanwhile (`kb ingest`; not `kb update`, whose
    store may be the app's, nor a hand-over): a document absent from the store when the run began has no chunk to
    replace, and, with no budget and no defer-new, documents are written as they are read (one pass)."""

    def one_pass(self) -> bool:
        return self.exclusive and self.budget is None and not self.defer_new


@dataclass
class Stream:
    """One source as read in this run: its files, or documents that have no file (HUDOC)."""

    name: str
    files: Iterable[SourceFile] = ()
    documents: Iterable[SourceDocument] = ()
    whole: bool = True
    """Read in full, so a stored document it no longer holds is gone (False for `--limit` and named files)."""


@dataclass
class _Pending:
    """A document to write, as the first pass leaves it: small, plus its chunks only while `KEEP_CHUNKS` allows."""

    doc_id: str
    source_name: str
    chunks: int
    priority: float
    budgeted: bool
    replaces: bool
    origin: SourceFile | None
    prepared: PreparedDocument | None


def costly_to_read_again(doc: SourceDocument) -> bool:
    """A document read by OCR (a scanned PDF, a photographed page) keeps its chunks past `KEEP_CHUNKS`: reading its
    file again in the second pass ran Tesseract again (seconds a page: a one-page scan in the drop folder after 2,048
    other chunks to write took 15 s of `kb update` instead of 8), while its chunks are few (at most
    `ingest.loaders.ocr.MAX_OCR_PAGES` pages)."""
    return bool(doc.extra.get("ocr"))


READ_AHEAD = 16
"""Files a one-pass run's reading process may be ahead of the writer: enough to keep both busy, few enough that the
prepared chunks waiting stay small (a judgment is ~100 chunks)."""

Prepared = list[tuple[SourceDocument, PreparedDocument | ReadFailure]]


class ReadAhead:
    """A second process that reads the files, cuts their documents into chunks and gives these their BM25 vectors
    (`read_encoded`) ahead of the one that writes, in a one-pass run: on two cores the two overlap (of a sparse-first
    ingest's CPU, reading and cutting were ~1/5, BM25 ~1/4; the writer keeps the store's part). Only files the memo
    does not say are unchanged are sent; the writer still decides each file in order exactly as a run without it,
    and reads a file itself when the reading process failed."""

    def __init__(self, window: int = READ_AHEAD) -> None:
        self.window = window
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=exit_with, initargs=(os.getpid(),))

    def over(self, items: Iterable[SourceFile], wanted: Callable[[SourceFile], bool]
             ) -> Iterator[tuple[SourceFile, Future | None]]:
        """Each item in order, with the future of its reading if `wanted`."""
        queue: deque[tuple[SourceFile, Future | None]] = deque()
        for item in items:
            queue.append((item, self.pool.submit(read_encoded, item) if wanted(item) else None))
            if len(queue) > self.window:
                yield queue.popleft()
        while queue:
            yield queue.popleft()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _result(item: SourceFile, future: Future | None) -> Prepared | ReadFailure:
    if future is not None:
        try:
            return future.result()
        except Exception:  # the reading process died (memory, a signal): this one reads the file
            pass
    return read_prepared(item)


class Sync:
    """One run of the engine; `run()` fills and returns the report."""

    def __init__(self, settings: Settings, existing: dict[str, StoredDocument], policy: SyncPolicy,
                 report: IngestReport, memo: FileMemo | None = None, progress: ProgressFn | None = None,
                 warn: WarnFn = stderr) -> None:
        self.settings = settings
        self.existing = existing
        self.policy = policy
        self.report = report
        self.memo = memo
        self.progress = progress
        self.warn = warn
        self.seen: set[str] = set()
        self.pending: list[_Pending] = []
        self.kept_chunks = 0
        self.complete_sources: set[str] = set()
        self.graph_outdated = False
        self.kept: set[str] = set()
        """Stored documents of files this run could not read: what such a file holds now is unknown, so its
        documents stay, while the other documents of its source that are gone are removed."""
        self._by_file: dict[str, list[str]] | None = None
        self._unknown_file_sources: set[str] = set()
        self._indexer: Indexer | None = None
        """Set while a one-pass run (`SyncPolicy.one_pass`) writes what it reads."""
        self._group: list[tuple[_Pending, PreparedDocument]] = []
        self._done = 0
        self._total: int | None = None
        """Chunks to write, for the progress (in a one-pass run not known before the end: `_estimate`)."""
        self._files_total = 0
        self._files_read = 0
        """A one-pass run's files to read and read so far, from which its progress estimates the chunks to write."""

    # pass 1: what changed ---------------------------------------------------------------------------------

    def read(self, streams: Iterable[Stream], ahead: ReadAhead | None = None) -> None:
        for stream in streams:
            trusted = True
            files = (((item, None) for item in stream.files) if ahead is None
                     else ahead.over(stream.files, lambda item: self._memo_docs(item) is None))
            for item, future in files:
                self._files_read += 1
                if self._unchanged_file(item):
                    if future is not None:
                        future.cancel()
                    continue
                docs = _result(item, future)
                if isinstance(docs, ReadFailure):
                    trusted = self._keep_documents_of(item, docs) and trusted
                    continue
                for doc, prepared in docs:
                    self._consider(doc, item.source_name, item, prepared)
            for doc in stream.documents:
                self._consider(doc, stream.name, None)
            if stream.whole and trusted:
                self.complete_sources.add(stream.name)
            elif stream.whole and self.policy.remove:
                self.warn(f"{stream.name}: a file could not be read and the store does not record the file of every "
                          "document of this source, so nothing is removed from it in this run")

    def _keep_documents_of(self, item: SourceFile, failure: ReadFailure) -> bool:
        """Report a file that could not be read and keep the stored documents that came from it. False when some
        stored document of its source has no recorded file (a snapshot from older code): then which documents
        are the file's cannot be told, and the source is not trusted to say what was removed."""
        if self._by_file is None:
            self._by_file = {}
            for doc_id, stored in self.existing.items():
                if stored.source_file:
                    self._by_file.setdefault(stored.source_file, []).append(doc_id)
                else:
                    self._unknown_file_sources.add(stored.source or "")
        kept = self._by_file.get(item.rel, [])
        self.kept.update(kept)
        self.report.fail(failure, self.warn, kept=len(kept) if self.policy.remove else 0)
        return item.source_name not in self._unknown_file_sources

    def _deferrable(self, budgeted: bool) -> bool:
        return budgeted and self.policy.defer_new

    def _memo_docs(self, item: SourceFile) -> dict[str, str] | None:
        """The documents (id → version) of a file the memo says is as last read, each stored in that version or
        never stored and deferred; None when the file must be opened."""
        if self.memo is None:
            return None
        docs = self.memo.recorded(item.rel, item.path)
        if docs is None:
            return None
        if not all((old is not None and old.complete and old.version == docs[doc_id])
                   or (old is None and self._deferrable(item.budgeted))
                   for doc_id, old in ((doc_id, self.existing.get(doc_id)) for doc_id in docs)):
            return None
        return docs

    def _unchanged_file(self, item: SourceFile) -> bool:
        """True (and its documents counted) when the memo says the file is as last read and each of its documents
        is stored in that version, or was never stored and stays deferred (`_memo_docs`), and none of them was met
        earlier in this run: then it need not be opened."""
        docs = self._memo_docs(item)
        if docs is None or self.seen & docs.keys():
            return False
        stored = [self.existing.get(doc_id) for doc_id in docs]
        self.seen.update(docs)
        self.report.unchanged += sum(old is not None for old in stored)
        self.report.deferred += sum(old is None for old in stored)
        self.report.files_unopened += 1
        return True

    def _admit(self, doc: SourceDocument, source_name: str, prepared: PreparedDocument | ReadFailure | None = None
               ) -> PreparedDocument | None:
        """The document cut into chunks (`prepared`, if the reading process did it), or None (counted as failed,
        with a warning) for a repeated id, no text, or a record that breaks chunking (reported like a loader bug:
        one line, the traceback in the log)."""
        if doc.doc_id in self.seen:
            self.report.fail(ReadFailure(doc.source_file, f"duplicate document id {doc.doc_id}"), self.warn)
            return None
        self.seen.add(doc.doc_id)
        if prepared is None:
            prepared = prepare_or_fail(doc, source_name)
        if isinstance(prepared, PreparedDocument) and not prepared.chunks:
            prepared = ReadFailure(doc.source_file, "no paragraphs of text")
        if isinstance(prepared, ReadFailure):
            self.report.fail(prepared, self.warn)
            return None
        return prepared

    def _consider(self, doc: SourceDocument, source_name: str, origin: SourceFile | None,
                  prepared: PreparedDocument | ReadFailure | None = None) -> None:
        prepared = self._admit(doc, source_name, prepared)
        if prepared is None:
            return
        if self.memo is not None and origin is not None:
            self.memo.note(origin.rel, doc.doc_id, prepared.content_hash)
        old = self.existing.get(doc.doc_id)
        if old is not None and old.complete and old.version == prepared.content_hash:
            self.report.unchanged += 1
            return
        budgeted = origin is not None and origin.budgeted
        if old is None and self._deferrable(budgeted):
            self.report.deferred += 1
            return
        pending = _Pending(doc.doc_id, source_name, len(prepared.chunks), prepared.priority, budgeted,
                           old is not None, origin, None)
        if self._indexer is not None:
            self._add(pending, prepared)
            return
        keep = (origin is None or self.kept_chunks + len(prepared.chunks) <= KEEP_CHUNKS
                or costly_to_read_again(doc))
        if keep:
            self.kept_chunks += len(prepared.chunks)
            pending.prepared = prepared
        self.pending.append(pending)

    # pass 2: write -----------------------------------------------------------------------------------------

    def selected(self) -> list[_Pending]:
        """Whole sources first, then the budgeted ones by priority, within the budget."""
        ordered = sorted(self.pending, key=lambda p: (p.budgeted, -p.priority))
        if self.policy.budget is None:
            return ordered
        kept, total = [], 0
        for p in ordered:
            if p.budgeted:
                if total + p.chunks > self.policy.budget and total:
                    self.report.deferred += 1
                    continue
                total += p.chunks
            kept.append(p)
        return kept

    def _prepared(self, selected: list[_Pending]) -> Iterator[tuple[_Pending, PreparedDocument]]:
        """Each selected document's chunks, reading its file again when the first pass did not keep them."""
        unread: dict[SourceFile, list[_Pending]] = {}
        for p in selected:
            if p.prepared is None and p.origin is not None:
                unread.setdefault(p.origin, []).append(p)
        for p in selected:
            if p.prepared is None and p.origin in unread:
                self._reload(p.origin, unread.pop(p.origin))
            if p.prepared is None:
                continue  # its file broke since the first pass (reported now) or no longer holds it
            prepared, p.prepared = p.prepared, None
            yield p, prepared

    def _reload(self, origin: SourceFile, wanted: list[_Pending]) -> None:
        """Read a file again for its documents still to write (in whatever version the file now holds)."""
        docs = read(origin)
        if isinstance(docs, ReadFailure):
            self.report.fail(docs, self.warn)
            return
        by_id = {p.doc_id: p for p in wanted}
        for doc in docs:
            if doc.doc_id in by_id:
                prepared = prepare_or_fail(doc, origin.source_name)
                if isinstance(prepared, ReadFailure):
                    self.report.fail(prepared, self.warn)
                else:
                    by_id[doc.doc_id].prepared = prepared

    def _indexer_for(self, sink: Sink) -> Indexer:
        """Handed over, the store is not readable here: a passage of a document it holds is left to the owner
        (`owner_keeps`); only documents new to it (`_write_group`'s `new`) go to the model."""
        stored = sink.store.dense_vectors if isinstance(sink, StoreSink) else owner_keeps
        return Indexer(self.settings, sink, self.policy.embed, self.policy.file_seconds, stored)

    def _add(self, pending: _Pending, prepared: PreparedDocument) -> None:
        """One document into the group being gathered, written once it holds `batch_chunks` chunks."""
        self._group.append((pending, prepared))
        if sum(len(prep.chunks) for _, prep in self._group) >= self.policy.batch_chunks:
            self._write_group()

    def write(self, sink: Sink) -> None:
        """Pass 2: what pass 1 (`read`) found to write, in priority order within the budget."""
        self.report.mode = sink.mode
        selected = self.selected()
        self._total = sum(p.chunks for p in selected)
        if selected:
            self._indexer = self._indexer_for(sink)
            for pending, prepared in self._prepared(selected):
                self._add(pending, prepared)
        self._finish(sink)

    def read_and_write(self, streams: Iterable[Stream], sink: Sink) -> None:
        """Both passes in one (`SyncPolicy.one_pass`): each document written as it is read; the progress has no
        total."""
        self.report.mode = sink.mode
        self._indexer = self._indexer_for(sink)
        streams = [replace(stream, files=list(stream.files)) for stream in streams]  # a listing: cheap beside a read
        self._files_total = sum(len(stream.files) for stream in streams)
        ahead = ReadAhead()
        try:
            self.read(streams, ahead)
        finally:
            ahead.close()
        self._finish(sink)

    def _finish(self, sink: Sink) -> None:
        if self._group:
            self._write_group()
        if self._indexer is not None:
            self.report.note_dense(self._indexer.dense, self.warn)
        removals = self._removals()
        if removals:
            sink.deliver(Batch(removals=removals))
            self.report.batches += 1
            self.report.removed = len(removals)
            self._update_graph([], removals)
        sink.finish()
        if self.memo is not None:
            self.memo.save()

    def _write_group(self) -> None:
        group, self._group = self._group, []
        # new to the store: no stored chunk to look for (`kb ingest`), or, handed over, no vector the owner holds
        # (an inbox batch does not carry `new`: the owner looks for every document's stale chunks)
        new = ({p.doc_id for p, _ in group if p.doc_id not in self.existing}
               if self.policy.exclusive or self.report.mode == "handover" else None)
        self._indexer.run([c for _, prepared in group for c in prepared.chunks], new)
        self.report.batches += 1
        self._update_graph([prepared.source for _, prepared in group], [])
        for p, prepared in group:
            if p.replaces:
                self.report.replaced += 1
            else:
                self.report.added += 1
            self.report.chunks += len(prepared.chunks)
            self._done += len(prepared.chunks)
        if self.progress:
            self.progress(self._done, self._total if self._total is not None else self._estimate(),
                          group[-1][0].doc_id)

    def _estimate(self) -> int | None:
        """A one-pass run's chunks to write, from the chunks written per file read so far: without it `make run`'s
        first ingest (17 minutes here) showed a count without a total, a share or a time left. It moves as files of
        other sizes are read, and equals the chunks written once every file is read."""
        if not self._files_read:
            return None
        return max(self._done, round(self._done * max(self._files_total, self._files_read) / self._files_read))

    def _update_graph(self, written: list[SourceDocument], removed: list[str]) -> None:
        """The citation graph follows the documents as they are written and removed (`kb.citations.graph.update`),
        once `kb citations build` has made it; the facts index follows in the store's write path."""
        if self.graph_outdated:
            return
        try:
            update_graph(self.settings.citations_db, written, removed)
        except GraphOutdatedError as exc:
            self.graph_outdated = True
            self.warn(f"{exc}; until then it does not follow this run's changes")
        except sqlite3.Error as exc:  # busy past the timeout, or damaged: the store's writes stand, the graph waits
            self.warn(f"the citation graph {self.settings.citations_db} was not updated ({exc}); "
                      "`kb citations build` brings it up to date")

    def _removals(self) -> list[str]:
        if not self.policy.remove:
            return []
        return sorted(doc_id for doc_id, stored in self.existing.items()
                      if doc_id not in self.seen and doc_id not in self.kept
                      and stored.source in self.complete_sources)


def run_sync(settings: Settings, streams: Iterable[Stream], existing: dict[str, StoredDocument], policy: SyncPolicy,
             sink: Sink, report: IngestReport, memo: FileMemo | None = None, progress: ProgressFn | None = None,
             warn: WarnFn = stderr) -> IngestReport:
    """Bring what `sink` writes to in line with `streams`; returns `report`, filled."""
    started = time.monotonic()
    sync = Sync(settings, existing, policy, report, memo, progress, warn)
    if policy.one_pass():
        sync.read_and_write(streams, sink)
    else:
        sync.read(streams)
        sync.write(sink)
    report.seconds += time.monotonic() - started
    return report


def append_log(path: Path, report: IngestReport, **extra: object) -> None:
    """One JSON line per run (what a firm's IT reads to see that runs happen), with the failures and the
    tracebacks of loader bugs, which the terminal only summarises in one line each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **report.summary(), **extra,
             "failures": [list(f) for f in report.failures[:50]],
             "tracebacks": [list(t) for t in report.tracebacks[:10]]}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
