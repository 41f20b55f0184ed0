"""Ingest throughput: the whole indexing pipeline against the bare model's encode speed, on the same passages.

    .venv/bin/python bench/ingest_speed.py [--docs 12]

Target (issue 2): the pipeline (loader output → dense + BM25 → Qdrant Edge writes) reaches at least 90% of the
bare model's passages/s. Both run in this process on the same real ECtHR paragraphs, the model warmed up first;
the pipeline starts with an empty embedding cache and an empty store so nothing is skipped.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from kb.indexing.pipeline import batches, build_indexing_pipeline, prepare

from ingest.loaders import echr
from kb.embedding import _model_kwargs
from kb.settings import Settings
from kb.store import open_store


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=12, help="ECtHR judgments to take passages from")
    args = parser.parse_args()
    base = Settings.load()
    if base.corpus is None:
        sys.exit("no corpus: set KB_CORPUS")
    files = sorted((base.corpus / "echr" / "JUDGMENT").glob("*.json.gz"))[: args.docs]
    prepared = [prepare(echr.load(f, str(f.relative_to(base.corpus)), "echr")[0], "echr/JUDGMENT") for f in files]
    chunks = [c for p in prepared for c in p.chunks]
    texts = [c.content or "" for c in chunks]
    print(f"{len(texts)} passages from {len(files)} judgments, mean {sum(map(len, texts)) / len(texts):.0f} chars")

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(base.model, device="cpu", model_kwargs=_model_kwargs(base.embed_dtype))
    model.encode(texts[:64], batch_size=base.embed_batch)
    started = time.perf_counter()
    model.encode(texts, batch_size=base.embed_batch, normalize_embeddings=True)
    bare = len(texts) / (time.perf_counter() - started)
    del model

    with tempfile.TemporaryDirectory() as home:
        settings = base.with_(home=Path(home), store=Path(home) / "store")
        store = open_store(settings)
        pipeline = build_indexing_pipeline(settings, store)
        pipeline.warm_up()
        started = time.perf_counter()
        for batch in batches(prepared):  # exactly as `kb ingest` groups documents
            pipeline.run({"dense": {"documents": [c for p in batch for c in p.chunks]}})
        store.flush()
        piped = len(texts) / (time.perf_counter() - started)
        stored = store.count()
        store.close()
    assert stored == len(texts), (stored, len(texts))
    print(f"bare model encode ({base.embed_dtype}, batch {base.embed_batch}): {bare:7.1f} passages/s")
    print(f"indexing pipeline (dense + BM25 + Edge writes):   {piped:7.1f} passages/s")
    print(f"pipeline / bare model: {piped / bare:.1%} (target >= 90%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
