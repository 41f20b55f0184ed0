"""`kb update` throughput: chunks/s of the second pass (writes) over its first minutes, on a copy of a store, for this
checkout and a baseline checkout in the same run.

    .venv/bin/python bench/update_speed.py STORE_HOME [--baseline DIR] [--seconds 300] [--only echr/JUDGMENT]

STORE_HOME is never opened: each checkout gets a fresh copy of it (next to it, `<name>-bench-<checkout>`, removed
afterwards unless --keep), and runs `kb update --no-drop --no-uploads [--only ...]` there at niceness 10, with the
environment's KB_CORPUS and KB_EMBED_CACHE. The first pass (reading every file of the source) is timed apart; the
rate is that of the chunks reported written between the first progress line and `--seconds` later, when the run is
killed (kill -9 leaves the old version or old plus new of a document: the copy is thrown away anyway). What it was
made for (session 18): a store written sparse-first, then a loader change that gives every ECtHR document a new
version; `kb update` ran the model for every unchanged passage the embedding cache lacked (~30 chunks/s) where a
fresh sparse-first ingest writes ~700. `--baseline DIR`: e.g. `git archive main | tar -x -C DIR`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
KB = [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main(sys.argv[1:]))"]


def measure(code: Path, home: Path, seconds: float, only: list[str]) -> dict:
    env = {**os.environ, "KB_HOME": str(home), "PYTHONPATH": str(code), "HF_HUB_OFFLINE": "1"}
    args = ["update", "--no-drop", "--no-uploads", *[a for o in only for a in ("--only", o)]]
    started = time.monotonic()
    proc = subprocess.Popen(["nice", "-n", "10", *KB, *args], cwd=code, env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    first: tuple[float, int] | None = None
    last: tuple[float, int] | None = None
    total = 0
    try:
        for line in proc.stderr:
            if not line.startswith("update: "):
                continue
            done, _, rest = line[len("update: "):].partition("/")
            total = int(rest.split()[0])
            now = (time.monotonic(), int(done))
            first = first or now
            last = now
            if now[0] - first[0] >= seconds:
                break
    finally:
        proc.kill()
        proc.wait()
    if first is None or last is None or last[0] == first[0]:
        return {"first_pass_s": time.monotonic() - started, "chunks": 0, "seconds": 0.0, "rate": 0.0, "total": total}
    chunks, spent = last[1] - first[1], last[0] - first[0]
    return {"first_pass_s": first[0] - started, "chunks": chunks, "seconds": spent, "rate": chunks / spent,
            "total": total}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="the store home to copy (never opened)")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured first in this run")
    parser.add_argument("--seconds", type=float, default=300.0, help="how long to time the writes")
    parser.add_argument("--only", action="append", default=[], help="`kb update --only` (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    args = parser.parse_args()
    codes = ([("baseline", args.baseline.resolve())] if args.baseline else []) + [("this", PROJECT)]
    for name, code in codes:
        copy = args.home.with_name(f"{args.home.name}-bench-{name}")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(args.home, copy, symlinks=True)
        try:
            r = measure(code, copy, args.seconds, args.only)
        finally:
            if not args.keep:
                shutil.rmtree(copy, ignore_errors=True)
        print(f"{name:8} ({code}): first pass {r['first_pass_s']:.0f} s; then {r['chunks']} of {r['total']} chunks "
              f"in {r['seconds']:.0f} s = {r['rate']:.0f} chunks/s; the rest at that rate: "
              f"{(r['total'] - r['chunks']) / r['rate'] / 60 if r['rate'] else float('nan'):.0f} min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
