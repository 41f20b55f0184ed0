"""Research: search with filters and facet counts, result cards, and the document view.

Everything here is layout and session state; searching, facet counting and document lookup are `kb` calls.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

import streamlit as st

from kb.api import Hit, KnowledgeBase, SearchHits, role_label
from kb.requests import FILTER_ARGUMENTS, SEARCH_MODES, SearchFilters, search_filters, validate_filters
from legal.errors import FilterError
from legal.text import streamlit_text
from ui import matters_ui
from ui.render import escape, heading, paragraph_block, role_badge, source_button, source_roots
from ui.state import explained_errors, facet_counts

RESULT_MODES = SEARCH_MODES

FACETS: tuple[tuple[str, str], ...] = (
    ("doc_type", "Document type"),
    ("court", "Court or body"),
    ("state", "Respondent state"),
    ("article", "Article"),
    ("kind", "Source kind"),
    ("language", "Language"),
    ("role", "Who is speaking"),
)
"""(filter argument, label) for every multi-choice filter (`kb.requests.FILTER_ARGUMENTS`: its `SearchFilters`
field and the payload key whose values it offers; the widget is keyed `f_<payload key>`)."""
SHOWN_COUNTS = 6

IMPORTANCE_CHOICES = (None, 1, 2, 3, 4)
SCROLL_TO_FOCUS = """<script>/* FOCUS */
(function scroll(tries) {
  const el = document.getElementById("kb-focus");
  if (el) { el.scrollIntoView({block: "center"}); } else if (tries > 0) { setTimeout(() => scroll(tries - 1), 100); }
})(30);
</script>"""
"""Our own constant script (no document text): bring the opened paragraph into view. The chunk id in the comment
makes each opened paragraph a new element, so the script runs again when another hit is opened."""


def _facet(kb: KnowledgeBase, store_key: str, key: str, filters: SearchFilters) -> list[tuple[str, int]]:
    """Facet counts change only as the store is written: refreshed in the background after a write
    (`ui.state.facet_counts`), so a rerun never waits for them."""
    return facet_counts.get((id(kb), store_key, key, filters), lambda: kb.facets(key, filters, limit=200),
                            kb.payload_changes())


def current_filters() -> SearchFilters:
    s = st.session_state
    chosen = {argument: s.get(f"f_{FILTER_ARGUMENTS[argument][1]}", ()) for argument, _ in FACETS}
    return search_filters(**chosen, date_from=(s.get("f_date_from") or "").strip() or None,
                          date_to=(s.get("f_date_to") or "").strip() or None, importance=s.get("f_importance"))


def _option_label(key: str, value: str) -> str:
    """A choice's label. It must not change between reruns: the browser sends back the label of each chosen option,
    and a label that changed (say a count beside it) no longer maps to its option, so the filter would then ask for
    "JUDGMENT (2,688)" and match nothing. That was why Document type plus any other filter found no passages."""
    return (role_label(value) or value) if key == "role" else value


def _filter_widgets(kb: KnowledgeBase, filters: SearchFilters) -> None:
    """Each filter lists how many passages each choice would leave given the *other* filters (drill-sideways counts),
    in a caption under it, so the choices themselves keep stable labels."""
    store_key = str(kb.settings.qdrant_url or kb.settings.store)
    columns = st.columns(3)
    for i, (argument, label) in enumerate(FACETS):
        field, key = FILTER_ARGUMENTS[argument]
        sideways = replace(filters, **{field: ()})
        counts = _facet(kb, store_key, key, sideways)
        everything = [v for v, _ in _facet(kb, store_key, key, SearchFilters())]
        chosen = list(st.session_state.get(f"f_{key}", ()))
        options = everything + [v for v in chosen if v not in everything]  # stable order: commonest first
        column = columns[i % 3]
        column.multiselect(label, options, key=f"f_{key}", format_func=lambda v, k=key: _option_label(k, v),
                           placeholder="any")
        shown = [(v, n) for v, n in counts if v in chosen] + [(v, n) for v, n in counts if v not in chosen]
        column.caption(" · ".join(f"{escape(_option_label(key, v))} {n:,}" for v, n in shown[:SHOWN_COUNTS]) or
                       "no passages with the other filters", unsafe_allow_html=True)
    importance_counts = dict(_facet(kb, store_key, "importance", replace(filters, max_importance=None)))
    st.selectbox("HUDOC importance at most", IMPORTANCE_CHOICES, key="f_importance",
                 format_func=lambda v: "any" if v is None else f"{v}{' (key cases)' if v == 1 else ''}")
    st.caption("passages: " + " · ".join(
        f"≤ {v}: {sum(n for k, n in importance_counts.items() if str(k).isdigit() and int(k) <= v):,}"
        for v in IMPORTANCE_CHOICES[1:]))


def research_page(kb: KnowledgeBase) -> None:
    st.header("Research")
    with st.form("search_form", border=False):
        query_col, button_col = st.columns([6, 1], vertical_alignment="bottom")
        query_col.text_input("Search the knowledge base", key="query",
                             placeholder="e.g. diplomatic assurances torture risk on return")
        pressed = button_col.form_submit_button("Search", type="primary", width="stretch")
    filters = current_filters()
    with st.expander("Filters", expanded=not filters.is_empty()):
        from_col, to_col = st.columns(2)
        from_col.text_input("Date from", key="f_date_from", placeholder="YYYY-MM-DD")
        to_col.text_input("Date to", key="f_date_to", placeholder="YYYY-MM-DD")
        counting = filters
        try:
            validate_filters(filters)
        except FilterError as exc:  # count as if no dates were given, so the other filters stay usable
            st.warning(f"Please correct the filter: {streamlit_text(str(exc))}")
            counting = replace(filters, date_from=None, date_to=None)
        with explained_errors("counting filter values"):
            _filter_widgets(kb, counting)
    with st.expander("Search options"):
        st.selectbox("Mode", RESULT_MODES, key="mode",
                     help="ranked = exact words re-ranked by the Court's own citations, a short list filled "
                          "by meaning (recommended); hybrid = meaning + exact words")
        st.slider("Results", 5, 50, 10, key="limit")

    query = (st.session_state.get("query") or "").strip()
    request = (query, filters, st.session_state.get("mode", RESULT_MODES[0]), st.session_state.get("limit", 10))
    last = st.session_state.get("results")
    if query and (pressed or last is None or last["request"] != request):
        st.session_state.pop("results", None)
        with explained_errors("the search"):
            started = time.perf_counter()
            hits = kb.search(query, filters, limit=request[3], mode=request[2])
            st.session_state["results"] = {"request": request, "hits": hits,
                                           "seconds": time.perf_counter() - started}
    elif pressed and not query:
        st.info("Type a few words to search for, e.g. `death row phenomenon`.")
    results = st.session_state.get("results")
    if results:
        _left_out_note(kb, results["request"][1])
        _results(kb, results["request"][0], results["hits"], results["seconds"])


def _left_out_note(kb: KnowledgeBase, filters: SearchFilters) -> None:
    """Say when the Article or importance filter excluded documents only because their metadata does not say."""
    with explained_errors("counting documents without metadata"):
        for name, documents in kb.left_out(filters).items():
            st.caption(f"{documents:,} ECtHR documents without {name} metadata were left out by the {name} filter.")


def _results(kb: KnowledgeBase, query: str, hits: SearchHits, seconds: float) -> None:
    if not hits:
        st.info("No passages match. Try fewer words or remove a filter.")
        return
    kinds = Counter(h.source_kind or "other" for h in hits)
    summary = " · ".join(f"{k} {n}" for k, n in kinds.most_common())
    st.caption(f"{len(hits)} passages for “{escape(query)}” in {seconds:.2f} s — {escape(summary)}",
               unsafe_allow_html=True)
    note = hits.note()
    if note:
        st.warning(streamlit_text(note))
    if any(h.source_kind == "echr" for h in hits) and not kb.has_citation_graph():
        st.caption("How often later judgments cite each paragraph is shown once the citation graph is built "
                   "(`kb citations build`).")
    if not any(h.strength == "strong" for h in hits):
        st.warning("No strong match: none of these passages contains enough of the question to answer it. "
                   "They are the nearest the store holds; rephrase, or check that the source is loaded.")
    for rank, hit in enumerate(hits, 1):
        result_card(kb, hit, query, rank)


def result_card(kb: KnowledgeBase, hit: Hit, query: str, rank: int) -> None:
    with st.container(border=True):
        st.markdown(f"**{rank}. {escape(hit.title or hit.doc_id)}**", unsafe_allow_html=True)
        role_badge(st, hit.role)
        st.code(hit.citation, language=None, wrap_lines=True)
        if hit.matched_terms:
            st.caption("matched: " + escape("; ".join(hit.matched_terms)), unsafe_allow_html=True)
        if hit.strength == "weak":
            st.caption("weak match", unsafe_allow_html=True)
        where = " › ".join(x for x in (hit.section, hit.heading) if x)
        details = [where, hit.doc_type or "", hit.date or ""]
        if hit.cited_by is not None:
            details.append(f"cited by {hit.cited_by} in the store")
        st.caption(" · ".join(escape(d) for d in details if d), unsafe_allow_html=True)
        st.markdown(paragraph_block(hit.text, query), unsafe_allow_html=True)
        open_col, add_col, link_col = st.columns([1, 2, 1])
        open_col.button("Open in document", key=f"open_{rank}_{hit.chunk_id}", on_click=open_document,
                        args=(hit.doc_id, hit.paragraph))
        matters_ui.add_button(add_col, hit, key=f"add_{rank}_{hit.chunk_id}")
        source_button(link_col, hit.url, key=f"src_{rank}_{hit.chunk_id}", source=kb.local_source(hit.source_file),
                      roots=source_roots(kb.settings))


def open_document(doc_id: str, paragraph: str | None) -> None:
    """Button callback: switch to the document view before the page is drawn again."""
    st.session_state["open_doc"] = (doc_id, paragraph)
    st.session_state["view"] = "Document"


def document_page(kb: KnowledgeBase) -> None:
    st.header("Document")
    opened = st.session_state.get("open_doc")
    if not opened:
        st.info("Open a search result to read it here, scrolled to the paragraph.")
        return
    doc_id, paragraph = opened
    with explained_errors(f"opening {doc_id}"):
        view = kb.show(doc_id, paragraph)
        meta = view.metadata
        heading(st, meta.get("title") or doc_id)
        st.code(meta["citation"], language=None, wrap_lines=True)
        source_button(st, meta.get("url"), key=f"src_doc_{doc_id}", source=kb.local_source(meta.get("source_file")),
                      roots=source_roots(kb.settings))
        with st.expander("Metadata"):
            st.json({k: v for k, v in meta.items() if v not in (None, [], {}, "")}, expanded=True)
        context = st.slider("Paragraphs either side", 1, 20, 3, key="doc_context")
        whole = st.toggle("Whole document", key="doc_whole")
        paragraphs = view.paragraphs
        start = 0
        if view.focus is not None and not whole:
            start = max(0, view.focus - context)
            paragraphs = paragraphs[start: view.focus + context + 1]
        st.caption(f"{len(view.paragraphs)} passages in this document; showing {len(paragraphs)}.")
        for offset, hit in enumerate(paragraphs):
            focused = view.focus is not None and start + offset == view.focus
            label = hit.citation if hit.paragraph else (hit.section or hit.heading or "")
            label += f" · {hit.role_label}" if hit.role_label else ""
            st.markdown(f"<small>{escape(label)}</small>", unsafe_allow_html=True)
            st.markdown(paragraph_block(hit.text, focus=focused), unsafe_allow_html=True)
            if focused:
                matters_ui.add_button(st, hit, key=f"doc_add_{hit.chunk_id}")
        if view.focus is not None:
            st.html(SCROLL_TO_FOCUS.replace("FOCUS", escape(view.paragraphs[view.focus].chunk_id)),
                    unsafe_allow_javascript=True)
