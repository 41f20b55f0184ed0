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

A question that names China as a country and is otherwise a Convention question (`QueryReading.court_beside`) keeps
its own list, and `CourtBeside` keeps the Court's principles beside it: see there.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from haystack import SuperComponent, component
from haystack.dataclasses import SparseEmbedding

from ingest.loaders.echr import COURT_ROLES
from kb.documents import Candidates
from kb.search.queries import QueryReading, without_china
from kb.search.retrieval import bm25_documents, fingerprint, rescored
from kb.store.base import ChunkStore, SearchFilters, SparseVector

PRINCIPLES_HEADING = re.compile(r"\bprinciples?\b", re.I)
APPLIED_PRINCIPLES = re.compile(r"\bappl(?:y|ies|ied|ying|ication)\b[^›]*\bprinciples?\b", re.I)
""""Application of those principles to the present case" is the Court applying the law, not stating it ("General
principles applicable in expulsion cases" and "1. Applicable principles", 36 paragraphs, state it)."""
LEADING_JUDGMENTS = 4
"""Judgments of the first candidates looked into: the answer is nearly always in one of the first few."""
INSIDE_CANDIDATES = 24
"""Court paragraphs fetched from inside them: about six each, enough for a run of principle paragraphs."""
COURT_BESIDE = 2
"""Court paragraphs the first screen of a question naming China as a country holds at least (`CourtBeside`;
`kb.search.modes.SearchParts.court_beside`, where the measurement is)."""
FIRST_SCREEN = 10
"""The places a lawyer reads first: where the Court's share is counted, and how far the Convention reading is read."""
FIRST_BESIDE_PLACE = 3
"""The first place a principle paragraph is put in, the next ones every other place after it (3, 5, 7): the question's
own first two hits keep their places."""


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


def court_speaks(meta: dict) -> bool:
    """Whether a passage is the Court's own voice: a paragraph of an ECtHR judgment or decision where the Court
    speaks (`COURT_ROLES`), not a party's submission or a quoted report."""
    return meta.get("source_kind") == "echr" and meta.get("role") in COURT_ROLES


@component
class CourtBeside:
    """For a question naming China as a country (`QueryReading.court_beside`), at least `places` of the first screen
    go to the Court: when its own list holds fewer Court paragraphs (`court_speaks`), the statements of the general
    principles (`court_states_principles`) among the first ten of `convention`, the same search run on the question
    without China's name (`without_china`, which reads as a Convention question), are put in at the third place and
    every other place after it, and the list's own order fills the rest; any other query, or a list that has them,
    passes unchanged.

    Why: "Is a #MeToo activist detained in China at risk of torture?" listed two campaign pages and eight PRC articles
    that merely print 刑讯逼供 (offences of officials, the exclusion of evidence), no Court paragraph: the lawyer wants
    the Court's Article 3 test of a real risk on removal beside the China evidence. Reading such a question as a
    Convention question instead (session 23) put the Court's paragraphs in place of the PRC side: on the PRC bench
    three questions on Chinese procedure in plain words lost their statute. A floor, not a ranking: a question whose
    list already holds the Court (most questions naming China do: "can China's diplomatic assurances be trusted", a
    Chinese court's confession evidence) is left as it is, and the Convention search runs only when the floor is not
    met."""

    def __init__(self, convention: SuperComponent, places: int = COURT_BESIDE, first: int = FIRST_BESIDE_PLACE
                 ) -> None:
        if places < 0 or first < 2:
            raise ValueError(f"CourtBeside needs places >= 0 (got {places}) and a first place >= 2 (got {first}): "
                             "the question's own first hit keeps its place")
        self.convention = convention
        self.places = places
        self.first = first

    def warm_up(self) -> None:
        """Nothing: the Convention search warms itself up when it first runs, as the fill does
        (`kb.search.retrieval.ShortListFill.warm_up`)."""

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, reading: QueryReading, filters: SearchFilters, top_k: int = 10) -> dict:
        missing = self.places - sum(court_speaks(d.meta) for d in documents[:FIRST_SCREEN])
        if not reading.court_beside or missing <= 0 or filters.doc_ids:
            return {"documents": documents}
        found = self.convention.run(query=without_china(reading.text), filters=filters,
                                    top_k=FIRST_SCREEN)["documents"]
        listed = {fingerprint(d.content or "") for d in documents[:FIRST_SCREEN]}
        beside = [d for d in found if court_states_principles(d.meta) and court_speaks(d.meta)
                  and fingerprint(d.content or "") not in listed][:missing]
        if not beside:
            return {"documents": documents}
        added = {d.id for d in beside}
        out = [d for d in documents if d.id not in added]
        for i, doc in enumerate(beside):
            out.insert(self.first - 1 + 2 * i, doc)
        return {"documents": Candidates(out[:top_k])}
