"""The lawyer's workbench: `streamlit run ui/app.py` (or `make ui`), served on 127.0.0.1 by default.

The views share one sidebar: Research (search, filters, result cards), Document (a hit in context), Matters (the
client's case, collected passages, draft and export), Check a brief and Add material. The sidebar also says how much
of the corpus is searchable, because the app is usable while ingestion is still filling the store.
"""

from __future__ import annotations

import streamlit as st

VIEWS = ("Research", "Document", "Matters", "Check a brief", "Add material")


def _coverage() -> None:
    from ui.state import embedding_status, get_kb, source_coverage, store_stats

    kb = get_kb()
    key = str(kb.settings.qdrant_url or kb.settings.store)
    stats = store_stats(kb, key)
    sources = source_coverage(kb, key)
    files = sum(c.in_corpus for c in sources)
    of = f" of {files:,} corpus files" if files else ""
    st.sidebar.caption(f"Searchable now: {stats['documents']:,} documents{of}, {stats['chunks']:,} passages.")
    if stats["incomplete_documents"]:
        st.sidebar.caption(f"{stats['incomplete_documents']} documents are still being written.")
    missing = [c for c in sources if c.stored < c.in_corpus]
    scope = "whole corpus" if sources and not missing else f"{stats['documents']:,} documents"
    status = embedding_status(kb, key)
    st.fragment(_fill_progress, run_every=FILL_REFRESH_S if status["embedded"] < status["total"] else None)(key, scope)
    label = f"Sources loaded ({len(sources) - len(missing)} of {len(sources)} complete)"
    with st.sidebar.expander(label, expanded=False):
        # A lawyer must know what the store lacks: a search over a partial source looks complete otherwise. The
        # names come from the project's own manifest (corpus/sources.toml), not from documents.
        st.markdown("\n".join(f"- {'✓' if c.stored >= c.in_corpus else '⚠'} {c.name} ({c.kind}): "
                               f"{c.stored:,} of {c.in_corpus:,} documents" for c in sources))


# While `kb embed` fills the dense vectors beside the app (`make run`: over an hour for the whole corpus on 2 cores),
# the sidebar's progress redraws itself this often, without the lawyer doing anything: drawn only with the page, it
# stood at the count of the last click. (A comment, not a docstring: Streamlit's magic would print a bare string.)
FILL_REFRESH_S = 5


def _fill_progress(key: str, scope: str) -> None:
    """The fill's progress bar (counts, time left) and which search modes see what (`modes_line`); once every passage
    has its vector, the whole page is redrawn, which stops the refresh."""
    from ui.render import fill_bar, modes_line
    from ui.state import embedding_status, get_kb

    status = embedding_status(get_kb(), key)
    if status["embedded"] < status["total"]:
        share, text = fill_bar(status)
        st.progress(share, text=text)
        st.caption("Until it ends, a question is ranked by the meaning of the passages embedded so far; those your "
                   "questions need are embedded first, so a question asked again may rank better.")
    elif st.session_state.get("kb_filling"):
        st.session_state["kb_filling"] = False
        st.rerun()
    st.session_state["kb_filling"] = status["embedded"] < status["total"]
    st.caption(modes_line(status, scope))


def main() -> None:
    st.set_page_config(page_title="Extradition defence KB", page_icon="⚖️", layout="wide")
    st.sidebar.title("Extradition defence")
    st.sidebar.radio("View", VIEWS, key="view", label_visibility="collapsed")
    # Painted before anything heavy is imported or opened: the first page appears in seconds, not after the store and
    # the model have loaded (16.8 s on a fresh start).
    from ui.state import explained_errors, get_kb, kb_ready, warm_up_in_background

    if not kb_ready():
        note = st.empty()
        note.info("Opening the knowledge base… The page appears as soon as it is open (on the whole corpus about "
                  "10-20 s).", icon="⏳")
        with explained_errors("opening the knowledge base"):
            get_kb()
        note.empty()
    from ui import check, matters_ui, research, uploads

    with explained_errors("showing this page"):
        kb = get_kb()
        with st.sidebar:
            with explained_errors("reading the store's size"):
                _coverage()
        matters_ui.sidebar()
        view = st.session_state.get("view", VIEWS[0])
        if view == "Research":
            matters_ui.show_flash()
            research.research_page(kb)
        elif view == "Document":
            matters_ui.show_flash()
            research.document_page(kb)
        elif view == "Matters":
            matters_ui.matters_page(kb)
        elif view == "Check a brief":
            check.check_page(kb)
        else:
            uploads.uploads_page(kb)
    warm_up_in_background()


main()
