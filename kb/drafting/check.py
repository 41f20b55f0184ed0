"""`kb check BRIEF`: every authority a brief cites, and every quotation it attributes to one, checked against the
stored sources.

Why: studies of commercial legal AI found 17–33 % of answers with a hallucinated or misattributed authority. A
brief is safe to file only when each citation names a real document, its name, number and date agree, its pinpoint
exists and each quotation is the paragraph's own text. What the corpus does not hold is reported as "cannot verify"
(`not_in_corpus`), never as verified.

Forms recognised (found where they stand, in the body, in footnotes or inside a quoted judgment):
- ECtHR: `Saadi v. Italy [GC], no. 37201/06, § 125, ECHR 2008`, `Soering v The United Kingdom (1989) 11 EHRR 439,
  para 91`, `Tomic v United Kingdom (application no. 17837/03) (dec.), 14 October 2003`, `Saadi, cited above,
  §§ 124-133`, `ibid., § 45`. Dates, application numbers and pinpoints are read with the citation graph's own
  patterns (`kb.citations.graph`), so the two agree on what a citation is.
- UN treaty bodies: `Committee against Torture, General Comment No. 4 (2017), para. 12`, `CCPR General Comment
  No. 20, § 9`.
- UK neutral citations: `[2017] EWHC 1912 (Admin), [45]` or `… at [45]`.
- PRC statutes: `《中华人民共和国监察法》第二十二条`, `监察法第22条`, `Article 22 of the Supervision Law`.

Resolution goes through the store (each document's title, date, application numbers), not the corpus files, so
the check answers for exactly what the knowledge base can show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from ingest.loaders.akn import neutral_citation_parts
from ingest.loaders.statute_md import chinese_numeral
from kb.citations.graph import (
    APPNO,
    DATE,
    PARAGRAPH_NUMBERS,
    REPORTER,
    applicant_tokens,
    find_date,
    fold,
    parse_pinpoints,
)
from kb.citations.style import cite, long_date
from kb.store.base import ChunkStore, SearchFilters, StoredChunk
from legal.errors import BadInputError, BriefError

STATUSES = ("verified", "pinpoint_missing", "date_mismatch", "name_number_mismatch", "quote_not_found",
            "not_in_corpus")
"""`verified`, or the problem found; a citation with several problems reports the first in this order of checks:
not in corpus, name/number, date, pinpoint, quotation."""

BRIEF_SUFFIXES = (".docx", ".pdf", ".md", ".markdown", ".txt", ".xml")

STATES = (
    "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Belgium", "Bosnia and Herzegovina", "Bulgaria",
    "Croatia", "Cyprus", "Czech Republic", "Czechia", "Denmark", "Estonia", "Finland", "France", "Georgia",
    "Germany", "Greece", "Hungary", "Iceland", "Ireland", "Italy", "Latvia", "Liechtenstein", "Lithuania",
    "Luxembourg", "Malta", "Republic of Moldova", "Moldova", "Monaco", "Montenegro", "Netherlands",
    "North Macedonia", "former Yugoslav Republic of Macedonia", "Norway", "Poland", "Portugal", "Romania",
    "Russian Federation", "Russia", "San Marino", "Serbia and Montenegro", "Serbia", "Slovak Republic", "Slovakia",
    "Slovenia", "Spain", "Sweden", "Switzerland", "Turkey", "Türkiye", "Ukraine", "United Kingdom", "UK",
)
"""Respondent states of the Council of Europe: `X v. <state>` is what tells a Strasbourg case from `R (X) v Home
Secretary`."""
STATE_ALIASES = {"uk": "united kingdom", "russian federation": "russia", "turkiye": "turkey", "czechia":
                 "czech republic", "slovak republic": "slovakia", "moldova": "republic of moldova",
                 "former yugoslav republic of macedonia": "north macedonia"}

_STATE = "|".join(sorted((re.escape(s).replace(r"\ ", r"\s+") for s in STATES), key=len, reverse=True))
_WORD = r"[A-Z][\w’'\-]*\.?"
CASE_NAME = re.compile(
    rf"(?P<name>{_WORD}(?:\s+(?:and|and\s+Others|of|de|van|von|der|la|le|el|al|bin|{_WORD}))*"
    rf"(?:\s+\([^()]{{1,40}}\))?)\s+v\.?\s+(?P<state>(?:[Tt]he\s+)?(?:{_STATE}))\b")
_LEADING_WORDS = re.compile(r"^(?:(?:In|See|Also|Cf|Cf\.|The|Case|Of|Judgment|Decision|Compare|Contrast|And|"
                            r"But|As|Following|Unlike|Like|Per|Both|Where|While|Whereas|After|Before|Since|"
                            r"Under|Applying|Citing|ECtHR|Court|Strasbourg|Grand|Chamber)\s+)+")
_TAIL_PART = re.compile(
    r"\s*[,;:]?\s*[(\[]?\s*(?:"
    r"\[GC\]|\(dec\.\)|\[dec\.\]|dec\.|GC"
    r"|(?:[Aa]pplication\s+)?[Nn]os?\.?\s*\d{1,6}/\d{2}(?:\s*(?:,|and)\s*(?:no\.\s*)?\d{1,6}/\d{2})*"
    rf"|§§?\s*{PARAGRAPH_NUMBERS}|(?:at\s+)?para(?:graph)?s?\.?\s*{PARAGRAPH_NUMBERS}"
    r"|(?:an?\s+)?(?:admissibility\s+)?(?:decision|judgment)\s+of\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4}"
    rf"|{DATE.pattern}|{REPORTER.pattern}"
    r"|\(\d{4}\)\s*\d+\s*EHRR\s*(?:CD\s*)?\d+|\[\d{4}\]\s*ECHR\s*\d+|\(\d{4}\)"
    r"|cited\s+above|§§?\s*\d+|ibid\.?"
    r")\s*[)\]]?")
SHORT_FORM = re.compile(
    rf"(?P<name>{_WORD}(?:\s+(?:and|{_WORD})){{0,4}})\s*(?:\[GC\]\s*)?(?:,\s*|\(\s*)cited\s+above")
IBID = re.compile(rf"\b(?:[Ii]bid|[Ii]dem)\b\.?(?:,?\s*(?:§§?|para(?:graph)?s?\.?)\s*{PARAGRAPH_NUMBERS})?")
PARA_WORD = re.compile(r"\b(?:at\s+)?para(?:graph)?s?\.?\s*(?=\d)")

UN_COMMITTEES = {
    "CAT": ("committee against torture", "cat"),
    "CCPR": ("human rights committee", "hrc", "ccpr"),
    "CESCR": ("committee on economic, social and cultural rights", "cescr"),
    "CERD": ("committee on the elimination of racial discrimination", "cerd"),
    "CEDAW": ("committee on the elimination of discrimination against women", "cedaw"),
    "CRC": ("committee on the rights of the child", "crc"),
    "CRPD": ("committee on the rights of persons with disabilities", "crpd"),
    "CMW": ("committee on migrant workers", "cmw"),
    "CED": ("committee on enforced disappearances", "ced"),
}
_COMMITTEE = "|".join(re.escape(n) for names in UN_COMMITTEES.values() for n in sorted(names, key=len, reverse=True))
UN_CITATION = re.compile(
    rf"(?:(?P<committee>{_COMMITTEE})(?:[’']s)?[,\s]+(?:\(\s*)?)?"
    r"(?P<kind>General\s+Comment|General\s+Recommendation|GC|GR)\s+(?:No\.?\s*)?(?P<number>\d{1,3})"
    r"(?:\s*\((?P<year>\d{4})\))?"
    rf"(?:\s+(?:of|by)\s+the\s+(?P<committee_after>{_COMMITTEE}))?"
    rf"(?:[^.;\n]{{0,120}}?(?:§§?|paras?\.|paragraphs?)\s*(?P<paras>{PARAGRAPH_NUMBERS}))?", re.I)
UK_CITATION = re.compile(
    r"\[(?P<year>\d{4})\]\s+(?P<court>UKSC|UKHL|UKPC|EWCA|EWHC|EWCOP|EWFC)\s+(?:(?P<div>Civ|Crim)\s+)?"
    r"(?P<number>\d+)(?:\s*\((?P<bracket>[A-Za-z]+)\))?"
    r"(?:,?\s*(?:at\s+)?(?:\[(?P<pin>\d+)\]|para(?:graph)?s?\.?\s*(?P<pin2>\d+)))?")
PRC_LAWS = {
    "Supervision Law": "监察法", "Criminal Procedure Law": "刑事诉讼法", "Criminal Law": "刑法",
    "Extradition Law": "引渡法", "National Security Law": "国家安全法", "Counter-Espionage Law": "反间谍法",
    "Counterespionage Law": "反间谍法", "Counter-Terrorism Law": "反恐怖主义法", "Counterterrorism Law": "反恐怖主义法",
    "International Criminal Judicial Assistance Law": "国际刑事司法协助法", "Law on Supervisors": "监察官法",
    "Hong Kong National Security Law": "香港特别行政区维护国家安全法",
}
_ZH_LAW = "|".join(sorted(set(PRC_LAWS.values()) | {"看守所条例"}, key=len, reverse=True))
_EN_LAW = "|".join(sorted((re.escape(k) for k in PRC_LAWS), key=len, reverse=True))
PRC_CITATION = re.compile(
    rf"《?(?:中华人民共和国)?(?P<zh>{_ZH_LAW})》?\s*(?:[（(](?P<zh_year>\d{{4}})年?[）)])?\s*第(?P<zh_art>[零〇一二三四五六七八九十百千\d]+)条"
    rf"|Article\s+(?P<en_art1>\d+)\s+of\s+the\s+(?:PRC\s+|Chinese\s+)?(?P<en1>{_EN_LAW})"
    rf"|(?:PRC\s+)?(?P<en2>{_EN_LAW})(?:\s+of\s+the\s+PRC)?(?:\s*\((?P<en_year>\d{{4}})\))?,?\s+(?:Article|Art\.)\s+(?P<en_art2>\d+)",
    re.I)
QUOTE = re.compile(r"“(?P<a>[^“”]{20,}?)”|\"(?P<b>[^\"]{20,1500}?)\"|‘(?P<c>[^‘’]{40,}?)’(?!\w)")
_QUOTE_NUMBER = re.compile(r"^\s*(\d{1,4})\.\s+")
_GAP = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]|…|\.\s?\.\s?\.|\[[^\]]{0,40}\]")
MIN_QUOTE_WORDS = 5
QUOTE_MATCH = 0.85
"""Share of a quotation's words that must appear, in runs, in the paragraph: tolerates the words the corpus's
HUDOC conversion dropped (country and city names) and a lawyer's small alterations, not a different passage."""
PRECEDING_QUOTE_WINDOW = 400
"""A quotation after a citation is attributed to it when it starts within this many characters (`Soering … The
Court observed (paragraph 113): “…”`); further away the text has usually moved on to another speaker."""
_CITATION_LEAD = re.compile(r"[\s,;:.)\]”\"’]*(?:\(|\[)?\s*(?:see\s*,?\s*)?(?:also\s+)?(?:e\.g\.\s*,?\s*)?"
                            r"(?:in\s+)?")
"""What may stand between a quotation and the citation right after it: punctuation, `(see`, `see also`."""


# The brief ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A paragraph of the brief; `line` is its first line (text files, PDF) or its paragraph number (DOCX)."""

    text: str
    line: int

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


def text_blocks(text: str) -> list[Block]:
    """Blank-line separated paragraphs, each with the line it starts on."""
    blocks, current, start = [], [], 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append(Block("\n".join(current), start))
            current = []
    if current:
        blocks.append(Block("\n".join(current), start))
    return blocks


def read_brief(path: Path) -> list[Block]:
    """The brief's paragraphs with line numbers. Text and Markdown: the line a paragraph starts on; DOCX: the Word
    paragraph's number (what the annotated copy's comments are anchored to); PDF and XML (a UK judgment in Akoma
    Ntoso): the paragraph's number in reading order, as the ingest loaders split them."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise BriefError(f"{path}: no such file")
    if suffix not in BRIEF_SUFFIXES:
        raise BriefError(f"{path}: cannot read a {suffix or 'suffix-less'} file; use one of "
                         f"{', '.join(BRIEF_SUFFIXES)}")
    try:
        if suffix == ".docx":
            import docx

            try:
                document = docx.Document(str(path))
            except Exception as exc:  # python-docx raises several unrelated types for a damaged package
                raise BriefError(f"{path}: not a readable DOCX file ({type(exc).__name__}); re-save it from "
                                 "Word") from None
            return [Block(" ".join(p.text.split()), i) for i, p in enumerate(document.paragraphs, 1)
                    if p.text.strip()]
        if suffix in (".pdf", ".xml"):
            from ingest.loaders import FORMAT_BY_SUFFIX, loader_for

            doc = loader_for(FORMAT_BY_SUFFIX[suffix])(path, str(path), "brief")[0]
            return [Block(" ".join(p.text.split()), i) for i, p in enumerate(doc.paragraphs, 1) if p.text.strip()]
        from ingest.loaders.common import read_text

        return text_blocks(read_text(path))
    except BadInputError as exc:
        raise BriefError(str(exc)) from None


# Finding citations -------------------------------------------------------------------------------------------------

@dataclass
class Found:
    """One citation as written, before it is checked."""

    text: str
    line: int
    block: int
    start: int
    end: int
    kind: str
    """`echr`, `un`, `uk`, `prc`."""
    form: str = "full"
    """`full`, `short` (`X, cited above`), `ibid`."""
    name: str | None = None
    state: str | None = None
    appnos: tuple[str, ...] = ()
    date: str | None = None
    year: int | None = None
    year_exact: bool = True
    """False for an EHRR report year `(1980) 2 EHRR 305`: the judgment is of that year or up to two years before."""
    decision: bool = False
    grand_chamber: bool = False
    paragraphs: tuple[str, ...] = ()
    key: str | None = None
    """UN `CAT-GC-4`, UK doc id, PRC Chinese statute name."""
    quotes: list[str] = field(default_factory=list)


def _pinpoints(text: str) -> tuple[str, ...]:
    return parse_pinpoints(PARA_WORD.sub("§ ", text))


def _year(tail: str) -> tuple[int | None, bool]:
    if m := re.search(r"ECHR\s+(\d{4})|\[(\d{4})\]\s*ECHR|Reports[^\d]{0,40}(\d{4})-", tail):
        return int(next(g for g in m.groups() if g)), True
    if m := re.search(r"\((\d{4})\)\s*\d+\s*EHRR", tail):
        return int(m.group(1)), False
    if m := re.search(r"\((\d{4})\)", tail):
        return int(m.group(1)), True
    return None, True


def _as_written(text: str) -> str:
    """The citation's text on one line, without the closing bracket of the parenthesis it stands in."""
    text = " ".join(text.split()).rstrip(" ,;([")
    while text and text[-1] in ")]" and text.count(text[-1]) > text.count("(" if text[-1] == ")" else "["):
        text = text[:-1].rstrip(" ,;")
    return text


def _clean_name(name: str) -> str:
    name = _LEADING_WORDS.sub("", name.strip())
    return re.sub(r"\s+", " ", name).strip(" ,")


def _tail_end(text: str, start: int) -> int:
    """Where the citation that starts before `start` ends: after its run of citation parts (`[GC]`, `no. …`,
    `§ …`, a date, a report reference), before the prose that follows."""
    end = start
    while (part := _TAIL_PART.match(text, end)) and part.end() > end:
        end = part.end()
    return end


def _echr(block: Block, index: int) -> Iterator[Found]:
    text = block.text
    taken: list[tuple[int, int]] = []
    for m in CASE_NAME.finditer(text):
        end = _tail_end(text, m.end())
        tail = text[m.end():end]
        name = _clean_name(m.group("name"))
        if not name or name.lower() in {"the", "r"}:
            continue
        year, exact = _year(tail)
        taken.append((m.start(), end))
        yield Found(
            text=_as_written(text[m.start() + m.group(0).index(name):end]), line=block.line_at(
                m.start()), block=index, start=m.start(), end=end, kind="echr",
            form="short" if "cited above" in tail else "full", name=name, state=" ".join(m.group("state").split()),
            appnos=tuple(dict.fromkeys(APPNO.findall(tail))), date=find_date(tail),
            year=year, year_exact=exact, decision=bool(re.search(r"dec\.|decision", tail)),
            grand_chamber="GC" in tail, paragraphs=_pinpoints(tail))
    for m in SHORT_FORM.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        end = _tail_end(text, m.end())
        name = _clean_name(m.group("name"))
        if not name:
            continue
        taken.append((m.start(), end))
        yield Found(_as_written(text[m.start():end]), block.line_at(m.start()), index,
                    m.start(), end, "echr", "short", name=name, paragraphs=_pinpoints(text[m.end():end]))
    for m in IBID.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or not re.search(r"\d", m.group(0)):
            continue
        yield Found(_as_written(m.group(0)), block.line_at(m.start()), index, m.start(), m.end(), "ibid", "ibid",
                    paragraphs=_pinpoints(m.group(0)))


def _committee_code(name: str | None) -> str | None:
    if not name:
        return None
    folded = name.lower()
    return next((code for code, names in UN_COMMITTEES.items() if folded in names), None)


def _others(block: Block, index: int) -> Iterator[Found]:
    text = block.text
    for m in UN_CITATION.finditer(text):
        code = _committee_code(m.group("committee") or m.group("committee_after"))
        kind = "GR" if m.group("kind").lower().startswith(("general r", "gr")) else "GC"
        paras = parse_pinpoints("§ " + m.group("paras")) if m.group("paras") else ()
        yield Found(" ".join(m.group(0).split()), block.line_at(m.start()), index, m.start(), m.end(), "un",
                    name=code, year=int(m.group("year")) if m.group("year") else None, paragraphs=paras,
                    key=f"{kind}-{int(m.group('number'))}")
    for m in UK_CITATION.finditer(text):
        bracket = f" ({m.group('bracket')})" if m.group("bracket") else ""
        neutral = f"[{m.group('year')}] {m.group('court')} {m.group('div') + ' ' if m.group('div') else ''}" \
                  f"{m.group('number')}{bracket}"
        parts = neutral_citation_parts(neutral)
        pin = m.group("pin") or m.group("pin2")
        yield Found(" ".join(m.group(0).split()), block.line_at(m.start()), index, m.start(), m.end(), "uk",
                    name=neutral, key=parts[0] if parts else None, paragraphs=(pin,) if pin else ())
    for m in PRC_CITATION.finditer(text):
        if m.group("zh"):
            law, article = m.group("zh"), m.group("zh_art")
            number = int(article) if article.isdigit() else chinese_numeral(article)
        else:
            english = m.group("en1") or m.group("en2")
            law = next(v for k, v in PRC_LAWS.items() if k.lower() == english.lower())
            number = int(m.group("en_art1") or m.group("en_art2"))
        year = m.group("zh_year") or m.group("en_year")
        yield Found(" ".join(m.group(0).split()), block.line_at(m.start()), index, m.start(), m.end(), "prc",
                    name=law, key=law, paragraphs=(str(number),), year=int(year) if year else None)


def _attach_quotes(block: Block, found: list[Found]) -> None:
    """Each quotation goes to the citation right after it (`“…” (Saadi, § 125)`), else to the last one before it
    (`the Court said at § 125: “…”`); citations inside the quotation are the quoted court's own."""
    for m in QUOTE.finditer(block.text):
        quote = next(g for g in m.groups() if g)
        if len(quote.split()) < MIN_QUOTE_WORDS:
            continue
        after = [f for f in found if m.end() <= f.start and _CITATION_LEAD.fullmatch(block.text[m.end():f.start])]
        before = [f for f in found if f.end <= m.start() <= f.end + PRECEDING_QUOTE_WINDOW]
        target = after[0] if after else (before[-1] if before else None)
        if target is not None:
            target.quotes.append(quote)


def find_citations(blocks: list[Block]) -> list[Found]:
    """Every citation in the brief in reading order, each with the quotations attributed to it."""
    out: list[Found] = []
    for index, block in enumerate(blocks):
        found = sorted([*_echr(block, index), *_others(block, index)], key=lambda f: f.start)
        _attach_quotes(block, found)
        out.extend(found)
    return out


# The corpus side ---------------------------------------------------------------------------------------------------

def _state_key(state: str | None) -> str:
    s = re.sub(r"^the\s+", "", " ".join(fold(state or "").split()))
    return STATE_ALIASES.get(s, s)


@dataclass
class Case:
    doc_id: str
    title: str
    date: str | None
    doc_type: str
    appnos: tuple[str, ...]
    states: tuple[str, ...]
    grand_chamber: bool
    applicant: frozenset[str]
    payload: dict

    @property
    def label(self) -> str:
        return cite({**self.payload, "paragraph": None, "page": None, "section": None})


def applicant(name: str | None) -> list[str]:
    """The words that identify the applicant of a cited case; initials written without stops, as UK judgments
    write them (`MSS v Belgium`, `N v United Kingdom`), are read as the Court prints them (`M.S.S.`, `N.`)."""
    dotted = re.sub(r"\b([A-Z]{1,4})\b(?![.’'])", lambda m: ".".join(m.group(1)) + ".", name or "")
    return applicant_tokens(dotted)


def _applicant_words(title: str) -> frozenset[str]:
    applicant = re.split(r"\s+v\s*\.?\s+", fold(title))[0]
    applicant = re.sub(r"^\s*(?:case\s+of|affaire)\s+", "", applicant)
    return frozenset(applicant_tokens(applicant))


class CorpusIndex:
    """The store's documents as a citation resolver: ECtHR cases by application number and applicant name, UN
    General Comments, UK judgments and PRC statutes by their ids. Paragraphs are fetched per cited document."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.cases: dict[str, Case] = {}
        self.by_appno: dict[str, list[str]] = {}
        self.doc_ids: dict[str, set[str]] = {}
        self._chunks: dict[str, list[StoredChunk]] = {}
        for kind in ("un", "national", "prc-law"):
            self.doc_ids[kind] = {d for d, _ in store.facet("doc_id", SearchFilters(source_kinds=(kind,)), 10**6)}
        cited = SearchFilters(source_kinds=("echr",), doc_types=("JUDGMENT", "DECISION"))
        ids = {d for d, _ in store.facet("doc_id", cited, 10**7)}
        firsts: dict[str, dict] = {}
        for chunk in store.scroll(SearchFilters(source_kinds=("echr",), doc_types=("JUDGMENT", "DECISION"),
                                                paragraphs=("1",))):
            firsts.setdefault(chunk.payload["doc_id"], chunk.payload)
        rest = sorted(ids - set(firsts))
        for start in range(0, len(rest), 50):
            for chunk in store.scroll(SearchFilters(doc_ids=tuple(rest[start:start + 50]))):
                firsts.setdefault(chunk.payload["doc_id"], chunk.payload)
        for doc_id, p in firsts.items():
            case = Case(doc_id, p.get("title") or doc_id, p.get("date"), p.get("doc_type", ""),
                        tuple(p.get("appno") or ()), tuple(_state_key(s) for s in p.get("respondent_state") or ()),
                        bool(p.get("grand_chamber")), _applicant_words(p.get("title") or ""), p)
            self.cases[doc_id] = case
            for a in case.appnos:
                self.by_appno.setdefault(a, []).append(doc_id)

    def chunks(self, doc_id: str) -> list[StoredChunk]:
        if doc_id not in self._chunks:
            self._chunks[doc_id] = self.store.document_chunks(doc_id)
        return self._chunks[doc_id]

    def paragraphs(self, doc_id: str) -> dict[str, str]:
        """Pinpoint → paragraph text; a number printed twice (a separate opinion's) keeps the judgment's own."""
        out: dict[str, str] = {}
        for c in self.chunks(doc_id):
            number = c.payload.get("paragraph")
            if number and number not in out:
                out[str(number)] = c.payload.get("text", "")
        return out

    def unnumbered(self, doc_id: str) -> list[tuple[str, str]]:
        """(where, text) of the paragraphs without a number: a decision's reasoning, a separate opinion."""
        out = []
        for c in self.chunks(doc_id):
            p = c.payload
            if not p.get("paragraph") and p.get("section") not in ("HEADER",):
                where = p.get("heading") if p.get("section") == "SEPARATE OPINION" else None
                out.append((f"the {where or (p.get('section') or 'unnumbered text').lower()}", p.get("text", "")))
        return out

    def by_name(self, name: str, state: str | None) -> list[Case]:
        tokens = set(applicant(name))
        if not tokens:
            return []
        want = _state_key(state) if state else None
        return [c for c in self.cases.values() if tokens <= c.applicant
                and (not want or not c.states or want in c.states)]


# Checking ----------------------------------------------------------------------------------------------------------

@dataclass
class CheckedCitation:
    """One row of the report (`kb check --json` prints these)."""

    text: str
    line: int
    status: str
    reason: str
    kind: str
    doc_id: str | None = None
    citation: str | None = None
    """The corpus document's own citation, in the court's style."""
    paragraphs: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    quote_found_at: list[str] = field(default_factory=list)
    """Where each quotation that is not at the pinpoint does occur in the document (`§ 125`), if anywhere."""
    url: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and v != [] or k in ("text", "doc_id")}


def _words(text: str) -> list[str]:
    """Folded words; hyphens joined (`ill-treatment`, `ill‑treatment` and the corpus's `illtreatment` agree)."""
    return re.findall(r"\w+", fold(re.sub(r"(?<=\w)[-‑–](?=\w)", "", text.replace("’", "'"))))


def quote_coverage(quote: str, text: str) -> float:
    """Share of the quotation's words found, in runs, in `text`; `[…]`, `...` and bracketed insertions split the
    quotation into fragments matched separately, so an omission or `[the Court]` costs nothing."""
    source = _words(text)
    total = matched = 0
    for fragment in _GAP.split(_QUOTE_NUMBER.sub("", quote)):
        words = _words(fragment)
        if not words:
            continue
        total += len(words)
        blocks = SequenceMatcher(None, source, words, autojunk=False).get_matching_blocks()
        matched += sum(b.size for b in blocks if b.size >= 2 or len(words) == 1)
    return matched / total if total else 0.0


def _quote_parts(quote: str, pins: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """A quotation of several numbered paragraphs (`“113. … 114. …”`) as one part per paragraph; a quotation that
    starts with its own number is checked against that paragraph rather than the citation's pinpoint."""
    head = _QUOTE_NUMBER.match(quote)
    if not head:
        return [(quote, pins)]
    first = int(head.group(1))
    parts, rest, number = [], quote[head.end():], first
    while True:
        nxt = re.search(rf"\s{number + 1}\.\s+(?=\S)", rest)
        if not nxt:
            parts.append((rest, (str(number),)))
            return parts
        parts.append((rest[:nxt.start()], (str(number),)))
        rest, number = rest[nxt.end():], number + 1


class Checker:
    """Checks found citations against a `CorpusIndex`, in reading order (`cited above`/`ibid.` look back)."""

    def __init__(self, index: CorpusIndex) -> None:
        self.index = index

    def check(self, found: list[Found]) -> list[CheckedCitation]:
        out: list[CheckedCitation] = []
        earlier: list[tuple[frozenset[str], CheckedCitation]] = []
        last: CheckedCitation | None = None
        for f in found:
            if f.kind == "echr" and f.form == "full":
                row = self._echr_full(f)
                earlier.append((frozenset(applicant(f.name)), row))
            elif f.kind == "echr":
                row = self._echr_short(f, earlier)
            elif f.kind == "ibid":
                row = self._ibid(f, last)
            elif f.kind == "un":
                row = self._un(f)
            elif f.kind == "uk":
                row = self._document(f, f.key, "national", f"{f.name} is not in the store")
            else:
                row = self._prc(f)
            out.append(row)
            last = row
        return out

    # ECtHR

    def _row(self, f: Found, status: str, reason: str, case: Case | None = None) -> CheckedCitation:
        return CheckedCitation(f.text, f.line, status, reason, "echr" if f.kind == "ibid" else f.kind,
                               case.doc_id if case else None, case.label if case else None, list(f.paragraphs),
                               list(f.quotes), url=case.payload.get("url") if case else None)

    def _pick(self, f: Found, candidates: list[Case]) -> Case:
        def preference(c: Case) -> tuple:
            return (f.date is not None and c.date == f.date,
                    f.year is not None and c.date is not None and self._year_fits(f, int(c.date[:4])),
                    (c.doc_type == "DECISION") == f.decision,
                    c.grand_chamber == f.grand_chamber,
                    all(p in self.index.paragraphs(c.doc_id) for p in f.paragraphs) if len(candidates) > 1 else 0,
                    c.date or "")
        return max(candidates, key=preference)

    @staticmethod
    def _year_fits(f: Found, year: int) -> bool:
        return f.year is not None and f.year - (0 if f.year_exact else 2) <= year <= f.year

    def _echr_full(self, f: Found) -> CheckedCitation:
        named = self.index.by_name(f.name or "", f.state)
        if f.appnos:
            numbered = [self.index.cases[d] for a in f.appnos for d in self.index.by_appno.get(a, [])]
            numbered = list({c.doc_id: c for c in numbered}.values())
            tokens = set(applicant(f.name))
            agreeing = [c for c in numbered if tokens and tokens <= c.applicant]
            if numbered and not agreeing:
                other = f"; the corpus has {named[0].label}" if named else ""
                return self._row(f, "name_number_mismatch",
                                 f"no. {', '.join(f.appnos)} is {numbered[0].label}, not {f.name}{other}.",
                                 numbered[0])
            if not numbered:
                if named:
                    case = self._pick(f, named)
                    return self._row(f, "name_number_mismatch",
                                     f"{f.name} is {case.label} in the corpus; no. {', '.join(f.appnos)} is not "
                                     f"its application number.", case)
                return self._row(f, "not_in_corpus", f"cannot verify: no. {', '.join(f.appnos)} ({f.name}) is not "
                                 "in the store.")
            candidates = agreeing
        else:
            if not named:
                return self._row(f, "not_in_corpus", f"cannot verify: {f.name} v. {f.state} is not in the store.")
            candidates = named
        return self._verify(f, self._pick(f, candidates))

    def _verify(self, f: Found, case: Case) -> CheckedCitation:
        if f.date and case.date != f.date:
            return self._row(f, "date_mismatch", f"{case.label}: the corpus dates it {long_date(case.date)}, "
                             f"not {long_date(f.date)}.", case)
        if f.year and case.date and not self._year_fits(f, int(case.date[:4])):
            return self._row(f, "date_mismatch", f"{case.label}: the corpus dates it {long_date(case.date)}, "
                             f"not {f.year}.", case)
        return self._pinpoints_and_quotes(f, case.doc_id, case.label, "echr", case.payload.get("url"))

    def _pinpoints_and_quotes(self, f: Found, doc_id: str, label: str, kind: str, url: str | None
                              ) -> CheckedCitation:
        paragraphs = self.index.paragraphs(doc_id)
        row = CheckedCitation(f.text, f.line, "verified", "", kind, doc_id, label, list(f.paragraphs),
                              list(f.quotes), url=url)
        missing = [p for p in f.paragraphs if p not in paragraphs]
        if missing:
            numbers = sorted(int(p) for p in paragraphs if p.isdigit())
            span = f"{_pin(kind, [str(numbers[0])])}–{numbers[-1]}" if numbers else "unnumbered"
            row.status, row.reason = "pinpoint_missing", (
                f"{label} has no {_pin(kind, missing)} (its paragraphs run {span}).")
            return row
        problems = []
        for quote in f.quotes:
            for part, pins in _quote_parts(quote, f.paragraphs):
                where = self._locate(part, pins, doc_id, kind)
                if where == "pinpoint":
                    continue
                if where:
                    row.quote_found_at.append(where)
                    problems.append(f"the quotation “{_short(part)}” is at {where}, not {_pin(kind, pins)}")
                else:
                    problems.append(f"the quotation “{_short(part)}” is not in {label}")
        if problems:
            row.status, row.reason = "quote_not_found", "; ".join(problems) + "."
            return row
        pin = f", {_pin(kind, f.paragraphs)}" if f.paragraphs else ""
        quoted = f"; {len(f.quotes)} quotation(s) match" if f.quotes else ""
        row.reason = f"{label}{pin}: {'exists' if pin else 'found'}{quoted}."
        return row

    def _locate(self, quote: str, pins: tuple[str, ...], doc_id: str, kind: str) -> str | None:
        """`pinpoint` when the quotation is at the pinpoint (without one: anywhere in the document), else where
        it does occur (`§ 88`, `the separate opinion …`), else None. Unnumbered text (a decision's reasoning, a
        separate opinion) is searched after the numbered paragraphs."""
        paragraphs = self.index.paragraphs(doc_id)
        if pins and all(p in paragraphs for p in pins):
            if quote_coverage(quote, " ".join(paragraphs[p] for p in pins)) >= QUOTE_MATCH:
                return "pinpoint"
        places = [(_pin(kind, [n]), text) for n, text in paragraphs.items()] + self.index.unnumbered(doc_id)
        for where, text in places:
            if quote_coverage(quote, text) >= QUOTE_MATCH:
                return where if pins else "pinpoint"
        return None

    def _echr_short(self, f: Found, earlier: list[tuple[frozenset[str], CheckedCitation]]) -> CheckedCitation:
        tokens = set(applicant(f.name))
        for key, row in reversed(earlier):
            if tokens and tokens <= key and row.doc_id:
                return self._again(f, row)
        named = self.index.by_name(f.name or "", f.state)
        if named:
            return self._verify(f, self._pick(f, named))
        return self._row(f, "not_in_corpus", f"cannot verify: no earlier citation of {f.name} resolves to a "
                         "document in the store.")

    def _again(self, f: Found, row: CheckedCitation) -> CheckedCitation:
        case = self.index.cases.get(row.doc_id or "")
        if case is None:
            return self._pinpoints_and_quotes(f, row.doc_id or "", row.citation or "", row.kind, row.url)
        return self._pinpoints_and_quotes(f, case.doc_id, case.label, "echr", case.payload.get("url"))

    def _ibid(self, f: Found, last: CheckedCitation | None) -> CheckedCitation:
        if last is None or not last.doc_id:
            return self._row(f, "not_in_corpus", "cannot verify: the citation “ibid.” refers to is not in the "
                             "store." if last else "cannot verify: “ibid.” with no citation before it.")
        return self._again(f, last)

    # Other sources

    def _document(self, f: Found, doc_id: str | None, kind: str, absent: str) -> CheckedCitation:
        if not doc_id or doc_id not in self.index.doc_ids.get(kind, set()):
            return CheckedCitation(f.text, f.line, "not_in_corpus", f"cannot verify: {absent}.", f.kind,
                                   paragraphs=list(f.paragraphs), quotes=list(f.quotes))
        payload = self.index.chunks(doc_id)[0].payload
        label = cite({**payload, "paragraph": None, "page": None, "section": None})
        return self._pinpoints_and_quotes(f, doc_id, label, f.kind, payload.get("url"))

    def _un(self, f: Found) -> CheckedCitation:
        kinds = self.index.doc_ids.get("un", set())
        if f.name:
            doc_id = f"UN-{f.name}-{f.key}"
        else:
            matches = [d for d in kinds if d.endswith(f"-{f.key}") and d.count("-") == 3]
            doc_id = matches[0] if len(matches) == 1 else None
        row = self._document(f, doc_id, "un", f"{f.text} is not in the store"
                             + ("" if f.name else " (name the committee: several have that number)"))
        if row.doc_id and f.year:
            payload = self.index.chunks(row.doc_id)[0].payload
            years = {(payload.get("date") or "")[:4], str((payload.get("doc_extra") or {}).get("year")),
                     *re.findall(r"\((\d{4})\)", payload.get("title") or "")}
            if str(f.year) not in years:
                row.status, row.reason = "date_mismatch", (
                    f"{row.citation}: dated {' or '.join(sorted(y for y in years if y.isdigit()))}, not {f.year}.")
        return row

    def _prc(self, f: Found) -> CheckedCitation:
        versions = sorted(d for d in self.index.doc_ids.get("prc-law", set())
                          if re.fullmatch(rf"PRC-{re.escape(f.key or '')}(?:-[\d-]+)?", d))
        article = int(f.paragraphs[0])
        # the version of the year cited first, else the latest (an amendment may renumber the articles)
        for doc_id in sorted(versions, key=lambda d: (f.year is not None and str(f.year) in d, d), reverse=True):
            for chunk in self.index.chunks(doc_id):
                label = chunk.payload.get("paragraph") or ""
                if label.startswith("第") and chinese_numeral(label[1:-1]) == article:
                    f.paragraphs = (label,)
                    return self._pinpoints_and_quotes(f, doc_id, cite({**chunk.payload, "paragraph": None}), "prc",
                                                      chunk.payload.get("url"))
        if versions:
            return CheckedCitation(f.text, f.line, "pinpoint_missing", f"{f.key} has no article {article} in the "
                                   f"stored version(s) {', '.join(versions)}.", "prc", versions[-1],
                                   paragraphs=[str(article)], quotes=list(f.quotes))
        return CheckedCitation(f.text, f.line, "not_in_corpus", f"cannot verify: {f.key} is not in the store.",
                               "prc", paragraphs=[str(article)], quotes=list(f.quotes))


def _pin(kind: str, numbers: Iterable[str]) -> str:
    """Pinpoints in the source's own style: `§ 125`, `para. 12`, `[63]`, `第二十二条`."""
    numbers = list(numbers)
    if kind == "uk":
        return ", ".join(f"[{n}]" for n in numbers)
    if kind == "prc":
        return ", ".join(numbers)
    return f"{'§' if kind == 'echr' else 'para.'} {', '.join(numbers)}"


def _short(text: str, words: int = 8) -> str:
    parts = " ".join(text.split()).split(" ")
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# Report ------------------------------------------------------------------------------------------------------------

GROUND_SIGNS: dict[str, str] = {
    "article3": r"Article 3\b|torture|inhuman|degrading treatment",
    "article6": r"Article 6\b|flagrant denial|fair trial",
    "article5": r"Article 5\b|arbitrary detention",
    "assurances": r"assurances?\b",
    "death_penalty": r"death penalty|death row|capital punishment|death sentence",
    "detention_conditions": r"(?:prison|detention) conditions|conditions of detention",
    "political_persecution": r"political (?:offence|opinion)|persecut",
}
"""How a brief shows that it argues a ground (the grounds of `kb.drafting.matters.GROUNDS`)."""


@dataclass
class MissingAuthority:
    ground: str
    label: str
    doc_id: str
    citation: str
    url: str | None


@dataclass
class CheckReport:
    source: str
    """The brief's path, or `<text>`."""
    citations: list[CheckedCitation]
    blocks: list[Block] = field(default_factory=list, repr=False)
    grounds: list[str] = field(default_factory=list)
    missing: list[MissingAuthority] = field(default_factory=list)

    def problems(self) -> list[CheckedCitation]:
        return [c for c in self.citations if c.status != "verified"]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for c in self.citations if c.status == s) for s in STATUSES}

    def to_dict(self) -> dict:
        return {"source": self.source, "citations": [c.to_dict() for c in self.citations], "counts": self.counts(),
                "grounds": self.grounds, "missing": [asdict(m) for m in self.missing]}

    def table(self, width: int = 60) -> str:
        rows = [("line", "status", "citation", "reason")]
        rows += [(str(c.line), c.status, _clip(c.text, width), c.reason) for c in self.citations]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = ["  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] for r in rows]
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items() if n)
        lines.append(f"\n{len(self.citations)} citations: {counts or 'none'}")
        if self.missing:
            lines.append("\nYou may be missing:")
            for m in self.missing:
                lines.append(f"  [{m.label}] {m.citation}  ({m.doc_id})")
        return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def argued_grounds(blocks: Iterable[Block]) -> list[str]:
    text = "\n".join(b.text for b in blocks)
    return [g for g, sign in GROUND_SIGNS.items() if re.search(sign, text, re.I)]


def check_blocks(index: CorpusIndex, blocks: list[Block], source: str = "<text>") -> CheckReport:
    citations = Checker(index).check(find_citations(blocks))
    return CheckReport(source, citations, blocks, argued_grounds(blocks))


def annotate_docx(report: CheckReport, out: Path) -> Path:
    """A copy of the brief with a Word comment on each problem, anchored to its paragraph (a DOCX brief is copied
    as it is; any other brief is rebuilt paragraph by paragraph)."""
    import docx

    blocks, brief = report.blocks, Path(report.source)
    if brief.suffix.lower() == ".docx" and brief.is_file():
        document = docx.Document(str(brief))
        paragraphs = {i: p for i, p in enumerate(document.paragraphs, 1)}
        by_line = {b.line: paragraphs[b.line] for b in blocks}
    else:
        document = docx.Document()
        by_line = {}
        for b in blocks:
            by_line[b.line] = document.add_paragraph(b.text)
    starts = sorted(by_line)
    for c in report.problems():
        line = max((s for s in starts if s <= c.line), default=starts[0] if starts else None)
        if line is None:
            continue
        paragraph = by_line[line]
        runs = paragraph.runs or [paragraph.add_run("")]
        document.add_comment(runs, text=f"{c.status}: {c.text}: {c.reason}", author="kb check", initials="kb")
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out
