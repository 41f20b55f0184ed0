"""A new user's first hour in a real browser: `make run` writes the store sparse-first and starts `kb embed` beside
the app; the sidebar must show the fill's progress (a bar with counts and the time left) and follow it without the
lawyer doing anything, then say every mode searches the whole store. Before, the counts were drawn with the page
only, so an open page stood at the count of its last click, and the progress was visible only in `embed.log`.
Screenshots go to `test-output/ui-fill/`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: pip install -e '.[dev]'"
                             ).expect

PROJECT = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT / "test-output" / "ui-fill"
FILES = ("echr/INFORMATION_NOTE/CLIN-37201-06.json", "un/Annotated_CAT_GC4_art.3.json")
"""Two of the small corpus's three documents: passages enough for several rounds of 8, few enough to fill quickly."""
LAZY_MS = 60_000
"""Streamlit draws a progress bar with a component the browser loads on first use: on a busy machine later than
Playwright's default 5 s (as `st.code` in tests/test_ui_browser.py)."""
FILL_MS = 600_000
"""The passages through the model on a cold cache: seconds on a quiet machine, minutes beside benchmarks on 2 shared
cores (206 passages took ~10 min at load 20)."""


def test_the_sidebar_follows_kb_embed_filling_the_store_beside_the_app(ui_harness, workbench, corpus_root: Path,
                                                                         tmp_path: Path) -> None:
    home = tmp_path / "home"
    ui_harness.build_store(home, corpus_root, FILES, sparse_first=True)
    app = workbench(home, OUTPUT)
    page = app.page
    ui_harness.open_app(page, app.url)
    sidebar = page.get_by_test_id("stSidebar")
    bar = sidebar.get_by_test_id("stProgress")
    expect(bar).to_be_visible(timeout=LAZY_MS)
    expect(bar).to_contain_text("Embedding passages: 0 of", timeout=LAZY_MS)
    expect(bar).to_contain_text("paused")
    page.screenshot(path=str(OUTPUT / "1-sparse.png"), full_page=True)

    env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(corpus_root), "HF_HUB_OFFLINE": "1",
           "KB_EMBED_CACHE": str(tmp_path / "fill-cache.sqlite")}  # a new user's cache: every passage embedded
    with (tmp_path / "embed.log").open("wb") as log:
        worker = subprocess.Popen([sys.executable, "-m", "kb.cli", "embed", "--round", "8"], cwd=PROJECT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        # no click, no reload: the sidebar redraws itself while the fill runs
        expect(bar).to_contain_text("left", timeout=FILL_MS)  # about N min left, or after the first round
        expect(sidebar.get_by_text("a question is ranked by the meaning of the passages embedded so far")
               ).to_be_visible()
        page.screenshot(path=str(OUTPUT / "2-filling.png"), full_page=True)
        expect(sidebar.get_by_text("Every search mode: 2 documents.")).to_be_visible(timeout=FILL_MS)
        expect(bar).to_have_count(0)
        page.screenshot(path=str(OUTPUT / "3-filled.png"), full_page=True)
        assert worker.wait(timeout=120) == 0, (tmp_path / "embed.log").read_text(errors="replace")[-2000:]
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
