"""Time and peak memory of the command a user types, `kb check JUDGMENT`, on real UK judgments of the corpus, for this
tree and a baseline tree in the same run (issue 23: ≤ 3 s and ≤ 1 GB for a 100-paragraph judgment).

    KB_HOME=/work/stores/check python bench/check_cli.py --baseline /work/main

Each run is a fresh process (`python -m kb.cli check FILE`, the tree's code first on PYTHONPATH), so it pays what a
user pays: imports, reading the store's payload copy or opening the store, building the citation index, and in the
baseline the "you may be missing" search (the shard and the model). Wall time from start to exit, CPU time (the
least of the runs) and peak RSS from the child's own rusage (`os.wait4`), the 1-minute load average before each run.
This tree is also run with `--suggest`, the opt-in search, to show what it costs. The machine is shared: read the
wall times beside the load (CPU time is what the command costs whatever the load).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUDGMENTS = ("2020-ewca-122-civ", "2020-ewca-1176-civ", "2017-ewhc-1912-admin")
"""127, 164 and 499 numbered paragraphs: the dev set's nearest to 100 paragraphs, HA (Iraq), and Nteziryayo (the
longest of the seven judgments the issue names)."""


def load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def run_once(tree: Path, path: Path, flags: tuple[str, ...]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = load()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "kb.cli", "check", str(path), *flags], cwd=tree, env=env,
                                 stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # reaped here, so its own rusage, not all children's
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text, problem = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "load": before, "code": child.returncode, "suggested": text.count("\n  ["),
            "error": problem[-300:] if child.returncode == 2 else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another tree to run in the same run (e.g. /work/main)")
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")))
    parser.add_argument("--repeat", type=int, default=2, help="runs of each command (default 2)")
    args = parser.parse_args()
    commands = [("this tree: kb check FILE", ROOT, ())]
    if args.baseline:
        commands.append(("baseline: kb check FILE", args.baseline, ()))
    commands.append(("this tree: kb check FILE --suggest", ROOT, ("--suggest",)))
    print(f"store {os.environ.get('KB_HOME', '(default)')}; {args.repeat} runs each; 2 cores shared; load average "
          f"(1 min) at start {load():.2f}\n")
    print(f"{'judgment':24}{'command':38}{'wall s (each)':>20}{'CPU s':>8}{'peak RSS MB':>14}{'load':>14}"
          f"{'exit':>6}{'suggested':>11}")
    worst: dict[str, tuple[float, float]] = {}
    for name in JUDGMENTS:
        path = args.corpus / "national" / "uk-tna" / f"{name}.xml"
        for label, tree, flags in commands:
            runs = [run_once(tree, path, flags) for _ in range(args.repeat)]
            if any(r["error"] for r in runs):
                print(f"{name:24}{label:38}  failed: {next(r['error'] for r in runs if r['error'])}")
                continue
            walls = " / ".join(f"{r['seconds']:.2f}" for r in runs)
            rss = max(r["rss_mb"] for r in runs)
            loads = " / ".join(f"{r['load']:.1f}" for r in runs)
            cpu = min(r["cpu"] for r in runs)
            print(f"{name:24}{label:38}{walls:>20}{cpu:>8.2f}{rss:>14.0f}{loads:>14}{runs[-1]['code']:>6}"
                  f"{runs[-1]['suggested']:>11}")
            best = min(r["seconds"] for r in runs)
            worst[label] = (max(worst.get(label, (0, 0))[0], best), max(worst.get(label, (0, 0))[1], rss))
    print("\nper command, over the judgments: the slowest judgment's best wall time, the largest peak RSS")
    for label, (seconds, rss) in worst.items():
        print(f"  {label:38} {seconds:6.2f} s  {rss:6.0f} MB")
    print(f"\nload average (1 min) at the end {load():.2f}")


if __name__ == "__main__":
    main()
