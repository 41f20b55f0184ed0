"""The search modes, in a module of their own so that the CLI can offer them without importing Haystack."""

from __future__ import annotations

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
