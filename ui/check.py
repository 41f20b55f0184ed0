"""Check a brief: every citation and attributed quotation verified against the store, as `kb check` does.

The lawyer uploads the brief (or pastes a passage) and gets one row per citation, the leading authorities the brief
may be missing, and a DOCX copy with a Word comment on each problem to send back to whoever wrote it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from kb.api import CLOSE_QUOTE, KnowledgeBase
from legal.quotations import LEFT_OUT_SHOWN
from ui.state import explained_errors

ACCEPTED = ["docx", "pdf", "md", "txt"]
STATUS_LABELS = {
    "verified": "✅ verified",
    CLOSE_QUOTE: "🟨 verified, quotation close (not verbatim)",
    "pinpoint_missing": "❌ pinpoint missing",
    "date_mismatch": "❌ date mismatch",
    "name_number_mismatch": "❌ name / number mismatch",
    "quote_differs": "❌ quotation differs",
    "quote_not_found": "❌ quotation not found",
    "ambiguous": "⚠️ ambiguous",
    "not_in_corpus": "⚠️ cannot verify",
}


def check_page(kb: KnowledgeBase) -> None:
    st.header("Check a brief")
    st.caption("Every citation (ECtHR, UN General Comments, UK neutral citations, PRC statutes) and every quotation "
               "attributed to one is checked against the stored sources. An authority the knowledge base does not "
               "hold is marked “cannot verify”, never verified.")
    upload = st.file_uploader("Brief", type=ACCEPTED, key="check_file")
    pasted = st.text_area("…or paste a passage", key="check_text", height=150)
    missing = st.checkbox("Also list leading authorities the brief does not cite", value=True, key="check_missing")
    if not st.button("Check", type="primary", key="check_go"):
        return
    if upload is None and not pasted.strip():
        st.info("Upload a brief or paste a passage first.")
        return
    with explained_errors("checking the brief"), tempfile.TemporaryDirectory() as folder:
        if upload is not None:
            brief = Path(folder) / Path(upload.name).name
            brief.write_bytes(upload.getvalue())
            report = kb.check(brief, missing=missing)
        else:
            report = kb.check(pasted, missing=missing, is_text=True)
        _report(report)
        if report.problems():
            out = kb.annotate(report, Path(folder) / "checked.docx")
            name = f"{Path(upload.name).stem if upload else 'passage'}-checked.docx"
            st.download_button("Download the brief with comments (DOCX)", out.read_bytes(), file_name=name,
                               mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                               key="check_download")


def _report(report) -> None:
    for notice in report.notices:  # how the brief was read (a text file read as GB18030, not UTF-8)
        st.info(notice)
    counts = report.counts()
    if not report.citations:
        st.info("No citations found.")
        return
    problems = len(report.problems())
    close = sum(1 for c in report.citations if c.mark == CLOSE_QUOTE)
    summary = (f"{len(report.citations)} citations: {counts['verified']} verified"
               + (f" ({close} with a quotation close, not verbatim)" if close else "") + f", {problems} to look at.")
    (st.success if not problems else st.warning)(summary)
    st.dataframe([{"where": c.where or str(c.line), "status": STATUS_LABELS[c.mark], "citation": c.text,
                   "reason": c.reason, "document": c.doc_id or ""} for c in report.citations],
                 hide_index=True, use_container_width=True)
    if changes := close_quotations(report):
        st.subheader("Close quotations: the brief's words and the source's")
        st.dataframe(changes, hide_index=True, use_container_width=True)
    if report.missing:
        st.subheader("You may be missing")
        for m in report.missing:
            st.markdown(f"- **{m.label}**: {m.citation}")


def close_quotations(report) -> list[dict]:
    """One row per change of each quotation close to its source (`QuoteGrade.changes`): where, the brief's own words
    and the source's own words, as the lawyer would look them up on both sides; a stretch of the source longer than
    `Change.describe` quotes is counted, as there."""
    return [{"where": c.where or str(c.line), "citation": c.text,
             "in the brief": change["said"] or "(left out)",
             "in the source": change["source"] if change["source_words"] <= LEFT_OUT_SHOWN and change["source"]
             else f"{change['source_words']} words" if change["source_words"] else "(not in the source)"}
            for c in report.citations for g in c.quote_grades if g.grade == "near" for change in g.changes]
