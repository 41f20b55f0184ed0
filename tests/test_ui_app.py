"""The Streamlit workbench driven through `streamlit.testing.v1.AppTest`, against the real sample store.

The app runs in this process, so it is handed the session's `sample_kb` through `ui.state.use_kb` (a Qdrant
Edge shard cannot be opened twice in one process). Every test checks what the lawyer sees on the page.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kb.api import KnowledgeBase
from ui import state
from ui.render import escape, highlight

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
HOSTILE = '<img src=x onerror="alert(1)"> **bold** [link](javascript:alert(1)) $x$'


@pytest.fixture
def app(sample_kb: KnowledgeBase) -> Iterator[AppTest]:
    """A fresh app session on the sample store, with no matters left over from another test."""
    shutil.rmtree(sample_kb.settings.home / "matters", ignore_errors=True)
    state.use_kb(sample_kb)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    yield at
    state.use_kb(None)


def search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="query").input(query)
    next(b for b in at.button if b.label == "Search").click()
    return at.run()


def card_citations(at: AppTest) -> list[str]:
    return [c.value for c in at.main.code]


def messages(at: AppTest) -> str:
    return " ".join(e.value for kind in (at.info, at.warning, at.error, at.success) for e in kind)


def test_search_shows_cards_with_pinpoint_citation_highlight_and_coverage(app: AppTest) -> None:
    sidebar = " ".join(c.value for c in app.sidebar.caption)
    assert "Searchable now: 13 documents" in sidebar
    sources = app.sidebar.expander[0]
    assert sources.label.startswith("Sources loaded (")
    listed = " ".join(m.value for m in sources.markdown)
    assert "⚠ prc-law (prc-law): 1 of 18 documents" in listed, listed  # a partial source says so

    search(app, "death row phenomenon")
    assert not app.exception and not app.error
    citations = card_citations(app)
    assert any(c.startswith("Soering v. the United Kingdom") and "§" in c for c in citations), citations
    bodies = " ".join(m.value for m in app.main.markdown)
    assert "<mark>death</mark>" in bodies.lower() or "<mark>phenomenon</mark>" in bodies.lower()
    assert any(b.label == "Source" for b in app.main.get("link_button"))


def test_source_opens_hudoc_and_the_local_file_is_a_download_beside_it(app: AppTest) -> None:
    search(app, "expulsion real risk of torture non-refoulement")  # the HEJUD judgments carry no HUDOC itemid
    assert not app.exception
    links = [b.proto.url for b in app.main.get("link_button")]
    assert links and all(u.startswith("https://") for u in links), links
    assert any(u.startswith("https://hudoc.echr.coe.int/eng#") and "appno" in u for u in links), links
    assert any(d.label == "Source file" for d in app.main.get("download_button"))


def test_filters_narrow_results_and_show_counts(app: AppTest) -> None:
    search(app, "torture risk on return")
    kind = app.multiselect(key="f_source_kind")
    assert "un" in kind.options and "echr" in kind.options, kind.options  # labels never carry changing counts
    captions = " ".join(c.value for c in app.main.caption)
    assert re.search(r"\bun \d+", captions) and re.search(r"\bechr [\d,]+", captions), captions
    kind.set_value(["un"]).run()
    citations = card_citations(app)
    assert citations and all("Committee against Torture" in c for c in citations), citations


def test_combined_filters_find_passages_and_cards_say_who_is_speaking(app: AppTest) -> None:
    search(app, "diplomatic assurances against ill-treatment")
    app.multiselect(key="f_doc_type").set_value(["JUDGMENT"]).run()
    app.multiselect(key="f_role").set_value(["government", "court"]).run()
    app.text_input(key="f_date_from").input("2005-01-01").run()
    assert not app.exception
    citations = card_citations(app)
    assert citations and not any(c.startswith(("Soering", "Chahal")) for c in citations), citations
    badges = [m.value for m in app.main.markdown if "-badge[" in m.value]
    assert len(badges) == len(citations)
    assert all("Court's assessment" in b or "Government's submission, not the Court's view" in b for b in badges)

    app.selectbox(key="f_importance").set_value(1).run()
    assert "documents without importance metadata were left out" in " ".join(c.value for c in app.main.caption)


def test_cards_mark_the_words_the_source_lost_and_claim_no_citation_count_without_the_graph(
        app: AppTest, sample_kb: KnowledgeBase) -> None:
    assert not sample_kb.has_citation_graph()
    search(app, "who has given the assurances and whether that person can bind the receiving State")
    assert not app.exception
    bodies = html.unescape(" ".join(m.value for m in app.main.markdown))
    assert "Ben Khemais v. […], no. 246/07" in bodies, bodies[:2_000]  # as the brief prints it, not "v. , no."
    assert "v. , no." not in bodies
    captions = " ".join(c.value for c in app.main.caption)
    assert "cited by 0" not in captions
    assert "once the citation graph is built (`kb citations build`)" in captions


def test_bad_filter_and_empty_query_get_messages_not_tracebacks(app: AppTest) -> None:
    app.text_input(key="f_date_from").input("2008-31-12").run()
    search(app, "diplomatic assurances")
    assert not app.exception
    assert "not a date; use YYYY-MM-DD" in messages(app)

    app.text_input(key="f_date_from").input("").run()
    app.text_input(key="f_date_to").input("1990-12-31").run()
    citations = card_citations(app)
    assert citations and all(c.startswith("Soering") for c in citations), citations  # the only case before 1991
    search(app, "   ")
    assert not app.exception
    assert "Type a few words" in messages(app)


def test_open_hit_in_document_view_focused_on_its_paragraph(app: AppTest) -> None:
    search(app, "Soering death row phenomenon")
    first = card_citations(app)[0]
    next(b for b in app.button if b.label == "Open in document").click().run()
    assert not app.exception
    assert app.session_state["view"] == "Document"
    doc_id, paragraph = app.session_state["open_doc"]
    focus = [m.value for m in app.main.markdown if 'id="kb-focus"' in m.value]
    assert len(focus) == 1
    shown = [m.value for m in app.main.markdown if 'class="kb-para"' in m.value]
    assert 2 <= len(shown) <= 7  # the paragraph and up to three either side
    labels = " ".join(m.value for m in app.main.markdown if m.value.startswith("<small>"))
    assert paragraph is None or f"{paragraph}" in labels
    assert first.split(",")[0] in " ".join(c.value for c in app.main.code)


def test_missing_document_is_explained(app: AppTest) -> None:
    app.session_state["open_doc"] = ("NO-SUCH-DOC", "1")
    app.session_state["view"] = "Document"
    app.run()
    assert not app.exception
    assert "No document 'NO-SUCH-DOC'" in messages(app)


def _create_matter(at: AppTest, name: str, notes: str = "", client: str = "",
                   grounds: tuple[str, ...] = ("article3", "assurances")) -> None:
    at.session_state["view"] = "Matters"
    at.run()
    at.text_input(key="new_name").input(name)
    at.text_input(key="new_client").input(client)
    at.multiselect(key="new_grounds").set_value(list(grounds))
    at.text_input(key="new_state").input("People's Republic of China")
    at.text_input(key="new_offence").input("fraud")
    at.text_area(key="new_risks").input("Uyghur; former political activist")
    at.text_area(key="new_notes").input(notes)
    next(b for b in at.button if b.label == "Create matter").click()
    at.run()
    assert not at.exception


def test_matters_side_by_side_survive_a_restart_and_escape_user_text(app: AppTest, sample_kb: KnowledgeBase) -> None:
    _create_matter(app, "Client A", notes=HOSTILE)
    _create_matter(app, HOSTILE)
    assert "Created" in messages(app)

    restarted = AppTest.from_file(APP, default_timeout=180)
    restarted.session_state["view"] = "Matters"
    restarted.run()
    compare = restarted.multiselect(key="compare")
    assert len(compare.options) == 2
    compare.set_value(list(compare.options)).run()
    assert not restarted.exception
    page = " ".join(m.value for m in restarted.main.markdown) + " ".join(t.value for t in restarted.main.text)
    assert "<img" not in " ".join(m.value for m in restarted.main.markdown)
    assert "&#60;img" in page and "Client A" in page


def test_add_passage_draft_and_export(app: AppTest) -> None:
    _create_matter(app, "Client B file", client="Mr B", grounds=("article3", "death_penalty"))
    app.selectbox(key="active_ground").set_value("death_penalty")
    app.session_state["view"] = "Research"
    app.run()
    search(app, "death row phenomenon")
    first = card_citations(app)[0]
    next(b for b in app.button if b.label == "Add to matter").click().run()
    assert "Added" in messages(app) and "Death penalty" in messages(app)

    app.session_state["view"] = "Matters"
    app.run()
    collected = [e.label for e in app.expander]
    assert any(label.startswith("Death penalty or irreducible life sentence (1)") for label in collected), collected
    assert first in card_citations(app)

    # the lawyer's note and adverse mark on a collected passage, saved from the page
    note = next(t for t in app.text_input if t.key and t.key.startswith("note_death_penalty_"))
    note.input("the death row phenomenon")
    next(b for b in app.button if b.key and b.key.startswith("save_death_penalty_")).click().run()
    assert "Note saved" in messages(app)

    next(b for b in app.button if b.label == "Draft argument").click().run()
    assert not app.exception and not app.error
    downloads = {d.label for d in app.get("download_button")}
    assert {"Download Markdown", "Download DOCX"} <= downloads
    # the draft is shown formatted (not as Markdown source in a code box), case names in italics
    brief = next(m.value for m in app.main.markdown if "<h3>" in m.value)
    assert "Mr B" in brief and "Client B file" not in brief
    assert f"<em>{escape(first.split(',')[0])}</em>" in brief and escape("(the death row phenomenon.)") in brief
    assert "Political offence" not in brief and "Article 6" not in brief  # only the chosen grounds
    assert not any(c.language == "markdown" for c in app.main.code)
    # each footnote opens on the passage it cites, the quoted words marked
    footnotes = [e for e in app.expander if re.match(r"^\d+\\?\. ", e.label)]
    assert footnotes and any("<mark>" in m.value for m in footnotes[0].markdown)


def test_collected_passages_say_who_is_speaking(app: AppTest, sample_kb: KnowledgeBase) -> None:
    """The Tursun file of session 18 had Saadi § 11 (the facts) and Othman § 161 (the Government's case) filed beside
    the Court's holdings; the search card badged them, the matter's list of collected passages did not, so the
    lawyer reviewing what the brief will rely on could not tell a fact from a holding there."""
    _create_matter(app, "Tursun file", client="Mr Tursun")
    matter_id = next(iter(sample_kb.matters.list())).id
    for ref in ("HEJUD-37201-06 § 125", "HEJUD-37201-06 § 11"):
        sample_kb.add_to_matter(matter_id, ref, "article3")
    sample_kb.add_to_matter(matter_id, "HEJUD-8139-09 § 161", "assurances", adverse=True)
    app.run()
    [article3, assurances] = [e for e in app.main.expander if e.label.startswith(("Article 3", "Unreliable"))]
    badges = {e.label.split(" (")[0]: [m.value for m in e.markdown if "-badge[" in m.value] for e in (article3,
                                                                                                       assurances)}
    assert len(badges["Article 3: real risk of torture or ill-treatment"]) == 2, badges
    assert "Court's assessment" in badges["Article 3: real risk of torture or ill-treatment"][0]
    assert "Facts of the case" in badges["Article 3: real risk of torture or ill-treatment"][1]
    [government] = badges["Unreliable diplomatic assurances"]
    assert "Government's submission, not the Court's view" in government


def test_two_footnote_marks_in_the_draft_preview_read_as_two_numbers() -> None:
    """Factor (v) quoting two statutes ends on footnotes 6 and 7: the preview printed <sup>6</sup><sup>7</sup>, which
    reads as footnote 67 (session 18, as the DOCX did)."""
    from kb.drafting.brief import Draft, DraftParagraph, DraftSection
    from ui.matters_ui import draft_html

    draft = Draft("Submissions", [DraftSection("assurances", "Assurances", [
        DraftParagraph("(v) The treatment feared is lawful.", [6, 7], "criterion")])])
    assert draft_html(draft).endswith("<sup>6</sup><sup>,</sup><sup>7</sup></p>")


def test_empty_store_gets_a_clear_message(tmp_path: Path, kb_settings) -> None:
    empty = KnowledgeBase(kb_settings.with_(home=tmp_path, store=tmp_path / "store"))
    state.use_kb(empty)
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        assert "Searchable now: 0 documents" in " ".join(c.value for c in at.sidebar.caption)
        search(at, "diplomatic assurances")
        assert not at.exception
        assert "knowledge base is empty" in messages(at)
    finally:
        state.use_kb(None)
        empty.close()


def test_missing_model_gets_a_clear_message(sample_kb: KnowledgeBase, tmp_path: Path) -> None:
    """The sample store object is shared (not reopened); only the model folder is wrong."""
    broken = KnowledgeBase(sample_kb.settings.with_(model=str(tmp_path / "no-model")), store=sample_kb.store)
    state.use_kb(broken)
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        search(at, "diplomatic assurances")
        assert not at.exception
        assert "embedding model cannot be loaded" in messages(at)
        assert "No embedding model at" in messages(at)
    finally:
        state.use_kb(None)


def test_highlight_escapes_document_text() -> None:
    html = highlight('Extradited <script>alert("x")</script> *risk*', "extradition risk script")
    assert "<script" not in html and "*risk*" not in html
    assert "<mark>Extradited</mark>" in html
    assert "<mark>risk</mark>" in html


def test_add_material_page_offers_the_drop_folder_formats(app: AppTest) -> None:
    app.sidebar.radio(key="view").set_value("Add material")
    app.run()
    assert not app.exception, app.exception
    assert any(h.value == "Add material" for h in app.main.header)
    uploader = app.main.get("file_uploader")[0]
    assert {".pdf", ".docx", ".html", ".txt", ".md"} <= {"." + t.lstrip(".") for t in uploader.proto.type}


def test_stale_counts_are_shown_at_once_and_refreshed_in_the_background() -> None:
    """The sidebar's and the filters' counts were `st.cache_data(ttl=…)`: the rerun of a search made after they
    expired recomputed them before the search ran (whole corpus: the first search after a minute of typing answered
    4.1 s after the click, 0.3 s of it the search). Now the last value is shown and one refresh runs meanwhile."""
    import threading
    import time

    from tests.waiting import wait_until

    calls: list[float] = []
    release = threading.Event()

    def count() -> int:
        calls.append(time.monotonic())
        if len(calls) > 1:
            release.wait(30)  # a slow refresh, as the corpus's facets are
        return len(calls)

    fresh = state.Fresh(ttl=0.05)
    assert fresh.get("stats", count) == 1, "the first value is computed where it is asked for"
    time.sleep(0.1)
    started = time.monotonic()
    assert [fresh.get("stats", count) for _ in range(3)] == [1, 1, 1]
    assert time.monotonic() - started < 1.0, "no read waited for the refresh"
    wait_until(lambda: len(calls) == 2, 10, 0.01, "the stale value was not refreshed")
    assert len(calls) == 2, "one refresh at a time"
    release.set()
    wait_until(lambda: fresh.get("stats", count) >= 2, 10, 0.01, "the refreshed value never replaced the old")

    counted = state.Fresh(ttl=0.05)  # a store this process alone writes: recomputed after a write, not on a timer
    calls.clear()
    assert counted.get("facets", count, version=7) == 1
    time.sleep(0.1)
    assert [counted.get("facets", count, version=7) for _ in range(3)] == [1, 1, 1]
    time.sleep(0.1)
    assert len(calls) == 1, "nothing written, nothing recomputed"
    assert counted.get("facets", count, version=8) == 1, "written: the last value at once, then the new one"
    wait_until(lambda: counted.get("facets", count, version=8) == 2, 10, 0.01, "not refreshed after the write")


def test_the_modes_line_counts_passages_and_says_what_the_fill_is_doing() -> None:
    """A new user's first page (`bench/first_run.py`) read "hybrid/dense: 0 % embedded." while `kb embed` loaded its
    model: no count, no time left, no word of what was happening."""
    from ui.render import modes_line

    status = {"embedded": 0, "total": 326_108, "share": 0.0, "running": True, "rate": None, "eta_seconds": None}
    assert modes_line(status, "whole corpus") == (
        "Ranked and BM25: whole corpus; hybrid/dense: 0 % embedded (0 of 326,108 passages; `kb embed` is filling in "
        "the rest and says the time left after its first round).")
    status |= {"embedded": 130_443, "share": 0.4, "rate": 45.0, "eta_seconds": 4_350.0}
    assert modes_line(status, "whole corpus").endswith("40 % embedded (130,443 of 326,108 passages, about 72 min "
                                                       "left).")
    assert modes_line(status | {"running": False}, "4,855 documents").endswith("; `kb embed` fills in the rest).")
    assert modes_line(status | {"embedded": 326_108}, "whole corpus") == "Every search mode: whole corpus."
