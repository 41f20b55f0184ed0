"""`kb update`: bring the store in line with its sources (corpus, drop folder, UI uploads, HUDOC) without a rebuild.

What changed is decided by content version, as in `kb ingest`: a document whose prepared chunks hash the same
as the stored version is left alone, a new or changed one is embedded and written whole, and a document whose
file left the drop folder, the uploads or a corpus source is removed. The store may be open in the Streamlit
app; then the written batches are handed to it through `$KB_HOME/inbox` (see `kb.indexing.handover`).

ECtHR documents (the budgeted sources of `corpus/sources.toml`) that were never stored are not added unless `--all`
or `--only` asks: a store built with a chunk budget (`kb ingest --max-chunks`) leaves many out on purpose, and an
update must not silently undo that. A new document of any other source is added, as `kb ingest` always takes those
whole. The algorithm is the sync engine's (`kb.indexing.sync`), shared with `kb ingest`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ingest.files import ReadFailure, corpus_files, folder_files
from ingest.hudoc import HudocFetcher, HudocQuery
from ingest.loaders import FORMAT_BY_SUFFIX
from ingest.manifest import Manifest
from ingest.model import SourceDocument
from kb.atomic import atomic_write
from kb.indexing.file_memo import FileMemo
from kb.indexing.handover import InboxSink, apply_inbox, owner_alive, read_snapshot, try_open, write_snapshot
from kb.indexing.sync import (
    BATCH_CHUNKS,
    IngestReport,
    ProgressFn,
    Stream,
    SyncPolicy,
    WarnFn,
    append_log,
    run_sync,
    stderr,
)
from kb.indexing.writing import FILE_SECONDS, StoredDocument, StoreSink, store_documents
from kb.settings import Settings
from kb.store.base import ChunkStore
from legal.errors import BadInputError, ConfigError, KbError, StoreLockedError

DROP = "drop"
UPLOAD = "upload"
UPLOADS = "uploads"
"""Source name of the UI uploads folder; its documents have source kind `upload`, like `kb ingest FILE`'s,
but only those from the folder are removed when their file goes."""
HUDOC = "hudoc"


def log_path(settings: Settings) -> Path:
    return settings.logs / "update.log"


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
    sparse_first: bool = False
    """Dense vectors from the embedding cache only; `kb embed` adds the rest."""
    file_seconds: float | None = FILE_SECONDS
    """Model time one file may take before its other passages are written without dense vectors."""

    def __post_init__(self) -> None:
        if self.batch_chunks < 1:
            raise ConfigError(f"batch_chunks={self.batch_chunks}; it must be a positive number of chunks")


@dataclass
class UpdateReport(IngestReport):
    leftovers: int = 0
    """Inbox batches of an earlier, interrupted update that this run applied first."""
    sources: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {**super().summary(), "deferred": self.deferred, "mode": self.mode, "batches": self.batches,
                "leftovers": self.leftovers, "sources": self.sources, "files_unopened": self.files_unopened,
                "seconds": round(self.seconds, 1)}

    def line(self) -> str:
        text = self.counts()
        if self.deferred:
            text += f"; {self.deferred} corpus documents never ingested left out (`kb update --all` adds them)"
        return text + self.unopened()


MAX_UPLOAD_NAME_BYTES = 150
"""File systems allow 255 bytes a name, and the temporary file written first adds a prefix and a suffix."""


def save_upload(settings: Settings, filename: str, data: bytes) -> Path:
    """Keep a file uploaded in the UI where `kb update` (or the next update the app runs) picks it up.

    The name is reduced to its last component, so an upload cannot write outside the folder; uploading the
    same name again replaces the document. A name the update would never read (hidden, `~$` lock files of Word, an
    unknown type), an overlong name or an oversized file is refused here, so nothing is kept that is never ingested.
    """
    from ingest.loaders.common import MAX_FILE_BYTES

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
        return atomic_write(settings.uploads / name, data)
    except OSError as exc:  # the server's own path is no business of the browser's
        raise BadInputError(shown, f"could not be saved ({exc.strerror or type(exc).__name__})") from None


def streams(settings: Settings, request: UpdateRequest, report: UpdateReport, warn: WarnFn) -> list[Stream]:
    """What an update reads: the corpus sources, the drop folder, the uploads, HUDOC, each as one stream."""
    out = []
    if request.corpus and settings.corpus is not None:
        for source in Manifest.load(settings.manifest).select(request.only, request.everything):
            out.append(Stream(source.name, files=corpus_files(settings.corpus, source)))
    if request.drop:
        out.append(Stream(DROP, files=folder_files(settings.drop, DROP, DROP)))
    if request.uploads:
        out.append(Stream(UPLOADS, files=folder_files(settings.uploads, UPLOADS, UPLOAD)))
    if request.hudoc is not None:
        out.append(Stream(HUDOC, documents=_hudoc_documents(settings, request.hudoc, report, warn), whole=False))
    report.sources = [s.name for s in out]
    return out


def _hudoc_documents(settings: Settings, query: HudocQuery, report: UpdateReport,
                     warn: WarnFn) -> Iterator[SourceDocument]:
    failures: list[tuple[str, str]] = []
    yield from HudocFetcher(settings.hudoc_url).iter(query, failures)
    for path, reason in failures:
        report.fail(ReadFailure(path, reason), warn)


def run_update(
    settings: Settings,
    request: UpdateRequest | None = None,
    progress: ProgressFn | None = None,
    warn: WarnFn = stderr,
    store: ChunkStore | None = None,
) -> UpdateReport:
    """One update. Pass `store` when this process already holds it (the app's own "update now" button)."""
    request = request or UpdateRequest()
    started = time.monotonic()
    report = UpdateReport()
    inbox = settings.inbox
    owned = store is None
    if store is None:
        store = try_open(settings)
    try:
        existing: dict[str, StoredDocument]
        if store is not None:
            report.leftovers = apply_inbox(store, inbox, warn, settings.inbox_attempts)
            existing = store_documents(store)
            sink: StoreSink | InboxSink = StoreSink(store)
        else:
            snapshot = read_snapshot(inbox)
            if snapshot is None:
                raise StoreLockedError(
                    f"The store at {settings.store} is open in another process that does not take updates (no "
                    f"{inbox / 'versions.json'}). Stop that process, or start the app, which applies updates.")
            if not owner_alive(inbox, within=max(30.0, 10 * settings.inbox_poll)):
                warn(f"no serving process has looked into {inbox} lately: the update waits there until the app "
                     "runs again or the next `kb update` finds the store free")
            existing = snapshot
            sink = InboxSink(inbox)
        policy = SyncPolicy(defer_new=not (request.everything or request.only), remove=True,
                            batch_chunks=request.batch_chunks, embed=not request.sparse_first,
                            file_seconds=request.file_seconds)
        memo = FileMemo(settings.file_memo)  # corpus, drop folder and uploads: a scan is not OCR'd every run
        run_sync(settings, streams(settings, request, report, warn), existing, policy, sink, report, memo,
                 progress, warn)
        if store is not None:
            write_snapshot(inbox, store_documents(store))
    finally:
        if owned and store is not None:
            store.close()
    report.seconds = time.monotonic() - started
    append_log(log_path(settings), report, mode=report.mode, sources=report.sources)
    return report


# -- scheduled mode ----------------------------------------------------------------------------------------

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """`90s`, `15m`, `1h`, `1d` (a bare number is seconds)."""
    match = _INTERVAL.match(text or "")
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(f"--every {text!r} is not an interval; use e.g. 90s, 15m, 1h or 1d")
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
    warn: WarnFn = stderr,
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
