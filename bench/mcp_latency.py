"""How soon `kb mcp` answers a drafting assistant, against the CLI's search on the same store, in the same run.

    KB_HOME=data .venv/bin/python bench/mcp_latency.py [--queries 20] [--eval dev.jsonl] [--baseline /other/checkout]

Over stdio with the official SDK client (`mcp.ClientSession`), from a fresh server process:
- initialize: process start → `initialize` answered;
- first call: `initialize` answered → the first `search` answered (with passages, or "loading, retry in N s");
- ready: process start → the first `search` that returns passages (retried every 0.5 s);
- later searches: p50/p95 over dev.jsonl queries once ready.
Then the CLI on the same store: `kb search` as a fresh process (wall time, model load included), and the search the CLI
runs (`KnowledgeBase.search`) warm in this process, p50/p95 over the same queries. `--baseline` runs the same client
against another checkout's `kb mcp` first (e.g. main before this change), for the before/after figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import anyio
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def percentiles(values: list[float]) -> str:
    p50, p95 = 1000 * np.percentile(values, [50, 95])
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"


async def over_stdio(checkout: Path, queries: list[str]) -> dict:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    env = {**os.environ, "PYTHONPATH": str(checkout)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "kb.cli", "mcp"], cwd=str(checkout), env=env)
    out: dict = {}
    started = time.monotonic()
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            initialized = time.monotonic()
            out["initialize"] = initialized - started
            first = await session.call_tool("search", {"query": queries[0], "limit": 10})
            out["first_call"] = time.monotonic() - initialized
            out["first_answer"] = (" ".join(c.text for c in first.content)[:120] if first.is_error
                                   else f"{len(first.structured_content['passages'])} passages")
            while first.is_error and "loading" in " ".join(c.text for c in first.content):
                await anyio.sleep(0.5)
                first = await session.call_tool("search", {"query": queries[0], "limit": 10})
            out["ready"] = time.monotonic() - started
            later = []
            for query in queries[1:]:
                began = time.monotonic()
                result = await session.call_tool("search", {"query": query, "limit": 10})
                later.append(time.monotonic() - began)
                assert not result.is_error, result.content
            out["later"] = later
    return out


def report(name: str, figures: dict) -> None:
    print(f"{name}:")
    print(f"  initialize            {figures['initialize']:6.2f} s after the process started")
    print(f"  first call            {figures['first_call']:6.2f} s after initialize ({figures['first_answer']})")
    print(f"  first passages        {figures['ready']:6.2f} s after the process started")
    print(f"  later searches        {percentiles(figures['later'])}   ({len(figures['later'])} queries)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared/eval/dev.jsonl")
    parser.add_argument("--baseline", type=Path, help="another checkout whose `kb mcp` to measure first")
    args = parser.parse_args()
    queries = [json.loads(line)["query"] for line in islice(args.eval.open(encoding="utf-8"), args.queries)]

    if args.baseline:
        report(f"kb mcp of {args.baseline}", anyio.run(over_stdio, args.baseline.resolve(), queries))
    report("kb mcp (this checkout)", anyio.run(over_stdio, ROOT, queries))

    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "kb.cli", "search", queries[0], "--limit", "10"], cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True)
    print(f"kb search (CLI, fresh process): {time.monotonic() - began:6.2f} s wall, model load included")

    from kb.api import KnowledgeBase

    kb = KnowledgeBase()
    try:
        kb.search(queries[0], limit=10)
        times = []
        for query in queries[1:]:
            began = time.monotonic()
            kb.search(query, limit=10)
            times.append(time.monotonic() - began)
    finally:
        kb.close()
    print(f"CLI's search, warm (KnowledgeBase.search): {percentiles(times)}   ({len(times)} queries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
