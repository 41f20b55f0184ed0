"""`kb update`: bring the store in line with its sources (corpus, drop folder, UI uploads, HUDOC) without a rebuild.

What changed is decided by content version, as in `kb ingest`: a document whose prepared chunks hash the same
as the stored version is left alone, a new or changed one is embedded and written whole, and a document whose
file left the drop folder, the uploads or a corpus source is removed. The store may be open in the Streamlit
app; then the written batches are handed to it through `$KB_HOME/inbox` (see `kb.indexing.handover`).

Corpus documents that were never stored are not added unless `--all` or `--only` asks: the first ingest's
chunk budget (`corpus/sources.toml`) leaves many out on purpose, and an update must not silently undo that.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from haystack import Document

from ingest.hudoc import HudocFetcher, HudocQuery
from ingest.loaders import FORMAT_BY_SUFFIX
from ingest.model import BadInputError, SourceDocument
from kb.errors import KbError, StoreLockedError
from kb.indexing.file_memo import MEMO_FILE, FileMemo
from kb.indexing.handover import (
    Batch,
    StoredDocument,
    apply_batch,
    apply_inbox,
    inbox_dir,
    owner_alive,
    read_snapshot,
    store_documents,
    try_open,
    write_batch,
    write_snapshot,
)
from kb.indexing.pipeline import (
    BATCH_CHUNKS,
    IngestReport,
    Manifest,
    PreparedDocument,
    admit,
    batches,
    build_indexing_pipeline,
    iter_documents,
    to_point,
)
from kb.settings import Settings
from kb.store.base import ChunkStore

DROP = "drop"
UPLOAD = "upload"
UPLOADS = "uploads"
"""Source name of the UI uploads folder; its documents have source kind `upload`, like `kb ingest FILE`'s,
but only those from the folder are removed when their file goes."""
HUDOC = "hudoc"


def uploads_dir(settings: Settings) -> Path:
    return settings.home / "uploads"


def log_path(settings: Settings) -> Path:
    return settings.home / "logs" / "update.log"


@dataclass
class UpdateRequest:
    """Which sources an update looks at. Removal only happens in sources read in full and without read errors."""

    corpus: bool = True
    only: tuple[str, ...] = ()
    everything: bool = False
    drop: bool = True
    uploads: bool = True
    hudoc: HudocQuery | None = None
    batch_chunks: int = BATCH_CHUNKS

    def __post_init__(self) -> None:
        if self.batch_chunks < 1:
            raise ValueError(f"batch_chunks={self.batch_chunks}; it must be a positive number of chunks")


@dataclass
class UpdateReport(IngestReport):
    mode: str = "direct"
    """`direct` (this process opened the store) or `handover` (batches left for the process that holds it)."""
    batches: int = 0
    leftovers: int = 0
    """Inbox batches of an earlier, interrupted update that this run applied first."""
    sources: list[str] = field(default_factory=list)
    files_unopened: int = 0
    """Corpus files unchanged since they were last read (`kb.indexing.file_memo`), whose documents are all as stored."""

    def summary(self) -> dict:
        return {**super().summary(), "deferred": self.deferred, "mode": self.mode, "batches": self.batches,
                "leftovers": self.leftovers, "sources": self.sources, "files_unopened": self.files_unopened,
                "seconds": round(self.seconds, 1)}

    def line(self) -> str:
        how = ("written to the store" if self.mode == "direct"
               else f"handed to the serving process in {self.batches} inbox batches")
        text = (f"documents: {self.added} added, {self.unchanged} unchanged, {self.replaced} replaced, "
                f"{self.removed} removed, {self.failed} failed; {self.chunks} chunks {how} in {self.seconds:.0f} s")
        if self.deferred:
            text += f"; {self.deferred} corpus documents never ingested left out (`kb update --all` adds them)"
        if self.files_unopened:
            text += f"; {self.files_unopened} corpus files unchanged since last read were not opened"
        return text


ProgressFn = Callable[[int, int, str], None]


MAX_UPLOAD_NAME_BYTES = 150
"""File systems allow 255 bytes a name, and the temporary file written first adds a prefix and a suffix."""


def save_upload(settings: Settings, filename: str, data: bytes) -> Path:
    """Keep a file uploaded in the UI where `kb update` (or the next update the app runs) picks it up.

    The name is reduced to its last component, so an upload cannot write outside the folder; uploading the
    same name again replaces the document. A name the update would never read (hidden, `~$` lock files of Word, an
    unknown type), an overlong name or an oversized file is refused here, so nothing is kept that is never ingested.
    """
    from ingest.loaders.common import MAX_FILE_BYTES
    from kb.indexing.handover import atomic_write

    name = Path(filename.replace("\\", "/")).name.strip()
    name = re.sub(r"[\x00-\x1f/]", "_", name)
    shown = name[:60] + ("…" if len(name) > 60 else "")
    if not name or name.startswith("."):
        raise BadInputError(shown or "(no name)", "not a usable file name")
    if name.startswith("~$"):
        raise BadInputError(shown, "a temporary file Word keeps while a document is open, not the document itself")
    if len(name.encode("utf-8")) > MAX_UPLOAD_NAME_BYTES:
        raise BadInputError(shown, f"file name too long ({len(name)} characters; at most {MAX_UPLOAD_NAME_BYTES} "
                                   "bytes): rename the file and upload it again")
    if Path(name).suffix.lower() not in FORMAT_BY_SUFFIX:
        raise BadInputError(shown, f"unsupported file type {Path(name).suffix or '(none)'}; "
                                   f"supported: {', '.join(sorted(FORMAT_BY_SUFFIX))}")
    if len(data) > MAX_FILE_BYTES:
        raise BadInputError(shown, f"file too large ({len(data):,} bytes; limit {MAX_FILE_BYTES:,})")
    try:
        return atomic_write(uploads_dir(settings) / name, data)
    except OSError as exc:  # the server's own path is no business of the browser's
        raise BadInputError(shown, f"could not be saved ({exc.strerror or type(exc).__name__})") from None


def folder_files(folder: Path) -> list[Path]:
    """Readable material in a drop folder (any depth); hidden and temporary files are someone's work in progress."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FORMAT_BY_SUFFIX
                  and not any(part.startswith((".", "~$")) for part in p.relative_to(folder).parts))


def _folder_documents(
    folder: Path, name: str, kind: str, report: UpdateReport, warn: Callable[[str], None]
) -> Iterator[tuple[str, SourceDocument]]:
    from ingest.loaders import loader_for

    for path in folder_files(folder):
        try:
            for doc in loader_for(FORMAT_BY_SUFFIX[path.suffix.lower()])(path, str(path.resolve()), kind):
                yield name, doc
        except BadInputError as exc:
            report.failed += 1
            report.failures.append((exc.path, exc.reason))
            warn(f"skipped {exc.path}: {exc.reason}")
        except Exception as exc:  # a loader bug on one lawyer's file must not stop the update
            report.failed += 1
            report.failures.append((str(path), f"{type(exc).__name__}: {exc}"))
            warn(f"skipped {path}: unexpected {type(exc).__name__}: {exc}")


def run_update(
    settings: Settings,
    request: UpdateRequest | None = None,
    progress: ProgressFn | None = None,
    warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
    store: ChunkStore | None = None,
) -> UpdateReport:
    """One update. Pass `store` when this process already holds it (the app's own "update now" button)."""
    request = request or UpdateRequest()
    started = time.monotonic()
    report = UpdateReport()
    inbox = inbox_dir(settings)
    owned = store is None
    if store is None:
        store = try_open(settings)
    try:
        if store is not None:
            report.leftovers = apply_inbox(store, inbox, warn)
            existing = store_documents(store)
        else:
            report.mode = "handover"
            snapshot = read_snapshot(inbox)
            if snapshot is None:
                raise StoreLockedError(
                    f"The store at {settings.store} is open in another process that does not take updates (no "
                    f"{inbox / 'versions.json'}). Stop that process, or start the app, which applies updates.")
            if not owner_alive(inbox, within=max(30.0, 10 * settings.inbox_poll)):
                warn(f"no serving process has looked into {inbox} lately: the update waits there until the app "
                     "runs again or the next `kb update` finds the store free")
            existing = snapshot
        _update(settings, request, report, existing, store, inbox, progress, warn)
        if store is not None:
            store.flush()
            write_snapshot(inbox, store_documents(store))
    finally:
        if owned and store is not None:
            store.close()
    report.seconds = time.monotonic() - started
    append_log(settings, report)
    return report


def _update(
    settings: Settings,
    request: UpdateRequest,
    report: UpdateReport,
    existing: dict[str, StoredDocument],
    store: ChunkStore | None,
    inbox: Path,
    progress: ProgressFn | None,
    warn: Callable[[str], None],
) -> None:
    seen: set[str] = set()
    complete_sources: set[str] = set()
    pending: list[PreparedDocument] = []
    memo = FileMemo(settings.home / MEMO_FILE)
    defer_new = not (request.everything or request.only)

    def unchanged_file(path: Path, rel: str) -> bool:
        """True (and its documents counted) when the file is as last read and each of its documents is stored
        in that version, or was never stored and stays deferred: then it need not be opened."""
        docs = memo.recorded(rel, path)
        if docs is None or seen & docs.keys():
            return False
        stored = [existing.get(doc_id) for doc_id in docs]
        if not all((old is not None and old.complete and old.version == docs[doc_id]) or (old is None and defer_new)
                   for doc_id, old in zip(docs, stored, strict=True)):
            return False
        seen.update(docs)
        report.unchanged += sum(old is not None for old in stored)
        report.deferred += sum(old is None for old in stored)
        report.files_unopened += 1
        return True

    def consider(stream: Iterable[tuple[str, SourceDocument]], corpus: bool) -> None:
        for source_name, doc in stream:
            prepared = admit(doc, source_name, seen, report, warn)
            if prepared is None:
                continue
            if corpus:
                memo.note(doc.source_file, doc.doc_id, prepared.content_hash)
            old = existing.get(doc.doc_id)
            if old is not None and old.complete and old.version == prepared.content_hash:
                report.unchanged += 1
            elif old is None and corpus and not (request.everything or request.only):
                report.deferred += 1
            else:
                pending.append(prepared)

    def read_whole(name: str, stream: Iterable[tuple[str, SourceDocument]], corpus: bool = False) -> None:
        before = report.failed
        consider(stream, corpus)
        if report.failed == before:
            complete_sources.add(name)
        else:
            warn(f"{name}: some files could not be read, so nothing is removed from this source in this run")
        report.sources.append(name)

    if request.corpus and settings.corpus is not None:
        for source in Manifest.load(settings.manifest).select(request.only, request.everything):
            stream = ((s.name, d) for s, d in iter_documents(settings, [source], None, report, warn,
                                                             skip=unchanged_file))
            read_whole(source.name, stream, corpus=True)
    if request.drop:
        read_whole(DROP, _folder_documents(settings.drop, DROP, DROP, report, warn))
    if request.uploads:
        read_whole(UPLOADS, _folder_documents(uploads_dir(settings), UPLOADS, UPLOAD, report, warn))
    if request.hudoc is not None:
        failures: list[tuple[str, str]] = []
        fetcher = HudocFetcher(settings.hudoc_url)
        consider(((HUDOC, d) for d in fetcher.iter(request.hudoc, failures)), corpus=False)
        for path, reason in failures:
            report.failed += 1
            report.failures.append((path, reason))
            warn(f"skipped {path}: {reason}")
        report.sources.append(HUDOC)

    removals = sorted(doc_id for doc_id, stored in existing.items()
                      if doc_id not in seen and stored.source in complete_sources)

    def deliver(batch: Batch) -> None:
        if store is not None:
            apply_batch(store, batch)
            store.flush()
        else:
            write_batch(inbox, batch)
        report.batches += 1

    pending.sort(key=lambda p: -p.priority)
    total = sum(len(p.chunks) for p in pending)
    if pending:
        pipeline = build_indexing_pipeline(settings, None)
        done = 0
        for group in batches(pending, request.batch_chunks):
            chunks: list[Document] = [c for p in group for c in p.chunks]
            embedded = pipeline.run({"dense": {"documents": chunks}})["sparse"]["documents"]
            batch = Batch()
            for doc in embedded:
                batch.documents.setdefault(doc.meta["doc_id"], []).append(to_point(doc))
            deliver(batch)
            done += report.record_written(group, existing)
            if progress:
                progress(done, total, group[-1].source.doc_id)
    if removals:
        deliver(Batch(removals=removals))
        report.removed = len(removals)
    if request.corpus and settings.corpus is not None:
        memo.save()


def append_log(settings: Settings, report: UpdateReport) -> None:
    """One JSON line per run in `$KB_HOME/logs/update.log`: what a firm's IT reads to see that updates happen."""
    path = log_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **report.summary(),
             "failures": [list(f) for f in report.failures[:50]]}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


# -- scheduled mode ----------------------------------------------------------------------------------------

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """`90s`, `15m`, `1h`, `1d` (a bare number is seconds)."""
    match = _INTERVAL.match(text or "")
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"--every {text!r} is not an interval; use e.g. 90s, 15m, 1h or 1d")
    return float(match.group(1)) * _UNIT[match.group(2)]


def hudoc_window(days: int, today: date | None = None) -> tuple[str, str]:
    """The rolling HUDOC date range of a scheduled run: the last `days` days up to today."""
    today = today or date.today()
    return (today - timedelta(days=days)).isoformat(), today.isoformat()


def run_every(
    settings: Settings,
    make_request: Callable[[], UpdateRequest],
    interval: float,
    on_report: Callable[[UpdateReport], None],
    warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
    runs: int | None = None,
) -> None:
    """Update, sleep, repeat; a failed run is logged and the schedule goes on (the next run redoes the work)."""
    done = 0
    while runs is None or done < runs:
        started = time.monotonic()
        try:
            on_report(run_update(settings, make_request(), warn=warn))
        except (KbError, ValueError, OSError) as exc:
            warn(f"kb update failed: {exc}; retrying in {interval:.0f} s")
            path = log_path(settings)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "error": str(exc)}) + "\n")
        done += 1
        if runs is None or done < runs:
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
