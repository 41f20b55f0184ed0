"""Text helpers shared by the loaders that see raw text (PDF, plain text, Markdown, HTML, DOCX, UK XML).

They only normalise whitespace and re-join hard-wrapped lines: paragraph text must stay quotable verbatim.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import PurePath

_CJK_RANGES = (
    (0x3000, 0x303F),  # CJK punctuation
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),  # full-width forms
    (0x20000, 0x2FA1F),
)

_WS = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_HAS_WORD = re.compile(r"[^\W_]")


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def detect_language(text: str) -> str:
    """`zh` when most letters are CJK characters, else `en`; corpus documents are only ever one of the two. ASCII
    text holds no CJK character: `en` without the pass over its characters (each question's `meaning` asks, ~0.3 ms)."""
    if text.isascii():
        return "en"
    cjk = sum(1 for ch in text if is_cjk(ch) and ch.isalpha())
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk and cjk >= latin else "en"


def normalise_ws(text: str) -> str:
    """Collapse every run of whitespace (non-breaking and ideographic spaces included) to one space and drop
    invisible characters (zero-width spaces, stray BOMs, soft hyphens) that would split words for search."""
    return _WS.sub(" ", _INVISIBLE.sub("", text)).strip()


def has_words(text: str) -> bool:
    """True when the text holds at least one letter, digit or CJK character (not just rules or punctuation)."""
    return bool(_HAS_WORD.search(text))


def join_lines(lines: Iterable[str]) -> str:
    """Re-join hard-wrapped lines of one paragraph.

    A line ending in a hyphen is joined without a space and keeps its hyphen (`ill-` + `treatment`), since
    we cannot tell a line-break hyphen from a real one; lines are joined without a space between CJK text.
    """
    out = ""
    for raw in lines:
        line = normalise_ws(raw)
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("-") or (is_cjk(out[-1]) and is_cjk(line[0])):
            out += line
        else:
            out += " " + line
    return out


def split_blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks, each a list of its non-empty lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


class NumberSequence:
    """Accepts a document's own paragraph numbers only when they continue the running sequence.

    A `1.` inside a numbered list or a `2018.` at a line start would otherwise be taken for paragraph numbers;
    up to `max_gap` numbers may be missing (lost in extraction) before a number is no longer believed.
    """

    def __init__(self, max_gap: int = 3, max_first: int = 3) -> None:
        if max_gap < 1 or max_first < 1:
            raise ValueError("max_gap and max_first must be at least 1")
        self.max_gap = max_gap
        self.max_first = max_first
        self.last: int | None = None

    def accepts(self, number: int) -> bool:
        if self.last is None:
            return 1 <= number <= self.max_first
        return 1 <= number - self.last <= self.max_gap

    def is_next(self, number: int) -> bool:
        """Whether `number` is the very next one: the stricter test for a number that may as well be quoted text's."""
        return number == (self.last or 0) + 1

    def take(self, number: int | None) -> str | None:
        """The number as a string when it continues the sequence (and advances it), else None."""
        if number is None or not self.accepts(number):
            return None
        self.last = number
        return str(number)


def file_doc_id(prefix: str, source_file: str) -> str:
    """A stable id for a document that has no identifier of its own, built from where it sits in the corpus.

    `campaigns/freekaili/_posts/2021-02-11-WGAD.md` → `CAMPAIGN-freekaili/_posts/2021-02-11-WGAD` (the first
    folder is the manifest source and is dropped). A file outside the corpus (absolute path) gets its stem
    plus a short hash of the full path, so two uploads called `notes.pdf` do not collide.
    """
    path = PurePath(source_file)
    if path.is_absolute():
        digest = hashlib.sha256(source_file.encode("utf-8")).hexdigest()[:8]
        return f"{prefix}-{path.stem}-{digest}"
    parts = path.with_suffix("").parts
    if len(parts) > 1:
        parts = parts[1:]
    return f"{prefix}-{'/'.join(parts)}"


def source_collection(source_file: str) -> str:
    """The folder a file sits in under its manifest source: for a campaign page, the campaign site it belongs to
    (`campaigns/free-xueq-jianb/source/_posts/0214_en.md` → `free-xueq-jianb`), one organisation's account. Empty for
    a file outside the corpus (absolute path) or directly in its source's folder."""
    path = PurePath(source_file)
    return path.parts[1] if len(path.parts) > 2 and not path.is_absolute() else ""


DOC_ID_PREFIX = {"report": "REPORT", "campaign": "CAMPAIGN", "upload": "UPLOAD", "national": "NATIONAL", "un": "UN"}


def doc_id_prefix(kind: str) -> str:
    return DOC_ID_PREFIX.get(kind, kind.upper() or "DOC")
