"""The ranker's features and its hand-set rules on hand-made Documents: no store, no model, no citation graph.

`tests/test_ranking.py` checks the ranked search on the real sample store; these check each feature's value and the
orderings the hand-set weights exist for (a named case, a footnote, an information note, a party's submission), in
milliseconds, so a change to `kb/search/ranking.py` is judged by `make test-fast` first.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

from haystack import Document

from kb.documents import Candidates
from kb.search.queries import is_lawyer_query, read_query
from kb.search.ranking import (
    FEATURES,
    RANK_CONSTANT,
    CitationEvidence,
    DocumentSpreader,
    LegalRanker,
    key_of,
    ranking_features,
)
from kb.store.base import SearchFilters

PASSAGE = ("expulsion by a Contracting State may give rise to an issue under Article 3 where substantial grounds have "
           "been shown for believing that the person concerned faces a real risk")
QUESTION = "Does a real risk of ill-treatment after expulsion engage Article 3?"


def paragraph(doc_id: str, number: str, text: str = "", **meta) -> Document:
    """A stored ECtHR paragraph as the retriever hands it on: Court's judgment text unless `meta` says otherwise."""
    fields = {"doc_id": doc_id, "paragraph": number, "source_kind": "echr", "doc_type": "JUDGMENT", "role": "court",
              "section": "THE LAW", "title": f"{doc_id} v. the United Kingdom"} | meta
    return Document(id=f"{doc_id}#{number}", content=text or f"paragraph {number} of {doc_id}", meta=fields)


def rank(pool: list[Document], query: str, fetched: list[Document] = (), evidence: CitationEvidence | None = None,
         filters: SearchFilters | None = None) -> list[Document]:
    """The ranker alone, as the pipeline runs it after retrieval: no graph (no cited-by counts), no facts index."""
    out = LegalRanker().run(documents=Candidates(pool), reading=read_query(query), filters=filters or SearchFilters(),
                            fetched=Candidates(list(fetched)), evidence=evidence)
    return list(out["documents"])


def order(docs: list[Document]) -> list[tuple[str, str]]:
    return [key_of(d) for d in docs]


def reciprocal(position: int) -> float:
    return 1.0 / (RANK_CONSTANT + position)


def test_the_queries_here_are_the_kinds_they_stand_for() -> None:
    assert not is_lawyer_query(PASSAGE) and is_lawyer_query(QUESTION)


def test_each_feature_reads_its_own_evidence() -> None:
    pool = [paragraph("A", "10"), paragraph("A", "11", section="THE FACTS", role="facts"),
            paragraph("A", "12", section="THE FACTS", role="facts"), paragraph("B", "5")]
    cited = paragraph("C", "91")  # not retrieved: fetched because the retrieved paragraphs cite it
    evidence = CitationEvidence(votes=Counter({("C", "91"): 2.5, ("B", "5"): 1.0}),
                                best_voter={("C", "91"): 2, ("B", "5"): 1}, best_document_voter={"C": 1, "B": 1})
    ranked = rank(pool, PASSAGE, [cited], evidence)
    values = {key_of(d): ranking_features(d) for d in ranked}

    assert all(set(v) == set(FEATURES) for v in values.values())
    assert values[("A", "10")]["retrieval"] == reciprocal(1) and values[("B", "5")]["retrieval"] == reciprocal(4)
    assert values[("C", "91")]["retrieval"] == 0.0
    assert values[("C", "91")]["votes"] == reciprocal(1) and values[("B", "5")]["votes"] == reciprocal(2)
    assert values[("C", "91")]["best_voter"] == reciprocal(2) and values[("A", "10")]["votes"] == 0.0
    assert values[("C", "91")]["cited_document"] == reciprocal(1) and values[("A", "10")]["cited_document"] == 0.0
    assert values[("A", "10")]["facts_support"] == math.log(2) and values[("B", "5")]["facts_support"] == 0.0
    assert values[("A", "10")]["court_role"] == 1.0 and values[("A", "11")]["court_role"] == 0.0
    assert all(v["cited_para"] == 0.0 and v["facts_document"] == 0.0 for v in values.values())  # no graph, no index
    assert all(d.meta["cited_by"] == 0 for d in ranked)


def test_a_named_case_comes_first_from_low_in_the_list() -> None:
    pool = [paragraph(f"D{i}", "1") for i in range(6)] + [paragraph("Soering", "91")]
    ranked = rank(pool, "Soering v. the United Kingdom death row phenomenon")
    assert order(ranked)[0] == ("Soering", "91")
    assert ranking_features(ranked[0])["named_case"] == 1.0
    by_number = rank(pool[:6] + [paragraph("X", "3", appno=["14038/88"])], "application no. 14038/88 death row")
    assert order(by_number)[0] == ("X", "3")


def test_a_case_is_named_in_every_form_the_citation_grammar_reads() -> None:
    """The query's case names are read by the one citation grammar (`legal.citations`), as `kb check` and the citation
    graph read them: a parenthesis of names, initials, a name beginning with a non-ASCII letter and `v` without a
    full stop (each missed by the query's own pattern before), never a question's opening verb, and a name that is a
    respondent State's applicant only (`Othman v UK` names `Othman (Abu Qatada) v. the United Kingdom`)."""
    titles = {"Othman": "Othman (Abu Qatada) v. the United Kingdom", "MSS": "CASE OF M.S.S. v. BELGIUM AND GREECE",
              "Ocalan": "Öcalan v. Turkey (no. 2)", "Soering": "Soering v. the United Kingdom"}
    pool = [paragraph(f"D{i}", "1") for i in range(6)] + [paragraph(k, "9", title=t) for k, t in titles.items()]
    for query, named in (("Othman v UK: can assurances be relied on?", "Othman"),
                         ("Othman (Abu Qatada) v. the United Kingdom § 189", "Othman"),
                         ("M.S.S. v. Belgium and Greece reception conditions", "MSS"),
                         ("Does Öcalan v. Turkey (no. 2) apply to life sentences?", "Ocalan")):
        assert order(rank(pool, query))[0] == (named, "9"), query
    assert read_query("Does Öcalan v. Turkey apply?").names == {("ocalan",)}
    assert read_query("Othman (Abu Qatada) v. the United Kingdom").cued_kinds == ()  # the respondent, not a UK court
    assert read_query("What did the Court of Appeal say in Othman v UK?").cued_kinds == ("national",)


def test_a_footnote_follows_the_body_unless_footnotes_are_asked_for() -> None:
    note = paragraph("R", "fn12", source_kind="report", doc_type="REPORT", role=None, section="FOOTNOTE")
    body = paragraph("R", "43", source_kind="report", doc_type="REPORT", role=None, section="BODY")
    assert order(rank([note, body], PASSAGE)) == [("R", "43"), ("R", "fn12")]
    asked = rank([note, body], PASSAGE, filters=SearchFilters(sections=("FOOTNOTE",)))
    assert order(asked) == [("R", "fn12"), ("R", "43")]
    assert ranking_features(asked[0])["footnote"] == 0.0


def test_an_information_note_follows_the_judgment() -> None:
    note = paragraph("CLIN", "1", doc_type="INFORMATION_NOTE", role="summary")
    judgment = paragraph("J", "125")
    for query in (PASSAGE, QUESTION):
        assert order(rank([note, judgment], query)) == [("J", "125"), ("CLIN", "1")], query


def test_a_lawyers_question_gets_the_courts_view_before_a_partys_submission() -> None:
    submission = paragraph("S", "80", role="government")
    court = paragraph("S", "120")
    assert order(rank([submission, court], QUESTION)) == [("S", "120"), ("S", "80")]
    assert ranking_features(rank([submission], QUESTION)[0])["question_not_court"] == 1.0
    passage = rank([submission, court], PASSAGE)  # a pasted passage may be the submission itself
    assert all(ranking_features(d)["question_not_court"] == 0.0 for d in passage)


def test_a_question_on_an_article_is_answered_where_the_court_examines_that_article() -> None:
    """Jalloh v. Germany's headings, the question of `dev-lawyer-questions.jsonl` dlaw-13: its Article 6 paragraphs
    came first for a question on Article 3."""
    article_6 = paragraph("J", "104", heading="III. ALLEGED VIOLATION OF ARTICLE 6 OF THE CONVENTION › B. Merits")
    article_3 = paragraph("J", "70", heading="I. ALLEGED VIOLATION OF ARTICLE 3 OF THE CONVENTION › B. Merits")
    both = paragraph("K", "50", heading="II. ALLEGED VIOLATION OF ARTICLES 3 AND 13 OF THE CONVENTION")
    facts = paragraph("J", "12", heading="THE FACTS", section="THE FACTS", role="facts")
    pool = [article_6, article_3, both, facts]
    question = "When is a forced medical procedure to obtain evidence compatible with Article 3?"
    values = {key_of(d): ranking_features(d)["question_other_article"] for d in rank(pool, question)}
    assert values == {("J", "104"): 1.0, ("J", "70"): 0.0, ("K", "50"): 0.0, ("J", "12"): 0.0}
    assert order(rank([article_6, article_3], question)) == [("J", "70"), ("J", "104")]
    assert order(rank([article_6, article_3], question.replace("Article", "article"))) == [("J", "70"), ("J", "104")]
    # a question naming no Article, and a pasted passage, leave every paragraph as it was
    for query in ("When is a forced medical procedure to obtain evidence compatible with the Convention?", PASSAGE):
        assert all(ranking_features(d)["question_other_article"] == 0.0 for d in rank(pool, query))
    un = paragraph("UN-CAT-GC-4", "12", source_kind="un", heading="Article 3 of the Convention", role=None)
    assert ranking_features(rank([un], "Does Article 5 of the ECHR apply?")[0])["question_other_article"] == 0.0


def test_a_question_gets_a_judgments_statement_of_the_principles_in_its_places() -> None:
    """Jalloh v. Germany again (dlaw-13): its paragraphs applying the principles to the emetic share the question's
    story words and ranked above §§ 70-71, where the Court states when a forced medical procedure is compatible with
    Article 3. The spreader gives the judgment's places to the statement first; which judgments are listed, and where,
    does not change."""
    applied = "I. ALLEGED VIOLATION OF ARTICLE 3 › B. The Court's assessment › 2. Application of those principles"
    stated = "I. ALLEGED VIOLATION OF ARTICLE 3 › B. The Court's assessment › 1. Relevant principles"
    ranked = [paragraph("J", "75", heading=applied), paragraph("J", "79", heading=applied),
              paragraph("K", "50", heading="B. The Court's assessment"),
              paragraph("J", "60", heading=stated, role="government"),  # a party's words under it: not the Court's
              paragraph("J", "70", heading=stated), paragraph("J", "71", heading=stated)]
    question = "When is a forced medical procedure to obtain evidence compatible with Article 3?"

    def spread(query: str, **settings) -> list[tuple[str, str]]:
        out = DocumentSpreader(**settings).run(documents=Candidates(ranked), reading=read_query(query))
        return order(out["documents"])

    assert spread(question) == [("J", "70"), ("J", "71"), ("K", "50"), ("J", "75"), ("J", "79"), ("J", "60")]
    as_ranked = order(ranked)  # the spreader's own cap keeps it: J's third and later paragraphs were last already
    assert spread(question, principles_first=False) == as_ranked
    assert spread(PASSAGE) == as_ranked, "a pasted passage keeps the ranker's order"
    assert spread("forced emetic evidence") == as_ranked, "so does a keyword search (it may want the application)"
    named = paragraph("J", "75", heading=applied, title="Jalloh v. Germany")
    ranked[0] = named
    assert spread("Was the emetic in Jalloh v. Germany compatible with Article 3?")[:2] == [("J", "75"), ("J", "79")], \
        "the case a question names keeps its order: all its paragraphs are listed"


def test_a_statement_of_the_principles_scored_below_the_first_screen_does_not_take_its_judgments_best_place() -> None:
    """qa-299 (sterilisation, session 25): a judgment's principle paragraph the ranker scored 2.68, below the whole
    first screen (5.98 to 3.31), took the judgment's first place, and its best paragraph, at 5.98, fell off the first
    ten. A statement scored within the screen's range of the judgment's best still goes first; one below it keeps its
    rank's place, and the best paragraph comes back to the first screen (`PRINCIPLES_WITHIN`)."""
    applied = "I. ALLEGED VIOLATION OF ARTICLE 8 › B. The Court's assessment › 2. Application of those principles"
    stated = "I. ALLEGED VIOLATION OF ARTICLE 8 › B. The Court's assessment › 1. General principles"
    others = [replace(paragraph(doc_id, "1"), score=score)
              for doc_id, score in zip("KLMNOPQR", (4.4, 4.0, 3.8, 3.6, 3.5, 3.4, 3.3, 3.2), strict=True)]
    ranked = [replace(paragraph("J", "57", heading=applied), score=6.0), others[0],
              replace(paragraph("J", "50", heading=stated), score=4.2), *others[1:],
              replace(paragraph("J", "49", heading=stated), score=2.7)]
    question = "How does the Court consider the effects of sterilisation on private life under Article 8?"
    out = order(DocumentSpreader().run(documents=Candidates(ranked), reading=read_query(question))["documents"])
    assert out[:3] == [("J", "50"), ("K", "1"), ("J", "57")], "the statement within the range first, then the best"
    assert out[-1] == ("J", "49"), "the statement scored below the first screen waits where its score put it"
    unscored = [replace(d, score=None) for d in ranked]
    out = order(DocumentSpreader().run(documents=Candidates(unscored), reading=read_query(question))["documents"])
    assert out[:3] == [("J", "50"), ("K", "1"), ("J", "49")], "without scores every statement goes first, as before"


def test_a_named_sources_numbered_paragraphs_are_uncapped_but_not_a_pages_windows_of_text() -> None:
    """"family not told and no lawyer while held by the supervision commission in China": naming China names the PRC
    statutes and the campaign pages (`QueryReading.named_kinds`). A statute's articles are provisions of their own and
    all stay in order; one page's windows of text (no paragraph numbers) took three of the first ten places, and now
    wait after two, as do a CRS primer's under a question naming the Uyghurs, beside the OHCHR's numbered paragraphs."""

    def window(doc_id: str, n: int, kind: str) -> Document:
        return replace(paragraph(doc_id, None, source_kind=kind, role=None, section=None), id=f"{doc_id}@{n}")

    statute = {"source_kind": "prc-law", "doc_type": "STATUTE", "role": None, "section": None}
    ranked = [paragraph("SUP", "第四十四条", **statute), window("POST", 1, "campaign"), window("POST", 2, "campaign"),
              paragraph("SUP", "第四十三条", **statute), window("POST", 3, "campaign"),
              paragraph("SUP", "第二十二条", **statute), window("OTHER", 1, "campaign")]
    query = "family not told and no lawyer while held by the supervision commission in China"
    out = DocumentSpreader().run(documents=Candidates(ranked), reading=read_query(query))["documents"]
    assert [d.id for d in out] == [ranked[i].id for i in (0, 1, 2, 3, 5, 6, 4)]
    ohchr = [paragraph("OHCHR", str(n), source_kind="report", role=None, section=None) for n in (139, 136, 138)]
    ranked = [window("CRS", 1, "report"), window("CRS", 2, "report"), window("CRS", 3, "report"), *ohchr]
    query = "Are Uyghurs abroad who speak out about Xinjiang threatened by the Chinese authorities?"
    out = DocumentSpreader().run(documents=Candidates(ranked), reading=read_query(query))["documents"]
    assert [d.id for d in out] == [ranked[i].id for i in (0, 1, 3, 4, 5, 2)]


def test_one_campaign_sites_pages_share_a_documents_two_places() -> None:
    """The same query on the whole store (session 23): the ranker's list (real ids, files and window positions).
    Four pages of the Free Xueqin & Jianbing site, one organisation's account of the same two detainees, held five of
    the first ten places, each page within its own two; the site now gets two, and the Court, another campaign and the
    Criminal Procedure Law's art. 39 (access to counsel) come into the first ten. The 9th stands for that site's
    campaign PDF (on the store, a post of it): the site is read from the file, not from `court`, which the PDF's
    author field fills."""
    statute = {"source_kind": "prc-law", "role": None, "section": None}

    def article(folder: str, doc_id: str, number: str) -> Document:
        file = f"prc-law/{folder}/{doc_id[4:-11]}({doc_id[-10:]}).md"  # PRC-监察法-2018-03-20: 监察法(2018-03-20).md
        return paragraph(doc_id, number, source_file=file, doc_type="STATUTE", **statute)

    def page(site: str, path: str, window: int, court: str) -> Document:
        doc = paragraph(f"CAMPAIGN-{site}/{path}", None, source_kind="campaign", doc_type="CAMPAIGN_POST", role=None,
                        section=None, source_file=f"campaigns/{site}/{path}.md", court=court, para_index=window)
        return replace(doc, id=f"{doc.meta['doc_id']}#{window}")

    xueqin = "free-xueq-jianb"
    rules = "PRC-人民检察院刑事诉讼规则-2019-12-02"
    death_penalty = "PRC-最高人民法院关于死刑复核及执行程序中保障当事人合法权益的若干规定-2019-08-08"
    ranked = [article("宪法相关法", "PRC-监察法-2018-03-20", "第四十四条"),
              article("宪法相关法", "PRC-监察法-2024-12-25", "第五十条"),
              page(xueqin, "source/_posts/news0812", 1, xueqin),
              page(xueqin, "source/_posts/1108report", 4, xueqin),
              article("司法解释", rules, "第四十五条"),
              page(xueqin, "source/_posts/1108report", 1, xueqin),
              article("司法解释", death_penalty, "第一条"),
              page(xueqin, "source/_posts/safeguard", 9, xueqin),
              page(xueqin, "docs/A Joint Statement in Support of Huang Xueqin and Wang Jianbing 1206", 0,
                   "Microsoft Office User"),
              paragraph("HEJUD-12151-86", "32", title="F.C.B. v. Italy"),
              page("freekaili", "media", 11, "freekaili"),
              paragraph("001-89283", "67", title="Eryk Kozłowski v. Poland"),
              article("诉讼与非诉讼程序法", "PRC-刑事诉讼法-2018-10-26", "第三十九条")]
    query = "family not told and no lawyer while held by the supervision commission in China"
    out = DocumentSpreader().run(documents=Candidates(ranked), reading=read_query(query))["documents"]
    assert [d.id for d in out[:10]] == [ranked[i].id for i in (0, 1, 2, 3, 4, 6, 9, 10, 11, 12)]
    assert [d.id for d in out[10:]] == [ranked[i].id for i in (5, 7, 8)], "the site's other pages wait, in order"
    # a question naming the detainees, whose pool is that site's pages: they keep the order each page's own two
    # places gave them, each page's third window last
    pages = [page(xueqin, f"source/_posts/{name}", window, xueqin) for name, window in
             (("statement1208", 0), ("who-is-huang-xueqin", 2), ("safeguard", 9), ("statement1208", 3),
              ("jianbing-en", 1), ("statement1208", 5), ("safeguard", 4), ("uk-union-petition", 0))]
    named = read_query("Huang Xueqin and Wang Jianbing detained in China")
    out = DocumentSpreader().run(documents=Candidates(pages), reading=named)["documents"]
    assert [d.id for d in out] == [pages[i].id for i in (0, 1, 2, 3, 4, 6, 7, 5)]
    chosen = DocumentSpreader().run(documents=Candidates(ranked), reading=read_query(query),
                                    filters=SearchFilters(doc_ids=tuple(d.meta["doc_id"] for d in ranked)))
    assert list(chosen["documents"]) == ranked, "a search limited to chosen documents lists them as ranked"


def test_excluded_documents_are_never_ranked() -> None:
    pool = [paragraph("A", "1"), paragraph("B", "2")]
    assert order(rank(pool, PASSAGE, filters=SearchFilters(exclude_doc_ids=("A",)))) == [("B", "2")]
    assert rank(pool[:1], PASSAGE, filters=SearchFilters(exclude_doc_ids=("A",))) == []


def test_an_article_of_a_protocol_is_another_article_than_the_conventions() -> None:
    """A question on Article 1 of Protocol No. 1 (property) is not answered where the Court examines its jurisdiction
    under the Convention's Article 1, nor the other way round (real headings of the corpus)."""
    protocol = paragraph("P", "60", heading="II. ALLEGED VIOLATION OF ARTICLE 1 OF PROTOCOL No. 1 TO THE CONVENTION")
    convention = paragraph("C", "130", heading="II. THE ISSUE OF JURISDICTION UNDER ARTICLE 1 OF THE CONVENTION")
    pool = [protocol, convention]
    on_property = "Is a legitimate expectation a possession under Article 1 of Protocol No. 1?"
    on_jurisdiction = "When does Article 1 of the Convention reach acts abroad?"
    assert {key_of(d): ranking_features(d)["question_other_article"] for d in rank(pool, on_property)} \
        == {("P", "60"): 0.0, ("C", "130"): 1.0}
    assert {key_of(d): ranking_features(d)["question_other_article"] for d in rank(pool, on_jurisdiction)} \
        == {("P", "60"): 1.0, ("C", "130"): 0.0}
