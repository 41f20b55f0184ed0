"""One ground of the brief as an argument: the test, its application to each piece of the client's evidence, the
other side's best authority and the reply, and a conclusion that follows from what is on file.

Every quotation is the principle or operative sentence of its passage (`kb.drafting.quotes.holding_quote`), for an
adverse authority the sentence the other side relies on. Each piece of evidence gets one application sentence that
names the fact (the quotation), its source (the lead-in and footnote) and why it meets the test (the lawyer's note,
or the ground's reason with the client's own facts it touches). A Chinese quotation carries its English beside it
(`kb.drafting.chinese`). What the file lacks is said where it is lacking, and again in the conclusion.
"""

import re
from dataclasses import dataclass, field

from kb.drafting.brief import PROPOSED_NOTE, REMARKS, DraftParagraph, DraftSection, Footnote
from kb.drafting.chinese import glossary_terms, is_chinese, rendering
from kb.drafting.matters import Assurance, CollectedPassage, Matter
from kb.drafting.propose import speaking_role, voice
from kb.drafting.prose import Person, capitalised, clause, court_date, either, sentence, with_article
from kb.drafting.quotes import (
    as_quotation,
    enumeration,
    holding_quote,
    omissions,
    quotation,
    quote_query,
    states_a_view,
    terms,
)
from kb.drafting.sources import CATEGORIES, case_name, category, is_case, is_strasbourg, italic_name, pin_of
from kb.passages import role_label
from legal.grounds import (
    ASSURANCE_CRITERIA,
    CONTRACTING_STATES_NOT,
    CRITERION_EVIDENCE_NEEDED,
    CUSTOM_APPLICATION,
    CUSTOM_CONCLUSION,
    CUSTOM_EVIDENCE_NEEDED,
    CUSTOM_TOPIC,
    FEARS,
    GROUNDS,
    OTHMAN,
    OTHMAN_NAME,
)

PRINCIPLE_CATEGORIES = ("gc", "echr", "national", "un")
"""Where the test comes from: the Strasbourg case law (Grand Chamber first), national courts, the UN treaty bodies."""
_CRITERION_TAG = re.compile(r"\((?P<n>i|ii|iii|iv|v|vi|vii|viii|ix|x|xi)\)|criterion (?P<m>[ivx]+)\b", re.I)
_PREVIOUS_ILL_TREATMENT = re.compile(r"previously|before|in the past|was (?:detained|tortured|ill-treated|held)|"
                                     r"has been (?:detained|tortured|ill-treated|held)", re.I)
_GAPS = re.compile(r"\[(?P<kind>evidence needed|authority needed|reply needed|assessment needed|facts needed|"
                   r"to be completed|translation needed)(?:: (?P<what>(?:[^\[\]]|\[[^\]]*\])+))?\]")
"""The visible gaps a draft leaves for the lawyer; each one keeps the conclusion "subject to the evidence"."""
_DEATH = re.compile(r"death|execut|死刑", re.I)
_LIFE_WITHOUT_RELEASE = re.compile(r"life|终身监禁|无期徒刑", re.I)


@dataclass
class Style:
    """The names every sentence of the brief uses, formatted once (`kb.drafting.prose`)."""

    client: Person
    state: str
    offence: str
    label: str = ""

    @classmethod
    def of(cls, matter: Matter) -> "Style":
        return cls(Person.of(matter.client_name()), with_article(matter.requesting_state) or "the requesting state",
                   as_quotation(matter.offence) or "the offence alleged")

    def fields(self, **extra: str) -> dict[str, str]:
        """The placeholders of `legal.grounds` templates."""
        c = self.client
        return {"client": c.name, "Client": capitalised(c.name), "he": c.subject, "him": c.object, "his": c.possessive,
                "state": self.state, "State": capitalised(self.state), "offence": self.offence, "label": self.label,
                "client_pos": c.named_possessive, **extra}


class Footnotes:
    """The draft's footnotes, one per (passage, quotation); the same pair cited twice shares its footnote."""

    def __init__(self) -> None:
        self.items: list[Footnote] = []

    def add(self, passage: CollectedPassage, quote: str) -> int:
        for fn in self.items:
            if fn.chunk_id == passage.chunk_id and fn.quote == quote:
                return fn.id
        remark = " ".join(REMARKS[o] for o in omissions(quote))
        fn = Footnote(len(self.items) + 1, passage.citation, passage.url, passage.chunk_id, quote, remark)
        self.items.append(fn)
        return fn.id


@dataclass
class Builder:
    """What the sections of one draft share: the matter, its names, the footnotes, and what became of each filed
    passage (`unused`: chunk id → why it is not in the brief), so that nothing filed is silently lost."""

    matter: Matter
    style: Style
    notes: Footnotes = field(default_factory=Footnotes)
    unused: dict[tuple[str, str], str] = field(default_factory=dict)
    chinese_without_translation: list[str] = field(default_factory=list)
    not_the_court: list[str] = field(default_factory=list)
    """Filed Strasbourg passages that are not the Court's own view, with their role: quoted under the application."""

    @property
    def context(self) -> str:
        """What the client's case is about, in words: it picks the glossary terms worth rendering in English."""
        fears = " ".join(w for words in FEARS.values() for w in words)
        return f"{self.matter.offence} {self.matter.risk_factors} {self.matter.penalty} {fears}"


def lead_in(passage: CollectedPassage, style: Style) -> str:
    """Who says the quoted words: the Court, a party before it, a statute, a report or the lawyer's own evidence."""
    name = case_name(passage)
    kind = category(passage)
    if kind in ("gc", "echr"):
        return f"In {name}, {who_speaks(passage)}"
    if kind == "national":
        return f"In {name}, the court held"
    if kind == "statute":
        pin = pin_of(passage.citation)[1]
        return f"{name}, {pin}, provides" if pin else f"{name} provides"
    if kind == "own":
        return f"The evidence filed for {style.client.name} ({name}) states"
    if kind == "un":
        return f"{name} states"
    return f"{name} records"


SPEAKS = {"court": "the Court held", "operative": "the Court held", "applicant": "the applicant submitted",
          "government": "the Government submitted", "parties": "the parties submitted",
          "third_party": "a third-party intervener submitted", "commission": "the Commission expressed the opinion",
          "chamber": "the Chamber had found", "opinion": "a separate opinion stated",
          "law_material": "the Court set out the following material", "facts": "the Court recorded the facts",
          "procedure": "the Court recorded the procedure", "appendix": "the appendix to the judgment reads",
          "summary": "the Registry's summary reads"}
"""Who says a Strasbourg passage's words, by its role (`ingest.loaders.echr.ROLES`): only the Court's own view is
"held"; a fact, a party's submission or quoted law is named as such, never passed off as a holding."""


def relied_on(passage: CollectedPassage, state: str) -> str:
    """The lead-in to the other side's authority, naming who says its words as `lead_in` does: "where the Court
    held" for a Strasbourg holding (not "where it is stated", which left the reader to guess whether the Court or a
    party spoke), a statute by its article."""
    name, kind = case_name(passage), category(passage)
    if kind == "statute" and (pin := pin_of(passage.citation)[1]):
        return f"{state} may rely on {name}, {pin}, which provides"
    who = (who_speaks(passage) if is_strasbourg(passage) else "the court held" if kind == "national"
           else "it is stated")
    return f"{state} may rely on {name}, where {who}"


def who_speaks(passage: CollectedPassage) -> str:
    return SPEAKS.get(speaking_role(passage) or "", "the judgment reads")


def placeholder(kind: str, what: str) -> DraftParagraph:
    return DraftParagraph(f"[{kind}: {what}]", [], "placeholder")


def quoted(b: Builder, passage: CollectedPassage, query: str, adverse: bool = False) -> tuple[str, int] | None:
    """`“the sentence” [English …]` and its footnote id, or None when no sentence of the passage can be quoted."""
    quote = holding_quote(passage.text, query, adverse, passage.source_kind)
    if not quote:
        return None
    fid = b.notes.add(passage, quote)
    text = f"“{quotation(quote)}”"
    english = rendering(quote, passage.translation, context=b.context)
    if english is not None:
        text += f" {english.bracket()}"
        if not english.complete:
            b.chinese_without_translation.append(f"{case_name(passage)} {pin_of(passage.citation)[1]}".strip())
    return text, fid


def quote_paragraph(b: Builder, passage: CollectedPassage, query: str, kind: str, lead: str | None = None,
                    adverse: bool = False) -> DraftParagraph | None:
    """A quotation of the sentence that carries `query`, attributed and footnoted; a listed test is cited by its
    items instead of being cut."""
    found = quoted(b, passage, query, adverse)
    if found is None:
        return None
    text, fid = found
    text = f"{lead or lead_in(passage, b.style)}: {text}"
    items = enumeration(passage.text)
    if items and passage.paragraph and holding_quote(passage.text, query, adverse) not in \
            passage.text.split(f"({items[0]})")[-1]:
        text += f" The factors are listed at § {passage.paragraph} ({items[0]})–({items[-1]})."
    if passage.note and passage.note != PROPOSED_NOTE and kind == "proposition":
        text += f" ({sentence(' '.join(passage.note.split()))})"  # the lawyer's words, as typed
    return DraftParagraph(text, [fid], kind, [italic_name(passage)] if is_case(passage) else [])


def principle_order(passage: CollectedPassage) -> tuple:
    """Grand Chamber first, then the Court's other judgments, national courts, the UN; older authority first."""
    return ({"gc": 0, "echr": 1, "national": 2, "un": 3}.get(category(passage), 4), passage.date or "9999")


def is_principle(passage: CollectedPassage) -> bool:
    """A statement of the test: a Strasbourg passage only when it is the Court's own view (not the facts, a party's
    submission or quoted law, which are quoted for what they are under the application)."""
    kind = category(passage)
    return kind in PRINCIPLE_CATEGORIES and (kind not in ("gc", "echr") or voice(passage) == "court")


def client_links(matter: Matter, text: str) -> list[str]:
    """The client's own facts a passage speaks to: a feared measure it names (in English or in the statute's Chinese),
    a group or place the instructions name, or the offence's terms."""
    said = f"{matter.risk_factors} {matter.penalty} {matter.offence}"
    lowered_said, lowered_text = said.lower(), text.lower()
    links: list[str] = []
    for name, words in FEARS.items():
        if any(w in lowered_said for w in words) and any(w in lowered_text for w in words):
            chinese = next((w for w in words if is_chinese(w) and w in text), "")
            links.append(f"{name} ({chinese})" if chinese else name)
    for word in dict.fromkeys(re.findall(r"\b[A-Z][a-z]{3,}\b", matter.risk_factors)):
        if word.lower() in lowered_text and word.lower() not in " ".join(links).lower() and word not in _NOT_GROUPS:
            links.append(word)
    if is_chinese(text):
        for zh, en in glossary_terms(text):
            if en.lower() in lowered_said and not any(zh in link for link in links):
                links.append(f"{en} ({zh})")
    return links


_NOT_GROUPS = frozenset("Former Fears Previously Peaceful Relatives Held Being Deputy Director".split())
"""Capitalised words that start a clause of the instructions rather than name a group or a place."""


def application_sentence(b: Builder, ground: str, passage: CollectedPassage, test: str) -> str:
    """Why this piece of evidence meets the ground's test for this client: the lawyer's note, else the client's
    facts it touches and the ground's reason; a visible gap when neither says why."""
    f = b.style.fields()
    reason = (GROUNDS[ground].reason if ground in GROUNDS else CUSTOM_APPLICATION).format(**f)
    against = f", the test stated in {test}" if test else ""
    name = b.style.client.name
    if passage.note and passage.note != PROPOSED_NOTE:
        return sentence(f"This applies to {name}: {clause(passage.note)}; {reason}{against}")
    if is_strasbourg(passage):  # another applicant's facts or a party's case: only counsel can say
        what = (role_label(speaking_role(passage)) or "not the Court's view").split(",")[0]
        return f"[assessment needed: the bearing of {case_name(passage)} ({what}) on {f['client_pos']} case]"
    links = client_links(b.matter, passage.text)
    if links:
        return sentence(f"This applies to {name}, whose instructions it bears on ({'; '.join(links)}): "
                        f"{reason}{against}")
    return (sentence(f"This applies to {name} because {reason}{against}") +
            f" [assessment needed: how this evidence concerns {name} personally]")


def facts_paragraphs(matter: Matter, style: Style) -> list[DraftParagraph]:
    """The request and the client's position, in the lawyer's words; a gap in the facts is shown, not filled."""
    f = style.fields()
    paras = []
    if matter.requesting_state:
        request = f"{f['State']} requests the extradition of {f['client']}"
        offence = as_quotation(matter.offence)  # the lawyer's quotation marks are not a quotation of an authority
        paras.append(DraftParagraph(sentence(f"{request} for {offence}" if offence else request), [], "facts"))
    else:
        paras.append(placeholder("facts needed", "the requesting state and the offence for which extradition is "
                                                 "sought"))
    if matter.penalty.strip():
        offence = f"{f['offence']}," if "," in f["offence"] else f["offence"]  # "fraud, Criminal Law art. 266, in"
        paras.append(DraftParagraph(sentence(f"The maximum penalty for {offence} in {f['state']} is "
                                             f"{matter.penalty.strip().rstrip('.')}"), [], "facts"))
    else:
        paras.append(placeholder("evidence needed", f"the maximum penalty for {f['offence']} in {f['state']}"))
    if matter.risk_factors.strip():
        paras.append(DraftParagraph(sentence(f"{f['client_pos']} instructions are: "
                                             f"{as_quotation(matter.risk_factors).rstrip('.')}"), [], "facts"))
    for a in matter.assurances:
        paras.append(DraftParagraph(assurance_sentence(a, style), [], "facts"))
    return paras


def assurance_sentence(a: Assurance, style: Style) -> str:
    who = with_article(a.giver) if a.giver else style.state
    said = f"{who} gave the assurance that ‘{quotation(a.text).rstrip('.')}’"
    return sentence(f"On {court_date(a.date)}, {said}" if a.date else capitalised(said))


def ground_section(b: Builder, ground: str, passages: list[CollectedPassage], other_labels: dict[str, str]
                   ) -> DraftSection:
    """One ground: the test, its application to the client's evidence, the other side's answer, the conclusion."""
    matter, style = b.matter, b.style
    label = matter.ground_label(ground)
    style.label = label
    f = style.fields()
    query = quote_query(ground, label)
    built_in = GROUNDS.get(ground)
    topic = (built_in.topic if built_in else CUSTOM_TOPIC).format(**f)
    section = DraftSection(ground, label, [DraftParagraph(topic, [], "submission")])
    add = section.paragraphs.append
    support = [p for p in passages if not p.adverse]
    adverse = [p for p in passages if p.adverse]

    add(DraftParagraph("The test", kind="subheading"))
    principles = sorted((p for p in support if is_principle(p)), key=principle_order)
    test = ""
    for passage in principles:
        words = holding_quote(passage.text, query, kind=passage.source_kind)
        if words and not states_a_view(words):  # e.g. a complaint the HUDOC headings left under the Court's
            b.unused[(passage.chunk_id, ground)] = (
                f"its best sentence (“{' '.join(words.split()[:8])} …”) gives a party's case or introduces words "
                "quoted from elsewhere, not the Court's own view; file the paragraph where the Court states it")
            continue
        para = quote_paragraph(b, passage, query, "proposition")
        if para is None:
            b.unused[(passage.chunk_id, ground)] = "no sentence of it could be quoted"
            continue
        add(para)
        test = test or (case_name(passage) if is_case(passage) else "")
    if not principles:
        add(placeholder("authority needed", f"the Court’s statement of the test for ‘{label}’"))
    test_italic = [italic_name(p) for p in principles if is_case(p) and case_name(p) == test]

    add(DraftParagraph(f"Application to {style.client.name}", kind="subheading"))
    evidence = [p for p in support if not is_principle(p)]
    b.not_the_court += [f"{p.citation} ({role_label(speaking_role(p)) or 'not the Court'})" for p in evidence
                        if is_strasbourg(p) and p.note != PROPOSED_NOTE]
    if ground == "assurances":
        applied = assurance_criteria(b, section)
        evidence = [p for p in evidence if p.chunk_id not in applied]
    elif ground == "death_penalty":
        death_penalty_facts(b, section, other_labels)
    facts_query = f"{query} {matter.facts()} {' '.join(built_in.prc_evidence if built_in else ())}"
    for passage in sorted(evidence, key=lambda p: list(CATEGORIES).index(category(p))):
        para = quote_paragraph(b, passage, facts_query, "evidence")
        if para is None:
            b.unused[(passage.chunk_id, ground)] = "no sentence of it could be quoted"
            continue
        para.text = f"{sentence(para.text)} {application_sentence(b, ground, passage, test)}"
        para.italic += test_italic
        add(para)
    if not evidence and ground != "assurances":
        add(placeholder("evidence needed",
                        (built_in.evidence_needed if built_in else CUSTOM_EVIDENCE_NEEDED).format(**f)))

    add(DraftParagraph(f"The answer of {style.state}, and the reply", kind="subheading"))
    for passage in sorted(adverse, key=principle_order):
        para = quote_paragraph(b, passage, query, "rebuttal", adverse=True,
                               lead=relied_on(passage, f["State"]))
        if para is None:
            b.unused[(passage.chunk_id, ground)] = "no sentence of it could be quoted"
            continue
        add(para)
        add(DraftParagraph(sentence(f"In reply, {clause(passage.note)}"), [], "submission") if clause(passage.note)
            else placeholder("reply needed", f"why {italic_name(passage)} does not assist {style.state}"))
    if not adverse:
        add(placeholder("to be completed", f"the answer {style.state} is expected to give on this ground, and the "
                                           "reply to it"))

    add(DraftParagraph("Conclusion", kind="subheading"))
    add(DraftParagraph(conclusion(section, ground, f), [], "conclusion"))
    return section


def missing(section: DraftSection) -> list[str]:
    """What the section still lacks, as its placeholders say it."""
    out = []
    for para in section.paragraphs:
        for m in _GAPS.finditer(para.text):
            what = m["what"] or m["kind"]
            if m["kind"] == "evidence needed" and para.kind == "criterion":
                what = f"factor {para.text.split(')')[0]})"
            out.append(what)
    return list(dict.fromkeys(out))


def conclusion(section: DraftSection, ground: str, f: dict[str, str]) -> str:
    """The ground's conclusion, "subject to" every gap still marked in the section, which it names."""
    reached = (GROUNDS[ground].conclusion if ground in GROUNDS else CUSTOM_CONCLUSION).format(**f)
    if ground == "death_penalty" and any(p.kind == "submission" and "That assurance" in p.text
                                         for p in section.paragraphs):
        reached += ", and the assurance offered against the death penalty does not remove that risk"
    gaps = missing(section)
    if not gaps:
        return sentence(f"For these reasons, {reached}")
    factors = [g for g in gaps if g.startswith("factor (")]
    others = [g for g in gaps if not g.startswith("factor (")]
    needs = ([f"evidence on {either([g.removeprefix('factor ') for g in factors], 'and')} of the Othman factors"]
             if factors else []) + others
    return sentence(f"Subject to the evidence still needed ({'; '.join(needs)}), {reached}")


def death_penalty_facts(b: Builder, section: DraftSection, other_labels: dict[str, str]) -> None:
    """The penalty the client faces, and what any assurance against it does and does not cover."""
    matter, f = b.matter, b.style.fields()
    add = section.paragraphs.append
    if matter.penalty.strip():
        add(DraftParagraph(sentence(f"{f['Client']} is sought for {f['offence']}, for which the maximum penalty is "
                                    f"{matter.penalty.strip().rstrip('.')}"), [], "facts"))
    else:
        add(placeholder("evidence needed", f"the maximum penalty for {f['offence']} in {f['state']}"))
    for a in matter.assurances:
        if not _DEATH.search(a.text):
            continue
        reasons = []
        if "assurances" in other_labels:
            reasons.append(f"whether it can be relied on is examined under ‘{other_labels['assurances']}’")
        else:
            reasons.append("[assessment needed: whether the assurance is specific, binding and verifiable (Othman "
                           "factors)]")
        if _LIFE_WITHOUT_RELEASE.search(matter.penalty) and not _LIFE_WITHOUT_RELEASE.search(a.text):
            reasons.append("it says nothing of life imprisonment, the other penalty the offence carries, which the "
                           "Criminal Law allows to be imposed without release or parole")
        add(DraftParagraph(sentence(f"{assurance_sentence(a, b.style)[:-1]}. That assurance does not by itself "
                                    f"remove the risk: {'; and '.join(reasons)}"), [], "submission"))


def criteria_tagged(passage: CollectedPassage) -> set[str]:
    """The Othman factors the lawyer's note files a passage under, e.g. "(viii)" or "criterion ix"."""
    return {(m["n"] or m["m"]).lower() for m in _CRITERION_TAG.finditer(passage.note or "")}


def unaddressed(matter: Matter) -> list[str]:
    """What the client's instructions say is feared that no assurance mentions: mechanical, so checkable."""
    feared = f"{matter.risk_factors} {matter.penalty}".lower()
    offered = " ".join(a.text for a in matter.assurances).lower()
    return [name for name, words in FEARS.items()
            if any(w in feared for w in words) and not any(w in offered for w in words)]


def feared_statutes(matter: Matter) -> list[tuple[CollectedPassage, str]]:
    """Statutes on file that provide for a measure the client fears (liuzhi under the Supervision Law, RSDL under
    the Criminal Procedure Law), with the words that name it: factor (v) is answered from them."""
    feared = f"{matter.risk_factors} {matter.penalty}".lower()
    out = []
    for passage in matter.passages:
        if passage.adverse or category(passage) != "statute":
            continue
        for words in FEARS.values():
            named = [w for w in words if w in passage.text]
            if named and any(w in feared for w in words):
                out.append((passage, " ".join(named)))
                break
    return out


def assurance_criteria(b: Builder, section: DraftSection) -> set[str]:
    """Each Othman factor in turn, with the evidence the matter holds for it or a visible placeholder; returns the
    chunk ids of the passages it applied."""
    matter, style = b.matter, b.style
    f = style.fields()
    add = section.paragraphs.append
    othman = next((p for p in matter.passages if p.doc_id == OTHMAN and p.paragraph == "189" and not p.adverse), None)
    add(DraftParagraph(f"The assurances are measured against the factors listed in {OTHMAN_NAME}, § 189 (i)–(xi), "
                       "in turn.", [b.notes.add(othman, "")] if othman else [], "criteria",
                       [OTHMAN_NAME] if othman else []))
    if not othman:
        add(placeholder("authority needed", f"{OTHMAN_NAME}, § 189, is not among the collected passages"))
    pool = [p for p in matter.passages if not p.adverse and not is_principle(p)]
    quoted_at: dict[str, str] = {}
    statutes = feared_statutes(matter)
    feared_words = {p.chunk_id: words for p, words in statutes}
    for n, factor, words in ASSURANCE_CRITERIA:
        head = f"({n}) {capitalised(factor)}."
        tagged = [p for p in pool if n in criteria_tagged(p)]
        found = tagged or ([p for p in pool if not criteria_tagged(p) and not is_strasbourg(p)
                            and len(terms(words) & terms(p.text)) >= 3] if words else [])  # not a party's case
        if n == "v" and not tagged:
            found = [p for p, _ in statutes] or found
        parts = [head, *criterion_facts(matter, n, style)]
        ids: list[int] = []
        italic: list[str] = []
        for passage in found[:2]:
            if passage.chunk_id in quoted_at:  # one passage filed under two factors is quoted once
                ids.append(b.notes.add(passage, ""))
                parts.append(f"{case_name(passage)}: see ({quoted_at[passage.chunk_id]}) above.")
                continue
            feared = feared_words.get(passage.chunk_id) if n == "v" else None
            got = quoted(b, passage, feared or words or factor)
            if got is None:
                continue
            quoted_at[passage.chunk_id] = n
            ids.append(got[1])
            lead = lead_in(passage, style)
            if feared and len(parts) == 1 + len(criterion_facts(matter, n, style)):
                parts.append(f"The treatment feared is lawful in {style.state}.")
            parts.append(f"{sentence(lead + ': ' + got[0])}")
            if is_case(passage):
                italic.append(italic_name(passage))
        if len(parts) == 1:
            parts.append(f"[evidence needed: {CRITERION_EVIDENCE_NEEDED[n].format(**f)}]")
        add(DraftParagraph(" ".join(parts), ids, "criterion", italic))
    return set(quoted_at)


def criterion_facts(matter: Matter, n: str, style: Style) -> list[str]:
    """What the matter's own facts say on factor `n` (the assurance's text, giver, the client's history)."""
    f = style.fields()
    assurances = matter.assurances
    if n == "i" and assurances:
        return [sentence(f"The terms are before the Court: ‘{quotation(a.text).rstrip('.')}’") for a in assurances]
    if n == "ii" and assurances:
        feared = unaddressed(matter)
        if feared:
            return [f"The assurance does not mention {either(feared)}, which {f['client_pos']} instructions say "
                    f"{f['he']} fears."]
        return ["The assurance reads, in full, as set out under (i); [assessment needed: whether those words are "
                "specific to the treatment feared or general and vague]"]
    if n == "iii" and assurances:
        givers = [with_article(a.giver) for a in assurances if a.giver]
        if givers:
            return [f"The assurance was given by {either(givers, 'and')}; [evidence needed: whether that authority "
                    f"can bind {f['state']}]"]
    if n == "vi" and any(s in matter.requesting_state.lower() for s in CONTRACTING_STATES_NOT):
        return [f"{f['State']} is not a Contracting State to the Convention."]
    if n == "x" and _PREVIOUS_ILL_TREATMENT.search(matter.risk_factors):
        return [sentence(f"{f['client_pos']} instructions are: ‘{quotation(matter.risk_factors.strip()).rstrip('.')}’")]
    return []
