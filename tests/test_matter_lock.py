"""Two writers on one matter at once (the app and the drafting assistant): no change is lost. Real processes, each
applying its own changes through `MatterStore.update`, and a stale copy that `save` refuses to write back."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kb.drafting.matters import MatterStore
from legal.errors import KbError, MatterConflictError

ROOT = Path(__file__).resolve().parents[1]
WRITES = 40
WRITER = """
import sys
import threading
from kb.drafting.matters import MatterStore
store, matter_id, who = MatterStore(sys.argv[1]), sys.argv[2], sys.argv[3]
for i in range({writes}):
    store.update(matter_id, lambda m: m.add_assurance(f"{{who}} {{i}}"))
"""


def test_two_processes_updating_one_matter_lose_nothing(tmp_path):
    store = MatterStore(tmp_path)
    matter = store.create("Li — PRC")
    writers = [subprocess.Popen([sys.executable, "-c", WRITER.format(writes=WRITES), str(tmp_path), matter.id, who],
                                cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
               for who in ("app", "assistant")]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    texts = {a.text for a in store.get(matter.id).assurances}
    assert texts == {f"{who} {i}" for who in ("app", "assistant") for i in range(WRITES)}


def test_threads_of_one_process_updating_one_matter_lose_nothing(tmp_path):
    """The MCP server runs each call in a worker thread: the lock holds between threads as between processes."""
    store = MatterStore(tmp_path)
    matter = store.create("Li — PRC")

    def write(who: str) -> None:
        for i in range(WRITES):
            store.update(matter.id, lambda m, i=i: m.add_assurance(f"{who} {i}"))

    threads = [threading.Thread(target=write, args=(who,)) for who in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({a.text for a in store.get(matter.id).assurances}) == 4 * WRITES


def test_a_stale_copy_is_not_written_over_a_newer_change(tmp_path):
    store = MatterStore(tmp_path)
    matter = store.create("Li — PRC")
    stale = store.get(matter.id)
    store.update(matter.id, lambda m: m.set_facts(offence="embezzlement"))
    stale.set_facts(penalty="death penalty")
    with pytest.raises(MatterConflictError, match="changed by another session"):
        store.save(stale)
    assert store.get(matter.id).offence == "embezzlement"
    fresh = store.get(matter.id)
    fresh.set_facts(penalty="death penalty")
    store.save(fresh)
    fresh.set_facts(client="Mr Li")
    store.save(fresh)  # the same copy again: it is the one on disk now
    again = store.get(matter.id)
    assert (again.offence, again.penalty, again.client) == ("embezzlement", "death penalty", "Mr Li")


def test_an_unknown_ground_says_how_to_add_one_and_a_long_id_is_not_echoed(tmp_path):
    store = MatterStore(tmp_path)
    matter = store.create("A")
    with pytest.raises(ValueError) as err:
        matter.check_ground("article99")
    assert "add_custom_ground" not in str(err.value) and "'Article 8: family life'" in str(err.value)
    with pytest.raises(KbError) as err:
        store.get("x" * 100_000)
    assert len(str(err.value)) < 300 and str(tmp_path) not in str(err.value)
