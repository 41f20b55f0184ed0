"""The parties of a UK judgment as the courts print them: `Government of Rwanda v Emmanuel Nteziryayo`, not the
National Archives' `GOVERNMENT OF RWANDA v EMMANUEL NTEZIRYAYO`.

Why: about 20 of the corpus's 67 UK titles set one side or both in capitals, as the judgment's front sheet does; a
brief that prints them so shouts in the lead-in and the footnote, and no court cites a case that way. UK citation
style (OSCOLA) prints the parties in title case with `v`, `and`, `of`, `the`, `for` in lower case and `R (on the
application of X)` so. Only a side set mostly in capitals is changed: a mixed-case title's own acronyms (`HM`, `NHS`,
`SSHD`, `ABC`) stay as written.
"""

from __future__ import annotations

import re

from legal.citations import parties

SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "de", "for", "in", "of", "on", "or", "the", "to", "v",
                         "von", "van", "trading", "formerly", "known"})
"""Lower case inside a party's name (`Secretary of State for the Home Department`), never as its first or last word
(`KOZA ALTIN ISLETMELERI AS` ends in a company form, not a preposition)."""
FORMS = {"PLC": "plc", "LTD": "Ltd", "LLP": "LLP", "LLC": "LLC", "GMBH": "GmbH", "CO": "Co", "INC": "Inc",
         "ORS": "Ors", "ANR": "Anr", "MR": "Mr", "MRS": "Mrs", "MS": "Ms", "DR": "Dr", "ST": "St", "HM": "HM",
         "UK": "UK", "NHS": "NHS"}
"""Words with a spelling of their own: company forms as UK reports print them, titles, fixed acronyms."""
_WORD = re.compile(r"[^\W\d_][\w’'&-]*")
_VOWEL = re.compile(r"[AEIOUYÀ-ÖØ-Ý]")
_ON_BEHALF = re.compile(r"\(\s*(R\s+)?on\s+the\s+application\s+of\b", re.I)
_CLAIMANT_AFTER = re.compile(r"(?P<name>\S.*?)(?:,\s*R\s+|\s+\(\s*R\s+)\(?on\s+the\s+application\s+of\s*\)",
                             re.I | re.S)
"""The National Archives' inverted judicial review, `Bashir & Ors, R (On the Application Of)` or `Simon Dolan (R on
the application of)` (5 of the corpus's 67 titles): the courts print `R (on the application of Bashir & Ors)`."""
CROWN = frozenset({"regina", "r", "r.", "rex", "the queen", "the king", "the crown"})
"""The Crown as a party, which UK courts cite as `R` (`R v Knaggs`, `KL v R`): 4 of the corpus's titles spell it
`Regina`, `REGINA`, `R.` or `The Crown`."""
_NEUTRAL = re.compile(r"\s\[\d{4}\]\s+[A-Z]")


def uk_parties(citation: str) -> str:
    """`citation` with the parties before its neutral citation (`[2017] EWHC 1912 (Admin)`) in court style; a citation
    without one (a Strasbourg case) is returned as it is."""
    cut = _NEUTRAL.search(citation)
    if cut is None:
        return citation
    styled = "".join(part if i % 2 else _party(_side(part)) for i, part in enumerate(parties(citation[:cut.start()])))
    return _ON_BEHALF.sub(lambda m: "(" + (m.group(1) or "") + "on the application of", styled) + citation[cut.start():]


def _party(side: str) -> str:
    """One side as courts name it: the Crown as `R`, a judicial review's claimant inside `R (on the application of
    …)`; anything else as it is."""
    name = side.strip()
    if name.lower() in CROWN:
        return side.replace(name, "R")
    if claimant := _CLAIMANT_AFTER.fullmatch(name):
        return side.replace(name, f"R (on the application of {claimant['name']})")
    return side


def _side(side: str) -> str:
    """One party in title case when it is set mostly in capitals (counting words of two letters or more); in a side
    set otherwise only a run of three capitalised words or more is (`IN THE MATTER OF proceedings brought by …`)."""
    spans = list(_WORD.finditer(side))
    long = [m.group() for m in spans if len(m.group()) >= 2]
    capital = [len(m.group()) >= 2 and m.group().isupper() for m in spans]
    if sum(capital) * 2 > len(long):
        chosen = [True] * len(spans)
    else:
        chosen = [False] * len(spans)
        start = 0
        for i in range(len(spans) + 1):
            if i == len(spans) or not capital[i]:
                if i - start >= 3:
                    chosen[start:i] = [True] * (i - start)
                start = i + 1
    out, at = [], 0
    for i, m in enumerate(spans):
        word = _word(m.group(), first=i == 0, last=i == len(spans) - 1) if chosen[i] else m.group()
        out += [side[at:m.start()], word]
        at = m.end()
    return "".join(out) + side[at:]


def _word(word: str, first: bool, last: bool) -> str:
    if not word.isupper():
        return word  # `proceedings`, `trading`: the source's own case
    if word in FORMS:
        return FORMS[word]
    small = word.lower() in SMALL_WORDS
    if small and not first and not last:
        return word.lower()
    if len(word) == 1 or len(word) == 2 and not (small and first) or not _VOWEL.search(word):
        return word  # initials (`NA (SUDAN)`, `A.S.`, a company's `AS`) and acronyms without a vowel (`PBS`)
    return word[0] + word[1:].lower()
