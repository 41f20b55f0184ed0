"""What the tests of a labelled question file check alike (`bench/data/*_questions.jsonl` and their `.notes.tsv`):
every label names a paragraph its loader produces, is where the Court speaks (an ECtHR label), and the notes quote
the label's own words."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "data"


def read_questions(name: str) -> list[dict]:
    return [json.loads(line) for line in (BENCH / f"{name}.jsonl").open(encoding="utf-8")]


def label_problems(name: str, cases: list[dict], load: Callable[[str], object], court_only: Callable[[str], bool]
                   ) -> tuple[list[tuple], list[tuple]]:
    """(labels whose paragraph is not the Court's, labels whose note does not quote it) for the question file `name`;
    a label whose paragraph the loader does not produce fails at once. `load(doc_id)`: the document as its loader
    reads it; `court_only(doc_id)`: whether that document's labels must be the Court's own paragraphs."""
    labels = {(c["qid"], r["doc_id"], str(p)) for c in cases for r in c["relevant"] for p in r["paragraphs"]}
    with (BENCH / f"{name}.notes.tsv").open(encoding="utf-8", newline="") as f:
        notes = {(row["qid"], row["doc_id"], row["paragraph"]): row for row in csv.DictReader(f, delimiter="\t")}
    assert set(notes) == labels
    docs = {doc_id: load(doc_id) for doc_id in sorted({d for _, d, _ in labels})}
    not_court, misquoted = [], []
    for qid, doc_id, number in sorted(labels):
        para = next((p for p in docs[doc_id].paragraphs if p.number == number), None)
        assert para is not None, (qid, doc_id, number)
        if court_only(doc_id) and para.role != "court":
            not_court.append((qid, doc_id, number, para.role))
        quote = notes[(qid, doc_id, number)]["first words of the answering sentence"]
        if " ".join(quote.split()) not in " ".join(para.text.split()):
            misquoted.append((qid, doc_id, number))
    return not_court, misquoted
