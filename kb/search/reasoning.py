"""The Court's paragraphs of the judgments whose whole reasoning answers a Convention question, as candidates.

Why: an expert's question is about a topic of Convention law ("How does the Court assess workplace surveillance
under Article 8?"), and the judgments that answer it are the ones whose reasoning as a whole is about it. Paragraph
BM25 rewards any paragraph holding a few of the question's words, so the 60 retrieved paragraphs come from many
judgments, mostly facts and submissions, and the statement of the principle in the right judgment is often not among
them: on the 73 expert questions of `dev-echr-qa.jsonl` a cited paragraph was among the ranker's candidates for 27.
The reasoning index (`kb.facts`, one BM25 vector per judgment over the paragraphs where the Court speaks in THE LAW,
built by `kb citations build` and kept by the write path) ranks whole judgments; the best Court paragraphs in THE LAW
of its first `JUDGMENTS` judgments, by the same BM25 query, join the ranker's fetched candidates (no retrieval rank,
no citation votes given), where `meaning` and the Court's own signals order them with the rest.

Measured (issue 22, session 14; whole store, leave-out citation graph, int8 meaning; doc_hit@10 / para_hit@10):
through this pipeline (`bench/eval_dev.py`, leave-one-out over on/off chose on for all 113 dev questions) expert
questions 0.630 / 0.348 → 0.685 / 0.409, lawyer questions of kind `lawyer` 0.650 → 0.800 (doc_hit@10 1.000 both),
the PRC, UN and mixed kinds and dev.jsonl's passages unchanged; 1.4 ms a question for the step. The setting was
chosen offline (`bench/reasoning_prior.py`): leave-one-out over the first 5, 10 or 20 judgments and their best 2, 3
or 5 paragraphs each chose this one for 92 of 93 questions (0.671 / 0.409 and 0.800). The same paragraphs taken
from the ranker's own first judgments instead lift neither (0.644 / 0.394): the gain is the judgments the index
finds. Its lawyer gain rests on few questions (on a wider grid of 65 settings leave-one-out fell back to 0.650).
Only a Convention question takes the source (`QueryReading.convention`: a lawyer's query naming no other source,
and a question, `is_question`); a pasted passage of judgment text never does (1 of dev.jsonl's 3,761 cases reads as
one), nor a keyword search: "the Government submitted that the assurances were reliable" looks for those words,
and thirty topical Court paragraphs crowded the submissions it asks for out of the first 20 (`tests/test_drafting.py`).
"""

from __future__ import annotations

from haystack import component
from haystack.dataclasses import SparseEmbedding

from kb.documents import Candidates
from kb.search.principles import court_paragraphs
from kb.search.queries import QueryReading
from kb.search.ranking import key_of
from kb.store.base import ChunkStore, SearchFilters

JUDGMENTS = 10
"""Judgments of the reasoning index looked into (leave-one-out over 5, 10 and 20 chose 10)."""
PARAGRAPHS = 30
"""Court paragraphs fetched from inside them together, best first: about three a judgment."""
REASONING_SECTION = "THE LAW"


@component
class ReasoningSource:
    """For a Convention question (not a keyword search), appends to the fetched candidates the best Court paragraphs
    in THE LAW (same BM25 query, within the search's filters) of the first judgments by the reasoning index, at score
    0; any other query, or a store whose reasoning index is still empty (`index` None), passes the fetched candidates
    on unchanged."""

    def __init__(self, store: ChunkStore, index, judgments: int = JUDGMENTS, limit: int = PARAGRAPHS) -> None:
        """`index`: `kb.search.facts_index.open_reasoning_index(store)`, or None."""
        self.store = store
        self.index = index
        self.judgments = judgments
        self.limit = limit

    @component.output_types(fetched=Candidates)
    def run(self, documents: Candidates, reading: QueryReading, filters: SearchFilters,
            sparse_embedding: SparseEmbedding | None = None, fetched: Candidates | None = None) -> dict:
        fetched = fetched if fetched is not None else Candidates()
        if self.index is None or sparse_embedding is None or not reading.convention or not reading.question:
            return {"fetched": fetched}
        first = self.index.first(reading.text, self.judgments, filters.exclude_doc_ids)
        inside = court_paragraphs(self.store, sparse_embedding, filters, first, self.limit, REASONING_SECTION)
        present = {key_of(d) for d in (*documents, *fetched)}
        added = [d for d in inside if key_of(d) not in present]
        return {"fetched": Candidates([*fetched, *added]) if added else fetched}
