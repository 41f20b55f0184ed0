"""The held-out topics' questions (`bench/data/topics_questions.jsonl`, a measurement nobody tuned on): every label
resolves to a paragraph the ECtHR loader produces, each is a paragraph where the Court speaks, and the notes quote
each label's own words.

Why: the set is scored by `kb eval` against the store's ids and paragraph labels. A loader change that renamed an id
or renumbered a paragraph would turn a labelled answer into a silent miss; a note that quotes another paragraph would
make a label unverifiable. No store is needed: the files are read by the loader the store is built with.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ingest.loaders import echr
from tests.labels import label_problems, read_questions

TOPICS = {"art2", "art3", "art5", "immigration", "art18"}


def load(corpus_root: Path, doc_id: str):
    """The one judgment `doc_id` names, as the ECtHR loader reads it."""
    path = corpus_root / "echr" / "JUDGMENT" / f"{doc_id}.json.gz"
    (doc,) = echr.load(path, str(path.relative_to(corpus_root)), "echr")
    assert doc.doc_id == doc_id
    return doc


def test_every_label_is_a_court_paragraph_the_loader_produces_and_the_notes_quote_it(corpus_root: Path) -> None:
    cases = read_questions("topics_questions")
    assert 40 <= len(cases) <= 50 and len({c["qid"] for c in cases}) == len(cases)
    assert {c["kind"] for c in cases} == {"expert-topic", "lawyer-topic"}
    per_topic = Counter(c["source"]["topic"] for c in cases)
    assert set(per_topic) == TOPICS and min(per_topic.values()) >= 7, per_topic
    assert all(c["relevant"] and not c["exclude_doc_ids"] for c in cases)
    not_court, misquoted = label_problems("topics_questions", cases, lambda d: load(corpus_root, d), lambda d: True)
    assert not misquoted, misquoted
    assert not not_court, not_court
