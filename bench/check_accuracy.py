"""How right, fast and lean `kb check` is on real text: the labelled dev set of tests/data/check_devset.tsv (11 UK
judgments of the corpus and 3 briefs `kb draft` wrote, in DOCX and Markdown) and bench/data/check_labels.tsv (2 more
judgments, by position), scored for this tree and, as the
baseline of the same run, for another tree's code (main's, `--baseline /work/main`).

    KB_HOME=/work/stores/check python bench/check_accuracy.py --baseline /work/main

Each implementation runs in its own process (its code first on PYTHONPATH), builds its citation index once (opening
the store, or reading the store's payload copy where the tree has one: `kb.store.payloads`), then checks every source
with `missing=False` (no model): per source the wall and CPU time and the peak RSS so far (VmHWM); the index's own
making is reported apart (with the RSS it leaves, and whether the Qdrant shard was loaded), since every check pays it
once per process.

Then each hostile text of tests/test_citation_grammar.py (300 KB of capitalised words, `and Others` runs, `v.` runs,
`§§` lists …) through `kb check`, with its time and outcome.

Scores, against the labels:
- citation recall: labelled citations the check reports (same place, same citation);
- pinpoint recall: labelled pinpoints (written after a citation) among those the check read for it;
- wrong-document verified: rows `verified` against a document the label does not name (0 is the target);
- flag precision: rows flagged as an error in the text (name/number, date, pinpoint, quotation) that the label
  confirms.

With `--all`, every UK judgment of the corpus is checked too (unlabelled): per judgment, each tree's rows, flags and
quotations marked close, and the rows whose status or mark differs between the trees, to read by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "tests" / "data" / "check_devset.tsv"
LABELS = ROOT / "bench" / "data" / "check_labels.tsv"
"""More judgments labelled by hand, as positions only (session 21)."""
BRIEFS = ROOT / "tests" / "data" / "check_briefs"
FLAGS = ("name_number_mismatch", "date_mismatch", "pinpoint_missing", "quote_differs", "quote_not_found")
SEVEN = ("2017-ewhc-1912-admin", "2016-ewca-1060-civ", "2016-ewhc-2639-admin", "2020-ewca-1176-civ",
         "2016-ewhc-954-admin", "2007-ewhc-233-admin", "2015-ewca-843-civ")
"""The judgments the issue names (Nteziryayo, NA (Sudan), Ghulam, HA (Iraq), Bashir, SSHD v E, Serdar Mohammed)."""


def source_path(source: str, corpus: Path) -> Path:
    if source.startswith("brief-"):
        return BRIEFS / source
    return corpus / "national" / "uk-tna" / f"{source}.xml"


# The worker: one implementation, every source --------------------------------------------------------------------

HOSTILE_SECONDS = 30
"""A hostile text still running after this long is stopped and reported as such (the old pattern took minutes)."""


def worker(sources: list[str], corpus: Path, hostile: Path | None) -> None:
    import resource
    import signal

    def rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def now_mb() -> float:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024

    started = time.perf_counter()
    from kb.api import KnowledgeBase

    kb = KnowledgeBase()
    opened = {"import_rss_mb": now_mb()}
    kb.corpus_index()
    opened.update(seconds=time.perf_counter() - started, rss_mb=now_mb(), peak_mb=rss_mb(),
                  shard_loaded=kb._store is not None)
    results = {}
    for source in sources:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            report = kb.check(source_path(source, corpus), missing=False)
            rows, error = [c.to_dict() for c in report.citations], None
        except Exception as exc:  # the baseline may crash on real text: that is a result
            rows, error = [], f"{type(exc).__name__}: {exc}"
        results[source] = {"rows": rows, "error": error, "seconds": time.perf_counter() - wall,
                           "cpu": time.process_time() - cpu, "rss_mb": rss_mb()}
    timed: dict[str, dict] = {}

    def stop(signum, frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, stop)
    for name, text in (json.loads(hostile.read_text(encoding="utf-8")) if hostile else {}).items():
        wall, cpu = time.perf_counter(), time.process_time()
        signal.alarm(HOSTILE_SECONDS)
        try:
            outcome = f"{len(kb.check(text, missing=False, is_text=True).citations)} citations"
        except TimeoutError:
            outcome = f"stopped after {HOSTILE_SECONDS} s"
        except Exception as exc:  # a clear refusal (too many citations) is the right outcome
            outcome = f"{type(exc).__name__}: {str(exc)[:60]}"
        finally:
            signal.alarm(0)
        timed[name] = {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "outcome": outcome,
                       "rss_mb": rss_mb()}
    opened["shard_loaded_at_end"] = kb._store is not None
    print(json.dumps({"opened": opened, "results": results, "hostile": timed}, ensure_ascii=False))


def run_worker(tree: Path, sources: list[str], corpus: Path, hostile: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    run = subprocess.run([sys.executable, __file__, "--worker", "--corpus", str(corpus), "--hostile", str(hostile),
                          *sources],
                         capture_output=True, text=True, env=env, cwd=tree, timeout=7200)
    if run.returncode != 0:
        raise SystemExit(f"worker for {tree} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


# Scoring ---------------------------------------------------------------------------------------------------------

def read_tsv(path: Path) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_labels(corpus: Path) -> list[dict]:
    """The dev set, and the judgments labelled by position (LABELS: block, offset, length) with their citations'
    words read from the corpus, as the dev set gives them."""
    sys.path.insert(0, str(ROOT))
    from kb.drafting.check import read_brief

    labels = read_tsv(DEVSET)
    blocks: dict[str, list] = {}
    for row in read_tsv(LABELS):
        source = row["source"]
        if source not in blocks:
            blocks[source] = read_brief(source_path(source, corpus))
        block = blocks[source][int(row["block"])]
        at = int(row["offset"])
        labels.append({**row, "at": f"[{block.number}]" if block.number else "before [1]", "quote": "-",
                       "text": block.text[at:at + int(row["length"])]})
    return labels


def judgment_lines(path: Path) -> dict[int, str]:
    """Loader block number (what main's check reports as `line` for a judgment) → the judgment's paragraph `[N]`."""
    from ingest.loaders import FORMAT_BY_SUFFIX, loader_for

    doc = loader_for(FORMAT_BY_SUFFIX[".xml"])(path, str(path), "brief")[0]
    out, current = {}, None
    for i, p in enumerate(doc.paragraphs, 1):
        if p.section != "FOOTNOTE":
            current = p.number or current
        out[i] = f"[{current}]" if current else "before [1]"
    return out


def place(source: str, row: dict, blocks: dict[int, str] | None) -> str:
    """One key for where a citation stands, from this tree's `where` or a row with only `line` (the baseline)."""
    where = row.get("where") or ""
    if where:
        if m := re.match(r"footnote (\S+) \((line|paragraph) (\d+)\)", where):
            return f"line {m.group(3)}" if m.group(2) == "line" else f"fn {m.group(1)}"
        if m := re.match(r"(line|paragraph) (\d+)", where):
            return f"line {m.group(2)}"
        return where.split(" (")[0]
    line = int(row.get("line") or 0)
    if blocks is not None:
        return blocks.get(line, "?")
    return f"line {line}"


def head(text: str) -> str:
    text = re.sub(r"[*_《》]", "", " ".join(text.split())).lower()
    return text[:10]


def norm_pins(pins: list[str] | str) -> set[str]:
    from legal.numerals import article_number

    items = pins.split(",") if isinstance(pins, str) else pins
    out = set()
    for p in items:
        p = p.strip()
        if not p:
            continue
        parsed = article_number(p)
        out.add(f"{parsed[0]}-{parsed[1]}" if parsed and parsed[1] else str(parsed[0]) if parsed else p)
    return out


def score(labels: list[dict], results: dict, corpus: Path) -> dict:
    by_source: dict[str, list[dict]] = defaultdict(list)
    for label in labels:
        by_source[label["source"]].append({**label, "at": place(label["source"], {"where": label["at"]}, None)})
    totals = Counter()
    flagged: list[tuple] = []
    wrong: list[tuple] = []
    for source, wanted in by_source.items():
        result = results.get(source, {"rows": [], "error": "not run"})
        totals["crashed"] += result.get("error") is not None
        blocks = judgment_lines(source_path(source, corpus)) if not source.startswith("brief-") else None
        rows = [(place(source, r, blocks), r) for r in result["rows"]]
        used: set[int] = set()
        matched: dict[int, dict] = {}
        for i, label in enumerate(wanted):
            for j, (where, row) in enumerate(rows):
                if j in used or where != label["at"]:
                    continue
                a, b = head(label["text"]), head(row["text"])
                if a.startswith(b[:6]) or b.startswith(a[:6]):
                    used.add(j)
                    matched[i] = row
                    break
        docs_here = defaultdict(set)
        for label in wanted:
            docs_here[label["at"]].add(label["doc"])
        for i, label in enumerate(wanted):
            pins = norm_pins(label["pins"])
            totals["labels"] += 1
            totals["pins"] += len(pins)
            row = matched.get(i)
            if row is None:
                continue
            totals["found"] += 1
            totals["pins_found"] += len(pins & norm_pins(row.get("paragraphs") or []))
            if row["status"] == "verified":
                totals["verified"] += 1
                if row.get("doc_id") != label["doc"]:
                    wrong.append((source, label["at"], label["text"][:60], row.get("doc_id"), label["doc"]))
            if label["doc"] != "-":
                totals["resolvable"] += 1
                totals["resolved_right"] += row.get("doc_id") == label["doc"] and row["status"] not in (
                    "not_in_corpus", "ambiguous")
            if row["status"] in FLAGS:
                flagged.append((source, label["at"], label["text"][:60], row["status"],
                                row["status"] == label["status"]))
        for j, (where, row) in enumerate(rows):
            if j in used:
                continue
            totals["unlabelled_rows"] += 1
            if row["status"] == "verified" and row.get("doc_id") not in docs_here.get(where, set()):
                wrong.append((source, where, row["text"][:60], row.get("doc_id"), "unlabelled"))
            if row["status"] in FLAGS:
                flagged.append((source, where, row["text"][:60], row["status"], False))
    return {"totals": totals, "flagged": flagged, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another tree to score in the same run (e.g. /work/main)")
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")))
    parser.add_argument("--save", type=Path, help="keep the runs' raw results in this JSON file")
    parser.add_argument("--load", type=Path, help="score the raw results of an earlier run instead of running")
    parser.add_argument("--all", action="store_true", help="also every UK judgment of the corpus, unlabelled: "
                                                           "per-judgment flags and the rows that differ")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hostile", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("sources", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.sources, args.corpus, args.hostile)
        return
    labels = load_labels(args.corpus)
    sources = list(dict.fromkeys(label["source"] for label in labels))
    if args.all:
        sources += [p.stem for p in sorted((args.corpus / "national" / "uk-tna").glob("*.xml"))
                    if p.stem not in sources]
    trees = [("this tree", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    if args.load:
        runs = json.loads(args.load.read_text(encoding="utf-8"))
    else:
        sys.path.insert(0, str(ROOT))
        from tests.test_citation_grammar import HOSTILE

        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as fh:
            json.dump(HOSTILE, fh)
        try:
            runs = {name: run_worker(tree, sources, args.corpus, Path(fh.name)) for name, tree in trees}
        finally:
            os.unlink(fh.name)
    if args.save:
        args.save.write_text(json.dumps(runs, ensure_ascii=False), encoding="utf-8")
    scores = {name: score(labels, run["results"], args.corpus) for name, run in runs.items()}
    judgments = [label for label in labels if not label["source"].startswith("brief-")]
    by_group = {name: score(judgments, run["results"], args.corpus) for name, run in runs.items()}

    print(f"{len(labels)} labelled citations in {len(sources)} sources\n")
    header = f"{'':34}" + "".join(f"{name:>16}" for name in runs)
    print(header)

    def line(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{v:>16}" for v in values))

    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.1f} %" if b else "-"

    t = {name: s["totals"] for name, s in scores.items()}
    line("sources crashed", [str(t[n]["crashed"]) for n in runs])
    line("citation recall", [pct(t[n]["found"], t[n]["labels"]) for n in runs])
    line("pinpoint recall", [pct(t[n]["pins_found"], t[n]["pins"]) for n in runs])
    line("resolved to the right document", [pct(t[n]["resolved_right"], t[n]["resolvable"]) for n in runs])
    line("wrong-document verified", [str(len(scores[n]["wrong"])) for n in runs])
    flags = {n: scores[n]["flagged"] for n in runs}
    line("flags (right / all)", [f"{sum(f[4] for f in flags[n])} / {len(flags[n])}" for n in runs])
    line("flag precision", [f"{sum(f[4] for f in flags[n]) / len(flags[n]):.2f}" if flags[n] else "-"
                            for n in runs])
    line("rows matching no label", [str(t[n]["unlabelled_rows"]) for n in runs])
    g = {name: s["totals"] for name, s in by_group.items()}
    line("UK judgments only: citation recall", [pct(g[n]["found"], g[n]["labels"]) for n in runs])
    line("UK judgments only: pinpoint recall", [pct(g[n]["pins_found"], g[n]["pins"]) for n in runs])
    for n, run in runs.items():
        o, results = run["opened"], run["results"].values()
        judgments = [r for s, r in run["results"].items() if not s.startswith("brief-") and not r["error"]]
        print(f"\n{n}: citation index ready in {o['seconds']:.1f} s, RSS {o['rss_mb']:.0f} MB (peak "
              f"{o['peak_mb']:.0f} MB; {o.get('import_rss_mb', 0):.0f} MB after imports); Qdrant shard loaded: "
              f"{'yes' if o.get('shard_loaded') else 'no'}; peak RSS over every source "
              f"{max((r['rss_mb'] for r in results), default=0):.0f} MB; per judgment mean "
              f"{sum(r['seconds'] for r in judgments) / max(1, len(judgments)):.2f} s wall, "
              f"{sum(r['cpu'] for r in judgments) / max(1, len(judgments)):.2f} s CPU")
    print(f"\n{'per source (wall s / CPU s / peak RSS MB)':44}" + "".join(f"{n:>26}" for n in runs))
    for source in sources:
        cells = []
        for n in runs:
            r = runs[n]["results"][source]
            cells.append("crash" if r["error"] else f"{r['seconds']:.2f} / {r['cpu']:.2f} / {r['rss_mb']:.0f}")
        print(f"{source:44}" + "".join(f"{c:>26}" for c in cells))
    print(f"\n{'hostile text through kb check (wall s / CPU s: outcome)':60}" + "".join(f"{n:>40}" for n in runs))
    for name in runs[next(iter(runs))].get("hostile", {}):
        cells = []
        for n in runs:
            h = runs[n].get("hostile", {}).get(name)
            cells.append(f"{h['seconds']:.1f} / {h['cpu']:.1f}: {h['outcome'][:22]}" if h else "-")
        print(f"{name:60}" + "".join(f"{c:>40}" for c in cells))
    for n in runs:
        crashes = {s: r["error"] for s, r in runs[n]["results"].items() if r["error"]}
        if crashes:
            print(f"\n{n} crashed on:", *(f"  {s}: {e[:160]}" for s, e in crashes.items()), sep="\n")
        if scores[n]["wrong"]:
            print(f"\n{n} wrong-document verified:", *(f"  {w}" for w in scores[n]["wrong"]), sep="\n")
        wrong_flags = [f for f in scores[n]["flagged"] if not f[4]]
        if wrong_flags:
            print(f"\n{n} false flags:", *(f"  {f}" for f in wrong_flags), sep="\n")
    if args.all:
        every_judgment(runs)
    seven = {n: [f for f in scores[n]["wrong"] + [f for f in scores[n]["flagged"] if not f[4]] if f[0] in SEVEN]
             for n in runs}
    print("\nthe seven judgments the issue names: wrong-document verified or false flags:",
          ", ".join(f"{n} {len(v)}" for n, v in seven.items()))


def mark(row: dict) -> str:
    return "close" if row.get("quote_match") == "close" else row["status"]


def every_judgment(runs: dict) -> None:
    """Per UK judgment: each tree's rows / flags / quotations marked close, then the rows that differ."""
    names = list(runs)
    judgments = sorted(s for s in runs[names[0]]["results"] if not s.startswith("brief-"))
    print(f"\n{'every UK judgment (rows / flags / close)':44}" + "".join(f"{n:>20}" for n in names))
    totals = {n: Counter() for n in names}
    differing = []
    for source in judgments:
        cells = []
        for n in names:
            rows = runs[n]["results"][source]["rows"]
            counts = Counter(rows=len(rows), flags=sum(r["status"] in FLAGS for r in rows),
                             close=sum(mark(r) == "close" for r in rows))
            totals[n].update(counts)
            cells.append(f"{counts['rows']} / {counts['flags']} / {counts['close']}")
        print(f"{source:44}" + "".join(f"{c:>20}" for c in cells))
        if len(names) == 2:
            a = {(r["where"], r["text"]): mark(r) for r in runs[names[0]]["results"][source]["rows"]}
            b = {(r["where"], r["text"]): mark(r) for r in runs[names[1]]["results"][source]["rows"]}
            differing += [(source, *key, b.get(key, "-"), a.get(key, "-")) for key in dict.fromkeys([*a, *b])
                          if a.get(key) != b.get(key)]
    print(f"{'all ' + str(len(judgments)) + ' judgments':44}" + "".join(
        f"{totals[n]['rows']} / {totals[n]['flags']} / {totals[n]['close']}".rjust(20) for n in names))
    if differing:
        print(f"\nrows that differ ({names[1]} → {names[0]}):", *(f"  {d[0]} {d[1]} {d[2][:60]}: {d[3]} → {d[4]}"
                                                           for d in differing), sep="\n")


if __name__ == "__main__":
    main()
