"""The large unnumbered blocks of the ECtHR records without numbered paragraphs (`no_numbered_paragraphs_recovered`),
cut into quotable passages, read from real files of the corpus: Wallová and Walla v. the Czech Republic (a 2006
judgment whose facts were one block of 16,848 characters and whose THE LAW ran on in a block of 32,345 labelled THE
FACTS) and Witney v. the United Kingdom (dec.), a 1996 Commission decision whose procedure runs on inside its
complaints."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from ingest.loaders import echr
from legal.text import passages, sentence_ends


def record(corpus_root: Path, name: str) -> tuple[dict, object]:
    path = next((corpus_root / "echr").glob(f"*/{name}.json*"))
    raw = json.loads((gzip.open(path) if path.suffix == ".gz" else path.open("rb")).read())
    return raw, echr.load(path, name, "echr")[0]


def _flat(text: str) -> str:
    return "".join(text.split())


def test_the_passages_hold_the_text_exactly_and_in_order(corpus_root: Path) -> None:
    """Every passage is a verbatim slice of the record's text, in order, and together they hold all of it: between
    two passages only white space or a heading line the loader keeps as the heading (`THE FACTS I.`)."""
    for name in ("001-77715", "001-3383"):
        raw, doc = record(corpus_root, name)
        source = " ".join(t for t in raw["paragraphs"] if t)
        body = [p.text for p in doc.paragraphs if p.section != "HEADER"]
        at = source.find(body[0])
        for text in body:
            found = source.find(text, at)
            assert found >= 0, text[:80]
            assert len(source[at:found].strip()) <= 20, source[at:found]
            at = found + len(text)
        assert at == len(source)
        assert sum(len(_flat(t)) for t in body) > 0.99 * len(_flat(source[source.find(body[0]) :]))


def test_no_passage_is_over_the_bound_unless_one_sentence_is(corpus_root: Path) -> None:
    for name in ("001-77715", "001-3383"):
        _, doc = record(corpus_root, name)
        for p in doc.paragraphs:
            assert len(p.text) <= echr.MAX_BLOCK_CHARS or not sentence_ends(p.text), p.text[:80]


def test_wallova_the_law_is_the_law_and_its_facts_are_facts(corpus_root: Path) -> None:
    _, doc = record(corpus_root, "001-77715")
    sections = [p.section for p in doc.paragraphs]
    assert sections[:2] == ["HEADER", "PROCEDURE"]
    law = [p for p in doc.paragraphs if p.section == "THE LAW"]
    assert law[0].text.startswith("THE LAW ON THE VIOLATION OF ARTICLE 8 OF THE CONVENTION In their complaint form")
    assert {p.heading for p in law} == {"ON THE VIOLATION OF ARTICLE 8 OF THE CONVENTION"}
    assert {p.role for p in law} == {"court"}
    facts = [p for p in doc.paragraphs if p.section == "THE FACTS"]
    assert {p.role for p in facts if p.heading == "RELEVANT DOMESTIC LAW"} == {"law_material"}
    assert facts[0].role == "facts" and len(facts) >= 6
    assert sum(len(p.text) for p in law) >= 32_000
    assert sections[-1] == "OPERATIVE PART"


def test_a_section_heading_run_on_inside_a_block_opens_its_section(corpus_root: Path) -> None:
    """Witney (dec.): `… to live peacefully with his wife on his own land. PROCEEDINGS BEFORE THE COMMISSION The
    application was introduced …` inside the complaints' block."""
    _, doc = record(corpus_root, "001-3383")
    body = [(p.section, p.role, p.text[:40]) for p in doc.paragraphs if p.section != "HEADER"]
    assert body[0][:2] == ("THE FACTS", "facts") and body[0][2].startswith("THE FACTS The applicant")
    complaints = next(b for b in body if b[2].startswith("COMPLAINTS"))
    assert complaints[:2] == ("THE LAW", "applicant")  # "The applicant claimed that his rights under Article 8 …"
    assert body[-1][:2] == ("PROCEDURE", "procedure")
    assert body[-1][2] == "PROCEEDINGS BEFORE THE COMMISSION The ap"


def test_a_numbered_paragraph_is_never_cut(corpus_root: Path) -> None:
    """A pinpoint is a paragraph: Saadi v. Italy [GC] keeps every numbered paragraph whole, however long."""
    raw, doc = record(corpus_root, "HEJUD-37201-06")
    numbers = [p.number for p in doc.paragraphs if p.number]
    assert len(numbers) == len(set(numbers))


def test_never_cut_inside_a_citation_or_after_an_abbreviation() -> None:
    text = (
        "The Court refers to its case-law (see Soering v. the United Kingdom, 7 July 1989, § 91, Series A no. "
        "161. Cf. Chahal v. the United Kingdom). It notes that Mr. J. Smith v. Mrs. A. Jones was heard in 1990. "
        "II. RELEVANT LAW Article 6 para. 3 (d) applies. The end."
    )
    cuts = [text[:end].rsplit(" ", 1)[-1] for end in sentence_ends(text)]
    assert cuts == ["Kingdom).", "1990.", "applies."]
    pieces = passages(text, 60)
    assert " ".join(pieces) == text
    assert pieces[0].endswith("Chahal v. the United Kingdom).")
    assert all(re.search(r"[.)]$", p) for p in pieces)
