"""The citation grammar: every form of citation that briefs and judgments use, read from plain text in linear time.

Forms (each with a test in tests/test_citation_grammar.py):
- ECtHR and Commission cases, the Court's style and the UK courts' style alike: `Saadi v. Italy [GC], no. 37201/06,
  § 125, ECHR 2008`, `M.S.S. v. Belgium and Greece`, `MSS v Belgium and Greece (2011) 53 EHRR 2`, `Öcalan v. Turkey
  (no. 2)`, `Çakıcı v. Turkey`, `Othman (Abu Qatada) v. the United Kingdom`, `Mamatkulov and Askarov v. Turkey [GC],
  nos. 46827/99 and 46951/99`, `Tomic v United Kingdom (application no. 17837/03) (dec.)`, `KRS v United Kingdom
  (32733/08), (2009) 48 EHRR SE8`, `Soering v United Kingdom (1989) 11 EHRR 439 at [91]`, `Engel and Others v. the
  Netherlands (Article 50)`; short forms `Saadi, cited above, § 125`, `Tarakhel (§ 115)`, `Tarakhel, para. 103` (a
  name the text cited in full before), and `ibid., § 45`.
- UK neutral citations with their pinpoints: `[2017] EWHC 1912 (Admin), [45]`, `… at [45]`, `… at paragraph 45`.
- UN treaty-body General Comments and Recommendations, the committee named before or after, by name, abbreviation,
  treaty or document symbol: `Committee against Torture, General Comment No. 4 (2017), para. 12`, `CCPR General
  Comment No. 20, § 9`, `General Comment No. 14 (2013) … on the UNCRC`, `CRC/C/GC/14`.
- PRC statutes in Chinese and in English, as lawyers and this tool write them: `《中华人民共和国监察法》第二十二条`,
  `监察法第22条`, `第一百二十条之一`, `Article 22 of the Supervision Law`, `Criminal Law of the People's Republic of
  China (as amended to 2023), art. 383 (中华人民共和国刑法 第三百八十三条)`, `Criminal Procedure Law (2018), art. 75`.

Never read as citations: law reports (`[2012] BLGR 530` is not General Recommendation 530, `[2005] 2 AC 668`),
domestic cases against a state (`X v Romania [2013] EWHC 1234 (Admin)` is a UK case), and cases the text places
before another court (`the International Court of Justice in … (Germany v. Italy, Greece intervening)`,
`(Democratic Republic of Congo v. Belgium) ICJ Rep. (2002) 3`) unless they carry a Strasbourg mark (a number,
`[GC]`, `(dec.)`, a Strasbourg report).

Linear time, whatever the text: no pattern here can backtrack without bound. The text is tokenised once; every
citation is found from an anchor (`v`, `cited above`, `§`, `ibid`, `General Comment`, `第…条`, `art.`) and read by
a hand-written walk over at most a fixed number of tokens either side, or by a pattern applied to a slice of bounded
length. Hostile text (300 KB of capitalised words, "See Smith" and thousands of " and Others", runs of "v.") is read
in well under a second (tests/test_citation_grammar.py, bench/check_accuracy.py).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations, islice
from typing import NamedTuple

from legal.dates import MONTH as _MONTH
from legal.dates import find_date
from legal.numerals import ARTICLE_LABEL, article_number
from legal.prc import PRC_LAWS
from legal.states import OTHER_NAMES, STATE_NAMES
from legal.text import broken_hyphen, join_broken_hyphens

STATES = STATE_NAMES
"""Respondent states of the Council of Europe (`legal.states`): `X v. <state>` is what tells a Strasbourg case from
`R (X) v Home Secretary`."""

MAX_NAME_TOKENS = 16
"""Words an applicant's name may have before `v`: `Hussein Diirshi and Others`, `Luedicke, Belkacem and Koç`,
`National & Provincial Building Society, Leeds Permanent Building Society and Yorkshire Building Society` fit;
it bounds the walk back from each `v`, which is what keeps hostile runs of capitalised words linear."""
MAX_TAIL_CHARS = 400
"""How far after the respondent state a citation's parts (`[GC]`, numbers, pinpoints, date, reports) may reach."""
MAX_RANGE = 60
"""A pinpoint range longer than this (`§§ 12-1990`) is read as its first paragraph: it is a typo or not a range."""
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8}
"""Inter-state cases are numbered in Roman numerals: `Georgia v. Russia (I)`."""

# Tokens ------------------------------------------------------------------------------------------------------------

TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_](?:[\w’']|-(?=\w))*+|\d+|\S")
"""Initials (`M.S.S.`), words (letters of any script, inner apostrophes and hyphens), numbers, single marks."""


class Token(NamedTuple):
    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


class _Lazy(list):
    """Tokens of a text made from their spans when indexed: a 300 KB paragraph has ~100,000 tokens, and only those
    next to an anchor are ever looked at."""

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        super().__init__(spans)
        self.text = text

    def __getitem__(self, i):  # type: ignore[override]
        s, e = list.__getitem__(self, i)
        return Token(s, e, self.text[s:e])


class _Tokens:
    """A text's tokens, made on first use (most paragraphs have no anchor that needs them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._tokens: list[Token] | None = None
        self._starts: list[int] = []

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            spans = [m.span() for m in TOKEN.finditer(self.text)]
            self._tokens = _Lazy(self.text, spans)
            self._starts = [s for s, _ in spans]
        return self._tokens

    def before(self, pos: int) -> int:
        """Index of the last token that starts before `pos` (-1 if none)."""
        self.tokens  # noqa: B018 - made on first use
        return bisect.bisect_left(self._starts, pos) - 1


CONNECTORS = frozenset({"and", "&", "of", "de", "del", "della", "di", "da", "dos", "das", "do", "van", "von", "der",
                        "den", "ten", "ter", "la", "le", "les", "el", "al", "bin", "ben", "ibn", "du", "des", "y",
                        "e", "zu", "und", "others", "et"})
"""Lower-case words inside a case name: `Mamatkulov and Askarov`, `de Souza Ribeiro`, `Al-Nashif and others`."""
LEAD_WORDS = frozenset({
    "See", "Also", "In", "Cf", "Compare", "Contrast", "Following", "Unlike", "Like", "Per", "Both", "Where", "While",
    "Whereas", "After", "Before", "Since", "Under", "Applying", "Citing", "As", "And", "But", "Thus", "Hence",
    "However", "Moreover", "Furthermore", "Indeed", "So", "Then", "Therefore", "Accordingly", "Similarly",
    "Likewise", "Further", "Finally", "Here", "There", "That", "This", "These", "Those", "It", "He", "She", "They",
    "We", "Our", "His", "Her", "Its", "Their", "Mr", "Mrs", "Ms", "Lord", "Lady", "Justice", "Judge", "Court",
    "Chamber", "Grand", "ECtHR", "Strasbourg", "ECHR", "European", "Commission", "Judgment", "Judgments", "Decision",
    "Case", "Cases", "Of", "On", "To", "By", "For", "From", "With", "If", "When", "Although", "Though", "Notably",
    "Recently", "Earlier", "Later", "First", "Second", "Third", "Most", "Only", "Even", "Again", "Yet", "Or", "Nor",
    "Eg", "Ie", "Nb", "Re", "Affaire", "Mutatis", "Mutandis", "Article", "Articles", "Art", "Paragraph",
    "Paragraphs", "Para", "Paras", "Each", "Either", "Neither", "Whether", "What", "Which", "Who", "Why",
    "How", "Once", "Because", "Given", "Despite", "During", "Including", "Namely", "Especially", "Particularly",
    "Subsequently", "Consequently", "Meanwhile", "Nevertheless", "Nonetheless", "Otherwise", "Instead", "Hereafter",
    "Does", "Do", "Did", "Is", "Should", "Would", "Could", "Must",
})
"""Capitalised words that begin a sentence or a reference but are never part of an applicant's name; the opening
verbs of a lawyer's question too (`Does Öcalan v. Turkey apply?`), not `Can` or `May` (`Can v. Austria`)."""


def _is_name_word(token: Token) -> bool:
    return token.text[0].isalpha() and token.text[0].isupper()


def _name_start(tokens: list[Token], last: int, floor: int = 0) -> int | None:
    """Index of the first token of the case name that ends at token `last` (the word before `v`), walking back over
    at most MAX_NAME_TOKENS tokens: capitalised words, initials (`M.S.S.`, `NA.`), connectors and a parenthesis of
    names (`Othman (Abu Qatada)`), commas of a list of applicants that ends in `and` (`Abdulaziz, Cabales and
    Balkandali`, `Luedicke, Belkacem and Koç`), never before the text offset `floor` (where the previous citation
    ended). None when there is no name."""
    first = None
    listed = False
    """An `and` between a name word and `v`: a comma before it may separate applicants."""
    j, used = last, 0
    while j >= 0 and used < MAX_NAME_TOKENS:
        t = tokens[j]
        if t.start < floor:
            break
        if _is_name_word(t):
            first = j
        elif t.text == "." and j > 0 and _is_name_word(tokens[j - 1]) and tokens[j - 1].end == t.start \
                and len(tokens[j - 1].text) <= 4 and tokens[j - 1].text.isupper():
            first = j - 1  # `NA.`, `N.`: initials as the Court prints them
            j -= 1
        elif (t.text[0].isalpha() or t.text == "&") and t.text.lower() in CONNECTORS:
            listed = listed or first is not None and t.text.lower() in ("and", "&")
            # `and`, `&`, `others`: kept only between name words (leading ones are trimmed below)
        elif t.text == "," and listed and first == j + 1 and j > 0 and _is_name_word(tokens[j - 1]) \
                and tokens[j - 1].text not in LEAD_WORDS:
            pass  # `Abdulaziz, Cabales and Balkandali`
        elif t.text == "-" and first == j + 1 and j > 0 and tokens[j - 1].end == t.start \
                and tokens[j + 1].start == t.end + 1 and broken_hyphen(tokens[j - 1].text, tokens[j + 1].text):
            first = j - 1  # `Al- Adsani`: one name the source broke at a line end
            j -= 1
        elif t.text == ")" and first is None:
            k = j - 1
            while k >= 0 and j - k <= 8 and tokens[k].text != "(" and _is_name_word(tokens[k]):
                k -= 1
            if k >= 0 and tokens[k].text.isdigit() and k >= 3 and tokens[k - 1].text == "." \
                    and tokens[k - 2].text in ("no", "nos") and tokens[k - 3].text == "(":
                j = k - 3  # `Holzinger (no. 2) v. Austria`: the number written before `v`
                used += 1
                j -= 1
                continue
            if k < 0 or tokens[k].text != "(" or k == j - 1:
                break
            first, j = k, k
        else:
            break
        j -= 1
        used += 1
    if first is None:
        return None
    # trim: a name starts with a name word, not a connector or a word that opens a sentence or reference
    while first <= last:
        t = tokens[first]
        if t.text[0].isalpha() and (t.text.lower() in CONNECTORS and not t.text[0].isupper() or t.text in LEAD_WORDS):
            first += 1
        else:
            break
    if first > last or not _is_name_word(tokens[first]) and tokens[first].text != "(":
        return None
    return first


def _after_v(tokens: list[Token], first: int) -> bool:
    """Whether the name starting at token `first` follows a `v` (it is a respondent, not an applicant)."""
    one = tokens[first - 1].text if first >= 1 else ""
    return one in ("v", "vs") or one == "." and first >= 2 and tokens[first - 2].text in ("v", "vs")


# Citations ---------------------------------------------------------------------------------------------------------

@dataclass
class Citation:
    """One citation as written, before it is resolved to a document."""

    kind: str
    """`echr`, `uk`, `un`, `prc`."""
    form: str
    """`full`, `short` (`Saadi, cited above` or a name cited in full before), `ibid`."""
    start: int
    end: int
    text: str
    """The citation on one line, as written."""
    name: str | None = None
    """ECtHR: the applicant as written (`M.S.S.`); UK: the neutral citation; UN: the committee (`CAT`) if named;
    PRC: the statute as written (`监察法`, `Criminal Law`)."""
    state: str | None = None
    appnos: tuple[str, ...] = ()
    date: str | None = None
    """ISO date written in the citation (`28 February 2008` → 2008-02-28)."""
    year: int | None = None
    year_exact: bool = True
    """False for a law report's year (`(1989) 11 EHRR 439`): the judgment is of that year or up to two before."""
    decision: bool = False
    """Marked as a decision: `(dec.)`, `admissibility decision`, a report in EHRR SE/CD or Decisions and Reports."""
    grand_chamber: bool = False
    number: int | None = None
    """`(no. 2)`: the second case of that name."""
    variant: str | None = None
    """`article 50`, `revision`, `interpretation`, `merits`: a judgment other than (or explicitly) the principal."""
    reports: tuple[str, ...] = ()
    """Every report reference, in one spelling (`_report_key`): `ECHR 2008`, `(2009) 49 EHRR 30`, `DR 59 p. 257`."""
    paragraphs: tuple[str, ...] = ()
    """Pinpoints: `125`, `124`…`133`; PRC `383` or `120-1`."""
    key: str | None = None
    """UN `GC-4` / `GR-19`; PRC the statute's Chinese short name when known (`刑法`)."""
    note: int | None = None
    """The footnote a cross-reference names, where the full citation stands: `Saadi (n 12) [96]`, `supra note 12`."""
    same_place: bool = False
    """`loc. cit.`: the place cited before, its pinpoint too when the citation gives none."""
    domestic_namesake: bool = False
    """A short form whose name the text also gave a domestic case (`Al-Jedda at [145]` after `Al-Jedda v Secretary of
    State for Defence [2007] UKHL 58`): it may mean either."""
    quotes: list[str] = field(default_factory=list)

    @property
    def reporter(self) -> str | None:
        """The first of `reports` in one of the Court's own reporters (`OFFICIAL_REPORTS`): what the Court's
        publication of the judgment says of its importance; law reports (EHRR, DR, BHRC) and HUDOC's neutral
        `[2008] ECHR 14` do not."""
        return next((r for r in self.reports if _OFFICIAL_REPORT.fullmatch(r)), None)


def fold(text: str) -> str:
    """Lower case without accents (`Öcalan` → `ocalan`, `Çakıcı` → `cakici`): names compare as a lawyer types them."""
    text = (text or "").replace("ı", "i").replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def strip_marks(text: str) -> str:
    """Accents and combining marks removed, case kept: HUDOC titles carry stray ones (`Şeri̇Fe Yi̇Ği̇T`)."""
    text = text.replace("ı", "i").replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


NAME_STOPWORDS = frozenset({"and", "others", "the", "of", "de", "van", "von", "der", "la", "le", "case", "affaire",
                            "et", "autres", "&", "del", "da", "di", "du", "des", "den"})


_V_SPLIT = re.compile(r"\s+v\.?\s+")
_NUMBER_PAREN = re.compile(r"\((?:no|nos)\.?[^)]*\)")
_NAME_WORD = re.compile(r"(?:[^\W\d_]\.\s?)+|[^\W\d_][\w’'\-]*")


def parties(name: str) -> list[str]:
    """A case name cut at its `v`, the cuts kept: `['GOVERNMENT OF RWANDA', ' v ', 'EMMANUEL NTEZIRYAYO']`."""
    return re.split(f"({_V_SPLIT.pattern})", name)


def applicant_tokens(name: str | None) -> tuple[str, ...]:
    """The words that identify an applicant: `Vilvarajah and Others` → (`vilvarajah`,); initials keep their letters
    together (`M.S.S.`, `MSS`, `M. S. S.` → `mss`), so UK and Strasbourg spellings agree."""
    name = _V_SPLIT.split(join_broken_hyphens(strip_marks(name or "")), maxsplit=1)[0]
    name = _NUMBER_PAREN.sub(" ", name)
    words: list[str] = []
    for raw in _NAME_WORD.findall(name):
        if "." in raw:
            words.append(fold(raw.replace(".", "").replace(" ", "")))
        else:
            words.append(fold(raw).replace("’", "'"))
    kept = tuple(w for w in words if w and w not in NAME_STOPWORDS)
    return kept or tuple(w for w in words if w)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance between `a` and `b`, or `limit + 1` as soon as it must exceed `limit` (a suggestion among
    thousands of a state's applicants stops early on every name that is not close)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def title_applicant(title: str, core: bool = False) -> tuple[str, ...]:
    """The applicant's words in a judgment's title (`CASE OF M.S.S. v. BELGIUM AND GREECE` → (`mss`,)), as
    `applicant_tokens` reads a cited name, so the two compare; `core`: only the words outside a parenthesis
    (`Othman` of `Othman (Abu Qatada)`)."""
    applicant = re.split(r"\s+v\s*\.?\s+", title)[0]
    applicant = re.sub(r"^\s*(?:case\s+of|affaire)\s+", "", applicant, flags=re.I)
    if core:
        applicant = re.sub(r"\([^)]*\)", " ", applicant)
    return applicant_tokens(applicant)


def initials_only(name: str | None) -> bool:
    """`M.S.S.`, `MSS`, `N.`, `NA.`, `A and B`: a name made of initials identifies nothing without its number."""
    words = re.findall(r"[^\W\d_][\w’'\-]*\.?|(?:[^\W\d_]\.)+", re.sub(r"\([^)]*\)", " ", name or ""))
    words = [w for w in words if w.lower().rstrip(".") not in NAME_STOPWORDS]
    return bool(words) and all(w.rstrip(".").isupper() and len(w.rstrip(".").replace(".", "")) <= 4 for w in words)


STATE_ALIASES = {" ".join(fold(name).split()): " ".join(fold(short).split()) for name, short in OTHER_NAMES.items()}
"""Another name of a state → its short name, both folded: `state_key` compares them."""


def state_key(state: str | None) -> str:
    s = re.sub(r"^the\s+", "", " ".join(fold(state or "").split()))
    return STATE_ALIASES.get(s, s)


_NUM = r"\d{1,4}(?:\s*[-–‑]\s*\d{1,4}|\s+to\s+\d{1,4})?"
PARAS = (rf"{_NUM}(?![\d/]|\.\d)(?:\s*(?:,|and|&)\s*{_NUM}(?![\d/]|\.\d|\s*(?:{_MONTH})\b|\s*E\.?H\.?R\.?R|\s*ECHR"
         rf"|\s*(?:[A-Z]{{2,}}|All\s+ER)\b)){{0,30}}+")
"""Paragraph numbers and ranges after `§`, `§§`, `para.`: `124-133`, `124 to 133`, `90 and 91`, `37, 38`; not the day
of a date that follows (`§ 44, 3 March 2005`), an application number (`§ 5, 1234/05`) or a report (`§ 7, 11 EHRR
439`), nor a dotted clause number (`Schedule D4 §1.1.8`: no court numbers its paragraphs so)."""


def parse_pinpoints(numbers: str) -> tuple[str, ...]:
    """`124-133` → 124…133; `115-16` → 115, 116; `90 and 91` → 90, 91."""
    out: list[int] = []
    for part in re.split(r"\s*(?:,|and|&)\s*", numbers):
        bounds = re.split(r"\s*[-–‑]\s*|\s+to\s+", part.strip())
        if not bounds[0].isdigit():
            continue
        start = end = int(bounds[0])
        if len(bounds) == 2 and bounds[1].isdigit():
            tail = bounds[1]
            end = int(tail)
            if end < start and len(tail) < len(bounds[0]):
                end = int(bounds[0][: len(bounds[0]) - len(tail)] + tail)
            if not 0 <= end - start <= MAX_RANGE:
                end = start
        out.extend(range(start, end + 1))
    return tuple(str(n) for n in dict.fromkeys(out))


# ECtHR --------------------------------------------------------------------------------------------------------------

_STATE_ALT = "|".join(sorted((re.escape(s).replace(r"\ ", r"\s+") for s in STATES), key=len, reverse=True))
RESPONDENT = re.compile(rf"\s*[“\"]?(?:[Tt]he\s+)?(?P<state>{_STATE_ALT})(?![\w’'-])[”\"]?"
                        rf"(?P<more>(?:\s*(?:,|and|&)\s*(?:the\s+)?(?:{_STATE_ALT})(?![\w’'-])){{0,4}})"
                        r"(?:\s+and\s+(?:\d{1,2}\s+)?[Oo]thers\b)?")
V_ANCHOR = re.compile(r"(?<![\w.])v(?:s)?\.?(?=\s)")
NO_RESPONDENT = re.compile(r"(?:\s*the)?\s*(?=,\s*(?:[Nn]os?\.|[Aa]ppl)|\[(?:GC|Committee|dec\.)\]|\(dec\.\))")
"""`Kudła v.  [GC], no. 30210/96`, `B. and L. v. the , no. 36536/02`: a respondent state the corpus's conversion
dropped (HUDOC's smart-tagged country names, `DROPPED_WORDS`); read only when an application number follows."""

APPNO = re.compile(r"\b\d{1,6}/\d{2}\b")
_APP = r"\d{1,6}/\d{2}(?!\d)"
_APP_LIST = rf"{_APP}(?:\s*(?:,|and|&)\s*(?:nos?\.?\s*)?{_APP}){{0,40}}+"
UK_COURTS = (r"UKSC|UKHL|UKPC|UKUT|UKFTT|UKAIT|UKIAT|UKEAT|EWCA|EWHC|EWCOP|EWFC|EWCC|CSIH|CSOH|HCJAC|NICA|NIQB|NIKB|"
             r"IEHC|IESC|IECA")
UK_NEUTRAL = re.compile(
    rf"\[(?P<year>\d{{4}})\]\s*(?P<court>{UK_COURTS})\s+(?:(?P<div>Civ|Crim|IAC|AAC|TCC)\.?\s+)?"
    r"(?P<number>\d{1,6})\b(?:\s*\((?P<bracket>[A-Za-z]{2,12})\))?")
_UK_BARE_PIN = re.compile(r",?\s*at\s+(?P<paras>\d{1,3}(?:\s*[-–]\s*\d{1,3})?)(?![\d.:/]|\s*(?:am|pm)\b)")
"""A judge's `[2002] EWCA Civ 1868 at 14-16`: paragraphs without brackets, read after a neutral citation only."""
DOMESTIC_REPORTS = (r"AC|QB|KB|Ch|Fam|WLR|All\s*ER|All\s*ER\s*\(D\)|BLGR|LGR|Cr\s*App\s*R|Crim\s*LR|ICR|IRLR|"
                    r"Lloyd's\s*Rep|P\s*&\s*CR|EGLR|BCLC|BCC|EMLR|SC|SLT|NI|IR|ILRM|CMLR|ECR|PIQR|RTR|STC|TC|"
                    r"Env\s*LR|JPL|ACD|COD|CLC|Costs\s*LR|WTLR|BPIR|Bus\s*LR")
"""Law reports of domestic (and Luxembourg) judgments only: a case reported there is not a Strasbourg case."""
MIXED_REPORTS = r"Imm\s*AR|INLR|UKHRR|HRLR|FLR|FCR|BHRC|BMLR|Med\s*LR|EHRLR"
"""Law reports that print Strasbourg judgments as well as domestic ones (`Maslov v Austria [2009] INLR 47`): they
decide nothing about the court."""
LAW_REPORT = re.compile(rf"[\[(]\d{{4}}[\])]\s*(?:\d{{1,3}}\s*)?(?:{DOMESTIC_REPORTS})\s+\d{{1,5}}\b")
"""A domestic law report (`[2005] 2 AC 668`, `[2012] BLGR 530`): never an ECtHR or UN citation."""

OFFICIAL_REPORTS = (r"\bECHR\s+\d{4}(?:-[IVXL]+)?(?:\s+\(extracts\))?"
                    r"|\bSeries\s+A\s+no\.?\s*\d{1,4}(?:-?[A-C]\b)?"
                    r"|\bReports(?:\s+of\s+Judgments\s+and\s+Decisions)?\s+\d{4}-[IVXL]+")
"""The Court's own reporters, by which it cites its judgments: the ECHR Reports since 1999 (`ECHR 2008-II
(extracts)`), Series A before 1996 (`Series A no. 161`), Reports of Judgments and Decisions 1996-1998."""
_OFFICIAL_REPORT = re.compile(OFFICIAL_REPORTS)
_ONE_JUDGMENT_REPORT = re.compile(r"EHRR\s*(?:SE|CD)?\s*\d|\)\s*ECHR\s*\d|Series\s+A")


def names_one_judgment(report: str) -> bool:
    """Whether a report reference (one of `Citation.reports`) names one judgment: a page of EHRR, a BAILII number
    (`(2008) ECHR 14`), a Series A number; not `ECHR 2012` or `Reports 1996-V`, volumes shared by many judgments."""
    return bool(_ONE_JUDGMENT_REPORT.search(report))


NOTE_REF = r"(?:n|fn|note)\.?\s*\d{1,4}(?!\d)"
"""A cross-reference to the footnote of a full citation: OSCOLA's `(n 12)`, `(above n 12)`, the US `supra note 12`."""
_NOTE_NUMBER = re.compile(r"(?:n|fn|note)\.?\s*(\d{1,4})")
_EHRR = r"E\.?\s?H\.?\s?(?:R|H)\.?\s?R\.?"
"""European Human Rights Reports, as printed and as mistyped (`E.H.R.R.`, `EHHR`)."""
_BRACKET_NUMS = r"\d{1,4}(?:\s*[-–]\s*\d{1,4})?(?:\s*(?:,|and)\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?){0,10}"
_REPORT_AFTER_YEAR = (rf"\s*(?:\d{{1,3}}\s*)?(?:(?:{UK_COURTS}|{DOMESTIC_REPORTS}|{MIXED_REPORTS}|ECHR|{_EHRR})(?!\w)"
                      r"|[A-Z][A-Z.&]{1,7}(?![\w’'])"
                      r"|(?!(?:The|In|At|On|An?|This|That|It|He|She|We|They|But|And)\s)"
                      r"(?:[A-Z(&][\w.’'&()]{0,15}\s+){1,5}\d)")
"""What follows a year in square brackets that opens a report or a neutral citation (`[1999] 1 BCLC 489`,
`[2005] UKHL 26`, `[2006] Extradition LR 176`, `[2005] 1 W.L.R. 393`, `[2003] 1 A.C. 1`, `[1998] Crim. L.R. 893`,
`[2004] Lloyd’s Rep Med 76`, `[2012] 1 Cr App R (S) 100`, `[2015] 1 P. & C.R. 12`, `[2006] RPC at [60]`), not a
sentence (`[1189] The judge found`)."""
_BRACKET_PIN = rf"\[(?!\d{{4}}\]{_REPORT_AFTER_YEAR}){_BRACKET_NUMS}\]"
"""A bracketed pinpoint, `[45]`, `[7-8 and 12-14]`, and a long judgment's `[1189]` (2018 EWHC 1077 (Ch) has 1,500
paragraphs, which its appeal, 2020 EWCA Civ 408, cites so: `at [1131]-[1134]`); not the year of a report that
follows (`at [1999] 1 BCLC 489`), which the pinpoint's `at [1999]` once read as paragraph 1999 while `[1189]` after a
citation went unread."""
_TAIL_PARTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(pattern)) for name, pattern in (
    ("uk", rf"\[\d{{4}}\]\s+(?:{UK_COURTS})\b"),
    ("domestic", LAW_REPORT.pattern),
    ("gc", r"\[GC\]|\(GC\)|\bGC\b"),
    ("formation", r"\[(?:Committee|Chamber|Plenary)\]"),
    ("dec", r"[(\[]\s*(?:dec\.?|[Aa]dmissibility(?:\s+[Dd]ecision)?)\s*[)\]]|\bdec\.(?!\w)"
            r"|(?:an?\s+)?(?:[Aa]dmissibility\s+)?[Dd]ecision(?:\s+on\s+(?:the\s+)?"
            r"admissibility)?(?:\s+of\s+\d{1,2}\s+(?:" + _MONTH + r")\s+\d{4})?"),
    ("variant", r"\(\s*(?:Article\s+50|[Jj]ust\s+[Ss]atisfaction|[Rr]evision|[Ii]nterpretation|[Mm]erits"
                r"|[Pp]reliminary\s+[Oo]bjections?)\s*\)"),
    ("number", r"\(\s*nos?\.\s*\d{1,2}(?:\s*(?:and|,)\s*\d{1,2}){0,5}\s*\)|\(\s*(?:I{1,3}|IV|V|VI{1,3})\s*\)"),
    ("appno", rf"(?:[Aa]pplications?|[Aa]pp(?:l)?s?\.?)\s+(?:[Nn]os?\.?\s*)?{_APP_LIST}|[Nn]os?\.?\s*{_APP_LIST}"
              rf"|{_APP_LIST}|\d{{3,6}}/\d(?!\d)"),
    ("report", rf"[\[(]\d{{4}}[\])]?\s*(?:\d{{1,3}}\s*)?{_EHRR}\s*(?:SE|CD)?\s*\d{{1,5}}"
               rf"|\d{{1,3}}\s*{_EHRR}\s*(?:SE|CD)?\s*\d{{1,5}}"
               rf"|\[\d{{4}}\]\s*ECHR\s*\d{{1,5}}|{OFFICIAL_REPORTS}"
               r"|\b(?:D\.R\.|DR)\s*\d{1,3}(?:,?\s*p\.?\s*\d{1,4})?|\d{1,3}\s*(?:D\.R\.|DR)\s*\d{1,4}"
               rf"|[\[(]\d{{4}}[\])]\s*(?:\d{{1,3}}\s*)?(?:{MIXED_REPORTS})\s+\d{{1,5}}\b|\d{{1,3}}\s*BHRC\s*\d{{1,5}}"),
    ("court", rf"\(\s*(?:ECtHR|ECHR|EComHR|Commission)\s*(?:\[GC\]\s*)?,\s*(?:(?:judgment|decision)\s+of\s+)?"
              rf"\d{{1,2}}\s+(?:{_MONTH})\s+\d{{4}}\s*\)"),
    ("date", rf"(?:(?:judgment|decision)\s+of\s+)?\d{{1,2}}\s+(?:{_MONTH})\s+\d{{4}}"),
    ("year", r"\(\d{4}\)"),
    ("above", rf"cited\s+above|(?:op\.?|loc\.?)\s+cit\.?|supra(?:\s*,?\s*{NOTE_REF})?(?!\w)|above\s*,?\s*{NOTE_REF}"
              rf"|\(\s*(?:above\s*,?\s*)?{NOTE_REF}\s*\)|\(\s*above\s*\)"),
    ("pin", rf"(?:at\s+)?[§¶]{{1,2}}\s*{PARAS}|(?:at\s+)?(?:paragraphs?|paras?\.?)\s*{PARAS}(?!\s*above|\s*below)"
            rf"|(?:at\s+)?{_BRACKET_PIN}(?:\s*(?:-|–|to|and|,)\s*{_BRACKET_PIN}){{0,10}}+"),
    ("judgment", r"(?:judgment|case)\b"),
    ("pages", r"pp?\.\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?"),
))
_TAIL_SEP = re.compile(r"\s*[,;:]?\s*")
_TAIL_OPEN = re.compile(r"[(\[]\s*")
_TAIL_CLOSE = re.compile(r"\s*[)\]]")


@dataclass
class _Tail:
    end: int
    parts: list[tuple[str, str]]


def _part_at(text: str, at: int, limit: int) -> tuple[str, re.Match[str]] | None:
    for name, pattern in _TAIL_PARTS:
        m = pattern.match(text, at, limit)
        if m and m.end() > at:
            return name, m
    return None


def _tail(text: str, pos: int) -> _Tail:
    """The run of citation parts after a case name: `[GC]`, numbers, pinpoints, dates, reports, `cited above`,
    each optionally bracketed, until prose begins (or MAX_TAIL_CHARS)."""
    limit = min(len(text), pos + MAX_TAIL_CHARS)
    end, parts, depth = pos, [], 0
    while end < limit and len(parts) < 25:
        at = _TAIL_SEP.match(text, end, limit).end()
        part = _part_at(text, at, limit)
        if part is None and (bracket := _TAIL_OPEN.match(text, at, limit)):
            part = _part_at(text, bracket.end(), limit)
            depth += part is not None
        if part is None:
            break
        name, m = part
        parts.append((name, m.group()))
        end = m.end()
        while depth and (close := _TAIL_CLOSE.match(text, end, limit)):
            end, depth = close.end(), depth - 1
    return _Tail(end, parts)


_REPORT_YEAR = re.compile(r"ECHR\s+(\d{4})|\[(\d{4})\]\s*ECHR|Reports[^\d]{0,40}(\d{4})-")


def _year_of(parts: list[tuple[str, str]]) -> tuple[int | None, bool]:
    for name, value in parts:
        if name == "report":
            if m := _REPORT_YEAR.search(value):
                return int(next(g for g in m.groups() if g)), True
    for name, value in parts:
        if name == "report" and (m := re.match(r"[\[(](\d{4})[\])]?", value)):
            return int(m.group(1)), False
    for name, value in parts:
        if name == "year":
            return int(value.strip("()")), True
    return None, True


def _pins(parts: list[tuple[str, str]]) -> tuple[str, ...]:
    out: list[str] = []
    for name, value in parts:
        if name != "pin":
            continue
        if "[" in value:
            inner = re.findall(r"\[([^\]]{1,80})\]", value)
            if len(inner) == 2 and inner[0].isdigit() and inner[1].isdigit() and re.search(r"\]\s*(?:-|–|to)\s*\[",
                                                                                          value):
                out.extend(parse_pinpoints(f"{inner[0]}-{inner[1]}"))
            else:
                for numbers in inner:
                    out.extend(parse_pinpoints(numbers))
        else:
            out.extend(parse_pinpoints(re.sub(r"^(?:at\s+)?(?:[§¶]{1,2}|paragraphs?|paras?\.?)\s*", "", value)))
    return tuple(dict.fromkeys(out))


_SPACE_BEFORE_MARK = re.compile(r"\s+([,;)\]])")


def _as_written(text: str) -> str:
    """The citation's text on one line (a word a line break split joined again, `Al- Adsani` → `Al-Adsani`), without
    an unbalanced closing bracket or trailing punctuation."""
    text = join_broken_hyphens(" ".join(text.split())).rstrip(" ,;:([")
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    while text and text[-1] in ")]" and text.count(text[-1]) > text.count("(" if text[-1] == ")" else "["):
        text = text[:-1].rstrip(" ,;")
    return text


_APPNO_LOOSE = re.compile(r"\d{1,6}/\d{1,2}(?!\d)")


def _report_key(report: str) -> str:
    """A report reference in one spelling, so that two citations of one report compare: `(2013) 56 EHHR 27` and
    `(2013) 56 E.H.R.R. 27` → `(2013) 56 EHRR 27`."""
    report = re.sub(_EHRR, "EHRR", report)
    return " ".join(re.sub(r"\[", "(", re.sub(r"\]", ")", report)).split())


def _echr_from_parts(kind_form: str, text: str, start: int, tail: _Tail, name: str, state: str | None) -> Citation:
    parts = tail.parts
    year, exact = _year_of(parts)
    joined = " ".join(v for _, v in parts)
    variant = None
    for n, v in parts:
        if n == "variant":
            variant = " ".join(v.strip("() ").lower().split())
            variant = {"just satisfaction": "article 50", "preliminary objection": "preliminary objections"}.get(
                variant, variant)
    number = None
    for n, v in parts:
        if n == "number":
            digits = re.findall(r"\d+", v)
            number = int(digits[0]) if digits else ROMAN[v.strip("() ")]
    if number is None and (written := re.search(r"\(nos?\.\s*(\d{1,2})\)", name)):
        number = int(written.group(1))  # `Holzinger (no. 2) v. Austria`
    reports = tuple(_report_key(v) for n, v in parts if n == "report")
    above = [v for n, v in parts if n == "above"]
    note = next((int(m.group(1)) for v in above if (m := _NOTE_NUMBER.search(v))), None)
    decision = any(n == "dec" for n, _ in parts) or any(
        re.search(r"EHRR\s*(?:SE|CD)|\bD\.?R\.?\b", r) for r in reports)
    return Citation(
        kind="echr", form="short" if kind_form == "short" or any(n == "above" for n, _ in parts) else "full",
        start=start, end=tail.end, text=_as_written(text[start:tail.end]),
        name=join_broken_hyphens(" ".join(name.split())),
        state=" ".join(state.split()) if state else None,
        appnos=tuple(dict.fromkeys(_APPNO_LOOSE.findall(" ".join(v for n, v in parts if n == "appno")))),
        date=find_date(joined), year=year, year_exact=exact, decision=decision,
        grand_chamber=any(n == "gc" or n == "court" and "[GC]" in v for n, v in parts), number=number,
        variant=variant, reports=reports,
        paragraphs=_pins(parts), note=note, same_place=any(v.startswith("loc") for v in above))


# UN ----------------------------------------------------------------------------------------------------------------

UN_COMMITTEES = {
    "CAT": ("committee against torture", "cat", "uncat", "convention against torture"),
    "CCPR": ("human rights committee", "hrc", "ccpr", "iccpr", "international covenant on civil and political "
             "rights"),
    "CESCR": ("committee on economic, social and cultural rights", "cescr", "icescr", "international covenant on "
              "economic, social and cultural rights"),
    "CERD": ("committee on the elimination of racial discrimination", "cerd", "icerd"),
    "CEDAW": ("committee on the elimination of discrimination against women", "cedaw"),
    "CRC": ("committee on the rights of the child", "crc", "uncrc", "convention on the rights of the child"),
    "CRPD": ("committee on the rights of persons with disabilities", "crpd", "convention on the rights of persons "
             "with disabilities"),
    "CMW": ("committee on migrant workers", "cmw"),
    "CED": ("committee on enforced disappearances", "ced"),
}
"""Each committee by its name, abbreviation and treaty (`on the UNCRC` names the Committee on the Rights of the
Child)."""
_COMMITTEE_NAMES = sorted(((n, code) for code, names in UN_COMMITTEES.items() for n in names), key=lambda x: -len(x[0]))
_COMMITTEE_ALT = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n, _ in _COMMITTEE_NAMES)
COMMITTEE = re.compile(rf"(?<![\w/])(?:{_COMMITTEE_ALT})(?![\w/])", re.I)
UN_ANCHOR = re.compile(r"\b(?:[Jj]oint\s+)?[Gg]eneral\s+(?P<kind>[Cc]omment|[Rr]ecommendation)s?\b"
                       r"|(?<![\w\[/])(?P<abbr>GC|GR)(?=\s*(?:No\.?|no\.)\s*\d)")
_UN_NUMBER = re.compile(r"\s*(?:[Nn]o\.?|[Nn]umber|[Nn]r\.?)?\s*(?P<number>\d{1,3})(?![\d/])"
                        r"(?:\s*\((?P<year>\d{4})\))?")
UN_SYMBOL = re.compile(r"\b(?P<code>CAT|CCPR|CESCR|CERD|CEDAW|CRC|CRPD|CMW|CED)/C/(?:GC|GR)/\d+")
_UN_PIN = re.compile(rf"(?:§§?|paragraphs?|paras?\.?)\s*(?P<paras>{PARAS})")
UN_WINDOW = 160
"""Characters after a General Comment's number searched for its committee and pinpoint, within the sentence."""


def _committee_code(name: str) -> str | None:
    folded = " ".join(name.lower().split())
    return next((code for n, code in _COMMITTEE_NAMES if n == folded), None)


_CLAUSE_END = re.compile(r";|\n|\.\s+(?=[A-Z“\"‘(])|\)\.")


def _sentence_end(text: str, start: int, limit: int) -> int:
    """The end of the sentence or clause starting at `start` (`;`, a full stop before a capital, a new line)."""
    m = _CLAUSE_END.search(text, start, limit)
    return m.start() if m else limit


UN_CONTEXT = 400
"""Characters before a General Comment searched for the one committee or treaty the passage speaks of (`under the
UNCRC Article 31 …, as General Comment 17 made clear`)."""


def _only_committee(text: str, mentions: list[tuple[int, str]], anchor: int) -> str | None:
    """The committee or treaty named in the UN_CONTEXT characters before `anchor`, if only one is."""
    i = bisect.bisect_left(mentions, (anchor, ""))
    j = bisect.bisect_left(mentions, (anchor - UN_CONTEXT, ""))
    codes = {code for _, code in mentions[j:i]}
    return codes.pop() if len(codes) == 1 else None


def _committee_before(text: str, anchor: int) -> tuple[str | None, int]:
    """The committee named right before a General Comment (`Committee against Torture, General Comment`, `the Human
    Rights Committee’s General Comment`, `CCPR General Comment`): (its code, where the citation starts)."""
    pos = anchor
    while pos > 0 and text[pos - 1] in " ,(\n":
        pos -= 1
    window = text[max(0, pos - 70):pos]
    lowered = window.lower().replace("’", "'")
    if lowered.endswith("'s"):
        lowered = lowered[:-2]
    if lowered.endswith(" un"):
        lowered = lowered[:-3].rstrip(" ,")
    lowered = " ".join(lowered.split())
    for name, code in _COMMITTEE_NAMES:
        if lowered.endswith(name) and (len(lowered) == len(name) or not lowered[-len(name) - 1].isalnum()):
            found = COMMITTEE.search(window, max(0, len(window) - len(name) - 12))
            return code, (max(0, pos - 70) + found.start()) if found else anchor
    return None, anchor


# PRC ---------------------------------------------------------------------------------------------------------------

PRC_STATUTES = {law.short: law.names for law in PRC_LAWS}
"""PRC statutes by their Chinese short title (without 中华人民共和国) and the English names they are cited by
(`legal.prc`)."""
PRC_MARK = re.compile(r"\s+of\s+the\s+People[’']s\s+Republic\s+of\s+China$|^(?:PRC|Chinese)\s+", re.I)
_EN_NAMES = sorted(((fold(n), zh) for zh, names in PRC_STATUTES.items() for n in names), key=lambda x: -len(x[0]))
_ZH_NAMES = sorted(PRC_STATUTES, key=len, reverse=True)
_PRC_SUFFIX = ("法", "条例", "规定", "解释", "规则", "细则", "决定", "办法")
EN_ARTICLE = re.compile(r"(?<![\w-])(?:[Aa]rt(?:icle)?s?\.?)\s*(?P<art>\d{1,4})(?:\s*[-–]\s*(?P<sub>\d{1,2}))?"
                        r"(?![\d/])")
_ZH_YEAR_BEFORE = re.compile(r"[（(](\d{4})(?:年|-\d{2}-\d{2})?(?:修正|修订)?[)）]$")
_EN_YEAR_BEFORE = re.compile(r"\((?:as\s+amended\s+(?:to|in)\s+)?(?P<year>\d{4})(?:-\d{2}-\d{2})?\)\s*[,:]?\s*$")
_CITED_ABOVE_BEFORE = re.compile(r",?\s*cited\s+above\s*,?\s*$")
_PRC_CHINA = "of the people's republic of china"
_PRC_TITLE_WORDS = re.compile(r"\b(?:law|regulations?|rules|provisions|interpretation|measures|decision)\b")


class _CjkRuns:
    """The runs of Chinese characters (and 《》) of a text, found once: where a statute's name before `第…条` begins."""

    RUN = re.compile(r"[\u4e00-\u9fff《》]+")

    def __init__(self, text: str) -> None:
        self.spans = [(m.start(), m.end()) for m in self.RUN.finditer(text)]
        self.ends = [e for _, e in self.spans]

    def holding(self, pos: int) -> int | None:
        """Start of the run that holds the character before `pos`."""
        i = bisect.bisect_left(self.ends, pos)
        return self.spans[i][0] if i < len(self.spans) and self.spans[i][0] < pos else None


_EN_LAST_WORDS = frozenset(n.split()[-1] for n, _ in _EN_NAMES) | {"china"}


def _known_zh(name: str) -> str | None:
    name = name.replace("中华人民共和国", "")
    return next((zh for zh in _ZH_NAMES if name.endswith(zh.replace("中华人民共和国", ""))), None)


def _en_law_before(text: str, end: int, floor: int = 0) -> tuple[int, str, str | None] | None:
    """The English statute name ending at `end` (`Criminal Procedure Law of the People's Republic of China`,
    `Supervision Law`), not starting before `floor`: (start, name, Chinese short name or None)."""
    last = text[max(floor, end - 20):end].rsplit(None, 1)
    if not last or fold(last[-1]) not in _EN_LAST_WORDS:
        return None
    window = text[max(floor, end - 260):end]
    folded = fold(window).replace("’", "'")
    if len(folded) != len(window):  # folding changed the length (rare letters): compare without it
        folded = window.lower().replace("’", "'")
    for prefix in ("", "prc ", "chinese "):
        for en, zh in _EN_NAMES:
            for suffix in ("", " " + _PRC_CHINA):
                phrase = prefix + en + suffix
                if folded.endswith(phrase) and (len(folded) == len(phrase) or not folded[-len(phrase) - 1].isalnum()):
                    return end - len(phrase), window[-len(phrase):], zh
    if folded.endswith(_PRC_CHINA):
        tokens = tokenize(window[: len(window) - len(_PRC_CHINA)])
        j = len(tokens) - 1
        first = None
        while j >= 0 and len(tokens) - j <= 12:
            t = tokens[j]
            if _is_name_word(t) or t.text in ("of", "the", "on", "for", "in", "and"):
                first = j if _is_name_word(t) else first
            else:
                break
            j -= 1
        if first is not None:
            start = end - len(window) + tokens[first].start
            name = text[start:end]
            if _PRC_TITLE_WORDS.search(name.lower()):
                return start, name, None
    return None


def _zh_law_before(text: str, end: int, runs: _CjkRuns) -> tuple[int, str, int | None] | None:
    """The Chinese statute name ending at `end`, before `第…条`: `《中华人民共和国监察法》`, `监察法`,
    `刑法 `, `…的解释 (2021-01-26), `: (start, name, year written after it)."""
    pos = end
    while pos > 0 and text[pos - 1] in " \u3000,，":
        pos -= 1
    year = None
    m = _ZH_YEAR_BEFORE.search(text[max(0, pos - 20):pos])
    if m:
        year = int(m.group(1))
        pos -= len(m.group())
        while pos > 0 and text[pos - 1] in " \u3000":
            pos -= 1
    run_start = runs.holding(pos)
    if run_start is None:
        return None
    i = max(run_start, pos - 60)
    run = text[i:pos]
    if not run:
        return None
    if run.endswith("》") and "《" in run:
        inner = run[run.rindex("《", 0, len(run) - 1) if "《" in run[:-1] else 0:]
        start = pos - len(inner)
        return start, inner.strip("《》"), year
    known = _known_zh(run.replace("《", "").replace("》", ""))
    if known:
        short = known.replace("中华人民共和国", "")
        plain = run.replace("《", "").replace("》", "")
        if plain.endswith("中华人民共和国" + short):
            short = "中华人民共和国" + short
        return pos - len(short), short, year
    if run.endswith(_PRC_SUFFIX) and len(run) <= 30:
        return i, run, year
    return None


# The scanner -------------------------------------------------------------------------------------------------------

SHORT_ANCHOR = re.compile(rf"cited\s+above|[§¶]|\((?=\s*(?:above|f?n|note))\s*(?:above\s*,?\s*)?{NOTE_REF}\s*\)"
                          r"|\b(?:[Ss]upra\b|(?:op|loc)\.?\s*cit\b|paragraphs?\b|paras?\b\.?|at\s+\[)")
"""Where a short form's pinpoint or mark stands; the marks that say "cited before" (`cited above`, `supra`, `op.
cit.`, `loc. cit.`, `(n 12)`) are explicit: they may follow a name the text did not cite in full. The branches
after a word boundary are grouped under one `\b`: on 10 MB of UK judgments 0.45 s a pass, against 1.2 s written
one `\b` a branch (session 19)."""
IBID = re.compile(r"[Ii](?:(?<!\w[Ii])(?:bid|bidem|dem)\b\.?|(?<![\w.][Ii])d\.(?=[\s,]))")
"""`ibid.`, and the US `Id.` (`Id., § 80`, `id. at § 80`): the source cited just before. Written to start with its
letter (the look-behinds after it), which the regex engine skips to: 0.13 s on 10 MB against 0.26 s for `ibid`
alone with a leading look-behind."""
NOTE_CROSS = re.compile(rf"(?:[Ss]upra\s*,?\s*|\(\s*(?:above\s*,?\s*)?)(?P<ref>{NOTE_REF})(?:\s*\))?")
"""A cross-reference without a name, `(n 12) [96]`, `supra note 12, § 80`: the citation of footnote 12 (form `note`),
read at a `SHORT_ANCHOR` that has no name before it."""
_BETWEEN_NAME_AND_PIN = frozenset({",", "(", "[", "]", "at", "GC", "dec", "judgment", "case", "see", "supra", "op",
                                   "loc", "cit"})
"""What may stand between a short name and its pinpoint: `Tarakhel, § 115`, `Tarakhel (§ 115)`, `Tarakhel at [103]`,
`M.S.S. [GC], cited above`, `Chahal, op. cit., para. 96`."""
_IN_BRACKETS_AFTER_NAME = frozenset({"dec", ".", "GC", "n", "fn", "note", "above", ","})
"""What a bracket between a short name and its pinpoint may hold: `(dec.)`, and OSCOLA's cross-references to the
footnote of the full citation, `(n 1)`, `(above n 12)`, `(above)`; `(Abu Qatada)` belongs to the name."""

OTHER_COURT = re.compile(r"\bInternational\s+Court\s+of\s+Justice\b|\bI\.\s?C\.\s?J\.|\bICJ\b|\bWorld\s+Court\b"
                         r"|\bPermanent\s+Court\s+of\s+International\s+Justice\b|\bP\.\s?C\.\s?I\.\s?J\.|\bPCIJ\b"
                         r"|\bCourt\s+of\s+Justice\s+of\s+the\s+European\s+(?:Union|Communities)\b"
                         r"|\bEuropean\s+Court\s+of\s+Justice\b|\bCJEU\b|\bECJ\b"
                         r"|\bInter-American\s+(?:Court|Commission)\b|\bAfrican\s+Court\b")
"""Courts other than Strasbourg whose cases read like ECtHR ones: `Germany v. Italy` before the International Court of
Justice, `Commission v. Germany` in Luxembourg. Not the bare `Court of Justice`, which is also the High Court's."""
STRASBOURG = re.compile(r"\bEuropean\s+Court\s+of\s+Human\s+Rights\b|\bEuropean\s+Commission\s+of\s+Human\s+Rights\b"
                        r"|\bECtHR\b|\bStrasbourg\b|\bECHR\b|\bEHRR\b")
OTHER_REPORT = re.compile(r"[\s,;)]*(?:\(\s*)?(?:\d{4}\s*)?(?:I\.\s?C\.\s?J\.|ICJ)\s+Rep")
"""An ICJ report right after the parties: `(Democratic Republic of Congo v. Belgium) ICJ Rep. (2002) 3`, `(DRC v
Uganda) (2005 ICJ Reports 168)`."""
COURT_CONTEXT = 300
"""Characters before a case name searched for the court the sentence names: `… by the International Court of Justice
in Arrest Warrant of 11 April 2000 (Democratic Republic of Congo v. Belgium)` (2014 EWCA Crim 1729 [36])."""
STRASBOURG_PARTS = frozenset({"appno", "gc", "dec", "report", "above", "court"})
"""Tail parts that keep a case the Court's whatever the sentence names: a number, `[GC]`, `(dec.)`, a Strasbourg report,
OSCOLA's `(ECtHR, 17 January 2012)`, and `cited above` (the short form of a case the text cited before, from wherever
it was cited)."""
_SENTENCE_BREAK = re.compile(r"[.!?][”\"’)]?\s+(?=[A-Z“\"‘])")
_ABBREVIATIONS = frozenset({"v", "vs", "no", "nos", "p", "pp", "para", "paras", "rep", "reps", "cf", "art", "arts",
                            "e.g", "i.e", "ibid", "op", "cit", "ed", "eds", "edn", "vol", "mr", "mrs", "ms", "dr", "st",
                            "co", "ltd", "inc", "seq"})


def _sentence_start(text: str, lo: int, hi: int) -> int:
    """Where the sentence holding `hi` begins, looking back no further than `lo`: a full stop after an abbreviation
    (`ICJ Rep. (2002)`, `paras. 58`) or an initial ends no sentence."""
    begin = lo
    for m in _SENTENCE_BREAK.finditer(text, lo, min(len(text), hi + 1)):  # the capital that opens a sentence at hi
        if _ends_sentence(text, m, lo):
            begin = m.end()
    return begin


def _ends_sentence(text: str, m: re.Match[str], lo: int, numbers: bool = False) -> bool:
    word = re.search(r"[\w.]+$", text[max(lo, m.start() - 8):m.start()])
    return word is None or (w := word.group().lower().lstrip(".")) not in _ABBREVIATIONS and (
        len(w) > 1 or numbers and w.isdigit())


CHINESE_SENTENCE_END = re.compile(r"[。！？](?=[”’」』）)]*[^\s(\[”’」』）)])")
"""The Chinese full stop, exclamation and question marks, closing marks after them, then the next sentence's first
character (no space or capital: `。”此后`); not a footnote read at its mark (`规定。 (《监察法》…)`): no end"""


def sentence_ends(text: str) -> list[int]:
    """Where each sentence of `text` ends (its full stop, question or exclamation mark), in one pass: not after an
    abbreviation or an initial, as `_sentence_start` reads them, but after a number (`under Article 3.” Later`);
    and at every Chinese `。`, `！` or `？` (session 21: `“…。”此后…[^1]` was one sentence with its mark)."""
    ends = [m.start() for m in _SENTENCE_BREAK.finditer(text) if _ends_sentence(text, m, 0, numbers=True)]
    if CHINESE_SENTENCE_END.search(text):
        ends = sorted(ends + [m.start() for m in CHINESE_SENTENCE_END.finditer(text)])
    return ends


def placed_elsewhere(text: str, start: int, end: int, mentions: list[int]) -> bool:
    """Whether the case named in text[start:end] is one the text places before another court: an ICJ report follows
    the parties, or the last court the sentence names before them is not Strasbourg (`the International Court of
    Justice in … (Germany v. Italy, Greece intervening)`). `mentions`: where `OTHER_COURT` matches in `text`, found
    once per text, so a text naming no other court costs nothing here."""
    if OTHER_REPORT.match(text, end, min(len(text), end + 40)):
        return True
    lo = max(0, start - COURT_CONTEXT)
    i = bisect.bisect_left(mentions, lo)
    if i == len(mentions) or mentions[i] >= start:
        return False
    begin = _sentence_start(text, lo, start)
    other = [m for m in mentions[i:bisect.bisect_left(mentions, start)] if m >= begin]
    if not other:
        return False
    return not any(m.start() > other[-1] for m in STRASBOURG.finditer(text, other[-1], start))


class Scanner:
    """Reads the citations of a text block by block, in reading order: a short form (`Tarakhel, para. 103`) is read
    only for a name the text has cited in full before, as a lawyer reads it."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, ...], str] = {}
        """Applicant tokens of every ECtHR case cited in full so far → the name as written."""
        self.domestic: set[tuple[str, ...]] = set()
        """Applicant tokens of the domestic cases cited so far (`R (Al-Jedda) v Secretary of State …`)."""
        self.domestic_states: set[tuple[tuple[str, ...], str]] = set()
        """(applicant tokens, state) of domestic cases against a state (`Law Debenture v. Ukraine, [2018] EWCA Civ
        2026`): the same name against the same state later, without a Strasbourg mark, is that case again."""
        self.committees: dict[str, str] = {}
        """`GC-14` → the committee it was cited with: a later bare `General Comment 14` is the same one."""
        self.uk_cases: dict[frozenset[str], str] = {}
        """Every part of each party's name tokens of the UK judgments cited by neutral citation so far (at most 4
        words, 15 parts) → that citation, the first cited (`Government of Rwanda v Nteziryayo [2017] EWHC 1912
        (Admin)`: `nteziryayo`), so a later `Nteziryayo at [1189]` is that judgment at [1189]. Found by one lookup:
        searched through, a text of 3,000 cases and 100,000 short forms took minutes."""

    def scan(self, text: str, limit: int | None = None) -> list[Citation]:
        """`limit`: the most citations the caller will take; past it the full ECtHR citations (the costly reading,
        ~0.2 ms each) stop being read and the rest of the text is not scanned, so a text of 80,000 citations is
        refused in a second rather than read whole for 12-19 s first (`kb check`'s MAX_CITATIONS)."""
        tokens = _Tokens(text)
        found = list(islice(self._echr_full(text, tokens, [m.start() for m in OTHER_COURT.finditer(text)]),
                            None if limit is None else limit + 1))
        if limit is not None and len(found) > limit:
            return found
        taken = [(c.start, c.end) for c in found]
        found += [c for c in self._uk(text) if not _inside(taken, c.start)]
        self._domestic_names(text, tokens)
        found += [c for c in self._un(text) if not _inside(taken, c.start)]
        found += self._prc(text)
        taken = sorted((c.start, c.end) for c in found)
        short = self._short(text, tokens, taken)  # past the limit unread, as the full citations are
        found += short if limit is None else islice(short, max(0, limit - len(found)) + 1)
        taken = sorted((c.start, c.end) for c in found)
        found += self._reported(text, tokens, taken)
        taken = sorted((c.start, c.end) for c in found)
        for m in IBID.finditer(text):
            if _inside(taken, m.start()):
                continue
            tail = _tail(text, m.end())
            if pins := _pins(tail.parts):
                found.append(Citation("echr", "ibid", m.start(), tail.end, _as_written(text[m.start():tail.end]),
                                      paragraphs=pins))
            elif article := _IBID_ARTICLE.match(text, m.end(), min(len(text), m.end() + 40)):
                found.append(Citation("prc", "ibid", m.start(), article.end(),
                                      _as_written(text[m.start():article.end()]), paragraphs=(
                                          article.group("art") + (f"-{article.group('sub')}" if article.group("sub")
                                                                  else ""),)))
        return _without_overlaps(found)

    def _echr_full(self, text: str, tokens: _Tokens, other_courts: list[int]) -> Iterator[Citation]:
        floor = 0
        for m in V_ANCHOR.finditer(text):
            respondent = RESPONDENT.match(text, m.end())
            gap = None if respondent else NO_RESPONDENT.match(text, m.end(), min(len(text), m.end() + 40))
            if not respondent and not gap:
                continue
            last = tokens.before(m.start())
            first = _name_start(tokens.tokens, last, floor) if last >= 0 else None
            if first is None:
                continue
            start = tokens.tokens[first].start
            tail = _tail(text, respondent.end() if respondent else gap.end())  # type: ignore[union-attr]
            if not respondent and not any(n == "appno" for n, _ in tail.parts):
                continue
            floor = tail.end
            names = {n for n, _ in tail.parts}
            name = text[start:tokens.tokens[last].end]
            state = respondent.group("state") + respondent.group("more") if respondent else None
            pair = (applicant_tokens(name), state_key(respondent.group("state") if respondent else None))
            if respondent and not names & STRASBOURG_PARTS and placed_elsewhere(text, start, respondent.end(),
                                                                               other_courts):
                continue  # another court's case: `the International Court of Justice in … (Germany v. Italy)`
            if names & {"uk", "domestic"} and not names & {"report", "appno", "gc", "dec"}:
                self.domestic.add(pair[0])
                self.domestic_states.add(pair)
                continue  # a domestic case against a state: `X v Romania [2013] EWHC 1234 (Admin)`
            if not names - {"judgment"} and any(set(pair[0]) <= set(d) and s == pair[1]
                                                for d, s in self.domestic_states):
                continue
            c = _echr_from_parts("full", text, start, tail, name, state)
            self.names.setdefault(applicant_tokens(c.name), c.name or "")
            yield c

    def _short(self, text: str, tokens: _Tokens, taken: list[tuple[int, int]]) -> Iterator[Citation]:
        reached = 0
        for m in SHORT_ANCHOR.finditer(text):
            if m.start() < reached or _inside(taken, m.start()):
                continue
            explicit = m.group().startswith(("cited", "supra", "Supra", "op", "loc", "("))
            if not explicit and not self.names and not self.uk_cases:
                continue
            i = tokens.before(m.start())
            hops = 0
            while i >= 0 and hops < 6:
                t = tokens.tokens[i].text
                if t == ")":  # `(dec.)`, `(n 1)` are passed over; `(Abu Qatada)` belongs to the name
                    k = i - 1
                    while k >= 0 and i - k <= 5 and (tokens.tokens[k].text in _IN_BRACKETS_AFTER_NAME
                                                     or tokens.tokens[k].text.isdigit()):
                        k -= 1
                    if k < 0 or tokens.tokens[k].text != "(" or k == i - 1:
                        break
                    i, hops = k - 1, hops + 1
                elif t in _BETWEEN_NAME_AND_PIN or t == "." and i > 0 and tokens.tokens[i - 1].text in ("op", "loc",
                                                                                                      "cit"):
                    i, hops = i - 1, hops + 1  # `Chahal, op. cit., para. 96`
                else:
                    break
            if i < 0 or not _is_name_word(tokens.tokens[i]) and tokens.tokens[i].text not in (".", ")"):
                if nameless := _nameless(text, m.start()):
                    reached = nameless.end
                    yield nameless
                continue
            first = _name_start(tokens.tokens, i)
            if first is None and (nameless := _nameless(text, m.start())):
                reached = nameless.end
                yield nameless
                continue
            if first is None or _after_v(tokens.tokens, first):
                continue  # `Holzinger (no. 2) v. Austria, cited above`: a respondent is not a short name
            start = tokens.tokens[first].start
            if start < reached:
                continue
            name = text[start:tokens.tokens[i].end]
            key = applicant_tokens(name)
            if not key:
                continue
            tail = _tail(text, tokens.tokens[i].end)
            if tail.end <= m.start():
                continue
            if not self._known(key) and (neutral := self._uk_case(key)) and tail.parts and not (
                    start and text[start - 1].isalnum() or _BRACKETED_PIN.match(text, tokens.tokens[i].end)) \
                    and all(n == "pin" for n, _ in tail.parts) and (pins := _pins(tail.parts)):
                reached = tail.end  # `Nteziryayo at [1189]`: a UK judgment this text cited by its neutral citation
                yield Citation("uk", "short", start, tail.end, _as_written(text[start:tail.end]), name=neutral,
                               paragraphs=pins)
                continue
            if not self._known(key) and not (explicit and any(v.startswith("§") for n, v in tail.parts if n == "pin")) \
                    and not (m.group().startswith("(") and _pins(tail.parts)):
                continue  # `Re PS (supra)`: a short form of a case this text did not cite from Strasbourg; but
                # `Othman (n 4) [258]` names the footnote that cites it (whose mark may stand later in the text)
            reached = tail.end
            c = _echr_from_parts("short", text, start, tail, name, None)
            c.domestic_namesake = any(set(key) <= set(d) for d in self.domestic)
            yield c

    def _domestic_names(self, text: str, tokens: _Tokens) -> None:
        """The parties named before each domestic citation (a UK neutral citation or law report): a later short
        form of that name may mean the domestic case; of a neutral citation, either party's name (`uk_cases`)."""
        for m in _DOMESTIC_MARK.finditer(text):
            anchors = list(V_ANCHOR.finditer(text, max(0, m.start() - 150), m.start()))
            v = anchors[-1] if anchors else None
            if v is not None and (neutral := UK_NEUTRAL.match(text, m.start())):
                self._uk_parties(text, tokens, v, m.start(), _neutral(neutral))
            if v is None or RESPONDENT.match(text, v.end()) and not _UK_PARTY.search(text, v.end(), m.start()):
                continue
            last = tokens.before(v.start())
            first = _name_start(tokens.tokens, last) if last >= 0 else None
            if first is not None:
                words = tuple(w for w in applicant_tokens(text[tokens.tokens[first].start:v.start()]) if w != "r")
                if words:
                    self.domestic.add(words)

    def _uk_parties(self, text: str, tokens: _Tokens, v: re.Match[str], mark: int, neutral: str) -> None:
        """Both parties' names of `X v Y [2017] EWHC 1912 (Admin)` (`v` the `v` before the citation at `mark`), for
        `uk_cases`: a party that is an office or a body (`Secretary of State`, `Government of Rwanda`) is no short
        form of a case."""
        last = tokens.before(v.start())
        first = _name_start(tokens.tokens, last) if last >= 0 else None
        sides = [text[v.end():mark]]
        if first is not None:
            sides.append(text[tokens.tokens[first].start:v.start()])
        for side in sides:
            if len(side) > 80 or _UK_PARTY.search(side) or re.search(r"[;:]|\.\s", side) or RESPONDENT.fullmatch(
                    " " + side.strip()):
                continue  # nor is a state (`VB and Others v Rwanda`: `Rwanda (paragraph 548)` is no citation)
            words = sorted(set(applicant_tokens(side)) - {"r"})
            if 0 < len(words) <= 4:
                for size in range(1, len(words) + 1):
                    for part in combinations(words, size):
                        self.uk_cases.setdefault(frozenset(part), neutral)

    def _uk_case(self, key: tuple[str, ...]) -> str | None:
        """The neutral citation of a UK judgment a party of which is named `key` (`uk_cases`)."""
        return self.uk_cases.get(frozenset(key))

    def _reported(self, text: str, tokens: _Tokens, taken: list[tuple[int, int]]) -> Iterator[Citation]:
        """A case named by its report alone, without `v`: `Ocalan (2000) 51 EHRR CD231`, `Soering [1989] ECHR 14`."""
        for m in _REPORT_ANCHOR.finditer(text):
            if _inside(taken, m.start()):
                continue
            i = tokens.before(m.start())
            while i >= 0 and tokens.tokens[i].text in ("(", ","):
                i -= 1
            if i >= 0 and tokens.tokens[i].text == ")":  # `Loizidou (Preliminary Objections) (1995) 20 EHRR 99`
                k = i - 1
                while k >= 0 and i - k <= 6 and tokens.tokens[k].text != "(":
                    k -= 1
                i = k - 1 if k >= 0 and tokens.tokens[k].text == "(" else -1
            if i < 0 or not _is_name_word(tokens.tokens[i]):
                continue
            first = _name_start(tokens.tokens, i)
            before = tokens.tokens[first - 1].text if first is not None and first > 0 else ""
            if first is None or before in ("v", "vs", ".") or (
                    RESPONDENT.fullmatch(" " + text[tokens.tokens[first].start:tokens.tokens[i].end])):
                continue  # the respondent of a `v` the grammar did not read, not an applicant
            start = tokens.tokens[first].start
            tail = _tail(text, tokens.tokens[i].end)
            if tail.end <= m.start():
                continue
            yield _echr_from_parts("full", text, start, tail, text[start:tokens.tokens[i].end], None)

    def _known(self, key: tuple[str, ...]) -> bool:
        """A name cited in full before: `Tarakhel` of `Tarakhel v Switzerland`, `Mohammed Hussein` of `Hussein v
        Netherlands and Italy`."""
        wanted = set(key)
        return any(wanted <= set(full) or set(full) <= wanted for full in self.names)

    def _uk(self, text: str) -> Iterator[Citation]:
        for m in UK_NEUTRAL.finditer(text):
            tail = _tail(text, m.end())
            pins = _pins([p for p in tail.parts[:1] if p[0] == "pin"])
            end = tail.end if pins else m.end()
            if not pins and (bare := _UK_BARE_PIN.match(text, m.end(), min(len(text), m.end() + 20))):
                pins, end = parse_pinpoints(bare.group("paras")), bare.end()
            yield Citation("uk", "full", m.start(), end, _as_written(text[m.start():end]),
                           name=_neutral(m), year=int(m.group("year")), paragraphs=pins)

    def _un(self, text: str) -> Iterator[Citation]:
        mentions: list[tuple[int, str]] | None = None
        for m in UN_ANCHOR.finditer(text):
            if mentions is None:
                mentions = [(c.start(), code) for c in COMMITTEE.finditer(text)
                            if (code := _committee_code(c.group())) is not None]
            number = _UN_NUMBER.match(text, m.end())
            if not number or m.group("abbr") and not re.match(r"\s*(?:No\.?|no\.)", text[m.end():m.end() + 6]):
                continue
            kind = "GR" if (m.group("kind") or m.group("abbr") or "").lower().startswith(("r", "gr")) else "GC"
            code, start = _committee_before(text, m.start())
            end = number.end()
            limit = _sentence_end(text, end, min(len(text), end + UN_WINDOW))
            if nxt := UN_ANCHOR.search(text, end, limit):
                limit = nxt.start()
            if code is None:
                if sm := UN_SYMBOL.search(text, end, limit):
                    code = sm.group("code")
                elif cm := COMMITTEE.search(text, end, limit):
                    code = _committee_code(cm.group())
            key = f"{kind}-{int(number.group('number'))}"
            if code is None:
                code = _only_committee(text, mentions, m.start()) or self.committees.get(key)
            if code is not None:
                self.committees.setdefault(key, code)
            paras: tuple[str, ...] = ()
            if pm := _UN_PIN.search(text, end, limit):
                paras = parse_pinpoints(pm.group("paras"))
                end = pm.end()
            yield Citation("un", "full", start, end, _as_written(text[start:end]), name=code,
                           year=int(number.group("year")) if number.group("year") else None, paragraphs=paras,
                           key=key)

    def _prc(self, text: str) -> list[Citation]:
        chinese: list[Citation] = []
        runs = _CjkRuns(text)
        for m in ARTICLE_LABEL.finditer(text):
            law = _zh_law_before(text, m.start(), runs)
            parsed = article_number(m.group())
            if parsed is None:
                continue
            if law is None:
                if same := _ZH_IBID.search(text, max(0, m.start() - 6), m.start()):
                    article, sub = parsed  # `同上，第四十三条`: the statute cited just before
                    chinese.append(Citation("prc", "ibid", same.start(), m.end(),
                                            _as_written(text[same.start():m.end()]),
                                            paragraphs=(f"{article}-{sub}" if sub else str(article),)))
                continue
            start, name, year = law
            article, sub = parsed
            end = m.end()
            if km := _CLAUSE.match(text, end, min(len(text), end + 12)):
                end = km.end()
            chinese.append(Citation("prc", "full", start, end, _as_written(text[start:end]), name=name,
                                    year=year, paragraphs=(f"{article}-{sub}" if sub else str(article),),
                                    key=_known_zh(name)))
        english = [c for m in EN_ARTICLE.finditer(text) if (c := _en_article(text, m)) is not None]
        for c in english:  # the original beside the translation, as this tool writes it
            for z in chinese:
                if z.paragraphs == c.paragraphs and _BESIDE.fullmatch(text, c.end, z.start):
                    close = _CLOSE.match(text, z.end, min(len(text), z.end + 3))
                    c.end = close.end() if close else z.end
                    c.key = c.key or z.key
                    z.form = "absorbed"
            c.text = _as_written(text[c.start:c.end])
        return [c for c in chinese if c.form != "absorbed"] + english


_IBID_ARTICLE = re.compile(r"\.?\s*,?\s*(?:at\s+)?" + EN_ARTICLE.pattern)
"""An article after `ibid.` (`Ibid., art. 43`, `Id. Article 43`): the statute cited just before, at another article
(form `ibid`, kind `prc`; a Convention article after a case's `ibid.` is no pinpoint of the judgment, and `kb check`
says it cannot verify it)."""
_ZH_IBID = re.compile(r"同上[\s\u3000,，、:：]*$")
"""Chinese `ibid.` before an article, `同上，第四十三条`."""
_REPORT_ANCHOR = re.compile(rf"[\[(]\d{{4}}[\])]\s*\d{{1,3}}\s*{_EHRR}|\[\d{{4}}\]\s*ECHR\s*\d")
_DOMESTIC_MARK = re.compile(rf"\[\d{{4}}\]\s*(?:{UK_COURTS})\b|{LAW_REPORT.pattern}")
_BRACKETED_PIN = re.compile(r"\s*\((?!\s*at\b)")
"""A pinpoint in brackets after a bare name, `Rwanda (paragraph 548)`: a place in the judgment under appeal (2017 EWHC
1912 (Admin) [242]), not a short form of `VB and Others v Rwanda [2014] EWHC 889 (Admin)`; `NA (Pakistan) (at para.
112)` is one."""
_UK_PARTY = re.compile(r"Secretary of State|Judicial Authority|Court|Government|Commissioner|Council|Minister")
_CLAUSE = re.compile(r"第[零〇一二三四五六七八九十百千\d]{1,6}款")
_BESIDE = re.compile(r"\s{0,2}[（(]\s{0,2}")
_CLOSE = re.compile(r"\s*[)）]")
_OF_THE = re.compile(r"\s+of\s+(?:the\s+)?")
_LAW_END = re.compile(r"\b(?:Law|Regulations|Rules|China|Houses|Procedures|Procuratorates|Region)\b")


def _en_article(text: str, m: re.Match[str]) -> Citation | None:
    """An English article citation of a PRC statute: `Article 22 of the Supervision Law`, `Criminal Law (as amended
    to 2023), art. 383`; None when no PRC statute is named next to the article."""
    article = m.group("art") + (f"-{m.group('sub')}" if m.group("sub") else "")
    after = _OF_THE.match(text, m.end(), min(len(text), m.end() + 12))
    if after:
        probe_end = min(len(text), after.end() + 260)
        for law_end in sorted({x.end() for x in _LAW_END.finditer(text, after.end(), probe_end)}, reverse=True):
            law = _en_law_before(text, law_end, after.end())
            if law and law[0] == after.end():
                return Citation("prc", "full", m.start(), law_end, "", name=" ".join(law[1].split()),
                                paragraphs=(article,), key=law[2])
    law_end, year = m.start(), None
    if above := _CITED_ABOVE_BEFORE.search(text, max(0, law_end - 20), law_end):
        law_end = above.start()  # `Supervision Law … (2018), cited above, art. 43`
    if ym := _EN_YEAR_BEFORE.search(text, max(0, law_end - 40), law_end):
        law_end, year = ym.start(), int(ym.group("year"))
    while law_end > 0 and text[law_end - 1] in " ,:":
        law_end -= 1
    law = _en_law_before(text, law_end)
    if law is None:
        return None
    start, name, zh = law
    if zh is None and "People" not in name:
        return None
    return Citation("prc", "full", start, m.end(), "", name=" ".join(name.split()), year=year, paragraphs=(article,),
                    key=zh)


def _neutral(m: re.Match[str]) -> str:
    """The neutral citation in its canonical spelling: `[2006] EWCA Civ. 1140` → `[2006] EWCA Civ 1140`."""
    div = f" {m.group('div')}" if m.group("div") else ""
    bracket = f" ({m.group('bracket')})" if m.group("bracket") else ""
    return f"[{m.group('year')}] {m.group('court')}{div} {m.group('number')}{bracket}"


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, len(spans) + 10**12)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _without_overlaps(found: list[Citation]) -> list[Citation]:
    """One citation per stretch of text: where two readings overlap, the one that starts first (then the longer)."""
    out: list[Citation] = []
    for c in sorted(found, key=lambda c: (c.start, -c.end)):
        if out and c.start < out[-1].end:
            continue
        out.append(c)
    return out


def _nameless(text: str, at: int) -> Citation | None:
    """A footnote reference without a name at `at` (`(n 12) [96]`, `Supra note 12, § 80`) with its pinpoint."""
    ref = NOTE_CROSS.match(text, at)
    if ref is None or at and (text[at - 1].isalnum() or text[at - 1] == ")"):
        return None
    tail = _tail(text, ref.end())
    if not (pins := _pins(tail.parts)):
        return None
    return Citation("echr", "note", at, tail.end, _as_written(text[at:tail.end]), paragraphs=pins,
                    note=int(_NOTE_NUMBER.search(ref.group("ref")).group(1)))


def scan_text(text: str) -> list[Citation]:
    """Every citation in one text (a paragraph, a passage), in reading order."""
    return Scanner().scan(text)
