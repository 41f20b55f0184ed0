"""An English rendering beside every Chinese quotation, marked by where it comes from; the original is kept.

A Swedish or English court cannot read 留置 or 有碍调查. In order of authority the brief gives: the lawyer's own
translation of the passage (`CollectedPassage.translation`, "translation by counsel"); a language model's
translation when one is configured ("machine translation, to be checked"); and always, offline, the statute's legal
terms in English from the sourced glossary (`kb/search/glossary_zh.tsv`, each row naming the published English
version it follows), marked as a rendering of the terms and not a translation. The corpus holds no published English
text of the statutes' articles (only of their titles, `legal/prc.py`), so the glossary is the one
rendering that needs nothing beyond the corpus; a brief with only that gets a warning to add a translation.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_TERMS = 8
"""Terms rendered per quotation: the statute's operative words, not a word list."""


@dataclass(frozen=True)
class Rendering:
    text: str
    source: str
    """How the English was made: "translation by counsel", "machine translation by …, to be checked", or
    "glossary rendering of its terms, not a translation"."""
    complete: bool
    """True for a translation of the whole quotation; False for the glossary's terms alone."""

    def bracket(self) -> str:
        """`[English (translation by counsel): …]`, printed after the Chinese; its own double quotes made single, so
        that no reader (or `kb check`) takes the English for a quotation of the source."""
        return f"[English ({self.source}): {self.text.replace('“', '‘').replace('”', '’')}]"


def is_chinese(text: str) -> bool:
    return bool(CJK.search(text or ""))


@lru_cache(maxsize=1)
def _terms() -> tuple[tuple[str, str], ...]:
    """(Chinese, English as the glossary writes it) for each term, longest Chinese first, so that 指定居所监视居住
    wins over 监视居住 in the same words. Read from the file for the English as written (`load_glossary` validates
    the file and keeps only the folded forms search matches on). Imported here, on the first rendering: the search
    module that owns the glossary imports Haystack, and `is_chinese` is used where it is not loaded (`kb check`)."""
    from kb.search.crosslingual import GLOSSARY_FILE, load_glossary

    load_glossary()  # refuses a malformed glossary with its line number
    rows = []
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) == 4 and not line.startswith(("#", "english\t")):
            rows.append((cells[2].strip(), cells[0].split("|")[0].strip()))
    return tuple(sorted(rows, key=lambda row: -len(row[0])))


def glossary_terms(text: str, context: str = "") -> list[tuple[str, str]]:
    """(Chinese term, English rendering) for each glossary term in `text`, in reading order, none inside a longer
    term's words. With a `context` (the client's facts), a two-character term is kept only when the context names
    it in either language: 留置 for a client who fears liuzhi, not 执行 ("carry out", glossed "execution")."""
    taken: list[tuple[int, int]] = []
    found: dict[str, tuple[int, str]] = {}
    lowered = context.lower()
    for zh, en in _terms():
        if context and len(zh) < 3 and zh not in context and en.lower() not in lowered:
            continue
        for m in re.finditer(re.escape(zh), text):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                taken.append((m.start(), m.end()))
                found.setdefault(zh, (m.start(), en))
    return [(zh, en) for zh, (_, en) in sorted(found.items(), key=lambda item: item[1][0])][:MAX_TERMS]


def glossary_rendering(text: str, context: str = "") -> Rendering | None:
    """The quotation's legal terms in English (`留置 ‘retention in custody’; …`), or None when it holds none."""
    found = glossary_terms(text, context)
    if not found:
        return None
    return Rendering("; ".join(f"{zh} ‘{en}’" for zh, en in found), "glossary rendering of its terms, not a "
                     "translation", complete=False)


def rendering(quote: str, translation: str = "", machine: str = "", model: str = "", context: str = ""
              ) -> Rendering | None:
    """The best English the brief can give beside `quote`: counsel's translation, a machine translation, or the
    glossary's terms; None when `quote` is not Chinese."""
    if not is_chinese(quote):
        return None
    if translation.strip():
        return Rendering(" ".join(translation.split()), "translation by counsel", complete=True)
    if machine.strip():
        return Rendering(" ".join(machine.split()), f"machine translation by {model or 'a language model'}, to be "
                         "checked", complete=True)
    return glossary_rendering(quote, context) or Rendering("[translation needed]", "no glossary term found",
                                                          complete=False)
