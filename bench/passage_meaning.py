"""Does MiniLM's similarity help a pasted passage? The `meaning` feature (`kb.search.meaning.PoolSimilarity`, the
cosine of the query with each pool candidate, as a reciprocal rank) measured on `dev.jsonl`'s pools, offline, with
the weight chosen by cross-validation grouped by citing judgment (issue 22).

    # 1. the pools of a dev.jsonl sample, with the cosine of every candidate (nice -n 19, background)
    KB_HOME=… KB_EMBED_CACHE=… nice -n 19 .venv/bin/python bench/passage_meaning.py dump --out dev-pools.pkl \
        [--citation 1000 --summary 100 --seed 1] [--dense 20] [--check 40]   # --citation 0 --summary 0: all of it
        [--depth 60 90 120]   # one pool file per depth of a passage's BM25 retrieval (dev-pools.pkl, -90, -120)
        [--no-cosine]   # for the passage model (which reads no cosine): no MiniLM, ~0.1 CPU s a case, not ~4
    # 2. the figures: shipped weights replayed against + meaning (rank, raw cosine, z-score) at a grid of weights
    .venv/bin/python bench/passage_meaning.py eval dev-pools.pkl [--folds 5]

Why offline: a ranked search costs ~0.1-1 s on a loaded machine, a re-ranking of a dumped pool microseconds, so one
dump serves every weight. The dump runs the shipped pipeline (`KnowledgeBase.search_pipeline`, what `kb search`
runs) and keeps its own top 10, then scores the same candidates once more with the ranker at a passage weight set
whose `meaning` is on (so its features hold the meaning-rank exactly as the pipeline would compute it; the
features do not depend on the weights otherwise), the MiniLM cosines coming from a `PoolSimilarity` that embeds
every query. The replay (`question_rankers.Replay`: spreader, near-duplicate filter, top 10) is checked against the
pipeline's top 10 at the shipped weights for every case and, for the first `--check` cases, against a pipeline
built with `passages.meaning` = 20 (so the offline meaning-rank is the pipeline's).

Since session 15 the pipeline scores a passage with the passage model (`kb.search.passage_model`), so the dump's
own top 10 is the model's: `bench/passage_ltr.py eval --model` replays it; the rows here replay the linear weights
(equal to a pipeline built with `Ranking(passage_model=None)`).

`--depth N …`: the pools of a deeper BM25 retrieval for a passage (the retriever's candidates set to N before each
search; a query read as a lawyer's question keeps the shipped 60, as its weights and parts were chosen on 60), every
depth of a case dumped from the same process, one file per depth, with the pool's recall printed. Session 15: the
cited document / the cited paragraph in the pool of the 3,562 citation cases 0.854 / 0.777 at 60, 0.882 / 0.805 at 90,
0.897 / 0.819 at 120 (`bench/passage_ltr.py eval --against` for what the passage model makes of them).

`--dense K`: a second pool per case, the store's K nearest passages by the query's MiniLM vector (within the same
filters, so the case's own judgment excluded) added as fetched candidates (no retrieval rank, no votes), every
feature computed again over the larger pool by the shipped ranker. Earlier "ranked over hybrid candidates" lost on
`dev.jsonl`, but without `meaning` for passages.

The weight of each variant is chosen by K-fold cross-validation grouped by citing judgment (`--folds`; a summary
case is its own group): each case is scored with the weight best on the folds without it. Objective per case: the
mean of doc_hit@10 and para_hit@10 for a citation, doc_hit@1 for a summary (the issue's targets). Summary cases a
reading takes for a lawyer's question keep the question weights (which this leaves untouched).
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from question_pools import SLIM_META, Pool  # noqa: E402

EVAL_DIR = Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")).parent / "eval"
EXTRA_META = ("section", "year", "date", "importance", "grand_chamber", "formation", "articles")
"""Payload kept beside `SLIM_META` for the learning-to-rank features (`bench/passage_ltr.py`), and `bm25`: the
candidate's BM25 score in the retrieved pool (None for a fetched one)."""
SIGNALS = ("cosine", "cosine_z")
"""Columns after the registered features: the raw cosine with the query, and the same standardised over the pool."""
RANK_GRID = (0.0, 2.5, 5.0, 10.0, 20.0, 40.0)
"""`meaning` weights tried (the question weight is 20; `retrieval` is 8.47 for a passage)."""
RAW_GRID = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""Raw cosine and z-score: weights in units of one retrieval step per standard deviation of the signal."""


# -- 1. the pools ---------------------------------------------------------------------------------------------


def dump(args: argparse.Namespace) -> int:
    from eval_dev import chosen_cases
    from haystack import Document

    from kb.api import KnowledgeBase
    from kb.requests import SearchMode
    from kb.search.evaluation import read_cases
    from kb.search.meaning import PoolSimilarity, Similarity
    from kb.search.ranking import (
        DEFAULT_RANKING,
        FEATURES,
        PASSAGE_WEIGHTS,
        LegalRanker,
        Ranking,
        key_of,
        ranking_features,
    )
    from kb.search.retrieval import RANKED_CANDIDATES, to_document
    from kb.settings import Settings
    from kb.store.base import SearchFilters

    if args.cases:
        cases = [(path.name, c) for path in args.cases for c in read_cases(path)]
    else:
        cases = [(f, c) for f, c in chosen_cases(EVAL_DIR, args.citation, args.summary, args.seed) if f == "dev.jsonl"]
    kb = KnowledgeBase(Settings.load())
    search = kb.search_pipeline(SearchMode.RANKED)
    shipped_ranker = search.pipeline.get_component("rank")
    on = Ranking(replace(PASSAGE_WEIGHTS, meaning=20.0), DEFAULT_RANKING.questions)
    ranker = LegalRanker(shipped_ranker.graph, on, shipped_ranker.facts, shipped_ranker.source_aware)
    similarity_step = PoolSimilarity(kb.settings.embedding, kb.settings.embeddings_cache, lambda _: True, key_of)
    checked = kb.search_pipeline(SearchMode.RANKED, ranking=on) if args.check else None
    names = [*FEATURES, *SIGNALS]
    depths = args.depth or [RANKED_CANDIDATES]
    retriever = search.pipeline.get_component("retriever")
    deep: dict[int, list] = {depth: [] for depth in depths}
    dense_pools: list = []
    checks: list = []
    started = time.process_time()
    try:
        for n, (file, case) in enumerate(cases, 1):
            filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
            inputs = search._map_explicit_inputs(input_mapping=search.input_mapping,
                                                 inputs={"query": case.query, "filters": filters, "top_k": 10})
            lawyer = search.pipeline.get_component("read").run(query=case.query)["reading"].lawyer
            for depth in depths:
                # a deeper pool for a passage only: a lawyer's question keeps the pool its weights were chosen on
                retriever.candidates = RANKED_CANDIDATES if lawyer else depth
                out = search.pipeline.run(data=inputs, include_outputs_from={"fetch", "read", "rank", "body_first",
                                                                          "reasoning"})
                reading = out["read"]["reading"]
                shipped = [listed(d) for d in out["body_first"]["documents"]]
                pool, fetched, evidence = out["fetch"]["documents"], out["fetch"]["fetched"], out["fetch"]["evidence"]
                if "reasoning" in out:  # a question's judgments from the reasoning index join the fetched ones
                    fetched = out["reasoning"]["fetched"]
                bm25 = {key_of(d): d.score for d in pool}
                extra = []
                if args.dense and depth == depths[0]:
                    query = similarity_step._embedders()[0].run(text=reading.text)["embedding"]
                    present = {key_of(d) for d in [*pool, *fetched]}
                    found = kb.store.search(query, None, filters, limit=args.dense, mode="dense",
                                            prefetch_limit=args.dense, weights=(1.0, 0.0))
                    extra = [d for d in (to_document(replace(c, score=0.0)) for c in found)
                             if key_of(d) not in present]
                for target, more in ((deep[depth], []), (dense_pools, extra)) if extra else ((deep[depth], []),):
                    wider = type(fetched)([*fetched, *more])
                    similarity = (Similarity() if args.no_cosine else
                                  similarity_step.run(documents=pool, reading=reading, fetched=wider)["similarity"])
                    ranked = ranker.run(documents=pool, reading=reading, filters=filters, fetched=wider,
                                        evidence=evidence, similarity=similarity)["documents"]
                    X = np.array([[ranking_features(d)[f] for f in FEATURES] for d in ranked],
                                 dtype=np.float64).reshape(-1, len(FEATURES))  # (0, n): a question nothing matched
                    cos = np.array([similarity.get(key_of(d), 0.0) for d in ranked])
                    z = (cos - cos.mean()) / (cos.std() or 1.0) if len(cos) else cos
                    slim = [Document(id=d.id, content=d.content,
                                     meta={**{k: d.meta.get(k) for k in (*SLIM_META, *EXTRA_META)},
                                           "bm25": bm25.get(key_of(d))})
                            for d in ranked]
                    target.append(Pool(case, file, reading, slim, np.hstack([X, cos[:, None], z[:, None]]), names,
                                       shipped))
            retriever.candidates = RANKED_CANDIDATES
            if n <= args.check:
                hits = checked.run(query=case.query, filters=filters, top_k=10)["documents"]
                checks.append([listed(d) for d in hits])
            if n % 50 == 0:
                print(f"  {n}/{len(cases)} {(time.process_time() - started) / n:.2f} cpu s a case", file=sys.stderr,
                      flush=True)
            if n % args.save_every == 0:
                save(args, deep, dense_pools, checks, PASSAGE_WEIGHTS.meaning)
    finally:
        kb.close()
    save(args, deep, dense_pools, checks, PASSAGE_WEIGHTS.meaning)
    return 0


def save(args: argparse.Namespace, deep: dict[int, list], dense_pools: list, checks: list, meaning: float) -> None:
    """The pools so far, one file per depth (a long dump's first cases can be evaluated while it runs)."""
    depths = list(deep)
    for depth, pools in deep.items():
        out_path = args.out if depth == depths[0] else args.out.with_stem(f"{args.out.stem}-{depth}")
        out_path.write_bytes(pickle.dumps({"pools": pools, "dense": dense_pools if depth == depths[0] else [],
                                           "checks": checks, "meaning": meaning,
                                           "sample": (args.citation, args.summary, args.seed),
                                           "dense_k": args.dense, "depth": depth}))
        print(f"{len(pools)} pools of {depth} BM25 candidates (a passage) → {out_path}; in the pool (citation): "
              f"{pool_recall(pools)}", file=sys.stderr, flush=True)


def pool_recall(pools: list) -> str:
    """The share of citation cases whose pool holds the cited document, and the cited paragraph (of those with one):
    the ceiling of any re-ordering."""
    from question_rankers import Replay, labels

    y = [labels(Replay(p)) for p in pools if p.case.kind == "citation"]
    pinned = [labels(Replay(p)) for p in pools if p.case.kind == "citation" and p.case.has_pinpoints]
    return (f"the cited document {np.mean([(v > 0).any() for v in y]):.3f}, "
            f"the cited paragraph {np.mean([(v == 2).any() for v in pinned]):.3f}")


def listed(doc) -> tuple[str, object]:
    """A hit as `question_rankers.Replay` keys it (the paragraph as stored, not `key_of`'s string)."""
    return doc.meta.get("doc_id", ""), doc.meta.get("paragraph")


# -- 2. the figures -------------------------------------------------------------------------------------------


def case_objective(row: dict, kind: str) -> float:
    """A citation: mean of doc_hit@10 and para_hit@10; a summary: doc_hit@1 (issue 22's targets)."""
    if kind == "summary":
        return row["doc_hit@1"]
    return statistics.fmean([row["doc_hit@10"]] + ([row["para_hit@10"]] if row["para_hit@10"] is not None else []))


def group_of(case) -> str:
    """The citing judgment of a citation case or a court sentence (`bench/court_questions.py`; its one excluded
    document); a summary case, a question, is its own group."""
    return (case.exclude_doc_ids[0] if case.kind in ("citation", "court-sentence") and case.exclude_doc_ids
            else case.qid)


def grouped_folds(groups: list[str], folds: int, seed: int = 0) -> list[list[int]]:
    """Case indices of each fold, every group in one fold (`folds` ≤ 0: one fold per group, leave-one-group-out)."""
    distinct = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(distinct))
    fold_of = {distinct[g]: (i % folds if folds > 0 else i) for i, g in enumerate(order)}
    out: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        out.setdefault(fold_of[g], []).append(i)
    return list(out.values())


class Table:
    """Every variant's per-case rows on the same replays, and the rows the figures are printed from."""

    def __init__(self, replays: list, folds: int) -> None:
        self.replays = replays
        self.folds = grouped_folds([group_of(r.case) for r in replays], folds)

    def rows(self, scores: list[np.ndarray]) -> list[dict]:
        from kb.search.evaluation import score_ranking

        return [score_ranking(r.case, r.top10(s)) for r, s in zip(self.replays, scores, strict=True)]

    def cross_validated(self, variants: list[list[dict]]) -> tuple[list[dict], dict[int, int]]:
        """Each case's row under the variant best on the folds without it, and how often each variant was chosen."""
        kinds = [r.case.kind for r in self.replays]
        objective = np.array([[case_objective(row, k) for row, k in zip(v, kinds, strict=True)] for v in variants])
        out: list[dict] = [{}] * len(self.replays)
        picks: dict[int, int] = {}
        for fold in self.folds:
            totals = objective.sum(axis=1) - objective[:, fold].sum(axis=1)
            choice = int(np.argmax(totals))
            picks[choice] = picks.get(choice, 0) + 1
            for i in fold:
                out[i] = variants[choice][i]
        return out, picks

    def changed(self, rows: list[dict], base: list[dict]) -> str:
        """Cases whose objective the variant raises / lowers against `base` (the paired view of a small gain)."""
        kinds = [r.case.kind for r in self.replays]
        diff = [case_objective(a, k) - case_objective(b, k) for a, b, k in zip(rows, base, kinds, strict=True)]
        return f"+{sum(d > 0 for d in diff)} −{sum(d < 0 for d in diff)}"

    def cells(self, rows: list[dict]) -> str:
        def mean(kind: str, metric: str) -> float:
            values = [row[metric] for row, r in zip(rows, self.replays, strict=True)
                      if r.case.kind == kind and row[metric] is not None]
            return statistics.fmean(values) if values else float("nan")

        return (f"{mean('citation', 'doc_hit@1'):.3f} | {mean('citation', 'doc_hit@10'):.3f} | "
                f"{mean('citation', 'para_hit@10'):.3f} | {mean('summary', 'doc_hit@1'):.3f}")


def weight_vectors(replays: list, names: list[str], column: str, values: tuple[float, ...]) -> list[list[np.ndarray]]:
    """For each value, every case's weight vector: the shipped one, plus `column` at that value for a passage (a
    query read as a lawyer's question keeps the question weights)."""
    from question_rankers import shipped_vector

    j = names.index(column)
    out = []
    for value in values:
        vectors = []
        for r in replays:
            w = shipped_vector(r.pool)
            if not r.pool.reading.lawyer:
                w[j] = value
            vectors.append(w)
        out.append(vectors)
    return out


def evaluate(args: argparse.Namespace) -> int:
    from question_rankers import Replay, labels, scale, unit

    from kb.search.evaluation import score_ranking

    data = pickle.loads(args.pools.read_bytes())
    citation, summary, seed = data["sample"]
    for label, pools in (("BM25 pool", data["pools"]), (f"+ dense top {data['dense_k']}", data["dense"])):
        if not pools:
            continue
        replays = [Replay(p) for p in pools]
        names = pools[0].names
        table = Table(replays, args.folds)
        before = weight_vectors(replays, names, "meaning", (0.0,))[0]
        base = [r.X @ w for r, w in zip(replays, before, strict=True)]
        ran = weight_vectors(replays, names, "meaning", (data.get("meaning", 0.0),))[0]
        same = sum(r.top10(r.X @ w) == list(r.pool.shipped)[:10] for r, w in zip(replays, ran, strict=True))
        lawyer = sum(r.pool.reading.lawyer for r in replays)
        y = [labels(r) for r in replays]
        cit = [i for i, r in enumerate(replays) if r.case.kind == "citation"]
        print(f"\n## {label}: dev.jsonl sample seed {seed} ({citation} citation, {summary} summary asked; "
              f"{len(cit)} / {len(replays) - len(cit)} pools), {len(table.folds)} folds grouped by citing judgment")
        print(f"mean pool {np.mean([len(r.keys) for r in replays]):.1f} candidates; read as a lawyer's question "
              f"(question weights kept): {lawyer}; in the pool (citation): the cited document "
              f"{np.mean([(y[i] > 0).any() for i in cit]):.3f}, the cited paragraph "
              f"{np.mean([(y[i] == 2).any() for i in cit if replays[i].case.has_pinpoints]):.3f}")
        if label == "BM25 pool":
            print(f"replay of the weights the dump ran (passages.meaning={data.get('meaning', 0.0):g}) = the "
                  f"pipeline's top 10 for {same} of {len(replays)}")
            if data["checks"]:
                on = weight_vectors(replays, names, "meaning", (20.0,))[0]
                agree = sum(replays[i].top10(replays[i].X @ on[i]) == data["checks"][i]
                            for i in range(len(data["checks"])))
                print(f"replay at passages.meaning=20 = the pipeline built with it for {agree} of "
                      f"{len(data['checks'])}")
        print("\n| ranking | citation doc@1 | doc@10 | para@10 | summary doc@1 | cases up / down |\n"
              "|---|---|---|---|---|---|")
        if label == "BM25 pool":
            pipeline_rows = [score_ranking(r.case, r.pool.shipped) for r in replays]
            print(f"| the pipeline as dumped (passages.meaning={data.get('meaning', 0.0):g}) | "
                  f"{table.cells(pipeline_rows)} | |")
        shipped = table.rows(base)
        print(f"| passage weights without meaning (replay) | {table.cells(shipped)} | |")
        sd = scale(replays)
        for column, grid in (("meaning", tuple(args.rank_grid)), ("cosine", RAW_GRID), ("cosine_z", RAW_GRID)):
            j = names.index(column)
            per = 1.0 if column == "meaning" else unit() / sd[j]
            variants = [table.rows([r.X @ w for r, w in zip(replays, vectors, strict=True)])
                        for vectors in weight_vectors(replays, names, column, tuple(g * per for g in grid))]
            for g, rows in zip(grid, variants, strict=True):
                if g:
                    print(f"| + {column} {g:g}{'' if column == 'meaning' else ' steps/sd'} | {table.cells(rows)} | "
                          f"{table.changed(rows, shipped)} |")
            rows, picks = table.cross_validated(variants)
            chosen = ", ".join(f"{grid[c]:g}: {k}" for c, k in sorted(picks.items()))
            print(f"| + {column}, CV-chosen (folds: {chosen}) | {table.cells(rows)} | {table.changed(rows, shipped)} |",
                  flush=True)
        if args.refit:
            refit_rows(table, replays, names, shipped)
        within(replays, names)
    return 0


def refit_rows(table: Table, replays: list, names: list[str], shipped: list[dict]) -> None:
    """Every fitted weight refitted with and without each signal (`fit_ranking.fit`, pairwise logistic, summary
    cases weighted 50 as shipped), each fold's cases scored with the weights fitted on the other folds: does the
    signal earn a place once the other weights may make room for it?"""
    from types import SimpleNamespace

    from fit_ranking import FITTED, fit
    from question_rankers import labels

    tabs = [SimpleNamespace(X=r.X, y=labels(r), case=r.case) for r in replays]
    base = [names.index(f) for f in FITTED]
    for extra in ((), ("meaning",), ("cosine",), ("cosine_z",)):
        cols = base + [names.index(e) for e in extra]
        scores: list[np.ndarray] = [np.zeros(0)] * len(replays)
        for fold in table.folds:
            held = set(fold)
            w = fit([t for i, t in enumerate(tabs) if i not in held], cols, 50.0)
            for i in fold:
                scores[i] = replays[i].X[:, cols] @ w
        rows = table.rows(scores)
        print(f"| refitted{' + ' + extra[0] if extra else ''} ({len(table.folds)}-fold) | {table.cells(rows)} | "
              f"{table.changed(rows, shipped)} |", flush=True)


def within(replays: list, names: list[str]) -> None:
    """Among a citation case's candidates, the cited paragraph's rank by MiniLM's cosine against the passage
    weights' score without meaning: does the model tell the restated paragraph apart?"""
    from question_rankers import labels, shipped_vector

    c = names.index("cosine")
    pairs = []
    for r in replays:
        if r.case.kind != "citation" or r.pool.reading.lawyer:
            continue
        pins = np.where(labels(r) == 2)[0]
        if not len(pins):
            continue
        ranks = []
        without = shipped_vector(r.pool)
        without[names.index("meaning")] = 0.0
        for values in (r.X[:, c], r.X @ without):
            order = list(np.argsort(-values, kind="stable"))
            ranks.append(1.0 / (1 + min(order.index(i) for i in pins)))
        pairs.append(ranks)
    a, b = np.array(pairs).T
    print(f"\ncited paragraph in the pool for {len(pairs)} citation cases: MRR by cosine {a.mean():.3f}, by the "
          f"passage weights' score (without meaning) {b.mean():.3f} (cosine better for {int((a > b).sum())}, worse "
          f"for {int((a < b).sum())})")


# -- 3. the cost of a passage's query embedding -------------------------------------------------------------


def cost(args: argparse.Namespace) -> int:
    """Wall and process-CPU ms of the query embedding (`kb.embedding.text_embedder`, the store's runtime) of each
    pasted passage of the sample and of each dev question, interleaved, fastest of `--rounds` per text."""
    from eval_dev import QUESTION_FILES, chosen_cases

    from kb.embedding import text_embedder
    from kb.embedding_onnx import model_tokenizer
    from kb.settings import Settings

    settings = Settings.load()
    embedder = text_embedder(settings.embedding)
    embedder.warm_up()
    tokenizer = model_tokenizer(Path(settings.embedding.model))
    texts = {"passage": [], "question": []}
    for file, case in chosen_cases(EVAL_DIR, args.citation, 0, args.seed):
        if file == "dev.jsonl":
            texts["passage"].append(case.query)
        elif file in QUESTION_FILES:
            texts["question"].append(case.query)
    texts = {kind: values[:args.texts] for kind, values in texts.items()}
    best: dict[str, list[tuple[float, float]]] = {kind: [(1e9, 1e9)] * len(v) for kind, v in texts.items()}
    embedder.run(text="warm up")
    for _ in range(args.rounds):
        for i in range(max(len(v) for v in texts.values())):
            for kind, values in texts.items():
                if i < len(values):
                    wall, cpu = time.perf_counter(), time.process_time()
                    embedder.run(text=values[i])
                    t = ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
                    best[kind][i] = min(best[kind][i], t)
    print(f"runtime {settings.embedding.runtime}, {args.rounds} rounds, fastest per text, load "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for kind, values in best.items():
        wall, cpu = np.array(values).T
        pieces = [len(e.ids) for e in tokenizer.encode_batch(texts[kind])]
        print(f"{kind}: {len(values)} texts, median {np.median(pieces):.0f} word pieces (truncated at "
              f"{tokenizer.truncation['max_length']}); wall p50 {np.percentile(wall, 50):.1f}"
              f" ms, p95 {np.percentile(wall, 95):.1f} ms; process CPU p50 {np.percentile(cpu, 50):.1f} ms, p95 "
              f"{np.percentile(cpu, 95):.1f} ms")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--citation", type=int, default=1000)
    d.add_argument("--summary", type=int, default=100)
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--dense", type=int, default=0, help="also a pool with the K nearest passages by MiniLM added")
    d.add_argument("--check", type=int, default=40, help="cases also run through a pipeline with meaning on")
    d.add_argument("--depth", type=int, nargs="+", help="BM25 candidates of a passage's pool (default the shipped "
                   "60); several: one pool file each, the first at --out, the others at OUT-DEPTH.pkl")
    d.add_argument("--cases", type=Path, nargs="+", help="dump these case files instead of a dev.jsonl sample "
                   "(e.g. `bench/court_questions.py`'s, or the dev question files)")
    d.add_argument("--no-cosine", action="store_true", help="no MiniLM cosine (the `meaning` and cosine columns 0): "
                   "a pool passage the embedding cache lacks is embedded for it, seconds a case on a store written "
                   "sparse-first; the passage model reads neither")
    d.add_argument("--save-every", type=int, default=1000, help="cases between two writes of the pools so far")
    e = sub.add_parser("eval")
    e.add_argument("pools", type=Path)
    e.add_argument("--folds", type=int, default=5, help="grouped folds (0: leave one citing judgment out)")
    e.add_argument("--refit", action="store_true", help="also refit every weight with and without each signal")
    e.add_argument("--rank-grid", type=float, nargs="+", default=RANK_GRID, help="`meaning` weights tried")
    c = sub.add_parser("cost")
    c.add_argument("--citation", type=int, default=1000, help="the sample the passages come from (seed --seed)")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--texts", type=int, default=100, help="passages and questions timed, each")
    c.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    return {"dump": dump, "eval": evaluate, "cost": cost}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
