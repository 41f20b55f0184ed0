"""New ECtHR judgments from HUDOC, through its public (keyless) query and document-conversion endpoints.

* query: `GET {base}/app/query/results?query=<HUDOC query>&select=<columns>&sort=kpdate Ascending&start=N&length=M`
  answers `{"resultcount": N, "results": [{"columns": {"itemid": "001-…", "docname": …, "kpdate": …}}]}`.
  The query language is HUDOC's own: `contentsitename:ECHR AND (languageisocode="ENG") AND
  (kpdate>="2010-01-01T00:00:00.0Z" AND kpdate<="2010-12-31T00:00:00.0Z") AND (article="3")`;
  `respondent` holds ISO 3166 alpha-3 codes (`GBR`), `article` and `appno` are `;`-joined lists.
* document: `GET {base}/app/conversion/docx/html/body?library=ECHR&id=<itemid>` answers the judgment as an
  HTML fragment, one `<p>` per paragraph of the Word original (204 No Content when HUDOC cannot convert it).

A judgment becomes the same `SourceDocument` the corpus loader makes of an ECtHR record (same doc id = itemid,
paragraph numbers, sections, case name), so its citations read like every other ECtHR citation.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import lxml.html
from haystack import component

from ingest.loaders.checks import check_fields, checked
from ingest.loaders.echr import HUDOC_ITEM_URL, articles_from_text, case_name, split_paragraphs, with_roles
from ingest.loaders.text_blocks import normalise_ws
from ingest.model import SourceDocument
from legal.errors import BadInputError, KbError, UsageError
from legal.states import MEMBER_STATES
from legal.text import leading_number

SELECT = ("itemid,docname,doctype,appno,conclusion,importance,kpdate,respondent,article,ecli,languageisocode,"
          "documentcollectionid2,doctypebranch,separateopinion")
PAGE = 100
USER_AGENT = "extradition-kb (kb update; +https://hudoc.echr.coe.int)"

DOCTYPE_BY_COLLECTION = {"JUDGMENTS": "JUDGMENT", "DECISIONS": "DECISION", "COMMUNICATEDCASES": "COMMUNICATED_CASE"}


class HudocError(KbError):
    """HUDOC (or the configured stand-in) could not be reached or answered something unreadable."""


@dataclass(frozen=True)
class HudocQuery:
    """Which judgments to fetch: a date range (inclusive), optionally Convention articles and respondent states."""

    date_from: str
    date_to: str
    articles: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    collections: tuple[str, ...] = ("JUDGMENTS",)
    max_documents: int | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            try:
                date.fromisoformat(getattr(self, name))
            except (TypeError, ValueError):
                raise UsageError(f"HUDOC {name}={getattr(self, name)!r} is not a date; use YYYY-MM-DD") from None
        if self.date_from > self.date_to:
            raise UsageError(f"HUDOC date range {self.date_from} to {self.date_to} is empty")
        for state in self.states:
            if state_code(state) is None:
                raise UsageError(f"unknown respondent state {state!r}; use a HUDOC code or name: "
                                 f"{', '.join(sorted(MEMBER_STATES))}")
        for collection in self.collections:
            if collection not in DOCTYPE_BY_COLLECTION:
                raise UsageError(f"unknown HUDOC collection {collection!r}; valid: {', '.join(DOCTYPE_BY_COLLECTION)}")

    def hudoc_query(self) -> str:
        """The query string in HUDOC's syntax (what the HUDOC web page sends for the same search)."""
        parts = [
            "contentsitename:ECHR",
            "(NOT (doctype=PR OR doctype=HFCOMOLD OR doctype=HECOMOLD))",
            '(languageisocode="ENG")',
            "(" + " OR ".join(f'(documentcollectionid2="{c}")' for c in self.collections) + ")",
            f'(kpdate>="{self.date_from}T00:00:00.0Z" AND kpdate<="{self.date_to}T00:00:00.0Z")',
        ]
        if self.articles:
            parts.append("(" + " OR ".join(f'(article="{a}")' for a in self.articles) + ")")
        if self.states:
            parts.append("(" + " OR ".join(f'(respondent="{state_code(s)}")' for s in self.states) + ")")
        return " AND ".join(parts)


def state_code(state: str) -> str | None:
    upper = state.strip().upper()
    if upper in MEMBER_STATES:
        return upper
    return next((code for code, name in MEMBER_STATES.items() if name.upper() == upper), None)


class HudocClient:
    """HTTP against HUDOC (or a stand-in at another base URL), with a pause between calls to be a polite client."""

    def __init__(self, base_url: str, timeout: float = 60.0, pause: float = 0.5, retries: int = 3) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.pause = pause
        self.retries = retries
        self._last = 0.0

    def _get(self, path: str, params: dict[str, str | int]) -> tuple[int, bytes]:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params, quote_via=urllib.parse.quote)}"
        for attempt in range(self.retries):
            wait = self._last + self.pause - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            try:
                request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as exc:
                if exc.code < 500 or attempt == self.retries - 1:
                    raise HudocError(f"HUDOC answered {exc.code} for {url}; check KB_HUDOC_URL and the query") from exc
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt == self.retries - 1:
                    raise HudocError(f"HUDOC unreachable at {self.base_url} ({exc}); check the network or "
                                     "KB_HUDOC_URL, then re-run `kb update` (finished documents are kept)") from exc
            time.sleep(2**attempt)
        raise AssertionError("unreachable")

    def search(self, query: HudocQuery) -> Iterator[dict]:
        """The metadata columns of every matching document, oldest first, page by page."""
        start, seen = 0, 0
        while True:
            _, body = self._get("/app/query/results", {
                "query": query.hudoc_query(), "select": SELECT, "sort": "kpdate Ascending",
                "start": start, "length": PAGE})
            try:
                data = json.loads(body)
                total = int(data["resultcount"])
                rows = [r["columns"] for r in data["results"]]
            except (ValueError, KeyError, TypeError) as exc:
                raise HudocError(f"HUDOC query answer is not the expected JSON ({exc}): {body[:200]!r}") from exc
            for columns in rows:
                yield columns
                seen += 1
                if query.max_documents is not None and seen >= query.max_documents:
                    return
            start += len(rows)
            if not rows or start >= total:
                return

    def body(self, itemid: str) -> str | None:
        """The judgment's HTML, or None when HUDOC holds no convertible text for it."""
        status, body = self._get("/app/conversion/docx/html/body", {"library": "ECHR", "id": itemid})
        if status == 204 or not body.strip():
            return None
        return body.decode("utf-8", errors="replace")


def html_paragraphs(html: str) -> list[str]:
    """The text of each paragraph of HUDOC's HTML, in order, whitespace normalised (as the corpus records are)."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter("script", "style"):
        element.drop_tree()
    texts = []
    for element in root.iter("p", "li", "h1", "h2", "h3", "h4", "h5", "h6"):
        if any(child.tag in ("p", "li") for child in element.iterdescendants()):
            continue
        text = normalise_ws(element.text_content())
        if text:
            texts.append(text)
    return texts


def paragraph_numbers(texts: list[str]) -> list[int | None]:
    """The Court's numbering: the longest +1 run of paragraphs starting `N.` (gaps of up to 3 tolerated).

    Headings (`1. The applicant`) and operative-part items (`1. Holds …`) also start with a number; they
    fall outside the longest run, as in the corpus's `paragraph_numbers`.
    """
    leading = [leading_number(t, alone=True) for t in texts]
    best: list[int] = []
    for start, first in enumerate(leading):
        if first != 1:
            continue
        run, last = [start], 1
        for i in range(start + 1, len(leading)):
            n = leading[i]
            if n is not None and 1 <= n - last <= 4:
                run.append(i)
                last = n
        if len(run) > len(best):
            best = run
    numbers: list[int | None] = [None] * len(texts)
    for i in best:
        numbers[i] = leading[i]
    return numbers


def to_document(columns: dict, html: str) -> SourceDocument:
    """A HUDOC document as the corpus's ECtHR loader would have read it."""
    itemid = str(columns.get("itemid") or "")
    if not re.fullmatch(r"\d{3}-\d+", itemid):
        raise BadInputError(f"hudoc:{itemid or '?'}", "HUDOC result without an itemid")
    where = f"hudoc:{itemid}"
    check_fields(where, columns, dict.fromkeys(("docname", "respondent", "kpdate", "importance", "article", "appno",
                                                "documentcollectionid2", "doctypebranch", "ecli", "conclusion"),
                                               (str, int)))
    texts = html_paragraphs(html)
    if not texts:
        raise BadInputError(f"hudoc:{itemid}", "HUDOC returned no paragraphs of text")
    states = [MEMBER_STATES.get(c.strip(), c.strip()) for c in str(columns.get("respondent") or "").split(";")
              if c.strip()]
    kpdate = str(columns.get("kpdate") or "")[:10] or None
    importance = str(columns.get("importance") or "").strip()
    collections = {c.strip().upper() for c in str(columns.get("documentcollectionid2") or "").split(";")}
    doc_type = next((t for c, t in DOCTYPE_BY_COLLECTION.items() if c in collections), "JUDGMENT")
    branch = str(columns.get("doctypebranch") or "").upper()
    articles = [a for a in str(columns.get("article") or "").split(";") if a]
    articles_source = "metadata:hudoc" if articles else None
    if not articles:
        articles, articles_source = articles_from_text(texts, doc_type)
    return checked(where, SourceDocument(
        doc_id=itemid,
        title=case_name(columns.get("docname"), states),
        court="ECtHR",
        doc_type=doc_type,
        source_kind="echr",
        source_file=f"hudoc:{itemid}",
        paragraphs=with_roles(split_paragraphs(texts, paragraph_numbers(texts)), doc_type),
        date=kpdate,
        language="en",
        respondent_state=states,
        articles=articles,
        importance=int(importance) if importance.isdigit() else None,
        appno=[a for a in str(columns.get("appno") or "").split(";") if a],
        url=HUDOC_ITEM_URL.format(itemid=itemid),
        extra={"hudoc_doctype": branch or None, "ecli": columns.get("ecli") or None,
               "conclusion": columns.get("conclusion") or None, "grand_chamber": branch == "GRANDCHAMBER",
               "raw_title": columns.get("docname"), "articles_source": articles_source},
    ))


@component
class HudocFetcher:
    """Pipeline step: a HUDOC query in, the matching judgments out as `SourceDocument`s, failures named."""

    def __init__(self, base_url: str, pause: float = 0.5) -> None:
        self.client = HudocClient(base_url, pause=pause)

    @component.output_types(documents=list[SourceDocument], failures=list[tuple[str, str]])
    def run(self, query: HudocQuery) -> dict:
        documents, failures = [], []
        for doc in self.iter(query, failures):
            documents.append(doc)
        return {"documents": documents, "failures": failures}

    def iter(self, query: HudocQuery, failures: list[tuple[str, str]]) -> Iterator[SourceDocument]:
        """Lazily, so a long date range streams into the update instead of sitting in memory."""
        for columns in self.client.search(query):
            itemid = str(columns.get("itemid") or "?")
            html = self.client.body(itemid)
            if html is None:
                failures.append((f"hudoc:{itemid}", "HUDOC has no convertible text for this item (204)"))
                continue
            try:
                yield to_document(columns, html)
            except BadInputError as exc:
                failures.append((exc.path, exc.reason))
