"""Ingest throughput and memory: the whole write path against the bare model's encode speed, and peak RSS.

    .venv/bin/python bench/ingest_speed.py [--docs 12]            # throughput, with this process's peak RSS
    .venv/bin/python bench/ingest_speed.py --memory 500 [--code DIR]  # peak RSS of `kb ingest` over 500 judgments

Throughput target (issue 14): the engine (prepared documents → dense + BM25 → Qdrant Edge writes, exactly as
`kb ingest` runs it) reaches at least 95% of the bare model's passages/s. Both run in this process on the same real
ECtHR paragraphs, the model warmed up first; the engine starts with an empty embedding cache and an empty store so
nothing is skipped. Compare within one run: the machine's load changes both figures.

Memory: `kb ingest --only echr/JUDGMENT --limit N --max-chunks 1` in a child process, so the run reads and prepares
N judgments but embeds almost nothing: its peak RSS is what reading the corpus costs, which used to grow with every
chunk read (all prepared documents were held until the end). `--code DIR` runs the child on another checkout (e.g.
main before the change) for a before/after on the same input.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingest.loaders import echr
from kb.embedding import _model_kwargs
from kb.indexing.chunking import prepare
from kb.indexing.sync import IngestReport, Stream, SyncPolicy, run_sync
from kb.indexing.writing import StoreSink
from kb.settings import Settings
from kb.store import open_store


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def throughput(base: Settings, docs: int) -> None:
    files = sorted((base.corpus / "echr" / "JUDGMENT").glob("*.json.gz"))[:docs]
    documents = [echr.load(f, str(f.relative_to(base.corpus)), "echr")[0] for f in files]
    texts = [c.content or "" for d in documents for c in prepare(d, "echr/JUDGMENT").chunks]
    print(f"{len(texts)} passages from {len(files)} judgments, mean {sum(map(len, texts)) / len(texts):.0f} chars")

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(base.model, device="cpu", model_kwargs=_model_kwargs(base.embed_dtype))
    model.encode(texts[:64], batch_size=base.embed_batch)
    started = time.perf_counter()
    model.encode(texts, batch_size=base.embed_batch, normalize_embeddings=True)
    bare = len(texts) / (time.perf_counter() - started)
    del model

    with tempfile.TemporaryDirectory() as home:
        settings = base.with_(home=Path(home), store=Path(home) / "store", embed_cache=None)
        store = open_store(settings)
        from kb.embedding import document_embedder

        document_embedder(settings.model, settings.embed_dtype, settings.embed_batch).warm_up()  # shared backend
        started = time.perf_counter()
        report = run_sync(settings, [Stream("echr/JUDGMENT", documents=documents, whole=False)], {}, SyncPolicy(),
                          StoreSink(store), IngestReport(), warn=print)
        piped = len(texts) / (time.perf_counter() - started)
        stored = store.count()
        store.close()
    assert stored == len(texts) == report.chunks, (stored, len(texts), report.chunks)
    print(f"bare model encode ({base.embed_dtype}, batch {base.embed_batch}): {bare:7.1f} passages/s")
    print(f"sync engine (prepare + dense + BM25 + Edge writes): {piped:7.1f} passages/s")
    print(f"engine / bare model: {piped / bare:.1%} (target >= 95%)")
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")


def memory(base: Settings, docs: int, code: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "KB_HOME": home, "KB_CORPUS": str(base.corpus), "PYTHONPATH": str(code),
               "KB_EMBED_CACHE": str(Path(home) / "embeddings.sqlite")}
        command = [sys.executable, "-m", "kb.cli", "ingest", "--only", "echr/JUDGMENT", "--limit", str(docs),
                   "--max-chunks", "1", "--json"]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=code)
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(done.stderr[-2000:])
    print(f"kb ingest of {docs} judgments (code: {code}): {done.stdout.strip().splitlines()[-1]}")
    print(f"peak RSS of the ingest process: {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB in {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=12, help="ECtHR judgments to take passages from")
    parser.add_argument("--memory", type=int, metavar="N", help="peak RSS of `kb ingest` reading N judgments")
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1],
                        help="checkout whose `kb` the --memory child runs")
    args = parser.parse_args()
    base = Settings.load()
    if base.corpus is None:
        sys.exit("no corpus: set KB_CORPUS")
    if args.memory:
        memory(base, args.memory, args.code.resolve())
    else:
        throughput(base, args.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
