"""A question's latency and ranking while the embedding cache is cold or partial (`make run`'s first hour, `kb embed`
filling it, or a store whose cache was lost) against the same search on a warm cache, in one process on one store.

    KB_HOME=/path/to/store .venv/bin/python bench/cold_meaning.py --cache cold= partial=/tmp/p.sqlite
        warm=/tmp/w.sqlite --variants warm:cache partial:cache partial:cache:median cold:store [--limit 15]
        [--questions a.jsonl b.jsonl]
    .venv/bin/python bench/cold_meaning.py filter SOURCE OUT (--share 0.25 | --first 40000 --payloads P)

Each `--cache NAME=PATH` is a cache state (an empty PATH: an empty cache), each `--variants NAME:HOW[:RULE]` a cache
state, how the passages a question's pool lacks are treated, and the rule that ranks them. HOW: `cache`, as the
search does while `kb embed` fills a store (the store lacks what the cache lacks, so it is not read: the candidate is
left unknown and handed to `wanted`, which nobody serves here); `store`, as the search does on any store (the
vectors the cache lacks read from the store's dense vectors, `ChunkStore.dense_vectors`: a lost or copied cache);
`fill`, like `cache` and then embedded into the cache after the question, untimed (`kb embed` keeping up with the
questions, what `WantedPassages` is for); or `inline`, embedded within the search and cached (what `kb search` and
`kb eval` do). RULE (`kb.search.ranking.meaning_values`): `expected` (shipped: an unknown candidate's expected value
over every place), `median` (session 20: the pool's median similarity, ranked among the known ones), `among` (the
known ranked among themselves, an unknown one at their mean value), `scaled` (`among` times the share known). The
cache is copied afresh for every variant, so what one variant embeds never warms the next. A variant runs the
questions of the question files (default: dev-echr-qa.jsonl and dev-lawyer-questions.jsonl beside `KB_CORPUS`;
`--limit`: the first N of each) and prints per file doc_hit@10 / para_hit@10, p50/p95 wall ms, the mean CPU ms of the
process, the mean wall / CPU ms of the store reads a question, the share of the pools' passages the cache held and the
share read from the store, and how many
questions have the same top 10 as in the first variant run (pass the warm cache first).

`filter` writes a copy of the cache SOURCE holding only some of its vectors: a `--share` of them chosen by their key
(uniform, the same for every run), or those of the first `--first` passages of `kb embed`'s order (`embed_rank`
descending, ties by point id) read from the store's payload copy (`--payloads`, `store-payloads.sqlite`). Never write
into a cache another process uses: the copies are made in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this tree's `kb`, not the installed one

RULES = ("expected", "median", "among", "scaled")


def rule(name: str, shipped):
    """The `meaning` values of a rule (see the module docstring); `shipped` (`expected`) is the module's own,
    taken before any variant replaced it."""
    if name == "expected":
        return shipped

    def values(similarity):
        unknown = getattr(similarity, "unknown", frozenset())
        if not unknown:
            return shipped(similarity)
        known = dict(similarity)
        if name == "median":
            known.update(dict.fromkeys(unknown, float(np.median(list(known.values())))))
            return shipped(known)
        among = shipped(known)
        mean = float(np.mean(list(among.values())))
        share = len(known) / (len(known) + len(unknown)) if name == "scaled" else 1.0
        return {**{k: v * share for k, v in among.items()}, **dict.fromkeys(unknown, mean * share)}

    return values


def filter_cache(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="a copy of a cache holding some of its vectors")
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--share", type=float)
    parser.add_argument("--first", type=int)
    parser.add_argument("--payloads", type=Path, help="the store's payload copy (for --first)")
    args = parser.parse_args(argv)
    if (args.share is None) == (args.first is None) or (args.first and not args.payloads):
        parser.error("one of --share or --first (with --payloads)")
    source = sqlite3.connect(f"file:{args.source}?mode=ro", uri=True)
    if args.share is not None:
        keep = [(k, v) for k, v in source.execute("SELECT key, vec FROM vectors") if k[-1] < args.share * 256]
    else:
        from kb.embedding import EmbeddingCache
        from kb.settings import Settings
        from legal.text import index_text

        cache = EmbeddingCache.__new__(EmbeddingCache)  # its key function only: nothing opened or written
        cache._model_tag = Settings.load().for_store().embedding.vector_space.encode() + b"\x1f"
        payloads = sqlite3.connect(f"file:{args.payloads}?mode=ro", uri=True)
        order = []
        for point, payload in payloads.execute("SELECT id, payload FROM chunks"):
            fields = json.loads(payload)
            text = str(fields.get("text") or "")
            order.append((-(fields.get("embed_rank") if fields.get("embed_rank") is not None else -1), point,
                          cache.key(index_text(text) or text)))
        order.sort()
        wanted = {key for _, _, key in order[:args.first]}
        keep = [(k, v) for k, v in source.execute("SELECT key, vec FROM vectors") if k in wanted]
    args.out.unlink(missing_ok=True)
    out = sqlite3.connect(args.out)
    out.execute("CREATE TABLE vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
    out.executemany("INSERT INTO vectors VALUES (?, ?)", keep)
    out.commit()
    total = source.execute("SELECT count(*) FROM vectors").fetchone()[0]
    print(f"{args.out}: {len(keep):,} of {total:,} vectors")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["filter"]:
        return filter_cache(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", nargs="+", required=True, help="NAME=PATH cache states (empty PATH: empty cache)")
    parser.add_argument("--variants", nargs="+", required=True,
                        help="NAME:HOW[:RULE] (HOW cache, store, fill or inline; RULE one of " + ", ".join(RULES))
    parser.add_argument("--limit", type=int, help="the first N questions of each file")
    parser.add_argument("--questions", type=Path, nargs="+")
    args = parser.parse_args(argv)

    from kb.api import KnowledgeBase
    from kb.embedding import EmbeddingCache
    from kb.search import ranking
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
        shipped = ranking.meaning_values
        meaning = search.pipeline.get_component("meaning")
        store_read = meaning.stored
        reads: list[float] = []
        read_cpu: list[float] = []
        from_store = [0]  # vectors the store had of those the cache lacked

        def timed_read(ids: list[str]):
            started, cpu = time.perf_counter(), time.thread_time()
            held = store_read(ids)
            reads.append((time.perf_counter() - started) * 1000)
            read_cpu.append((time.thread_time() - cpu) * 1000)
            from_store[0] += sum(1 for v in held.values() if v)
            return held

        with tempfile.TemporaryDirectory() as folder:
            # the model loaded (query and passage side) before any timing, on a scratch cache
            meaning.cache_path = Path(folder) / "scratch.sqlite"
            meaning.stored = None
            first = next(iter(files.values()))[0]
            run_search(search, first.query, SearchFilters(exclude_doc_ids=first.exclude_doc_ids), 10)
            lacking: list = []
            meaning.wanted = lacking.extend
            meaning._passages.vectors([index_text(first.query)])
            print(f"{'cache':<10} {'how':>6} {'rule':>8}  {'file':<28} {'doc@10':>6} {'para@10':>7}  {'p50':>7} "
                  f"{'p95':>7}  {'CPU':>6} {'store':>11} {'held':>5} {'read':>5}  same top 10")
            for variant in args.variants:
                name, how, *rest = variant.split(":")
                rule_name = rest[0] if rest else "expected"
                if how not in ("cache", "store", "fill", "inline") or rule_name not in RULES:
                    parser.error(f"{variant}: HOW is cache, store, fill or inline; RULE one of {', '.join(RULES)}")
                meaning.wanted = None if how == "inline" else lacking.extend
                meaning.stored = timed_read if how == "store" else None
                ranking.meaning_values = rule(rule_name, shipped)
                copy = Path(folder) / f"{name}-{how}-{rule_name}.sqlite"
                if caches[name]:
                    shutil.copy(caches[name], copy)
                meaning._passages.cache = EmbeddingCache(copy, settings.embedding)
                coverage = [0, 0]  # of the pools' passages: held by the cache, asked for
                from_cache = type(meaning._passages).from_cache.__get__(meaning._passages)

                def counted(texts: list[str], from_cache=from_cache, coverage=coverage):
                    found = from_cache(texts)
                    coverage[0] += len(found)
                    coverage[1] += len(texts)
                    return found

                meaning._passages.from_cache = counted
                for file, cases in files.items():
                    hits, walls, cpus, same = [], [], [], 0
                    reads.clear()
                    read_cpu.clear()
                    coverage[:] = [0, 0]
                    from_store[0] = 0
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
                    store_ms = f"{sum(reads) / len(cases):4.1f}/{sum(read_cpu) / len(cases):3.1f}ms"
                    print(f"{name:<10} {how:>6} {rule_name:>8}  {file:<28} {doc:6.3f} {para:7.3f}  "
                          f"{np.percentile(walls, 50):5.0f}ms {np.percentile(walls, 95):5.0f}ms  "
                          f"{np.mean(cpus):4.0f}ms {store_ms:>11} {coverage[0] / max(coverage[1], 1):5.2f} "
                          f"{from_store[0] / max(coverage[1], 1):5.2f}  "
                          f"{same}/{len(cases)}", flush=True)
            ranking.meaning_values = shipped
    finally:
        kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
