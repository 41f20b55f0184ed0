"""The format loaders on real corpus files, and on broken inputs a lawyer's drop folder may contain."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pypdf
import pytest

from ingest.loaders import akn, html, markdown, pdf, statute_md, text, un
from ingest.loaders import docx as docx_loader
from ingest.loaders.statute_md import chinese_numeral
from ingest.model import SourceDocument
from legal.errors import BadInputError


def load_one(module, corpus_root: Path, relative: str, kind: str) -> SourceDocument:
    docs = module.load(corpus_root / relative, relative, kind)
    assert len(docs) == 1
    assert docs[0].source_file == relative
    return docs[0]


def paragraph(doc: SourceDocument, number: str):
    matches = [p for p in doc.paragraphs if p.number == number]
    assert matches, f"no paragraph {number} in {doc.doc_id}"
    return matches[0]


# --- real corpus files -------------------------------------------------------------------------------------------


def test_cat_general_comment_4_paragraphs_and_metadata(corpus_root: Path) -> None:
    doc = load_one(un, corpus_root, "un/Annotated_CAT_GC4_art.3.json", "un")
    assert doc.doc_id == "UN-CAT-GC-4"
    assert doc.court == "Committee against Torture"
    assert doc.doc_type == "GENERAL_COMMENT"
    assert doc.date == "2018-09-04"
    assert doc.extra["committee"] == "CAT" and doc.extra["symbol"] == "CAT/C/GC/4"
    assert [p.number for p in doc.paragraphs] == [str(n) for n in range(1, 52)]
    assert "Committee against Torture" in paragraph(doc, "1").text
    assert "non-refoulement" in paragraph(doc, "9").text


def test_un_numbers_are_clean_and_ids_unique(corpus_root: Path) -> None:
    ids = []
    for path in sorted((corpus_root / "un").glob("*.json")):
        doc = un.load(path, f"un/{path.name}", "un")[0]
        ids.append(doc.doc_id)
        assert all(p.number is None or p.number.isdigit() for p in doc.paragraphs), path.name
    assert len(ids) == 177 and len(set(ids)) == 177
    gc28 = un.load(corpus_root / "un/Annotated_CCPR_GC28_gender_equality.json", "un/x.json", "un")[0]
    assert gc28.court == "Human Rights Committee" and "19" in [p.number for p in gc28.paragraphs]


def test_ohchr_report_pages_and_numbered_paragraphs(ohchr_report: SourceDocument) -> None:
    doc = ohchr_report
    assert (doc.doc_id, doc.court, doc.date, doc.doc_type) == ("OHCHR-XUAR-2022-08-31", "OHCHR", "2022-08-31", "REPORT")
    para_10 = paragraph(doc, "10")
    assert para_10.page == 4  # the printed page (PDF page 6): the report prints its own numbers
    assert para_10.text.startswith("10. Demographically, XUAR has been one of the fastest growing regions in China")
    para_1 = paragraph(doc, "1")
    assert para_1.page == 1 and para_1.heading == "I. Introduction"
    body = [p for p in doc.paragraphs if p.section != "FOOTNOTE"]
    assert {int(p.number) for p in body if p.number} == set(range(1, 154))  # every printed paragraph, once or more
    assert all(p.page is not None for p in doc.paragraphs) and doc.extra["printed_page_offset"] == 2


def test_ohchr_paragraph_runs_across_the_page_break_and_footnotes_are_their_own_chunks(
        ohchr_report: SourceDocument) -> None:
    doc = ohchr_report
    para_142 = [p for p in doc.paragraphs if p.number == "142"]
    assert len(para_142) == 1 and para_142[0].page == 42  # printed p. 42, continued on p. 43 in one chunk
    assert para_142[0].text.endswith("in any circumstance of real risks of breach of the principle of non-refoulement.")
    assert "Uyghurs and members" in para_142[0].text
    notes = {p.number: p for p in doc.paragraphs if p.section == "FOOTNOTE"}
    assert len(notes) > 300 and notes["fn155"].text.startswith("155 In line with its standard methodology")
    assert not any(p.text.startswith("155 In line") for p in body_of(doc))
    para_145 = next(p for p in doc.paragraphs if p.number == "145")
    assert "are credible, as are allegations" in para_145.text  # `cr edible` rejoined
    para_108 = next(p for p in doc.paragraphs if p.number == "108")
    assert "two of the largest Uyghur prefectures" in para_108.text and "⁵" in para_108.text  # mark as superscript
    assert not any(p.text in ("Contents", "Page", "Recommendations") for p in doc.paragraphs)  # headings are no hits


def body_of(doc):
    return [p for p in doc.paragraphs if p.section != "FOOTNOTE"]


def test_public_law_drops_running_header(corpus_root: Path) -> None:
    doc = load_one(pdf, corpus_root, "reports/PLAW-117publ78.pdf", "report")
    assert doc.doc_id == "US-PL-117-78"
    assert not any("135 STAT." in p.text for p in doc.paragraphs)
    assert any(p.number == "sec. 2" and p.heading.startswith("SEC. 2. STRATEGY TO ENFORCE PROHIBITION") and p.page == 2
               for p in doc.paragraphs)


# The scanned PDF's loader (OCR, cited by page) is checked on the store tests/test_export.py writes: reading the
# eight-page scan twice a run cost ~90 s of CPU.


def test_uk_extradition_judgment(corpus_root: Path) -> None:
    doc = load_one(akn, corpus_root, "national/uk-tna/2017-ewhc-1912-admin.xml", "national")
    assert doc.doc_id == "EWHC-2017-1912-Admin"
    assert doc.extra["neutral_citation"] == "[2017] EWHC 1912 (Admin)"
    assert doc.court == "EWHC (Admin)" and doc.date == "2017-07-28"
    assert doc.title == "GOVERNMENT OF RWANDA v EMMANUEL NTEZIRYAYO"
    assert doc.url == "https://caselaw.nationalarchives.gov.uk/ewhc/admin/2017/1912"
    para_45 = paragraph(doc, "45")
    assert para_45.text.startswith("45. It is inevitable in proceedings which extend over this length of time")
    assert "SDJ Arbuthnot" in para_45.text and "font-family" not in para_45.text
    assert [p.number for p in doc.paragraphs if p.number][-1] == "499"


def test_uk_sub_paragraphs_join_their_parent(corpus_root: Path) -> None:
    doc = load_one(akn, corpus_root, "national/uk-tna/2020-ewca-108-civ.xml", "national")
    assert doc.doc_id == "EWCA-2020-108-Civ" and doc.court == "EWCA Civ"
    numbers = [int(p.number) for p in doc.paragraphs if p.number]
    assert numbers == sorted(numbers) and len(numbers) == len(set(numbers))


def test_uk_sentence_broken_across_two_blocks_stays_in_its_paragraph(corpus_root: Path) -> None:
    """[2020] EWCA Civ 1176 breaks "… in Jeunesse v" / "Netherlands (2015) 60 EHRR 17 …" across two blocks; the first
    half is no heading, so both stay in paragraph 11 (and a heading styled as one still is one)."""
    doc = load_one(akn, corpus_root, "national/uk-tna/2020-ewca-1176-civ.xml", "national")
    assert "in Jeunesse v\nNetherlands (2015) 60 EHRR 17" in paragraph(doc, "11").text
    assert paragraph(doc, "12").heading == "PART 5A OF THE 2002 ACT: SECTION 117C"
    assert not any((p.heading or "").endswith((" v", " to", " the")) for p in doc.paragraphs)


def test_uk_heading_that_is_half_a_sentence_stays_in_its_paragraph(corpus_root: Path) -> None:
    """A line the source set apart ("We also note that the International Court of Justice in the Jurisdictional" /
    "Immunities case (Germany v. Italy …)", 2014 EWCA Crim 1729 [35]; "… for a summary only" / "offence of common
    assault", 2021 EWCA Crim 447 [77]) is the first half of a sentence, not a heading over the paragraphs after it."""
    kl = load_one(akn, corpus_root, "national/uk-tna/2014-ewca-1729-crim.xml", "national")
    para_35 = paragraph(kl, "35")
    assert "in the Jurisdictional\nImmunities case (Germany v. Italy, Greece intervening)" in para_35.text
    assert para_35.heading == paragraph(kl, "36").heading == "Criminal Justice Act 1988 (“CJA 1988”)"
    sentencing = load_one(akn, corpus_root, "national/uk-tna/2021-ewca-447-crim.xml", "national")
    assert "for a summary only\noffence of common assault" in paragraph(sentencing, "77").text
    headings = [p.heading or "" for p in kl.paragraphs + sentencing.paragraphs]
    assert not any(h.startswith(("We also note", "DJ(MC)")) for h in headings)
    practice = load_one(akn, corpus_root, "national/uk-tna/2020-ewca-1567-crim.xml", "national")
    assert any(p.heading == "INDEX" and p.text.startswith("abuse of process") for p in practice.paragraphs)


def test_uk_footnote_carries_the_paragraph_that_calls_it(corpus_root: Path) -> None:
    """A footnote of a TNA judgment is cited by the paragraph whose text calls it: [2012] EWHC 2463 (Comm) [550]
    calls note 278, [2003] EWHC 1319 (Ch) [269] note 206. Stored without a number, each was a passage with no pinpoint
    (1,539 of the 67 judgments' notes)."""
    berezovsky = load_one(akn, corpus_root, "national/uk-tna/2012-ewhc-2463-comm.xml", "national")
    note = next(p for p in berezovsky.paragraphs if p.text == "[278] See pages 13 and 14 of the judgment.")
    assert (note.number, note.section) == ("550", "FOOTNOTE")
    assert "the concurring opinions, in particular that of Judge Gadzhiyev" in paragraph(berezovsky, "550").text
    barings = load_one(akn, corpus_root, "national/uk-tna/2003-ewhc-1319-ch.xml", "national")
    assert next(p for p in barings.paragraphs if p.text == "[206] G27/37-38").number == "269"


def test_uk_quotation_set_out_under_a_paragraph_is_cited_by_it(corpus_root: Path) -> None:
    """[2017] EWHC 1912 (Admin) [393] sets out the District Judge's §§ 92-96 as `Quote` blocks; her elided `93. …` was
    taken for a heading and §§ 94-96 stored with no pinpoint under it. A lawyer cites them as [393]."""
    doc = load_one(akn, corpus_root, "national/uk-tna/2017-ewhc-1912-admin.xml", "national")
    para_393 = paragraph(doc, "393")
    assert para_393.text.startswith("393. Her conclusion (which covers similar arguments")
    assert "\n94. I do not find that any role that VB has in the diaspora today" in para_393.text
    assert paragraph(doc, "394").heading == "Cross-appeal by Vincent Brown/Bajinya"
    assert not any((p.heading or "").endswith("…") for p in doc.paragraphs)


def test_uk_number_typed_into_the_text_is_the_paragraphs_pinpoint(corpus_root: Path) -> None:
    """After a heading TNA's conversion often types the number into the text (`<level><p>97. In the course of …`)
    instead of `<num>`: it is that paragraph's pinpoint when it is the next number and not set in as a quotation
    ([2020] EWCA Civ 1176 [11] quotes ZH (Tanzania)'s `15.`, which is no paragraph 15 of the judgment)."""
    mental_capacity = load_one(akn, corpus_root, "national/uk-tna/2011-ewhc-2443-fam.xml", "national")
    para_97 = paragraph(mental_capacity, "97")
    assert para_97.text.startswith("97. In the course of the hearing, I raised with counsel")
    assert para_97.heading == "Cases in other jurisdictions"
    serdar = load_one(akn, corpus_root, "national/uk-tna/2015-ewca-843-civ.xml", "national")
    assert paragraph(serdar, "254").text.startswith("254. The judge held that the procedural safeguards")
    assert paragraph(serdar, "254").heading == "(1) Introduction"
    ha = load_one(akn, corpus_root, "national/uk-tna/2020-ewca-1176-civ.xml", "national")
    assert paragraph(ha, "12").text.startswith("12. Part 5A of the 2002 Act")
    assert "\n15. ZH (Tanzania) made it clear" in paragraph(ha, "11").text


def test_uk_quoted_judgments_numbers_are_not_the_judgments_own(corpus_root: Path) -> None:
    """[2020] EWCA Civ 1176 [70] sets out the Upper Tribunal's §§ 68-76 as numbered paragraphs set in at 1.5 in: read
    in order, the tribunal's 71-76 had taken [71]-[76], and the Court's own [71]-[76] had no number."""
    ha = load_one(akn, corpus_root, "national/uk-tna/2020-ewca-1176-civ.xml", "national")
    assert "\n72. If the appellant is removed, his partner would be left to cope" in paragraph(ha, "70").text
    assert paragraph(ha, "71").text.startswith("71. At paras. 80-110 the UT conducts the overall proportionality")
    assert paragraph(ha, "72").text.startswith("72. The grounds of appeal as pleaded in the Appellant’s Notice")
    assert paragraph(ha, "72").heading == "THE APPEAL"
    costs = load_one(akn, corpus_root, "national/uk-tna/2020-ewca-178-civ.xml", "national")
    assert paragraph(costs, "11").text.startswith("11. An adjournment was then sought")


def test_uk_practice_direction_paragraphs_carry_its_own_numbers(corpus_root: Path) -> None:
    """The Criminal Practice Directions ([2020] EWCA Crim 1347, and its 2015 text) number their paragraphs `3L.7`,
    `50D.9`, in a table's first cell or typed before a tab, not in `<num>`: 93 % of their passages had no pinpoint.
    A judgment whose own paragraphs are numbered keeps them (a quoted `A.23` in [2021] EWCA Civ 783 is no number)."""
    for relative in ("national/uk-tna/2020-ewca-1567-crim.xml", "national/uk-tna/2015-ewca-1567-crim.xml"):
        cpd = load_one(akn, corpus_root, relative, "national")
        security = paragraph(cpd, "3L.7")
        assert security.text.startswith("3L.7 It may be in some cases that additional dock officers are deployed")
        assert security.heading == "Additional security measures"
        assert paragraph(cpd, "3A.4").text.startswith("3A.4 CrimPR 8.3 applies in all cases")
        assert paragraph(cpd, "50D.9").text.startswith("50D.9 Where an application is made under CrimPR 50.25(2)(b)")
        assert sum(p.number is None for p in cpd.paragraphs) < len(cpd.paragraphs) / 8
    vat = load_one(akn, corpus_root, "national/uk-tna/2021-ewca-783-civ.xml", "national")
    assert all(p.number is None or p.number.isdigit() for p in vat.paragraphs)


def test_uk_quoted_documents_headings_stay_in_the_paragraph_quoting_them(corpus_root: Path) -> None:
    """A heading of a quoted text (the Torture Convention's `Article 12`, set in at 1.26 in under 2014 EWCA Crim 1729
    [23]; the Criminal Procedure Rules' `Application to vacate a guilty plea`, styled as a heading but set in after
    [110]'s "It says:-"; the Refugee Convention's `FREEDOM OF MOVEMENT` after "“Article 26") was read as the judgment's:
    it cut the paragraph quoting it, and the rest of the quotation was a passage without a pinpoint. So was the text of
    a numbered paragraph whose first line is its title (2010 EWCA Civ 1096 [82] `Independent`)."""
    kl = load_one(akn, corpus_root, "national/uk-tna/2014-ewca-1729-crim.xml", "national")
    assert "\nArticle 12\nEach State Party shall ensure that its competent authorities" in paragraph(kl, "23").text
    pleas = paragraph(load_one(akn, corpus_root, "national/uk-tna/2021-ewca-447-crim.xml", "national"), "110")
    assert "Application to vacate a guilty plea" in pleas.text
    assert "This rule applies where a party wants the court to vacate a guilty plea." in pleas.text
    refugees = load_one(akn, corpus_root, "national/uk-tna/2016-ewhc-954-admin.xml", "national")
    assert "“Article 26\nFREEDOM OF MOVEMENT\nEach Contracting State" in paragraph(refugees, "35").text
    policies = load_one(akn, corpus_root, "national/uk-tna/2010-ewca-1096-civ.xml", "national")
    assert "Independent’s policy was issued as a “Contractors’ Combined Policy”" in paragraph(policies, "82").text
    headings = {p.heading for d in (kl, refugees) for p in d.paragraphs}
    assert not headings & {"Article 12", "FREEDOM OF MOVEMENT", "EXPULSION"}


def test_uk_word_the_source_broke_at_a_line_end_is_one_word(corpus_root: Path) -> None:
    """TNA's XML keeps a line break inside a name as `Al- Adsani` (2014 EWCA Crim 1729 [36]) and `Ungoed- Thomas J`
    (2020 EWCA Civ 408 [46]): the passage a lawyer reads and quotes has the name whole."""
    kl = load_one(akn, corpus_root, "national/uk-tna/2014-ewca-1729-crim.xml", "national")
    assert "European Court of Human Rights in Al-Adsani v. United Kingdom (2002) 34 EHRR 11" in paragraph(kl, "36").text
    assert "Ungoed-Thomas J" in paragraph(load_one(akn, corpus_root, "national/uk-tna/2020-ewca-408-civ.xml",
                                                  "national"), "46").text


def test_prc_supervision_law_article_22_on_liuzhi(corpus_root: Path) -> None:
    doc = load_one(statute_md, corpus_root, "prc-law/宪法相关法/监察法(2018-03-20).md", "prc-law")
    assert doc.doc_id == "PRC-监察法-2018-03-20"
    assert (doc.title, doc.date, doc.language, doc.doc_type) == ("中华人民共和国监察法", "2018-03-20", "zh", "STATUTE")
    article = paragraph(doc, "第二十二条")
    assert "留置" in article.text and "（四）可能有其他妨碍调查行为的。" in article.text
    assert article.heading == "第四章 监察权限"
    assert doc.extra["article_number_int"]["第二十二条"] == 22


def test_prc_criminal_law_has_no_version_date(corpus_root: Path) -> None:
    doc = load_one(statute_md, corpus_root, "prc-law/刑法/刑法.md", "prc-law")
    assert doc.date is None and "no_version_date" in doc.text_defects
    assert doc.extra["article_number_int"]["第一百零五条"] == 105
    assert "第一百二十条之一" in doc.extra["article_number_int"]


def test_an_article_whose_label_has_the_space_before_its_last_character_is_its_own(corpus_root: Path) -> None:
    """The SPC Interpretation of the CPL (2021) prints `第一百二十四 条采用刑讯逼供方法…`: art. 124, the exclusion of
    repeated confessions after torture, had been read as the end of art. 123. The same form hid CPL art. 128."""
    relative = "prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md"
    doc = load_one(statute_md, corpus_root, relative, "prc-law")
    article = paragraph(doc, "第一百二十四条")
    assert article.text.startswith("第一百二十四条 采用刑讯逼供方法使被告人作出供述")
    assert "刑讯逼供" not in paragraph(doc, "第一百二十三条").text
    assert list(doc.extra["article_number_int"].values()) == list(range(1, 656))
    cpl = load_one(statute_md, corpus_root, "prc-law/诉讼与非诉讼程序法/刑事诉讼法(2018-10-26).md", "prc-law")
    assert paragraph(cpl, "第一百二十八条").text.startswith("第一百二十八条 侦查人员对于与犯罪有关的场所")
    assert list(cpl.extra["article_number_int"].values()) == list(range(1, 309))


def test_judicial_interpretation_issuer(corpus_root: Path) -> None:
    relative = "prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md"
    doc = load_one(statute_md, corpus_root, relative, "prc-law")
    assert (doc.court, doc.doc_type) == ("Supreme People's Procuratorate", "JUDICIAL_INTERPRETATION")


@pytest.mark.parametrize(("numeral", "value"), [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105),
                                                ("四百五十二", 452), ("一千零一", 1001), ("12", 12)])
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_numeral(numeral) == value


def test_freekaili_post(corpus_root: Path) -> None:
    doc = load_one(markdown, corpus_root, "campaigns/freekaili/_posts/2021-02-11-WGAD.md", "campaign")
    assert doc.doc_id == "CAMPAIGN-freekaili/_posts/2021-02-11-WGAD"
    assert doc.title.startswith("United Nations group rules China’s imprisonment of American")
    assert (doc.date, doc.language, doc.doc_type) == ("2021-02-11", "en", "CAMPAIGN_POST")
    assert doc.court == "freekaili", "a post without an author is the site's (`source_collection`)"
    assert doc.paragraphs[0].text == "11 Feb 2021"
    assert "Working Group on Arbitrary Detention (WGAD)" in doc.paragraphs[1].text


def test_campaign_markup_is_stripped(corpus_root: Path) -> None:
    doc = load_one(markdown, corpus_root, "campaigns/freekaili/_steps/rsdl.md", "campaign")
    text = " ".join(p.text for p in doc.paragraphs)
    assert "United Nations Committee against Torture" in text
    assert "<img" not in text and "{{" not in text and "](" not in text
    chinese = load_one(markdown, corpus_root, "campaigns/free-xueq-jianb/source/_posts/365.md", "campaign")
    assert chinese.language == "zh" and chinese.date == "2022-09-19"
    assert any(p.heading and p.heading.startswith("1.1") for p in chinese.paragraphs)


# --- generated drop-folder files ---------------------------------------------------------------------------------


def test_plain_text_numbers(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Advice on extradition\n\n1. The requested person\nfaces trial.\n\n2. Risk of torture.\n", "utf-8")
    doc = text.load(path, str(path), "upload")[0]
    assert [p.number for p in doc.paragraphs] == [None, "1", "2"]
    assert doc.paragraphs[1].text == "1. The requested person faces trial."


def test_html_page(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Report</title><style>p{x:1}</style></head><body><h2>Findings</h2>"
        "<p>Detainees were <b>held</b> incommunicado.</p><script>var a=1;</script><ul><li>Item one</li></ul>"
        "</body></html>",
        "utf-8",
    )
    doc = html.load(path, str(path), "upload")[0]
    assert doc.title == "Report"
    assert [(p.heading, p.text) for p in doc.paragraphs] == [
        ("Findings", "Detainees were held incommunicado."),
        ("Findings", "Item one"),
    ]


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Grounds of appeal", level=1)
    document.add_paragraph("1. The judge erred on Article 3.")
    document.add_paragraph("2. Assurances are unreliable.")
    document.save(path)
    return path


def test_docx_headings_and_numbers(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "grounds.docx")
    doc = docx_loader.load(path, str(path), "upload")[0]
    assert [(p.heading, p.number, p.text) for p in doc.paragraphs] == [
        ("Grounds of appeal", "1", "1. The judge erred on Article 3."),
        ("Grounds of appeal", "2", "2. Assurances are unreliable."),
    ]


# --- bad inputs --------------------------------------------------------------------------------------------------

ALL_LOADERS = {
    "un.json": un,
    "doc.pdf": pdf,
    "judgment.xml": akn,
    "law.md": statute_md,
    "post.md": markdown,
    "page.html": html,
    "note.txt": text,
    "file.docx": docx_loader,
}


def assert_bad(module, path: Path, reason: str) -> None:
    with pytest.raises(BadInputError) as info:
        module.load(path, path.name, "upload")
    message = str(info.value)
    assert path.name in message and reason in message, message


@pytest.mark.parametrize("name", sorted(ALL_LOADERS))
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert_bad(ALL_LOADERS[name], path, "empty file")


@pytest.mark.parametrize("name", sorted(ALL_LOADERS))
def test_binary_junk(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 4)
    reason = {"doc.pdf": "not a PDF", "file.docx": "not a DOCX"}.get(name, "binary data")
    assert_bad(ALL_LOADERS[name], path, reason)


@pytest.mark.parametrize("name", ["un.json", "judgment.xml", "law.md", "post.md", "page.html", "note.txt"])
def test_latin1_text_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes("# Décision du 12 février\n\nLe requérant a été extradé.\n".encode("latin-1"))
    assert_bad(ALL_LOADERS[name], path, "not valid UTF-8")


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("post.md", "---\ntitle: Only images\n---\n\n![](a.png)\n", "no text paragraphs"),
    ("law.md", "# 某法\n\n没有条文。\n", "no article lines"),
    ("note.txt", "----\n\n****\n", "no text paragraphs"),
    ("page.html", "<html><body><script>x()</script></body></html>", "no text"),
])
def test_documents_without_text(tmp_path: Path, name: str, content: str, reason: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    assert_bad(ALL_LOADERS[name], path, reason)


def test_truncated_xml_reports_position(corpus_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "2017-ewhc-1912-admin.xml"
    path.write_bytes((corpus_root / "national/uk-tna/2017-ewhc-1912-admin.xml").read_bytes()[:20000])
    assert_bad(akn, path, "broken XML at line")


def test_xml_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", "utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><judgment><judgmentBody><decision>'
        "<paragraph><num>1.</num><content><p>Text &x;</p></content></paragraph></decision></judgmentBody>"
        "</judgment></akomaNtoso>",
        "utf-8",
    )
    doc = akn.load(path, path.name, "upload")[0]
    assert "TOP SECRET" not in " ".join(p.text for p in doc.paragraphs)


def test_xml_that_is_not_akoma_ntoso(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<root><p>hello</p></root>", "utf-8")
    assert_bad(akn, path, "not an Akoma Ntoso judgment")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")
    assert_bad(pdf, path, "corrupt")


def test_encrypted_pdf(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "protected.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert_bad(pdf, path, "encrypted PDF")


def test_truncated_docx(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "full.docx").read_bytes()
    path = tmp_path / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    assert_bad(docx_loader, path, "corrupt or truncated DOCX")


def test_docx_without_text(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    path = tmp_path / "blank.docx"
    path.write_bytes(buffer.getvalue())
    assert_bad(docx_loader, path, "has no text")
