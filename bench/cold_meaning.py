"""A question's latency and ranking while the embedding cache is cold or partial (`make run`'s first hour, `kb embed`
filling it) against the same search on a warm cache, in one process on one store.

    KB_HOME=/path/to/store .venv/bin/python bench/cold_meaning.py --cache cold= partial=/tmp/p.sqlite
        warm=/tmp/w.sqlite --variants warm:cache partial:cache partial:fill cold:cache cold:fill [--limit 15]
        [--questions a.jsonl b.jsonl]

Each `--cache NAME=PATH` is a cache state (an empty PATH: an empty cache), each `--variants NAME:HOW` a cache state
and how the passages a question's pool lacks are treated: `cache`, as the search does (the pool's median, handed to
`wanted`, which nobody serves here), or `fill`, the same and then embedded into the cache after the question, untimed
(`kb embed` keeping up with the questions, what `WantedPassages` is for), or `inline`, embedded within the search
and cached (what `kb search` and `kb eval` do, and every search did before). The cache is copied afresh for every
variant, so what one variant embeds never warms the next. A variant runs the questions of the question files (default:
dev-echr-qa.jsonl and dev-lawyer-questions.jsonl beside `KB_CORPUS`; `--limit`: the first N of each, a new user's
first questions) and prints per file doc_hit@10 / para_hit@10, p50/p95 wall ms, the mean CPU ms of the process, and
how many questions have the same top 10 as in the first variant run (pass the warm cache first: the ranking with every
passage's vector). Never write into a cache another process uses: the
copies are made in a temporary folder.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this tree's `kb`, not the installed one


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", nargs="+", required=True, help="NAME=PATH cache states (empty PATH: empty cache)")
    parser.add_argument("--variants", nargs="+", required=True, help="NAME:HOW (HOW cache, fill or inline)")
    parser.add_argument("--limit", type=int, help="the first N questions of each file")
    parser.add_argument("--questions", type=Path, nargs="+")
    args = parser.parse_args(argv)

    from kb.api import KnowledgeBase
    from kb.embedding import EmbeddingCache
    from kb.search.evaluation import read_cases, score_ranking
    from kb.search.pipeline import run_search
    from kb.settings import Settings
    from kb.store.base import SearchFilters
    from legal.text import index_text

    settings = Settings.load()
    if not args.questions:
        if settings.corpus is None:
            parser.error("no corpus folder: set KB_CORPUS or pass --questions")
        args.questions = [settings.corpus.parent / "eval" / name
                          for name in ("dev-echr-qa.jsonl", "dev-lawyer-questions.jsonl")]
    caches = dict(spec.split("=", 1) for spec in args.cache)
    files = {path.name: read_cases(path, limit=args.limit) for path in args.questions}
    kb = KnowledgeBase(settings)
    reference: dict[str, list[str]] = {}
    try:
        search = kb.search_pipeline("ranked")
        meaning = search.pipeline.get_component("meaning")
        with tempfile.TemporaryDirectory() as folder:
            # the model loaded (query and passage side) before any timing, on a scratch cache
            meaning.cache_path = Path(folder) / "scratch.sqlite"
            first = next(iter(files.values()))[0]
            run_search(search, first.query, SearchFilters(exclude_doc_ids=first.exclude_doc_ids), 10)
            lacking: list = []
            meaning.wanted = lacking.extend
            meaning._passages.vectors([index_text(first.query)])
            print(f"{'cache':<10} {'how':>6}  {'file':<28} {'doc@10':>6} {'para@10':>7}  {'p50':>7} {'p95':>7}"
                  f"  {'CPU':>6}  same top 10")
            for variant in args.variants:
                name, how = variant.split(":")
                if how not in ("cache", "fill", "inline"):
                    parser.error(f"{variant}: HOW is cache, fill or inline")
                meaning.wanted = None if how == "inline" else lacking.extend
                copy = Path(folder) / f"{name}-{how}.sqlite"
                if caches[name]:
                    shutil.copy(caches[name], copy)
                meaning._passages.cache = EmbeddingCache(copy, settings.embedding)
                for file, cases in files.items():
                    hits, walls, cpus, same = [], [], [], 0
                    for case in cases:
                        filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
                        started, process = time.perf_counter(), time.process_time()
                        found = run_search(search, case.query, filters, 10)
                        walls.append((time.perf_counter() - started) * 1000)
                        cpus.append((time.process_time() - process) * 1000)
                        if how == "fill" and lacking:
                            meaning._passages.vectors([index_text(d.content or "") or (d.content or "")
                                                       for d in lacking])
                        lacking.clear()
                        hits.append(score_ranking(case, [(d.meta.get("doc_id", ""), d.meta.get("paragraph"))
                                                         for d in found]))
                        ids = [d.id for d in found]
                        reference.setdefault(f"{file}:{case.qid}", ids)
                        same += reference[f"{file}:{case.qid}"] == ids
                    doc = np.mean([h["doc_hit@10"] for h in hits])
                    para = np.mean([h["para_hit@10"] for h in hits if h["para_hit@10"] is not None])
                    print(f"{name:<10} {how:>6}  {file:<28} {doc:6.3f} {para:7.3f}  "
                          f"{np.percentile(walls, 50):5.0f}ms {np.percentile(walls, 95):5.0f}ms  "
                          f"{np.mean(cpus):4.0f}ms  {same}/{len(cases)}", flush=True)
    finally:
        kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
