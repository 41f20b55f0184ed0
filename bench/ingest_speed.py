"""Ingest throughput and memory: the whole write path against the bare model's encode speed, and RSS as chunks are
written.

    .venv/bin/python bench/ingest_speed.py [--docs 12] [--rounds 2] [--runtimes torch,onnx,onnx-int8] [--baseline DIR]
    .venv/bin/python bench/ingest_speed.py --memory 300 [--baseline DIR]  # peak RSS and growth per 1k chunks
    .venv/bin/python bench/ingest_speed.py --fill STORE_HOME [--passages 1000] [--round N] [--baseline DIR]

Throughput target (issue 14): the engine (prepared documents → dense + BM25 → Qdrant Edge writes, exactly as
`kb ingest` runs it) reaches at least 95% of the bare model's passages/s. Both run in one process on the same real
ECtHR paragraphs, the model warmed up first, alternating over groups of two judgments (bare first, then engine first,
…) with their times summed; the engine starts with an empty embedding cache and an empty store so
nothing is skipped. Each embedding runtime (`KB_EMBED_RUNTIME`) is measured in turn, its bare model being what
that runtime runs (sentence-transformers' encode; the ONNX encoder), `--rounds` times interleaved, on `--threads`
threads (2); the table gives medians, each runtime's engine against the first row's, and the fill time of the whole
corpus (326,112 passages) at that engine rate.

Memory: `run_ingest` of the first N judgments (`--only echr/JUDGMENT --limit N`), every chunk written, its dense
vector taken from an embedding cache filled beforehand with random unit vectors, so the run costs minutes, not the
model's hours, and what is measured is the write path: its peak RSS (`ru_maxrss`) and how much RSS grows per 1,000
chunks written (anonymous memory, and file pages mapped from the store's segments, which the kernel can reclaim),
from a quarter of the run to its end. A full ingest writes ~346,000 chunks: multiply.

Fill (issue 21): `kb embed` (the backfill, `Backfill.run`) on a copy of a sparse-first home (`kb ingest
--sparse-first FILES` into STORE_HOME), with an empty embedding cache, against the bare model (the ONNX encoder's
`encode`) on the texts it embeds, bare and fill alternating between checkouts (bare first, then fill first). The fill
embeds `--passages` in rounds of `--round` (default: one round), the store opened as `kb embed` opens it, and is timed
from its first progress report (the store open and the first round listed: the start-up, printed on its own and in
a second ratio) to the moment the last round's vectors are written (the next round's progress report), so what the
fill costs once a run (opening the whole corpus's store took 3-6 s, 5 % of a 6,000-passage fill; closing it, a last
flush) is left out as a whole-corpus fill amortises it, as the bare model's loading and warm-up are;
rounds of 1,000-1,500 are what `kb embed` makes at 35-50 passages/s (`ROUND_SECONDS`). Printed:
tokens per passage and how many reach the model's max_seq_length, both rates, the fill's time in ONNX Runtime, in
tokenising and in the rest (store reads and writes, cache, hand-over), CPU use (process CPU seconds per second: 2.0
is both cores; on a loaded machine passages per CPU second compare checkouts better than passages/s), and the
full-corpus fill time at the fill's rate. Only the default runtime is broken down.

Each measurement runs in a child process per checkout: `--baseline DIR` (e.g. `git archive main | tar -x -C DIR`)
adds the same measurement of that code before this checkout's, in the same run, since the shared machine's load
changes every figure from one run to the next.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
CHECKOUT = HERE.parents[1]


RUNTIMES = ("torch", "onnx", "onnx-int8", "openvino-bf16", "openvino-int8")
CORPUS_PASSAGES = 326_141
"""Passages of the whole corpus written sparse-first (issue 21, /work/stores/graph), all of which the dense fill
embeds."""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def rss_mb() -> dict[str, float]:
    """This process's resident memory now: total, anonymous (heap) and file-backed (mapped files)."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) / 1024
    return out


def judgments(corpus: Path, n: int) -> list[Path]:
    return sorted((corpus / "echr" / "JUDGMENT").glob("*.json.gz"))[:n]


# -- children: one measurement of the code on PYTHONPATH -------------------------------------------------------


class OneFinish:
    """A sink whose `finish` (the store's flush, ~1 s) waits for the end of the measurement: the engine runs once per
    group of judgments, and a whole ingest flushes every 4,096 chunks, not every few hundred."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.mode = inner.mode

    def deliver(self, batch) -> None:
        self.inner.deliver(batch)

    def finish(self) -> None:
        """Left to the measurement's end."""


def bare_model(settings):
    """The model alone as `settings.embed_runtime` runs it, a function of texts: sentence-transformers' encode for
    torch, the ONNX encoder (tokens, ONNX Runtime, pooling) otherwise."""
    embedding = settings.embedding
    if embedding.runtime != "torch":
        from kb.embedding_onnx import onnx_encoder

        return onnx_encoder(embedding).encode
    from sentence_transformers import SentenceTransformer

    from kb.embedding import _model_kwargs

    model = SentenceTransformer(settings.model, device="cpu", model_kwargs=_model_kwargs(embedding.dtype))
    return lambda texts: model.encode(texts, batch_size=embedding.batch, normalize_embeddings=True)


def throughput(docs: int, runtime: str | None) -> dict:
    from ingest.loaders import echr
    from kb.embedding import document_embedder
    from kb.indexing.chunking import prepare
    from kb.indexing.sync import IngestReport, Stream, SyncPolicy, run_sync
    from kb.indexing.writing import StoreSink
    from kb.settings import Settings
    from kb.store import open_store

    base = Settings.load()
    if runtime:
        base = base.with_(embed_runtime=runtime)
    files = judgments(base.corpus, docs)
    documents = [echr.load(f, str(f.relative_to(base.corpus)), "echr")[0] for f in files]
    texts = [c.content or "" for d in documents for c in prepare(d, "echr/JUDGMENT").chunks]

    encode = bare_model(base)
    encode(texts[:64])
    # Bare and engine alternate over groups of two judgments (ABBA: bare first, then engine first, …) and their times
    # are summed, so a load that drifts during the run weighs on both alike (run one after the other, the engine
    # reached 74 % to 166 % of the bare model as the load fell). One flush at the end, as one ingest does.
    groups = [documents[i:i + 2] for i in range(0, len(documents), 2)]
    seconds = {"bare": 0.0, "engine": 0.0}
    with tempfile.TemporaryDirectory() as home:
        settings = base.with_(home=Path(home), store=Path(home) / "store", embed_cache=None)
        store = open_store(settings)
        document_embedder(settings.embedding).warm_up()  # the backend the engine's embedder shares
        sink, report = OneFinish(StoreSink(store)), IngestReport()
        for i, group in enumerate(groups):
            group_texts = [c.content or "" for d in group for c in prepare(d, "echr/JUDGMENT").chunks]
            steps = {"bare": lambda t=group_texts: encode(t),
                     "engine": lambda g=group: run_sync(settings, [Stream("echr/JUDGMENT", documents=g, whole=False)],
                                                        {}, SyncPolicy(), sink, report, warn=print)}
            for name in (("bare", "engine") if i % 2 == 0 else ("engine", "bare")):
                started = time.perf_counter()
                steps[name]()
                seconds[name] += time.perf_counter() - started
        started = time.perf_counter()
        sink.inner.finish()
        seconds["engine"] += time.perf_counter() - started
        bare, piped = len(texts) / seconds["bare"], len(texts) / seconds["engine"]
        stored = store.count()
        store.close()
    assert stored == len(texts) == report.chunks, (stored, len(texts), report.chunks)
    return {"passages": len(texts), "judgments": len(files), "bare": bare, "engine": piped,
            "peak_rss_mb": peak_rss_mb()}


def memory(docs: int, cache: Path) -> dict:
    from kb.indexing.ingest import IngestRequest, run_ingest
    from kb.settings import Settings
    from kb.store import open_store

    samples: list[tuple[int, dict[str, float]]] = []

    def progress(done: int, total: int, doc_id: str) -> None:
        samples.append((done, rss_mb()))

    with tempfile.TemporaryDirectory() as home:
        settings = Settings.load().with_(home=Path(home), store=Path(home) / "store", embed_cache=cache)
        store = open_store(settings)
        started = time.perf_counter()
        report = run_ingest(settings, store, IngestRequest(only=("echr/JUDGMENT",), limit=docs), progress=progress,
                            warn=lambda _: None)
        seconds = time.perf_counter() - started
        store.close()
    (first, at_first), (last, at_last) = samples[len(samples) // 4], samples[-1]
    per_1k = {key: 1000 * (at_last[key] - at_first[key]) / (last - first) for key in at_last}
    return {"chunks": report.chunks, "judgments": report.added, "seconds": seconds, "peak_rss_mb": peak_rss_mb(),
            "rss_at_end_mb": at_last["VmRSS"], "growth_mb_per_1k": per_1k["VmRSS"],
            "anon_mb_per_1k": per_1k["RssAnon"], "file_mb_per_1k": per_1k["RssFile"]}


class Timed:
    """Wraps an object so the seconds spent in one of its methods add up (ONNX Runtime's `run`, the tokenizer's
    `encode_batch`): where the fill's time goes, measured in the running code."""

    def __init__(self, inner, method: str) -> None:
        self.inner, self.method, self.seconds = inner, method, 0.0

    def __getattr__(self, name: str):
        attr = getattr(self.inner, name)
        if name != self.method:
            return attr

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
        return timed


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def fill(store_home: Path, passages: int, round_size: int, bare_first: bool) -> dict:
    """`kb embed` on a copy of `store_home`, rounds of `round_size` until `passages` (the first chunks it would
    embed), and the bare encoder on the same texts; see the module docstring."""
    import shutil
    import threading

    import numpy as np

    from kb.embedding_onnx import model_tokenizer, onnx_encoder
    from kb.indexing import backfill
    from kb.indexing.handover import todo_of
    from kb.settings import Settings
    from kb.store import open_store
    from legal.text import index_text

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(store_home, home)
        settings = Settings.load().with_(home=home, store=home / "store", embed_cache=Path(tmp) / "cache.sqlite")
        store = open_store(settings)
        texts = [index_text(t) or t for _, t in todo_of(store, passages).chunks]
        store.close()
        tokenizer = model_tokenizer(Path(settings.model))
        tokenizer.no_padding()  # the baseline's tokenizer pads to the longest text
        limit = tokenizer.truncation["max_length"]
        tokens = np.array([len(e.ids) for e in tokenizer.encode_batch(texts)])
        encoder = onnx_encoder(settings.embedding)
        encoder.encode(texts[:16])  # warm up the session
        encoder.session, encoder.tokenizer = Timed(encoder.session, "run"), Timed(encoder.tokenizer, "encode_batch")
        stop = threading.Event()  # exactly these texts, then stop
        ends: list[tuple[float, float, float, float, int]] = []
        starts: list[tuple[float, float, float, float]] = []

        def written(state) -> None:
            """The first progress report: the store is open and the first round listed (the start-up, which `kb
            embed` pays once a run). The report after the last round: its vectors are written; what follows is the
            fill's end."""
            if not starts:
                starts.append((time.perf_counter(), cpu_seconds(), encoder.session.seconds, tokenised()))
            if state.handed >= passages and not ends:
                ends.append((time.perf_counter(), cpu_seconds(), encoder.session.seconds, tokenised(), state.rounds))
                stop.set()

        worker = backfill.Backfill(settings, progress=written, warn=lambda _: None, stop=stop, round_size=round_size)
        if getattr(worker, "tokenizer", None) is not None:  # the round's ordering by token count
            worker.tokenizer = Timed(worker.tokenizer, "encode_batch")

        def tokenised() -> float:
            ordering = worker.tokenizer.seconds if isinstance(getattr(worker, "tokenizer", None), Timed) else 0.0
            return encoder.tokenizer.seconds + ordering

        def bare() -> dict:
            started, cpu = time.perf_counter(), cpu_seconds()
            encoder.encode(texts)
            return {"seconds": time.perf_counter() - started, "cpu": cpu_seconds() - cpu}

        def engine() -> dict:
            started = time.perf_counter()
            state = worker.run()
            (end, end_cpu, ort, tok, rounds), (first, cpu, ort_before, tok_before) = ends[0], starts[0]
            return {"seconds": end - first, "cpu": end_cpu - cpu, "passages": state.handed, "rounds": rounds,
                    "ort": ort - ort_before, "tokenise": tok - tok_before, "start_up": first - started}

        if bare_first:
            b, e = bare(), engine()
        else:
            e, b = engine(), bare()
    return {"passages": len(texts), "tokens_mean": float(tokens.mean()),
            "at_max": float((tokens >= limit).mean()), "max_tokens": limit,
            "bare": len(texts) / b["seconds"], "bare_cpu": b["cpu"] / b["seconds"],
            "engine": e["passages"] / e["seconds"], "engine_passages": e["passages"], "rounds": e["rounds"],
            "engine_cpu": e["cpu"] / e["seconds"], "ort_share": e["ort"] / e["seconds"], "start_up": e["start_up"],
            "engine_with_start_up": e["passages"] / (e["seconds"] + e["start_up"]),
            "tokenise_share": e["tokenise"] / e["seconds"],
            "load": os.getloadavg()[0], "peak_rss_mb": peak_rss_mb()}


def fill_cache(docs: int, cache: Path) -> int:
    """Random unit vectors for every chunk text of the first `docs` judgments, under the model's cache keys."""
    import numpy as np

    from ingest.loaders import echr
    from kb.embedding import EmbeddingCache
    from kb.indexing.chunking import prepare
    from kb.settings import Settings

    settings = Settings.load()
    store = EmbeddingCache(cache, settings.embedding)
    rng = np.random.default_rng(14)
    total = 0
    for path in judgments(settings.corpus, docs):
        for doc in echr.load(path, str(path.relative_to(settings.corpus)), "echr"):
            texts = [c.content or "" for c in prepare(doc, "echr/JUDGMENT").chunks]
            vectors = rng.standard_normal((len(texts), 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            store.put_many(list(zip(texts, vectors.tolist(), strict=True)))
            total += len(texts)
    return total


# -- the parent: the same measurement of each checkout, printed side by side ------------------------------------


def child(code: Path, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run([sys.executable, str(HERE), "--child", *args], env=env, capture_output=True, text=True,
                          cwd=code)
    if done.returncode != 0:
        sys.exit(f"{code}: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=12, help="ECtHR judgments the throughput passages come from")
    parser.add_argument("--memory", type=int, metavar="N", help="RSS of an ingest of the first N judgments")
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. main) measured first, in this run")
    parser.add_argument("--runtimes", default=",".join(RUNTIMES), help="embedding runtimes to measure, in turn")
    parser.add_argument("--rounds", type=int, default=1, help="measure every runtime this many times, interleaved")
    parser.add_argument("--threads", type=int, default=2, help="threads of the model (OMP_NUM_THREADS)")
    parser.add_argument("--fill", type=Path, metavar="STORE_HOME", help="`kb embed` on a copy of a sparse-first home")
    parser.add_argument("--passages", type=int, default=1000, help="passages the fill embeds")
    parser.add_argument("--round", type=int, help="passages per round of the fill (default: all in one round)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, docs, *rest = args.child
        if kind == "fill":
            result = fill(Path(rest[0]), int(docs), int(rest[2]), rest[1] == "bare-first")
        elif kind == "throughput":
            result = throughput(int(docs), rest[0] if rest else None)
        else:
            result = memory(int(docs), Path(rest[0]))
        print(json.dumps(result))
        return 0
    if not os.environ.get("KB_CORPUS") and not (CHECKOUT.parent / "shared" / "corpus").is_dir():
        sys.exit("no corpus: set KB_CORPUS")
    codes = [("baseline", args.baseline.resolve())] if args.baseline else []
    codes.append(("this checkout", CHECKOUT))
    if args.fill:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        print("| checkout | passages (rounds) | tokens/passage | at max_seq_length | bare passages/s | "
              "fill passages/s | fill / bare | fill in ONNX Runtime | tokenising | rest | CPU use fill (bare) | "
              "fill passages per CPU s (bare) | start-up s | fill / bare with start-up | load | full-corpus fill |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for i, (name, code) in enumerate(codes):
            r = child(code, "fill", str(args.passages), str(args.fill.resolve()),
                      "bare-first" if i % 2 == 0 else "fill-first", str(args.round or args.passages))
            rest = 1 - r["ort_share"] - r["tokenise_share"]
            print(f"| {name} | {r['engine_passages']} ({r['rounds']}) | {r['tokens_mean']:.0f} | {r['at_max']:.1%} "
                  f"(≥{r['max_tokens']}) | {r['bare']:.1f} | {r['engine']:.1f} | {r['engine'] / r['bare']:.1%} | "
                  f"{r['ort_share']:.1%} | {r['tokenise_share']:.1%} | {rest:.1%} | {r['engine_cpu']:.2f} "
                  f"({r['bare_cpu']:.2f}) | {r['engine'] / r['engine_cpu']:.1f} ({r['bare'] / r['bare_cpu']:.1f}) | "
                  f"{r['start_up']:.1f} | {r['engine_with_start_up'] / r['bare']:.1%} | {r['load']:.1f} | "
                  f"{CORPUS_PASSAGES / r['engine'] / 60:.0f} min |",
                  flush=True)
    elif args.memory:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "embeddings.sqlite"
            print(f"embedding cache: {fill_cache(args.memory, cache)} chunks of {args.memory} judgments, random "
                  "unit vectors")
            for name, code in codes:
                r = child(code, "memory", str(args.memory), str(cache))
                print(f"{name} ({code}): {r['chunks']} chunks of {r['judgments']} judgments in {r['seconds']:.0f} s; "
                      f"peak RSS {r['peak_rss_mb']:.0f} MB; RSS grows {r['growth_mb_per_1k']:.1f} MB per 1k chunks "
                      f"(anonymous {r['anon_mb_per_1k']:.1f}, mapped files {r['file_mb_per_1k']:.1f})")
    else:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        runs = [(f"{name}: {runtime}", code, runtime) for name, code in codes for runtime in args.runtimes.split(",")]
        if args.baseline:  # the baseline checkout runs its own default runtime, once a round
            runs = [(f"baseline ({args.baseline.name}): its default", args.baseline.resolve(), "")] + \
                [run for run in runs if run[1] == CHECKOUT]
        results: dict[str, list[dict]] = {}
        for round_ in range(args.rounds):
            for label, code, runtime in runs:
                r = child(code, "throughput", str(args.docs), *([runtime] if runtime else []))
                results.setdefault(label, []).append(r)
                print(f"round {round_ + 1}, {label}: {r['passages']} passages of {r['judgments']} judgments; bare "
                      f"model {r['bare']:.1f} passages/s, engine {r['engine']:.1f} ({r['engine'] / r['bare']:.1%}); "
                      f"peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)
        print(f"\nmedians over {args.rounds} round(s), {args.threads} threads; full-corpus fill = "
              f"{CORPUS_PASSAGES:,} passages at the engine's rate")
        # Each round's engine against its own bare run (seconds apart, in one process) as well: on a shared machine
        # the load swings between rounds (74 %, 100 %, 97 % in three rounds here), which a ratio of medians mixes.
        print("| runtime | bare model passages/s | engine passages/s | engine / bare | engine / bare, median of rounds "
              "| vs first row | fill |")
        print("|---|---|---|---|---|---|---|")
        first = None
        for label, rs in results.items():
            bare, engine = (statistics.median(r[key] for r in rs) for key in ("bare", "engine"))
            paired = statistics.median(r["engine"] / r["bare"] for r in rs)
            first = first or engine
            print(f"| {label} | {bare:.1f} | {engine:.1f} | {engine / bare:.1%} | {paired:.1%} | "
                  f"{engine / first:.2f}x | {CORPUS_PASSAGES / engine / 60:.0f} min |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
