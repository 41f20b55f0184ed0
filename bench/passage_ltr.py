"""Learning to rank a pasted passage's candidates: LightGBM LambdaMART over the ranker's features (and features
derived from the pool a tree can use) against the shipped linear weights and their pairwise-logistic refit, on
`dev.jsonl`'s pools, 5-fold cross-validation grouped by citing judgment (issue 22).

    # the pools (every dev.jsonl case, every feature, the pipeline's own top 10; nice -n 19, background)
    KB_HOME=… KB_EMBED_CACHE=… nice -n 19 .venv/bin/python bench/passage_meaning.py dump --out dev-all.pkl \
        --citation 0 --summary 0 [--dense 20] --check 0 --no-cosine   # --no-cosine: 0.1 CPU s a case, not 4
    # the figures (LightGBM is not a project dependency: `pip install --target DIR lightgbm==4.7.0`)
    PYTHONPATH=DIR:. nice -n 19 .venv/bin/python bench/passage_ltr.py eval dev-all.pkl [--dense] [--folds 5] [--quick]
    # a deeper pool against the shipped one (`passage_meaning.py dump --depth 60 120`: the same cases, the same folds)
    PYTHONPATH=DIR:. nice -n 19 .venv/bin/python bench/passage_ltr.py eval dev-all-120.pkl --against dev-all.pkl \
        --fixed 15 0.05 100 --skip pointwise base

Why: the passage weights are one linear score (`kb.search.ranking.PASSAGE_WEIGHTS`, `bench/fit_ranking.py`). The
ranked pool holds the cited document for ~0.85 and the cited paragraph for ~0.78 of the citation cases against
doc_hit@10 0.76 / para_hit@10 0.69, so the order within the pool loses ~9 points; a non-linear model of the same
evidence (interactions: a paragraph's shared phrases relative to its document's best, a fetched paragraph's votes
when its document is also retrieved) might win them back. Every ranker's top 10 is replayed as the pipeline builds
it (`question_rankers.Replay`: spreader, near-duplicate filter), scored by `score_ranking`, each case with a model
fitted without its fold (the folds of `passage_meaning.grouped_folds`, the same for every model). A case the
reading takes for a lawyer's question keeps the question weights (the model would serve passages only).

Rows: the shipped weights; the pairwise-logistic refit (`fit_ranking.fit`, summary cases weighted 50, the learner
that set the shipped weights); LambdaMART (labels 2 = a cited paragraph, 1 = another paragraph of a cited document,
0 = else; summary cases' rows weighted `--summary-weight`) over the ranker's fitted features, then over those and
the pool features (`pool_features`), each with (num_leaves, trees, learning rate) chosen per outer fold by an inner
grouped CV on the outer training cases (objective: mean of doc_hit@10 and para_hit@10 for a citation, doc_hit@1 for
a summary, `passage_meaning.case_objective`). Also a pointwise gradient-boosted classifier (scikit-learn's
HistGradientBoosting, already a dependency) on the same features, to see whether the listwise objective matters.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from itertools import product
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from fit_ranking import FITTED  # noqa: E402
from passage_meaning import Table, case_objective, group_of, grouped_folds  # noqa: E402
from question_rankers import Replay, labels, shipped_vector  # noqa: E402

from kb.search.passage_model import MONOTONE, POOL_FEATURES, RULES, from_lightgbm  # noqa: E402

MEANING = ("meaning",)
"""MiniLM's meaning-rank of the candidate (only with `--meaning`: a passage's query embedding costs ~16 ms of CPU)."""
GRID = {"num_leaves": (7, 15, 31), "learning_rate": (0.05, 0.1), "trees": (100, 200, 400)}
"""LambdaMART settings chosen among by the inner CV; each (leaves, rate) is fitted once with the most trees and
read at every tree count."""


class Data:
    """The replays, their labels, and every column a passage model may read (`ranking.model_inputs`, the function
    the ranker calls), computed once."""

    def __init__(self, pools: list, folds: int, meaning: bool, free: bool = False, questions: bool = False,
                 without: tuple[str, ...] = ()) -> None:
        """`free`: the rules inside the trees and no monotone constraint (the first design measured). `questions`:
        the model of a lawyer's question naming no other source (`bench/question_ltr.py`), on top of the question
        weights, instead of a passage's on top of the passage weights. `without`: inputs the models do not read (a
        feature's ablation, `--without`)."""
        from kb.search.ranking import FEATURES, MODEL_INPUTS, PASSAGE_WEIGHTS, QUESTION_WEIGHTS, model_inputs

        self.weights = QUESTION_WEIGHTS if questions else PASSAGE_WEIGHTS
        self.replays = [Replay(p) for p in pools]
        self.table = Table(self.replays, folds)
        self.y = [labels(r) for r in self.replays]
        # `passage`: the cases the model serves (a passage; or, with `questions`, a question asking for the Court)
        self.passage = np.array([r.pool.reading.lawyer and not r.pool.reading.named_kinds if questions
                                 else not r.pool.reading.lawyer for r in self.replays], dtype=bool)
        self.summary = np.array([r.case.kind == "summary" for r in self.replays])
        self.values = [r.X[:, :len(FEATURES)] for r in self.replays]
        self.inputs = [model_inputs(v, r.pool.documents, r.pool.reading.text, self.weights,
                                    np.array([d.meta.get("bm25") or 0.0 for d in r.pool.documents]))
                       for v, r in zip(self.values, self.replays, strict=True)]
        read = [n for n in FITTED if n not in (() if free else RULES)] + (list(MEANING) if meaning else [])
        unknown = set(without) - set(read) - set(POOL_FEATURES)
        if unknown:
            raise ValueError(f"--without {sorted(unknown)}: not an input of the model; its inputs: "
                             f"{', '.join([*read, *POOL_FEATURES])}")
        self.sets = {name: [n for n in names if n not in without]
                     for name, names in (("ranker's features", read), ("+ pool features", read + list(POOL_FEATURES)))}
        self.columns = list(MODEL_INPUTS)
        self.shipped = [r.X @ shipped_vector(r.pool) for r in self.replays]
        self.monotone = not free

    def features(self, names: list[str]) -> list[np.ndarray]:
        cols = [self.columns.index(n) for n in names]
        return [x[:, cols] for x in self.inputs]

    def base(self, names: list[str], i: int) -> np.ndarray:
        """What the ranker adds to the trees' score of case i's candidates (`ranking.unread_scores`)."""
        from kb.search.ranking import unread_scores

        return unread_scores(names, self.values[i], self.weights)

    def objective(self, i: int, scores: np.ndarray) -> float:
        from kb.search.evaluation import score_ranking

        r = self.replays[i]
        return case_objective(score_ranking(r.case, r.top10(scores)), r.case.kind)

    def trainable(self, idx) -> list[int]:
        """Passage cases with a relevant candidate (a pool without one gives a ranking objective nothing)."""
        return [i for i in idx if self.passage[i] and len(self.y[i]) and (self.y[i] > 0).any()]


def lambdamart(data: Data, names: list[str], feats: list[np.ndarray], train: list[int], leaves: int, rate: float,
               trees: int, summary_weight: float, seed: int = 0):
    """LambdaMART on the passage cases of `train`, boosted from what the ranker adds to the trees (`Data.base`), with
    `MONOTONE`'s constraints unless the data is `free`."""
    import lightgbm as lgb

    train = data.trainable(train)
    X = np.vstack([feats[i] for i in train])
    y = np.concatenate([data.y[i] for i in train]).astype(int)
    w = np.concatenate([np.full(len(data.y[i]), summary_weight if data.summary[i] else 1.0) for i in train])
    base = np.concatenate([data.base(names, i) for i in train])
    monotone = [MONOTONE.get(n, 0) if data.monotone else 0 for n in names]
    model = lgb.LGBMRanker(objective="lambdarank", n_estimators=trees, learning_rate=rate, num_leaves=leaves,
                           min_child_samples=50, subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                           lambdarank_truncation_level=20, monotone_constraints=monotone, random_state=seed,
                           verbose=-1, n_jobs=1)
    model.fit(X, y, group=[len(data.y[i]) for i in train], sample_weight=w, init_score=base)
    return model


def predict(model, feats: list[np.ndarray], idx: list[int], trees: int) -> dict[int, np.ndarray]:
    """Scores of the cases `idx` by the first `trees` trees (one call for all: per-call overhead dominates)."""
    sizes = [len(feats[i]) for i in idx]
    if not sum(sizes):
        return {i: np.zeros(0) for i in idx}
    flat = model.predict(np.vstack([feats[i] for i in idx if len(feats[i])]), num_iteration=trees)
    out, at = {}, 0
    for i, s in zip(idx, sizes, strict=True):
        out[i] = flat[at:at + s]
        at += s
    return out


def choose(data: Data, names: list[str], feats: list[np.ndarray], train: list[int], inner: int,
           summary_weight: float, quick: bool, grid: dict = GRID) -> tuple[int, float, int]:
    """(leaves, rate, trees) best by the inner grouped CV on `train` (passage cases scored, others not) over `grid`
    (`GRID` or a smaller one of `--grid`)."""
    groups = [group_of(data.replays[i].case) for i in train]
    folds = [[train[j] for j in f] for f in grouped_folds(groups, inner, seed=1)]
    leaves_grid = GRID["num_leaves"][:2] if quick else grid["num_leaves"]
    totals: dict[tuple[int, float, int], float] = {}
    for leaves, rate in product(leaves_grid, grid["learning_rate"]):
        for fold in folds:
            held = set(fold)
            model = lambdamart(data, names, feats, [i for i in train if i not in held], leaves, rate,
                               max(grid["trees"]), summary_weight)
            scored = [i for i in fold if data.passage[i]]
            for trees in grid["trees"]:
                s = predict(model, feats, scored, trees)
                totals[(leaves, rate, trees)] = totals.get((leaves, rate, trees), 0.0) + sum(
                    data.objective(i, s[i] + data.base(names, i)) for i in scored)
    best = max(totals, key=lambda k: totals[k])
    print(f"    inner CV: best {best} {totals[best]:.1f}, worst {min(totals.values()):.1f}", file=sys.stderr,
          flush=True)
    return best


def cross_validated(data: Data, fit_and_score) -> list[np.ndarray]:
    """Each case's scores from a model fitted on the other folds; lawyer-read cases keep the shipped scores."""
    scores = list(data.shipped)
    for k, fold in enumerate(data.table.folds):
        held = set(fold)
        train = [i for i in range(len(data.replays)) if i not in held]
        test = [i for i in fold if data.passage[i]]
        started = time.process_time()
        scores_of = fit_and_score(train, test)
        for i in test:
            scores[i] = scores_of[i]
        print(f"  fold {k + 1}/{len(data.table.folds)}: {time.process_time() - started:.0f} cpu s", file=sys.stderr,
              flush=True)
    return scores


def pairwise_rows(data: Data) -> list[np.ndarray]:
    from types import SimpleNamespace

    from fit_ranking import fit

    cols = [data.columns.index(n) for n in FITTED]
    tabs = [SimpleNamespace(X=x, y=y, case=r.case) for x, y, r in zip(data.inputs, data.y, data.replays, strict=True)]

    def fit_and_score(train, test):
        w = fit([tabs[i] for i in data.trainable(train)], cols, 50.0)
        return {i: data.inputs[i][:, cols] @ w for i in test}

    return cross_validated(data, fit_and_score)


def model_scores(data: Data, exported: dict, idx: list[int]) -> dict[int, np.ndarray]:
    """The cases' scores as the ranker computes them (`ranking.passage_model_scores` over the exported trees)."""
    from kb.search.passage_model import PassageModel
    from kb.search.ranking import passage_model_scores

    model = PassageModel(data=exported)
    return {i: passage_model_scores(model, data.values[i], data.inputs[i], data.weights) for i in idx}


def lambdamart_rows(data: Data, names: list[str], args: argparse.Namespace) -> list[np.ndarray]:
    from kb.search.ranking import TIE_BREAK

    feats = data.features(names)
    checked = []

    def fit_and_score(train, test):
        if args.fixed:
            leaves, rate, trees = args.fixed
        else:
            leaves, rate, trees = choose(data, names, feats, train, args.inner, args.summary_weight, args.quick,
                                         grid_of(args))
        model = lambdamart(data, names, feats, train, int(leaves), rate, int(trees), args.summary_weight)
        scores = model_scores(data, from_lightgbm(model.booster_.dump_model(), names, {}), test)
        if not checked:
            own = predict(model, feats, test, int(trees))
            linear = data.columns.index("linear")
            checked.append(max(float(np.abs(own[i] + data.base(names, i) + TIE_BREAK * data.inputs[i][:, linear]
                                            - scores[i]).max()) for i in test if len(scores[i])))
            print(f"    the ranker's scores vs LightGBM's predict + base + tie-break: max |difference| "
                  f"{checked[0]:.2e}",
                  file=sys.stderr, flush=True)
        return scores

    return cross_validated(data, fit_and_score)


def grid_of(args: argparse.Namespace) -> dict:
    """`GRID` with the values `--grid` names (NAME=V,V,…) in place of its own."""
    grid = dict(GRID)
    for item in args.grid:
        name, _, values = item.partition("=")
        if name not in GRID or not values:
            raise ValueError(f"--grid {item!r}: NAME=V,V,… with NAME one of {', '.join(GRID)}")
        grid[name] = tuple(type(GRID[name][0])(v) for v in values.split(","))
    return grid


def pointwise_rows(data: Data, feats: list[np.ndarray], summary_weight: float) -> list[np.ndarray]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    def fit_and_score(train, test):
        train = data.trainable(train)
        X = np.vstack([feats[i] for i in train])
        y = np.concatenate([data.y[i] for i in train]).astype(int)
        w = np.concatenate([np.full(len(data.y[i]), summary_weight if data.summary[i] else 1.0) for i in train])
        model = HistGradientBoostingClassifier(max_leaf_nodes=15, learning_rate=0.1, max_iter=200, random_state=0)
        model.fit(X, y, sample_weight=w)
        out = {}
        for i in test:
            if len(feats[i]):
                p = model.predict_proba(feats[i])
                out[i] = p[:, 1] + 2 * p[:, 2] if p.shape[1] == 3 else p[:, -1]
            else:
                out[i] = np.zeros(0)
        return out

    return cross_validated(data, fit_and_score)


def evaluate(args: argparse.Namespace) -> int:
    data_file = pickle.loads(args.pools.read_bytes())
    data = Data(data_file["dense" if args.dense else "pools"], args.folds, args.meaning, args.free,
                without=tuple(args.without))
    table, replays = data.table, data.replays
    same = sum(r.top10(s) == list(r.pool.shipped)[:10] for r, s in zip(replays, data.shipped, strict=True))
    cit = [i for i, r in enumerate(replays) if r.case.kind == "citation"]
    print(f"{len(replays)} dev.jsonl pools{' + dense' if args.dense else ''} ({len(cit)} citation), "
          f"{len(table.folds)} folds grouped by citing judgment; replay of the linear passage weights = the "
          f"pipeline's top 10 for {same}; read as a lawyer's question (question weights kept): "
          f"{int((~data.passage).sum())}")
    model_rows = None
    if args.model:
        exported = json.loads(args.model.read_text())
        scores = list(data.shipped)
        scores_of = model_scores(data, exported, [i for i in range(len(replays)) if data.passage[i]])
        for i, s in scores_of.items():
            scores[i] = s
        same_model = sum(r.top10(s) == list(r.pool.shipped)[:10] for r, s in zip(replays, scores, strict=True))
        model_rows = table.rows(scores)
        print(f"replay of the model {args.model} = the pipeline's top 10 for {same_model} (all when the dump ran "
              f"with it; in-sample figures for the cases it was fitted on: {table.cells(model_rows)})")
    print(f"in the pool (citation): the cited document {np.mean([(data.y[i] > 0).any() for i in cit]):.3f}, the "
          f"cited paragraph {np.mean([(data.y[i] == 2).any() for i in cit if replays[i].case.has_pinpoints]):.3f}")
    against, label = against_rows(args, data) if args.against else (None, "")
    against = model_rows if against is None and model_rows is not None else against
    if args.model and against is model_rows:
        label = f"the model {args.model.name} (replay; fitted on every case of its own dump's pools)"
    versus_name = "the model" if against is model_rows else f"the model on {args.against.name}" if against else ""
    print(f"\n| ranking | citation doc@1 | doc@10 | para@10 | summary doc@1 | cases up / down vs linear |"
          f"{' vs ' + versus_name + ' |' if against else ''}\n"
          f"|---|---|---|---|---|---|{'---|' if against else ''}")
    shipped = table.rows(data.shipped)
    print(f"| linear passage weights (replay) | {table.cells(shipped)} | |{' |' if against else ''}", flush=True)
    if against:
        print(f"| {label} | {table.cells(against)} | {table.changed(against, shipped)} | |", flush=True)

    def row(name: str, scores: list[np.ndarray]) -> None:
        rows = table.rows(scores)
        versus = f" | {table.changed(rows, against)}" if against else ""
        print(f"| {name} | {table.cells(rows)} | {table.changed(rows, shipped)}{versus} |", flush=True)

    if "pairwise" not in args.skip:
        row("pairwise logistic refit (ranker's features)", pairwise_rows(data))
    for name, names in data.sets.items():
        if name == "ranker's features" and "base" in args.skip:
            continue
        label = f"LambdaMART{' (free)' if args.free else ''}, {name}{' + meaning' if args.meaning else ''}"
        row(f"{label}, {'fixed ' + str(args.fixed) if args.fixed else 'inner-CV settings'}",
            lambdamart_rows(data, names, args))
        if "pointwise" not in args.skip and name == "+ pool features":
            row(f"pointwise HistGradientBoosting, {name}", pointwise_rows(data, data.features(names),
                                                                          args.summary_weight))
    return 0


def against_rows(args: argparse.Namespace, data: Data) -> tuple[list[dict], str]:
    """The rows of LambdaMART over the ranker's and the pool's features on `--against`'s pools (the same cases,
    e.g. the shipped 60-candidate pools against deeper ones), fitted with the same folds and settings: the model each
    row of `data`'s pools is compared with case by case (the last column)."""
    other = Data(pickle.loads(args.against.read_bytes())["pools"], args.folds, args.meaning, args.free,
                 without=tuple(args.without))
    if [r.case.qid for r in other.replays] != [r.case.qid for r in data.replays]:
        raise ValueError(f"{args.against}: not the cases of {args.pools} (dump both with the same sample)")
    rows = other.table.rows(lambdamart_rows(other, other.sets["+ pool features"], args))
    return rows, (f"LambdaMART, + pool features, on {args.against.name}'s pools (mean "
                  f"{np.mean([len(r.keys) for r in other.replays]):.1f} candidates; this file's: "
                  f"{np.mean([len(r.keys) for r in data.replays]):.1f})")


def fit(args: argparse.Namespace) -> int:
    """The shipped model: LambdaMART over the ranker's and the pool's features, fitted on every passage case of the
    dump with `--settings` (or those a grouped CV on every case chooses, as each outer fold of `eval` chose them),
    written as `kb.search.passage_model`'s JSON."""
    data_file = pickle.loads(args.pools.read_bytes())
    data = Data(data_file["pools"], 5, False, without=tuple(args.without))
    names = data.sets["+ pool features"]
    everything = list(range(len(data.replays)))
    leaves, rate, trees = args.settings or choose(data, names, data.features(names), everything, args.inner,
                                                  args.summary_weight, False)
    model = lambdamart(data, names, data.features(names), everything, int(leaves), rate, int(trees),
                       args.summary_weight)
    fitted = {"by": "bench/passage_ltr.py fit (LightGBM lambdarank)", "cases": len(data.trainable(everything)),
              "pools": str(args.pools), "num_leaves": int(leaves), "learning_rate": rate, "trees": int(trees),
              "summary_weight": args.summary_weight, "note": args.note}
    exported = from_lightgbm(model.booster_.dump_model(), names, fitted)
    args.out.write_text(json.dumps(exported, separators=(",", ":")) + "\n")
    print(f"{len(exported['trees'])} trees over {len(names)} inputs, fitted on "
          f"{fitted['cases']} passage cases → {args.out} ({args.out.stat().st_size / 1000:.0f} kB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("eval", help="cross-validated figures of every ranker")
    e.add_argument("pools", type=Path, help="`bench/passage_meaning.py dump` output")
    e.add_argument("--dense", action="store_true", help="the pools with the store's nearest passages added")
    e.add_argument("--meaning", action="store_true", help="also MiniLM's meaning-rank as a feature")
    e.add_argument("--folds", type=int, default=5)
    e.add_argument("--inner", type=int, default=3, help="inner grouped folds choosing LambdaMART's settings")
    e.add_argument("--quick", action="store_true", help="a smaller inner grid (num_leaves 7 and 15)")
    e.add_argument("--fixed", type=float, nargs=3, metavar=("LEAVES", "RATE", "TREES"),
                   help="no inner CV: these LambdaMART settings in every fold")
    e.add_argument("--grid", nargs="*", default=[], metavar="NAME=V,V",
                   help="the inner CV's grid narrowed, e.g. num_leaves=15,31 learning_rate=0.05 trees=100,200")
    e.add_argument("--free", action="store_true", help="rules inside the trees, no monotone constraints")
    e.add_argument("--model", type=Path, help="also replay this model file (the check a dump made with it)")
    e.add_argument("--against", type=Path, help="a dump of the same cases with other pools (e.g. the shipped "
                   "60 candidates against a deeper --depth): its LambdaMART + pool features, compared case by case")
    e.add_argument("--skip", nargs="*", default=[], choices=("pairwise", "pointwise", "base"),
                   help="rows to leave out (`base`: LambdaMART over the ranker's features alone)")
    f = sub.add_parser("fit", help="fit the shipped model on every case and write it")
    f.add_argument("pools", type=Path)
    f.add_argument("--out", type=Path, default=Path("kb/search/passage_model.json"))
    f.add_argument("--settings", type=float, nargs=3, metavar=("LEAVES", "RATE", "TREES"),
                   help="default: chosen by a grouped CV over GRID on every case (`--inner` folds)")
    f.add_argument("--inner", type=int, default=3)
    f.add_argument("--note", default="", help="recorded in the file's `fitted` (e.g. the store and graph used)")
    for p in (e, f):
        p.add_argument("--without", nargs="*", default=[], metavar="NAME",
                       help="inputs the models do not read (an ablation: e.g. a pool feature just added)")
        p.add_argument("--summary-weight", type=float, default=10.0, help="LambdaMART weight of a summary row")
    args = parser.parse_args(argv)
    return {"eval": evaluate, "fit": fit}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
