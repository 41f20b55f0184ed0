"""Build a small evaluation store while the full store is busy: a fixed sample of dev.jsonl cases, every document
they point at (relevant and excluded), and random ECtHR distractors.

    KB_HOME=/tmp/kb-eval-sample .venv/bin/python bench/sample_store.py --citing-docs 14 --summary 30 --distractors 80

Why: the whole-corpus store takes hours to build and allows one process at a time; tuning the ranking needs a
store whose answers are known to be present. The sample is fixed by `--seed`, so numbers are comparable run to run.
The selected cases are written to `$KB_HOME/sample-cases.jsonl` for `kb eval`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from kb.api import KnowledgeBase
from kb.indexing.ingest import IngestRequest
from kb.search.evaluation import load_cases
from kb.settings import Settings


def corpus_files(corpus: Path) -> dict[str, Path]:
    """doc_id → file: ECtHR file names are the document ids."""
    out = {}
    for path in (corpus / "echr").glob("*/*.json*"):
        out[path.name.split(".json")[0]] = path
    return out


def select(cases_file: Path, files: dict[str, Path], citing_docs: int, summary: int, distractors: int,
           seed: int) -> tuple[list[dict], list[Path]]:
    cases = load_cases(cases_file)
    rng = random.Random(seed)
    by_citing: dict[str, list[dict]] = {}
    for case in cases:
        if case["kind"] == "citation":
            by_citing.setdefault(case["source"]["citing_doc_id"], []).append(case)
    citing = sorted(by_citing)
    rng.shuffle(citing)
    chosen = [c for doc in citing[:citing_docs] for c in by_citing[doc]]
    summaries = [c for c in cases if c["kind"] == "summary"]
    rng.shuffle(summaries)
    chosen += summaries[:summary]
    needed = {r["doc_id"] for c in chosen for r in c["relevant"]} | {d for c in chosen for d in c["exclude_doc_ids"]}
    others = sorted(set(files) - needed)
    rng.shuffle(others)
    needed |= set(others[:distractors])
    return chosen, [files[d] for d in sorted(needed) if d in files]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=None, help="dev.jsonl (default: ../shared/eval/dev.jsonl)")
    parser.add_argument("--citing-docs", type=int, default=14)
    parser.add_argument("--summary", type=int, default=30)
    parser.add_argument("--distractors", type=int, default=80)
    parser.add_argument("--seed", type=int, default=20251201)
    args = parser.parse_args(argv)
    settings = Settings.load()
    if settings.corpus is None:
        print("no corpus folder: set KB_CORPUS", file=sys.stderr)
        return 2
    cases_file = args.cases or settings.corpus.parent / "eval" / "dev.jsonl"
    cases, paths = select(cases_file, corpus_files(settings.corpus), args.citing_docs, args.summary,
                          args.distractors, args.seed)
    settings.home.mkdir(parents=True, exist_ok=True)
    with (settings.home / "sample-cases.jsonl").open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases, {len(paths)} documents → {settings.home}", file=sys.stderr)
    kb = KnowledgeBase(settings)
    try:
        report = kb.ingest(IngestRequest(files=tuple(paths)),
                           progress=lambda done, total, doc: print(f"{done}/{total} {doc}", file=sys.stderr))
        print(report.line(), file=sys.stderr)
    finally:
        kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
