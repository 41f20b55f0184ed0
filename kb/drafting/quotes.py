"""Which sentence of a passage a brief quotes, cut where a lawyer would cut it.

A paragraph of a judgment mixes the facts, the parties' arguments, lead-ins ("The Court held:") and the rule; a
statute article mixes the power it confers with the safeguards and exceptions around it. The brief quotes the
principle or operative sentence (`holding_quote`), whole (`quote_units`), and for an authority filed as the other
side's (`adverse`) the sentence that side relies on. Measured on hand-labelled paragraphs: `bench/quote_choice.py`.
"""

import math
import re

from kb.citations.style import GAP, LOST_WORD, mark_gaps
from legal.dates import MONTH
from legal.grounds import GROUNDS
from legal.text import STOPWORDS, numbered

_ABBREVIATIONS = ("v", "no", "nos", "para", "paras", "p", "pp", "cf", "e.g", "i.e", "art", "mr", "ms", "mrs", "dr",
                  "vol", "etc", "seq", "ibid", "op", "cit", "st", "ltd", "co", "inc", "u.s", "u.k", "n", "§")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])(?:[\"”’)]*|[\"”’]?(?:\d{1,3}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}))\s+"
                           r"(?=[\"“‘(]?[A-Z0-9§\u4e00-\u9fff])|(?<=[。！？])")
_TRAILING_HEADING = re.compile(r"(?<=[.!?”)])\s+\((?:[a-z]|[ivx]+)\)\s+[A-Z][^.;:]*$")
"""A heading a conversion glued to the end of a paragraph (`… ECHR 2009). (b) Application to the facts`)."""
_NOTE_CALL = re.compile(r"(?<=[.!?”’])\d{1,3}$")
"""A footnote call a PDF extraction glued to the end of a sentence (`remain valid.181`): not part of the quote."""
_ARTICLE_HEAD = re.compile(r"^\s*第[一二三四五六七八九十百千零]+条(?:之[一二三四五六七八九十]+)?\s*")
"""A statute article's own label at its start (`第二十二条 …`), stripped like a paragraph's printed number."""
_WORD = re.compile(r"[a-z]{3,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_STOP = STOPWORDS | {"upon", "person", "concerned", "court"}
"""Words that pick no sentence: English function words and the words of the grounds' queries that every paragraph of
the case law holds ("the person concerned", "the Court")."""


_QUOTES = str.maketrans({"“": "'", "”": "'", "‘": "'", "’": "'", '"': "'", "‑": "-"})
_NOTE_CALLS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
"""A report's footnote calls printed as superscripts (`law system”⁸⁶`): the report's apparatus, not its words."""


def norm(text: str) -> str:
    """Text for comparing a quotation with its source: whitespace, quote marks, hyphen variants, footnote calls and
    the "[…]" that marks a lost word ignored."""
    text = _WIDE_BREAK.sub("", _NOTE_CALLS.sub("", text.replace(GAP, " ")))
    return " ".join(text.translate(_QUOTES).split()).lower()


_WIDE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_WIDE_BREAK = re.compile(f"(?<=[{_WIDE}])\\s+(?=[{_WIDE}])")
"""A line break inside Chinese text: Chinese joins its lines with nothing, not with a space."""
_CITED_ASIDE = re.compile(r"\s*\((?:[^()]|\([^()]*\))*(?:§|\bnos?\. ?\d|cited above|Series A|ECHR \d{4}|Reports \d{4}|"
                          r"\bibid\b)(?:[^()]|\([^()]*\))*\)")
"""A parenthesis of authorities inside a quoted sentence (`(see Saadi, cited above, § 132)`): the Court's own
citations, omitted from the quotation as courts do, so the brief does not seem to cite what it has not checked."""


def as_quotation(text: str) -> str:
    """A quotation on one line, its inner double quotes made single so that the outer pair is unambiguous."""
    return " ".join(_WIDE_BREAK.sub("", text).split()).replace("“", "‘").replace("”", "’")


def quotation(text: str) -> str:
    """The words a brief prints for a quote: on one line, footnote calls and the quoted court's own citations left
    out (marked "[…]"), and a word the source lost marked "[…]" even where the source carries no defect flag
    (`omissions` tells the footnote to say so)."""
    text = _CITED_ASIDE.sub(f" {GAP}", _NOTE_CALLS.sub("", text))
    return as_quotation(mark_gaps(text, None)).replace(f"{GAP} {GAP}", GAP)


def omissions(quote: str) -> list[str]:
    """What the printed quotation leaves out of `quote`: `lost` (a word the source lost), `citations` (the quoted
    court's own authorities)."""
    return [name for name, found in (("lost", GAP in quote or LOST_WORD.search(quote)),
                                     ("citations", _CITED_ASIDE.search(quote))) if found]


def quoted_in(quote: str, source: str) -> bool:
    """Whether every fragment of a printed quotation (split at its "[…]") is in `source`, in order."""
    text, at = norm(source), 0
    for fragment in (norm(f) for f in quote.split(GAP)):
        if not fragment:
            continue
        at = text.find(fragment.strip(" ,;.…"), at)
        if at < 0:
            return False
    return True


def split_sentences(text: str) -> list[str]:
    """Sentences of a legal paragraph, not broken after `v.`, `no.`, `§`, `para.` or initials, nor at a semicolon
    (a semicolon ends a clause or a citation in a list of authorities, never a proposition)."""
    text = text.strip()
    parts = numbered(text)
    text = _TRAILING_HEADING.sub("", parts[1] if parts else _ARTICLE_HEAD.sub("", text))
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if sentences:
            last_word = sentences[-1].rstrip(".").rsplit(None, 1)[-1].lower() if sentences[-1].strip() else ""
            if (last_word.strip("(“\"") in _ABBREVIATIONS or re.search(r"(?<![A-Za-z])[A-Z]\.$", sentences[-1])
                    or re.search(r"\d\.$", sentences[-1]) and piece[0].isdigit()):  # a number, "19. 2 per cent"
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


_RULE = re.compile(
    r"\b(?:the Court|the Committee|it) (?:also )?(?:reiterates|recalls|considers|finds|holds|concludes|agrees|"
    r"emphasises|is (?:therefore )?(?:of the opinion|satisfied|persuaded|not persuaded))|"
    r"\b(?:must|cannot|can never|may not|shall|should|has to|have to|(?:is|are|was|were) (?:required|obliged|barred)|"
    r"is (?:absolute|necessary)|implies|requires?|prohibits?|entails?|will (?:not )?(?:arise|insist|assess|consider|"
    r"examine)|only (?:if|when|where|in))\b|\bthere is (?:an|no) (?:obligation|prohibition|rule|question|room)|"
    r"\bit (?:follows|is (?:well[- ]established|the Court’s settled|in principle))\b|\bsettled case-law\b|"
    r"\b(?:accordingly|in sum|for (?:all )?(?:the|these) (?:foregoing )?reasons)\b|\b(?:violates?|suffices?|"
    r"is synonymous|it is (?:not )?for)\b|可以|应当|不得|严禁|处[^，。；]{0,20}(?:死刑|无期徒刑|有期徒刑)|是指",
    re.I)
"""A statement of a rule: the Court's and the Committee's normative verbs (not "notes" or "observes", which report),
modal and deontic constructions ("must", "there is no prohibition", "only if") and a statute's deontic words (可以
may, 应当 shall, 不得 shall not, a penalty, a definition)."""
_FINDING = re.compile(
    r"\b(?:OHCHR|the (?:Office|High Commissioner|Special Rapporteur|Working Group)) (?:also )?(?:notes|"
    r"considers|concludes|finds|is concerned)\b|\bit is (?:reasonable to conclude|clear)\b|\b(?:amounts? to|"
    r"constitutes?|are credible|raise[sd]? serious|(?:may|would) constitute|(?:is|are)(?: already)? of (?:\w+ )?"
    r"concern|confirms that|in violation of|contrary to)\b", re.I)
"""A finding of fact or law in its author's voice: what a report is quoted for ("it is reasonable to conclude",
"are credible", "amount to", "of considerable concern"); a report's restatement of the legal standard ("any
interference must be lawful") is not its evidence."""
EVIDENCE_KINDS = ("report", "campaign", "upload")
"""Sources quoted for their findings about the requesting state, not for a rule (`_holding_score`)."""
_TURN = re.compile(r"^(?:\w+,? ){0,2}(?:however|nevertheless|nonetheless|accordingly|thus|therefore|it follows|in sum|"
                   r"consequently|exceptionally|in (?:conclusion|summary)|overall|cumulatively|individually and "
                   r"cumulatively|having regard to all)\b", re.I)
"""The words with which the Court turns from the background to the rule."""
_ALSO = re.compile(r"^\w+ (?:\w+ )?(?:\w+ )?also\b|\b(?:were|was|is|are|may|should) also\b", re.I)
"""A secondary point ("They should also revoke…", "may also violate other rights"): the main rule comes first."""
_LEAD_IN = re.compile(
    r":$|\?$|^(?:\(?see\b|\(?compare\b|\(?cf\.|\(?for example\b|before turning\b|turning (?:then |therefore )?to\b|"
    r"in (?:regard|relation) to the present case\b|in considering that issue\b|in applying these\b|what is at "
    r"issue\b|it is therefore convenient\b)|\b(?:examined|considered|dealt with|set out) (?:below|above)\b|"
    r"\bas follows\b|\bthe following\b", re.I)
"""A sentence that announces, refers on or asks rather than states: a lead-in, a cross-reference, a question."""
_PARTY = re.compile(
    r"\b(?:the )?(?:Government|applicants?|intervener|third[- ]party interveners?|parties)(?:’s?|'s?)? (?:has |have "
    r"|had )?(?:also )?(?:claimed|stated|maintained|indicated|argued|submitted|contended|explained|asserted|advanced|"
    r"alleged|complained|submits|argues|contends|claims|maintains|complains)\b|\b(?:he|she|they) (?:has |have )?"
    r"(?:also )?(?:submits|argues|contends|claims|argued|submitted)\b|\bGovernment information\b|"
    r"\brelied on by the parties\b|\bas submitted by\b|\b(?:the )?(?:Government|applicants?|intervener|parties)"
    r"(?:’s?|'s?) (?:argument|contention|submission|case|position|complaint|claim)s?\b[^.;]{0,60}?\b(?:is|was|are|"
    r"were) (?:his|her|their|its|that)\b", re.I)
"""Words attributed to a party: a brief may not quote them as the Court's or the author's own. So is the Court's
account of them, "The core of the applicant’s argument in the present case is his contention that …" (Salay v.
Slovakia § 84, under the Court's assessment): printed after "the Court held", the applicant's case reads as the
Court's finding."""
_FACT = re.compile(
    r"\b(?:in|since|until) (?:19|20)\d\d\b(?! (?:and|to|-|–))|\b\d{1,2} (?:" + MONTH + r") (?:19|20)\d\d\b|"
    r"^(?:\w+(?:ly)?,? )?(?:They|He|She) "
    r"(?:are|is|was|were|had|have|has|left|arrived|fled)\b|\bthe (?:first|second|third|fourth) applicant\b|"
    r"^(?:\w+, )?in the present case\b|^(?:\w+, )?in (?:the )?[A-Z][\w.]+(?: and "
    r"[A-Z]\w+)?(?: v\.| judgments?| case)|\bin the (?:earlier )?case of\b|\bper cent\b", re.I)
"""Marks of a fact rather than a rule: a date or year, the applicants or a pronoun as the subject of a past or
present state ("They are of Kurdish and Persian origin"), the present case, an earlier
case's facts, a statistic."""
_RIGHT = r"可以[^，。；：]{0,20}?(?:申请|会见|通信|委托|了解|申诉|控告|查阅|核实|拒绝)"
"""可以 "may" followed by what a suspect, defendant or lawyer does (apply, meet, appoint, complain, read the file):
a right, not a power over the person."""
_CONCESSION = re.compile(
    r"\bno prohibition\b|\bnever laid down\b|\bis not absolute\b|\bmay be non-arbitrary\b|\bwould not constitute\b|"
    r"\bonly (?:be )?in rare cases\b|\bwill not normally\b|\bnot (?:normally )?in itself\b|\bmere possibility\b|"
    r"\bbest placed\b|\bhave the right as a matter of international law\b|"
    r"严禁|不得(?:强迫|在羁押)|应当[^。，]{0,20}?通知|有权|保障|实行监督|予以排除|只适用于|"
    + _RIGHT, re.I)
"""What the requesting state relies on: a concession in the case law ("there is no prohibition on seeking
assurances", "some deprivations of life may be non-arbitrary") or a statute's safeguard (严禁 prohibits, 应当通知
shall notify, 有权 has the right, 实行监督 supervises, 予以排除 shall exclude, 只适用于 applies only to, and 可以
"may" followed by what the suspect or the lawyer does: a right). Quoted in
support it argues the other side's case; quoted for an adverse authority it is what that side will say."""
_POWER = re.compile(rf"可以(?!{_RIGHT[2:]})|责令|批准|许可|有碍|除[^。]{{0,40}}(?:以外|外)|的除外|死刑|无期徒刑|"
                    r"终身监禁|是指")
"""A statute's operative words against the requested person: a power (可以 may, unless what may be done is a
right of the defence), an order (责令), the approval or permission it turns on (批准, 许可),
an exception cutting a safeguard (有碍调查 where it would impede the investigation, 除…以外 except), a penalty, a
definition."""
_CITATION_MARK = re.compile(r"§|\bno\. ?\d|\bnos\. ?\d|Series A|ECHR \d{4}|Reports \d{4}|cited above")
_ENUMERATION = re.compile(r"(?:^|\s)\((?P<n>i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv|a|b|c|d|e|f|g)\)\s")

WEIGHTS = {"relevance": 0.5, "normative": 0.5, "turn": 0.15, "also": 0.2, "lead_in": 0.8, "party": 0.8, "fact": 0.5,
           "polarity": 0.6, "citation": 0.04, "first": 0.2}
"""How much each signal counts (`_holding_score`). Set by hand on the "tuning" cases of `bench/quote_choice.py` and
measured on its held-out cases: the signals are the sentence's form, so one weight serves every source."""


def _without_parentheses(text: str) -> str:
    """`text` without its parenthesised asides, nested ones included: citations and cross-references, not the rule."""
    while True:
        inner = re.sub(r"\([^()]*\)", " ", text)
        if inner == text:
            return text
        text = inner


def _holding_score(unit: str, wanted: set[str], adverse: bool = False, kind: str | None = None) -> float:
    """How likely `unit` is the sentence a lawyer quotes from its paragraph: one that states a rule or a finding
    about the ground (`wanted`, its terms), not a lead-in, a party's words or a fact; and one that argues the
    requested person's side, unless the passage is the other side's authority (`adverse`), whose own point is quoted
    so that the brief can answer it."""
    prose = _without_parentheses(unit)
    found = terms(prose)
    w = WEIGHTS
    score = w["relevance"] * len(found & wanted) / math.sqrt(len(found) + 1)
    states = _FINDING.search(prose) or (kind not in EVIDENCE_KINDS and _RULE.search(prose))
    score += w["normative"] * bool(states) + w["turn"] * bool(_TURN.match(unit))
    score -= w["also"] * bool(_ALSO.search(prose))
    score -= w["lead_in"] * bool(_LEAD_IN.search(unit.strip())) + w["party"] * speaks_for_a_party(unit)
    score -= w["fact"] * bool(_FACT.search(prose)) + w["citation"] * len(_CITATION_MARK.findall(prose))
    leaning = min(3, len(_POWER.findall(prose))) - min(3, len(_CONCESSION.findall(prose)))
    score += w["polarity"] * (-leaning if adverse else leaning)
    return score


def speaks_for_a_party(unit: str) -> bool:
    """Whether a sentence gives a party's words ("The applicant also complained that …", "The Government submitted
    …") rather than its author's own."""
    return bool(_PARTY.search(_without_parentheses(unit)))


def states_a_view(unit: str) -> bool:
    """Whether the sentence chosen from a passage is its author's own statement: not a party's words and not a
    lead-in to words quoted from elsewhere ("Article 14 reads as follows: …"). Printed after "the Court held", either
    would misstate the judgment; `holding_quote` ranks them last, so a passage whose best sentence is one of them
    holds no statement of the Court's to quote."""
    return not speaks_for_a_party(unit) and not _LEAD_IN.search(unit.strip())


def enumeration(text: str) -> list[str]:
    """The item labels of an enumerated test in `text`, in order (`["i", "ii", …]`), or [] when there is none."""
    labels = [m["n"] for m in _ENUMERATION.finditer(text)]
    return labels if len(labels) >= 2 and labels[0] in ("i", "a") else []


def holding_quote(text: str, query: str, adverse: bool = False, kind: str | None = None) -> str:
    """The whole sentence of `text` that states what `query` asks for, verbatim; never cut inside a parenthesis,
    a citation or a question, and never a lead-in to a list (a list is cited by its items instead). For an
    `adverse` passage, the sentence the other side relies on; from a report (`kind`, a source kind), its finding."""
    units = [u for u in quote_units(text) if not enumeration(u) or len(u.split()) <= 120]
    if not units:
        return ""
    wanted = terms(query)
    first = units[0] if _CJK_RUN.match(units[0]) else None  # a statute article states its rule first

    def rank(unit: str) -> tuple[float, int]:
        return _holding_score(unit, wanted, adverse, kind) + WEIGHTS["first"] * (unit is first), -units.index(unit)

    return max(units, key=rank)


def quote_is_whole(quote: str, text: str) -> bool:
    """True when `quote` is one or more whole sentences of `text` with every parenthesis closed."""
    return (not _open_brackets(quote) and bool(re.search(r"[.!?。)”’\]]$", quote.strip()))
            and any(norm(quote).startswith(norm(u)[:40]) for u in quote_units(text)))


def terms(text: str) -> set[str]:
    """Word stems (first seven letters) of English text and character pairs of Chinese, stop words left out."""
    lowered = text.lower()
    terms = {w[:7] for w in _WORD.findall(lowered) if w not in _STOP}
    for run in _CJK_RUN.findall(lowered):
        terms.update(run[i:i + 2] for i in range(max(1, len(run) - 1)))
    return terms


def quote_query(ground: str, label: str = "") -> str:
    """What a quotation under `ground` must carry: the ground's principle queries and its marker words."""
    built_in = GROUNDS.get(ground)
    return " ".join([*built_in.queries, built_in.terms]) if built_in else label or ground
