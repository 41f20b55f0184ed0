"""Sparse-first writes and `kb embed` (issue 21): a store written without dense vectors is searchable at once, the
backfill fills every vector keeping ids and versions, survives kill -9, goes through the inbox when another process
serves the store, and dense/hybrid results say when they come from a partly embedded store.

Real files, a real Qdrant Edge store, the real model and real processes. Each home has its own embedding cache, so a
sparse-first ingest really leaves vectors out; `seed_cache` then copies the shared test cache's vectors into it (the
shared cache embeds each real passage once per machine), so that the backfill's model time stays small.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import anyio
import pytest
from conftest import SHARED_EMBED_CACHE, embedding_turn, home_env

from kb.api import KnowledgeBase
from kb.cli import main
from kb.documents import SharedDocument
from kb.embedding import CachedDocumentEmbedder, EmbeddingCache, document_embedder
from kb.indexing.backfill import progress_path, run_embed
from kb.indexing.handover import (
    BATCH_SUFFIX,
    HOLDER,
    InboxWatcher,
    apply_inbox,
    pending_vectors,
    try_open,
    write_batch,
    write_snapshot,
    write_vectors,
)
from kb.indexing.ingest import IngestRequest
from kb.indexing.update import UpdateRequest, run_update
from kb.indexing.writing import Batch, store_documents
from kb.settings import Settings
from kb.store import EMBEDDING_DIM, open_store
from kb.store.base import EMBED_RANK, ChunkPoint, SearchFilters, SparseVector
from legal.errors import KbError
from legal.text import index_text

PROJECT = Path(__file__).resolve().parents[1]
FILES = (
    "un/Annotated_CAT_GC4_art.3.json",  # CAT general comment No. 4 (tier 3)
    "prc-law/宪法相关法/监察法(2018-03-20).md",  # PRC Supervision Law (tier 3)
    "echr/DECISION/001-100741.json",  # Yordanova v. Bulgaria (dec.): the Court's own paragraphs and the rest
)


def content(payload: dict) -> str:
    """What the model embeds for a stored chunk (as `kb.indexing.chunking.prepare` made it)."""
    return index_text(payload["text"]) or payload["text"]


@pytest.fixture(scope="module")
def sparse_template(tmp_path_factory: pytest.TempPathFactory, corpus_root: Path) -> Path:
    """A home with FILES written sparse-first, once per module: each test gets a copy (`sparse_home`) instead of
    reading, cutting and BM25-weighting the same three files again (a Qdrant Edge shard is a folder; a copied home
    opens as the original, as `sample_kb`'s copies do)."""
    folder = tmp_path_factory.mktemp("sparse_template")
    env = {**home_env(folder / "home", corpus_root), "KB_EMBED_CACHE": str(folder / "cache.sqlite")}
    kb = KnowledgeBase(Settings.load(env))
    try:
        report = kb.ingest(IngestRequest(files=tuple(corpus_root / f for f in FILES), sparse_first=True),
                           warn=lambda m: None)
        assert (report.added, report.failed) == (3, 0)
        assert report.without_dense == report.chunks == kb.store.count_missing_dense() == kb.store.count() > 100
    finally:
        kb.close()
    return folder / "home"


@pytest.fixture()
def sparse_home(sparse_template: Path, tmp_path: Path, corpus_root: Path) -> Settings:
    """FILES written sparse-first into a home of the test's own whose embedding cache is its own and empty: no chunk
    has a vector."""
    shutil.copytree(sparse_template, tmp_path / "home")
    env = {**home_env(tmp_path / "home", corpus_root), "KB_EMBED_CACHE": str(tmp_path / "cache.sqlite")}
    return Settings.load(env)


def stored(settings: Settings) -> tuple[dict[str, dict], dict, int]:
    """(chunk id → payload, versions, chunks without a dense vector) of the home's store, which is closed again."""
    store = open_store(settings)
    try:
        return {c.id: c.payload for c in store.scroll()}, store.versions(), store.count_missing_dense()
    finally:
        store.close()


def seed_cache(settings: Settings, leave_out: int = 0) -> list[str]:
    """Put the vectors of every stored text into the home's cache, except `leave_out` texts that occur once (the
    model must embed those); returns the texts left out."""
    payloads, _, _ = stored(settings)
    counts = Counter(content(p) for p in payloads.values())
    texts = sorted(counts)
    shared = CachedDocumentEmbedder(lambda: document_embedder(settings.embedding),
                                    EmbeddingCache(Path(SHARED_EMBED_CACHE), settings.embedding))
    with embedding_turn():
        docs = shared.run(documents=[SharedDocument(id=str(i), content=t) for i, t in enumerate(texts)])["documents"]
    left = [t for t in texts if counts[t] == 1][:leave_out]
    EmbeddingCache(settings.embeddings_cache, settings.embedding).put_many(
        [(d.content, d.embedding) for d in docs if d.content not in left])
    return left


def env_for(settings: Settings) -> dict[str, str]:
    return {**os.environ, "KB_HOME": str(settings.home), "KB_CORPUS": str(settings.corpus),
            "KB_EMBED_CACHE": str(settings.embeddings_cache), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": str(PROJECT)}


def test_missing_dense_lists_the_most_useful_chunks_first(sparse_home: Settings) -> None:
    """The Court's own paragraphs, then UN and PRC law, then the rest: `embed_rank` order, every chunk once."""
    store = open_store(sparse_home)
    try:
        listed = store.missing_dense(10_000)
        assert len(listed) == len({c.id for c in listed}) == store.count()
        ranks = [c.payload[EMBED_RANK] for c in listed]
        assert ranks == sorted(ranks, reverse=True)
        kinds = [c.payload["doc_id"].split("-")[0] for c in listed]
        assert kinds[0] in ("UN", "PRC") and kinds[-1] == "001", "the decision's non-Court paragraphs come last"
        assert all(content(c.payload) for c in listed)
    finally:
        store.close()


def test_sparse_first_then_kb_embed_fills_every_vector_keeping_ids_and_versions(sparse_home: Settings) -> None:
    payloads, versions, missing = stored(sparse_home)
    left = seed_cache(sparse_home, leave_out=3)
    kb = KnowledgeBase(sparse_home)
    hits = kb.search("risk of torture on return", mode="hybrid", limit=5)
    assert hits.partial is not None and hits.partial.embedded == 0 and "Partial dense index" in hits.note()
    kb.close()

    reports: list[tuple[int, float | None]] = []
    state = run_embed(sparse_home, lambda p: reports.append((p.rounds, p.rate())), round_size=64, warn=lambda m: None)
    assert (state.mode, state.done, state.total) == ("direct", len(payloads), len(payloads))
    assert state.embedded == len(left) == 3, "only the texts the cache did not hold went to the model"
    # The time left is timed from the first round's end: that round carries the start (store, model load).
    assert all(rate is None for rounds, rate in reports if rounds <= 1), reports
    assert state.rounds >= 3 and all(rate and rate > 0 for rounds, rate in reports if rounds >= 2), reports
    assert state.cached == missing - 3
    after, after_versions, after_missing = stored(sparse_home)
    assert after_missing == 0
    assert after == payloads and after_versions == versions, "ids, payloads and versions are as written"

    kb = KnowledgeBase(sparse_home)
    try:
        cache = EmbeddingCache(sparse_home.embeddings_cache, sparse_home.embedding)
        chunk_id, payload = next((i, p) for i, p in payloads.items() if content(p) == left[0])
        vector = cache.get_many([left[0]])[left[0]]  # the model's vector, put in the cache by the backfill
        top = kb.store.search(vector, None, SearchFilters(), limit=1, mode="dense")
        assert top[0].id == chunk_id and top[0].score > 0.999
        hits = kb.search("risk of torture on return", mode="hybrid", limit=5)
        assert hits and hits.partial is None and hits.note() is None
    finally:
        kb.close()
    assert run_embed(sparse_home, warn=lambda m: None).rounds == 0, "a full store leaves nothing to do"


def test_a_new_version_keeps_each_unchanged_passages_dense_state_and_runs_no_model(sparse_home: Settings) -> None:
    """Session 18: a loader change gives every document a new version with the same passages; rewriting them ran
    the model for every passage the embedding cache lacked (a sparse-first whole corpus: 267,398 ECtHR chunks at ~30
    chunks/s). A passage the store holds (same id: document, place and text) keeps its stored vector, or its lack of
    one for `kb embed`: here the cache is empty and stays so, as nothing reached the model."""
    payloads, versions, missing = stored(sparse_home)
    marked = next(iter(payloads))
    store = open_store(sparse_home)
    try:
        vector = [0.0] * EMBEDDING_DIM
        vector[7] = 1.0
        assert store.update_vectors({marked: vector}) == 1
        store.set_document_fields({doc_id: {"doc_version": f"{doc_id}@{'0' * 16}#{v.expected_chunks}"}
                                   for doc_id, v in versions.items()})  # as a store of the code before would hold
        assert all(v.version == "0" * 16 for v in store.versions().values())
    finally:
        store.close()
    kb = KnowledgeBase(sparse_home)
    try:
        report = kb.ingest(IngestRequest(files=tuple(sparse_home.corpus / f for f in FILES)), warn=lambda m: None)
        assert (report.replaced, report.chunks) == (3, len(payloads))
        assert report.without_dense == len(payloads) - 1
    finally:
        kb.close()
    after, after_versions, after_missing = stored(sparse_home)
    assert after_versions == versions and after == payloads, "every document written again, in the version it had"
    assert after_missing == missing - 1, "the passages without a vector still wait for `kb embed`"
    store = open_store(sparse_home)
    try:
        assert store.dense_vectors([marked]) == {marked: vector}, "the stored vector kept"
        other = next(i for i in payloads if i != marked)
        assert store.dense_vectors([other, str(uuid.uuid4())]) == {other: None}, "stored without one; absent"
    finally:
        store.close()
    cache = EmbeddingCache(sparse_home.embeddings_cache, sparse_home.embedding)
    assert cache.get_many([content(p) for p in payloads.values()]) == {}, "the model ran for no passage"


NOTE = """# Counsel's note on diplomatic assurances

The assurances offered by the requesting state are not specific and cannot be monitored independently.
"""


def of_files(settings: Settings, tmp_path: Path) -> Settings:
    """The same home over a corpus of FILES alone (linked), so that `kb update --all` reads these three files."""
    corpus = tmp_path / "corpus"
    for rel in FILES:
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).symlink_to(settings.corpus / rel)
    return Settings.load({**env_for(settings), "KB_CORPUS": str(corpus)})


def test_kb_update_sparse_first_makes_new_text_searchable_without_the_model(
        sparse_home: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`kb update` had no `--sparse-first`: a lawyer updating a large corpus waited for the model before the new
    text was searchable. As `kb ingest --sparse-first`: written for BM25 and ranked search at once, dense vectors
    only from the cache (empty here), the rest left to `kb embed`."""
    sparse_home.drop.mkdir(parents=True)
    (sparse_home.drop / "note.md").write_text(NOTE, encoding="utf-8")
    (sparse_home.drop / "second-note.md").write_text(NOTE.replace("Counsel's", "Junior counsel's"), encoding="utf-8")
    for key, value in env_for(sparse_home).items():
        monkeypatch.setenv(key, value)
    assert main(["update", "--sparse-first", "--no-corpus", "--batch-chunks", "1", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out.splitlines()[-1])["added"] == 2
    assert "wait for their dense vectors (`kb embed`)" in out.err
    batches = [line for line in out.err.splitlines() if line.startswith("update: ")]
    assert len(batches) == 2 and batches[1].endswith("chunks/s, under a minute left"), "a rate and a time left"
    payloads, _, missing = stored(sparse_home)
    assert missing == len(payloads), "no passage got a vector: the model did not run"
    assert EmbeddingCache(sparse_home.embeddings_cache, sparse_home.embedding).get_many(
        [content(p) for p in payloads.values()]) == {}
    assert main(["search", "assurances cannot be monitored independently", "-k", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["doc_id"].startswith(("DROP-note-", "DROP-second-note-"))


def test_beside_the_app_an_update_embeds_only_new_documents_and_stored_vectors_stay(sparse_home: Settings,
                                                                                       tmp_path: Path) -> None:
    """The updating process cannot read a store another process holds, so it embedded every passage the cache
    lacked, unchanged ones included: beside the app, a loader change rewrote a sparse-first corpus at the model's
    ~30 chunks/s instead of the ~670/s of a direct update, on the app's cores. Now it embeds the documents new to
    the store only; a passage of a stored document is handed over without a vector and keeps the one the owner
    holds (here a vector the cache does not have), or waits for `kb embed`, as in a direct update."""
    settings = of_files(sparse_home, tmp_path)
    payloads, versions, missing = stored(settings)
    marked = next(iter(payloads))
    vector = [0.0] * EMBEDDING_DIM
    vector[7] = 1.0
    settings.drop.mkdir(parents=True)
    (settings.drop / "note.md").write_text(NOTE, encoding="utf-8")
    store = open_store(settings)  # this test is the serving process
    try:
        assert store.update_vectors({marked: vector}) == 1
        store.set_document_fields({doc_id: {"doc_version": f"{doc_id}@{'0' * 16}#{v.expected_chunks}"}
                                   for doc_id, v in versions.items()})  # a loader change: every version is new
        store.flush()
        settings.inbox.mkdir(parents=True, exist_ok=True)
        write_snapshot(settings.inbox, store_documents(store))
        report = run_update(settings, UpdateRequest(everything=True), warn=lambda m: None)
        assert (report.mode, report.replaced, report.added, report.failed) == ("handover", 3, 1, 0)
        cache = EmbeddingCache(settings.embeddings_cache, settings.embedding)
        assert cache.get_many([content(p) for p in payloads.values()]) == {}, "no stored passage was embedded"
        apply_inbox(store, settings.inbox)
        note = [c for c in store.scroll(SearchFilters(source_kinds=("drop",)), with_vectors=True)]
        assert note and all(c.dense for c in note), "the new document was embedded by the update"
        assert store.dense_vectors([marked]) == {marked: vector}, "the stored vector kept"
        assert store.count_missing_dense() == missing - 1, "the rest still wait for `kb embed`"
        assert {d: v.version for d, v in store.versions().items() if d in versions} == \
            {d: v.version for d, v in versions.items()}
    finally:
        store.close()


def test_partial_store_is_flagged_on_every_result_list_and_eval_refuses_dense(
        sparse_home: Settings, corpus_root: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for key, value in env_for(sparse_home).items():
        monkeypatch.setenv(key, value)
    assert main(["search", "torture", "--mode", "hybrid", "-k", "3"]) == 0
    assert capsys.readouterr().out.startswith("Partial dense index: 0% of the ")
    assert main(["search", "torture", "--mode", "dense", "-k", "3", "--json"]) == 0
    out = capsys.readouterr()
    assert "Partial dense index" in out.err and json.loads(out.out) == [], "no vector yet: dense finds nothing"
    assert main(["search", "torture", "-k", "3"]) == 0
    assert "Partial dense index" not in capsys.readouterr().out, "ranked searches the whole store"
    assert main(["stats"]) == 0
    assert "dense vectors: 0 of " in capsys.readouterr().out

    dev = corpus_root.parent / "eval" / "dev.jsonl"
    assert main(["eval", str(dev), "--mode", "hybrid", "--limit", "1"]) == 2
    assert "--allow-partial" in capsys.readouterr().err
    assert main(["eval", str(dev), "--compare", "--limit", "1", "--json"]) == 0
    out = capsys.readouterr()
    assert "left out dense, hybrid" in out.err
    assert [r["variant"] for r in json.loads(out.out)][:2] == ["bm25", "ranked"]
    assert main(["eval", str(dev), "--mode", "dense", "--limit", "1", "--allow-partial"]) == 0
    assert "cover that part only" in capsys.readouterr().err


def test_a_short_ranked_list_completed_by_hybrid_is_flagged_partial_too(
        sparse_home: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A ranked list left short (the question's words are absent) is completed by hybrid search, which over a partly
    embedded store sees only the passages with a dense vector: the list says so, as a hybrid list does."""
    seed_cache(sparse_home)
    cache = EmbeddingCache(sparse_home.embeddings_cache, sparse_home.embedding)
    store = open_store(sparse_home)
    try:
        chunks = store.missing_dense(40)
        vectors = cache.get_many([content(c.payload) for c in chunks])
        assert store.update_vectors({c.id: vectors[content(c.payload)] for c in chunks}) == 40
        store.flush()
    finally:
        store.close()
    kb = KnowledgeBase(sparse_home)
    try:
        full = kb.search("torture", limit=3)
        assert len(full) == 3 and full.partial is None and full.note() is None, "a full ranked list needs no fill"
        short = kb.search("zeppelin defenestration", limit=5)
        assert short, "the fill found passages by meaning"
        assert short.partial is not None and short.partial.embedded == 40 < short.partial.total
        assert "Partial dense index" in short.note() and "completed with by meaning" in short.note()
    finally:
        kb.close()
    for key, value in env_for(sparse_home).items():
        monkeypatch.setenv(key, value)
    assert main(["search", "zeppelin defenestration", "-k", "5"]) == 0
    assert capsys.readouterr().out.startswith("Partial dense index: "), "the CLI prints it above the list"


def test_kill_9_mid_fill_loses_nothing_and_the_next_run_finishes(sparse_home: Settings) -> None:
    """Rounds of two chunks, each applied through the inbox while nobody serves the store; kill -9 after a few."""
    seed_cache(sparse_home)
    payloads, versions, total = stored(sparse_home)
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "embed", "--round", "2"], env=env_for(sparse_home),
                            cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    done = 0
    while done < 12:
        assert proc.poll() is None, "kb embed ended before it was killed"
        assert time.monotonic() < deadline, "kb embed made no progress"
        try:
            done = json.loads(progress_path(sparse_home).read_text())["done"]
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)

    _, _, missing = stored(sparse_home)
    assert 0 < missing <= total - 12, "killed mid-way, with what it applied kept"
    state = run_embed(sparse_home, round_size=64, warn=lambda m: None)
    assert state.embedded == 0, "every vector came from the cache: nothing was embedded twice"
    after, after_versions, after_missing = stored(sparse_home)
    assert after_missing == 0 and after == payloads and after_versions == versions
    assert not pending_vectors(sparse_home.inbox)


def test_a_write_the_store_refuses_stops_kb_embed_with_an_error_and_loses_nothing(sparse_home: Settings) -> None:
    """The writer thread's failure (here the store refuses a vector of the wrong length, which a damaged cache entry
    gives) ends the run with an error that names the cache; the rounds written before it stay (at least the six
    before the hundredth chunk), its chunk gets no vector, ids and versions are untouched, and once the entry is
    mended the next run finishes from the cache alone.

    The damaged chunk ranks strictly below at least 100 others: chunks of equal `embed_rank` come in no fixed order
    (the store's scroll may list them otherwise once vectors are set, as CI's machine did), so a position in one
    listing is not the position in the run's rounds."""
    seed_cache(sparse_home)
    payloads, versions, total = stored(sparse_home)
    store = open_store(sparse_home)
    try:
        once = Counter(content(c.payload) for c in store.scroll())
        listed = store.missing_dense(total)
    finally:
        store.close()
    rank = [c.payload.get(EMBED_RANK, float("-inf")) for c in listed]
    damaged = next(c for c, r in zip(listed, rank, strict=True)
                   if sum(above > r for above in rank) >= 100 and once[content(c.payload)] == 1)
    text = content(damaged.payload)
    EmbeddingCache(sparse_home.embeddings_cache, sparse_home.embedding).put_many([(text, [0.1] * 100)])

    with pytest.raises(KbError, match="writing dense vectors failed") as failed:
        run_embed(sparse_home, round_size=16, warn=lambda m: None)
    assert str(sparse_home.embeddings_cache) in str(failed.value) and "dimension" in str(failed.value)
    after, after_versions, missing = stored(sparse_home)
    assert after == payloads and after_versions == versions
    assert 96 <= total - missing < total, "the rounds before the refused vector are kept"
    store = open_store(sparse_home)
    try:
        assert damaged.id in {c.id for c in store.missing_dense(total)}, "the refused round has no vector"
    finally:
        store.close()

    seed_cache(sparse_home)  # the right vector replaces the damaged one
    state = run_embed(sparse_home, round_size=64, warn=lambda m: None)
    assert (state.embedded, state.done, state.total) == (0, total, total)
    assert stored(sparse_home)[2] == 0


def wait_for_progress(settings: Settings, proc: subprocess.Popen, done: int) -> dict:
    """The progress of `kb embed` running in `proc` once it has `done` chunks with a vector."""
    deadline = time.monotonic() + 180
    while True:
        assert proc.poll() is None, "kb embed ended before the test was done with it"
        assert time.monotonic() < deadline, "kb embed made no progress"
        try:
            progress = json.loads(progress_path(settings).read_text())
            if progress["done"] >= done:
                return progress
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)


def test_the_store_kb_embed_holds_goes_to_a_process_that_asks_for_it(sparse_home: Settings) -> None:
    """While nobody serves the store, `kb embed` keeps it open across rounds; `kb update`'s opener (`try_open`) and
    then the app's (`KnowledgeBase` with its inbox watcher) ask for it and get it within seconds; the fill goes on
    after the first and through the app's inbox after the second, and ends with every vector, nothing embedded."""
    seed_cache(sparse_home)
    payloads, versions, total = stored(sparse_home)
    settings = sparse_home.with_(inbox_poll=0.5)
    env = {**env_for(settings), "KB_INBOX_POLL": "0.5"}
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "embed", "--round", "2", "--json"], env=env,
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = wait_for_progress(settings, proc, 12)
        assert first["mode"] == "direct" and first["rounds"] >= 6
        assert json.loads((settings.inbox / HOLDER).read_text())["pid"] == proc.pid, "held across rounds"
        assert try_open(settings, ask=False) is None

        asked = time.monotonic()
        store = try_open(settings)
        assert store is not None and time.monotonic() - asked < 15, "kb update's opener asked and got the store"
        held = store.count() - store.count_missing_dense()
        store.close()
        wait_for_progress(settings, proc, held + 12)  # the worker opened the store again and went on

        kb = KnowledgeBase(settings)
        try:
            asked = time.monotonic()
            kb.start_inbox_watcher()
            assert time.monotonic() - asked < 15, "the app asked and got the store"
            out, _ = proc.communicate(timeout=300)
        finally:
            kb.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert proc.returncode == 0
    result = json.loads(out.splitlines()[-1])
    assert (result["mode"], result["done"], result["total"], result["embedded"]) == ("handover", total, total, 0)
    after, after_versions, missing = stored(settings)
    assert missing == 0 and after == payloads and after_versions == versions
    assert not (settings.inbox / HOLDER).exists() and not list(settings.inbox.glob("store-wanted-*"))


async def _mcp_owner_session(settings: Settings) -> dict:
    """`kb mcp` holds the store (its inbox watcher serves hand-overs) while `kb embed` runs beside it."""
    from mcp import ClientSession, StdioServerParameters, stdio_client

    env = {**env_for(settings), "KB_INBOX_POLL": "0.5"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "kb.cli", "mcp"], cwd=str(PROJECT), env=env)
    out: dict = {}
    arguments = {"query": "risk of torture on return", "mode": "hybrid", "limit": 3}
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            while not (await session.call_tool("status", {})).structured_content["ready"]:
                await anyio.sleep(0.5)  # the server loads the store and the model in the background
            out["before"] = (await session.call_tool("search", arguments)).structured_content
            done = await anyio.to_thread.run_sync(lambda: subprocess.run(
                [sys.executable, "-m", "kb.cli", "embed", "--round", "32", "--json"], env=env, cwd=PROJECT,
                capture_output=True, text=True, timeout=300))
            out["embed"] = done
            deadline = time.monotonic() + 60
            while True:  # the server counts its coverage at most every 10 s
                out["after"] = (await session.call_tool("search", arguments)).structured_content
                if out["after"]["partial_dense"] is None or time.monotonic() > deadline:
                    break
                await anyio.sleep(1)
    return out


def test_beside_a_serving_process_the_fill_goes_through_its_inbox(sparse_home: Settings) -> None:
    seed_cache(sparse_home)
    payloads, versions, total = stored(sparse_home)
    out = anyio.run(_mcp_owner_session, sparse_home)
    assert out["before"]["passages"] and "Partial dense index: 0%" in out["before"]["partial_dense"]
    assert out["embed"].returncode == 0, out["embed"].stderr
    result = json.loads(out["embed"].stdout.splitlines()[-1])
    assert (result["mode"], result["done"], result["total"], result["embedded"]) == ("handover", total, total, 0)
    assert out["after"]["passages"] and out["after"]["partial_dense"] is None
    after, after_versions, missing = stored(sparse_home)
    assert missing == 0 and after == payloads and after_versions == versions


def test_vector_batches_never_block_document_updates(sparse_home: Settings) -> None:
    """A damaged vector batch and one for chunks that are gone are dropped (nothing is lost: the chunks still lack
    their vectors); a document batch waiting behind them is applied first; none is retried or set aside."""
    warnings: list[str] = []
    store = open_store(sparse_home)
    try:
        inbox = sparse_home.inbox
        inbox.mkdir(parents=True, exist_ok=True)
        chunk = next(store.scroll(SearchFilters(doc_ids=("UN-CAT-GC-4",)), batch=1))
        write_vectors(inbox, {"00000000-0000-0000-0000-000000000000": [0.1] * 384, chunk.id: [0.2] * 384})
        damaged = write_vectors(inbox, {chunk.id: [0.3] * 384})
        damaged.write_bytes(b"not gzip")
        note = ChunkPoint("5b0c2d7e-0000-4000-8000-000000000001", [], SparseVector([1], [1.0]),
                          {"doc_id": "NOTE-1", "doc_version": "NOTE-1@x#1", "text": "a note", "para_index": 0})
        write_batch(inbox, Batch(documents={"NOTE-1": [note]}))
        assert sorted(p.name.endswith(BATCH_SUFFIX) for p in inbox.glob("*.gz")) == [False, False, True]
        InboxWatcher(store, inbox, warn=warnings.append).poll_once()
        assert store.retrieve([note.id]) and not list(inbox.glob("*.gz")), "the document went in, nothing waits"
        assert store.count_missing_dense() == store.count() - 1, "only the live chunk got the vector of the batch"
        assert [w for w in warnings if "dense vectors not applied" in w] and not (inbox / "failed").exists()
    finally:
        store.close()


def tag(i: int) -> str:
    """A word of its own for paragraph `i` (BM25 drops numbers): 1400 → `zqbeaa`."""
    return "zq" + "".join(chr(ord("a") + int(d)) for d in f"{i:04d}")


def repeated_markdown(paragraphs: int) -> str:
    return "# Counsel's bundle\n\n" + "\n\n".join(
        f"Exhibit {tag(i)}: the requesting state's assurance was not monitored by any independent body."
        for i in range(paragraphs)) + "\n"


def test_a_huge_drop_file_is_bounded_and_the_rest_goes_on(tmp_path: Path, corpus_root: Path) -> None:
    """Issue 21 item 6: a large Markdown file in the drop folder gets one slice of model time within its budget; the
    rest of its passages are written for BM25 and ranked search, it is named, and the other drop files are written
    whole with their vectors. Its own cache: the shared one would hold the texts after the first run."""
    env = {**home_env(tmp_path / "home", corpus_root), "KB_EMBED_CACHE": str(tmp_path / "cache.sqlite")}
    settings = Settings.load(env)
    settings.drop.mkdir(parents=True)
    (settings.drop / "bundle.md").write_text(repeated_markdown(1500), encoding="utf-8")
    (settings.drop / "note.md").write_text("# Note\n\nThe assurances cannot be monitored.\n\nNo visits.\n",
                                           encoding="utf-8")
    warnings: list[str] = []
    report = run_update(settings, UpdateRequest(corpus=False, file_seconds=0.01), warn=warnings.append)
    assert (report.added, report.failed) == (2, 0)
    [(name, left)] = report.over_budget
    assert name == str((settings.drop / "bundle.md").resolve())
    assert report.without_dense == left and [w for w in warnings if "per-file embedding budget" in w]
    kb = KnowledgeBase(settings)
    try:
        chunks = Counter(c.payload["source_file"] for c in kb.store.scroll())
        lacking = Counter(c.payload["source_file"] for c in kb.store.scroll(with_vectors=True) if not c.dense)
        assert lacking == {name: left} and 0 < left <= chunks[name] - 256, "one slice embedded, the note whole"
        assert all(v.complete for v in kb.store.versions().values()) and len(chunks) == 2
        hits = kb.search(f"exhibit {tag(1400)}", mode="bm25", limit=1)
        assert hits and tag(1400) in hits[0].text, "the passages past the budget are searchable"
    finally:
        kb.close()
    again = run_update(settings, UpdateRequest(corpus=False, file_seconds=0.01), warn=lambda m: None)
    assert (again.unchanged, again.chunks) == (2, 0), "the next update leaves the file alone; `kb embed` fills it"


def test_the_app_says_which_modes_see_what(sparse_home: Settings) -> None:
    """The sidebar's line of modes, and a hybrid result list over the partial store warned as such."""
    from streamlit.testing.v1 import AppTest

    from ui import state

    seed_cache(sparse_home)
    kb = KnowledgeBase(sparse_home)
    state.use_kb(kb)
    try:
        at = AppTest.from_file(str(PROJECT / "ui" / "app.py"), default_timeout=180).run()
        sidebar = " ".join(c.value for c in at.sidebar.caption)
        total = kb.store.count()
        assert (f"Ranked and BM25: 3 documents; hybrid/dense: 0 % embedded (0 of {total:,} passages; `kb embed` fills "
                "in the rest).") in sidebar
        at.selectbox(key="mode").set_value("hybrid")
        at.text_input(key="query").input("risk of torture on return")
        next(b for b in at.button if b.label == "Search").click()
        at.run()
        assert not at.exception and any("Partial dense index: 0%" in w.value for w in at.warning)
    finally:
        state.use_kb(None)
        kb.close()
    run_embed(sparse_home, warn=lambda m: None)
    state.embedding_counts.clear()  # the app recounts every 10 s; this process's cache outlives the session
    kb = KnowledgeBase(sparse_home)
    state.use_kb(kb)
    try:
        at = AppTest.from_file(str(PROJECT / "ui" / "app.py"), default_timeout=180).run()
        assert "Every search mode: 3 documents." in " ".join(c.value for c in at.sidebar.caption)
    finally:
        state.use_kb(None)
        kb.close()


def test_kb_embed_without_a_store_says_what_to_run_and_creates_nothing(tmp_path: Path, corpus_root: Path) -> None:
    from legal.errors import StoreEmptyError

    settings = Settings.load(home_env(tmp_path / "home", corpus_root))
    with pytest.raises(StoreEmptyError, match="kb ingest --sparse-first"):
        run_embed(settings, warn=lambda m: None)
    assert not settings.store.exists()


def test_kb_embed_model_only_loads_the_model_without_opening_the_store(sparse_home: Settings) -> None:
    """`make run` builds the model before the app starts (`kb embed --model-only`): it must not need the store, which
    this test holds (a process that opened it would fail on its lock, or ask for it and wait)."""
    store = open_store(sparse_home)
    try:
        done = subprocess.run([sys.executable, "-m", "kb.cli", "embed", "--model-only"], env=env_for(sparse_home),
                              cwd=PROJECT, capture_output=True, text=True, timeout=300)
    finally:
        store.close()
    assert done.returncode == 0, done.stderr
    assert f"the {sparse_home.embed_runtime} embedding model is ready" in done.stderr
    assert not list(sparse_home.inbox.glob("store-wanted-*")), "it asked for the store"
