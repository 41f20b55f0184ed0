"""Metrics on hand-built rankings with known answers, and real dev cases on the shared sample store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.search.evaluation import EvalCase, evaluate, parse_case, read_cases, score_ranking, searcher, variant_by_mode

CASE = EvalCase("q", "query", "citation", {"A": frozenset({"5", "6"}), "B": None})
SAMPLE_QIDS = ("cit-001-100038-p144", "cit-001-87458-p133", "cit-HEJUD-37201-06-p126", "cit-HEJUD-37201-06-p133")


def test_first_hit_on_the_pinpoint_scores_full_marks_for_rank_one() -> None:
    m = score_ranking(CASE, [("A", "5"), ("X", "1"), ("B", None)])
    assert m["doc_hit@1"] == m["para_hit@1"] == m["mrr@10"] == 1.0
    ideal = 2 + 2 / 1.58496 + 1 / 2.0
    assert m["ndcg@10"] == pytest.approx((2 + 1 / 2.0) / ideal, rel=1e-3)


def test_document_hit_without_pinpoint_and_late_ranks() -> None:
    m = score_ranking(CASE, [("X", "1"), ("X", "2"), ("A", "9")] + [("Y", str(i)) for i in range(10)])
    assert (m["doc_hit@1"], m["doc_hit@10"], m["para_hit@10"], m["mrr@10"]) == (0.0, 1.0, 0.0, pytest.approx(1 / 3))
    assert score_ranking(CASE, [("Y", str(i)) for i in range(10)] + [("A", "5")])["doc_hit@10"] == 0.0


def test_summary_case_has_no_paragraph_metrics() -> None:
    case = EvalCase("s", "q", "summary", {"A": None})
    assert score_ranking(case, [("A", "3")])["para_hit@10"] is None


def test_bad_case_line_names_the_missing_field(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="relevant"):
        parse_case({"qid": "x", "query": "q"})
    path = tmp_path / "cases.jsonl"
    path.write_text("{not json\n")
    with pytest.raises(ValueError, match="cases.jsonl:1"):
        read_cases(path)


@pytest.fixture(scope="module")
def dev_cases(corpus_root: Path) -> list[EvalCase]:
    path = corpus_root.parent / "eval" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"no dev set at {path}")
    lines = [json.loads(line) for line in path.open(encoding="utf-8")]
    return [parse_case(c) for c in lines if c["qid"] in SAMPLE_QIDS]


@pytest.mark.parametrize("mode", ["bm25", "ranked"])
def test_real_dev_cases_on_the_sample_store(sample_kb, dev_cases, mode: str) -> None:
    """Saadi and Mamatkulov cases are answered from the sample store; the citing judgment is never ranked."""
    result = evaluate(dev_cases, searcher(sample_kb, variant_by_mode(mode)), mode)
    assert result.overall["n"] == len(SAMPLE_QIDS)
    assert result.overall["doc_hit@10"] >= 0.75
    assert result.overall["para_hit@10"] is not None and result.overall["para_hit@10"] >= 0.25
    assert result.overall["p50_ms"] > 0
    assert set(result.by_kind) == {"citation"}
