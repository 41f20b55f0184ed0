"""An importance level for every ECtHR judgment and decision, from what the corpus shows, with its origin.

Why: HUDOC's importance (1 key case … 4 low) is in the records of only 815 of the corpus's 2,861 judgments and
decisions, so the importance filter ("key cases") used to leave out the other 2,046, Chahal, Saadi and Othman among
them. The corpus itself shows what makes a judgment important: the formation that gave it (a Grand Chamber), whether
the Court's official Reports published it (the reporter by which later judgments cite it: `ECHR 2012`, `Reports
1996-V`, `Series A no. 161`), whether the Registry wrote an information note on it, and how many later judgments cite
it. Each judgment without a HUDOC level gets the median HUDOC level of the rated judgments that show the same
evidence (`ESTIMATE_KEYS`, the most specific combination with at least `MIN_RATED` rated judgments), so the levels
are HUDOC's own scale, not thresholds set here. Measured on the rated judgments (5-fold, each estimated from the
others): see `bench/importance_check.py`.

The levels are written to the store's payload (`importance`, `importance_origin`) by `kb citations build`, so the
filter reads them as it reads HUDOC's; a document written later by `kb update` has its HUDOC level (if any) until the
next `kb citations build`. Held-out citing documents (`kb citations build --leave-out FILE`: the graph keeps none of
their citations) neither count as citers nor give a reporter.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ingest.model import SourceDocument
from kb.citations.graph import CITABLE_TYPES, CitationGraph

MIN_RATED = 5
"""Rated judgments an evidence combination needs before its median is used; fewer, and a coarser one is."""
CITED_BUCKETS = ((0, "not cited"), (1, "cited by 1-2 judgments"), (3, "cited by 3-5 judgments"),
                 (6, "cited by 6+ judgments"))
"""How many later judgments of the corpus cite it, in bands (a count of 40 and one of 60 say the same)."""
ESTIMATE_KEYS = (("grand_chamber", "reporter", "note", "cited"), ("grand_chamber", "reporter", "note"),
                 ("grand_chamber", "reporter"), ("grand_chamber",), ())
"""The evidence combinations tried, most specific first."""


@dataclass(frozen=True)
class Importance:
    level: int
    """1 (key case) … 4 (low), HUDOC's scale."""
    origin: str
    """`hudoc`, or `estimated: <evidence> (median of N rated)`."""


@dataclass(frozen=True)
class Evidence:
    grand_chamber: bool
    reporter: str | None
    """`ECHR` (the Reports since 1999), `Reports` (1996-1998), `Series` (Series A), None: not seen cited in one."""
    note: bool
    """The Registry wrote an information note on it (same application number)."""
    cited: str

    def describe(self, keys: tuple[str, ...]) -> str:
        parts = {"grand_chamber": "Grand Chamber" if self.grand_chamber else "Chamber or Committee",
                 "reporter": f"published in {self.reporter}" if self.reporter else "no official reporter cited",
                 "note": "information note" if self.note else "no information note", "cited": self.cited}
        return ", ".join(parts[k] for k in keys) or "any judgment"


def cited_band(count: int) -> str:
    return next(label for floor, label in reversed(CITED_BUCKETS) if count >= floor)


def evidence(documents: list[SourceDocument], graph: CitationGraph) -> dict[str, Evidence]:
    """The evidence of importance of every judgment and decision among `documents`."""
    judgments = [d for d in documents if d.doc_type in CITABLE_TYPES]
    noted = {a for d in documents if d.doc_type == "INFORMATION_NOTE" for a in d.appno}
    citers = graph.citing_documents()
    reporters = graph.reporters([d.doc_id for d in judgments])
    return {d.doc_id: Evidence(bool(d.extra.get("grand_chamber")),
                               (reporters.get(d.doc_id) or "").split(" ")[0] or None,
                               any(a in noted for a in d.appno),
                               cited_band(len(citers.get(d.doc_id, ()))))
            for d in judgments}


def estimate(rated: dict[str, int], found: dict[str, Evidence]) -> dict[str, Importance]:
    """HUDOC's level where `rated` has one, else the median level of the rated judgments with the same evidence."""
    levels: dict[tuple, list[int]] = {}
    for doc_id, level in rated.items():
        if doc_id in found:
            for keys in ESTIMATE_KEYS:
                levels.setdefault(_key(found[doc_id], keys), []).append(level)
    out = {}
    for doc_id, ev in found.items():
        if doc_id in rated:
            out[doc_id] = Importance(rated[doc_id], "hudoc")
            continue
        keys = next((k for k in ESTIMATE_KEYS if len(levels.get(_key(ev, k), ())) >= MIN_RATED), ())
        alike = levels.get(_key(ev, keys), [4])
        out[doc_id] = Importance(statistics.median_low(alike),
                                 f"estimated: {ev.describe(keys)} (median of {len(alike)} rated)")
    return out


def _key(ev: Evidence, keys: tuple[str, ...]) -> tuple:
    return (keys, *(getattr(ev, k) for k in keys))


def importance(documents: list[SourceDocument], graph: CitationGraph) -> dict[str, Importance]:
    """A level and its origin for every judgment and decision among `documents`."""
    rated = {d.doc_id: d.importance for d in documents if d.importance is not None and d.doc_type in CITABLE_TYPES}
    return estimate(rated, evidence(documents, graph))


WRITE_DOCUMENTS = 100
"""Judgments whose importance goes to the store between two flushes: Edge holds what it has not flushed in memory,
and the levels of all 2,861 at once (~250,000 chunks' payloads rewritten) grew the process by ~450 MB."""


def store_importance(documents: list[SourceDocument], graph: CitationGraph, store) -> tuple[int, int]:
    """Writes each judgment's level and origin into its chunks' payload (`importance`, `importance_origin`), so the
    importance filter reads the estimate as it reads HUDOC's level; returns (rated, estimated) counts."""
    return write_importance(importance(documents, graph), store)


def write_importance(levels: dict[str, Importance], store) -> tuple[int, int]:
    """`store_importance` with the levels computed: `WRITE_DOCUMENTS` judgments a write, each flushed."""
    fields = [(doc_id, {"importance": i.level, "importance_origin": i.origin}) for doc_id, i in levels.items()]
    for start in range(0, len(fields), WRITE_DOCUMENTS):
        store.set_document_fields(dict(fields[start:start + WRITE_DOCUMENTS]))
        store.flush()
    rated = sum(i.origin == "hudoc" for i in levels.values())
    return rated, len(levels) - rated
