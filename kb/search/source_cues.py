"""Candidates from the source a question names: a UN treaty body, a UK court, the OHCHR's reports.

Why: the retriever's 60 BM25 candidates are mostly ECtHR paragraphs (90 % of the store), so a question that asks what
the Human Rights Committee says of arbitrary detention ("under the ICCPR") or how high a UK court puts the "unduly
harsh" bar gets Strasbourg paragraphs on the same words, and the General Comment or the Court of Appeal's paragraph
the lawyer asked for never becomes a candidate (dev lawyer questions, full store: UN para_hit@10 0.67, the UK ones 0).
A question that names a source is asking for that source. For each source kind the question names (the query's
reading, `kb.search.queries.SOURCE_CUES`) the same BM25 query runs again limited to that kind, and its candidates are
fused with the main list by reciprocal rank (`CueJoiner`), as the Chinese candidates of a question naming China are
(`kb.search.crosslingual`).
"""

from __future__ import annotations

from dataclasses import replace

from haystack import Document, component
from haystack.dataclasses import SparseEmbedding

from kb.documents import Candidates
from kb.search.queries import QueryReading
from kb.search.retrieval import bm25_documents, rescored
from kb.search.strength import STRONG_COVERAGE, coverage
from kb.store.base import RRF_K, ChunkStore, SearchFilters, SparseVector

CUE_CANDIDATES = 30
"""Candidates per named source: the source is small (6,602 UN paragraphs, 20,691 UK ones, 609 report paragraphs), so
its answer is within its own first 30 when the words are there at all."""
CUE_WEIGHT = 2.0
"""RRF weight of a named source's candidates against the main list: the question asks first of all about that source;
the main list is only what BM25 finds for the same words everywhere. The Chinese candidates' list has it as far as
its best hit answers the question (`translated_share`)."""


class CuedSourceRetriever:
    """The BM25 query again, once per source kind the question names and the filters admit, limited to that kind."""

    def __init__(self, store: ChunkStore, top_k: int = CUE_CANDIDATES) -> None:
        self.store = store
        self.top_k = top_k

    def lists(self, reading: QueryReading, filters: SearchFilters, sparse_embedding: SparseEmbedding | None = None
              ) -> list[Candidates]:
        """Each named source's candidates, best first (none for a search limited to one kind already: it is that
        source's list)."""
        kinds = [k for k in reading.cued_kinds if not filters.source_kinds or k in filters.source_kinds]
        if sparse_embedding is None or not kinds or (filters.source_kinds and len(filters.source_kinds) == 1):
            return []
        sparse = SparseVector(list(sparse_embedding.indices), list(sparse_embedding.values))
        lists = [bm25_documents(self.store, sparse, replace(filters, source_kinds=(kind,)), self.top_k)
                 for kind in kinds]
        return [Candidates(docs) for docs in lists if docs]


def fuse(documents: Candidates, extra: list[tuple[float, Candidates]]) -> Candidates:
    """The main candidate list fused with `extra` lists (each with its weight against the main list's 1) by weighted
    reciprocal rank; the main list as it is when there are none. A document in several lists keeps the copy with the
    most meta (the Chinese one carries its matched terms)."""
    extra = [(weight, docs) for weight, docs in extra if docs]
    if not extra:
        return documents
    scores: dict[str, float] = {}
    by_id: dict[str, Document] = {}
    for weight, ranked in [(1.0, documents), *extra]:
        for rank, doc in enumerate(ranked, 1):
            scores[doc.id] = scores.get(doc.id, 0.0) + weight / (RRF_K + rank)
            if doc.id not in by_id or len(doc.meta) > len(by_id[doc.id].meta):
                by_id[doc.id] = doc
    order = sorted(scores, key=lambda doc_id: -scores[doc_id])
    return Candidates(rescored(by_id[doc_id], scores[doc_id]) for doc_id in order)


@component
class CueJoiner:
    """The candidates of the sources a question names joined to the main list: the named sources' own lists
    (`CuedSourceRetriever`, given as `cued`) and the Chinese candidates (`zh_documents`), fused with it by `fuse`.

    Why the named sources' retrieval is not a step of its own: Haystack weighs every step of a pipeline again before
    each step runs and deep-copies each input; that step and its list socket cost ~0.5 ms of a ranked search."""

    def __init__(self, cued: CuedSourceRetriever | None = None) -> None:
        self.cued = cued

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, zh_documents: Candidates | None = None, reading: QueryReading | None = None,
            filters: SearchFilters | None = None, sparse_embedding: SparseEmbedding | None = None) -> dict:
        lists = self.cued.lists(reading, filters or SearchFilters(), sparse_embedding) \
            if self.cued is not None and reading is not None else []
        zh = zh_documents or Candidates()
        zh_weight = CUE_WEIGHT * translated_share(reading.text, zh) if reading is not None else CUE_WEIGHT
        return {"documents": fuse(documents, [*((CUE_WEIGHT, docs) for docs in lists), (zh_weight, zh)])}


def translated_share(question: str, zh_documents: list[Document]) -> float:
    """How far the Chinese candidates answer the question, 0-1: the best coverage among them of the question's
    content words (`kb.search.strength.coverage`, by the English words of the glossary terms each holds), against
    what a strong match holds (`STRONG_COVERAGE`). Why: the Chinese list is the BM25 of the glossary terms the question
    holds, not of the question; when those are one word of six ("can China's diplomatic assurances be trusted when
    torture is widespread": torture → 刑讯逼供), every article printing that word ranks in it, and at the named
    source's full weight its first articles took the first places of the fused list, above the Court's principles on
    assurances (4 of the first 10 were articles on the exclusion of confessions). A question the glossary covers
    (the supervision commission's notice to the family, a lawyer's meeting in a terrorism case) keeps that weight."""
    # a Chinese hit covers the English words of its glossary terms, not of its text (which need not be read)
    best = max((coverage(question, "", list(d.meta.get("matched_terms") or []), glossary_matches=1)
                for d in zh_documents), default=0.0)
    return min(1.0, best / STRONG_COVERAGE)


STANDARD_KIND = "un"
STANDARD_POSITION = 10
"""Where the UN paragraph goes: last on the first screen, so the Court's authorities above it keep their places."""


@component
class StandardSlot:
    """For a Convention question (a lawyer's query naming no other source), the best UN treaty-body paragraph on the
    same words, when it is a strong match (`kb.search.strength`), takes the last place of the first ten unless a UN
    paragraph is there already. Why: a General Comment is often the closest statement of the rule the lawyer asks
    about ("officials publicly declare a suspect guilty": Human Rights Committee, General Comment No. 32, para. 30),
    but in a store that is 90 % ECtHR it is never among a question's first ten unless the question names it (dev
    lawyer questions of kind `lawyer-un`: the two that name no UN body, 0 of 2 found)."""

    def __init__(self, store: ChunkStore, position: int = STANDARD_POSITION) -> None:
        self.store = store
        self.position = position

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, reading: QueryReading, filters: SearchFilters,
            sparse_embedding: SparseEmbedding | None = None, top_k: int = 10) -> dict:
        at = min(self.position, top_k) - 1
        if (sparse_embedding is None or at < 1 or filters.doc_ids or not reading.convention
                or (filters.source_kinds and STANDARD_KIND not in filters.source_kinds)
                or any(d.meta.get("source_kind") == STANDARD_KIND for d in documents[:at + 1])):
            return {"documents": documents}
        sparse = SparseVector(list(sparse_embedding.indices), list(sparse_embedding.values))
        best = bm25_documents(self.store, sparse, replace(filters, source_kinds=(STANDARD_KIND,)), 1)
        if not best or coverage(reading.text, best[0].content or "", [], 0) < STRONG_COVERAGE:
            return {"documents": documents}
        rest = [d for d in documents if d.id != best[0].id]
        return {"documents": Candidates(rest[:at] + [best[0]] + rest[at:])}
