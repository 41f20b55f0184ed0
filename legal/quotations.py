"""Quotations: where a text quotes, and how faithfully a quotation follows its source.

A quotation is graded by aligning its words with the source paragraph, fragment by fragment (a lawyer's `…`, `[…]`
and bracketed insertions such as `[the Court]` split it; each fragment must appear, in order):
- `verbatim`: every fragment appears word for word (case, typography and hyphenation aside);
- `near`: at least NEAR of the words appear, in runs (the corpus's HUDOC conversion dropped some country and city
  names; a lawyer drops or changes a word) — the missing words are named;
- `differs`: between DIFFERS and NEAR: the passage is recognisably there but the quotation changes it;
- `not_found`: less than DIFFERS.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from legal.text import numbered, strip_number

NEAR = 0.85
"""Share of a quotation's words that must appear, in runs, for `near`: tolerates the words the corpus's HUDOC
conversion dropped (mostly country and city names) and a lawyer's small alterations, not a different passage."""
DIFFERS = 0.5
"""Below this share the quotation is not this passage at all."""
MIN_QUOTE_WORDS = 5
"""Shorter quotations (`“real risk”`) are terms of art, not passages to verify."""
MAX_QUOTE_CHARS = 3000
"""A quotation is at most this long: it bounds the search for the closing mark (linear time on unbalanced marks)."""

QUOTE = re.compile(r"“(?P<a>[^“”]{12,3000}?)”|\"(?P<b>[^\"]{12,1500}?)\"|‘(?P<c>[^‘’]{30,1500}?)’(?!\w)")
GAP = re.compile(r"\[\s*(?:…|\.\s?\.\s?\.)\s*\]|…|\.\s?\.\s?\.|\[[^\]]{0,40}\]")
"""Where a quotation leaves words out or puts its own in: `[…]`, `…`, `...`, `[the Court]`."""
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
"""A word, or one Chinese character: Chinese is written without spaces, so it is aligned character by character."""
_JOIN = re.compile(r"(?<=\w)[-‑–](?=\w)")


def fold_words(text: str) -> list[str]:
    """Folded words (case and accents aside; Chinese kept, character by character); hyphens joined
    (`ill-treatment`, `ill‑treatment` and the corpus's `illtreatment` agree)."""
    text = _JOIN.sub("", text.replace("’", "'"))
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()
    return _WORD.findall(text)


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    text: str


def find_quotes(text: str) -> Iterator[Quote]:
    """Quotations of MIN_QUOTE_WORDS words or more, in curly or straight marks."""
    for m in QUOTE.finditer(text):
        quote = next(g for g in m.groups() if g)
        if len(quote.split()) >= MIN_QUOTE_WORDS:
            yield Quote(m.start(), m.end(), quote)


def fragments(quote: str) -> list[list[str]]:
    """The quotation's words, split where it leaves words out or adds its own."""
    out = []
    for piece in GAP.split(strip_number(quote)):
        words = fold_words(piece)
        if words:
            out.append(words)
    return out


@dataclass(frozen=True)
class Alignment:
    grade: str
    """`verbatim`, `near`, `differs`, `not_found`."""
    coverage: float
    missing: tuple[str, ...] = ()
    """Runs of the quotation's words that are not in the source, as folded words (`dropped the`)."""


def align(quote: str, source: str) -> Alignment:
    """How faithfully `quote` follows `source` (one paragraph, or the paragraphs a pinpoint names)."""
    src = fold_words(source)
    total = matched = 0
    exact = True
    missing: list[str] = []
    for words in fragments(quote):
        total += len(words)
        blocks = [b for b in SequenceMatcher(None, src, words, autojunk=False).get_matching_blocks()
                  if b.size and (b.size >= 2 or len(words) == 1)]
        matched += sum(b.size for b in blocks)
        exact = exact and len(blocks) == 1 and blocks[0].size == len(words)
        covered = [False] * len(words)
        for b in blocks:
            covered[b.b:b.b + b.size] = [True] * b.size
        run: list[str] = []
        for word, ok in zip(words, covered, strict=True):
            if not ok:
                run.append(word)
            elif run:
                missing.append(" ".join(run))
                run = []
        if run:
            missing.append(" ".join(run))
    if not total:
        return Alignment("not_found", 0.0)
    coverage = matched / total
    grade = ("verbatim" if exact else "near" if coverage >= NEAR else "differs" if coverage >= DIFFERS
             else "not_found")
    return Alignment(grade, coverage, tuple(missing))


def best_place(quote: str, places: Iterable[tuple[str, str]]) -> tuple[str, Alignment] | None:
    """The (place, alignment) where `quote` is followed most faithfully, among (place, text) pairs; None when it is
    nowhere better than `not_found`.

    A place is aligned only if it holds at least 30 % of the quotation's distinct words and enough of its words,
    counted with repeats, for `differs`: a fragment's words can match no more often than the place holds them, so a
    place below that bound can only be `not_found`, and skipping it changes no answer. Aligning every place that shared
    30 % of the words cost a 3 KB quotation of `the the the …` 1.2 s of CPU in a 200-paragraph judgment (session 15):
    every paragraph holds "the", none holds it 750 times."""
    counted = [Counter(words) for words in fragments(quote)]
    distinct = set().union(*counted)
    total = sum(sum(c.values()) for c in counted)
    best: tuple[str, Alignment] | None = None
    for where, text in places:
        held = Counter(fold_words(text))
        if (not distinct or len(distinct & held.keys()) < 0.3 * len(distinct)
                or sum(sum((c & held).values()) for c in counted) < DIFFERS * total):
            continue
        alignment = align(quote, text)
        if alignment.grade != "not_found" and (best is None or alignment.coverage > best[1].coverage):
            best = (where, alignment)
            if alignment.grade == "verbatim":
                break
    return best


def numbered_parts(quote: str, pins: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """A quotation of several numbered paragraphs (`“113. … 114. …”`) as one part per paragraph; a quotation that
    starts with its own number is checked against that paragraph rather than the citation's pinpoint."""
    head = numbered(quote)
    if not head:
        return [(quote, pins)]
    number, rest = head
    parts: list[tuple[str, tuple[str, ...]]] = []
    while len(parts) < 50:
        nxt = re.search(rf"\s{number + 1}\.\s+(?=\S)", rest)
        if not nxt:
            break
        parts.append((rest[:nxt.start()], (str(number),)))
        rest, number = rest[nxt.end():], number + 1
    parts.append((rest, (str(number),)))
    return parts
