"""How much of each PRC statute the bilingual glossary can reach: per statute, the share of articles holding at least
one glossary term's Chinese, and the share held only by generic terms, for the glossary in the tree and a baseline
(another git revision's or another file's glossary) in the same run.

    .venv/bin/python bench/glossary_coverage.py --baseline main [--terms 20]

Why: an English question reaches a Chinese article only through a glossary term the article prints
(`kb.search.crosslingual`); an article holding none is out of reach of every English question. A term whose Chinese
is in hundreds of articles (法院, 证据, 犯罪) reaches them but tells them apart from nothing: the Chinese query of a
question holding it floods its candidates. So the table counts an article as reached specifically when it holds a
term printed in fewer than `GENERIC_SHARE` of all articles. `--terms N` lists the N terms reaching most articles.
A row's source names the published English version and the article where both versions use the term: the first line
counts the rows whose cited article of a corpus statute prints the term (`--sources` lists the others).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import statute_md
from kb.search.crosslingual import GLOSSARY_FILE, Match, Term, load_glossary, matched_terms
from legal.prc import PRC_LAWS, PrcLaw

GENERIC_SHARE = 0.03
"""A term printed in at least this share of the corpus's articles (3 %: ~100 of 3,484) is generic. The main
glossary's terms above it are the procedure's common nouns (人民法院, 证据, 犯罪嫌疑人, 审判, 执行); below it the
operative phrases (有碍侦查, 死刑复核) and most named measures."""
PINPOINT_SHARE = 0.01
STATUTE_SHARE = 0.2
"""An article is pinpointed when it holds an operative phrase: a term printed in at most `PINPOINT_SHARE` of the
corpus's articles (1 %: ~35; 有碍侦查, 缺席判决, 陪审团) and in less than `STATUTE_SHARE` of its own statute's
articles (引渡 in the Extradition Law, 监察官 in the Supervisors Law name the statute, not the article).
An English question using that phrase finds the article among a handful, not among a hundred."""


@dataclass(frozen=True)
class Statute:
    name: str
    title: str
    """The Chinese title (`legal.prc.PRC_TITLES`' key)."""
    articles: tuple[str, ...]
    numbers: tuple[int, ...]
    """Each article's number (第八条 → 8), in the order of `articles`."""


def statutes(corpus: Path) -> list[Statute]:
    """Each prc-law file's numbered articles (one chunk each in the store)."""
    out = []
    for path in sorted((corpus / "prc-law").rglob("*.md")):
        doc = statute_md.load(path, str(path.relative_to(corpus)), "prc-law")[0]
        numbered = [p for p in doc.paragraphs if p.number]
        out.append(Statute(path.stem, doc.title, tuple(p.text for p in numbered),
                           tuple(doc.extra["article_number_int"][p.number] for p in numbered)))
    return out


_PUBLISHERS = ("China Law Translate", "NPC Observer", "NPC official English version", "Official English text",
               "Hong Kong e-Legislation", "State Council English version", "Laws and Regulations of the PRC")


def _aliases(law: PrcLaw) -> list[str]:
    """The names a glossary source may call a statute by: its English names and the titles its `source` gives
    (`SPC Interpretation on the Application of the Criminal Procedure Law`, `Instrument A406`)."""
    pieces = [re.sub(r"\s*\(.*", "", p).strip() for p in re.split(r"[;,]", law.source)]
    return [*law.names, *(p for p in pieces if len(p) > 12 and not p.startswith(_PUBLISHERS))]


def cited_articles(term: Term, corpus: list[Statute]) -> bool | None:
    """Whether an article the row's source cites prints the term (None: the source names no corpus statute and
    article). Each `;` part of the source is one citation; the statute is the one whose name the part holds (the
    longest: `SPC Interpretation on the Application of the Criminal Procedure Law` before `Criminal Procedure Law`),
    the version the part's year picks when the corpus holds several."""
    checked = False
    for part in term.source.split(";"):
        named = [(len(a), a, law) for law in PRC_LAWS for a in _aliases(law) if a in part]
        numbers = re.search(r"\barts?\. ([\d][\d\s,()a-z\-–]*)", part)
        if not named or not numbers:
            continue
        _, alias, law = max(named, key=lambda n: n[0])
        year = re.search(r"\((\d{4})\)", part[part.index(alias):])
        files = [s for s in corpus if s.title == law.chinese]
        if year and len(files) > 1:
            files = [s for s in files if year.group(1) in s.name]
        cited: set[int] = set()
        for a, b in re.findall(r"(\d+)(?:\s*[-–]\s*(\d+))?", numbers.group(1)):
            cited.update(range(int(a), int(b or a) + 1))
        checked = checked or bool(files)
        if any(held([term], text) for s in files for n, text in zip(s.numbers, s.articles, strict=True)
               if n in cited):
            return True
    return False if checked else None


def held(terms: list[Term], text: str) -> set[str]:
    """The Chinese of the terms whose every part the article prints (as `matched_terms` judges a hit)."""
    matches = [Match(t.chinese, t.chinese) for t in {t.chinese: t for t in terms}.values()]
    return {m.split(" → ", 1)[0] for m in matched_terms(text, matches)}


@dataclass(frozen=True)
class Coverage:
    per_statute: dict[str, tuple[int, int, int, int]]
    """statute → (articles, articles holding a term, articles holding only generic terms, articles pinpointed)."""
    unpinpointed: dict[str, list[int]]
    """statute → the indexes of its articles holding no operative phrase."""
    reach: dict[str, int]
    """Chinese term → articles holding it, corpus-wide."""
    terms: int


def coverage(terms: list[Term], corpus: list[Statute]) -> Coverage:
    holdings = {s.name: [held(terms, a) for a in s.articles] for s in corpus}
    total = sum(len(s.articles) for s in corpus)
    reach: dict[str, int] = {}
    for rows in holdings.values():
        for row in rows:
            for chinese in row:
                reach[chinese] = reach.get(chinese, 0) + 1
    generic = {c for c, n in reach.items() if n >= GENERIC_SHARE * total}
    common = {c for c, n in reach.items() if n > PINPOINT_SHARE * total}
    per = {}
    missing = {}
    for name, rows in holdings.items():
        own: dict[str, int] = {}
        for row in rows:
            for chinese in row:
                own[chinese] = own.get(chinese, 0) + 1
        broad = common | {c for c, n in own.items() if n >= STATUTE_SHARE * len(rows)}
        per[name] = (len(rows), sum(1 for r in rows if r), sum(1 for r in rows if r and r <= generic),
                     sum(1 for r in rows if r - broad))
        missing[name] = [i for i, r in enumerate(rows) if not r - broad]
    return Coverage(per, missing, reach, len({t.chinese for t in terms}))


def baseline_glossary(spec: str, workdir: Path) -> list[Term]:
    """A glossary file, or the tree's glossary at a git revision."""
    if Path(spec).is_file():
        return load_glossary(Path(spec))
    root = GLOSSARY_FILE.parents[2]
    relative = GLOSSARY_FILE.relative_to(root)
    text = subprocess.run(["git", "-C", str(root), "show", f"{spec}:{relative}"], check=True, capture_output=True,
                          text=True).stdout
    path = workdir / "baseline.tsv"
    path.write_text(text, encoding="utf-8")
    return load_glossary(path)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}" if whole else "    -"


def _row(name: str, n: int, *pairs: int) -> str:
    """One statute's line: its article count, then each measure's share before → after."""
    cells = "  ".join(f"{_pct(pairs[i], n)} → {_pct(pairs[i + 1], n)}" for i in range(0, len(pairs), 2))
    return f"{n:5}  {cells}  {name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "/work/shared/corpus")))
    parser.add_argument("--baseline", default="main", help="git revision or glossary file (default: main)")
    parser.add_argument("--terms", type=int, default=0, help="list the N terms reaching most articles")
    parser.add_argument("--missing", metavar="STATUTE", help="list the articles of the statutes whose file name holds "
                        "this text that the tree's glossary does not pinpoint")
    parser.add_argument("--sources", action="store_true",
                        help="list the tree's rows whose cited article does not print the term")
    args = parser.parse_args(argv)
    corpus = statutes(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        base_terms = baseline_glossary(args.baseline, Path(tmp))
    tree_terms = load_glossary()
    before, after = coverage(base_terms, corpus), coverage(tree_terms, corpus)
    checks = [[cited_articles(t, corpus) for t in terms] for terms in (base_terms, tree_terms)]
    print("rows whose cited article prints the term: " + ", ".join(
        f"{label} {c.count(True)} of {c.count(True) + c.count(False)} (no corpus article cited: {c.count(None)})"
        for label, c in zip(("baseline", "tree"), checks, strict=True)))
    total = sum(len(s.articles) for s in corpus)
    generic = [sum(n >= GENERIC_SHARE * total for n in c.reach.values()) for c in (before, after)]
    print(f"glossary terms (distinct Chinese): baseline {before.terms}, tree {after.terms}; generic = printed in "
          f">= {GENERIC_SHARE:.0%} of {total} articles (baseline {generic[0]}, tree {generic[1]} terms); terms no "
          f"article prints: baseline {before.terms - len(before.reach)}, tree {after.terms - len(after.reach)}")
    print(f"{'arts':>5}  {'reached %':>13}  {'generic only %':>13}  {'specific %':>13}  {'pinpointed %':>13}  statute")
    print(f"{'':>5}  {'base → tree':>13}  {'base → tree':>13}  {'base → tree':>13}  {'base → tree':>13}")
    sums = [0] * 9
    for s in corpus:
        n, hit0, gen0, pin0 = before.per_statute[s.name]
        _, hit1, gen1, pin1 = after.per_statute[s.name]
        for i, v in enumerate((n, hit0, hit1, gen0, gen1, hit0 - gen0, hit1 - gen1, pin0, pin1)):
            sums[i] += v
        print(_row(s.name, n, hit0, hit1, gen0, gen1, hit0 - gen0, hit1 - gen1, pin0, pin1))
    print(_row("all", *sums))
    if args.sources:
        print("\nrows whose cited article does not print the term:")
        for term, ok in zip(tree_terms, checks[1], strict=True):
            if ok is False:
                print(f"  {term.chinese}  ← {term.english[0]}  ({term.source[:100]})")
    if args.missing:
        for s in corpus:
            if args.missing in s.name:
                print(f"\n{s.name}: not pinpointed")
                for i in after.unpinpointed[s.name]:
                    print(f"  {s.articles[i][:110]}")
    if args.terms:
        print(f"\nterms reaching most articles (tree glossary, of {total}):")
        for chinese, count in sorted(after.reach.items(), key=lambda kv: -kv[1])[: args.terms]:
            print(f"  {count:5}  {chinese}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
