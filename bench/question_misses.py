"""Where each question's answer is, for diagnosing the ranked search's misses: the ranked top 10 (with each hit's
role and heading), the answer's rank in the ranked pool (the legal ranker's order, before the spreader and the
near-duplicate filter) and in BM25's first 100, written as JSON for reading.

    KB_HOME=… KB_EMBED_CACHE=… nice -n 10 .venv/bin/python bench/question_misses.py CASES.jsonl --out misses.json

Nothing is fitted: it runs the shipped pipelines (`KnowledgeBase.search_pipeline`, the object `kb search` runs) once
per question. Used for `bench/data/extradition_questions.jsonl` (session 19, issue 22).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kb.api import KnowledgeBase
from kb.requests import SearchMode
from kb.search.evaluation import EvalCase, read_cases
from kb.settings import Settings
from kb.store.base import SearchFilters

META = ("doc_id", "paragraph", "role", "heading", "section", "doc_type", "source_kind", "title")


def first_rank(case: EvalCase, listed: list[tuple[str, str | None]]) -> tuple[int | None, int | None]:
    """1-based rank of the first relevant paragraph and of the first relevant document in `listed` (None: absent)."""
    para = next((i for i, (d, p) in enumerate(listed, 1)
                 if case.relevant.get(d) and p is not None and str(p) in case.relevant[d]), None)
    doc = next((i for i, (d, _) in enumerate(listed, 1) if d in case.relevant), None)
    return para, doc


def describe(doc, text_chars: int) -> dict:
    row = {k: doc.meta.get(k) for k in META}
    row["text"] = (doc.content or "")[:text_chars]
    return row


def diagnose(kb: KnowledgeBase, cases: list[EvalCase], text_chars: int = 300) -> list[dict]:
    ranked = kb.search_pipeline(SearchMode.RANKED)
    bm25 = kb.search_pipeline(SearchMode.BM25)
    out = []
    for i, case in enumerate(cases, 1):
        filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
        result = ranked.run(query=case.query, filters=filters, top_k=10)
        top = list(result["documents"])
        pool = list(result["candidates"])
        wide = bm25.run(query=case.query, filters=filters, top_k=100)["documents"]
        pairs = lambda docs: [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in docs]  # noqa: E731
        top_para, top_doc = first_rank(case, pairs(top))
        pool_para, pool_doc = first_rank(case, pairs(pool))
        bm25_para, bm25_doc = first_rank(case, pairs(wide))
        out.append({"qid": case.qid, "query": case.query,
                    "relevant": {d: sorted(p) if p else None for d, p in case.relevant.items()},
                    "ranked_para": top_para, "ranked_doc": top_doc, "pool_size": len(pool),
                    "pool_para": pool_para, "pool_doc": pool_doc, "bm25_para": bm25_para, "bm25_doc": bm25_doc,
                    "top10": [describe(d, text_chars) for d in top],
                    "pool_answers": [dict(describe(d, 120), pool_rank=j) for j, d in enumerate(pool, 1)
                                     if d.meta.get("doc_id") in case.relevant][:8]})
        print(f"  {i}/{len(cases)} {case.qid}: top10 para {top_para} doc {top_doc}; pool para {pool_para} "
              f"doc {pool_doc} of {len(pool)}; bm25 para {bm25_para} doc {bm25_doc}", file=sys.stderr, flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--text", type=int, default=300, help="characters of each top-10 hit's text kept")
    args = parser.parse_args(argv)
    kb = KnowledgeBase(Settings.load())
    try:
        rows = diagnose(kb, read_cases(args.cases), args.text)
    finally:
        kb.close()
    args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
