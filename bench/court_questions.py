"""Questions in the Court's own words, many of them: the sentence of a judgment that states a proposition and cites a
paragraph of an earlier judgment for it, the citation removed, as a question whose answer is the cited paragraph.

    KB_HOME=… .venv/bin/python bench/court_questions.py --out court-questions.jsonl [--per-doc 4] [--seed 1]

Why: a question ranker can only be fitted on questions, and the dev sets hold 113 of them, too few to fit anything
but a few weights (and what was tuned on 20 lowered an unseen set, issue 22). The Court answers its own questions in
every judgment: "The Court reiterates that the authorities must take reasonable steps to …" followed by "(see
Z and Others v. the United Kingdom [GC], § 73)". Each such sentence, its citations stripped, is a statement of
principle in the Court's words whose answer is the pinpointed paragraph; the ranker's features of its pool say where
that paragraph sits (its judgment's retrieval rank, its citations, its place in the judgment) whatever the words.
What a question model learns from thousands of them is measured on the dev questions it never saw.

Built from the store's citation graph (`$KB_HOME/citations.sqlite`) and the corpus, never from a test file: the graph
of an evaluation store is built `--leave-out` the held-out citing documents, so none of their citations can become a
training question (shared/eval/README.md). The case format is dev.jsonl's (`kind` `court-sentence`): the citing
judgment excluded from the ranking, relevant = the cited documents with their pinpoints. A sentence is found as
`bench/uk_citations.py` finds a UK judge's (`sentences`, `sentence_range`: the sentence holding the citation, widened
to 8 words), in a paragraph of the Court's own reasoning (`COURT_ROLES`), its citations stripped and the cited
applicants' names masked as dev.jsonl's are; a sentence still naming a cited case, under 8 or over 60 words, or
repeating an earlier one is dropped. It is asked as a question (a closing `?`), so the search reads it as a lawyer's
question (`kb.search.queries.is_question`) and ranks it with the question weights and parts, as the dev questions.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from uk_citations import (  # noqa: E402
    Cited,
    cited_document,
    mask_names,
    name_words,
    names_cited,
    sentence_range,
    sentences,
    strip_citations,
)

MIN_WORDS = 8
MAX_WORDS = 60
CASE_SPECIFIC = re.compile(r"\bapplicants?\b|\b(?:present|instant) (?:case|application)|\bin (?:this|the present) "
                           r"context\b|\bthe Government\b|\bthe Chamber\b", re.I)
"""A sentence about the case at hand (its applicant, its facts, a party's argument) is not a question a lawyer or an
expert asks of the case-law: those ask for the principle, which a sentence without these words states."""
REFERENCE = re.compile(r"\((?:\s*(?:see|cf\.?|compare)\b[^()]*|[^()]*\[…\][^()]*)\)", re.I)
"""A parenthesis referring to authority: opening with `see`/`cf.`/`compare`, or holding a masked case name."""


def as_asked(text: str) -> str:
    """The sentence as a question would put it: what the stripping left of a reference (a parenthesis opening with
    `see` or `cf.`, or holding a masked name `[…]`, which are the citations of cases outside the corpus), quotation
    marks and the closing stop gone."""
    text = REFERENCE.sub("", text)
    text = " ".join(text.replace("[…]", " ").split())
    return re.sub(r"\s+([,;:.])", r"\1", text).strip(" .:;,“”\"'’")


def graph_rows(db: Path) -> tuple[dict, dict]:
    """(citing doc → paragraph → [(raw, cited doc, pinpoints)] in reading order, citing doc → corpus file)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    pins: dict[int, list[str]] = defaultdict(list)
    for cid, para in con.execute("SELECT citation_id, cited_para FROM pinpoints"):
        pins[cid].append(para)
    rows: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for cid, doc, para, cited, raw in con.execute(
            "SELECT id, citing_doc, citing_para, cited_doc, raw FROM citations ORDER BY id"):
        rows[doc][para].append((raw, cited, sorted(set(pins.get(cid, ())), key=lambda p: (len(p), p))))
    files = dict(con.execute("SELECT doc_id, source_file FROM resolver_keys"))
    con.close()
    return rows, files


def document_cases(doc, paragraphs: dict[str, list], corpus: Path, cache: dict[str, Cited], stats: Counter
                   ) -> list[dict]:
    """Every usable sentence of one citing judgment as a case."""
    from ingest.loaders.echr import COURT_ROLES
    from legal.citations import Scanner

    scanner = Scanner()
    out = []
    for p in doc.paragraphs:
        if not p.number:
            continue
        found = [c for c in scanner.scan(p.text) if c.kind == "echr"]  # every paragraph, so short forms resolve
        stored = list(paragraphs.get(p.number, ()))
        if not stored or p.role not in COURT_ROLES:
            continue
        spans = [(c.start, c.end) for c in found]
        by_sentence: dict[tuple[int, int], list] = defaultdict(list)
        for c in found:
            match = next((i for i, row in enumerate(stored) if row[0] == c.text[:300]), None)
            if match is None:
                stats["citation not in the graph"] += 1
                continue
            raw, cited, pins = stored.pop(match)
            if not cited or cited == doc.doc_id or not pins:
                continue
            by_sentence[sentence_range(p.text, c.start, spans)].append((cited, pins))
        parts = sentences(p.text, spans) if by_sentence else []
        for (first, last), cites in by_sentence.items():
            start, end = parts[first][0], parts[last][1]
            text = strip_citations(p.text[start:end], [(s - start, e - start) for s, e in spans if start <= s < end])
            cited_docs = {c for c, _ in cites}
            info = [cited_document(corpus, c, cache) for c in cited_docs]
            words = name_words(set().union(*(i.names for i in info)))
            text = mask_names(text, words)
            if names_cited(text.replace("[…]", ""), words, set().union(*(i.appnos for i in info))):
                stats["names a cited case"] += 1
                continue
            text = as_asked(text)
            if CASE_SPECIFIC.search(text):
                stats["about the case at hand"] += 1
                continue
            n = len(text.split())
            if not MIN_WORDS <= n <= MAX_WORDS:
                stats["too short or long"] += 1
                continue
            relevant: dict[str, set[str]] = defaultdict(set)
            for cited, pins in cites:
                relevant[cited] |= set(pins)
            out.append({"qid": f"cs-{doc.doc_id}-p{p.number}-s{first}",
                        "query": text + "?",
                        "relevant": [{"doc_id": d, "paragraphs": sorted(ps, key=lambda x: (len(x), x))}
                                     for d, ps in relevant.items()],
                        "kind": "court-sentence",
                        "source": {"dataset": "court sentences (bench/court_questions.py)",
                                   "citing_doc_id": doc.doc_id, "citing_paragraph": p.number},
                        "exclude_doc_ids": [doc.doc_id]})
    return out


def build(db: Path, corpus: Path, per_doc: int, limit: int, seed: int, stats: Counter) -> list[dict]:
    from ingest.loaders.echr import load as load_echr

    rows, files = graph_rows(db)
    docs = sorted(rows)
    random.Random(seed).shuffle(docs)
    cache: dict[str, Cited] = {}
    seen: set[str] = set()
    out: list[dict] = []
    for n, doc_id in enumerate(docs, 1):
        source = files.get(doc_id)
        if not source:
            stats["citing document without a corpus file"] += 1
            continue
        try:
            loaded = [d for d in load_echr(corpus / source, source, "echr") if d.doc_id == doc_id]
        except Exception as exc:  # a corpus defect skips the judgment, named
            print(f"skipped {source}: {exc}", file=sys.stderr)
            continue
        if not loaded:
            continue
        cases = document_cases(loaded[0], rows[doc_id], corpus, cache, stats)
        fresh = []
        for case in cases:
            key = " ".join(case["query"].lower().split())
            if key in seen:
                stats["repeats an earlier sentence"] += 1
                continue
            seen.add(key)
            fresh.append(case)
        random.Random(f"{seed}-{doc_id}").shuffle(fresh)
        out += fresh[:per_doc]
        stats["citing judgments used"] += bool(fresh)
        if n % 100 == 0:
            print(f"  {n}/{len(docs)} judgments, {len(out)} cases", file=sys.stderr, flush=True)
        if limit and len(out) >= limit:
            break
    return out[:limit] if limit else out


def main(argv: list[str] | None = None) -> int:
    from kb.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-doc", type=int, default=4, help="at most N sentences of one citing judgment")
    parser.add_argument("--limit", type=int, default=0, help="stop at N cases (0: every citing judgment)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    settings = Settings.load()
    stats: Counter = Counter()
    cases = build(settings.citations_db, settings.corpus, args.per_doc, args.limit, args.seed, stats)
    with args.out.open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases → {args.out}; {dict(stats)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
