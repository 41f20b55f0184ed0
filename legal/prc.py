"""The PRC statutes of the corpus: their Chinese titles, the published English titles a Western court reads, which
English version each follows, and the other English names lawyers cite them by.

One table for the statute loader (each article is cited by the English title, `ingest.loaders.statute_md`) and the
citation grammar (`Article 22 of the Supervision Law`, `Criminal Law (2018), art. 75`, `legal.citations`), which held
a TOML file and a dict of their own that a test kept in step. Each English title is the rendering of a published
English version; `source` says which. A statute missing here is cited by its Chinese title alone;
tests/test_prc_english.py checks that every corpus statute has its entry.
"""

from __future__ import annotations

from dataclasses import dataclass

PRC = " of the People's Republic of China"
"""What an English title adds after the short name (`Criminal Law of the People's Republic of China`)."""


@dataclass(frozen=True)
class PrcLaw:
    chinese: str
    """The title as printed in the statute file's `# ` line (`中华人民共和国刑法`)."""
    english: str
    """The published English title."""
    source: str
    """Which English version the title follows."""
    other_names: tuple[str, ...] = ()
    """Other English names it is cited by (`Anti-Terrorism Law`)."""

    @property
    def short(self) -> str:
        """The Chinese title without `中华人民共和国` (`刑法`): what citations write."""
        return self.chinese.removeprefix("中华人民共和国")

    @property
    def names(self) -> tuple[str, ...]:
        """Every English name it is cited by: the title without `of the People's Republic of China`, then the others."""
        return (self.english.removesuffix(PRC), *self.other_names)


PRC_LAWS: tuple[PrcLaw, ...] = (
    PrcLaw("中华人民共和国刑法",
           "Criminal Law of the People's Republic of China",
           "NPC official English version (npc.gov.cn, Laws of the PRC: Criminal Law)"),
    PrcLaw("中华人民共和国刑事诉讼法",
           "Criminal Procedure Law of the People's Republic of China",
           "NPC official English version (npc.gov.cn); China Law Translate, Criminal Procedure Law (2018)"),
    PrcLaw("中华人民共和国引渡法",
           "Extradition Law of the People's Republic of China",
           "NPC official English version (npc.gov.cn, Extradition Law, 2000)"),
    PrcLaw("中华人民共和国国际刑事司法协助法",
           "International Criminal Judicial Assistance Law of the People's Republic of China",
           "NPC Observer; China Law Translate, International Criminal Judicial Assistance Law (2018)"),
    PrcLaw("中华人民共和国监察法",
           "Supervision Law of the People's Republic of China",
           "NPC Observer translation, Supervision Law (2018); China Law Translate, Supervision Law"),
    PrcLaw("中华人民共和国国家安全法",
           "National Security Law of the People's Republic of China",
           "China Law Translate, National Security Law (2015); NPC official English version"),
    PrcLaw("中华人民共和国香港特别行政区维护国家安全法",
           "Law of the People's Republic of China on Safeguarding National Security in the Hong Kong Special "
           "Administrative Region",
           "Official English text, Hong Kong e-Legislation, Instrument A406 (Gazette, 30 June 2020)",
           ("Hong Kong National Security Law",)),
    PrcLaw("中华人民共和国反恐怖主义法",
           "Counter-Terrorism Law of the People's Republic of China",
           "NPC official English version (npc.gov.cn); China Law Translate, Counter-Terrorism Law (2015, amended "
           "2018)",
           ("Counterterrorism Law", "Anti-Terrorism Law")),
    PrcLaw("中华人民共和国监察官法",
           "Supervisors Law of the People's Republic of China",
           "NPC Observer, Supervisors Law (2021)",
           ("Law on Supervisors",)),
    PrcLaw("中华人民共和国反间谍法",
           "Counter-espionage Law of the People's Republic of China",
           "NPC official English version (npc.gov.cn); China Law Translate, Counter-espionage Law (2014, 2023)",
           ("Counterespionage Law", "Anti-Espionage Law")),
    PrcLaw("中华人民共和国反间谍法实施细则",
           "Detailed Rules for the Implementation of the Counter-espionage Law of the People's Republic of China",
           "China Law Translate, Counter-espionage Law Implementation Rules (2017)"),
    PrcLaw("中华人民共和国看守所条例",
           "Regulations of the People's Republic of China on Detention Houses",
           "State Council English version, Laws and Regulations of the PRC (Regulations on Detention Houses, 1990)",
           ("Regulations on Detention Houses", "Detention Centre Regulations")),
    PrcLaw("最高人民法院关于适用《中华人民共和国刑事诉讼法》的解释",
           "Interpretation of the Supreme People's Court on the Application of the Criminal Procedure Law of the "
           "People's Republic of China",
           "China Law Translate, SPC Interpretation on the Application of the Criminal Procedure Law (2012, 2021)"),
    PrcLaw("最高人民法院关于死刑复核及执行程序中保障当事人合法权益的若干规定",
           "Provisions of the Supreme People's Court on Protecting the Lawful Rights and Interests of Parties in "
           "Death Penalty Review and Execution Procedures",
           "China Law Translate, SPC Provisions on Protecting Parties' Rights in Death Penalty Review and Execution "
           "(2019)"),
    PrcLaw("人民检察院刑事诉讼规则",
           "Rules of Criminal Procedure for the People's Procuratorates",
           "China Law Translate, Rules of Criminal Procedure for the People's Procuratorates (2019)"),
)
"""Each statute of the corpus with a published English title."""
PRC_TITLES: dict[str, PrcLaw] = {law.chinese: law for law in PRC_LAWS}
