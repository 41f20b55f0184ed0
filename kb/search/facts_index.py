"""The document indexes as the search reads them: which judgment's whole THE FACTS section a query's story of
facts matches best (`FactsIndex`), and which judgments' whole reasoning a question is about (`ReasoningIndex`).

Why: a query that recounts facts ("the applicant, a journalist, was arrested …") is looking for the case with those
facts. Paragraph BM25 scores each paragraph alone, so a later judgment that retells the facts in one long paragraph
can outrank the case itself; scoring the whole facts section per judgment does not (summary cases of dev.jsonl,
grouped cross-validation: doc_hit@1 0.964 → see `bench/fit_ranking.py`). The points are written by `kb.facts` (the
write path keeps them current; `kb citations build` indexes every judgment of the corpus).

The reasoning index (issue 22): an expert question is about a topic of Convention law, and the judgments a Case-Law
Guide cites for it are those whose whole reasoning (the Court's paragraphs in THE LAW) is about it, where paragraph
BM25 rewards any paragraph holding a few of its words; its first judgments are a source of candidates for the
search (`bench/reasoning_prior.py`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from kb.facts import FactsEmbedder
from kb.store.base import REASONING, ChunkStore


class FactsIndex:
    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.embedder = FactsEmbedder()

    def ranks(self, query: str, doc_ids: Iterable[str], exclude_doc_ids: Iterable[str] = ()) -> dict[str, int]:
        """The 1-based rank of each of `doc_ids` among all indexed judgments (excluded ones left out) by how well
        its facts section matches the query; documents without a match or without facts get no rank.

        Two store queries: the scores of the wanted judgments, then every judgment scoring at least the lowest of
        them, which gives each its exact rank."""
        excluded = tuple(sorted(set(exclude_doc_ids)))
        wanted = tuple(sorted(set(doc_ids) - set(excluded)))
        sparse = self.embedder.query(query)
        if not wanted or not sparse.indices:
            return {}
        scores = {d: s for d, s in self.store.search_facts(sparse, len(wanted), doc_ids=wanted) if s > 0}
        if not scores:
            return {}
        above = sorted(self.store.facts_scores(sparse, exclude_doc_ids=excluded,
                                               score_threshold=min(scores.values())))
        return {d: len(above) - bisect.bisect_right(above, s) + 1 for d, s in scores.items()}


def open_facts_index(store: ChunkStore) -> FactsIndex | None:
    """The index, or None while `kb citations build` has not filled it."""
    return FactsIndex(store) if store.facts_doc_ids() else None


class ReasoningIndex:
    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.embedder = FactsEmbedder()

    def first(self, query: str, limit: int, exclude_doc_ids: Iterable[str] = ()) -> list[str]:
        """The doc ids of the `limit` judgments and decisions whose reasoning matches the query best, best first,
        the excluded ones left out; [] when the query has no indexed term. One store query."""
        sparse = self.embedder.query(query)
        if limit < 1 or not sparse.indices:
            return []
        hits = self.store.search_facts(sparse, limit, exclude_doc_ids=tuple(sorted(set(exclude_doc_ids))),
                                       index=REASONING)
        return [doc_id for doc_id, score in hits if score > 0]


def open_reasoning_index(store: ChunkStore) -> ReasoningIndex | None:
    """The index, or None while it is empty (`kb citations build` fills it; the write path keeps it current)."""
    return ReasoningIndex(store) if store.facts_doc_ids(index=REASONING) else None
