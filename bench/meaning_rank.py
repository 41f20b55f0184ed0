"""How well a model tells the answer among a question's candidates: the rank, by the `meaning` similarity, of the
best answer paragraph within the ranked pipeline's pool, for the dev questions whose pool holds one (issue 22).

    KB_HOME=… KB_EMBED_CACHE=… .venv/bin/python bench/meaning_rank.py [--model PATH]

Why: the end metrics mix the model with every other feature; this isolates the model (the shipped MiniLM, or one from
`bench/train_court_model.py`) on the very candidates it re-orders. Printed per file: questions with an answer in the
pool, the mean reciprocal meaning-rank of the best answer, the share ranked first and within the first 10, and the
same for the pool's own (BM25) order.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pool_eval import patch  # noqa: E402
from pool_sources import questions  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    import logging

    from kb.api import KnowledgeBase
    from kb.requests import SearchMode
    from kb.search.ranking import RANK_CONSTANT, key_of, ranking_features
    from kb.settings import Settings
    from kb.store.base import SearchFilters

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--adapter", help="a query-side matrix from bench/query_adapter.py")
    args = parser.parse_args(argv)
    logging.getLogger("haystack").setLevel(logging.ERROR)
    kb = KnowledgeBase(Settings.load())
    found: dict[str, list[tuple[int, int]]] = {}
    try:
        patch(kb, {k: v for k, v in (("model", args.model), ("adapter", args.adapter)) if v})
        search = kb.search_pipeline(SearchMode.RANKED)
        for file, case in questions():
            cands = search.run(query=case.query, filters=SearchFilters(), top_k=10)["candidates"]
            answers = [c for c in cands if case.relevant.get(key_of(c)[0])
                       and key_of(c)[1] in case.relevant[key_of(c)[0]]]
            if not answers:
                continue
            meaning = min(round(1 / ranking_features(c)["meaning"] - RANK_CONSTANT) for c in answers
                          if ranking_features(c).get("meaning"))
            retrieval = min((round(1 / ranking_features(c)["retrieval"] - RANK_CONSTANT) for c in answers
                             if ranking_features(c).get("retrieval")), default=999)
            found.setdefault(file, []).append((meaning, retrieval))
    finally:
        kb.close()
    for file, ranks in found.items():
        for name, i in (("meaning", 0), ("retrieval", 1)):
            r = [x[i] for x in ranks]
            label = args.adapter or args.model or "shipped"
            print(f"{file} {label} {name}: n {len(r)} mrr {statistics.fmean(1 / x for x in r):.3f} "
                  f"@1 {sum(x == 1 for x in r) / len(r):.3f} @10 {sum(x <= 10 for x in r) / len(r):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
