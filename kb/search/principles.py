"""The statement of principle inside the judgments a lawyer's question leads to.

Why: a lawyer's question ("Does Article 4 cover human trafficking, and what must the authorities do?") shares its
words with the facts and the application of the law to them, so BM25 finds the right judgment through its facts
paragraphs, while the paragraphs a barrister cites, where the Court states the general principles, are abstract and
rank below the 60 candidates or are not retrieved at all (dev lawyer questions, full store: in 6 of 20 the right
judgment came first and none of its cited paragraphs was in the top 10; Rantsev §§ 282-288, Jalloh §§ 69-72,
Muršić §§ 136-139). Three steps fix that, all only for a lawyer's query (`QueryReading.lawyer`), never
for a passage of judgment text (dev.jsonl's queries), whose own ranking is fitted:

* `LeadingJudgmentRetriever`: the same BM25 query again inside the judgments of the first candidates, limited to the
  paragraphs where the Court speaks, so their principle paragraphs become candidates;
* the ranking feature `question_principles` (`kb.search.ranking`): a Court paragraph under a "General principles"
  heading (the Court's own label for its statement of the law) goes before the Court's application of it to the
  facts of that case;
* the spreader (`kb.search.ranking.LEADING_PER_DOCUMENT`) lets the first judgment show four paragraphs, not two.

The first and the last only when the question names no other source (`QueryReading.convention`): a question on what a
UN committee or a UK court said wants that source's paragraphs, not a longer run of Strasbourg ones (with them, the
mixed questions' para_hit@10 fell 0.83 → 0.67).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from haystack import component
from haystack.dataclasses import SparseEmbedding

from ingest.loaders.echr import COURT_ROLES
from kb.documents import Candidates
from kb.search.queries import QueryReading
from kb.search.retrieval import bm25_documents, rescored
from kb.store.base import ChunkStore, SearchFilters, SparseVector

PRINCIPLES_HEADING = re.compile(r"\bprinciples?\b", re.I)
APPLIED_PRINCIPLES = re.compile(r"\bappl(?:y|ies|ied|ying|ication)\b[^›]*\bprinciples?\b", re.I)
""""Application of those principles to the present case" is the Court applying the law, not stating it ("General
principles applicable in expulsion cases" and "1. Applicable principles", 36 paragraphs, state it)."""
LEADING_JUDGMENTS = 4
"""Judgments of the first candidates looked into: the answer is nearly always in one of the first few."""
INSIDE_CANDIDATES = 24
"""Court paragraphs fetched from inside them: about six each, enough for a run of principle paragraphs."""


@lru_cache(maxsize=4096)
def states_principles(heading: str | None) -> bool:
    """Whether a heading path puts a paragraph under the Court's statement of the principles ("1. General
    principles", "(a) Relevant principles", "Recapitulation of the relevant principles"), not their application.
    Remembered per heading path: a question asks it of each candidate twice (the ranker's `question_principles`,
    the spreader's `principles_first`), ~130 times, and a judgment's paragraphs share a few paths."""
    parts = [part for part in (heading or "").split("›") if not APPLIED_PRINCIPLES.search(part)]
    return any(PRINCIPLES_HEADING.search(part) for part in parts)


def court_states_principles(meta: dict) -> bool:
    """Whether a paragraph (its payload) is the Court stating the general principles: the Court speaks
    (`COURT_ROLES`) under a heading that says so (`states_principles`)."""
    return meta.get("role") in COURT_ROLES and states_principles(meta.get("heading"))


@component
class LeadingJudgmentRetriever:
    """For a Convention question (a lawyer's query naming no other source), appends to the candidates the
    best-matching Court paragraphs (by the same BM25 query) of the ECtHR judgments of the first candidates, at score 0
    so they vote for no citation; any other query passes unchanged."""

    def __init__(self, store: ChunkStore, judgments: int = LEADING_JUDGMENTS, limit: int = INSIDE_CANDIDATES) -> None:
        self.store = store
        self.judgments = judgments
        self.limit = limit

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, reading: QueryReading, filters: SearchFilters,
            sparse_embedding: SparseEmbedding | None = None) -> dict:
        if sparse_embedding is None or not documents or not reading.convention:
            return {"documents": documents}
        leading: list[str] = []
        for doc in documents:
            doc_id = doc.meta.get("doc_id", "")
            if doc.meta.get("source_kind") == "echr" and doc.meta.get("role") and doc_id not in leading:
                leading.append(doc_id)
                if len(leading) == self.judgments:
                    break
        inside = court_paragraphs(self.store, sparse_embedding, filters, leading, self.limit)
        present = {d.id for d in documents}
        return {"documents": Candidates([*documents, *(d for d in inside if d.id not in present)])}


def court_paragraphs(store: ChunkStore, sparse_embedding: SparseEmbedding, filters: SearchFilters,
                     doc_ids: list[str], limit: int, section: str | None = None) -> list:
    """The best `limit` paragraphs by the query's BM25 (`sparse_embedding`) where the Court speaks (`COURT_ROLES`),
    inside the judgments `doc_ids` and, if given, the section `section`, all within the search's own filters (its
    documents, roles and sections narrow them), each at score 0: a candidate that votes for no citation. [] when the
    filters leave none of them. What the leading-judgment retriever and the reasoning source
    (`kb.search.reasoning`) fetch."""
    doc_ids = [d for d in doc_ids if not filters.doc_ids or d in filters.doc_ids]
    roles = tuple(r for r in COURT_ROLES if not filters.roles or r in filters.roles)
    if not doc_ids or not roles or (section and filters.sections and section not in filters.sections):
        return []
    narrowed = replace(filters, doc_ids=tuple(doc_ids), roles=roles)
    if section:
        narrowed = replace(narrowed, sections=(section,))
    sparse = SparseVector(list(sparse_embedding.indices), list(sparse_embedding.values))
    return [rescored(d, 0.0) for d in bm25_documents(store, sparse, narrowed, limit)]
