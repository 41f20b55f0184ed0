"""What reading a text's citations in a child process killed at a deadline cost per call (`kb/bounded.py` of the
baseline tree, which the MCP server's `check_citations` called before it checked), against reading them in the
calling thread, and whether reading them in a thread holds up the process's other threads (what the child was for: a
backtracking pattern held the interpreter lock, so a thread's timeout could neither stop it nor let another call run).

    python bench/check_parse_bound.py --baseline /work/main

For each text (a short passage, the dev set's drafted briefs, a judgment, and the adversarial texts of
tests/test_citation_grammar.py, 300 KB each, and one the size of the MCP limit): the seconds this tree's
`find_citations` takes in this thread, the seconds of the same call through a warm `BoundedWorker` (pickling both
ways and the child's own parse; the server then parsed the text again in-process, so the child cost this much more
per call), and, while the text is read in a second thread, the longest wait of a thread that wakes every 5 ms (how
long another MCP call would have waited for the interpreter).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def longest_stall(work) -> tuple[float, float]:
    """(seconds `work` took in a thread, the longest gap between wake-ups of a 5 ms ticker meanwhile)."""
    gaps: list[float] = []
    done = threading.Event()

    def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.perf_counter()
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    took = time.perf_counter() - started
    done.set()
    ticker.join()
    return took, max(gaps, default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a tree with kb/bounded.py (e.g. /work/main)")
    baseline = parser.parse_args().baseline
    spec = importlib.util.spec_from_file_location("baseline_bounded", baseline / "kb" / "bounded.py")
    assert spec is not None and spec.loader is not None
    bounded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bounded)

    from kb.drafting.check import find_citations, read_brief, text_blocks
    from tests.test_citation_grammar import HOSTILE
    from tests.test_mcp import CHECKED_TEXT, RUNAWAY

    corpus = Path("/work/shared/corpus")
    texts = {"MCP test passage": text_blocks(CHECKED_TEXT), "runaway (MCP test)": text_blocks(RUNAWAY)}
    for name in ("brief-li.md", "brief-aysha.md", "brief-petrov.md"):
        texts[name] = read_brief(ROOT / "tests" / "data" / "check_briefs" / name)
    judgment = corpus / "national" / "uk-tna" / "2016-ewca-1060-civ.xml"
    if judgment.exists():
        texts["UK judgment (NA (Sudan))"] = read_brief(judgment)
    for name, text in HOSTILE.items():
        texts[name] = text_blocks(text)
    texts["500 KB (MCP limit) of briefs"] = text_blocks(("\n\n".join(b.text for b in texts["brief-aysha.md"]) * 40)
                                                       [:500_000])
    worker = bounded.BoundedWorker()
    worker.call(find_citations, text_blocks("Saadi v. Italy, no. 37201/06"), seconds=60)  # started, warm
    print(f"{'text':44}{'chars':>9}{'in thread s':>13}{'child s':>10}{'overhead s':>12}{'stall ms':>10}")
    for name, blocks in texts.items():
        chars = sum(len(b.text) for b in blocks)
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            try:
                find_citations(blocks)
            except Exception:  # a refusal (too many citations) costs what it costs
                pass
            runs.append(time.perf_counter() - t)
        inline = statistics.median(runs)
        t = time.perf_counter()
        try:
            worker.call(find_citations, blocks, seconds=60)
        except Exception:
            pass
        child = time.perf_counter() - t

        def work(blocks=blocks) -> None:
            try:
                find_citations(blocks)
            except Exception:
                pass

        _, stall = longest_stall(work)
        print(f"{name[:43]:44}{chars:>9,}{inline:>13.3f}{child:>10.3f}{child - inline:>12.3f}{stall * 1000:>10.1f}")
    worker.close()


if __name__ == "__main__":
    main()
