"""Issue 22: what the reasoning index costs a search, and how often its first judgments hold a relevant one.

    KB_HOME=… .venv/bin/python bench/reasoning_index.py [QUESTIONS.jsonl …] [--limit 10] [--repeat 3]

For each question of the files (default: the 113 dev questions of `dev-echr-qa.jsonl` and
`dev-lawyer-questions.jsonl`), `open_reasoning_index(store).first(query, limit, exclude_doc_ids)` as the search
calls it, timed `repeat` times after one warm-up pass; the baseline in the same run is the facts index's query over
the same question with the same limit and exclusions (`ChunkStore.search_facts`, one store query too). Prints p50 and
p95 of each, the index sizes, and the share of questions with a relevant judgment among the first `limit`
(recall of the source, beside the prototype's 58 % at 10 for the expert questions).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from kb.facts import FactsEmbedder
from kb.search.facts_index import open_reasoning_index
from kb.settings import Settings
from kb.store import open_store
from kb.store.base import FACTS, REASONING

EVAL = Path(os.environ.get("KB_CORPUS", "../shared/corpus")).parent / "eval"
DEFAULT_FILES = (EVAL / "dev-echr-qa.jsonl", EVAL / "dev-lawyer-questions.jsonl")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = [json.loads(line) for f in args.files for line in f.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    store = open_store(Settings.load())
    try:
        index = open_reasoning_index(store)
        if index is None:
            print("the reasoning index is empty: run `kb citations build` first")
            return 2
        embedder = FactsEmbedder()
        print(f"{len(cases)} questions; documents indexed: facts {len(store.facts_doc_ids(index=FACTS))}, "
              f"reasoning {len(store.facts_doc_ids(index=REASONING))}; load {os.getloadavg()[0]:.2f}")

        def reasoning(case: dict) -> list[str]:
            return index.first(case["query"], args.limit, case.get("exclude_doc_ids", ()))

        def facts(case: dict) -> list[str]:
            hits = store.search_facts(embedder.query(case["query"]), args.limit,
                                      exclude_doc_ids=tuple(sorted(set(case.get("exclude_doc_ids", ())))))
            return [d for d, _ in hits]

        for name, run in (("reasoning index first()", reasoning), ("facts index, same query (baseline)", facts)):
            for case in cases:
                run(case)  # warm-up: pages the shard in
            times, found = [], 0
            cpu = time.process_time()
            for _ in range(args.repeat):
                for case in cases:
                    started = time.perf_counter()
                    run(case)
                    times.append((time.perf_counter() - started) * 1000)
            cpu = time.process_time() - cpu
            for case in cases:
                found += bool({r["doc_id"] for r in case["relevant"]} & set(run(case)))
            print(f"{name}: p50 {statistics.median(times):.2f} ms, p95 {percentile(times, 0.95):.2f} ms, "
                  f"{cpu * 1000 / len(times):.2f} CPU ms a query; a relevant judgment among the first "
                  f"{args.limit} for {found}/{len(cases)}")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
