"""ECtHR judgments, decisions, information notes and communicated cases (the corpus's JSON records).

The record's `paragraph_numbers` are the Court's own numbering, the pinpoints lawyers cite and the eval
refers to. Unnumbered text that follows a numbered paragraph inside the body (quoted law, indented
lists) belongs to that paragraph; short unnumbered lines are headings that give each paragraph its
section and heading path; text outside the numbered body (header, operative part, separate opinions,
information notes) becomes unnumbered paragraphs of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.loaders.checks import ListOf, check_fields, iso_date
from ingest.loaders.common import read_json
from ingest.model import BadInputError, Paragraph, SourceDocument

HUDOC_ITEM_URL = "https://hudoc.echr.coe.int/eng?i={itemid}"

SECTION_HEADINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(PROCEDURE|PROCEEDINGS BEFORE THE COMMISSION)\b"), "PROCEDURE"),
    (re.compile(r"^(AS TO THE FACTS|THE FACTS|STATEMENT OF FACTS|THE CIRCUMSTANCES OF THE CASE)\b"), "THE FACTS"),
    (re.compile(r"^(AS TO THE LAW|THE LAW|COMPLAINTS?|QUESTIONS? TO THE PARTIES)\b"), "THE LAW"),
    (re.compile(r"^FOR THESE REASONS"), "OPERATIVE PART"),
    (re.compile(r"^[A-Z ,.'’-]*(CONCURRING|DISSENTING|SEPARATE|PARTLY|JOINT)[A-Z ,.'’-]*OPINION"), "SEPARATE OPINION"),
]

HEADING_LEVELS = [
    re.compile(r"^[IVXL]+\.\s"),
    re.compile(r"^[A-Z]\.\s"),
    re.compile(r"^\d+\.\s"),
    re.compile(r"^\([a-z]\)\s|^[a-z]\)\s|^\([ivx]+\)\s"),
]
"""ECtHR heading levels, outermost first: `I.`, `A.`, `1.`, `(a)`."""

SENTENCE_END = (".", ";", ",", ":", "”", '"', "’", ")")
LIST_ITEM_TAIL = re.compile(r"[;,]\s*(and|or)$")
MAX_HEADING_CHARS = 200

UPPER_TITLE_WORDS = {"AND": "and", "OTHERS": "Others", "THE": "the", "OF": "of", "V.": "v."}

RECORD_FIELDS = {
    "paragraphs": ListOf((str, type(None)), max_items=None),
    "paragraph_numbers": ListOf((int, str, type(None)), max_items=None),
    "id": str, "title": str, "doctype": str, "language": str, "date": str, "respondent_state": str,
    "conclusion": str, "source": str, "importance": (int, str), "appno": (str, list),
    "articles": ListOf((str, int)), "text_defects": ListOf(str), "extra": dict,
}
"""What the corpus's ECtHR records hold, field by field; anything else is named in the error, before use."""


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    record = read_json(path)
    if not isinstance(record, dict) or not isinstance(record.get("paragraphs"), list):
        raise BadInputError(path, "not an ECtHR record: expected an object with a 'paragraphs' list")
    check_fields(path, record, RECORD_FIELDS)
    if isinstance(record.get("appno"), list):
        check_fields(path, record, {"appno": ListOf(str)})
    texts = record["paragraphs"]
    numbers = record.get("paragraph_numbers") or [None] * len(texts)
    if len(numbers) != len(texts):
        raise BadInputError(path, f"'paragraph_numbers' has {len(numbers)} entries for {len(texts)} paragraphs")
    if not any(isinstance(t, str) and t.strip() for t in texts):
        raise BadInputError(path, "document has no text")
    doc_id = str(record.get("id") or Path(source_file).name.split(".")[0])
    extra = dict(record.get("extra") or {})
    grand_chamber = _is_grand_chamber(extra, texts)
    title = case_name(record.get("title"), _states(record.get("respondent_state")))
    extra.update(
        raw_title=record.get("title"),
        grand_chamber=grand_chamber,
        conclusion=record.get("conclusion"),
        source=record.get("source"),
    )
    itemid = doc_id if re.fullmatch(r"\d{3}-\d+", doc_id) else None
    return [
        SourceDocument(
            doc_id=doc_id,
            title=title,
            court="ECtHR",
            doc_type=str(record.get("doctype") or "JUDGMENT"),
            source_kind=kind,
            source_file=source_file,
            paragraphs=split_paragraphs(texts, numbers),
            date=iso_date(path, record.get("date")),
            language=record.get("language") or "en",
            respondent_state=_states(record.get("respondent_state")),
            articles=[str(a) for a in record.get("articles") or []],
            importance=_int_or_none(record.get("importance")),
            appno=_as_list(record.get("appno")),
            url=HUDOC_ITEM_URL.format(itemid=itemid) if itemid else None,
            text_defects=list(record.get("text_defects") or []),
            extra=extra,
        )
    ]


def split_paragraphs(texts: list[str], numbers: list[int | None]) -> list[Paragraph]:
    """Court-numbered paragraphs with their quotations folded in; the rest as unnumbered paragraphs."""
    out: list[Paragraph] = []
    section: str | None = "HEADER"
    headings: list[str | None] = [None] * len(HEADING_LEVELS)
    header_lines: list[str] = []
    open_number: str | None = None
    open_lines: list[str] = []
    open_meta: tuple[str | None, str | None] = (None, None)
    has_numbers = any(n is not None for n in numbers)
    opinion: str | None = None

    def close() -> None:
        nonlocal open_number, open_lines
        if open_lines:
            out.append(Paragraph("\n".join(open_lines), open_number, open_meta[0], open_meta[1]))
        open_number, open_lines = None, []

    for raw, number in zip(texts, numbers, strict=True):
        text = (raw or "").strip()
        if not text:
            continue
        if number is not None:
            close()
            if section in (None, "HEADER"):
                section = "PROCEDURE"
            open_number, open_lines = str(number), [text]
            open_meta = (section, _heading_path(headings))
            continue
        new_section = _section_of(text)
        if new_section:
            close()
            section = new_section
            headings = [None] * len(HEADING_LEVELS)
            if section == "OPERATIVE PART":
                open_lines, open_meta = [text], (section, None)
            elif section == "SEPARATE OPINION":
                opinion = _opinion_title(text.split("\n")[0])
                rest = text.partition("\n")[2].strip()
                if rest:
                    out.append(Paragraph(rest, None, section, opinion))
            continue
        if section == "HEADER":
            if has_numbers or len(text) <= MAX_HEADING_CHARS:
                header_lines.append(text)
                continue
            section = None
        if section == "OPERATIVE PART":
            open_lines.append(text)
            continue
        if section == "SEPARATE OPINION":
            out.append(Paragraph(text, None, section, opinion))
            continue
        if _looks_like_heading(text):
            close()
            _push_heading(headings, text)
            continue
        if open_number is not None:
            open_lines.append(text)
            continue
        out.append(Paragraph(text, None, section, _heading_path(headings)))
    close()
    if header_lines:
        out.insert(0, Paragraph("\n".join(header_lines), None, "HEADER", None))
    return out


def _opinion_title(line: str) -> str:
    """`PARTLY DISSENTING OPINION OF JUDGE DE MEYER` → `partly dissenting opinion of Judge De Meyer`."""
    line = " ".join(line.replace("\xa0", " ").split()).rstrip(".")
    kind, sep, judges = line.partition(" OF ")
    if not sep:
        return line.lower()
    names = re.sub(r"[A-Za-zÀ-ÿĀ-ž]+", lambda m: m.group(0).capitalize(), judges.lower())
    names = re.sub(r"\b(And|Joined By)\b", lambda m: m.group(0).lower(), names)
    return f"{kind.lower()} of {names}"


def _section_of(text: str) -> str | None:
    upper = re.sub(r"^[IVX]+\.\s*", "", text.strip()).replace("\xa0", " ")
    if len(upper) > 120 or upper != upper.upper():
        return None
    for pattern, name in SECTION_HEADINGS:
        if pattern.match(upper):
            return name
    return None


def _looks_like_heading(text: str) -> bool:
    """Short, unpunctuated at the end, and not an item of a list the paragraph before runs into (`(x) …; and`)."""
    stripped = text.rstrip()
    return (len(stripped) <= MAX_HEADING_CHARS and "\n" not in stripped and not stripped.endswith(SENTENCE_END)
            and not LIST_ITEM_TAIL.search(stripped) and "§" not in stripped and "cited above" not in stripped)


def _push_heading(headings: list[str | None], text: str) -> None:
    clean = " ".join(text.replace("\xa0", " ").split())
    level = next((i for i, p in enumerate(HEADING_LEVELS) if p.match(clean)), len(HEADING_LEVELS) - 1)
    headings[level] = clean
    for deeper in range(level + 1, len(headings)):
        headings[deeper] = None


def _heading_path(headings: list[str | None]) -> str | None:
    parts = [h for h in headings if h]
    return " › ".join(parts) if parts else None


def _is_grand_chamber(extra: dict, texts: list[str]) -> bool:
    if str(extra.get("hudoc_doctype", "")).upper() == "GRANDCHAMBER" or extra.get("formation") == "Grand Chamber":
        return True
    return any("GRAND CHAMBER" in (t or "").upper() for t in texts[:3])


def case_name(title: str | None, states: list[str]) -> str:
    """The case name as the Court cites it: `CASE OF SOERING v. THE` → `Soering v. the United Kingdom`.

    Titles that lost their respondent state in the old conversion get it back from the record's
    respondent state, so the citation is complete.
    """
    name = (title or "").strip()
    name = re.sub(r"\s*-\s*\[English Translation\].*$", "", name, flags=re.I)
    name = re.sub(r"^(CASE OF|AFFAIRE)\s+", "", name, flags=re.I)
    name = re.sub(r"\s+", " ", name).replace(" v . ", " v. ").strip()
    if not name:
        return f"Unnamed case v. {' and '.join(states)}" if states else "Unnamed case"
    name = re.sub(r"\s+against\b\s*", " v. ", name)
    applicant, sep, respondent = name.partition(" v. ")
    if not sep:
        applicant, sep, respondent = name.partition(" V. ")
    if not sep and name.upper().endswith(" V."):
        applicant, sep, respondent = name[:-3], " v. ", ""
    if not sep:
        return _tidy_case(name)
    respondent = respondent.strip()
    if respondent.upper() in ("", "THE") and states:
        respondent = " and ".join(_with_article(s) for s in states)
    return f"{_tidy_case(applicant)} v. {_tidy_case(respondent)}".strip()


def _tidy_case(part: str) -> str:
    if part != part.upper():
        return part
    words = []
    for word in part.split(" "):
        if word in UPPER_TITLE_WORDS:
            words.append(UPPER_TITLE_WORDS[word])
        elif re.fullmatch(r"([A-Z]\.)+,?", word):
            words.append(word)
        else:
            words.append(re.sub(r"[A-Za-zÀ-ÿĀ-ž]+", lambda m: m.group(0).capitalize(), word.lower()))
    return " ".join(words)


STATES_WITH_ARTICLE = {"United Kingdom", "Netherlands", "Czech Republic", "Slovak Republic", "Republic of Moldova",
                       "Russian Federation", "former Yugoslav Republic of Macedonia"}


def _with_article(state: str) -> str:
    return f"the {state}" if state in STATES_WITH_ARTICLE else state


def _states(value: object) -> list[str]:
    if not value:
        return []
    return [s.strip() for s in str(value).split(";") if s.strip()]


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None
