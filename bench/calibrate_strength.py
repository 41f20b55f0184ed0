"""Calibrates `kb.search.strength.STRONG_COVERAGE` on the dev questions: for each threshold, how many top-10 hits of
relevant documents are strong (recall), how many strong hits are relevant (precision), and how often a weak hit was
in fact relevant.

    KB_HOME=… python bench/calibrate_strength.py ../shared/eval/dev-lawyer-questions.jsonl ../shared/eval/dev.jsonl \
        --sample 200

Relevance is the eval files' own (a hit of a listed document); their lists are incomplete, so precision is a lower
bound.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from kb.api import KnowledgeBase
from kb.search.crosslingual import default_glossary
from kb.search.evaluation import read_cases
from kb.search.strength import STRONG_COVERAGE, coverage
from kb.store.base import SearchFilters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--sample", type=int, default=200, help="cases drawn from each file beyond the first")
    args = parser.parse_args()
    cases = list(read_cases(args.files[0]))
    for path in args.files[1:]:
        more = list(read_cases(path))
        cases += random.Random(1).sample(more, min(args.sample, len(more)))
    kb = KnowledgeBase()
    rows = []
    for case in cases:
        hits = kb.search(case.query, SearchFilters(exclude_doc_ids=case.exclude_doc_ids), limit=10)
        matches = len(default_glossary().find(case.query))
        for hit in hits:
            rows.append((coverage(case.query, hit.text, hit.matched_terms, matches), hit.doc_id in case.relevant,
                         case.kind))
    print(f"{len(cases)} cases, {len(rows)} hits, {sum(r for _, r, _ in rows)} of relevant documents")
    print("threshold  strong  precision  recall  weak-but-relevant")
    for step in range(5, 100, 5):
        t = step / 100
        strong = [r for c, r, _ in rows if c >= t]
        weak = [r for c, r, _ in rows if c < t]
        relevant = sum(r for _, r, _ in rows) or 1
        print(f"{t:9.2f}  {len(strong):6d}  {sum(strong) / max(1, len(strong)):9.3f}  {sum(strong) / relevant:6.3f}"
              f"  {sum(weak) / max(1, len(weak)):.3f} ({sum(weak)} of {len(weak)})"
              + ("   <- shipped" if abs(t - STRONG_COVERAGE) < 0.025 else ""))


if __name__ == "__main__":
    main()
