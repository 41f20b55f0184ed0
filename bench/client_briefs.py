"""The two client files of issue 24, rebuilt as matters from real corpus passages, drafted and audited.

Mr Li Wei: a PRC request for embezzlement by a former state-enterprise official, who fears liuzhi and a forced
televised confession. Ms Aysha Tursun: a Uyghur activist in the diaspora wanted for "terrorism". Each is filed the
way a lawyer files: the leading judgments, the requesting state's statutes, UN and OHCHR findings, the lawyer's own
evidence (an expert report uploaded as DOCX, whose first lines say who wrote it and when; a family statement; the
scanned Guangdong High People's Court ruling, read by OCR), with notes, replies and adverse flags.

The audit (`audit`) is what the issue's "done when" asks of each draft: one application sentence per filed piece
of evidence, no quotation that is a fact or a lead-in, nothing filed missing from the brief or its warnings, an
English rendering beside every Chinese quotation; and `kb check` on both exports (Markdown and DOCX).
`tests/test_export.py` builds the same matters and asserts it.

    PYTHONPATH=$PWD python bench/client_briefs.py --home /tmp/briefs-home --out test-output
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CLIENT_FILES = (
    "echr/JUDGMENT/HEJUD-14038-88.json.gz", "echr/JUDGMENT/HEJUD-22414-93.json.gz",
    "echr/JUDGMENT/HEJUD-37201-06.json.gz", "echr/JUDGMENT/HEJUD-8139-09.json.gz",
    "echr/JUDGMENT/HEJUD-46827-99.json.gz", "echr/JUDGMENT/001-87458.json.gz",
    "echr/JUDGMENT/HEJUD-52077-10.json.gz", "un/Annotated_CAT_GC4_art.3.json", "un/Annotated_CCPR_GC36_life.json",
    "prc-law/宪法相关法/监察法(2018-03-20).md", "prc-law/宪法相关法/监察法(2024-12-25).md", "prc-law/刑法/刑法.md",
    "prc-law/诉讼与非诉讼程序法/刑事诉讼法(2018-10-26).md", "prc-law/宪法相关法/反恐怖主义法(2018-04-27).md",
    "reports/22-08-31-final-assesment.pdf", "campaigns/freekaili/_steps/rsdl.md",
)
"""Every corpus file the two matters cite: the leading removal judgments, S.F. and Others v. Sweden, CAT General
Comment No. 4 and HRC General Comment No. 36, the Supervision Law (2018 and 2024), the Criminal Law, the Criminal
Procedure Law, the Counter-Terrorism Law, the OHCHR Xinjiang assessment and a campaign page on RSDL."""
SCANNED_RULING = "campaigns/free-xueq-jianb/docs/images/uploads/广东省高级人民法院刑事裁定书.pdf"
"""A scanned PDF with no text layer: searchable only through OCR (`ingest.loaders.ocr`)."""
FAMILY_STATEMENT = "campaigns/freekaili/about.md"
"""A real page, uploaded by the lawyer as the family's statement about RSDL."""

EXPERT_REPORT_LINES = (
    "Expert report: the treatment of Uyghurs returned to the People's Republic of China",
    "Prepared by Dr Helen Marsh, Senior Lecturer in Chinese Law, for the defence of Ms Aysha Tursun",
    "Dated 2 December 2026",
    "1. I have been asked whether a Uyghur activist returned to China to face a charge of terrorism would be at "
    "risk of ill-treatment.",
    "2. Uyghurs returned from abroad are routinely detained on arrival and questioned about their contacts in the "
    "diaspora, and those known for activism abroad are treated as terrorism suspects.",
    "3. In my opinion, a Uyghur activist returned to face a terrorism charge would be held incommunicado and would "
    "be at real risk of torture to obtain a confession.",
    "4. I know of no case in which a Chinese assurance about a returned Uyghur has been monitored by an independent "
    "body.",
)
"""The lawyer's own evidence: an expert report whose first lines say who wrote it and when, saved as DOCX by a
chambers workstation (its file properties name the workstation, not the author)."""


def write_expert_report(path: Path) -> Path:
    """The expert report as a DOCX with the misleading properties a shared workstation leaves."""
    import docx

    document = docx.Document()
    for line in EXPERT_REPORT_LINES:
        document.add_paragraph(line)
    document.core_properties.author = "Chambers Workstation 3"
    document.core_properties.title = "Expert report - Uyghur returnees"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


@dataclass
class Filed:
    ground: str
    ref: str
    """`DOC_ID § N` (a stored paragraph) or `kind:words` (the best passage of that source kind for the words),
    `kind[title words]:words` to take it from the document so titled."""
    note: str = ""
    adverse: bool = False
    translation: str = ""
    """Counsel's English for a Chinese passage (the sentence the brief quotes), printed beside it."""


TRANSLATIONS = {
    "SL24": (
        "Where a person under investigation is suspected of a serious duty violation or duty-related crime "
        "such as embezzlement, bribery, dereliction of duty or malfeasance, the supervision organ already "
        "holds evidence of part of the facts, important questions remain to be investigated, and one of the "
        "following applies, the supervision organ may, with approval under law, retain the person in custody "
        "(liuzhi) at a specified place: (1) the case is major or complex; (2) the person may flee or commit "
        "suicide; (3) the person may collude or fabricate, conceal or destroy evidence; (4) the person may "
        "otherwise obstruct the investigation."),
    "SL50": (
        "After custodial measures or retention in custody (liuzhi) are taken, the person’s work unit and "
        "family shall be notified within 24 hours, except where evidence might be fabricated, concealed or "
        "destroyed, witnesses interfered with, statements colluded on, or the investigation otherwise "
        "impeded."),
    "CPL75": (
        "Where a person is suspected of a crime endangering national security or of terrorist activity and "
        "residential surveillance at the residence might impede the investigation, it may, with the approval "
        "of the public security organ at the next level up, be carried out at a designated location."),
    "CPL52": (
        "Extorting confessions by torture and collecting evidence by threats, enticement, deceit or other "
        "illegal methods are strictly prohibited, and no one may be forced to prove their own guilt."),
    "CL383": (
        "(3) Where the amount embezzled is especially large or there are other especially serious "
        "circumstances, the sentence is fixed-term imprisonment of ten years or more or life imprisonment, "
        "with a fine or confiscation of property; where the amount is especially large and especially heavy "
        "losses are caused to the interests of the State and the people, the sentence is life imprisonment or"
        " death, with confiscation of property."),
    "CTL3": (
        "“Terrorism” as used in this Law means advocacy and conduct that, by violence, destruction, "
        "intimidation or other means, creates social panic, endangers public safety, infringes on persons or "
        "property, or coerces State organs or international organisations, in order to achieve political, "
        "ideological or other aims."),
}
"""Counsel's English for the statute sentences the briefs quote (the lawyer's own rendering, printed as such)."""

LI = dict(
    key="li", title="Li — PRC embezzlement request (Sweden)", client="Mr Li Wei", state="People's Republic of China",
    offence="embezzlement of public funds (Criminal Law, art. 382)",
    penalty="death or life imprisonment (Criminal Law, art. 383)",
    grounds=["article3", "article5", "article6", "death_penalty", "assurances"],
    risk="Former deputy director of a state-owned enterprise; fears being held in liuzhi by a supervision "
         "commission and made to give a forced televised confession",
    assurance=("Mr Li Wei will not be subjected to torture or other cruel, inhuman or degrading treatment, will not "
               "be executed, and Swedish consular officers may visit him",
               "Ministry of Foreign Affairs of the People's Republic of China", "2026-10-15"),
    court="Supreme Court of Sweden", case_number="Ö 4711-26", counsel="Anna Berg, advokat",
    chambers="Berg & Lind Advokatbyrå, Stockholm",
    filed=[
        Filed("article3", "HEJUD-37201-06 § 125"), Filed("article3", "HEJUD-14038-88 § 91"),
        Filed("article3", "HEJUD-22414-93 § 79"),
        Filed("article3", "PRC-监察法-2024-12-25 § 第二十四条", "liuzhi applies to state functionaries suspected of "
              "embezzlement, as Mr Li is", translation=TRANSLATIONS["SL24"]),
        Filed("article3", "upload:Victims of RSDL sleep deprivation physical torture forced confessions"),
        Filed("article3", "HEJUD-37201-06 § 131", "Reply: the risk to Mr Li is not a mere possibility arising from a "
              "general situation: liuzhi is the measure the law applies to a person in his position", adverse=True),
        Filed("article5", "PRC-监察法-2024-12-25 § 第五十条", "the family need not be told where the commission says "
              "notice would impede the investigation, so liuzhi can be incommunicado",
              translation=TRANSLATIONS["SL50"]),
        Filed("article5", "PRC-刑事诉讼法-2018-10-26 § 第七十五条", "once the commission hands Mr Li to the police, "
              "residential surveillance at a designated location is open to them on the same ground, impeding the "
              "investigation", translation=TRANSLATIONS["CPL75"]),
        Filed("article6", "HEJUD-8139-09 § 258"), Filed("article6", "HEJUD-8139-09 § 260"),
        Filed("article6", "HEJUD-8139-09 § 267"),
        Filed("article6", "campaign[Residential surveillance]:RSDL false confessions no access to legal counsel"),
        Filed("article6", "PRC-刑事诉讼法-2018-10-26 § 第五十二条", "a prohibition on paper does not meet the risk "
              "where reliable sources report practices contrary to it", adverse=True,
              translation=TRANSLATIONS["CPL52"]),
        Filed("article6", "HEJUD-46827-99 § 91", adverse=True),
        Filed("death_penalty", "HEJUD-14038-88 § 104"), Filed("death_penalty", "UN-CCPR-GC-36 § 10"),
        Filed("death_penalty", "PRC-刑法 § 第三百八十三条", translation=TRANSLATIONS["CL383"]),
        Filed("assurances", "HEJUD-8139-09 § 187"), Filed("assurances", "HEJUD-8139-09 § 189"),
        Filed("assurances", "HEJUD-37201-06 § 148"), Filed("assurances", "UN-CAT-GC-4 § 20"),
        Filed("assurances", "OHCHR-XUAR-2022-08-31 § 48", "(viii)"),
        Filed("assurances", "OHCHR-XUAR-2022-08-31 § 77", "(ix)"),
        Filed("assurances", "HEJUD-8139-09 § 188", "this is one of the rare cases: liuzhi is incommunicado detention "
              "outside the criminal process, which no assurance reaches", adverse=True),
        Filed("assurances", "HEJUD-8139-09 § 193", "the Court's acceptance of assurances from Jordan rested on a "
              "specific, monitored memorandum; the PRC offers neither", adverse=True),
    ])
AYSHA = dict(
    key="aysha", title="Aysha — PRC terrorism request", client="Ms Aysha Tursun", state="People's Republic of China",
    offence="organising and leading a terrorist organisation (Criminal Law, art. 120)",
    penalty="life imprisonment (Criminal Law, art. 120)",
    grounds=["article3", "political_persecution", "assurances"],
    risk="Uyghur; peaceful activist in the diaspora; relatives held in a VETC; previously detained and beaten in "
         "Urumqi in 2017",
    assurance=("Ms Tursun's lawful rights will be protected in accordance with Chinese law",
               "Embassy of the People's Republic of China", ""),
    court="Svea Court of Appeal", case_number="", counsel="Johan Ek, advokat", chambers="Ek Advokater, Uppsala",
    filed=[
        Filed("article3", "HEJUD-37201-06 § 125"), Filed("article3", "HEJUD-37201-06 § 132"),
        Filed("article3", "OHCHR-XUAR-2022-08-31 § 145"),
        Filed("article3", "upload:Uyghurs returned from abroad are routinely detained on arrival"),
        Filed("article3", "001-87458 § 114", "Ms Tursun does not rely on a general situation of violence but on "
              "her membership of a group systematically detained and ill-treated", adverse=True),
        Filed("political_persecution", "001-87458 § 116"), Filed("political_persecution", "HEJUD-52077-10 § 70"),
        Filed("political_persecution", "PRC-反恐怖主义法-2018-04-27 § 第三条", "the definition turns on political or "
              "ideological aims, which is what Ms Tursun's peaceful activism is", translation=TRANSLATIONS["CTL3"]),
        Filed("political_persecution", "OHCHR-XUAR-2022-08-31 § 35"),
        Filed("political_persecution", "OHCHR-XUAR-2022-08-31 § 146"),
        Filed("political_persecution", "campaign[广东省高级人民法院]:煽动颠覆国家政权 网络平台 社交媒体 言论",
              "the Guangdong court upheld a conviction for inciting subversion founded on articles and online "
              "speech, as the charge against Ms Tursun is founded on her activism"),
        Filed("assurances", "HEJUD-8139-09 § 187"), Filed("assurances", "HEJUD-8139-09 § 189"),
        Filed("assurances", "HEJUD-22414-93 § 105"),
        Filed("assurances", "OHCHR-XUAR-2022-08-31 § 48", "(viii)"),
        Filed("assurances", "OHCHR-XUAR-2022-08-31 § 77", "(ix)"),
        Filed("assurances", "upload:no case in which a Chinese assurance about a returned Uyghur has been monitored",
              "(vii)"),
        Filed("assurances", "HEJUD-8139-09 § 193", "Jordan's MOU was specific and monitored; the PRC's words are "
              "neither", adverse=True),
    ])
SPECS = {"li": LI, "aysha": AYSHA}


def find(kbs: list, ref: str):
    """The passage a `Filed.ref` names, from the first store that holds it."""
    from kb.store.base import SearchFilters
    from legal.errors import DocumentNotFoundError

    m = re.match(r"^(?P<kind>[a-z-]+)(?:\[(?P<title>[^\]]+)\])?:(?P<words>.+)$", ref)
    if m:
        for kb in kbs:
            hits = kb.search(m["words"], SearchFilters(source_kinds=(m["kind"],)), limit=20)
            hits = [h for h in hits if not m["title"] or m["title"] in (h.title or "")]
            if hits:
                return hits[0]
        raise LookupError(f"no {m['kind']} passage for {m['words']!r}")
    for kb in kbs:
        try:
            return kb.passage(ref)
        except DocumentNotFoundError:
            continue
    raise LookupError(f"no stored passage {ref}")


def build(kbs: list, store, spec: dict):
    """The matter of `spec` on disk, every passage filed as the lawyer filed it."""
    from kb.drafting.matters import Assurance

    matter = store.create(spec["title"], spec["state"], spec["offence"], spec["risk"], client=spec["client"],
                          penalty=spec["penalty"], grounds=spec["grounds"], assurances=[Assurance(*spec["assurance"])])
    for name in ("court", "case_number", "counsel", "chambers"):
        setattr(matter, name, spec.get(name, ""))
    for filed in spec["filed"]:
        passage = matter.add_passage(find(kbs, filed.ref), filed.ground, filed.note, filed.adverse)
        if filed.translation:
            matter.annotate(passage.chunk_id, filed.ground, translation=filed.translation)
    store.save(matter)
    return store.get(matter.id)


def audit(draft, matter) -> dict[str, list[str]]:
    """What the issue's "done when" asks of a draft, as lists of failures (empty: met)."""
    failures: dict[str, list[str]] = {"application": [], "quotation": [], "missing": [], "chinese": []}
    cited = {fn.chunk_id for fn in draft.footnotes}
    warned = " ".join(draft.warnings)
    for passage in matter.passages:
        if passage.chunk_id not in cited and passage.citation not in warned:
            failures["missing"].append(passage.citation)
    for section in draft.sections:
        if section.ground == "facts":
            continue
        evidence = [p for p in matter.passages_for(section.ground)
                    if not p.adverse and p.source_kind not in ("echr", "national", "un")]
        for passage in evidence:
            paras = [para for para in section.paragraphs if any(
                draft.footnote(i).chunk_id == passage.chunk_id for i in para.footnote_ids)]
            applied = [para for para in paras if para.kind in ("evidence", "criterion")
                       and (matter.client_name() in para.text or para.kind == "criterion")]
            if len(applied) != 1:
                failures["application"].append(f"{section.heading}: {passage.citation}: {len(applied)} application "
                                               "paragraph(s)")
        for para in section.paragraphs:
            for quoted in re.findall(r"“([^”]+)”", para.text) if para.kind in ("proposition", "evidence",
                                                                               "rebuttal", "criterion") else []:
                if quoted.rstrip(" .").endswith(":") or re.match(r"^(?:They|He|She) (?:are|is|was|were)\b", quoted):
                    failures["quotation"].append(f"{section.heading}: a lead-in or a fact: “{quoted[:60]}…”")
                if re.search(r"[\u4e00-\u9fff]", quoted) and "[English (" not in para.text:
                    failures["chinese"].append(f"{section.heading}: “{quoted[:30]}…” has no English beside it")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="a knowledge-base home; built on first use")
    parser.add_argument("--out", type=Path, default=ROOT / "test-output")
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "../shared/corpus")))
    args = parser.parse_args()
    from kb.api import KnowledgeBase
    from kb.drafting.draft import draft_argument
    from kb.drafting.export import export_docx, export_markdown
    from kb.drafting.matters import MatterStore
    from kb.indexing.ingest import IngestRequest
    from kb.settings import Settings

    settings = Settings.load({**os.environ, "KB_HOME": str(args.home), "KB_CORPUS": str(args.corpus.resolve())})
    kb = KnowledgeBase(settings)
    if kb.store.count() == 0:
        uploads = args.home / "client-uploads"
        report_path = write_expert_report(uploads / "expert-report-marsh.docx")
        family = uploads / "li-family-statement.md"
        shutil.copy(args.corpus / FAMILY_STATEMENT, family)
        files = (*(args.corpus / f for f in CLIENT_FILES), args.corpus / SCANNED_RULING, report_path, family)
        report = kb.ingest(IngestRequest(files=files), warn=print)
        print(f"ingested {report}")
    store = MatterStore(args.home / "matters-bench")
    shutil.rmtree(store.folder, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    for key, spec in SPECS.items():
        matter = build([kb], store, spec)
        draft = draft_argument(kb, matter)
        md = args.out / f"brief-{key}.md"
        md.write_text(export_markdown(draft, matter), encoding="utf-8")
        docx = export_docx(draft, matter, args.out / f"brief-{key}.docx")
        (args.out / f"brief-{key}-warnings.txt").write_text("\n".join(draft.warnings) + "\n", encoding="utf-8")
        checked = {path.suffix: {s: n for s, n in kb.check(path, missing=False).counts().items() if n}
                   for path in (md, docx)}
        print(json.dumps({"matter": key, "footnotes": len(draft.footnotes), "warnings": len(draft.warnings),
                          **audit(draft, matter), "kb_check": checked}, ensure_ascii=False))
    kb.close()


if __name__ == "__main__":
    main()
