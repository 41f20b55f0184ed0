"""Fit the question weights of `kb.search.ranking` on the dev questions, with cross-validation through the shipped
pipeline, against the hand-set weights in the same run.

    KB_HOME=… KB_EMBED_CACHE=… .venv/bin/python bench/fit_questions.py [--folds 10] [--seed 0] [--cache tables.pkl]

The questions whose answers are ECtHR paragraphs (`dev-echr-qa.jsonl`, and `dev-lawyer-questions.jsonl` of kind
`lawyer`) give, through the shipped ranked pipeline, every candidate with its feature values (`QUESTION_FEATURES`,
`meaning` included). A pairwise logistic regression (`fit_ranking.fit`: each relevant candidate against sampled
others of the same question) gives the question weights. Cross-validation: the questions are split into `--folds`
folds (each file spread over all folds); each fold's questions are searched with weights fitted on the other folds
only, through the real pipeline (`KnowledgeBase.search_pipeline`, spreader, UN slot and all), so every figure
printed for the fitted weights is of questions their weights never saw. The PRC, UN and mixed questions (whose
answers the ECtHR-only features do not describe) are searched with weights fitted on all the ECtHR questions.
Printed: BM25, the shipped weights, and the cross-validated fit, per file and kind; then the weights fitted on all.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from fit_ranking import Table, fit, label

from kb.api import KnowledgeBase
from kb.requests import SearchMode
from kb.search.evaluation import EvalCase, read_cases, score_ranking
from kb.search.ranking import DEFAULT_RANKING, QUESTION_WEIGHTS, Ranking, ranking_features
from kb.settings import Settings
from kb.store.base import SearchFilters

QUESTION_FEATURES = ["retrieval", "votes", "best_voter", "cited_document", "facts_support", "facts_document",
                     "low_authority_type", "cited_para", "court_role", "question_not_court", "question_principles",
                     "key_case", "grand_chamber", "meaning"]
"""The features a question's ranking is fitted on: all but those dev questions cannot show (`named_case`,
`footnote`, `note_document`) and `shared_phrases` (a question's phrases are the asker's own)."""
ECHR_KINDS = ("echr-qa", "lawyer")
METRICS = ("doc_hit@1", "doc_hit@10", "para_hit@10", "mrr@10")
PROBE = 1e-9
"""A `meaning` weight too small to change an order, so that the pipeline computes the feature for the tables."""


def question_ranking(weights: dict[str, float]) -> Ranking:
    return Ranking(DEFAULT_RANKING.passages, replace(QUESTION_WEIGHTS, **weights))


def collect(kb: KnowledgeBase, cases: list[EvalCase]) -> list[Table]:
    from haystack import Document

    search = kb.search_pipeline(SearchMode.RANKED, ranking=question_ranking({"meaning": PROBE}))
    out = []
    for case in cases:
        filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
        cands = search.run(query=case.query, filters=filters, top_k=10)["candidates"]
        X = np.array([[ranking_features(c)[f] for f in QUESTION_FEATURES] for c in cands],
                     dtype=np.float64).reshape(-1, len(QUESTION_FEATURES))
        slim = [Document(id=c.id, content="", meta={k: c.meta.get(k) for k in ("doc_id", "paragraph")}) for c in cands]
        out.append(Table(case, X, slim, np.array([label(case, c) for c in slim])))
    return out


def run(kb: KnowledgeBase, cases: list[EvalCase], ranking: Ranking | None, mode=SearchMode.RANKED) -> list[dict]:
    search = kb.search_pipeline(mode, ranking=ranking) if mode is SearchMode.RANKED else kb.search_pipeline(mode)
    rows = []
    for case in cases:
        hits = search.run(query=case.query, filters=SearchFilters(exclude_doc_ids=case.exclude_doc_ids),
                          top_k=10)["documents"]
        ranked = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in hits]
        rows.append({"qid": case.qid, "kind": case.kind, **score_ranking(case, ranked)})
    return rows


def folds_of(cases: list[EvalCase], folds: int, seed: int) -> list[int]:
    """A fold per case: each kind dealt round-robin over the folds after a seeded shuffle."""
    import random

    fold = [0] * len(cases)
    rng = random.Random(seed)
    for kind in sorted({c.kind for c in cases}):
        members = [i for i, c in enumerate(cases) if c.kind == kind]
        rng.shuffle(members)
        for n, i in enumerate(members):
            fold[i] = n % folds
    return fold


def weights_of(w: np.ndarray) -> dict[str, float]:
    return {f: float(v) for f, v in zip(QUESTION_FEATURES, w, strict=True)}


def print_table(results: dict[str, list[dict]]) -> None:
    print("| kind | n | variant | " + " | ".join(METRICS) + " |\n|---|---|---|" + "---|" * len(METRICS))
    kinds = sorted({r["kind"] for rows in results.values() for r in rows})
    for kind in ["ECtHR questions", *kinds]:
        for name, rows in results.items():
            subset = [r for r in rows if (r["kind"] in ECHR_KINDS if kind == "ECtHR questions" else r["kind"] == kind)]
            cells = []
            for m in METRICS:
                values = [r[m] for r in subset if r[m] is not None]
                cells.append(f"{statistics.fmean(values):.3f}" if values else "—")
            print(f"| {kind} | {len(subset)} | {name} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, help="feature tables: read if present, else computed and written")
    parser.add_argument("--without", action="append", default=[], help="a feature left out of the fit (repeatable)")
    args = parser.parse_args(argv)
    settings = Settings.load()
    eval_dir = settings.corpus.parent / "eval"
    cases = read_cases(eval_dir / "dev-echr-qa.jsonl") + read_cases(eval_dir / "dev-lawyer-questions.jsonl")
    echr = [c for c in cases if c.kind in ECHR_KINDS]
    others = [c for c in cases if c.kind not in ECHR_KINDS]
    kb = KnowledgeBase(settings)
    try:
        if args.cache and args.cache.exists():
            tabs = pickle.loads(args.cache.read_bytes())
        else:
            tabs = collect(kb, echr)
            if args.cache:
                args.cache.write_bytes(pickle.dumps(tabs))
        cols = [i for i, f in enumerate(QUESTION_FEATURES) if f not in args.without]
        used = [QUESTION_FEATURES[i] for i in cols]
        unused = {f: 0.0 for f in QUESTION_FEATURES if f not in used}

        def fitted(train: list[Table]) -> Ranking:
            return question_ranking({**unused, **dict(zip(used, fit(train, cols, 1.0).tolist(), strict=True))})

        fold = folds_of(echr, args.folds, args.seed)
        cv: list[dict] = []
        for k in range(args.folds):
            test = [c for c, f in zip(echr, fold, strict=True) if f == k]
            train = [t for t, f in zip(tabs, fold, strict=True) if f != k]
            cv += run(kb, test, fitted(train))
            print(f"  fold {k + 1}/{args.folds}", file=sys.stderr, flush=True)
        final = fitted(tabs)
        cv += run(kb, others, final)
        results = {"bm25": run(kb, cases, None, SearchMode.BM25),
                   "shipped question weights": run(kb, cases, DEFAULT_RANKING),
                   f"fitted, {args.folds}-fold CV" + (f" without {', '.join(args.without)}" if args.without else ""):
                       cv}
        print(f"{len(echr)} ECtHR questions in {args.folds} folds; {len(others)} others with the weights fitted on "
              f"all ECtHR questions\n")
        print_table(results)
        print("\nquestion weights fitted on all ECtHR questions (QUESTION_WEIGHTS):")
        for name in QUESTION_FEATURES:
            print(f"    {name}={getattr(final.questions, name):.3g},")
    finally:
        kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
