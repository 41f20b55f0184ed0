"""Word pairs for BM25 (issue 22): does matching a question's adjacent word pairs ("margin … appreciation", "positive
obligations", "private life", "real risk") as well as its words put an answer paragraph into BM25's first 60 (the
ranked pool) more often?

    PYTHONPATH=. nice -n 10 .venv/bin/python bench/bm25_bigrams.py --payloads STORE/store-payloads.sqlite \
        [--cache chunks.pkl] [--weight 0 0.1 0.25 0.5 1] [--filters [-]STAT:THRESHOLD ...] [--filter-weight ...] \
        [--citation 0 --summary 0] [--table] [--json out.json]

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

Collocations only (session 24, issue 22): the hypothesis that a question's pairs hurt because most are its framing
("how does the Court apply", "in cases concerning") and that its fixed phrases of the Court's ("margin appreci",
"positiv oblig", "deprivat liberti") would help. `Collocations` scores every corpus pair seen 5 times or more by a
corpus statistic (`npmi`, `share`, `dep`; thresholds set from their spread before measuring, `DEFAULT_FILTERS`), and a
setting asks for the query's collocations only (`npmi:0.5`), or for all its pairs but them (`-npmi:0.5`), at
`--filter-weight`. The statistic does separate the two kinds: "margin appreci" npmi 0.87, dep 0.78; "positiv oblig"
0.57 / 0.20; "deprivat liberti" 0.84 / 0.64; "case concern" 0.22 / 0.06; "court appli" 0.01 / 0.03.
Measured (in memory, whole corpus, 329,008 chunks; 85 settings in one run, --citation 0 --summary 0: every dev.jsonl
case, 3,562 citations and 199 summaries; 26 min at load 2-7). Pool value:
  setting            dev expert 73  lawyer kind 20  topics expert 24  topics lawyer 23  extradition 37  citation 3562
  no pairs           0.637          0.875           0.771             0.652             0.676           0.750
  all 0.1 / 0.5      0.616 / 0.534  0.875 / 0.875   0.771 / 0.812     0.609 / 0.652     0.676 / 0.662   0.761 / 0.776
  npmi0.6 w0.1       0.637          0.875           0.771             0.652             0.676           0.750
  npmi0.6 w0.5       0.623          0.875           0.771             0.652             0.649           0.744
  npmi0.5 w0.5       0.589          0.850           0.771             0.609             0.649           0.740
  share0.2 w0.1/0.5  0.637 / 0.596  0.875 / 0.875   0.771 / 0.771     0.674 / 0.652     0.676 / 0.676   0.750 / 0.745
  dep0.2 w0.5        0.562          0.875           0.771             0.652             0.662           0.742
  -npmi0.5 w0.5      0.568          0.875           0.771             0.652             0.676           0.782
  -dep0.05 w1        0.589          0.850           0.750             0.587             0.649           0.782
No collocation setting is above "no pairs" on the dev expert questions (best: equal, npmi0.6 or share0.2 at w0.1,
which change 0 of 73); of the expert questions npmi0.6 w0.5 moves expert +1 -3, npmi0.5 w0.5 +1 -7, all pairs 0.5
+0 -13. Leave-one-out over all 85 settings on the 113 dev questions (expert + lawyer file, ties to "no pairs"):
"no pairs" for all 113, expert 0.637, lawyer file 0.738, as without pairs; each file alone the same. So the hypothesis
does not hold: a question's fixed phrases hurt too, less than its framing pairs ("margin appreci" stands in 2,752
chunks: boosting it favours any principle paragraph that repeats the doctrine over the topical answer).
Passages: the collocation filter LOSES the whole passage gain (citation 0.776 with all pairs at 0.5 -> 0.740-0.750
with collocations only, at or below "no pairs" 0.750): the gain lives in the passage's other pairs, the unremarkable
word sequences the citing paragraph shares with the cited one. Asking for all pairs but the collocations is level with
the shipped setting: grouped CV on the 3,562 citations over the 85 settings, ties to the shipped all-pairs 0.5, scores
0.777 against 0.776 (chosen: -dep0.05 w1 for 2,545 cases, -npmi0.5 w0.5 634, -npmi0.3 w1 383); on an 800-case sample
it looked +1.2 points (0.781 -> 0.793-0.795), noise. Summaries doc@60 1.000 everywhere but 0.995 for 5 settings.
Nothing ships: questions keep no pairs, passages keep every pair at `PAIR_WEIGHT`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bm25_params import (  # noqa: E402
    DEV_SETS,
    TODAY,
    TermCounts,
    count_terms,
    cross_validate,
    query_vectors,
)
from context_headers import cases, document_rows, exclude, first, load_chunks, pool_row, utility  # noqa: E402

from kb.embedding import PAIR_WEIGHT, TermPairs, make_bm25, pair_index  # noqa: E402


def count_pairs(chunks: dict, pairs: TermPairs, cache: Path) -> dict[str, np.ndarray]:
    """Every chunk's pairs with their frequencies (CSR arrays `indptr`, `pairs`, `tf`), cached. A pair is kept with its
    two terms (first << 32 | second), so the collocation statistics can be read back; `kb.embedding.pair_index` of the
    two is the store's index (`hashed`)."""
    if cache.exists():
        return dict(np.load(cache))
    indptr, indices, tfs = [0], [], []
    for i, text in enumerate(chunks["text"]):
        counts = Counter(first << 32 | second for first, second in pairs.adjacent(text))
        indices.append(np.fromiter(counts, np.uint64, len(counts)))
        tfs.append(np.fromiter(counts.values(), np.float32, len(counts)))
        indptr.append(indptr[-1] + len(counts))
        if i % 50000 == 0:
            print(f"  paired {i}", file=sys.stderr, flush=True)
    out = {"indptr": np.asarray(indptr, np.int64), "pairs": np.concatenate(indices), "tf": np.concatenate(tfs)}
    np.savez(cache, **out)
    return out


def hashed(pairs: np.ndarray) -> np.ndarray:
    """The store's indices (`kb.embedding.pair_index`) of pairs kept with their two terms."""
    return pair_index(pairs >> np.uint64(32), pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)


class Collocations:
    """How much each pair of the corpus is a fixed phrase of the Court's rather than two words that happen to meet,
    read from the pairs of every chunk (`count_pairs`) and the chunks' term counts (`count_terms`). Each statistic is
    defined for a pair seen `MIN_COUNT` times or more (else -inf: no evidence it is a phrase):

    - `npmi`: normalised pointwise mutual information over the pair occurrences, ln(p(a b) / (p(a ·) p(· b))) /
      -ln p(a b), p(a ·) the share of pair occurrences whose first term is a (Bouma 2009): 1 where a and b only ever
      stand together, 0 where they meet as often as chance has them.
    - `share`: the pair's share of the first term's following terms, c(a b) / c(a ·): how often a is followed by b.
    - `dep`: the share of the rarer word's chunks that hold the pair, df(a b) / min(df(a), df(b)); its log is the
      pair's IDF less the rarer word's IDF (Qdrant's IDF, up to its +0.5s)."""

    MIN_COUNT = 5
    STATS = ("npmi", "share", "dep")

    def __init__(self, counts: dict[str, np.ndarray], term_counts: dict[str, np.ndarray]) -> None:
        self.keys, inverse, df = np.unique(counts["pairs"], return_inverse=True, return_counts=True)
        cf = np.bincount(inverse, weights=counts["tf"])
        first, second = self.keys >> np.uint64(32), self.keys & np.uint64(0xFFFFFFFF)
        _, first_of = np.unique(first, return_inverse=True)
        _, second_of = np.unique(second, return_inverse=True)
        before = np.bincount(first_of, weights=cf)[first_of]
        after = np.bincount(second_of, weights=cf)[second_of]
        total = cf.sum()
        terms, term_df = np.unique(term_counts["terms"], return_counts=True)

        def df_of(term: np.ndarray) -> np.ndarray:
            at = np.minimum(np.searchsorted(terms, term.astype(np.int64)), len(terms) - 1)
            # a term missing from the term counts (0.04 % of pairs) counts as in every chunk: its pairs are no phrase
            return np.where(terms[at] == term.astype(np.int64), term_df[at], len(counts["indptr"]))

        seen = cf >= self.MIN_COUNT
        with np.errstate(divide="ignore"):
            self.stats = {
                "npmi": np.log(cf * total / (before * after)) / -np.log(cf / total),
                "share": cf / before,
                "dep": df / np.maximum(np.minimum(df_of(first), df_of(second)), df),
            }
        for values in self.stats.values():
            values[~seen] = -np.inf

    def kept(self, pairs: list[int], stat: str, threshold: float, phrases: bool = True) -> list[int]:
        """The pairs (first << 32 | second) whose `stat` is at least `threshold` (`phrases`), or all the others."""
        keys = np.asarray(pairs, np.uint64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        value = np.where(self.keys[at] == keys, self.stats[stat][at], -np.inf)
        return [p for p, v in zip(pairs, value, strict=True) if (v >= threshold) == phrases]


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


@dataclass(frozen=True)
class Setting:
    """A query's pairs at `weight` of a word: every pair (`stat` None), only those whose collocation statistic
    (`Collocations`) is at least `threshold` (`phrases`), or only the others (not `phrases`, named `-stat`)."""

    weight: float
    stat: str | None = None
    threshold: float = 0.0
    phrases: bool = True

    @property
    def name(self) -> str:
        if self.stat is None:
            return f"{self.weight:g}"
        return f"{'' if self.phrases else '-'}{self.stat}{self.threshold:g} w{self.weight:g}"

    @classmethod
    def parse(cls, text: str, weight: float) -> Setting:
        stat, _, threshold = text.removeprefix("-").partition(":")
        if stat not in Collocations.STATS or not threshold:
            raise ValueError(f"--filters takes [-]STAT:THRESHOLD with STAT one of {Collocations.STATS}, not {text!r}")
        return cls(weight, stat, float(threshold), not text.startswith("-"))


DEFAULT_FILTERS = {"npmi": (0.3, 0.4, 0.5, 0.6), "share": (0.05, 0.1, 0.2), "dep": (0.05, 0.1, 0.2)}
"""Thresholds set from the statistics' spread over the 419,892 pairs seen 5 times or more (before any measurement):
npmi's 75th-99th percentile is 0.18-0.75, share's and dep's 90th 0.02-0.06 and 99th 0.71-0.95."""


def measure(terms_index, term_weights, pair_table, chosen, terms, pairs, settings, collocations, chunks, doc_rows,
            batch=96) -> dict[str, list[dict]]:
    """Every case's pool under each setting: its words' scores once, then each setting's pairs added to them."""
    results: dict[str, list[dict]] = {setting.name: [] for setting in settings}
    by_pair = pair_table.weights.tocsc()
    for start in range(0, len(chosen), batch):
        part = chosen[start : start + batch]
        qm = np.zeros((len(terms_index.col), len(part)), np.float32)
        for j in range(len(part)):
            cols = [terms_index.col[t] for t in terms[start + j] if t in terms_index.col]
            qm[cols, j] = terms_index.idf[cols]
        scores = np.asarray(term_weights @ qm)
        for j, (file, case) in enumerate(part):
            words = exclude(scores[:, j].copy(), case, doc_rows)
            asked = pairs[start + j]
            column = dict(zip(asked, (pair_table.col.get(int(h)) for h in hashed(np.asarray(asked, np.uint64))),
                              strict=True))
            for setting in settings:
                kept = (asked if setting.stat is None
                        else collocations.kept(asked, setting.stat, setting.threshold, setting.phrases))
                total = words.copy()
                for c in (column[p] for p in kept if setting.weight and column[p] is not None):
                    at = slice(by_pair.indptr[c], by_pair.indptr[c + 1])
                    total[by_pair.indices[at]] += setting.weight * pair_table.idf[c] * by_pair.data[at]
                results[setting.name].append(pool_row(file, case, first(total), chunks))
        print(f"  measured {start + len(part)} cases", file=sys.stderr, flush=True)
    return results


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


def summary(results: dict[str, list[dict]]) -> None:
    """One line a setting: each file and kind's mean pool value (cases in the header)."""
    rows0 = next(iter(results.values()))
    groups: dict[str, list[int]] = defaultdict(list)
    for n, row in enumerate(rows0):
        groups[f"{row['file'].split('_')[0].split('.')[0].removeprefix('dev-')}/{row['kind']}"].append(n)
    print(f"{'setting':16}" + "".join(f" {g[:22]:>22}" for g in groups))
    print(f"{'cases':16}" + "".join(f" {len(m):>22}" for m in groups.values()))
    for name, rows in results.items():
        print(f"{name:16}" + "".join(f" {np.mean([utility(rows[n]) for n in m]):22.3f}" for m in groups.values()))
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payloads", type=Path, default=Path("/work/stores/eval23/store-payloads.sqlite"))
    parser.add_argument("--cache", type=Path, default=Path("/work/tmp/bm25/chunks.pkl"))
    parser.add_argument("--weight", type=float, nargs="+", default=[0.0, 0.1, 0.25, 0.5, 1.0],
                        help="every pair of the query at these weights")
    parser.add_argument("--filters", nargs="*",
                        default=[f"{sign}{stat}:{t:g}" for sign in ("", "-") for stat, ts in DEFAULT_FILTERS.items()
                                 for t in ts],
                        help="STAT:THRESHOLD, the query's collocations only (Collocations.STATS); -STAT:THRESHOLD, all "
                        "its pairs but those")
    parser.add_argument("--filter-weight", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0])
    parser.add_argument("--table", action="store_true", help="also the long table, every setting's rows")
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
        pairs = [sorted({first << 32 | second for first, second in term_pairs.adjacent(case.query)})
                 for _, case in chosen]
        started = time.time()
        term_counts = count_terms(chunks, args.cache.with_suffix(".terms.npz"))
        terms_index = TermCounts(term_counts, {t for ts in terms for t in ts})
        pair_counts = count_pairs(chunks, term_pairs, args.cache.with_suffix(".pairterms.npz"))
        collocations = Collocations(pair_counts, term_counts)
        pair_table = PairCounts({**pair_counts, "pairs": hashed(pair_counts["pairs"])}, term_counts["length"],
                                {int(h) for ps in pairs for h in hashed(np.asarray(ps, np.uint64))})
        print(f"  {pair_counts['pairs'].size} chunk pairs, {len(pair_table.col)} query pairs: "
              f"{time.time() - started:.0f} s", file=sys.stderr, flush=True)
        settings = [Setting(w) for w in sorted(set(args.weight) | {0.0})]
        settings += [Setting.parse(f, w) for f in args.filters for w in args.filter_weight]
        started = time.time()
        results = measure(terms_index, terms_index.weighted(*TODAY), pair_table, chosen, terms, pairs, settings,
                          collocations, chunks, document_rows(chunks))
        print(f"  {len(settings)} settings: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
        if args.json:
            args.json.write_text(json.dumps(results))
    if args.table:
        table(results)
    summary(results)
    questions = ("expert", "lawyer file")
    for sets in (questions, *((s,) for s in DEV_SETS)):
        cv, chosen_weights = cross_validate(results, sets)
        today = cross_validate({"0": results["0"]}, sets)[0]
        print(f"chosen on {' + '.join(sets)}: " + ", ".join(f"{s} {cv[s]:.3f} (no pairs {today[s]:.3f})" for s in sets)
              + f"; settings chosen (cases): {dict(chosen_weights.most_common(6))}")
    shipped = f"{PAIR_WEIGHT:g}"
    if shipped in results:
        cv, chosen_weights = cross_validate(results, ("citation",), preferred=shipped)
        alone = cross_validate({shipped: results[shipped]}, ("citation",))[0]
        print(f"chosen on citation, ties to the shipped all pairs at {shipped}: citation {cv['citation']:.3f} "
              f"(shipped {alone['citation']:.3f}); settings chosen (cases): {dict(chosen_weights.most_common(6))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
