"""The Python API: the one entry point the CLI, the Streamlit app and a drafting assistant call.

    from kb.api import KnowledgeBase
    kb = KnowledgeBase()
    for hit in kb.search("death row phenomenon extradition", limit=5):
        print(hit.citation, hit.url)
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kb.citations.style import cite, mark_gaps, source_link
from kb.drafting.brief import italic_spans
from kb.drafting.check import CLOSE_QUOTE, MAX_BRIEF_CHARS
from kb.drafting.chinese import is_chinese
from kb.drafting.matters import (
    DEFAULT_GROUNDS,
    FACT_FIELDS,
    FIELD_LIMITS,
    GROUNDS,
    MAX_GROUND_CHARS,
    MAX_NOTE_CHARS,
    Assurance,
    Matter,
    MatterStore,
)
from kb.passages import CollectedPassage, Hit, role_label
from kb.reporting import ProgressFn, WarnFn, stderr
from kb.requests import SearchFilters, SearchMode, validate_search
from kb.search.modes import ALL_PARTS
from kb.settings import Settings
from kb.store.base import ALL_VALUES, ChunkStore
from legal.errors import BriefError, DocumentNotFoundError, KbError, MatterNotFoundError, StoreEmptyError
from legal.numerals import names_article

if TYPE_CHECKING:
    from haystack import Document

    from kb.indexing.ingest import IngestRequest
    from kb.indexing.sync import IngestReport

__all__ = ["CLOSE_QUOTE", "DEFAULT_GROUNDS", "FACT_FIELDS", "FIELD_LIMITS", "GROUNDS", "MAX_GROUND_CHARS",
           "MAX_NOTE_CHARS",
           "Assurance", "CollectedPassage", "DenseCoverage", "DocumentView", "Hit", "IngestRequest", "KbError",
           "KnowledgeBase", "Matter", "MatterNotFoundError", "MatterStore", "SearchFilters", "SearchHits", "is_chinese",
           "italic_spans", "passage_role", "role_label"]
"""What a client of the API (the CLI, the app, the MCP server) may import from here, errors included: the records,
facts and limits of matters and drafts, the two text helpers the app's draft view uses, and how a check marks a close
quotation (`CLOSE_QUOTE`). A search request is built with `kb.requests` (no Haystack), so an adapter can refuse a bad
one before it imports this module."""


def __getattr__(name: str):
    """`IngestRequest`, loaded when a client first reads it: its module is the write path (Haystack, Qdrant Edge,
    ~0.9 s of imports), which importing the facade no longer pays (`kb check`, the adapters' start)."""
    if name == "IngestRequest":
        from kb.indexing.ingest import IngestRequest

        return IngestRequest
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


METADATA_FIELDS = ("title", "court", "doc_type", "date", "respondent_state", "articles", "importance", "language",
                   "source_kind", "section", "heading", "page", "appno", "grand_chamber", "text_defects", "role",
                   "source_file")


@dataclass(frozen=True)
class DenseCoverage:
    """How many stored passages have a dense vector: all of them once `kb embed` is done; fewer while it fills in a
    store written sparse-first (`kb ingest --sparse-first`, what `make run` does)."""

    embedded: int
    total: int

    @property
    def complete(self) -> bool:
        return self.embedded >= self.total

    @property
    def share(self) -> float:
        return self.embedded / self.total if self.total else 1.0

    def note(self, mode: str) -> str:
        """What a result list over a partial store says about itself: a dense or hybrid search's, or a ranked list's
        that hybrid search completed (`kb.search.retrieval.FILLED`)."""
        why = ("the passages this ranked list was completed with by meaning (hybrid search) could miss the others"
               if mode == SearchMode.RANKED.value else
               f"this {mode} search could miss the others by meaning; ranked and bm25 search the whole store")
        return (f"Partial dense index: {self.share:.0%} of the {self.total:,} stored passages have a dense vector "
                f"({self.total - self.embedded:,} are still being embedded by `kb embed`), so {why}.")


class SearchHits(list):
    """The hits of one search (a list of `Hit`), saying whether the search saw only part of the store: `partial` is
    the `DenseCoverage` when the mode uses dense vectors (hybrid, dense, or ranked whose short list hybrid search
    completed) and some stored passages have none yet."""

    def __init__(self, hits: list[Hit] = (), partial: DenseCoverage | None = None, mode: str = "") -> None:
        super().__init__(hits)
        self.partial = partial
        self.mode = mode

    def note(self) -> str | None:
        """The line every front end shows above a partial list, None for a complete one."""
        return self.partial.note(self.mode) if self.partial is not None else None


COVERAGE_SECONDS = 10.0
"""How long a dense coverage count is reused: two counts over the store, cheap but not free on every search."""
STORE_WAIT = 30.0
"""How long opening the store waits for a process that holds it without serving a hand-over inbox (`kb embed` holds
it while nobody serves it, and lets go when asked); a serving owner is not waited for, it never lets go."""


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
    """Opens the store and the model lazily; safe to share between threads (the Streamlit app does).

    The search and write paths (Haystack, torch, Qdrant Edge) are imported by the methods that first need them, not
    with this module, and under this object's lock: two threads importing a chain of those modules for the first
    time at once, in different orders, can deadlock in the import system (CPython then raises `_DeadlockError` in
    one of them), which the serving processes (`kb mcp`'s loader beside a tool call) would otherwise risk."""

    def __init__(self, settings: Settings | None = None, store: ChunkStore | None = None) -> None:
        self._asked = settings or Settings.load()
        """The settings as given; `settings` are these for the store's recorded vector space (`kb.store.space`)."""
        self.settings = self._asked
        self._store = store
        self._pipelines: dict = {}
        self._text_embedder = None
        self._keep_store_space()
        self._lock = threading.RLock()
        self._watcher = None
        self._corpus_index: tuple | None = None
        self._reporters: dict[str, str | None] = {}
        self._graph = None
        """The citation graph once looked for (False: there is none), for reporter references."""
        self._folder_links: dict[str, str] | None = None
        self._links: dict[str, str | None] = {}
        self._watch = False
        self._wanted = None
        self._dense: tuple[float, DenseCoverage] | None = None
        self._matters: MatterStore | None = None
        self._copy = None
        """The store's payload copy while this process reads it instead of the store (`_payloads`)."""

    @property
    def store(self) -> ChunkStore:
        with self._lock:
            if self._store is None:
                from kb.indexing.handover import open_asking, owner_alive

                wait = 0.0 if owner_alive(self.settings.inbox) else STORE_WAIT
                self._store = open_asking(self._asked, wait)
                self._keep_store_space()
                self._watch_inbox()
            return self._store

    def _keep_store_space(self) -> None:
        """Queries and writes in the space of the store's vectors: opening a store records its space
        (`kb.store.space`), which these settings, read before, may not have seen. Said once, when the runtime moves
        away from the one asked for."""
        settings = self._asked.for_store()
        if settings != self.settings:
            if settings.embed_runtime != self._asked.embed_runtime:
                logging.getLogger(__name__).warning(
                    "the store at %s holds %s vectors (KB_EMBED_RUNTIME=%s): its queries and fill use %s. To use %s, "
                    "build a new store (`kb ingest --sparse-first`, then `kb embed`)", settings.store,
                    settings.embedding.vector_space, self._asked.embed_runtime, settings.embed_runtime,
                    self._asked.embed_runtime)
            self.settings = settings
            self._pipelines.clear()
            self._text_embedder = None

    @property
    def wanted(self):
        """The passages this serving process's questions lacked vectors for (`kb.indexing.handover.WantedPassages`):
        its inbox watcher hands them to `kb embed` first."""
        with self._lock:
            if self._wanted is None:
                from kb.indexing.handover import WantedPassages

                self._wanted = WantedPassages()
            return self._wanted

    def start_inbox_watcher(self, now: bool = True):
        """Apply what `kb update` and `kb embed` hand over while this process holds the store (call once in a serving
        process: the app, `kb mcp`). `now` opens the store at once (StoreLockedError if another process holds it);
        either way the watcher starts as soon as this process has the store open."""
        with self._lock:
            if not self._watch:  # its searches now hand what the cache lacks to `kb embed` (`wanted`)
                self._pipelines.clear()
            self._watch = True
            if now or self._store is not None:
                self._watch_inbox(self.store)
            return self._watcher

    def _watch_inbox(self, store: ChunkStore | None = None) -> None:
        from kb.indexing.handover import InboxWatcher

        if self._watch and self._watcher is None and self._store is not None:
            self._watcher = InboxWatcher(store or self._store, self.settings.inbox, self.settings.inbox_poll,
                                         max_attempts=self.settings.inbox_attempts, wanted=self.wanted).start()

    def dense_coverage(self) -> DenseCoverage:
        """How many stored passages have a dense vector (counted at most every `COVERAGE_SECONDS`)."""
        with self._lock:
            now = time.monotonic()
            if self._dense is None or now - self._dense[0] > COVERAGE_SECONDS:
                total = self.store.count()
                self._dense = (now, DenseCoverage(total - self.store.count_missing_dense(), total))
            return self._dense[1]

    def embedding_status(self) -> dict:
        """For the app's sidebar: the dense coverage, and while `kb embed` runs its rate and the time it expects."""
        from kb.indexing.backfill import read_progress

        coverage = self.dense_coverage()
        progress = read_progress(self.settings) or {}
        return {"embedded": coverage.embedded, "total": coverage.total, "share": coverage.share,
                "running": bool(progress), "rate": progress.get("rate"), "eta_seconds": progress.get("eta_seconds")}

    def close(self) -> None:
        with self._lock:
            if self._watcher is not None:
                self._watcher.stop()
                self._watcher = None
            if self._store is not None:
                self._store.close()
                self._store = None

    # search ---------------------------------------------------------------------------------------------

    def search_pipeline(self, mode: SearchMode | str = SearchMode.RANKED, weights: tuple[float, float] | None = None,
                        ranking=None, candidates: SearchMode = SearchMode.BM25, parts=None):
        """The search of `mode` as one Haystack SuperComponent (`kb.search.pipeline.build_search`), built once per
        configuration: `kb search`, `kb eval` and the ranking fit run this same object. `ranking` (for `ranked`): a
        `kb.search.ranking.Ranking`, the shipped weights by default; `parts` a `kb.search.modes.SearchParts`
        (all parts by default; fewer for the comparisons of `kb eval --compare`)."""
        from kb.search.pipeline import build_search
        from kb.search.ranking import DEFAULT_RANKING

        mode = SearchMode.from_str(mode)
        ranking = ranking if ranking is not None or mode is not SearchMode.RANKED else DEFAULT_RANKING
        parts = parts or ALL_PARTS
        key = (mode, weights, ranking, candidates, parts)
        with self._lock:
            if key not in self._pipelines:
                graph = facts = reasoning = None
                if mode is SearchMode.RANKED:
                    from kb.citations.graph import open_graph
                    from kb.search.facts_index import open_facts_index, open_reasoning_index

                    graph, facts = open_graph(self.settings.citations_db), open_facts_index(self.store)
                    reasoning = open_reasoning_index(self.store)
                self._pipelines[key] = build_search(self.store, self.settings.embedding, mode, weights, ranking,
                                                    graph, facts, reasoning=reasoning, candidates=candidates,
                                                    parts=parts, embed_cache=self.settings.embeddings_cache,
                                                    embed_wanted=self.wanted.add if self._watch else None)
            return self._pipelines[key]

    def embed_query(self, text: str) -> list[float]:
        """The dense query vector search uses (benchmarks and evaluation compare stores on identical vectors); the
        embedder shares its loaded model with the search pipelines' (sentence-transformers-haystack's backend
        factory keeps one model per configuration and process)."""
        from kb.embedding import text_embedder

        with self._lock:
            if self._text_embedder is None:
                self._text_embedder = text_embedder(self.settings.embedding)
                self._text_embedder.warm_up()
        return self._text_embedder.run(text=text)["embedding"]

    def prepare_model(self) -> str:
        """Builds this machine's embedding model for the store's runtime (the export, and `openvino-int8`'s
        quantisation, once per machine) and loads it, without opening the store; returns the runtime. `make run`
        does it before the app starts: left to the first search or to `kb embed`, the build (torch's export and
        NNCF, ~1.4 GB for ~30 s) ran beside the app holding the store (whole tree 3.57 GB, `bench/first_run.py`).
        The runtime is the one `__init__` read from the store's space record; nothing here opens the store."""
        self.embed_query("extradition")
        return self.settings.embed_runtime

    def has_citation_graph(self) -> bool:
        """Whether `kb citations build` has made the graph: without it the ranking counts every paragraph's citing
        paragraphs as 0, which the app must not print as "cited by 0" (a stat per call: a graph built while the app
        runs counts at the next search)."""
        return self.settings.citations_db.exists()

    def cited_by(self, doc_id: str, para: str, exclude_doc_ids: tuple[str, ...] = ()) -> list:
        """Later ECtHR paragraphs that cite `doc_id` § `para` (`kb.citations.graph.CitingParagraph`s)."""
        from kb.citations.graph import open_graph

        graph = open_graph(self.settings.citations_db)
        if graph is None:
            raise DocumentNotFoundError(f"no citation graph at {self.settings.citations_db}; "
                                        f"build it with `kb citations build`")
        return graph.cited_by(doc_id, str(para), exclude_doc_ids)

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 10,
        mode: SearchMode | str = SearchMode.RANKED,
        weights: tuple[float, float] | None = None,
    ) -> SearchHits:
        """Passages for `query`, best first. `weights`: the RRF weights (dense, BM25) of `hybrid`; other modes
        refuse them (ValueError). A dense or hybrid search over a store not yet fully embedded says so
        (`SearchHits.partial`)."""
        query = (query or "").strip()
        filters = filters or SearchFilters()
        validate_search(query, filters, limit)  # before the pipeline is built: refused without loading the model
        pipeline = self.search_pipeline(mode, weights)  # imports the search modules first, under this object's lock
        from kb.search.pipeline import run_search
        from kb.search.retrieval import FILLED

        if not query:
            return SearchHits()
        documents = run_search(pipeline, query, filters, limit)
        if not documents and self.store.count() == 0:  # counted only then: an exact count of the whole corpus took
            # 53 ms under the store's lock, a third of a ranked search, and serialised concurrent searches
            raise StoreEmptyError("The store is empty: run `kb ingest` (or `make run`) first.")
        hits = with_strength(query, [self.to_hit(d) for d in documents])
        mode = SearchMode.from_str(mode)
        by_meaning = mode in (SearchMode.HYBRID, SearchMode.DENSE) or any(d.meta.get(FILLED) for d in documents)
        coverage = self.dense_coverage() if by_meaning else None
        return SearchHits(hits, coverage if coverage is not None and not coverage.complete else None, mode.value)

    def reporter(self, doc_id: str) -> str | None:
        """The reporter reference the Court cites `doc_id` by (`ECHR 2008`), from the citation graph; cached for the
        process's life (a reporter changes only with a new judgment's citations of `doc_id`, which a later process
        sees)."""
        with self._lock:
            if doc_id not in self._reporters:
                from kb.citations.graph import open_graph

                if self._graph is None:
                    self._graph = open_graph(self.settings.citations_db) or False
                self._reporters[doc_id] = self._graph.reporters([doc_id]).get(doc_id) if self._graph else None
            return self._reporters[doc_id]

    def folder_links(self) -> dict[str, str]:
        """The manifest's `[links]` (corpus folder → the public copy it was taken from), read once."""
        if self._folder_links is None:
            from ingest.manifest import Manifest

            self._folder_links = Manifest.load(self.settings.manifest).links
        return self._folder_links

    def local_source(self, source_file: str | None) -> Path | None:
        """The file a document was read from, for the app's download beside the "Source" link: a corpus path resolved
        against the corpus root, an upload's own path; None when it is gone."""
        if not source_file:
            return None
        path = Path(source_file)
        if not path.is_absolute() and self.settings.corpus is not None:
            path = self.settings.corpus / path
        return path if path.is_file() else None

    def to_hit(self, doc: Document) -> Hit:
        p = doc.meta
        reporter = self.reporter(p.get("doc_id", "")) if p.get("source_kind") == "echr" else None
        return Hit(
            doc_id=p.get("doc_id", ""),
            paragraph=p.get("paragraph"),
            citation=cite(p, reporter),
            text=mark_gaps(doc.content or "", p.get("text_defects")),
            score=doc.score or 0.0,
            url=source_link(p, self.folder_links()),
            chunk_id=doc.id,
            para_index=int(p.get("para_index", 0)),
            # The graph counts the citations of ECtHR judgments only: a General Comment or a statute has no count.
            cited_by=p.get("cited_by") if p.get("source_kind") == "echr" and self.has_citation_graph() else None,
            matched_terms=list(p.get("matched_terms") or []),
            **{k: p.get(k) for k in METADATA_FIELDS if k in p and k not in ("paragraph",)},
        )

    # documents ------------------------------------------------------------------------------------------

    def passage(self, ref: str) -> Hit:
        """One stored passage from what a lawyer has to hand: a chunk id, `DOC_ID § 189` (or `DOC_ID:189`), or a
        citation such as `Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, § 189`."""
        ref = " ".join((ref or "").split())
        if not ref:
            raise DocumentNotFoundError("no passage given: pass a chunk id, `DOC_ID § N` or a citation with § N")
        if _CHUNK_ID.fullmatch(ref):
            return self.chunk(ref)
        m = _DOC_PARA.fullmatch(ref)
        if m and self.store.count(SearchFilters(doc_ids=(m["doc"],))):
            view = self.show(m["doc"], m["para"])
            return view.paragraphs[view.focus]
        # A citation is read and resolved as `kb check` reads and resolves one (`legal.citations`, the application
        # number decides), so a passage is found by the same rules that later verify it in the brief.
        report = self.check(ref, missing=False, is_text=True)
        for row in report.citations:
            if row.doc_id and row.paragraphs:
                view = self.show(row.doc_id, row.paragraphs[0])  # a paragraph the document lacks: show says so
                return view.paragraphs[view.focus]
        if not report.citations:
            raise DocumentNotFoundError(f"{ref!r}: no citation read; give a chunk id, `DOC_ID § N` or a citation such "
                                        "as `Saadi v. Italy [GC], no. 37201/06, § 125`")
        row = report.citations[0]
        if row.doc_id is None:
            raise DocumentNotFoundError(f"{ref!r}: {row.reason or row.status}; search for it first")
        raise DocumentNotFoundError(f"{ref!r}: give the paragraph (`§ 125`, `para. 12`, `[45]`)")

    def show(self, doc_id: str, para: str | None = None) -> DocumentView:
        with self._lock:  # Haystack's first import in one thread at a time (the class docstring says why)
            from kb.search.retrieval import to_document
        chunks = self.store.document_chunks(doc_id)
        if not chunks:
            raise DocumentNotFoundError(f"No document {doc_id!r} in the store; `kb search` shows document ids.")
        hits = [self.to_hit(to_document(c)) for c in chunks]
        focus = None
        if para is not None:
            focus = next((i for i, h in enumerate(hits) if h.paragraph == str(para)), None)
            if focus is None:  # a Chinese article by its number: `43` for 第四十三条
                focus = next((i for i, h in enumerate(hits) if names_article(h.paragraph, str(para))), None)
            if focus is None:
                numbers = [h.paragraph for h in hits if h.paragraph]
                span = f"{numbers[0]}–{numbers[-1]}" if numbers else "none"
                raise DocumentNotFoundError(f"{doc_id} has no paragraph {para} (numbered paragraphs: {span}).")
        first = chunks[0].payload
        metadata = {k: first.get(k) for k in METADATA_FIELDS if k not in ("section", "heading", "page")}
        metadata.update(doc_id=doc_id, url=source_link(first, self.folder_links()),
                        citation=cite({**first, "paragraph": None, "page": None, "section": None},
                                      self.reporter(doc_id) if first.get("source_kind") == "echr" else None),
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
            out[kind] = len(self.store.facet("doc_id", SearchFilters(source_kinds=(kind,)), limit=ALL_VALUES))
        return out

    def coverage(self) -> list[SourceCoverage]:
        """Per manifest source: documents stored against files in the corpus, so the app can say what is loaded.

        Cheap on the full store: one facet per source over the indexed `source_name`, and a glob per source.
        """
        from ingest.manifest import Manifest

        out = []
        for source in Manifest.load(self.settings.manifest).sources:
            stored = len(self.store.facet("doc_id", SearchFilters(source_names=(source.name,)), limit=ALL_VALUES))
            in_corpus = len(source.files(self.settings.corpus)) if self.settings.corpus else 0
            out.append(SourceCoverage(source.name, source.kind, stored, in_corpus, source.default, source.budgeted))
        return out

    def facets(self, key: str, filters: SearchFilters | None = None, limit: int = 50) -> list[tuple[str, int]]:
        return self.store.facet(key, filters, limit)

    def payload_changes(self) -> int | None:
        """Writes of chunks or payloads this process has made to the store it holds (`ChunkStore.payload_changes`),
        or None where other processes may write it: the counts of `stats`, `coverage` and `facets` stay current
        while it is unchanged."""
        return self.store.payload_changes()

    def chunk(self, chunk_id: str) -> Hit:
        """One stored passage by its chunk id (the `chunk_id` of a search hit)."""
        with self._lock:  # Haystack's first import in one thread at a time (the class docstring says why)
            from kb.search.retrieval import to_document
        found = self.store.retrieve([chunk_id])
        if not found:
            raise DocumentNotFoundError(f"no passage with chunk_id {chunk_id!r} in the store; a search hit's "
                                        f"`chunk_id` names one")
        return self.to_hit(to_document(found[0]))

    def cite(self, doc_id: str, para: str | None = None) -> str:
        """The court-style citation of a document, or of one of its paragraphs."""
        view = self.show(doc_id, para)
        return view.paragraphs[view.focus].citation if view.focus is not None else view.metadata["citation"]

    # checking a brief -----------------------------------------------------------------------------------

    def corpus_index(self):
        """The store as a citation resolver (`kb.drafting.check.CorpusIndex`), rebuilt when the store changes."""
        from kb.drafting.check import CorpusIndex

        with self._lock:
            source = self._payloads()
            key = (id(source), getattr(source, "generation", lambda: None)(), source.count())
            if self._corpus_index is None or self._corpus_index[0] != key:
                self._corpus_index = (key, CorpusIndex(source))
            return self._corpus_index[1]

    def _payloads(self):
        """What the check reads documents from: the store if this process holds it (or it is a server), else the
        store's payload copy when it is current (`kb.store.payloads`: no shard loaded, ~1.7 GB less on the full
        corpus, and readable while another process holds the store), else the store."""
        from kb.store.payloads import PayloadCopy

        if self._store is None and not self.settings.qdrant_url:
            if isinstance(self._copy, PayloadCopy) and self._copy.trusted():
                return self._copy
            self._copy = PayloadCopy.reader(self.settings.store)
            if self._copy is not None:
                return self._copy
        return self.store

    def check(self, brief: str | Path, missing: bool = True, is_text: bool = False):
        """Every citation and attributed quotation in a brief (a file, or text with `is_text`), checked against the
        store (`kb.drafting.check.CheckReport`); with `missing`, the leading authorities of each ground the brief
        argues that it does not cite (this searches, so it loads the model). Reading the citations takes time linear
        in the text (`legal.citations`), so a server bounds a call as any other, in its thread.

        The brief is read (and refused if it is too long or a bomb) before the store is opened. The documents are read
        from the store's payload copy when it is current (`kb.store.payloads`), so the check runs beside a process
        that holds the store. Without a current copy it opens the store; Qdrant Edge 0.9 has no read-only open
        (`EdgeShard.load` takes the shard's write-ahead-log lock, and a second opener broke the owner's flushes:
        issue 14), so a store another process holds is then a StoreLockedError that says where the check can run
        instead."""
        from kb.drafting.check import check_blocks, read_brief, text_blocks
        from legal.errors import StoreLockedError

        if is_text and len(str(brief)) > MAX_BRIEF_CHARS:
            raise BriefError(f"the text has {len(str(brief)):,} characters (limit {MAX_BRIEF_CHARS:,}); check it in "
                             "parts")
        notices: list[str] = []
        blocks = text_blocks(str(brief)) if is_text else read_brief(Path(brief), notices)
        try:
            with self._lock:
                empty = self._payloads().count() == 0
        except StoreLockedError:
            raise StoreLockedError(
                f"The store at {self.settings.store} is open in another process (Qdrant Edge allows one opener and has "
                "no read-only mode). Check the brief through that process (the app's “Check a brief” page, or the MCP "
                "server's check_citations tool), or stop it and run `kb check` again.") from None
        if empty:
            raise StoreEmptyError("The store is empty: nothing to check citations against; run `kb ingest` first.")
        report = check_blocks(self.corpus_index(), blocks, "<text>" if is_text else str(brief),
                              lambda payload: source_link(payload, self.folder_links()))
        report.notices = notices
        if missing and report.grounds:
            try:
                report.missing = self.missing_authorities(report)
            except StoreLockedError:
                report.missing_note = ("not listed: the search for them needs the store, which another process holds "
                                       "(the app's “Check a brief” page and the MCP server list them)")
        return report

    def link(self, doc_id: str) -> str | None:
        """The page a person opens for a stored document (`kb.citations.style.source_link`); None when the store does
        not hold it or it has no public page. Remembered for the process's life."""
        with self._lock:
            if doc_id not in self._links:
                chunks = self.store.document_chunks(doc_id)
                self._links[doc_id] = source_link(chunks[0].payload, self.folder_links()) if chunks else None
            return self._links[doc_id]

    def annotate(self, report, out: str | Path) -> Path:
        """Write a DOCX copy of the checked brief with a Word comment on each problem; returns its path."""
        from kb.drafting.check import annotate_docx

        return annotate_docx(report, Path(out))

    def missing_authorities(self, report, per_ground: int = 3) -> list:
        """Per ground the brief argues, the leading ECtHR judgments that a search for its principles finds and the
        brief does not cite; a hit is offered only if it leads on the ground (`kb.drafting.check.leads_on`)."""
        from kb.drafting.check import MissingAuthority, leads_on
        from kb.drafting.draft import ground_queries
        from kb.drafting.matters import Matter

        probe = Matter(id="brief", name="brief")
        cited = {c.doc_id for c in report.citations if c.doc_id}
        out: list[MissingAuthority] = []
        for ground in report.grounds:
            seen: set[str] = set()
            for query, filters, _, role in ground_queries(probe, ground):
                if role != "principle":
                    continue
                for hit in self.search(query, filters, limit=10):
                    if hit.doc_id in cited or hit.doc_id in seen or len(seen) >= per_ground:
                        continue
                    if leads_on(hit, ground):
                        seen.add(hit.doc_id)
                        out.append(MissingAuthority(ground, GROUNDS[ground], hit.doc_id, hit.citation,
                                                    hit.url))
        return out

    # matters ----------------------------------------------------------------------------------------------

    @property
    def matters(self) -> MatterStore:
        """The matters folder (`kb.drafting.matters.MatterStore`), the one every surface of this process uses; it
        reads each matter from disk on every call, so other processes' changes are seen."""
        with self._lock:
            if self._matters is None:
                self._matters = MatterStore(self.settings.matters)
            return self._matters

    def create_matter(self, name: str, *, grounds: list[str] | None = None,
                      assurances: list[Assurance] | None = None, **facts: str) -> Matter:
        """A new matter (`kb.drafting.matters.MatterStore.create`): its name, facts (`FACT_FIELDS`), grounds and the
        assurances offered."""
        return self.matters.create(name, grounds=grounds, assurances=assurances, **facts)

    def update_matter(self, matter_id: str, *, grounds: list[str] | None = None,
                      assurances: list[Assurance] | None = None, **facts: str | None) -> Matter:
        """Change the facts given (None keeps one), replace the chosen grounds or the assurances when given; under the
        matter's lock, so a change made meanwhile by the app is kept."""

        def change(matter: Matter) -> Matter:
            matter.set_facts(**facts)
            if grounds is not None:
                matter.choose_grounds(grounds)
            if assurances is not None:
                matter.assurances = []
                for a in assurances:
                    matter.add_assurance(a.text, a.giver, a.date)
            return matter

        return self.matters.update(matter_id, change)

    def add_to_matter(self, matter_id: str, passage: str, ground: str, note: str = "",
                      adverse: bool = False) -> CollectedPassage:
        """File a stored passage under a ground of a matter and save it; `passage` is anything `passage` resolves (a
        chunk id, `DOC_ID § N`, a citation with its pinpoint). The ground is checked before the passage is looked up,
        and the passage before the matter is locked (the lookup may search)."""
        self.matters.get(matter_id).check_ground(ground)
        hit = self.passage(passage)
        return self.matters.update(matter_id, lambda m: m.add_passage(hit, ground, note, adverse))

    def annotate_passage(self, matter_id: str, chunk_id: str, ground: str, note: str | None = None,
                         adverse: bool | None = None) -> CollectedPassage:
        """Change the note on a collected passage, or mark it adverse (the other side's authority) or not."""
        return self.matters.update(matter_id, lambda m: m.annotate(chunk_id, ground, note, adverse))

    def remove_from_matter(self, matter_id: str, chunk_id: str, ground: str | None = None) -> int:
        """Take a collected passage off one ground (every ground when None); how many were removed."""
        return self.matters.update(matter_id, lambda m: m.remove_passage(chunk_id, ground))

    def propose(self, matter_id: str, per_ground: int = 5) -> dict[str, list[Hit]]:
        """The drafting assistant's proposed passages for each chosen ground of a matter (searches; loads the model)."""
        from kb.drafting.propose import propose_authorities

        return propose_authorities(self, self.matters.get(matter_id), per_ground)

    def draft(self, matter_id: str, grounds: list[str] | None = None):
        """The extractive draft argument for a matter (`kb.drafting.draft.Draft`) and the matter."""
        from kb.drafting.draft import draft_argument

        matter = self.matters.get(matter_id)
        return draft_argument(self, matter, grounds=grounds), matter

    def draft_markdown(self, matter_id: str, grounds: list[str] | None = None):
        """The draft (`Draft`) and its Markdown with footnotes and the table of authorities, as `kb draft` prints."""
        text, matter = self.draft(matter_id, grounds)
        return text, self.export_markdown(text, matter)

    def draft_docx(self, matter_id: str, grounds: list[str] | None = None) -> bytes:
        """The draft as the A4 Word document `kb draft --out x.docx` writes, as bytes (for a download or a client)."""
        return self.docx_bytes(*self.draft(matter_id, grounds))

    @staticmethod
    def export_markdown(draft, matter: Matter) -> str:
        """A draft as Markdown with footnotes and the table of authorities (`kb.drafting.export`)."""
        from kb.drafting.export import export_markdown

        return export_markdown(draft, matter)

    @staticmethod
    def export_docx(draft, matter: Matter, path: Path) -> Path:
        """A draft written to `path` as the A4 Word document a court receives (`kb.drafting.export`)."""
        from kb.drafting.export import export_docx

        return export_docx(draft, matter, path)

    @classmethod
    def docx_bytes(cls, draft, matter: Matter) -> bytes:
        """A draft's Word document as bytes, for a download or a client."""
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            return cls.export_docx(draft, matter, Path(folder) / "draft.docx").read_bytes()

    @staticmethod
    def footnote_texts(draft) -> dict[int, tuple[str, list[str]]]:
        """Each footnote's words and italic case names as the exports print them, for the app's draft view."""
        from kb.drafting.export import footnote_texts

        return footnote_texts(draft)

    def left_out(self, filters: SearchFilters) -> dict[str, int]:
        """Documents a metadata filter excludes only because their metadata does not give that field (no articles, no
        HUDOC importance), by filter name: shown beside the results, so a filter never drops the leading cases silently.
        Counted within the other filters, among ECtHR documents (the only ones these fields describe); `{}` when no such
        filter is set or nothing was left out."""
        checks = {"article": (filters.articles, {"articles": ()}, "articles"),
                  "importance": (filters.max_importance, {"max_importance": None}, "importance")}
        out = {}
        for name, (value, cleared, payload_key) in checks.items():
            if value in ((), None):
                continue
            unknown = replace(filters, **cleared, courts=filters.courts or ("ECtHR",),
                              unknown=(*filters.unknown, payload_key))
            documents = len(self.store.facet("doc_id", unknown, limit=ALL_VALUES))
            if documents:
                out[name] = documents
        return out

    # ingest ---------------------------------------------------------------------------------------------

    def ingest(
        self, request: IngestRequest | None = None, progress: ProgressFn | None = None, **kwargs
    ) -> IngestReport:
        with self._lock:  # Haystack's first import in one thread at a time (the class docstring says why)
            from kb.indexing.ingest import IngestRequest, run_ingest
        store = self.store
        return run_ingest(self.settings, store, request or IngestRequest(), progress,
                          exclusive=self._watcher is None, **kwargs)

    def embed(self, **kwargs):
        """`kb embed`: fill the missing dense vectors (`kb.indexing.backfill.run_embed`; keyword arguments as there).
        It never holds this knowledge base's store: it hands vectors to the serving process, or holds the store
        itself while nobody serves it (letting go when another process asks), so call it from a process that has not
        opened the store."""
        from kb.indexing.backfill import run_embed

        if self._store is not None:
            raise KbError("kb embed runs beside the store's owner, not inside it: this process has the store open")
        from kb.indexing.handover import open_asking, owner_alive
        from kb.store.space import settled

        if self._asked.store.exists() and not settled(self._asked) and not owner_alive(self._asked.inbox):
            open_asking(self._asked, STORE_WAIT).close()  # settles the store's space (an owner did on opening)
        self._keep_store_space()
        return run_embed(self.settings, **kwargs)

    @staticmethod
    def update_request(*, corpus: bool = True, only: tuple[str, ...] = (), everything: bool = False, drop: bool = True,
                       uploads: bool = True, hudoc_from: str | None = None, hudoc_to: str | None = None,
                       hudoc_days: int | None = None, hudoc_articles: tuple[str, ...] = (),
                       hudoc_states: tuple[str, ...] = (), hudoc_max: int | None = None, batch_chunks: int = 512,
                       sparse_first: bool = False):
        """What `kb update` asks for (`kb.indexing.update.UpdateRequest`), checked now (a bad date or state is
        refused before any work). HUDOC is asked from `hudoc_from` to `hudoc_to` (today by default), or for the
        `hudoc_days` up to today, reckoned when this is called: a scheduled run builds its request afresh each time."""
        from datetime import date

        from ingest.hudoc import HudocQuery
        from kb.indexing.update import UpdateRequest, hudoc_window

        hudoc = None
        if hudoc_from or hudoc_days:
            start, end = (hudoc_from, hudoc_to or date.today().isoformat()) if hudoc_from \
                else hudoc_window(hudoc_days)
            hudoc = HudocQuery(start, end, tuple(hudoc_articles), tuple(hudoc_states), max_documents=hudoc_max)
        return UpdateRequest(corpus=corpus, only=tuple(only), everything=everything, drop=drop, uploads=uploads,
                             hudoc=hudoc, batch_chunks=batch_chunks, sparse_first=sparse_first)

    def update(self, request=None, progress: ProgressFn | None = None, warn: WarnFn = stderr):
        """`kb update`: bring the store in line with the corpus, the drop folder, the uploads and HUDOC
        (`kb.indexing.update.run_update`). It does not use this knowledge base's store: it writes to the store when
        nobody holds it, or hands its batches to the process that does (the app, `kb mcp`)."""
        from kb.indexing.update import run_update

        return run_update(self.settings, request, progress=progress, warn=warn)

    def update_every(self, every: str, make_request, on_report) -> None:
        """`kb update --every 15m`: update, sleep, repeat until stopped; `make_request()` gives each run's request."""
        from kb.indexing.update import parse_interval, run_every

        run_every(self.settings, make_request, parse_interval(every), on_report)

    # uploads ------------------------------------------------------------------------------------------------

    @staticmethod
    def upload_types() -> list[str]:
        """The file types a lawyer may upload (suffixes without the dot): every format a loader reads, except the
        corpus's own record formats (JSON, XML)."""
        from ingest.loaders import FORMAT_BY_SUFFIX

        return sorted({suffix.lstrip(".") for suffix in FORMAT_BY_SUFFIX if suffix not in (".json", ".xml")})

    def save_upload(self, name: str, data: bytes) -> Path:
        """Keep an uploaded file in the uploads folder (`kb.indexing.update.save_upload`); a file name that cannot be
        kept is a BadInputError naming it. `add_uploads` then makes it searchable."""
        from kb.indexing.update import save_upload

        return save_upload(self.settings, name, data)

    def add_uploads(self, progress: ProgressFn | None = None, warn: WarnFn = stderr):
        """Bring the store in line with the uploads folder, in this process's own store (the app holds it)."""
        from kb.indexing.update import UpdateRequest, run_update

        return run_update(self.settings, UpdateRequest(corpus=False, drop=False, uploads=True), progress=progress,
                          warn=warn, store=self.store)

    def uploaded_files(self) -> list[Path]:
        """Every file in the uploads folder, readable or not, so a file the update refused can still be removed."""
        folder = self.settings.uploads
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if folder.is_dir() else []

    def remove_upload(self, name: str, warn: WarnFn = stderr):
        """Delete an uploaded file, then take its document out of the store (`add_uploads`)."""
        (self.settings.uploads / Path(name).name).unlink(missing_ok=True)
        return self.add_uploads(warn=warn)

    # derived indexes, migration, evaluation ------------------------------------------------------------------

    def build_citations(self, leave_out: list[str] | tuple[str, ...] = (), say: WarnFn = print,
                        warn: WarnFn = stderr, if_needed: bool = False) -> None:
        """`kb citations build`: the ECtHR citation graph from the corpus, then the document indexes (facts sections,
        the Court's reasoning) and the importance of every ECtHR document in the store, which read the same documents.
        `say` gets each result line as it is reached, `warn` each file that could not be read; `leave_out`: document
        ids whose citations no count, anchor text or importance may use (an evaluation's held-out citing judgments);
        `if_needed`: only when there is no graph or one of an older format (`kb.citations.graph.needs_build`), or
        else only the document indexes when the store holds ECtHR judgments and its reasoning index is empty (a store
        written before that index existed gains it on the next `make run`; the graph and importance stay)."""
        from kb.citations.graph import CitationGraph, build, iter_echr_documents, needs_build
        from kb.citations.importance import importance, write_importance
        from kb.facts import REASONING_DOC_TYPES, judgment_facts, write_facts
        from kb.store.base import FACTS, REASONING
        from legal.errors import CorpusNotFoundError

        if self.settings.corpus is None:
            raise CorpusNotFoundError("No corpus folder: set KB_CORPUS to the folder that holds echr/")
        graph = not if_needed or needs_build(self.settings.citations_db)
        if not graph:
            judgments = self.store.count(SearchFilters(source_kinds=("echr",), doc_types=REASONING_DOC_TYPES))
            if not judgments or self.store.facts_doc_ids(index=REASONING):
                say(f"the citation graph {self.settings.citations_db} is current: not rebuilt")
                return
            say(f"the citation graph {self.settings.citations_db} is current: not rebuilt; the store's reasoning "
                "index is empty: indexing the judgments' facts and reasoning")
        # said first: `make run`'s terminal was silent for the two minutes of reading and parsing (bench/first_run.py)
        say(f"reading the ECtHR judgments and decisions in {self.settings.corpus / 'echr'} for "
            f"{'their citations, ' if graph else ''}facts and reasoning (on the whole corpus 2-4 minutes)")
        documents = list(iter_echr_documents(self.settings.corpus, warn))
        if graph:
            stats = build(self.settings.corpus, self.settings.citations_db, documents, leave_out=leave_out)
            say(f"{stats['citations']} citations in {stats['documents']} ECtHR documents, {stats['resolved']} "
                f"resolved to a corpus document, in {stats['seconds']} s → {self.settings.citations_db}"
                + (f"; the citations of {len(leave_out)} documents are left out of every count" if leave_out else ""))
        # what the store takes from the documents is computed before it is opened, and their text let go: held
        # beside the loaded store (~2 GB) they put the whole-corpus peak at 3.4 GB
        indexes = judgment_facts(documents)
        levels = importance(documents, CitationGraph(self.settings.citations_db)) if graph else None
        del documents
        what = {FACTS: "facts sections of {} judgments", REASONING: "reasoning of {} judgments and decisions"}
        for points in indexes:
            say(f"{what[points.index].format(write_facts(points, self.store))} indexed in the store's "
                f"{points.index} collection")
        self.store.flush()
        if levels is not None:
            rated, estimated, taken = write_importance(levels, self.store)
            say(f"importance of {rated + estimated + taken} ECtHR documents in the store: {rated} from HUDOC, "
                f"{estimated} estimated from the corpus, {taken} notes and communicated cases given their judgment's")

    def migrate(self, to: str, from_edge: Path | None = None, back: bool = False, batch: int = 256,
                samples: int = 20, progress=None):
        """`kb migrate`: copy the Edge store to a Qdrant server collection (or back with `back`), verified
        (`kb.store.migrate`); the report says whether the copy was verified."""
        from kb.store.migrate import MigrateRequest, run

        return run(self.settings, MigrateRequest(to, from_edge, back, batch, samples), progress)

    def evaluate(self, file: Path, mode: str = "ranked", compare: bool = False, ablation: bool = False,
                 limit: int | None = None, sample: int | None = None, seed: int = 0, allow_partial: bool = False,
                 say: WarnFn = stderr):
        """`kb eval`: retrieval scored on the test cases of `file` by the same search pipeline as `search`
        (`kb.search.evaluation.run_evaluation`); `say` gets the progress and coverage notes."""
        from kb.search.evaluation import EvalRequest, run_evaluation

        return run_evaluation(self, EvalRequest(file, mode, compare, ablation, limit, sample, seed, allow_partial),
                              say)

    @staticmethod
    def eval_table(results: list) -> str:
        """The table `kb eval` prints: one row per variant and kind of question."""
        from kb.search.evaluation import format_table

        return format_table(results)


_CHUNK_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DOC_PARA = re.compile(r"(?P<doc>[^\s:§]+)\s*(?::|§|#)\s*(?P<para>\w+)")


def with_strength(query: str, hits: list[Hit]) -> list[Hit]:
    """Each hit marked `strong` or `weak` (`kb.search.strength`); a list without a strong hit is what the app shows
    as "no strong match"."""
    from kb.search.crosslingual import default_glossary
    from kb.search.strength import coverage, strength

    matches = len(default_glossary().find(query))
    for hit in hits:  # a paragraph answers for its case's name: "Gäfgen threat of torture" is not weak on Gäfgen § 91
        hit.strength = strength(coverage(query, f"{hit.title or ''}\n{hit.text}", hit.matched_terms, matches))
    return hits


def passage_role(hit: Hit) -> str:
    """`court` (the Court's own reasoning), `party` (a party's submission) or `other`: what a brief may rely on,
    read from the hit's stored `role` (`kb.drafting.draft.voice`)."""
    from kb.drafting.draft import voice

    return voice(hit)


