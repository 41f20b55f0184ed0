"""A pasted passage's candidates scored by a tree ensemble (LambdaMART) instead of one linear score.

Why: a pasted passage (a brief's paragraph, a judgment's reasoning) restates a principle, and the ranked pool holds
the paragraph it restates for ~0.78 of `dev.jsonl`'s citation cases while the linear passage weights put it in the
first ten for ~0.69. What separates it is relative: its shared phrases against its own judgment's best paragraph, a
fetched paragraph's votes when its judgment was also retrieved, its judgment's standing among the pool's judgments.
One linear score cannot express "the best of a strong judgment"; trees over the ranker's features and a few features
of the pool (`POOL_FEATURES`) can. The model was fitted by LightGBM's LambdaMART on `dev.jsonl` only
(`bench/passage_ltr.py fit`; its docstring and `MODEL_FILE`'s `fitted` record say on what and with what
cross-validated figures) and is stored as plain JSON arrays of its trees, evaluated here with numpy: loading it runs
no code (no pickle) and serving needs no LightGBM. Measured (session 15, all 3,761 `dev.jsonl` pools of the whole
store with the leave-out graph, 5-fold CV grouped by citing judgment, settings chosen by an inner CV): citation
doc_hit@1 / doc_hit@10 / para_hit@10, summary doc_hit@1 0.399 / 0.762 / 0.693 / 0.990 with the linear weights,
0.449 / 0.778 / 0.710 / 0.990 with the trees (136 cases up, 60 down); the same trees over the ranker's features
alone 0.426 / 0.763 / 0.693 / 0.970. A passage costs ~4 ms more CPU (`docs/architecture.md`, ranked mode).
Checked where it was not fitted (same session, through the pipeline, linear weights against the trees): on a graph
half as dense as the one it was fitted on (a further random half of the citing judgments left out, `kb citations
build --leave-out`; the store a user builds holds ~3 times the leave-out graph's citations, so the counts it reads
differ from the fit's in any case) the seed-1 sample's 300 citation cases went 0.370 / 0.710 / 0.663 → 0.417 /
0.740 / 0.687 (summary doc_hit@1 1.000 both): the gain holds when the citation counts shift. On English judges'
wording (`bench/uk_citations.py`, 48 pinpointed Strasbourg citations in the corpus's UK judgments, never fitted
on) doc_hit@1 / doc_hit@10 / para_hit@10 0.312 / 0.625 / 0.458 → 0.333 / 0.625 / 0.479. On the test suite's
sample store of eight judgments, whose pools are unlike the whole store's, it changes the first hit of few
passages and not always for the better (`tests/test_passage_model.py`).

Refit it whenever the ranker's features, the pool features or `PASSAGE_WEIGHTS` change (the linear score is one
of its inputs): dump every `dev.jsonl` pool with the shipped pipeline (`bench/passage_meaning.py dump --citation 0
--summary 0 --check 0`, on the whole store with the citation graph built `--leave-out` the held-out citing
documents), measure (`bench/passage_ltr.py eval`) and write this file (`bench/passage_ltr.py fit`).

Scope: a passage whose reading names no other source (`QueryReading.named_kinds` empty): there the linear score is
the plain Σ weight × feature the model replaces (a named source's candidates get the Court's median authority in
`LegalRanker.scores`, which a tree's score cannot be split into). A lawyer's question keeps the question weights.
The ranker's features the model does not read (the hand-set `named_case`, `footnote`, …) keep their linear weights
on top of the trees' score, so a case the passage names still comes first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from haystack import Document

from legal.text import named_articles

MODEL_FILE = Path(__file__).with_name("passage_model.json")
"""The shipped model: `inputs` (the column names it reads), `trees` (per tree: split feature, threshold, left and
right child — a leaf as ~index — and leaf values) and `fitted` (how and on what it was fitted)."""
POOL_FEATURES = ("bm25_share", "fetched", "doc_candidates", "doc_retrieved", "doc_best_retrieval",
                 "doc_best_phrases", "phrases_gap", "phrases_rank", "doc_best_cited_para", "cited_para_gap",
                 "doc_best_voter", "doc_order", "year_gap", "importance", "law_section", "principles_heading",
                 "query_words", "pool_best_phrases", "linear", "linear_rank", "doc_linear_rank", "doc_linear_order",
                 "doc_phrases_order", "doc_voted", "neighbours", "neighbour_best_retrieval", "articles_match")
"""Per-candidate signals of what the pool shows, after the ranker's own features (`pool_features`)."""
RULES = ("low_authority_type",)
"""Ranker features kept out of the trees beside the hand-set ones (`named_case`, `footnote`, …, which `dev.jsonl`
cannot fit): their linear weight is added to the trees' score, and the trees are fitted on top of it. An information
note or a communicated case is a finding aid, not the Court's reasoning, and follows the judgment whatever else a
tree makes of a small pool."""
MONOTONE = {"retrieval": 1, "shared_phrases": 1, "bm25_share": 1, "linear": 1, "linear_rank": 1, "doc_order": -1,
            "doc_linear_order": -1, "doc_phrases_order": -1}
"""Inputs whose effect the fit must keep one-signed (LightGBM's `monotone_constraints`): of two candidates differing
only in these, the better-retrieved one, with more of the passage's phrases, is never put second (a tree unconstrained
is free to, in a region of the inputs the dev pools hardly visit)."""
NEIGHBOURHOOD = 2
"""Paragraphs either side that count as a candidate's neighbours: the Court states a principle in a run of
consecutive paragraphs."""


def reciprocal_places(values: np.ndarray) -> np.ndarray:
    """1/(4 + place) of each value in descending order (place 0 the largest; ties in candidate order)."""
    out = np.empty(len(values))
    out[np.argsort(-values, kind="stable")] = 1.0 / (4 + np.arange(len(values)))
    return out


def pool_features(columns: dict[str, np.ndarray], docs: list[Document], text: str, linear: np.ndarray,
                  bm25: np.ndarray) -> np.ndarray:
    """One row per candidate, `POOL_FEATURES` order. `columns`: the ranker's features by name (one value per
    candidate); `linear`: the passage weights' score; `bm25`: the BM25 score of a retrieved candidate, 0 for a
    fetched one. The values do not depend on the order the candidates come in (places are counted over the
    candidates ordered by linear score, then document, paragraph and chunk id), so a dumped pool, in any order, gets
    the pipeline's values."""
    n = len(docs)
    if not n:
        return np.zeros((0, len(POOL_FEATURES)))
    order = sorted(range(n), key=lambda i: (-linear[i], docs[i].meta.get("doc_id", ""),
                                            docs[i].meta.get("para_index") or 0, docs[i].id))
    out = np.empty((n, len(POOL_FEATURES)))
    out[order] = _pool_features({k: v[order] for k, v in columns.items()}, [docs[i] for i in order], text,
                                linear[order], bm25[order])
    return out


def _pool_features(columns: dict[str, np.ndarray], docs: list[Document], text: str, linear: np.ndarray,
                   bm25: np.ndarray) -> np.ndarray:
    """The per-document values are numpy over each candidate's document number (`group`), not a Python loop per
    document or per candidate: the same values (maxima, counts and places are exact), ~1 ms a passage instead of ~4
    (`bench/ranked_latency.py`)."""
    n = len(docs)
    meta = [d.meta for d in docs]
    doc_ids = [m.get("doc_id", "") for m in meta]
    by_doc: dict[str, list[int]] = {}
    for i, d in enumerate(doc_ids):
        by_doc.setdefault(d, []).append(i)
    group = np.empty(n, dtype=np.intp)  # each candidate's document, numbered in the order the documents first come
    for g, rows in enumerate(by_doc.values()):
        group[rows] = g
    documents = len(by_doc)
    retrieval, phrases = columns["retrieval"], columns["shared_phrases"]
    cited_para, best_voter = columns["cited_para"], columns["best_voter"]

    def doc_max(values: np.ndarray) -> np.ndarray:
        best = np.full(documents, -np.inf)
        np.maximum.at(best, group, values)
        return best[group]

    def doc_nonzero(values: np.ndarray) -> np.ndarray:
        """How many of the candidate's document's candidates have a value."""
        return np.bincount(group, weights=values != 0, minlength=documents)[group]

    def doc_place(values: np.ndarray) -> np.ndarray:
        """The candidate's place among its document's candidates by `values` (0: the document's best; ties in
        candidate order, the sort being stable)."""
        order = np.lexsort((-values, group))
        first = np.searchsorted(group[order], np.arange(documents))
        out = np.empty(n)
        out[order] = np.arange(n) - first[group[order]]
        return out

    best_linear = doc_max(linear)
    doc_rank = np.empty(n)
    for place, d in enumerate(sorted(by_doc, key=lambda d: -best_linear[by_doc[d][0]])):
        doc_rank[by_doc[d]] = 1.0 / (4 + place)
    index = np.array([float(m["para_index"]) if m.get("para_index") is not None else np.nan for m in meta])
    near = (group[:, None] == group[None, :]) & (np.abs(index[:, None] - index[None, :]) <= NEIGHBOURHOOD)
    np.fill_diagonal(near, False)
    neighbours = near.sum(axis=1).astype(float)
    best_neighbour = np.where(neighbours > 0, np.where(near, retrieval[None, :], -np.inf).max(axis=1), 0.0)
    years = np.array([float(m.get("year") or 0) for m in meta])
    articles = named_articles(text)
    best_bm25 = bm25.max() if bm25.max() > 0 else 1.0
    count = np.bincount(group, minlength=documents)[group].astype(float)
    best_phrases, best_cited_para = doc_max(phrases), doc_max(cited_para)
    return np.column_stack([
        bm25 / best_bm25,
        (retrieval == 0).astype(float),
        np.log(count),
        doc_nonzero(retrieval),
        doc_max(retrieval),
        best_phrases,
        best_phrases - phrases,
        np.where(phrases > 0, reciprocal_places(phrases), 0.0),
        best_cited_para,
        best_cited_para - cited_para,
        doc_max(best_voter),
        doc_place(retrieval),
        np.where(years > 0, years.max() - years, -1.0),
        np.array([float(m.get("importance") or 0) for m in meta]),
        np.array([float(m.get("section") == "THE LAW") for m in meta]),
        np.array([float("principles" in (m.get("heading") or "").lower()) for m in meta]),
        np.full(n, np.log1p(len((text or "").split()))),
        np.full(n, phrases.max()),
        linear,
        reciprocal_places(linear),
        doc_rank,
        doc_place(linear),
        doc_place(phrases),
        doc_nonzero(best_voter),
        neighbours,
        best_neighbour,
        np.array([float(bool(articles & set(m.get("articles") or []))) if articles else -1.0 for m in meta]),
    ])


@dataclass(frozen=True)
class Trees:
    """A sum of regression trees as flat arrays, one row per tree (padded): evaluated for every candidate and every
    tree at once, one step down per loop, as LightGBM's numerical `<=` splits decide."""

    root: np.ndarray
    """Each tree's first node: 0 its first split, -1 (~0) its only leaf."""
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    """Child of each split: ≥ 0 another split, < 0 the leaf ~child."""
    leaf: np.ndarray

    @classmethod
    def of(cls, trees: list[dict]) -> Trees:
        splits = max(1, max(len(t["feature"]) for t in trees))
        leaves = max(len(t["leaf"]) for t in trees)
        shape = (len(trees), splits)
        feature, threshold = np.zeros(shape, dtype=np.intp), np.zeros(shape)
        left, right = np.full(shape, -1, dtype=np.intp), np.full(shape, -1, dtype=np.intp)
        leaf = np.zeros((len(trees), leaves))
        for t, tree in enumerate(trees):
            k = len(tree["feature"])
            feature[t, :k], threshold[t, :k] = tree["feature"], tree["threshold"]
            left[t, :k], right[t, :k] = tree["left"], tree["right"]
            leaf[t, :len(tree["leaf"])] = tree["leaf"]
        root = np.array([0 if tree["feature"] else -1 for tree in trees], dtype=np.intp)
        return cls(root, feature, threshold, left, right, leaf)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Σ over trees of the leaf each row of X reaches. Each step goes down one level for the (tree, row) pairs
        still at a split, and a pair at its leaf leaves the loop: the same leaves as stepping every pair until the
        deepest tree ends, in half the time (~1 ms a passage)."""
        n, trees = len(X), len(self.leaf)
        splits, width = self.feature.shape[1], X.shape[1]
        node = np.repeat(self.root[:, None], n, axis=1).ravel()  # per (tree, row): its split, or ~leaf once there
        at = np.flatnonzero(node >= 0)
        tree, row, step = at // n, at % n, node[at]
        feature, threshold = self.feature.ravel(), self.threshold.ravel()
        left, right = self.left.ravel(), self.right.ravel()
        values = np.ascontiguousarray(X).ravel()
        while at.size:
            k = tree * splits + step
            step = np.where(values[row * width + feature[k]] <= threshold[k], left[k], right[k])
            leaf = step < 0
            if leaf.any():
                node[at[leaf]] = step[leaf]
                split = ~leaf
                at, tree, row, step = at[split], tree[split], row[split], step[split]
        return self.leaf[np.arange(trees)[:, None], ~node.reshape(trees, n)].sum(axis=0)


def from_lightgbm(dump: dict, inputs: list[str], fitted: dict) -> dict:
    """A LightGBM model's `dump_model()` as this module's JSON (`MODEL_FILE`): its trees as flat arrays (split
    feature, threshold, children with a leaf as ~index, leaf values). Only numerical `<=` splits, what LightGBM makes
    of float features; any other split is refused (ValueError), since `Trees.predict` would misread it."""
    trees = []
    for info in dump["tree_info"]:
        root = info["tree_structure"]
        if "split_index" not in root:
            trees.append({"feature": [], "threshold": [], "left": [], "right": [], "leaf": [root["leaf_value"]]})
            continue
        splits = info["num_leaves"] - 1
        tree: dict[str, list] = {key: [0] * splits for key in ("feature", "threshold", "left", "right")}
        tree["leaf"] = [0.0] * info["num_leaves"]
        stack = [root]
        while stack:
            node = stack.pop()
            if "leaf_index" in node:
                tree["leaf"][node["leaf_index"]] = node["leaf_value"]
                continue
            if node["decision_type"] != "<=" or node["missing_type"] not in ("None", "NaN"):
                raise ValueError(f"split {node['decision_type']} with missing values as {node['missing_type']}: "
                                 f"only numerical '<=' splits can be evaluated")
            k = node["split_index"]
            tree["feature"][k], tree["threshold"][k] = node["split_feature"], node["threshold"]
            for side in ("left", "right"):
                child = node[f"{side}_child"]
                tree[side][k] = child["split_index"] if "split_index" in child else ~child["leaf_index"]
                stack.append(child)
        trees.append(tree)
    return {"inputs": list(inputs), "trees": trees, "fitted": fitted}


class PassageModel:
    """The fitted ensemble and the columns it reads; loaded from its file on first use, once per process."""

    def __init__(self, path: Path = MODEL_FILE, data: dict | None = None) -> None:
        """`data`: the file's content already in hand (a fit being measured, `bench/passage_ltr.py`)."""
        self.path = path
        self.data = data

    @cached_property
    def _loaded(self) -> tuple[list[str], Trees, dict]:
        try:
            data = self.data if self.data is not None else json.loads(self.path.read_text())
            return list(data["inputs"]), Trees.of(data["trees"]), dict(data.get("fitted") or {})
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ValueError(f"passage model {self.path}: unreadable ({e}); refit it with "
                             f"`bench/passage_ltr.py fit`") from e

    @property
    def inputs(self) -> list[str]:
        """The column names the trees read, in their order."""
        return self._loaded[0]

    @property
    def fitted(self) -> dict:
        """How the model was fitted (data, settings, cross-validated figures), as the fit recorded it."""
        return self._loaded[2]

    def columns(self, available: list[str]) -> list[int]:
        """Where each input sits among `available` (ValueError naming what is missing: the ranker's features changed
        since the fit)."""
        missing = [name for name in self.inputs if name not in available]
        if missing:
            raise ValueError(f"passage model {self.path} reads {missing}, which the ranker no longer computes; refit "
                             f"it with `bench/passage_ltr.py fit`")
        return [available.index(name) for name in self.inputs]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The trees' score of each row of X (columns in `inputs` order)."""
        return self._loaded[1].predict(X) if len(X) else np.zeros(0)
