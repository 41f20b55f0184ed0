"""Proposing authorities for a matter: targeted searches per ground, fused so the leading cases come first."""

from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

from ingest.loaders.echr import paragraph_role, speaker
from kb.drafting.matters import Matter
from kb.passages import Hit, Passage
from kb.settings import Settings
from kb.store.base import SearchFilters
from legal.grounds import GROUNDS, PRC_STATES, STATUTE_SCOPE


class Searcher(Protocol):
    """What drafting needs of the knowledge base: its search and its settings (the language model's, if any).
    `kb.api.KnowledgeBase` is one; drafting names this rather than the facade it sits under."""

    settings: Settings

    def search(self, query: str, filters: SearchFilters | None = None, limit: int = 10) -> list[Hit]: ...


PRC_SOURCES = ("prc-law", "report", "campaign", "un")
PRINCIPLE_FILTERS = SearchFilters(source_kinds=("echr",), sections=("THE LAW",))


def is_prc_matter(matter: Matter) -> bool:
    haystack = f"{matter.requesting_state} {matter.offence} {matter.risk_factors}".lower()
    return any(s in haystack for s in PRC_STATES)


def ground_queries(matter: Matter, ground: str) -> list[tuple[str, SearchFilters, float, str]]:
    """The searches for one ground as (query, filters, weight, role); role is `principle` or `evidence`."""
    label = matter.ground_label(ground)
    facts = matter.facts()
    built_in = GROUNDS.get(ground)
    queries: list[tuple[str, SearchFilters, float, str]] = []
    for q in built_in.queries if built_in else (label,):
        queries.append((q, PRINCIPLE_FILTERS, 1.0, "principle"))
    if facts:
        queries.append((f"{label} {facts}", SearchFilters(), 0.7, "principle"))
    if is_prc_matter(matter):
        for q in built_in.prc_evidence if built_in else (f"{label} China",):
            queries.append((q, SearchFilters(source_kinds=PRC_SOURCES), 1.0, "evidence"))
    return queries


def voice(passage: Passage) -> str:
    """`court` for the Court's own reasoning, `party` for what a party or intervener argued, else `other`
    (`ingest.loaders.echr.speaker`). A brief may quote a government's submission, but never as if the Court had said it.

    The stored `role` decides; an ECtHR passage stored or collected before roles were kept gets the role the loader
    would give it now (`paragraph_role`), so there is one classifier of who is speaking, not two."""
    return speaker(speaking_role(passage))


def speaking_role(passage: Passage) -> str | None:
    """The passage's stored `role`, or for an ECtHR passage stored or collected before roles were kept the role the
    loader would give it now; None outside the ECtHR."""
    if passage.role is None and passage.source_kind == "echr":
        return paragraph_role(getattr(passage, "doc_type", None) or "JUDGMENT", passage.section, passage.heading,
                              passage.text)
    return passage.role


VOICE_WEIGHT = {"court": 1.25, "party": 0.5, "other": 1.0}
"""Factor on a passage's fused score by whose voice it is (`voice`)."""


MAX_PER_DOCUMENT = 2
"""Passages one document may give a ground's proposals: the second only once every document found has given one."""


def _rrf(rankings: list[list[str]], weights: list[float]) -> dict[str, float]:
    """Weighted reciprocal-rank fusion of id rankings (Haystack's `DocumentJoiner`)."""
    from haystack import Document
    from haystack.components.joiners import DocumentJoiner

    joiner = DocumentJoiner(join_mode="reciprocal_rank_fusion", weights=weights, sort_by_score=False)
    fused = joiner.run(documents=[[Document(id=i) for i in ids] for ids in rankings])
    return {doc.id: doc.score or 0.0 for doc in fused["documents"]}


def _fuse(results: Iterable[tuple[list[Hit], float]]) -> list[Hit]:
    """The queries' rankings fused by document, each document then giving its best passages.

    Each query's leading case (its first document in which someone other than a party speaks) comes first, then the
    other documents by fused rank; each gives its best passage before any gives a second (`MAX_PER_DOCUMENT`).
    Reciprocal-rank fusion (k = 61) rewards being found by every query far more than being found first: fused by
    passage, Saadi's §§ 147-148 (ranks 6 and 8, 1 and 9) outscored Othman's §§ 187 and 192 (ranks 2 and 1, one query
    each) and the assurances proposals lost the leading case on assurances; fused by document, Soering, the first two
    passages of the main Article 3 query and found by no other, came seventh of seven cases.

    The Court's own reasoning is favoured and the parties' submissions are pushed down (`VOICE_WEIGHT`): a brief is
    built on what the Court held.
    """
    results = [(ranked, weight) for ranked, weight in results if ranked]
    if not results:
        return []
    hits = {hit.chunk_id: hit for ranked, _ in results for hit in ranked}
    weights = [weight for _, weight in results]
    passage_score = {chunk_id: score * VOICE_WEIGHT[voice(hits[chunk_id])]
                     for chunk_id, score in _rrf([[h.chunk_id for h in ranked] for ranked, _ in results],
                                                 weights).items()}
    document_score = _rrf([list(dict.fromkeys(h.doc_id for h in ranked)) for ranked, _ in results], weights)
    by_document: dict[str, list[str]] = {}
    for chunk_id in sorted(passage_score, key=passage_score.__getitem__, reverse=True):
        by_document.setdefault(hits[chunk_id].doc_id, []).append(chunk_id)
    leaders = {next((h.doc_id for h in ranked if voice(h) != "party"), None) for ranked, _ in results}
    documents = sorted(by_document, reverse=True, key=lambda d: (
        d in leaders, document_score[d] * VOICE_WEIGHT[voice(hits[by_document[d][0]])]))
    return [replace(hits[chunk_id], score=round(passage_score[chunk_id], 6))
            for turn in range(MAX_PER_DOCUMENT) for d in documents
            for chunk_id in by_document[d][turn:turn + 1]]


def reaches(matter: Matter, hit: Hit) -> bool:
    """Whether a passage can concern this client: a statute of limited scope (`STATUTE_SCOPE`) only when the matter
    brings the client within it, and an inadmissibility decision never as the statement of a test."""
    if hit.doc_type == "DECISION":
        return False
    said = f"{matter.offence} {matter.risk_factors} {matter.penalty}".lower()
    title = hit.title or ""
    return all(any(w in said for w in words) for statute, words in STATUTE_SCOPE.items() if statute in title)


def propose_authorities(kb: Searcher, matter: Matter, per_ground: int = 5,
                        grounds: list[str] | None = None) -> dict[str, list[Hit]]:
    """The strongest passages for each chosen ground (or `grounds`), principles first; evidence about the
    requesting state fills the rest. Passages already collected under a ground are not proposed for it again.
    """
    proposals: dict[str, list[Hit]] = {}
    for ground in grounds if grounds is not None else list(matter.grounds()):
        collected = {p.chunk_id for p in matter.passages_for(ground)}
        by_role: dict[str, list[tuple[list[Hit], float]]] = {"principle": [], "evidence": []}
        for query, filters, weight, role in ground_queries(matter, ground):
            by_role[role].append((kb.search(query, filters, limit=per_ground * 2), weight))
        principles = [h for h in _fuse(by_role["principle"]) if h.chunk_id not in collected and reaches(matter, h)]
        evidence = [h for h in _fuse(by_role["evidence"]) if h.chunk_id not in collected and reaches(matter, h)]
        n_evidence = min(len(evidence), per_ground // 2) if evidence else 0
        # A statute article can answer a principle search too (an English question naming China finds it): one
        # passage is proposed once.
        chosen = principles[:per_ground - n_evidence]
        seen = {h.chunk_id for h in chosen}
        for pool, wanted in ((evidence, len(chosen) + n_evidence), (principles + evidence, per_ground)):
            for hit in pool:
                if len(chosen) >= wanted:
                    break
                if hit.chunk_id not in seen:
                    seen.add(hit.chunk_id)
                    chosen.append(hit)
        proposals[ground] = chosen
    return proposals

