"""Article feedback for BM25 (issue 22, session 23): does a question that names no Article reach its answer more
often when the Article its best BM25 matches stand under is added to its query as the `articleN` term?

    .venv/bin/python bench/article_feedback.py --payloads STORE/store-payloads.sqlite --cache chunks.pkl

In memory, as `bench/context_headers.py` (whose index, cases and tables this reuses): BM25 over every stored chunk
with today's text (variant f: heading words and `articleN` terms). For a question naming no Article, the first k
Court paragraphs (ECtHR, role `court`) vote for the Articles their heading paths name, 1/rank each; the winner, if
its share of the votes is at least tau, is added to the query as its `articleN` term at weight w (its BM25 column
times its IDF times w, added to the scores). Pool recall at 60/100 per file and kind; leave-one-out over all
variants on the 113 dev questions (`context_headers.leave_one_out`, pool value = the labelled document and paragraph
in the first 60).

Measured (session 23, payloads of eval23: whole corpus, 329,008 chunks, session 22's index; k 10/20/40 × w
0.5/1/2 × tau 0.3/0.5; an Article inferred for 307-428 of the 636 cases). doc@60 / para@60, today → k20 w1 tau0.5:
  dev expert (73)          0.767 / 0.455 → 0.753 / 0.439   (k20 w2 tau0.5: 0.726 / 0.424)
  dev lawyer kind (20)     1.000 / 0.750 → 1.000 / 0.800
  dev lawyer UN / mixed    level (UN paragraph MRR 0.568 → 0.470)
  topics expert (24)       0.875 / 0.667 → level
  topics lawyer (23)       0.957 / 0.348 → 0.957 / 0.435   (k20 w2 tau0.5: 1.000 / 0.565)
  extradition (37)         0.946 / 0.405 → 0.946 / 0.405   (k20 w1 tau0.3: 0.973 / 0.486)
  dev.jsonl citation (300) 0.767 / 0.693 → 0.767 / 0.697;  summary (199) 1.000 either way
Leave-one-out on the 113 dev questions chose today's query for 112 (pool value 0.668 against today's 0.673): the
expert questions lose (their guides' topics cut across Articles: a data-protection or environment question's answer
stands under Article 8, 10 or 2 alike), the lawyers' gain. Not kept: chosen on the dev questions it loses; the
never-tuned lawyer benches' gain is noted, not used to choose.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

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

from kb.embedding import article_terms, make_bm25  # noqa: E402
from legal.text import articles_in  # noqa: E402


def article_columns(index: Index, bm25, article: str) -> list[int]:
    protocol, _, number = article.rpartition("-")
    words = f"Article {number} of Protocol No. {protocol[1:]}" if protocol else f"Article {number}"
    return [index.vocab[t] for t in bm25.embed_query(article_terms(words)).indices if t in index.vocab]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payloads", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True, help="the chunks' pickle (`context_headers`)")
    parser.add_argument("--citation", type=int, default=300)
    parser.add_argument("--summary", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    chunks = load_chunks(args.payloads, args.cache)
    bm25 = make_bm25()
    texts, _ = variant_texts("f", chunks, Headers(chunks, bm25))
    index = Index(texts, None, bm25)
    court = np.array([k == "echr" and r == "court" for k, r in zip(chunks["kind"], chunks["role"], strict=True)])
    heading_articles = [articles_in(h) if k == "echr" and h else set()
                        for k, h in zip(chunks["kind"], chunks["heading"], strict=True)]
    doc_rows = document_rows(chunks)
    variants = [("today", 0, 0.0, 0.0)] + [(f"k{k}w{w:g}t{tau:g}", k, w, tau) for k in (10, 20, 40)
                                          for w in (0.5, 1.0, 2.0) for tau in (0.3, 0.5)]
    results: dict[str, list[dict]] = {v[0]: [] for v in variants}
    for file, case in cases(args.citation, args.summary, args.seed):
        base = exclude(index.scores(query_terms("f", case.query, bm25)), case, doc_rows)
        court_order = np.argsort(-np.where(court, base, -np.inf), kind="stable")[:40]
        named = articles_in(case.query)
        for name, k, w, tau in variants:
            s = base
            if k and not named:
                votes: Counter = Counter()
                for r, i in enumerate(court_order[:k], 1):
                    for a in sorted(heading_articles[i]):  # ties between Articles broken by name, not by hash order
                        votes[a] += 1 / r
                if votes:
                    article, vote = votes.most_common(1)[0]
                    cols = article_columns(index, bm25, article)
                    if vote / sum(1 / r for r in range(1, k + 1)) >= tau and cols:
                        s = base + w * (index.matrix[:, cols] @ index.idf[cols])
            results[name].append(pool_row(file, case, first(s), chunks))
    table({k: results[k] for k in ("today", "k20w1t0.3", "k20w1t0.5", "k20w2t0.5", "k40w0.5t0.3")})
    leave_one_out(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
