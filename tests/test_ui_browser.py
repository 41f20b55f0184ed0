"""One end-to-end run of the workbench in a real browser: `streamlit run` on localhost, headless Chromium.

Search, open the hit in the document view, file the passage in a new matter, draft and download the
Markdown export. The store is built and closed here first, because the Streamlit process must own the
Qdrant Edge shard. Both tests use the same three documents, so they share one store, server and browser (the
`shared_workbench` fixture, tests/conftest.py), each in a page and Streamlit session of its own, driven with
`bench/ui_latency.py`'s helpers, so the benchmark measures exactly what these tests drive. Each step waits for
Streamlit's run to settle before it uses a widget. Screenshots go to `test-output/ui-browser/`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: pip install -e '.[dev]'"
                             ).expect

PROJECT = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT / "test-output" / "ui-browser"
PAINT_LIMIT_S = 10
"""The first page before the model: 16.8 s when it waited for them. The 5 s target is `bench/ui_latency.py`'s, on a
quiet machine; with helpers and an ingest sharing 2 cores (load average 12) this test saw 5.1 s."""
CODE_BLOCK_MS = 60_000
"""A card's citation is an `st.code` block, drawn by a component the browser loads on first use: on this busy
machine it appeared after the rest of the card, later than Playwright's default 5 s (seen in 1 of 3 runs)."""


@pytest.fixture(scope="module")
def app(ui_harness, shared_workbench, corpus_root: Path, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("ui_browser") / "home"
    ui_harness.build_store(home, corpus_root)
    return shared_workbench(home, OUTPUT)


def test_search_open_collect_and_export_in_chromium(ui_harness, app, tmp_path: Path) -> None:
    page = app.open_page("test_search_open_collect_and_export_in_chromium")
    assert app.url.startswith("http://127.0.0.1:")
    ui_harness.open_app(page, app.url)
    expect(page.get_by_text("Searchable now: 3 documents")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")

    sidebar.get_by_text("Matters", exact=True).click()
    page.get_by_label("Name").fill("Client C file")
    page.get_by_label("Client").fill("Client C")
    page.get_by_label("Requesting state").fill("People's Republic of China")
    page.get_by_label("Offence alleged").fill("fraud")
    page.get_by_role("button", name="Create matter").click()
    expect(page.get_by_text("Created Client C file.")).to_be_visible(timeout=60_000)

    sidebar.get_by_text("Research", exact=True).click()
    ui_harness.timed_search(page, "death row phenomenon", timeout_ms=120_000)
    expect(page.get_by_text("Soering v. the United Kingdom, no. 14038/88, §").first).to_be_visible(
        timeout=CODE_BLOCK_MS)
    expect(page.locator("mark").first).to_be_visible()
    page.screenshot(path=str(OUTPUT / "1-results.png"), full_page=True)

    page.get_by_role("button", name="Open in document").first.click()
    focus = page.locator("#kb-focus")
    expect(focus).to_be_visible(timeout=60_000)
    expect(focus).to_be_in_viewport(timeout=10_000)  # the view is scrolled to the opened paragraph
    expect(page.get_by_text("Paragraphs either side")).to_be_visible()
    page.screenshot(path=str(OUTPUT / "2-document.png"), full_page=True)

    page.get_by_role("button", name="Add to matter").first.click()
    expect(page.get_by_text("to Client C file under")).to_be_visible(timeout=60_000)

    sidebar.get_by_text("Matters", exact=True).click()
    page.get_by_role("tab", name="Collected passages").click()
    expect(page.get_by_text("Article 3: real risk of torture or ill-treatment (1)")).to_be_visible()
    page.get_by_role("tab", name="Draft and export").click()
    page.get_by_role("button", name="Draft argument").click()
    download_button = page.get_by_role("button", name="Download Markdown")
    expect(download_button).to_be_visible(timeout=120_000)
    with page.expect_download() as download:
        download_button.click()
    exported = tmp_path / "draft.md"
    download.value.save_as(exported)
    page.screenshot(path=str(OUTPUT / "3-draft.png"), full_page=True)

    text = exported.read_text(encoding="utf-8")
    assert "Client C" in text
    assert "*Soering v. the United Kingdom*, no. 14038/88, §" in text  # case names are italic in the brief
    assert (OUTPUT / "2-document.png").stat().st_size > 10_000


def test_first_page_paints_before_the_model_loads_and_filters_combine(ui_harness, app) -> None:
    """A fresh start paints the page at once and says the knowledge base is still opening (the first page the
    shared server served, opened by the fixture); then Document type combined with another filter finds passages
    (the browser sends back each choice's label, so a label that changed with the counts beside it used to turn
    "JUDGMENT" into a filter value that matched nothing)."""
    page, opened = app.first_page, app.first
    ui_harness.settled(page)
    page.get_by_text("Filters", exact=True).click()
    for label, option in (("Document type", "JUDGMENT"), ("Who is speaking", "The Court's assessment")):
        ui_harness.choose(page, label, option)
    ui_harness.timed_search(page, "death row phenomenon", timeout_ms=120_000)
    expect(page.get_by_text("Soering v. the United Kingdom, no. 14038/88, §").first).to_be_visible(
        timeout=CODE_BLOCK_MS)
    expect(page.get_by_text("No passages match")).to_have_count(0)
    for label, option in (("Document type", "JUDGMENT"), ("Who is speaking", "The Court's assessment")):
        expect(page.get_by_test_id("stMultiSelect").filter(has=page.get_by_role("combobox", name=label))
               ).to_contain_text(option)  # both filters still chosen when the results are shown
    assert opened.loading_shown, "the first page waited for the store and model instead of saying they are opening"
    # Painted while still opening (`loading_shown`) and within the bound; how much earlier is the benchmark's
    # (bench/ui_latency.py): since the sidebar's counts come from the store's cache at once (session 19), `ready`
    # is ~5 s on a loaded machine and half of it was a timing margin the clone CI missed by 0.07 s.
    assert opened.painted < min(PAINT_LIMIT_S, opened.ready), opened
