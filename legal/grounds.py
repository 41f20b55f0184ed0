"""The vocabulary of the grounds against extradition: what a brief searches for, says and asks for under each.

Pure data with no I/O, shared by the drafting assistant (`kb.drafting`) and anything else that reasons about grounds;
the registry of grounds a matter may choose (`kb.drafting.matters.GROUNDS`) names the same keys.
"""

PRINCIPLE_QUERIES: dict[str, tuple[str, ...]] = {
    "article3": (
        "substantial grounds for believing that the person concerned if extradited faces a real risk of being "
        "subjected to torture or inhuman or degrading treatment Article 3 responsibility of the Contracting State",
        "absolute prohibition of torture expulsion removal irrespective of the conduct of the person concerned",
    ),
    "article6": (
        "flagrant denial of justice in the requesting country extradition Article 6 fair trial",
        "evidence obtained by torture admitted at trial flagrant denial of justice",
    ),
    "article5": (
        "flagrant breach of Article 5 arbitrary detention without trial in the receiving state removal",
    ),
    "assurances": (
        "diplomatic assurances quality reliability weight given to assurances practical application factors",
        "assurances against ill-treatment where torture is endemic or persistent monitoring compliance",
    ),
    "death_penalty": (
        "death penalty death row phenomenon extradition inhuman treatment Article 3",
        "life sentence irreducible without prospect of release or review extradition",
    ),
    "detention_conditions": (
        "conditions of detention prison overcrowding ill-treatment in the receiving state real risk Article 3",
    ),
    "political_persecution": (
        "persecution on account of political opinion ethnic origin religion political offence extradition refused",
        "member of a persecuted group systematic practice of ill-treatment real risk",
    ),
}
"""One or two legal-principle queries per built-in ground: the line of authority a brief opens with."""

GROUND_TERMS: dict[str, str] = {
    "article3": "torture ill-treatment inhuman degrading treatment real risk substantial grounds extradition "
                "酷刑 刑讯逼供 留置",
    "article6": "flagrant denial justice fair trial evidence torture confession lawyer 辩护 律师 供述 刑讯逼供 "
                "指定居所监视居住",
    "article5": "arbitrary detention flagrant breach liberty 留置 羁押 指定居所监视居住",
    "assurances": "assurances diplomatic reliability monitoring practical",
    "death_penalty": "death penalty row life sentence release review 死刑 无期徒刑",
    "detention_conditions": "conditions detention prison overcrowding 看守所",
    "political_persecution": "persecution political opinion ethnic religion 恐怖主义 政治 意识形态 民族 宗教",
}
"""Words that mark a sentence as being about the ground; they pick the sentence to quote from a passage."""

PRC_STATES = ("china", "prc", "people's republic", "peoples republic", "hong kong", "xinjiang", "中国",
              "中华人民共和国")
PRC_EVIDENCE: dict[str, tuple[str, ...]] = {
    "article3": ("留置 liuzhi retention in custody supervision commission investigation",
                 "torture ill-treatment detention Xinjiang credible allegations"),
    "article5": ("指定居所监视居住 residential surveillance at a designated location",
                 "留置 liuzhi detention without access to a lawyer supervision law"),
    "article6": ("forced televised confessions denial of access to lawyer",
                 "指定居所监视居住 residential surveillance at a designated location"),
    "detention_conditions": ("留置 liuzhi detention conditions",
                             "vocational education and training centres conditions"),
    "political_persecution": ("Uyghur ethnic minority persecution religion Xinjiang",
                              "political prisoners China detained"),
    "assurances": ("China refused access to independent monitors detention facilities",),
    "death_penalty": ("death penalty China executions",),
}
"""Evidence about the PRC for each ground, run against statutes, reports, campaigns and UN material."""


TOPIC_SENTENCES: dict[str, str] = {
    "article3": "Extradition of {client} to {state} would expose {him} to a real risk of torture or inhuman or "
                "degrading treatment, contrary to Article 3 of the Convention.",
    "article6": "{Client} would face a flagrant denial of justice in {state}, contrary to Article 6 of the Convention.",
    "article5": "{Client} would face arbitrary detention in {state} amounting to a flagrant breach of Article 5.",
    "assurances": "The assurances offered by {state} do not, in their practical application, provide a "
                  "sufficient guarantee that {client} will be protected against the risk of ill-treatment.",
    "death_penalty": "{Client} would face the death penalty or an irreducible life sentence in {state}.",
    "detention_conditions": "The conditions in which {client} would be detained in {state} are incompatible with "
                            "Article 3.",
    "political_persecution": "The request is made for the purpose of punishing {client} on account of {his} "
                             "political opinions, religion or ethnic origin, or {he} would be prejudiced at trial "
                             "or punished for them.",
}
"""The submission that opens each ground. Placeholders: {client} the name, {Client} the name at a sentence's start,
{he} {him} {his} the pronouns, {state} the requesting state with its article, {label} a custom ground's name."""
CUSTOM_TOPIC = "{label}: the authorities below bear on the extradition of {client} to {state}."

GROUND_CONCLUSIONS: dict[str, str] = {
    "article3": "extradition would expose {client} to a real risk of treatment contrary to Article 3 of the "
                "Convention, and it must be refused",
    "article6": "{client} would run a real risk of a flagrant denial of justice in {state}, contrary to Article 6, "
                "and extradition must be refused",
    "article5": "{client} would run a real risk of a flagrant breach of Article 5 in {state}, and extradition must "
                "be refused",
    "death_penalty": "extradition without an effective guarantee against the penalty {client} faces would breach "
                     "Articles 2 and 3 of the Convention",
    "detention_conditions": "the conditions in which {client} would be held in {state} would breach Article 3",
    "political_persecution": "the request is made to punish {client} for {his} opinions or origin, or {he} would "
                             "be prejudiced for them, and extradition must be refused",
    "assurances": "the assurances offered do not, in their practical application, provide a sufficient guarantee "
                  "that {client} will be protected against the risk of ill-treatment",
}
CUSTOM_CONCLUSION = "the ground ‘{label}’ is made out and extradition of {client} to {state} should be refused"

APPLICATION_REASONS: dict[str, str] = {
    "article3": "it shows a real risk that {he} would be subjected to treatment contrary to Article 3",
    "article6": "it shows that the trial {he} would face could amount to a flagrant denial of justice",
    "article5": "it shows that {he} could be detained without the safeguards Article 5 requires, a flagrant breach "
                "of it",
    "death_penalty": "it shows that {he} faces a penalty whose imposition would breach Articles 2 and 3",
    "detention_conditions": "it shows conditions of detention that would breach Article 3",
    "political_persecution": "it shows that {he} would be prosecuted or punished on account of {his} political "
                             "opinions, religion or ethnic origin",
    "assurances": "it bears on whether the assurances can be relied on in practice",
}
"""Why a piece of evidence meets a ground's test: the second half of each application sentence."""
CUSTOM_APPLICATION = "it bears on the ground ‘{label}’"

GROUND_EVIDENCE_NEEDED: dict[str, str] = {
    "article3": "country evidence of how persons in {client_pos} position are treated in {state} (reports, UN "
                "findings, expert evidence), cited to its source",
    "article6": "evidence of the trial {client} would face in {state}: access to a lawyer, independence of the "
                "court, use of confessions",
    "article5": "evidence of the detention regime {client} would be held under in {state} and its safeguards",
    "death_penalty": "the maximum penalty for {offence} under the law of {state}, with the provision",
    "detention_conditions": "evidence of the conditions in the place where {client} would be held",
    "political_persecution": "evidence that the prosecution targets {client} for {client_pos} opinions, religion or "
                             "ethnic origin",
    "assurances": "the assurances offered and evidence of their reliability",
}

ASSURANCE_CRITERIA: tuple[tuple[str, str, str], ...] = (
    ("i", "whether the terms of the assurances have been disclosed", ""),
    ("ii", "whether the assurances are specific or general and vague", ""),
    ("iii", "who has given the assurances and whether that person can bind the receiving State", ""),
    ("iv", "if the assurances have been issued by the central government, whether local authorities can be "
           "expected to abide by them", "local authorities central government supervision commission province"),
    ("v", "whether the assurances concern treatment which is legal or illegal in the receiving State",
     "law provides detention retention liuzhi lawful authorised approval measure"),
    ("vi", "whether they have been given by a Contracting State", ""),
    ("vii", "the length and strength of bilateral relations, including the receiving State's record in abiding by "
            "similar assurances", "bilateral relations record assurances abided breach returned"),
    ("viii", "whether compliance can be objectively verified through diplomatic or other monitoring mechanisms, "
             "including unfettered access to the applicant's lawyers",
     "monitoring access lawyer visit consular incommunicado independent verification observers"),
    ("ix", "whether there is an effective system of protection against torture, including cooperation with "
           "international monitoring and the investigation and punishment of torture",
     "torture ill-treatment impunity investigate complaints prosecuted monitoring cooperation"),
    ("x", "whether the applicant has previously been ill-treated in the receiving State", ""),
    ("xi", "whether the reliability of the assurances has been examined by the domestic courts of the sending "
           "State", "assurances reliability court examined"),
)
"""The factors of Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, § 189 (i)–(xi), in short form, each
with the words that mark evidence bearing on it (empty: the matter's own facts answer it, or nothing does)."""
OTHMAN = "HEJUD-8139-09"
OTHMAN_NAME = "Othman (Abu Qatada) v. the United Kingdom"
CONTRACTING_STATES_NOT = ("china", "prc", "people's republic", "hong kong", "united states", "india", "uzbekistan",
                          "jordan", "tunisia", "algeria", "belarus", "kazakhstan", "tajikistan", "turkmenistan")
"""Requesting states often seen in extradition cases that are not parties to the Convention."""

CRITERION_EVIDENCE_NEEDED: dict[str, str] = {
    "i": "the text of any assurance {state} has given about {client}",
    "ii": "the terms of the assurance, to show whether they are specific or general and vague",
    "iii": "who gave the assurance and whether that authority can bind {state}",
    "iv": "whether the authorities that would hold {client} answer to the authority that gave the assurance",
    "v": "whether the treatment feared is lawful in {state} (the statute that authorises it)",
    "vi": "whether {state} is a Contracting State to the Convention",
    "vii": "the record of {state} in honouring similar assurances",
    "viii": "whether any independent monitor, consular officer or lawyer would have access to {client}",
    "ix": "whether {state} investigates and punishes torture and cooperates with international monitors",
    "x": "whether {client} has been ill-treated in {state} before",
    "xi": "whether the courts of the requested state have examined the reliability of the assurances",
}

FEARS: dict[str, tuple[str, ...]] = {
    "liuzhi": ("liuzhi", "留置"),
    "residential surveillance at a designated location": ("rsdl", "residential surveillance", "指定居所", "指定的居所"),
    "a forced or televised confession": ("confession", "逼供"),
    "detention in a VETC": ("vetc", "vocational"),
    "the death penalty": ("death", "死刑"),
    "torture": ("torture", "beaten", "ill-treat", "酷刑", "刑讯"),
    "access to a lawyer": ("lawyer", "counsel", "律师"),
}
"""Treatment a requested person commonly fears, and the words that name it in instructions, in an assurance or in
the requesting state's law (the statutes' own Chinese terms)."""

STATUTE_SCOPE: dict[str, tuple[str, ...]] = {
    "监察法": ("official", "functionary", "cadre", "civil servant", "state-owned", "public funds", "embezzl", "brib",
             "corrupt", "supervision commission", "liuzhi", "公职", "贪污", "贿赂", "留置"),
    "监察官法": ("official", "functionary", "supervision commission", "liuzhi", "公职", "留置"),
}
"""Statutes that reach only some requested persons, and the words of a matter that bring a client within them: the
Supervision Law's liuzhi applies to public officials suspected of duty crimes, not to an activist charged with
terrorism, so it is not proposed for one."""
