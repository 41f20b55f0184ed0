"""Latency and CPU of the default (ranked) search on a whole store, per question kind and per pipeline component,
and the same run on a baseline code tree, with a check that both trees give the same results.

    KB_HOME=/path/to/full/store .venv/bin/python bench/ranked_latency.py [--baseline /work/main] [--rounds 2]
        [--sample 200] [--seed 1] [--components] [--keys out.json]

Queries: every question of `dev-lawyer-questions.jsonl` and `dev-echr-qa.jsonl` (`--questions`) and a fixed sample
of `dev.jsonl` (`--sample`, `--seed`), each with its case's exclusions, as `kb eval` runs them. Each code tree runs
in a child process of its own (`PYTHONPATH=<tree>`), one after the other and never at once (a Qdrant Edge shard
admits one process), alternating for `--rounds` rounds so that both see the same machine load; a tree's figure per
query is its fastest round. Printed per kind for each tree: p50/p95 of the wall time in ms, and the mean CPU in ms
of the searching thread (the Python that holds the GIL, what concurrent searches queue for) and of the whole
process (ONNX Runtime's and Qdrant Edge's threads too): on a shared machine the CPU figures move less with the load
than the wall times. A question's query embedding runs on a thread of its own (`kb.search.meaning.QueryEmbedding`):
its CPU is the process's, not the searching thread's (nor the `meaning` step's). With `--components`, the mean wall
and thread-CPU ms per query of each component (and what the pipeline spends around them).

Same results: each query's top 10 and the ranker's whole candidate list (`candidates`), ids and scores, must be
identical in both trees (exit status 1 if not). The children run with one PYTHONHASHSEED: a set's order follows the
string hashes, and the `shared_phrases` sum runs over a set, so two processes with other seeds differ in the last
bit of some scores. Figures are printed, not asserted: they depend on the machine.
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


PASSAGE_KINDS = ("citation", "summary")
"""The kinds of `dev.jsonl`: pasted passages (a judgment's paragraph, a summary of a case's facts). The question files'
kinds are questions; the two groups get a row each beside the kinds, as their costs differ (a question embeds itself
and reads its pool's vectors, a passage runs the passage model and the facts rank)."""


HASH_SEED = "0"
"""The children's PYTHONHASHSEED (see the module docstring)."""


def _timed_components(search, totals: dict[str, list[float]]) -> None:
    """Wraps every component's run (those of nested SuperComponents too) to add its wall time and the searching
    thread's CPU time to `totals` ([wall ms, CPU ms])."""
    def wrap(name: str, instance) -> None:
        run = instance.run

        def timed(**kwargs):
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return run(**kwargs)
            finally:
                total = totals.setdefault(name, [0.0, 0.0])
                total[0] += (time.perf_counter() - started) * 1000
                total[1] += (time.thread_time() - cpu) * 1000

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

    cases = [case for path in args.questions for case in read_cases(path)] + read_cases(
        args.cases, sample=args.sample, seed=args.seed)
    kb = KnowledgeBase(Settings.load())
    try:
        search = kb.search_pipeline("ranked")
        totals: dict[str, list[float]] = {}
        warm = {case.qid: case for case in cases[:WARM_UP]} | {case.kind: case for case in reversed(cases)}
        for case in warm.values():
            run_search(search, case.query, SearchFilters(exclude_doc_ids=case.exclude_doc_ids), 10)
        if args.components:
            _timed_components(search, totals)
        rows = []
        for case in cases:
            filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
            started, thread, process = time.perf_counter(), time.thread_time(), time.process_time()
            result = search.run(query=case.query, filters=filters, top_k=10)
            rows.append({"qid": case.qid, "kind": case.kind, "ms": (time.perf_counter() - started) * 1000,
                         "cpu": (time.thread_time() - thread) * 1000, "process": (time.process_time() - process) * 1000,
                         "keys": [[d.id, d.score] for d in result["documents"]],
                         "candidates": [[d.id, d.score] for d in result.get("candidates", ())]})
    finally:
        kb.close()
    args.out.write_text(json.dumps({"rows": rows, "components": totals}))
    return 0


def run_tree(tree: Path, args: argparse.Namespace, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": HASH_SEED}
    command = [sys.executable, str(HERE), "--worker", "--out", str(out), "--cases", str(args.cases), "--questions",
               *map(str, args.questions), "--sample", str(args.sample), "--seed", str(args.seed)]
    if args.components:
        command.append("--components")
    subprocess.run(command, env=env, check=True, cwd=tree)
    return json.loads(out.read_text())


def report(name: str, runs: list[dict]) -> None:
    """Prints, per kind, p50/p95 wall ms and mean thread and process CPU ms, each query's from its fastest round."""
    fastest: dict[str, dict] = {}
    for run in runs:
        for r in run["rows"]:
            best = fastest.setdefault(r["qid"], dict(r))
            for measure in ("ms", "cpu", "process"):
                best[measure] = min(best[measure], r[measure])
    kinds: dict[str, list[dict]] = {}
    for r in fastest.values():
        kinds.setdefault(r["kind"], []).append(r)
    kinds["all"] = list(fastest.values())
    kinds["lawyer, all"] = [r for kind, rows in kinds.items() if kind.startswith("lawyer-") or kind == "lawyer"
                            for r in rows]
    kinds["passages"] = [r for r in kinds["all"] if r["kind"] in PASSAGE_KINDS]
    kinds["questions"] = [r for r in kinds["all"] if r["kind"] not in PASSAGE_KINDS]
    for kind, rows in sorted(kinds.items()):
        wall = [r["ms"] for r in rows]
        print(f"  {name:<9} {kind:<14} n={len(rows):<4} p50 {np.percentile(wall, 50):6.1f} ms   "
              f"p95 {np.percentile(wall, 95):6.1f} ms   CPU: thread {np.mean([r['cpu'] for r in rows]):5.1f} ms, "
              f"process {np.mean([r['process'] for r in rows]):5.1f} ms")
    if runs[-1]["components"]:
        n = len(runs[-1]["rows"])
        wall = sum(r["ms"] for r in runs[-1]["rows"]) / n
        cpu = sum(r["cpu"] for r in runs[-1]["rows"]) / n
        top = [v for k, v in runs[-1]["components"].items() if "." not in k]
        print(f"  {name}: ms per query by component, wall / thread CPU (last round; {wall:.1f} / {cpu:.1f} ms a "
              "query in all)")
        for component, (ms, cpu_ms) in sorted(runs[-1]["components"].items(), key=lambda kv: -kv[1][1]):
            print(f"    {component:<28} {ms / n:6.1f} / {cpu_ms / n:5.1f}")
        print(f"    {'(pipeline around them)':<28} {wall - sum(v[0] for v in top) / n:6.1f} / "
              f"{cpu - sum(v[1] for v in top) / n:5.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another code tree (e.g. /work/main) to run alternately")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cases", type=Path, help="dev.jsonl (default: beside the corpus, ../shared/eval/)")
    parser.add_argument("--questions", type=Path, nargs="+",
                        help="question files (default: dev-lawyer-questions.jsonl and dev-echr-qa.jsonl beside "
                             "dev.jsonl)")
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
    args.questions = args.questions or [args.cases.with_name(name)
                                        for name in ("dev-lawyer-questions.jsonl", "dev-echr-qa.jsonl")]
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
    keys = {name: {r["qid"]: {"top": r["keys"], "candidates": r["candidates"]} for r in rs[0]["rows"]}
            for name, rs in runs.items()}
    if args.keys:
        args.keys.write_text(json.dumps(keys, indent=0))
    unstable = sorted({r["qid"] for name, rs in runs.items() for run in rs[1:] for r in run["rows"]
                       if {"top": r["keys"], "candidates": r["candidates"]} != keys[name][r["qid"]]})
    if unstable:
        print(f"results differ between rounds of one tree for {len(unstable)} queries: {', '.join(unstable[:5])}")
    if args.baseline:
        for part in ("top", "candidates"):
            differ = [qid for qid in keys["this"] if keys["this"][qid][part] != keys["baseline"][qid][part]]
            print(f"{'top 10' if part == 'top' else 'all candidates'} (ids and scores) identical in both trees for "
                  f"{len(keys['this']) - len(differ)} of {len(keys['this'])} queries"
                  + (f"; differ: {', '.join(differ[:10])}" if differ else ""))
            if differ:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
