"""The citation graph built by this tree's code and by another tree's (the baseline, e.g. /work/main), in the same
run, on the whole corpus, and what changed: citations read, resolved, pinpoints, by form, and a sample of the
edges only one of them has, with the citing paragraph's words, to read by hand.

    python bench/graph_extraction.py --baseline /work/main --leave-out /work/shared/eval/heldout-citing-docs.txt

Each build runs in its own process with its tree first on PYTHONPATH (`kb.citations.graph.build`, as `kb citations
build` calls it) and writes a graph file of its own; the store is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worker(corpus: Path, target: Path, leave_out: Path | None) -> None:
    import resource
    import time

    from kb.citations.graph import build

    left = leave_out.read_text(encoding="utf-8").split() if leave_out else []
    started, cpu = time.perf_counter(), time.process_time()
    stats = build(corpus, target, warn=lambda m: None, leave_out=left)
    stats.update(wall=time.perf_counter() - started, cpu=time.process_time() - cpu,
                 peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(stats))


def run(tree: Path, corpus: Path, target: Path, leave_out: Path | None) -> dict:
    args = [sys.executable, __file__, "--worker", "--corpus", str(corpus), "--target", str(target)]
    if leave_out:
        args += ["--leave-out", str(leave_out)]
    done = subprocess.run(args, capture_output=True, text=True, cwd=tree, timeout=7200,
                          env={**os.environ, "PYTHONPATH": str(tree)})
    if done.returncode:
        raise SystemExit(f"build with {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def figures(path: Path) -> dict:
    con = sqlite3.connect(path)
    out = {"citations": con.execute("SELECT COUNT(*) FROM citations").fetchone()[0],
           "resolved": con.execute("SELECT COUNT(*) FROM citations WHERE cited_doc IS NOT NULL").fetchone()[0],
           "pinpoints": con.execute("SELECT COUNT(*) FROM pinpoints").fetchone()[0],
           "cited paragraphs (distinct)": con.execute(
               "SELECT COUNT(*) FROM (SELECT DISTINCT cited_doc, cited_para FROM pinpoints)").fetchone()[0],
           "citing→cited document pairs": con.execute(
               "SELECT COUNT(*) FROM (SELECT DISTINCT citing_doc, cited_doc FROM citations WHERE cited_doc IS NOT NULL "
               "AND cited_doc != citing_doc)").fetchone()[0]}
    for form, n, resolved in con.execute("SELECT form, COUNT(*), COUNT(cited_doc) FROM citations GROUP BY form"):
        out[f"{form}: read / resolved"] = f"{n} / {resolved}"
    con.close()
    return out


def edges(path: Path) -> dict[tuple[str, str, str], str]:
    """(citing doc, citing paragraph, cited doc) → the citation as written, for every resolved citation."""
    con = sqlite3.connect(path)
    rows = con.execute("SELECT citing_doc, citing_para, cited_doc, raw FROM citations WHERE cited_doc IS NOT NULL")
    out = {(a, b, c): raw for a, b, c, raw in rows}
    con.close()
    return out


def pins(path: Path) -> set[tuple[str, str, str, str]]:
    con = sqlite3.connect(path)
    out = set(con.execute("SELECT c.citing_doc, c.citing_para, p.cited_doc, p.cited_para FROM pinpoints p "
                          "JOIN citations c ON c.id = p.citation_id"))
    con.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="the other tree (e.g. /work/main)")
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")))
    parser.add_argument("--leave-out", type=Path)
    parser.add_argument("--keep", type=Path, help="keep both graph files in this folder (this.sqlite, baseline.sqlite)")
    parser.add_argument("--sample", type=int, default=15, help="edges shown from each side's differences")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.corpus, args.target, args.leave_out)
        return
    if args.baseline is None:
        parser.error("--baseline is required")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="graphs-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"this tree": folder / "this.sqlite", "baseline": folder / "baseline.sqlite"}
    trees = {"this tree": ROOT, "baseline": args.baseline}
    stats = {name: run(trees[name], args.corpus, paths[name], args.leave_out) for name in paths}
    table = {name: figures(path) for name, path in paths.items()}
    keys = list(dict.fromkeys(k for t in table.values() for k in t))
    print(f"{'':40}{'this tree':>20}{'baseline':>20}")
    for key in keys:
        print(f"{key:40}" + "".join(f"{str(table[n].get(key, '-')):>20}" for n in paths))
    for key in ("wall", "cpu", "peak_mb"):
        print(f"{'build ' + key:40}" + "".join(f"{stats[n][key]:>20.1f}" for n in paths))
    mine, base = edges(paths["this tree"]), edges(paths["baseline"])
    p_mine, p_base = pins(paths["this tree"]), pins(paths["baseline"])
    print(f"\nresolved (citing paragraph → cited document) edges: {len(set(mine) & set(base))} in both, "
          f"{len(set(mine) - set(base))} only this tree, {len(set(base) - set(mine))} only the baseline")
    print(f"pinpoints (citing paragraph → cited paragraph): {len(p_mine & p_base)} in both, {len(p_mine - p_base)} "
          f"only this tree, {len(p_base - p_mine)} only the baseline")
    rng = random.Random(1)
    for name, only, other in (("only this tree", mine, base), ("only the baseline", base, mine)):
        diff = sorted(set(only) - set(other))
        print(f"\n{name} (sample of {min(args.sample, len(diff))}):")
        for key in rng.sample(diff, min(args.sample, len(diff))):
            print(f"  {key[0]} [{key[1]}] → {key[2]}: {only[key][:150]}")
    if args.keep is None:
        print(f"\ngraphs left in {folder}")


if __name__ == "__main__":
    main()
