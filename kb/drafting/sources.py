"""What a brief calls a passage's document: its name as courts print it, its pinpoint, its table-of-authorities
group."""

import re

from kb.drafting.matters import CollectedPassage
from legal.parties import uk_parties

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
    if " v. " in name or is_strasbourg(passage):  # the parties end where the number, date or reporter begins
        name = re.split(r",\s+(?=nos?\.|\d|Series|ECHR|Reports|judgment|decision)", name)[0]
    name = name.strip()
    name = re.sub(r"^CASE OF\s+", "", name, flags=re.I)
    if name.isupper():
        name = name.title().replace(" V. ", " v. ")
    return court_style(name)


def court_style(citation: str) -> str:
    """A citation as the court prints it: HUDOC's `NA. v. the United Kingdom` is `N.A. v. the United Kingdom`, the
    National Archives' `GOVERNMENT OF RWANDA v EMMANUEL NTEZIRYAYO [2017] EWHC 1912 (Admin)` is `Government of Rwanda v
    Emmanuel Nteziryayo [2017] EWHC 1912 (Admin)` (`legal.parties.uk_parties`), in the lead-in, the footnote and the
    table of authorities alike."""
    return uk_parties(re.sub(r"^([A-Z])([A-Z])\.(?= v\.)", r"\1.\2.", citation))


def is_case(passage: CollectedPassage) -> bool:
    """A judgment or decision, its name in italics; a Strasbourg case whose record lost its respondent state is named
    without `v.` (`Zborovský, no. 14325/08`) and is one still."""
    return " v. " in case_name(passage) or passage.source_kind == "national" or is_strasbourg(passage)


def italic_name(passage: CollectedPassage) -> str:
    """The part of the name set in italics: the parties, without `[GC]`, `(dec.)` or a UK neutral citation
    (`[2017] EWHC 1912 (Admin)` is printed upright, as the courts print it)."""
    return re.sub(r"\s*(\[GC\]|\(dec\.\)|\[\d{4}\] [A-Z]{2,}.*$)", "", case_name(passage)).strip()


def category(passage: CollectedPassage) -> str:
    """The table-of-authorities group a passage belongs to (`CATEGORIES`)."""
    kind = passage.source_kind or _kind_from_ids(passage)
    if kind == "echr":
        return "gc" if passage.grand_chamber or "[GC]" in passage.citation else "echr"
    return {"un": "un", "national": "national", "prc-law": "statute", "upload": "own"}.get(kind, "report")


def is_strasbourg(passage: CollectedPassage) -> bool:
    """An ECtHR passage (a Grand Chamber's or another formation's): who speaks in it, the Court or a party, matters."""
    return category(passage) in ("gc", "echr")


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

