"""Where the expert questions' answers are lost before ranking: the paragraph recall of the ranked mode's candidate
pool, and of cheap further candidate sources, on every dev question with ECtHR paragraph answers (issue 22).

    KB_HOME=… KB_EMBED_CACHE=… .venv/bin/python bench/pool_sources.py collect [--out pools.json]
    .venv/bin/python bench/pool_sources.py recall [--pools pools.json] [--paragraphs paragraphs.pkl]

`collect` (opens the store) writes, per question: the shipped ranked pipeline's candidates (retrieved, fetched,
cue-joined, in the ranker's order), BM25's first 300 over the whole store, and BM25's first 300 over ECtHR paragraphs
where the Court speaks (role `court`: source (a)). `recall` (no store) adds the sources built from the citation
graph of `$KB_HOME/citations.sqlite` (built with `--leave-out heldout-citing-docs.txt`; the held-out documents'
citations are also dropped here, so nothing counted comes from them) and the corpus paragraphs
(`bench/court_paragraphs.py`):
* (b) `graph`: the paragraphs the first candidate documents' own paragraphs cite (every paragraph of those
  judgments, not only the retrieved ones), ordered by Σ over citing documents of 1/(k + the document's rank);
* (c) `anchor`: BM25 over each cited paragraph's anchor text (the citing paragraphs of later judgments joined);
* (d) `dense`: MiniLM over every Court paragraph of an ECtHR judgment (`--dense`, costly the first time: the
  vectors are kept in `KB_EMBED_CACHE`).
Printed per source and per file: the share of questions with an answer paragraph in the first 100 / 200, and the
share of answer paragraphs there (paragraph recall), alone and added to the shipped pool.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

EVAL = Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")).parent / "eval"
FILES = ("dev-echr-qa.jsonl", "dev-lawyer-questions.jsonl")
ECHR_KINDS = ("echr-qa", "lawyer")
CACHE = Path("/work/cache/meaning")
DEPTH = 300


def questions():
    from kb.search.evaluation import read_cases

    return [(name, c) for name in FILES for c in read_cases(EVAL / name) if c.kind in ECHR_KINDS]


def collect(out: Path) -> None:
    from kb.api import KnowledgeBase
    from kb.embedding import Bm25QueryEmbedder
    from kb.requests import SearchMode
    from kb.search.retrieval import bm25_documents
    from kb.settings import Settings
    from kb.store.base import SearchFilters, SparseVector

    kb = KnowledgeBase(Settings.load())
    rows = []
    try:
        ranked = kb.search_pipeline(SearchMode.RANKED)
        bm25 = Bm25QueryEmbedder()
        for name, case in questions():
            filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
            result = ranked.run(query=case.query, filters=filters, top_k=10)
            sv = bm25.run(text=case.query)["sparse_embedding"]
            sparse = SparseVector(list(sv.indices), list(sv.values))
            keys = lambda docs: [(d.meta.get("doc_id", ""), str(d.meta.get("paragraph"))) for d in docs]  # noqa: E731
            court = SearchFilters(source_kinds=("echr",), roles=("court",), exclude_doc_ids=case.exclude_doc_ids)
            rows.append({"file": name, "qid": case.qid, "query": case.query,
                         "relevant": {d: sorted(p) if p else None for d, p in case.relevant.items()},
                         "top10": keys(result["documents"]), "pool": keys(result["candidates"]),
                         "bm25": keys(bm25_documents(kb.store, sparse, filters, DEPTH)),
                         "bm25_court": keys(bm25_documents(kb.store, sparse, court, DEPTH))})
            print(f"  {len(rows)}", file=sys.stderr, end="\r", flush=True)
    finally:
        kb.close()
    out.write_text(json.dumps(rows))
    print(f"{len(rows)} questions → {out}")


# -- recall (no store) -----------------------------------------------------------------------------------------


def heldout() -> set[str]:
    return set((EVAL / "heldout-citing-docs.txt").read_text().split())


def citation_edges(db: Path) -> list[tuple[str, str, str, str]]:
    """(citing doc, citing para, cited doc, cited para) of every pinpointed citation, held-out citers dropped."""
    left_out = heldout()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute("SELECT DISTINCT c.citing_doc, c.citing_para, p.cited_doc, p.cited_para FROM pinpoints p "
                       "JOIN citations c ON c.id = p.citation_id WHERE c.citing_doc != p.cited_doc").fetchall()
    return [r for r in rows if r[0] not in left_out]


def graph_source(pool: list, edges_by_doc: dict, docs: int = 20, k: int = 4) -> list:
    """(b): the paragraphs cited by the first `docs` candidate documents' paragraphs, by Σ 1/(k + document rank)."""
    order = list(dict.fromkeys(d for d, _ in pool))[:docs]
    score: Counter = Counter()
    for rank, doc in enumerate(order, 1):
        for cited in {(cd, cp) for _, cd, cp in edges_by_doc.get(doc, ())}:
            score[cited] += 1.0 / (k + rank)
    return [key for key, _ in score.most_common()]


class Bm25:
    """A small in-memory BM25 (k1 1.2, b 0.75) over word tokens: the anchor-text index of source (c)."""

    def __init__(self, texts: list[str]) -> None:
        import re

        from sklearn.feature_extraction.text import CountVectorizer

        self.vec = CountVectorizer(token_pattern=r"(?u)\b[^\W\d_]{2,}\b", stop_words="english")
        tf = self.vec.fit_transform(texts).tocsc().astype("float32")
        n = tf.shape[0]
        df = (tf > 0).sum(0).A1
        self.idf = [math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df]
        lengths = tf.sum(1).A1
        avg = lengths.mean()
        tf = tf.tocoo()
        import numpy as np
        from scipy.sparse import csr_matrix

        norm = 1.2 * (0.25 + 0.75 * lengths[tf.row] / avg)
        w = tf.data * 2.2 / (tf.data + norm) * np.asarray(self.idf, dtype="float32")[tf.col]
        self.matrix = csr_matrix((w, (tf.row, tf.col)), shape=tf.shape).tocsc()
        self._re = re

    def top(self, query: str, n: int) -> list[int]:
        import numpy as np

        q = self.vec.transform([query])
        cols = sorted(set(q.indices))
        if not cols:
            return []
        scores = np.asarray(self.matrix[:, cols].sum(1)).ravel()
        best = np.argsort(-scores)[:n]
        return [int(i) for i in best if scores[i] > 0]


def anchor_index(edges, texts: dict) -> tuple[list, Bm25]:
    """(c): each cited paragraph's anchor text, the texts of the (non-held-out) paragraphs citing it, joined."""
    anchors: dict = defaultdict(list)
    for citing_doc, citing_para, cited_doc, cited_para in edges:
        t = texts.get((citing_doc, citing_para))
        if t:
            anchors[(cited_doc, cited_para)].append(t)
    keys = sorted(anchors)
    return keys, Bm25([" ".join(anchors[k]) for k in keys])


def dense_source(rows: list, paragraphs: list, depth: int) -> dict[str, list]:
    """(d): MiniLM over every Court paragraph of an ECtHR judgment, the vectors kept in `KB_EMBED_CACHE`."""
    import numpy as np
    from haystack import Document

    from kb.embedding import CachedDocumentEmbedder, EmbeddingCache, document_embedder, text_embedder
    from kb.settings import Settings
    from legal.text import index_text

    embedding = Settings.load().embedding
    court = [p for p in paragraphs if p[2] == "JUDGMENT" and p[3] == "court"]
    cache = EmbeddingCache(Path(os.environ["KB_EMBED_CACHE"]), embedding)
    embedder = CachedDocumentEmbedder(lambda: document_embedder(embedding), cache)
    vectors = []
    for start in range(0, len(court), 512):
        batch = [Document(content=index_text(p[8]) or p[8]) for p in court[start:start + 512]]
        vectors += [d.embedding for d in embedder.run(documents=batch)["documents"]]
        print(f"  dense {start + len(batch)}/{len(court)}", file=sys.stderr, flush=True)
    matrix = np.asarray(vectors, dtype=np.float32)
    query = text_embedder(embedding)
    query.warm_up()
    out = {}
    for row in rows:
        q = np.asarray(query.run(text=row["query"])["embedding"], dtype=np.float32)
        best = np.argsort(-(matrix @ q))[:depth]
        out[row["qid"]] = [(court[i][0], court[i][1]) for i in best]
    return out


def recall_table(rows: list, sources: dict[str, dict[str, list]]) -> None:
    print("| file | source | n | q@100 | q@200 | para@100 | para@200 | +pool q@200 | +pool para@200 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for file in FILES:
        subset = [r for r in rows if r["file"] == file and any(r["relevant"].values())]
        for name, lists in sources.items():
            cells = []
            for depth, with_pool in ((100, False), (200, False), (200, True)):
                q_hits, p_hits, p_all = 0, 0, 0
                for r in subset:
                    wanted = {(d, str(p)) for d, ps in r["relevant"].items() for p in ps or ()}
                    got = {tuple(k) for k in lists[r["qid"]][:depth]}
                    if with_pool:
                        got |= {tuple(k) for k in r["pool"]}
                    q_hits += bool(wanted & got)
                    p_hits += len(wanted & got)
                    p_all += len(wanted)
                cells.append((q_hits / len(subset), p_hits / p_all))
            print(f"| {file} | {name} | {len(subset)} | {cells[0][0]:.3f} | {cells[1][0]:.3f} | {cells[0][1]:.3f} | "
                  f"{cells[1][1]:.3f} | {cells[2][0]:.3f} | {cells[2][1]:.3f} |")


def recall(args: argparse.Namespace) -> None:
    rows = json.loads(args.pools.read_text())
    paragraphs = pickle.loads(args.paragraphs.read_bytes())
    texts = {(p[0], p[1]): p[8] for p in paragraphs}
    edges = citation_edges(Path(os.environ["KB_HOME"]) / "citations.sqlite")
    by_doc: dict = defaultdict(list)
    for citing_doc, citing_para, cited_doc, cited_para in edges:
        by_doc[citing_doc].append((citing_para, cited_doc, cited_para))
    keys, index = anchor_index(edges, texts)
    print(f"{len(edges)} pinpointed citations (held-out citers dropped); anchor text for {len(keys)} paragraphs",
          file=sys.stderr)
    sources: dict[str, dict[str, list]] = {
        "shipped pool": {r["qid"]: r["pool"] for r in rows},
        "bm25": {r["qid"]: r["bm25"] for r in rows},
        "(a) bm25, Court paragraphs": {r["qid"]: r["bm25_court"] for r in rows},
        "(b) graph of the pool's first 20 documents": {r["qid"]: graph_source(r["pool"], by_doc) for r in rows},
        "(c) anchor-text bm25": {r["qid"]: [keys[i] for i in index.top(r["query"], DEPTH)] for r in rows},
    }
    if args.dense:
        sources["(d) MiniLM, Court paragraphs"] = dense_source(rows, paragraphs, DEPTH)
    if args.save:
        args.save.write_text(json.dumps({n: {q: [list(k) for k in v] for q, v in s.items()}
                                         for n, s in sources.items()}))
    recall_table(rows, sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("collect", "recall"))
    parser.add_argument("--pools", type=Path, default=CACHE / "pools.json")
    parser.add_argument("--paragraphs", type=Path, default=CACHE / "paragraphs.pkl")
    parser.add_argument("--dense", action="store_true")
    parser.add_argument("--save", type=Path, help="write every source's lists here (for the end-metric runs)")
    args = parser.parse_args(argv)
    if args.step == "collect":
        collect(args.pools)
    else:
        recall(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
