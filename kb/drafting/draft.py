"""The drafting assistant: from a matter's facts to a draft argument in which every proposition is footnoted.

It works offline with no language model. For each ground it runs targeted searches (a legal-principle query per
ground, the matter's facts, and for a PRC matter evidence queries on liuzhi, RSDL and televised confessions),
proposes the strongest passages, and assembles each argument section from sentences quoted verbatim from those
passages. A quote is the only kind of proposition it writes, so each one can be checked mechanically against the
passage its footnote cites (`Draft.check`).

When `KB_LLM_URL` and `KB_LLM_MODEL` name an OpenAI-compatible endpoint (Ollama serves one), `draft_argument` may
have the model rewrite each section as prose through Haystack's `OpenAIChatGenerator`; the `CitationChecker`
component then flags, in `Draft.warnings`, every citation in the output that is not one of the retrieved passages.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from haystack import component
from haystack.dataclasses import ChatMessage

from kb.drafting.matters import CollectedPassage, Matter
from kb.safe_text import http_url, markdown_text
from kb.store.base import SearchFilters

if TYPE_CHECKING:
    from kb.api import Hit, KnowledgeBase
    from kb.settings import Settings

PRINCIPLE_QUERIES: dict[str, tuple[str, ...]] = {
    "article3": (
        "substantial grounds for believing that the person concerned if extradited faces a real risk of being "
        "subjected to torture or inhuman or degrading treatment Article 3 responsibility of the Contracting State",
        "absolute prohibition of torture expulsion removal irrespective of the conduct of the person concerned",
    ),
    "article6": (
        "flagrant denial of justice in the requesting country extradition Article 6 fair trial",
        "evidence obtained by torture admitted at trial flagrant denial of justice",
    ),
    "article5": (
        "flagrant breach of Article 5 arbitrary detention without trial in the receiving state removal",
    ),
    "assurances": (
        "diplomatic assurances quality reliability weight given to assurances practical application factors",
        "assurances against ill-treatment where torture is endemic or persistent monitoring compliance",
    ),
    "death_penalty": (
        "death penalty death row phenomenon extradition inhuman treatment Article 3",
        "life sentence irreducible without prospect of release or review extradition",
    ),
    "detention_conditions": (
        "conditions of detention prison overcrowding ill-treatment in the receiving state real risk Article 3",
    ),
    "political_persecution": (
        "persecution on account of political opinion ethnic origin religion political offence extradition refused",
        "member of a persecuted group systematic practice of ill-treatment real risk",
    ),
}
"""One or two legal-principle queries per built-in ground: the line of authority a brief opens with."""

GROUND_TERMS: dict[str, str] = {
    "article3": "torture ill-treatment inhuman degrading treatment real risk substantial grounds extradition",
    "article6": "flagrant denial justice fair trial evidence torture",
    "article5": "arbitrary detention flagrant breach liberty",
    "assurances": "assurances diplomatic reliability monitoring practical",
    "death_penalty": "death penalty row life sentence release review",
    "detention_conditions": "conditions detention prison overcrowding",
    "political_persecution": "persecution political opinion ethnic religion",
}
"""Words that mark a sentence as being about the ground; they pick the sentence to quote from a passage."""

PRC_STATES = ("china", "prc", "people's republic", "peoples republic", "hong kong", "xinjiang", "中国",
              "中华人民共和国")
PRC_EVIDENCE: dict[str, tuple[str, ...]] = {
    "article3": ("留置 liuzhi retention in custody supervision commission investigation",
                 "torture ill-treatment detention Xinjiang credible allegations"),
    "article5": ("指定居所监视居住 residential surveillance at a designated location",
                 "留置 liuzhi detention without access to a lawyer supervision law"),
    "article6": ("forced televised confessions denial of access to lawyer",
                 "指定居所监视居住 residential surveillance at a designated location"),
    "detention_conditions": ("留置 liuzhi detention conditions",
                             "vocational education and training centres conditions"),
    "political_persecution": ("Uyghur ethnic minority persecution religion Xinjiang",
                              "political prisoners China detained"),
    "assurances": ("China refused access to independent monitors detention facilities",),
    "death_penalty": ("death penalty China executions",),
}
"""Evidence about the PRC for each ground, run against statutes, reports, campaigns and UN material."""

PRC_SOURCES = ("prc-law", "report", "campaign", "un")
PRINCIPLE_FILTERS = SearchFilters(source_kinds=("echr",), sections=("THE LAW",))

TOPIC_SENTENCES: dict[str, str] = {
    "article3": "Extradition of {client} to {state} would expose {client} to a real risk of torture or inhuman or "
                "degrading treatment, contrary to Article 3 of the Convention.",
    "article6": "{client} would face a flagrant denial of justice in {state}, contrary to Article 6 of the Convention.",
    "article5": "{client} would face arbitrary detention in {state} amounting to a flagrant breach of Article 5.",
    "assurances": "No diplomatic assurance offered by {state} can remove that risk.",
    "death_penalty": "{client} would face the death penalty or an irreducible life sentence in {state}.",
    "detention_conditions": "The conditions in which {client} would be detained in {state} are incompatible with "
                            "Article 3.",
    "political_persecution": "The request is made for the purpose of punishing {client} on account of political "
                             "opinion, or {client} would be prejudiced at trial or punished for it.",
}
CUSTOM_TOPIC = "{label}: the authorities below bear on the extradition of {client} to {state}."
APPLICATION = ("Applied to this case: {facts} On the authorities set out above, this ground is made out and "
               "extradition should be refused.")
MAX_PROPOSITIONS = 4
MAX_QUOTE_WORDS = 70

_ABBREVIATIONS = ("v", "no", "nos", "para", "paras", "p", "pp", "cf", "e.g", "i.e", "art", "mr", "ms", "mrs", "dr",
                  "vol", "etc", "seq", "ibid", "op", "cit", "st", "ltd", "co", "inc", "u.s", "u.k", "n", "§")
_SENTENCE_END = re.compile(r"(?<=[.!?;。；！？])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9§\u4e00-\u9fff])|(?<=[。；！？])")
_LEADING_NUMBER = re.compile(r"^\s*\d{1,4}\.\s+")
_WORD = re.compile(r"[a-z\u4e00-\u9fff]{3,}|[\u4e00-\u9fff]")
_STOP = frozenset("the and that which with for from this were been have has had not are was its their there these "
                  "those into such any also would could should shall may might must upon under than then them they "
                  "person concerned court".split())


# Haystack reads the run() annotations of a component at runtime, so this module does not postpone annotations;
# names imported only for type checking are written as strings.


# Data ---------------------------------------------------------------------------------------------------------------

@dataclass
class Footnote:
    """One footnote: the full pinpoint citation and the exact words quoted from the passage it cites."""

    id: int
    citation: str
    url: str | None
    chunk_id: str
    quote: str


@dataclass
class DraftParagraph:
    """A paragraph of the draft. `kind` tells the checker what it must carry.

    `proposition`: a statement of law or evidence, quoted from the passages its footnotes cite (footnote required);
    `application`: the matter's facts applied to the authorities (footnote required); `submission`: the advocate's
    own topic sentence; `facts`: the client's instructions; `prose`: written by a language model (checked by
    `CitationChecker`, footnote required).
    """

    text: str
    footnote_ids: list[int] = field(default_factory=list)
    kind: str = "proposition"

    NEEDS_FOOTNOTE = ("proposition", "application", "prose")


@dataclass
class DraftSection:
    ground: str
    heading: str
    paragraphs: list[DraftParagraph] = field(default_factory=list)


@dataclass
class Draft:
    title: str
    sections: list[DraftSection] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    evidence: dict[str, CollectedPassage] = field(default_factory=dict)
    """The passages the draft may cite, by chunk id: the matter's collected passages and the proposed ones."""

    def footnote(self, footnote_id: int) -> Footnote | None:
        return next((f for f in self.footnotes if f.id == footnote_id), None)

    def check(self) -> list[str]:
        """Every way the draft's citations fail to rest on its evidence; an empty list means it is sound."""
        problems: list[str] = []
        for fn in self.footnotes:
            passage = self.evidence.get(fn.chunk_id)
            if passage is None:
                problems.append(f"footnote {fn.id} ({fn.citation}) cites passage {fn.chunk_id}, "
                                "which is not among the draft's passages")
                continue
            if fn.citation != passage.citation:
                problems.append(f"footnote {fn.id} reads {fn.citation!r} but its passage is {passage.citation!r}")
            if fn.quote and _norm(fn.quote) not in _norm(passage.text):
                problems.append(f"footnote {fn.id} ({fn.citation}): the quoted words are not in that passage")
        referenced: set[int] = set()
        for section in self.sections:
            for n, para in enumerate(section.paragraphs, 1):
                where = f"{section.heading}, paragraph {n}"
                missing = [i for i in para.footnote_ids if self.footnote(i) is None]
                if missing:
                    problems.append(f"{where}: footnote(s) {missing} do not exist")
                referenced.update(para.footnote_ids)
                if para.kind in DraftParagraph.NEEDS_FOOTNOTE and not para.footnote_ids:
                    problems.append(f"{where}: a {para.kind} with no footnote")
                sources = " ".join(self.evidence[f.chunk_id].text for i in para.footnote_ids
                                   if (f := self.footnote(i)) and f.chunk_id in self.evidence)
                for quoted in re.findall(r"“([^”]{12,})”", para.text):
                    if _norm(quoted.rstrip(" .…")) not in _norm(sources):
                        problems.append(f"{where}: the quotation “{quoted[:50]}…” is not in the passages it cites")
        unused = [f.id for f in self.footnotes if f.id not in referenced]
        if unused:
            problems.append(f"footnote(s) {unused} are never referenced in the text")
        return problems

    def markdown(self, appendix: str = "") -> str:
        """The draft as Markdown with `[^n]` footnotes (Pandoc, GitHub and Obsidian render them).

        `appendix` (e.g. the table of authorities) goes after the text and before the footnote definitions.
        """
        out = [f"# {md_text(self.title)}", ""]
        for section in self.sections:
            out += [f"## {md_text(section.heading)}", ""]
            for para in section.paragraphs:
                marks = "".join(f"[^{i}]" for i in para.footnote_ids)
                out += [f"{md_text(para.text)}{marks}", ""]
        if self.warnings:
            out += ["## Warnings", ""] + [f"- {md_text(w)}" for w in self.warnings] + [""]
        if appendix:
            out += [appendix.rstrip(), ""]
        for fn in self.footnotes:
            link = f" <{url}>" if (url := http_url(fn.url)) else ""
            out.append(f"[^{fn.id}]: {md_text(fn.citation)}.{link}")
        return "\n".join(out).rstrip() + "\n"


md_text = markdown_text
"""Passage or client text made inert in Markdown (`kb.safe_text`): one line, no footnote mark, image, link or tag."""


# Proposing authorities ----------------------------------------------------------------------------------------------

def is_prc_matter(matter: Matter) -> bool:
    haystack = f"{matter.requesting_state} {matter.offence} {matter.risk_factors}".lower()
    return any(s in haystack for s in PRC_STATES)


def ground_queries(matter: Matter, ground: str) -> list[tuple[str, SearchFilters, float, str]]:
    """The searches for one ground as (query, filters, weight, role); role is `principle` or `evidence`."""
    label = matter.ground_label(ground)
    facts = matter.facts()
    queries: list[tuple[str, SearchFilters, float, str]] = []
    for q in PRINCIPLE_QUERIES.get(ground, (label,)):
        queries.append((q, PRINCIPLE_FILTERS, 1.0, "principle"))
    if facts:
        queries.append((f"{label} {facts}", SearchFilters(), 0.7, "principle"))
    if is_prc_matter(matter):
        for q in PRC_EVIDENCE.get(ground, (f"{label} China",)):
            queries.append((q, SearchFilters(source_kinds=PRC_SOURCES), 1.0, "evidence"))
    return queries


def matter_grounds(matter: Matter) -> list[str]:
    """Built-in grounds, the matter's own, and any ground a collected passage is filed under."""
    grounds = list(matter.grounds())
    grounds += [p.ground for p in matter.passages if p.ground not in grounds]
    return list(dict.fromkeys(grounds))


_PARTY_HEADING = re.compile(r"submissions|the parties|applicant[’']s case|government[’']s case|third[- ]part|"
                            r"arguments of|observations|article 41", re.I)
_PARTY_OPENING = re.compile(r"^\s*(?:\d+\.\s+)?(?:\w+,\s+)?(?:the\s+)?(?:applicants?|government|respondent|"
                            r"intervener|third[- ]party|[A-Z][a-z]+ Government)\b[^.]{0,80}?\b(?:submitted|argued|"
                            r"contended|maintained|complained|claimed|alleged|emphasised|stressed|pointed out|"
                            r"considered|replied|disputed)", re.I)


def voice(section: str | None, heading: str | None, text: str) -> str:
    """`court` for the Court's own reasoning, `party` for what a party or intervener argued, else `other`.

    A brief may quote a government's submission, but never as if the Court had said it.
    """
    if section == "THE LAW":
        if (heading and _PARTY_HEADING.search(heading)) or _PARTY_OPENING.match(text):
            return "party"
        return "court"
    return "party" if _PARTY_OPENING.match(text) else "other"


def _fuse(results: Iterable[tuple[list["Hit"], float]]) -> list["Hit"]:
    """Reciprocal-rank fusion across queries, at most two passages per document.

    The Court's own reasoning in THE LAW is favoured and the parties' submissions are pushed down: a brief is
    built on what the Court held.
    """
    scores: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for ranked, weight in results:
        for rank, hit in enumerate(ranked):
            bonus = {"court": 1.25, "party": 0.5, "other": 1.0}[voice(hit.section, hit.heading, hit.text)]
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight * bonus / (20 + rank)
            hits.setdefault(hit.chunk_id, hit)
    per_doc: dict[str, int] = {}
    out = []
    for chunk_id in sorted(scores, key=scores.__getitem__, reverse=True):
        hit = hits[chunk_id]
        if per_doc.get(hit.doc_id, 0) >= 2:
            continue
        per_doc[hit.doc_id] = per_doc.get(hit.doc_id, 0) + 1
        out.append(replace(hit, score=round(scores[chunk_id], 6)))
    return out


def propose_authorities(kb: "KnowledgeBase", matter: Matter, per_ground: int = 5) -> dict[str, list["Hit"]]:
    """The strongest passages for each ground, principles first; evidence about the requesting state fills the rest.

    Passages already collected under a ground are not proposed for it again.
    """
    proposals: dict[str, list[Hit]] = {}
    for ground in matter_grounds(matter):
        collected = {p.chunk_id for p in matter.passages_for(ground)}
        by_role: dict[str, list[tuple[list[Hit], float]]] = {"principle": [], "evidence": []}
        for query, filters, weight, role in ground_queries(matter, ground):
            by_role[role].append((kb.search(query, filters, limit=per_ground * 2), weight))
        principles = [h for h in _fuse(by_role["principle"]) if h.chunk_id not in collected]
        evidence = [h for h in _fuse(by_role["evidence"]) if h.chunk_id not in collected]
        n_evidence = min(len(evidence), per_ground // 2) if evidence else 0
        chosen = principles[:per_ground - n_evidence] + evidence[:n_evidence]
        seen = {h.chunk_id for h in chosen}
        chosen += [h for h in principles + evidence if h.chunk_id not in seen][:per_ground - len(chosen)]
        proposals[ground] = chosen
    return proposals


# Drafting -----------------------------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"“": "'", "”": "'", "‘": "'", "’": "'", '"': "'", "‑": "-"})


def _norm(text: str) -> str:
    """Text for comparing a quotation with its source: whitespace, quote marks and hyphen variants ignored."""
    return " ".join(text.translate(_QUOTES).split()).lower()


def _as_quotation(text: str) -> str:
    """A quotation on one line, its inner double quotes made single so that the outer pair is unambiguous."""
    return " ".join(text.split()).replace("“", "‘").replace("”", "’")


def split_sentences(text: str) -> list[str]:
    """Sentences of a legal paragraph, not broken after `v.`, `no.`, `§`, `para.` or initials."""
    text = _LEADING_NUMBER.sub("", text.strip())
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if sentences:
            last_word = sentences[-1].rstrip(".").rsplit(None, 1)[-1].lower() if sentences[-1].strip() else ""
            if last_word.strip("(“\"") in _ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", sentences[-1][-2:]):
                sentences[-1] = f"{sentences[-1]} {piece}"
                continue
        sentences.append(piece)
    return sentences


def _terms(text: str) -> set[str]:
    return {w[:7] for w in _WORD.findall(text.lower()) if w not in _STOP}


def best_quote(text: str, query: str, max_words: int = MAX_QUOTE_WORDS) -> str:
    """The sentence (or two adjacent ones) of `text` that shares most terms with `query`, verbatim."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    wanted = _terms(query)

    def score(s: str) -> float:
        terms = _terms(s)
        return len(terms & wanted) / math.sqrt(len(terms) + 1)

    best = max(range(len(sentences)), key=lambda i: score(sentences[i]))
    quote = sentences[best]
    if best + 1 < len(sentences) and len((quote + sentences[best + 1]).split()) <= max_words \
            and score(sentences[best + 1]) > 0:
        quote = f"{quote} {sentences[best + 1]}"
    words = quote.split()
    if len(words) > max_words:
        quote = " ".join(words[:max_words]).rstrip(",;:")
    return quote


def _attribution(passage: CollectedPassage) -> str:
    """The lead-in to a quotation, from the citation's case or document name and whose words they are."""
    name = passage.citation.split(", no")[0].split(", §")[0].strip()
    name = re.sub(r"^CASE OF\s+", "", name, flags=re.I)
    if name.isupper():
        name = name.title().replace(" V. ", " v. ")
    who = voice(passage.section, passage.heading, passage.text)
    if "v." in name:
        return {"court": f"In {name}, the Court held", "party": f"In {name}, the Court recorded the submission that"}\
            .get(who, f"In {name}, it is stated")
    return f"{name} records"


class _Footnotes:
    def __init__(self) -> None:
        self.items: list[Footnote] = []

    def add(self, passage: CollectedPassage, quote: str) -> int:
        for fn in self.items:
            if fn.chunk_id == passage.chunk_id and fn.quote == quote:
                return fn.id
        fn = Footnote(len(self.items) + 1, passage.citation, passage.url, passage.chunk_id, quote)
        self.items.append(fn)
        return fn.id


def _proposed(hit: "Hit", ground: str) -> CollectedPassage:
    return CollectedPassage.from_hit(hit, ground, note="proposed by the drafting assistant")


def _matter_fmt(matter: Matter) -> dict[str, str]:
    return {"client": matter.name or "the requested person", "state": matter.requesting_state or "the requesting state"}


def _facts_sentence(matter: Matter) -> str:
    parts = []
    if matter.requesting_state:
        parts.append(f"{matter.requesting_state} seeks the extradition of {matter.name}")
        if matter.offence:
            parts[-1] += f" for {matter.offence}"
    elif matter.offence:
        parts.append(f"{matter.name} is accused of {matter.offence}")
    text = (parts[0] + ".") if parts else ""
    if matter.risk_factors.strip():
        text += f" {matter.risk_factors.strip().rstrip('.')}."
    return text.strip()


def draft_argument(kb: "KnowledgeBase", matter: Matter, per_ground: int = 3, grounds: list[str] | None = None,
                   use_llm: bool | None = None) -> Draft:
    """Assemble the draft: per ground a topic sentence, quoted propositions with footnotes, then the application.

    Grounds with collected passages use those; the others use the assistant's proposals. `grounds` limits the
    draft to some grounds; `use_llm=None` uses a language model only when one is configured.
    """
    fmt = _matter_fmt(matter)
    chosen = grounds or matter_grounds(matter)
    for g in chosen:
        if g not in matter_grounds(matter):
            matter.check_ground(g)
    uncollected = [g for g in chosen if not matter.passages_for(g)]
    proposals = propose_authorities(kb, matter, per_ground) if uncollected else {}
    draft = Draft(title=f"Submissions against extradition: {matter.name}"
                  + (f" ({matter.requesting_state})" if matter.requesting_state else ""))
    notes = _Footnotes()
    facts = _facts_sentence(matter)
    if facts:
        draft.sections.append(DraftSection("facts", "The request", [DraftParagraph(facts, [], "facts")]))
    for ground in chosen:
        passages = matter.passages_for(ground) or [_proposed(h, ground) for h in proposals.get(ground, [])]
        if not passages:
            continue
        if ground in uncollected:
            passages = passages[:MAX_PROPOSITIONS]
            draft.warnings.append(f"{matter.ground_label(ground)}: no passages collected; the authorities cited are "
                                  "the assistant's proposals, read them before relying on them")
        query = " ".join([*PRINCIPLE_QUERIES.get(ground, ()), GROUND_TERMS.get(ground, matter.ground_label(ground))])
        label = matter.ground_label(ground)
        topic = TOPIC_SENTENCES.get(ground, CUSTOM_TOPIC).format(label=label, **fmt)
        section = DraftSection(ground, label, [DraftParagraph(topic, [], "submission")])
        cited: list[int] = []
        for passage in passages:
            draft.evidence.setdefault(passage.chunk_id, passage)
            quote = best_quote(passage.text, f"{query} {matter.facts()}")
            if not quote:
                continue
            fid = notes.add(passage, quote)
            cited.append(fid)
            text = f"{_attribution(passage)}: “{_as_quotation(quote)}”"
            if passage.note and passage.note != "proposed by the drafting assistant":
                text += f" ({passage.note})"
            section.paragraphs.append(DraftParagraph(text, [fid], "proposition"))
        if not cited:
            continue
        if facts:
            section.paragraphs.append(DraftParagraph(APPLICATION.format(facts=facts), cited[:3], "application"))
        draft.sections.append(section)
    draft.footnotes = notes.items
    if use_llm is None:
        use_llm = bool(kb.settings.llm_url and kb.settings.llm_model)
    if use_llm:
        write_prose(kb.settings, draft, matter)
    draft.warnings += draft.check()
    return draft


# Optional language model ------------------------------------------------------------------------------------------

_MARKER = re.compile(r"\[\^?(\d{1,3})\]")
_CASE_PIN = re.compile(
    r"(?P<name>(?:[A-Z][\w’'.()-]*\s+){0,4}[A-Z][\w’'.()-]*\s+v\.\s+(?:the\s+)?[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3})"
    r"[^§\n]{0,80}?§§?\s*(?P<para>\d+)")
_PARA_WORD = re.compile(r"\b(?:para(?:graph)?s?\.?)\s+(?P<para>\d+)", re.I)


def _applicant(name: str) -> str:
    """The first distinctive word of a case name (`Saadi` from `In Saadi v. Italy`), lower-cased."""
    words = [w.strip("(),.’'").lower() for w in name.split(" v.")[0].split()]
    words = [w for w in words if w and w not in {"in", "case", "of", "see", "also", "and", "the", "cf"}]
    return words[-1] if words else ""


@component
class CitationChecker:
    """Checks a model's prose against the footnoted passages it was given; anything else it cites is flagged.

    A `[n]` marker must name a footnote it was given; a case citation with a pinpoint (`Saadi v. Italy, § 125`) must
    name a case and paragraph among those footnotes' passages.
    """

    @component.output_types(text=str, footnote_ids=list[int], problems=list[str])
    def run(self, replies: list[ChatMessage], footnotes: list[Footnote], evidence: dict[str, CollectedPassage]) -> dict:
        text = "\n\n".join(m.text or "" for m in replies).strip()
        return check_citations(text, footnotes, evidence)


def check_citations(text: str, footnotes: list[Footnote], evidence: dict[str, CollectedPassage]) -> dict:
    """`{"text": text without markers, "footnote_ids": markers used, "problems": citations not in the evidence}`."""
    known = {fn.id: fn for fn in footnotes}
    problems: list[str] = []
    used: list[int] = []
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in known:
            problems.append(f"the text cites [{n}], which is not one of the retrieved passages")
        elif n not in used:
            used.append(n)
    pins: set[tuple[str, str]] = set()
    for fn in footnotes:
        passage = evidence.get(fn.chunk_id)
        name = _applicant(fn.citation)
        pins.add((name, str(passage.paragraph if passage else "")))
        for para in re.findall(r"§§?\s*(\d+)", fn.citation):
            pins.add((name, para))
    for m in _CASE_PIN.finditer(text):
        name, para = _applicant(m.group("name")), m.group("para")
        if (name, para) not in pins:
            problems.append(f"“{' '.join(m.group(0).split())}” is not among the retrieved passages")
    clean = " ".join(_MARKER.sub("", text).split(" "))
    return {"text": clean.strip(), "footnote_ids": used, "problems": problems}


def write_prose(settings: "Settings", draft: Draft, matter: Matter) -> None:
    """Rewrite each argument section as prose through the configured model; failures become warnings."""
    from haystack import Pipeline
    from haystack.components.generators.chat import OpenAIChatGenerator
    from haystack.dataclasses import ChatMessage
    from haystack.utils import Secret

    generator = OpenAIChatGenerator(api_key=Secret.from_token(settings.llm_api_key or "not-needed"),
                                    model=str(settings.llm_model), api_base_url=settings.llm_url,
                                    generation_kwargs={"temperature": 0.1}, timeout=120, max_retries=1)
    pipeline = Pipeline()
    pipeline.add_component("generator", generator)
    pipeline.add_component("checker", CitationChecker())
    pipeline.connect("generator.replies", "checker.replies")
    for section in draft.sections:
        ids = sorted({i for p in section.paragraphs if p.kind == "proposition" for i in p.footnote_ids})
        if not ids:
            continue
        given = [fn for fn in draft.footnotes if fn.id in ids]
        sources = "\n".join(f"[{fn.id}] {fn.citation}: {draft.evidence[fn.chunk_id].text}" for fn in given)
        prompt = (f"Write the argument for the ground '{section.heading}' in a submission against extradition.\n"
                  f"Facts: {_facts_sentence(matter)}\n"
                  f"Use ONLY these passages. Put the passage number in square brackets, e.g. [{given[0].id}], after "
                  f"every sentence that relies on one. Do not cite anything else.\n\n{sources}")
        try:
            result = pipeline.run({"generator": {"messages": [ChatMessage.from_user(prompt)]},
                                   "checker": {"footnotes": given, "evidence": draft.evidence}})
        except Exception as exc:  # the endpoint is outside our control; the extractive draft stands
            draft.warnings.append(f"{section.heading}: the language model at {settings.llm_url} failed ({exc}); "
                                  "the extractive draft is kept")
            continue
        checked = result["checker"]
        draft.warnings += [f"{section.heading}: {p}" for p in checked["problems"]]
        if not checked["text"]:
            continue
        keep = [p for p in section.paragraphs if p.kind in ("submission", "application")]
        section.paragraphs = keep[:1] + [DraftParagraph(checked["text"], checked["footnote_ids"], "prose")] + keep[1:]
    used = {i for s in draft.sections for p in s.paragraphs for i in p.footnote_ids}
    draft.footnotes = [fn for fn in draft.footnotes if fn.id in used]

