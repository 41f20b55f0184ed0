"""The Council of Europe's member states, the respondents of Strasbourg cases: one list for every reader.

HUDOC names a respondent by code (`GBR`), the corpus and the Court's case names by its short English name (`United
Kingdom`), and briefs by whatever name the writer uses (`UK`, `Russian Federation`, `Türkiye`). Fetching from HUDOC,
reading a citation (`X v. <state>` is what tells a Strasbourg case from `R (X) v Home Secretary`) and comparing a
cited state with a judgment's all read this module.
"""

from __future__ import annotations

MEMBER_STATES: dict[str, str] = {
    "ALB": "Albania", "AND": "Andorra", "ARM": "Armenia", "AUT": "Austria", "AZE": "Azerbaijan", "BEL": "Belgium",
    "BGR": "Bulgaria", "BIH": "Bosnia and Herzegovina", "CHE": "Switzerland", "CYP": "Cyprus",
    "CZE": "Czech Republic", "DEU": "Germany", "DNK": "Denmark", "ESP": "Spain", "EST": "Estonia",
    "FIN": "Finland", "FRA": "France", "GBR": "United Kingdom", "GEO": "Georgia", "GRC": "Greece",
    "HRV": "Croatia", "HUN": "Hungary", "IRL": "Ireland", "ISL": "Iceland", "ITA": "Italy", "LIE": "Liechtenstein",
    "LTU": "Lithuania", "LUX": "Luxembourg", "LVA": "Latvia", "MCO": "Monaco", "MDA": "Republic of Moldova",
    "MKD": "North Macedonia", "MLT": "Malta", "MNE": "Montenegro", "NLD": "Netherlands", "NOR": "Norway",
    "POL": "Poland", "PRT": "Portugal", "ROU": "Romania", "RUS": "Russia", "SMR": "San Marino", "SRB": "Serbia",
    "SVK": "Slovakia", "SVN": "Slovenia", "SWE": "Sweden", "TUR": "Turkey", "UKR": "Ukraine",
}
"""HUDOC's respondent codes and the English short names the corpus uses (so `--state` filters match both)."""
OTHER_NAMES: dict[str, str] = {
    "Czechia": "Czech Republic", "Moldova": "Republic of Moldova",
    "former Yugoslav Republic of Macedonia": "North Macedonia", "Russian Federation": "Russia",
    "Slovak Republic": "Slovakia", "Türkiye": "Turkey", "UK": "United Kingdom",
}
"""Other names of a member state in judgments and briefs → the short name of `MEMBER_STATES`."""
FORMER_STATES = ("Serbia and Montenegro",)
"""Respondents of older judgments that are no longer a member state under that name."""
STATE_NAMES: tuple[str, ...] = (*MEMBER_STATES.values(), *FORMER_STATES, *OTHER_NAMES,
                                *(name[0].upper() + name[1:] for name in OTHER_NAMES if name[0].islower()))
"""Every name a respondent state is written with, a lower-case name also capitalised (it may open a sentence)."""
WITH_ARTICLE = frozenset({"United Kingdom", "Netherlands", "Czech Republic", "Slovak Republic", "Republic of Moldova",
                          "Russian Federation", "former Yugoslav Republic of Macedonia"})
"""The names the Court writes with `the`: `Soering v. the United Kingdom`."""
GOVERNMENT_ADJECTIVES: dict[str, str] = {
    "Albanian": "Albania", "Andorran": "Andorra", "Armenian": "Armenia", "Austrian": "Austria",
    "Azerbaijani": "Azerbaijan", "Belgian": "Belgium", "Bulgarian": "Bulgaria",
    "Bosnian-Herzegovinian": "Bosnia and Herzegovina", "Swiss": "Switzerland", "Cypriot": "Cyprus",
    "Czech": "Czech Republic", "German": "Germany", "Danish": "Denmark", "Spanish": "Spain", "Estonian": "Estonia",
    "Finnish": "Finland", "French": "France", "British": "United Kingdom", "Georgian": "Georgia", "Greek": "Greece",
    "Croatian": "Croatia", "Hungarian": "Hungary", "Irish": "Ireland", "Icelandic": "Iceland", "Italian": "Italy",
    "Lithuanian": "Lithuania", "Latvian": "Latvia", "Monegasque": "Monaco", "Moldovan": "Republic of Moldova",
    "Macedonian": "North Macedonia", "Maltese": "Malta", "Montenegrin": "Montenegro", "Dutch": "Netherlands",
    "Norwegian": "Norway", "Polish": "Poland", "Portuguese": "Portugal", "Romanian": "Romania", "Russian": "Russia",
    "Sammarinese": "San Marino", "Serbian": "Serbia", "Slovak": "Slovakia", "Slovakian": "Slovakia",
    "Slovenian": "Slovenia", "Swedish": "Sweden", "Turkish": "Turkey", "Ukrainian": "Ukraine",
}
"""How the Court names a respondent's Government by adjective (`The Turkish Government (“the Government”) were
represented …`) → the short name; a state the Court names by its name (`the United Kingdom Government`) needs none."""
