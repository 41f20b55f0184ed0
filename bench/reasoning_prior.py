"""Issue 22: is a judgment's whole reasoning a better guide to an expert question than its paragraphs one by one?

    KB_CORPUS=… .venv/bin/python bench/reasoning_prior.py columns PAYLOADS POOLS OUT   # add the columns
    .venv/bin/python bench/reasoning_prior.py rows OUT [--dev DEV_POOLS_OUT]         # replay, leave-one-out

An expert question is about a topic of Convention law ("workplace surveillance under Article 8"), and the judgments a
Case-Law Guide cites for it are the ones whose whole reasoning is about it, while paragraph BM25 rewards any
paragraph holding a few of its words. The counterpart of the facts-section index (`kb/facts.py`): one BM25 vector per
ECtHR judgment or decision over the paragraphs where the Court speaks in THE LAW (`court_role`), built here in
memory from a store's payload copy (`$KB_STORE-payloads.sqlite`; term frequencies from `qdrant_edge.Bm25` with
b = 0, so k1, b and the average length can be varied without re-tokenising), and each candidate's judgment ranked
among all of them (the case's excluded documents left out) as the feature `reasoning_document` = 1/(k + rank).

`columns` appends the feature (one column per `SCOPES` variant) to the pools `bench/question_pools.py` (questions)
or `bench/cross_encoder.py pools-dev` (the `dev.jsonl` citation sample) dumped; `rows` replays them with
`question_rankers.Replay` (the pipeline's spreader and near-duplicate filter) at each weight of `WEIGHTS` added to
the shipped ones, and by leave-one-out over the weight (questions: each question scored with the weight best on the
others; `dev.jsonl`: grouped by citing judgment). Nothing here is fitted on the citation graph, so no leakage guard
is needed beyond the cases' own exclusions.

The index as a source of candidates (`sources`, then `sourced`): for a Convention question, the Court's THE LAW
paragraphs of its first `MAX_JUDGMENTS` judgments by the index, the best `MAX_INSIDE` of each by the question's BM25
over the Court's paragraphs and the best `MAX_INSIDE` by MiniLM cosine (the pipeline's own `meaning` step, the
embedding cache's vectors), are fetched from the store and ranked with the pipeline's own pool as fetched candidates
(the ranker's `fetched`: no retrieval rank, no votes given). `sources` dumps every question's candidates with the
feature values and the raw cosine once; `sourced` replays each variant (how many judgments N, how many paragraphs m
each, by BM25 or cosine) by keeping only its added candidates and re-ranking `meaning` over what is kept (the one
feature that depends on the rest of the pool), then leave-one-out over the variants.

    KB_HOME=… KB_EMBED_CACHE=… .venv/bin/python bench/reasoning_prior.py sources [--inside store|store1
        --judgments N] --out sources.pkl   # store: one store BM25 query per judgment; store1: one for all N
    .venv/bin/python bench/reasoning_prior.py sourced sources.pkl [more dumps …]
"""

from __future__ import annotations

import argparse
import json
import pickle
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from question_pools import Pool  # noqa: E402, F401  (unpickling: the dumps name `__main__.Pool`)
from question_rankers import ECHR_KINDS, Replay, print_row, shipped_vector  # noqa: E402

from ingest.loaders.echr import COURT_ROLES  # noqa: E402
from kb.embedding import make_bm25  # noqa: E402
from kb.search.ranking import RANK_CONSTANT  # noqa: E402

K1, B = 1.2, 0.75
SCOPES = {
    "reasoning_document": lambda section, role: section == "THE LAW" and role in COURT_ROLES,
    "court_document": lambda section, role: role in COURT_ROLES,
    "law_document": lambda section, role: section == "THE LAW",
}
"""Which paragraphs of a judgment make its text: the Court's reasoning in THE LAW (the proposal), every paragraph
where the Court speaks (with the operative part), or all of THE LAW (the parties' submissions too)."""
DOC_TYPES = ("JUDGMENT", "DECISION")
WEIGHTS = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
"""Weights of `reasoning_document` tried (the facts index's passage weight is 7.96, `meaning`'s for questions 20)."""


@dataclass
class DocumentIndex:
    """BM25 over whole documents: `tf` documents × terms, the terms being `qdrant_edge.Bm25`'s hashed ids."""

    doc_ids: list[str]
    tf: sparse.csr_matrix
    term_column: dict[int, int]

    @classmethod
    def build(cls, texts: dict[str, str]) -> DocumentIndex:
        counter = make_bm25(k=K1, b=0.0)
        rows, cols, vals, term_column = [], [], [], {}
        doc_ids = sorted(texts)
        for i, doc_id in enumerate(doc_ids):
            sv = counter.embed_document(texts[doc_id])
            for term, value in zip(sv.indices, sv.values, strict=True):
                rows.append(i)
                cols.append(term_column.setdefault(int(term), len(term_column)))
                vals.append(value * K1 / (K1 + 1 - value))  # b = 0: value = tf (k+1) / (tf + k)
        tf = sparse.csr_matrix((vals, (rows, cols)), shape=(len(doc_ids), len(term_column)))
        return cls(doc_ids, tf, term_column)

    def weights(self, k1: float = K1, b: float = B) -> sparse.csr_matrix:
        """BM25 document weights × IDF (Qdrant's IDF modifier: ln(1 + (N − n + 0.5) / (n + 0.5)))."""
        lengths = np.asarray(self.tf.sum(axis=1)).ravel()
        norm = k1 * (1 - b + b * lengths / lengths.mean())
        tf = self.tf.tocoo()
        w = tf.data * (k1 + 1) / (tf.data + norm[tf.row])
        n = np.bincount(tf.col, minlength=self.tf.shape[1])
        idf = np.log1p((len(self.doc_ids) - n + 0.5) / (n + 0.5))
        return sparse.csr_matrix((w * idf[tf.col], (tf.row, tf.col)), shape=self.tf.shape)


class Ranker:
    def __init__(self, index: DocumentIndex, k1: float = K1, b: float = B) -> None:
        self.index = index
        self.w = index.weights(k1, b).tocsc()
        self.queries = make_bm25()
        self.row = {d: i for i, d in enumerate(index.doc_ids)}

    def scores(self, query: str) -> np.ndarray:
        cols = [self.index.term_column[t] for t in self.queries.embed_query(query).indices
                if int(t) in self.index.term_column]
        if not cols:
            return np.zeros(len(self.index.doc_ids))
        return np.asarray(self.w[:, cols].sum(axis=1)).ravel()

    def ranks(self, query: str, excluded: set[str]) -> dict[str, int]:
        """1-based rank of every matching document, the excluded ones left out (as `FactsIndex.ranks`: ties share
        the best rank)."""
        s = self.scores(query)
        for d in excluded:
            if d in self.row:
                s[self.row[d]] = 0.0
        positive = np.flatnonzero(s > 0)
        ordered = np.sort(s[positive])[::-1]
        return {self.index.doc_ids[i]: int(np.searchsorted(-ordered, -s[i], side="left")) + 1 for i in positive}


def texts_of(payloads: Path, keep) -> dict[str, str]:
    con = sqlite3.connect(f"file:{payloads}?mode=ro", uri=True)
    out: dict[str, list[str]] = {}
    marks = ",".join("?" * len(DOC_TYPES))
    for doc_id, payload in con.execute(f"SELECT doc_id, payload FROM chunks WHERE source_kind = 'echr' AND doc_type "
                                       f"IN ({marks}) ORDER BY doc_id, para_index", DOC_TYPES):
        p = json.loads(payload)
        if keep(p.get("section"), p.get("role")):
            out.setdefault(doc_id, []).append(p.get("text") or "")
    return {d: "\n".join(t) for d, t in out.items()}


def add_columns(args: argparse.Namespace) -> int:
    pools = pickle.loads(args.pools.read_bytes())
    for name, keep in SCOPES.items():
        index = DocumentIndex.build(texts_of(args.payloads, keep))
        print(f"{name}: {len(index.doc_ids)} documents, {index.tf.shape[1]} terms, mean length "
              f"{index.tf.sum() / len(index.doc_ids):.0f}", file=sys.stderr, flush=True)
        ranker = Ranker(index)
        for pool in pools:
            ranks = ranker.ranks(pool.case.query, set(pool.case.exclude_doc_ids))
            col = np.array([1.0 / (RANK_CONSTANT + ranks[d.meta.get("doc_id")]) if d.meta.get("doc_id") in ranks
                            else 0.0 for d in pool.documents])
            pool.features = np.hstack([pool.features, col.reshape(-1, 1)])
            pool.names = [*pool.names, name]
    args.out.write_bytes(pickle.dumps(pools))
    return 0


def loo(table: np.ndarray, groups: list[str]) -> tuple[np.ndarray, list[int]]:
    """table[v, q]; each case scored with the choice best on the cases of the other groups."""
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    totals = table.sum(axis=1)
    out, chosen = np.empty(table.shape[1]), [0] * table.shape[1]
    for members in by_group.values():
        c = int(np.argmax(totals - table[:, members].sum(axis=1)))
        for i in members:
            out[i], chosen[i] = table[c, i], c
    return out, chosen


def rows_for(replays: list[Replay], names: list[str], column: str, grouped: bool) -> None:
    j = names.index(column)
    base = [shipped_vector(r.pool) for r in replays]
    table_scores = []
    for w in WEIGHTS:
        scores = []
        for r, b in zip(replays, base, strict=True):
            v = b.copy()
            v[j] = w
            scores.append(r.X @ v)
        table_scores.append(scores)
        print_row(f"+ {column} × {w:g}", replays, scores)
    table = np.array([[r.objective(s[i]) for i, r in enumerate(replays)] for s in table_scores])
    groups = [(r.case.exclude_doc_ids[0] if grouped and r.case.exclude_doc_ids else r.case.qid) for r in replays]
    _, chosen = loo(table, groups)
    picks: dict[float, int] = {}
    for c in chosen:
        picks[WEIGHTS[c]] = picks.get(WEIGHTS[c], 0) + 1
    print_row(f"+ {column}, {'grouped ' if grouped else ''}leave-one-out over the weight (chosen: {picks})", replays,
              [table_scores[c][i] for i, c in enumerate(chosen)])


def rows(args: argparse.Namespace) -> int:
    for path, kinds, grouped in ((args.pools, ECHR_KINDS, False), (args.dev, ("citation",), True)):
        if path is None:
            continue
        pools = pickle.loads(path.read_bytes())
        replays = [Replay(p) for p in pools if p.case.kind in kinds]
        names = pools[0].names
        same = sum(r.top10(r.X @ shipped_vector(r.pool)) == list(r.pool.shipped)[:10] for r in replays)
        print(f"\n{path.name}: {len(replays)} cases, replay equals the pipeline's top 10 for {same}\n")
        kinds_seen = sorted({r.case.kind for r in replays})
        print("| ranker | all doc@10 / para@10 | " + " | ".join(kinds_seen) + " |\n|---|---|"
              + "---|" * len(kinds_seen))
        for column in SCOPES:
            if column in names:
                rows_for(replays, names, column, grouped)
    return 0


MAX_JUDGMENTS, MAX_INSIDE, NOT_LISTED = 20, 8, 10**6
STORE_JUDGMENTS, STORE_INSIDE = 10, 5
"""The variant leave-one-out chose (`sourced`), run with the store's BM25 by `sources --inside store`."""
VARIANTS = [("none", "none", 0, 0)] + [(source, how, n, m) for source in ("index", "leading")
                                       for how in ("bm25", "cosine") for n in (3, 5, 10, 20) for m in (2, 3, 5, 8)]
"""(which judgments: the reasoning index's first or, the control, the pipeline's own first ECtHR judgments; how the
paragraphs inside a judgment are chosen; judgments N; paragraphs m each)."""


def court_paragraphs(payloads: Path) -> dict[str, str]:
    """'doc_id\\tparagraph' → text of every Court paragraph in THE LAW."""
    con = sqlite3.connect(f"file:{payloads}?mode=ro", uri=True)
    keep = SCOPES["reasoning_document"]
    out = {}
    marks = ",".join("?" * len(DOC_TYPES))
    for doc_id, payload in con.execute(f"SELECT doc_id, payload FROM chunks WHERE source_kind = 'echr' AND doc_type "
                                       f"IN ({marks})", DOC_TYPES):
        p = json.loads(payload)
        if keep(p.get("section"), p.get("role")) and p.get("paragraph") is not None:
            out[f"{doc_id}\t{p.get('paragraph')}"] = p.get("text") or ""
    return out


def sources(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from haystack import Document
    from question_pools import QUESTION_FILES

    from kb.api import KnowledgeBase
    from kb.requests import SearchMode
    from kb.search.evaluation import read_cases
    from kb.search.modes import ALL_PARTS
    from kb.search.ranking import key_of
    from kb.search.retrieval import bm25_documents, to_document
    from kb.settings import Settings
    from kb.store.base import SparseVector
    from kb.store.payloads import copy_path

    settings = Settings.load()
    kb = KnowledgeBase(settings)
    payloads = copy_path(settings.store)
    index = Ranker(DocumentIndex.build(texts_of(payloads, SCOPES["reasoning_document"])))
    paragraphs = court_paragraphs(payloads)
    inside = Ranker(DocumentIndex.build(paragraphs))
    by_doc: dict[str, list[int]] = {}
    for i, key in enumerate(inside.index.doc_ids):
        by_doc.setdefault(key.split("\t")[0], []).append(i)
    print(f"{len(index.index.doc_ids)} judgments, {len(paragraphs)} Court paragraphs", file=sys.stderr, flush=True)
    cases = [(f, c) for f in QUESTION_FILES for c in read_cases(settings.corpus.parent / "eval" / f)]
    # the pipeline without the shipped source (`kb.search.reasoning`, this prototype made into a step): the baseline
    search = kb.search_pipeline(SearchMode.RANKED, parts=replace(ALL_PARTS, reasoning_source=False))
    meaning = search.pipeline.get_component("meaning")
    out = []
    try:
        for n, (file, case) in enumerate(cases, 1):
            filters, res = run_case(search, case)
            reading = res["read"]["reading"]
            pool, fetched = list(res["fetch"]["documents"]), list(res["fetch"]["fetched"])
            tags: dict[tuple[str, str], tuple[int, int, int]] = {}
            added = []
            spent = {}
            if reading.convention and args.inside in ("store", "store1"):
                # as a pipeline step would: the index's first judgments, each one's best Court paragraphs in THE LAW
                # by the store's own BM25 (one query per judgment), timed
                started = time.process_time()
                ranks = index.ranks(case.query, set(case.exclude_doc_ids))
                present = {key_of(d) for d in pool + fetched}
                query = index.queries.embed_query(case.query)
                sparse = SparseVector(list(query.indices), list(query.values))
                first = sorted(ranks, key=ranks.get)[:args.judgments]
                if args.inside == "store1":  # one query: the best N × m Court paragraphs of the N judgments together
                    found = bm25_documents(kb.store, sparse, replace(filters, doc_ids=tuple(first), roles=COURT_ROLES,
                                                                     sections=("THE LAW",)),
                                           args.judgments * STORE_INSIDE)
                    # tagged so that the variant "m" keeps the best N × m overall
                    chosen = [(first.index(d.meta["doc_id"]) + 1, -(-r // args.judgments), d)
                              for r, d in enumerate(found, 1)]
                else:
                    chosen = []
                    for j, doc_id in enumerate(first, 1):
                        inside_filters = replace(filters, doc_ids=(doc_id,), roles=COURT_ROLES, sections=("THE LAW",))
                        chosen += [(j, r, d) for r, d in enumerate(bm25_documents(kb.store, sparse, inside_filters,
                                                                                  STORE_INSIDE), 1)]
                for j, r, d in chosen:
                    if key_of(d) not in present and key_of(d) not in tags:
                        tags[key_of(d)] = (j if args.inside == "store" else 1, NOT_LISTED, r, NOT_LISTED)
                        added.append(replace(d, score=0.0))
                spent["source"] = time.process_time() - started
            elif reading.convention:
                ranks = index.ranks(case.query, set(case.exclude_doc_ids))
                by_index = sorted(ranks, key=ranks.get)[:MAX_JUDGMENTS]
                leading: list[str] = []  # the control: the first judgments of the pipeline's own ranking
                for d in res["rank"]["documents"]:
                    if d.meta.get("source_kind") == "echr" and d.meta.get("role") and d.meta["doc_id"] not in leading:
                        leading.append(d.meta["doc_id"])
                leading = leading[:MAX_JUDGMENTS]
                scores = inside.scores(case.query)
                present = {key_of(d) for d in pool + fetched}
                for doc_id in dict.fromkeys(by_index + leading):
                    rows = by_doc.get(doc_id, [])
                    keys = [tuple(inside.index.doc_ids[i].split("\t")) for i in rows]
                    by_bm25 = [keys[i] for i in np.argsort(-scores[rows], kind="stable")]
                    docs = [Document(content=paragraphs["\t".join(k)], meta={"doc_id": k[0], "paragraph": k[1]})
                            for k in keys]
                    sim = meaning.run(documents=docs, reading=reading)["similarity"] if docs else {}
                    by_cosine = sorted(keys, key=lambda k: -sim.get(k, -1.0))
                    for k in set(by_bm25[:MAX_INSIDE]) | set(by_cosine[:MAX_INSIDE]):
                        if k not in present:
                            tags[k] = (by_index.index(doc_id) + 1 if doc_id in by_index else NOT_LISTED,
                                       leading.index(doc_id) + 1 if doc_id in leading else NOT_LISTED,
                                       by_bm25.index(k) + 1, by_cosine.index(k) + 1)
                wanted = set(tags)
                for chunk in kb.store.scroll_paragraphs(sorted(tags), filters):
                    k = (chunk.payload.get("doc_id", ""), str(chunk.payload.get("paragraph")))
                    if k in wanted:
                        wanted.discard(k)
                        added.append(to_document(replace(chunk, score=0.0)))
            out.append(tagged_pool(search, res, case, file, filters, added, tags, spent))
            print(f"  {n}/{len(cases)} {case.qid}: {len(pool) + len(fetched)} candidates + {len(added)}",
                  file=sys.stderr, flush=True)
    finally:
        kb.close()
    args.out.write_bytes(pickle.dumps(out))
    return 0


def run_case(search, case):
    """The case's filters (its exclusions) and the pipeline's run with the outputs a tagged pool is made of."""
    from kb.store.base import SearchFilters

    filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
    data = search._map_explicit_inputs(input_mapping=search.input_mapping,
                                       inputs={"query": case.query, "filters": filters, "top_k": 10})
    return filters, search.pipeline.run(data, include_outputs_from={"read", "fetch", "retriever_zh", "rank",
                                                                    "body_first"})


def tagged_pool(search, res: dict, case, file: str, filters, added: list, tags: dict, spent: dict) -> Pool:
    """The question's pool ranked by the pipeline's own ranker and `meaning` with the `added` candidates beside the
    fetched ones (timed without and with them in `spent`), each candidate tagged (`tags`: how a variant keeps it)."""
    from haystack import Document
    from question_pools import SLIM_META

    from kb.search.ranking import FEATURES, key_of, ranking_features

    meaning, rank = search.pipeline.get_component("meaning"), search.pipeline.get_component("rank")
    reading = res["read"]["reading"]
    pool, fetched = list(res["fetch"]["documents"]), list(res["fetch"]["fetched"])
    for label, extra in (("without", []), ("with", added)):
        started = time.process_time()
        similarity = meaning.run(documents=pool, reading=reading, fetched=fetched + extra)["similarity"] \
            if reading.lawyer else {}
        ranked = rank.run(documents=pool, reading=reading, filters=filters, fetched=fetched + extra,
                          evidence=res["fetch"]["evidence"], similarity=similarity,
                          glossary_terms=res.get("retriever_zh", {}).get("glossary_terms", 0))["documents"]
        spent[label] = time.process_time() - started
    ranked = list(ranked)
    X = np.array([[ranking_features(c)[f] for f in FEATURES] for c in ranked], dtype=np.float64)
    slim = [Document(id=c.id, content=c.content, meta={k: c.meta.get(k) for k in SLIM_META}) for c in ranked]
    shipped = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in res["body_first"]["documents"]]
    p = Pool(case, file, reading, slim, X.reshape(-1, len(FEATURES)), list(FEATURES), shipped)
    p.cosine = np.array([similarity.get(key_of(c), 0.0) for c in ranked])
    p.tags = [tags.get(key_of(c)) for c in ranked]
    p.spent = spent
    return p


def variant_pool(pool: Pool, source: str, how: str, n: int, m: int) -> Pool:
    """The pool with only the variant's added candidates, `meaning` re-ranked over what is kept."""
    from dataclasses import replace

    from kb.search.ranking import key_of

    which, column = {"index": 0, "leading": 1}.get(source), {"bm25": 2, "cosine": 3}.get(how)
    keep = [i for i, t in enumerate(pool.tags) if t is None or (column and t[which] <= n and t[column] <= m)]
    X = pool.features[keep].copy()
    if pool.reading.lawyer:
        keys = [key_of(pool.documents[i]) for i in keep]
        cos = {}
        for k, i in zip(keys, keep, strict=True):
            cos.setdefault(k, pool.cosine[i])
        order = {k: r for r, k in enumerate(sorted(cos, key=lambda k: -cos[k]), 1)}
        X[:, pool.names.index("meaning")] = [1.0 / (RANK_CONSTANT + order[k]) for k in keys]
    return replace(pool, documents=[pool.documents[i] for i in keep], features=X)


def sourced(args: argparse.Namespace) -> int:
    """Every variant of every dump (one dump per `sources` run: their variants differ in what was fetched) with its
    metrics, then leave-one-out over all of them; a variant keeping the same candidates as one before it is left
    out (the store dumps tag fewer dimensions: `--inside store1` tags every paragraph with N = 1 and m = its rank
    among the N judgments' paragraphs together divided by N, so its row "m" keeps the best N × m together)."""
    table, runs, labels, seen = [], [], [], set()
    in_pool: dict[str, int] = {}
    base: list[int] = []
    """The pipeline's own candidates per question (the first dump's `none`)."""
    for path in args.pools:
        pools = [p for p in pickle.loads(path.read_bytes()) if p.case.kind in (args.kinds or ECHR_KINDS)]
        if not runs:
            kinds = sorted({p.case.kind for p in pools})
            print("| variant | added per question | all doc@10 / para@10 | " + " | ".join(kinds) + " |\n|---|---|---|"
                  + "---|" * len(kinds))
        for source, how, n, m in VARIANTS:
            kept = [variant_pool(p, source, how, n, m) for p in pools]
            signature = (path if source != "none" else None, tuple(len(v.documents) for v in kept))
            if signature in seen or (source != "none" and [len(v.documents) for v in kept] == base):
                continue
            seen.add(signature)
            replays = [Replay(v) for v in kept]
            scores = [r.X @ shipped_vector(r.pool) for r in replays]
            label = "none" if source == "none" else f"{path.stem}: {source} {how} N={n} m={m}"
            if source == "none":
                same = sum(r.top10(s) == list(r.pool.shipped)[:10] for r, s in zip(replays, scores, strict=True))
                print(f"(replay of the pipeline's own pool equals its top 10 for {same} of {len(replays)})")
                base = [len(v.documents) for v in kept]
            added = np.mean([len(v.documents) - b for v, b in zip(kept, base, strict=True)])
            print_row(f"{label} | {added:.1f}", replays, scores)
            table.append([r.objective(s) for r, s in zip(replays, scores, strict=True)])
            runs.append((replays, scores))
            labels.append(label)
            in_pool[label] = sum(any(d.meta.get("doc_id") in p.case.relevant and p.case.relevant[d.meta["doc_id"]]
                                     and str(d.meta.get("paragraph")) in p.case.relevant[d.meta["doc_id"]]
                                     for d in v.documents) for p, v in zip(pools, kept, strict=True)
                                 if p.case.kind == "echr-qa")
    _, chosen = loo(np.array(table), [r.case.qid for r in runs[0][0]])
    picks: dict[str, int] = {}
    for c in chosen:
        picks[labels[c]] = picks.get(labels[c], 0) + 1
    print_row(f"leave-one-out over the variants (chosen: {picks}) |", [runs[c][0][i] for i, c in enumerate(chosen)],
              [runs[c][1][i] for i, c in enumerate(chosen)])
    print("\nexpert questions with a pinpointed paragraph among the candidates: " + str(in_pool))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("columns")
    c.add_argument("payloads", type=Path)
    c.add_argument("pools", type=Path)
    c.add_argument("out", type=Path)
    r = sub.add_parser("rows")
    r.add_argument("pools", type=Path, nargs="?")
    r.add_argument("--dev", type=Path, help="dev.jsonl citation pools with the columns")
    o = sub.add_parser("sources")
    o.add_argument("--out", type=Path, required=True)
    o.add_argument("--inside", choices=("memory", "store", "store1"), default="memory",
                   help="store: as a pipeline step would, the index's first judgments' best paragraphs by the "
                        "store's BM25 (`STORE_JUDGMENTS`, `STORE_INSIDE`), each step's CPU timed; store1: one query "
                        "for the best N × m paragraphs of the N judgments together")
    o.add_argument("--judgments", type=int, default=STORE_JUDGMENTS, help="N of --inside store/store1")
    d = sub.add_parser("sourced")
    d.add_argument("pools", type=Path, nargs="+", help="one or more `sources` dumps (the same questions)")
    d.add_argument("--kinds", nargs="*", help="the cases' kinds (default: the ECtHR questions); the other lawyer "
                   "kinds' replay leaves out the UN slot and the short-list fill, so compare its `none` row")
    args = parser.parse_args(argv)
    return {"columns": add_columns, "rows": rows, "sources": sources, "sourced": sourced}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
