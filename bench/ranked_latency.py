"""Latency of the default (ranked) search on a whole store, per question kind and per pipeline component, and the
same run on a baseline code tree, with a check that both trees rank the same top 10.

    KB_HOME=/path/to/full/store .venv/bin/python bench/ranked_latency.py [--baseline /work/main] [--rounds 2]
        [--sample 200] [--seed 1] [--components] [--keys out.json]

Queries: every question of `dev-lawyer-questions.jsonl` and a fixed sample of `dev.jsonl` (`--sample`, `--seed`),
each with its case's exclusions, as `kb eval` runs them. Each code tree runs in a child process of its own
(`PYTHONPATH=<tree>`), one after the other and never at once (a Qdrant Edge shard admits one process), alternating
for `--rounds` rounds so that both see the same machine load; a tree's latency per query is its fastest round.
Printed: p50/p95 in ms per kind for each tree, with `--components` the mean ms per query of each component (and
what the pipeline spends around them), and whether each query's top 10 (doc_id, paragraph) is identical in both
trees. Figures are printed, not asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
WARM_UP = 5
"""Queries run untimed first, with one of each kind: a process's first Chinese query, for one, loads what it needs
(~250 ms once), which is a cost of starting, not of searching."""


def _timed_components(search, totals: dict[str, float]) -> None:
    """Wraps every component's run (those of nested SuperComponents too) to add its wall time to `totals`."""
    def wrap(name: str, instance) -> None:
        run = instance.run

        def timed(**kwargs):
            started = time.perf_counter()
            try:
                return run(**kwargs)
            finally:
                totals[name] = totals.get(name, 0.0) + (time.perf_counter() - started) * 1000

        instance.run = timed

    def walk(pipeline, prefix: str) -> None:
        for name, instance in pipeline.walk() if hasattr(pipeline, "walk") else pipeline.graph.nodes(data="instance"):
            inner = getattr(instance, "pipeline", None)
            if inner is not None:
                walk(inner, f"{prefix}{name}.")
            wrap(f"{prefix}{name}", instance)

    walk(search.pipeline, "")


def worker(args: argparse.Namespace) -> int:
    """One code tree's run (this process's `kb` is the tree's): writes per-query ms and top-10 keys as JSON."""
    from kb.api import KnowledgeBase
    from kb.search.evaluation import read_cases
    from kb.search.pipeline import run_search
    from kb.settings import Settings
    from kb.store.base import SearchFilters

    cases = read_cases(args.lawyer) + read_cases(args.cases, sample=args.sample, seed=args.seed)
    kb = KnowledgeBase(Settings.load())
    try:
        search = kb.search_pipeline("ranked")
        totals: dict[str, float] = {}
        warm = {case.qid: case for case in cases[:WARM_UP]} | {case.kind: case for case in reversed(cases)}
        for case in warm.values():
            run_search(search, case.query, SearchFilters(exclude_doc_ids=case.exclude_doc_ids), 10)
        if args.components:
            _timed_components(search, totals)
        rows = []
        for case in cases:
            filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
            started = time.perf_counter()
            docs = run_search(search, case.query, filters, 10)
            ms = (time.perf_counter() - started) * 1000
            rows.append({"qid": case.qid, "kind": case.kind, "ms": ms,
                         "keys": [[d.meta.get("doc_id", ""), d.meta.get("paragraph"), d.meta.get("para_index")]
                                  for d in docs]})
    finally:
        kb.close()
    args.out.write_text(json.dumps({"rows": rows, "components": totals}))
    return 0


def run_tree(tree: Path, args: argparse.Namespace, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, str(HERE), "--worker", "--out", str(out), "--cases", str(args.cases), "--lawyer",
               str(args.lawyer), "--sample", str(args.sample), "--seed", str(args.seed)]
    if args.components:
        command.append("--components")
    subprocess.run(command, env=env, check=True, cwd=tree)
    return json.loads(out.read_text())


def report(name: str, runs: list[dict]) -> dict[str, float]:
    """Prints p50/p95 per kind from each query's fastest round; returns each query's ms."""
    fastest = {r["qid"]: r["ms"] for r in runs[0]["rows"]}
    for run in runs[1:]:
        for r in run["rows"]:
            fastest[r["qid"]] = min(fastest[r["qid"]], r["ms"])
    kinds: dict[str, list[float]] = {}
    for r in runs[0]["rows"]:
        kinds.setdefault(r["kind"], []).append(fastest[r["qid"]])
    kinds["all"] = list(fastest.values())
    kinds["lawyer, all"] = [ms for kind, values in kinds.items() if kind.startswith("lawyer-") or kind == "lawyer"
                            for ms in values]
    for kind, values in sorted(kinds.items()):
        print(f"  {name:<9} {kind:<14} n={len(values):<4} p50 {np.percentile(values, 50):6.1f} ms   "
              f"p95 {np.percentile(values, 95):6.1f} ms")
    if runs[-1]["components"]:
        n = len(runs[-1]["rows"])
        total = sum(r["ms"] for r in runs[-1]["rows"]) / n
        top = {k: v / n for k, v in runs[-1]["components"].items() if "." not in k}
        print(f"  {name}: ms per query by component (last round; {total:.1f} ms a query in all)")
        for component, ms in sorted(runs[-1]["components"].items(), key=lambda kv: -kv[1]):
            print(f"    {component:<28} {ms / n:6.1f}")
        print(f"    {'(pipeline around them)':<28} {total - sum(top.values()):6.1f}")
    return fastest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another code tree (e.g. /work/main) to run alternately")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cases", type=Path, help="dev.jsonl (default: beside the corpus, ../shared/eval/)")
    parser.add_argument("--lawyer", type=Path, help="dev-lawyer-questions.jsonl (default: beside dev.jsonl)")
    parser.add_argument("--sample", type=int, default=200, help="dev.jsonl cases sampled")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--components", action="store_true", help="also time each pipeline component")
    parser.add_argument("--keys", type=Path, help="write each tree's top-10 keys per query here (JSON)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.cases is None:
        from kb.settings import Settings

        corpus = Settings.load().corpus
        if corpus is None:
            parser.error("no corpus folder: set KB_CORPUS or pass --cases")
        args.cases = corpus.parent / "eval" / "dev.jsonl"
    args.lawyer = args.lawyer or args.cases.with_name("dev-lawyer-questions.jsonl")
    trees = {"this": HERE.parents[1]}
    if args.baseline:
        trees = {"baseline": args.baseline.resolve(), **trees}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            for name, tree in trees.items():
                print(f"round {round_ + 1}: {name} ({tree}) …", file=sys.stderr)
                runs[name].append(run_tree(tree, args, Path(folder) / f"{name}-{round_}.json"))
    print(f"ranked search, {len(runs['this'][0]['rows'])} queries, fastest of {args.rounds} round(s) per query")
    for name in trees:
        report(name, runs[name])
    keys = {name: {r["qid"]: r["keys"] for r in rs[0]["rows"]} for name, rs in runs.items()}
    if args.keys:
        args.keys.write_text(json.dumps(keys, indent=0))
    unstable = sorted({r["qid"] for name, rs in runs.items() for run in rs[1:] for r in run["rows"]
                       if r["keys"] != keys[name][r["qid"]]})
    if unstable:
        print(f"top 10 differs between rounds of one tree for {len(unstable)} queries: {', '.join(unstable[:5])}")
    if args.baseline:
        differ = [qid for qid in keys["this"] if keys["this"][qid] != keys["baseline"].get(qid)]
        print(f"top 10 identical in both trees for {len(keys['this']) - len(differ)} of {len(keys['this'])} queries"
              + (f"; differ: {', '.join(differ[:10])}" if differ else ""))
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
