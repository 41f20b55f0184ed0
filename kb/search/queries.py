"""The query read once: what kind of query a search got and what it names, decided at the head of the pipeline.

Why a module and a component of their own: whether the query is a lawyer's question or a pasted passage of judgment
text, which sources it names, whether it asks about China, which case it names, decide the work of six components of
one search (the named-source and Chinese retrievers, the leading-judgment retriever, the pool similarity, the ranker,
the spreader, the UN slot). Each used to read the query again for itself (11 calls of four predicates in one
search); now `QueryReader` reads it once into a `QueryReading` and hands it on as the `reading` socket, so no
component re-decides and none imports another to ask.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from haystack import component

from legal.citations import APPNO, Citation, applicant_tokens, scan_text, state_key
from legal.prc import PRC_LAWS

INTERROGATIVE = re.compile(r"^\s*(what|when|which|who|whom|how|why|can|could|does|do|is|are|was|were|should|must|"
                           r"may|might|will|would|has|have)\b", re.I)
MAX_QUESTION_WORDS = 80
MAX_UNMARKED_QUESTION_WORDS = 30
"""A lawyer's question: it asks (a question mark; or, without one, it opens with an interrogative and is one short
sentence) and is short. The Court's own paragraphs, which the dev cases' queries are, never read like that: an
opening interrogative alone took 8 of dev.jsonl's 3,761 passages for questions ("When assessing conditions of
detention, account has to be taken…"), this rule 1."""
MAX_KEYWORD_WORDS = 12
"""A query this short is a keyword search ("ICCPR arbitrary detention"); longer, only a question or a typed run of
keywords (`typed_keywords`) names a source."""
SENTENCE_MARK = re.compile(r"[.;:!?]")
MAX_TYPED_WORDS = 20
"""The longest run of typed keywords (`typed_keywords`): the issue's lawyer typed 8-14 words; the cut-short sentences
of the Court the tests paste without their full stop have 28 ("expulsion by a Contracting State may give rise to an
issue under Article 3 where substantial grounds have been shown …")."""


def typed_keywords(query: str) -> bool:
    """Words typed as a search, not pasted: at most `MAX_TYPED_WORDS` words that neither begin a sentence (a capital)
    nor end one (`SENTENCE_MARK`). "family not told and no lawyer while held by the supervision commission in China"
    (14 words) was read as a pasted passage, so it got the passage weights (no `meaning`, no `question_not_court`: a
    quoted report and a Government's claim in its first 10) and a campaign post came first. Of dev.jsonl's 3,761
    passages none of at most 30 words lacks a sentence mark (131 are that short)."""
    text = (query or "").strip()
    return (0 < len(text.split()) <= MAX_TYPED_WORDS and not text[0].isupper()
            and not SENTENCE_MARK.search(text))


SOURCE_CUES: dict[str, re.Pattern[str]] = {
    "un": re.compile(
        r"\b(ICCPR|ICESCR|CEDAW|CERD|UNCAT|covenant|treaty bod(?:y|ies)|general comments?|general recommendations?|"
        r"human rights committee|committee against torture|convention against torture|"
        r"committee on the rights of the child|convention on the rights of the child|migrant workers convention|"
        r"(?:UN|United Nations)\s+(?:\w+\s+){0,3}(?:convention|committee|covenant|standards?|rules))\b", re.I),
    "national": re.compile(
        r"\b(UK|United Kingdom|British|England|English courts?|Wales|Scotland|Extradition Act|Court of Appeal|"
        r"High Court|Supreme Court|House of Lords|Administrative Court|Upper Tribunal|First-tier Tribunal|"
        r"Home Secretary|Home Office|Secretary of State|Westminster Magistrates|EWHC|EWCA|UKSC|UKHL|UKUT)\b"),
    "report": re.compile(
        r"\b(OHCHR|UN human rights office|(?:UN\s+)?High Commissioner|Xinjiang|XUAR|Uyghurs?|Uighurs?|"
        r"(?:UN|OHCHR|NGO)\s+reports?|assessment of human rights concerns)\b", re.I),
}
"""Source kind (`source_kind` payload) → the names that ask for it (`kb.search.source_cues`). Case matters for the
UK's abbreviations ("UK", "EWCA"), not for the rest. The cues are the names lawyers use for the instruments and
bodies, not topic words: "torture" is no cue for the Committee against Torture, "Convention against Torture" is."""
_CHINESE_BODIES = (r"liuzhi|rsdl|residential surveillance|supervision commissions?|supervisory commissions?|"
                   r"procuratorates?|public security organs?|people'?s courts?|placement education")
"""The bodies and measures only Chinese law has: each a China cue (`CHINA_CUES`) and a cue of its law
(`CHINESE_LAW_CUES`)."""
CHINESE_LAW_CUES = re.compile(
    rf"\b({_CHINESE_BODIES}|"
    + "|".join(re.escape(name).replace(r"\-", "[- ]?") for law in PRC_LAWS for name in law.names) + r")\b", re.I)
"""The bodies, measures and statutes of Chinese law ("supervision commission", "RSDL", "the Hong Kong national security
law", "the Criminal Procedure Law": each statute's English names from `legal.prc`): in a question that names China
(`CHINA_CUES`; a statute's name alone does not, "criminal law" is any country's) they name its law as a source, as
"under the ICCPR" names the Human Rights Committee's treaty (`QueryReading.chinese_law`)."""
CHINA_CUES = re.compile(
    rf"\b(china|chinese|prc|people'?s republic|hong kong|hksar|beijing|xinjiang|uyghurs?|uighurs?|tibet\w*|mainland|"
    rf"{_CHINESE_BODIES})\b", re.I)
"""A question that names China, or a concept only Chinese law has, asks about Chinese documents: only then does the
translated query run and are its candidates fused in (`kb.search.crosslingual`). Without a cue an ECtHR question
(dev.jsonl: 96 words of Strasbourg reasoning, many glossary words) keeps its ranking and its latency. A search limited
to Chinese documents (`--language zh`, `--kind prc-law`) always uses them. All 12 dev questions with a PRC answer name
China or a Chinese institution."""
CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE_KINDS = ("prc-law", "campaign")
"""The source kinds of Chinese documents: what a China cue names."""


def is_question(query: str) -> bool:
    """Whether the query reads as a lawyer's question rather than a passage of judgment text."""
    query = (query or "").strip()
    words = len(query.split())
    if words > MAX_QUESTION_WORDS:
        return False
    return "?" in query or (words <= MAX_UNMARKED_QUESTION_WORDS and bool(INTERROGATIVE.search(query))
                            and not re.search(r"[.;:]\s", query[:-1]))


def is_lawyer_query(query: str) -> bool:
    """A lawyer's question, or a keyword search ("diplomatic assurances", or a longer run of typed keywords,
    `typed_keywords`): both ask for the Court's view. A pasted passage of judgment text (every dev.jsonl query has 13
    words or more, and a sentence mark) is neither."""
    return is_question(query) or 0 < len((query or "").split()) <= MAX_KEYWORD_WORDS or typed_keywords(query)


def case_citations(query: str) -> list[Citation]:
    """The Strasbourg cases a query cites (`Soering v. the United Kingdom`, `M.S.S. v. Belgium and Greece`,
    `Othman (Abu Qatada) v UK`), read by the one citation grammar (`legal.citations`), as `kb check` and the citation
    graph read them."""
    return [c for c in scan_text(query or "") if c.kind == "echr"]


def cued_kinds(query: str, lawyer: bool, cases: Sequence[Citation] = ()) -> tuple[str, ...]:
    """The source kinds a question (or a short keyword search) names, in `SOURCE_CUES` order. A passage pasted as the
    query (`lawyer` False) is not asking for a source: an ECtHR summary that mentions the Committee against Torture or
    the Court of Appeal is still about its judgment (dev.jsonl summaries: doc_hit@1 0.98 → 0.82 when passages were
    cued too). A Strasbourg case against the United Kingdom among `cases` (`Othman (Abu Qatada) v. the United
    Kingdom`) names the respondent State, not a UK court: its words are no cue."""
    if not lawyer:
        return ()
    for c in cases:
        if state_key(c.state) == "united kingdom":
            query = query[:c.start] + " " * (c.end - c.start) + query[c.end:]
    return tuple(kind for kind, cue in SOURCE_CUES.items() if cue.search(query))


def china_cue(query: str) -> bool:
    return bool(CHINA_CUES.search(query) or CJK.search(query))


def without_china(query: str) -> str:
    """The query with its China cues (`CHINA_CUES`) taken out: "Is a #MeToo activist detained in China at risk of
    torture?" → "Is a #MeToo activist detained in at risk of torture?", the question as it reads naming no country,
    which `QueryReading.court_beside` reads and `kb.search.principles.CourtBeside` searches."""
    return re.sub(r"\s+", " ", CHINA_CUES.sub(" ", query or "")).strip()


def named_in_query(query: str, cases: Sequence[Citation] = ()
                   ) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """Application numbers and applicants a query states outright (the lawyer wants that case): every number, and
    the applicant's words (`legal.citations.applicant_tokens`) of each case in `cases` (`case_citations`)."""
    appnos = frozenset(APPNO.findall(query or ""))
    names = frozenset(words for c in cases if (words := applicant_tokens(c.name)))
    return appnos, names


@dataclass(frozen=True)
class QueryReading:
    """What a search's query is and names, read once (`read_query`); every component that depends on it takes this."""

    text: str
    lawyer: bool
    """A lawyer's question or keyword search (`is_lawyer_query`), not a passage of judgment text: it picks the
    ranker's weights and switches on the question-only parts."""
    question: bool
    """A question (`is_question`), not a keyword search: what the reasoning source and the spreader's principles
    first are for (a keyword search may want the submissions or the application its words name)."""
    cued_kinds: tuple[str, ...]
    """The non-ECtHR source kinds the question names by their instruments and bodies (`SOURCE_CUES`)."""
    china: bool
    """The query names China or a concept only Chinese law has, or is written in Chinese (`CHINA_CUES`)."""
    named_kinds: frozenset[str]
    """Every non-ECtHR source kind the question names, China's included (the PRC statutes and the Chinese campaign
    pages): the sources the ranker lets compete with the Court."""
    convention: bool
    """A lawyer's query that names no other source (a UN body, a UK court, China): it asks for the Court's case-law,
    so the leading judgment's run of principle paragraphs is its answer (`kb.search.principles`)."""
    appnos: frozenset[str]
    """Application numbers the query states (`named_in_query`)."""
    names: frozenset[tuple[str, ...]]
    """The applicant's words of each case the query cites (`Soering v. the United Kingdom` → (`soering`,)), as
    `legal.citations.applicant_tokens` reads them, so they compare with a title's (`title_applicant`)."""
    chinese_law: bool = False
    """A lawyer's query naming China and a body, measure or statute of Chinese law (`CHINESE_LAW_CUES`): it asks for
    the statutes' own text, where naming China alone names a country."""
    court_beside: bool = False
    """A lawyer's question that names China as a country (not a body, measure or statute of its law, `chinese_law`)
    and that, China's name taken out (`without_china`), is a Convention question ("Is a #MeToo activist detained in
    China at risk of torture?"): its list keeps the PRC evidence and campaign pages it finds, and the Court's
    principles are kept beside them (`kb.search.principles.CourtBeside`). A question naming the OHCHR, the Uyghurs or
    a UN body as well asks for that source, and a keyword search ("lawyer meeting requires approval terrorism cases
    China") may want the text its words name (as for `question`'s principles first): neither is one."""

    def __deepcopy__(self, memo: dict) -> QueryReading:
        """Itself: frozen, of strings, tuples and frozensets. Haystack deep-copies every input of every component, and
        a search hands its reading to about eight (a copy of its fields each time cost ~0.35 ms a search)."""
        return self


def read_query(query: str) -> QueryReading:
    """The one reading of a query (see the module docstring)."""
    text = query or ""
    lawyer = is_lawyer_query(text)
    cases = case_citations(text)
    cued = cued_kinds(text, lawyer, cases)
    china = china_cue(text)
    named = frozenset(cued) | (frozenset(CHINESE_KINDS) if china else frozenset())
    appnos, names = named_in_query(text, cases)
    chinese_law = lawyer and china and bool(CHINESE_LAW_CUES.search(text))
    question = is_question(text)
    # Read without China's name, a question naming no other source and written in English is a Convention question
    # (a question stays one: its mark, or its opening interrogative, is no China cue), so it is not read again.
    beside = question and china and not chinese_law and not cued and not CJK.search(text)
    return QueryReading(text, lawyer, question, cued, china, named, lawyer and not named, appnos, names, chinese_law,
                        beside)


@component
class QueryReader:
    """The head of a search: reads the query once and hands the reading on (`reading`)."""

    @component.output_types(reading=QueryReading)
    def run(self, query: str) -> dict:
        return {"reading": read_query(query)}
