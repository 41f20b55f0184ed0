"""The bilingual glossary behind English → Chinese search: every term sourced, longest match first, pinyin
accepted. (Its search on real statutes and the English citation of PRC articles: test_prc_english.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.search.crosslingual import Glossary, GlossaryError, QueryTranslator, load_glossary, matched_terms
from kb.search.queries import read_query


def test_every_glossary_term_has_a_source_and_chinese() -> None:
    terms = load_glossary()
    assert len(terms) >= 250
    assert all(t.source.strip() and t.chinese.strip() for t in terms)


def test_a_glossary_term_without_a_source_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "glossary.tsv"
    bad.write_text("english\tpinyin\tchinese\tsource\n"
                   "arrest\tdàibǔ\t逮捕\tNPC English version, Criminal Procedure Law (2018), art. 81\n"
                   "criminal detention\tjūliú\t拘留\t\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"glossary.tsv:3: term 'criminal detention' has no source"):
        load_glossary(bad)


def test_longest_term_wins_and_pinyin_counts() -> None:
    glossary = Glossary(load_glossary())
    found = {m.english: m.chinese for m in glossary.find(
        "Liuzhi detention and residential surveillance at a designated location (RSDL) without a lawyer")}
    assert found["Liuzhi"] == "留置"
    assert found["residential surveillance at a designated location"] == "指定居所监视居住"
    assert "监视居住" not in found.values()  # not also the shorter term inside the longer one
    assert "RSDL" not in found  # the same Chinese term is listed once


def test_translator_gives_the_chinese_query_and_the_china_cue() -> None:
    out = QueryTranslator().run(text="Which authority approves the arrest of a suspect in China?")
    assert "批准逮捕" in out["text"].split() and "犯罪嫌疑人" in out["text"].split()
    assert read_query("Which authority approves the arrest of a suspect in China?").china
    assert not read_query("Article 3 real risk on return").china
    assert matched_terms("第八十条 逮捕犯罪嫌疑人、被告人，必须经过人民检察院批准", out["matches"]) == [
        "suspect → 犯罪嫌疑人"]


def test_british_and_american_spellings_are_one_word() -> None:
    from kb.search.crosslingual import tokens

    assert tokens("organisations criminalised defences offence judgement centre") == tokens(
        "organizations criminalized defenses offense judgment center")
    assert tokens("seize size citizen") == ["seize", "size", "citizen"]  # no -ize suffix on a short stem


def test_a_term_the_statutes_render_twice_keeps_both_sourced_renderings(corpus_root: Path) -> None:
    """"Investigation" is 侦查 in the Criminal Procedure Law and 调查 in the Supervision Law: a question on a
    supervision commission's investigation reaches the Supervision Law's notification article only through 调查. Each
    rendering is a row with its own source, and each is what its statute prints."""
    from ingest.loaders import statute_md

    terms = [t for t in load_glossary() if "investigation" in t.english]
    assert {t.chinese: t.source.split(",")[0] for t in terms} == {
        "侦查": "NPC English version", "调查": "Supervision Law of the People's Republic of China (2018)"}
    matches = Glossary(load_glossary()).find("Must the family be told when the supervision commission starts an "
                                             "investigation and puts an official into retention?")
    assert [m.chinese for m in matches if m.english == "investigation"] == ["侦查", "调查"]

    def article(relative: str, label: str) -> str:
        doc = statute_md.load(corpus_root / relative, relative, "prc-law")[0]
        return next(p.text for p in doc.paragraphs if p.number == label)

    supervision = article("prc-law/宪法相关法/监察法(2018-03-20).md", "第四十四条")
    assert "investigation → 调查" in matched_terms(supervision, matches)
    assert "investigation → 侦查" not in matched_terms(supervision, matches)
    assert "investigation → 侦查" in matched_terms(
        article("prc-law/诉讼与非诉讼程序法/刑事诉讼法(2018-10-26).md", "第一百零八条"), matches)


def test_obstructing_the_investigation_reaches_the_supervision_laws_exception(corpus_root: Path) -> None:
    """The Supervision Laws' exception to notifying the family prints 有碍调查, the Criminal Procedure Law's 有碍侦查:
    "obstruct the investigation" had only the latter, so the question never reached the Supervision Law's
    notification article through the exception's own words. Both renderings are sourced rows."""
    from ingest.loaders import statute_md

    by_chinese = {t.chinese: t for t in load_glossary()}
    assert by_chinese["有碍调查"].source.startswith("Xinhua (22 December 2017)")
    matches = Glossary(load_glossary()).find("May the supervision commission keep the family uninformed where "
                                             "telling them would obstruct the investigation?")
    assert [m.chinese for m in matches if m.english == "obstruct the investigation"] == ["有碍侦查", "有碍调查"]
    for relative, label in (("prc-law/宪法相关法/监察法(2018-03-20).md", "第四十四条"),
                            ("prc-law/宪法相关法/监察法(2024-12-25).md", "第五十条")):
        doc = statute_md.load(corpus_root / relative, relative, "prc-law")[0]
        text = next(p.text for p in doc.paragraphs if p.number == label)
        assert "obstruct the investigation → 有碍调查" in matched_terms(text, matches)
        assert "obstruct the investigation → 有碍侦查" not in matched_terms(text, matches)
