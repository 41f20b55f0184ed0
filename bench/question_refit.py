"""Refit the question weights offline on the whole dev question set, judged by nested leave-one-out, and check each
choice on the never-tuned benches (issue 22, session 22: the weights were chosen on the old BM25 text; session 21's
contextual headers changed what BM25 finds).

    # 1. every question's pool, scored inputs and the pipeline's own top 10 (one search each; nice, background)
    KB_HOME=… KB_EMBED_CACHE=… nice -n 10 .venv/bin/python bench/question_refit.py dump --out pools.pkl \
        [--part leading_judgments=1]
    # 2. the figures: replay check, each weight's leave-one-out choice, coordinate ascent (refit and nested LOO)
    .venv/bin/python bench/question_refit.py fit pools.pkl [--passes 2]

Unlike `bench/question_rankers.py` (the 93 ECtHR questions, score = features · weights), this replays the ranker's
own `LegalRanker.scores` (the source-aware authority floor and the case-report cap included: the dump records the
source kinds a question names and, per candidate, whether it answers), so the PRC, UN and mixed kinds of the dev
lawyer file replay too and leave-one-out runs over all 113 dev questions, as `bench/eval_dev.py --grid` does.
The list is then built as the pipeline builds it: principles first, the spreader (the first judgment's places for a
Convention question), the near-duplicate filter, the report's footnote behind the body, the short-list fill's
passages (recorded, not re-run) after a short list. A question read as a passage (the passage model) keeps its
pipeline top 10: the question weights do not touch it.

Dumped files (`--cases`, default): the two dev question files and the three never-tuned benches
(`bench/data/extradition_questions.jsonl`, `topics_questions.jsonl`, `prc_questions.jsonl`). Objective of every
choice: the mean of doc_hit@10 and para_hit@10 (`eval_dev.objective`), summed over the 113 dev questions.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from haystack import Document

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from eval_dev import QUESTION_FILES, objective  # noqa: E402

from kb.search.evaluation import EvalCase, read_cases, score_ranking  # noqa: E402
from kb.search.modes import ALL_PARTS, SearchParts  # noqa: E402
from kb.search.queries import QueryReading, read_query  # noqa: E402
from kb.search.ranking import (  # noqa: E402
    FEATURES,
    LEADING_PER_DOCUMENT,
    MAX_PER_DOCUMENT,
    QUESTION_WEIGHTS,
    LegalRanker,
    RankingWeights,
    principles_first,
    spread_documents,
    uncapped_documents,
)
from kb.search.retrieval import FILLED, fingerprint  # noqa: E402

BENCHES = ("extradition_questions.jsonl", "topics_questions.jsonl", "prc_questions.jsonl")
META = ("doc_id", "paragraph", "para_index", "title", "appno", "source_kind", "role", "heading", "doc_type", "section",
        "language", "source_file")
"""The payload the replay reads: keys, the spreader's named case and campaign site (`site_of`),
`court_states_principles`, the authority's source kind and role, BodyFirst's section; the ranker's key (`key_of`:
`para_index`) and the language the meaning model reads or not (`bench/window_meaning.py` recomputes `meaning` from
these)."""


@dataclass
class Dumped:
    file: str
    case: EvalCase
    reading: QueryReading
    documents: list[Document]
    """The ranker's candidates in the order it received them (pool, then fetched), slim."""
    values: np.ndarray | None
    """One row per candidate, `FEATURES` columns; None: the ranker did not score by weights (passage model)."""
    named: frozenset[str]
    answers: list[bool] | None
    shipped: list[tuple[str, object]]
    filled: list[tuple[str, object]]
    """The pipeline's top 10 that the short-list fill added (the replay appends them after a short list)."""
    parts: SearchParts


def listed(doc: Document) -> tuple[str, object]:
    return doc.meta.get("doc_id", ""), doc.meta.get("paragraph")


def dump(args: argparse.Namespace) -> int:
    from kb.api import KnowledgeBase
    from kb.requests import SearchMode
    from kb.settings import Settings
    from kb.store.base import SearchFilters

    parts = replace(ALL_PARTS, **{name: (int(value) if name == "first_judgment_places"
                                         else value not in ("0", "false", "off"))
                                  for name, _, value in (p.partition("=") for p in args.part)})
    settings = Settings.load()
    eval_dir = settings.corpus.parent / "eval"
    paths = args.cases or [*(eval_dir / f for f in QUESTION_FILES), *(HERE.parent / "data" / f for f in BENCHES)]
    cases = [(path.name, c) for path in paths for c in read_cases(path)]
    kb = KnowledgeBase(settings)
    out: list[Dumped] = []
    try:
        search = kb.search_pipeline(SearchMode.RANKED, parts=parts)
        ranker = search.pipeline.get_component("rank")
        captured: dict = {}
        scores = ranker.scores

        def recording(docs, values, weights, named=frozenset(), answers=None):
            captured.update(docs=list(docs), values=np.array(values), named=frozenset(named),
                            answers=None if answers is None else [bool(answers(d)) for d in docs])
            return scores(docs, values, weights, named, answers)

        ranker.scores = recording
        for n, (file, case) in enumerate(cases, 1):
            captured.clear()
            hits = search.run(query=case.query, filters=SearchFilters(exclude_doc_ids=case.exclude_doc_ids),
                              top_k=10)["documents"]
            reading = read_query(case.query)
            docs = captured.get("docs", [])
            slim = [Document(id=d.id, content=d.content, meta={k: d.meta.get(k) for k in META}) for d in docs]
            out.append(Dumped(file, case, reading, slim, captured.get("values"), captured.get("named", frozenset()),
                              captured.get("answers"), [listed(d) for d in hits],
                              [listed(d) for d in hits if d.meta.get(FILLED)], parts))
            if n % 20 == 0:
                print(f"  {n}/{len(cases)}", file=sys.stderr, flush=True)
    finally:
        kb.close()
    args.out.write_bytes(pickle.dumps(out))
    print(f"{len(out)} pools → {args.out}", file=sys.stderr)
    return 0


# -- 2. the replay ------------------------------------------------------------------------------------------------


class Replay:
    """One question, re-ranked under any question weights exactly as the pipeline would list it."""

    def __init__(self, d: Dumped, first_places: int | None = None, principles: bool | None = None) -> None:
        self.d = d
        self.case = d.case
        self.kind = d.case.kind
        self.dev = d.file in QUESTION_FILES
        self.weighted = d.values is not None and d.reading.lawyer and len(d.documents) > 0
        self.docs = d.documents
        self.keys = [listed(x) for x in self.docs]
        self.prints = [fingerprint(x.content or "") for x in self.docs]
        reading = d.reading
        self.keep = uncapped_documents(self.docs, reading)
        parts = d.parts
        places = LEADING_PER_DOCUMENT if parts.leading_judgments else parts.first_judgment_places
        self.first_cap = (first_places if first_places is not None else places) if reading.convention \
            else MAX_PER_DOCUMENT
        self.principles = (parts.principles_first if principles is None else principles) and reading.question
        self.ranker = LegalRanker(None, source_aware=parts.source_aware, chinese_law_named=parts.chinese_law_named,
                                  case_reports_capped=parts.case_reports_capped)
        flags = {id(x): a for x, a in zip(self.docs, d.answers or [], strict=False)}
        self.answers = (lambda x: flags[id(x)]) if d.answers is not None else None
        self._cache: dict[tuple, float] = {}

    def scores(self, weights: RankingWeights) -> np.ndarray:
        return np.array(self.ranker.scores(self.docs, self.d.values, weights, self.d.named, self.answers))

    def top10(self, weights: RankingWeights) -> list[tuple[str, object]]:
        if not self.weighted:
            return list(self.d.shipped)
        scores = self.scores(weights)
        ranked = np.argsort(-scores, kind="stable")
        # the replay's own scores, which `principles_first` weighs (`PRINCIPLES_WITHIN`), not the pipeline's
        ordered = [replace(self.docs[i], score=float(scores[i])) for i in ranked]
        at = {id(x): int(i) for x, i in zip(ordered, ranked, strict=True)}
        if self.principles:
            ordered = principles_first(ordered, keep=self.keep)
        caps = {ordered[0].meta.get("doc_id", ""): self.first_cap} if ordered else {}
        out: list[int] = []
        prints: set[str] = set()
        for i in (at[id(x)] for x in spread_documents(ordered, MAX_PER_DOCUMENT, keep=self.keep, caps=caps)):
            if len(out) == 10:
                break
            if self.prints[i] not in prints:
                prints.add(self.prints[i])
                out.append(i)
        if out and self.docs[out[0]].meta.get("section") == "FOOTNOTE":
            body = next((j for j, i in enumerate(out) if self.docs[i].meta.get("section") != "FOOTNOTE"), None)
            if body is not None:
                out = [out[body], *out[:body], *out[body + 1:]]
        hits = [self.keys[i] for i in out]
        if len(hits) < 10:
            hits += [k for k in self.d.filled if k not in hits][:10 - len(hits)]
        return hits

    def row(self, weights: RankingWeights) -> dict:
        return score_ranking(self.case, self.top10(weights))

    def objective(self, weights: RankingWeights) -> float:
        key = astuple(weights)
        if key not in self._cache:
            self._cache[key] = objective(self.row(weights))
        return self._cache[key]


def astuple(weights: RankingWeights) -> tuple:
    return tuple(getattr(weights, f) for f in FEATURES)


# -- 3. the fit ---------------------------------------------------------------------------------------------------

FREE = ("retrieval", "meaning", "cited_para", "cited_document", "votes", "best_voter", "key_case", "court_role",
        "question_not_court", "question_other_article", "facts_support", "low_authority_type", "facts_document",
        "grand_chamber", "question_principles")
"""The question weights refitted. A shipped 0 is tried at the values in `ZERO_GRID` (the passage weight's scale)."""
MULTIPLIERS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
ZERO_GRID = {"facts_document": (0.0, 2.0, 4.0, 7.96), "grand_chamber": (-1.0, -0.22, 0.0, 1.0),
             "question_principles": (0.0, 0.5, 1.0, 2.0)}


def values_of(name: str, base: RankingWeights) -> list[float]:
    shipped = getattr(QUESTION_WEIGHTS, name)
    grid = ZERO_GRID.get(name) if not shipped else tuple(shipped * m for m in MULTIPLIERS)
    return sorted(set(grid) | {getattr(base, name)})


def total(replays: list[Replay], weights: RankingWeights) -> float:
    return sum(r.objective(weights) for r in replays)


def ascent(train: list[Replay], start: RankingWeights, passes: int) -> RankingWeights:
    """Coordinate ascent over `FREE`, each weight over its grid, a change kept only if it raises the total
    objective (ties keep the current value: no move without a gain)."""
    w, best = start, total(train, start)
    for _ in range(passes):
        moved = False
        for name in FREE:
            for value in values_of(name, w):
                if value == getattr(w, name):
                    continue
                v = replace(w, **{name: value})
                t = total(train, v)
                if t > best + 1e-9:
                    w, best, moved = v, t, True
        if not moved:
            break
    return w


def changes(w: RankingWeights) -> str:
    moved = [f"{f} {getattr(QUESTION_WEIGHTS, f):g}→{getattr(w, f):.3g}" for f in FEATURES
             if getattr(w, f) != getattr(QUESTION_WEIGHTS, f)]
    return ", ".join(moved) or "shipped"


KINDS = ("echr-qa", "lawyer", "lawyer-mixed", "lawyer-prc", "lawyer-un")


def cells(rows: list[dict], metric: str) -> str:
    values = [r[metric] for r in rows if r[metric] is not None]
    return f"{statistics.fmean(values):.3f}" if values else "—"


def table(label: str, replays: list[Replay], tops: list[list]) -> str:
    """doc@10 / para@10 per group: the dev file kinds, then each bench file's kinds."""
    rows = [score_ranking(r.case, t) for r, t in zip(replays, tops, strict=True)]
    groups: dict[str, list[dict]] = {}
    for r, row in zip(replays, rows, strict=True):
        groups.setdefault(f"{r.d.file.split('.')[0]}:{r.kind}", []).append(row)
        if r.dev:
            groups.setdefault("dev all", []).append(row)
    order = sorted(groups)
    head = "| variant | " + " | ".join(f"{g} ({len(groups[g])})" for g in order) + " |"
    line = f"| {label} | " + " | ".join(f"{cells(groups[g], 'doc_hit@10')} / {cells(groups[g], 'para_hit@10')}"
                                        for g in order) + " |"
    return head + "\n" + line


def switch_rows(dumped: list[Dumped], replays: list[Replay]) -> None:
    """The spreader's settings the replay expresses exactly (`SearchParts.first_judgment_places`,
    `principles_first`), each value and leave-one-out over them (dev questions; the benches at each value)."""
    for name, settings in (("first_judgment_places", [{"first_places": v} for v in (2, 3, 4)]),
                           ("principles_first", [{"principles": v} for v in (True, False)])):
        variants = [[Replay(d, **s) for d in dumped] for s in settings]
        tops = [[r.top10(QUESTION_WEIGHTS) for r in v] for v in variants]
        dev = [i for i, r in enumerate(replays) if r.dev]
        table_q = np.array([[objective(score_ranking(replays[i].case, t[i])) for i in dev] for t in tops])
        totals = table_q.sum(axis=1)
        chosen = [max(range(len(settings)), key=lambda c, q=q: (round(totals[c] - table_q[c, q], 9), -c))
                  for q in range(len(dev))]
        loo = {i: tops[c][i] for i, c in zip(dev, chosen, strict=True)}
        for s, t in zip(settings, tops, strict=True):
            print(table(f"{name} {list(s.values())[0]}", replays, t).splitlines()[1])
        picks = {str(list(settings[c].values())[0]): chosen.count(c) for c in set(chosen)}
        print(table(f"LOO over {name} (chose {picks}; benches at the shipped value)", replays,
                    [loo.get(i) or tops[0][i] for i in range(len(replays))]).splitlines()[1])


def fit(args: argparse.Namespace) -> int:
    dumped: list[Dumped] = pickle.loads(args.pools.read_bytes())
    replays = [Replay(d) for d in dumped]
    if args.switches:
        print(table("shipped (replay)", replays, [r.top10(QUESTION_WEIGHTS) for r in replays]))
        switch_rows(dumped, replays)
        return 0
    dev = [r for r in replays if r.dev]
    same = [r.top10(QUESTION_WEIGHTS) == r.d.shipped for r in replays]
    print(f"{len(replays)} questions ({len(dev)} dev; {sum(r.weighted for r in replays)} scored by the question "
          f"weights); replay of the shipped weights equals the pipeline's top 10 for {sum(same)}")
    for r, ok in zip(replays, same, strict=True):
        if not ok:
            print(f"  differs: {r.d.file} {r.case.qid} metrics replay "
                  f"{objective(r.row(QUESTION_WEIGHTS)):.2f} pipeline "
                  f"{objective(score_ranking(r.case, r.d.shipped)):.2f}")
    print(table("pipeline (shipped)", replays, [r.d.shipped for r in replays]))
    print(table("replay (shipped)", replays, [r.top10(QUESTION_WEIGHTS) for r in replays]).splitlines()[1])

    # each weight alone: leave-one-out over its grid, the others shipped
    print("\nEach weight alone, leave-one-out over its values (others shipped), dev questions:")
    for name in FREE:
        grid = values_of(name, QUESTION_WEIGHTS)
        table_q = np.array([[r.objective(replace(QUESTION_WEIGHTS, **{name: v})) for r in dev] for v in grid])
        totals = table_q.sum(axis=1)
        shipped_at = grid.index(getattr(QUESTION_WEIGHTS, name))
        picks: dict[float, int] = {}
        loo = []
        for q in range(len(dev)):
            rest = totals - table_q[:, q]
            c = max(range(len(grid)), key=lambda i: (round(rest[i], 9), i == shipped_at, -i))
            picks[grid[c]] = picks.get(grid[c], 0) + 1
            loo.append(table_q[c, q])
        print(f"  {name}: totals " + ", ".join(f"{v:g}:{t:.1f}" for v, t in zip(grid, totals, strict=True))
              + f" | LOO chose {dict(sorted(picks.items()))}, LOO objective {sum(loo):.1f} vs shipped "
                f"{totals[shipped_at]:.1f}")

    # coordinate ascent: refit on all dev questions, then nested leave-one-out
    refit = ascent(dev, QUESTION_WEIGHTS, args.passes)
    print(f"\nrefit on all {len(dev)} dev questions: {changes(refit)}  (objective {total(dev, QUESTION_WEIGHTS):.1f}"
          f" → {total(dev, refit):.1f})")
    loo_tops: dict[int, list] = {}
    chosen: dict[str, int] = {}
    for i, r in enumerate(dev):
        w = ascent(dev[:i] + dev[i + 1:], QUESTION_WEIGHTS, args.passes)
        loo_tops[id(r)] = r.top10(w)
        chosen[changes(w)] = chosen.get(changes(w), 0) + 1
        if (i + 1) % 20 == 0:
            print(f"  LOO {i + 1}/{len(dev)}", file=sys.stderr, flush=True)
    print("nested leave-one-out chose: " + "; ".join(f"{n}× {c}" for c, n in sorted(chosen.items(),
                                                                                     key=lambda x: -x[1])))
    print()
    print(table("shipped (replay)", replays, [r.top10(QUESTION_WEIGHTS) for r in replays]))
    print(table("refit (all dev)", replays, [r.top10(refit) for r in replays]).splitlines()[1])
    print(table("nested LOO (dev); refit (benches)", replays,
                [loo_tops.get(id(r)) or r.top10(refit) for r in replays]).splitlines()[1])
    moved_up = [r.case.qid for r in replays if objective(r.row(refit)) > objective(r.row(QUESTION_WEIGHTS))]
    moved_down = [r.case.qid for r in replays if objective(r.row(refit)) < objective(r.row(QUESTION_WEIGHTS))]
    print(f"refit vs shipped: up {moved_up}\n  down {moved_down}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--cases", type=Path, nargs="+", help="case files (default: the dev questions and the benches)")
    d.add_argument("--part", action="append", default=[], help="P=V: a `SearchParts` setting (repeatable)")
    f = sub.add_parser("fit")
    f.add_argument("pools", type=Path)
    f.add_argument("--passes", type=int, default=2)
    f.add_argument("--switches", action="store_true", help="only the spreader settings' rows (`switch_rows`)")
    args = parser.parse_args(argv)
    return {"dump": dump, "fit": fit}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
