"""The retrieval end of search: the modes, the store's chunks as Haystack `Document`s, and the components that fetch
and thin candidates (`kb.search.pipeline` wires them; `kb.search.ranking` re-orders them).

A `Document` here is one stored paragraph: `id` is the point id, `content` its text, `meta` the rest of its payload
(doc_id, paragraph, section, …) and `score` what the last component gave it. Chunks become Documents where they leave
the store (`to_document`), so every component from the retriever on speaks Haystack.
"""

from __future__ import annotations

import re
from typing import Any

from haystack import Document, SuperComponent, component
from haystack.components.joiners import DocumentJoiner
from haystack.dataclasses import SparseEmbedding

from kb.documents import Candidates, SharedDocument
from kb.requests import SearchMode
from kb.store.base import ChunkStore, SearchFilters, SparseVector, StoredChunk
from legal.text import strip_number

DEFAULT_WEIGHTS = (1.0, 1.0)
"""RRF weights (dense, BM25) of `--mode hybrid`."""
RANKED_CANDIDATES = 60
"""Candidates the legal ranker re-orders; a deeper pool lets authority lift a paragraph from below the top 10."""
OVERFETCH = 3
"""Candidates fetched per hit asked for, so that near-duplicates can be dropped and still fill the list."""


def to_document(chunk: StoredChunk) -> SharedDocument:
    """The store boundary: a stored chunk as the Document the search pipeline carries. Made as `rescored` copies
    one, without Haystack's `Document.__init__` (metaclass, mutation tracker, `__post_init__`: ~15 µs a document,
    and a ranked search makes ~80), where what `__post_init__` checks holds: the text is a string and the id is set;
    the fields are those the constructor sets, in its order."""
    meta = dict(chunk.payload)
    text = meta.pop("text", "")
    if not (chunk.id and isinstance(text, str)):
        return SharedDocument(id=chunk.id, content=text, meta=meta, score=chunk.score)
    doc = object.__new__(SharedDocument)
    doc.__dict__.update(id=chunk.id, content=text, blob=None, meta=meta, score=chunk.score, embedding=None,
                        sparse_embedding=None)
    return doc


def rescored(doc: Document, score: float | None = None, meta: dict[str, Any] | None = None) -> Document:
    """A copy of `doc` with another score and/or meta: `dataclasses.replace` without running Haystack's
    `Document.__init__` again. Its metaclass, mutation tracker and `__post_init__` cost ~10 µs a copy against
    ~1.5 µs, and a ranked search copies ~120 candidates; what `__post_init__` checks (the content is a string, an id
    is set) holds for a copy of a Document that has been through it."""
    copy = object.__new__(type(doc))
    copy.__dict__.update(doc.__dict__)
    if score is not None:
        copy.__dict__["score"] = score
    if meta is not None:
        copy.__dict__["meta"] = meta
    return copy


def with_meta(doc: Document, **changes: Any) -> Document:
    """A copy of `doc` with `meta` keys added or replaced (documents are shared between lists, never mutated)."""
    return rescored(doc, meta={**doc.meta, **changes})


@component
class ChunkRetriever:
    """Candidates from the store: BM25, dense, or both fused by weighted reciprocal rank inside Qdrant (`mode`).

    It fetches max(top_k × OVERFETCH, `candidates`) documents, so the steps after it can drop some and re-order."""

    def __init__(self, store: ChunkStore, mode: SearchMode, weights: tuple[float, float] = DEFAULT_WEIGHTS,
                 candidates: int = 0, prefetch_limit: int = 100) -> None:
        self.mode = SearchMode.from_str(mode)
        if self.mode is SearchMode.RANKED:
            raise ValueError("a retriever's mode is hybrid, dense or bm25; ranked is retrieval plus re-ranking")
        self.store = store
        self.weights = weights
        self.candidates = candidates
        self.prefetch_limit = prefetch_limit

    @component.output_types(documents=Candidates)
    def run(self, filters: SearchFilters, top_k: int = 10, query_embedding: list[float] | None = None,
            sparse_embedding: SparseEmbedding | None = None) -> dict:
        sparse = SparseVector(list(sparse_embedding.indices), list(sparse_embedding.values)) if sparse_embedding \
            else None
        limit = max(top_k * OVERFETCH, self.candidates)
        chunks = self.store.search(query_embedding, sparse, filters, limit=limit, mode=self.mode.value,
                                   prefetch_limit=max(self.prefetch_limit, limit), weights=self.weights)
        return {"documents": Candidates(to_document(c) for c in chunks)}


def bm25_documents(store: ChunkStore, sparse: SparseVector, filters: SearchFilters, limit: int) -> list[Document]:
    """The best `limit` passages by BM25 alone within `filters`: the second retrievers' query (Chinese documents, a
    named source)."""
    chunks = store.search(None, sparse, filters, limit=limit, mode="bm25", prefetch_limit=limit, weights=(0.0, 1.0))
    return [to_document(c) for c in chunks]


FINGERPRINT_CHARS = 300
"""Characters of words a fingerprint keeps."""
FINGERPRINT_HEAD = 400
"""Characters of a paragraph cleaned first, which nearly always give `FINGERPRINT_CHARS` of words."""
NON_WORD = re.compile(r"\W+")


def _words(text: str) -> str:
    return NON_WORD.sub(" ", text.lower()).strip()


def fingerprint(text: str) -> str:
    """A paragraph's words without its number: equal for the same boilerplate in two judgments. Only the first
    1,200 characters are read (their first 300 characters of words are kept): cleaning whole paragraphs of
    thousands of characters cost ~6 ms a query. Their first 400 are cleaned first: lower-casing and writing each run
    of non-word characters as one space read a character at a time (lower-casing but for a capital sigma, whose
    small form depends on what follows), so where those give 300 characters of words, they are the first 300 of the
    whole (cleaning 1,200 characters of every hit cost ~0.5 ms a query)."""
    body = strip_number((text or "")[:1200])
    head = body[:FINGERPRINT_HEAD]
    if len(head) < len(body) and "Σ" not in head:
        words = _words(head)
        if len(words) >= FINGERPRINT_CHARS:
            return words[:FINGERPRINT_CHARS]
    return _words(body)[:FINGERPRINT_CHARS]


@component
class NearDuplicateFilter:
    """One hit per passage: boilerplate repeated verbatim across judgments would otherwise fill the list. Its
    output is at most `top_k` hits."""

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, top_k: int = 10) -> dict:
        seen: set[str] = set()
        kept: list[Document] = []
        for doc in documents:
            if len(kept) == top_k:
                break  # the rest could only follow the list's end (fingerprinting all ~180 candidates cost ~5 ms)
            key = fingerprint(doc.content or "")
            if key in seen:
                continue
            seen.add(key)
            kept.append(doc)
        return {"documents": Candidates(kept)}


FILLED = "filled_by_hybrid"
"""Meta key of a passage the fill added to a short ranked list: found by meaning, so over a store still being embedded
(`kb embed`) the list says, as a hybrid search does, that it saw only the passages with a dense vector."""


@component
class ShortListFill:
    """Completes a list with fewer than `top_k` documents (the query's words are nearly absent) from `fill`, the
    hybrid search: its passages not listed already are appended in their order (`DocumentJoiner`, concatenate, order
    kept), each marked `FILLED`. A full list passes as it is and never pays the fill's query embedding.

    Why one component with the fill inside, not a gate, the fill, a filter of the listed passages and a joiner as
    four pipeline steps: Haystack weighs every step of a pipeline again before each step runs and deep-copies each
    input, element by element for a list; the four cost ~2 ms of a search's ~25 ms of Python, fill or no fill."""

    def __init__(self, fill: SuperComponent) -> None:
        self.fill = fill
        self.join = DocumentJoiner(join_mode="concatenate", sort_by_score=False)

    def warm_up(self) -> None:
        """Nothing: the fill's pipeline warms itself up when it first runs (Haystack's `Pipeline.run` warms every
        component first). Warmed with the ranked search, its query embedder loaded the model (2.4 s, ~100 MB) for
        every process's first search, a pasted passage's too, which neither fills nor asks `meaning`."""

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, query: str, filters: SearchFilters, top_k: int = 10) -> dict:
        lists = [list(documents)]
        if len(documents) < top_k:
            present = {d.id for d in documents}
            found = self.fill.run(query=query, filters=filters, top_k=top_k)["documents"]
            lists.append([with_meta(d, **{FILLED: True}) for d in found if d.id not in present])
        return {"documents": Candidates(self.join.run(documents=lists, top_k=top_k)["documents"])}


@component
class BodyFirst:
    """A report's footnote is a source reference, not the finding: it is never the first hit unless footnotes were
    asked for (`--section FOOTNOTE`); the best other hit goes before it."""

    @component.output_types(documents=list[Document])
    def run(self, documents: Candidates, filters: SearchFilters | None = None) -> dict:
        documents = list(documents)
        if not documents or documents[0].meta.get("section") != "FOOTNOTE" or (
                filters is not None and "FOOTNOTE" in filters.sections):
            return {"documents": documents}
        body = next((i for i, d in enumerate(documents) if d.meta.get("section") != "FOOTNOTE"), None)
        if body is None:
            return {"documents": documents}
        return {"documents": [documents[body], *documents[:body], *documents[body + 1:]]}
