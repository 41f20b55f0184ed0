"""The citation grammar (`legal.citations`) on text alone: every form briefs and judgments use, what it must never
read as a citation, and hostile text read in linear time. No store, no model: these run in a second."""

from __future__ import annotations

import time

import pytest

from legal.citations import Scanner, applicant_tokens, names_one_judgment, scan_text
from legal.numerals import article_number, chinese_number
from legal.prc import PRC_LAWS
from legal.quotations import align
from legal.text import join_broken_hyphens


def one(text: str, scanner: Scanner | None = None):
    found = (scanner or Scanner()).scan(text)
    assert len(found) == 1, [c.text for c in found]
    return found[0]


@pytest.mark.parametrize(("text", "name", "state", "appnos", "pins"), [
    ("M.S.S. v. Belgium and Greece [GC], no. 30696/09, § 249, ECHR 2011.", "M.S.S.", "Belgium and Greece",
     ("30696/09",), ("249",)),
    ("F.G. v. Sweden [GC], no. 43611/11, § 111", "F.G.", "Sweden", ("43611/11",), ("111",)),
    ("NA. v. the United Kingdom, no. 25904/07, § 113, 17 July 2008", "NA.", "United Kingdom", ("25904/07",), ("113",)),
    ("In MSS v Belgium and Greece (2011) 53 EHRR 2 the Court", "MSS", "Belgium and Greece", (), ()),
    ("Öcalan v. Turkey [GC], no. 46221/99, §§ 199-213", "Öcalan", "Turkey", ("46221/99",),
     tuple(str(n) for n in range(199, 214))),
    ("see Üner v. the Netherlands [GC], no. 46410/99, § 57", "Üner", "Netherlands", ("46410/99",), ("57",)),
    ("Çakıcı v. Turkey [GC], no. 23657/94, § 98", "Çakıcı", "Turkey", ("23657/94",), ("98",)),
    ("Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, § 187", "Othman (Abu Qatada)", "United Kingdom",
     ("8139/09",), ("187",)),
    ("Mamatkulov and Askarov v. Turkey [GC], nos. 46827/99 and 46951/99, § 67", "Mamatkulov and Askarov", "Turkey",
     ("46827/99", "46951/99"), ("67",)),
    ("Varnava & others v Turkey (2010) 50 EHRR 21", "Varnava & others", "Turkey", (), ()),
    ("Soering v United Kingdom (1989) 11 EHRR 439 at [91]", "Soering", "United Kingdom", (), ("91",)),
    ("Saadi v Italy (2009) 49 EHRR 30 at [999]", "Saadi", "Italy", (), ("999",)),
    ("Soering v The United Kingdom (1989) 11 EHRR 439, at paragraph 91", "Soering", "United Kingdom", (), ("91",)),
    ("Golder v United Kingdom (1975) EHRR 524, at [28] to [36]", "Golder", "United Kingdom", (),
     tuple(str(n) for n in range(28, 37))),
])
def test_strasbourg_names_numbers_and_pinpoints(text, name, state, appnos, pins):
    c = one(text)
    assert (c.kind, c.form, c.name, c.state, c.appnos, c.paragraphs) == ("echr", "full", name, state, appnos, pins)


@pytest.mark.parametrize(("text", "name", "state", "appnos", "pins"), [
    ("(see Abdulaziz, Cabales and Balkandali v. the United Kingdom, 28 May 1985, § 67, Series A no. 94)",
     "Abdulaziz, Cabales and Balkandali", "United Kingdom", (), ("67",)),
    ("Luedicke, Belkacem and Koç v. Germany, 28 November 1978, § 40, Series A no. 29", "Luedicke, Belkacem and Koç",
     "Germany", (), ("40",)),
    ("see Kudła v.  [GC], no. 30210/96, § 92, ECHR 2000XI", "Kudła", None, ("30210/96",), ("92",)),
    ("B. and L. v. the , no. 36536/02, § 34, 13 September 2005", "B. and L.", None, ("36536/02",), ("34",)),
    ("see Berisha and Haljiti v. “the former Yugoslav Republic of Macedonia” [dec.], no. 18670/03, ECHR 2005-VIII",
     "Berisha and Haljiti", "former Yugoslav Republic of Macedonia", ("18670/03",), ()),
    ("Rozhkani v. Russia [Committee], 14918/14, § 25, 9 July 2019", "Rozhkani", "Russia", ("14918/14",), ("25",)),
    ("López Ostra v. Spain, judgment of 9 December 1994, Series A no. 303C, pp. 46-47, §§ 16-22", "López Ostra",
     "Spain", (), tuple(str(n) for n in range(16, 23))),
    ("Holzinger (no. 2) v. Austria, no. 28898/95, § 20", "Holzinger (no. 2)", "Austria", ("28898/95",), ("20",)),
])
def test_forms_of_the_courts_own_judgments(text, name, state, appnos, pins):
    """Forms the Court's judgments use (read by the citation graph with this grammar): a list of applicants, a
    respondent the corpus's conversion dropped (read only with an application number), a quoted respondent, the
    Committee formation, page references before the pinpoint, a number written before `v`."""
    c = one(text)
    assert (c.kind, c.form, c.name, c.state, c.appnos, c.paragraphs) == ("echr", "full", name, state, appnos, pins)


def test_a_respondent_is_never_a_short_name_and_a_dropped_one_needs_a_number():
    c = one("(see Holzinger (no. 2) v. Austria, cited above, § 32)")
    assert (c.form, c.name, c.number, c.paragraphs) == ("short", "Holzinger (no. 2)", 2, ("32",))
    assert scan_text("Smith v. , he said; Jones v. [GC] was cited") == []
    assert scan_text("In Smith, the Court said. Jones v. France, no. 1/05.")[0].name == "Jones"


def test_formation_decisions_variants_and_reports():
    c = one("Tomic v United Kingdom (application no. 17837/03) (dec.), 14 October 2003")
    assert c.decision and c.date == "2003-10-14" and c.appnos == ("17837/03",)
    assert one("KRS v United Kingdom (32733/08), (2009) 48 EHRR SE8").decision  # EHRR SE: a decision
    assert one("Al-Saadoon and Mufdhi v United Kingdom (Admissibility) (2009) 49 EHRR 1040").decision
    c = one("Öcalan v. Turkey (no. 2), nos. 24069/03 and 197/04, 18 March 2014")
    assert (c.number, c.date) == (2, "2014-03-18")
    assert one("Georgia v. Russia (I) [GC], no. 13255/07, § 197, ECHR 2014").number == 1
    assert one("Engel and Others v. the Netherlands (Article 50), 23 November 1976").variant == "article 50"
    assert one("Loizidou v Turkey (Merits) (1997) 23 EHRR 513").variant == "merits"
    c = one("Saadi v. Italy [GC], no. 37201/06, § 125, ECHR 2008")
    assert (c.grand_chamber, c.year, c.year_exact) == (True, 2008, True)
    c = one("Soering v. the United Kingdom, 7 July 1989, § 91, Series A no. 161")
    assert (c.date, c.reports) == ("1989-07-07", ("Series A no. 161",))
    c = one("Abdi v United Kingdom (2013) 56 EHHR 27")  # the judge's typo of EHRR is still the report
    assert (c.year, c.year_exact, c.reports) == (2013, False, ("(2013) 56 EHRR 27",))
    assert c.reporter is None  # a law report, not the Court's own
    assert [one(t).reporter for t in (
        "Saadi v. Italy [GC], no. 37201/06, § 125, ECHR 2008-II (extracts), (2009) 49 EHRR 30",
        "Soering v. the United Kingdom, (1989) 11 EHRR 439, Series A no. 161",
        "Wassink v. the Netherlands, 27 September 1990, § 38, Series A no. 185A",
        "Chahal v. the United Kingdom, 15 November 1996, § 80, Reports of Judgments and Decisions 1996-V",
        "S. v. Switzerland, no. 13325/87, (dec.), 15 December 1988, DR 59 p. 257",
        "Othman (Abu Qatada) v United Kingdom [2012] ECHR 56")] == [
        "ECHR 2008-II (extracts)", "Series A no. 161", "Series A no. 185A",
        "Reports of Judgments and Decisions 1996-V", None, None]
    assert [names_one_judgment(r) for r in ("(2013) 56 EHRR 27", "(2008) ECHR 14", "Series A no. 161", "ECHR 2012",
                                            "Reports of Judgments and Decisions 1996-V")] == [True] * 3 + [False] * 2
    assert one("Maslov v Austria [2009] INLR 47").kind == "echr"  # INLR prints Strasbourg judgments too
    assert one("Ocalan (2000) 51 EHRR CD231 may also be explained").name == "Ocalan"  # named by its report alone


def test_short_forms_with_and_without_cited_above_and_ibid():
    s = Scanner()
    one("Tarakhel v Switzerland (2015) 60 EHRR 28.", s)
    cases = {"Tarakhel, para. 103": ("103",), "Tarakhel (§ 115)": ("115",), "Tarakhel at [103]": ("103",),
             "Tarakhel, cited above, §§ 114-115": ("114", "115"), "Tarakhel (supra) para 37": ("37",),
             # OSCOLA's subsequent citations (the footnote of the full one) and the Latin ones: unread before, so a
             # wrong pinpoint written so went unreported
             "Tarakhel (n 1) para 103": ("103",), "Tarakhel (above n 12) at [115]": ("115",),
             "Tarakhel (above) § 115": ("115",), "Tarakhel, op. cit., para. 103": ("103",),
             "Tarakhel, loc. cit., § 115": ("115",)}
    for text, pins in cases.items():
        c = one(f"As held in {text}, the", s)
        assert (c.form, c.name, c.paragraphs) == ("short", "Tarakhel", pins), text
    one("Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, § 187.", s)
    assert one("Othman (Abu Qatada), cited above, § 260.", s).paragraphs == ("260",)
    c = one("the argument was rejected (ibid., § 138).", s)
    assert (c.form, c.paragraphs) == ("ibid", ("138",))
    # a contract's dotted clause number is no paragraph (2017 EWHC 1461 (QB) [5], read as `ibid. § 1` of the Strasbourg
    # judgment cited before it, then "cannot verify")
    assert not s.scan("responsible “as directed by the Authority” (Schedule D4 §1.1.1). Escort movements are directed "
                      "in writing (ibid. §1.1.8), in accordance with the Removal Directions (ibid §2.4.2).")
    # a name the text never cited from Strasbourg is no short form: `Re PS (supra)` is a domestic case
    assert not Scanner().scan("the decisions of Munby J. in Re PS (supra) and Tarakhel, para. 103")


def test_us_id_pilcrows_footnote_cross_references_and_loc_cit():
    """Forms a lawyer writes that were unread, so a wrong pinpoint written so went unreported: the US `Id., § 80`,
    `id. at § 80` and `¶ 125`; OSCOLA's `Saadi (n 12), [96]` / `(n 12) [96]` (a bracketed pinpoint after the
    footnote reference); the US `supra note 12, § 80` (read as `supra` alone, its pinpoint lost); `loc. cit.` without
    a pinpoint (the place cited before). Each keeps the footnote it names (`Citation.note`)."""
    s = Scanner()
    assert one("Saadi v. Italy [GC], no. 37201/06, ¶ 1250 (2008).", s).paragraphs == ("1250",)
    for text, form, pins in (("Id., § 80.", "ibid", ("80",)), ("See id. at § 80.", "ibid", ("80",)),
                             ("Id. ¶¶ 79-80.", "ibid", ("79", "80")),
                             ("Id., paras 125-127.", "ibid", ("125", "126", "127")),
                             ("Saadi, ¶ 125.", "short", ("125",))):
        c = one(text, s)
        assert (c.form, c.paragraphs) == (form, pins), text
    for text, note, pins in (("Saadi (n 12), [96].", 12, ("96",)), ("Saadi (n 12) [96].", 12, ("96",)),
                             ("Saadi, supra note 3, § 80.", 3, ("80",)), ("Saadi, supra n. 3, at § 80.", 3, ("80",)),
                             ("Saadi (above n 4) para 7.", 4, ("7",))):
        c = one(text, s)
        assert (c.form, c.name, c.note, c.paragraphs) == ("short", "Saadi", note, pins), text
    for text, note in (("(n 12) [96].", 12), ("Supra note 12, § 96.", 12)):  # the name left to the footnote
        c = one(text, s)
        assert (c.form, c.name, c.note, c.paragraphs) == ("note", None, note, ("96",)), text
    c = one("Othman (n 4) [258].", Scanner())  # a name not cited in full before: the note it names cites it
    assert (c.form, c.name, c.note, c.paragraphs) == ("short", "Othman", 4, ("258",))
    c = one("Saadi, loc. cit.", s)
    assert (c.form, c.same_place, c.paragraphs) == ("short", True, ())
    assert not s.scan("The identity (ID) card, id est the document, is no citation; nor is Id. alone.")


def test_oscola_citations_with_their_court_and_date_and_ranges_with_to():
    """OSCOLA, the UK's citation standard, puts the court and date in brackets after the application number; the
    tail stopped there, so the date and the pinpoint after it were never read (a wrong one went unreported), and a
    range written `124 to 127` was read as its first paragraph only."""
    c = one("Othman (Abu Qatada) v United Kingdom App no 8139/09 (ECtHR, 17 January 2012) para 189.")
    assert (c.appnos, c.date, c.paragraphs) == (("8139/09",), "2012-01-17", ("189",))
    c = one("Saadi v Italy App no 37201/06 (ECtHR [GC], 28 February 2008) [125].")
    assert (c.date, c.grand_chamber, c.paragraphs) == ("2008-02-28", True, ("125",))
    assert one("Balogh v Hungary App no 47940/99 (ECtHR, 20 July 2004)").date == "2004-07-20"
    assert one("Saadi v. Italy [GC], no. 37201/06, §§ 124 to 127, ECHR 2008").paragraphs == ("124", "125", "126",
                                                                                           "127")
    assert one("Tarakhel v Switzerland (2015) 60 EHRR 28, paras 93 to 95").paragraphs == ("93", "94", "95")


def test_domestic_cases_and_law_reports_are_not_strasbourg_or_un_citations():
    found = scan_text("Lazar v Romania [2013] EWHC 1234 (Admin); Hoholm v Norway [2009] EWHC 1513 (Admin); "
                      "R (Ullah) v Special Adjudicator [2004] 2 AC 323; Florea v Romania [2014] 1 WLR 5; "
                      "and [2012] BLGR 530 and [2015] BLGR 843.")
    assert [(c.kind, c.name) for c in found] == [("uk", "[2013] EWHC 1234 (Admin)"), ("uk", "[2009] EWHC 1513 (Admin)")]
    s = Scanner()  # the same name against the same state later, without a Strasbourg mark, is the domestic case
    s.scan("The Law Debenture Trust Corporation plc v. Ukraine, [2018] EWCA Civ 2026 at [65].")
    assert not s.scan("In The Law Debenture Trust Corporation plc v. Ukraine the claimant")
    s = Scanner()  # a short form whose name a domestic case also bears may mean either
    s.scan("In Al-Jedda v Secretary of State for Defence [2007] UKHL 58 the House of Lords held. The Grand Chamber "
           "(Al-Jedda v United Kingdom (2011) 53 EHRR 23) did not.")
    assert one("Lord Brown in Al-Jedda at [145].", s).domestic_namesake


def test_a_name_the_source_broke_at_a_line_end_is_read_whole():
    """2014 EWCA Crim 1729 [36] prints `Al- Adsani v. United Kingdom` (a line break become a space): the name is
    Al-Adsani, in full and short form, never `Adsani`; real dashes and suspended hyphens of real titles stay."""
    full, short = scan_text("by the European Court of Human Rights in Al- Adsani v. United Kingdom (2002) 34 EHRR 11. "
                            "See Al- Adsani, cited above, § 54.")
    assert (full.name, full.text) == ("Al-Adsani", "Al-Adsani v. United Kingdom (2002) 34 EHRR 11")
    assert short.name == "Al-Adsani" and applicant_tokens(short.name) == applicant_tokens("Al-Adsani")
    for real in ("Article 3 - prohibition of torture", "Stockholms Försäkrings- och Skadeståndsjuridik AB v. Sweden",
                 "LAND- UND FORSTWIRTSCHAFTLICHEN GRUNDBESITZES", "Part V- The Law", "pre- and post-trial"):
        assert join_broken_hyphens(real) == real


def test_a_case_the_text_places_before_another_court_is_not_strasbourgs():
    """2014 EWCA Crim 1729 [36], as written: the ICJ's cases are named by the court or by their report, Al-Adsani by
    Strasbourg's; a Strasbourg mark keeps a case the Court's whatever the sentence says, and another court named in an
    earlier sentence places nothing."""
    found = scan_text("It has been rejected by the International Court of Justice in Arrest Warrant of 11 April 2000 "
                      "(Democratic Republic of Congo v. Belgium) ICJ Rep. (2002) 3, paras. 58, 78; Armed Activities "
                      "(Democratic Republic of Congo v Rwanda) ICJ Rep. (2006) 6 at paras. 64 and 125; Jurisdictional "
                      "Immunities of the State (Germany v. Italy, Greece Intervening), Judgment of 3 February 2012, at "
                      "paras. 92-97 and by the European Court of Human Rights in Al-Adsani v. United Kingdom (2002) 34 "
                      "EHRR 11.")
    assert [c.name for c in found] == ["Al-Adsani"]
    assert not scan_text("Commission v. Germany, decided by the Court of Justice of the European Union in 2019")
    assert not scan_text("the CJEU in Commission v. Germany held")
    assert not scan_text("(North Sea Continental Shelf, Germany v. Denmark) (1969 ICJ Reports 3)")
    assert [c.name for c in scan_text("The ICJ in Germany v. Italy said so; the Strasbourg court in Ireland v. the "
                                      "United Kingdom did not.")] == ["Ireland"]
    assert [c.name for c in scan_text("The ICJ has said so. Soering v. the United Kingdom is not an ICJ case.")] \
        == ["Soering"]
    assert [c.appnos for c in scan_text("the International Court of Justice and Saadi v. Italy [GC], no. 37201/06, "
                                        "§ 125")] == [("37201/06",)]
    assert [c.name for c in scan_text("the High Court of Justice in Soering v United Kingdom")] == ["Soering"]


def test_uk_neutral_citations_and_their_pinpoints():
    for text, neutral, pins in [
        ("[2017] EWHC 1912 (Admin), [45]", "[2017] EWHC 1912 (Admin)", ("45",)),
        ("[2004] UKHL 26 at [20]", "[2004] UKHL 26", ("20",)),
        ("[2006] EWCA Civ. 1141 at [7-8 and 12-14]", "[2006] EWCA Civ 1141", ("7", "8", "12", "13", "14")),
        ("[2006] EWCA Civ 1140, at [44] and [65]", "[2006] EWCA Civ 1140", ("44", "65")),
        ("[2002] EWCA Civ. 1868 at 14-16 is", "[2002] EWCA Civ 1868", ("14", "15", "16")),
        ("[2001]UKHL 47; [2003] AC 153", "[2001] UKHL 47", ()),
        ("[2007] EWHC 2123 (Admin) at paragraph 23", "[2007] EWHC 2123 (Admin)", ("23",)),
    ]:
        c = one(text)
        assert (c.kind, c.name, c.paragraphs) == ("uk", neutral, pins), text


def test_a_uk_judgment_cited_by_a_partys_name_and_a_pinpoint_after_its_neutral_citation():
    """`Nteziryayo at [1189]` after `Government of Rwanda v Nteziryayo [2017] EWHC 1912 (Admin)`: that judgment at
    [1189] (it has 499 paragraphs). The short form was not read, so a wrong pinpoint in it passed unseen. The corpus's
    judgments write them so (2020 EWCA Civ 1637: `Cardtronics Europe Ltd v Sykes (“Cardtronics SC”) [2020] UKSC 21`,
    then `Cardtronics SC at [13]`; 2016 EWHC 2639 (Admin): `SG at [82]`). An office or body is no party name (`the
    Secretary of State at [5]`), nor a bare name before a bracketed pinpoint (2017 EWHC 1912 (Admin) [242]: `tried in
    Rwanda (paragraph 548)`, the judgment under appeal, after `VB and Others v Rwanda [2014] EWHC 889 (Admin)`), nor
    a name the text cited from Strasbourg (`Saadi at [125]` stays the ECtHR short form)."""
    scanner = Scanner()
    scanner.scan("The Divisional Court in Government of Rwanda v Nteziryayo [2017] EWHC 1912 (Admin) and in VB and "
                 "Others v Rwanda [2014] EWHC 889 (Admin); R (Ullah) v Secretary of State for the Home Department "
                 "[2004] UKHL 26. Saadi v. Italy [GC], no. 37201/06, § 125.")
    found = scanner.scan("See Nteziryayo at [1189] and Nteziryayo at paragraphs 63-64. Ullah, at [20]. The Secretary "
                         "of State at [5]. He will be tried in Rwanda (paragraph 548). Saadi at [125].")
    assert [(c.kind, c.form, c.text, c.name, c.paragraphs) for c in found] == [
        ("uk", "short", "Nteziryayo at [1189]", "[2017] EWHC 1912 (Admin)", ("1189",)),
        ("uk", "short", "Nteziryayo at paragraphs 63-64", "[2017] EWHC 1912 (Admin)", ("63", "64")),
        ("uk", "short", "Ullah, at [20]", "[2004] UKHL 26", ("20",)),
        ("echr", "short", "Saadi at [125]", "Saadi", ("125",))]


def test_a_long_judgments_four_digit_pinpoint_is_a_paragraph_not_a_year():
    """2018 EWHC 1077 (Ch) runs to 1,500 paragraphs; its appeal (2020 EWCA Civ 408) cites the judge's findings so
    (`The judge found at [1131]`, `([1131]-[1134])`). `[1189]` after the neutral citation went unread (the bracket
    took three digits at most), so a brief's wrong pinpoint there passed; `at [1999] 1 BCLC at page 489` (2003 EWHC
    1319 (Ch)) is a report's year, not paragraph 1999."""
    for text, pins in [
        ("Bank St Petersburg PJSC v Arkhangelsky [2018] EWHC 1077 (Ch), [1189]", ("1189",)),
        ("[2018] EWHC 1077 (Ch) at [1131]-[1134]", ("1131", "1132", "1133", "1134")),
        ("[2018] EWHC 1077 (Ch) at [1131], [2020] EWCA Civ 408", ("1131",)),
    ]:
        c = scan_text(text)[0]
        assert (c.kind, c.name, c.paragraphs) == ("uk", "[2018] EWHC 1077 (Ch)", pins), text
    c = one("Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, [1189], ECHR 2012")
    assert (c.paragraphs, c.year, c.reports) == (("1189",), 2012, ("ECHR 2012",))
    assert one("Soering v United Kingdom [1989] 11 EHRR 439").paragraphs == ()
    assert one("[2004] UKHL 56, [2005] 2 AC 68 when it was held").paragraphs == ()
    assert one("Saadi v Italy (2009) 49 EHRR 30 at [1999] 1 BCLC 489").paragraphs == ()
    # parallel reports after a neutral citation or a case, as the corpus's judgments print them (2015 EWCA Crim 1567,
    # 2011 EWHC 2443 (Fam), 2020 EWCA Civ 1331): a year, never paragraph 2012
    for text in ("R v E [2011] EWCA Crim 3028, [2012] Crim L.R. 563.",
                 "Steel v United Kingdom (1999) 28 EHRR 603, [1998] Crim. L.R. 893 and",
                 "[2005] UKHL 4, [2005] 1 W.L.R. 393, [2005] 2 Cr. App. R. 1;",
                 "Glass v United Kingdom [2004] Lloyd’s Rep Med 76, the European Court",
                 "[2019] UKSC 33; [2019] 1 W.L.R. 4317.", "[2011] EWCA Crim 3028, [2012] 1 Cr App R (S) 100",
                 "R v Jones [2002] UKHL 5, [2003] 1 A.C. 1, [2002] 2 Cr. App. R. 9.",
                 "Trust [2014] EWCA Civ 1514, [2015] 1 P. & C.R. 12, Sir Terence",
                 "Ltd [2005] EWHC 1623 (Pat), [2006] RPC at [60] “over-meticulousness"):
        assert scan_text(text)[0].paragraphs == (), text
    assert one("[2018] EWHC 1077 (Ch), [1189] The judge found").paragraphs == ("1189",)


@pytest.mark.parametrize(("text", "committee", "key", "pins"), [
    ("Committee against Torture, General Comment No. 4 (2017), para. 12", "CAT", "GC-4", ("12",)),
    ("CCPR General Comment No. 20, § 9", "CCPR", "GC-20", ("9",)),
    ("the Human Rights Committee’s general comment No. 36, para. 30", "CCPR", "GC-36", ("30",)),
    ("General Comment No. 14 (2013) on the UNCRC by the Committee on the rights of children", "CRC", "GC-14", ()),
    ("General Recommendation No. 19 of the Committee on the Elimination of Discrimination against Women", "CEDAW",
     "GR-19", ()),
    ("General Comment No. 14 (CRC/C/GC/14), para. 6", "CRC", "GC-14", ("6",)),
    ("under the UNCRC Article 31, which recognised play, as General Comment 17 made clear", "CRC", "GC-17", ()),
])
def test_un_general_comments_by_committee_name_abbreviation_treaty_or_symbol(text, committee, key, pins):
    c = one(text)
    assert (c.kind, c.name, c.key, c.paragraphs) == ("un", committee, key, pins)


def test_a_later_bare_general_comment_is_the_one_named_before():
    s = Scanner()
    one("General Comment No. 14 (2013) on the UNCRC, para. 6", s)
    assert one("As General Comment 14 says, children", s).name == "CRC"
    assert one("General Comment No. 14, para. 2").name is None  # nothing names the committee: ambiguous later


@pytest.mark.parametrize(("text", "key", "pins", "year"), [
    ("《中华人民共和国监察法》第二十二条", "监察法", ("22",), None),
    ("依据监察法第22条", "监察法", ("22",), None),
    ("《刑法》第一百二十条之一", "刑法", ("120-1",), None),
    ("Article 22 of the Supervision Law", "监察法", ("22",), None),
    ("Criminal Law of the People's Republic of China (as amended to 2023), art. 383 "
     "(中华人民共和国刑法 第三百八十三条).", "刑法", ("383",), 2023),
    ("Criminal Law (as amended to 2023), art. 383 (中华人民共和国刑法 第三百八十三条).", "刑法", ("383",), 2023),
    ("Criminal Law of the People's Republic of China (as amended to 2023), art. 17-1 (中华人民共和国刑法 第十七条之一)",
     "刑法", ("17-1",), 2023),
    ("Criminal Procedure Law of the People's Republic of China (2018), art. 75", "刑事诉讼法", ("75",), 2018),
    ("embezzlement of public funds (Criminal Law, art. 382)", "刑法", ("382",), None),
    ("Supervision Law of the People's Republic of China (2018), cited above, art. 43 (中华人民共和国监察法 第四十三条)",
     "监察法", ("43",), 2018),
    ("- Criminal Law of the People's Republic of China (as amended to 2023): art. 383", "刑法", ("383",), 2023),
])
def test_prc_statutes_in_chinese_and_in_the_english_this_tool_writes(text, key, pins, year):
    c = one(text)
    assert (c.kind, c.key, c.paragraphs, c.year) == ("prc", key, pins, year)


def test_every_english_statute_title_of_the_corpus_is_read():
    """Every English title the statute loader cites by (`legal.prc.PRC_LAWS`), and every other name, is read as a
    citation of that statute."""
    for law in PRC_LAWS:
        for name in (law.english, *law.names):
            c = one(f"{name} (2018), art. 5")
            assert c.kind == "prc" and c.key is not None, name
            assert c.key.replace("中华人民共和国", "") in law.chinese.replace("中华人民共和国", ""), law.chinese


def test_chinese_numerals_never_raise():
    assert [chinese_number(t) for t in ("一百零五", "十二", "二百", "22", "十七条之", "二三", "")] == [
        105, 12, 200, 22, None, None, None]
    assert article_number("第一百二十条之一") == (120, 1)
    assert article_number("第十七条之一") == (17, 1)
    assert article_number("第十七条之") is None


def test_initials_and_accents_compare_as_the_court_prints_them():
    assert applicant_tokens("MSS") == applicant_tokens("M.S.S.") == ("mss",)
    assert applicant_tokens("Ocalan") == applicant_tokens("Öcalan") == ("ocalan",)
    assert applicant_tokens("Şeri̇Fe Yi̇Ği̇T") == ("serife", "yigit")  # HUDOC's stray combining dots


def test_quotation_grades_by_alignment():
    source = ("The Court reiterates that the prohibition of torture and of inhuman or degrading treatment or "
              "punishment is absolute, irrespective of the victim's conduct.")
    assert align("the prohibition of torture and of inhuman or degrading treatment or punishment is absolute",
                 source).grade == "verbatim"
    assert align("the prohibition of torture […] is absolute, irrespective of the victim's conduct",
                 source).grade == "verbatim"  # fragments split at the omission
    near = align("the prohibition of torture and of inhuman or degrading treatment or punishment is absolute, "
                 "irrespective of the applicant's conduct", source)
    assert near.grade == "near" and near.missing == ("applicant",)
    differs = align("the prohibition of torture and of inhuman or degrading treatment is not absolute, whatever the "
                    "victim's conduct", source)
    assert differs.grade == "differs" and differs.missing == (
        "is not absolute, whatever [the source: or punishment is absolute, irrespective of]",)
    assert align("states may deport anyone they consider dangerous to national security", source).grade == \
        "not_found"
    article = "被调查人涉嫌贪污贿赂、失职渎职等严重职务违法或者职务犯罪"
    assert align("被调查人涉嫌贪污贿赂、失职渎职等严重职务违法", article).grade == "verbatim"  # character by character


def test_a_quotation_that_turns_the_source_round_is_no_near_match():
    """Herczegfalvy v. Austria § 82 as 2011 EWHC 2443 (Fam) [92] quotes it, then with one word changed, as a lawyer's
    slip or a drafting model's would: each change is one word in thirty (0.97 of the words, `near` before), but it
    says the opposite of the source or a number it does not give, so the quotation differs."""
    source = ("The established principles of medicine are admittedly in principle decisive in such cases; as a general "
              "rule, a measure which is a therapeutic necessity cannot be regarded as inhuman or degrading. The Court "
              "must nevertheless satisfy itself that the medical necessity has been convincingly shown to exist.")
    quoted = ("as a general rule, a measure which is a therapeutic necessity cannot be regarded as inhuman or "
              "degrading. The court must nevertheless satisfy itself that the medical necessity has been convincingly "
              "shown to exist.")
    assert align(quoted, source).grade == "verbatim"
    for old, new, said in (("cannot be", "can be", "can [the source: cannot]"),
                           ("has been convincingly", "has not been convincingly", "not [the source: …]"),
                           ("as inhuman", "as humane and not inhuman", "humane and not [the source: …]"),
                           ("rule, a measure", "rule, 2 measures", "2 measures [the source: a measure]")):
        changed = align(quoted.replace(old, new), source)
        assert (changed.grade, changed.missing) == ("differs", (said,)), (new, changed)
    # a changed word that keeps the sense, a word left out, a number left out: near, the words named
    for old, new, said in (("convincingly", "clearly", "“clearly” for the source's “convincingly”"),
                           ("therapeutic ", "", "“therapeutic” left out")):
        changed = align(quoted.replace(old, new), source)
        assert (changed.grade, changed.differences) == ("near", (said,)), changed
    # `cannot` written another way keeps its force and its negation: near (`differs` once `can` counted as a
    # permission and `cannot` did not, session 21)
    for new in ("can't", "can not", "may not"):
        changed = align(quoted.replace("cannot", new), source)
        assert (changed.grade, changed.differences) == ("near", (f"“{new}” for the source's “cannot”",)), changed
    # as a lawyer edited a drafted brief: Soering § 91 without `(art. 3)` (was `“3 art” left out`, the matcher taking
    # the second `3`), Chahal § 79's end reordered (was `“conduct” for the source's “victim s conduct unlike most”`,
    # `of the` matched in a later sentence)
    soering = "may give rise to an issue under Article 3 (art. 3), and hence engage the responsibility of that State"
    assert align(soering.replace(" (art. 3)", ""), soering).differences == ("“art. 3” left out",)
    chahal = ("the Convention prohibits in absolute terms torture or inhuman or degrading treatment or punishment, "
              "irrespective of the victim's conduct. Unlike most of the substantive clauses of the Convention")
    assert align("the Convention prohibits in absolute terms torture or inhuman or degrading treatment or punishment, "
                 "irrespective of the conduct of the victim", chahal).differences == (
        "“conduct of the victim” not in the source",)
    # a heading at the quotation's start: 2020 EWCA Civ 122 sets out Article 12 as Johnston v. Ireland § 49 does
    johnston = ("… because of the impossibility under Irish law of obtaining a dissolution of Roy Johnston’s marriage "
                "and of his resultant inability to marry Janice Williams-Johnston, they were victims of breaches of "
                "Articles 12 and 8 (art. 8, art. 12) of the Convention. These provisions read as follows:\nArticle 12 "
                "(art. 12)\n\"Men and women of marriageable age have the right to marry and to found a family, "
                "according to the national laws governing the exercise of this right.\"")
    heading = align("Article 12 - right to marry Men and women of marriageable age have the right to marry and to "
                    "found a family, according to the national laws governing the exercise of this right.", johnston)
    assert heading.grade == "near"
    # a letter changed in brackets is no insertion: 2010 EWCOP 621 [55] quotes H.L. v. the United Kingdom § 49 as
    # "[N]either habeas corpus …", which read as `either` for the source's `neither` (a false alarm)
    hl = ("But neither habeas corpus nor judicial review are sufficient safeguards against misjudgments and "
          "professional lapses in the case of compliant incapacitated patients.")
    hl_near = align("[N]either habeas corpus nor judicial review are sufficient safeguards against misjudgements and "
                    "professional lapses", hl)
    assert (hl_near.grade, hl_near.coverage, hl_near.missing, hl_near.differences) == (
        "near", 13 / 14, ("misjudgements",), ("“misjudgements” for the source's “misjudgments”",))
    assert align("may give rise to an issue under Article 3, and hence engage the responsibility of that State",
                 "may give rise to an issue under Article 3 (art. 3), and hence engage the responsibility of that "
                 "State").grade == "near"


def test_a_close_quotation_is_described_in_the_briefs_and_the_sources_own_words():
    """The differences of a close quotation were named in folded words (`“johnston” for the source's
    “williamsjohnston”`: lower case, hyphens joined, accents removed); a lawyer needs to find them, in the brief as
    written and in the source as printed. Johnston v. Ireland § 49 as 2020 EWCA Civ 122 quotes it, with the name
    shortened; the Supervision Law art. 43 with `可以` shortened and the quotation running on."""
    johnston = ("… because of the impossibility under Irish law of obtaining a dissolution of Roy Johnston’s marriage "
                "and of his resultant inability to marry Janice Williams-Johnston, they were victims of breaches of "
                "Articles 12 and 8 (art. 8, art. 12) of the Convention.")
    quoted = ("the impossibility under Irish law of obtaining a dissolution of Roy Johnston’s marriage and of his "
              "resultant inability to marry Janice Johnston, they were victims of breaches of Articles 12 and 8")
    close = align(quoted, johnston)
    assert close.grade == "near" and close.differences == ("“Johnston” for the source's “Williams-Johnston”",)
    change = close.changes[0]
    assert quoted[slice(*change.said_span)] == "Johnston" and change.said == "Johnston"
    assert johnston[slice(*change.source_span)] == "Williams-Johnston" and change.source == "Williams-Johnston"
    accented = align("the applicant, Mr Öcalan, was “at real risk” of treatment contrary to Article 3 by reason",
                     "The Court considers that the applicant, Mr Ocalan, was at real risk of ill-treatment contrary to "
                     "Article 3 by reason of his detention.")
    assert accented.differences == ("“treatment” for the source's “ill-treatment”",)
    # a word changed at the quotation's end (Soering § 91 as a lawyer edited a drafted brief): named with the source's
    # word it replaces, since the words after it agree (was `“receiving country” not in the source`)
    soering = ("faces a real risk of being subjected to torture or to inhuman or degrading treatment or punishment in "
               "the requesting country.")
    assert align(soering.replace("requesting", "receiving"), soering).differences == (
        "“receiving” for the source's “requesting”",)
    article = "留置时间不得超过三个月。在特殊情况下，可以延长一次，延长时间不得超过三个月。"
    assert align("留置时间不得超过三个月。在特殊情况下，可延长一次，延长时间不得超过三个月", article).differences == (
        "“以” left out",)
    assert align("留置时间不得超过三个月。在特殊情况下，可以延长一次，延长时间不得超过三个月并可再次延长",
                 article).differences == ("“并可再次延长” not in the source",)  # was `“并 可 再 次 延 长”`
    # a phrase the source repeats: Supervision Law art. 43 says 监察机关采取留置措施 three times; the quotation of its
    # first sentence was aligned with the third (the longest run first) and came out `differs`, naming words the
    # source holds as missing (a drafted brief with 应当 "shall" edited to 可以 "may"). That edit changes the law the
    # article states (the leaders must decide together; edited, they may): `differs`, as a negation is; it passed as
    # `near` before session 21. 必须 for 应当 (must for shall) is the same force, and stays `near`
    art43 = ("监察机关采取留置措施，应当由监察机关领导人员集体研究决定。"
             "设区的市级以下监察机关采取留置措施，应当报上一级监察机关批准。"
             "省级监察机关采取留置措施，应当报国家监察委员会备案。")
    shall = align("监察机关采取留置措施，可以由监察机关领导人员集体研究决定。", art43)
    assert (shall.grade, shall.differences) == ("differs", ("“可以” for the source's “应当”",))
    assert align("可以由监察机关领导人员集体研究决定。设区的市级以下监察机关采取留置措施", art43).grade == "differs"
    assert align("监察机关采取留置措施，必须由监察机关领导人员集体研究决定。", art43).grade == "near"
    soering_91 = ("In so far as any liability under the Convention is or may be incurred, it is liability incurred by "
                  "the extraditing Contracting State")
    assert align(soering_91.replace("may be", "must be"), soering_91).grade == "differs"
    # a number changed at a quotation's end, where the source has its own number there: the Supervision Law (2018)
    # art. 23's three days to release frozen property quoted as five (`near` before session 21: an end was not
    # compared); the quotation's own ending short of the number, or a number the source lacks there, stays as it was
    art23 = "冻结的财产经查明与案件无关的，应当在查明后三日内解除冻结，予以退还。"
    assert align("冻结的财产经查明与案件无关的，应当在查明后五日", art23).grade == "differs"
    assert align("冻结的财产经查明与案件无关的，应当在查明后三日", art23).grade == "verbatim"
    assert align("冻结的财产经查明与案件无关的，应当在查明后", art23).grade == "verbatim"
    assert align(soering_91 + " 92", soering_91 + ".").grade == "near"
    # a Chinese numeral changed is a number the source does not give: six months of retention for three
    assert align("留置时间不得超过六个月。在特殊情况下，可以延长一次", article).grade == "differs"
    assert align("留置时间得超过三个月。在特殊情况下，可以延长一次", article).grade == "differs"  # `不` left out


HOSTILE = {
    "300 KB of capitalised words": " ".join(["Smith", "Jones", "Öcalan", "Court", "See", "Others"] * 10_000),
    "See Smith and 30,000 × and Others": "See Smith" + " and Others" * 30_000,
    "the same, ending in v. Italy": "See Smith" + " and Others" * 30_000 + " v. Italy",
    "100,000 × v.": "v. " * 100_000,
    "30,000 × A v. Italy": "A v. Italy " * 30_000,
    "a §§ list of 60,000 numbers": "§§ " + ", ".join(str(i) for i in range(60_000)),
    "cited above, §§ with 50,000 numbers": "Saadi, cited above, §§ " + " and ".join(str(i % 999)
                                                                                   for i in range(50_000)),
    "15,000 × General Comment No. 4": "General Comment No. 4 " * 15_000,
    "60,000 × 第二十二条": "第二十二条" * 60_000,
    "45,000 × art. 1": "art. 1 " * 45_000,
    "300,000 opening quotation marks": "“" * 300_000,
    "300,000 opening brackets": "Saadi v. Italy " + "(" * 300_000,
    "60,000 application numbers": "Saadi v. Italy, nos. " + ", ".join("1/06" for _ in range(60_000)),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_is_read_in_linear_time(name):
    """Each of these took from 17 s to more than 100 s with the old case-name pattern (issue 23); the grammar reads
    each in well under a second of CPU on a quick machine, and the slowest here, 30,000 × "A v. Italy" (30,000
    citations read), in 2.7 s on an AVX2-only one that is ~2.2× slower (session 16; failing a 3 s bound there under
    load). The bound is CPU time, not wall time: the machine is shared; 8 s still fails the old pattern twice over."""
    text = HOSTILE[name]
    assert len(text) > 250_000
    started = time.process_time()
    Scanner().scan(text)
    assert time.process_time() - started < 8.0, name
