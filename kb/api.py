"""The Python API: the one entry point the CLI, the Streamlit app and a drafting assistant call.

    from kb.api import KnowledgeBase
    kb = KnowledgeBase()
    for hit in kb.search("death row phenomenon extradition", limit=5):
        print(hit.citation, hit.url)
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

from kb.citations.style import cite, mark_gaps, source_link
from kb.errors import DocumentNotFoundError, FilterError, StoreEmptyError
from kb.indexing.ingest import IngestRequest, run_ingest
from kb.indexing.sync import IngestReport, ProgressFn
from kb.search.retrieval import DEFAULT_WEIGHTS, build_search_pipeline, check_mode, run_search
from kb.settings import Settings
from kb.store import open_store
from kb.store.base import ChunkStore, SearchFilters, StoredChunk

METADATA_FIELDS = ("title", "court", "doc_type", "date", "respondent_state", "articles", "importance", "language",
                   "source_kind", "section", "heading", "page", "appno", "grand_chamber", "text_defects")


@dataclass
class Hit:
    """A retrieved passage with everything needed to quote and cite it."""

    doc_id: str
    paragraph: str | None
    citation: str
    text: str
    score: float
    url: str | None
    chunk_id: str
    para_index: int
    title: str | None = None
    court: str | None = None
    doc_type: str | None = None
    date: str | None = None
    respondent_state: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    importance: int | None = None
    language: str | None = None
    source_kind: str | None = None
    section: str | None = None
    heading: str | None = None
    page: int | None = None
    appno: list[str] = field(default_factory=list)
    grand_chamber: bool = False
    text_defects: list[str] = field(default_factory=list)
    cited_by: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SourceCoverage:
    """How much of one corpus source is searchable: `stored` documents of `in_corpus` files (one document per file
    in every source of the corpus)."""

    name: str
    kind: str
    stored: int
    in_corpus: int
    default: bool
    budgeted: bool


@dataclass
class DocumentView:
    doc_id: str
    metadata: dict
    paragraphs: list[Hit]
    focus: int | None = None
    """Index into `paragraphs` of the paragraph asked for, if any."""


class KnowledgeBase:
    """Opens the store and the model lazily; safe to share between threads (the Streamlit app does)."""

    def __init__(self, settings: Settings | None = None, store: ChunkStore | None = None) -> None:
        self.settings = settings or Settings.load()
        self._store = store
        self._pipelines: dict = {}
        self._text_embedder = None
        self._lock = threading.RLock()
        self._watcher = None

    @property
    def store(self) -> ChunkStore:
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings)
            return self._store

    def start_inbox_watcher(self):
        """Apply what `kb update` hands over while this process holds the store (call once in the serving app)."""
        from kb.indexing.handover import InboxWatcher

        with self._lock:
            if self._watcher is None:
                self._watcher = InboxWatcher(self.store, self.settings.inbox, self.settings.inbox_poll,
                                             max_attempts=self.settings.inbox_attempts).start()
            return self._watcher

    def close(self) -> None:
        with self._lock:
            if self._watcher is not None:
                self._watcher.stop()
                self._watcher = None
            if self._store is not None:
                self._store.close()
                self._store = None

    # search ---------------------------------------------------------------------------------------------

    def _pipeline(self, mode: str, weights: tuple[float, float]):
        if mode == "ranked":
            from kb.search.ranking import DEFAULT_RANKING
            from kb.search.retrieval import RANKED_WEIGHTS

            return self.variant_pipeline(mode, RANKED_WEIGHTS if weights == DEFAULT_WEIGHTS else weights,
                                         DEFAULT_RANKING)
        return self.variant_pipeline(mode, weights)

    def variant_pipeline(self, mode: str, weights: tuple[float, float], ranking=None):
        """`mode` "ranked" is hybrid retrieval plus the legal ranker (`kb.search.ranking`) with `ranking` weights."""
        key = (mode, weights, ranking)
        with self._lock:
            if key not in self._pipelines:
                from kb.embedding import text_embedder

                if self._text_embedder is None and mode != "bm25":
                    self._text_embedder = text_embedder(self.settings.model, self.settings.embed_dtype)
                    self._text_embedder.warm_up()
                ranker = None
                if mode == "ranked":
                    from kb.citations.graph import open_graph
                    from kb.search.facts_index import open_facts_index
                    from kb.search.ranking import LegalRanker

                    ranker = (LegalRanker(open_graph(self.settings.home), ranking, self.store,
                                          open_facts_index(self.settings.home)) if ranking else None)
                retrieval = check_mode(mode) if mode != "ranked" else ("bm25" if weights[0] == 0 else "hybrid")
                self._pipelines[key] = build_search_pipeline(
                    self.store, self.settings.model, self.settings.embed_dtype, retrieval, weights,
                    embedder=self._text_embedder, ranker=ranker,
                )
            return self._pipelines[key]

    def embed_query(self, text: str) -> list[float]:
        """The dense query vector search uses (benchmarks and evaluation compare stores on identical vectors)."""
        self.variant_pipeline("hybrid", DEFAULT_WEIGHTS)
        return self._text_embedder.run(text=text)["embedding"]

    def cited_by(self, doc_id: str, para: str, exclude_doc_ids: tuple[str, ...] = ()) -> list:
        """Later ECtHR paragraphs that cite `doc_id` § `para` (`kb.citations.graph.CitingParagraph`s)."""
        from kb.citations.graph import GRAPH_FILE, open_graph

        graph = open_graph(self.settings.home)
        if graph is None:
            raise DocumentNotFoundError(f"no citation graph at {self.settings.home / GRAPH_FILE}; "
                                        f"build it with `kb citations build`")
        return graph.cited_by(doc_id, str(para), exclude_doc_ids)

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 10,
        mode: str = "ranked",
        weights: tuple[float, float] = DEFAULT_WEIGHTS,
    ) -> list[Hit]:
        query = (query or "").strip()
        if not query:
            return []
        filters = filters or SearchFilters()
        validate_filters(filters)
        if self.store.count() == 0:
            raise StoreEmptyError("The store is empty: run `kb ingest` (or `make run`) first.")
        chunks = run_search(self._pipeline(mode, weights), query, filters, limit)
        if mode == "ranked" and len(chunks) < limit:
            # Ranked candidates come from BM25 alone: when the query's words are (nearly) absent, meaning still finds
            # passages, so the list is filled from hybrid retrieval rather than left short.
            seen = {c.id for c in chunks}
            more = run_search(self._pipeline("hybrid", DEFAULT_WEIGHTS), query, filters, limit)
            chunks += [c for c in more if c.id not in seen][: limit - len(chunks)]
        return [self.to_hit(c) for c in chunks]

    def to_hit(self, chunk: StoredChunk) -> Hit:
        p = chunk.payload
        return Hit(
            doc_id=p.get("doc_id", ""),
            paragraph=p.get("paragraph"),
            citation=cite(p),
            text=mark_gaps(p.get("text", ""), p.get("text_defects")),
            score=chunk.score,
            url=source_link(p, self.settings.corpus),
            chunk_id=chunk.id,
            para_index=int(p.get("para_index", 0)),
            cited_by=p.get("cited_by"),
            **{k: p.get(k) for k in METADATA_FIELDS if k in p and k not in ("paragraph",)},
        )

    # documents ------------------------------------------------------------------------------------------

    def show(self, doc_id: str, para: str | None = None) -> DocumentView:
        chunks = self.store.document_chunks(doc_id)
        if not chunks:
            raise DocumentNotFoundError(f"No document {doc_id!r} in the store; `kb search` shows document ids.")
        hits = [self.to_hit(c) for c in chunks]
        focus = None
        if para is not None:
            focus = next((i for i, h in enumerate(hits) if h.paragraph == str(para)), None)
            if focus is None:
                numbers = [h.paragraph for h in hits if h.paragraph]
                span = f"{numbers[0]}–{numbers[-1]}" if numbers else "none"
                raise DocumentNotFoundError(f"{doc_id} has no paragraph {para} (numbered paragraphs: {span}).")
        first = chunks[0].payload
        metadata = {k: first.get(k) for k in METADATA_FIELDS if k not in ("section", "heading", "page")}
        metadata.update(doc_id=doc_id, url=source_link(first, self.settings.corpus),
                        source_file=first.get("source_file"),
                        citation=cite({**first, "paragraph": None, "page": None, "section": None}),
                        extra=first.get("doc_extra") or {})
        return DocumentView(doc_id, metadata, hits, focus)

    def stats(self) -> dict:
        versions = self.store.versions()
        by_source: dict[str, dict[str, int]] = {}
        for kind, chunks in self.store.facet("source_kind", limit=100):
            by_source[kind] = {"chunks": chunks, "documents": 0}
        for kind, docs in self._documents_by_kind().items():
            by_source.setdefault(kind, {"chunks": 0, "documents": 0})["documents"] = docs
        return {
            "documents": len(versions),
            "chunks": self.store.count(),
            "incomplete_documents": sum(1 for v in versions.values() if not v.complete),
            "by_source": by_source,
        }

    def _documents_by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for kind, _ in self.store.facet("source_kind", limit=100):
            out[kind] = len(self.store.facet("doc_id", SearchFilters(source_kinds=(kind,)), limit=10_000_000))
        return out

    def coverage(self) -> list[SourceCoverage]:
        """Per manifest source: documents stored against files in the corpus, so the app can say what is loaded.

        Cheap on the full store: one facet per source over the indexed `source_name`, and a glob per source.
        """
        from ingest.manifest import Manifest

        out = []
        for source in Manifest.load(self.settings.manifest).sources:
            stored = len(self.store.facet("doc_id", SearchFilters(source_names=(source.name,)), limit=10_000_000))
            in_corpus = len(source.files(self.settings.corpus)) if self.settings.corpus else 0
            out.append(SourceCoverage(source.name, source.kind, stored, in_corpus, source.default, source.budgeted))
        return out

    def facets(self, key: str, filters: SearchFilters | None = None, limit: int = 50) -> list[tuple[str, int]]:
        return self.store.facet(key, filters, limit)

    # ingest ---------------------------------------------------------------------------------------------

    def ingest(
        self, request: IngestRequest | None = None, progress: ProgressFn | None = None, **kwargs
    ) -> IngestReport:
        return run_ingest(self.settings, self.store, request or IngestRequest(), progress, **kwargs)


def validate_filters(filters: SearchFilters) -> None:
    from datetime import date

    for name in ("date_from", "date_to"):
        value = getattr(filters, name)
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise FilterError(f"{name}={value!r} is not a date; use YYYY-MM-DD") from None
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise FilterError(f"date range {filters.date_from} to {filters.date_to} is empty: the start is after the end")
    if filters.max_importance is not None and not 1 <= filters.max_importance <= 4:
        raise FilterError(
            f"importance {filters.max_importance} is out of range; HUDOC importance runs 1 (key case) to 4"
        )
