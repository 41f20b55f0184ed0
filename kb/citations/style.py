"""Pinpoint citations in each source's own style, built from a stored chunk's payload.

ECtHR: `Saadi v. Italy [GC], no. 37201/06, § 125, 28 February 2008` (the Court's style, HUDOC link).
UN treaty bodies: `Committee against Torture, General Comment No. 4 (2017) …, CAT/C/GC/4, para. 12`.
UK: `Name [2017] EWHC 1912 (Admin), [45]`. PRC statutes: `中华人民共和国监察法 (2018-03-20), 第二十二条`.
Reports: `OHCHR, Assessment …, 31 August 2022, p. 12, para. 45`.
"""

from __future__ import annotations

import re
from datetime import date as Date
from pathlib import Path

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def long_date(iso: str | None) -> str | None:
    """`2008-02-28` → `28 February 2008`, the form the Court prints."""
    if not iso:
        return None
    try:
        d = Date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _appnos(appno: list[str] | None) -> str | None:
    numbers = [a for a in appno or [] if a]
    if not numbers:
        return None
    if len(numbers) == 1:
        return f"no. {numbers[0]}"
    if len(numbers) > 3:
        return f"nos. {numbers[0]} and {len(numbers) - 1} others"
    return "nos. " + ", ".join(numbers[:-1]) + f" and {numbers[-1]}"


def pinpoint(payload: dict) -> str | None:
    """The paragraph reference alone, in the source's style (`§ 125`, `para. 12`, `[45]`, `第二十二条`)."""
    number = payload.get("paragraph")
    kind = payload.get("source_kind")
    if number is None:
        if payload.get("page"):
            return f"p. {payload['page']}"
        section = payload.get("section")
        if section == "SEPARATE OPINION" and payload.get("heading"):
            return str(payload["heading"])
        if section == "OPERATIVE PART":
            return "operative part"
        return None
    if kind == "echr":
        return f"§ {number}"
    if kind == "national":
        return f"[{number}]"
    if kind == "prc-law":
        return str(number)
    prefix = f"p. {payload['page']}, " if payload.get("page") else ""
    return f"{prefix}para. {number}"


def cite(payload: dict, reporter: str | None = None) -> str:
    """The full citation a lawyer pastes into a brief. `reporter` is the official report the Court cites the judgment
    by (`kb.citations.graph.CitationGraph.reporters`): `Saadi v. Italy [GC], no. 37201/06, § 125, ECHR 2008`, and for
    the older series the date before the pinpoint, `Soering v. the United Kingdom, 7 July 1989, § 91, Series A
    no. 161`, as the Court writes them."""
    kind = payload.get("source_kind")
    title = payload.get("title") or payload.get("doc_id") or "Untitled"
    extra = payload.get("doc_extra") or {}
    pin = pinpoint(payload)
    when = long_date(payload.get("date"))
    if kind == "echr":
        name = title + (" [GC]" if payload.get("grand_chamber") else "")
        doc_type = payload.get("doc_type")
        if doc_type == "DECISION":
            name += " (dec.)"
        parts = [name, _appnos(payload.get("appno"))]
        if doc_type == "INFORMATION_NOTE":
            parts += [when, "Information Note"]
        elif doc_type == "COMMUNICATED_CASE":
            parts += [pin, "communicated case"]
        elif reporter and reporter.startswith("ECHR"):
            parts += [pin, reporter]
        elif reporter:
            parts = [name, when, pin, reporter]
        else:
            parts += [pin, when]
        return ", ".join(p for p in parts if p)
    if kind == "national":
        neutral = extra.get("neutral_citation")
        head = f"{title} {neutral}" if neutral else title
        return ", ".join(p for p in [head, pin, None if neutral else when] if p)
    if kind == "prc-law":
        dated = f"{title} ({payload['date']})" if payload.get("date") else title
        return ", ".join(p for p in [dated, pin] if p)
    if kind == "un":
        symbol = extra.get("symbol")
        return ", ".join(p for p in [payload.get("court"), title, symbol, pin] if p)
    author = payload.get("court")
    return ", ".join(p for p in [author if author and author not in title else None, title, when, pin] if p)


def source_link(payload: dict, corpus: Path | None) -> str | None:
    """HUDOC or the publisher's page when known; the source file otherwise."""
    if payload.get("url"):
        return str(payload["url"])
    source_file = payload.get("source_file")
    if not source_file:
        return None
    path = Path(source_file)
    if not path.is_absolute() and corpus is not None:
        path = corpus / path
    return path.resolve().as_uri() if path.is_absolute() else str(path)


DROPPED_WORDS = "dropped_smart_tagged_words"
"""The corpus defect code of ECtHR texts whose conversion silently removed smart-tagged words (mostly country and
city names): `against the  lodged with the Court`, `a lawyer practising in . The Government`."""
_GAP_BETWEEN_WORDS = re.compile(r"(?<=[^\s.]) {2,}(?=\S)")
_GAP_BEFORE_PUNCTUATION = re.compile(r"(?<=\w) (?=[.,;:](?:\s|$))")
GAP = "[…]"


def mark_gaps(text: str, defects: list[str] | None) -> str:
    """The text with each place where the source lost a word marked `[…]`, the way a lawyer marks an omission in
    a quotation, so that a quoted passage never reads "deported to . Article 3" as if the Court had written it.
    Only texts flagged with the dropped-words defect are touched: elsewhere a double space means nothing."""
    if not text or DROPPED_WORDS not in (defects or ()):
        return text
    text = _GAP_BETWEEN_WORDS.sub(f" {GAP} ", text)
    return _GAP_BEFORE_PUNCTUATION.sub(f" {GAP}", text)
