"""The tool's own output checks clean: every brief `kb draft` writes (DOCX and Markdown, every ground) passes
`kb check` with no problem, footnotes and the table of authorities included. Issue 23 found `kb check` stopping at
`not a Chinese numeral: '十七条之'` on exactly these briefs, and not reading the English statute citations they
print. The two PRC client files of issue 24 (bench/client_briefs.py) are checked the same way in
tests/test_export.py, on the store that holds what they cite; here, a matter arguing every ground."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kb.drafting.matters import GROUNDS, MatterStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from client_briefs import Filed, build  # noqa: E402

ALL_GROUNDS = dict(
    key="petrov", title="Petrov — Russian request", client="Mr Ivan Petrov", state="Russian Federation",
    offence="fraud on a large scale", penalty="up to ten years' imprisonment", grounds=list(GROUNDS),
    risk="Opposition activist; previously held in an overcrowded remand prison; fears ill-treatment in detention",
    assurance=("Mr Petrov will be held in conditions that comply with Article 3",
               "Prosecutor General's Office of the Russian Federation", "2026-01-10"),
    filed=[Filed("article3", "HEJUD-37201-06 § 125"), Filed("article3", "HEJUD-14038-88 § 91"),
           Filed("assurances", "HEJUD-8139-09 § 189"), Filed("death_penalty", "HEJUD-14038-88 § 111"),
           Filed("article6", "HEJUD-8139-09 § 260"), Filed("detention_conditions", "HEJUD-22414-93 § 79"),
           Filed("political_persecution", "001-87458 § 116"), Filed("article5", "HEJUD-46827-99 § 91")])
"""A matter arguing every ground, from the sample store's leading cases (`sample_kb`, which only reads here:
the matter and its exports are written under tmp_path)."""


@pytest.mark.parametrize("spec", [ALL_GROUNDS], ids=["all-grounds"])
def test_every_draft_checks_clean_in_docx_and_markdown(sample_kb, tmp_path, spec):
    from kb.drafting.draft import draft_argument
    from kb.drafting.export import export_docx, export_markdown

    matter = build([sample_kb], MatterStore(tmp_path / "matters"), spec)
    draft = draft_argument(sample_kb, matter)
    assert draft.check() == []  # the draft's own consistency: a failure here is the drafting's, not the check's
    docx = export_docx(draft, matter, tmp_path / "brief.docx")
    md = tmp_path / "brief.md"
    md.write_text(export_markdown(draft, matter), encoding="utf-8")
    for brief in (docx, md):
        report = sample_kb.check(brief, missing=False)
        assert not report.problems(), [(c.where, c.status, c.text, c.reason) for c in report.problems()]
        notes = {c.where.split(" (")[0] for c in report.citations if c.where.startswith("footnote")}
        unread = [(fn.id, fn.citation) for fn in draft.footnotes if f"footnote {fn.id}" not in notes]
        assert not unread, (brief.name, unread)  # every footnote read and verified
