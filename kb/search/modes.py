"""The search modes, in a module of their own so that the CLI can offer them without importing Haystack."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SearchMode(Enum):
    """How a search finds its passages.

    * `ranked` (the default): BM25 candidates re-ranked by the Court's citations and authority (`kb.search.ranking`);
      a list left short because the query's words are (nearly) absent is filled from `hybrid`. On the whole ECtHR
      corpus MiniLM added nothing to the re-ranked candidates (citation doc_hit@10 0.695 with dense at 0.5/1, 0.718
      at 0.2/1, 0.720 without it) and cost ~40 ms a query, so ranked candidates are BM25 alone.
    * `hybrid`: MiniLM dense and BM25, fused by weighted reciprocal rank inside Qdrant;
    * `dense`: MiniLM alone; `bm25`: BM25 alone.
    """

    RANKED = "ranked"
    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"

    def __str__(self) -> str:
        return self.value

    @staticmethod
    def from_str(value: str | SearchMode) -> SearchMode:
        """The mode named `value`; a ValueError naming the valid modes otherwise."""
        if isinstance(value, SearchMode):
            return value
        try:
            return SearchMode(value)
        except ValueError:
            raise ValueError(f"unknown search mode {value!r}; valid modes: "
                             f"{', '.join(m.value for m in SearchMode)}") from None


SEARCH_MODES: tuple[str, ...] = tuple(m.value for m in SearchMode)
"""The mode names, default first (for `--mode` choices and the app's selector)."""


@dataclass(frozen=True)
class SearchParts:
    """The parts of a search beyond its mode's retriever (and ranker); switched, one at a time or all, they are the
    comparisons `kb eval --compare` prints (`kb.search.evaluation.before_variants`)."""

    crosslingual: bool = True
    """The Chinese documents an English question's glossary terms find (`kb.search.crosslingual`)."""
    source_cues: bool = True
    """Candidates of the sources a question names (`kb.search.source_cues`)."""
    source_aware: bool = True
    """Other sources get the ECtHR median of the authority features they cannot have (`LegalRanker.scores`)."""
    leading_judgments: bool = False
    """For a lawyer's query, the Court's paragraphs inside the first candidates' judgments (`kb.search.principles`),
    and four paragraphs of the first judgment before the others get their turn (`LEADING_PER_DOCUMENT`). Off: with
    the question weights of issue 22 it did not survive leave-one-out on the 113 dev questions (chosen off for 111;
    expert questions doc_hit@10 0.630 either way, para_hit@10 0.364 either way, lawyer questions doc_hit@10 0.975 →
    1.000 without it, `bench/eval_dev.py`)."""
    standard_slot: bool = False
    """For a Convention question, the best UN treaty-body paragraph in tenth place (`kb.search.source_cues`). Off: it
    did not survive leave-one-out (expert questions doc_hit@10 0.603 → 0.630, para_hit@10 0.318 → 0.364 without
    it; the UN questions 0.833 with and without)."""


ALL_PARTS = SearchParts()
NO_PARTS = SearchParts(crosslingual=False, source_cues=False, source_aware=False, leading_judgments=False,
                       standard_slot=False)
"""Every part off: the mode's retriever (and ranker) alone, as the search was before the parts were added; the
baseline of `kb eval --compare` and the hybrid fill of a short ranked list."""
