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

An information note or a communicated case is about one judgment or decision and takes its level, with that origin
(`its judgment HEJUD-22414-93: estimated: …`): a note the one it summarises (same application and date), a communicated
case the first one on its application. Where the corpus does not hold that judgment (340 notes, 8 communicated cases
of the whole corpus), its level is estimated as an unrated judgment's is from what the document itself shows (a note
gives the formation, `Judgment 28.2.2008 [GC]`, and is itself a note), without the reporter and the citations, which
only the judgment's text would show. Before, all 1,586 were left out by the importance filter.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ingest.model import SourceDocument
from kb.citations.graph import CITABLE_TYPES, CitationGraph

ABOUT_A_JUDGMENT = ("INFORMATION_NOTE", "COMMUNICATED_CASE")
"""Documents that are not authority themselves but about a judgment or decision, whose importance they take."""

MIN_RATED = 5
"""Rated judgments an evidence combination needs before its median is used; fewer, and a coarser one is."""
CITED_BUCKETS = ((0, "not cited"), (1, "cited by 1-2 judgments"), (3, "cited by 3-5 judgments"),
                 (6, "cited by 6+ judgments"))
"""How many later judgments of the corpus cite it, in bands (a count of 40 and one of 60 say the same)."""
ESTIMATE_KEYS = (("grand_chamber", "reporter", "note", "cited"), ("grand_chamber", "reporter", "note"),
                 ("grand_chamber", "reporter"), ("grand_chamber",), ())
"""The evidence combinations tried, most specific first."""
FROM_CITATIONS = ("reporter", "cited")
"""What only a judgment's own citations by the Court show: unknown where the corpus does not hold the judgment."""
WITHOUT_CITATIONS = tuple(dict.fromkeys(tuple(k for k in keys if k not in FROM_CITATIONS) for keys in ESTIMATE_KEYS))
"""The combinations tried where the judgment is not in the corpus: (Grand Chamber, note), (Grand Chamber), ()."""


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
    cited: str | None
    """A `CITED_BUCKETS` label; None: unknown (the judgment is not in the corpus), and so is `reporter`."""

    @property
    def combinations(self) -> tuple[tuple[str, ...], ...]:
        return ESTIMATE_KEYS if self.cited is not None else WITHOUT_CITATIONS

    def describe(self, keys: tuple[str, ...]) -> str:
        parts = {"grand_chamber": "Grand Chamber" if self.grand_chamber else "Chamber or Committee",
                 "reporter": f"published in {self.reporter}" if self.reporter else "no official reporter cited",
                 "note": "information note" if self.note else "no information note", "cited": self.cited}
        return ", ".join(parts[k] for k in keys) or "any judgment"


def cited_band(count: int) -> str:
    return next(label for floor, label in reversed(CITED_BUCKETS) if count >= floor)


def noted_applications(documents: list[SourceDocument]) -> set[str]:
    """The application numbers the Registry wrote an information note on (`Evidence.note`)."""
    return {a for d in documents if d.doc_type == "INFORMATION_NOTE" for a in d.appno}


def evidence(documents: list[SourceDocument], graph: CitationGraph) -> dict[str, Evidence]:
    """The evidence of importance of every judgment and decision among `documents`."""
    judgments = [d for d in documents if d.doc_type in CITABLE_TYPES]
    noted = noted_applications(documents)
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
            for keys in dict.fromkeys(ESTIMATE_KEYS + WITHOUT_CITATIONS):
                levels.setdefault(_key(found[doc_id], keys), []).append(level)
    out = {}
    for doc_id, ev in found.items():
        if doc_id in rated:
            out[doc_id] = Importance(rated[doc_id], "hudoc")
            continue
        keys = next((k for k in ev.combinations if len(levels.get(_key(ev, k), ())) >= MIN_RATED), ())
        alike = levels.get(_key(ev, keys), [4])
        out[doc_id] = Importance(statistics.median_low(alike),
                                 f"estimated: {ev.describe(keys)} (median of {len(alike)} rated)")
    return out


def _key(ev: Evidence, keys: tuple[str, ...]) -> tuple:
    return (keys, *(getattr(ev, k) for k in keys))


def subjects(documents: list[SourceDocument]) -> dict[str, str]:
    """Each information note → the judgment or decision it summarises (an application number and the date in
    common: a just-satisfaction judgment or a decision on the same application is another document), each
    communicated case → the first judgment or decision on its application; those whose one the corpus lacks are
    not keys."""
    judgments: dict[str, list[SourceDocument]] = {}
    for d in sorted((d for d in documents if d.doc_type in CITABLE_TYPES), key=lambda d: (d.date or "", d.doc_id)):
        for appno in d.appno:
            judgments.setdefault(appno, []).append(d)
    out = {}
    for d in documents:
        if d.doc_type not in ABOUT_A_JUDGMENT:
            continue
        found = [j for a in d.appno for j in judgments.get(a, ())
                 if d.doc_type == "COMMUNICATED_CASE" or j.date == d.date]
        if found:
            out[d.doc_id] = found[0].doc_id
    return out


def importance(documents: list[SourceDocument], graph: CitationGraph) -> dict[str, Importance]:
    """A level and its origin for every judgment and decision among `documents`, and for every information note and
    communicated case: its judgment's, else estimated from what it shows itself."""
    rated = {d.doc_id: d.importance for d in documents if d.importance is not None and d.doc_type in CITABLE_TYPES}
    found = evidence(documents, graph)
    about = subjects(documents)
    noted = noted_applications(documents)
    alone = {d.doc_id: Evidence(bool(d.extra.get("grand_chamber")), None,
                                d.doc_type == "INFORMATION_NOTE" or any(a in noted for a in d.appno), None)
             for d in documents if d.doc_type in ABOUT_A_JUDGMENT and d.doc_id not in about}
    levels = estimate(rated, {**found, **alone})
    kinds = {d.doc_id: d.doc_type.lower() for d in documents}
    for doc_id, subject in about.items():
        level = levels[subject]
        levels[doc_id] = Importance(level.level, f"its {kinds[subject]} {subject}: {level.origin}")
    for doc_id in alone:
        levels[doc_id] = Importance(levels[doc_id].level,
                                    f"{levels[doc_id].origin}; its judgment is not in the corpus")
    return levels


WRITE_DOCUMENTS = 100
"""Documents whose importance goes to the store between two flushes: Edge holds what it has not flushed in memory,
and the levels of all 2,861 at once (~250,000 chunks' payloads rewritten) grew the process by ~450 MB."""


def store_importance(documents: list[SourceDocument], graph: CitationGraph, store) -> tuple[int, int, int]:
    """Writes each document's level and origin into its chunks' payload (`importance`, `importance_origin`), so the
    importance filter reads the estimate as it reads HUDOC's level; returns how many levels are HUDOC's, estimated,
    and taken from the judgment a note or communicated case is about."""
    return write_importance(importance(documents, graph), store)


def write_importance(levels: dict[str, Importance], store) -> tuple[int, int, int]:
    """`store_importance` with the levels computed: `WRITE_DOCUMENTS` documents a write, each flushed."""
    fields = [(doc_id, {"importance": i.level, "importance_origin": i.origin}) for doc_id, i in levels.items()]
    for start in range(0, len(fields), WRITE_DOCUMENTS):
        store.set_document_fields(dict(fields[start:start + WRITE_DOCUMENTS]))
        store.flush()
    rated = sum(i.origin == "hudoc" for i in levels.values())
    taken = sum(i.origin.startswith("its ") for i in levels.values())
    return rated, len(levels) - rated - taken, taken
