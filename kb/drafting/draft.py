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
from typing import TYPE_CHECKING, Protocol

from haystack import component
from haystack.dataclasses import ChatMessage

from ingest.loaders.echr import paragraph_role, speaker
from kb.citations.style import GAP
from kb.drafting.matters import CollectedPassage, Matter
from kb.store.base import SearchFilters
from legal.text import http_url, markdown_text

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
    "article3": "torture ill-treatment inhuman degrading treatment real risk substantial grounds extradition "
                "酷刑 刑讯逼供 留置",
    "article6": "flagrant denial justice fair trial evidence torture confession lawyer 辩护 律师 供述 刑讯逼供 "
                "指定居所监视居住",
    "article5": "arbitrary detention flagrant breach liberty 留置 羁押 指定居所监视居住",
    "assurances": "assurances diplomatic reliability monitoring practical",
    "death_penalty": "death penalty row life sentence release review 死刑 无期徒刑",
    "detention_conditions": "conditions detention prison overcrowding 看守所",
    "political_persecution": "persecution political opinion ethnic religion 恐怖主义 政治 意识形态 民族 宗教",
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
    "assurances": "The assurances offered by {state} do not, in their practical application, provide a "
                  "sufficient guarantee that {client} will be protected against the risk of ill-treatment.",
    "death_penalty": "{client} would face the death penalty or an irreducible life sentence in {state}.",
    "detention_conditions": "The conditions in which {client} would be detained in {state} are incompatible with "
                            "Article 3.",
    "political_persecution": "The request is made for the purpose of punishing {client} on account of "
                             "{client_pos} political opinions, religion or ethnic origin, or {client} would be "
                             "prejudiced at trial or punished for them.",
}
CUSTOM_TOPIC = "{label}: the authorities below bear on the extradition of {client} to {state}."
MAX_PROPOSITIONS = 4
PROPOSED_NOTE = "proposed by the drafting assistant"
GAP_REMARK = "In the quotation, “[…]” marks a word missing in the source text."

_ABBREVIATIONS = ("v", "no", "nos", "para", "paras", "p", "pp", "cf", "e.g", "i.e", "art", "mr", "ms", "mrs", "dr",
                  "vol", "etc", "seq", "ibid", "op", "cit", "st", "ltd", "co", "inc", "u.s", "u.k", "n", "§")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])(?:[\"”’)]*|[\"”’]?\d{1,3})\s+(?=[\"“‘(]?[A-Z0-9§\u4e00-\u9fff])"
                           r"|(?<=[。！？])")
_TRAILING_HEADING = re.compile(r"(?<=[.!?”)])\s+\((?:[a-z]|[ivx]+)\)\s+[A-Z][^.;:]*$")
"""A heading a conversion glued to the end of a paragraph (`… ECHR 2009). (b) Application to the facts`)."""
_NOTE_CALL = re.compile(r"(?<=[.!?”’])\d{1,3}$")
"""A footnote call a PDF extraction glued to the end of a sentence (`remain valid.181`): not part of the quote."""
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,4}\.\s+|第[一二三四五六七八九十百千零]+条(?:之[一二三四五六七八九十]+)?\s*)")
_WORD = re.compile(r"[a-z]{3,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
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
    remark: str = ""
    """Said in the footnote after the citation, e.g. that a "[…]" in the quotation marks a word the source lost."""


@dataclass
class DraftParagraph:
    """A paragraph of the draft. `kind` tells the checker what it must carry.

    `proposition`: the Court's statement of the test, quoted from the passage its footnote cites; `evidence`: the
    requesting state's law or practice, or the lawyer's own evidence, quoted likewise; `rebuttal`: an authority the
    other side will rely on, quoted likewise (only under the rebuttal heading); `criterion`: one assurance factor with
    the evidence for it or a placeholder; `criteria`: the lead-in to the factors; `submission`, `conclusion`: the
    advocate's own words; `facts`: the client's instructions; `placeholder`: a visible gap to fill; `subheading`: a
    step of the argument; `prose`: written by a language model (checked by `CitationChecker`, footnote required).
    `italic` lists the case names in `text` that the exports set in italics.
    """

    text: str
    footnote_ids: list[int] = field(default_factory=list)
    kind: str = "proposition"
    italic: list[str] = field(default_factory=list)

    NEEDS_FOOTNOTE = ("proposition", "evidence", "rebuttal", "prose")


QUOTING = (*DraftParagraph.NEEDS_FOOTNOTE, "criterion")
"""The paragraph kinds whose “quotations” must be in the passages their footnotes cite."""


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
                if para.kind not in QUOTING:
                    continue  # the lawyer's own words (facts, submissions) may hold quotation marks of their own
                for quoted in re.findall(r"“([^”]{12,})”", para.text):
                    if _norm(quoted.rstrip(" .…")) not in _norm(sources):
                        problems.append(f"{where}: the quotation “{quoted[:50]}…” is not in the passages it cites")
        unused = [f.id for f in self.footnotes if f.id not in referenced]
        if unused:
            problems.append(f"footnote(s) {unused} are never referenced in the text")
        return problems

    def markdown(self, appendix: str = "", footnote_text: dict[int, str] | None = None) -> str:
        """The brief as Markdown with `[^n]` footnotes (Pandoc, GitHub and Obsidian render them); the warnings are
        not part of it (they are for the lawyer, in `Draft.warnings`).

        `appendix` (e.g. the table of authorities) goes after the text and before the footnote definitions;
        `footnote_text` replaces a footnote's full citation (the export's "cited above" form for repeats).
        """
        out = [f"# {md_text(self.title)}", ""]
        for section in self.sections:
            out += [f"## {md_text(section.heading)}", ""]
            for para in section.paragraphs:
                if para.kind == "subheading":
                    out += [f"### {md_text(para.text)}", ""]
                    continue
                marks = "".join(f"[^{i}]" for i in para.footnote_ids)
                out += [f"{md_italic(para.text, para.italic)}{marks}", ""]
        if appendix:
            out += [appendix.rstrip(), ""]
        for fn in self.footnotes:
            link = f" <{url}>" if (url := http_url(fn.url)) else ""
            text = (footnote_text or {}).get(fn.id) or f"{md_text(fn.citation)}."
            remark = f" {md_text(fn.remark)}" if fn.remark else ""
            out.append(f"[^{fn.id}]: {text}{link}{remark}")
        return "\n".join(out).rstrip() + "\n"


md_text = markdown_text
"""Passage or client text made inert in Markdown (`legal.text`): one line, no footnote mark, image, link or tag."""


def italic_spans(text: str, names: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_case_name) runs, so that each export sets the case names in italics its own way."""
    names = sorted({n for n in names if n and n in text}, key=len, reverse=True)
    if not names:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(n) for n in names))
    runs: list[tuple[str, bool]] = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            runs.append((text[last:m.start()], False))
        runs.append((m.group(0), True))
        last = m.end()
    if last < len(text):
        runs.append((text[last:], False))
    return runs


def md_italic(text: str, names: list[str]) -> str:
    """Markdown for `text` with the case names in `*italics*`."""
    out = []
    for piece, italic in italic_spans(" ".join((text or "").split()), names):
        inert = md_text(piece)
        if italic:
            inert = f"*{inert}*"
        out.append((" " if piece[:1] == " " else "") + inert + (" " if piece[-1:] == " " and piece.strip() else ""))
    return "".join(out)


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


class Speaking(Protocol):
    """A passage whose speaker can be told: a search `Hit` or a `CollectedPassage`."""

    role: str | None
    source_kind: str | None
    section: str | None
    heading: str | None
    text: str


def voice(passage: Speaking) -> str:
    """`court` for the Court's own reasoning, `party` for what a party or intervener argued, else `other`
    (`ingest.loaders.echr.speaker`). A brief may quote a government's submission, but never as if the Court had said it.

    The stored `role` decides; an ECtHR passage stored or collected before roles were kept gets the role the loader
    would give it now (`paragraph_role`), so there is one classifier of who is speaking, not two."""
    role = passage.role
    if role is None and passage.source_kind == "echr":
        role = paragraph_role(getattr(passage, "doc_type", None) or "JUDGMENT", passage.section, passage.heading,
                              passage.text)
    return speaker(role)


VOICE_WEIGHT = {"court": 1.25, "party": 0.5, "other": 1.0}
"""Factor on a passage's fused score by whose voice it is (`voice`)."""


MAX_PER_DOCUMENT = 2
"""Passages one document may give a ground's proposals: the second only once every document found has given one."""


def _rrf(rankings: list[list[str]], weights: list[float]) -> dict[str, float]:
    """Weighted reciprocal-rank fusion of id rankings (Haystack's `DocumentJoiner`)."""
    from haystack import Document
    from haystack.components.joiners import DocumentJoiner

    joiner = DocumentJoiner(join_mode="reciprocal_rank_fusion", weights=weights, sort_by_score=False)
    fused = joiner.run(documents=[[Document(id=i) for i in ids] for ids in rankings])
    return {doc.id: doc.score or 0.0 for doc in fused["documents"]}


def _fuse(results: Iterable[tuple[list["Hit"], float]]) -> list["Hit"]:
    """The queries' rankings fused by document, each document then giving its best passages.

    Each query's leading case (its first document in which someone other than a party speaks) comes first, then the
    other documents by fused rank; each gives its best passage before any gives a second (`MAX_PER_DOCUMENT`).
    Reciprocal-rank fusion (k = 61) rewards being found by every query far more than being found first: fused by
    passage, Saadi's §§ 147-148 (ranks 6 and 8, 1 and 9) outscored Othman's §§ 187 and 192 (ranks 2 and 1, one query
    each) and the assurances proposals lost the leading case on assurances; fused by document, Soering, the first two
    passages of the main Article 3 query and found by no other, came seventh of seven cases.

    The Court's own reasoning is favoured and the parties' submissions are pushed down (`VOICE_WEIGHT`): a brief is
    built on what the Court held.
    """
    results = [(ranked, weight) for ranked, weight in results if ranked]
    if not results:
        return []
    hits = {hit.chunk_id: hit for ranked, _ in results for hit in ranked}
    weights = [weight for _, weight in results]
    passage_score = {chunk_id: score * VOICE_WEIGHT[voice(hits[chunk_id])]
                     for chunk_id, score in _rrf([[h.chunk_id for h in ranked] for ranked, _ in results],
                                                 weights).items()}
    document_score = _rrf([list(dict.fromkeys(h.doc_id for h in ranked)) for ranked, _ in results], weights)
    by_document: dict[str, list[str]] = {}
    for chunk_id in sorted(passage_score, key=passage_score.__getitem__, reverse=True):
        by_document.setdefault(hits[chunk_id].doc_id, []).append(chunk_id)
    leaders = {next((h.doc_id for h in ranked if voice(h) != "party"), None) for ranked, _ in results}
    documents = sorted(by_document, reverse=True, key=lambda d: (
        d in leaders, document_score[d] * VOICE_WEIGHT[voice(hits[by_document[d][0]])]))
    return [replace(hits[chunk_id], score=round(passage_score[chunk_id], 6))
            for turn in range(MAX_PER_DOCUMENT) for d in documents
            for chunk_id in by_document[d][turn:turn + 1]]


def propose_authorities(kb: "KnowledgeBase", matter: Matter, per_ground: int = 5,
                        grounds: list[str] | None = None) -> dict[str, list["Hit"]]:
    """The strongest passages for each chosen ground (or `grounds`), principles first; evidence about the
    requesting state fills the rest. Passages already collected under a ground are not proposed for it again.
    """
    proposals: dict[str, list[Hit]] = {}
    for ground in grounds if grounds is not None else list(matter.grounds()):
        collected = {p.chunk_id for p in matter.passages_for(ground)}
        by_role: dict[str, list[tuple[list[Hit], float]]] = {"principle": [], "evidence": []}
        for query, filters, weight, role in ground_queries(matter, ground):
            by_role[role].append((kb.search(query, filters, limit=per_ground * 2), weight))
        principles = [h for h in _fuse(by_role["principle"]) if h.chunk_id not in collected]
        evidence = [h for h in _fuse(by_role["evidence"]) if h.chunk_id not in collected]
        n_evidence = min(len(evidence), per_ground // 2) if evidence else 0
        # A statute article can answer a principle search too (an English question naming China finds it): one
        # passage is proposed once.
        chosen = principles[:per_ground - n_evidence]
        seen = {h.chunk_id for h in chosen}
        for pool, wanted in ((evidence, len(chosen) + n_evidence), (principles + evidence, per_ground)):
            for hit in pool:
                if len(chosen) >= wanted:
                    break
                if hit.chunk_id not in seen:
                    seen.add(hit.chunk_id)
                    chosen.append(hit)
        proposals[ground] = chosen
    return proposals


# Quotations ---------------------------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"“": "'", "”": "'", "‘": "'", "’": "'", '"': "'", "‑": "-"})


def _norm(text: str) -> str:
    """Text for comparing a quotation with its source: whitespace, quote marks and hyphen variants ignored."""
    return " ".join(text.translate(_QUOTES).split()).lower()


def _as_quotation(text: str) -> str:
    """A quotation on one line, its inner double quotes made single so that the outer pair is unambiguous."""
    return " ".join(text.split()).replace("“", "‘").replace("”", "’")


def split_sentences(text: str) -> list[str]:
    """Sentences of a legal paragraph, not broken after `v.`, `no.`, `§`, `para.` or initials, nor at a semicolon
    (a semicolon ends a clause or a citation in a list of authorities, never a proposition)."""
    text = _TRAILING_HEADING.sub("", _LEADING_NUMBER.sub("", text.strip()))
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
    return [_NOTE_CALL.sub("", s) for s in sentences]


def _open_brackets(text: str) -> bool:
    return text.count("(") > text.count(")") or text.count("“") > text.count("”")


def quote_units(text: str) -> list[str]:
    """The passage cut into units a brief may quote: whole sentences, a sentence whose parenthesis or quotation is
    still open joined to the next, and a question joined to its answer; without a trailing footnote mark."""
    sentences = split_sentences(text)
    units: list[str] = []
    i = 0
    while i < len(sentences):
        unit = sentences[i]
        i += 1
        while i < len(sentences) and (_open_brackets(unit) or unit.endswith("?")):
            unit = f"{unit} {sentences[i]}"
            i += 1
        units.append(unit.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹"))  # a report's footnote mark is not part of what the brief quotes
    return units


_HOLDING = re.compile(
    r"\b(?:the Court (?:reiterates|recalls|considers|finds|holds|concludes|accepts|agrees|observes that|"
    r"is (?:therefore )?(?:of the opinion|satisfied|persuaded))|it follows|in sum|accordingly|for (?:all )?"
    r"(?:the|these) (?:foregoing )?reasons|there is an obligation|(?:must|cannot|may not) (?:\w+ )?"
    r"(?:give rise|engage|be|examine|assess|consider)|implies an obligation|is (?:absolute|necessary)|"
    r"it is (?:well[- ]established|the Court’s settled|in principle)|settled case-law|prohibits in absolute terms|"
    r"amount to a flagrant|will arise|there is no (?:prohibition|rule|question)|has never (?:laid down|found))\b",
    re.I)
_NOT_HOLDING = re.compile(
    r"^(?:\(?see\b|\(?compare\b|\(?cf\.|\(?for example\b|"
    r"the (?:applicant|government)s? (?:submitted|argued|contended|maintained))|\?$|:$", re.I)
_TURN = re.compile(r"(?:However|Nevertheless|Nonetheless|Accordingly|Thus|Therefore|It follows|In sum|Consequently)\b")
"""The words with which the Court turns from the background to the rule."""
_NARRATIVE = re.compile(
    r"^what is at issue\b|\bon \d{1,2} [A-Z][a-z]+ \d{4}\b|\b(?:examined|considered|dealt with) (?:below|above)\b|"
    r"^(?:\w+, )?in (?:the )?[A-Z][\w.]+(?: and [A-Z]\w+)?(?: v\.| judgments?| case)|relied on by the parties|"
    r"\bin the present case\b|\bthe applicant has (?:advanced|argued|submitted)|\b(?:he|she|the applicant) "
    r"(?:submits|argues|contends)\b|\bhas also argued\b", re.I)
"""Sentences that tell the facts, the procedure or an earlier case's facts, not the rule."""
_CITATION_MARK = re.compile(r"§|\bno\. ?\d|\bnos\. ?\d|Series A|ECHR \d{4}|Reports \d{4}|cited above")
_ENUMERATION = re.compile(r"(?:^|\s)\((?P<n>i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv|a|b|c|d|e|f|g)\)\s")


def _holding_score(unit: str, wanted: set[str]) -> float:
    """How likely `unit` is the sentence that states the proposition: the query's terms it shares (citations and
    parentheses not counted), a statement of the rule, and no lead-in, question or list of authorities."""
    prose = re.sub(r"\([^()]*\)", " ", unit)
    terms = _terms(prose)
    score = len(terms & wanted) / math.sqrt(len(terms) + 1)
    if _HOLDING.search(prose):
        score += 0.35
    if _TURN.match(unit):
        score += 0.15
    if _NOT_HOLDING.search(unit.strip()):
        score -= 0.6
    if _NARRATIVE.search(unit.strip()):
        score -= 0.6
    score -= 0.04 * len(_CITATION_MARK.findall(prose))
    return score


def enumeration(text: str) -> list[str]:
    """The item labels of an enumerated test in `text`, in order (`["i", "ii", …]`), or [] when there is none."""
    labels = [m["n"] for m in _ENUMERATION.finditer(text)]
    return labels if len(labels) >= 2 and labels[0] in ("i", "a") else []


def holding_quote(text: str, query: str) -> str:
    """The whole sentence of `text` that states what `query` asks for, verbatim; never cut inside a parenthesis,
    a citation or a question, and never a lead-in to a list (a list is cited by its items instead)."""
    units = [u for u in quote_units(text) if not enumeration(u) or len(u.split()) <= 120]
    if not units:
        return ""
    wanted = _terms(query)
    first = units[0]

    def rank(unit: str) -> tuple[float, int]:
        # a statute article states its rule first; what follows are conditions and exceptions
        bonus = 0.2 if unit is first and _CJK_RUN.match(unit) else 0.0
        return _holding_score(unit, wanted) + bonus, -units.index(unit)

    return max(units, key=rank)


def quote_is_whole(quote: str, text: str) -> bool:
    """True when `quote` is one or more whole sentences of `text` with every parenthesis closed."""
    return (not _open_brackets(quote) and bool(re.search(r"[.!?。)”’\]]$", quote.strip()))
            and any(_norm(quote).startswith(_norm(u)[:40]) for u in quote_units(text)))


def _terms(text: str) -> set[str]:
    """Word stems (first seven letters) of English text and character pairs of Chinese, stop words left out."""
    lowered = text.lower()
    terms = {w[:7] for w in _WORD.findall(lowered) if w not in _STOP}
    for run in _CJK_RUN.findall(lowered):
        terms.update(run[i:i + 2] for i in range(max(1, len(run) - 1)))
    return terms


_PIN = re.compile(r"(?:, )(?P<pin>§§? ?[\d–-]+|(?:para|fn)\. \d+(?: \(p\. \d+\))?|p\. \d+(?:, para\. \d+)?|\[\d+\]|"
                  r"第[^,，]+条|art\. [\d-]+ \([^)]*\))(?=,|$)")
"""The pinpoint at the end of a citation (`kb.citations.style`): `§ 125`, `para. 131 (p. 40)`, `fn. 155 (p. 21)`,
`[45]`, a PRC article in English with the Chinese beside (`art. 22 (中华人民共和国监察法 第二十二条)`)."""


def pin_of(citation: str) -> tuple[str, str]:
    """`(citation without its pinpoint, pinpoint)`, e.g. `Saadi v. Italy [GC], no. 37201/06, 28 February 2008` and
    `§ 125`."""
    matches = list(_PIN.finditer(citation))
    if not matches:
        return citation, ""
    m = matches[-1]
    return citation[:m.start()] + citation[m.end():], m["pin"]


def case_name(passage: CollectedPassage) -> str:
    """The document's name as a brief prints it: `Saadi v. Italy [GC]`, `中华人民共和国监察法 (2018-03-20)`."""
    name = pin_of(passage.citation)[0]
    if " v. " in name:
        name = name.split(", no")[0]
    name = name.strip()
    name = re.sub(r"^CASE OF\s+", "", name, flags=re.I)
    if name.isupper():
        name = name.title().replace(" V. ", " v. ")
    return name


def is_case(passage: CollectedPassage) -> bool:
    return " v. " in case_name(passage) or passage.source_kind == "national"


def italic_name(passage: CollectedPassage) -> str:
    """The part of the name set in italics: the parties, without `[GC]` or `(dec.)`."""
    return re.sub(r"\s*(\[GC\]|\(dec\.\))", "", case_name(passage)).strip()


def category(passage: CollectedPassage) -> str:
    """The table-of-authorities group a passage belongs to (`CATEGORIES`)."""
    kind = passage.source_kind or _kind_from_ids(passage)
    if kind == "echr":
        return "gc" if passage.grand_chamber or "[GC]" in passage.citation else "echr"
    return {"un": "un", "national": "national", "prc-law": "statute", "upload": "own"}.get(kind, "report")


def _kind_from_ids(passage: CollectedPassage) -> str:
    """The source kind of a passage filed before matters kept it, from its document id and citation."""
    if re.match(r"^(HEJUD|CLIN|HECOM|001)-", passage.doc_id):
        return "echr"
    if " v. " in passage.citation and re.search(r"\[\d{4}\] (EWHC|EWCA|UKSC|UKHL)", passage.citation):
        return "national"
    if re.search(r"[\u4e00-\u9fff]", passage.citation):
        return "prc-law"
    return "report"


CATEGORIES: dict[str, str] = {
    "gc": "European Court of Human Rights: Grand Chamber",
    "echr": "European Court of Human Rights",
    "un": "United Nations",
    "national": "National courts",
    "statute": "Statutes",
    "report": "Reports",
    "own": "Evidence filed for the requested person",
}
"""Table-of-authorities groups, in the order a court bundle lists them."""


def _lead_in(passage: CollectedPassage, client: str, state: str) -> str:
    """Who says the quoted words: the Court, a party before it, a statute, a report or the lawyer's own evidence."""
    name = case_name(passage)
    kind = category(passage)
    if kind in ("gc", "echr"):
        who = voice(passage)
        return {"court": f"In {name}, the Court held", "party": f"In {name}, the Court recorded the submission that"
                }.get(who, f"In {name}, the Court stated")
    if kind == "national":
        return f"In {name}, the court held"
    if kind == "statute":
        pin = pin_of(passage.citation)[1]
        return f"{name}, {pin}, provides" if pin else f"{name} provides"
    if kind == "own":
        return f"The evidence filed for {client} ({name}) states"
    if kind == "un":
        return f"{name} states"
    return f"{name} records"


class _Footnotes:
    def __init__(self) -> None:
        self.items: list[Footnote] = []

    def add(self, passage: CollectedPassage, quote: str) -> int:
        for fn in self.items:
            if fn.chunk_id == passage.chunk_id and fn.quote == quote:
                return fn.id
        remark = GAP_REMARK if GAP in quote else ""
        fn = Footnote(len(self.items) + 1, passage.citation, passage.url, passage.chunk_id, quote, remark)
        self.items.append(fn)
        return fn.id


def _proposed(hit: "Hit", ground: str) -> CollectedPassage:
    return CollectedPassage.from_hit(hit, ground, note=PROPOSED_NOTE)


# The argument ---------------------------------------------------------------------------------------------------------

GROUND_CONCLUSIONS: dict[str, str] = {
    "article3": "extradition would expose {client} to a real risk of treatment contrary to Article 3 of the "
                "Convention, and it must be refused",
    "article6": "{client} would run a real risk of a flagrant denial of justice in {state}, contrary to Article 6, "
                "and extradition must be refused",
    "article5": "{client} would run a real risk of a flagrant breach of Article 5 in {state}, and extradition must "
                "be refused",
    "death_penalty": "extradition without an effective guarantee against the penalty {client} faces would breach "
                     "Articles 2 and 3 of the Convention",
    "detention_conditions": "the conditions in which {client} would be held in {state} would breach Article 3",
    "political_persecution": "the request is made to punish {client} for {client_pos} opinions or origin, or "
                             "{client} would be prejudiced for them, and extradition must be refused",
    "assurances": "the assurances offered do not, in their practical application, provide a sufficient guarantee "
                  "that {client} will be protected against the risk of ill-treatment",
}
CUSTOM_CONCLUSION = "the ground “{label}” is made out and extradition of {client} to {state} should be refused"

GROUND_EVIDENCE_NEEDED: dict[str, str] = {
    "article3": "country evidence of how persons in {client_pos} position are treated in {state} (reports, UN "
                "findings, expert evidence), cited to its source",
    "article6": "evidence of the trial {client} would face in {state}: access to a lawyer, independence of the "
                "court, use of confessions",
    "article5": "evidence of the detention regime {client} would be held under in {state} and its safeguards",
    "death_penalty": "the maximum penalty for {offence} under the law of {state}, with the provision",
    "detention_conditions": "evidence of the conditions in the place where {client} would be held",
    "political_persecution": "evidence that the prosecution targets {client} for {client_pos} opinions, religion or "
                             "ethnic origin",
    "assurances": "the assurances offered and evidence of their reliability",
}

ASSURANCE_CRITERIA: tuple[tuple[str, str, str], ...] = (
    ("i", "whether the terms of the assurances have been disclosed", ""),
    ("ii", "whether the assurances are specific or general and vague", ""),
    ("iii", "who has given the assurances and whether that person can bind the receiving State", ""),
    ("iv", "if the assurances have been issued by the central government, whether local authorities can be "
           "expected to abide by them", "local authorities central government supervision commission province"),
    ("v", "whether the assurances concern treatment which is legal or illegal in the receiving State",
     "law provides detention retention liuzhi lawful authorised approval measure"),
    ("vi", "whether they have been given by a Contracting State", ""),
    ("vii", "the length and strength of bilateral relations, including the receiving State's record in abiding by "
            "similar assurances", "bilateral relations record assurances abided breach returned"),
    ("viii", "whether compliance can be objectively verified through diplomatic or other monitoring mechanisms, "
             "including unfettered access to the applicant's lawyers",
     "monitoring access lawyer visit consular incommunicado independent verification observers"),
    ("ix", "whether there is an effective system of protection against torture, including cooperation with "
           "international monitoring and the investigation and punishment of torture",
     "torture ill-treatment impunity investigate complaints prosecuted monitoring cooperation"),
    ("x", "whether the applicant has previously been ill-treated in the receiving State", ""),
    ("xi", "whether the reliability of the assurances has been examined by the domestic courts of the sending "
           "State", "assurances reliability court examined"),
)
"""The factors of Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, § 189 (i)–(xi), in short form, each
with the words that mark evidence bearing on it (empty: the matter's own facts answer it, or nothing does)."""
OTHMAN = "HEJUD-8139-09"
OTHMAN_NAME = "Othman (Abu Qatada) v. the United Kingdom"
CONTRACTING_STATES_NOT = ("china", "prc", "people's republic", "hong kong", "united states", "india", "uzbekistan",
                          "jordan", "tunisia", "algeria", "belarus", "kazakhstan", "tajikistan", "turkmenistan")
"""Requesting states often seen in extradition cases that are not parties to the Convention."""
_CRITERION_TAG = re.compile(r"\((?P<n>i|ii|iii|iv|v|vi|vii|viii|ix|x|xi)\)|criterion (?P<m>[ivx]+)\b", re.I)
_PREVIOUS_ILL_TREATMENT = re.compile(r"previously|before|in the past|was (?:detained|tortured|ill-treated|held)|"
                                     r"has been (?:detained|tortured|ill-treated|held)", re.I)


def _fmt(matter: Matter) -> dict[str, str]:
    client = matter.client_name()
    return {"client": client, "client_pos": "their" if client == "the requested person" else f"{client}’s",
            "state": matter.requesting_state or "the requesting state",
            "offence": matter.offence or "the offence alleged", "label": ""}


def _placeholder(kind: str, what: str) -> DraftParagraph:
    return DraftParagraph(f"[{kind}: {what}]", [], "placeholder")


def _quote_paragraph(passage: CollectedPassage, query: str, notes: _Footnotes, fmt: dict[str, str],
                     kind: str, lead: str | None = None) -> DraftParagraph | None:
    """A quotation of the sentence that carries `query`, attributed and footnoted; a listed test is cited by its
    items instead of being cut."""
    quote = holding_quote(passage.text, query)
    if not quote:
        return None
    fid = notes.add(passage, quote)
    text = f"{lead or _lead_in(passage, fmt['client'], fmt['state'])}: “{_as_quotation(quote)}”"
    items = enumeration(passage.text)
    if items and quote not in passage.text.split(f"({items[0]})")[-1]:
        pin = passage.paragraph or ""
        text += f" The factors are listed at § {pin} ({items[0]})–({items[-1]})." if pin else ""
    if passage.note and passage.note != PROPOSED_NOTE and kind != "rebuttal":
        text += f" ({passage.note.rstrip('.')}.)"
    italic = [italic_name(passage)] if is_case(passage) else []
    return DraftParagraph(text, [fid], kind, italic)


def _principle_order(passage: CollectedPassage) -> tuple:
    """Grand Chamber first, then the Court's other judgments, then anything else; older authority first."""
    return ({"gc": 0, "echr": 1, "national": 2}.get(category(passage), 3), passage.date or "9999")


def _is_principle(passage: CollectedPassage) -> bool:
    return category(passage) in ("gc", "echr", "national")


def _facts_paragraphs(matter: Matter, fmt: dict[str, str]) -> list[DraftParagraph]:
    """The request and the client's position, in the lawyer's words; a gap in the facts is shown, not filled."""
    paras = []
    if matter.requesting_state:
        request = f"{fmt['state']} requests the extradition of {fmt['client']}"
        request += f" for {matter.offence}." if matter.offence else "."
        paras.append(DraftParagraph(request, [], "facts"))
    else:
        paras.append(_placeholder("facts needed", "the requesting state and the offence for which extradition "
                                                  "is sought"))
    if matter.penalty.strip():
        paras.append(DraftParagraph(f"The maximum penalty for {fmt['offence']} in {fmt['state']} is "
                                    f"{matter.penalty.strip().rstrip('.')}.", [], "facts"))
    else:
        paras.append(_placeholder("evidence needed", f"the maximum penalty for {fmt['offence']} in {fmt['state']}"))
    if matter.risk_factors.strip():
        paras.append(DraftParagraph(f"{fmt['client']}’s instructions are: {matter.risk_factors.strip().rstrip('.')}.",
                                    [], "facts"))
    for a in matter.assurances:
        paras.append(DraftParagraph(_assurance_sentence(a, fmt), [], "facts"))
    return paras


def _assurance_sentence(a, fmt: dict[str, str]) -> str:
    who = _as_quotation(a.giver or fmt["state"])
    words = _as_quotation(a.text)
    return f"On {a.date}, {who} gave the assurance that ‘{words}’." if a.date \
        else f"{who} has offered the assurance that ‘{words}’."


def _ground_section(matter: Matter, ground: str, passages: list[CollectedPassage], notes: _Footnotes,
                    fmt: dict[str, str]) -> DraftSection:
    """One ground: the test, its application to the client's evidence, the other side's answer, the conclusion."""
    label = matter.ground_label(ground)
    f = {**fmt, "label": label}
    query = quote_query(ground, label)
    section = DraftSection(ground, label, [DraftParagraph(TOPIC_SENTENCES.get(ground, CUSTOM_TOPIC).format(**f), [],
                                                          "submission")])
    support = [p for p in passages if not p.adverse]
    adverse = [p for p in passages if p.adverse]
    add = section.paragraphs.append

    add(DraftParagraph("The test", kind="subheading"))
    principles = sorted((p for p in support if _is_principle(p)), key=_principle_order)
    for passage in principles:
        para = _quote_paragraph(passage, query, notes, f, "proposition")
        if para:
            add(para)
    if not principles:
        add(_placeholder("authority needed", f"the Court’s statement of the test for “{label}”"))

    add(DraftParagraph(f"Application to {fmt['client']}", kind="subheading"))
    if ground == "assurances":
        _assurance_criteria(matter, support, notes, f, section)
    else:
        _application(matter, ground, support, notes, f, section, query)

    add(DraftParagraph(f"The answer of {fmt['state']}, and the reply", kind="subheading"))
    for passage in sorted(adverse, key=_principle_order):
        para = _quote_paragraph(passage, query, notes, f, "rebuttal",
                                lead=f"{fmt['state']} may rely on {case_name(passage)}, where it is stated")
        if para is None:
            continue
        add(para)
        add(DraftParagraph(f"In reply: {passage.note.strip().rstrip('.')}.", [], "submission") if passage.note.strip()
            else _placeholder("reply needed", f"why {case_name(passage)} does not assist {fmt['state']}"))
    if not adverse:
        add(_placeholder("to be completed", f"the answer {fmt['state']} is expected to give on this ground, "
                                            "and the reply to it"))

    add(DraftParagraph("Conclusion", kind="subheading"))
    gaps = any(p.kind == "placeholder" for p in section.paragraphs)
    conclusion = GROUND_CONCLUSIONS.get(ground, CUSTOM_CONCLUSION).format(**f)
    lead = "Subject to the evidence marked above as needed, " if gaps else "For these reasons, "
    add(DraftParagraph(f"{lead}{conclusion}.", [], "conclusion"))
    return section


def quote_query(ground: str, label: str = "") -> str:
    """What a quotation under `ground` must carry: the ground's principle queries and its marker words."""
    return " ".join([*PRINCIPLE_QUERIES.get(ground, ()), GROUND_TERMS.get(ground, label or ground)])


def _application(matter: Matter, ground: str, support: list[CollectedPassage], notes: _Footnotes,
                 fmt: dict[str, str], section: DraftSection, query: str) -> None:
    """The requesting state's law and practice as the evidence shows it, each item cited; a gap is marked."""
    add = section.paragraphs.append
    if ground == "death_penalty":
        add(DraftParagraph(f"{fmt['client']} is sought for {fmt['offence']}, for which the maximum penalty is "
                           f"{matter.penalty.strip().rstrip('.')}.", [], "facts") if matter.penalty.strip()
            else _placeholder("evidence needed", f"the maximum penalty for {fmt['offence']} in {fmt['state']}"))
    facts_query = f"{query} {matter.facts()} {' '.join(PRC_EVIDENCE.get(ground, ()))}"
    evidence = [p for p in support if not _is_principle(p)]
    for passage in sorted(evidence, key=lambda p: list(CATEGORIES).index(category(p))):
        para = _quote_paragraph(passage, facts_query, notes, fmt, "evidence")
        if para:
            add(para)
    if not evidence:
        add(_placeholder("evidence needed", GROUND_EVIDENCE_NEEDED.get(ground, "evidence of the facts this ground "
                                                                               "rests on").format(**fmt)))


def _assurance_criteria(matter: Matter, support: list[CollectedPassage], notes: _Footnotes, fmt: dict[str, str],
                        section: DraftSection) -> None:
    """Each Othman factor in turn, with the evidence the matter holds for it or a visible placeholder."""
    add = section.paragraphs.append
    othman = next((p for p in support if p.doc_id == OTHMAN and p.paragraph == "189"), None)
    cite_ids = [notes.add(othman, "")] if othman else []
    add(DraftParagraph(f"The assurances are measured against the factors listed in {OTHMAN_NAME}, § 189 (i)–(xi), "
                       "in turn.", cite_ids, "criteria", [OTHMAN_NAME] if othman else []))
    if not othman:
        add(_placeholder("authority needed", f"{OTHMAN_NAME}, § 189, is not among the collected passages"))
    pool = [p for p in matter.passages if not p.adverse and not _is_principle(p)]
    state_lower = fmt["state"].lower()
    quoted_at: dict[str, str] = {}
    for n, factor, words in ASSURANCE_CRITERIA:
        head = f"({n}) {factor[0].upper()}{factor[1:]}."
        tagged = [p for p in pool if _criteria_tagged(p) and n in _criteria_tagged(p)]
        found = tagged or ([p for p in pool if not _criteria_tagged(p)
                            and len(_terms(words) & _terms(p.text)) >= 3] if words else [])
        facts = _criterion_facts(matter, n, fmt, state_lower)
        text = " ".join([head, *facts])
        ids: list[int] = []
        quotes: list[str] = []
        italic: list[str] = []
        for passage in found[:2]:
            if passage.chunk_id in quoted_at:  # one passage filed under two factors is quoted once
                ids.append(notes.add(passage, ""))
                quotes.append(f"{case_name(passage)}: see ({quoted_at[passage.chunk_id]}) above.")
                continue
            quote = holding_quote(passage.text, words or factor)
            if quote:
                quoted_at[passage.chunk_id] = n
                ids.append(notes.add(passage, quote))
                quotes.append(f"{_lead_in(passage, fmt['client'], fmt['state'])}: “{_as_quotation(quote)}”")
                if is_case(passage):
                    italic.append(italic_name(passage))
        if quotes:
            text += " " + " ".join(quotes)
        if not facts and not quotes:
            text += f" [evidence needed: {CRITERION_EVIDENCE_NEEDED[n].format(**fmt)}]"
        add(DraftParagraph(text, ids, "criterion", italic))


CRITERION_EVIDENCE_NEEDED: dict[str, str] = {
    "i": "the text of any assurance {state} has given about {client}",
    "ii": "the terms of the assurance, to show whether they are specific or general and vague",
    "iii": "who gave the assurance and whether that authority can bind {state}",
    "iv": "whether the authorities that would hold {client} answer to the authority that gave the assurance",
    "v": "whether the treatment feared is lawful in {state} (the statute that authorises it)",
    "vi": "whether {state} is a Contracting State to the Convention",
    "vii": "the record of {state} in honouring similar assurances",
    "viii": "whether any independent monitor, consular officer or lawyer would have access to {client}",
    "ix": "whether {state} investigates and punishes torture and cooperates with international monitors",
    "x": "whether {client} has been ill-treated in {state} before",
    "xi": "whether the courts of the requested state have examined the reliability of the assurances",
}


def _guessed_factors(draft: Draft) -> list[str]:
    """A warning for each Othman factor answered from a passage the lawyer did not file under it (matched by its
    words): the lawyer should confirm it, or tag the right passage's note, e.g. "(v)"."""
    guessed = []
    for section in draft.sections:
        for para in section.paragraphs:
            if para.kind != "criterion" or not para.footnote_ids:
                continue
            n = para.text[1:para.text.index(")")]
            passages = [draft.evidence.get(f.chunk_id) for i in para.footnote_ids if (f := draft.footnote(i))]
            if not any(p is not None and n in _criteria_tagged(p) for p in passages):
                guessed.append(f"({n})")
    if not guessed:
        return []
    return [f"Assurances: factor(s) {', '.join(guessed)} are answered from passages matched by their words, not filed "
            "under the factor; confirm them or tag the right passage's note, e.g. '(v)'"]


def _criteria_tagged(passage: CollectedPassage) -> set[str]:
    """The Othman factors the lawyer's note files a passage under, e.g. "(viii)" or "criterion ix"."""
    return {(m["n"] or m["m"]).lower() for m in _CRITERION_TAG.finditer(passage.note or "")}


FEARS: dict[str, tuple[str, ...]] = {
    "liuzhi": ("liuzhi", "留置"),
    "residential surveillance at a designated location": ("rsdl", "residential surveillance", "指定居所"),
    "a forced or televised confession": ("confession",),
    "detention in a VETC": ("vetc", "vocational"),
    "the death penalty": ("death",),
    "torture": ("torture", "beaten", "ill-treat"),
    "access to a lawyer": ("lawyer", "counsel"),
}
"""Treatment a requested person commonly fears, and the words that name it in instructions or in an assurance."""


def _unaddressed(matter: Matter) -> list[str]:
    """What the client's instructions say is feared that no assurance mentions: mechanical, so checkable."""
    feared = f"{matter.risk_factors} {matter.penalty}".lower()
    offered = " ".join(a.text for a in matter.assurances).lower()
    return [name for name, words in FEARS.items()
            if any(w in feared for w in words) and not any(w in offered for w in words)]


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _criterion_facts(matter: Matter, n: str, fmt: dict[str, str], state_lower: str) -> list[str]:
    """What the matter's own facts say on factor `n` (the assurance's text, giver, the client's history)."""
    assurances = matter.assurances
    if n == "i" and assurances:
        return [f"The terms are before the Court: ‘{_as_quotation(a.text)}’." for a in assurances]
    if n == "ii" and assurances:
        missing = _unaddressed(matter)
        if missing:
            return [f"The assurance does not mention {_either(missing)}, which {fmt['client']}’s instructions "
                    "say is feared."]
        return ["The assurance reads, in full, as set out under (i); [assessment needed: whether those words are "
                "specific to the treatment feared or general and vague]"]
    if n == "iii" and assurances:
        givers = [a.giver for a in assurances if a.giver]
        if givers:
            by = ", ".join(_as_quotation(g) for g in givers)
            return [f"The assurance was given by {by}; "
                    f"[evidence needed: whether that authority can bind {fmt['state']}]"]
    if n == "vi" and any(s in state_lower for s in CONTRACTING_STATES_NOT):
        return [f"{fmt['state']} is not a Contracting State to the Convention."]
    if n == "x" and _PREVIOUS_ILL_TREATMENT.search(matter.risk_factors):
        return [f"{fmt['client']}’s instructions are: ‘{_as_quotation(matter.risk_factors.strip().rstrip('.'))}’."]
    return []


def draft_argument(kb: "KnowledgeBase", matter: Matter, per_ground: int = 3, grounds: list[str] | None = None,
                   use_llm: bool | None = None) -> Draft:
    """Assemble the brief: the request, then for each chosen ground the test, its application to the client's
    evidence, the other side's answer and the reply, and the conclusion; every quotation footnoted.

    Grounds with collected passages use those; a chosen ground with none uses the assistant's proposals (and says
    so in `Draft.warnings`, which are never part of the brief). `grounds` limits the draft to some of the chosen
    grounds; `use_llm=None` uses a language model only when one is configured.
    """
    fmt = _fmt(matter)
    for g in grounds or []:
        matter.check_ground(g)
    chosen = grounds or list(matter.grounds())
    uncollected = [g for g in chosen if not matter.passages_for(g)]
    proposals = propose_authorities(kb, matter, per_ground, grounds=uncollected) if uncollected else {}
    draft = Draft(title=f"Submissions on behalf of {fmt['client']} against extradition to {fmt['state']}")
    notes = _Footnotes()
    draft.sections.append(DraftSection("facts", "The request", _facts_paragraphs(matter, fmt)))
    for ground in chosen:
        passages = matter.passages_for(ground) or [_proposed(h, ground) for h in proposals.get(ground, [])]
        if ground in uncollected:
            passages = passages[:MAX_PROPOSITIONS]
            if passages:
                draft.warnings.append(f"{matter.ground_label(ground)}: no passages collected; the authorities cited "
                                      "are the assistant's proposals, read them before relying on them")
        for passage in passages:
            draft.evidence.setdefault(passage.chunk_id, passage)
        draft.sections.append(_ground_section(matter, ground, passages, notes, fmt))
    for passage in matter.passages:  # the assurances section may cite evidence filed under another ground
        draft.evidence.setdefault(passage.chunk_id, passage)
    draft.footnotes = notes.items
    draft.warnings += _guessed_factors(draft)
    placeholders = sum(p.kind == "placeholder" or "[evidence needed" in p.text
                       for s in draft.sections for p in s.paragraphs)
    if placeholders:
        draft.warnings.append(f"{placeholders} paragraph(s) hold a placeholder ([evidence needed: …] and the like) "
                              "to complete before filing")
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
                  f"Facts: {' '.join(p.text for p in _facts_paragraphs(matter, _fmt(matter)))}\n"
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
        first = next(i for i, p in enumerate(section.paragraphs) if p.kind == "proposition")
        section.paragraphs = [p for i, p in enumerate(section.paragraphs) if i < first or p.kind != "proposition"]
        section.paragraphs.insert(first, DraftParagraph(checked["text"], checked["footnote_ids"], "prose"))
    used = {i for s in draft.sections for p in s.paragraphs for i in p.footnote_ids}
    draft.footnotes = [fn for fn in draft.footnotes if fn.id in used]

