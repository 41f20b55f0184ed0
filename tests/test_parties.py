"""UK parties as the courts print them (`legal.parties`), on the corpus's own titles: no store, no model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.loaders import akn
from legal.parties import uk_parties


@pytest.mark.parametrize(("written", "printed"), [
    ("GOVERNMENT OF RWANDA v EMMANUEL NTEZIRYAYO [2017] EWHC 1912 (Admin), [97]",
     "Government of Rwanda v Emmanuel Nteziryayo [2017] EWHC 1912 (Admin), [97]"),
    ("NA (SUDAN) v THE SECRETARY OF STATE FOR THE HOME DEPARTMENT [2016] EWCA Civ 1060",
     "NA (Sudan) v The Secretary of State for the Home Department [2016] EWCA Civ 1060"),
    ("SECRETARY OF STATE FOR THE HOME DEPARTMENT v E [2007] EWHC 233 (Admin)",
     "Secretary of State for the Home Department v E [2007] EWHC 233 (Admin)"),
    ("Bashir & Ors, R (On the Application Of) v Secretary of State for the Home Department [2016] EWHC 954 (Admin)",
     "R (on the application of Bashir & Ors) v Secretary of State for the Home Department [2016] EWHC 954 (Admin)"),
    ("Simon Dolan (R on the application of) v Secretary of State for Health and Social Care [2020] EWCA Civ 1605",
     "R (on the application of Simon Dolan) v Secretary of State for Health and Social Care [2020] EWCA Civ 1605"),
    ("REGINA v RUSSELL KNAGGS [2018] EWCA Crim 1863", "R v Russell Knaggs [2018] EWCA Crim 1863"),
    ("KL v Regina [2014] EWCA Crim 1729", "KL v R [2014] EWCA Crim 1729"),
    ("Gould & Ors v R. [2021] EWCA Crim 447", "Gould & Ors v R [2021] EWCA Crim 447"),
    ("IPCOM GMBH & CO KG v VODAFONE GROUP PLC [2021] EWCA Civ 205",
     "Ipcom GmbH & Co KG v Vodafone Group plc [2021] EWCA Civ 205"),
    ("HAMDI AKIN IPEK v KOZA ALTIN ISLETMELERI AS [2020] EWCA Civ 1018",
     "Hamdi Akin Ipek v Koza Altin Isletmeleri AS [2020] EWCA Civ 1018"),
    ("GENERICS [UK] LIMITED trading as MYLAN v YEDA RESEARCH AND DEVELOPMENT [2012] EWHC 1848 (Pat)",
     "Generics [UK] Limited trading as Mylan v Yeda Research and Development [2012] EWHC 1848 (Pat)"),
    ("AK v A LONDON BOROUGH COUNCIL [2020] EWCA Civ 1755", "AK v A London Borough Council [2020] EWCA Civ 1755"),
])
def test_capitals_become_the_courts_title_case(written, printed):
    assert uk_parties(written) == printed


@pytest.mark.parametrize("kept", [
    "PBS Energo A.S. v Bester Generacion UK Ltd [2020] EWCA Civ 404",  # a mixed-case title keeps its acronyms
    "HM Attorney General v Akhter & Ors [2020] EWCA Civ 122",
    "R (on the application of ABC) v SSHD [2019] EWHC 1 (Admin)",
    "Saadi v. Italy [GC], no. 37201/06, § 125, 28 February 2008",  # no neutral citation: not a UK case
])
def test_what_is_already_in_court_style_stays(kept):
    assert uk_parties(kept) == kept


def test_no_corpus_title_names_the_crown_or_a_judicial_review_as_the_archives_file_it(corpus_root: Path) -> None:
    """Every UK title of the corpus, as a brief prints it: the Crown is `R` (not `Regina`, `R.`, `The Crown`), a
    claimant for judicial review sits inside `R (on the application of …)`, not before it."""
    printed = []
    for path in sorted((corpus_root / "national" / "uk-tna").glob("*.xml")):
        doc = akn.load(path, path.name, "national")[0]
        printed.append(uk_parties(f"{doc.title} {doc.extra['neutral_citation']}"))
    assert len(printed) == 67
    assert not [p for p in printed if re.search(r"\b(Regina|REGINA|The Crown)\b|\bv R\. |of\)", p)]
    assert sum(p.startswith("R (on the application of ") for p in printed) == 5
