"""The arguments of a search checked before any work: a bad one is refused in one line naming it, without the store,
the model or the Haystack stack (`kb search` checks them before it imports the rest)."""

from __future__ import annotations

import re
from datetime import date

from kb.store.base import SearchFilters
from legal.errors import FilterError

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
