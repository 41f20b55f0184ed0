"""Does the dense fill help? Every dev set searched with and without MiniLM's dense vectors, on a fully embedded store.

    KB_HOME=<a store `kb embed` has filled> .venv/bin/python bench/dense_value.py [--citation 300 --summary 100
        --seed 1] [--json out.json] [--allow-partial]

Issue 21 asks, once the whole corpus has its dense vectors, whether the default search should use them. The rows:

* `bm25`, `dense`, `hybrid`: the three first-stage searches alone (hybrid: equal-weight reciprocal-rank fusion);
* `ranked` (shipped): the legal ranker over BM25 candidates (MiniLM only as the `meaning` feature of a question);
* `ranked over hybrid`: the same ranker over hybrid candidates, i.e. with the dense fill in the candidate pool.

on `dev-lawyer-questions.jsonl` and `dev-echr-qa.jsonl` (every case) and a fixed sample of `dev.jsonl` (citation and
summary cases, `--seed`). The store must have every dense vector (`kb embed` finished): over a partial store dense
and hybrid rows measure the fill's progress, not the model, so the script refuses unless `--allow-partial`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval_dev import chosen_cases  # bench/, beside this script

from kb.api import KnowledgeBase
from kb.requests import SearchMode
from kb.search.evaluation import Variant, evaluate, searcher
from kb.settings import Settings

VARIANTS = (Variant("bm25", SearchMode.BM25), Variant("dense", SearchMode.DENSE), Variant("hybrid", SearchMode.HYBRID),
            Variant("ranked", SearchMode.RANKED),
            Variant("ranked over hybrid", SearchMode.RANKED, (1.0, 1.0), candidates=SearchMode.HYBRID))
METRICS = ("doc_hit@1", "doc_hit@10", "para_hit@10")


def dev_sets(eval_dir: Path, citation: int, summary: int, seed: int) -> dict[str, list]:
    """The cases of each dev file: the two question files whole, dev.jsonl sampled per kind (`bench/eval_dev.py`'s
    sample, so the two benches score the same cases)."""
    sets: dict[str, list] = {}
    for file, case in chosen_cases(eval_dir, citation, summary, seed):
        sets.setdefault(file.removesuffix(".jsonl"), []).append(case)
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, help="folder of the dev files (default: ../shared/eval)")
    parser.add_argument("--citation", type=int, default=300, help="dev.jsonl citation cases sampled (all: 0)")
    parser.add_argument("--summary", type=int, default=100, help="dev.jsonl summary cases sampled (all: 0)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--allow-partial", action="store_true", help="run over a store still missing dense vectors")
    args = parser.parse_args(argv)
    settings = Settings.load()
    eval_dir = args.eval_dir or (settings.corpus.parent / "eval" if settings.corpus else None)
    if eval_dir is None or not eval_dir.is_dir():
        parser.error("no eval folder: pass --eval-dir or set KB_CORPUS")
    sets = dev_sets(eval_dir, args.citation, args.summary, args.seed)
    kb = KnowledgeBase(settings)
    rows = []
    try:
        missing, total = kb.store.count_missing_dense(), kb.store.count()
        if missing and not args.allow_partial:
            print(f"{missing:,} of {total:,} chunks lack a dense vector: run `kb embed` to the end first "
                  "(or pass --allow-partial)", file=sys.stderr)
            return 3
        print(f"{total:,} chunks, {missing:,} without a dense vector, in {settings.store}", file=sys.stderr)
        for variant in VARIANTS:
            search = searcher(kb, variant)
            for name, cases in sets.items():
                print(f"  {variant.name} on {name} ({len(cases)} cases) …", file=sys.stderr)
                result = evaluate(cases, search, variant.name)
                for kind, agg in [("all", result.overall), *sorted(result.by_kind.items())]:
                    rows.append({"variant": variant.name, "set": name, "kind": kind, "n": agg["n"],
                                 **{m: agg[m] for m in METRICS}, "p50_ms": agg["p50_ms"], "p95_ms": agg["p95_ms"]})
    finally:
        kb.close()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


def table(rows: list[dict]) -> str:
    """Markdown: one row per dev set and kind, one column group per variant (doc@10 / para@10)."""
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    keys = list(dict.fromkeys((r["set"], r["kind"], r["n"]) for r in rows))
    cell = {(r["set"], r["kind"], r["variant"]): r for r in rows}

    def fmt(row: dict | None) -> str:
        if row is None:
            return "—"
        return " / ".join("—" if row[m] is None else f"{row[m]:.3f}" for m in ("doc_hit@10", "para_hit@10"))

    lines = ["| set | kind | n | " + " | ".join(variants) + " |", "|---|---|---|" + "---|" * len(variants)]
    for dev, kind, n in keys:
        lines.append(f"| {dev} | {kind} | {n} | " + " | ".join(fmt(cell.get((dev, kind, v))) for v in variants)
                     + " |")
    lines.append("(doc_hit@10 / para_hit@10; p50/p95 ms per variant, the largest over the three sets: " + "; ".join(
        f"{v} {_p(rows, v, 'p50_ms'):.0f}/{_p(rows, v, 'p95_ms'):.0f}" for v in variants) + ")")
    return "\n".join(lines)


def _p(rows: list[dict], variant: str, key: str) -> float:
    values = [r[key] for r in rows if r["variant"] == variant and r["kind"] == "all"]
    return max(values) if values else 0.0


if __name__ == "__main__":
    sys.exit(main())
