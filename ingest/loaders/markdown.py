"""Campaign posts and other Markdown (Jekyll/Hexo front matter, inline HTML, Liquid tags) as plain paragraphs."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import yaml

from ingest.loaders.common import read_text
from ingest.loaders.self_description import FIRST_LINES, UPLOAD, describe
from ingest.loaders.text_blocks import (
    detect_language,
    doc_id_prefix,
    file_doc_id,
    has_words,
    join_lines,
    normalise_ws,
    source_collection,
    split_blocks,
)
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_SIMPLE_KEY = re.compile(r"^(\w+)\s*:\s*(.*?)\s*$")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")

_INLINE = [
    (re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S), ""),  # Liquid tags
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),  # autolinks
    (re.compile(r"<[^>]+>"), ""),  # HTML tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # italic
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),  # backslash escapes
]
_LINE_PREFIX = re.compile(r"^\s*(?:>\s*)*(?:[-*+]\s+(?=\S))?")
_REFERENCE_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+")


def plain_text(markdown: str) -> str:
    """Markdown/HTML inline markup removed, entities decoded; the words themselves are untouched."""
    text = markdown
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return html.unescape(text)


def _front_matter(path: Path, text: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    raw = match.group(1)
    try:
        meta = yaml.safe_load(raw)
    except yaml.YAMLError:
        meta = None
    if not isinstance(meta, dict):
        # Jekyll tolerates front matter YAML would refuse (unquoted `: ` in a title); read it line by line.
        meta = {m.group(1): m.group(2).strip("'\"") for line in raw.splitlines() if (m := _SIMPLE_KEY.match(line))}
    return meta, text[match.end() :]


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    match = _ISO_DATE.search(str(value or ""))
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def _block_lines(block: list[str]) -> list[str]:
    """A block's lines with bullet/quote markers and reference definitions removed; list items keep their own line.

    Ordered-list numbers stay: a lawyer quoting item 3 of a list needs to see the 3.
    """
    lines = []
    for line in block:
        if _REFERENCE_DEF.match(line):
            continue
        starts_item = bool(re.match(r"^\s*(?:[-*+]|\d+[.)])\s+\S", line))
        stripped = _LINE_PREFIX.sub("", line)
        if starts_item or not lines:
            lines.append(stripped)
        else:
            lines[-1] += "\n" + stripped
    return lines


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    meta, body = _front_matter(path, read_text(path))
    paragraphs: list[Paragraph] = []
    heading: str | None = None
    first_heading: str | None = None
    for block in split_blocks(body):
        texts: list[str] = []
        for line in _block_lines(block):
            if match := _HEADING.match(line):
                heading = normalise_ws(plain_text(match.group(2))) or heading
                first_heading = first_heading or heading
                continue
            parts = line.split("\n")
            if len(parts) == 2 and _SETEXT.match(parts[1]) and has_words(parts[0]):
                heading = normalise_ws(plain_text(parts[0]))
                first_heading = first_heading or heading
                continue
            text = join_lines(plain_text(line).split("\n"))
            if has_words(text):
                texts.append(text)
        if texts:
            paragraphs.append(Paragraph(text="\n".join(texts), heading=heading))
    if not paragraphs:
        raise BadInputError(path, "no text paragraphs in the Markdown (only front matter, markup or images)")

    title = normalise_ws(plain_text(str(meta.get("title") or ""))) or first_heading or path.stem
    date_match = re.match(r"(\d{4}-\d{2}-\d{2})-", path.name)
    date = _iso(meta.get("date")) or (date_match.group(1) if date_match else None)
    author = str(meta.get("author") or source_collection(source_file))
    if kind == UPLOAD:
        lines = [first_heading or ""] + [p.text for p in paragraphs[:FIRST_LINES]]
        said = describe(lines, author if meta.get("author") else "", title, path.stem)
        title, author, date = said.title, said.author, said.date or date
    extra = {key: meta[key] for key in ("categories", "tags", "layout", "permalink") if meta.get(key)}
    return [
        SourceDocument(
            doc_id=file_doc_id(doc_id_prefix(kind), source_file),
            title=title,
            court=author,
            doc_type="CAMPAIGN_POST" if kind == "campaign" else "DOCUMENT",
            source_kind=kind,
            source_file=source_file,
            paragraphs=paragraphs,
            date=date,
            language=detect_language(" ".join(p.text for p in paragraphs)),
            extra=extra,
        )
    ]
