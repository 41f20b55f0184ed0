"""Dump each dev question's ranked pool once, with every feature value, so rankers can be compared offline.

    KB_HOME=… KB_EMBED_CACHE=… nice -n 10 .venv/bin/python bench/question_pools.py --out pools.pkl

For every question of `dev-echr-qa.jsonl` and `dev-lawyer-questions.jsonl` the shipped ranked pipeline
(`KnowledgeBase.search_pipeline`, the object `kb search` runs) gives its candidates (`rank.documents`: retrieved,
leading-judgment and vote-fetched paragraphs) with the feature values its `LegalRanker` computed, and its top 10
(so `bench/question_rankers.py` can check that its offline replay of the spreader and the near-duplicate filter
gives the pipeline's own list). Beside the registered features, the candidate signals of issue 22 that the shipped
ranker does not compute, each from the store's payload, the citation graph (held-out citing documents and the
case's own exclusions never counted) or the MiniLM similarity the pipeline's `meaning` step computes
(`TRIAL_SIGNALS`). Why a dump: a search costs seconds on a loaded machine, a re-ranking of the dump microseconds.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from haystack import Document

from kb.api import KnowledgeBase
from kb.citations.graph import open_graph
from kb.requests import SearchMode
from kb.search.evaluation import EvalCase, read_cases
from kb.search.modes import ALL_PARTS, SearchParts
from kb.search.principles import court_states_principles
from kb.search.queries import QueryReading, read_query
from kb.search.ranking import FEATURES, key_of, ranking_features
from kb.settings import Settings
from kb.store.base import SearchFilters

QUESTION_FILES = ("dev-echr-qa.jsonl", "dev-lawyer-questions.jsonl")
TRIAL_SIGNALS = ("cosine", "cosine_z", "cosine_margin", "doc_cosine_max", "doc_cosine_mean", "doc_retrieval_max",
                 "principles", "cited_total", "cited_recent", "cited_documents", "cites_out", "grand_chamber_gc",
                 "year")
"""`cosine`: the raw MiniLM cosine with the question; `cosine_z`: the same standardised over the pool; `cosine_margin`:
its margin over the best other paragraph of the same document in the pool (0 when alone); `doc_cosine_max/mean`:
over the document's paragraphs in the pool; `doc_retrieval_max`: the best `retrieval` feature of the document's
paragraphs; `principles`: a Court paragraph under a "principles" heading (`states_principles`); `cited_total`:
log(1 + later paragraphs citing it); `cited_recent`: the same counting only citing judgments dated from 2015;
`cited_documents`: log(1 + other documents citing its document); `cites_out`: log(1 + resolved citations the
paragraph makes: a statement of principle cites its precedents); `grand_chamber_gc`: the payload's Grand Chamber
flag; `year`: the judgment's year, minus 2000, over 10."""
RECENT = "2015-01-01"
SLIM_META = ("doc_id", "paragraph", "para_index", "title", "appno", "source_kind", "role", "heading", "doc_type",
             "source_file")
"""The payload a replay reads (`source_file`: the spreader's campaign site, `kb.search.ranking.site_of`)."""


@dataclass
class Pool:
    case: EvalCase
    file: str
    reading: QueryReading
    documents: list[Document]
    """The candidates, slim (the text for the near-duplicate filter, the meta the spreader and labels read)."""
    features: np.ndarray
    """One row per candidate: `FEATURES` then `TRIAL_SIGNALS`."""
    names: list[str]
    shipped: list[tuple[str, str | None]]
    """The pipeline's own top 10."""
    parts: SearchParts = ALL_PARTS
    """The search parts the pool was dumped with (the replay's spreader depends on `leading_judgments`)."""


def incoming_by_date(graph, excluded: set[str]) -> tuple[dict, dict]:
    """(cited doc, para) → citing paragraphs, all and from `RECENT`; cited doc → citing documents; both without the
    excluded citers."""
    with graph._connect() as con:
        dates = dict(con.execute("SELECT doc_id, date FROM documents"))
        rows = con.execute("SELECT p.cited_doc, p.cited_para, c.citing_doc, c.citing_para FROM pinpoints p "
                           "JOIN citations c ON c.id = p.citation_id").fetchall()
        docs = con.execute("SELECT DISTINCT cited_doc, citing_doc FROM citations "
                           "WHERE cited_doc IS NOT NULL AND cited_doc != citing_doc").fetchall()
    citers: dict[tuple[str, str], set[tuple[str, str, bool]]] = {}
    for cited_doc, cited_para, citing_doc, citing_para in rows:
        if citing_doc not in excluded:
            recent = (dates.get(citing_doc) or "") >= RECENT
            citers.setdefault((cited_doc, str(cited_para)), set()).add((citing_doc, citing_para, recent))
    cited_docs: dict[str, set[str]] = {}
    for cited, citing in docs:
        if citing not in excluded:
            cited_docs.setdefault(cited, set()).add(citing)
    return citers, cited_docs


def trial_signals(docs: list[Document], values: list[dict], similarity: dict, graph, citers: dict,
                  cited_docs: dict, excluded: set[str]) -> np.ndarray:
    keys = [key_of(d) for d in docs]
    cos = np.array([similarity.get(k, 0.0) for k in keys])
    z = (cos - cos.mean()) / (cos.std() or 1.0)
    by_doc: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        by_doc.setdefault(k[0], []).append(i)
    out_counts = {(a, b): 0 for a, b in keys}
    for citing_doc, citing_para, _, _ in graph.outgoing(keys, excluded):
        out_counts[(citing_doc, citing_para)] += 1
    rows = []
    for i, (doc, k) in enumerate(zip(docs, keys, strict=True)):
        same = by_doc[k[0]]
        others = [cos[j] for j in same if keys[j] != k]
        paragraph_citers = {(d, p) for d, p, _ in citers.get(k, ())}
        recent = {(d, p) for d, p, r in citers.get(k, ()) if r}
        date = str(doc.meta.get("date") or "")
        year = (int(date[:4]) - 2000) / 10 if date[:4].isdigit() else 0.0
        rows.append([cos[i], z[i], cos[i] - max(others) if others else 0.0, max(cos[j] for j in same),
                     float(np.mean([cos[j] for j in same])), max(values[j]["retrieval"] for j in same),
                     float(court_states_principles(doc.meta)),
                     math.log1p(len(paragraph_citers)), math.log1p(len(recent)),
                     math.log1p(len(cited_docs.get(k[0], ()))), math.log1p(out_counts.get(k, 0)),
                     float(bool(doc.meta.get("grand_chamber"))), year])
    return np.array(rows, dtype=np.float64).reshape(-1, len(TRIAL_SIGNALS))


def dump(kb: KnowledgeBase, cases: list[tuple[str, EvalCase]], parts: SearchParts = ALL_PARTS) -> list[Pool]:
    search = kb.search_pipeline(SearchMode.RANKED, parts=parts)
    similarity_step = search.pipeline.get_component("meaning")
    graph = open_graph(kb.settings.citations_db)
    names = list(FEATURES) + list(TRIAL_SIGNALS)
    out = []
    cache: dict[frozenset[str], tuple[dict, dict]] = {}
    for i, (file, case) in enumerate(cases, 1):
        excluded = set(case.exclude_doc_ids)
        filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
        result = search.run(query=case.query, filters=filters, top_k=10)
        cands = list(result["candidates"])
        reading = read_query(case.query)
        similarity = similarity_step.run(documents=cands, reading=reading)["similarity"] if reading.lawyer else {}
        if frozenset(excluded) not in cache:
            cache[frozenset(excluded)] = incoming_by_date(graph, excluded)
        citers, cited_docs = cache[frozenset(excluded)]
        values = [ranking_features(c) for c in cands]
        registered = np.array([[v[f] for f in FEATURES] for v in values], dtype=np.float64).reshape(-1, len(FEATURES))
        X = np.hstack([registered, trial_signals(cands, values, similarity, graph, citers, cited_docs, excluded)])
        slim = [Document(id=c.id, content=c.content, meta={k: c.meta.get(k) for k in SLIM_META}) for c in cands]
        shipped = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in result["documents"]]
        out.append(Pool(case, file, reading, slim, X, names, shipped, parts))
        print(f"  {i}/{len(cases)} {case.qid}: {len(cands)} candidates", file=sys.stderr, flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the pickle to write")
    parser.add_argument("--eval-dir", type=Path, help="default: $KB_CORPUS/../eval")
    parser.add_argument("--part", action="append", default=[], help="P=0|1: a `SearchParts` flag (repeatable)")
    args = parser.parse_args(argv)
    parts = replace(ALL_PARTS, **{name: value not in ("0", "false", "off")
                                  for name, _, value in (p.partition("=") for p in args.part)})
    settings = Settings.load()
    eval_dir = args.eval_dir or settings.corpus.parent / "eval"
    cases = [(name, case) for name in QUESTION_FILES for case in read_cases(eval_dir / name)]
    kb = KnowledgeBase(settings)
    try:
        pools = dump(kb, cases, parts)
    finally:
        kb.close()
    args.out.write_bytes(pickle.dumps(pools))
    print(f"{len(pools)} pools → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
