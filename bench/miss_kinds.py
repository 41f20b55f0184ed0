"""Why the ranked search missed each question: every question whose labelled paragraph is not in the ranked top 10,
grouped by failure kind from `bench/question_misses.py`'s output, with examples, and para_hit@10 counting also a
near-verbatim restatement of a labelled paragraph in another judgment (labels are lower bounds).

    .venv/bin/python bench/question_misses.py CASES.jsonl --out misses.json   # needs the store
    .venv/bin/python bench/miss_kinds.py misses.json                          # needs the corpus only

Kinds, first that applies: `same judgment` (a labelled judgment is in the top 10 with other paragraphs; split by
whether the labelled paragraph is in the ranked pool, and by who speaks in what is shown), `restated elsewhere`
(another judgment's paragraph in the top 10 shares at least RESTATED eight-word runs with a labelled paragraph),
`judgment in pool` (a labelled judgment is in the pool but not the top 10), `absent from pool`. A labelled paragraph
in the pool with a role other than the Court's is counted apart (a wrong role badge buries it). Used for
`bench/data/topics_questions.jsonl` and `extradition_questions.jsonl` (session 20, issue 22).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

from ingest.loaders import echr

CORPUS = Path(os.environ.get("KB_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
RESTATED = 3
"""Eight-word runs shared with a labelled paragraph that make a paragraph of another judgment a restatement: 3
catches the Court's reiterated formulae (its own 'see X, § n' paragraphs), under 3 picks up stock phrases."""
VERBATIM = 30
"""Shared runs for the lenient figure: a paragraph that repeats most of the labelled statement word for word."""


@cache
def paragraphs(doc_id: str) -> dict[str, str]:
    """A judgment's paragraphs by Court number, as the ECtHR loader reads them ({} for a document of another kind)."""
    path = CORPUS / "echr" / "JUDGMENT" / f"{doc_id}.json.gz"
    if not path.exists():
        return {}
    (doc,) = echr.load(path, str(path.relative_to(CORPUS)), "echr")
    return {p.number: p.text for p in doc.paragraphs if p.number}


def runs(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def shared_with_labels(row: dict) -> list[tuple[int, dict, int]]:
    """(rank, hit, shared eight-word runs with any labelled paragraph) for each top-10 hit."""
    labelled = set()
    for doc_id, numbers in row["relevant"].items():
        for number in numbers or []:
            labelled |= runs(paragraphs(doc_id).get(str(number), ""))
    return [(i, hit, len(runs(paragraphs(hit["doc_id"] or "").get(str(hit["paragraph"]), "")) & labelled))
            for i, hit in enumerate(row["top10"], 1)]


def kind_of(row: dict) -> tuple[str, str]:
    """The failure kind of one missed question and a line of evidence for it."""
    relevant = row["relevant"]
    same = [(i, h) for i, h in enumerate(row["top10"], 1) if h["doc_id"] in relevant]
    restated = [(i, h, n) for i, h, n in shared_with_labels(row) if n >= RESTATED and h["doc_id"] not in relevant]
    labels = ", ".join(f"{d} §§ {','.join(map(str, p or []))}" for d, p in list(relevant.items())[:2])
    if same:
        roles = {h["role"] for _, h in same}
        shown = "the Court's" if "court" in roles else "no role (not ECtHR)" if roles == {None} else "not the Court's"
        pooled = "in the pool" if row["pool_para"] else "not in the pool"
        hits = ", ".join(f"#{i} {h['doc_id']} § {h['paragraph']}" for i, h in same[:2])
        return f"same judgment, other paragraph ({shown}); labelled paragraph {pooled}", f"{hits}; labels {labels}"
    if restated:
        return "restated elsewhere", "; ".join(f"#{i} {h['doc_id']} § {h['paragraph']} ({n} runs)"
                                                for i, h, n in restated[:3])
    if row["pool_doc"]:
        return "judgment in pool, not in top 10", (f"judgment at {row['pool_doc']}, paragraph at {row['pool_para']} of "
                                                   f"{row['pool_size']}; BM25 judgment at {row['bm25_doc']}")
    return "absent from pool", f"BM25 judgment at {row['bm25_doc']}; labels {labels}"


def report(rows: list[dict]) -> str:
    groups: dict[str, list[str]] = defaultdict(list)
    wrong_role, lenient = [], 0
    for row in rows:
        if row["ranked_para"] is not None:
            lenient += 1
            continue
        kind, evidence = kind_of(row)
        groups[kind].append(f"{row['qid']}: {evidence}")
        lenient += any(n >= VERBATIM for _, _, n in shared_with_labels(row))
        wrong_role += [row["qid"] for a in row["pool_answers"]
                       if a["role"] not in ("court", None) and str(a["paragraph"]) in map(str, row["relevant"].get(
                           a["doc_id"]) or [])]
    missed = sum(map(len, groups.values()))
    lines = [f"{missed} of {len(rows)} questions without a labelled paragraph in the ranked top 10 "
             f"(para_hit@10 {1 - missed / len(rows):.3f}; counting a top-10 paragraph sharing >= {VERBATIM} "
             f"eight-word runs with a label: {lenient / len(rows):.3f})"]
    for kind in sorted(groups, key=lambda k: -len(groups[k])):
        lines += [f"{kind}: {len(groups[kind])}", *(f"    {e}" for e in groups[kind])]
    lines.append(f"labelled paragraph in the pool with another role than the Court's: {sorted(set(wrong_role))}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("misses", type=Path, help="the JSON `bench/question_misses.py --out` wrote")
    args = parser.parse_args(argv)
    if not (CORPUS / "echr").is_dir():
        parser.error(f"no corpus at {CORPUS}: set KB_CORPUS to the shared corpus, where the labels are read")
    print(report(json.loads(args.misses.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
