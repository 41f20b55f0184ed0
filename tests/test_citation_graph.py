"""Citation extraction and resolution on real ECtHR paragraphs; cited-by with and without excluded citers."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders.echr import load
from kb.citations.graph import CitationGraph, build, extract, read_document

GRAPH_DOCS = ("JUDGMENT/HEJUD-14038-88.json.gz", "JUDGMENT/HEJUD-22414-93.json.gz", "JUDGMENT/HEJUD-37201-06.json.gz",
              "JUDGMENT/HEJUD-46827-99.json.gz", "JUDGMENT/001-87458.json.gz", "JUDGMENT/001-100038.json.gz")


@pytest.fixture(scope="module")
def docs(corpus_root: Path):
    return {d.doc_id: d for f in GRAPH_DOCS for d in load(corpus_root / "echr" / f, f"echr/{f}", "echr")}


@pytest.fixture(scope="module")
def graph(docs, corpus_root: Path, tmp_path_factory: pytest.TempPathFactory) -> CitationGraph:
    path = tmp_path_factory.mktemp("graph") / "citations.sqlite"
    stats = build(corpus_root, path, documents=docs.values())
    assert stats["citations"] > stats["resolved"] > 0
    return CitationGraph(path)


def test_pinpoint_forms() -> None:
    read = extract("(see Saadi v. Italy [GC], no. 37201/06, §§ 124-133, ECHR 2008; Ramirez Sanchez v. France [GC], "
                   "no. 59450/00, §§ 115-16, ECHR 2006-IX; Soering v. the United Kingdom, 7 July 1989, §§ 90 and 91, "
                   "Series A no. 161; Öcalan v. Turkey [GC], no. 46221/99, § 135, 12 May 2005)")
    assert [c.paragraphs for c in read] == [tuple(str(n) for n in range(124, 134)), ("115", "116"), ("90", "91"),
                                            ("135",)]
    assert [c.date for c in read] == [None, None, "1989-07-07", "2005-05-12"]


def test_one_grammar_reads_the_forms_the_old_patterns_missed(docs) -> None:
    """Initials, a name beginning with a non-ASCII letter, a short form without `cited above` of a name cited in
    full earlier in the judgment: the forms `kb check` reads, read the same way for the graph."""
    read = extract("M.S.S. v. Belgium and Greece [GC], no. 30696/09, § 249, ECHR 2011; Çakıcı v. Turkey [GC], "
                   "no. 23657/94, § 98, ECHR 1999-IV")
    assert [(c.name, c.appnos, c.paragraphs) for c in read] == [("M.S.S.", ("30696/09",), ("249",)),
                                                                ("Çakıcı", ("23657/94",), ("98",))]
    cited = [c for _, c in read_document(docs["001-100038"])]
    assert cited and all(c.form in ("full", "short", "ibid") for c in cited)


def test_saadi_125_citations_are_read_in_every_form(docs) -> None:
    para = next(p for p in docs["HEJUD-37201-06"].paragraphs if p.number == "125")
    found = extract(para.text)
    soering = next(c for c in found if c.name and c.name.startswith("Soering"))
    assert (soering.form, soering.date, soering.paragraphs) == ("full", "1989-07-07", ("90", "91"))
    assert any(c.form == "short" and c.name == "Vilvarajah and Others" and c.paragraphs == ("103",) for c in found)
    jabari = next(c for c in found if c.name == "Jabari")
    assert jabari.appnos == ("40035/98",) and jabari.paragraphs == ("38",)


def test_saadi_cites_soering_and_chahal_by_name_date_and_cited_above(graph) -> None:
    citers = {(c.doc_id, c.paragraph) for c in graph.cited_by("HEJUD-14038-88", "91")}
    assert ("HEJUD-37201-06", "125") in citers
    assert ("HEJUD-37201-06", "127") in {(c.doc_id, c.paragraph) for c in graph.cited_by("HEJUD-22414-93", "79")}


def test_application_number_resolves_mamatkulov(graph) -> None:
    citers = graph.cited_by("HEJUD-46827-99", "67")
    assert any(c.doc_id == "HEJUD-37201-06" and c.paragraph == "126" and "46827/99" in c.raw for c in citers)


SAADI_PARAGRAPHS = [("HEJUD-37201-06", str(n)) for n in range(1, 200)]


def test_excluded_citing_document_does_not_count(graph) -> None:
    para_all = graph.paragraph_counts(SAADI_PARAGRAPHS)
    para_ex = graph.paragraph_counts(SAADI_PARAGRAPHS, exclude_doc_ids=["001-100038"])
    assert sum(para_all.values()) > sum(para_ex.values())
    assert all(para_ex.get(k, 0) <= n for k, n in para_all.items())
    assert all(c.doc_id != "001-100038" for c in graph.cited_by("HEJUD-37201-06", "125", ["001-100038"]))


def test_unresolvable_citations_are_kept_as_text(graph) -> None:
    import sqlite3

    with sqlite3.connect(graph.path) as con:
        raw = [r[0] for r in con.execute("SELECT raw FROM citations WHERE cited_doc IS NULL AND citing_doc = ? "
                                         "AND citing_para = '124'", ("HEJUD-37201-06",))]
    assert any("Abdulaziz" in r for r in raw)


def test_paragraph_counts_agree_with_the_citing_paragraphs_listed(graph) -> None:
    counts = graph.paragraph_counts(SAADI_PARAGRAPHS + [("HEJUD-37201-06", "9999")])
    assert counts and ("HEJUD-37201-06", "9999") not in counts
    for (doc, para), n in counts.items():
        assert n == len(graph.cited_by(doc, para))
    excluded = graph.paragraph_counts(SAADI_PARAGRAPHS, ["001-100038"])
    for (doc, para), n in excluded.items():
        assert n == len(graph.cited_by(doc, para, ["001-100038"]))


# -- kept current: an update equals a fresh build ------------------------------------------------------------------


def graph_rows(path: Path) -> tuple[list, list, list]:
    """Everything a graph holds, independent of row ids: documents, citations, pinpoints (each sorted)."""
    import sqlite3

    with sqlite3.connect(path) as con:
        documents = sorted(con.execute("SELECT * FROM documents"))
        citations = sorted(con.execute("SELECT citing_doc, citing_para, cited_doc, cited_paras, raw, form, reporter "
                                       "FROM citations"), key=repr)
        pinpoints = sorted(con.execute("SELECT c.citing_doc, c.citing_para, c.raw, p.cited_doc, p.cited_para "
                                       "FROM pinpoints p JOIN citations c ON c.id = p.citation_id"))
    return documents, citations, pinpoints


def test_update_adding_changing_and_removing_judgments_equals_a_fresh_build(docs, corpus_root: Path,
                                                                            tmp_path: Path) -> None:
    """Saadi cites Soering, Chahal and Mamatkulov; NA. and A. v. the Netherlands cite Saadi. Adding them to a graph
    of the others must resolve both their own citations and those of judgments already in it that name them."""
    from dataclasses import replace

    from kb.citations.graph import update

    later = ("HEJUD-37201-06", "001-100038")
    path, fresh = tmp_path / "citations.sqlite", tmp_path / "fresh.sqlite"
    build(corpus_root, path, documents=[d for k, d in docs.items() if k not in later])
    before = graph_rows(path)
    stats = update(path, written=[docs[k] for k in later])
    assert stats is not None and stats["updated"] == 2
    build(corpus_root, fresh, documents=docs.values())
    assert graph_rows(path) == graph_rows(fresh)
    assert graph_rows(path) != before
    assert ("HEJUD-37201-06", "125") in {(c.doc_id, c.paragraph) for c in CitationGraph(path).cited_by(
        "HEJUD-14038-88", "91")}, "the added judgment's own citations"
    assert any(c.doc_id == "001-87458" for c in CitationGraph(path).cited_by("HEJUD-37201-06", "125")), \
        "a judgment already in the graph now cites the added one"

    assert update(path, written=[docs["HEJUD-37201-06"]]) is None, "an unchanged judgment changes nothing"

    saadi = docs["HEJUD-37201-06"]
    changed = replace(saadi, paragraphs=[p for p in saadi.paragraphs if p.number != "125"])
    update(path, written=[changed])
    build(corpus_root, fresh, documents=[changed if k == saadi.doc_id else d for k, d in docs.items()])
    assert graph_rows(path) == graph_rows(fresh)
    assert ("HEJUD-37201-06", "125") not in {(c.doc_id, c.paragraph) for c in CitationGraph(path).cited_by(
        "HEJUD-14038-88", "91")}

    update(path, removed=["HEJUD-37201-06", "not-in-the-graph"])
    build(corpus_root, fresh, documents=[d for k, d in docs.items() if k != "HEJUD-37201-06"])
    assert graph_rows(path) == graph_rows(fresh)
    assert not CitationGraph(path).cited_by("HEJUD-37201-06", "125"), "citations of the removed judgment went"


def test_a_graph_of_an_older_format_is_neither_read_nor_updated_but_says_to_rebuild(docs, corpus_root: Path,
                                                                                     tmp_path: Path) -> None:
    """A graph built before its citations kept their reporter (format 0) would give every judgment "no official
    reporter" and lower its estimated importance: it is refused, with the command that rebuilds it."""
    import sqlite3

    from kb.citations.graph import GRAPH_VERSION, needs_build, update
    from legal.errors import GraphOutdatedError

    path = tmp_path / "citations.sqlite"
    assert needs_build(path)
    build(corpus_root, path, documents=[docs["HEJUD-14038-88"], docs["HEJUD-37201-06"]])
    assert not needs_build(path)
    assert CitationGraph(path).reporters(["HEJUD-14038-88"]) == {"HEJUD-14038-88": "Series A no. 161"}
    with sqlite3.connect(path) as con:
        con.execute(f"PRAGMA user_version = {GRAPH_VERSION - 1}")
    assert needs_build(path), "`kb citations build --if-needed` (make run) rebuilds it"
    before = graph_rows(path)
    with pytest.raises(GraphOutdatedError, match="kb citations build"):
        update(path, written=[docs["HEJUD-22414-93"]])
    assert graph_rows(path) == before, "nothing half-written"
    with pytest.raises(GraphOutdatedError, match=f"format {GRAPH_VERSION - 1}.*kb citations build"):
        CitationGraph(path).reporters(["HEJUD-14038-88"])
    assert update(tmp_path / "none.sqlite", written=[docs["HEJUD-37201-06"]]) is None
    assert not (tmp_path / "none.sqlite").exists(), "no graph is created by an update"


SOERING, SAADI, NA = "HEJUD-14038-88", "HEJUD-37201-06", "001-87458"


def test_a_running_search_sees_the_citation_counts_of_a_judgment_written_or_a_graph_rebuilt(
        docs, corpus_root: Path, tmp_path: Path) -> None:
    """The ranked search keeps the graph's rows in memory (`CitationGraph`). Saadi v. Italy cites Soering § 91:
    ingesting Saadi while the KnowledgeBase is open raises the cited-by count its next search shows for § 91 to what
    a fresh read of the graph says; a rebuild without Saadi (a new file swapped in) lowers it again."""
    from conftest import home_env

    from kb.api import KnowledgeBase
    from kb.indexing.ingest import IngestRequest
    from kb.settings import Settings

    def judgment(doc_id: str) -> Path:
        return corpus_root / "echr" / "JUDGMENT" / f"{doc_id}.json.gz"

    settings = Settings.load(home_env(tmp_path / "home", corpus_root))
    kb = KnowledgeBase(settings)
    try:
        assert kb.ingest(IngestRequest(files=(judgment(SOERING), judgment(NA),
                                              corpus_root / "un" / "Annotated_CAT_GC4_art.3.json"))).failed == 0
        build(corpus_root, settings.citations_db, documents=[docs[SOERING], docs[NA]])
        general_comment = [h for h in kb.search("non-refoulement substantial grounds torture General Comment")
                           if h.source_kind == "un"]
        assert general_comment and all(h.cited_by is None for h in general_comment), \
            "the graph counts ECtHR citations only: a treaty body's paragraph shows no 'cited by 0'"
        view = kb.show(SOERING, "91")
        query = view.paragraphs[view.focus].text

        def shown() -> tuple[int | None, int]:
            hit = next(h for h in kb.search(query) if (h.doc_id, h.paragraph) == (SOERING, "91"))
            return hit.cited_by, len(CitationGraph(settings.citations_db).cited_by(SOERING, "91"))

        before, truth = shown()
        assert before == truth
        assert kb.ingest(IngestRequest(files=(judgment(SAADI),))).failed == 0
        after, truth = shown()
        assert after == truth > before
        build(corpus_root, settings.citations_db, documents=[docs[SOERING], docs[NA]])  # a new file, swapped in
        assert shown() == (before, before)
    finally:
        kb.close()
