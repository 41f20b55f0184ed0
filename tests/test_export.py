"""Export: the DOCX opens in python-docx with real Word footnotes; Markdown keeps `[^n]` footnotes and authorities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from lxml import etree

from kb.drafting.draft import draft_argument, quote_is_whole
from kb.drafting.export import export_docx, export_markdown
from kb.drafting.matters import MatterStore

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def matter_and_draft(sample_kb, tmp_path_factory):
    store = MatterStore(tmp_path_factory.mktemp("matters"))
    matter = store.create("Li file", requesting_state="China", offence="fraud", risk_factors="Uyghur; [^9] <b>x</b>",
                          client="Ms Li")
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
    assert draft.title in text and "Ms Li" in draft.title and "Soering test" in text
    toa = text.split("Table of authorities")[1]
    assert "Soering v. the United Kingdom, no. 14038/88, 7 July 1989: § " in toa


def test_markdown_has_footnotes_and_authorities_and_no_stray_markup(matter_and_draft):
    matter, draft = matter_and_draft
    md = export_markdown(draft, matter)
    definitions = re.findall(r"^\[\^(\d+)\]: ", md, flags=re.M)
    assert [int(d) for d in definitions] == [fn.id for fn in draft.footnotes]
    assert md.index("## Table of authorities") < md.index("[^1]: ")
    assert "Soering test" in md
    assert "\\[^9]" in md and "[^9] <b>" not in md  # the client's text cannot forge a footnote


# The two client files of issue 12, built from real corpus passages --------------------------------------------------

EXTRA_FILES = ("prc-law/刑法/刑法.md", "prc-law/诉讼与非诉讼程序法/刑事诉讼法(2018-10-26).md",
               "prc-law/宪法相关法/反恐怖主义法(2018-04-27).md", "campaigns/freekaili/_steps/rsdl.md")
"""Statutes and a campaign page the sample store lacks: the Criminal Law (embezzlement, terrorism, penalties), the
Criminal Procedure Law (RSDL, the ban on extorted confessions), the Counter-Terrorism Law."""
UPLOAD = "campaigns/freekaili/about.md"
"""A real page, filed as the lawyer's own evidence (an upload) about RSDL, liuzhi's counterpart for suspects who are
not state functionaries."""


@pytest.fixture(scope="module")
def extra_kb(corpus_root, kb_settings, tmp_path_factory):
    """A second real store with EXTRA_FILES and one upload (a file from outside the corpus has source kind upload)."""
    import shutil

    from kb.api import KnowledgeBase
    from kb.indexing.ingest import IngestRequest

    home = tmp_path_factory.mktemp("extra_home")
    upload = home / "li-family-statement.md"
    shutil.copy(corpus_root / UPLOAD, upload)
    kb = KnowledgeBase(kb_settings.with_(home=home, store=home / "store"))
    report = kb.ingest(IngestRequest(files=(*(corpus_root / f for f in EXTRA_FILES), upload)), warn=lambda m: None)
    assert report.failed == 0, report.failures
    yield kb
    kb.close()


@dataclass
class Filed:
    ground: str
    ref: str
    note: str = ""
    adverse: bool = False
    extra: bool = False
    """True: the passage is in `extra_kb` (a search, `ref` its query and kind `kind:query`), not the sample store."""


LI = dict(
    title="Li — PRC embezzlement request (Sweden)", client="Mr Li Wei", state="People's Republic of China",
    offence="embezzlement of public funds (Criminal Law, art. 382)",
    penalty="death or life imprisonment (Criminal Law, art. 383)",
    grounds=["article3", "article6", "death_penalty", "assurances"],
    risk="Former deputy director of a state-owned enterprise; fears being held in liuzhi by a supervision "
         "commission and made to give a forced televised confession",
    assurance=("Mr Li Wei will not be subjected to torture or other cruel, inhuman or degrading treatment, will not "
               "be sentenced to death, and Swedish consular officers may visit him",
               "Ministry of Foreign Affairs of the People's Republic of China", "2026-03-14"),
    filed=[
        Filed("article3", "HEJUD-37201-06 § 125"), Filed("article3", "HEJUD-14038-88 § 91"),
        Filed("article3", "HEJUD-22414-93 § 79"),
        Filed("article3", "PRC-监察法-2018-03-20 § 第二十二条", "liuzhi applies to state functionaries suspected of "
              "embezzlement, as Mr Li is"),
        Filed("article3", "upload:RSDL sleep deprivation physical torture forced confessions", extra=True),
        Filed("article3", "HEJUD-37201-06 § 131", "the risk to Mr Li is not a mere possibility arising from a general "
              "situation: liuzhi is the measure the law applies to a person in his position", adverse=True),
        Filed("article6", "HEJUD-8139-09 § 258"), Filed("article6", "HEJUD-8139-09 § 260"),
        Filed("article6", "HEJUD-8139-09 § 267"),
        Filed("article6", "campaign:RSDL false confessions no access to legal counsel", extra=True),
        Filed("article6", "prc-law:严禁刑讯逼供 不得强迫任何人证实自己有罪", "a prohibition on paper does not meet the "
              "risk where reliable sources report practices contrary to it", adverse=True, extra=True),
        Filed("article6", "HEJUD-46827-99 § 91", adverse=True),
        Filed("death_penalty", "HEJUD-14038-88 § 104"),
        Filed("death_penalty", "prc-law:贪污数额特别巨大 处无期徒刑或者死刑", extra=True),
        Filed("assurances", "HEJUD-8139-09 § 187"), Filed("assurances", "HEJUD-8139-09 § 189"),
        Filed("assurances", "HEJUD-37201-06 § 148"),
        Filed("assurances", "PRC-监察法-2018-03-20 § 第四十三条", "(iv) (v) liuzhi is decided by the supervision "
              "commissions, and it is lawful in the PRC"),
        Filed("assurances", "OHCHR-XUAR-2022-08-31 § 48", "(viii)"),
        Filed("assurances", "OHCHR-XUAR-2022-08-31 § 77", "(ix)"),
        Filed("assurances", "UN-CAT-GC-4 § 20"),
        Filed("assurances", "HEJUD-8139-09 § 188", "this is one of the rare cases: liuzhi is incommunicado detention "
              "outside the criminal process, which no assurance reaches", adverse=True),
        Filed("assurances", "HEJUD-8139-09 § 193", adverse=True),
    ])
AYSHA = dict(
    title="Aysha — PRC terrorism request", client="Ms Aysha Tursun", state="People's Republic of China",
    offence="“organising and leading a terrorist organisation” (Criminal Law, art. 120)",
    penalty="life imprisonment (Criminal Law, art. 120)",
    grounds=["article3", "political_persecution", "assurances"],
    risk="Uyghur; peaceful activist in the diaspora; relatives held in a VETC; previously detained and beaten in "
         "Urumqi in 2017",
    assurance=("Ms Tursun's lawful rights will be protected in accordance with Chinese law",
               "Embassy of the People's Republic of China", ""),
    filed=[
        Filed("article3", "HEJUD-37201-06 § 125"), Filed("article3", "HEJUD-37201-06 § 132"),
        Filed("article3", "OHCHR-XUAR-2022-08-31 § 145"),
        Filed("article3", "001-87458 § 114", "Ms Tursun does not rely on a general situation of violence but on "
              "her membership of a group systematically detained and ill-treated", adverse=True),
        Filed("political_persecution", "001-87458 § 116"),
        Filed("political_persecution", "prc-law:本法所称恐怖主义 政治 意识形态等目的", extra=True),
        Filed("political_persecution", "OHCHR-XUAR-2022-08-31 § 35"),
        Filed("political_persecution", "OHCHR-XUAR-2022-08-31 § 146"),
        Filed("assurances", "HEJUD-8139-09 § 187"), Filed("assurances", "HEJUD-8139-09 § 189"),
        Filed("assurances", "HEJUD-22414-93 § 105"),
        Filed("assurances", "OHCHR-XUAR-2022-08-31 § 48", "(viii)"),
        Filed("assurances", "OHCHR-XUAR-2022-08-31 § 77", "(ix)"),
        Filed("assurances", "HEJUD-8139-09 § 193", "Jordan's MOU was specific and monitored; the PRC's words are "
              "neither", adverse=True),
    ])


def _hit(sample_kb, extra_kb, filed: Filed):
    if not filed.extra:
        return sample_kb.passage(filed.ref)
    from kb.store.base import SearchFilters

    kind, query = filed.ref.split(":", 1)
    [hit] = extra_kb.search(query, SearchFilters(source_kinds=(kind,)), limit=1)
    return hit


def _build(sample_kb, extra_kb, store: MatterStore, spec: dict):
    from kb.drafting.matters import Assurance

    matter = store.create(spec["title"], spec["state"], spec["offence"], spec["risk"], client=spec["client"],
                          penalty=spec["penalty"], grounds=spec["grounds"], assurances=[Assurance(*spec["assurance"])])
    for filed in spec["filed"]:
        matter.add_passage(_hit(sample_kb, extra_kb, filed), filed.ground, filed.note, filed.adverse)
    store.save(matter)
    return store.get(matter.id)


@pytest.fixture(scope="module", params=["li", "aysha"])
def client_file(request, sample_kb, extra_kb, tmp_path_factory):
    spec = {"li": LI, "aysha": AYSHA}[request.param]
    matter = _build(sample_kb, extra_kb, MatterStore(tmp_path_factory.mktemp("clients")), spec)
    draft = draft_argument(sample_kb, matter)
    out = tmp_path_factory.mktemp("out")
    docx = Document(str(export_docx(draft, matter, out / "brief.docx")))
    md = export_markdown(draft, matter)
    (Path(__file__).resolve().parents[1] / "test-output").mkdir(exist_ok=True)
    (Path(__file__).resolve().parents[1] / "test-output" / f"brief-{request.param}.md").write_text(md, "utf-8")
    return spec, matter, draft, md, docx


def _docx_body(docx) -> str:
    return "\n".join(p.text for p in docx.paragraphs)


def _docx_footnotes(docx) -> dict[int, str]:
    [part] = [rel.target_part for rel in docx.part.rels.values() if rel.reltype == RELATIONSHIP_TYPE.FOOTNOTES]
    root = etree.fromstring(part.blob)
    return {int(n.get(f"{W}id")): "".join(t.text for t in n.iter(f"{W}t")) for n in root.iter(f"{W}footnote")}


def test_brief_names_the_client_never_the_matter_title(client_file):
    spec, matter, draft, md, docx = client_file
    body = md.split("## Table of authorities")[0]
    for text in (body, _docx_body(docx)):
        assert spec["client"] in text
        assert spec["title"] not in text
        assert "Applied to this case" not in text
    assert draft.check() == []


def test_only_the_chosen_grounds_are_argued(client_file):
    from kb.drafting.matters import GROUNDS

    spec, matter, draft, md, docx = client_file
    assert [s.ground for s in draft.sections] == ["facts", *spec["grounds"]]
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    md_headings = re.findall(r"^## (.+)$", md, flags=re.M)
    for key, label in GROUNDS.items():
        assert (label in headings) == (key in spec["grounds"]) == (label in md_headings), label
    if "political_persecution" not in spec["grounds"]:
        assert "political opinion" not in md.lower()


def test_every_quotation_is_whole_and_still_verifies(client_file):
    spec, matter, draft, md, docx = client_file
    quoted = [fn for fn in draft.footnotes if fn.quote]
    assert len(quoted) >= 12
    for fn in quoted:
        passage = draft.evidence[fn.chunk_id]
        assert quote_is_whole(fn.quote, passage.text), (fn.citation, fn.quote)
    argument = md.split("## Table of authorities")[0].split("\n## ", 2)[2]  # after the request (the lawyer's words)
    for quotation in re.findall(r"“([^”]+)”", argument):
        assert quotation.count("(") == quotation.count(")"), quotation
        assert re.search(r"[.!?。)’]$", quotation), quotation
    assert draft.check() == []


def test_adverse_authority_appears_only_under_the_reply(client_file):
    spec, matter, draft, md, docx = client_file
    adverse_chunks = {p.chunk_id for p in matter.passages if p.adverse}
    assert adverse_chunks
    for section in draft.sections:
        place = "support"
        for para in section.paragraphs:
            if para.kind == "subheading":
                place = "reply" if para.text.startswith("The answer of") else "support"
                continue
            for fid in para.footnote_ids:
                if draft.footnote(fid).chunk_id in adverse_chunks:
                    assert place == "reply" and para.kind == "rebuttal", (section.ground, para.text[:80])
    adverse_marks = {f"[^{fn.id}]" for fn in draft.footnotes if fn.chunk_id in adverse_chunks}
    place = "support"
    for line in md.split("## Table of authorities")[0].splitlines():
        if line.startswith("### "):
            place = "reply" if line.startswith("### The answer of") else "support"
        elif any(mark in line for mark in adverse_marks):
            assert place == "reply", line[:100]
    for filed in spec["filed"]:
        if filed.adverse and filed.note:
            assert f"In reply: {filed.note}." in md


def test_assurances_section_takes_each_othman_factor_with_evidence_or_a_placeholder(client_file):
    from kb.drafting.draft import ASSURANCE_CRITERIA

    spec, matter, draft, md, docx = client_file
    [section] = [s for s in draft.sections if s.ground == "assurances"]
    criteria = [p for p in section.paragraphs if p.kind == "criterion"]
    assert [p.text.split(")")[0] + ")" for p in criteria] == [f"({n})" for n, _, _ in ASSURANCE_CRITERIA]
    for para in criteria:
        assert para.footnote_ids or "[evidence needed:" in para.text or "[assessment needed:" in para.text \
            or "‘" in para.text or "is not a Contracting State" in para.text or "does not mention" in para.text, \
            para.text
    assert "§ 189 (i)–(xi)" in md
    by_number = {p.text.split(")")[0].lstrip("("): p for p in criteria}
    assert spec["assurance"][0] in by_number["i"].text
    assert spec["assurance"][1] in by_number["iii"].text
    assert "not a Contracting State" in by_number["vi"].text
    if spec is LI:  # the assurance says nothing of liuzhi or a televised confession
        assert "does not mention liuzhi or a forced or televised confession" in by_number["ii"].text
    else:
        assert "previously detained and beaten" in by_number["x"].text
    # a factor answered from a passage the lawyer did not file under it is flagged for checking, outside the brief
    guessed = [w for w in draft.warnings if w.startswith("Assurances: factor(s)")]
    untagged = [n for n, p in by_number.items() if p.footnote_ids and n not in ("viii", "ix")
                and not ({"iv", "v"} >= {n} and spec is LI)]
    assert bool(guessed) == bool(untagged), (guessed, untagged)
    assert not any("(viii)" in w or "(ix)" in w for w in guessed)
    assert by_number["viii"].footnote_ids and by_number["ix"].footnote_ids  # the lawyer's (viii) and (ix) notes
    assert "[evidence needed:" in by_number["vii"].text  # nothing in either file on the PRC's record
    lines = md.split("## Unreliable diplomatic assurances")[1].split("\n## ")[0]
    print(f"\n--- assurances section of {spec['title']} ---\n## Unreliable diplomatic assurances{lines}")


def test_docx_is_court_standard(client_file):
    from kb.drafting.draft import CATEGORIES

    spec, matter, draft, md, docx = client_file
    section = docx.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, in Word's twips
    italic = {r.text for p in docx.paragraphs for r in p.runs if r.italic}
    assert any(t.startswith("Saadi v. Italy") for t in italic), italic
    assert any("Othman (Abu Qatada) v. the United Kingdom" in t for t in italic)
    notes = _docx_footnotes(docx)
    assert any(re.match(r"^ ?(Saadi|Othman \(Abu Qatada\)), cited above, § \d+\.", t) for t in notes.values()), notes
    first = {}
    for fn in draft.footnotes:
        first.setdefault(draft.evidence[fn.chunk_id].doc_id, fn.id)
    for fn in draft.footnotes:
        repeat = first[draft.evidence[fn.chunk_id].doc_id] != fn.id
        assert ("cited above" in notes[fn.id]) == repeat, notes[fn.id]
    assert "Warnings" not in _docx_body(docx) and "## Warnings" not in md
    # the table of authorities: categories in the Court's order, names sorted within each
    paras = docx.paragraphs
    start = next(i for i, p in enumerate(paras) if p.text == "Table of authorities")
    groups: list[tuple[str, list[str]]] = []
    for p in paras[start + 1:]:
        if p.style.name == "Heading 2":
            groups.append((p.text, []))
        elif groups:
            groups[-1][1].append(p.text)
    order = list(CATEGORIES.values())
    assert [g for g, _ in groups] == sorted((g for g, _ in groups), key=order.index)
    assert groups[0][0] == CATEGORIES["gc"] and any(e.startswith("Saadi v. Italy [GC]") for e in groups[0][1])
    for _, entries in groups:
        assert entries == sorted(entries, key=lambda e: re.sub(r"^the\s+", "", e.casefold()))
    assert CATEGORIES["statute"] in dict(groups) and CATEGORIES["report"] in dict(groups)
    if spec is LI:
        assert CATEGORIES["own"] in dict(groups)  # the lawyer's upload
