"""The grounds against extradition: one registry (`GROUNDS`) holding all a brief and its check know of each ground.

Pure data with no I/O. Each `Ground` is everything said of it anywhere: the label a matter shows, the searches for
its authorities and its PRC evidence, the words that pick the sentence to quote, the sentences that open, apply and
conclude it, what evidence it still needs, and the signs by which a text shows it argues the ground (`kb check`).
They were five dicts across three modules (`legal.grounds`, `kb.drafting.matters`, `kb.drafting.check`) that a new
ground had to be added to in step. A matter may add grounds of its own (a label); the `CUSTOM_*` sentences serve them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ground:
    """One built-in ground. The sentences' placeholders: {client} the name, {Client} the name at a sentence's start,
    {he} {him} {his} the pronouns, {state} the requesting state with its article, {client_pos} the client's
    possessive, {offence} the offence."""

    key: str
    label: str
    """What the lawyer chooses from (`kb.drafting.matters.GROUNDS`)."""
    queries: tuple[str, ...]
    """One or two legal-principle queries: the line of authority a brief opens with."""
    terms: str
    """Words that mark a sentence as being about the ground; they pick the sentence to quote from a passage."""
    prc_evidence: tuple[str, ...]
    """Evidence about the PRC, run against statutes, reports, campaigns and UN material."""
    topic: str
    """The submission that opens the ground."""
    conclusion: str
    reason: str
    """Why a piece of evidence meets the ground's test: the second half of each application sentence."""
    evidence_needed: str
    """The placeholder when no evidence is filed under the ground."""
    signs: str
    """How a text shows that it argues the ground (a regular expression, case-insensitive): a brief argues the grounds
    whose signs it shows, and an authority is offered for a ground only if its leading passage shows them too."""


GROUNDS: dict[str, Ground] = {ground.key: ground for ground in (
    Ground(
        key="article3",
        label="Article 3: real risk of torture or ill-treatment",
        queries=("substantial grounds for believing that the person concerned if extradited faces a real risk of "
                 "being subjected to torture or inhuman or degrading treatment Article 3 responsibility of the "
                 "Contracting State",
                 "absolute prohibition of torture expulsion removal irrespective of the conduct of the person "
                 "concerned"),
        terms="torture ill-treatment inhuman degrading treatment real risk substantial grounds extradition "
              "酷刑 刑讯逼供 留置",
        prc_evidence=("留置 liuzhi retention in custody supervision commission investigation",
                      "torture ill-treatment detention Xinjiang credible allegations"),
        topic="Extradition of {client} to {state} would expose {him} to a real risk of torture or inhuman or "
              "degrading treatment, contrary to Article 3 of the Convention.",
        conclusion="extradition would expose {client} to a real risk of treatment contrary to Article 3 of the "
                   "Convention, and it must be refused",
        reason="it shows a real risk that {he} would be subjected to treatment contrary to Article 3",
        evidence_needed="country evidence of how persons in {client_pos} position are treated in {state} (reports, UN "
                        "findings, expert evidence), cited to its source",
        signs=r"Article 3\b|torture|inhuman|degrading treatment",
    ),
    Ground(
        key="article6",
        label="Article 6: flagrant denial of justice",
        queries=("flagrant denial of justice in the requesting country extradition Article 6 fair trial",
                 "evidence obtained by torture admitted at trial flagrant denial of justice"),
        terms="flagrant denial justice fair trial evidence torture confession lawyer 辩护 律师 供述 刑讯逼供 "
              "指定居所监视居住",
        prc_evidence=("forced televised confessions denial of access to lawyer",
                      "指定居所监视居住 residential surveillance at a designated location"),
        topic="{Client} would face a flagrant denial of justice in {state}, contrary to Article 6 of the Convention.",
        conclusion="{client} would run a real risk of a flagrant denial of justice in {state}, contrary to Article 6, "
                   "and extradition must be refused",
        reason="it shows that the trial {he} would face could amount to a flagrant denial of justice",
        evidence_needed="evidence of the trial {client} would face in {state}: access to a lawyer, independence of "
                        "the court, use of confessions",
        signs=r"Article 6\b|flagrant denial|fair trial",
    ),
    Ground(
        key="article5",
        label="Article 5: arbitrary detention",
        queries=("flagrant breach of Article 5 arbitrary detention without trial in the receiving state removal",),
        terms="arbitrary detention flagrant breach liberty 留置 羁押 指定居所监视居住",
        prc_evidence=("指定居所监视居住 residential surveillance at a designated location",
                      "留置 liuzhi detention without access to a lawyer supervision law"),
        topic="{Client} would face arbitrary detention in {state} amounting to a flagrant breach of Article 5.",
        conclusion="{client} would run a real risk of a flagrant breach of Article 5 in {state}, and extradition must "
                   "be refused",
        reason="it shows that {he} could be detained without the safeguards Article 5 requires, a flagrant breach of "
               "it",
        evidence_needed="evidence of the detention regime {client} would be held under in {state} and its safeguards",
        signs=r"Article 5\b|arbitrary detention",
    ),
    Ground(
        key="assurances",
        label="Unreliable diplomatic assurances",
        queries=("diplomatic assurances quality reliability weight given to assurances practical application factors",
                 "assurances against ill-treatment where torture is endemic or persistent monitoring compliance"),
        terms="assurances diplomatic reliability monitoring practical",
        prc_evidence=("China refused access to independent monitors detention facilities",),
        topic="The assurances offered by {state} do not, in their practical application, provide a sufficient "
              "guarantee that {client} will be protected against the risk of ill-treatment.",
        conclusion="the assurances offered do not, in their practical application, provide a sufficient guarantee "
                   "that {client} will be protected against the risk of ill-treatment",
        reason="it bears on whether the assurances can be relied on in practice",
        evidence_needed="the assurances offered and evidence of their reliability",
        signs=r"assurances?\b",
    ),
    Ground(
        key="death_penalty",
        label="Death penalty or irreducible life sentence",
        queries=("death penalty death row phenomenon extradition inhuman treatment Article 3",
                 "life sentence irreducible without prospect of release or review extradition"),
        terms="death penalty row life sentence release review 死刑 无期徒刑",
        prc_evidence=("death penalty China executions",),
        topic="{Client} would face the death penalty or an irreducible life sentence in {state}.",
        conclusion="extradition without an effective guarantee against the penalty {client} faces would breach "
                   "Articles 2 and 3 of the Convention",
        reason="it shows that {he} faces a penalty whose imposition would breach Articles 2 and 3",
        evidence_needed="the maximum penalty for {offence} under the law of {state}, with the provision",
        signs=r"death penalty|death row|capital punishment|death sentence",
    ),
    Ground(
        key="detention_conditions",
        label="Detention conditions",
        queries=("conditions of detention prison overcrowding ill-treatment in the receiving state real risk Article "
                 "3",),
        terms="conditions detention prison overcrowding 看守所",
        prc_evidence=("留置 liuzhi detention conditions",
                      "vocational education and training centres conditions"),
        topic="The conditions in which {client} would be detained in {state} are incompatible with Article 3.",
        conclusion="the conditions in which {client} would be held in {state} would breach Article 3",
        reason="it shows conditions of detention that would breach Article 3",
        evidence_needed="evidence of the conditions in the place where {client} would be held",
        signs=r"(?:prison|detention) conditions|conditions of detention",
    ),
    Ground(
        key="political_persecution",
        label="Political offence / persecution",
        queries=("persecution on account of political opinion ethnic origin religion political offence extradition "
                 "refused",
                 "member of a persecuted group systematic practice of ill-treatment real risk"),
        terms="persecution political opinion ethnic religion 恐怖主义 政治 意识形态 民族 宗教",
        prc_evidence=("Uyghur ethnic minority persecution religion Xinjiang",
                      "political prisoners China detained"),
        topic="The request is made for the purpose of punishing {client} on account of {his} political opinions, "
              "religion or ethnic origin, or {he} would be prejudiced at trial or punished for them.",
        conclusion="the request is made to punish {client} for {his} opinions or origin, or {he} would be prejudiced "
                   "for them, and extradition must be refused",
        reason="it shows that {he} would be prosecuted or punished on account of {his} political opinions, religion "
               "or ethnic origin",
        evidence_needed="evidence that the prosecution targets {client} for {client_pos} opinions, religion or ethnic "
                        "origin",
        signs=r"political (?:offence|opinion)|persecut",
    ),
)}
"""The bars to extradition a defence brief is usually built from, in the order a matter offers them."""

CUSTOM_TOPIC = "{label}: the authorities below bear on the extradition of {client} to {state}."
CUSTOM_CONCLUSION = "the ground ‘{label}’ is made out and extradition of {client} to {state} should be refused"
CUSTOM_APPLICATION = "it bears on the ground ‘{label}’"
CUSTOM_EVIDENCE_NEEDED = "evidence of the facts this ground rests on"
"""The sentences of a ground the matter adds itself, named by its {label}."""

PRC_STATES = ("china", "prc", "people's republic", "peoples republic", "hong kong", "xinjiang", "中国",
              "中华人民共和国")
"""A matter whose requesting state, offence or risk factors say these is a PRC matter: its evidence is searched."""

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
