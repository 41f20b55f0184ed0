"""Chinese article numbers (`第一百二十条之一`) read without raising: real text holds every malformed variant."""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "万"
ARTICLE_LABEL = re.compile(rf"第([{NUMERAL_CHARS}\d]{{1,12}})条(?:之([{NUMERAL_CHARS}\d]{{1,6}}))?")


def chinese_number(text: str) -> int | None:
    """`一百零五` → 105, `十二` → 12, `22` → 22; None for anything that is not a numeral (never an exception)."""
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    total = section = 0
    digit: int | None = None
    for ch in text:
        if ch in DIGITS:
            if digit is not None and digit != 0 and DIGITS[ch] != 0:
                return None  # two digits without a unit between them: 二三 is not a number
            digit = DIGITS[ch]
        elif ch in UNITS:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def article_number(label: str) -> tuple[int, int] | None:
    """`第一百二十条之一` → (120, 1), `第二十二条` → (22, 0), `第22条` → (22, 0); None when `label` is no article."""
    match = ARTICLE_LABEL.fullmatch((label or "").strip())
    if not match:
        return None
    article = chinese_number(match.group(1))
    sub = chinese_number(match.group(2)) if match.group(2) else 0
    if article is None or sub is None:
        return None
    return article, sub


def names_article(label: str | None, asked: str) -> bool:
    """Whether `asked` as a lawyer types it (`43`, `art. 43`, `120-1`) names the article labelled `label`
    (`第四十三条`, `第一百二十条之一`): `kb matter add-passage ID "PRC-监察法-2018-03-20 § 43"` finds article 43."""
    m = re.fullmatch(r"(?:art(?:icle)?\.?\s*)?(\d{1,4})(?:-(\d{1,3}))?", asked.strip(), re.I)
    return bool(m) and article_number(label or "") == (int(m[1]), int(m[2] or 0))


def article_label(article: int, sub: int = 0) -> str:
    """`(120, 1)` → `art. 120-1`: the English versions' numbering of an inserted article."""
    return f"art. {article}" + (f"-{sub}" if sub else "")
