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
from difflib import Match, SequenceMatcher

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


_HAN = re.compile(rf"[{_CJK}]")


def quote_words(quote: str) -> float:
    """A quotation's length in words: Chinese characters count half each (`“留置时间不得超过三个月。”`, 11
    characters, is a sentence to verify; `“留置措施”` a term). Counted by spaces, every Chinese quotation was one word
    and none was ever checked."""
    han = len(_HAN.findall(quote))
    return len((_HAN.sub(" ", quote) if han else quote).split()) + han / 2


def find_quotes(text: str) -> Iterator[Quote]:
    """Quotations of MIN_QUOTE_WORDS words or more (`quote_words`), in curly or straight marks."""
    for m in QUOTE.finditer(text):
        quote = next(g for g in m.groups() if g)
        if quote_words(quote) >= MIN_QUOTE_WORDS:
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


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each of `fold_words(text)`'s words stands in `text`, as (start, end) offsets: each character folded alone
    (NFKD decomposes a character by itself, and the marks it drops are the only reordering), so a folded word maps
    back to the characters it came from (`ill-treatment` → `illtreatment` spans the hyphen, `Çakıcı` → `cakıcı`)."""
    folded: list[str] = []
    origin: list[int] = []
    joined = {m.start() for m in _JOIN.finditer(text)}  # the hyphens inside a word that `fold_words` drops
    for i, ch in enumerate(text):
        if i in joined:
            continue
        piece = "".join(c for c in unicodedata.normalize("NFKD", "'" if ch == "’" else ch)
                        if not unicodedata.combining(c)).lower()
        folded.append(piece)
        origin.extend([i] * len(piece))
    return [(origin[m.start()], origin[m.end() - 1] + 1) for m in _WORD.finditer("".join(folded))]


def fragment_spans(quote: str) -> list[list[tuple[int, int]]] | None:
    """Where each word of `fragments(quote)` stands in `quote` (None if the two readings do not agree, which they
    should: a guard, so that a difference is never shown against the wrong words)."""
    number = numbered(quote)
    offset = len(quote) - len(number[1]) if number else 0
    kept: list[int] = []  # the quotation's characters left once `[t]he` is read as `the`
    at = offset
    for m in _CHANGED_CASE.finditer(quote, offset):
        kept.extend(range(at, m.start()))
        kept.extend(range(m.start(1), m.end(1)))
        at = m.end()
    kept.extend(range(at, len(quote)))
    joined = "".join(quote[i] for i in kept)
    out: list[list[tuple[int, int]]] = []
    at = 0
    for piece_end, next_start in [(g.start(), g.end()) for g in GAP.finditer(joined)] + [(len(joined), len(joined))]:
        spans = word_spans(joined[at:piece_end])
        if spans:
            out.append([(kept[at + s], kept[at + e - 1] + 1) for s, e in spans])
        at = next_start
    return out if [len(f) for f in out] == [len(f) for f in fragments(quote)] else None


@dataclass(frozen=True)
class Change:
    """One departure of a quotation from its source, in the two texts' own words: the brief's (`said`, at
    `said_span` of the quotation) and the source's (`source`, at `source_span` of the text aligned with), either
    empty where words were added or left out."""

    said: str
    source: str
    said_span: tuple[int, int] | None
    source_span: tuple[int, int] | None
    source_words: int = 0
    """How many words of the source the change covers (a long stretch left out is counted, not quoted)."""

    def describe(self) -> str:
        """As a lawyer would correct it: `“basic” for the source's “fundamental”`, `“most” left out`, `“of Italy”
        not in the source`."""
        long = self.source_words > LEFT_OUT_SHOWN
        source = f"{self.source_words} words of the source" if long else f"“{self.source}”"
        if self.said and self.source_span:
            return f"“{self.said}” for {source}" if long else f"“{self.said}” for the source's {source}"
        if self.source_span:
            return f"{source} left out"
        return f"“{self.said}” not in the source"


@dataclass(frozen=True)
class Alignment:
    grade: str
    """`verbatim`, `near`, `differs`, `not_found`."""
    coverage: float
    missing: tuple[str, ...] = ()
    """Runs of the quotation's words that are not in the source, in the quotation's own words (`dropped the`), and
    the changes that turn the source round (`can [the source: cannot]`)."""
    differences: tuple[str, ...] = ()
    """Where a quotation that is not verbatim departs from its source, each as a lawyer would correct it, in the
    brief's and the source's own words (`Change.describe`): `“basic” for the source's “fundamental”`, `“inevitably”
    left out`, `“of Italy” not in the source`. Folded (`of italy`, accents removed) before session 20."""
    changes: tuple[Change, ...] = ()
    """The same departures with their places in the quotation and the source."""


class _Shown:
    """A text's folded words shown in the text's own words: `[lo, hi)` of the words → the text from the first's start
    to the last's end (`Article 3 (art. 3)`, not `article 3 art 3`); the folded words joined if the spans fail."""

    def __init__(self, text: str, words: list[str], spans: list[tuple[int, int]] | None) -> None:
        self.text, self.words = text, words
        self.spans = spans if spans is not None and len(spans) == len(words) else None

    def span(self, lo: int, hi: int) -> tuple[int, int] | None:
        return (self.spans[lo][0], self.spans[hi - 1][1]) if self.spans and hi > lo else None

    def show(self, lo: int, hi: int) -> str:
        if hi <= lo:
            return ""
        if self.spans:
            s, e = self.span(lo, hi)  # type: ignore[misc]
            return " ".join(self.text[s:e].split())
        return " ".join(self.words[lo:hi])


def align(quote: str, source: str) -> Alignment:
    """How faithfully `quote` follows `source` (one paragraph, or the paragraphs a pinpoint names).

    A fragment's words can match no more often than the source holds them: when that bound is below DIFFERS the
    answer is `not_found` without aligning (its `missing` the words the source lacks, its coverage the bound). A
    quotation of `the the the …` against a long paragraph is answered at once: aligned, a 3 KB one took 6 ms per
    paragraph (1.2 s of CPU searched for in a whole judgment, session 15) and a 10 KB one 0.3-0.6 s against Saadi
    § 71; now 0.02-0.03 s for the whole check. The words a non-verbatim alignment names are mapped back to the
    quotation's and the source's own characters (`word_spans`) only then."""
    src = fold_words(source)
    held = Counter(src)
    pieces = fragments(quote)
    counted = [Counter(words) for words in pieces]
    reach = _reach(counted, held)
    if reach < DIFFERS:
        return Alignment("not_found", reach, tuple(dict.fromkeys(w for c in counted for w in c if w not in held)))
    total = matched = 0
    exact = True
    reversed_sense = False
    named: list[tuple[int, tuple[int, int], tuple[int, int] | None]] = []
    """(fragment, the quotation's words, the source's words if a change of sense) of `missing`, in order."""
    aligned: list[tuple[list[str], list]] = []
    for k, words in enumerate(pieces):
        total += len(words)
        blocks = _blocks(src, words)
        matched += sum(b.size for b in blocks)
        exact = exact and len(blocks) == 1 and blocks[0].size == len(words)
        aligned.append((words, blocks))
        changed = [(said, source_words) for said, source_words, edge in _changes(src, words, blocks)
                   if _changes_sense(words[said[0]:said[1]], src[source_words[0]:source_words[1]], edge)]
        reversed_sense = reversed_sense or bool(changed)
        described = {said for said, _ in changed}
        named += [(k, said, source_words) for said, source_words in changed]
        covered = [False] * len(words)
        for b in blocks:
            covered[b.b:b.b + b.size] = [True] * b.size
        run_start = None
        for j, ok in enumerate([*covered, True]):
            if not ok and run_start is None:
                run_start = j
            elif ok and run_start is not None:
                if (run_start, j) not in described:
                    named.append((k, (run_start, j), None))
                run_start = None
    if not total:
        return Alignment("not_found", 0.0)
    coverage = matched / total
    grade = ("verbatim" if exact else "near" if coverage >= NEAR and not reversed_sense
             else "differs" if coverage >= DIFFERS else "not_found")
    if not named and grade in ("verbatim", "not_found"):
        return Alignment(grade, coverage)
    spans = fragment_spans(quote)
    said_texts = [_Shown(quote, words, spans[k] if spans else None) for k, (words, _) in enumerate(aligned)]
    source_text = _Shown(source, src, word_spans(source))
    missing = [said_texts[k].show(*said) if source_words is None else
               f"{said_texts[k].show(*said) or '…'} [the source: {source_text.show(*source_words) or '…'}]"
               for k, said, source_words in named]
    changes: tuple[Change, ...] = ()
    if grade not in ("verbatim", "not_found"):  # described only when shown
        changes = tuple(dict.fromkeys(
            Change(said_texts[k].show(*said) if said else "", source_text.show(*gap) if gap else "",
                   said_texts[k].span(*said) if said else None, source_text.span(*gap) if gap else None,
                   gap[1] - gap[0] if gap else 0)
            for k, (words, blocks) in enumerate(aligned) for said, gap in _differences(src, words, blocks)))
    return Alignment(grade, coverage, tuple(dict.fromkeys(missing)),
                     tuple(dict.fromkeys(c.describe() for c in changes)), changes)


MAX_WINDOWS = 16
"""Places of the source where a fragment's first or last two words stand that `_blocks` also aligns it with."""


def _blocks(src: list[str], words: list[str]) -> list[Match]:
    """The runs a fragment shares with the source (two words or more, or its one word), in order. SequenceMatcher
    takes the longest run first, wherever it is: where the source repeats a phrase (Supervision Law art. 43 says
    `监察机关采取留置措施` three times) it aligned a quotation of the first sentence with the third, and named words the
    source holds as missing (`differs`, not `near`). So the fragment is also aligned with the stretch of the source
    that starts at each place its first two words stand, or ends where its last two do, and the one sharing the
    most words is kept (the whole source's first: ties change nothing)."""

    def runs(lo: int, hi: int) -> list[Match]:
        return [Match(b.a + lo, b.b, b.size) for b in SequenceMatcher(None, src[lo:hi], words, autojunk=False)
                .get_matching_blocks() if b.size and (b.size >= 2 or len(words) == 1)]

    best = runs(0, len(src))
    got = sum(b.size for b in best)
    if got == len(words) or len(words) < 4:
        return best
    reach = 2 * len(words) + 10
    first, last = tuple(words[:2]), tuple(words[-2:])
    windows: list[tuple[int, int]] = []
    for i in range(len(src) - 1):
        pair = (src[i], src[i + 1])
        if pair == first:
            windows.append((i, min(len(src), i + reach)))
        if pair == last:
            windows.append((max(0, i + 2 - reach), i + 2))
        if len(windows) >= MAX_WINDOWS:
            break
    for lo, hi in windows:
        found = runs(lo, hi)
        if sum(b.size for b in found) > got:
            best, got = found, sum(b.size for b in found)
    return best


LEFT_OUT_SHOWN = 8
"""Words of the source left out that a difference quotes; a longer stretch is counted (`12 words of the source left
out`), as a lawyer would mark it with an ellipsis."""


def _differences(src: list[str], words: list[str], blocks: list
                 ) -> Iterator[tuple[tuple[int, int] | None, tuple[int, int] | None]]:
    """A fragment's departures from the source between and around the runs it shares with it, as (the fragment's
    words, the source's words) ranges, either None: a word changed, left out or added. Only a quotation that matched
    in runs is described (`align` gives them for a grade other than `verbatim`); at its ends only the quotation's own
    words are named, as the source's next words are a guess."""
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
        said = (before.b + before.size, after.b)
        start, end = before.a + before.size, after.a
        while said[0] == said[1] and start < end < len(src) and src[start] == src[end] and end < after.a + after.size:
            start, end = start + 1, end + 1  # `Article 3 (art. 3), and` quoted without `(art. 3)`: `art 3` left out,
            # not `3 art` (the matcher takes the second `3` with the words after it)
        gap = (start, end) if end > start else None
        if said[1] > said[0] or gap:
            yield (said if said[1] > said[0] else None), gap
    first, last = blocks[0], blocks[-1]
    if first.b:
        start = first.a - first.b
        same = _shared(words[:first.b][::-1], src[max(0, start):first.a][::-1]) if start >= 0 else 0
        if same and same < first.b:  # `“the receiving State …”` for `the requesting State …`: the words round it agree
            yield (same, first.b), (start + same, first.a)
        else:
            yield (0, first.b), None
    end, after = last.b + last.size, last.a + last.size
    if end < len(words):
        tail = len(words) - end
        same = _shared(words[end:], src[after:after + tail]) if after + tail <= len(src) else 0
        if same and same < tail:  # `in the receiving country.` for the source's `in the requesting country.`
            yield (end, len(words) - same), (after, after + tail - same)
        else:
            yield (end, len(words)), None


def _shared(said: list[str], source: list[str]) -> int:
    """How many words two stretches of equal length share at the end (`receiving country` and `requesting
    country`: 1), or 0 when they are not the same length; a changed word at a quotation's end is then named with the
    source's word it stands for, since the words after it agree (before, only the quotation's words were named)."""
    if len(said) != len(source):
        return 0
    same = 0
    while same < len(said) and said[-1 - same] == source[-1 - same]:
        same += 1
    return same


NEGATIONS = frozenset({"not", "no", "never", "nor", "neither", "cannot", "none", "nothing", "nobody", "without",
                       "t", "不", "没", "沒", "无", "無", "非", "未", "勿", "否", "莫", "禁"})
"""Words that turn a statement round (`t` is what is left of `n't` once words are split at the apostrophe); in
Chinese, aligned character by character, the characters that negate or forbid (`不得`, `未`, `禁止`)."""
_NEGATIVE_PREFIXES = ("un", "in", "im", "il", "ir", "non", "dis")
OBLIGATION = ("shall", "must", "应当", "应该", "必须", "务必")
PERMISSION = ("may", "can", "cannot", "could", "might", "可以", "有权", "能够")
"""Words of legal force: what a provision or a holding obliges and what it permits (`应当` shall, `可以` may;
`cannot` is `can` and a negation, as `can't` splits into `can` and `t` and `can not` is written apart). A
quotation that puts one for the other changes the law it states, as a negation does: the Supervision Law's
`应当由监察机关领导人员集体研究决定` quoted with `可以` passed as `near` before session 21. Chinese terms are
matched in the changed characters joined (a single `可`, `得` or `应` is too often part of another word to count)."""


def _changes(src: list[str], words: list[str], blocks: list
             ) -> Iterator[tuple[tuple[int, int], tuple[int, int], bool]]:
    """(the quotation's words, the source's words, at an end), as ranges, where a fragment departs from the source
    between the runs it shares with it: inside the fragment, and at its ends against as many of the source's words
    next to it."""
    for before, after in zip(blocks, blocks[1:], strict=False):
        said = (before.b + before.size, after.b)
        source = (before.a + before.size, after.a)
        if (said[1] > said[0] or source[1] > source[0]) and after.a >= before.a + before.size \
                and source[1] - source[0] <= 2 * (said[1] - said[0]) + 3:
            yield said, source, False
    if blocks:
        first, last = blocks[0], blocks[-1]
        if first.b:
            yield (0, first.b), (max(0, first.a - first.b), first.a), True
        end = last.b + last.size
        if end < len(words):
            after = last.a + last.size
            yield (end, len(words)), (after, min(len(src), after + len(words) - end)), True


def _changes_sense(said: list[str], source: list[str], edge: bool = False) -> bool:
    """Whether a change of wording reverses or alters what the source says, not merely its form: a negation put in
    or left out (`can be regarded` for `cannot be regarded`), a word for its negative (`undemocratic` for
    `democratic`), a number the source does not give there (inside the quotation: at its ends a heading, `Article 12
    - right to marry`, or the next paragraph's number changes nothing the source says). Other changed words leave
    the quotation `near` (the corpus's HUDOC conversion dropped words, a lawyer adjusts grammar), with the words
    named. A Chinese numeral is a number (`六个月` for the source's `三个月`, six months of retention for three, passed
    as `near` before session 20). Every quotation of the 67 UK judgments aligned with every paragraph of the ECtHR
    documents each cites (627 pairs placed): against main, none turned `differs`; one went `near` → `verbatim`
    (`[T]he`) (session 18)."""
    if sum(w in NEGATIONS for w in said) != sum(w in NEGATIONS for w in source):
        return True
    if _force(said) != _force(source):
        return True
    numbers = {w for w in said if w.isnumeric()} - set(source)
    if numbers and (not edge or {w for w in source if w.isnumeric()} - set(said)):
        return True  # a number the source does not state there (one left out, `(art. 3)`, is no change of sense); at
        # an end only one put for the source's own number there (`三日内` quoted as `五日`, `within 30` for `within 60`)
    said_words, source_words = set(said), set(source)  # sets: a long changed stretch costs linear time, not quadratic
    return any(p + w in source_words or w.startswith(p) and w[len(p):] in source_words
               for w in said_words for p in _NEGATIVE_PREFIXES)


def _force(words: list[str]) -> tuple[int, int]:
    """How many words of obligation and of permission a stretch holds (`OBLIGATION`, `PERMISSION`)."""
    joined = "".join(w for w in words if len(w) == 1)  # Chinese, aligned character by character
    return tuple(sum(w in terms for w in words) + sum(joined.count(t) for t in terms if len(t) > 1 and not t.isascii())
                 for terms in (OBLIGATION, PERMISSION))  # type: ignore[return-value]


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
