"""How long a lawyer waits between pressing Search and seeing result cards, in a real browser.

    .venv/bin/python bench/ui_latency.py                 # builds a small store from the sample corpus files
    .venv/bin/python bench/ui_latency.py --home /path    # an existing KB_HOME (its store must not be open elsewhere)
    .venv/bin/python bench/ui_latency.py --idle 65       # the first search a minute after the page opened

Starts `streamlit run ui/app.py` on 127.0.0.1, drives Debian's headless Chromium with Playwright, times the first
page (painted before the store and model load in the background; target under 5 s), warms the
app with one search (the store and model are then cached with `st.cache_resource`) and times each further
query from the click to the moment its result caption is visible. The target is under 1 s.

The server and browser helpers here are also the harness of `tests/test_ui_browser.py`, so the test and the
benchmark drive the app the same way.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUERIES = (
    "death row phenomenon",
    "diplomatic assurances torture",
    "real risk of ill-treatment on return",
    "flagrant denial of justice",
    "conditions of detention overcrowding",
    "interim measures Rule 39",
    "burden of proof substantial grounds",
    "national security expulsion",
    "independent monitoring of assurances",
    "re-education camps Xinjiang",
    "evidence obtained by torture",
)
SMALL_CORPUS = (
    "echr/JUDGMENT/HEJUD-14038-88.json.gz",  # Soering v. the United Kingdom
    "echr/INFORMATION_NOTE/CLIN-37201-06.json",  # Saadi v. Italy, information note
    "un/Annotated_CAT_GC4_art.3.json",
)
"""Enough for every flow of the app (an ECtHR judgment, a note, a UN comment) and quick to embed."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(home: Path, corpus: Path, files: tuple[str, ...] = SMALL_CORPUS, sparse_first: bool = False) -> None:
    """Ingest `files` into a store under `home` and close it, so the Streamlit process can open it. `sparse_first`:
    without dense vectors, as `make run` writes a new user's store (`kb embed` fills them in)."""
    from kb.api import KnowledgeBase
    from kb.indexing.ingest import IngestRequest
    from kb.settings import Settings

    env = {"KB_HOME": str(home), "KB_CORPUS": str(corpus)}
    if os.environ.get("KB_EMBED_CACHE") and not sparse_first:  # the tests' shared cache: known passages are not
        # embedded again; a sparse-first store takes only what its own (new, empty) cache holds: none
        env["KB_EMBED_CACHE"] = os.environ["KB_EMBED_CACHE"]
    kb = KnowledgeBase(Settings.load(env))
    try:
        report = kb.ingest(IngestRequest(files=tuple(corpus / f for f in files), sparse_first=sparse_first),
                           warn=lambda m: None)
        if report.failed:
            raise RuntimeError(f"could not ingest the benchmark files: {report.failures}")
    finally:
        kb.close()


@contextmanager
def streamlit_server(home: Path, corpus: Path, log: Path, timeout: float = 180) -> Iterator[str]:
    """`streamlit run ui/app.py` on a free localhost port; yields its URL once the health check answers."""
    port = free_port()
    env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(corpus), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1"}
    command = [sys.executable, "-m", "streamlit", "run", "ui/app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}; see {log}")
            if answers(url):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f} s; see {log}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answers(url: str) -> bool:
    """Whether the Streamlit server at `url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def ensure_chromium() -> str | None:
    """Install Debian's Chromium if it is missing; returns why it is unavailable, or None when it is there."""
    if Path(CHROMIUM).exists():
        return None
    if shutil.which("apt-get") is None:
        return f"{CHROMIUM} is missing and there is no apt-get to install it"
    result = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True, timeout=900,
                            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if result.returncode != 0 or not Path(CHROMIUM).exists():
        return f"`apt-get install -y chromium` failed ({result.returncode}): {result.stderr.strip()[-500:]}"
    return None


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class Opened(NamedTuple):
    painted: float
    """Seconds until the first page was painted (the sidebar title)."""
    ready: float
    """Seconds until the store and model were open (the sidebar states what is searchable)."""
    loading_shown: bool
    """Whether the first page said the knowledge base was still opening: it was painted before the model loaded."""


def open_app(page, url: str, timeout_ms: float = 180_000, shots: Path | None = None) -> Opened:
    """Load the app and wait until the store is open (the sidebar then states what is searchable); with `shots`, a
    screenshot of the page as first painted (`painted.png`) and once open (`opened.png`) is saved there."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.perf_counter()
    page.goto(url)
    page.get_by_text("Extradition defence").first.wait_for(timeout=60_000)
    painted = time.perf_counter() - started
    if shots:
        page.screenshot(path=str(shots / "painted.png"), full_page=True)
    try:  # drawn just after the title, in the same run of the script
        page.get_by_text("Opening the knowledge base", exact=False).wait_for(timeout=10_000)
        loading_shown = True
    except PlaywrightTimeout:
        loading_shown = False
    page.get_by_text("Searchable now:").wait_for(timeout=timeout_ms)
    if shots:
        page.screenshot(path=str(shots / "opened.png"), full_page=True)
    return Opened(painted, time.perf_counter() - started, loading_shown)


SETTLED = """([quiet]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  const state = app.getAttribute("data-test-script-state"), now = performance.now();
  if (window.__kbState !== state) { window.__kbState = state; window.__kbSince = now; }
  return state === "notRunning" && !document.querySelector('[data-stale="true"]') && now - window.__kbSince >= quiet;
}"""
"""True once Streamlit's script run has finished (the `stApp` element's `data-test-script-state`), no element of an
older run is left (`data-stale`), and it has stayed so for `quiet` ms: a widget's change reaches the server and starts
its rerun a moment after the click, and that moment must not pass for "settled"."""


def settled(page, quiet_ms: float = 750, timeout_ms: float = 180_000) -> None:
    """Wait until the app has finished running its script. A widget used while Streamlit reruns is replaced under the
    pointer: a multiselect's option list closes before the click lands, or a choice is lost to the rerun."""
    page.evaluate("() => { delete window.__kbState; delete window.__kbSince; }")
    page.wait_for_function(SETTLED, arg=[quiet_ms], polling=100, timeout=timeout_ms)


def choose(page, label: str, option: str, attempts: int = 4) -> None:
    """Pick `option` in the multiselect labelled `label`, once the app has settled; the option list is opened again
    only after the rerun it may have been closed by has finished."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_role("combobox", name=label, exact=True)
    widget = page.get_by_test_id("stMultiSelect").filter(has=box)
    for _ in range(attempts):
        settled(page)
        if option in widget.inner_text():
            return
        box.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
        except PlaywrightTimeout:
            pass  # the list closed under a rerun: settle and open it again
        page.keyboard.press("Escape")
    settled(page)
    if option not in widget.inner_text():
        raise AssertionError(f"could not choose {option!r} in {label!r} after {attempts} attempts")


def timed_search(page, query: str, timeout_ms: float = 60_000) -> tuple[float, float]:
    """Seconds from pressing Search to the visible caption announcing this query's results, and the part of
    that spent in `kb.search` on the server (the caption reports it). The clock starts once the app has settled, so
    the time is the search's own, not the end of an earlier run."""
    settled(page)
    page.get_by_label("Search the knowledge base").fill(query)
    button = page.get_by_role("button", name="Search", exact=True)
    started = time.perf_counter()
    button.click()
    caption = page.get_by_text(f"for “{query}”", exact=False).first
    caption.wait_for(timeout=timeout_ms)
    visible = time.perf_counter() - started
    found = re.search(r" in ([0-9.]+) s", caption.inner_text())
    return visible, float(found.group(1)) if found else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="KB_HOME holding a store (default: a temporary small store)")
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--screenshot", type=Path, help="save the last results page here")
    parser.add_argument("--idle", type=float, default=0.0,
                        help="seconds between the page opening and the first search, as a lawyer reads the page and "
                             "types (the sidebar's and the filters' counts go stale after 30-60 s)")
    args = parser.parse_args()
    problem = ensure_chromium()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ui-latency-") as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "home"
            started = time.perf_counter()
            build_store(home, args.corpus)
            print(f"built a {len(SMALL_CORPUS)}-file store in {time.perf_counter() - started:.1f} s")
        with streamlit_server(home, args.corpus, Path(tmp) / "streamlit.log") as url, sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            painted, ready, _ = open_app(page, url)
            print(f"first page painted: {painted:.2f} s (target under 5 s); store and model loaded: {ready:.2f} s")
            if args.idle:
                time.sleep(args.idle)
            visible, server = timed_search(page, QUERIES[0])
            print(f"first search{f' after {args.idle:.0f} s idle' if args.idle else ''}: {visible:.3f} s "
                  f"(kb.search {server:.2f} s)")
            measured = [timed_search(page, q) for q in QUERIES[1:]]
            print("  visible  kb.search  query")
            for query, (visible, server) in zip(QUERIES[1:], measured, strict=True):
                print(f"  {visible:6.3f} s  {server:6.2f} s  {query}")
            times = [visible for visible, _ in measured]
            p95 = np.percentile(times, 95)
            overhead = statistics.median(v - s for v, s in measured)
            print(f"warm searches: n={len(times)} median {statistics.median(times):.3f} s, p95 {p95:.3f} s, "
                  f"max {max(times):.3f} s; under 1 s: {sum(t < 1 for t in times)}/{len(times)}; "
                  f"median time outside kb.search (rerun, render, browser): {overhead:.3f} s")
            if args.screenshot:
                page.screenshot(path=str(args.screenshot), full_page=True)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
