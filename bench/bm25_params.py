"""BM25's k1 and b for the paragraph index (issue 22): does another saturation or length normalisation than Qdrant's
defaults (k1 1.2, b 0.75, avg_len 60) put an answer paragraph into BM25's first 60 (the ranked pool) more often?

    PYTHONPATH=. nice -n 10 .venv/bin/python bench/bm25_params.py --payloads STORE/store-payloads.sqlite \
        [--cache chunks.pkl] [--k1 0.6 0.9 1.2 1.5 2.0] [--b 0.3 0.5 0.6 0.75 0.9] [--avg-len 60] [--json out.json]

In memory, no store opened, as `bench/context_headers.py` does (its chunk reader, cases and metrics): every stored
chunk's BM25 text as the store indexes it today (`kb.embedding.Bm25Text`, variant f there), tokenised once by
`kb.embedding.make_bm25`'s tokenizer; term frequencies and token counts are read back from the tokenizer's own weights
(k1 1, b 0: w = 2 tf / (tf + 1)) and checked to give the store's weights exactly under `BM25_CONFIG`. Each setting
then weighs tf as Qdrant does, tf (k1 + 1) / (tf + k1 (1 - b + b len / avg_len)), IDF as Qdrant's modifier,
ln(1 + (N - n + 0.5) / (n + 0.5)) over all chunks, the query each distinct term once (an `articleN` term per Article it
names). Today's setting is one of the grid, so every row has its same-run baseline.

Choice, never by eye: a case's pool value is the mean of its labelled document and (where pinpointed) paragraph being
in the first 60 (`context_headers.utility`). One setting serves all searches, so it is chosen on the mean over the
three dev sets (expert questions, the lawyer questions' file, dev.jsonl citations) of each set's mean pool value,
cross-validated: each dev question left out alone, the citation cases in 10 folds grouped by citing judgment; the
left-out unit is scored with the setting best on the rest. Each dev set is also cross-validated on its own (its own
best setting). The never-tuned benches (`bench/data/*_questions.jsonl`) are only reported.

Measured (session 23, payloads of eval23b: whole corpus, 329,008 chunks, mean 50.6 tokens, median 36; cases: the two
dev question files, the never-tuned benches, `dev.jsonl` seed 1: 800 citation, 100 summary cases). Grid k1 0.6 0.9
1.2 1.5 2 × b 0.3 0.5 0.6 0.75 0.9 × avg_len 60 (today) and 50.6 (the corpus's real mean), 50 settings in one run
(the defaults and `--avg-len 60 50.6`; tokenising 9 minutes at load 8-14, each setting 10-30 s).
Pool value (mean of document / pinpointed paragraph in the first 60), then doc@60 / para@60 of a few rows:
  setting          dev expert 73  lawyer kind 20  topics expert 24  topics lawyer 23  extradition 37  citation 800
  k1.2 b0.75 L60   0.637          0.875           0.771             0.652             0.676           0.755   (today)
                   .767/.455      1.000/.750      .875/.667         .957/.348         .946/.405       .791/.719
  k0.9 b0.6 L60    0.623          0.875           0.854             0.652             0.716           0.760
                   .767/.424      1.000/.750      .958/.750         .913/.391         .973/.459       .801/.719
  k0.6 b0.75 L50.6 0.637          0.875           0.792             0.630             0.703           0.756
  k1.5 b0.6 L50.6  0.616          0.875           0.792             0.652             0.676           0.762
  k1.2 b0.3 L60    0.568          0.875           0.854             0.565             0.703           0.726
  k2 b0.9 L60      0.603          0.800           0.792             0.587             0.662           0.729
  Summary doc@60 1.000 at b >= 0.5 (0.990 at b 0.3, avg_len 60); UN and mixed dev kinds 1.000 at today's setting,
  0.833-0.917 at several others; PRC kinds 0 everywhere (English question, Chinese text).
Cross-validated choice: on all three dev sets together, expert 0.637 -> 0.630, lawyer file (40, PRC's 8 at 0) 0.738 ->
0.725, citation 0.755 -> 0.754 (k0.6 b0.75 L50.6 chosen for 830 of 913 cases, today's for 82); each set on its own:
expert 0.637 -> 0.623 (today's chosen for 71 of 73), lawyer file 0.738 -> 0.713 (today's for 39 of 40), citation
0.755 -> 0.754 (k1.5 b0.6 L50.6 chosen for 475 of 800 cases). Nothing gains: today's k1 1.2, b 0.75, avg_len 60 stays.
The best citation rows are +0.5-0.7 points of pool value (k0.9 b0.6: 13 cases up, 11 down, of 800), noise against the
dev expert questions' -1.4. Lower b, the idea that the answers are long principle paragraphs (they are: the labelled
paragraphs' median is 55 tokens for dev expert, 64 lawyer kind, 75 topics, 62 all dev.jsonl citations, against 36 for
every chunk), helps the never-tuned topics experts (0.771 -> 0.854 at b 0.3-0.5) and extradition a little but costs
the dev expert questions (0.637 -> 0.548-0.568 at b 0.3), the topics lawyers and the citations (0.755 -> 0.713-0.731
at b 0.3, 21 cases up, 59 down at k1.2): long non-answer paragraphs gain as much as long answers. The grid's shape is
flat around today's setting; no row is up on every dev set. Note: BM25's weights also reach the passage model through
more than ranks: its `bm25_share` input is a candidate's BM25 score over the pool's best (fitted on today's k1 / b),
and the question ranker reads BM25's rank; a store built with other k1 / b would want the passage model refitted.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from haystack import Document
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from context_headers import (  # noqa: E402
    QUESTION_FILES,
    cases,
    document_rows,
    exclude,
    first,
    load_chunks,
    pool_row,
    utility,
)

from kb.embedding import Bm25Text, article_terms, make_bm25  # noqa: E402

TODAY = (1.2, 0.75, 60.0)
DEV_SETS = {"expert": QUESTION_FILES[0].name, "lawyer file": QUESTION_FILES[1].name, "citation": "dev.jsonl"}
FOLDS = 10


def count_terms(chunks: dict, cache: Path) -> dict[str, np.ndarray]:
    """Every chunk's BM25 terms with their frequencies (CSR arrays: `indptr`, `terms`, `tf`) and token count (`length`),
    read back from the tokenizer's weights at k1 1, b 0 (cached: the tokenizer's pass over the corpus takes minutes)."""
    if cache.exists():
        return dict(np.load(cache))
    counter = make_bm25(k=1.0, b=0.0)
    store = make_bm25()
    text_of = Bm25Text(store)
    indptr, terms, tfs = [0], [], []
    lengths = np.zeros(len(chunks["text"]), np.float32)
    check = random.Random(0)
    for i, (kind, heading, text) in enumerate(zip(chunks["kind"], chunks["heading"], chunks["text"], strict=True)):
        bm25_text = text_of(Document(content=text, meta={"source_kind": kind, "heading": heading}))
        sv = counter.embed_document(bm25_text)
        tf = np.rint(np.asarray(sv.values) / (2.0 - np.asarray(sv.values)))
        lengths[i] = tf.sum()
        if check.random() < 0.002:
            verify(store.embed_document(bm25_text), sv.indices, tf, lengths[i])
        terms += sv.indices
        tfs.append(tf)
        indptr.append(len(terms))
        if i % 50000 == 0:
            print(f"  tokenised {i}", file=sys.stderr, flush=True)
    out = {
        "indptr": np.asarray(indptr, np.int64),
        "terms": np.asarray(terms, np.int64),
        "tf": np.concatenate(tfs).astype(np.float32),
        "length": lengths,
    }
    np.savez(cache, **out)
    return out


def verify(stored, indices, tf, length) -> None:
    """The weights rebuilt from the read-back counts are the store's (`BM25_CONFIG`), to float precision."""
    k, b, avg = TODAY
    rebuilt = dict(zip(indices, tf * (k + 1) / (tf + k * (1 - b + b * length / avg)), strict=True))
    got = dict(zip(stored.indices, stored.values, strict=True))
    if got.keys() != rebuilt.keys() or max((abs(got[t] - rebuilt[t]) for t in got), default=0.0) > 1e-4:
        raise SystemExit("read-back term counts do not give the store's BM25 weights: the tokenizer changed?")


class TermCounts:
    """The term frequencies of the terms any case asks for (CSR, one column a term) and every chunk's token count."""

    def __init__(self, counts: dict[str, np.ndarray], wanted: set[int]) -> None:
        order = np.asarray(sorted(wanted), np.int64)
        self.col = {int(t): n for n, t in enumerate(order)}
        keep = np.isin(counts["terms"], order)
        rows = np.repeat(np.arange(len(counts["length"])), np.diff(counts["indptr"]))[keep]
        self.n = len(counts["length"])
        self.lengths = counts["length"]
        self.mean_length = float(self.lengths.mean())
        self.tf = sparse.csr_matrix(
            (counts["tf"][keep], (rows, np.searchsorted(order, counts["terms"][keep]))), shape=(self.n, len(order))
        )
        self.row_of_nnz = np.repeat(np.arange(self.n), np.diff(self.tf.indptr))
        df = np.diff(self.tf.tocsc().indptr)
        self.idf = np.log(1 + (self.n - df + 0.5) / (df + 0.5)).astype(np.float32)

    def weighted(self, k1: float, b: float, avg_len: float) -> sparse.csr_matrix:
        tf = self.tf.data
        norm = k1 * (1 - b + b * self.lengths[self.row_of_nnz] / avg_len)
        m = self.tf.copy()
        m.data = (tf * (k1 + 1) / (tf + norm)).astype(np.float32)
        return m


def query_vectors(chosen: list, bm25) -> list[list[int]]:
    out = []
    for _, case in chosen:
        articles = article_terms(case.query)
        out.append(sorted(set(bm25.embed_query(f"{case.query} {articles}" if articles else case.query).indices)))
    return out


def measure(
    index: TermCounts,
    weights: sparse.csr_matrix,
    chunks: dict,
    chosen: list,
    terms: list[list[int]],
    doc_rows: dict[str, list[int]],
    batch: int = 96,
) -> list[dict]:
    rows = []
    for start in range(0, len(chosen), batch):
        part = chosen[start : start + batch]
        qm = np.zeros((len(index.col), len(part)), np.float32)
        for j, ts in enumerate(terms[start : start + batch]):
            cols = [index.col[t] for t in ts if t in index.col]
            qm[cols, j] = index.idf[cols]
        scores = weights @ qm
        for j, (file, case) in enumerate(part):
            rows.append(pool_row(file, case, first(exclude(scores[:, j].copy(), case, doc_rows)), chunks))
    return rows


def set_of(row: dict) -> str | None:
    if row["file"] == "dev.jsonl":
        return "citation" if row["kind"] == "citation" else None
    return next((name for name, file in DEV_SETS.items() if file == row["file"]), None)


def units(rows: list[dict]) -> list[list[int]]:
    """The cross-validation's left-out units: each dev question alone; citation cases in `FOLDS` folds by citing
    judgment (`cit-<citing doc>-p<n>`)."""
    out, groups = [], defaultdict(list)
    for n, row in enumerate(rows):
        name = set_of(row)
        if name == "citation":
            groups[row["qid"].rsplit("-p", 1)[0]].append(n)
        elif name:
            out.append([n])
    keys = sorted(groups)
    random.Random(20261207).shuffle(keys)
    folds = [[] for _ in range(FOLDS)]
    for n, key in enumerate(keys):
        folds[n % FOLDS] += groups[key]
    return out + folds


def cross_validate(results: dict[str, list[dict]], sets: tuple[str, ...], preferred: str | None = None
                   ) -> tuple[dict[str, float], Counter]:
    """Each unit of `sets` scored with the setting whose mean (over `sets`) of per-set mean pool value is best
    without it; ties go to `preferred` (today's setting; the first listed if None), then the order of `results`.
    Returns each set's cross-validated pool value and how many cases each setting was chosen for."""
    names = list(results)
    first = results[names[0]]
    member = {s: np.array([set_of(r) == s for r in first]) for s in sets}
    value = {v: np.array([utility(r) for r in results[v]]) for v in names}
    today = names.index(preferred) if preferred is not None else 0
    scored = np.full(len(first), np.nan)
    chosen: Counter = Counter()
    for unit in (u for u in units(first) if set_of(first[u[0]]) in sets):
        keep = np.ones(len(first), bool)
        keep[unit] = False

        objective = {v: round(float(np.mean([value[v][member[s] & keep].mean() for s in sets])), 12) for v in names}
        best = max(names, key=lambda v: (objective[v], names.index(v) == today, -names.index(v)))
        chosen[best] += len(unit)
        scored[unit] = value[best][unit]
    return {s: float(np.nanmean(scored[member[s]])) for s in sets}, chosen


def label(k1: float, b: float, avg_len: float) -> str:
    return f"k{k1:g} b{b:g} L{avg_len:g}"


def table(results: dict[str, list[dict]]) -> None:
    first = next(iter(results.values()))
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, row in enumerate(first):
        groups[(row["file"], row["kind"])].append(n)
    base = results[label(*TODAY)]

    def figures(rows: list[dict]) -> tuple[float, ...]:
        pin = [r for r in rows if r["pinpoints"]]

        def share(rs, key, depth):
            return sum(1 for r in rs if r[key] is not None and r[key] <= depth) / len(rs) if rs else float("nan")

        mrr = sum(1 / r["para_rank"] for r in pin if r["para_rank"]) / len(pin) if pin else float("nan")
        return (
            share(rows, "doc_rank", 60),
            share(pin, "para_rank", 60),
            share(pin, "para_rank", 100),
            mrr,
            float(np.mean([utility(r) for r in rows])),
        )

    for (file, kind), members in groups.items():
        print(f"{file} / {kind} ({len(members)}): doc@60 para@60 para@100 pMRR pool   (today beside)")
        t = figures([base[n] for n in members])
        for name, rows in results.items():
            f = figures([rows[n] for n in members])
            print(f"  {name:18} " + " ".join(f"{x:6.3f}" for x in f) + "   " + " ".join(f"{x:6.3f}" for x in t))
        print()


def summary(results: dict[str, list[dict]]) -> None:
    """One row a setting: each file / kind's mean pool value, today's row first for comparison."""
    first = next(iter(results.values()))
    groups: dict[str, list[int]] = defaultdict(list)
    for n, row in enumerate(first):
        if "prc" not in row["kind"]:
            file = {"dev-echr-qa.jsonl": "dev", "dev-lawyer-questions.jsonl": "dev", "dev.jsonl": "dev"}.get(
                row["file"], row["file"].split("_")[0][:6]
            )
            kind = {"echr-qa": "expert", "expert-topic": "expert", "lawyer-topic": "lawyer"}.get(
                row["kind"], row["kind"]
            )
            groups[f"{file}/{kind.removeprefix('lawyer-') if kind != 'lawyer-extradition' else 'lawyer'}"].append(n)
    print("pool value (doc and paragraph in the first 60), PRC kinds left out (BM25 alone finds none):")
    print(f"  {'setting':15} " + " ".join(f"{g:>13}" for g in groups))
    for name in [label(*TODAY)] + [k for k in results if k != label(*TODAY)]:
        print(
            f"  {name:15} "
            + " ".join(f"{np.mean([utility(results[name][n]) for n in members]):13.3f}" for members in groups.values())
        )
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payloads", type=Path, default=Path("/work/stores/eval23b/store-payloads.sqlite"))
    parser.add_argument("--cache", type=Path, default=Path("/work/tmp/bm25/chunks.pkl"))
    parser.add_argument("--k1", type=float, nargs="+", default=[0.6, 0.9, 1.2, 1.5, 2.0])
    parser.add_argument("--b", type=float, nargs="+", default=[0.3, 0.5, 0.6, 0.75, 0.9])
    parser.add_argument("--avg-len", type=float, nargs="+", default=[60.0])
    parser.add_argument("--citation", type=int, default=800)
    parser.add_argument("--summary", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--from-json", type=Path, help="the tables and choice of an earlier --json run")
    args = parser.parse_args()
    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        chunks = load_chunks(args.payloads, args.cache)
        bm25 = make_bm25()
        chosen = cases(args.citation, args.summary, args.seed)
        terms = query_vectors(chosen, bm25)
        started = time.time()
        index = TermCounts(count_terms(chunks, args.cache.with_suffix(".terms.npz")), {t for ts in terms for t in ts})
        print(
            f"  counted {index.n} chunks, {index.tf.nnz} postings of {len(index.col)} query terms, mean length "
            f"{index.mean_length:.1f} tokens: {time.time() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        doc_rows = document_rows(chunks)
        settings = [(k1, b, a) for a in args.avg_len for k1 in args.k1 for b in args.b]
        if TODAY not in settings:
            settings.insert(0, TODAY)
        results = {}
        for setting in settings:
            started = time.time()
            results[label(*setting)] = measure(index, index.weighted(*setting), chunks, chosen, terms, doc_rows)
            print(f"  {label(*setting)}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
        if args.json:
            args.json.write_text(json.dumps(results))
    table(results)
    summary(results)
    for sets in (tuple(DEV_SETS), *((s,) for s in DEV_SETS)):
        cv, chosen_settings = cross_validate(results, sets, label(*TODAY))
        today = cross_validate({label(*TODAY): results[label(*TODAY)]}, sets)[0]
        print(
            f"chosen on {' + '.join(sets)}: "
            + ", ".join(f"{s} {cv[s]:.3f} (today {today[s]:.3f})" for s in sets)
            + f"; settings chosen (cases): {dict(chosen_settings.most_common(5))}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
