"""UN treaty-body General Comments / Recommendations: the corpus' paragraph JSON (`un/*.json`)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from ingest.loaders.checks import check_fields
from ingest.loaders.common import read_json
from ingest.loaders.text_blocks import normalise_ws
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError
from legal.text import leading_number

COMMITTEES = {
    "CAT": "Committee against Torture",
    "CCPR": "Human Rights Committee",
    "CESCR": "Committee on Economic, Social and Cultural Rights",
    "CERD": "Committee on the Elimination of Racial Discrimination",
    "CEDAW": "Committee on the Elimination of Discrimination against Women",
    "CRC": "Committee on the Rights of the Child",
    "CRPD": "Committee on the Rights of Persons with Disabilities",
    "CMW": "Committee on Migrant Workers",
    "CED": "Committee on Enforced Disappearances",
}

KINDS = {
    "general comment": ("GENERAL_COMMENT", "GC"),
    "general recommendation": ("GENERAL_RECOMMENDATION", "GR"),
}

METADATA_FIELDS = {"committee": str, "kind": str, "number": (int, str), "year": (int, str), "adoption_date": str,
                   "title": str, "symbol": str, "link": str, "source": str}
PARAGRAPH_FIELDS = {"ID": (int, str), "Text": str}
"""What the corpus's UN files hold; a value of another type is named in the error before anything reads it."""

_ID = re.compile(r"^\s*(\d+)\s*\.?\s*$")


def _committees(path: Path, value: object) -> list[str]:
    """`"CRC, CMW"` (joint comments) → `["CRC", "CMW"]`; unknown codes are refused so a new one gets a name."""
    codes = [code.strip().upper() for code in str(value or "").split(",") if code.strip()]
    if not codes:
        raise BadInputError(path, "metadata.committee is missing")
    unknown = [code for code in codes if code not in COMMITTEES]
    if unknown:
        raise BadInputError(
            path, f"unknown committee {', '.join(unknown)} in metadata.committee; known: {', '.join(COMMITTEES)}"
        )
    return codes


def _iso_date(value: object) -> str | None:
    for fmt in ("%d %B %Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(str(value).strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _number(item: dict) -> str | None:
    """The paragraph number as printed (`"12."`, `12`, `"4.\\xa0"` → `"12"`, `"4"`).

    Three source items have no `ID` but their text starts with the number (`"15.There are..."`).
    """
    raw = item.get("ID")
    if raw is not None:
        match = _ID.match(str(raw).replace("\u00a0", " "))
        return match.group(1) if match else normalise_ws(str(raw)) or None
    number = leading_number(item.get("Text") or "")
    return str(number) if number is not None else None


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        raise BadInputError(path, "not a UN general comment file: expected an object with 'metadata' and 'paragraphs'")
    meta = data["metadata"]
    check_fields(path, meta, METADATA_FIELDS, where="metadata.")
    items = data.get("paragraphs")
    if not isinstance(items, list):
        raise BadInputError(path, "'paragraphs' is missing or not a list")

    codes = _committees(path, meta.get("committee"))
    kind_key = str(meta.get("kind") or "").strip().lower()
    if kind_key not in KINDS:
        raise BadInputError(
            path, f"metadata.kind {meta.get('kind')!r} is neither 'General Comment' nor 'General Recommendation'"
        )
    doc_type, short = KINDS[kind_key]
    number = meta.get("number")
    if number is None or not str(number).strip():
        raise BadInputError(path, "metadata.number is missing (needed for the document id)")

    paragraphs = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadInputError(path, f"paragraph {index} is not an object")
        check_fields(path, item, PARAGRAPH_FIELDS, where=f"paragraphs[{index}].")
        text = normalise_ws(str(item.get("Text") or ""))
        if text:
            paragraphs.append(Paragraph(text=text, number=_number(item)))
    if not paragraphs:
        raise BadInputError(path, "no paragraph has text")

    date = _iso_date(meta.get("adoption_date"))
    year = meta.get("year")
    defects = []
    if date and year is not None and str(year) != date[:4]:
        defects.append("metadata_year_differs_from_adoption_date")
    return [
        SourceDocument(
            doc_id=f"UN-{'-'.join(codes)}-{short}-{str(number).strip()}",
            title=normalise_ws(str(meta.get("title") or f"{meta.get('kind')} No. {number}")),
            court=" / ".join(COMMITTEES[code] for code in codes),
            doc_type=doc_type,
            source_kind=kind,
            source_file=source_file,
            paragraphs=paragraphs,
            date=date,
            language="en",
            url=meta.get("link") or None,
            text_defects=defects,
            extra={
                "committee": ", ".join(codes),
                "symbol": meta.get("symbol"),
                "number": str(number).strip(),
                "year": str(year) if year is not None else None,
                "adoption_date_as_printed": meta.get("adoption_date"),
                "source": meta.get("source"),
            },
        )
    ]
