"""Dates as the Court and lawyers write them (`28 February 2008`): the month names, read and printed in one place.

Why a module: the citation grammar reads a judgment's date, the citation style prints one, a lawyer's upload says
when it was signed and the quotation chooser tells a fact by its date; each held its own list of months.
"""

from __future__ import annotations

import re
from datetime import date as Date

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
MONTH = "|".join(MONTHS)
"""The month names as one alternation, for patterns that read a date inside a longer form."""
DATE = re.compile(rf"\b(\d{{1,2}})\s+({MONTH})\s+(\d{{4}})\b")
_MONTH_NUMBERS = {m.lower(): i for i, m in enumerate(MONTHS, 1)}


def month_number(name: str) -> int | None:
    """`february`, `February` → 2; None for a word that is no month."""
    return _MONTH_NUMBERS.get(name.lower())


def find_date(text: str) -> str | None:
    """The first date written as the Court writes it (`28 February 2008`), as ISO `2008-02-28`."""
    match = DATE.search(text)
    if not match:
        return None
    day, month, year = match.groups()
    if not 1 <= int(day) <= 31:
        return None
    return f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"


def long_date(iso: str | None) -> str | None:
    """`2008-02-28` → `28 February 2008`, the form the Court prints."""
    if not iso:
        return None
    try:
        d = Date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
