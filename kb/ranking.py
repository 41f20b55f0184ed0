"""Legal-aware re-ranking of fused candidates: what a lawyer's sense of authority says, as a few hand-set weights.

Why: fusion ranks by wording alone; a lawyer also asks "is this the Court's statement of principle, and does the
Court keep citing it?" Each feature below is a log-scaled or 0/1 signal multiplied into the fused score, so a
feature can reorder close candidates but never lift an off-topic paragraph over a clearly better match. Every
weight is hand-set and measured with `kb eval --compare` (see `bench/eval_full.py` for the ablation); a weight of
0 switches a feature off.

Honesty: cited-by counts are computed per query without the citations made by `exclude_doc_ids`, the documents a
test case was made from (a lawyer's draft is not in the corpus either).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, fields, replace

from haystack import component

from kb.citation_graph import CitationGraph
from kb.store.base import ChunkStore, SearchFilters, StoredChunk

APPNO_IN_QUERY = re.compile(r"\b(\d{1,6}/\d{2})\b")
CASE_NAME_IN_QUERY = re.compile(r"\b([A-Z][\w'’\-.]+(?:\s+and\s+Others)?)\s+v\.\s+(?:the\s+)?[A-Z]")
MAX_FETCHED_BY_VOTES = 30
"""Cited paragraphs outside the retrieved pool fetched per query; more cost latency and rarely reach the top 10."""
LOW_AUTHORITY_TYPES = ("INFORMATION_NOTE", "COMMUNICATED_CASE")
FACT_SECTIONS = ("THE FACTS", "PROCEDURE", "HEADER", "OPERATIVE PART", "SEPARATE OPINION")


@dataclass(frozen=True)
class RankingWeights:
    """Multipliers in log space: score × exp(Σ weight × feature). Zero switches a feature off."""

    grand_chamber: float = 0.0
    key_case: float = 0.0
    cited_para: float = 0.0
    cited_doc: float = 0.0
    law_section: float = 0.0
    principles: float = 0.0
    low_authority_type: float = 0.0
    named_case: float = 3.0
    facts_support: float = 0.3
    """Several retrieved fact paragraphs of one judgment: a query telling a story matches that case as a whole."""
    citation_votes: float = 1.0
    """Additive, not a multiplier: each retrieved paragraph passes its score to the paragraphs it cites."""

    def without(self, name: str) -> RankingWeights:
        if name not in {f.name for f in fields(self)}:
            raise ValueError(f"unknown ranking feature {name!r}; valid: {', '.join(f.name for f in fields(self))}")
        return replace(self, **{name: 0.0})

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_RANKING = RankingWeights()


def named_in_query(query: str) -> tuple[set[str], set[str]]:
    """Application numbers and applicant names a query states outright: the lawyer wants that case."""
    appnos = set(APPNO_IN_QUERY.findall(query or ""))
    names = {m.group(1).lower() for m in CASE_NAME_IN_QUERY.finditer(query or "")}
    return appnos, names


@component
class LegalRanker:
    """Re-scores retrieved chunks by authority features and re-sorts them; runs between retrieval and dedupe."""

    def __init__(self, graph: CitationGraph | None = None, weights: RankingWeights = DEFAULT_RANKING,
                 store: ChunkStore | None = None) -> None:
        if not isinstance(weights, RankingWeights):
            raise ValueError(f"weights must be a RankingWeights, not {type(weights).__name__}")
        self.graph = graph
        self.weights = weights
        self.store = store

    def citation_votes(self, chunks: list[StoredChunk], filters: SearchFilters) -> list[StoredChunk]:
        """The Court's own pointers: paragraphs that restate a principle cite where it was laid down, so each
        retrieved paragraph votes, with its retrieval score, for the paragraphs it cites; cited paragraphs that
        were not retrieved are fetched (within the same filters). Excluded documents neither vote nor receive."""
        if self.graph is None or not self.weights.citation_votes:
            return chunks
        scores = {(c.payload.get("doc_id", ""), str(c.payload.get("paragraph"))): c.score for c in chunks
                  if c.payload.get("paragraph") is not None}
        votes: dict[tuple[str, str], float] = {}
        for citing_doc, citing_para, cited_doc, cited_para in self.graph.outgoing(scores, filters.exclude_doc_ids):
            key = (cited_doc, cited_para)
            votes[key] = votes.get(key, 0.0) + scores[(citing_doc, citing_para)]
        if not votes:
            return chunks
        weight = self.weights.citation_votes
        boosted = [replace(c, score=c.score + weight * votes.get(
            (c.payload.get("doc_id", ""), str(c.payload.get("paragraph"))), 0.0)) for c in chunks]
        present = {(c.payload.get("doc_id", ""), str(c.payload.get("paragraph"))) for c in chunks}
        missing = sorted((k for k in votes if k not in present), key=lambda k: -votes[k])[:MAX_FETCHED_BY_VOTES]
        if missing and self.store is not None:
            docs = {d for d, _ in missing}
            if filters.doc_ids:
                docs &= set(filters.doc_ids)
            if docs:
                paragraphs = tuple(sorted({p for _, p in missing}))
                lookup = replace(filters, doc_ids=tuple(sorted(docs)), paragraphs=paragraphs)
                wanted = set(missing)
                for chunk in self.store.scroll(lookup, batch=256):
                    key = (chunk.payload.get("doc_id", ""), str(chunk.payload.get("paragraph")))
                    if key in wanted:
                        wanted.discard(key)
                        boosted.append(replace(chunk, score=weight * votes[key]))
        return boosted

    def features(self, chunk: StoredChunk, para_counts: dict[tuple[str, str], int], doc_counts: dict[str, int],
                 appnos: set[str], names: set[str], support: Counter[str] | None = None) -> dict[str, float]:
        p = chunk.payload
        doc_id = p.get("doc_id", "")
        section = p.get("section") or ""
        heading = (p.get("heading") or "").lower()
        title = (p.get("title") or "").lower()
        named = bool(appnos & set(p.get("appno") or [])) or any(title.startswith(n) for n in names)
        return {
            "grand_chamber": float(bool(p.get("grand_chamber"))),
            "key_case": float(p.get("importance") == 1),
            "cited_para": math.log1p(para_counts.get((doc_id, str(p.get("paragraph"))), 0)),
            "cited_doc": math.log1p(doc_counts.get(doc_id, 0)) / 3.0,
            "law_section": 1.0 if section == "THE LAW" else (-1.0 if section in FACT_SECTIONS else 0.0),
            "principles": float("general principle" in heading or "principles" in heading),
            "low_authority_type": -float(p.get("doc_type") in LOW_AUTHORITY_TYPES),
            "named_case": float(named),
            "facts_support": math.log(max(1, (support or Counter())[doc_id])),
        }

    @component.output_types(chunks=list[StoredChunk])
    def run(self, chunks: list[StoredChunk], query: str = "", filters: SearchFilters | None = None) -> dict:
        if not chunks:
            return {"chunks": []}
        filters = filters or SearchFilters()
        excluded = filters.exclude_doc_ids
        support = Counter(c.payload.get("doc_id", "") for c in chunks if c.payload.get("section") == "THE FACTS")
        chunks = self.citation_votes(chunks, filters)
        para_counts: dict[tuple[str, str], int] = {}
        doc_counts: dict[str, int] = {}
        if self.graph is not None:
            para_counts, doc_counts = self.graph.counts({c.payload.get("doc_id", "") for c in chunks}, excluded)
        appnos, names = named_in_query(query)
        weights = self.weights.as_dict()
        rescored = []
        for chunk in chunks:
            feats = self.features(chunk, para_counts, doc_counts, appnos, names, support)
            boost = sum(weights[name] * value for name, value in feats.items())
            payload = dict(chunk.payload)
            payload["cited_by"] = para_counts.get((payload.get("doc_id", ""), str(payload.get("paragraph"))), 0)
            rescored.append(replace(chunk, payload=payload, score=chunk.score * math.exp(boost)))
        rescored.sort(key=lambda c: -c.score)
        return {"chunks": rescored}
