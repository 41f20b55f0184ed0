"""Ingest: corpus files → documents → paragraph chunks → embeddings → the store, idempotently.

A chunk's id is derived from its document, position and text, and each document carries a content
version, so a second run over an unchanged corpus embeds and writes nothing. A document is written in
one upsert; its older chunks are removed only after the new ones are stored, so an interruption leaves
either the old version or both (and the next run finishes the replacement), never a half document that
looks complete.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import tomllib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from haystack import Document, Pipeline, component

from ingest.loaders import FORMAT_BY_SUFFIX, loader_for
from ingest.model import BadInputError, SourceDocument
from kb.embedding import Bm25DocumentEmbedder, CachedDocumentEmbedder, EmbeddingCache, document_embedder
from kb.search.facts_index import index_written_document
from kb.settings import Settings
from kb.store.base import ChunkPoint, ChunkStore, SearchFilters, SparseVector, encode_version

INDEX_VERSION = "2"
"""Bump when the chunk representation changes: every document then counts as changed (embeddings stay cached)."""

CHUNK_NAMESPACE = uuid.UUID("6f1c1d2e-8f43-4c1e-9a57-3c2b7d0e5a11")
BATCH_CHUNKS = 512
LEADING_NUMBER = re.compile(r"^\s*\d{1,4}\.[\s\xa0]+")
REMOVAL_TERMS = re.compile(
    r"extradit|expul|expel|deport|refoulement|removal to|real risk|diplomatic assurance|death penalty|"
    r"留置|指定居所监视居住|引渡|torture",
    re.I,
)


# -- the manifest ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    path: str
    glob: str
    format: str
    kind: str
    default: bool = True


@dataclass(frozen=True)
class Manifest:
    sources: tuple[Source, ...]
    default_max_chunks: int | None = None

    @classmethod
    def load(cls, path: Path) -> Manifest:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        sources = tuple(Source(**s) for s in data.get("source", []))
        for s in sources:
            loader_for(s.format)  # fails early, naming the valid formats
        return cls(sources, data.get("selection", {}).get("default_max_chunks"))

    def select(self, only: Iterable[str] = (), everything: bool = False) -> list[Source]:
        only = [o.strip("/") for o in only]
        if only:
            chosen = [s for s in self.sources if any(s.name == o or s.name.startswith(o + "/") for o in only)]
            if not chosen:
                names = ", ".join(s.name for s in self.sources)
                raise ValueError(f"--only {' '.join(only)} matches no source; sources: {names}")
            return chosen
        return [s for s in self.sources if everything or s.default]


def source_files(root: Path, source: Source) -> list[Path]:
    folder = root / source.path
    if not folder.exists():
        return []
    return sorted(p for p in folder.glob(source.glob) if p.is_file())


# -- documents to chunks -----------------------------------------------------------------------------------


@dataclass
class PreparedDocument:
    """A document cut into Haystack Documents (one per paragraph), with its content version and priority."""

    source: SourceDocument
    source_name: str
    chunks: list[Document]
    content_hash: str
    version: str
    priority: float


def index_text(text: str) -> str:
    """What is embedded and BM25-indexed: the paragraph without its printed number (noise for both)."""
    return LEADING_NUMBER.sub("", text, count=1).strip()


def _small_extra(extra: dict) -> dict:
    keep = {}
    for key, value in extra.items():
        if isinstance(value, (str, int, float, bool)) and len(str(value)) <= 500:
            keep[key] = value
        elif isinstance(value, list) and len(value) <= 20 and all(isinstance(v, (str, int)) for v in value):
            keep[key] = value
    return keep


def prepare(doc: SourceDocument, source_name: str) -> PreparedDocument:
    base = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "court": doc.court,
        "doc_type": doc.doc_type,
        "source_kind": doc.source_kind,
        "source_name": source_name,
        "source_file": doc.source_file,
        "url": doc.url,
        "language": doc.language,
        "respondent_state": doc.respondent_state,
        "articles": doc.articles,
        "appno": doc.appno,
        "text_defects": doc.text_defects,
        "grand_chamber": bool(doc.extra.get("grand_chamber", False)),
        "formation": "grand_chamber" if doc.extra.get("grand_chamber") else "chamber",
        "doc_extra": _small_extra(doc.extra),
    }
    if doc.date:
        base["date"] = doc.date
        base["year"] = int(doc.date[:4])
    if doc.importance is not None:
        base["importance"] = doc.importance
    chunks = []
    for index, para in enumerate(p for p in doc.paragraphs if p.text.strip()):
        digest = hashlib.sha1(para.text.encode("utf-8")).hexdigest()
        chunk_id = str(uuid.uuid5(CHUNK_NAMESPACE, f"{doc.doc_id}\x1f{index}\x1f{digest}"))
        meta = dict(base, para_index=index, paragraph=para.number, section=para.section, heading=para.heading,
                    page=para.page, role=para.role, text=para.text)
        chunks.append(Document(id=chunk_id, content=index_text(para.text) or para.text, meta=meta))
    fingerprint = json.dumps([INDEX_VERSION, base, [c.id for c in chunks],
                              [[c.meta["paragraph"], c.meta["section"], c.meta["heading"], c.meta["page"],
                                c.meta["role"]]
                               for c in chunks]], sort_keys=True, ensure_ascii=False, default=str)
    content_hash = hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()[:16]
    version = encode_version(doc.doc_id, content_hash, len(chunks))
    for c in chunks:
        c.meta["doc_version"] = version
    full_text = " ".join(p.text for p in doc.paragraphs)
    priority = min(len(REMOVAL_TERMS.findall(full_text)), 200) + (20 if doc.extra.get("grand_chamber") else 0) + (
        10 if doc.importance == 1 else 0
    )
    return PreparedDocument(doc, source_name, chunks, content_hash, version, float(priority))


# -- writing ----------------------------------------------------------------------------------------------


@component
class DocumentWriter:
    """Writes whole documents: one upsert per document, then removes that document's superseded chunks."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store

    @component.output_types(written=int)
    def run(self, documents: list[Document]) -> dict:
        by_doc: dict[str, list[Document]] = {}
        for d in documents:
            by_doc.setdefault(d.meta["doc_id"], []).append(d)
        for doc_id, chunks in by_doc.items():
            write_document(self.store, doc_id, [to_point(c) for c in chunks])
        return {"written": len(documents)}


def write_document(store: ChunkStore, doc_id: str, points: list[ChunkPoint]) -> None:
    """One document, whole: upsert all its chunks in one operation, then drop the chunks it no longer has; an ECtHR
    judgment's facts point follows (`kb.search.facts_index`)."""
    store.upsert(points)
    keep = {p.id for p in points}
    store.delete([c.id for c in store.document_chunks(doc_id) if c.id not in keep])
    index_written_document(store, doc_id, points)


def to_point(doc: Document) -> ChunkPoint:
    sparse = doc.sparse_embedding
    return ChunkPoint(
        id=doc.id,
        dense=list(doc.embedding or []),
        sparse=SparseVector(list(sparse.indices), list(sparse.values)) if sparse else SparseVector([], []),
        payload={k: v for k, v in doc.meta.items() if v is not None},
    )


def build_indexing_pipeline(settings: Settings, store: ChunkStore | None) -> Pipeline:
    """Dense + BM25 embedding, then the writer; without a store (a `kb update` handing batches to the process that
    owns it) the pipeline ends with the embedded documents."""
    pipeline = Pipeline()
    cache = EmbeddingCache(settings.embeddings_cache, settings.model)
    dense = document_embedder(settings.model, settings.embed_dtype, settings.embed_batch)
    pipeline.add_component("dense", CachedDocumentEmbedder(dense, cache))
    pipeline.add_component("sparse", Bm25DocumentEmbedder())
    pipeline.connect("dense.documents", "sparse.documents")
    if store is not None:
        pipeline.add_component("writer", DocumentWriter(store))
        pipeline.connect("sparse.documents", "writer.documents")
    return pipeline


# -- the run ----------------------------------------------------------------------------------------------


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
    seconds: float = 0.0

    def record_written(self, batch: list[PreparedDocument], existing: dict) -> int:
        """Count a written batch: each document added or replaced; returns its chunks."""
        for p in batch:
            if p.source.doc_id in existing:
                self.replaced += 1
            else:
                self.added += 1
        written = sum(len(p.chunks) for p in batch)
        self.chunks += written
        return written

    def summary(self) -> dict:
        return {"added": self.added, "unchanged": self.unchanged, "replaced": self.replaced,
                "removed": self.removed, "failed": self.failed, "chunks": self.chunks}

    def line(self) -> str:
        text = (f"documents: {self.added} added, {self.unchanged} unchanged, {self.replaced} replaced, "
                f"{self.removed} removed, {self.failed} failed; {self.chunks} chunks written in {self.seconds:.0f} s")
        if self.deferred:
            text += f"; {self.deferred} documents left for a later run (budget reached; `kb ingest --all` takes all)"
        return text


ProgressFn = Callable[[int, int, str], None]


@dataclass
class IngestRequest:
    only: tuple[str, ...] = ()
    everything: bool = False
    limit: int | None = None
    max_chunks: int | None = None
    prune: bool = False
    files: tuple[Path, ...] = ()
    file_kind: str = "upload"


def iter_documents(
    settings: Settings, sources: list[Source], limit: int | None, report: IngestReport, warn: Callable[[str], None],
    skip: Callable[[Path, str], bool] | None = None,
) -> Iterator[tuple[Source, SourceDocument]]:
    """Each source's documents, file by file; a file for which `skip(path, relative path)` is true is not read."""
    if settings.corpus is None:
        raise FileNotFoundError("No corpus folder: set KB_CORPUS to the folder that holds the sources")
    for source in sources:
        files = source_files(settings.corpus, source)
        if limit is not None:
            files = files[:limit]
        load = loader_for(source.format)
        for path in files:
            rel = str(path.relative_to(settings.corpus))
            try:
                if skip is not None and skip(path, rel):
                    continue
                for doc in load(path, rel, source.kind):
                    yield source, doc
            except BadInputError as exc:
                report.failed += 1
                report.failures.append((exc.path, exc.reason))
                warn(f"skipped {exc.path}: {exc.reason}")
            except Exception as exc:  # a loader bug must not stop the run; it is reported like bad input
                report.failed += 1
                report.failures.append((str(path), f"{type(exc).__name__}: {exc}"))
                warn(f"skipped {path}: unexpected {type(exc).__name__}: {exc}")


def corpus_source_of(settings: Settings, path: Path) -> Source | None:
    """The manifest source a corpus file belongs to, so a single file is read exactly as a full run reads it."""
    if settings.corpus is None:
        return None
    try:
        rel = path.resolve().relative_to(settings.corpus)
    except ValueError:
        return None
    for source in Manifest.load(settings.manifest).sources:
        try:
            inner = rel.relative_to(source.path)
        except ValueError:
            continue
        if inner.match(source.glob) or rel.match(f"{source.path}/{source.glob}"):
            return source
    return None


def iter_files(
    settings: Settings, paths: Iterable[Path], kind: str, report: IngestReport, warn: Callable[[str], None]
) -> Iterator[tuple[str, SourceDocument]]:
    """Named files: corpus files as their manifest source reads them; a lawyer's own files by extension."""
    for path in paths:
        source = corpus_source_of(settings, path)
        fmt = source.format if source else FORMAT_BY_SUFFIX.get(path.suffix.lower())
        try:
            if fmt is None:
                raise BadInputError(path, f"unsupported file type {path.suffix or '(none)'}; "
                                          f"supported: {', '.join(sorted(FORMAT_BY_SUFFIX))}")
            if source and settings.corpus:
                rel = str(path.resolve().relative_to(settings.corpus))
                docs = [(source.name, d) for d in loader_for(fmt)(path, rel, source.kind)]
            else:
                docs = [(kind, d) for d in loader_for(fmt)(path, str(path.resolve()), kind)]
            yield from docs
        except BadInputError as exc:
            report.failed += 1
            report.failures.append((exc.path, exc.reason))
            warn(f"skipped {exc.path}: {exc.reason}")


def admit(doc: SourceDocument, source_name: str, seen: set[str], report: IngestReport,
          warn: Callable[[str], None]) -> PreparedDocument | None:
    """The document cut into chunks, or None (counted as failed, with a warning) for a repeated id or no text."""
    reason = f"duplicate document id {doc.doc_id}" if doc.doc_id in seen else None
    seen.add(doc.doc_id)
    prepared = None if reason else prepare(doc, source_name)
    if prepared is not None and not prepared.chunks:
        reason = "no paragraphs of text"
    if reason:
        report.failed += 1
        report.failures.append((doc.source_file, reason))
        warn(f"skipped {doc.source_file}: {reason}")
        return None
    return prepared


def run_ingest(
    settings: Settings,
    store: ChunkStore,
    request: IngestRequest,
    progress: ProgressFn | None = None,
    warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
    documents: Iterable[tuple[str, SourceDocument]] | None = None,
) -> IngestReport:
    """Bring the store in line with the selected sources (or the given documents)."""
    started = time.monotonic()
    report = IngestReport()
    manifest = Manifest.load(settings.manifest)
    if documents is None and request.files:
        documents = iter_files(settings, request.files, request.file_kind, report, warn)
    from_corpus = documents is None
    sources = manifest.select(request.only, request.everything) if from_corpus else []
    if documents is None:
        documents = ((s.name, d) for s, d in iter_documents(settings, sources, request.limit, report, warn))
    existing = store.versions()
    pending: list[PreparedDocument] = []
    seen: set[str] = set()
    for source_name, doc in documents:
        prepared = admit(doc, source_name, seen, report, warn)
        if prepared is None:
            continue
        old = existing.get(doc.doc_id)
        if old is not None and old.complete and old.version == prepared.content_hash:
            report.unchanged += 1
            continue
        pending.append(prepared)
    pending.sort(key=lambda p: -p.priority)
    budget = request.max_chunks
    if budget is None and from_corpus and not request.everything and not request.only and request.limit is None:
        budget = manifest.default_max_chunks
    if budget is not None:
        kept, total = [], 0
        for p in pending:
            if total + len(p.chunks) > budget and kept:
                report.deferred += 1
                continue
            kept.append(p)
            total += len(p.chunks)
        pending = kept
    total_chunks = sum(len(p.chunks) for p in pending)
    if pending:
        pipeline = build_indexing_pipeline(settings, store)
        done = 0
        for batch in batches(pending):
            pipeline.run({"dense": {"documents": [c for p in batch for c in p.chunks]}})
            done += report.record_written(batch, existing)
            if progress:
                progress(done, total_chunks, batch[-1].source.doc_id)
        store.flush()
    if request.prune and from_corpus and request.limit is None:
        in_sources = store.facet("doc_id", SearchFilters(source_names=tuple(s.name for s in sources)), limit=10_000_000)
        stale = [doc_id for doc_id, _ in in_sources if doc_id not in seen]
        store.delete_documents(stale)
        report.removed = len(stale)
        store.flush()
    report.seconds = time.monotonic() - started
    return report


def batches(pending: list[PreparedDocument], size: int = BATCH_CHUNKS) -> Iterator[list[PreparedDocument]]:
    """Whole documents grouped to about `size` chunks: large model batches, but never half a document."""
    batch: list[PreparedDocument] = []
    chunks = 0
    for p in pending:
        batch.append(p)
        chunks += len(p.chunks)
        if chunks >= size:
            yield batch
            batch, chunks = [], 0
    if batch:
        yield batch
