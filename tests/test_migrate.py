"""`kb migrate`: Edge store → server collection → a new Edge store, every hop verified.

The server is qdrant-client's LOCAL MODE, a STAND-IN for a Qdrant server (none can run on this machine):
`--to path:FOLDER` opens it. The source is the session's real sample store (13 corpus files, real
embeddings), copied first into its own Edge folder so the fixture's open shard is left alone: some whole documents'
chunks and every point of both document indexes (the facts sections and the reasoning of its judgments, beside the
chunks).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import memoize_local_mode_dates

from kb.search.facts_index import FactsIndex, open_reasoning_index
from kb.store.base import (
    DOCUMENT_INDEXES,
    FACTS,
    REASONING,
    ChunkPoint,
    ChunkStore,
    FactsPoint,
    SearchFilters,
    SparseVector,
    StoredChunk,
)
from kb.store.edge import EdgeStore
from kb.store.migrate import (
    IndexReport,
    MigrationReport,
    copy_chunks,
    copy_facts,
    migrate,
    rankings_agree,
    verify,
    verify_facts,
)
from kb.store.server import ServerStore

memoize_local_mode_dates()

DIM = 384
MAX_CHUNKS = 400
"""Enough for several whole documents; local mode's sparse search is slow, and 400 keeps this test quick."""
FACTS_QUERIES = (
    "The applicant was detained pending extradition to the United States to face charges of capital murder in "
    "Virginia; he risked the death penalty and the death row phenomenon.",
    "The applicant, a Tunisian national, was arrested in Italy on suspicion of international terrorism",
    "The applicant, a Sikh separatist, was detained with a view to deportation to India on national security grounds",
    "Roma families lived in an unlawful settlement in Sofia which the municipality ordered removed",
)


@pytest.fixture(scope="module")
def edge_source(sample_kb, tmp_path_factory) -> Path:
    """An Edge store holding the first MAX_CHUNKS chunks of the sample store (whole documents only) and every facts
    point of the sample store."""
    folder = tmp_path_factory.mktemp("migrate") / "edge-source"
    source = sample_kb.store
    docs = sorted(source.versions().values(), key=lambda v: v.stored_chunks)
    chosen, total = [], 0
    for v in docs:
        if total + v.stored_chunks <= MAX_CHUNKS:
            chosen.append(v.doc_id)
            total += v.stored_chunks
    assert len(chosen) >= 4, "the sample store should hold several small documents"
    edge = EdgeStore(folder, DIM)
    edge.upsert([ChunkPoint(c.id, c.dense, c.sparse, c.payload)
                 for c in source.scroll(SearchFilters(doc_ids=tuple(chosen)), with_vectors=True)])
    for index in DOCUMENT_INDEXES:
        edge.upsert_facts(list(source.scroll_facts(index=index)), index=index)
        assert len(edge.facts_doc_ids(index=index)) >= 5, f"the sample store's judgments have {index} points"
    edge.close()
    return folder


def facts_ranks(store: ChunkStore) -> dict[str, dict[str, int]]:
    """What search asks of the facts index: each judgment's rank for each query, with and without an exclusion."""
    index = FactsIndex(store)
    every = sorted(store.facts_doc_ids())
    out = {query: index.ranks(query, every) for query in FACTS_QUERIES}
    out["excluding Soering"] = index.ranks(FACTS_QUERIES[0], every, exclude_doc_ids=["HEJUD-14038-88"])
    return out


def reasoning_firsts(store: ChunkStore) -> dict[str, list[str]]:
    """What search asks of the reasoning index: the first judgments for each query, with and without an exclusion."""
    index = open_reasoning_index(store)
    out = {query: index.first(query, 10) for query in FACTS_QUERIES}
    out["excluding Soering"] = index.first(FACTS_QUERIES[0], 10, exclude_doc_ids=["HEJUD-14038-88"])
    return out


def run_cli(argv: list[str], home: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict, str]:
    """`kb ARGV` as a user runs it, with its own KB_HOME; returns the exit code, the JSON line and stderr."""
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(home))
    code = main(argv)
    captured = capsys.readouterr()
    out = captured.out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}, captured.err


def test_round_trip_edge_to_server_standin_to_new_edge(edge_source: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    server = tmp_path / "server-standin"
    code, there, _ = run_cli(["migrate", "--to", f"path:{server}", "--from-edge", str(edge_source), "--json",
                              "--batch", "64", "--samples", "8"], tmp_path, capsys, monkeypatch)
    assert code == 0, there
    assert there["ok"] and there["copied"] == there["source_count"] == there["target_count"] > 100
    assert there["versions_checked"] >= 4 and there["spot_queries"] >= 8
    for index in DOCUMENT_INDEXES:
        checked = there["indexes"][index]
        assert checked["copied"] == checked["source_count"] == checked["target_count"] >= 5, index
        assert checked["queries"] >= 5 and not checked["mismatches"], index

    back = tmp_path / "edge-back"
    code, home, _ = run_cli(["migrate", "--to", f"path:{server}", "--from-edge", str(back), "--back", "--json"],
                            tmp_path, capsys, monkeypatch)
    assert code == 0, home
    assert home["ok"] and home["target_count"] == there["source_count"]
    for index in DOCUMENT_INDEXES:
        assert home["indexes"][index]["copied"] == home["indexes"][index]["target_count"] \
            == there["indexes"][index]["source_count"]

    original, copy = EdgeStore(edge_source, DIM), EdgeStore(back, DIM)
    standin = ServerStore(None, "kb_chunks", DIM, location=str(server))
    try:
        before = facts_ranks(original)
        assert before[FACTS_QUERIES[0]]["HEJUD-14038-88"] == 1 and before[FACTS_QUERIES[1]]["HEJUD-37201-06"] == 1
        assert "HEJUD-14038-88" not in before["excluding Soering"]
        assert facts_ranks(standin) == before, "the server stand-in ranks judgments by their facts as Edge did"
        assert facts_ranks(copy) == before, "and so does the Edge store copied back"
        assert original.facts_doc_ids() == standin.facts_doc_ids() == copy.facts_doc_ids()
        firsts = reasoning_firsts(original)
        assert "HEJUD-14038-88" in firsts[FACTS_QUERIES[0]] and "HEJUD-14038-88" not in firsts["excluding Soering"]
        assert reasoning_firsts(standin) == firsts, "the stand-in finds the same judgments by their reasoning"
        assert reasoning_firsts(copy) == firsts, "and so does the Edge store copied back"
        assert original.facts_doc_ids(index=REASONING) == standin.facts_doc_ids(index=REASONING) \
            == copy.facts_doc_ids(index=REASONING)
        assert original.versions() == copy.versions()
        a = {c.id: c for c in original.scroll(with_vectors=True)}
        b = {c.id: c for c in copy.scroll(with_vectors=True)}
        assert a.keys() == b.keys()
        for chunk_id in list(a)[::17]:
            assert a[chunk_id].payload == b[chunk_id].payload
            assert a[chunk_id].dense == pytest.approx(b[chunk_id].dense, abs=1e-6)
            assert a[chunk_id].sparse == b[chunk_id].sparse
    finally:
        original.close()
        copy.close()
        standin.close()


def test_rerun_after_an_interrupted_copy_completes_it(edge_source: Path, tmp_path: Path) -> None:
    """An interrupted copy leaves a partial target that fails verification; the same command then finishes it."""
    source = EdgeStore(edge_source, DIM)
    target = ServerStore(None, "kb_chunks", DIM, location=str(tmp_path / "server-standin"))
    try:
        partial = [c for _, c in zip(range(50), source.scroll(with_vectors=True), strict=False)]
        target.upsert([ChunkPoint(c.id, c.dense, c.sparse, c.payload) for c in partial])
        report = MigrationReport("edge", "server")
        verify(source, target, report, samples=4)
        assert not report.ok and report.target_count == 50 and report.version_mismatches
        report = migrate(source, target, "edge", "server", batch=100, samples=4)
        assert report.ok, report.line()
        assert report.copied == report.source_count == target.count()
    finally:
        source.close()
        target.close()


def test_verification_catches_a_changed_chunk(edge_source: Path, tmp_path: Path) -> None:
    """A copy that lost one chunk's vector, or holds an extra chunk, is reported, not declared verified."""
    source = EdgeStore(edge_source, DIM)
    target = ServerStore(None, "kb_chunks", DIM, location=":memory:")
    try:
        copy_chunks(source, target)
        victim = next(iter(source.scroll(with_vectors=True)))
        target.upsert([ChunkPoint(victim.id, [-x for x in victim.dense], victim.sparse, victim.payload)])
        report = MigrationReport("edge", "server")
        verify(source, target, report, samples=4)  # the sample always starts at the first chunk scrolled: the victim
        assert report.source_count == report.target_count and not report.version_mismatches
        assert any(victim.id in m for m in report.spot_mismatches), report.spot_mismatches
    finally:
        source.close()
        target.close()


@pytest.mark.parametrize("index", DOCUMENT_INDEXES)
def test_verification_catches_a_lost_or_changed_index_point(edge_source: Path, index: str) -> None:
    """A copy that lost a judgment's point in a document index, or holds it with other weights, is reported, and
    the whole migration is not verified."""
    source = EdgeStore(edge_source, DIM)
    target = ServerStore(None, "kb_chunks", DIM, location=":memory:")
    try:
        points = list(source.scroll_facts(index=index))
        assert copy_facts(source, target, batch=2, index=index) == len(points)
        report = IndexReport()
        verify_facts(source, target, report, samples=len(points), index=index)
        assert report.ok and report.queries == len(points) and not report.missing and not report.mismatches
        lost, changed = points[0], points[1]
        target.delete_facts([lost.doc_id], index=index)
        target.upsert_facts([FactsPoint(changed.id, changed.doc_id,
                                        SparseVector(changed.sparse.indices, [v * 3 for v in changed.sparse.values]))],
                            index=index)
        migration = MigrationReport("edge", "server")
        report = migration.indexes[index]
        verify_facts(source, target, report, samples=len(points), index=index)
        assert not report.ok and not migration.ok and report.target_count == report.source_count - 1
        assert report.missing == [f"{index} point of {lost.doc_id} in one store only"]
        assert report.mismatches, "the changed weights change the rankings"
        assert set(report.missing + report.mismatches) <= set(migration.problems())
        other = FACTS if index == REASONING else REASONING
        assert target.facts_doc_ids(index=other) == set(), "the other index was not touched"
    finally:
        source.close()
        target.close()


def test_missing_edge_store_is_named(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = run_cli(["migrate", "--to", f"path:{tmp_path / 's'}", "--from-edge", str(tmp_path / "nope")],
                           tmp_path, capsys, monkeypatch)
    assert code == 2
    assert f"No Edge store at {tmp_path / 'nope'}" in err and "--from-edge" in err
    assert not (tmp_path / "nope").exists(), "a mistyped path must not create an empty store"


def test_rankings_agree_allows_ties_only() -> None:
    a = [StoredChunk("x", {}, 0.9), StoredChunk("y", {}, 0.5), StoredChunk("z", {}, 0.5), StoredChunk("w", {}, 0.1)]
    swapped = [a[0], a[2], a[1], a[3]]
    assert rankings_agree(a, swapped)
    assert not rankings_agree(a, [a[1], a[0], a[2], a[3]])
    assert not rankings_agree(a, a[:3])
