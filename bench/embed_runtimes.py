"""Does a faster embedding runtime lose anything? The same small store built with each runtime, then dense search
evaluated on every dev set, and the vectors of every passage compared with the torch ones.

    .venv/bin/python bench/embed_runtimes.py [--runtimes onnx,onnx-int8] [--sample 25] [--cache FILE]
    KB_HOME=<a store> .venv/bin/python bench/embed_runtimes.py --speed 4000 [--runtimes onnx,openvino-bf16]
    KB_HOME=<a store> .venv/bin/python bench/embed_runtimes.py --shapes 4000 --runtimes openvino-bf16,openvino-int8
    KB_HOME=<a fully embedded store> .venv/bin/python bench/embed_runtimes.py --pools openvino-bf16 \
        --reference-cache F32.sqlite --cache OTHER.sqlite [--citation 300 --summary 100 --seed 1] [--depth 40]

The store holds the documents the eval cases name as relevant (all of dev-lawyer-questions, a sample of dev-echr-qa
and of dev.jsonl), so every case can be answered and the other cases' documents are the distractors. Each
runtime gets its own home, built by the real CLI (`kb ingest FILES`, then `kb eval FILE --mode dense --json`); the
embedding cache (`--cache`, shared by the runs and kept between them, so a second run embeds nothing) keeps each
runtime's vectors under its own vector space. Agreement: the cosine of each stored passage vector with the first
runtime's for the same chunk, and the same for the dev queries. The default reference is the exact ONNX export,
which gives torch's float32 vectors (tests/test_embedding.py) in about half torch's time.

`--speed N`: each runtime's bare encoder (`kb.embedding_onnx.onnx_encoder`, as `kb embed` runs it) on N of the
store's ECtHR Court paragraphs of the fill's first rank (`embed_rank`; seeded sample), the runtimes taking turns over
four slices (order reversed each slice) in one process: passages/s, passages per CPU second (the fairer figure on a
shared machine), CPU use, and the full-corpus time at that rate; then each runtime's agreement with torch float32
(cosine) on 2,000 passages, 500 of each kind: ECtHR, UK judgments, PRC law, UN.

`--shapes N`: OpenVINO's memory grows with the input shapes it has run. For each of --runtimes and each length
multiple of `--multiples` (`kb.embedding_openvino.LENGTH_MULTIPLE`), a fresh process runs the app's load (600
queries of 3-60 words, one at a time) then a fill slice (N Court paragraphs in rounds of 128): RSS after each, and
queries and passages per CPU second, one after another in one run.

`--pools RUNTIME` compares a runtime with the store's own float32 vectors without re-embedding the store: per case
of dev-echr-qa, dev-lawyer-questions (whole) and a dev.jsonl sample (`bench/eval_dev.py`'s, seed 1), a pool of the
store's BM25 first `--depth` and float32 dense first `--depth` passages, re-ranked by each runtime's query-passage
cosine: `dense` (by cosine alone) and `hybrid` (reciprocal-rank fusion, k 60, of the BM25 order and that cosine
order) over the pool; and the shipped `ranked` search with the runtime's vectors as its `meaning` feature. Printed
per set and mode: doc_hit@10 and para_hit@10 of each, the mean top-10 overlap, and the questions won and lost
(doc_hit@10 or para_hit@10 differing). Float32 passage vectors come from `--reference-cache` (the fill's cache), the
runtime's from `--cache` (filled as needed). "No loss", fixed before the run: on every set and mode, neither metric
loses more than one question net (losses minus wins <= 1).

Which files hold the relevant documents comes from the file memo of a store of the whole corpus (`--memo`, by
default `$KB_HOME/file-memo.json`), which `kb ingest` writes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
CHECKOUT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
DEV_FILES = ("dev-lawyer-questions.jsonl", "dev-echr-qa.jsonl", "dev.jsonl")
SAMPLED = ("dev-echr-qa.jsonl", "dev.jsonl")
METRICS = ("doc_hit@10", "mrr@10", "ndcg@10", "para_hit@10")


def kb(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "kb.cli", *args], env=env, cwd=CHECKOUT, capture_output=True,
                          text=True)
    if done.returncode != 0:
        sys.exit(f"kb {' '.join(args[:3])}: {done.stderr[-3000:]}")
    return done.stdout


def relevant_files(eval_dir: Path, memo: Path, sample: int) -> tuple[list[str], int]:
    from kb.search.evaluation import read_cases

    wanted: set[str] = set()
    for name in DEV_FILES:
        cases = read_cases(eval_dir / name, sample=sample if name in SAMPLED else None)
        wanted.update(doc for case in cases for doc in case.relevant)
    files = json.loads(memo.read_text(encoding="utf-8"))["files"]
    found = sorted(path for path, entry in files.items() if wanted & set(entry.get("docs", {})))
    held = {doc for path in found for doc in files[path]["docs"]}
    return found, len(wanted - held)


def store_vectors(home: Path) -> dict[str, np.ndarray]:
    """Every chunk's dense vector in a home's store, by chunk id (ids come from content: equal across homes)."""
    from kb.settings import Settings
    from kb.store import open_store

    store = open_store(Settings.load().with_(home=home, store=home / "store"))
    try:
        return {c.id: np.asarray(c.dense, dtype=np.float32) for c in store.scroll(with_vectors=True)}
    finally:
        store.close()


def pools(runtime: str, reference_cache: Path, cache: Path, citation: int, summary: int, seed: int,
          depth: int) -> int:
    """See the module docstring (`--pools`)."""

    from eval_dev import chosen_cases  # bench/, beside this script

    import kb.search.meaning as meaning
    from kb.api import KnowledgeBase
    from kb.embedding import EmbeddingCache
    from kb.embedding_onnx import onnx_encoder
    from kb.requests import SearchMode
    from kb.search.evaluation import Variant, score_ranking, searcher
    from kb.store.base import SearchFilters
    from legal.text import index_text

    settings = Settings_load().with_(embed_runtime="onnx", embed_cache=reference_cache)
    spaces = {"float32": settings.embedding, runtime: settings.with_(embed_runtime=runtime).embedding}
    caches = {"float32": EmbeddingCache(reference_cache, spaces["float32"]),
              runtime: EmbeddingCache(cache, spaces[runtime])}
    embedded = dict.fromkeys(spaces, 0)

    def vectors(name: str, texts: list[str]) -> np.ndarray:
        known = caches[name].get_many(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in known))
        if todo:
            got = onnx_encoder(spaces[name]).encode(todo)
            caches[name].put_many(list(zip(todo, got.tolist(), strict=True)))
            known.update(zip(todo, got.tolist(), strict=True))
            embedded[name] += len(todo)
        return np.array([known[t] for t in texts], dtype=np.float32)

    eval_dir = settings.corpus.parent / "eval"
    sets: dict[str, list] = {}
    for file, case in chosen_cases(eval_dir, citation, summary, seed):
        sets.setdefault(file.removesuffix(".jsonl"), []).append(case)
    kb_ = KnowledgeBase(settings)
    bm25, dense = (searcher(kb_, Variant(m.value, m)) for m in (SearchMode.BM25, SearchMode.DENSE))
    rows: dict[tuple[str, str, str], list[dict]] = {}  # (set, mode, space) → per-case metrics
    tops: dict[tuple[str, str, str], list[list]] = {}
    try:
        for set_name, cases in sets.items():
            print(f"  pools of {set_name} ({len(cases)} cases) …", file=sys.stderr, flush=True)
            for case in cases:
                filters = SearchFilters(exclude_doc_ids=case.exclude_doc_ids)
                sparse = bm25(case.query, filters, depth)
                pool = list({d.id: d for d in [*sparse, *dense(case.query, filters, depth)]}.values())
                texts = [index_text(d.content or "") or (d.content or "") for d in pool]
                sparse_rank = {d.id: i for i, d in enumerate(sparse)}
                for name in spaces:
                    q = onnx_encoder(spaces[name]).encode([case.query])[0]
                    cos = vectors(name, texts) @ q
                    by_cos = [pool[i] for i in np.argsort(-cos, kind="stable")]
                    fused = {d.id: 1 / (61 + i) for i, d in enumerate(by_cos)}
                    for d_id, i in sparse_rank.items():
                        fused[d_id] += 1 / (61 + i)
                    for mode, ranked in (("dense", by_cos), ("hybrid", sorted(pool, key=lambda d: -fused[d.id]))):
                        pairs = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in ranked[:10]]
                        rows.setdefault((set_name, mode, name), []).append(score_ranking(case, pairs))
                        tops.setdefault((set_name, mode, name), []).append([d.id for d in ranked[:10]])
        # ranked: the shipped search, its `meaning` feature from each space's vectors
        shipped = meaning.PoolSimilarity.__init__
        for name in spaces:
            def init(self, embedding, cache_path, needed, key, *rest, name=name, **kwargs):
                # neither `wanted` nor the store's vectors (another space's): a vector a cache lacks is embedded
                shipped(self, spaces[name], reference_cache if name == "float32" else cache, needed, key)
            meaning.PoolSimilarity.__init__ = init
            kb_._pipelines.clear()
            search = searcher(kb_, Variant("ranked", SearchMode.RANKED))
            for set_name, cases in sets.items():
                print(f"  ranked, {name}, {set_name} …", file=sys.stderr, flush=True)
                for case in cases:
                    ranked = search(case.query, SearchFilters(exclude_doc_ids=case.exclude_doc_ids), 10)
                    pairs = [(d.meta.get("doc_id", ""), d.meta.get("paragraph")) for d in ranked]
                    rows.setdefault((set_name, "ranked", name), []).append(score_ranking(case, pairs))
                    tops.setdefault((set_name, "ranked", name), []).append([d.id for d in ranked])
        meaning.PoolSimilarity.__init__ = shipped
    finally:
        kb_.close()
    print(f"\n{runtime} against float32, pools of BM25 {depth} + dense {depth}; passages embedded now: "
          + ", ".join(f"{k} {v}" for k, v in embedded.items()))
    print("| set | mode | n | doc@10 float32 | doc@10 " + runtime + " | para@10 float32 | para@10 " + runtime
          + " | top-10 overlap | doc won/lost | para won/lost | no loss |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    verdict = True
    for set_name in sets:
        for mode in ("dense", "hybrid", "ranked"):
            a, b = rows[(set_name, mode, "float32")], rows[(set_name, mode, runtime)]
            overlap = np.mean([len(set(x) & set(y)) / max(len(x), 1) for x, y in
                               zip(tops[(set_name, mode, "float32")], tops[(set_name, mode, runtime)], strict=True)])
            cells, ok = [], True
            for metric in ("doc_hit@10", "para_hit@10"):
                pairs = [(x[metric], y[metric]) for x, y in zip(a, b, strict=True) if x[metric] is not None]
                won = sum(y > x for x, y in pairs)
                lost = sum(y < x for x, y in pairs)
                ok &= lost - won <= 1
                cells.append((np.mean([x for x, _ in pairs]) if pairs else float("nan"),
                              np.mean([y for _, y in pairs]) if pairs else float("nan"), won, lost))
            verdict &= ok
            print(f"| {set_name} | {mode} | {len(a)} | {cells[0][0]:.3f} | {cells[0][1]:.3f} | {cells[1][0]:.3f} | "
                  f"{cells[1][1]:.3f} | {overlap:.3f} | {cells[0][2]}/{cells[0][3]} | {cells[1][2]}/{cells[1][3]} | "
                  f"{'yes' if ok else 'NO'} |")
    print(f"\nno loss on every set and mode: {'yes' if verdict else 'NO'}")
    return 0 if verdict else 1


def store_texts(settings, n: int) -> tuple[int, list[str], list[str], list[tuple[str, str]]]:
    """From the KB_HOME store: `n` ECtHR Court paragraphs of the fill's first rank (seeded sample), as the model
    reads them; the rank; the four kinds compared; and 500 passages of each kind."""
    import random

    from kb.store import open_store
    from legal.text import index_text

    court, kinds = [], {"echr": [], "national": [], "prc-law": [], "un": []}
    store = open_store(settings)
    try:
        for chunk in store.scroll():
            p, text = chunk.payload, str(chunk.payload.get("text") or "")
            if p.get("source_kind") == "echr" and p.get("role") == "court":
                court.append((int(p.get("embed_rank") or 1 << 30), text))
            kinds.get(str(p.get("source_kind")), []).append(text)
    finally:
        store.close()
    rng = random.Random(1)
    first = min(rank for rank, _ in court)
    texts = [index_text(t) or t for t in rng.sample([t for rank, t in court if rank == first], n)]
    sample = [(kind, index_text(t) or t) for kind, pool in kinds.items() for t in rng.sample(pool, 500)]
    return first, texts, list(kinds), sample


def shapes(runtimes: list[str], multiples: list[int], n: int) -> int:
    """See the module docstring (`--shapes`)."""
    settings = Settings_load()
    _, texts, _, sample = store_texts(settings, n)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"passages": texts, "words": " ".join(t for _, t in sample[:200]).split()}, fh)
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    print("| runtime | length multiple | RSS compiled | after 100 / 600 queries | after the fill slice "
          "| queries per CPU s | passages per CPU s |\n|---|---|---|---|---|---|---|")
    try:
        for runtime in runtimes:
            for multiple in multiples:
                done = subprocess.run([sys.executable, str(HERE), "--shape-probe", fh.name, "--runtimes", runtime,
                                       "--multiple", str(multiple)], capture_output=True, text=True, cwd=CHECKOUT,
                                      env={**os.environ, "PYTHONPATH": str(CHECKOUT)})
                if done.returncode != 0:
                    sys.exit(done.stderr[-3000:])
                r = json.loads(done.stdout.splitlines()[-1])
                print(f"| {runtime} | {multiple} | {r['compiled']} MB | {r['q100']} / {r['q600']} MB | "
                      f"{r['fill']} MB | {r['queries_per_cpu_s']} | {r['passages_per_cpu_s']} |", flush=True)
    finally:
        os.unlink(fh.name)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


def shape_probe(texts_file: Path, runtime: str, multiple: int) -> int:
    """One process of `--shapes`: the app's 600 queries of 3-60 words one at a time, then a fill slice in rounds of
    128 passages (token-count batches), lengths rounded up to `multiple`; prints RSS (MB) and speed as JSON."""
    import random

    from kb.embedding_onnx import onnx_encoder

    def rss() -> int:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))

    data = json.loads(texts_file.read_text(encoding="utf-8"))
    encoder = onnx_encoder(Settings_load().with_(embed_runtime=runtime).embedding)
    encoder.multiple = multiple
    out = {"compiled": rss()}
    rng = random.Random(3)
    queries = [" ".join(rng.sample(data["words"], rng.randint(3, 60))) for _ in range(600)]
    cpu = sum(os.times()[:2])
    for i, query in enumerate(queries, 1):
        encoder.encode([query])
        if i in (100, 600):
            out[f"q{i}"] = rss()
    out["queries_per_cpu_s"] = round(len(queries) / (sum(os.times()[:2]) - cpu), 1)
    passages, cpu = data["passages"], sum(os.times()[:2])
    for start in range(0, len(passages), 128):
        encoder.encode(passages[start : start + 128])
    out["passages_per_cpu_s"] = round(len(passages) / (sum(os.times()[:2]) - cpu), 1)
    out["fill"] = rss()
    print(json.dumps(out))
    return 0


def speed(runtimes: list[str], n: int) -> int:
    """See the module docstring (`--speed`)."""
    import time

    from kb.embedding_onnx import model_tokenizer, onnx_encoder

    settings = Settings_load()
    first, texts, kinds, sample = store_texts(settings, n)
    tokens = np.array([len(e.ids) for e in model_tokenizer(Path(settings.model)).encode_batch(texts)])
    print(f"{n} Court paragraphs (embed_rank {first}): {tokens.mean():.0f} tokens each, "
          f"{(tokens >= 256).mean():.0%} at the 256 limit", flush=True)
    encoders = {r: onnx_encoder(settings.with_(embed_runtime=r).embedding) for r in runtimes}
    for encoder in encoders.values():
        encoder.encode(texts[:16])  # loaded and warmed up
    took = {r: [0.0, 0.0] for r in runtimes}
    step = -(-n // 4)
    for i, start in enumerate(range(0, n, step)):
        for runtime in runtimes if i % 2 == 0 else runtimes[::-1]:
            wall, cpu = time.perf_counter(), sum(os.times()[:2])
            encoders[runtime].encode(texts[start : start + step])
            took[runtime][0] += time.perf_counter() - wall
            took[runtime][1] += sum(os.times()[:2]) - cpu
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print("| runtime | passages/s | passages per CPU s | CPU use | full corpus, bare |\n|---|---|---|---|---|")
    for runtime, (wall, cpu) in took.items():
        print(f"| {runtime} | {n / wall:.1f} | {n / cpu:.1f} | {cpu / wall:.2f} | "
              f"{326_141 / (n / wall) / 60:.0f} min |")
    from haystack import Document

    from kb.embedding import document_embedder

    torch = document_embedder(settings.with_(embed_runtime="torch", embed_dtype="float32").embedding)
    torch.warm_up()
    reference = np.array([d.embedding for d in torch.run(documents=[Document(content=t) for _, t in sample])[
        "documents"]], dtype=np.float32)
    labels = np.array([kind for kind, _ in sample])
    print("\n| runtime | cosine with torch float32, mean / min | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for runtime, encoder in encoders.items():
        cos = (encoder.encode([t for _, t in sample]) * reference).sum(axis=1)
        print(f"| {runtime} | {cos.mean():.5f} / {cos.min():.5f} | " + " | ".join(
            f"{cos[labels == k].mean():.5f} / {cos[labels == k].min():.5f}" for k in kinds) + " |", flush=True)
    return 0


def Settings_load():
    from kb.settings import Settings

    return Settings.load()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runtimes", default="onnx,onnx-int8",
                        help="the first is the reference; onnx gives torch's float32 vectors (tests/test_embedding.py)")
    parser.add_argument("--sample", type=int, default=25,
                        help="cases drawn (seed 0) from dev-echr-qa and dev.jsonl; dev-lawyer-questions is whole")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "kb-runtimes-embeddings.sqlite")
    parser.add_argument("--memo", type=Path, help="file-memo.json of a whole-corpus store")
    parser.add_argument("--eval", type=Path, help="folder of the dev files (default: beside the corpus)")
    parser.add_argument("--work", type=Path, help="folder for the homes (default: a temporary one)")
    parser.add_argument("--pools", metavar="RUNTIME", help="compare RUNTIME with the store's float32 vectors on "
                        "pools of every dev set (see the module docstring)")
    parser.add_argument("--reference-cache", type=Path, help="--pools: the float32 vectors of the store's passages")
    parser.add_argument("--depth", type=int, default=40, help="--pools: BM25 and dense passages per pool")
    parser.add_argument("--citation", type=int, default=300, help="--pools: dev.jsonl citation cases sampled")
    parser.add_argument("--summary", type=int, default=100, help="--pools: dev.jsonl summary cases sampled")
    parser.add_argument("--seed", type=int, default=1, help="--pools: the dev.jsonl sample's seed")
    parser.add_argument("--speed", type=int, metavar="N", help="bare encoder speed of --runtimes on N Court "
                        "paragraphs of the KB_HOME store, and agreement with torch (see the module docstring)")
    parser.add_argument("--shapes", type=int, metavar="N", help="RSS and speed of --runtimes' encoders over many input "
                        "shapes, per --multiples (see the module docstring)")
    parser.add_argument("--multiples", default="1,8,16,32", help="--shapes: length multiples compared")
    parser.add_argument("--shape-probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--multiple", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.shape_probe:
        return shape_probe(args.shape_probe, args.runtimes, args.multiple)
    if args.shapes:
        return shapes(args.runtimes.split(","), [int(m) for m in args.multiples.split(",")], args.shapes)
    if args.speed:
        return speed(args.runtimes.split(","), args.speed)
    if args.pools:
        if args.reference_cache is None:
            parser.error("--pools needs --reference-cache (the fill's float32 embedding cache)")
        return pools(args.pools, args.reference_cache, args.cache, args.citation, args.summary, args.seed,
                     args.depth)
    from kb.settings import Settings

    base = Settings.load()
    memo = args.memo or base.file_memo
    eval_dir = args.eval or base.corpus.parent / "eval"
    files, missing = relevant_files(eval_dir, memo, args.sample)
    print(f"{len(files)} corpus files hold the relevant documents ({missing} not found in {memo})", flush=True)
    runtimes = args.runtimes.split(",")
    work = args.work or Path(tempfile.mkdtemp(prefix="kb-runtimes-"))
    results: dict[str, dict[str, dict]] = {}
    for runtime in runtimes:
        env = {**os.environ, "PYTHONPATH": str(CHECKOUT), "KB_HOME": str(work / runtime),
               "KB_EMBED_RUNTIME": runtime, "KB_EMBED_CACHE": str(args.cache)}
        kb(env, "ingest", *[str(base.corpus / f) for f in files])
        # a file whose model time ran past the write path's budget was written sparse-only: fill it, so every
        # runtime's dense figures cover every passage
        kb(env, "embed")
        results[runtime] = {}
        for name in DEV_FILES:
            sample = ["--sample", str(args.sample)] if name in SAMPLED else []
            out = json.loads(kb(env, "eval", str(eval_dir / name), "--mode", "dense", "--json", *sample))
            results[runtime][name] = out["overall"]
            print(f"{runtime} {name}: " + ", ".join(f"{m} {out['overall'].get(m, float('nan')):.3f}"
                                                     for m in METRICS), flush=True)
    print("\n| dev file | cases | " + " | ".join(f"{m} {r}" for m in METRICS[:2] for r in runtimes) + " |")
    print("|---|---|" + "---|" * (2 * len(runtimes)))
    for name in DEV_FILES:
        first = results[runtimes[0]][name]
        print(f"| {name} | {first.get('cases', '')} | " + " | ".join(
            f"{results[r][name].get(m, float('nan')):.3f}" for m in METRICS[:2] for r in runtimes) + " |")

    queries = [json.loads(line)["query"] for name in DEV_FILES[:2] for line in (eval_dir / name).open(encoding="utf-8")]

    def query_vectors(runtime: str) -> np.ndarray:
        from kb.embedding import text_embedder

        embedder = text_embedder(base.with_(embed_runtime=runtime).embedding)
        embedder.warm_up()
        return np.array([embedder.run(text=q)["embedding"] for q in queries], dtype=np.float32)

    reference, reference_q = store_vectors(work / runtimes[0]), query_vectors(runtimes[0])
    for runtime in runtimes[1:]:
        other = store_vectors(work / runtime)
        assert other.keys() == reference.keys(), "the stores hold different chunks"
        cos = np.array([float(reference[i] @ other[i]) / float(np.linalg.norm(reference[i]) * np.linalg.norm(other[i]))
                        for i in reference])
        qcos = (reference_q * query_vectors(runtime)).sum(axis=1)
        print(f"\n{runtime} against {runtimes[0]}: {len(cos)} passages, cosine mean {cos.mean():.4f}, 1st "
              f"percentile {np.percentile(cos, 1):.4f}, min {cos.min():.4f}; {len(queries)} dev queries, mean "
              f"{qcos.mean():.4f}, min {qcos.min():.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
