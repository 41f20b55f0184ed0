"""A query-side linear adapter for MiniLM, trained on the Court's own citing → cited paragraph pairs (issue 22).

    KB_EMBED_CACHE=… .venv/bin/python bench/query_adapter.py vectors --graph citations.sqlite --out pairs.npz
    .venv/bin/python bench/query_adapter.py train --pairs pairs.npz --out W.npy [--exclude-citing dev.jsonl]
        [--seed 0] [--subset 1.0] [--penalty 0.1] [--epochs 20] [--negatives 20000] [--cv 5]

Why: fine-tuning MiniLM itself on these pairs cost ~45 s a step here (`bench/train_court_model.py`), and any new
passage model would invalidate every stored vector and cache. A linear map on the query side only, q' =
normalise(W q), keeps the passages' shipped vectors and costs one 384 × 384 product per question; W starts at the
identity and is pulled back toward it (`--penalty`, Frobenius), so it can only bend the question toward the Court's
way of stating a principle, not forget MiniLM.

`vectors`: the pairs of `train_court_model.pairs` (the citing paragraph with its citations and case names removed;
pairs whose citing document is in `heldout-citing-docs.txt` never used, nor self-citations), both sides embedded
through the embedding cache (cited paragraphs as the write path embeds them, `index_text`; the fill's cache holds
most), saved with the citing document of each pair. `train`: InfoNCE (MultipleNegativesRankingLoss's scale 20)
of each citing vector against every distinct cited paragraph of the training pairs plus `--negatives` random passage
vectors of the cache (the pool a question is ranked in is mostly facts and submissions, not cited principles), the
other paragraphs its own citing paragraph cites masked out. `--cv K` first prints the grouped (by citing document)
K-fold MRR of the held-out pairs' cited paragraph among all cited paragraphs, identity vs adapter. `--exclude-citing`
drops the citing documents of a dev file (dev.jsonl's `source.citing_doc_id`) so that file can be measured.
The adapter is applied to the questions by `bench/meaning_rank.py --adapter` and `bench/pool_eval.py adapter=PATH`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

SCALE = 20.0


def vectors(args: argparse.Namespace) -> int:
    from haystack import Document
    from train_court_model import pairs

    from kb.embedding import CachedDocumentEmbedder, EmbeddingCache, document_embedder
    from kb.settings import Settings
    from legal.text import index_text

    settings = Settings.load()
    data = pairs(args.graph, args.paragraphs, args.heldout)
    texts = list(dict.fromkeys([index_text(b) or b for _, b, _, _ in data] + [a for a, _, _, _ in data]))
    cache = EmbeddingCache(settings.embeddings_cache, settings.embedding)
    held = cache.get_many(texts)
    print(f"{len(data)} pairs, {len(texts)} texts, {len(held)} in the cache", flush=True)
    embedder = CachedDocumentEmbedder(lambda: document_embedder(settings.embedding), cache)
    found: dict[str, np.ndarray] = {}
    started = time.perf_counter()
    for start in range(0, len(texts), 256):
        batch = texts[start:start + 256]
        for doc in embedder.run(documents=[Document(content=t) for t in batch])["documents"]:
            found[doc.content] = np.asarray(doc.embedding, dtype=np.float32)
        print(f"  {start + len(batch)}/{len(texts)} {time.perf_counter() - started:.0f} s", flush=True)
    position = {t: i for i, t in enumerate(texts)}
    q = np.stack([found[a] for a, _, _, _ in data])
    p = np.stack([found[index_text(b) or b] for _, b, _, _ in data])
    np.savez_compressed(args.out, query=q, passage=p, citing=np.array([d[3] for d in data]),
                        citing_text=np.array([position[a] for a, _, _, _ in data]),
                        cited=np.array([f"{d[2][0]}#{d[2][1]}" for d in data]))
    print(f"saved {args.out}")
    return 0


def siblings(args: argparse.Namespace) -> int:
    """The cached vectors of the other paragraphs of every cited document: the hard negatives a question's pool is
    made of (the same judgment's facts, submissions and other principles)."""
    import pickle

    from kb.embedding import EmbeddingCache
    from kb.settings import Settings
    from legal.text import index_text

    settings = Settings.load()
    data = np.load(args.pairs)
    docs = {c.split("#")[0] for c in data["cited"]}
    rows = [(p[0], p[1], index_text(p[8]) or p[8]) for p in pickle.loads(args.paragraphs.read_bytes()) if p[0] in docs]
    found = EmbeddingCache(settings.embeddings_cache, settings.embedding).get_many([r[2] for r in rows])
    kept = [r for r in rows if r[2] in found]
    np.savez_compressed(args.out, key=np.array([f"{d}#{n}" for d, n, _ in kept]),
                        vector=np.stack([np.asarray(found[t], dtype=np.float32) for _, _, t in kept]))
    print(f"{len(kept)} of {len(rows)} paragraphs of {len(docs)} cited documents in the cache → {args.out}")
    return 0


def cache_sample(path: Path, n: int, seed: int) -> np.ndarray:
    """n passage vectors of the embedding cache at random (the cache holds vectors only, keyed by text hash)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    total = con.execute("SELECT max(rowid) FROM vectors").fetchone()[0]
    ids = random.Random(seed).sample(range(1, total + 1), min(n, total))
    rows = []
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        rows += con.execute(f"SELECT vec FROM vectors WHERE rowid IN ({','.join('?' * len(chunk))})", chunk).fetchall()
    return np.stack([np.frombuffer(r[0], dtype=np.float16).astype(np.float32) for r in rows])


def sibling_rows(cited: np.ndarray, citing_text: np.ndarray, keys: np.ndarray) -> list[np.ndarray]:
    """For each pair, the rows of `keys` (doc#paragraph) of its cited document other than the paragraphs its own
    citing paragraph cites."""
    by_doc: dict[str, list[int]] = {}
    for row, key in enumerate(keys):
        by_doc.setdefault(key.split("#")[0], []).append(row)
    own: dict[int, set[str]] = {}
    for t, c in zip(citing_text, cited, strict=True):
        own.setdefault(int(t), set()).add(c)
    return [np.array([r for r in by_doc.get(c.split("#")[0], []) if keys[r] not in own[int(t)]], dtype=np.int64)
            for t, c in zip(citing_text, cited, strict=True)]


def fit(q: np.ndarray, cited: np.ndarray, citing_text: np.ndarray, targets: np.ndarray, negatives: np.ndarray,
        penalty: float, epochs: int, seed: int, hard: tuple[np.ndarray, list[np.ndarray], int] | None = None,
        lr: float = 1e-3, batch: int = 512) -> np.ndarray:
    """W minimising InfoNCE of each pair against all targets (+ negatives, + `hard`: k paragraphs of the cited
    document drawn per pair from its sibling rows) plus penalty · ||W − I||²."""
    import torch

    torch.manual_seed(seed)
    index = np.unique(cited, return_inverse=True)[1]
    p = torch.tensor(np.concatenate([targets, negatives]))
    x = torch.tensor(q)
    y = torch.tensor(index)
    # the other paragraphs a pair's own citing paragraph cites are not negatives
    own: dict[int, list[int]] = {}
    for t, i in zip(citing_text, index, strict=True):
        own.setdefault(int(t), []).append(int(i))
    eye = torch.eye(q.shape[1])
    w = torch.nn.Parameter(eye.clone())
    optimiser = torch.optim.Adam([w], lr=lr)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(q))
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            z = torch.nn.functional.normalize(x[rows] @ w.T, dim=1)
            logits = SCALE * z @ p.T
            mask = torch.zeros_like(logits, dtype=torch.bool)
            for r, row in enumerate(rows):
                mask[r, own[int(citing_text[row])]] = True
                mask[r, int(index[row])] = False
            logits = logits.masked_fill(mask, float("-inf"))
            if hard:
                vectors, rows_of, k = hard
                pick = np.zeros((len(rows), k), dtype=np.int64)
                valid = np.zeros((len(rows), k), dtype=bool)
                for r, row in enumerate(rows):
                    if len(rows_of[row]):
                        pick[r] = rng.choice(rows_of[row], k)
                        valid[r] = True
                h = torch.tensor(vectors[pick])
                extra = (SCALE * torch.einsum("bd,bkd->bk", z, h)).masked_fill(~torch.tensor(valid), float("-inf"))
                logits = torch.cat([logits, extra], dim=1)
            loss = torch.nn.functional.cross_entropy(logits, y[rows]) + penalty * ((w - eye) ** 2).sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return w.detach().numpy()


def mrr(q: np.ndarray, w: np.ndarray | None, targets: np.ndarray, index: np.ndarray) -> float:
    z = q @ w.T if w is not None else q
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    scores = z @ targets.T
    own = scores[np.arange(len(q)), index]
    ranks = (scores > own[:, None]).sum(axis=1) + 1
    return float(np.mean(1.0 / ranks))


def within_document(q: np.ndarray, w: np.ndarray | None, passages: np.ndarray, vectors: np.ndarray,
                    rows_of: list[np.ndarray]) -> float:
    """MRR of each pair's cited paragraph among the other cached paragraphs of its document (the pool's problem)."""
    z = q @ w.T if w is not None else q
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    ranks = [1 + int((vectors[rows] @ zi > pi @ zi).sum()) for zi, pi, rows in zip(z, passages, rows_of, strict=True)
             if len(rows)]
    return float(np.mean([1 / r for r in ranks]))


def train(args: argparse.Namespace) -> int:
    data = np.load(args.pairs)
    q, p, citing, cited = data["query"], data["passage"], data["citing"], data["cited"]
    citing_text = data["citing_text"]
    keep = np.ones(len(q), dtype=bool)
    if args.exclude_citing:
        dropped = {json.loads(line)["source"].get("citing_doc_id") for line in args.exclude_citing.open()}
        keep &= ~np.isin(citing, list(dropped - {None}))
    rng = random.Random(args.seed)
    docs = sorted(set(citing[keep]))
    if args.subset < 1.0:
        chosen = set(rng.sample(docs, round(len(docs) * args.subset)))
        keep &= np.isin(citing, list(chosen))
        docs = sorted(chosen)
    q, p, citing, cited, citing_text = q[keep], p[keep], citing[keep], cited[keep], citing_text[keep]
    keys, first = np.unique(cited, return_index=True)
    targets = p[first]
    index = np.searchsorted(keys, cited)
    negatives = cache_sample(args.cache, args.negatives, args.seed) if args.negatives else np.zeros((0, q.shape[1]),
                                                                                                    np.float32)
    hard = None
    if args.siblings:
        sib = np.load(args.siblings)
        rows_of = sibling_rows(cited, citing_text, sib["key"])
        hard = (sib["vector"], rows_of, args.hard)
    print(f"{len(q)} pairs from {len(docs)} citing documents, {len(keys)} cited paragraphs, "
          f"{len(negatives)} random negatives", flush=True)
    if args.cv:
        folds = {d: i % args.cv for i, d in enumerate(random.Random(args.seed).sample(docs, len(docs)))}
        fold = np.array([folds[d] for d in citing])
        base, adapted, doc_base, doc_adapted = [], [], [], []
        for k in range(args.cv):
            tr = fold != k
            started = time.perf_counter()
            fold_hard = (hard[0], [r for r, t in zip(hard[1], tr, strict=True) if t], hard[2]) if hard else None
            w = fit(q[tr], cited[tr], citing_text[tr], targets[np.unique(index[tr])], negatives, args.penalty,
                    args.epochs, args.seed, fold_hard)
            base.append(mrr(q[~tr], None, targets, index[~tr]))
            adapted.append(mrr(q[~tr], w, targets, index[~tr]))
            line = f"  fold {k}: MRR identity {base[-1]:.3f} adapter {adapted[-1]:.3f}"
            if hard:
                test_rows = [r for r, t in zip(hard[1], tr, strict=True) if not t]
                doc_base.append(within_document(q[~tr], None, p[~tr], hard[0], test_rows))
                doc_adapted.append(within_document(q[~tr], w, p[~tr], hard[0], test_rows))
                line += f"; within its document identity {doc_base[-1]:.3f} adapter {doc_adapted[-1]:.3f}"
            print(f"{line} ({time.perf_counter() - started:.0f} s)", flush=True)
        print(f"grouped {args.cv}-fold MRR: identity {np.mean(base):.3f} adapter {np.mean(adapted):.3f}"
              + (f"; within the document {np.mean(doc_base):.3f} → {np.mean(doc_adapted):.3f}" if hard else ""))
    w = fit(q, cited, citing_text, targets, negatives, args.penalty, args.epochs, args.seed, hard)
    print(f"||W - I||_F {np.linalg.norm(w - np.eye(len(w))):.3f}; training MRR identity "
          f"{mrr(q, None, targets, index):.3f} adapter {mrr(q, w, targets, index):.3f}")
    if args.out:
        np.save(args.out, w.astype(np.float32))
        print(f"saved {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    eval_dir = Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")).parent / "eval"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("vectors")
    v.add_argument("--graph", type=Path, required=True)
    v.add_argument("--paragraphs", type=Path, default=Path("/work/cache/meaning/paragraphs.pkl"))
    v.add_argument("--heldout", type=Path, default=eval_dir / "heldout-citing-docs.txt")
    v.add_argument("--out", type=Path, required=True)
    h = sub.add_parser("siblings")
    h.add_argument("--pairs", type=Path, required=True)
    h.add_argument("--paragraphs", type=Path, default=Path("/work/cache/meaning/paragraphs.pkl"))
    h.add_argument("--out", type=Path, required=True)
    t = sub.add_parser("train")
    t.add_argument("--pairs", type=Path, required=True)
    t.add_argument("--out", type=Path)
    t.add_argument("--exclude-citing", type=Path)
    t.add_argument("--cache", type=Path, default=Path(os.environ.get("KB_EMBED_CACHE", "")))
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--subset", type=float, default=1.0)
    t.add_argument("--penalty", type=float, default=0.1)
    t.add_argument("--epochs", type=int, default=20)
    t.add_argument("--negatives", type=int, default=20000)
    t.add_argument("--cv", type=int, default=0)
    t.add_argument("--siblings", type=Path, help="from `siblings`: hard negatives from the cited documents")
    t.add_argument("--hard", type=int, default=16, help="with --siblings: paragraphs of the cited document per pair")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    return {"vectors": vectors, "siblings": siblings, "train": train}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
