"""English judges' wording of Strasbourg principles: the UK judgments in the corpus that cite an ECtHR judgment of the
corpus with a paragraph pinpoint, as retrieval cases, and their figures through the shipped pipeline.

Why: every ranking weight was fitted on dev.jsonl, the Court restating itself, or chosen on 113 dev questions. What a
user pastes or types is more often a lawyer's or an English judge's wording of the principle ("the real risk test in
Soering, para 91"). This set measures that, and is never tuned on: it checks that what was fitted generalises.

    KB_HOME=/work/stores/x .venv/bin/python bench/uk_citations.py label     # kb check's grammar and resolver → TSV
    .venv/bin/python bench/uk_citations.py build [--out cases.jsonl]       # TSV + corpus → cases (no store needed)
    KB_HOME=… KB_EMBED_CACHE=… .venv/bin/python bench/uk_citations.py eval [--variant SPEC]… [--json rows.json]

`label` reads every UK judgment (`national/uk-tna/*.xml`) as `kb check` reads a brief (`KnowledgeBase.check`: the one
citation grammar, `legal.citations`, and the store as resolver, `kb.drafting.check.CorpusIndex`) and writes one row
per ECtHR citation it resolves to a stored judgment or decision: positions and ids only (the corpus is never copied
into the repository), with how it resolved. The hand-check columns (`checked`, `quoted`, `note`) of an existing file
are kept. `build` rebuilds the queries from the corpus, as dev.jsonl was made (shared/eval/README.md): the judge's
paragraph with every ECtHR citation removed (a parenthesis left holding only `see`/`and`/punctuation goes too), the
cited applicants' names left in running text replaced by `[…]`; a case is dropped if it still names a cited document
(applicant or application number), has under 15 words, or repeats an earlier query. Kinds:

* `uk-paragraph`: the whole paragraph; relevant = every kept citation of it (pinpointed ones with their paragraphs).
* `uk-sentence`: the sentence holding the citation (with the one before it, or after it when it ends in `:`, while
  under `MIN_SENTENCE_WORDS`): the proposition the judge draws from the case, what a user would type; relevant = the
  kept citations of those sentences.

* `uk-quoted`: a paragraph whose every pinpointed citation stands inside Strasbourg text the judge sets out
  (`quoted` y): the Court's own wording, as dev.jsonl's queries are, through the same harness; the contrast that
  shows whether a part is fitted to the Court's wording rather than to the principle.

A row is used when it was checked by hand (`checked` y) or resolved unambiguously (application number, or applicant +
date or law report: `UNAMBIGUOUS`), and not refuted (`checked` n). `eval` runs the cases through
`bench/eval_dev.py --cases` (one child process a variant, each case's UK judgment excluded from its ranking) and
prints, per kind, which reading the pipeline gives the queries (`kb.search.queries.read_query`: passage, lawyer
question, keyword search), hence which weight set they exercise.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve()
DATA = HERE.parent / "data" / "uk_citations.tsv"
UK_FOLDER = "national/uk-tna"
COLUMNS = ("file", "uk_doc", "block", "paragraph", "ordinal", "start", "end", "cited_doc", "pinpoints", "status",
           "resolved", "sentences", "checked", "quoted", "note")
"""One row per resolved ECtHR citation: the UK file, its store id, the block (`kb.drafting.check.read_brief`'s list
index) and the judge's paragraph number, the citation's place among the block's ECtHR citations and its character
span, the cited document and pinpoints, `kb check`'s status and how it resolved, the sentence range
(`first-last`, 0-based) of the `uk-sentence` query, and the hand check: `checked` y/n/- (read the cited paragraph:
does it say what the judge says), `quoted` y when the paragraph sets out the Court's own text, `note` (in our words)."""
KEEP_STATUSES = ("verified", "quote_not_found", "quote_differs", "quote_near", "name_number_mismatch")
"""`kb check` statuses whose document is the one the citation means (a quotation graded apart); a name/number
mismatch is resolved by the number and is kept only when checked by hand."""
UNAMBIGUOUS = ("appno", "name+date", "name+report")
KINDS = ("uk-paragraph", "uk-sentence", "uk-quoted")
MIN_QUERY_WORDS = 15
MIN_SENTENCE_WORDS = 8
DEFAULT_VARIANTS = ("bm25", "ranked", "hybrid", "ranked parts.reasoning_source=0", "ranked passages.cited_document=0",
                    "ranked passages.shared_phrases=0", "ranked passages.facts_document=0",
                    "ranked passages.best_voter=0", "ranked questions.meaning=0")
"""The shipped modes, and the ranked mode with the strongest passage features (and the question set's `meaning`,
which a sentence read as a question uses) switched off one at a time: what is fitted to the Court's own wording shows
as a part that helps on dev.jsonl and not here."""


# -- label: kb check over every UK judgment -----------------------------------------------------------------------


def how_resolved(citation) -> str:
    """What the citation itself carried to name its document (`legal.citations.Citation`)."""
    if citation.form in ("short", "ibid"):
        return citation.form
    if citation.appnos:
        return "appno"
    if citation.date:
        return "name+date"
    if citation.reports or citation.year:
        return "name+report"
    return "name"


def read_rows(path: Path = DATA) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def write_rows(rows: list[dict], path: Path = DATA) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def uk_files(corpus: Path) -> list[Path]:
    files = sorted((corpus / UK_FOLDER).glob("*.xml"))
    if not files:
        raise SystemExit(f"no UK judgments in {corpus / UK_FOLDER}; set KB_CORPUS to the corpus folder")
    return files


def label(corpus: Path, out: Path) -> int:
    from ingest.loaders.akn import load
    from kb.api import KnowledgeBase
    from kb.drafting.check import find_citations
    from kb.settings import Settings

    kept = {(r["file"], r["block"], r["ordinal"]): r for r in read_rows(out)}
    rows = []
    kb = KnowledgeBase(Settings.load())
    try:
        for path in uk_files(corpus):
            uk_doc = load(path, f"{UK_FOLDER}/{path.name}", "national")[0].doc_id
            report = kb.check(path, missing=False)
            grammar = {(f.block, f.citation.start): f.citation for f in find_citations(report.blocks)}
            ordinals: Counter[int] = Counter()
            for c in report.citations:
                if c.kind != "echr":
                    continue
                ordinal = ordinals[c.block]
                ordinals[c.block] += 1
                if not c.doc_id or c.status not in KEEP_STATUSES:
                    continue
                text = report.blocks[c.block].text
                first, last = sentence_range(text, c.start, citation_spans(report.blocks[c.block].text, grammar,
                                                                           c.block))
                old = kept.get((path.name, str(c.block), str(ordinal)), {})
                rows.append({
                    "file": path.name, "uk_doc": uk_doc, "block": c.block, "paragraph": report.blocks[c.block].number
                    or "", "ordinal": ordinal, "start": c.start, "end": c.end, "cited_doc": c.doc_id,
                    "pinpoints": ",".join(c.paragraphs), "status": c.status,
                    "resolved": how_resolved(grammar[(c.block, c.start)]), "sentences": f"{first}-{last}",
                    "checked": old.get("checked", "-"), "quoted": old.get("quoted", "-"), "note": old.get("note", "")})
    finally:
        kb.close()
    write_rows(rows, out)
    print(f"{len(rows)} resolved ECtHR citations ({sum(1 for r in rows if r['pinpoints'])} with pinpoints) in "
          f"{len({r['file'] for r in rows})} UK judgments → {out}", file=sys.stderr)
    return 0


# -- build: the queries, rebuilt from the corpus ---------------------------------------------------------------------


def citation_spans(text: str, grammar: dict, block: int) -> list[tuple[int, int]]:
    """The character spans of the block's ECtHR citations, as the grammar read them in the whole judgment."""
    return sorted((c.start, c.end) for (b, _), c in grammar.items() if b == block and c.kind == "echr")


_BREAK = re.compile(r"(?:(?<=[.!?:])|(?<=[.!?][”\"’)]))\s+(?=[A-Z“‘\"(\[])|\n")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|cf|Mr|Mrs|Ms|Dr|No|Nos|para|paras|p|pp|art|arts|Art|J|LJ|v|vs|op|"
                           r"cit|ibid|Ltd|Co|St)\.|\b[A-Z]\.)$")


def sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of each sentence; citations are read as one word (their `v.`, `no.`, `§.` end no sentence), and a
    full stop after an abbreviation or an initial ends none either. A colon ends one: what follows it is a quotation
    or a list, another proposition."""
    masked = list(text)
    for start, end in spans:
        masked[start:end] = "x" * (end - start)
    masked_text = "".join(masked)
    out, start = [], 0
    for m in _BREAK.finditer(masked_text):
        if _ABBREVIATION.search(masked_text[start:m.start()]):
            continue
        if masked_text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def sentence_range(text: str, at: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The sentence holding offset `at`, widened by one sentence at a time (the next when it ends in a colon, the
    one before otherwise) until, without its citations, it has `MIN_SENTENCE_WORDS` words."""
    parts = sentences(text, spans)
    index = next((i for i, (s, e) in enumerate(parts) if s <= at < e), len(parts) - 1)
    first = last = index

    def words(a: int, b: int) -> int:
        start, end = parts[a][0], parts[b][1]
        return len(strip_citations(text[start:end], [(s - start, e - start) for s, e in spans
                                                     if start <= s < end]).split())

    while words(first, last) < MIN_SENTENCE_WORDS and (first > 0 or last < len(parts) - 1):
        if (text[parts[last][0]:parts[last][1]].rstrip().endswith(":") or first == 0) and last < len(parts) - 1:
            last += 1
        else:
            first -= 1
    return first, last


_MARK = "\x00"
_EMPTY_PARENTHESIS = re.compile(rf"[(\[](?:[\s,;:.{_MARK}]|\b(?:see|also|and|cf|e\.g|per|at|supra|in)\b)*{_MARK}"
                                rf"(?:[\s,;:.{_MARK}]|\b(?:see|also|and|cf|e\.g|per|at|supra|in)\b)*[)\]]", re.I)
_LEFTOVER = re.compile(rf"{_MARK}(?:\s*(?:,|and|;)?\s*{_MARK})*")
_TIDY = ((re.compile(r"([(\[])\s*[,;]\s*"), r"\1"), (re.compile(r"\s*[,;]\s*([)\]])"), r"\1"),
         (re.compile(r"\s*,\s*([.;:])"), r"\1"), (re.compile(r"\s+([,;:.)\]])"), r"\1"))
LEADING_NUMBER = re.compile(r"^\s*\[?\d{1,4}[.\]]?\s+")


def strip_citations(text: str, spans: list[tuple[int, int]]) -> str:
    """The text without its citations: a parenthesis that held nothing else (`(see …)`) removed, a citation in running
    text (`In Soering v United Kingdom (1989) 11 EHRR 439, para 91, the court said`) left as `[…]`, dev.jsonl's mark
    of a removed case name."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start >= pos:
            out += [text[pos:start], _MARK]
            pos = end
    out.append(text[pos:])
    stripped = _EMPTY_PARENTHESIS.sub("", "".join(out))
    stripped = _LEFTOVER.sub("[…]", stripped)
    for pattern, replacement in _TIDY:
        stripped = pattern.sub(replacement, stripped)
    return " ".join(stripped.split())


def name_words(names: set[tuple[str, ...]]) -> set[str]:
    """The words of the cited applicants' names that identify them (not `and`, `others`, initials of one letter)."""
    return {w for tokens in names for w in tokens if len(w) >= 3}


def mask_names(query: str, words: set[str]) -> str:
    """Capitalised words of the cited applicants' names, left in running text, as `[…]` (dev.jsonl's rule)."""
    from legal.citations import fold

    return re.sub(r"[^\W\d_][\w’']*", lambda m: "[…]" if m.group()[0].isupper() and fold(m.group()) in words
                  else m.group(), query)


def names_cited(query: str, words: set[str], appnos: set[str]) -> bool:
    """Whether the query still names a cited document: an application number or an applicant's word."""
    from legal.citations import fold

    return any(a in query for a in appnos) or bool(words & set(re.findall(r"[\w’']+", fold(query))))


@dataclass
class Cited:
    appnos: set[str]
    names: set[tuple[str, ...]]


def cited_document(corpus: Path, doc_id: str, cache: dict[str, Cited]) -> Cited:
    """The cited judgment's application numbers and applicant words (from its corpus file: the corpus title)."""
    from legal.citations import title_applicant

    if doc_id not in cache:
        paths = sorted((corpus / "echr").glob(f"*/{doc_id}.json*"))
        if not paths:
            raise SystemExit(f"{DATA}: cited document {doc_id} is not in {corpus / 'echr'}; run `label` again")
        opener = gzip.open if paths[0].suffix == ".gz" else open
        with opener(paths[0], "rt", encoding="utf-8") as fh:
            raw = json.load(fh)
        appnos = raw.get("appno") or []
        cache[doc_id] = Cited(set(appnos if isinstance(appnos, list) else [appnos]),
                              {title_applicant(raw.get("title") or "")})
    return cache[doc_id]


def usable(row: dict) -> bool:
    """Checked by hand, or resolved unambiguously, and not refuted."""
    if row["checked"] == "n":
        return False
    return row["checked"] == "y" or (row["resolved"] in UNAMBIGUOUS and row["status"] != "name_number_mismatch")


def relevant_of(rows: list[dict]) -> list[dict]:
    """dev.jsonl's `relevant`: each cited document once, with the union of its pinpoints (null: none given)."""
    out: dict[str, set[str] | None] = {}
    for r in rows:
        pins = set(filter(None, r["pinpoints"].split(",")))
        have = out.get(r["cited_doc"])
        out[r["cited_doc"]] = (have or set()) | pins if pins or have else None
    return [{"doc_id": d, "paragraphs": sorted(p, key=int) if p else None} for d, p in out.items()]


def build_cases(corpus: Path, rows: list[dict], stats: Counter | None = None) -> list[dict]:
    """The cases of both kinds, in file and paragraph order; `stats` counts what was dropped and why."""
    from kb.drafting.check import find_citations, read_brief
    from legal.citations import applicant_tokens

    stats = stats if stats is not None else Counter()
    cache: dict[str, Cited] = {}
    seen: set[tuple[str, str]] = set()
    cases = []
    by_file: dict[str, list[dict]] = {}
    for r in rows:
        by_file.setdefault(r["file"], []).append(r)
    for file, file_rows in by_file.items():
        blocks = read_brief(corpus / UK_FOLDER / file)
        grammar = {(f.block, f.citation.start): f.citation for f in find_citations(blocks)}
        for block, block_rows in group_by(file_rows, "block"):
            text = blocks[int(block)].text
            spans = citation_spans(text, grammar, int(block))
            for r in block_rows:
                found = grammar.get((int(block), int(r["start"])))
                if found is None or found.end != int(r["end"]) or ",".join(found.paragraphs) != r["pinpoints"]:
                    raise SystemExit(f"{DATA}: {file} block {block} citation {r['ordinal']} no longer reads as "
                                     f"labelled (the grammar or the loader changed); run `label` again and re-check")
            use = [r for r in block_rows if usable(r)]
            stats["refuted rows"] += sum(1 for r in block_rows if r["checked"] == "n")
            judge = [r for r in use if r["pinpoints"] and r["quoted"] != "y"]
            if not any(r["pinpoints"] for r in use):
                continue
            names = {applicant_tokens(grammar[(int(block), int(r["start"]))].name) for r in use}
            appnos: set[str] = set()
            for r in use:
                cited = cited_document(corpus, r["cited_doc"], cache)
                names |= cited.names
                appnos |= cited.appnos
            words = name_words(names)
            source = {"file": file, "block": int(block), "paragraph": block_rows[0]["paragraph"]}
            base = f"uk-{block_rows[0]['uk_doc']}-b{block}"
            candidates = [(f"{base}", "uk-paragraph" if judge else "uk-quoted", 0, len(text), use)]
            for sentence, sentence_rows in group_by(judge, "sentences"):
                first, last = (int(x) for x in sentence.split("-"))
                parts = sentences(text, spans)
                if last >= len(parts):
                    raise SystemExit(f"{DATA}: {file} block {block}: sentence {sentence} is past the paragraph's "
                                     f"{len(parts)}; run `label` again")
                within = [r for r in use if r["quoted"] != "y" and parts[first][0] <= int(r["start"]) < parts[last][1]]
                candidates.append((f"{base}-s{sentence}", "uk-sentence", parts[first][0], parts[last][1],
                                   within or sentence_rows))
            for qid, kind, start, end, cited_rows in candidates:
                local = [(s - start, e - start) for s, e in spans if start <= s < end]
                query = LEADING_NUMBER.sub("", mask_names(strip_citations(text[start:end], local), words))
                minimum = MIN_SENTENCE_WORDS // 2 if kind == "uk-sentence" else MIN_QUERY_WORDS
                key = (kind, " ".join(re.findall(r"\w+", query.lower())))
                if names_cited(query.replace("[…]", " "), words, appnos):
                    stats[f"{kind}: still names a cited case"] += 1
                elif len(query.split()) < minimum:
                    stats[f"{kind}: under {minimum} words"] += 1
                elif key in seen:
                    stats[f"{kind}: duplicate"] += 1
                else:
                    seen.add(key)
                    cases.append({"qid": qid, "query": query, "relevant": relevant_of(cited_rows), "kind": kind,
                                  "source": {**source, "dataset": "uk-citations",
                                             "checked": [r["checked"] for r in cited_rows],
                                             "resolved": [r["resolved"] for r in cited_rows]},
                                  "exclude_doc_ids": [block_rows[0]["uk_doc"]]})
    return cases


def group_by(rows: list[dict], column: str) -> Iterator[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r[column], []).append(r)
    yield from groups.items()


def describe(cases: list[dict], rows: list[dict], stats: Counter) -> str:
    from kb.search.queries import read_query

    lines = [f"{len(rows)} labelled citations, {sum(1 for r in rows if usable(r) and r['pinpoints'])} pinpointed and "
             f"used ({sum(1 for r in rows if r['checked'] == 'y')} checked by hand, "
             f"{sum(1 for r in rows if r['checked'] == 'n')} refuted, {sum(1 for r in rows if r['quoted'] == 'y')} "
             f"in paragraphs quoting the Court)"]
    for kind in KINDS:
        mine = [c for c in cases if c["kind"] == kind]
        readings: Counter[str] = Counter()
        for c in mine:
            reading = read_query(c["query"])
            readings["passage" if not reading.lawyer else "lawyer question" if "?" in c["query"]
                     or len(c["query"].split()) > 12 else "keyword search"] += 1
        words = sorted(len(c["query"].split()) for c in mine)
        lines.append(f"{kind}: {len(mine)} cases from {len({c['source']['file'] for c in mine})} judgments, median "
                     f"{words[len(words) // 2] if words else 0} words; read as {dict(readings)}")
    if stats:
        lines.append("dropped: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))
    return "\n".join(lines)


def build(corpus: Path, out: Path | None) -> list[dict]:
    rows = read_rows()
    if not rows:
        raise SystemExit(f"no labels in {DATA}; run `label` first")
    stats: Counter = Counter()
    cases = build_cases(corpus, rows, stats)
    print(describe(cases, rows, stats), file=sys.stderr)
    if out:
        out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return cases


def evaluate(corpus: Path, variants: list[str], json_out: Path | None) -> int:
    sys.path.insert(0, str(HERE.parent))
    import eval_dev

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "uk-citations.jsonl"
        build(corpus, path)
        argv = ["--cases", str(path), "--only-cases", *[a for v in variants for a in ("--variant", v)]]
        return eval_dev.main(argv + (["--json", str(json_out)] if json_out else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("label", "build", "eval"))
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "../shared/corpus")))
    parser.add_argument("--out", type=Path, help="build: write the cases here (JSON Lines, dev.jsonl's format)")
    parser.add_argument("--variant", action="append", default=[], help="eval: a variant spec (bench/eval_dev.py)")
    parser.add_argument("--json", type=Path, help="eval: every variant's per-case rows")
    args = parser.parse_args(argv)
    if args.command == "label":
        return label(args.corpus, DATA)
    if args.command == "build":
        build(args.corpus, args.out)
        return 0
    return evaluate(args.corpus, args.variant or list(DEFAULT_VARIANTS), args.json)


if __name__ == "__main__":
    sys.exit(main())
