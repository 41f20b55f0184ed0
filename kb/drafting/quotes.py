"""Which sentence of a passage a brief quotes, cut where a lawyer would cut it.

A paragraph of a judgment mixes the facts, the parties' arguments, lead-ins ("The Court held:") and the rule; a
statute article mixes the power it confers with the safeguards and exceptions around it. The brief quotes the
principle or operative sentence (`holding_quote`), whole (`quote_units`), and for an authority filed as the other
side's (`adverse`) the sentence that side relies on. Measured on hand-labelled paragraphs: `bench/quote_choice.py`.
"""

import math
import re

from legal.grounds import GROUND_TERMS, PRINCIPLE_QUERIES

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


_QUOTES = str.maketrans({"“": "'", "”": "'", "‘": "'", "’": "'", '"': "'", "‑": "-"})


def norm(text: str) -> str:
    """Text for comparing a quotation with its source: whitespace, quote marks and hyphen variants ignored."""
    return " ".join(text.translate(_QUOTES).split()).lower()


def as_quotation(text: str) -> str:
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
    found = terms(prose)
    score = len(found & wanted) / math.sqrt(len(found) + 1)
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


def holding_quote(text: str, query: str, adverse: bool = False) -> str:
    """The whole sentence of `text` that states what `query` asks for, verbatim; never cut inside a parenthesis,
    a citation or a question, and never a lead-in to a list (a list is cited by its items instead)."""
    units = [u for u in quote_units(text) if not enumeration(u) or len(u.split()) <= 120]
    if not units:
        return ""
    wanted = terms(query)
    first = units[0]

    def rank(unit: str) -> tuple[float, int]:
        # a statute article states its rule first; what follows are conditions and exceptions
        bonus = 0.2 if unit is first and _CJK_RUN.match(unit) else 0.0
        return _holding_score(unit, wanted) + bonus, -units.index(unit)

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
    return " ".join([*PRINCIPLE_QUERIES.get(ground, ()), GROUND_TERMS.get(ground, label or ground)])
