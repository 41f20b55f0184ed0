"""How often the drafting assistant quotes the sentence a lawyer would take from a paragraph.

The labelled set (`tests/data/holding_sentences.jsonl`) is real paragraphs of the sample judgments, each with the
ground it is quoted for and the sentence(s) that state the holding, as labelled by hand: 42 "tuning" cases the
chooser's rules were adjusted on, and 12 "heldout" cases labelled afterwards (the rules were not adjusted for their
choices; one wholeness fix, a heading glued to a paragraph's end, came from them). A choice counts as right when the
quoted sentence contains one of the labels; "whole" counts quotes that are whole sentences with every parenthesis
closed.

    PYTHONPATH=$PWD python bench/quote_choice.py                      # the current chooser
    PYTHONPATH=$PWD python bench/quote_choice.py --baseline old.py    # a chooser `best_quote(text, query)` in a file
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

from kb.citations.style import mark_gaps
from kb.drafting.draft import _norm, holding_quote, quote_is_whole, quote_query

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "holding_sentences.jsonl"


def load_cases(corpus: Path, labels: Path = LABELS) -> list[dict]:
    """The labelled cases with each paragraph's stored text (gaps marked as a hit's text is)."""
    cases = []
    documents: dict[str, dict] = {}
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        if case["doc"] not in documents:
            with gzip.open(corpus / "echr" / "JUDGMENT" / f"{case['doc']}.json.gz", "rt", encoding="utf-8") as fh:
                documents[case["doc"]] = json.load(fh)
        doc = documents[case["doc"]]
        text = next(p for p, n in zip(doc["paragraphs"], doc["paragraph_numbers"], strict=True) if n == case["para"])
        cases.append({**case, "text": mark_gaps(text, doc.get("text_defects"))})
    return cases


def score(cases: list[dict], choose: Callable[[str, str], str], split: str | None = None) -> dict:
    """Accuracy and wholeness of `choose` on the cases of `split` ("tuning", "heldout"; None: all)."""
    right = whole = 0
    misses = []
    cases = [c for c in cases if split is None or c.get("split", "tuning") == split]
    for case in cases:
        quote = choose(case["text"], quote_query(case["ground"]))
        ok = any(_norm(label) in _norm(quote) for label in case["holding"])
        right += ok
        whole += quote_is_whole(quote, case["text"])
        if not ok:
            misses.append(f"{case['doc']} § {case['para']}: chose “{quote[:90]}…”")
    n = len(cases)
    return {"cases": n, "right": right, "accuracy": round(right / n, 3), "whole": round(whole / n, 3),
            "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="a Python file defining best_quote(text, query)")
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "../shared/corpus")))
    args = parser.parse_args()
    cases = load_cases(args.corpus)
    choose = holding_quote
    if args.baseline:
        spec = importlib.util.spec_from_file_location("baseline_draft", args.baseline)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        choose = module.best_quote
    for split in ("tuning", "heldout", None):
        result = score(cases, choose, split)
        print(json.dumps({"split": split or "all", **{k: v for k, v in result.items() if k != "misses"}}))
        for miss in result["misses"] if split else []:
            print("  miss:", miss)


if __name__ == "__main__":
    main()
