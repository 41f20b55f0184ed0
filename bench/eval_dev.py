"""Every dev set in one run: the expert questions, the lawyer questions and a fixed sample of dev.jsonl, for BM25,
the shipped ranking, variants of it, and a baseline code tree (today's ranking), with leave-one-out for what is set
on the questions.

    KB_HOME=/work/stores/x KB_EMBED_CACHE=cache.sqlite .venv/bin/python bench/eval_dev.py \
        [--baseline /path/to/main-tree [--baseline-home /work/stores/y]] \
        [--variant "ranked questions.meaning=8 parts.leading_judgments=0"]... \
        [--grid "questions.meaning=0,4,8,16" [--base "ranked parts.standard_slot=0"]] [--citation 300 --summary 100]
        [--seed 1] [--json out.json] [--cases more.jsonl [--only-cases]] [--by-topic]

A variant is `bm25`, `hybrid`, `dense` or `ranked`, then settings: `questions.W=V` / `passages.W=V` (a ranking
weight of the question or passage weight set, `kb.search.ranking.RankingWeights`) and `parts.P=0|1` (a
`kb.search.modes.SearchParts` flag). Each variant, and the baseline tree's `bm25` and `ranked`, runs in a child
process of its own (`PYTHONPATH` = its code tree), one after the other (a Qdrant Edge shard admits one process), over
the same cases with each case's exclusions; the table prints every variant per dev file and kind. `--baseline-home`:
the baseline tree's children open that home (`KB_HOME`) instead, a copy of the store whose citation graph (and the
importance it writes) that tree built, so each tree is measured on its own graph. `--cases FILE` (repeatable): one
more case source in the same line format, measured beside the dev files (`--only-cases`: instead of them), e.g. the
UK judges' citations `bench/uk_citations.py` builds.

`--grid NAME=v1,v2,…`: one variant per value (on top of `--base`, the shipped ranking by default) and a leave-one-out
row: each question
of `dev-echr-qa.jsonl` and `dev-lawyer-questions.jsonl` is scored with the value that does best (mean of doc_hit@10
and para_hit@10) on all the other questions of both files, so no question is scored with a value chosen on it.
dev.jsonl's cases are passages, which the question weights never touch; they are printed for every value. A
second row leaves one topic out: each expert question scored with the value best on the questions of the other
Case-Law Guides (`guide_id`), the way the held-out set, drawn from other guides, will judge it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
TREE = HERE.parent.parent
QUESTION_FILES = ("dev-echr-qa.jsonl", "dev-lawyer-questions.jsonl")
DEV_FILE = "dev.jsonl"
METRICS = ("doc_hit@1", "doc_hit@10", "para_hit@10", "mrr@10", "ndcg@10")


# -- child: one variant over every chosen case ---------------------------------------------------------------


def chosen_cases(eval_dir: Path, citation: int, summary: int, seed: int, extra: tuple[Path, ...] = (),
                 only_extra: bool = False) -> list[tuple[str, object]]:
    """(file name, EvalCase) for every question and the fixed dev.jsonl sample (kind-stratified by `seed`), then
    every case of the `extra` files (only those with `only_extra`)."""
    import random

    from kb.search.evaluation import read_cases

    extra_cases = [(path.name, case) for path in extra for case in read_cases(path)]
    if only_extra:
        return extra_cases
    out = [(name, case) for name in QUESTION_FILES for case in read_cases(eval_dir / name)]
    rng = random.Random(seed)
    dev = read_cases(eval_dir / DEV_FILE)
    for kind, n in (("citation", citation), ("summary", summary)):
        pool = [c for c in dev if c.kind == kind]
        out += [(DEV_FILE, c) for c in (rng.sample(pool, n) if 0 < n < len(pool) else pool)]
    return out + extra_cases


def make_search(kb, spec: str):
    """The search function of a variant spec (see the module docstring); in a baseline tree only `bm25`/`ranked`."""
    from dataclasses import replace

    from kb.search.evaluation import searcher, variant_by_mode

    mode, *settings = spec.split()
    variant = variant_by_mode(mode)
    if settings:
        from kb.search.modes import ALL_PARTS
        from kb.search.ranking import DEFAULT_RANKING, Ranking

        ranking, parts = DEFAULT_RANKING, ALL_PARTS
        for setting in settings:
            name, _, value = setting.partition("=")
            group, _, field = name.partition(".")
            if group == "parts":
                flag = isinstance(getattr(parts, field), bool)  # a switch, or a count (`first_judgment_places`)
                parts = replace(parts, **{field: value not in ("0", "false", "off") if flag else int(value)})
            elif group in ("questions", "passages"):
                weights = replace(getattr(ranking, group), **{field: float(value)})
                ranking = Ranking(**{**{"passages": ranking.passages, "questions": ranking.questions}, group: weights})
            else:
                raise SystemExit(f"variant {spec!r}: unknown setting {setting!r} (questions.W=V, passages.W=V, "
                                 f"parts.P=0|1)")
        variant = replace(variant, ranking=ranking, parts=parts)
    return searcher(kb, variant)


def score_cases(search, cases: list[tuple[str, object]], label: str, every: int = 100) -> list[dict]:
    """Each (file, case) searched once with its exclusions: its top 10, latency and scores, one row a case (what a
    child writes; `kb.search.evaluation.evaluate` is not used because a baseline tree's may lack the top 10)."""
    import time

    from kb.search.evaluation import score_ranking
    from kb.store.base import SearchFilters

    rows = []
    for i, (file, case) in enumerate(cases):
        started = time.perf_counter()
        hits = search(case.query, SearchFilters(exclude_doc_ids=case.exclude_doc_ids), 10)
        ms = (time.perf_counter() - started) * 1000
        ranked = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in hits]
        rows.append({"file": file, "qid": case.qid, "kind": case.kind, "ms": ms, "top": ranked,
                     **score_ranking(case, ranked)})
        if (i + 1) % every == 0:
            print(f"    {label}: {i + 1}/{len(cases)}", file=sys.stderr, flush=True)
    return rows


def child(args: argparse.Namespace) -> int:
    from kb.api import KnowledgeBase
    from kb.settings import Settings

    cases = chosen_cases(args.eval_dir, args.citation, args.summary, args.seed, tuple(args.cases), args.only_cases)
    kb = KnowledgeBase(Settings.load())
    try:
        rows = score_cases(make_search(kb, args.child), cases, args.child)
    finally:
        kb.close()
    args.out.write_text(json.dumps(rows))
    return 0


# -- parent: run the variants, print the tables ---------------------------------------------------------------


def run_variant(tree: Path, spec: str, args: argparse.Namespace, home: Path | None = None) -> list[dict]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    command = [sys.executable, str(HERE), "--child", spec, "--out", str(out), "--eval-dir", str(args.eval_dir),
               "--citation", str(args.citation), "--summary", str(args.summary), "--seed", str(args.seed),
               *[a for path in args.cases for a in ("--cases", str(path))],
               *(["--only-cases"] if args.only_cases else [])]
    env = {**os.environ, "PYTHONPATH": str(tree), **({"KB_HOME": str(home)} if home else {})}
    subprocess.run(command, env=env, check=True)
    rows = json.loads(out.read_text())
    out.unlink()
    return rows


def mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def groups(rows: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        out[(r["file"], "all")].append(r)
        out[(r["file"], r["kind"])].append(r)
    return {k: v for k, v in out.items() if not (k[1] != "all" and len({r["kind"] for r in out[(k[0], "all")]}) == 1)}


def table(results: dict[str, list[dict]]) -> str:
    lines = ["| file | kind | n | variant | " + " | ".join(METRICS) + " | p50 ms | p95 ms |",
             "|---|---|---|---|" + "---|" * (len(METRICS) + 2)]
    keys = sorted({k for rows in results.values() for k in groups(rows)})
    for key in keys:
        for name, rows in results.items():
            subset = groups(rows).get(key, [])
            if not subset:
                continue
            cells = [mean([r[m] for r in subset]) for m in METRICS]
            p50, p95 = np.percentile([r["ms"] for r in subset], [50, 95])
            lines.append(f"| {key[0]} | {key[1]} | {len(subset)} | {name} | "
                         + " | ".join("—" if c is None else f"{c:.3f}" for c in cells)
                         + f" | {p50:.0f} | {p95:.0f} |")
    return "\n".join(lines)


def objective(row: dict) -> float:
    """What leave-one-out maximises per question: doc_hit@10 and para_hit@10 (where the case has pinpoints)."""
    values = [row["doc_hit@10"]] + ([row["para_hit@10"]] if row["para_hit@10"] is not None else [])
    return statistics.fmean(values)


def leave_one_out(by_value: dict[str, list[dict]], topic: dict[str, str] | None = None) -> list[dict]:
    """Each question scored with the value best on all the other questions (ties: the first value listed); dev.jsonl
    rows are taken from the first value (question weights do not touch passages). With `topic` (qid → topic), on all
    the questions of other topics: leave one topic out."""
    names = list(by_value)
    first = by_value[names[0]]
    questions = [i for i, r in enumerate(first) if r["file"] in QUESTION_FILES]
    group = {i: (topic or {}).get(first[i]["qid"], first[i]["qid"]) for i in questions}
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for n in names:
        for i in questions:
            totals[n, group[i]] += objective(by_value[n][i])
    overall = {n: sum(v for (m, _), v in totals.items() if m == n) for n in names}
    out = []
    chosen: dict[str, int] = defaultdict(int)
    for i, row in enumerate(first):
        if i not in questions:
            out.append(row)
            continue
        best = max(names, key=lambda n: (overall[n] - totals[n, group[i]], -names.index(n)))
        chosen[best] += 1
        out.append(by_value[best][i])
    print(f"leave-one-{'topic' if topic else 'question'}-out chose: {dict(chosen)}", file=sys.stderr)
    return out


def topics(files: list[Path]) -> dict[str, str]:
    """qid → the Case-Law Guide an expert question was drawn from (ECHR-QA's `guide_id`, its `_eng` twin folded in):
    the held-out expert questions come from other guides, so a setting must hold on topics it was not chosen on.
    A question without a guide is a topic of its own."""
    out = {}
    for path in files:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                case = json.loads(line) if line.strip() else {}
                if guide := (case.get("source") or {}).get("guide_id"):
                    out[case["qid"]] = guide.removesuffix("_eng")
    return out


def topic_table(results: dict[str, list[dict]], topic: dict[str, str], against: str) -> str:
    """Per topic (a Case-Law Guide; the lawyer file's kinds), each variant's mean objective (doc_hit@10 and
    para_hit@10) minus `against`'s: a part that helps one guide and costs another shows here, not in the means."""
    base = {r["qid"]: r for r in results[against]}
    name_of = {r["qid"]: topic.get(r["qid"], f"{r['file'].split('.')[0]}:{r['kind']}") for r in results[against]
               if r["file"] in QUESTION_FILES}
    sizes = Counter(name_of.values())
    names = sorted(sizes, key=lambda t: (-sizes[t], t))
    lines = ["| variant | " + " | ".join(f"{t} ({sizes[t]})" for t in names) + " |", "|---|" + "---|" * len(names)]
    for label, rows in results.items():
        if label == against:
            continue
        by_topic: dict[str, list[float]] = defaultdict(list)
        for r in rows:
            if r["qid"] in name_of and r["qid"] in base:
                by_topic[name_of[r["qid"]]].append(objective(r) - objective(base[r["qid"]]))
        lines.append(f"| {label} | " + " | ".join(f"{statistics.fmean(by_topic[t]):+.3f}" if by_topic[t] else ""
                                                   for t in names) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=Path(os.environ.get("KB_CORPUS", "../shared/corpus")).parent
                        / "eval")
    parser.add_argument("--baseline", type=Path, help="a code tree whose bm25 and ranked run as the baseline")
    parser.add_argument("--baseline-home", type=Path, 
                        help="KB_HOME for the baseline tree (a store copy with its graph)")
    parser.add_argument("--variant", action="append", default=[], help="a variant spec (repeatable)")
    parser.add_argument("--grid", help="NAME=v1,v2,…: one variant per value, and the leave-one-out row")
    parser.add_argument("--base", default="ranked", help="the variant spec the --grid values are added to")
    parser.add_argument("--citation", type=int, default=300, help="dev.jsonl citation cases sampled (all: 0)")
    parser.add_argument("--summary", type=int, default=100, help="dev.jsonl summary cases sampled (all: 0)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write every variant's per-case rows here")
    parser.add_argument("--cases", type=Path, action="append", default=[],
                        help="one more case file (JSON Lines, dev.jsonl's format) measured beside the dev files")
    parser.add_argument("--only-cases", action="store_true", help="measure the --cases files only")
    parser.add_argument("--by-topic", action="store_true",
                        help="also print each variant's gain or loss per topic (guide, lawyer kind) against ranked")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    runs: list[tuple[str, Path, str]] = []
    if args.baseline:
        runs += [("bm25 (baseline tree)", args.baseline, "bm25"), ("ranked (baseline tree)", args.baseline, "ranked")]
    elif args.baseline_home:
        raise SystemExit("--baseline-home needs --baseline")
    runs += [(spec, TREE, spec) for spec in args.variant or ["bm25", "ranked"]]
    grid: list[str] = []
    if args.grid:
        name, _, values = args.grid.partition("=")
        grid = [f"{args.base} {name}={v}" for v in values.split(",")]
        runs += [(spec, TREE, spec) for spec in grid if spec not in {r[0] for r in runs}]
    results: dict[str, list[dict]] = {}
    for label, tree, spec in runs:
        print(f"  {label} …", file=sys.stderr, flush=True)
        results[label] = run_variant(tree, spec, args, args.baseline_home if tree == args.baseline else None)
    guides = topics([args.eval_dir / name for name in QUESTION_FILES] + list(args.cases))
    if grid:
        by_value = {spec: results[spec] for spec in grid}
        results[f"leave-one-out over {args.grid}"] = leave_one_out(by_value)
        results[f"leave-one-topic-out over {args.grid}"] = leave_one_out(by_value, guides)
    print(table(results))
    if args.by_topic and "ranked" in results:
        print("\nPer topic, objective (mean of doc_hit@10 and para_hit@10) minus ranked's:\n")
        print(topic_table(results, guides, "ranked"))
    if args.json:
        args.json.write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
