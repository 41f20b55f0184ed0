"""`strong` / `weak`: whether a hit answers the question or is only the best of nothing.

Why: ranks and fused scores say which hit is better than another, not whether any is good; "Sky Net Fox Hunt
fugitives returned to China" got ten confident-looking hits of noise. A hit is strong when it contains enough of the
question's distinctive words: for an English passage the share of the question's content words (stemmed, stopwords
out; at most `MAX_TERMS` counted, so a page-long query is not held to every word), for a Chinese passage the share
of the glossary terms of the question it contains (`kb.search.crosslingual.matched_terms`).
"""

from __future__ import annotations

import re

from kb.search.crosslingual import tokens
from legal.text import STOPWORDS

MAX_TERMS = 10
STRONG_COVERAGE = 0.45
"""Share of the question's terms a strong hit contains. `bench/calibrate_strength.py` on the full store (40 dev lawyer
questions + 20 dev.jsonl cases, 600 top-10 hits): at 0.45, 84 % of the hits of relevant documents are strong and 11 %
of the weak hits (17 of 153) were in fact relevant; precision of strong hits is only 0.20 (0.18 with no threshold), so
the signal separates answers from noise weakly: "no strong match" is reliable, a strong hit is a candidate."""


def query_terms(query: str) -> list[str]:
    return list(dict.fromkeys(t for t in tokens(query) if t not in STOPWORDS and len(t) > 2 and not t.isdigit()))


def _cjk_bigrams(text: str) -> set[str]:
    runs = re.findall(r"[\u4e00-\u9fff]+", text)
    return {run[i : i + 2] for run in runs for i in range(max(1, len(run) - 1))}


def coverage(query: str, text: str, matched_terms: list[str], glossary_matches: int) -> float:
    """Share of the question's content words in the passage (for a Chinese passage found from English: the words of
    the glossary terms it contains, so one matched word of a seven-word question stays weak); character bigrams for a
    Chinese question."""
    if bigrams := _cjk_bigrams(query):
        return len(bigrams & _cjk_bigrams(text)) / len(bigrams)
    terms = query_terms(query)
    if not terms:
        return 0.0
    if matched_terms and glossary_matches:  # a Chinese passage holds the English words its glossary terms translate
        present = {t for term in matched_terms for t in tokens(term.split(" → ")[0])}
    else:  # (not read for such a passage: folding a Chinese article's every character cost ~1 ms a question)
        present = set(tokens(text))
    found = sum(1 for t in terms if t in present)
    return min(1.0, found / min(len(terms), MAX_TERMS))


def strength(value: float) -> str:
    return "strong" if value >= STRONG_COVERAGE else "weak"
