"""Turning stored text into something safe to show.

Document text comes from outside (HUDOC, PDFs, uploads): it is never given to the browser as HTML or
Markdown. `safe_html` escapes every character that HTML *or* Markdown/LaTeX would interpret, so the only
markup on the page is the `<mark>` and `<div>` this module writes itself.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'`*_[](){}#+-.!|~\\$:=/"}
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it of on or that the this to was were with v vs not no "
    "article art".split()
)
_CJK = re.compile(r"[\u3400-\u9fff]")


def escape(text: str) -> str:
    """Every HTML- or Markdown-significant character as a numeric entity; newlines as line breaks."""
    out = "".join(_ENTITIES.get(c, c) for c in text)
    return out.replace("\r\n", "\n").replace("\n", "<br>")


def query_terms(query: str) -> list[str]:
    """The words worth highlighting: longer words first so `extradition` wins over `extra`."""
    words = re.findall(r"[\w\u3400-\u9fff]+", query.lower())
    terms = {w for w in words if (len(w) >= 3 or _CJK.search(w)) and w not in _STOPWORDS}
    return sorted(terms, key=len, reverse=True)


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    parts = []
    for term in terms:
        if _CJK.search(term):
            parts.append(re.escape(term))
        else:
            stem = term[: max(4, len(term) - 3)] if len(term) > 6 else term
            parts.append(rf"\b{re.escape(stem)}\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def highlight(text: str, query: str) -> str:
    """Escaped `text` with the query's words (and their inflections: extradite/extradition) in `<mark>`."""
    pattern = _term_pattern(query_terms(query))
    if pattern is None:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last: match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def paragraph_block(text: str, query: str = "", focus: bool = False) -> str:
    """One paragraph as an HTML block built only from escaped text; `focus` draws the reader's eye to it."""
    style = "border-left:4px solid #d97706;padding-left:0.75em;background:#fffbeb" if focus else ""
    element_id = ' id="kb-focus"' if focus else ""
    return f'<div class="kb-para"{element_id} style="{style}">{highlight(text, query)}</div>'


def source_button(container, url: str | None, key: str) -> None:
    """HUDOC and publishers' pages open as links; a local source file (the corpus, an upload) is offered as a
    download instead, because a browser will not open a file:// link from a web page."""
    if not url:
        return
    if not url.startswith("file://"):
        container.link_button("Source", url)
        return
    path = Path(url2pathname(urlparse(url).path))
    if path.is_file():
        # read on click, not on every rerun: a report PDF is megabytes
        container.download_button("Source file", data=partial(path.read_bytes), file_name=path.name,
                                  key=key, on_click="ignore")
