"""`kb update` while another process serves searches from the same Qdrant Edge store, and kill -9 at bad moments.

Real processes: an owner process (a small script standing in for the Streamlit app: it holds the store through
`KnowledgeBase`, runs the inbox watcher, and searches in a loop, logging every answer) and `kb update` run as
`python -m kb.cli update`. The store is tiny (drop-folder files), so the cost is mostly model loading.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import home_env

from kb.api import KnowledgeBase
from kb.indexing.handover import HEARTBEAT, pending_batches, read_snapshot
from kb.indexing.update import UpdateRequest, run_update
from kb.settings import Settings
from tests.waiting import wait_until

PROJECT = Path(__file__).resolve().parents[1]

OWNER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from kb.api import KnowledgeBase
    from kb.store.base import ChunkPoint

    log, stop, queries = open(sys.argv[1], "a"), Path(sys.argv[2]), sys.argv[3:]
    kb = KnowledgeBase()
    kb.start_inbox_watcher()
    # the note's chunk, read once: a scroll of the store on every round took ~1 s, the length of a small update
    note = next(c for c in kb.store.scroll(batch=64, with_vectors=True) if c.payload["doc_id"].startswith("DROP-note-"))
    while not stop.exists():
        for q in queries:
            t = time.time()
            try:
                ids = [h.doc_id for h in kb.search(q, limit=5)]
                log.write(json.dumps({"t": t, "done": time.time(), "q": q, "ok": True, "ids": ids}) + "\\n")
            except Exception as exc:
                log.write(json.dumps({"t": t, "done": time.time(), "q": q, "ok": False, "error": repr(exc)}) + "\\n")
            log.flush()
        t = time.time()
        try:  # a write and a flush, as the app's upload does: rewrite one stored chunk of the note as it is
            # (only the note's: a chunk of a document `kb update` replaces could be read before the watcher applies
            # the new version and written back after it, a stale write that leaves the new version incomplete)
            kb.store.upsert([ChunkPoint(note.id, note.dense, note.sparse, note.payload)])
            kb.store.flush()
            log.write(json.dumps({"t": t, "done": time.time(), "flush": True, "ok": True}) + "\\n")
        except Exception as exc:
            log.write(json.dumps({"t": t, "done": time.time(), "flush": True, "ok": False, "error": repr(exc)}) + "\\n")
        log.flush()
        time.sleep(0.1)
    kb.close()
    log.write(json.dumps({"t": time.time(), "closed": True, "ok": True}) + "\\n")
    log.close()
""")
"""Stand-in for the Streamlit app: the same `KnowledgeBase` + `start_inbox_watcher()` calls, without a browser."""

NOTE = """# Counsel's note on diplomatic assurances

The assurances offered by the requesting state are not specific and cannot be monitored independently.

No independent body has access to the detention facilities named in the assurances.
"""

WITNESSES = ("Okonkwo", "Takahashi", "Lindqvist", "Ferreira", "Abernathy")


ADDED_LATER, ADDED = "Added later.", "Added."
"""Fourth paragraphs the tests add to Okonkwo's statement: a stored file the lawyer changes."""


def witness_statement(name: str, fourth: str | None = None) -> str:
    paragraphs = [
        f"Witness statement of {name}",
        f"1. {name} was held in the Qincheng facility from March to October 2019 without charge.",
        f"2. During that time {name} was questioned daily about relatives living abroad.",
        f"3. {name} saw no lawyer and was told that cooperation would shorten the detention.",
    ]
    return "\n\n".join(paragraphs + ([f"4. {fourth}"] if fourth else [])) + "\n"


@pytest.fixture(scope="module")
def drop_texts_embedded(tmp_path_factory: pytest.TempPathFactory, corpus_root: Path) -> None:
    """Every drop-folder file this module's `kb update` processes read, ingested once here so that its passages are
    in the shared embedding cache, as they are on every run after the first. On a cold cache each update process
    that met a new passage loaded the model for it (~5 s of CPU, six times), which is not what these tests are
    about: the hand-over, the lock and kill -9 are the same whether a vector comes from the model or the cache."""
    scratch = Settings.load(home_env(tmp_path_factory.mktemp("drop_texts"), corpus_root))
    scratch.drop.mkdir(parents=True)
    statements = [witness_statement(name) for name in WITNESSES]
    statements += [witness_statement("Okonkwo", fourth) for fourth in (ADDED_LATER, ADDED)]
    for i, text in enumerate(statements):
        (scratch.drop / f"statement-{i}.txt").write_text(text, encoding="utf-8")
    assert run_update(scratch, UpdateRequest(corpus=False), warn=lambda m: None).added == len(statements)


@pytest.fixture()
def settings(tmp_path: Path, corpus_root: Path, drop_texts_embedded: None) -> Settings:
    settings = Settings.load(home_env(tmp_path / "home", corpus_root))
    settings.drop.mkdir(parents=True)
    (settings.drop / "note.md").write_text(NOTE, encoding="utf-8")
    report = run_update(settings, UpdateRequest(corpus=False), warn=lambda m: None)
    assert report.added == 1
    return settings


def env_for(settings: Settings) -> dict[str, str]:
    return {**os.environ, "KB_HOME": str(settings.home), "KB_CORPUS": str(settings.corpus), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(PROJECT)}


class Owner:
    def __init__(self, settings: Settings, tmp: Path, queries: list[str], inbox_poll: float | None = None) -> None:
        """`inbox_poll`: the watcher's `KB_INBOX_POLL` when not the default, for a test that waits for every batch
        to be applied rather than timing how soon one is."""
        self.log = tmp / "owner.jsonl"
        self.stop_file = tmp / "owner.stop"
        script = tmp / "owner.py"
        script.write_text(OWNER, encoding="utf-8")
        env = env_for(settings) | ({"KB_INBOX_POLL": str(inbox_poll)} if inbox_poll else {})
        self.proc = subprocess.Popen([sys.executable, str(script), str(self.log), str(self.stop_file), *queries],
                                     env=env, cwd=PROJECT)
        def answered() -> bool:
            assert self.proc.poll() is None, "owner process died on start"
            return bool(self.entries())

        wait_until(answered, 120, 0.2, "owner never answered a search")

    def entries(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.endswith("}")]

    def stop(self) -> None:
        self.stop_file.touch()
        self.proc.wait(60)

    def flushes(self) -> list[dict]:
        return [e for e in self.entries() if e.get("flush")]


def kb_update(settings: Settings, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kb.cli", "update", "--no-corpus", "--json", *args],
                            env=env_for(settings), cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def kill_after_first_batch(proc: subprocess.Popen) -> None:
    """kill -9 as soon as the update reports its first written (or handed-over) batch."""
    for line in proc.stderr:
        if line.startswith("update: "):
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)


def stored_drop_documents(settings: Settings) -> dict[str, bool]:
    kb = KnowledgeBase(settings)
    try:
        assert kb.search("questioned about relatives abroad", limit=3), "reopened store does not answer"
        return {d: v.complete for d, v in kb.store.versions().items()}
    finally:
        kb.close()


def test_update_while_serving_is_searchable_within_10_seconds(settings: Settings, tmp_path: Path) -> None:
    owner = Owner(settings, tmp_path, ["Okonkwo Qincheng facility", "assurances cannot be monitored"])
    try:
        (settings.drop / "okonkwo.txt").write_text(witness_statement("Okonkwo"), encoding="utf-8")
        started = time.time()
        report = finish(kb_update(settings))
        ended = time.time()
        assert (report["mode"], report["added"], report["unchanged"]) == ("handover", 1, 1)
        found_at = wait_until(lambda: next((e["t"] for e in owner.entries() if e["t"] > ended and e["ok"]
                                            and any(i.startswith("DROP-okonkwo-") for i in e.get("ids", []))), None),
                              15, 0.2, "new document not searchable within 15 s")
        assert found_at - ended <= 10, f"new document searchable only {found_at - ended:.1f} s after the update"
        print(f"update took {ended - started:.1f} s; searchable {found_at - ended:.1f} s after it ended")
        entries = owner.entries()
        # the owner's searches and writes whose time overlaps the update's: an update of one small file can end
        # within one round of the owner's (its write and flush take up to a second)
        during = [e for e in entries if "done" in e and e["t"] <= ended and e["done"] >= started]
        assert during, "the owner answered no search and wrote nothing while the update ran"
        assert max(e["done"] - e["t"] for e in during) < 10, "the owner waited for the update"
        assert all(e["ok"] for e in entries), [e for e in entries if not e["ok"]][:3]
        assert all(any(i.startswith("DROP-note-") for i in e["ids"]) for e in entries
                   if e.get("q", "").startswith("assurances")), "an existing document vanished mid-update"
    finally:
        owner.stop()


def test_kill_9_at_any_point_leaves_a_store_that_opens_and_a_rerun_completes(
    settings: Settings, tmp_path: Path
) -> None:
    for name in WITNESSES[:4]:
        (settings.drop / f"{name.lower()}.txt").write_text(witness_statement(name), encoding="utf-8")

    # 1. the updater is killed after its first hand-over batch, while the owner serves
    owner = Owner(settings, tmp_path, ["Qincheng facility witness"])
    kill_after_first_batch(kb_update(settings, "--batch-chunks", "1"))
    rerun = finish(kb_update(settings))
    assert rerun["mode"] == "handover" and rerun["added"] + rerun["unchanged"] == 5

    # 2. the owner is killed right after the hand-over: before, during or after applying it
    os.kill(owner.proc.pid, signal.SIGKILL)
    owner.proc.wait(30)
    assert all(e["ok"] for e in owner.entries())

    # 3. a direct update (nobody holds the store) is killed after its first write
    (settings.drop / "abernathy.txt").write_text(witness_statement("Abernathy"), encoding="utf-8")
    (settings.drop / "okonkwo.txt").write_text(witness_statement("Okonkwo", ADDED_LATER), encoding="utf-8")
    kill_after_first_batch(kb_update(settings, "--batch-chunks", "1"))
    assert stored_drop_documents(settings), "store did not open after kill -9"

    final = finish(kb_update(settings))
    assert final["mode"] == "direct" and final["failed"] == 0
    assert pending_batches(settings.inbox) == []
    documents = stored_drop_documents(settings)
    expected = {"note", *(n.lower() for n in WITNESSES)}
    assert {d.split("-")[1] for d in documents} == expected and all(documents.values()), documents
    kb = KnowledgeBase(settings)
    try:
        okonkwo = next(d for d in documents if d.startswith("DROP-okonkwo-"))
        view = kb.show(okonkwo, "4")
        assert view.paragraphs[view.focus].text.endswith(ADDED_LATER)
        assert run_update(settings, UpdateRequest(corpus=False), warn=lambda m: None, store=kb.store).chunks == 0
    finally:
        kb.close()


SECOND_OPENER = textwrap.dedent("""
    import sys
    from legal.errors import StoreLockedError
    from kb.settings import Settings
    from kb.store import open_store

    try:
        open_store(Settings.load())
    except StoreLockedError as exc:
        print(exc, file=sys.stderr)
        sys.exit(3)
    sys.exit("the second process opened the store")
""")
"""What every `kb` command does first (`kb stats`, `kb search`, `kb update`), without the imports that make a CLI
start slow: open the store the settings name. On main before the lock, three of these broke every later flush of
the owner (238 of 239 failed in a standalone trial)."""


def wait_applied(settings: Settings, timeout: float = 60) -> dict:
    """The owner's snapshot once it has applied every handed-over batch (the inbox is empty) and rewritten it.

    The watcher rewrites the snapshot after scanning the store, which a fixed half-second wait missed on a busy
    machine. It writes its heartbeat at the start of every poll, so a heartbeat newer than the moment the inbox was
    seen empty was written after the poll that emptied it, snapshot included.
    """
    inbox = settings.inbox
    started = time.monotonic()
    wait_until(lambda: not pending_batches(inbox), timeout, 0.2,
               lambda: f"inbox not applied within {timeout} s: {pending_batches(inbox)}")
    emptied = time.time()
    left = max(0.0, timeout - (time.monotonic() - started))
    wait_until(lambda: json.loads((inbox / HEARTBEAT).read_text())["at"] > emptied, left, 0.2,
               f"the owner did not poll again within {timeout} s")
    return read_snapshot(inbox) or {}


def test_a_second_process_beside_the_owner_never_breaks_its_writes(settings: Settings, tmp_path: Path) -> None:
    """Issue 14 item 1: a refused open used to corrupt the owner's flushes; the second process must not touch the shard.

    Ten refused `kb stats`, then five `kb update`s in a row beside the serving, writing owner: every flush and the
    close succeed, each update's batches are applied and the inbox empties, versions.json is fresh, a deleted file
    is removed.
    """
    owner = Owner(settings, tmp_path, ["assurances cannot be monitored"], inbox_poll=0.5)
    try:
        for attempt in range(10):
            refused = subprocess.run([sys.executable, "-c", SECOND_OPENER], env=env_for(settings), cwd=PROJECT,
                                     capture_output=True, text=True, timeout=300)
            assert refused.returncode == 3 and "open in another process" in refused.stderr, (attempt, refused.stderr)
        flushed = len(owner.flushes())
        wait_until(lambda: len(owner.flushes()) >= flushed + 3, 30, 0.2, "the owner stopped flushing")

        okonkwo, takahashi = settings.drop / "okonkwo.txt", settings.drop / "takahashi.txt"
        steps = [
            (lambda: okonkwo.write_text(witness_statement("Okonkwo"), encoding="utf-8"), (1, 0, 1, 0)),
            (lambda: takahashi.write_text(witness_statement("Takahashi"), encoding="utf-8"), (1, 0, 2, 0)),
            (lambda: okonkwo.write_text(witness_statement("Okonkwo", ADDED), encoding="utf-8"),
             (0, 1, 2, 0)),
            (lambda: None, (0, 0, 3, 0)),
            (lambda: takahashi.unlink(), (0, 0, 2, 1)),
        ]
        for change, (added, replaced, unchanged, removed) in steps:
            change()
            report = finish(kb_update(settings))
            assert report["mode"] == "handover"
            assert (report["added"], report["replaced"], report["unchanged"], report["removed"]) == (
                added, replaced, unchanged, removed), report
            snapshot = wait_applied(settings)
            stored = {doc_id.split("-")[1] for doc_id in snapshot}
            assert stored == {"note", "okonkwo"} | ({"takahashi"} if takahashi.exists() else set()), snapshot
            assert all(doc.complete for doc in snapshot.values())
        assert pending_batches(settings.inbox) == [] and not (settings.inbox / "failed").exists()
    finally:
        owner.stop()
    assert owner.proc.returncode == 0
    flushes = owner.flushes()
    assert len(flushes) > 10 and all(f["ok"] for f in flushes), [f for f in flushes if not f["ok"]][:3]
    assert all(e["ok"] for e in owner.entries()), [e for e in owner.entries() if not e["ok"]][:3]
    assert owner.entries()[-1].get("closed"), "the owner's close failed"
