"""Memory of a process holding a store, and its search latency: RSS split into anonymous and file-backed pages.

Each probe runs in its own subprocess (one Qdrant Edge opener per store; a fresh process so nothing is shared):
it opens the store through `EdgeStore`, reads /proc/self/smaps_rollup after the open and after 50 searches of each
mode (bm25, dense, hybrid; queries are stored points' own vectors, the sparse one cut to its 8 heaviest terms, as a
question's is short), and prints p50/p95 per mode. File-backed resident pages are reclaimable by the kernel, but they
count in the RSS `top` shows, so both are printed.

    python bench/store_memory.py STORE_DIR [STORE_DIR ...]     # STORE_DIR holds `store/` (a copy, never a live one)
    python bench/store_memory.py --optimize STORE_DIR          # optimise the copy first (`EdgeStore.optimize`)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

FIELDS = ("Rss", "Pss", "Anonymous", "Pss_File")
SEARCHES = 50


def rollup() -> dict[str, int]:
    """This process's smaps_rollup figures in MB (file-backed RSS = Rss - Anonymous)."""
    values: dict[str, int] = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        if name in FIELDS:
            values[name] = int(rest.split()[0]) // 1024
    values["File"] = values["Rss"] - values["Anonymous"]
    return values


def probe(store_dir: Path, optimize: bool) -> dict:
    """Runs inside the subprocess: open, (optimise,) search, measure."""
    import qdrant_edge as q

    from kb.store.base import DENSE, SPARSE, SearchFilters, SparseVector
    from kb.store.edge import EdgeStore

    started = time.monotonic()
    store = EdgeStore(store_dir / "store", dim=384)
    result: dict = {"open_s": round(time.monotonic() - started, 1), "open": rollup()}
    if optimize:
        started = time.monotonic()
        store.optimize()
        result["optimize_s"] = round(time.monotonic() - started, 1)
        result["optimized"] = rollup()
    result["segments"] = len(store._shard.snapshot_manifest())
    points = store._shard.scroll(q.ScrollRequest(limit=5000, with_vector=True))[0]
    queries = [p for p in points if DENSE in (p.vector or {})][:: max(1, len(points) // SEARCHES)][:SEARCHES]
    for mode in ("bm25", "dense", "hybrid"):
        took = []
        for point in queries:
            sparse = point.vector[SPARSE]
            top = sorted(zip(sparse.values, sparse.indices, strict=True), reverse=True)[:8]
            query = SparseVector(indices=[i for _, i in top], values=[v for v, _ in top])
            begun = time.perf_counter()
            store.search(list(point.vector[DENSE]), query, SearchFilters(), 10, mode=mode)
            took.append((time.perf_counter() - begun) * 1000)
        took.sort()
        result[mode] = {"p50_ms": round(statistics.median(took), 1),
                        "p95_ms": round(took[int(0.95 * (len(took) - 1))], 1), **rollup()}
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stores", nargs="+", type=Path)
    parser.add_argument("--optimize", action="store_true", help="optimise each copy before measuring")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(probe(args.stores[0], args.optimize)))
        return
    print(f"load average {os.getloadavg()[0]:.2f}; MB from /proc/self/smaps_rollup (File = Rss - Anonymous)")
    for store_dir in args.stores:
        command = [sys.executable, __file__, "--child", str(store_dir)] + (["--optimize"] if args.optimize else [])
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{store_dir}: {result['segments']} segment(s), open {result['open_s']} s"
              + (f", optimise {result['optimize_s']} s" if "optimize_s" in result else ""))
        for stage in ("open", "optimized", "bm25", "dense", "hybrid"):
            if stage in result:
                row = result[stage]
                latency = f"  p50 {row['p50_ms']} ms p95 {row['p95_ms']} ms" if "p50_ms" in row else ""
                print(f"  {stage:9} Rss {row['Rss']:5} Pss {row['Pss']:5} Anon {row['Anonymous']:5} "
                      f"File {row['File']:5}{latency}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
