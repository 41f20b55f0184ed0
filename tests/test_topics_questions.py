"""The held-out topics' questions (`bench/data/topics_questions.jsonl`, a measurement nobody tuned on): every label
resolves to a paragraph the ECtHR loader produces, each is a paragraph where the Court speaks, and the notes quote
each label's own words.

Why: the set is scored by `kb eval` against the store's ids and paragraph labels. A loader change that renamed an id
or renumbered a paragraph would turn a labelled answer into a silent miss; a note that quotes another paragraph would
make a label unverifiable. No store is needed: the files are read by the loader the store is built with.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from ingest.loaders import echr

BENCH = Path(__file__).resolve().parents[1] / "bench" / "data"
QUESTIONS = BENCH / "topics_questions.jsonl"
NOTES = BENCH / "topics_questions.notes.tsv"
TOPICS = {"art2", "art3", "art5", "immigration", "art18"}


def load(corpus_root: Path, doc_id: str):
    """The one judgment `doc_id` names, as the ECtHR loader reads it."""
    path = corpus_root / "echr" / "JUDGMENT" / f"{doc_id}.json.gz"
    (doc,) = echr.load(path, str(path.relative_to(corpus_root)), "echr")
    assert doc.doc_id == doc_id
    return doc


def test_every_label_is_a_court_paragraph_the_loader_produces_and_the_notes_quote_it(corpus_root: Path) -> None:
    cases = [json.loads(line) for line in QUESTIONS.open(encoding="utf-8")]
    assert 40 <= len(cases) <= 50 and len({c["qid"] for c in cases}) == len(cases)
    assert {c["kind"] for c in cases} == {"expert-topic", "lawyer-topic"}
    per_topic = Counter(c["source"]["topic"] for c in cases)
    assert set(per_topic) == TOPICS and min(per_topic.values()) >= 7, per_topic
    assert all(c["relevant"] and not c["exclude_doc_ids"] for c in cases)
    labels = {(c["qid"], r["doc_id"], str(p)) for c in cases for r in c["relevant"] for p in r["paragraphs"]}
    with NOTES.open(encoding="utf-8", newline="") as f:
        notes = {(row["qid"], row["doc_id"], row["paragraph"]): row for row in csv.DictReader(f, delimiter="\t")}
    assert set(notes) == labels
    docs = {doc_id: load(corpus_root, doc_id) for doc_id in sorted({d for _, d, _ in labels})}
    not_court, misquoted = [], []
    for qid, doc_id, number in sorted(labels):
        para = next((p for p in docs[doc_id].paragraphs if p.number == number), None)
        assert para is not None, (qid, doc_id, number)
        if para.role != "court":
            not_court.append((qid, doc_id, number, para.role))
        quote = notes[(qid, doc_id, number)]["first words of the answering sentence"]
        if " ".join(quote.split()) not in " ".join(para.text.split()):
            misquoted.append((qid, doc_id, number))
    assert not misquoted, misquoted
    assert not not_court, not_court
