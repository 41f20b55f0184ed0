"""English as a court reads it: the requesting state with its article, the client's pronouns after the first
mention, dates as "14 March 2026", an institution with its article, sentences punctuated once.

Why here and not in templates: the same names enter many sentences (47 times "extradition to People's Republic of
China" in one draft), so each rule is applied once, where the name is formatted.
"""

import re
from dataclasses import dataclass

from kb.citations.style import long_date

_NEEDS_THE = re.compile(
    r"^(?:People's|People’s|Republic|United|Russian Federation|Netherlands|Kingdom|Czech Republic|Slovak Republic|"
    r"Democratic|Islamic Republic|Federal Republic|Hong Kong Special|Philippines|Gambia|Bahamas|Maldives|"
    r"Ministry|Embassy|Government|Office|Department|Supreme|Procuratorate|Central|State Council|National|Bureau|"
    r"Commission|Court|High Court|Higher|Intermediate|Public Security|General|Permanent Mission|Consulate)\b")
"""Names English writes with "the": states named by their form of government or as plurals, and institutions."""
_SENTENCE_END = re.compile(r"[.!?。！？]['’”)\]]*$")


def with_article(name: str) -> str:
    """`People's Republic of China` → `the People's Republic of China`; `Sweden` stays `Sweden`."""
    name = " ".join((name or "").split())
    if not name or name.lower().startswith("the ") or not _NEEDS_THE.match(name):
        return name
    return f"the {name}"


def capitalised(text: str) -> str:
    """The sentence-initial form: `the People's Republic of China` → `The People's Republic of China`."""
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """`text` ending in one full stop: `‘… executed.’` is not followed by another."""
    text = text.rstrip()
    return text if _SENTENCE_END.search(text) else f"{text}."


def court_date(value: str) -> str:
    """`2026-03-14` → `14 March 2026`, as courts write dates; anything else as the lawyer typed it."""
    value = (value or "").strip()
    return (long_date(value) or value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else value


def clause(note: str) -> str:
    """The lawyer's note as a clause inside a sentence: no label ("Reply:"), no final full stop, a lower-case first
    letter unless it starts a name or an acronym."""
    note = re.sub(r"^\s*(?:reply|in reply|note|answer)\s*[:：-]\s*", "", " ".join((note or "").split()), flags=re.I)
    note = note.rstrip(" .")
    if note.split(" ", 1)[0].lower() in _COMMON_STARTS:
        note = note[:1].lower() + note[1:]
    return note


_COMMON_STARTS = frozenset(
    "the this that these those it its a an there here liuzhi rsdl as because since while although no not only "
    "even if when where his her their our we they he she".split())
"""First words a note may start with that are not names: lower-cased when the note goes inside a sentence."""


def either(items: list[str], conjunction: str = "or") -> str:
    """`a`, `a or b`, `a, b or c`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


@dataclass(frozen=True)
class Person:
    """The requested person as the brief names them: in full the first time in a sentence, then by pronoun."""

    name: str
    subject: str
    object: str
    possessive: str

    @classmethod
    def of(cls, name: str) -> "Person":
        """Pronouns from the title the lawyer gave (`Mr`, `Ms`, `Mrs`, `Miss`); "they" when there is none."""
        name = " ".join((name or "").split()) or "the requested person"
        title = name.split(" ", 1)[0].rstrip(".").lower()
        if title == "mr":
            return cls(name, "he", "him", "his")
        if title in ("ms", "mrs", "miss"):
            return cls(name, "she", "her", "her")
        return cls(name, "they", "them", "their")

    @property
    def named_possessive(self) -> str:
        """`Mr Li Wei’s` (or `the requested person’s`)."""
        return f"{self.name}’s"
