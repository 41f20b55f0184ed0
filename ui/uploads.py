"""Add material: a lawyer's own files (national rulings, expert reports, country evidence) into the knowledge base.

The app owns the store, so the upload is ingested in the app's own store (`KnowledgeBase.add_uploads`); a `kb update`
run in a shell meanwhile hands its batches to the app's watcher instead.
"""

from __future__ import annotations

import streamlit as st

from kb.api import KnowledgeBase
from legal.errors import BadInputError, KbError
from legal.text import streamlit_text
from ui.state import explained_errors

ACCEPTED = KnowledgeBase.upload_types()


def uploads_page(kb: KnowledgeBase) -> None:
    st.header("Add material")
    for kind, message in st.session_state.pop("upload_flash", []):
        getattr(st, kind)(streamlit_text(message))
    _add_files(kb)
    uploaded_files(kb)


def _add_files(kb: KnowledgeBase) -> None:
    st.caption("PDF, Word, HTML, text or Markdown. Each file becomes a searchable document, cited by its file name "
               "and paragraph or page; uploading a file of the same name replaces it.")
    files = st.file_uploader("Files", type=ACCEPTED, accept_multiple_files=True, key="upload_files")
    if not files or not st.button("Add to the knowledge base", type="primary", key="upload_go"):
        return
    saved = []
    for file in files:
        try:
            saved.append(kb.save_upload(file.name, file.getvalue()))
        except BadInputError as exc:
            st.error(streamlit_text(f"{exc.path}: {exc.reason}"))
    if not saved:
        return
    bar = st.progress(0.0, text="Reading and indexing…")

    def progress(done: int, total: int, doc_id: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0,
                     text=f"{done:,} of {total:,} passages · {streamlit_text(doc_id)}")

    problems: list[str] = []
    with explained_errors("adding the files"):
        report = kb.add_uploads(progress=progress, warn=problems.append)
        bar.progress(1.0, text="Done")
        st.success(report.line())
        for problem in problems:
            st.warning(streamlit_text(problem))


def uploaded_files(kb: KnowledgeBase) -> None:
    """Every file in the uploads folder, readable or not, with a way to take it out again: a file the update refused
    would otherwise stay on the server with nothing in the app to remove it."""
    files = kb.uploaded_files()
    if not files:
        return
    st.subheader("Uploaded files", anchor=False)
    for i, path in enumerate(files):
        name_col, button_col = st.columns([5, 1], vertical_alignment="center")
        name_col.text(f"{path.name} ({path.stat().st_size:,} bytes)")
        button_col.button("Remove", key=f"remove_upload_{i}_{path.name}", on_click=_remove_upload,
                          args=(kb, path.name))


def _remove_upload(kb: KnowledgeBase, name: str) -> None:
    """Button callback: delete the file, then let the update take its document out of the store."""
    flash: list[tuple[str, str]] = []
    try:
        problems: list[str] = []
        report = kb.remove_upload(name, warn=problems.append)
        flash.append(("success", f"Removed {name}. {report.line()}"))
        flash += [("warning", p) for p in problems]
    except (KbError, OSError, ValueError) as exc:  # a callback has no explained_errors around it
        flash.append(("error", f"Could not remove {name}: {exc.strerror if isinstance(exc, OSError) else exc}"))
    st.session_state["upload_flash"] = flash
