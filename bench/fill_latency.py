"""Search latency while `kb embed` fills in dense vectors: concurrent searches with the fill paused and running,
alternating in the same run.

    .venv/bin/python bench/fill_latency.py --home /path/to/sparse-first-home [--seconds 60] [--pairs 3] [--clients 8]

The home (a store written by `kb ingest --sparse-first`, e.g. `make run`'s) is copied to a temporary folder, since
the fill changes it. This process stands in for the app: it holds the store through `KnowledgeBase`, runs the inbox
watcher, and `--clients` threads search in a loop (the app serves each browser session in a thread of one process).
`kb embed` runs beside it as `make run` starts it; once it is embedding, windows of `--seconds` alternate between the
worker stopped (SIGSTOP) and running (SIGCONT), `--pairs` times, so that a machine whose load drifts (other work on
shared cores) weighs on both alike. The embedding cache is the copy's own and starts empty, so the model really runs
(a warm cache would make the fill free and prove nothing about contention).

Prints, per kind of window: searches, p50, p95 and max latency in ms as each client saw it; the worker's share of a
core while running; the vectors applied; the load average; the peak resident memory of this process (the owner, as
the app) and of the worker, and of both at once (sampled every 0.5 s). The target (issue 21): p95 at most 300 ms
during the fill, and at most 3 GB for the app and `kb embed` together.

`--worker-nice N` sets every thread of the worker to niceness N once it runs (it lowers its own to
`kb.cli.EMBED_NICENESS` above this process's), `--worker-threads N` gives its model N threads (OMP_NUM_THREADS):
the settings the fill's yielding to searches was chosen by.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

from ui_latency import QUERIES  # noqa: E402 - the queries the app's latency is measured with

HOME_PARTS = ("store", "store-facts", "store-payloads.sqlite", "citations.sqlite", "file-memo.json")
"""What a home's searches read: without the payload copy (`kb.store.payloads`) opening the copy rebuilds it first
(~1 min on the whole corpus)."""


def copy_home(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for name in HOME_PARTS:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        elif (source / name).exists():
            shutil.copy2(source / name, target / name)


def phase(kb, clients: int, seconds: float, mode: str) -> list[float]:
    """`clients` threads searching in a loop for `seconds`; every latency in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)
    deadline = [0.0]

    def client(offset: int) -> None:
        start.wait()
        if offset == 0:
            deadline[0] = time.monotonic() + seconds
        while not deadline[0]:
            time.sleep(0.001)
        i = offset
        while time.monotonic() < deadline[0]:
            query = QUERIES[i % len(QUERIES)]
            started = time.perf_counter()
            kb.search(query, limit=10, mode=mode)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def line(name: str, latencies: list[float], seconds: float) -> str:
    p50, p95 = np.percentile(latencies, [50, 95])
    return (f"{name}: {len(latencies)} searches ({len(latencies) / seconds:.1f}/s), p50 "
            f"{p50:.0f} ms, p95 {p95:.0f} ms, "
            f"max {max(latencies):.0f} ms")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss(pid: int) -> int:
    """Resident memory of process `pid` in bytes (0 once it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


class Peaks:
    """Peak resident memory of the owner, of the worker, and of both at once, sampled in a thread."""

    def __init__(self, owner: int, worker: int) -> None:
        self.pids = (owner, worker)
        self.owner = self.worker = self.both = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            owner, worker = (rss(pid) for pid in self.pids)
            self.owner, self.worker = max(self.owner, owner), max(self.worker, worker)
            self.both = max(self.both, owner + worker)
            self._stop.wait(0.5)

    def stop(self) -> str:
        self._stop.set()
        self._thread.join()
        return (f"peak RSS: owner {self.owner / 2**30:.2f} GB, worker {self.worker / 2**30:.2f} GB, both at once "
                f"{self.both / 2**30:.2f} GB")


def renice(pid: int, niceness: int) -> None:
    """Every thread of process `pid` to `niceness` (on Linux a niceness belongs to a thread)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        os.setpriority(os.PRIO_PROCESS, int(task.name), niceness)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="a KB_HOME written sparse-first (copied, not changed)")
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each window")
    parser.add_argument("--pairs", type=int, default=3, help="pairs of windows (worker stopped, worker running)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--mode", default="ranked", help="search mode the clients use (default ranked)")
    parser.add_argument("--tmp", type=Path, help="folder for the copy (default: the system's temporary folder)")
    parser.add_argument("--worker-nice", type=int, help="niceness of every worker thread (default: its own)")
    parser.add_argument("--worker-threads", type=int, help="the worker model's threads (default: one per core)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fill-latency-", dir=args.tmp) as tmp:
        home = Path(tmp) / "home"
        copy_home(args.home, home)
        env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(args.corpus), "HF_HUB_OFFLINE": "1",
               "TRANSFORMERS_OFFLINE": "1", "KB_EMBED_CACHE": str(home / "embeddings.sqlite"),
               "PYTHONPATH": str(PROJECT)}
        os.environ.update({k: env[k] for k in ("KB_HOME", "KB_CORPUS", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
                                               "KB_EMBED_CACHE")})
        from kb.api import KnowledgeBase

        kb = KnowledgeBase()
        kb.start_inbox_watcher()
        for query in QUERIES:  # warm: the model, the pipelines, the store's pages
            kb.search(query, limit=10, mode=args.mode)
        missing_start = kb.store.count_missing_dense()
        worker_env = env | ({"OMP_NUM_THREADS": str(args.worker_threads)} if args.worker_threads else {})
        with (Path(tmp) / "embed.log").open("wb") as log:
            worker = subprocess.Popen([sys.executable, "-m", "kb.cli", "embed"], env=worker_env, cwd=PROJECT,
                                      stdout=subprocess.DEVNULL, stderr=log)
        peaks = Peaks(os.getpid(), worker.pid)
        try:
            time.sleep(5)
            while cpu_seconds(worker.pid) < 20:  # past start-up and the model's loading: embedding
                if worker.poll() is not None:
                    print(f"kb embed ended; see {Path(tmp) / 'embed.log'}", file=sys.stderr)
                    return 1
                time.sleep(1)
            if args.worker_nice is not None:
                renice(worker.pid, args.worker_nice)
            worker_nice = os.getpriority(os.PRIO_PROCESS, worker.pid)
            windows: dict[str, list[float]] = {"stopped": [], "running": []}
            worker_cpu = loads = 0.0
            for _ in range(args.pairs):
                for name, sig in (("stopped", signal.SIGSTOP), ("running", signal.SIGCONT)):
                    worker.send_signal(sig)
                    cpu = cpu_seconds(worker.pid)
                    windows[name] += phase(kb, args.clients, args.seconds, args.mode)
                    loads += os.getloadavg()[0] / (2 * args.pairs)
                    if name == "running":
                        worker_cpu += cpu_seconds(worker.pid) - cpu
            missing_end = kb.store.count_missing_dense()
        finally:
            worker.send_signal(signal.SIGCONT)
            worker.send_signal(signal.SIGTERM)
            worker.wait(300)
        memory = peaks.stop()
        seconds = args.seconds * args.pairs
        print(f"{args.clients} clients, mode {args.mode}, {args.pairs} pairs of {args.seconds:.0f} s windows; "
              f"{os.cpu_count()} cores, mean load average {loads:.1f}; this process at niceness "
              f"{os.getpriority(os.PRIO_PROCESS, 0)}, the worker at {worker_nice} with "
              f"{args.worker_threads or 'default'} model threads")
        print(line("worker stopped", windows["stopped"], seconds))
        print(line("worker running", windows["running"], seconds))
        print(f"the worker used {worker_cpu / seconds:.0%} of a core while running; {missing_start - missing_end} "
              f"vectors applied; {missing_end:,} of {kb.store.count():,} chunks still without one")
        print(memory)
        kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
