"""Every record is checked before anything uses it: one malformed file is one line naming the file, the field and
the reason, and the run goes on with the next file.

Two layers. `check_fields` checks a JSON record's raw fields against the types a loader expects (ECtHR and UN
records come from scrapers, and `"date": 12345` or a list as a title must not reach code that calls `.strip()`).
`checked` runs on every `SourceDocument` any loader or HUDOC produces, before it is cut into chunks: types, lengths,
an ISO date, an http(s) URL, flat metadata, and text without terminal escapes or bidi overrides.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError
from legal.text import clean, http_url, one_line

MAX_JSON_DEPTH = 32
"""The deepest corpus record nests 3 levels (`extra.note_appnos[0]`); a scraper never produces 32."""
MAX_ID_CHARS = 300
MAX_TITLE_CHARS = 2_000
"""The longest corpus title (a UN report's) has ~400 characters."""
MAX_FIELD_CHARS = 10_000
MAX_LIST_ITEMS = 1_000
MAX_PARAGRAPH_CHARS = 1_000_000
MAX_PARAGRAPHS = 200_000
"""The longest corpus document has ~9,000 paragraphs; a file with more is not a document but a runaway extraction."""
MAX_EXTRA_DEPTH = 4

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Kinds = type | tuple[type, ...]


@dataclass(frozen=True)
class ListOf:
    """A field that, when present, is a list whose every item is one of `kinds`."""

    kinds: Kinds
    max_items: int | None = MAX_LIST_ITEMS


_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean", list: "a list",
          dict: "an object", type(None): "null"}


def _type_name(value: object) -> str:
    return _NAMES.get(type(value), type(value).__name__)


def _expected(kinds: Kinds) -> str:
    return " or ".join(_NAMES.get(k, k.__name__) for k in (kinds if isinstance(kinds, tuple) else (kinds,)))


def _is(value: object, kinds: Kinds) -> bool:
    """isinstance, except that `True` is not an integer here (JSON tells them apart, and so must we)."""
    allowed = kinds if isinstance(kinds, tuple) else (kinds,)
    return isinstance(value, allowed) and (not isinstance(value, bool) or bool in allowed)


def _preview(value: object) -> str:
    text = repr(value)
    return f"({text[:40]}…)" if len(text) > 40 else f"({text})"


def json_depth(value: object, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep `value` nests, counted without recursion and giving up past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def check_fields(path: Path | str, record: dict, spec: dict[str, Kinds | ListOf], where: str = "") -> None:
    """Raise `BadInputError` for the first field of `record` whose value is not what `spec` allows; an absent or
    null field passes (loaders have defaults), so a spec lists types other than null."""
    for name, kinds in spec.items():
        value = record.get(name)
        label = f"{where}{name}"
        if value is None:
            continue
        if isinstance(kinds, ListOf):
            if not isinstance(value, list):
                raise BadInputError(path, f"field '{label}': expected a list, got {_type_name(value)}")
            if kinds.max_items is not None and len(value) > kinds.max_items:
                raise BadInputError(path, f"field '{label}': {len(value):,} items (limit {kinds.max_items:,})")
            for i, item in enumerate(value):
                if not _is(item, kinds.kinds):
                    raise BadInputError(path, f"field '{label}[{i}]': expected {_expected(kinds.kinds)}, got "
                                              f"{_type_name(item)} {_preview(item)}")
        elif not _is(value, kinds):
            raise BadInputError(path, f"field '{label}': expected {_expected(kinds)}, got {_type_name(value)} "
                                      f"{_preview(value)}")


def iso_date(path: Path | str, value: object, label: str = "date") -> str | None:
    """`YYYY-MM-DD` (a time after it is dropped) naming a real day, or None; anything else is bad input."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise BadInputError(path, f"field '{label}': expected an ISO date YYYY-MM-DD, got {_type_name(value)} "
                                  f"{_preview(value)}")
    day = value.strip()[:10]
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        raise BadInputError(path, f"field '{label}': {day!r} is not a calendar date") from None
    return day


def _text(path: Path | str, label: str, value: object, limit: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise BadInputError(path, f"field '{label}': expected a string, got {_type_name(value)} {_preview(value)}")
    text = one_line(value)
    if required and not text:
        raise BadInputError(path, f"field '{label}' is empty")
    if len(text) > limit:
        raise BadInputError(path, f"field '{label}': {len(text):,} characters (limit {limit:,})")
    return text


def _doc_id(path: Path | str, value: object) -> str:
    """A document id names the document in the store's filters, links and export file names, so one shaped like a
    path (`../../etc/passwd`, `/tmp/x`, `a\\b`, `a//b`) is refused rather than stored as given. Corpus ids may hold
    `/` between names (`CAMPAIGN-freekaili/_posts/2021-02-11-WGAD`), spaces and CJK text."""
    doc_id = _text(path, "id", value, MAX_ID_CHARS, required=True)
    if doc_id.startswith("~") or "\\" in doc_id or any(part in ("", ".", "..") for part in doc_id.split("/")):
        raise BadInputError(path, f"field 'id': {_preview(doc_id)} is shaped like a file path (an id is names "
                                  "joined by '/', with no empty, '.' or '..' part, no leading '/' or '~', no '\\')")
    return doc_id


def _strings(path: Path | str, label: str, values: object) -> list[str]:
    if not isinstance(values, list):
        raise BadInputError(path, f"field '{label}': expected a list, got {_type_name(values)}")
    if len(values) > MAX_LIST_ITEMS:
        raise BadInputError(path, f"field '{label}': {len(values):,} items (limit {MAX_LIST_ITEMS:,})")
    return [_text(path, f"{label}[{i}]", v, MAX_FIELD_CHARS) for i, v in enumerate(values)]


def _extra(path: Path | str, extra: object) -> dict:
    if not isinstance(extra, dict):
        raise BadInputError(path, f"field 'extra': expected an object, got {_type_name(extra)}")
    if json_depth(extra) > MAX_EXTRA_DEPTH:
        raise BadInputError(path, f"field 'extra': nested deeper than {MAX_EXTRA_DEPTH} levels")
    for key in extra:
        if not isinstance(key, str) or len(key) > 100:
            raise BadInputError(path, f"field 'extra': key {_preview(key)} is not a short string")
    return extra


def _paragraph(path: Path | str, index: int, para: object) -> Paragraph:
    if not isinstance(para, Paragraph):
        raise BadInputError(path, f"paragraph {index}: not a paragraph ({_type_name(para)})")
    if not isinstance(para.text, str):
        raise BadInputError(path, f"paragraph {index}: text is {_type_name(para.text)}, not a string")
    if len(para.text) > MAX_PARAGRAPH_CHARS:
        raise BadInputError(path, f"paragraph {index}: {len(para.text):,} characters (limit {MAX_PARAGRAPH_CHARS:,})")
    number = None if para.number is None else _text(path, f"paragraph {index} number", para.number, 50)
    page = para.page
    if page is not None and (not isinstance(page, int) or isinstance(page, bool) or page < 0):
        raise BadInputError(path, f"paragraph {index}: page {_preview(page)} is not a page number")
    return Paragraph(
        text=clean(para.text), number=number, page=page,
        section=None if para.section is None else _text(path, f"paragraph {index} section", para.section,
                                                        MAX_TITLE_CHARS),
        heading=None if para.heading is None else _text(path, f"paragraph {index} heading", para.heading,
                                                        MAX_TITLE_CHARS),
        role=None if para.role is None else _text(path, f"paragraph {index} role", para.role, 50),
    )


def checked(path: Path | str, doc: SourceDocument) -> SourceDocument:
    """`doc` with every field checked, text cleaned of terminal escapes and bidi overrides, and a URL kept only if
    it is http(s) (a `file:` or `javascript:` link from a document must not become a link in the app)."""
    if not isinstance(doc.paragraphs, list):
        raise BadInputError(path, f"field 'paragraphs': expected a list, got {_type_name(doc.paragraphs)}")
    if len(doc.paragraphs) > MAX_PARAGRAPHS:
        raise BadInputError(path, f"{len(doc.paragraphs):,} paragraphs (limit {MAX_PARAGRAPHS:,})")
    importance = doc.importance
    if importance is not None and (not isinstance(importance, int) or isinstance(importance, bool)):
        raise BadInputError(path, f"field 'importance': expected an integer, got {_type_name(importance)}")
    return replace(
        doc,
        doc_id=_doc_id(path, doc.doc_id),
        title=_text(path, "title", doc.title, MAX_TITLE_CHARS),
        court=_text(path, "court", doc.court, MAX_TITLE_CHARS),
        doc_type=_text(path, "doctype", doc.doc_type, 100),
        source_kind=_text(path, "kind", doc.source_kind, 100),
        source_file=_text(path, "source file", doc.source_file, 4096),
        language=_text(path, "language", doc.language, 20) or "en",
        date=iso_date(path, doc.date),
        respondent_state=_strings(path, "respondent_state", doc.respondent_state),
        articles=_strings(path, "articles", doc.articles),
        appno=_strings(path, "appno", doc.appno),
        text_defects=_strings(path, "text_defects", doc.text_defects),
        url=http_url(doc.url) if isinstance(doc.url, str) else None,
        extra=_extra(path, doc.extra),
        paragraphs=[_paragraph(path, i, p) for i, p in enumerate(doc.paragraphs)],
    )


def checked_all(path: Path | str, docs: Iterable[SourceDocument]) -> list[SourceDocument]:
    return [checked(path, d) for d in docs]
