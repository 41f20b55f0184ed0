"""`kb ingest`: the corpus (or named files) into the store this process holds, through the sync engine.

Without `--all`/`--only` it takes the manifest's default sources (every source of the shipped manifest) whole. A
chunk budget (`--max-chunks`, or `default_max_chunks` in a manifest that sets one) applies to the `budgeted` ECtHR
bulk only, most relevant documents first; every other source always goes in whole.

`--sparse-first` (what `make run` does) writes every passage with its BM25 vector, payload, facts point and citations
but without a dense vector unless the embedding cache holds it: the whole corpus (326,112 passages) is searchable by
`ranked` and `bm25` in minutes instead of the ~80 minutes the model needs, and `kb embed` fills the dense vectors in
while the app serves (issue 21).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ingest.files import corpus_files, named_files
from ingest.manifest import Manifest, Source
from kb.indexing.file_memo import FileMemo
from kb.indexing.sync import (
    IngestReport,
    ProgressFn,
    Stream,
    Sync,
    SyncPolicy,
    WarnFn,
    append_log,
    run_sync,
    stderr,
)
from kb.indexing.writing import FILE_SECONDS, StoreSink, store_documents
from kb.settings import Settings
from kb.store.base import ChunkStore
from legal.errors import CorpusNotFoundError, SelectionError


@dataclass
class IngestRequest:
    only: tuple[str, ...] = ()
    everything: bool = False
    limit: int | None = None
    max_chunks: int | None = None
    prune: bool = False
    files: tuple[Path, ...] = ()
    file_kind: str = "upload"
    sparse_first: bool = False
    """Dense vectors from the embedding cache only; `kb embed` adds the rest."""
    file_seconds: float | None = FILE_SECONDS
    """Model time one file may take (`kb.indexing.writing.FILE_SECONDS`)."""

    def __post_init__(self) -> None:
        for name in ("limit", "max_chunks"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise SelectionError(f"--{name.replace('_', '-')} {value}; it must be a positive number")


def corpus_or_fail(settings: Settings) -> Path:
    if settings.corpus is None:
        raise CorpusNotFoundError("No corpus folder: set KB_CORPUS to the folder that holds the sources")
    if not settings.corpus.is_dir():
        raise CorpusNotFoundError(f"The corpus folder {settings.corpus} does not exist: set KB_CORPUS to the folder "
                                  "that holds the sources")
    return settings.corpus


def selection(settings: Settings, request: IngestRequest) -> tuple[list[Source], SyncPolicy]:
    """The sources a corpus run reads and its policy: the budget only for the default selection (or when asked)."""
    manifest = Manifest.load(settings.manifest)
    sources = manifest.select(request.only, request.everything)
    budget = request.max_chunks
    if budget is None and not (request.everything or request.only or request.limit is not None):
        budget = manifest.default_max_chunks
    return sources, SyncPolicy(budget=budget, remove=request.prune and request.limit is None,
                               embed=not request.sparse_first, file_seconds=request.file_seconds)


def streams_for(settings: Settings, request: IngestRequest) -> tuple[list[Stream], SyncPolicy, FileMemo | None]:
    if request.files:
        manifest = Manifest.load(settings.manifest)
        files = named_files(request.files, settings.corpus, manifest, request.file_kind)
        policy = SyncPolicy(budget=request.max_chunks, embed=not request.sparse_first,
                            file_seconds=request.file_seconds)
        return [Stream(request.file_kind, files=files, whole=False)], policy, None
    corpus = corpus_or_fail(settings)
    sources, policy = selection(settings, request)
    streams = [Stream(s.name, files=corpus_files(corpus, s, request.limit), whole=request.limit is None)
               for s in sources]
    return streams, policy, FileMemo(settings.file_memo)


def plan(settings: Settings, request: IngestRequest, warn: WarnFn = stderr) -> list[tuple[str, str]]:
    """(source name, document id) of every document `run_ingest` would write into an empty store, in the order it
    would write them; nothing is embedded or written (what `make run`'s selection holds, checked on the corpus)."""
    streams, policy, _ = streams_for(settings, request)
    sync = Sync(settings, {}, policy, IngestReport(), warn=warn)
    sync.read(streams)
    return [(p.source_name, p.doc_id) for p in sync.selected()]


def run_ingest(
    settings: Settings,
    store: ChunkStore,
    request: IngestRequest,
    progress: ProgressFn | None = None,
    warn: WarnFn = stderr,
    exclusive: bool = True,
) -> IngestReport:
    """Bring the store in line with the selected sources (or write the named files). `exclusive`: nothing else
    writes `store` during the run (`SyncPolicy.exclusive`; False when this process also applies hand-overs)."""
    report = IngestReport()
    streams, policy, memo = streams_for(settings, request)
    policy = replace(policy, exclusive=exclusive)
    run_sync(settings, streams, store_documents(store), policy, StoreSink(store), report, memo, progress, warn)
    append_log(settings.logs / "ingest.log", report)
    return report
