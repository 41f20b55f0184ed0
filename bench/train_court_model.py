"""Adapt all-MiniLM-L6-v2 to the Court's language: MultipleNegativesRankingLoss on (citing paragraph → cited
paragraph) pairs of the citation graph, the held-out citing documents left out (issue 22, item 2).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/train_court_model.py --graph citations.sqlite \
        [--paragraphs /work/cache/meaning/paragraphs.pkl] [--out /work/cache/models/court-minilm] \
        [--steps 300] [--batch 32] [--max-seq 128] [--lr 2e-5]

Why these pairs: a later judgment restating a principle cites the paragraph where it was laid down; the citing
paragraph (its citations and case names removed, so the model learns the principle's wording, not the names) and the
cited one are two wordings of one principle, which is what an expert's question and its answer are too. Pairs whose
citing document is in `heldout-citing-docs.txt` are never used (dropped here even if the graph kept them), nor
self-citations. In-batch negatives: each batch holds pairs of distinct cited paragraphs. A plain torch loop (no
`datasets`/`accelerate`): the model is the SentenceTransformer module, the loss sentence-transformers' own. The
weights go to `--out` (outside the repository); the speed per step is printed first.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import sqlite3
import sys
import time
from pathlib import Path

CITATION_PARENS = re.compile(r"\([^()]*(?:§|\bno\.|\bv\.|cited above|ibid)[^()]*\)")
CASE_NAME = re.compile(r"\b[A-Z][\w'’\-.]+(?:\s+and\s+Others)?\s+v\.\s+(?:the\s+)?[A-Z][\w\-]+(?:\s+\[GC\])?")
CITED_ABOVE = re.compile(r"[^,;()]*,\s*cited above(?:,\s*§+\s*[\d\s\-–,and]+)?")


def clean(text: str) -> str:
    """A citing paragraph without its citations: what remains is the Court's restatement of the principle."""
    text = re.sub(r"^\s*\d{1,4}\.\s*", "", text)
    for pattern in (CITATION_PARENS, CITED_ABOVE, CASE_NAME):
        text = pattern.sub("", text)
    return " ".join(text.split())


def pairs(graph: Path, paragraphs: Path, heldout: Path) -> list[tuple[str, str, tuple[str, str], str]]:
    """(cleaned citing paragraph, cited paragraph, cited key, citing document) for every usable edge of the graph."""
    left_out = set(heldout.read_text().split())
    texts = {(p[0], p[1]): p[8] for p in pickle.loads(paragraphs.read_bytes())}
    con = sqlite3.connect(f"file:{graph}?mode=ro", uri=True)
    rows = con.execute("SELECT DISTINCT c.citing_doc, c.citing_para, p.cited_doc, p.cited_para FROM pinpoints p "
                       "JOIN citations c ON c.id = p.citation_id WHERE c.citing_doc != p.cited_doc").fetchall()
    out, seen = [], set()
    for citing_doc, citing_para, cited_doc, cited_para in rows:
        if citing_doc in left_out:
            continue
        a, b = texts.get((citing_doc, citing_para)), texts.get((cited_doc, cited_para))
        if not a or not b:
            continue
        a, b = clean(a), re.sub(r"^\s*\d{1,4}\.\s*", "", b)
        if len(a) < 80 or len(b) < 80 or (a, b) in seen:
            continue
        seen.add((a, b))
        out.append((a, b, (cited_doc, cited_para), citing_doc))
    return out


def batches(data: list, size: int, rng: random.Random):
    """Batches of pairs with distinct cited paragraphs (a repeated target would be a false in-batch negative)."""
    order = data[:]
    rng.shuffle(order)
    while order:
        batch, keys, rest = [], set(), []
        for item in order:
            if len(batch) < size and item[2] not in keys:
                batch.append(item)
                keys.add(item[2])
            else:
                rest.append(item)
        order = rest
        if len(batch) == size:
            yield batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--paragraphs", type=Path, default=Path("/work/cache/meaning/paragraphs.pkl"))
    parser.add_argument("--heldout", type=Path, default=Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")).parent
                        / "eval" / "heldout-citing-docs.txt")
    parser.add_argument("--out", type=Path, default=Path("/work/cache/models/court-minilm"))
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-seq", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    from kb.settings import Settings

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = pairs(args.graph, args.paragraphs, args.heldout)
    print(f"{len(data)} pairs ({len({d[2] for d in data})} cited paragraphs)", flush=True)
    model = SentenceTransformer(Settings.load().model, device="cpu")
    model.max_seq_length = args.max_seq
    loss = MultipleNegativesRankingLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr)
    warmup = max(1, args.steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (args.steps - s) / max(1, args.steps - warmup)))
    model.train()
    rng = random.Random(args.seed)
    step, started, running = 0, time.perf_counter(), 0.0
    while step < args.steps:
        for batch in batches(data, args.batch, rng):
            features = [model.tokenize([b[0] for b in batch]), model.tokenize([b[1] for b in batch])]
            value = loss(features, torch.zeros(len(batch)))
            value.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            running = 0.9 * running + 0.1 * float(value) if step > 1 else float(value)
            if step % 10 == 0 or step <= 3:
                elapsed = time.perf_counter() - started
                print(f"step {step}/{args.steps} loss {running:.3f} {elapsed / step:.2f} s/step", flush=True)
            if step % 100 == 0 or step == args.steps:
                model.save(str(args.out))
            if step >= args.steps:
                break
    model.save(str(args.out))
    print(f"saved {args.out} after {step} steps, {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
