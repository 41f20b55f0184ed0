"""The reasoning source without an index (issue 22, tried in session 14, not kept): one store BM25 query over the
Court's paragraphs in THE LAW of judgments and decisions (limit K), the judgments ranked by the sum of their best
TOPN paragraph scores, the first N judgments' best m paragraphs (of those K) added as fetched candidates. Dumps the
dev questions' pools tagged as `reasoning_prior.py sources` tags them, so `reasoning_prior.py sourced` replays the
variants (N 3-20, m 2-8) with leave-one-out.

    KB_HOME=… KB_EMBED_CACHE=… .venv/bin/python bench/reasoning_aggregate.py OUT.pkl K [TOPN]
    .venv/bin/python bench/reasoning_prior.py sourced OUT.pkl

Session 14 (copy of eval14, K 500, TOPN 3): leave-one-out chose N 10, m 8 for 91 of 93 questions: expert
doc_hit@10 / para_hit@10 0.658 / 0.379, lawyer kind 0.700, against the reasoning index's 0.685 / 0.409 and 0.800;
the source step cost 40 ms of CPU p50 (76 p95), reading 500 payloads."""
import collections
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reasoning_prior as rp
from question_pools import QUESTION_FILES

from ingest.loaders.echr import COURT_ROLES
from kb.api import KnowledgeBase
from kb.embedding import make_bm25
from kb.requests import SearchMode
from kb.search.evaluation import read_cases
from kb.search.modes import ALL_PARTS
from kb.search.ranking import key_of
from kb.search.retrieval import bm25_documents
from kb.settings import Settings
from kb.store.base import SparseVector


def main(out_path: Path, K: int, TOPN: int = 3) -> int:  # noqa: N803  (the figures' names)
    settings = Settings.load()
    kb = KnowledgeBase(settings)
    queries = make_bm25()
    cases = [(f, c) for f in QUESTION_FILES for c in read_cases(settings.corpus.parent / "eval" / f)]
    search = kb.search_pipeline(SearchMode.RANKED, parts=replace(ALL_PARTS, reasoning_source=False))  # the alternative
    out = []
    try:
        for n, (file, case) in enumerate(cases, 1):
            filters, res = rp.run_case(search, case)
            reading = res["read"]["reading"]
            pool, fetched = list(res["fetch"]["documents"]), list(res["fetch"]["fetched"])
            tags, added, spent = {}, [], {}
            if reading.convention:
                started = time.process_time()
                sv = queries.embed_query(case.query)
                sparse = SparseVector(list(sv.indices), list(sv.values))
                hits = bm25_documents(kb.store, sparse, replace(
                    filters, roles=COURT_ROLES, sections=("THE LAW",), source_kinds=("echr",),
                    doc_types=("JUDGMENT", "DECISION")), K)
                by_doc = collections.defaultdict(list)
                for d in hits:
                    by_doc[d.meta["doc_id"]].append(d)
                score = {doc: sum(sorted((x.score or 0.0 for x in ds), reverse=True)[:TOPN])
                         for doc, ds in by_doc.items()}
                order = sorted(score, key=lambda k: -score[k])[:20]
                present = {key_of(d) for d in pool + fetched}
                for j, doc in enumerate(order, 1):
                    for r, d in enumerate(by_doc[doc][:8], 1):
                        if key_of(d) not in present and key_of(d) not in tags:
                            tags[key_of(d)] = (j, rp.NOT_LISTED, r, rp.NOT_LISTED)
                            added.append(replace(d, score=0.0))
                spent["source"] = time.process_time() - started
            out.append(rp.tagged_pool(search, res, case, file, filters, added, tags, spent))
            print(f"  {n}/{len(cases)} {case.qid}: +{len(added)} source {spent.get('source', 0) * 1000:.0f} ms",
                  file=sys.stderr, flush=True)
    finally:
        kb.close()
    out_path.write_bytes(pickle.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3))
