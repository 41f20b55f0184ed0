"""A hostile document title and a hostile matter name in a real browser: shown literally, no request leaves the app.

The title comes from an HTML file's `<title>` in the drop folder and the matter name from the matter file, each
carrying a remote image, a spoofed link, a bare URL, an e-mail address, raw `<img onerror>` and a `javascript:`
link. Chromium's request log must hold only the app's own address, and no element the payload describes may exist.
The server and browser are the `workbench` fixture's (tests/conftest.py), as in `tests/test_ui_browser.py`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import home_env

from kb.api import KnowledgeBase
from kb.drafting.matters import MatterStore
from kb.indexing.ingest import IngestRequest
from kb.settings import Settings

expect = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: pip install -e '.[dev]'"
                             ).expect

PROJECT = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT / "test-output" / "ui-hostile"
TRACKER = "tracker.invalid"
PAYLOAD = (f"![pixel](http://{TRACKER}/title.png) [Soering v. UK](http://{TRACKER}/login) "
           f"http://{TRACKER}/bare www.{TRACKER} spy@{TRACKER} <img src=http://{TRACKER}/raw.png onerror=alert(1)> "
           "[js](javascript:alert(2)) :red[red] $x$")
MATTER = (f"Client ![p](http://{TRACKER}/m.png) [x](javascript:alert(2)) <img src=http://{TRACKER}/i.png "
          f"onerror=alert(1)> http://{TRACKER}/b")
"""A matter name within the 200-character limit carrying the same kinds of payload."""
PAGE = f"""<html><head><title>Quokka memo {PAYLOAD}</title></head><body>
<p>The quokka zanzibar memorandum records that detainees returned to the requesting state were held incommunicado.</p>
<p>Second paragraph of the quokka zanzibar memorandum about the absence of independent monitoring.</p>
</body></html>"""


def _shown(text: str) -> str:
    """What a reader sees: the word joiners that keep Streamlit from linking bare URLs are invisible."""
    return " ".join(text.replace("\u2060", "").split())


def test_hostile_title_and_matter_name_render_literally_without_requests(ui_harness, workbench, corpus_root: Path,
                                                                         tmp_path: Path) -> None:
    home = tmp_path / "home"
    ui_harness.build_store(home, corpus_root)
    settings = Settings.load(home_env(home, corpus_root))
    hostile = settings.drop / "quokka.html"
    hostile.parent.mkdir(parents=True, exist_ok=True)
    hostile.write_text(PAGE, encoding="utf-8")
    matters = MatterStore(home / "matters")
    matter = matters.create(MATTER, requesting_state="China", offence="fraud")
    kb = KnowledgeBase(settings)
    try:
        assert kb.ingest(IngestRequest(files=(hostile,), file_kind="drop"), warn=lambda m: None).failed == 0
        matter.add_passage(kb.search("quokka zanzibar memorandum", limit=1)[0], "article3")
        matters.save(matter)
    finally:
        kb.close()

    app = workbench(home, OUTPUT)
    page = app.page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    ui_harness.open_app(page, app.url)
    ui_harness.timed_search(page, "quokka zanzibar memorandum", timeout_ms=120_000)
    expect(page.get_by_text("Quokka memo ![pixel]", exact=False).first).to_be_visible()
    page.get_by_role("button", name="Open in document").first.click()
    heading = page.locator("h3.kb-heading", has_text="Quokka memo")
    expect(heading).to_be_visible(timeout=60_000)
    assert "Quokka memo ![pixel](http://tracker.invalid/title.png)" in _shown(heading.inner_text())
    expect(page.get_by_role("button", name="Source file").first).to_be_visible()  # a drop-folder file
    page.screenshot(path=str(OUTPUT / "1-document.png"), full_page=True)

    ui_harness.settled(page)
    page.get_by_test_id("stSidebar").get_by_text("Matters", exact=True).click()
    heading = page.locator("h3.kb-heading", has_text="Client ![p]")
    expect(heading).to_be_visible(timeout=60_000)
    assert MATTER in _shown(heading.inner_text())
    page.get_by_role("tab", name="Collected passages").click()
    expect(page.get_by_text("Quokka memo ![pixel]", exact=False).first).to_be_visible()
    page.screenshot(path=str(OUTPUT / "2-matter.png"), full_page=True)

    for selector in (f"img[src*='{TRACKER}']", f"a[href*='{TRACKER}']", "a[href^='javascript']",
                     "a[href^='mailto']", "[onerror]", ".katex"):
        assert page.locator(selector).count() == 0, selector

    app_host = urlsplit(app.url).netloc
    foreign = [r for r in requests if urlsplit(r).scheme in ("http", "https", "ws", "wss")
               and urlsplit(r).netloc != app_host]
    assert requests and not foreign, foreign
