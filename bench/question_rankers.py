"""Compare rankers of the dev questions offline on the pools `bench/question_pools.py` dumped, each judged by nested
leave-one-out over the ECtHR questions (`dev-echr-qa.jsonl` and `dev-lawyer-questions.jsonl` kind `lawyer`).

    .venv/bin/python bench/question_rankers.py pools.pkl [--lightgbm] [--folds 0]

Every ranker scores a question's candidates; the list a lawyer sees is then replayed exactly as the pipeline builds it
(`spread_documents`, with the first judgment's four slots for a Convention question when
`SearchParts.leading_judgments` is on, then the near-duplicate filter's
fingerprints, top 10), and scored by `score_ranking`. The first row replays the shipped weights and says how many
questions' top 10 equal the pipeline's own (the check that the replay is faithful; the UN standard slot and the
short-list fill, which the replay leaves out, rarely touch an ECtHR question).

Rows (each question scored with what was chosen or fitted without it):
* `+ SIGNAL`: the shipped weights plus one signal (a registered feature or a `question_pools.TRIAL_SIGNALS` one) at
  the weight, from a grid, best on the other questions: the ablation of each candidate signal;
* `- FEATURE`: the shipped weights with one question feature switched off;
* `coordinate ascent`: from the shipped weights, coordinate ascent over a grid of multipliers of every weight and
  the trial signals, inner objective the other questions' (`--folds` K > 0: K-fold instead of leave-one-out, faster);
* `pairwise logistic`: `fit_ranking.fit`'s regression over every standardised signal, fitted without the question;
* `lambdarank` (`--lightgbm`): LightGBM's LambdaMART over the same signals, fitted without the question;
* `--meaning COLUMN` (a column `bench/meaning_rank.py --out` added, e.g. `e5_meaning`): another model's meaning-rank
  in place of MiniLM's at the shipped weight, then leave-one-out over the weight of either or both
  (`meaning_rows`).
  LightGBM is not a project dependency (no fitted model ships): install it apart, e.g. `pip install --target DIR
  lightgbm==4.7.0` and `PYTHONPATH=DIR:…`.
Objective of every choice: the mean of doc_hit@10 and para_hit@10 over the training questions (`eval_dev.objective`).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from eval_dev import objective  # noqa: E402
from question_pools import TRIAL_SIGNALS, Pool  # noqa: E402

from kb.search.evaluation import score_ranking  # noqa: E402
from kb.search.modes import ALL_PARTS  # noqa: E402
from kb.search.queries import is_question  # noqa: E402
from kb.search.ranking import (  # noqa: E402
    LEADING_PER_DOCUMENT,
    MAX_PER_DOCUMENT,
    PASSAGE_WEIGHTS,
    QUESTION_WEIGHTS,
    principles_first,
    spread_documents,
    uncapped_documents,
)
from kb.search.retrieval import fingerprint  # noqa: E402

ECHR_KINDS = ("echr-qa", "lawyer")
GRID = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
"""Weights tried for an added signal, in units of one retrieval step (see `unit`), both signs."""
MULTIPLIERS = (0.0, 0.5, 1.0, 2.0)
"""Coordinate ascent: each current weight times these (a zero weight tries the `GRID` values instead)."""


class Replay:
    """One question's pool, ready to be re-ranked many times: fingerprints and spreader caps computed once."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.case = pool.case
        self.X = pool.features
        self.keys = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in pool.documents]
        self.prints = [fingerprint(d.content or "") for d in pool.documents]
        reading = pool.reading
        self.keep = uncapped_documents(pool.documents, reading)
        self.convention = reading.convention and getattr(pool, "parts", ALL_PARTS).leading_judgments
        """The first judgment's four slots, as the pipeline's spreader gives them (only with that part on)."""
        self.principles_first = (is_question(reading.text)
                                 and getattr(pool, "parts", ALL_PARTS).principles_first)
        """A judgment's places go first to its principle paragraphs, as the spreader orders them for a question."""

    def top10(self, scores: np.ndarray) -> list[tuple[str, str | None]]:
        """The spreader's order (`principles_first`, then `spread_documents`, the function the pipeline's spreader
        calls), then the near-duplicate filter, stopping once ten distinct hits are listed."""
        documents = self.pool.documents
        ranked = np.argsort(-scores, kind="stable")
        # the replay's own scores, which `principles_first` weighs (`PRINCIPLES_WITHIN`), not the pipeline's
        ordered = [replace(documents[i], score=float(scores[i])) for i in ranked]
        at = {id(d): int(i) for d, i in zip(ordered, ranked, strict=True)}
        if self.principles_first:
            ordered = principles_first(ordered, keep=self.keep)
        caps = {ordered[0].meta.get("doc_id", ""): LEADING_PER_DOCUMENT} if self.convention and ordered else {}
        out: list[int] = []
        prints: set[str] = set()
        for doc in spread_documents(ordered, MAX_PER_DOCUMENT, keep=self.keep, caps=caps):
            i = at[id(doc)]
            if self.prints[i] not in prints:
                prints.add(self.prints[i])
                out.append(i)
                if len(out) == 10:
                    break
        return [self.keys[j] for j in out]

    def objective(self, scores: np.ndarray) -> float:
        return objective(score_ranking(self.case, self.top10(scores)))


def shipped_vector(pool: Pool) -> np.ndarray:
    weights = QUESTION_WEIGHTS if pool.reading.lawyer else PASSAGE_WEIGHTS
    return np.array([getattr(weights, n) if hasattr(weights, n) else 0.0 for n in pool.names])


def unit() -> float:
    """One retrieval step: the shipped retrieval weight × (1/(k+1) − 1/(k+2)) ≈ the gap between the first two
    retrieved paragraphs; added signals are tried in multiples of it (their scales differ, see `scale`)."""
    return QUESTION_WEIGHTS.retrieval * (1 / 5 - 1 / 6)


def metrics_of(replays: list[Replay], scores: list[np.ndarray]) -> dict[str, float]:
    rows = [score_ranking(r.case, r.top10(s)) for r, s in zip(replays, scores, strict=True)]
    out = {}
    for m in ("doc_hit@1", "doc_hit@10", "para_hit@10", "mrr@10"):
        values = [row[m] for row in rows if row[m] is not None]
        out[m] = statistics.fmean(values) if values else float("nan")
    return out


def print_row(name: str, replays: list[Replay], scores: list[np.ndarray]) -> None:
    by_file: dict[str, list[int]] = {}
    for i, r in enumerate(replays):
        by_file.setdefault(r.case.kind, []).append(i)
    cells = []
    for kind in ("all", *sorted(by_file)):
        idx = range(len(replays)) if kind == "all" else by_file[kind]
        m = metrics_of([replays[i] for i in idx], [scores[i] for i in idx])
        cells.append(f"{m['doc_hit@10']:.3f} / {m['para_hit@10']:.3f}")
    print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def scale(replays: list[Replay]) -> np.ndarray:
    """Each column's standard deviation over every candidate (1 where constant): added signals are tried per unit
    of spread, so one grid serves a 0/1 flag and a cosine."""
    sd = np.vstack([r.X for r in replays]).std(axis=0)
    return np.where(sd > 0, sd, 1.0)


def loo_choice(table: np.ndarray) -> np.ndarray:
    """table[v, q]: objective of question q under choice v. Each question gets the objective of the choice best on
    all the others (ties: the first choice)."""
    totals = table.sum(axis=1)
    out = np.empty(table.shape[1])
    for q in range(table.shape[1]):
        out[q] = table[int(np.argmax(totals - table[:, q])), q]
    return out


def loo_of_vectors(replays: list[Replay], vectors: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    table = np.array([[r.objective(r.X @ w) for r in replays] for w in vectors])
    totals = table.sum(axis=1)
    chosen = [int(np.argmax(totals - table[:, q])) for q in range(len(replays))]
    return np.array([table[c, q] for q, c in enumerate(chosen)]), [vectors[c] for c in chosen]


def ablation_rows(replays: list[Replay], base: list[np.ndarray], names: list[str]) -> None:
    """`- FEATURE` for every question feature the shipped weights use, then `+ SIGNAL` for every signal."""
    for j in [j for j, n in enumerate(names) if base[0][j] and n not in TRIAL_SIGNALS]:
        w = [b.copy() for b in base]
        for v in w:
            v[j] = 0.0
        print_row(f"- {names[j]}", replays, [r.X @ v for r, v in zip(replays, w, strict=True)])
    sd = scale(replays)
    step = unit()
    for j, name in enumerate(names):
        vectors = []
        for g in GRID + tuple(-g for g in GRID if g):
            w = base[0].copy()
            w[j] = base[0][j] + g * step / sd[j]
            vectors.append(w)
        _, chosen = loo_of_vectors(replays, vectors)
        print_row(f"+ {name} (LOO grid)", replays, [r.X @ w for r, w in zip(replays, chosen, strict=True)])


MEANING_GRID = (0.0, 5.0, 10.0, 20.0, 40.0, 80.0)
"""`meaning` weights tried for either model (the shipped one is 20)."""


def meaning_rows(replays: list[Replay], base: list[np.ndarray], names: list[str], column: str) -> None:
    """Another model's meaning-rank (`column`) against MiniLM's (`meaning`) at the same weights; a question read as
    a passage keeps its weights (the pipeline computes no meaning for it)."""
    m, e = names.index("meaning"), names.index(column)

    def scores(minilm: float, other: float) -> list[np.ndarray]:
        out = []
        for r, b in zip(replays, base, strict=True):
            w = b.copy()
            if r.pool.reading.lawyer:
                w[m], w[e] = minilm, other
            out.append(r.X @ w)
        return out

    shipped = QUESTION_WEIGHTS.meaning
    print_row(f"{column} in meaning's place (weight {shipped:g})", replays, scores(0.0, shipped))
    for label, grid in (("MiniLM", [(g, 0.0) for g in MEANING_GRID]),
                        (column, [(0.0, g) for g in MEANING_GRID]),
                        (f"MiniLM or {column}", [(shipped, 0.0), (0.0, shipped)]),
                        (f"MiniLM + {column}", [(a, b) for a in MEANING_GRID for b in MEANING_GRID])):
        table = [scores(*g) for g in grid]
        objectives = np.array([[r.objective(s[q]) for q, r in enumerate(replays)] for s in table])
        totals = objectives.sum(axis=1)
        chosen = [int(np.argmax(totals - objectives[:, q])) for q in range(len(replays))]
        picks: dict[str, int] = {}
        for c in chosen:
            tag = f"{grid[c][0]:g}/{grid[c][1]:g}"
            picks[tag] = picks.get(tag, 0) + 1
        print_row(f"LOO over the weight of {label} (chosen MiniLM/{column}: {picks})", replays,
                  [table[c][q] for q, c in enumerate(chosen)])


def coordinate_ascent(replays: list[Replay], start: np.ndarray, free: list[int], sd: np.ndarray,
                      passes: int = 1) -> np.ndarray:
    w = start.copy()
    best = sum(r.objective(r.X @ w) for r in replays)
    step = unit()
    for _ in range(passes):
        improved = False
        for j in free:
            trials = ([w[j] * m for m in MULTIPLIERS] if w[j] else []) + [g * step / sd[j] for g in GRID[1:]] \
                + [-g * step / sd[j] for g in GRID[1:]]
            for value in trials:
                if value == w[j]:
                    continue
                v = w.copy()
                v[j] = value
                total = sum(r.objective(r.X @ v) for r in replays)
                if total > best + 1e-9:
                    best, w, improved = total, v, True
        if not improved:
            break
    return w


def folds_of(n: int, folds: int) -> list[list[int]]:
    if folds <= 0:
        return [[i] for i in range(n)]
    rng = np.random.default_rng(0)
    order = rng.permutation(n)
    return [sorted(order[k::folds].tolist()) for k in range(folds)]


def cross_validated(replays: list[Replay], fit: Callable[[list[Replay]], Callable[[Replay], np.ndarray]],
                    folds: int) -> list[np.ndarray]:
    scores: list[np.ndarray | None] = [None] * len(replays)
    for test in folds_of(len(replays), folds):
        held = set(test)
        model = fit([r for i, r in enumerate(replays) if i not in held])
        for i in test:
            scores[i] = model(replays[i])
    return scores  # type: ignore[return-value]


def labels(replay: Replay) -> np.ndarray:
    out = np.zeros(len(replay.keys))
    for i, (doc, para) in enumerate(replay.keys):
        if doc in replay.case.relevant:
            pins = replay.case.relevant[doc]
            out[i] = 2.0 if pins and para is not None and str(para) in pins else 1.0
    return out


def pairwise_fit(train: list[Replay], cols: list[int], c: float = 0.1, per_query: int = 100, seed: int = 0):
    """`fit_ranking.fit`'s pairwise logistic regression on the signals standardised over the training pools."""
    from sklearn.linear_model import LogisticRegression

    mu = np.vstack([r.X[:, cols] for r in train]).mean(axis=0)
    sd = scale(train)[cols]
    rng = np.random.default_rng(seed)
    diffs, weights = [], []
    for r in train:
        y = labels(r)
        Z = (r.X[:, cols] - mu) / sd
        pos, neg = np.where(y > 0)[0], np.where(y == 0)[0]
        if not len(pos) or not len(neg):
            continue
        per_pos = max(1, per_query // len(pos))
        for p in pos:
            for n in rng.choice(neg, size=min(per_pos, len(neg)), replace=False):
                diffs.append(Z[p] - Z[n])
                weights.append((2.0 if y[p] == 2 else 1.0) / len(pos))
    D, W = np.array(diffs), np.array(weights)
    model = LogisticRegression(C=c, max_iter=5000, fit_intercept=False)
    model.fit(np.vstack([D, -D]), np.r_[np.ones(len(D)), np.zeros(len(D))], sample_weight=np.r_[W, W])
    coef = model.coef_[0]
    return lambda r: ((r.X[:, cols] - mu) / sd) @ coef


def lambdarank_fit(train: list[Replay], cols: list[int], seed: int = 0):
    import lightgbm as lgb

    X = np.vstack([r.X[:, cols] for r in train])
    y = np.concatenate([labels(r) for r in train]).astype(int)
    model = lgb.LGBMRanker(objective="lambdarank", n_estimators=200, learning_rate=0.05, num_leaves=7,
                           min_child_samples=20, subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                           lambdarank_truncation_level=20, random_state=seed, verbose=-1, n_jobs=1)
    model.fit(X, y, group=[len(r.keys) for r in train])
    return lambda r: model.predict(r.X[:, cols]) if len(r.keys) else np.zeros(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pools", type=Path)
    parser.add_argument("--folds", type=int, default=0, help="K-fold for coordinate ascent and the fits (0: LOO)")
    parser.add_argument("--lightgbm", action="store_true")
    parser.add_argument("--skip-ascent", action="store_true")
    parser.add_argument("--skip-ablation", action="store_true", help="no `- FEATURE` and `+ SIGNAL` rows")
    parser.add_argument("--meaning", help="a pool column to compare with MiniLM's `meaning` (see `meaning_rows`)")
    parser.add_argument("--skip-fits", action="store_true", help="no pairwise logistic rows")
    args = parser.parse_args(argv)
    pools: list[Pool] = pickle.loads(args.pools.read_bytes())
    replays = [Replay(p) for p in pools if p.case.kind in ECHR_KINDS]
    names = pools[0].names
    base = [shipped_vector(r.pool) for r in replays]
    same = sum(r.top10(r.X @ w) == [(d, p) for d, p in r.pool.shipped][:10] for r, w in zip(replays, base, strict=True))
    lawyer = sum(r.pool.reading.lawyer for r in replays)
    print(f"{len(replays)} ECtHR questions ({lawyer} read as a lawyer's question); replay of the shipped weights "
          f"equals the pipeline's top 10 for {same}")
    in_pool = [labels(r) for r in replays]
    documents, paragraphs = sum(bool((y > 0).any()) for y in in_pool), sum(bool((y == 2).any()) for y in in_pool)
    print(f"what any re-ranking of these pools can reach: a relevant document in the pool for {documents}, a "
          f"pinpointed paragraph for {paragraphs} (doc_hit@10 and para_hit@10 at most those over {len(replays)})\n")
    kinds = sorted({r.case.kind for r in replays})
    print("| ranker | all doc@10 / para@10 | " + " | ".join(kinds) + " |\n|---|---|" + "---|" * len(kinds))
    print_row("shipped weights (replay)", replays, [r.X @ w for r, w in zip(replays, base, strict=True)])
    rows_pipeline = [score_ranking(r.case, r.pool.shipped) for r in replays]
    print(f"| shipped weights (pipeline) | {statistics.fmean(x['doc_hit@10'] for x in rows_pipeline):.3f} / "
          f"{statistics.fmean(x['para_hit@10'] for x in rows_pipeline if x['para_hit@10'] is not None):.3f} | |")
    if not all(r.pool.reading.lawyer for r in replays):
        print("note: some questions are read as passages (passage weights); the added signals apply to them too")
    if args.meaning:
        meaning_rows(replays, base, names, args.meaning)
    if not args.skip_ablation:
        ablation_rows(replays, base, names)
    sd_all = scale(replays)
    free = [j for j, n in enumerate(names) if n not in ("named_case", "footnote", "shared_phrases", "note_document")]
    if not args.skip_ascent:
        def ascent(train: list[Replay]):
            w = coordinate_ascent(train, base[0], free, sd_all)
            print("    ascent: " + ", ".join(f"{names[j]}={w[j]:.3g}" for j in free if w[j]), file=sys.stderr,
                  flush=True)
            return lambda r: r.X @ w
        print_row(f"coordinate ascent ({'LOO' if args.folds <= 0 else f'{args.folds}-fold'})", replays,
                  cross_validated(replays, ascent, args.folds))
    cols = free
    for c in () if args.skip_fits else (0.01, 0.1, 1.0):
        print_row(f"pairwise logistic C={c} ({'LOO' if args.folds <= 0 else f'{args.folds}-fold'})", replays,
                  cross_validated(replays, lambda t, c=c: pairwise_fit(t, cols, c), args.folds))
    if args.lightgbm:
        print_row(f"lambdarank ({'LOO' if args.folds <= 0 else f'{args.folds}-fold'})", replays,
                  cross_validated(replays, lambda t: lambdarank_fit(t, cols), args.folds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
