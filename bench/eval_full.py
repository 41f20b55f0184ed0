"""The full evaluation table on the whole ingested ECtHR corpus: baselines, the shipped ranking and its ablation.

    KB_HOME=data .venv/bin/python bench/eval_full.py --citation 600 --summary 199 --seed 1 [--json out.json]
        [--variants "bm25; ranked; ranked, no parts"]

Why a script and not only `kb eval --compare --ablation`: the issue's targets are measured on a fixed,
kind-stratified sample in one run, and the store may still be locked by a running ingest (Qdrant Edge allows one
process per shard); this exits with a clear message instead of waiting on a lock. First builds what `make run`
builds when it is missing (`kb citations build --if-needed`: the citation graph, or else the document indexes).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from kb.api import KnowledgeBase
from kb.search.evaluation import (
    ablation_variants,
    before_variants,
    evaluate,
    format_table,
    read_cases,
    searcher,
    standard_variants,
)
from kb.settings import Settings
from legal.errors import StoreLockedError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, help="dev.jsonl (default: ../shared/eval/dev.jsonl)")
    parser.add_argument("--citation", type=int, default=600, help="citation cases sampled (all: 0)")
    parser.add_argument("--summary", type=int, default=199, help="summary cases sampled (all: 0)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--variants", help="variant names to run, separated by semicolons (default: all)")
    args = parser.parse_args(argv)
    variants = standard_variants() + before_variants() + ablation_variants()
    if args.variants:
        wanted = [name.strip() for name in args.variants.split(";")]
        unknown = [name for name in wanted if name not in {v.name for v in variants}]
        if unknown:
            parser.error(f"unknown variant {unknown[0]!r}; valid: {'; '.join(v.name for v in variants)}")
        variants = [v for v in variants if v.name in wanted]
    settings = Settings.load()
    cases_file = args.cases or (settings.corpus.parent / "eval" / "dev.jsonl" if settings.corpus else None)
    if cases_file is None:
        print("no corpus folder: set KB_CORPUS or pass --cases", file=sys.stderr)
        return 2
    cases = read_cases(cases_file)
    rng = random.Random(args.seed)
    chosen = []
    for kind, n in (("citation", args.citation), ("summary", args.summary)):
        pool = [c for c in cases if c.kind == kind]
        chosen += rng.sample(pool, n) if 0 < n < len(pool) else pool
    kb = KnowledgeBase(settings)
    try:
        try:
            count = kb.store.count()
        except StoreLockedError as exc:
            print(f"the store is in use (an ingest is still running?): {exc}\nrun this again when it has finished; "
                  f"progress is in {settings.home / 'full-ingest.log'}", file=sys.stderr)
            return 3
        if settings.corpus:  # what `make run` does: the graph if missing, the document indexes if empty
            kb.build_citations(say=lambda m: print(m, file=sys.stderr), warn=lambda m: print(m, file=sys.stderr),
                               if_needed=True)
        print(f"{len(chosen)} cases against {count} chunks in {settings.store}", file=sys.stderr)
        results = []
        for variant in variants:
            print(f"  {variant.name} …", file=sys.stderr)
            results.append(evaluate(chosen, searcher(kb, variant), variant.name))
    finally:
        kb.close()
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps([r.to_dict() for r in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
