"""Add material: a lawyer's own files (national rulings, expert reports, country evidence) into the knowledge base.

The app owns the store, so the upload is ingested here through `kb.indexing.update` with the app's own store; a
`kb update` run in a shell meanwhile hands its batches to the app's watcher instead.
"""

from __future__ import annotations

import streamlit as st

from ingest.loaders import FORMAT_BY_SUFFIX
from kb.api import KnowledgeBase
from kb.errors import BadInputError
from kb.safe_text import markdown_text
from ui.state import explained_errors

ACCEPTED = sorted({suffix.lstrip(".") for suffix in FORMAT_BY_SUFFIX if suffix not in (".json", ".xml")})


def uploads_page(kb: KnowledgeBase) -> None:
    from kb.indexing.update import UpdateRequest, run_update, save_upload

    st.header("Add material")
    st.caption("PDF, Word, HTML, text or Markdown. Each file becomes a searchable document, cited by its file name "
               "and paragraph or page; uploading a file of the same name replaces it.")
    files = st.file_uploader("Files", type=ACCEPTED, accept_multiple_files=True, key="upload_files")
    if not files or not st.button("Add to the knowledge base", type="primary", key="upload_go"):
        return
    saved = []
    for file in files:
        try:
            saved.append(save_upload(kb.settings, file.name, file.getvalue()))
        except BadInputError as exc:
            st.error(markdown_text(f"{file.name}: {exc.reason}"))
    if not saved:
        return
    bar = st.progress(0.0, text="Reading and indexing…")

    def progress(done: int, total: int, doc_id: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{done:,} of {total:,} passages · {doc_id}")

    problems: list[str] = []
    with explained_errors("adding the files"):
        report = run_update(kb.settings, UpdateRequest(corpus=False, drop=False, uploads=True),
                            progress=progress, warn=problems.append, store=kb.store)
        bar.progress(1.0, text="Done")
        st.success(report.line())
        for problem in problems:
            st.warning(markdown_text(problem))
