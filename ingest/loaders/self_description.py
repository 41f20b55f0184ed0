"""Who wrote a lawyer's own document, what it is called and when, as the document says in its first lines.

An expert report saved on a chambers workstation carries the workstation as its author property and a template's
title; its first lines say "Prepared by Dr Helen Marsh … Dated 2 December 2026". A court cites a document by what
it says about itself, so the loaders of uploaded files (`docx`, `markdown`, `text`, `pdf`) read the first lines
first, then the file's properties, then its name (`describe`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from legal.dates import month_number

UPLOAD = "upload"
"""The source kind of the lawyer's own files (an upload, `kb ingest FILE`): only these describe themselves; a corpus
source keeps the metadata its loader and manifest give it."""
FIRST_LINES = 8
"""How far into a document its self-description is looked for: a title, an author line and a date line."""
_AUTHOR = re.compile(r"^(?:prepared|written|compiled|drafted|submitted|signed)\s+by\s+(?P<name>[^,;.(]+(?:\.[^,;.(]+)*)"
                     r"|^(?:author|by|expert)\s*[:：]\s*(?P<name2>[^,;(]+)|^by\s+(?P<name3>[A-Z][^,;(]+)", re.I)
_DATE_LINE = re.compile(r"^(?:dated|date|signed on|made on)\b\s*[:：]?\s*(?P<date>.+)$", re.I)
_DAY_MONTH_YEAR = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m>[A-Za-z]+)\s+(?P<y>\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"\b(?P<m>[A-Za-z]+)\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b")
_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_CHINESE_DATE = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")


@dataclass(frozen=True)
class Description:
    author: str
    title: str
    date: str | None
    """ISO date, or None when the first lines give none."""


def parse_date(text: str) -> str | None:
    """`2 December 2026`, `December 2, 2026`, `2026-12-02` or `2026年12月2日` as an ISO date; None otherwise."""
    for pattern in (_ISO, _CHINESE_DATE, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        m = pattern.search(text)
        if not m:
            continue
        month = m["m"]
        number = int(month) if month.isdigit() else month_number(month)
        try:
            return date(int(m["y"]), number or 0, int(m["d"])).isoformat()
        except ValueError:
            continue
    return None


def describe(lines: list[str], author: str = "", title: str = "", fallback_title: str = "") -> Description:
    """The author, title and date the first lines give; `author` and `title` (the file's properties) and then
    `fallback_title` (the file name) where they give none."""
    first = [" ".join(line.split()) for line in lines if line and line.strip()][:FIRST_LINES]
    said_author = said_date = ""
    said_title = ""
    for number, line in enumerate(first):
        m = _AUTHOR.search(line)
        if m and not said_author:
            said_author = (m["name"] or m["name2"] or m["name3"] or "").strip(" ,")
            said_date = said_date or (parse_date(line) or "")
            continue
        d = _DATE_LINE.match(line)
        if d and not said_date:
            said_date = parse_date(d["date"]) or ""
            continue
        if number == 0 and len(line) <= 160 and not line.endswith((".", "。")) and not said_title:
            said_title = line
    return Description(author=said_author or author.strip(), title=said_title or title.strip() or fallback_title,
                       date=said_date or None)
