"""PRC statutes, regulations and judicial interpretations as Chinese Markdown (`prc-law/**.md`, LawRefBook layout).

The file is `# title`, the enactment/amendment history, `<!-- INFO END -->`, then `##`/`###` headings
(编/章/节) and articles, each starting a line with `第…条`. One `Paragraph` per article.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.loaders.common import read_text
from ingest.loaders.text_blocks import normalise_ws
from ingest.model import Paragraph, SourceDocument
from legal.errors import BadInputError
from legal.numerals import chinese_number
from legal.prc import PRC_TITLES

_NUMERAL = "零〇一二三四五六七八九十百千万两"
_SUFFIX = rf"(之[{_NUMERAL}]+)?"
_ARTICLE = re.compile(rf"^第([{_NUMERAL}\d]+)(?:条{_SUFFIX}(?=[\s\u3000]|$)|[\s\u3000]+条{_SUFFIX})[\s\u3000]*")
"""An article's label opens its line and is set apart by a space: `第一百二十三条 采用…`. Five articles of the corpus
put the space before 条 instead (`第一百二十四 条采用…`: SPC Interpretation of the CPL (2021) arts. 124, 271, 372, 414,
CPL art. 128), and read as the previous article's text they were merged into it; either form is a label, a line opening
`第一百二十三条规定…` (a cross-reference continuing an article) is not."""
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FILE_DATE = re.compile(r"[(（](\d{4}-\d{2}-\d{2})[)）]")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_INFO_END = "<!-- INFO END -->"

def chinese_numeral(text: str) -> int:
    """The value of a Chinese numeral as used in article numbers: 一百零五 → 105, 十二 → 12, 二百 → 200 (Arabic digits
    too: some files write 第1条). Raises ValueError for anything else. The reading is `legal.numerals`' (the same on
    all 3,489 article labels of the corpus), so the loader and the citation check number articles alike."""
    value = chinese_number(text)
    if value is None:
        raise ValueError(f"not a Chinese numeral: {text!r}")
    return value


def _issuer(path: Path, history: list[str]) -> tuple[str, str]:
    """(issuing body, doc_type) from the enactment lines and the LawRefBook category folder."""
    head = " ".join(history)
    if "最高人民检察院" in head:
        return "Supreme People's Procuratorate", "JUDICIAL_INTERPRETATION"
    if "最高人民法院" in head:
        return "Supreme People's Court", "JUDICIAL_INTERPRETATION"
    if "国务院" in head or path.parent.name == "行政法规":
        return "State Council", "ADMINISTRATIVE_REGULATION"
    return "National People's Congress", "STATUTE"


def load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
    lines = read_text(path).splitlines()
    title = next((m.group(2) for line in lines if (m := _HEADING.match(line)) and len(m.group(1)) == 1), None)
    if not title:
        raise BadInputError(path, "no '# ' title line; expected a LawRefBook statute Markdown file")

    info_end = next((i for i, line in enumerate(lines) if line.strip() == _INFO_END), None)
    title_at = next(i for i, line in enumerate(lines) if _HEADING.match(line))
    history = [normalise_ws(line) for line in lines[title_at + 1 : info_end or title_at + 1] if line.strip()]
    body = lines[(info_end if info_end is not None else title_at) + 1 :]

    headings: dict[int, str] = {}
    articles: list[tuple[str, int, str | None, list[str]]] = []
    preamble: list[str] = []
    for raw in body:
        line = normalise_ws(raw)
        if not line or line.startswith("<!--"):
            continue
        if heading := _HEADING.match(raw.strip()):
            level = len(heading.group(1))
            headings = {k: v for k, v in headings.items() if k < level}
            headings[level] = normalise_ws(heading.group(2))
            continue
        if article := _ARTICLE.match(line):
            label = f"第{article.group(1)}条{article.group(2) or article.group(3) or ''}"
            line = f"{label} {line[article.end():]}".rstrip()
            try:
                value = chinese_numeral(article.group(1))
            except ValueError as exc:
                raise BadInputError(path, f"article label {label!r}: {exc}") from exc
            heading_text = " / ".join(headings[k] for k in sorted(headings)) or None
            articles.append((label, value, heading_text, [line]))
        elif articles:
            articles[-1][3].append(line)
        else:
            preamble.append(line)
    if not articles:
        raise BadInputError(path, "no article lines (第…条) found; is this a statute file?")

    paragraphs = [Paragraph(text="\n".join(preamble))] if preamble else []
    paragraphs += [
        Paragraph(text="\n".join(text), number=label, heading=heading) for label, _, heading, text in articles
    ]

    name = path.stem
    file_date = _FILE_DATE.search(name)
    short_name = _FILE_DATE.sub("", name).strip()
    date = file_date.group(1) if file_date else None
    court, doc_type = _issuer(path, history)
    extra: dict = {
        "history": history,
        "article_number_int": {label: value for label, value, _, _ in articles},
    }
    if law := PRC_TITLES.get(normalise_ws(title)):  # a Western court reads the published English title
        extra.update(english_title=law.english, english_title_source=law.source)
    history_dates = [f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in _CN_DATE.findall(" ".join(history))]
    if history_dates:
        extra["last_history_date"] = max(history_dates)
    return [
        SourceDocument(
            doc_id=f"PRC-{short_name}" + (f"-{date}" if date else ""),
            title=normalise_ws(title),
            court=court,
            doc_type=doc_type,
            source_kind=kind,
            source_file=source_file,
            paragraphs=paragraphs,
            date=date,
            language="zh",
            text_defects=[] if date else ["no_version_date"],
            extra=extra,
        )
    ]
