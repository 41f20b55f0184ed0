"""A question of several sentences retrieved per sentence as well (issue 22, session 23): does BM25's pool hold
its answer more often when each sentence's own list is fused with the whole question's?

    .venv/bin/python bench/question_split.py --payloads STORE/store-payloads.sqlite --cache chunks.pkl --index index.pkl

In memory, as `bench/context_headers.py` (variant f, today's BM25 text; `--index`: a pickled `context_headers.Index`,
built and kept when missing). A question is split at a sentence's end before a capital, or at ", and/or/but if
not / whether / what / how …" (parts of four words or more; 12 of 73 expert, 27 of 40 dev lawyer questions split);
variants: today (the whole question's first 60); `rrf1` / `rrf05` (reciprocal rank, k 60, of the whole question's
list and each part's at weight 1 / 0.5); `rrf_only_q` (only the parts ending in "?"); `union` (the whole's first 40,
then each part's first few). Pool value as `context_headers.leave_one_out`.

Measured (session 23, eval23's payloads, 329,008 chunks). doc@60 / para@60, today → rrf1:
  dev expert (73)          0.767 / 0.455 → 0.767 / 0.455
  dev lawyer kind (20)     1.000 / 0.750 → 1.000 / 0.700   (rrf05, rrf_only_q: 0.950 / 0.700; union 1.000 / 0.650)
  dev lawyer mixed (6)     1.000 / 1.000 → level (union 0.833)
  topics expert (24)       0.875 / 0.667 → 0.917 / 0.667
  topics lawyer (23)       0.957 / 0.348 → level
  extradition (37)         0.946 / 0.405 → 0.973 / 0.486
  PRC bench mixed (8)      0.750 / 0.500 → 1.000 / 0.750
  dev.jsonl citation (300) 0.767 / 0.693 → 0.770 / 0.693
Leave-one-out on the 113 dev questions chose today's query for all 113 (pool value 0.673; rrf1 0.668, rrf05 0.664,
rrf_only_q 0.650, union 0.650): a lawyer's narrative sentence retrieves other facts, and the dev lawyer questions
lose an answer. Not kept; the never-tuned lawyer benches' gain is noted, not used to choose.
"""

from __future__ import annotations

import argparse
import pickle
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from context_headers import (  # noqa: E402
    Headers,
    Index,
    cases,
    document_rows,
    exclude,
    first,
    leave_one_out,
    load_chunks,
    pool_row,
    query_terms,
    table,
    variant_texts,
)

from kb.embedding import make_bm25  # noqa: E402

SPLIT = re.compile(r"(?<=[.?!;])\s+(?=[A-Z])|,\s+(?:and|or|but)\s+(?:if so|if not|whether|what|how|can|does|is)\b")
VARIANTS = ("today", "rrf1", "rrf05", "rrf_only_q", "union")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payloads", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True, help="the chunks' pickle (`context_headers`)")
    parser.add_argument("--index", type=Path, required=True, help="a pickled variant-f index, built when missing")
    args = parser.parse_args()
    chunks = load_chunks(args.payloads, args.cache)
    bm25 = make_bm25()
    if args.index.exists():
        index = pickle.loads(args.index.read_bytes())
    else:
        index = Index(variant_texts("f", chunks, Headers(chunks, bm25))[0], None, bm25)
        args.index.write_bytes(pickle.dumps(index))
    chosen = [c for c in cases(300, 0, 1) if c[0] != "dev.jsonl" or c[1].kind == "citation"]
    doc_rows = document_rows(chunks)

    def ranked(query: str, case) -> list[int]:
        return first(exclude(index.scores(query_terms("f", query, bm25)), case, doc_rows), 200)

    results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    split = Counter()
    for file, case in chosen:
        whole = ranked(case.query, case)
        parts = [p for p in SPLIT.split(case.query) if p and len(p.split()) >= 4]
        lists = [ranked(p, case) for p in parts] if len(parts) > 1 else []
        split[file] += bool(lists)
        for v in VARIANTS:
            if v == "today" or not lists:
                top = whole[:60]
            elif v == "union":
                top = list(dict.fromkeys(whole[:40] + [i for ranks in lists for i in ranks[: 20 // len(lists) + 1]]))
            else:
                fused: dict[int, float] = defaultdict(float)
                for r, i in enumerate(whole, 1):
                    fused[i] += 1 / (60 + r)
                used = [ranks for p, ranks in zip(parts, lists, strict=True)
                        if v != "rrf_only_q" or p.rstrip().endswith("?")]
                for ranks in used:
                    for r, i in enumerate(ranks, 1):
                        fused[i] += (0.5 if v == "rrf05" else 1.0) / (60 + r)
                top = sorted(fused, key=lambda i: -fused[i])[:60]
            results[v].append(pool_row(file, case, top, chunks))
    print("questions split:", dict(split))
    table(results)
    leave_one_out(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
