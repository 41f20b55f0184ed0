"""A new user's first `make run`, timed from a clean clone until the app answers a ranked search over the corpus.

    python3 bench/first_run.py [--branch NAME] [--venv shared|fresh] [--corpus DIR] [--tmp DIR] [--shots DIR]

Clones the committed branch (default: the one checked out here) into a temporary folder and runs `make run` there
with an empty KB_HOME and an empty embedding cache, exactly as the README tells a new user, then opens the app in
headless Chromium (the harness of `bench/ui_latency.py`) as soon as it listens, waits until its sidebar states what
is searchable and times one ranked search from the click to its result list.

`--venv shared` (the default) reuses an installed environment (`--python-env`, default the main checkout's `.venv`)
through `make run VENV=…` with the clone first on PYTHONPATH, so the clone's code runs; a fresh `make install`
(`--venv fresh`: pip downloads torch and ~150 packages) is not what this measures.

Prints the time of each step (clone, `kb ingest --sparse-first`, `kb citations build`, the app listening, the app
open, the first answer) from the start, the documents the sidebar says are searchable, the peak resident memory of
the largest process and of the whole process tree (sampled every 0.5 s), and the load average, since on a shared
machine the figures depend on it. Targets (issue 21): answered within 10 minutes (5 ideally), peak RSS at most 3 GB.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
MARKS = (("ingest", re.compile(r"^documents: \d+ added")),
         ("citations", re.compile(r"facts sections of \d+ judgments")),
         ("listening", re.compile(r"You can now view your Streamlit app")))
"""Lines of `make run`'s output that end a step."""
QUERY = "diplomatic assurances torture"


def harness():
    spec = importlib.util.spec_from_file_location("ui_latency", PROJECT / "bench" / "ui_latency.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def label(pid: int) -> str:
    """What process `pid` is, for the peaks by process: `kb ingest`, `kb embed`, `streamlit`, … (else its program)."""
    try:
        argv = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return "?"
    names = [Path(a).name for a in argv]
    for i, name in enumerate(names):
        if name in ("kb", "kb.cli") and i + 1 < len(names):
            return f"kb {names[i + 1]}"
        if name == "streamlit":
            return "streamlit (the app)"
    return names[0] if names else "?"


def tree_rss(root: int) -> tuple[int, int, dict[int, int]]:
    """(RSS of the largest process, RSS summed, RSS by process id) in bytes over `root` and its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pages = int((entry / "statm").read_text().split()[1])
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(entry.name)] = pages * os.sysconf("SC_PAGE_SIZE")
    members, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in members:
                members.add(child)
                frontier.append(child)
    sizes = {pid: rss.get(pid, 0) for pid in members}
    return max(sizes.values(), default=0), sum(sizes.values()), sizes


class Watch:
    """Samples the process tree's memory and timestamps `make run`'s output lines, in threads."""

    def __init__(self, process: subprocess.Popen, started: float, log: Path) -> None:
        self.process = process
        self.started = started
        self.peak_single = self.peak_total = 0
        self.peaks: dict[str, int] = {}
        """Peak RSS by kind of process (`label`), so the report says which step held the memory."""
        self.labels: dict[int, str] = {}
        self.marks: dict[str, float] = {}
        self._log = log.open("w", encoding="utf-8")
        self._stop = threading.Event()
        threading.Thread(target=self._memory, daemon=True).start()
        threading.Thread(target=self._output, daemon=True).start()

    def _memory(self) -> None:
        while not self._stop.is_set():
            single, total, sizes = tree_rss(self.process.pid)
            self.peak_single, self.peak_total = max(self.peak_single, single), max(self.peak_total, total)
            for pid, size in sizes.items():
                if self.labels.get(pid, "sh") == "sh":  # a shell that waits, then execs (`make run`'s `kb embed`)
                    self.labels[pid] = label(pid)
                name = self.labels[pid]
                self.peaks[name] = max(self.peaks.get(name, 0), size)
            self._stop.wait(0.5)

    def _output(self) -> None:
        for raw in iter(self.process.stdout.readline, b""):
            for text in raw.decode("utf-8", "replace").replace("\r", "\n").splitlines():
                self._log.write(f"{time.monotonic() - self.started:8.1f} {text}\n")
                for name, pattern in MARKS:
                    if name not in self.marks and pattern.search(text):
                        self.marks[name] = time.monotonic() - self.started
        self._log.flush()

    def stop(self) -> None:
        self._stop.set()
        self._log.flush()


def stop_group(process: subprocess.Popen, wait: float = 120.0) -> None:
    """SIGTERM to `make run`'s whole process group, and wait until every member is gone (`kb embed` hands over its
    last vectors first), so that nothing writes into the folder about to be deleted; SIGKILL after `wait`."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:  # `make run` failed and its group is gone already: its log says why
        return
    deadline = time.monotonic() + wait
    while True:
        process.poll()
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.2)


def current_branch() -> str:
    return subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=PROJECT, capture_output=True, text=True,
                          check=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--branch", default=None, help="branch to clone (default: the one checked out here)")
    parser.add_argument("--venv", choices=("shared", "fresh"), default="shared")
    parser.add_argument("--python-env", type=Path, default=Path(sys.prefix),
                        help="the installed environment `--venv shared` reuses (default: the one running this)")
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS") or "/work/shared/corpus"))
    parser.add_argument("--tmp", type=Path, help="folder for the clone and its home (default: the system's)")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--shots", type=Path, help="save what the new user sees here: the page as first painted, "
                        "once open, and with the first answer (PNG)")
    args = parser.parse_args()
    ui = harness()
    problem = ui.ensure_chromium()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    branch = args.branch or current_branch()
    with tempfile.TemporaryDirectory(prefix="first-run-", dir=args.tmp) as tmp:
        clone, home = Path(tmp) / "clone", Path(tmp) / "home"
        load = os.getloadavg()
        started = time.monotonic()
        subprocess.run(["git", "clone", "--quiet", "--branch", branch, "--single-branch", str(PROJECT), str(clone)],
                       check=True)
        cloned = time.monotonic() - started
        port = ui.free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        env.update(KB_HOME=str(home), KB_CORPUS=str(args.corpus), STREAMLIT_SERVER_PORT=str(port))
        command = ["make", "run"]
        if args.venv == "shared":
            stamp = Path(tmp) / "installed"
            stamp.touch()
            command += [f"VENV={args.python_env}", f"STAMP={stamp}"]
            env["PYTHONPATH"] = str(clone)
        process = subprocess.Popen(command, cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        watch = Watch(process, started, Path(tmp) / "make-run.log")
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = started + args.timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"make run exited with {process.returncode}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the app did not listen within {args.timeout:.0f} s")
                if ui.answers(url):
                    break
                time.sleep(0.5)
            up = time.monotonic() - started
            with sync_playwright() as p:
                browser = ui.launch(p)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                if args.shots:
                    args.shots.mkdir(parents=True, exist_ok=True)
                ui.open_app(page, url, shots=args.shots)
                opened = time.monotonic() - started
                searchable = page.get_by_text("Searchable now:").first.inner_text()
                modes = page.get_by_text(re.compile(r"^(Ranked and BM25|Every search mode)")).first.inner_text()
                search_seconds, _ = ui.timed_search(page, QUERY)
                answered = time.monotonic() - started
                if args.shots:
                    page.screenshot(path=str(args.shots / "answered.png"), full_page=True)
                browser.close()
        finally:
            stop_group(process)
            watch.stop()
            (PROJECT / "test-output").mkdir(exist_ok=True)
            kept = PROJECT / "test-output" / "first-run-make.log"
            kept.write_text((Path(tmp) / "make-run.log").read_text(encoding="utf-8"), encoding="utf-8")
        end_load = os.getloadavg()
        print(f"branch {branch}, venv {args.venv}; {os.cpu_count()} cores; load average {load[0]:.1f} at the start, "
              f"{end_load[0]:.1f} at the end")
        print(f"  clone                      {cloned:7.1f} s")
        for name, label in (("ingest", "kb ingest --sparse-first"), ("citations", "kb citations build"),
                            ("listening", "app listening")):
            if name in watch.marks:
                print(f"  {label:26} {watch.marks[name]:7.1f} s")
        print(f"  app open (health at {up:.1f}) {opened:7.1f} s")
        print(f"  first ranked search answered {answered:5.1f} s ({search_seconds:.2f} s from the click)")
        print(f"  sidebar: {searchable} | {modes}")
        print(f"peak RSS: largest process {watch.peak_single / 2**30:.2f} GB, whole tree {watch.peak_total / 2**30:.2f}"
              f" GB; make run's output with timestamps: {kept}")
        big = sorted(((size, name) for name, size in watch.peaks.items() if size >= 50 * 2**20), reverse=True)
        print("peak RSS by process: " + ", ".join(f"{name} {size / 2**30:.2f} GB" for size, name in big))
    return 0


if __name__ == "__main__":
    sys.exit(main())
