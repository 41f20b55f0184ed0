"""The legal vocabulary exists once, in `legal/`: no second list of months, member states, PRC statutes, stop words,
grounds, paragraph-number pattern or case-name pattern in product code. Read from the source's syntax tree
(docstrings and comments may name anything), in milliseconds.

Why a test: each of these once had two to five copies that drifted apart (issue 26), and a copy is the easiest thing
to add again: the next loader that reads a date writes its own months.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("kb", "ingest", "ui", "legal")
FUNCTION_WORDS = frozenset("the and that which with for from this were been have has had not are was".split())
MONTH_NAMES = frozenset("January February March April May June July August September October November December".split())
STATE_NAMES = frozenset({"Albania", "Andorra", "Liechtenstein", "Luxembourg", "Monaco", "San Marino", "Iceland"})
PRC_NAMES = frozenset({"Supervision Law", "Counter-Terrorism Law", "Extradition Law", "Criminal Procedure Law"})
GROUND_KEYS = frozenset({"article3", "article6", "article5", "assurances", "death_penalty"})
LEADING_NUMBER = re.compile(r"\^\\s\*(?:\((?:\?:)?)?\\d\{1,\d\}")
"""A pattern for a paragraph's printed number at its start: `^\\s*(\\d{1,4})\\.`, `^\\s*(?:\\d{1,4}\\.\\s+|…)`."""
CASE_NAME = re.compile(r"\\s[+*]v(?:\\s\*)?\\\.")
"""A pattern that reads a case name up to its `v.` (`\\s+v\\.\\s+`, `\\s+v\\s*\\.?`): citation grammar, which
`legal/citations.py` holds once, so the graph, the check, the query and the model-prose check read a citation alike.
A display helper that cuts the tool's own stored title at `" v. "` (`kb.drafting.sources.case_name`) reads no
citation and is not one."""
REPORTER = re.compile(r"Series\\s[+*]A")
"""A pattern for the Court's own reporters (`Series\\s+A\\s+no\\.`): `legal.citations.OFFICIAL_REPORTS`, which the
citation graph's importance evidence once read again with its own `REPORTER`."""


class Code:
    """A module's syntax tree, read once: its nodes and the strings it uses (docstrings left out)."""

    def __init__(self, source: str) -> None:
        self.tree = ast.parse(source)
        self.nodes = list(ast.walk(self.tree))
        docs = set()
        for node in self.nodes:
            body = getattr(node, "body", None)
            if not isinstance(body, list) or not body:
                continue
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                docs.add(id(_constant(body[0])))  # a module's, class's or function's docstring
            for before, after in zip(body, body[1:], strict=False):  # an attribute's: a string after an assignment
                if isinstance(before, ast.Assign | ast.AnnAssign):
                    docs.add(id(_constant(after)))
        self.strings = {id(n): n.value for n in self.nodes
                        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs}

    def lists(self, words: frozenset[str], at_least: int, in_prose: bool = True) -> bool:
        """Whether the code holds a list of these words: one string (`"January|February|March"`, `"the and that …"`)
        or one literal collection (a tuple, set, list or dict, and what it holds) naming `at_least` of them. An example
        in a message (`28 February 2008`) names one. `in_prose` False: a sentence (punctuated) is no list, however many
        of the words it holds (the sentences the model is warmed up with hold a dozen function words)."""
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b",
                             re.I)
        named = {key: {m.lower() for m in pattern.findall(text)} for key, text in self.strings.items()
                 if in_prose or not re.search(r"[.,;:!?]", text)}
        if len(set().union(*named.values())) < at_least:
            return False  # most modules: not even all their strings together name enough
        if any(len(found) >= at_least for found in named.values()):
            return True

        def held(node: ast.AST) -> set[str]:
            found = set(named.get(id(node), ()))
            for child in ast.iter_child_nodes(node):
                found |= held(child)
            if isinstance(node, ast.Set | ast.List | ast.Tuple | ast.Dict) and len(found) >= at_least:
                raise _Found
            return found

        try:
            held(self.tree)
        except _Found:
            return True
        return False


class _Found(Exception):
    pass


def _constant(statement: ast.stmt) -> ast.AST | None:
    return statement.value if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) else None


def _ground_table(node: ast.AST) -> bool:
    """Knowledge keyed by ground: a dict keyed by three grounds or more (`{"article3": …, "article6": …,
    "assurances": …}`), or records of them (`Ground(key="article3", …)`, …); a selection of grounds is neither."""
    if isinstance(node, ast.Dict):
        return len(GROUND_KEYS & {k.value for k in node.keys if isinstance(k, ast.Constant)}) >= 3
    if isinstance(node, ast.Tuple | ast.List):
        keys = {k.value.value for k in ast.walk(node) if isinstance(k, ast.keyword) and k.arg == "key"
                and isinstance(k.value, ast.Constant)}
        return len(GROUND_KEYS & keys) >= 3
    return False


CHECKS: dict[str, tuple[str, Callable[[Code], bool]]] = {
    "months": ("legal/dates.py", lambda code: code.lists(MONTH_NAMES, 3)),
    "member states": ("legal/states.py", lambda code: code.lists(STATE_NAMES, 3)),
    "PRC statutes": ("legal/prc.py", lambda code: code.lists(PRC_NAMES, 3)),
    "paragraph number": ("legal/text.py", lambda code: any(LEADING_NUMBER.match(s) for s in code.strings.values())),
    "stop words": ("legal/text.py", lambda code: code.lists(FUNCTION_WORDS, 12, in_prose=False)),
    "grounds": ("legal/grounds.py", lambda code: any(_ground_table(n) for n in code.nodes)),
    "case names": ("legal/citations.py", lambda code: any(CASE_NAME.search(s) for s in code.strings.values())),
    "official reporters": ("legal/citations.py", lambda code: any(REPORTER.search(s) for s in code.strings.values())),
}
"""Each vocabulary item: the one module that holds it, and how a copy of it is recognised."""
NOT_YET: dict[tuple[str, str], str] = {}
"""Copies known to remain, each with the change that removes it; an entry that no longer matches fails, so this only
shrinks."""


def _holders() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {item: set() for item in CHECKS}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            code = Code(path.read_text(encoding="utf-8"))
            for item, (_, holds) in CHECKS.items():
                if holds(code):
                    found[item].add(path.relative_to(ROOT).as_posix())
    return found


def test_each_vocabulary_item_is_held_by_one_module_of_legal() -> None:
    found = _holders()
    for item, (home, _) in CHECKS.items():
        copies = found[item] - {home} - {path for (i, path) in NOT_YET if i == item}
        assert home in found[item], f"{item}: {home} no longer holds it; update CHECKS"
        assert not copies, f"a second copy of the {item} in {sorted(copies)}: use {home} instead"
    stale = [key for key in NOT_YET if key[1] not in found[key[0]]]
    assert not stale, f"no copy left at {stale}: remove it from NOT_YET"


def test_the_checks_recognise_a_copy() -> None:
    """Each recogniser on a copy written the way the old ones were: the test above cannot pass by seeing nothing."""
    copies = {
        "months": 'MONTHS = ["January", "February", "March"]',
        "member states": 'RESPONDENTS = {"ALB": "Albania", "AND": "Andorra", "LIE": "Liechtenstein"}',
        "PRC statutes": 'NAMES = ("Supervision Law", "Extradition Law", "Criminal Procedure Law")',
        "paragraph number": 'import re\nNUMBER = re.compile(r"^\\s*(\\d{1,4})\\.\\s+")',
        "stop words": '_STOP = frozenset("the and that which with for from this were been have has had not are "\n'
                      '"was".split())',
        "grounds": 'SIGNS = {"article3": "torture", "article6": "fair trial", "assurances": "assurances?"}',
        "case names": 'import re\nNAME = re.compile(r"\\b([A-Z][\\w\'.-]+(?:\\s+and\\s+Others)?)\\s+v\\.\\s+"\n'
                      'r"(?:the\\s+)?[A-Z]")',
        "official reporters": 'import re\nREPORTER = re.compile(r"\\bECHR\\s+\\d{4}|\\bSeries\\s+A\\s+no\\.\\s*\\d+")',
    }
    for item, source in copies.items():
        assert CHECKS[item][1](Code(source)), item
    assert not CHECKS["months"][1](Code('HELP = "cited as Saadi v. Italy, 28 February 2008"'))  # an example
    assert not CHECKS["months"][1](Code('"""January, February and March."""'))  # a docstring may name anything
    assert not CHECKS["case names"][1](Code('short = name.split(" v. ")[0]'))  # a display cut of a stored title
