"""Misses and false alarms of `kb check` on real judgments a lawyer has edited: UK judgments of the corpus converted to
plain text (as a lawyer pastes one into a brief), each with one planted error (bench/data/check_planted.tsv: a wrong
pinpoint, a misquote, a name or date that does not match the number), checked whole, with this tree's code and, in
the same run, another tree's (`--baseline /work/main`).

    KB_HOME=/work/stores/x python bench/check_planted.py --baseline /work/main

Also briefs `kb draft` wrote (tests/data/check_briefs), edited as a lawyer edits them: a citation rewritten in OSCOLA or
US style (`(n 3) [233]`, `supra note 2, § 1111`, `Id., § 1890`, `¶ 670`, `loc. cit.`), a word of a quotation changed
or dropped. Their block is `-` and the offset is in the file's text.

The TSV holds ids and positions only (the judgment, the block of `kb.drafting.check.read_brief`, the offset and length
of the words replaced) and the replacement, in our words; the corpus is never copied. An expected status `close` is a
verified citation whose quotation is close to the source but not verbatim (`quote_match`). Per edit:
- a miss: the citation the edit touches (the first row whose text starts with `head`) does not get one of the
  expected statuses;
- a false alarm: a row flagged (an error status) in the edited text that is not flagged in the unedited conversion,
  other than the edited citation's.
Each implementation runs in its own process (its code first on PYTHONPATH) and checks every file with one index.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "check_planted.tsv"
BRIEFS = ROOT / "tests" / "data" / "check_briefs"
FLAGS = ("name_number_mismatch", "date_mismatch", "pinpoint_missing", "quote_differs", "quote_not_found")


def load() -> list[dict]:
    lines = [line for line in DATA.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def plain_text(blocks: list) -> str:
    """The judgment as pasted text: one paragraph a block, its number printed once before it."""
    out, last = [], None
    for b in blocks:
        prefix = f"{b.number}. " if b.number and b.number != last else ""
        last = b.number or last
        out.append(prefix + " ".join(b.text.split()))
    return "\n\n".join(out)


def write_inputs(corpus: Path, folder: Path) -> dict[str, Path]:
    """The unedited conversion of each judgment and one file per edit."""
    from kb.drafting.check import Block, read_brief

    files: dict[str, Path] = {}
    blocks: dict[str, list] = {}
    for edit in load():
        source = edit["source"]
        if source.startswith("brief-"):
            text = (BRIEFS / source).read_text(encoding="utf-8")
            files[source] = folder / source
            files[source].write_text(text, encoding="utf-8")
            at, length = int(edit["offset"]), int(edit["length"])
            files[edit["id"]] = folder / f"{edit['id']}{Path(source).suffix}"
            new = edit["new"].replace("\\n", "\n")  # a note added with its definition: `…[^7]\n\n[^7]: …`
            files[edit["id"]].write_text(text[:at] + new + text[at + length:], encoding="utf-8")
            continue
        if source not in blocks:
            blocks[source] = read_brief(corpus / "national" / "uk-tna" / f"{source}.xml")
            files[source] = folder / f"{source}.txt"
            files[source].write_text(plain_text(blocks[source]), encoding="utf-8")
        edited = list(blocks[source])
        i, at, length = int(edit["block"]), int(edit["offset"]), int(edit["length"])
        b = edited[i]
        edited[i] = Block(b.text[:at] + edit["new"] + b.text[at + length:], b.line, b.style, b.number, b.notes, b.page)
        files[edit["id"]] = folder / f"{edit['id']}.txt"
        files[edit["id"]].write_text(plain_text(edited), encoding="utf-8")
    return files


def worker(paths: list[str]) -> None:
    from kb.api import KnowledgeBase

    kb = KnowledgeBase()
    out = {}
    for path in paths:
        try:
            out[path] = [c.to_dict() for c in kb.check(Path(path), missing=False).citations]
        except Exception as exc:  # a crash is a result
            out[path] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out, ensure_ascii=False))


def run(tree: Path, paths: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, __file__, "--worker", *paths], capture_output=True, text=True, env=env,
                          cwd=tree, timeout=3600)
    if done.returncode:
        raise SystemExit(f"worker for {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def score(edits: list[dict], files: dict[str, Path], rows: dict) -> tuple[int, int, list[str]]:
    misses = alarms = 0
    lines = []
    for edit in edits:
        got = rows[str(files[edit["id"]])]
        base = rows[str(files[edit["source"]])]
        if isinstance(got, str):
            misses += 1
            lines.append(f"{edit['id']}: crashed: {got[:120]}")
            continue
        hit = next((r for r in got if r["text"].startswith(edit["head"])), None)
        want = edit["expected"].split(",")
        shown = None if hit is None else "close" if hit.get("quote_match") == "close" else hit["status"]
        if shown not in want:
            misses += 1
            lines.append(f"{edit['id']}: missed ({shown or 'not read'}; want {'/'.join(want)})")
        flagged_before = {(r["where"], r["text"]) for r in base if r["status"] in FLAGS}
        extra = [r for r in got if r["status"] in FLAGS and r is not hit
                 and (r["where"], r["text"]) not in flagged_before]
        alarms += len(extra)
        lines += [f"{edit['id']}: false alarm {r['where']} {r['status']} {r['text'][:60]}" for r in extra]
    return misses, alarms, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.paths)
        return
    sys.path.insert(0, str(ROOT))
    edits = load()
    with tempfile.TemporaryDirectory() as folder:
        files = write_inputs(args.corpus, Path(folder))
        paths = [str(p) for p in files.values()]
        trees = [("this tree", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
        for name, tree in trees:
            misses, alarms, lines = score(edits, files, run(tree, paths))
            print(f"{name}: {len(edits)} planted errors in {len({e['source'] for e in edits})} sources: "
                  f"{misses} missed, {alarms} false alarms")
            print(*(f"  {line}" for line in lines), sep="\n")


if __name__ == "__main__":
    main()
