"""A cross-encoder (question and passage read together) trained here, on CPU, from the installed all-MiniLM-L6-v2
weights, on the Court's own citations, and measured as a re-ranker of the dev questions' pools (issue 22).

    # 1. training groups: (statement of a principle, cited paragraph, 7 hard negatives), leakage rules below
    .venv/bin/python bench/cross_encoder.py pairs --graph STORE/citations.sqlite --out groups.pkl
    # 2. train (nice -n 19, background; a checkpoint every --save steps, stops after --minutes)
    nice -n 19 .venv/bin/python bench/cross_encoder.py train groups.pkl --out DIR [--minutes 35]
    # 3. the dev.jsonl sample's pools (questions: `bench/question_pools.py`); score the shipped first --depth
    KB_HOME=… KB_EMBED_CACHE=… nice -n 19 .venv/bin/python bench/cross_encoder.py pools-dev --out dev-pools.pkl
    nice -n 19 .venv/bin/python bench/cross_encoder.py score pools.pkl --model DIR --out pools-ce.pkl [--depth 20]
    # 4. the figures: each set against the shipped ranking replayed, weight by leave-one-out
    .venv/bin/python bench/cross_encoder.py eval pools-ce.pkl [dev-pools-ce.pkl]
    # 5. CPU cost of re-ranking the first K (nice 0, short)
    .venv/bin/python bench/cross_encoder.py speed pools-ce.pkl --model DIR

Why this training data: in a citing paragraph, the sentence that ends "(see X v. Y, § N)" states a principle in the
Court's words, and paragraph N of X is where it was laid down: that is what an expert's question and its answer
look like, and the graph holds thousands of them without any labelling. The query side is that sentence (the one
before it too when the citation stands alone as "See …"), its citations and case names removed
(`train_court_model.clean`, then `tidy`; `train` skips a statement of fewer than eight words, a list of citations).
A pasted passage of `dev.jsonl` is read the same way, around its "[…]" (`query_text`). Negatives are what the
re-ranker must tell apart in a pool: the cited judgment's other paragraphs that share most words with the statement
(the para@10 gap: the right judgment, the wrong paragraph) and TF-IDF neighbours of the statement among all the
ECtHR paragraphs of other judgments (BM25's confusions).

No leakage (issue 22 item 3): pairs come from the citation graph built `--leave-out heldout-citing-docs.txt` (held-out
citing documents dropped again here), self-citations dropped, and the citing judgments of the evaluated `dev.jsonl`
sample (`eval_dev.chosen_cases`, same sizes and seed) dropped too, so one model serves every figure: the dev question
files are never read by `pairs` or `train`. The `meaning` weight of the fused ranking is chosen by leave-one-out over
the dev questions (for the `dev.jsonl` sample, by citing judgment).

The model: BERT (MiniLM-L6) over "[CLS] statement [SEP] passage [SEP]" (statement ≤ 48 word pieces, the pair ≤ 192;
the embedding layer and the first `--freeze` layers frozen: on a shared 2-core machine a step of 32 pairs at 256
took ~18 CPU s, and the other helpers' timed runs left a nice-19 job 7-30 % of a core),
mean pooling (the pooling the installed weights were trained with), a linear head to one score; loss: softmax cross
entropy over the positive and its negatives (listwise). A plain torch loop, seeded.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from question_pools import Pool  # noqa: E402,F401  (pools dumped by question_pools run as __main__ unpickle here)
from train_court_model import clean  # noqa: E402

EVAL_DIR = Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")).parent / "eval"
PARAGRAPHS = Path("/work/cache/meaning/paragraphs.pkl")
QUERY_TOKENS, MAX_TOKENS = 48, 192
SAME_DOC, NEIGHBOURS = 4, 3
NUMBER = re.compile(r"^\s*\d{1,4}\.\s*")
ABBREVIATIONS = re.compile(r"\b(?:v|no|nos|cf|e\.g|i\.e|pp?|para|Art|seq|al|ibid|op|cit|Nos?|Vol|Series|ECHR)\.$")
BOUNDARY = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z“\"(])")
GAP = "[…]"
REMNANTS = [re.compile(p) for p in (
    r"\((?:see|cf\.|compare)\b[^)]*$", r"\bnos?\.\s*\d+/\d+(?:\s*(?:and|,)\s*\d+/\d+)*",
    r"§§?\s*\d+(?:\s*(?:-|–|,|and)\s*\d+)*", r"\bECHR\s+\d{4}[-‑–]?[IVX]*(?:\s*\([^)]*\))?",
    r"\bSeries\s+A\s+no\.\s*\d+",
    r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}",
    r"\b(?:see|cf\.)?,?\s*(?:among (?:many )?other(?:s| authorities)|inter alia|mutatis mutandis)\b,?")]
"""What `train_court_model.clean` leaves of a citation: numbers, paragraphs, reporters, dates, "see, inter alia"."""


# -- 1. training groups ----------------------------------------------------------------------------------------


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after an abbreviation of a citation ("v.", "no.") is not one."""
    spans, start = [], 0
    for m in BOUNDARY.finditer(text):
        if ABBREVIATIONS.search(text[start:m.start()]):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def statement(text: str, raw: str) -> str | None:
    """The principle a citation supports: the sentence holding it, cleaned; with the one before when that is short
    (the citation opens its own sentence, "See, among many others, …")."""
    at = text.find(raw)
    if at < 0:
        return None
    spans = sentences(text)
    i = next(k for k, (a, b) in enumerate(spans) if a <= at < b or k == len(spans) - 1)
    out = clean(NUMBER.sub("", text[spans[i][0]:spans[i][1]]))
    if len(out) < 60 and i > 0:
        out = clean(NUMBER.sub("", text[spans[i - 1][0]:spans[i][1]]))
    return out if len(out) >= 40 else None


def tidy(query: str) -> str:
    for pattern in REMNANTS:
        query = pattern.sub("", query)
    query = re.sub(r"\(\s*[,;.\s]*\)", "", query)
    query = re.sub(r"\s+([,;.)])", r"\1", query)
    return " ".join(re.sub(r"([,;])\s*[,;]+", r"\1", query).split())


def usable(query: str) -> bool:
    """A statement of a principle, not a list of citations: at least eight lower-case words of four letters."""
    return len(re.findall(r"\b[a-z]{4,}\b", query)) >= 8


def query_text(query: str) -> str:
    """What the cross-encoder reads of a query: a pasted citing paragraph with its citation cut out ("[…]", as in
    `dev.jsonl`) is read as the statement around the cut, the training side; a question as it is."""
    return (statement(query, GAP) or query) if GAP in query else query


def sample_citing_docs(citation: int, summary: int, seed: int) -> set[str]:
    from eval_dev import chosen_cases

    return {d for file, case in chosen_cases(EVAL_DIR, citation, summary, seed) if file == "dev.jsonl"
            for d in case.exclude_doc_ids}


def groups(args: argparse.Namespace) -> int:
    from sklearn.feature_extraction.text import TfidfVectorizer

    left_out = set(args.heldout.read_text().split()) | sample_citing_docs(args.citation, args.summary, args.seed)
    rows = pickle.loads(args.paragraphs.read_bytes())
    texts = {(p[0], str(p[1])): p[8] for p in rows}
    by_doc: dict[str, list[str]] = {}
    for p in rows:
        by_doc.setdefault(p[0], []).append(str(p[1]))
    con = sqlite3.connect(f"file:{args.graph}?mode=ro", uri=True)
    edges = con.execute("SELECT c.citing_doc, c.citing_para, p.cited_doc, p.cited_para, c.raw FROM pinpoints p "
                        "JOIN citations c ON c.id = p.citation_id WHERE c.citing_doc != p.cited_doc").fetchall()
    cited_by_paragraph: dict[tuple[str, str, str], set[str]] = {}
    for citing_doc, citing_para, cited_doc, cited_para, _ in edges:
        cited_by_paragraph.setdefault((citing_doc, citing_para, cited_doc), set()).add(str(cited_para))
    found, seen = [], set()
    dropped = {"left out": 0, "no text": 0, "no statement": 0}
    for citing_doc, citing_para, cited_doc, cited_para, raw in edges:
        if citing_doc in left_out:
            dropped["left out"] += 1
            continue
        citing, cited = texts.get((citing_doc, citing_para)), texts.get((cited_doc, str(cited_para)))
        if not citing or not cited:
            dropped["no text"] += 1
            continue
        query = statement(citing, raw)
        if not query:
            dropped["no statement"] += 1
            continue
        if (query, cited_doc, str(cited_para)) in seen:
            continue
        seen.add((query, cited_doc, str(cited_para)))
        found.append((query, cited_doc, str(cited_para), citing_doc, citing_para))
    print(f"{len(edges)} edges; dropped {dropped}; {len(found)} statements from "
          f"{len({f[3] for f in found})} citing judgments", flush=True)
    echr = [k for k in texts if k[0] in by_doc and len(texts[k]) >= 200]
    vectoriser = TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.3, stop_words="english", dtype=np.float32)
    matrix = vectoriser.fit_transform([texts[k] for k in echr])
    index = {k: i for i, k in enumerate(echr)}
    queries = vectoriser.transform([f[0] for f in found])
    rng = random.Random(args.seed)
    out = []
    for n, (query, cited_doc, cited_para, citing_doc, citing_para) in enumerate(found):
        q = queries[n]
        banned = cited_by_paragraph[(citing_doc, citing_para, cited_doc)]
        own = [index[(cited_doc, p)] for p in by_doc.get(cited_doc, ()) if p not in banned and (cited_doc, p) in index]
        own_scores = (matrix[own] @ q.T).toarray().ravel() if own else np.zeros(0)
        hard_own = [echr[own[i]] for i in np.argsort(-own_scores)[:2 * SAME_DOC]]
        near = (matrix @ q.T).toarray().ravel()
        neighbours = [echr[i] for i in np.argsort(-near)[:60] if echr[i][0] not in (cited_doc, citing_doc)][:12]
        negatives = rng.sample(hard_own, min(SAME_DOC, len(hard_own)))
        negatives += rng.sample(neighbours, min(SAME_DOC + NEIGHBOURS - len(negatives), len(neighbours)))
        if len(negatives) < SAME_DOC + NEIGHBOURS:
            continue
        out.append((query, texts[(cited_doc, cited_para)], [texts[k] for k in negatives], citing_doc))
        if n % 500 == 0:
            print(f"  {n}/{len(found)}", flush=True)
    rng.shuffle(out)
    args.out.write_bytes(pickle.dumps(out))
    print(f"{len(out)} groups of 1 + {SAME_DOC + NEIGHBOURS} → {args.out}")
    return 0


# -- 2. the model ----------------------------------------------------------------------------------------------


def model_path() -> str:
    from kb.settings import Settings

    return Settings.load().model


class CrossEncoder:
    """MiniLM over the pair, mean pooling, a linear head: `score(query, passages)` → one float per passage."""

    def __init__(self, path: str, head: Path | None = None, seed: int = 0) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(seed)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.encoder = AutoModel.from_pretrained(path)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)
        torch.nn.init.normal_(self.head.weight, std=0.02)
        torch.nn.init.zeros_(self.head.bias)
        if head is not None:
            self.head.load_state_dict(torch.load(head))

    def parameters(self):
        return [*self.encoder.parameters(), *self.head.parameters()]

    def batch(self, query: str, passages: list[str]):
        q = self.tokenizer.convert_tokens_to_string(self.tokenizer.tokenize(query)[:QUERY_TOKENS])
        return self.tokenizer([q] * len(passages), passages, truncation="only_second", max_length=MAX_TOKENS,
                              padding=True, return_tensors="pt")

    def forward(self, features):
        hidden = self.encoder(**features).last_hidden_state
        mask = features["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        return self.head(pooled).squeeze(-1)

    def score(self, query: str, passages: list[str], bf16: bool = False) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            return self.forward(self.batch(query, passages)).float().numpy()

    def save(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.encoder.save_pretrained(out)
        self.tokenizer.save_pretrained(out)
        self.torch.save(self.head.state_dict(), out / "head.pt")

    @classmethod
    def load(cls, out: Path) -> CrossEncoder:
        return cls(str(out), out / "head.pt")


def train(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(args.threads)
    data = [(tidy(q), p, n, c) for q, p, n, c in pickle.loads(args.groups.read_bytes())]
    data = [g for g in data if usable(g[0])][args.skip:]
    model = CrossEncoder.load(args.init) if args.init else CrossEncoder(model_path(), seed=args.seed)
    model.encoder.train()
    model.encoder.embeddings.requires_grad_(False)
    for layer in model.encoder.encoder.layer[:args.freeze]:
        layer.requires_grad_(False)
    trained = [p for p in model.encoder.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": trained, "lr": args.lr},
                                   {"params": list(model.head.parameters()), "lr": args.lr * 50}])
    steps = min(args.steps, len(data) // args.batch)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, (steps - s) / max(1, steps - warmup)))
    print(f"{len(data)} groups; {steps} steps of {args.batch} groups of {1 + SAME_DOC + NEIGHBOURS}; "
          f"stop after {args.minutes} min", flush=True)
    started, cpu0, running, correct = time.perf_counter(), time.process_time(), 0.0, []
    for step in range(1, steps + 1):
        losses = []
        for query, positive, negatives, _ in data[(step - 1) * args.batch:step * args.batch]:
            logits = model.forward(model.batch(query, [positive, *negatives]))
            losses.append(torch.nn.functional.cross_entropy(logits.unsqueeze(0), torch.zeros(1, dtype=torch.long)))
            correct.append(int(logits.argmax()) == 0)
        loss = torch.stack(losses).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        running = 0.9 * running + 0.1 * loss.item() if step > 1 else loss.item()
        elapsed = time.perf_counter() - started
        if step % 10 == 0 or step <= 2:
            print(f"step {step}/{steps} loss {running:.3f} top1(last 80) {statistics.fmean(correct[-80:]):.2f} "
                  f"{elapsed / step:.1f} s/step, cpu {(time.process_time() - cpu0) / 60:.1f} min", flush=True)
        if step % args.save == 0:
            model.save(args.out)
        if elapsed > args.minutes * 60:
            print(f"time budget reached at step {step}", flush=True)
            break
    model.save(args.out)
    print(f"saved {args.out}: {step} steps, {step * args.batch} groups, wall {time.perf_counter() - started:.0f} s, "
          f"cpu {time.process_time() - cpu0:.0f} s", flush=True)
    return 0


# -- 3. scoring the pools ---------------------------------------------------------------------------------------

DEPTHS = (10, 20, 30)
"""Re-rank the first K candidates of the shipped order (only the first 30 are scored: the latency budget)."""


def column(depth: int) -> str:
    return f"ce_meaning@{depth}"


def shipped_scores(pool) -> np.ndarray:
    from question_rankers import shipped_vector

    return pool.features @ shipped_vector(pool)


def ce_columns(pool, scores: np.ndarray, depths: tuple[int, ...]) -> np.ndarray:
    """For each depth: 1/(k + rank) by the cross-encoder's score among the shipped first K (0 below them), the form of
    the `meaning` feature, so a weight on it is the fused ranking by reciprocal rank."""
    from kb.search.ranking import RANK_CONSTANT

    order = np.argsort(-shipped_scores(pool), kind="stable")
    out = np.zeros((len(scores), len(depths)))
    for j, depth in enumerate(depths):
        top = order[:depth]
        for rank, i in enumerate(top[np.argsort(-scores[top], kind="stable")], 1):
            out[i, j] = 1.0 / (RANK_CONSTANT + rank)
    return out


def score(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(args.threads)
    pools = pickle.loads(args.pools.read_bytes())[:args.first or None]
    model = CrossEncoder.load(args.model)
    model.encoder.eval()
    started = time.process_time()
    for n, pool in enumerate(pools, 1):
        top = np.argsort(-shipped_scores(pool), kind="stable")[:args.depth]
        scores = np.full(len(pool.documents), -np.inf)
        if len(top):
            scores[top] = model.score(query_text(pool.case.query), [pool.documents[i].content or "" for i in top])
        names = [c for c in pool.names if not c.startswith("ce_")]
        keep = [pool.names.index(c) for c in names]
        depths = tuple(d for d in DEPTHS if d <= args.depth)
        stored = np.where(np.isfinite(scores), scores, 0.0)[:, None]
        pool.features = np.hstack([pool.features[:, keep], stored, ce_columns(pool, scores, depths)])
        pool.names = [*names, "ce_score", *(column(d) for d in depths)]
        if n % 10 == 0:
            print(f"  {n}/{len(pools)} {(time.process_time() - started) / n:.1f} cpu s per pool", flush=True)
    args.out.write_bytes(pickle.dumps(pools))
    print(f"{len(pools)} pools → {args.out}")
    return 0


def pools_dev(args: argparse.Namespace) -> int:
    """The evaluated `dev.jsonl` citation sample's pools (`question_pools.dump`: the same pipeline, its candidates
    and features)."""
    from eval_dev import chosen_cases
    from question_pools import dump

    from kb.api import KnowledgeBase
    from kb.settings import Settings

    cases = [(f, c) for f, c in chosen_cases(EVAL_DIR, args.citation, args.summary, args.seed)
             if f == "dev.jsonl" and c.kind == "citation"]
    kb = KnowledgeBase(Settings.load())
    try:
        pools = dump(kb, cases)
    finally:
        kb.close()
    args.out.write_bytes(pickle.dumps(pools))
    print(f"{len(pools)} pools → {args.out}")
    return 0


# -- 4. figures -------------------------------------------------------------------------------------------------

WEIGHTS = (0.0, 5.0, 10.0, 20.0, 40.0, 80.0)
"""Weights of the cross-encoder's reciprocal rank tried (the shipped `meaning` weight is 20)."""


def evaluate(args: argparse.Namespace) -> int:
    from question_rankers import Replay, print_row, shipped_vector

    for path in args.pools:
        pools = pickle.loads(path.read_bytes())
        replays = [Replay(p) for p in pools]
        names = pools[0].names
        base = [shipped_vector(r.pool) for r in replays]
        same = sum(r.top10(r.X @ w) == list(r.pool.shipped)[:10] for r, w in zip(replays, base, strict=True))
        groups = [r.case.exclude_doc_ids[0] if r.case.kind == "citation" and r.case.exclude_doc_ids else r.case.qid
                  for r in replays]
        print(f"\n{path.name}: {len(replays)} pools, replay = pipeline top 10 for {same}")
        kinds = sorted({r.case.kind for r in replays})
        print("| ranking | all doc@10 / para@10 | " + " | ".join(kinds) + " |\n|---|---|" + "---|" * len(kinds))
        print_row("shipped (replay)", replays, [r.X @ w for r, w in zip(replays, base, strict=True)])
        within(replays, names)
        m = names.index("meaning")
        for depth in [d for d in DEPTHS if column(d) in names]:
            c = names.index(column(depth))
            for label, minilm in (("+", None), ("in MiniLM's place,", 0.0)):
                table = []
                for g in WEIGHTS:
                    row = []
                    for r, b in zip(replays, base, strict=True):
                        w = b.copy()
                        w[c] = g
                        if minilm is not None and r.pool.reading.lawyer:
                            w[m] = minilm
                        row.append(r.X @ w)
                    table.append(row)
                objectives = np.array([[r.objective(s[q]) for q, r in enumerate(replays)] for s in table])
                chosen = loo_by_group(objectives, groups)
                picks: dict[float, int] = {}
                for ch in chosen:
                    picks[WEIGHTS[ch]] = picks.get(WEIGHTS[ch], 0) + 1
                for g_i, g in enumerate(WEIGHTS):
                    if g in args.show:
                        print_row(f"{label} CE top {depth} at weight {g:g}", replays, table[g_i])
                print_row(f"{label} CE top {depth}, weight by leave-one-out {dict(sorted(picks.items()))}",
                          replays, [table[ch][q] for q, ch in enumerate(chosen)])
    return 0


def within(replays: list, names: list[str]) -> None:
    """The pinpointed answer's rank among the scored first K, by the cross-encoder and by MiniLM's cosine (for a
    passage, whose pipeline computes no cosine, by the shipped order): does the model tell the answer apart?"""
    from question_rankers import labels, shipped_vector

    ce, cos = names.index("ce_score"), names.index("cosine")
    deepest = names.index(column(max(d for d in DEPTHS if column(d) in names)))
    by_kind: dict[str, list[tuple[float, float]]] = {}
    for r in replays:
        scored = np.where(r.X[:, deepest] > 0)[0]
        pins = [i for i in scored if labels(r)[i] == 2]
        if not pins:
            continue
        other = r.X[scored, cos] if r.pool.reading.lawyer else r.X[scored] @ shipped_vector(r.pool)
        ranks = []
        for values in (r.X[scored, ce], other):
            order = list(scored[np.argsort(-values, kind="stable")])
            ranks.append(1.0 / (1 + min(order.index(i) for i in pins)))
        by_kind.setdefault(r.case.kind, []).append((ranks[0], ranks[1]))
    for kind, rows in sorted(by_kind.items()):
        a, b = np.array(rows).T
        print(f"  {kind}: {len(rows)} with a pinpoint among the scored; MRR cross-encoder {a.mean():.3f} against "
              f"{'MiniLM' if kind != 'citation' else 'shipped order'} {b.mean():.3f} (better {int((a > b).sum())}, "
              f"worse {int((a < b).sum())})")


def loo_by_group(objectives: np.ndarray, groups: list[str]) -> list[int]:
    """Each item's choice: the one best over the items of every other group (a question; a citing judgment)."""
    by_group: dict[str, list[int]] = {}
    for q, g in enumerate(groups):
        by_group.setdefault(g, []).append(q)
    totals = objectives.sum(axis=1)
    out = [0] * len(groups)
    for members in by_group.values():
        choice = int(np.argmax(totals - objectives[:, members].sum(axis=1)))
        for q in members:
            out[q] = choice
    return out


# -- 5. speed -------------------------------------------------------------------------------------------------


def speed(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(args.threads)
    pools = [p for p in pickle.loads(args.pools.read_bytes()) if p.reading.lawyer][:args.questions]
    model = CrossEncoder.load(args.model)
    model.encoder.eval()
    print(f"{len(pools)} questions, {torch.get_num_threads()} threads, load {os.getloadavg()[0]:.1f}")
    for bf16 in (False, True):
        model.score("warm up", ["warm up"] * 4, bf16)
        for depth in (10, 20, 30):
            wall, cpu = [], []
            for pool in pools:
                order = np.argsort(-shipped_scores(pool), kind="stable")[:depth]
                texts = [pool.documents[i].content or "" for i in order]
                t, c = time.perf_counter(), time.process_time()
                model.score(pool.case.query, texts, bf16)
                wall.append(1000 * (time.perf_counter() - t))
                cpu.append(1000 * (time.process_time() - c))
            print(f"{'bf16' if bf16 else 'float32'} K={depth}: wall p50 {np.percentile(wall, 50):.0f} ms, p95 "
                  f"{np.percentile(wall, 95):.0f} ms; cpu p50 {np.percentile(cpu, 50):.0f} ms, p95 "
                  f"{np.percentile(cpu, 95):.0f} ms (load {os.getloadavg()[0]:.1f})", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pairs")
    p.add_argument("--graph", type=Path, required=True, help="citations.sqlite built --leave-out")
    p.add_argument("--paragraphs", type=Path, default=PARAGRAPHS)
    p.add_argument("--heldout", type=Path, default=EVAL_DIR / "heldout-citing-docs.txt")
    p.add_argument("--out", type=Path, required=True)
    t = sub.add_parser("train")
    t.add_argument("groups", type=Path)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--steps", type=int, default=10_000)
    t.add_argument("--batch", type=int, default=4, help="groups per optimiser step")
    t.add_argument("--lr", type=float, default=3e-5)
    t.add_argument("--minutes", type=float, default=35.0, help="wall-clock budget")
    t.add_argument("--save", type=int, default=25, help="checkpoint every N steps")
    t.add_argument("--init", type=Path, help="go on from this checkpoint (with --skip: the groups it has seen)")
    t.add_argument("--skip", type=int, default=0, help="groups to leave out at the start")
    t.add_argument("--freeze", type=int, default=3, help="lower transformer layers kept as installed")
    s = sub.add_parser("score")
    s.add_argument("pools", type=Path)
    s.add_argument("--model", type=Path, required=True)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--depth", type=int, default=max(DEPTHS), help="score the shipped first N")
    s.add_argument("--first", type=int, default=0, help="only the first N pools (0: all)")
    d = sub.add_parser("pools-dev")
    d.add_argument("--out", type=Path, required=True)
    e = sub.add_parser("eval")
    e.add_argument("pools", type=Path, nargs="+")
    e.add_argument("--show", type=float, nargs="*", default=[20.0], help="also print these fixed weights")
    v = sub.add_parser("speed")
    v.add_argument("pools", type=Path)
    v.add_argument("--model", type=Path, required=True)
    v.add_argument("--questions", type=int, default=40)
    for q in (p, t, s, d, e, v):
        q.add_argument("--seed", type=int, default=1)
        q.add_argument("--threads", type=int, default=2)
        q.add_argument("--citation", type=int, default=300, help="the evaluated dev.jsonl sample (eval_dev)")
        q.add_argument("--summary", type=int, default=100)
    args = parser.parse_args(argv)
    return {"pairs": groups, "train": train, "score": score, "pools-dev": pools_dev, "eval": evaluate,
            "speed": speed}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
