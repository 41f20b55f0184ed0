"""Quotations: where a text quotes, and how faithfully a quotation follows its source.

A quotation is graded by aligning its words with the source paragraph, fragment by fragment (a lawyer's `…`, `[…]`
and bracketed insertions such as `[the Court]` split it; each fragment must appear, in order):
- `verbatim`: every fragment appears word for word (case, typography and hyphenation aside);
- `near`: at least NEAR of the words appear, in runs (the corpus's HUDOC conversion dropped some country and city
  names; a lawyer drops or changes a word) — the missing words are named — unless a change turns the source round
  (a negation put in or left out, a word for its negative, a number the source does not give there);
- `differs`: between DIFFERS and NEAR, or such a change: the passage is recognisably there but the quotation
  changes it;
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
MAX_QUOTE_CHARS = 10_000
"""A quotation in curly marks is at most this long: a whole paragraph of the Court (Othman § 189, the eleven factors,
is 3,435 characters; at 3,000 a brief quoting it whole had the quotation ignored). The search for a closing mark
stops at the next opening one, so unbalanced marks are read in linear time whatever this bound."""

QUOTE = re.compile(rf"“(?P<a>[^“”]{{12,{MAX_QUOTE_CHARS}}}?)”"
                   r"|\"(?P<b>[^\"]{12,1500}?)\"|‘(?P<c>[^‘’]{30,1500}?)’(?!\w)")
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


_CHANGED_CASE = re.compile(r"(?<!\w)\[(\w{1,2})\](?=\w)")
"""A letter the quotation changes to fit its sentence, `[N]either`, `[t]he`: part of the word, not an insertion
(read as one, `[N]either` left `either`, which 2010 EWCOP 621 [55] then seemed to put for the source's `neither`)."""


def fragments(quote: str) -> list[list[str]]:
    """The quotation's words, split where it leaves words out or adds its own."""
    out = []
    for piece in GAP.split(_CHANGED_CASE.sub(r"\1", strip_number(quote))):
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
    differences: tuple[str, ...] = ()
    """Where a quotation that is not verbatim departs from its source, each as a lawyer would correct it (folded
    words): `“basic” for the source's “fundamental”`, `“inevitably” left out`, `“of italy” not in the source`."""


def align(quote: str, source: str) -> Alignment:
    """How faithfully `quote` follows `source` (one paragraph, or the paragraphs a pinpoint names).

    A fragment's words can match no more often than the source holds them: when that bound is below DIFFERS the
    answer is `not_found` without aligning (its `missing` the words the source lacks, its coverage the bound). A
    quotation of `the the the …` against a long paragraph is answered at once: aligned, a 3 KB one took 6 ms per
    paragraph (1.2 s of CPU searched for in a whole judgment, session 15) and a 10 KB one 0.3-0.6 s against Saadi
    § 71; now 0.02-0.03 s for the whole check."""
    src = fold_words(source)
    held = Counter(src)
    counted = [Counter(words) for words in fragments(quote)]
    reach = _reach(counted, held)
    if reach < DIFFERS:
        return Alignment("not_found", reach, tuple(dict.fromkeys(w for c in counted for w in c if w not in held)))
    total = matched = 0
    exact = True
    reversed_sense = False
    missing: list[str] = []
    aligned: list[tuple[list[str], list]] = []
    for words in fragments(quote):
        total += len(words)
        blocks = [b for b in SequenceMatcher(None, src, words, autojunk=False).get_matching_blocks()
                  if b.size and (b.size >= 2 or len(words) == 1)]
        matched += sum(b.size for b in blocks)
        exact = exact and len(blocks) == 1 and blocks[0].size == len(words)
        aligned.append((words, blocks))
        changed = [(said, source) for said, source, edge in _changes(src, words, blocks)
                   if _changes_sense(said, source, edge)]
        reversed_sense = reversed_sense or bool(changed)
        missing += [f"{' '.join(said) or '…'} [the source: {' '.join(source) or '…'}]" for said, source in changed]
        described = {" ".join(said) for said, _ in changed}
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
        missing = [m for m in missing if m not in described]
    if not total:
        return Alignment("not_found", 0.0)
    coverage = matched / total
    grade = ("verbatim" if exact else "near" if coverage >= NEAR and not reversed_sense
             else "differs" if coverage >= DIFFERS else "not_found")
    differences = () if grade in ("verbatim", "not_found") else tuple(dict.fromkeys(
        d for words, blocks in aligned for d in _differences(src, words, blocks)))  # described only when shown
    return Alignment(grade, coverage, tuple(dict.fromkeys(missing)), differences)


LEFT_OUT_SHOWN = 8
"""Words of the source left out that a difference quotes; a longer stretch is counted (`12 words of the source left
out`), as a lawyer would mark it with an ellipsis."""


def _differences(src: list[str], words: list[str], blocks: list) -> Iterator[str]:
    """A fragment's departures from the source between and around the runs it shares with it: a word changed, left
    out or added. Only a quotation that matched in runs is described (`align` gives them for a grade other than
    `verbatim`); at its ends only the quotation's own words are named, as the source's next words are a guess."""
    blocks = list(blocks)

    def stray(first, second, edge) -> bool:
        """A run of two words at an end matched far away in the source (`of the` of `the conduct of the victim` in
        `of the substantive clauses`, words later): described as quoted words not in the source instead."""
        return edge.size <= 2 and second.a - (first.a + first.size) > second.b - (first.b + first.size) + 2

    while len(blocks) > 1 and stray(blocks[-2], blocks[-1], blocks[-1]):
        blocks.pop()
    while len(blocks) > 1 and stray(blocks[0], blocks[1], blocks[0]):
        blocks.pop(0)
    if not blocks:
        return
    for before, after in zip(blocks, blocks[1:], strict=False):
        said = " ".join(words[before.b + before.size:after.b])
        start, end = before.a + before.size, after.a
        while not said and start < end < len(src) and src[start] == src[end] and end < after.a + after.size:
            start, end = start + 1, end + 1  # `Article 3 (art. 3), and` quoted without `(art. 3)`: `art 3` left out,
            # not `3 art` (the matcher takes the second `3` with the words after it)
        gap = src[start:end] if end >= start else []
        source = " ".join(gap) if len(gap) <= LEFT_OUT_SHOWN else f"{len(gap)} words of the source"
        if said and gap:
            yield f"“{said}” for the source's “{source}”" if len(gap) <= LEFT_OUT_SHOWN else \
                f"“{said}” for {source}"
        elif gap:
            yield f"“{source}” left out" if len(gap) <= LEFT_OUT_SHOWN else f"{source} left out"
        elif said:
            yield f"“{said}” not in the source"
    first, last = blocks[0], blocks[-1]
    if first.b:
        yield f"“{' '.join(words[:first.b])}” not in the source"
    if last.b + last.size < len(words):
        yield f"“{' '.join(words[last.b + last.size:])}” not in the source"


NEGATIONS = frozenset({"not", "no", "never", "nor", "neither", "cannot", "none", "nothing", "nobody", "without",
                       "t"})
"""Words that turn a statement round (`t` is what is left of `n't` once words are split at the apostrophe)."""
_NEGATIVE_PREFIXES = ("un", "in", "im", "il", "ir", "non", "dis")


def _changes(src: list[str], words: list[str], blocks: list) -> Iterator[tuple[list[str], list[str], bool]]:
    """(the quotation's words, the source's words, at an end) where a fragment departs from the source between the
    runs it shares with it: inside the fragment, and at its ends against as many of the source's words next to it."""
    for before, after in zip(blocks, blocks[1:], strict=False):
        said = words[before.b + before.size:after.b]
        source = src[before.a + before.size:after.a]
        if (said or source) and after.a >= before.a + before.size and len(source) <= 2 * len(said) + 3:
            yield said, source, False
    if blocks:
        first, last = blocks[0], blocks[-1]
        if first.b:
            yield words[:first.b], src[max(0, first.a - first.b):first.a], True
        end = last.b + last.size
        if end < len(words):
            yield words[end:], src[last.a + last.size:last.a + last.size + len(words) - end], True


def _changes_sense(said: list[str], source: list[str], edge: bool = False) -> bool:
    """Whether a change of wording reverses or alters what the source says, not merely its form: a negation put in
    or left out (`can be regarded` for `cannot be regarded`), a word for its negative (`undemocratic` for
    `democratic`), a number the source does not give there (inside the quotation: at its ends a heading, `Article 12
    - right to marry`, or the next paragraph's number changes nothing the source says). Other changed words leave
    the quotation `near` (the corpus's HUDOC conversion dropped words, a lawyer adjusts grammar), with the words
    named. Every quotation of the 67 UK judgments aligned with every paragraph of the ECtHR documents each cites (627
    pairs placed): against main, none turned `differs`; one went `near` → `verbatim` (`[T]he`) (session 18)."""
    if sum(w in NEGATIONS for w in said) != sum(w in NEGATIONS for w in source):
        return True
    if not edge and {w for w in said if w.isdigit()} - set(source):
        return True  # a number the source does not state there (one left out, `(art. 3)`, is no change of sense)
    said_words, source_words = set(said), set(source)  # sets: a long changed stretch costs linear time, not quadratic
    return any(p + w in source_words or w.startswith(p) and w[len(p):] in source_words
               for w in said_words for p in _NEGATIVE_PREFIXES)


def _reach(counted: list[Counter[str]], held: Counter[str]) -> float:
    """The highest coverage an alignment could give: each fragment's words matched as often as the source holds them
    (1.0 for a quotation without words, which `align` answers itself)."""
    size = sum(sum(c.values()) for c in counted)
    return sum(sum((c & held).values()) for c in counted) / size if size else 1.0


def best_place(quote: str, places: Iterable[tuple[str, str]]) -> tuple[str, Alignment] | None:
    """The (place, alignment) where `quote` is followed most faithfully, among (place, text) pairs; None when it is
    nowhere better than `not_found`. A place is aligned only if it holds at least 30 % of the quotation's distinct
    words and `_reach` allows `differs` (each place's words are counted once here, not again by `align`)."""
    counted = [Counter(words) for words in fragments(quote)]
    distinct = set().union(*counted)
    best: tuple[str, Alignment] | None = None
    for where, text in places:
        held = Counter(fold_words(text))
        if not distinct or len(distinct & held.keys()) < 0.3 * len(distinct) or _reach(counted, held) < DIFFERS:
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
