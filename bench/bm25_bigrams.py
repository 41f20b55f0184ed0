"""Word pairs for BM25 (issue 22): does matching a question's adjacent word pairs ("margin … appreciation", "positive
obligations", "private life", "real risk") as well as its words put an answer paragraph into BM25's first 60 (the
ranked pool) more often?

    PYTHONPATH=. nice -n 10 .venv/bin/python bench/bm25_bigrams.py --payloads STORE/store-payloads.sqlite \
        [--cache chunks.pkl] [--weight 0 0.1 0.25 0.5 1] [--json out.json]

The sequential dependence idea (Metzler and Croft, 2005): a query's terms scored as today, plus each pair of adjacent
terms (stopwords dropped, so "margin of appreciation" is the pair margin → appreci) scored where the chunk has the
same pair in the same order, at `weight` times a term's weight. In memory, no store opened, on the chunks and term
counts `bench/bm25_params.py` reads (today's BM25 text, k1 1.2, b 0.75, avg_len 60): a pair's weight in a chunk is
BM25's, tf (k1 + 1) / (tf + k1 (1 - b + b len / avg_len)) with the chunk's word count as `len` (the pairs do not
lengthen a chunk), and its IDF Qdrant's over all chunks. That is what a store could hold: the pairs as extra indices
of the same sparse vector, their weights computed beside the words', the query's pair indices at `weight`.

The pairs are the store's own (`kb.embedding.TermPairs`: a text read a word at a time by the store's tokenizer, its
stemming and stopwords; a word of Chinese script ends a run), taken from the paragraph's text, not its heading words.

Choice, never by eye, as `bench/bm25_params.py` chooses: a case's pool value is the mean of its labelled document and
(where pinpointed) paragraph being in the first 60; the weight is chosen on the mean over the three dev sets (expert
questions, the lawyer questions' file, `dev.jsonl` citations) of each set's mean pool value, cross-validated (each dev
question left out alone, the citation cases in 10 folds grouped by citing judgment). The never-tuned benches are only
reported.

Measured (session 24, chunks of eval23: whole corpus, 329,008 chunks, 14.2 million chunk pairs beside 12.6 million
word postings; every dev.jsonl case; pairing 1 minute, each weight 1.5-2 minutes at load 3-5). doc@60 / para@60 /
pool value (mean of document and pinpointed paragraph in the first 60) by the pairs' query weight:
  weight            0                  0.1                0.25               0.5                1
  dev expert 73     .767/.455/.637     .753/.439/.616     .712/.424/.589     .671/.348/.534     .658/.303/.507
  lawyer kind 20    1.00/.750/.875     1.00/.750/.875     1.00/.750/.875     1.00/.750/.875     1.00/.700/.850
  lawyer mixed 6    1.00/1.00/1.00     1.00/.833/.917     1.00/.833/.917     1.00/.833/.917     .833/.833/.833
  topics expert 24  .875/.667/.771     .875/.667/.771     .875/.667/.771     .917/.708/.812     .833/.667/.750
  topics lawyer 23  .957/.348/.652     .870/.348/.609     .870/.391/.630     .870/.435/.652     .870/.478/.674
  extradition 37    .946/.405/.676     .946/.405/.676     .946/.432/.689     .919/.405/.662     .865/.405/.635
  citation 3562     .793/.708/.750     .802/.721/.761     .809/.729/.769     .814/.738/.776     .811/.735/.773
  summary 199       1.000 at every weight
  (0.35: citation .810/.731/.771, 0.75: .810/.738/.774; the PRC kinds are 0 for BM25 alone, English against Chinese.)
Cross-validated: on the citations alone 0.750 -> 0.776 (0.5 chosen in all 10 folds); on the expert questions alone,
the lawyer file alone, or all three sets together, weight 0 is chosen for every unit (the experts' loss outweighs).
So a passage asks for its pairs at 0.5 (`kb.embedding.PAIR_WEIGHT`) and a lawyer's question for none: the pairs of a
generated expert question are its framing ("how does the Court apply", "margin of appreciation and positive
obligations" in question after question), a passage's are the Court's own phrases. End to end: docs/architecture.md,
"Search", "Word pairs".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bm25_params import (  # noqa: E402
    DEV_SETS,
    TODAY,
    TermCounts,
    count_terms,
    query_vectors,
    set_of,
    units,
)
from context_headers import cases, document_rows, exclude, first, load_chunks, pool_row, utility  # noqa: E402

from kb.embedding import TermPairs, make_bm25  # noqa: E402


def count_pairs(chunks: dict, pairs: TermPairs, cache: Path) -> dict[str, np.ndarray]:
    """Every chunk's pairs with their frequencies (CSR arrays `indptr`, `pairs`, `tf`), cached."""
    if cache.exists():
        return dict(np.load(cache))
    indptr, indices, tfs = [0], [], []
    for i, text in enumerate(chunks["text"]):
        counts = pairs.counts(text)
        indices.append(np.fromiter(counts, np.int64, len(counts)))
        tfs.append(np.fromiter(counts.values(), np.float32, len(counts)))
        indptr.append(indptr[-1] + len(counts))
        if i % 50000 == 0:
            print(f"  paired {i}", file=sys.stderr, flush=True)
    out = {"indptr": np.asarray(indptr, np.int64), "pairs": np.concatenate(indices), "tf": np.concatenate(tfs)}
    np.savez(cache, **out)
    return out


class PairCounts:
    """The BM25 weights (today's k1, b, avg_len; the chunk's word count as its length) of the pairs any case asks for,
    one column a pair, and their IDF."""

    def __init__(self, counts: dict[str, np.ndarray], lengths: np.ndarray, wanted: set[int]) -> None:
        order = np.asarray(sorted(wanted), np.int64)
        self.col = {int(t): n for n, t in enumerate(order)}
        keep = np.isin(counts["pairs"], order)
        n = len(counts["indptr"]) - 1
        rows = np.repeat(np.arange(n), np.diff(counts["indptr"]))[keep]
        tf = counts["tf"][keep]
        k1, b, avg = TODAY
        weight = tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[rows] / avg))
        self.weights = sparse.csr_matrix(
            (weight.astype(np.float32), (rows, np.searchsorted(order, counts["pairs"][keep]))), shape=(n, len(order))
        )
        df = np.diff(self.weights.tocsc().indptr)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)


def measure(terms_index, term_weights, pair_index, chosen, terms, pairs, weight, chunks, doc_rows, batch=96):
    rows = []
    both = sparse.hstack([term_weights, pair_index.weights]).tocsr()
    offset = len(terms_index.col)
    for start in range(0, len(chosen), batch):
        part = chosen[start : start + batch]
        qm = np.zeros((offset + len(pair_index.col), len(part)), np.float32)
        for j in range(len(part)):
            cols = [terms_index.col[t] for t in terms[start + j] if t in terms_index.col]
            qm[cols, j] = terms_index.idf[cols]
            pcols = [pair_index.col[p] for p in pairs[start + j] if p in pair_index.col]
            qm[[offset + c for c in pcols], j] = weight * pair_index.idf[pcols]
        scores = both @ qm
        for j, (file, case) in enumerate(part):
            rows.append(pool_row(file, case, first(exclude(scores[:, j].copy(), case, doc_rows)), chunks))
    return rows


def cross_validate(results: dict[str, list[dict]], sets: tuple[str, ...]) -> tuple[dict[str, float], Counter]:
    """Each unit of `sets` scored with the weight whose mean (over `sets`) of per-set mean pool value is best without
    it; ties go to today's (weight 0)."""
    names = list(results)
    rows0 = results[names[0]]
    member = {s: np.array([set_of(r) == s for r in rows0]) for s in sets}
    value = {v: np.array([utility(r) for r in results[v]]) for v in names}
    scored = np.full(len(rows0), np.nan)
    chosen: Counter = Counter()
    for unit in (u for u in units(rows0) if set_of(rows0[u[0]]) in sets):
        keep = np.ones(len(rows0), bool)
        keep[unit] = False
        objective = {v: round(float(np.mean([value[v][member[s] & keep].mean() for s in sets])), 12) for v in names}
        best = max(names, key=lambda v: (objective[v], -names.index(v)))
        chosen[best] += len(unit)
        scored[unit] = value[best][unit]
    return {s: float(np.nanmean(scored[member[s]])) for s in sets}, chosen


def table(results: dict[str, list[dict]]) -> None:
    rows0 = next(iter(results.values()))
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, row in enumerate(rows0):
        groups[(row["file"], row["kind"])].append(n)

    def share(rs, key, depth):
        return sum(1 for r in rs if r[key] is not None and r[key] <= depth) / len(rs) if rs else float("nan")

    print(f"{'file / kind':44} {'n':>4} {'weight':>6}  doc@60 para@60 para@100  pMRR  pool")
    for (file, kind), members in groups.items():
        for name, rows in results.items():
            sel = [rows[n] for n in members]
            pin = [r for r in sel if r["pinpoints"]]
            mrr = sum(1 / r["para_rank"] for r in pin if r["para_rank"]) / len(pin) if pin else float("nan")
            print(f"{file[:30] + ' / ' + kind:44} {len(sel):>4} {name:>6}  {share(sel, 'doc_rank', 60):6.3f} "
                  f"{share(pin, 'para_rank', 60):7.3f} {share(pin, 'para_rank', 100):8.3f} {mrr:5.3f} "
                  f"{np.mean([utility(r) for r in sel]):5.3f}")
        print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payloads", type=Path, default=Path("/work/stores/eval23/store-payloads.sqlite"))
    parser.add_argument("--cache", type=Path, default=Path("/work/tmp/bm25/chunks.pkl"))
    parser.add_argument("--weight", type=float, nargs="+", default=[0.0, 0.1, 0.25, 0.5, 1.0])
    parser.add_argument("--citation", type=int, default=800)
    parser.add_argument("--summary", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--from-json", type=Path, help="the tables and choice of an earlier --json run")
    args = parser.parse_args()
    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        chunks = load_chunks(args.payloads, args.cache)
        bm25 = make_bm25()
        term_pairs = TermPairs(bm25)
        chosen = cases(args.citation, args.summary, args.seed)
        terms = query_vectors(chosen, bm25)
        pairs = [sorted(term_pairs.counts(case.query)) for _, case in chosen]
        started = time.time()
        term_counts = count_terms(chunks, args.cache.with_suffix(".terms.npz"))
        terms_index = TermCounts(term_counts, {t for ts in terms for t in ts})
        pair_counts = count_pairs(chunks, term_pairs, args.cache.with_suffix(".pairs.npz"))
        pair_index = PairCounts(pair_counts, term_counts["length"], {p for ps in pairs for p in ps})
        print(f"  {pair_counts['pairs'].size} chunk pairs, {len(pair_index.col)} query pairs: "
              f"{time.time() - started:.0f} s", file=sys.stderr, flush=True)
        term_weights = terms_index.weighted(*TODAY)
        doc_rows = document_rows(chunks)
        results = {}
        for weight in sorted(set(args.weight) | {0.0}):
            started = time.time()
            results[f"{weight:g}"] = measure(terms_index, term_weights, pair_index, chosen, terms, pairs, weight,
                                             chunks, doc_rows)
            print(f"  weight {weight:g}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
        if args.json:
            args.json.write_text(json.dumps(results))
    table(results)
    for sets in (tuple(DEV_SETS), *((s,) for s in DEV_SETS)):
        cv, chosen_weights = cross_validate(results, sets)
        today = cross_validate({"0": results["0"]}, sets)[0]
        print(f"chosen on {' + '.join(sets)}: " + ", ".join(f"{s} {cv[s]:.3f} (today {today[s]:.3f})" for s in sets)
              + f"; weights chosen (cases): {dict(chosen_weights.most_common(6))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
