"""A search request as every surface builds it: its mode, its filters and the checks on both, importing no Haystack.

Why a module of its own, below everything: the CLI, the MCP server and the app each turned their own arguments
into `SearchFilters` and checked them, and to do so reached past the facade into `kb.search` and `kb.store`
(importing the facade costs the Haystack stack, ~10 s on a cold start here). Built and checked here, a bad filter is
refused in well under a second by `kb search`, and the three surfaces name the same arguments the same way
(`FILTER_ARGUMENTS`). The store and the search pipeline take the same records (`kb.store.base`, `kb.search`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from legal.errors import FilterError


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
class SearchFilters:
    """What a lawyer can narrow a search to. Empty tuples and `None` mean "no restriction"."""

    doc_types: tuple[str, ...] = ()
    courts: tuple[str, ...] = ()
    respondent_states: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    source_kinds: tuple[str, ...] = ()
    source_names: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    max_importance: int | None = None
    grand_chamber: bool | None = None
    doc_ids: tuple[str, ...] = ()
    paragraphs: tuple[str, ...] = ()
    exclude_doc_ids: tuple[str, ...] = field(default=())
    unknown: tuple[str, ...] = ()
    """Payload fields that must be absent or empty: the documents a filter on that field would leave out because their
    metadata does not say (`KnowledgeBase.left_out` counts them, so a filter never drops them silently)."""

    def is_empty(self) -> bool:
        return self == SearchFilters()

    def __deepcopy__(self, memo: dict) -> SearchFilters:
        """Itself: frozen, of strings and tuples. Haystack deep-copies every input of every component, and a search
        hands its filters to about ten."""
        return self

    def keyword_matches(self) -> list[tuple[str, list[str]]]:
        """(payload key, accepted values) for every keyword restriction: each an OR inside, all ANDed.
        Both backends build their filters from this one list, so they cannot drift apart."""
        pairs = [
            ("doc_type", self.doc_types), ("court", self.courts), ("respondent_state", self.respondent_states),
            ("articles", self.articles), ("language", self.languages), ("source_kind", self.source_kinds),
            ("source_name", self.source_names), ("section", self.sections), ("role", self.roles),
            ("doc_id", self.doc_ids),
            ("paragraph", self.paragraphs),
        ]
        if self.grand_chamber is not None:
            pairs.append(("formation", ("grand_chamber" if self.grand_chamber else "chamber",)))
        return [(key, list(values)) for key, values in pairs if values]


FILTER_ARGUMENTS: dict[str, tuple[str, str]] = {
    "doc_type": ("doc_types", "doc_type"),
    "court": ("courts", "court"),
    "state": ("respondent_states", "respondent_state"),
    "article": ("articles", "articles"),
    "language": ("languages", "language"),
    "kind": ("source_kinds", "source_kind"),
    "section": ("sections", "section"),
    "role": ("roles", "role"),
}
"""The filters a lawyer chooses among stored values, by the argument name every surface gives them (`kb search
--kind`, the MCP search's `kind`, the app's "Source kind"): argument → (`SearchFilters` field, payload key whose
stored values are the choices)."""


def filter_values(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """A filter argument as a person sends it: nothing, one value or several."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def search_filters(*, date_from: str | None = None, date_to: str | None = None, importance: int | None = None,
                   grand_chamber: bool | None = None,
                   **chosen: str | list[str] | tuple[str, ...] | None) -> SearchFilters:
    """The filters of a search from its arguments (`FILTER_ARGUMENTS` names the multi-valued ones); `grand_chamber`
    None is no restriction, False chamber judgments only."""
    unknown = sorted(set(chosen) - set(FILTER_ARGUMENTS))
    if unknown:
        raise FilterError(f"no search filter {unknown[0]!r}; the filters are {', '.join(FILTER_ARGUMENTS)}, "
                          "date_from, date_to, importance and grand_chamber")
    return SearchFilters(**{FILTER_ARGUMENTS[name][0]: filter_values(value) for name, value in chosen.items()},
                         date_from=date_from, date_to=date_to, max_importance=importance, grand_chamber=grand_chamber)


MAX_RESULTS = 200
"""The most passages one search returns: a lawyer reads tens, and `-k 1000000` must not dump the whole store."""
ARTICLE = re.compile(r"(?:[Pp]\d{1,2}-)?\d{1,3}(?:-\d{1,3})*(?:-[a-z])?")
"""A Convention article as HUDOC writes it: `3`, `5-1`, `6-3-c`, `P1-1`; `14+8` combines two."""


def validate_limit(limit: object) -> int:
    """The number of results asked for, refused outside 1..MAX_RESULTS rather than silently clamped or ignored."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_RESULTS:
        raise FilterError(f"limit {limit!r} is out of range; ask for 1 to {MAX_RESULTS} passages")
    return limit


def validate_filters(filters: SearchFilters) -> None:
    """A bad article, date, date range or importance refused in one line naming it."""
    for article in filters.articles:
        if not all(ARTICLE.fullmatch(part) for part in str(article).split("+")):
            raise FilterError(f"article {article!r} is not a Convention article; use e.g. 3, 5-1, 6-3-c or P1-1")

    for name in ("date_from", "date_to"):
        value = getattr(filters, name)
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise FilterError(f"{name}={value!r} is not a date; use YYYY-MM-DD") from None
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise FilterError(f"date range {filters.date_from} to {filters.date_to} is empty: the start is after the end")
    if filters.max_importance is not None and not 1 <= filters.max_importance <= 4:
        raise FilterError(
            f"importance {filters.max_importance} is out of range; HUDOC importance runs 1 (key case) to 4"
        )


def validate_search(query: str, filters: SearchFilters, limit: object) -> None:
    """The checks every search passes before any work (the store, the model, the pipeline); an empty query is no
    search and has nothing to refuse."""
    if (query or "").strip():
        validate_filters(filters)
        validate_limit(limit)
