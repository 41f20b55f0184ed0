"""Turning stored text into something safe to show.

Document text comes from outside (HUDOC, PDFs, uploads): it is never given to the browser as HTML or
Markdown. `escape` (`legal.text.html_text`) encodes every character that HTML *or* Markdown/LaTeX would
interpret, so the only markup on the page is the `<mark>`, `<div>` and headings this module writes itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from kb.api import role_label
from kb.settings import Settings
from legal.text import STOPWORDS, html_text, http_url

escape = html_text
_STOPWORDS = STOPWORDS | {"v", "vs", "article", "art"}
"""Words not worth highlighting: function words, and the words of every case name and Convention article."""
_CJK = re.compile(r"[\u3400-\u9fff]")


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


BADGE_COLOURS = {"court": "green", "operative": "green", "facts": "gray", "procedure": "gray", "header": "gray"}
"""Badge colour by role: green for the Court's own view, orange (the default) for everyone else speaking."""


def role_badge(container, role: str | None) -> None:
    """Who is speaking in an ECtHR passage (`kb.api.role_label`), as a coloured badge; nothing for other sources."""
    label = role_label(role)
    if label:
        container.badge(label, color=BADGE_COLOURS.get(role or "", "orange"))


def heading(container, text: str, level: int = 3) -> None:
    """A heading showing a document title or matter name literally (`st.subheader` would read it as Markdown)."""
    container.markdown(f'<h{level} class="kb-heading">{escape(" ".join(text.split()))}</h{level}>',
                       unsafe_allow_html=True)


def servable(path: Path, roots: Iterable[Path]) -> bool:
    """Whether the app may hand `path` out as a download: a regular file under one of the configured source folders
    (corpus, drop folder, uploads), after resolving links, so a stored `file:///etc/passwd` serves nothing."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return resolved.is_file() and any(resolved.is_relative_to(root.resolve()) for root in roots)


def source_roots(settings: Settings) -> list[Path]:
    """The folders whose files the app may serve: the corpus, the drop folder and the uploads."""
    return [p for p in (settings.corpus, settings.drop, settings.uploads) if p is not None]


def source_button(container, url: str | None, key: str, source: Path | None = None,
                  roots: Iterable[Path] = ()) -> None:
    """"Source" opens the document's page (HUDOC, the treaty body, Find Case Law, the publisher: the same link the
    CLI and the MCP tools give); the file it was read from (the corpus, an upload) is offered as a download beside
    it, because a browser will not open a file:// link from a web page. Only http(s) links and files under `roots`
    are offered."""
    link = http_url(url)
    if link:
        container.link_button("Source", link)
    if source is not None and servable(source, roots):
        # read on click, not on every rerun: a report PDF is megabytes
        container.download_button("Source file", data=partial(source.read_bytes), file_name=source.name,
                                  key=key, on_click="ignore")


def fill_bar(status: dict) -> tuple[float, str]:
    """The share of passages with a dense vector and the bar's words: counts, and while `kb embed` runs its time
    left, e.g. "Embedding passages: 133,704 of 326,108 (41 %), about 50 min left"."""
    text = (f"Embedding passages: {status['embedded']:,} of {status['total']:,} "
            f"({100 * status['share']:.0f} %)")
    if status["running"] and status["eta_seconds"]:
        minutes = status["eta_seconds"] / 60
        text += f", about {minutes:.0f} min left" if minutes >= 1 else ", under a minute left"
    elif status["running"]:
        text += ", time left after the first round"
    else:
        text += ", paused: `kb embed` (or `make run`) goes on"
    return min(max(status["share"], 0.0), 1.0), text


def modes_line(status: dict, scope: str) -> str:
    """Which search modes see what, e.g. "Ranked and BM25: whole corpus; hybrid/dense: 41 % embedded": dense vectors
    are filled in by `kb embed` after a sparse-first ingest, and a lawyer choosing a mode must know."""
    if status["embedded"] >= status["total"]:
        return f"Every search mode: {scope}."
    line = (f"Ranked and BM25: {scope}; hybrid/dense: {100 * status['share']:.0f} % embedded "
            f"({status['embedded']:,} of {status['total']:,} passages")
    if status["running"] and status["eta_seconds"]:
        minutes = status["eta_seconds"] / 60
        line += f", about {minutes:.0f} min left" if minutes >= 1 else ", under a minute left"
    elif status["running"]:  # its first round: what a new user saw as a bare "0 % embedded." (bench/first_run.py)
        line += "; `kb embed` is filling in the rest and says the time left after its first round"
    else:
        line += "; `kb embed` fills in the rest"
    return line + ")."
