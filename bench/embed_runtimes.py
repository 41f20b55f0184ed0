"""Does a faster embedding runtime lose anything? The same small store built with each runtime, then dense search
evaluated on every dev set, and the vectors of every passage compared with the torch ones.

    .venv/bin/python bench/embed_runtimes.py [--runtimes onnx,onnx-int8] [--sample 25] [--cache FILE]

The store holds the documents the eval cases name as relevant (all of dev-lawyer-questions, a sample of dev-echr-qa
and of dev.jsonl), so every case can be answered and the other cases' documents are the distractors. Each
runtime gets its own home, built by the real CLI (`kb ingest FILES`, then `kb eval FILE --mode dense --json`); the
embedding cache (`--cache`, shared by the runs and kept between them, so a second run embeds nothing) keeps each
runtime's vectors under its own vector space. Agreement: the cosine of each stored passage vector with the first
runtime's for the same chunk, and the same for the dev queries. The default reference is the exact ONNX export,
which gives torch's float32 vectors (tests/test_embedding.py) in about half torch's time.

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
    args = parser.parse_args()
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
