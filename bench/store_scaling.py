"""What one chunk costs in a Qdrant store, and how query latency grows with the store: the figures behind
docs/scale-out.md.

    .venv/bin/python bench/store_scaling.py [--sizes 10000 50000] [--queries 50]

Real part: paragraphs of real corpus files (Soering, Saadi, CAT GC4, a PRC statute...) give the payload
JSON size and the BM25 sparse vector length per chunk; no model is needed for that.
Scaling part: Qdrant Edge stores of N points, each with a random unit 384-d dense vector (the model's size;
random vectors are a harder case for HNSW than real text embeddings), a real chunk's BM25 vector and a real
chunk's payload (cycled), are built, optimized (HNSW built) and measured: bytes on disk per chunk, process
RSS growth per chunk, and query latency (dense, BM25, hybrid RRF) p50/p95 with and without a filter.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.files import ReadFailure, named_files, read  # noqa: E402
from ingest.manifest import Manifest  # noqa: E402
from kb.embedding import make_bm25  # noqa: E402
from kb.indexing.chunking import prepare  # noqa: E402
from kb.settings import Settings  # noqa: E402
from kb.store.base import ChunkPoint, SearchFilters, SparseVector  # noqa: E402
from kb.store.edge import EdgeStore  # noqa: E402

DIM = 384
FILES = (
    "echr/JUDGMENT/HEJUD-14038-88.json.gz",
    "echr/JUDGMENT/HEJUD-37201-06.json.gz",
    "echr/JUDGMENT/HEJUD-8139-09.json.gz",
    "un/Annotated_CAT_GC4_art.3.json",
    "prc-law/宪法相关法/监察法(2018-03-20).md",
    "national/uk-tna/2017-ewhc-1912-admin.xml",
)


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def real_chunks(corpus: Path) -> list[tuple[dict, SparseVector]]:
    settings = Settings.load({"KB_HOME": tempfile.mkdtemp(), "KB_CORPUS": str(corpus)})
    bm25 = make_bm25()
    out = []
    for item in named_files([corpus / f for f in FILES], settings.corpus, Manifest.load(settings.manifest), "upload"):
        docs = read(item)
        if isinstance(docs, ReadFailure):
            sys.exit(f"{docs.path}: {docs.reason}")
        for chunk in (c for doc in docs for c in prepare(doc, item.source_name).chunks):
            sv = bm25.embed_document(chunk.content or "")
            payload = {k: v for k, v in chunk.meta.items() if v is not None}
            out.append((payload, SparseVector(list(sv.indices), list(sv.values))))
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    p50, p95 = 1000 * np.percentile(samples, [50, 95])
    return {"p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2)}


def measure(n: int, chunks: list[tuple[dict, SparseVector]], queries: int, rng: np.random.Generator) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"scaling-{n}-"))
    rss_before = rss_bytes()
    store = EdgeStore(folder / "store", DIM)
    started = time.monotonic()
    for start in range(0, n, 2000):
        size = min(2000, n - start)
        dense = rng.standard_normal((size, DIM)).astype(np.float32)
        dense /= np.linalg.norm(dense, axis=1, keepdims=True)
        points = []
        for i in range(size):
            payload, sparse = chunks[(start + i) % len(chunks)]
            doc = f"{payload['doc_id']}~{(start + i) // len(chunks)}"
            points.append(ChunkPoint(str(uuid.uuid4()), dense[i].tolist(), sparse, dict(payload, doc_id=doc)))
        store.upsert(points)
    store.flush()
    write_s = time.monotonic() - started
    started = time.monotonic()
    store.optimize()
    optimize_s = time.monotonic() - started
    disk = dir_bytes(folder)
    rss = rss_bytes() - rss_before
    filters = SearchFilters(source_kinds=("echr",), date_from="1990-01-01")
    result: dict = {"chunks": n, "write_s": round(write_s, 1), "optimize_s": round(optimize_s, 1),
                    "disk_bytes_per_chunk": round(disk / n), "rss_growth_bytes_per_chunk": round(rss / n)}
    for label, f in (("no_filter", SearchFilters()), ("filter", filters)):
        for mode in ("dense", "bm25", "hybrid"):
            times = []
            for q in range(queries):
                dense = rng.standard_normal(DIM).astype(np.float32)
                payload, sparse = chunks[(q * 7919) % len(chunks)]
                query_sparse = SparseVector(sparse.indices[:8], [1.0] * len(sparse.indices[:8]))
                t0 = time.perf_counter()
                store.search(dense.tolist(), query_sparse, f, limit=10, mode=mode)  # type: ignore[arg-type]
                times.append(time.perf_counter() - t0)
            result[f"{mode}_{label}"] = percentiles(times)
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--corpus", type=Path, default=Settings.load().corpus)
    args = parser.parse_args()
    chunks = real_chunks(args.corpus)
    payload_sizes = [len(json.dumps(p, ensure_ascii=False).encode()) for p, _ in chunks]
    nnz = [len(s.indices) for _, s in chunks]
    real = {"real_chunks": len(chunks), "payload_json_bytes_mean": round(statistics.mean(payload_sizes)),
            "payload_json_bytes_p95": round(float(np.percentile(payload_sizes, 95))),
            "text_chars_mean": round(statistics.mean(len(p["text"]) for p, _ in chunks)),
            "bm25_terms_mean": round(statistics.mean(nnz), 1),
            "dense_bytes": DIM * 4}
    print(json.dumps(real))
    rng = np.random.default_rng(0)
    for n in args.sizes:
        print(json.dumps(measure(n, chunks, args.queries, rng)), flush=True)
    print(json.dumps({"max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


if __name__ == "__main__":
    main()
