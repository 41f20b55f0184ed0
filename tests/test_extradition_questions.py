"""The extradition lawyers' questions (`bench/data/extradition_questions.jsonl`, a measurement nobody tuned on):
every label resolves to a paragraph the loaders produce, an ECtHR label is a paragraph where the Court speaks, and
the notes quote each label's own words.

Why: the set is scored by `kb eval` against the store's ids and paragraph labels. A loader change that renamed an id
or renumbered a paragraph would turn a labelled answer into a silent miss; a note that quotes another paragraph would
make a label unverifiable. No store is needed: the files are read by the loaders the store is built with.
"""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import akn, echr, un
from tests.labels import label_problems, read_questions

UN_FILES = {"UN-CAT-GC-1": "Annotated_CAT_GC1_art.3_v1.json", "UN-CAT-GC-4": "Annotated_CAT_GC4_art.3.json",
            "UN-CCPR-GC-20": "Annotated_CCPR_GC20_art.7.json",
            "UN-CCPR-GC-31": "Annotated_CCPR_GC31_nature_of_obligations.json",
            "UN-CCPR-GC-36": "Annotated_CCPR_GC36_life.json"}
UK_FILES = {"EWHC-2017-1912-Admin": "2017-ewhc-1912-admin.xml"}


def load(corpus_root: Path, doc_id: str):
    """The one document `doc_id` names, as its loader reads it."""
    if doc_id in UN_FILES:
        path, loader = corpus_root / "un" / UN_FILES[doc_id], un
    elif doc_id in UK_FILES:
        path, loader = corpus_root / "national" / "uk-tna" / UK_FILES[doc_id], akn
    else:
        path, loader = corpus_root / "echr" / "JUDGMENT" / f"{doc_id}.json.gz", echr
    (doc,) = loader.load(path, str(path.relative_to(corpus_root)), loader.__name__.rsplit(".", 1)[-1])
    assert doc.doc_id == doc_id
    return doc


def test_every_label_is_a_paragraph_the_loaders_produce_and_the_notes_quote_it(corpus_root: Path) -> None:
    cases = read_questions("extradition_questions")
    assert 30 <= len(cases) <= 40 and len({c["qid"] for c in cases}) == len(cases)
    assert {c["kind"] for c in cases} == {"lawyer-extradition"}
    not_court, misquoted = label_problems("extradition_questions", cases, lambda d: load(corpus_root, d),
                                          lambda d: d not in UN_FILES and d not in UK_FILES)
    assert not misquoted, misquoted
    assert not not_court, not_court
