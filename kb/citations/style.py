"""Pinpoint citations in each source's own style, built from a stored chunk's payload.

ECtHR: `Saadi v. Italy [GC], no. 37201/06, § 125, 28 February 2008` (the Court's style, HUDOC link).
UN treaty bodies: `Committee against Torture, General Comment No. 4 (2017) …, CAT/C/GC/4, para. 12`.
UK: `Name [2017] EWHC 1912 (Admin), [45]`. PRC statutes in English with the original beside:
`Supervision Law of the People's Republic of China (2018), art. 22 (中华人民共和国监察法 第二十二条)`.
Reports by printed paragraph and printed page: `OHCHR, Assessment … (31 August 2022), para. 131 (p. 40)`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import quote

from legal.dates import long_date
from legal.text import http_url


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
    if payload.get("section") == "FOOTNOTE":
        label = f"fn. {str(number).removeprefix('fn')}"
    else:
        label = str(number) if str(number).startswith("sec. ") else f"para. {number}"
    return f"{label} (p. {payload['page']})" if payload.get("page") else label


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
        return prc_citation(payload)
    if kind == "un":
        symbol = extra.get("symbol")
        return ", ".join(p for p in [payload.get("court"), title, symbol, pin] if p)
    author = payload.get("court")
    head = ", ".join(p for p in [author if author and author not in title else None, title] if p)
    return ", ".join(p for p in [f"{head} ({when})" if when else head, pin] if p)


def prc_article(label: str) -> str | None:
    """`第二十二条` → `art. 22`, `第一百二十条之一` → `art. 120-1` (the English versions' `Article 120-1`)."""
    from ingest.loaders.statute_md import chinese_numeral

    match = re.fullmatch(r"第(.+?)条(?:之(.+))?", label or "")
    if not match:
        return None
    try:
        number = str(chinese_numeral(match.group(1)))
        if match.group(2):
            number += f"-{chinese_numeral(match.group(2))}"
    except ValueError:
        return None
    return f"art. {number}"


def prc_citation(payload: dict) -> str:
    """A PRC article as a Western court expects it, the Chinese title and article heading kept beside:
    `Supervision Law of the People's Republic of China (2018), art. 22 (中华人民共和国监察法 第二十二条)`.
    The year is the version's date (the Criminal Law file has none: `as amended to` its last amendment); without an
    English title (a statute outside `legal.prc.PRC_LAWS`) the Chinese title stands alone."""
    extra = payload.get("doc_extra") or {}
    chinese = payload.get("title") or payload.get("doc_id") or "Untitled"
    english = extra.get("english_title")
    label = payload.get("paragraph")
    if payload.get("date"):
        year = str(payload["date"])[:4]
    elif extra.get("last_history_date"):
        year = f"as amended to {str(extra['last_history_date'])[:4]}"
    else:
        year = None
    if not english:
        dated = f"{chinese} ({payload['date']})" if payload.get("date") else chinese
        return ", ".join(p for p in [dated, label] if p)
    head = f"{english} ({year})" if year else english
    article = prc_article(str(label)) if label else None
    original = " ".join(p for p in [chinese, label] if p)
    return ", ".join(p for p in [head, article] if p) + f" ({original})"


HUDOC = "https://hudoc.echr.coe.int/eng"
_ITEMID = re.compile(r"\d{3}-\d+")
_PROVENANCE = re.compile(r"(?P<repo>[\w.-]+/[\w.-]+)@(?P<commit>[0-9a-f]{7,40}):(?P<path>[^\s*?]+)")


def hudoc_link(doc_id: str, appno: list[str] | None) -> str | None:
    """The HUDOC page of an ECtHR document: by its itemid (`001-57619`) when the record has one, else HUDOC's search
    for its first application number (the corpus's `HEJUD-14038-88`, `CLIN-…`, `HECOM-…` carry no itemid; the search
    lists the judgment, decisions and notes of that application)."""
    if _ITEMID.fullmatch(doc_id or ""):
        return f"{HUDOC}?i={doc_id}"
    numbers = [a for a in appno or [] if a]
    if not numbers:
        return None
    return f"{HUDOC}#" + quote(json.dumps({"appno": [numbers[0]]}, separators=(",", ":")), safe=":/,[]")


def provenance_link(source: str | None) -> str | None:
    """The public page of a file the corpus copied from a repository snapshot (`owner/repo@commit:path`, as the
    corpus records it), pinned to that commit so it shows the text that was ingested."""
    m = _PROVENANCE.fullmatch(source or "")
    return f"https://github.com/{m['repo']}/blob/{m['commit']}/{quote(m['path'])}" if m else None


def source_link(payload: dict, folder_links: Mapping[str, str] = MappingProxyType({})) -> str | None:
    """A page a person can open for the stored document, never a path on this machine: the record's own http(s) link
    (HUDOC by itemid, the treaty body's page, Find Case Law by the judgment's FRBR URI, the report's publisher), else
    HUDOC's search by application number for an ECtHR record without an itemid, else the public copy its
    corpus folder was taken from (`folder_links`: corpus folder → base URL, the manifest's `[links]`) or the
    record's own provenance. None for a lawyer's own upload: the app offers that file as a download instead.
    Computed when read, so a store ingested before a rule was added gets the link without a re-ingest."""
    own = http_url(payload.get("url"))
    if own:
        return own
    if payload.get("source_kind") == "echr":
        link = hudoc_link(str(payload.get("doc_id") or ""), payload.get("appno"))
        if link:
            return link
    source_file = str(payload.get("source_file") or "")
    for folder, base in folder_links.items():
        if source_file.startswith(folder.rstrip("/") + "/"):
            return http_url(base.rstrip("/") + "/" + quote(source_file[len(folder.rstrip("/")) + 1:]))
    return provenance_link((payload.get("doc_extra") or {}).get("source"))


DROPPED_WORDS = "dropped_smart_tagged_words"
"""The corpus defect code of ECtHR texts whose conversion silently removed smart-tagged words (mostly country and
city names): `against the  lodged with the Court`, `a lawyer practising in . The Government`."""
_GAP_BETWEEN_WORDS = re.compile(r"(?<=[^\s.]) {2,}(?=\S)")
_GAP_BEFORE_PUNCTUATION = re.compile(r"(?<=\w) (?=[.,;:](?:\s|$))")
LOST_WORD = re.compile(r"\b(?P<word>v\.|to|in|from|of|by|the|a|an|and|with|against|between|at)\s+"
                       r"(?=[,;:)]|\.(?!\.))", re.I)
"""A word the source lost after a word that cannot end a phrase, flagged or not: `Ben Khemais v. , no. 246/07`,
`deported to . Article 3`. Not before an ellipsis (`in ... conversations`): that omission is the Court's own."""
GAP = "[…]"


def mark_gaps(text: str, defects: list[str] | None) -> str:
    """The text with each place where the source lost a word marked `[…]`, the way a lawyer marks an omission in
    a quotation, so that a quoted passage never reads "deported to . Article 3" as if the Court had written it.
    The double spaces are read as gaps only in texts flagged with the dropped-words defect (elsewhere a double space
    means nothing); a word that cannot end a phrase before punctuation (`LOST_WORD`) is a gap in any text, as the
    brief prints it (`kb.drafting.quotes.quotation`), so the app's card and the brief mark the same places."""
    if not text:
        return text
    if DROPPED_WORDS in (defects or ()):
        text = _GAP_BEFORE_PUNCTUATION.sub(f" {GAP}", _GAP_BETWEEN_WORDS.sub(f" {GAP} ", text))
    return LOST_WORD.sub(lambda m: f"{m['word']} {GAP}", text).replace(f"{GAP} {GAP}", GAP)
