"""How soon an adapter starts and refuses a bad request, against another code tree in the same run.

    .venv/bin/python bench/adapter_startup.py --baseline /other/checkout [--rounds 7]

Each probe is a fresh process (what a shell user or a test pays), run alternately on this tree and the baseline so
that machine load falls on both alike; the figure is the median wall time and the modules the process imported:
- `import kb.cli`: what every `kb` command pays before it parses its arguments;
- `kb search x --article abc`: a search refused on its arguments (`kb.requests`), before the facade is imported;
- `import kb.api`: the facade, which every command that does work then imports (Haystack, torch and Qdrant Edge load
  in the methods that need them: a search, an ingest; not on import, nor for `kb check`).
The 1-minute load average is printed beside each probe: the machine is shared, read the times against it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBES = {
    "import kb.cli": ["-c", "import sys, kb.cli; print(len(sys.modules))"],
    "kb search x --article abc": ["-c", "import sys, kb.cli; code = kb.cli.main(['search', 'x', '--article', 'abc']);"
                                        "print(len(sys.modules), file=sys.stderr); sys.exit(code)"],
    "import kb.api": ["-c", "import sys, kb.api; print(len(sys.modules))"],
}


def load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def run(tree: Path, args: list[str]) -> tuple[float, str]:
    """Seconds the process took, and the module count it printed (the refused search prints it on stderr)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return seconds, lines[-1] if lines else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another code tree, e.g. main before a change")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    trees = {"baseline": args.baseline.resolve(), "this": ROOT}
    for probe, argv in PROBES.items():
        before = load()
        times: dict[str, list[float]] = {name: [] for name in trees}
        modules: dict[str, str] = {}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                seconds, modules[name] = run(tree, argv)
                times[name].append(seconds)
        print(f"{probe:28}" + "".join(f"  {name} {1000 * statistics.median(t):6.0f} ms ({modules[name]} modules)"
                                      for name, t in times.items()) + f"  load {before:.1f} → {load():.1f}")


if __name__ == "__main__":
    main()
