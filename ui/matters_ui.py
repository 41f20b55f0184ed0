"""Matters and drafting: the client's case, passages collected under grounds, a cited draft, exports.

The matter being worked on and the ground new passages go under are chosen once, in the sidebar, so that
"Add to matter" on a search result is a single click. Matters live on disk (`KnowledgeBase.matters`); every action
reads the matter afresh and saves it at once, so a restart loses nothing, and the save of a copy another tab (or the
CLI, or the MCP server) changed in between is refused with a message to do it again (`MatterStore.save`), so no
change is overwritten unseen. (Applying the change under the lock instead, `MatterStore.update`, as the facade's
matter methods do for the CLI and the MCP server, would spare that retry.)
"""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from kb.api import (
    DEFAULT_GROUNDS,
    FIELD_LIMITS,
    GROUNDS,
    MAX_GROUND_CHARS,
    MAX_NOTE_CHARS,
    Assurance,
    Hit,
    KnowledgeBase,
    is_chinese,
    italic_spans,
)
from legal.text import streamlit_text
from ui.render import escape, heading, paragraph_block, role_badge
from ui.state import explained_errors, matter_store


def _flash(message: str) -> None:
    st.session_state["flash"] = message


def show_flash() -> None:
    """Messages set in button callbacks, shown once on the page they lead to."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(streamlit_text(message))


def sidebar() -> None:
    """Choose the active matter and the ground that "Add to matter" files passages under."""
    st.sidebar.subheader("Matter")
    with explained_errors("listing matters"):
        matters = {m.id: m for m in matter_store().list()}
        if not matters:
            st.sidebar.caption("No matters yet: create one on the Matters page.")
            st.session_state.pop("active_matter", None)
            return
        if "next_matter" in st.session_state:  # chosen by a page action after this widget was last drawn
            st.session_state["active_matter"] = st.session_state.pop("next_matter")
        if st.session_state.get("active_matter") not in matters:
            st.session_state["active_matter"] = next(iter(matters))
        st.sidebar.selectbox("Working on", list(matters), key="active_matter",
                             format_func=lambda mid: matters[mid].name)
        grounds = matters[st.session_state["active_matter"]].grounds()
        if st.session_state.get("active_ground") not in grounds:
            st.session_state["active_ground"] = next(iter(grounds))
        st.sidebar.selectbox("File new passages under", list(grounds), key="active_ground",
                             format_func=lambda g: grounds[g])


def add_button(container: Any, hit: Hit, key: str, ground: str | None = None) -> None:
    """One click files `hit` in the active matter, under `ground` or the sidebar's ground."""
    matter_id = st.session_state.get("active_matter")
    if not matter_id:
        container.button("Add to matter", key=key, disabled=True, help="Create a matter on the Matters page first")
        return
    container.button("Add to matter" if ground is None else "Add under this ground", key=key,
                     on_click=_add_passage, args=(matter_id, hit, ground))


def _add_passage(matter_id: str, hit: Hit, ground: str | None) -> None:
    with explained_errors("adding the passage"):
        store = matter_store()
        matter = store.get(matter_id)
        ground = ground or st.session_state.get("active_ground") or next(iter(matter.grounds()))
        matter.add_passage(hit, ground)
        store.save(matter)
        _flash(f"Added {hit.citation} to {matter.name} under “{matter.ground_label(ground)}”.")


def matters_page(kb: KnowledgeBase) -> None:
    st.header("Matters")
    show_flash()
    store = matter_store()
    with st.expander("New matter", expanded=not store.list()):
        with st.form("new_matter", clear_on_submit=True):
            name = st.text_input("Name", placeholder="e.g. Li — extradition to the PRC (your title, not in the brief)",
                                 key="new_name", max_chars=FIELD_LIMITS["name"])
            client = st.text_input("Client", placeholder="as the brief names them, e.g. Mr Li Wei", key="new_client",
                                   max_chars=FIELD_LIMITS["client"])
            state = st.text_input("Requesting state", key="new_state", max_chars=FIELD_LIMITS["requesting_state"])
            offence = st.text_input("Offence alleged", key="new_offence", max_chars=FIELD_LIMITS["offence"])
            penalty = st.text_input("Maximum penalty", placeholder="e.g. death penalty (Criminal Law, art. 383)",
                                    key="new_penalty", max_chars=FIELD_LIMITS["penalty"])
            grounds = st.multiselect("Grounds to argue", list(GROUNDS), default=list(DEFAULT_GROUNDS),
                                     format_func=GROUNDS.__getitem__, key="new_grounds")
            assurance = st.text_area("Assurance offered (its words)", key="new_assurance", max_chars=MAX_NOTE_CHARS)
            giver_col, date_col = st.columns(2)
            giver = giver_col.text_input("Given by", key="new_assurance_by", max_chars=FIELD_LIMITS["client"])
            given = date_col.text_input("Given on", placeholder="YYYY-MM-DD", key="new_assurance_date", max_chars=20)
            risks = st.text_area("Personal risk factors", placeholder="e.g. Uyghur, political activist, health",
                                 key="new_risks", max_chars=FIELD_LIMITS["risk_factors"])
            notes = st.text_area("Notes", key="new_notes", max_chars=FIELD_LIMITS["notes"])
            if st.form_submit_button("Create matter"):
                with explained_errors("creating the matter"):
                    offered = [Assurance(assurance, giver, given)] if assurance.strip() else []
                    matter = store.create(name, state, offence, risks, notes, client=client, penalty=penalty,
                                          grounds=grounds, assurances=offered)
                    st.session_state["next_matter"] = matter.id
                    _flash(f"Created {matter.name}.")
                    st.rerun()
    matters = store.list()
    if not matters:
        return
    by_id = {m.id: m for m in matters}
    _side_by_side(by_id)
    active = st.session_state.get("active_matter")
    if active not in by_id:
        st.info("Choose the matter to work on in the sidebar.")
        return
    matter = by_id[active]
    heading(st, matter.name)
    # keyed, so that a button on the drafting tab (which reruns the page) does not send the lawyer back to Facts
    facts_tab, passages_tab, draft_tab = st.tabs(["Facts", "Collected passages", "Draft and export"],
                                                 key=f"matter_tabs_{matter.id}")
    with facts_tab:
        _facts(store, matter)
    with passages_tab:
        _passages(store, matter)
    with draft_tab:
        _drafting(kb, matter)


def _side_by_side(by_id: dict[str, Any]) -> None:
    chosen = st.multiselect("Compare matters side by side", list(by_id), key="compare",
                            format_func=lambda mid: by_id[mid].name)
    if not chosen:
        return
    for column, mid in zip(st.columns(len(chosen)), chosen, strict=True):
        matter = by_id[mid]
        with column.container(border=True):
            st.markdown(f"**{escape(matter.name)}**", unsafe_allow_html=True)
            for label, value in (("Client", matter.client), ("Requesting state", matter.requesting_state),
                                 ("Offence", matter.offence), ("Maximum penalty", matter.penalty),
                                 ("Risk factors", matter.risk_factors)):
                st.caption(label)
                st.text(value or "—")
            st.caption("Passages per ground")
            for ground, label in matter.grounds().items():
                n = len(matter.passages_for(ground))
                if n:
                    st.text(f"{label}: {n}")


def _facts(store: Any, matter: Any) -> None:
    with st.form(f"facts_{matter.id}"):
        name = st.text_input("Name", matter.name, max_chars=FIELD_LIMITS["name"])
        client = st.text_input("Client", matter.client, help="How the brief names the requested person",
                               max_chars=FIELD_LIMITS["client"])
        state = st.text_input("Requesting state", matter.requesting_state, max_chars=FIELD_LIMITS["requesting_state"])
        offence = st.text_input("Offence alleged", matter.offence, max_chars=FIELD_LIMITS["offence"])
        penalty = st.text_input("Maximum penalty", matter.penalty, max_chars=FIELD_LIMITS["penalty"])
        available = matter.available_grounds()
        grounds = st.multiselect("Grounds to argue", list(available), default=list(matter.grounds()),
                                 format_func=available.__getitem__, key=f"grounds_{matter.id}",
                                 help="Only these are drafted; removing one keeps its collected passages")
        risks = st.text_area("Personal risk factors", matter.risk_factors, max_chars=FIELD_LIMITS["risk_factors"])
        notes = st.text_area("Notes", matter.notes, max_chars=FIELD_LIMITS["notes"])
        st.caption("The brief's heading and signature")
        court_col, number_col, date_col = st.columns([3, 2, 2])
        court = court_col.text_input("Court", matter.court, max_chars=FIELD_LIMITS["court"],
                                     placeholder="e.g. Supreme Court of Sweden")
        case_number = number_col.text_input("Case number", matter.case_number, max_chars=FIELD_LIMITS["case_number"])
        filing_date = date_col.text_input("Date of the brief", matter.filing_date, placeholder="YYYY-MM-DD (today)",
                                          max_chars=FIELD_LIMITS["filing_date"])
        counsel = st.text_area("Counsel (signs the brief)", matter.counsel, max_chars=FIELD_LIMITS["counsel"],
                               height=68)
        chambers = st.text_area("Firm or chambers, address", matter.chambers, max_chars=FIELD_LIMITS["chambers"],
                                height=68)
        if st.form_submit_button("Save facts"):
            with explained_errors("saving the matter"):
                fresh = store.get(matter.id)
                fresh.name = " ".join(name.split()) or fresh.name
                fresh.client = " ".join(client.split())
                fresh.requesting_state, fresh.offence, fresh.penalty = state, offence, penalty
                fresh.risk_factors, fresh.notes = risks, notes
                if filing_date.strip() and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", filing_date.strip()):
                    raise ValueError(f"date of the brief {filing_date!r}: write it as YYYY-MM-DD, or leave it empty")
                fresh.court, fresh.case_number, fresh.filing_date = court.strip(), case_number.strip(), filing_date
                fresh.counsel, fresh.chambers = counsel.strip(), chambers.strip()
                fresh.choose_grounds(grounds)
                store.save(fresh)
                _flash("Facts saved.")
                st.rerun()
    _assurances(store, matter)
    with st.form(f"ground_{matter.id}", clear_on_submit=True):
        label = st.text_input("Add a ground of your own", placeholder="e.g. Article 8: family life",
                              max_chars=MAX_GROUND_CHARS)
        if st.form_submit_button("Add ground"):
            with explained_errors("adding the ground"):
                fresh = store.get(matter.id)
                added = fresh.add_custom_ground(label)
                store.save(fresh)
                _flash(f"Ground “{added}” added.")
                st.rerun()
    with st.expander("Delete this matter"):
        if st.checkbox("Yes, delete it and its collected passages", key=f"confirm_delete_{matter.id}"):
            if st.button("Delete matter", type="primary", key=f"delete_{matter.id}"):
                with explained_errors("deleting the matter"):
                    store.delete(matter.id)
                    st.session_state["next_matter"] = None
                    _flash(f"Deleted {matter.name}.")
                    st.rerun()


def _assurances(store: Any, matter: Any) -> None:
    """The assurances offered: each can be removed; a new one is added with its giver and date."""
    st.markdown("**Assurances offered**")
    for i, a in enumerate(matter.assurances):
        text_col, button_col = st.columns([6, 1])
        text_col.markdown(escape(f"‘{a.text}’ — {a.giver or 'giver not recorded'}, {a.date or 'undated'}"),
                          unsafe_allow_html=True)
        button_col.button("Remove", key=f"remove_assurance_{matter.id}_{i}", on_click=_remove_assurance,
                          args=(store, matter.id, i))
    with st.form(f"assurance_{matter.id}", clear_on_submit=True):
        text = st.text_area("Add an assurance (its words)", key=f"assurance_text_{matter.id}", max_chars=MAX_NOTE_CHARS)
        giver_col, date_col = st.columns(2)
        giver = giver_col.text_input("Given by", key=f"assurance_by_{matter.id}")
        given = date_col.text_input("Given on", placeholder="YYYY-MM-DD", key=f"assurance_date_{matter.id}")
        if st.form_submit_button("Add assurance"):
            with explained_errors("adding the assurance"):
                fresh = store.get(matter.id)
                fresh.add_assurance(text, giver, given)
                store.save(fresh)
                _flash("Assurance added.")
                st.rerun()


def _remove_assurance(store: Any, matter_id: str, index: int) -> None:
    with explained_errors("removing the assurance"):
        matter = store.get(matter_id)
        if 0 <= index < len(matter.assurances):
            matter.assurances.pop(index)
            store.save(matter)
            _flash("Assurance removed.")


def _passages(store: Any, matter: Any) -> None:
    if not matter.passages:
        st.info("No passages yet: search on the Research page and press “Add to matter”, "
                "or let the drafting assistant propose authorities.")
    chosen = matter.grounds()
    for ground, label in matter.available_grounds().items():
        collected = matter.passages_for(ground)
        if not collected:
            continue
        suffix = "" if ground in chosen else " — not argued (choose the ground on the Facts tab)"
        with st.expander(f"{streamlit_text(label)} ({len(collected)}){suffix}", expanded=ground in chosen):
            for i, passage in enumerate(collected):
                role_badge(st, passage.role)  # filed with the rest, the facts must not read as the Court's view
                st.code(passage.citation, language=None, wrap_lines=True)
                st.markdown(paragraph_block(passage.text), unsafe_allow_html=True)
                key = f"{ground}_{i}_{passage.chunk_id}"
                note_col, adverse_col = st.columns([4, 1])
                note_col.text_input("Note", passage.note, key=f"note_{key}", max_chars=MAX_NOTE_CHARS,
                                    placeholder="why it matters; for an adverse passage, the reply; "
                                                "for assurances, the Othman factor, e.g. (viii)")
                adverse_col.checkbox("Adverse", passage.adverse, key=f"adverse_{key}",
                                     help="The other side's authority: answered under the reply, never cited in "
                                          "support")
                if passage.source_kind == "upload":
                    st.text_input("Cited as", passage.citation, key=f"citation_{key}", max_chars=MAX_NOTE_CHARS,
                                  help="Your own document's citation: author, title, date, as the brief prints it")
                if is_chinese(passage.text):
                    st.text_area("English translation", passage.translation, key=f"translation_{key}",
                                 max_chars=MAX_NOTE_CHARS, height=68,
                                 help="Printed beside the Chinese as “translation by counsel”; without it the brief "
                                      "gives the glossary's English for the legal terms")
                save_col, remove_col = st.columns(2)
                save_col.button("Save note", key=f"save_{key}", on_click=_annotate,
                                args=(store, matter.id, passage.chunk_id, ground, key))
                remove_col.button("Remove", key=f"remove_{key}", on_click=_remove,
                                  args=(store, matter.id, passage.chunk_id, ground))


def _annotate(store: Any, matter_id: str, chunk_id: str, ground: str, key: str) -> None:
    with explained_errors("saving the note"):
        matter = store.get(matter_id)
        matter.annotate(chunk_id, ground, note=st.session_state.get(f"note_{key}", ""),
                        adverse=bool(st.session_state.get(f"adverse_{key}")),
                        translation=st.session_state.get(f"translation_{key}"),
                        citation=st.session_state.get(f"citation_{key}"))
        store.save(matter)
        _flash("Note saved.")


def _remove(store: Any, matter_id: str, chunk_id: str, ground: str) -> None:
    with explained_errors("removing the passage"):
        matter = store.get(matter_id)
        matter.remove_passage(chunk_id, ground)
        store.save(matter)
        _flash("Passage removed.")


def _drafting(kb: KnowledgeBase, matter: Any) -> None:
    st.caption("The assistant searches for each ground using the matter's facts and proposes passages; "
               "the draft quotes only stored passages, each with a footnoted pinpoint citation.")
    propose_col, draft_col = st.columns(2)
    if propose_col.button("Propose authorities", key="propose_button"):
        with explained_errors("proposing authorities"), st.spinner("Searching for each ground…"):
            st.session_state["matter_proposals"] = (matter.id, kb.propose(matter.id, per_ground=3))
    if draft_col.button("Draft argument", key="draft_button", type="primary"):
        with explained_errors("drafting"), st.spinner("Assembling the draft…"):
            st.session_state["matter_draft"] = (matter.id, kb.draft(matter.id)[0])
    proposals = st.session_state.get("matter_proposals")
    if proposals and proposals[0] == matter.id:
        for ground, hits in proposals[1].items():
            with st.expander(f"Proposed for {streamlit_text(matter.ground_label(ground))} ({len(hits)})"):
                for j, hit in enumerate(hits):
                    st.code(hit.citation, language=None, wrap_lines=True)
                    st.markdown(paragraph_block(hit.text, matter.facts()), unsafe_allow_html=True)
                    add_button(st, hit, key=f"propose_add_{ground}_{j}_{hit.chunk_id}", ground=ground)
    drafted = st.session_state.get("matter_draft")
    if not drafted or drafted[0] != matter.id:
        return
    draft = drafted[1]
    if draft.warnings:
        st.warning(f"{len(draft.warnings)} points to check before relying on this draft (not part of the brief).")
        with st.expander("What to check"):
            for warning in draft.warnings:
                st.text(f"• {warning}")
    with explained_errors("exporting the draft"):
        markdown = kb.export_markdown(draft, matter)
        docx = kb.docx_bytes(draft, matter)
        stem = matter.id
        md_col, docx_col = st.columns(2)
        md_col.download_button("Download Markdown", markdown, file_name=f"{stem}.md", mime="text/markdown",
                               key="download_md")
        docx_col.download_button(
            "Download DOCX", docx, file_name=f"{stem}.docx", key="download_docx",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    _show_draft(kb, draft)


def draft_html(draft: Any) -> str:
    """The brief as HTML built only from escaped text: headings, case names in italics, footnote marks."""
    out = [f"<h3>{escape(draft.title)}</h3>"]
    for section in draft.sections:
        out.append(f"<h4>{escape(section.heading)}</h4>")
        for para in section.paragraphs:
            if para.kind == "subheading":
                out.append(f"<p><strong>{escape(para.text)}</strong></p>")
                continue
            body = "".join(f"<em>{escape(piece)}</em>" if italic else escape(piece)
                           for piece, italic in italic_spans(" ".join(para.text.split()), para.italic))
            marks = "<sup>,</sup>".join(f"<sup>{i}</sup>" for i in para.footnote_ids)  # "6,7", not "67"
            style = ' style="background:#fef3c7"' if para.kind == "placeholder" else ""
            out.append(f'<p class="kb-draft-{para.kind}"{style}>{body}{marks}</p>')
    return "\n".join(out)


def quote_block(text: str, quote: str) -> str:
    """The cited passage with the quoted words marked, built from escaped text."""
    start = text.find(quote) if quote else -1
    if start < 0:
        return f'<div class="kb-para">{escape(text)}</div>'
    end = start + len(quote)
    return (f'<div class="kb-para">{escape(text[:start])}<mark>{escape(quote)}</mark>'
            f"{escape(text[end:])}</div>")


def _show_draft(kb: KnowledgeBase, draft: Any) -> None:
    """The draft as the brief reads, then each footnote with its passage one click away."""
    with st.container(border=True):
        st.markdown(draft_html(draft), unsafe_allow_html=True)
    st.caption("Footnotes: open one to read the passage it cites, the quoted words marked")
    texts = kb.footnote_texts(draft)
    for fn in draft.footnotes:
        passage = draft.evidence.get(fn.chunk_id)
        with st.expander(streamlit_text(f"{fn.id}. {texts[fn.id][0]}")):
            st.code(fn.citation, language=None, wrap_lines=True)
            if passage is not None:
                st.markdown(quote_block(passage.text, fn.quote), unsafe_allow_html=True)
            if fn.remark:
                st.caption(escape(fn.remark), unsafe_allow_html=True)
