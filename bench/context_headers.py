"""Contextual headers for BM25 (issue 22): does indexing a paragraph with the words of where it stands (its heading
path, its judgment's title and Articles) let BM25 find the expert questions' answers?

    .venv/bin/python bench/context_headers.py [--payloads STORE/store-payloads.sqlite] [--cache chunks.pkl]
        [--variants a b d …] [--json out.json]

In memory, no store opened: every stored chunk's text (the payloads' sqlite, read-only) is BM25-indexed as the store
indexes it (`kb.embedding.make_bm25`, the same tokenizer, stemming and document weights; IDF as Qdrant's modifier
computes it, ln(1 + (N - n + 0.5) / (n + 0.5)), over all chunks), once per variant of the ECtHR chunks' text (every
other chunk as stored), and each case's query ranks all of them, its `exclude_doc_ids` dropped. Printed per file (and
kind): the share of cases with a labelled document / paragraph in BM25's first 60 (the ranked mode's pool) and 100,
and the MRR of the first labelled paragraph within 100.

Variants of an ECtHR chunk's BM25 text (the embedded text is never changed):
  a  the paragraph alone (today)
  b  heading path + paragraph
  c  heading path + title + paragraph
  d  heading words, each once, enumerators and the commonest heading words (`GENERIC_SHARE`) dropped, + paragraph
  e  the paragraph's vector + HEADER_WEIGHT × the vector of d's heading words (not changing the paragraph's length)
  f  d + an `articleN` token per Article the heading names, with the same token added to a query naming Article N
     (the tokenizer drops numbers: "Article 8" is only "article" to BM25)

Measured (session 21, payloads of eval21c0: whole corpus, 329,473 chunks; the 19 generic heading terms at 5 %:
alleged, applicant, article, assessment, case, convention, court, domestic, judge, law, merits, opinion, parties,
practice, principles, proceedings, relevant, submissions, violation). doc@60 / para@60 / para@100 / paragraph MRR:
  dev expert (73)        a 0.726 / 0.379 / 0.394 / 0.123   b 0.767 / 0.409 / 0.409 / 0.141   c 0.740 / 0.424 / 0.439
                         d 0.740 / 0.409 / 0.439 / 0.130   e0.25 0.740 / 0.409 / 0.439   e0.5 0.712 / 0.379 / 0.439
                         f 0.767 / 0.455 / 0.455 / 0.152
  dev lawyer kind (20)   para@60 a 0.700, b 0.650, c 0.650, d 0.700, e 0.700, f 0.750 (MRR 0.217 → f 0.220)
  topics expert (24)     a 0.875 / 0.625 / 0.708 / 0.199   f 0.875 / 0.667 / 0.708 / 0.220   (e0.5 best: 0.750 para@60)
  topics lawyer (23)     a 0.870 / 0.391 / 0.478 / 0.121   f 0.957 / 0.348 / 0.478 / 0.161   (b, c 0.261 para@60)
  extradition (37)       a 0.919 / 0.432 / 0.514 / 0.128   f 0.946 / 0.405 / 0.486 / 0.141
  dev.jsonl citation 300 a 0.750 / 0.683 / 0.747 / 0.292   f 0.760 / 0.693 / 0.750 / 0.296
  (PRC questions: English against Chinese text, 0 for BM25 alone in every variant.) Leave-one-out over a-f on the 113
  dev questions (pool value: doc and paragraph in the first 60) chose f for all 113 (0.628 → 0.673).
End to end, f built into the store (`kb.embedding.Bm25Text`, commit 790715d of branch ctx21; eval21c rebuilt
sparse-first, leave-out graph rebuilt) against the untouched twin eval21c0 with the session-start tree, same run
(`bench/eval_dev.py --baseline … --baseline-home …`), ranked doc_hit@10 / para_hit@10: dev expert 0.685 / 0.409 →
0.671 / 0.394 (qa-024 doc, qa-266 paragraph lost, none gained; MRR 0.414 → 0.432), lawyer kind 0.900 → 0.900, lawyer
mixed 1.000 → 0.833 (dlaw-38); never tuned: topics 0.787 / 0.511 → 0.851 / 0.638 (expert-topic 0.833 / 0.708 →
0.917 / 0.833, lawyer-topic 0.739 / 0.304 → 0.783 / 0.435), extradition 0.892 / 0.703 → 0.865 / 0.676 (xq-14 lost,
xq-24 lost, xq-13 gained), PRC lawyer-prc para 0.609 → 0.565 (pq-19), mixed 0.625 → 0.750; dev.jsonl citation
0.470 / 0.760 / 0.717 → 0.480 / 0.770 / 0.710 (doc@1 / doc@10 / para@10), summary doc@1 1.000 both. BM25 mode: dev
expert 0.479 / 0.212 → 0.521 / 0.242, lawyer kind para 0.350 → 0.400, extradition para 0.216 → 0.189. Not kept: it
lowers the dev questions the ranking is tuned on (3 question-metrics down, none up) and two never-tuned benches,
though it lifts the topics bench by 10 question-metrics; the ranker's weights and the passage model were set on the
old BM25 text; of them only the question weight on BM25's rank was tried again on the new text (`--grid
questions.retrieval=10,30`, shipped 20.5; a second run, ranked reproduced the figures above): dev expert 0.658 / 0.364
and 0.658 / 0.394, leave-one-out chose 30 for all 113 (0.658 / 0.394, lawyer kind 0.900): no rescue. A refit of the
other weights and of the passage model on the new text was not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from scipy import sparse

from kb.embedding import LEVEL_MARK, article_terms

HERE = Path(__file__).resolve()
EVAL = Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")).parent / "eval"
DATA = HERE.parent / "data"
QUESTION_FILES = (EVAL / "dev-echr-qa.jsonl", EVAL / "dev-lawyer-questions.jsonl", DATA / "topics_questions.jsonl",
                  DATA / "extradition_questions.jsonl", DATA / "prc_questions.jsonl")
DEPTHS = (60, 100)
GENERIC_SHARE = 0.05
"""A heading word in more than this share of the ECtHR chunks' heading paths says nothing of the paragraph's question
("alleged", "violation", "convention", "merits", "assessment")."""
HEADER_WEIGHT = 0.5


# -- the chunks ------------------------------------------------------------------------------------------------


def load_chunks(payloads: Path, cache: Path) -> dict:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from legal.text import index_text

    db = sqlite3.connect(f"file:{payloads}?mode=ro&immutable=1", uri=True)
    cols = defaultdict(list)
    for n, (payload,) in enumerate(db.execute("SELECT payload FROM chunks ORDER BY doc_id, para_index")):
        p = json.loads(payload)
        cols["doc_id"].append(p["doc_id"])
        cols["paragraph"].append(None if p.get("paragraph") is None else str(p["paragraph"]))
        cols["kind"].append(p.get("source_kind"))
        cols["role"].append(p.get("role"))
        cols["section"].append(p.get("section"))
        cols["heading"].append(p.get("heading"))
        cols["title"].append(p.get("title") or "")
        cols["text"].append(index_text(p["text"]) or p["text"])
        if n % 50000 == 0:
            print(f"  read {n}", file=sys.stderr, flush=True)
    out = dict(cols)
    cache.write_bytes(pickle.dumps(out))
    return out


class Headers:
    """The heading words of each ECtHR chunk, as `d` keeps them: enumerators gone, each word once, the commonest
    heading words dropped (decided on the tokenizer's own terms, so "Court’s" and "court" are one)."""

    def __init__(self, chunks: dict, bm25) -> None:
        self.bm25 = bm25
        self.term: dict[str, tuple[int, ...]] = {}
        self.words: dict[str, list[str]] = {}
        for heading in set(h for h, k in zip(chunks["heading"], chunks["kind"], strict=True) if k == "echr" and h):
            words = [w for level in heading.split(" › ") for w in LEVEL_MARK.sub("", level).split()]
            self.words[heading] = words
        df = Counter()
        for heading, count in Counter(h for h, k in zip(chunks["heading"], chunks["kind"], strict=True)
                                      if k == "echr" and h).items():
            terms = {t for w in self.words[heading] for t in self.terms(w)}
            for t in terms:
                df[t] += count
        echr = sum(1 for k in chunks["kind"] if k == "echr")
        self.generic = {t for t, n in df.items() if n > GENERIC_SHARE * echr}

    def terms(self, word: str) -> tuple[int, ...]:
        if word not in self.term:
            self.term[word] = tuple(self.bm25.embed_query(word).indices)
        return self.term[word]

    def kept(self, heading: str | None) -> str:
        if not heading:
            return ""
        seen: set[int] = set()
        out = []
        for w in self.words.get(heading, ()):
            ts = self.terms(w)
            if not ts or any(t in self.generic or t in seen for t in ts):
                continue
            seen.update(ts)
            out.append(w)
        return " ".join(out)


def variant_texts(name: str, chunks: dict, headers: Headers) -> tuple[list[str], list[str] | None]:
    """(BM25 text per chunk, or for `e` the paragraph texts and the header texts to add at HEADER_WEIGHT)."""
    texts, extra = [], []
    for kind, heading, title, text in zip(chunks["kind"], chunks["heading"], chunks["title"], chunks["text"],
                                          strict=True):
        if kind != "echr" or name == "a":
            texts.append(text)
            extra.append("")
            continue
        path = (heading or "").replace(" › ", " ")
        if name == "b":
            texts.append(f"{path}\n{text}")
        elif name == "c":
            texts.append(f"{path}\n{title}\n{text}")
        elif name == "d":
            texts.append(f"{headers.kept(heading)}\n{text}")
        elif name == "e":
            texts.append(text)
            extra.append(headers.kept(heading))
            continue
        elif name == "f":
            texts.append(f"{headers.kept(heading)} {article_terms(heading)}\n{text}")
        else:
            raise SystemExit(f"unknown variant {name!r} (a-f)")
        extra.append("")
    return texts, (extra if name == "e" else None)


class Index:
    def __init__(self, texts: list[str], extra: list[str] | None, bm25, weight: float = HEADER_WEIGHT) -> None:
        vocab: dict[int, int] = {}
        indptr, indices, values = [0], [], []
        for n, text in enumerate(texts):
            sv = bm25.embed_document(text)
            row = dict(zip(sv.indices, sv.values, strict=True))
            if extra is not None and extra[n]:
                hv = bm25.embed_document(extra[n])
                for t, v in zip(hv.indices, hv.values, strict=True):
                    row[t] = row.get(t, 0.0) + weight * v
            for t, v in row.items():
                indices.append(vocab.setdefault(t, len(vocab)))
                values.append(v)
            indptr.append(len(indices))
        self.vocab = vocab
        m = sparse.csr_matrix((np.asarray(values, np.float32), np.asarray(indices, np.int32),
                               np.asarray(indptr, np.int64)), shape=(len(texts), len(vocab)))
        self.matrix = m.tocsc()
        n_docs = len(texts)
        df = np.diff(self.matrix.indptr)
        self.idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)

    def scores(self, terms: list[int]) -> np.ndarray:
        cols = [self.vocab[t] for t in set(terms) if t in self.vocab]
        if not cols:
            return np.zeros(self.matrix.shape[0], np.float32)
        return self.matrix[:, cols] @ self.idf[cols]


# -- cases and metrics -----------------------------------------------------------------------------------------


def cases(citation: int, summary: int, seed: int) -> list[tuple[str, object]]:
    """Every question file, then the fixed dev.jsonl sample `bench/eval_dev.py` draws (same seed, same order)."""
    from kb.search.evaluation import read_cases

    out = [(path.name, c) for path in QUESTION_FILES for c in read_cases(path)]
    rng = random.Random(seed)
    dev = read_cases(EVAL / "dev.jsonl")
    for kind, n in (("citation", citation), ("summary", summary)):
        pool = [c for c in dev if c.kind == kind]
        out += [("dev.jsonl", c) for c in (rng.sample(pool, n) if 0 < n < len(pool) else pool)]
    return out


def query_terms(name: str, query: str, bm25) -> list[int]:
    text = f"{query} {article_terms(query)}" if name == "f" else query
    return list(bm25.embed_query(text).indices)


def document_rows(chunks: dict) -> dict[str, list[int]]:
    """Each document's chunk rows, to leave a case's excluded documents out."""
    rows: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(chunks["doc_id"]):
        rows[d].append(i)
    return rows


def exclude(scores: np.ndarray, case, doc_rows: dict[str, list[int]]) -> np.ndarray:
    """`scores` (changed in place) with the case's `exclude_doc_ids` out of reach."""
    for d in case.exclude_doc_ids:
        scores[doc_rows.get(d, [])] = -np.inf
    return scores


def first(scores: np.ndarray, depth: int = max(DEPTHS)) -> list[int]:
    """The rows of the first `depth` chunks by score, best first (ties in row order), scoring above 0."""
    top = np.argpartition(-scores, depth)[:depth]
    return [int(i) for i in top[np.argsort(-scores[top], kind="stable")] if scores[i] > 0]


def pool_row(file: str, case, top: list[int], chunks: dict) -> dict:
    """Where a case's labelled paragraph and document first stand in the ranked rows `top` (None: not there)."""
    para_rank = next((r for r, i in enumerate(top, 1)
                      if chunks["paragraph"][i] in (case.relevant.get(chunks["doc_id"][i]) or ())), None)
    doc_rank = next((r for r, i in enumerate(top, 1) if chunks["doc_id"][i] in case.relevant), None)
    return {"file": file, "qid": case.qid, "kind": case.kind, "pinpoints": case.has_pinpoints,
            "para_rank": para_rank, "doc_rank": doc_rank}


def measure(name: str, index: Index, chunks: dict, chosen: list, bm25) -> list[dict]:
    doc_rows = document_rows(chunks)
    return [pool_row(file, case, first(exclude(index.scores(query_terms(name, case.query, bm25)), case, doc_rows)),
                     chunks) for file, case in chosen]


def table(results: dict[str, list[dict]]) -> None:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    first = next(iter(results.values()))
    for n, row in enumerate(first):
        groups[(row["file"], row["kind"])].append(n)
    print(f"{'file / kind':42} {'n':>4} var  doc@60 doc@100 para@60 para@100 pMRR")
    for (file, kind), members in groups.items():
        for name, rows in results.items():
            sel = [rows[n] for n in members]
            pin = [r for r in sel if r["pinpoints"]]

            def share(rs, key, depth):
                return sum(1 for r in rs if r[key] is not None and r[key] <= depth) / len(rs) if rs else float("nan")

            mrr = sum(1 / r["para_rank"] for r in pin if r["para_rank"]) / len(pin) if pin else float("nan")
            print(f"{file[:30] + ' / ' + kind:42} {len(sel):>4} {name:4} {share(sel, 'doc_rank', 60):6.3f} "
                  f"{share(sel, 'doc_rank', 100):7.3f} {share(pin, 'para_rank', 60):7.3f} "
                  f"{share(pin, 'para_rank', 100):8.3f} {mrr:5.3f}")
        print()


def utility(row: dict, depth: int = 60) -> float:
    """A question's pool value: the mean of its labelled document and (where pinpointed) paragraph being in the first
    `depth`."""
    hits = [row["doc_rank"] is not None and row["doc_rank"] <= depth]
    if row["pinpoints"]:
        hits.append(row["para_rank"] is not None and row["para_rank"] <= depth)
    return sum(hits) / len(hits)


def leave_one_out(results: dict[str, list[dict]]) -> None:
    """Each dev question (both dev question files) scored with the variant best on all the other dev questions, so
    no question's text is chosen on it."""
    names = list(results)
    first = results[names[0]]
    dev = [n for n, row in enumerate(first) if row["file"] in (QUESTION_FILES[0].name, QUESTION_FILES[1].name)]
    value = {v: np.array([utility(results[v][n]) for n in dev]) for v in names}
    total = {v: value[v].sum() for v in names}
    chosen = Counter()
    score = []
    for i in range(len(dev)):
        best = max(names, key=lambda v: (total[v] - value[v][i], -names.index(v)))
        chosen[best] += 1
        score.append(value[best][i])
    print(f"leave-one-out over {', '.join(names)} on {len(dev)} dev questions: chosen {dict(chosen)}, "
          f"pool value {np.mean(score):.3f} (each variant: "
          + ", ".join(f"{v} {value[v].mean():.3f}" for v in names) + ")")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payloads", type=Path, default=Path("/work/stores/eval21c0/store-payloads.sqlite"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ctx21/chunks.pkl"))
    parser.add_argument("--variants", nargs="+", default=["a", "b", "c", "d", "e", "f"])
    parser.add_argument("--weight", type=float, nargs="+", default=[HEADER_WEIGHT], help="header weights for e")
    parser.add_argument("--citation", type=int, default=300)
    parser.add_argument("--summary", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--from-json", type=Path, nargs="+", help="print the tables of earlier --json runs")
    args = parser.parse_args()
    if args.from_json:
        loaded = {k: v for path in args.from_json for k, v in json.loads(path.read_text()).items()}
        results = {k: loaded[k] for k in args.variants if k in loaded} or loaded
        table(results)
        leave_one_out(results)
        return 0
    from kb.embedding import make_bm25

    args.cache.parent.mkdir(parents=True, exist_ok=True)
    chunks = load_chunks(args.payloads, args.cache)
    bm25 = make_bm25()
    headers = Headers(chunks, bm25)
    chosen = cases(args.citation, args.summary, args.seed)
    results: dict[str, list[dict]] = {}
    for name in args.variants:
        texts, extra = variant_texts(name, chunks, headers)
        for weight in (args.weight if name == "e" else [HEADER_WEIGHT]):
            label = f"{name}{weight:g}" if name == "e" else name
            started = time.time()
            index = Index(texts, extra, bm25, weight)
            results[label] = measure(name, index, chunks, chosen, bm25)
            print(f"  {label}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
            del index
    table(results)
    leave_one_out(results)
    if args.json:
        args.json.write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
