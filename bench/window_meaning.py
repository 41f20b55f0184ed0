"""Does a long paragraph's `meaning` taken as the best of its windows rank a question's answer better (issue 22,
session 23)? all-MiniLM-L6-v2 reads 256 word pieces, so the Court's general principles (300-600 words) are judged
by their first ~180 words, and an expert question often matches a sentence deep in such a paragraph.

    # 1. the labelled paragraphs' embedded text (opens the store once)
    KB_HOME=… .venv/bin/python bench/window_meaning.py labelled --out labelled.pkl
    # 2. every question's pool and scored inputs (bench/question_refit.py dump; nice, background)
    KB_HOME=… KB_EMBED_CACHE=… nice -n 10 .venv/bin/python bench/question_refit.py dump --out pools.pkl
    # 3. the counts, each variant's `meaning` replayed through the ranker, leave-one-out over the variants
    KB_HOME=… KB_EMBED_CACHE=… nice -n 10 .venv/bin/python bench/window_meaning.py probe pools.pkl labelled.pkl

A variant recomputes only the `meaning` column of the dumped feature values (`bench/question_refit.py`): a paragraph
longer than the model reads gets the largest cosine of its full (truncated) vector and its windows' vectors; the
others keep their vector. The windows' vectors go through the shared embedding cache (`KB_EMBED_CACHE`), keyed by
their text like any passage. `baseline` is the same recomputation without windows; it must give the dumped column
(checked and printed). Variants: `tokens<N>/<S>`, windows of N word pieces every S (cut at word starts);
`sentences<N>`, the paragraph's sentences grouped in order to at most N word pieces (a longer sentence is cut into
token windows of N).

Measured (session 23, whole store eval23w: sparse-first copy, leave-out citation graph, onnx float32 vectors; the
236 questions of `bench/question_refit.py dump`; replay of the dumped values equal to the pipeline's top 10 for 236
of 236; the baseline recomputation equal to the dumped `meaning` column for 229 of 235 questions asked, the other 6
differing in 2-4 candidates by at most 0.0026: cache float16 against the store's float32 where the dump read the
store; their top 10 and every table cell the same):

- Paragraphs the model reads in part (over 254 word pieces, distinct texts): 2,785 of 16,587 pool candidates of all
  the questions (1,425 of 8,410 of the 113 dev questions; median 139 pieces, p90 313); 58 of the 337 labelled
  paragraphs of the dev expert and lawyer-kind questions (median 136, p90 299).
- Window vectors for those 2,785: `tokens200/100` 10,611, `sentences128` 12,755, `sentences200` 7,982.
- doc_hit@10 / para_hit@10 at the shipped weights (dev expert 73, lawyer kind 20; extradition 37, topics expert 24
  and lawyer 23; dev mixed/PRC/UN and the PRC bench did not move but `sentences*` lost one dev mixed paragraph):

  | variant | dev expert | dev lawyer | extradition | topics expert | topics lawyer |
  |---|---|---|---|---|---|
  | baseline (shipped) | 0.658 / 0.424 | 0.950 / 0.800 | 0.865 / 0.649 | 0.917 / 0.833 | 0.870 / 0.565 |
  | tokens200/100 | 0.658 / 0.424 | 0.950 / 0.900 | 0.865 / 0.649 | 0.917 / 0.792 | 0.870 / 0.609 |
  | sentences128 | 0.658 / 0.439 | 0.950 / 0.750 | 0.838 / 0.622 | 0.875 / 0.792 | 0.870 / 0.565 |
  | sentences200 | 0.658 / 0.424 | 0.950 / 0.800 | 0.865 / 0.649 | 0.917 / 0.792 | 0.870 / 0.565 |

  `tokens200/100` moves 7 questions: up dlaw-07, dlaw-09 (dev), xq-23, tq-05, tq-24; down xq-13, tq-20. Dev objective
  (sum over 113) 78.5 → 79.5, i.e. two lawyer questions' paragraphs; leave-one-out over the four variants at the
  shipped weight chose it for 113 of 113 (0.770 / 0.613 dev all, = all-dev), but leave-one-out over variant × meaning
  weight (10, 15, 20, 30, 40) chose baseline@15 for the two questions that carry the gain and scored the dev set
  0.770 / 0.594, the baseline's figure: the gain rests on those two questions.
- Within-pool MRR of the first labelled paragraph by cosine alone (questions whose pool holds one), baseline →
  tokens200/100 / sentences128 / sentences200: dev expert (38) 0.230 → 0.212 / 0.222 / 0.203, of them those whose
  labelled paragraph is long (14) 0.176 → 0.137 / 0.184 / 0.171; dev lawyer (20) 0.160 → 0.168 / 0.178 / 0.173;
  extradition (29) 0.276 → 0.328 / 0.263 / 0.292; topics expert (23) 0.356 → 0.266 / 0.315 / 0.328; topics lawyer
  (20) 0.185 → 0.173 / 0.177 / 0.168. The best window of a long paragraph lifts it, but it lifts the long paragraphs
  that do not answer as well (more windows, more chances), and for the expert questions the second effect wins.

Not adopted: no variant gains on the expert questions it was meant for, the one dev gain (two lawyer questions) does
not survive the meaning weight being chosen with it, and the never-tuned topics expert set loses a paragraph.
"""

from __future__ import annotations

import argparse
import pickle
import re
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from eval_dev import QUESTION_FILES, objective  # noqa: E402
from question_refit import Dumped, Replay, table  # noqa: E402

from kb.search.evaluation import read_cases, score_ranking  # noqa: E402
from kb.search.meaning import Similarity  # noqa: E402
from kb.search.ranking import FEATURES, QUESTION_WEIGHTS, key_of, meaning_values  # noqa: E402
from legal.text import index_text  # noqa: E402

MEANING = FEATURES.index("meaning")
VARIANTS = ("baseline", "tokens200/100", "sentences128", "sentences200")
SENTENCE_END = re.compile(r"(?<=[.;:?!])\s+(?=[“\"‘'(A-Z0-9])")
"""Where a sentence may end: after a full stop, a semicolon, a colon or a question mark, before what may begin one.
Over-splitting (`no. 123`, `v. Italy`) only makes a group end a few words early."""


def embedded_text(content: str) -> str:
    return index_text(content or "") or (content or "")


def labelled(args: argparse.Namespace) -> int:
    from kb.api import KnowledgeBase
    from kb.search.retrieval import to_document
    from kb.settings import Settings

    settings = Settings.load()
    eval_dir = settings.corpus.parent / "eval"
    keys: set[tuple[str, str]] = set()
    for name in QUESTION_FILES:
        for case in read_cases(eval_dir / name):
            if case.kind in ("echr-qa", "lawyer"):
                keys |= {(doc, p) for doc, paras in case.relevant.items() for p in paras or ()}
    kb = KnowledgeBase(settings)
    try:
        found = {key_of(d): embedded_text(d.content) for d in map(to_document, kb.store.scroll_paragraphs(keys))}
    finally:
        kb.close()
    args.out.write_bytes(pickle.dumps({"wanted": sorted(keys), "found": found}))
    print(f"{len(found)} of {len(keys)} labelled paragraphs found → {args.out}", file=sys.stderr)
    return 0


class Windows:
    """A text's windows in word pieces, by the model's own tokenizer (no truncation)."""

    def __init__(self, model_dir: Path) -> None:
        from kb.embedding_onnx import model_tokenizer

        self.tokenizer = model_tokenizer(model_dir)
        self.reads = self.tokenizer.truncation["max_length"] - 2  # [CLS] and [SEP]
        self.tokenizer.no_truncation()
        self._pieces: dict[str, object] = {}

    def encoding(self, text: str):
        if text not in self._pieces:
            self._pieces[text] = self.tokenizer.encode(text, add_special_tokens=False)
        return self._pieces[text]

    def pieces(self, text: str) -> int:
        return len(self.encoding(text).ids)

    def long(self, text: str) -> bool:
        return self.pieces(text) > self.reads

    def tokens(self, text: str, size: int, stride: int) -> list[str]:
        e = self.encoding(text)
        words, offsets, n = e.word_ids, e.offsets, len(e.ids)
        out: list[str] = []
        start = 0
        while start < n:
            while start > 0 and words[start] is not None and words[start] == words[start - 1]:
                start -= 1  # begin at the start of a word
            end = min(start + size, n)
            out.append(text[offsets[start][0]:offsets[end - 1][1]])
            if end == n:
                break
            start += stride
        return out

    def sentences(self, text: str, size: int) -> list[str]:
        groups: list[str] = []
        current: list[str] = []
        used = 0
        for sentence in SENTENCE_END.split(text):
            n = self.pieces(sentence)
            if n > size:
                if current:
                    groups.append(" ".join(current))
                    current, used = [], 0
                groups.extend(self.tokens(sentence, size, size // 2))
                continue
            if current and used + n > size:
                groups.append(" ".join(current))
                current, used = [], 0
            current.append(sentence)
            used += n
        if current:
            groups.append(" ".join(current))
        return groups

    def of(self, text: str, variant: str) -> list[str]:
        if variant == "baseline" or not self.long(text):
            return []
        if variant.startswith("tokens"):
            size, stride = map(int, variant.removeprefix("tokens").split("/"))
            return self.tokens(text, size, stride)
        return self.sentences(text, int(variant.removeprefix("sentences")))


def probe(args: argparse.Namespace) -> int:
    from kb.embedding import CachedDocumentEmbedder, EmbeddingCache, document_embedder, model_languages, text_embedder
    from kb.settings import Settings

    settings = Settings.load().for_store()  # the store's vector space, without opening it
    embedding = settings.embedding
    languages = model_languages(embedding.model)
    dumped: list[Dumped] = pickle.loads(args.pools.read_bytes())
    marked = pickle.loads(args.labelled.read_bytes())
    windows = Windows(Path(embedding.model))
    english = lambda d: languages is None or (d.meta.get("language") or "en") in languages  # noqa: E731

    # 1. how many paragraphs the model reads only in part
    pool_texts = {embedded_text(d.content) for x in dumped for d in x.documents if english(d)}
    dev_texts = {embedded_text(d.content) for x in dumped if x.file in QUESTION_FILES
                 for d in x.documents if english(d)}
    print(f"model reads {windows.reads} word pieces (+[CLS], [SEP])")
    for label, texts in (("pool candidates, all dumped questions", pool_texts),
                         ("pool candidates, the 113 dev questions", dev_texts),
                         ("labelled paragraphs (dev expert + lawyer kind)", set(marked["found"].values()))):
        n = [windows.pieces(t) for t in texts]
        print(f"  {label}: {sum(p > windows.reads for p in n)} of {len(n)} distinct texts exceed it "
              f"(median {statistics.median(n):.0f} pieces, p90 {np.percentile(n, 90):.0f})")
    print(f"  labelled paragraphs not found in the store: {len(marked['wanted']) - len(marked['found'])}")
    for variant in VARIANTS[1:]:
        extra = [len(windows.of(t, variant)) for t in pool_texts]
        print(f"  {variant}: {sum(extra)} window vectors for the {len(pool_texts)} pool texts")

    # 2. vectors: the query's, every candidate's, every window's (cache first)
    cache = EmbeddingCache(settings.embeddings_cache, embedding)
    passages = CachedDocumentEmbedder(lambda: document_embedder(embedding), cache)
    query = text_embedder(embedding)
    query.warm_up()
    texts = sorted(pool_texts | {w for t in pool_texts for v in VARIANTS for w in windows.of(t, v)})
    print(f"embedding {len(texts)} texts (cache first)", file=sys.stderr, flush=True)
    vectors = {}
    for start in range(0, len(texts), 512):
        vectors.update(passages.vectors(texts[start:start + 512], arrays=True))
        print(f"  {start + 512}/{len(texts)}", file=sys.stderr, flush=True)
    print(f"  {passages.embedded} texts run through the model, the rest cached", file=sys.stderr)

    def best(q: np.ndarray, text: str, variant: str) -> float:
        return max(float(np.dot(q, np.asarray(vectors[t], dtype=np.float32)))
                   for t in [text, *windows.of(text, variant)])

    # the meaning column of each variant
    by_variant: dict[str, list[Dumped]] = {v: [] for v in VARIANTS}
    sims: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    reproduced = compared = 0
    for x in dumped:
        asked = x.values is not None and x.values.shape[0] and np.any(x.values[:, MEANING])
        q = np.asarray(query.run(text=x.reading.text)["embedding"], dtype=np.float32) if asked else None
        for variant in VARIANTS:
            if not asked:
                by_variant[variant].append(x)
                sims[variant].append({})
                continue
            by_key: dict = {}
            unread: set = set()
            for d in x.documents:
                key = key_of(d)
                if key in by_key or key in unread:
                    continue
                if english(d):
                    by_key[key] = best(q, embedded_text(d.content), variant)
                else:
                    unread.add(key)
            similarity = dict(by_key)
            similarity.update(dict.fromkeys(unread, float(np.median(list(by_key.values())))))
            values = meaning_values(Similarity(similarity))
            column = np.array([values.get(key_of(d), 0.0) for d in x.documents])
            if variant == "baseline":
                compared += 1
                if np.allclose(column, x.values[:, MEANING], atol=1e-9):
                    reproduced += 1
                else:
                    print(f"  {x.case.qid}: {int(np.sum(~np.isclose(column, x.values[:, MEANING], atol=1e-9)))} of "
                          f"{len(column)} candidates' meaning differ from the dump (largest "
                          f"{np.max(np.abs(column - x.values[:, MEANING])):.4f})")
            new = x.values.copy()
            new[:, MEANING] = column
            by_variant[variant].append(replace(x, values=new))
            sims[variant].append(by_key)
    print(f"\nbaseline recomputation equals the dumped `meaning` column for {reproduced} of {compared} questions")

    replays = {v: [Replay(x) for x in by_variant[v]] for v in VARIANTS}
    dumped_replays = [Replay(x) for x in dumped]
    same = sum(r.top10(QUESTION_WEIGHTS) == r.d.shipped for r in dumped_replays)
    print(f"replay of the dumped values equals the pipeline's top 10 for {same} of {len(dumped)}")
    print(table("pipeline", dumped_replays, [r.d.shipped for r in dumped_replays]))
    for v in VARIANTS:
        print(table(v, replays[v], [r.top10(QUESTION_WEIGHTS) for r in replays[v]]).splitlines()[1])

    base = [r.top10(QUESTION_WEIGHTS) for r in replays["baseline"]]
    for v in VARIANTS[1:]:
        moved = [(objective(score_ranking(x.case, t)) - objective(score_ranking(x.case, b)), x.case.qid)
                 for x, t, b in zip(dumped, (r.top10(QUESTION_WEIGHTS) for r in replays[v]), base, strict=True)]
        print(f"  {v} vs baseline: up {[q for m, q in moved if m > 0]}, down {[q for m, q in moved if m < 0]}")

    # within-pool MRR of the labelled paragraph by meaning alone
    print("\nwithin-pool MRR of the first labelled paragraph by meaning alone (questions whose pool holds one; "
          "then those whose labelled paragraphs in the pool include one longer than the model reads):")
    text_of = {key_of(d): embedded_text(d.content) for x in dumped for d in x.documents}
    for group in sorted({f"{x.file.split('.')[0]}:{x.case.kind}" for x in dumped}):
        for only_long in (False, True):
            row = []
            for v in VARIANTS:
                rr = []
                for x, s in zip(dumped, sims[v], strict=True):
                    if f"{x.file.split('.')[0]}:{x.case.kind}" != group or not s:
                        continue
                    hits = [k for k in s if x.case.relevant.get(k[0]) and k[1] in x.case.relevant[k[0]]]
                    if only_long and not any(windows.long(text_of[k]) for k in hits):
                        continue
                    if hits:
                        order = sorted(s, key=lambda k, s=s: -s[k])
                        rr.append(1.0 / (1 + min(order.index(k) for k in hits)))
                row.append(f"{v} {statistics.fmean(rr):.3f}" if rr else f"{v} —")
            print(f"  {group}{' long' if only_long else ''} ({len(rr)}): " + ", ".join(row))

    # leave-one-out over the variants (and the meaning weight) on the 113 dev questions
    dev = [i for i, x in enumerate(dumped) if x.file in QUESTION_FILES]
    for weights_label, grid in (("shipped meaning weight", [QUESTION_WEIGHTS.meaning]),
                                ("meaning weight × (0.5, 0.75, 1, 1.5, 2)",
                                 [QUESTION_WEIGHTS.meaning * m for m in (0.5, 0.75, 1.0, 1.5, 2.0)])):
        options = [(v, w) for v in VARIANTS for w in grid]
        tops = {o: [r.top10(replace(QUESTION_WEIGHTS, meaning=o[1])) for r in replays[o[0]]] for o in options}
        q = np.array([[objective(score_ranking(dumped[i].case, tops[o][i])) for i in dev] for o in options])
        totals = q.sum(axis=1)
        shipped = options.index(("baseline", QUESTION_WEIGHTS.meaning))
        picks: dict = {}
        loo = {}
        for j, i in enumerate(dev):
            rest = totals - q[:, j]
            c = max(range(len(options)), key=lambda c, rest=rest: (round(rest[c], 9), c == shipped, -c))
            picks[options[c]] = picks.get(options[c], 0) + 1
            loo[i] = tops[options[c]][i]
        print(f"\n{weights_label}: dev objective totals " + ", ".join(
            f"{v}@{w:g} {t:.1f}" for (v, w), t in zip(options, totals, strict=True)))
        print(f"LOO chose {picks}")
        best_all = options[int(np.argmax(totals))]
        print(table(f"LOO (dev); {best_all[0]}@{best_all[1]:g} (benches)", replays["baseline"],
                    [loo.get(i) or tops[best_all][i] for i in range(len(dumped))]).splitlines()[1])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser("labelled")
    lab.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("probe")
    p.add_argument("pools", type=Path)
    p.add_argument("labelled", type=Path)
    args = parser.parse_args(argv)
    return {"labelled": labelled, "probe": probe}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
