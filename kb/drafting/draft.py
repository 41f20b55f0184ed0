"""The drafting assistant: from a matter's facts and filed passages to a draft brief in which every proposition is
footnoted, and nothing filed goes missing without a word.

It works offline with no language model. For each chosen ground it builds an argument (`kb.drafting.argument`):
the test, the application of each piece of the client's evidence, the other side's best authority and the reply,
and a conclusion that follows from what is on file. A ground with nothing filed is built from the assistant's
proposals (`kb.drafting.propose`), and says so in the warnings. Every filed passage ends up in the brief or in the
warnings with the reason (`accounted_for`).

When `KB_LLM_URL` and `KB_LLM_MODEL` name an OpenAI-compatible endpoint, `draft_argument` may have the model
rewrite each section's statement of the test (`kb.drafting.llm.write_prose`); every citation and quotation the model
leaves is checked, and what fails is flagged in `Draft.warnings`.
"""

from kb.drafting.argument import Builder, Style, criteria_tagged, facts_paragraphs, ground_section
from kb.drafting.brief import (
    MAX_PROPOSITIONS,
    PROPOSED_NOTE,
    QUOTING,
    Draft,
    DraftParagraph,
    DraftSection,
    Footnote,
    italic_spans,
    md_italic,
    md_text,
)
from kb.drafting.matters import CollectedPassage, Matter
from kb.drafting.propose import Searcher, ground_queries, propose_authorities, voice
from kb.drafting.sources import CATEGORIES, case_name, category, is_case, italic_name, pin_of
from kb.passages import Hit

__all__ = ["CATEGORIES", "QUOTING", "Draft", "DraftParagraph", "DraftSection", "Footnote", "case_name", "category",
           "draft_argument", "ground_queries", "is_case", "italic_name", "italic_spans", "md_italic", "md_text",
           "pin_of", "propose_authorities", "voice"]


def proposed(hit: Hit, ground: str) -> CollectedPassage:
    return CollectedPassage.from_hit(hit, ground, note=PROPOSED_NOTE)


def draft_argument(kb: Searcher, matter: Matter, per_ground: int = 3, grounds: list[str] | None = None,
                   use_llm: bool | None = None) -> Draft:
    """Assemble the brief: the request, then for each chosen ground the test, its application to the client's
    evidence, the other side's answer and the reply, and the conclusion; every quotation footnoted.

    Grounds with collected passages use those; a chosen ground with none uses the assistant's proposals (and says
    so in `Draft.warnings`, which are never part of the brief). `grounds` limits the draft to some of the chosen
    grounds; `use_llm=None` uses a language model only when one is configured.
    """
    for g in grounds or []:
        matter.check_ground(g)
    chosen = grounds or list(matter.grounds())
    uncollected = [g for g in chosen if not matter.passages_for(g)]
    proposals = propose_authorities(kb, matter, per_ground, grounds=uncollected) if uncollected else {}
    style = Style.of(matter)
    b = Builder(matter, style)
    draft = Draft(title=f"Submissions on behalf of {style.client.name} against extradition to {style.state}")
    draft.sections.append(DraftSection("facts", "The request", facts_paragraphs(matter, style)))
    labels = {g: matter.ground_label(g) for g in chosen}
    for ground in chosen:
        passages = matter.passages_for(ground) or [proposed(h, ground) for h in proposals.get(ground, [])]
        if ground in uncollected:
            passages = passages[:MAX_PROPOSITIONS]
            if passages:
                draft.warnings.append(f"{matter.ground_label(ground)}: no passages collected; the authorities cited "
                                      "are the assistant's proposals, read them before relying on them")
        for passage in passages:
            draft.evidence.setdefault(passage.chunk_id, passage)
        draft.sections.append(ground_section(b, ground, passages, labels))
    for passage in matter.passages:  # the assurances section may cite evidence filed under another ground
        draft.evidence.setdefault(passage.chunk_id, passage)
    draft.footnotes = b.notes.items
    draft.warnings += guessed_factors(draft) + accounted_for(draft, matter, chosen, b)
    if b.chinese_without_translation:
        where = ", ".join(dict.fromkeys(b.chinese_without_translation))
        draft.warnings.append(f"Chinese quotations with only the glossary's terms in English ({where}): add counsel's "
                              "translation to the passage (its translation field) before filing")
    if b.not_the_court:
        draft.warnings.append("Not the Court's own view, so quoted for what it is under the application, not as the "
                              f"test: {'; '.join(dict.fromkeys(b.not_the_court))}")
    placeholders = sum(p.kind == "placeholder" or "needed:" in p.text for s in draft.sections for p in s.paragraphs)
    if placeholders:
        draft.warnings.append(f"{placeholders} paragraph(s) hold a placeholder ([evidence needed: …] and the like) "
                              "to complete before filing")
    if use_llm is None:
        use_llm = bool(kb.settings.llm_url and kb.settings.llm_model)
    if use_llm:
        from kb.drafting.llm import translate_quotes, write_prose

        translate_quotes(kb.settings, draft)
        write_prose(kb.settings, draft, " ".join(p.text for p in draft.sections[0].paragraphs))
    draft.warnings += draft.check()
    return draft


def accounted_for(draft: Draft, matter: Matter, chosen: list[str], b: Builder) -> list[str]:
    """A warning for every filed passage that is not in the brief, with the reason: its ground is not argued, or no
    sentence of it could be quoted. Nothing the lawyer filed disappears silently. A draft of some of the matter's
    grounds (`grounds=`) says once how many passages its other grounds hold, rather than calling each of those
    grounds "not argued"."""
    cited = {fn.chunk_id for fn in draft.footnotes}
    argued = matter.grounds()
    out = []
    elsewhere: dict[str, int] = {}
    for passage in matter.passages:
        where = f"{passage.citation} (filed under “{matter.ground_label(passage.ground)}”)"
        if passage.chunk_id in cited:
            continue
        if passage.ground in chosen:
            reason = b.unused.get((passage.chunk_id, passage.ground), "the draft found no place for it")
            out.append(f"{where} is not in the brief: {reason}")
        elif passage.ground in argued:
            label = matter.ground_label(passage.ground)
            elsewhere[label] = elsewhere.get(label, 0) + 1
        else:
            out.append(f"{where} is not in the brief: the matter does not argue that ground; add it to the matter's "
                       "grounds (the app's Facts tab, or matter_update) to use the passage")
    if elsewhere:
        drafted = "; ".join(matter.ground_label(g) for g in chosen)
        left = "; ".join(f"{label} ({n})" for label, n in elsewhere.items())
        out.append(f"This draft covers only {drafted}; the passages filed under the matter's other grounds are not "
                   f"in it: {left}. Draft all the grounds to use them.")
    return out


def guessed_factors(draft: Draft) -> list[str]:
    """A warning for each Othman factor answered from a passage the lawyer did not file under it (matched by its
    words): the lawyer should confirm it, or tag the right passage's note, e.g. "(v)". Factor (v) answered from a
    statute that provides for the feared measure is not a guess."""
    guessed = []
    for section in draft.sections:
        for para in section.paragraphs:
            if para.kind != "criterion" or not para.footnote_ids or "The treatment feared is lawful" in para.text:
                continue
            n = para.text[1:para.text.index(")")]
            passages = [draft.evidence.get(f.chunk_id) for i in para.footnote_ids if (f := draft.footnote(i))]
            if not any(p is not None and n in criteria_tagged(p) for p in passages):
                guessed.append(f"({n})")
    if not guessed:
        return []
    return [f"Assurances: factor(s) {', '.join(guessed)} are answered from passages matched by their words, not filed "
            "under the factor; confirm them or tag the right passage's note, e.g. '(v)'"]
