"""Export: the DOCX opens in python-docx with real Word footnotes; Markdown keeps `[^n]` footnotes and authorities."""

from __future__ import annotations

import re

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from lxml import etree

from kb.drafting.draft import draft_argument
from kb.drafting.export import export_docx, export_markdown
from kb.drafting.matters import MatterStore

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def matter_and_draft(sample_kb, tmp_path_factory):
    store = MatterStore(tmp_path_factory.mktemp("matters"))
    matter = store.create("Ms Li", requesting_state="China", offence="fraud", risk_factors="Uyghur; [^9] <b>x</b>")
    hit = next(h for h in sample_kb.search("extradite real risk torture requesting country", limit=20)
               if h.doc_id == "HEJUD-14038-88" and h.paragraph)
    matter.add_passage(hit, "article3", note="Soering test")
    store.save(matter)
    return matter, draft_argument(sample_kb, matter, grounds=["article3", "assurances"])


def test_docx_has_word_footnotes_with_every_citation(matter_and_draft, tmp_path):
    matter, draft = matter_and_draft
    path = export_docx(draft, matter, tmp_path / "out" / "draft.docx")
    doc = Document(str(path))
    [part] = [rel.target_part for rel in doc.part.rels.values() if rel.reltype == RELATIONSHIP_TYPE.FOOTNOTES]
    root = etree.fromstring(part.blob)  # python-docx reads a part it has no class for as bytes
    notes = {int(n.get(f"{W}id")): "".join(t.text for t in n.iter(f"{W}t")) for n in root.iter(f"{W}footnote")}
    body_refs = [int(r.get(f"{W}id")) for r in doc.element.body.iter(f"{W}footnoteReference")]
    assert -1 in notes and 0 in notes  # the separators Word expects
    assert sorted(body_refs) == sorted(k for k in notes if k > 0)  # every mark has its note and vice versa
    references = sum(len(p.footnote_ids) for s in draft.sections for p in s.paragraphs)
    assert len(body_refs) == references
    for fn in draft.footnotes:
        assert any(fn.citation in text for text in notes.values()), fn.citation
    text = "\n".join(p.text for p in doc.paragraphs)
    assert draft.title in text and "Applied to this case" in text
    [table] = doc.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Ground", "Citation", "Passage", "Note"]
    soering = [r for r in rows if r[3] == "Soering test"]
    assert soering and soering[0][1].startswith("Soering v. the United Kingdom, no. 14038/88, § ")


def test_markdown_has_footnotes_and_authorities_and_no_stray_markup(matter_and_draft):
    matter, draft = matter_and_draft
    md = export_markdown(draft, matter)
    definitions = re.findall(r"^\[\^(\d+)\]: ", md, flags=re.M)
    assert [int(d) for d in definitions] == [fn.id for fn in draft.footnotes]
    assert md.index("## Authorities") < md.index("[^1]: ")
    assert "Soering test" in md
    assert "\\[^9]" in md and "[^9] <b>" not in md  # the client's text cannot forge a footnote
