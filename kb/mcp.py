"""`kb mcp`: the knowledge base as a Model Context Protocol server, for drafting assistants (stdio or HTTP).

Why: a drafting assistant speaks MCP, not our Python API. Each tool is a thin call into `kb.api.KnowledgeBase`
(nothing here reaches past it) with typed inputs and a structured result, so the assistant receives pinpoint
citations, links and check results as data rather than prose it might misread. The conventions are those of the
official CourtListener MCP server: every tool annotated (read-only or not, destructive or not), an explained argument
everywhere, long documents read in pages (`read_document`, `search_document`), and instructions on how to cite.

Ready at once: the store and the model load in a background thread from the start (~10 s here); a tool that needs
them before then answers within a second that the knowledge base is loading and when to retry, and the tools that
need neither (the matters) answer at once. No call blocks another: every call runs in a worker thread with a time
limit (`KB_MCP_TIMEOUT`); the citation grammar is linear in the text, so no call holds the interpreter for long.

Bad arguments come back as tool errors (`isError`) that name the argument and its valid values, never echo a long
argument whole and never show a path of this machine. A crash inside a tool reaches the client as the SDK's generic
tool error, never as a traceback.

    kb mcp                        # stdio, until the client closes the pipe
    kb mcp --http 127.0.0.1:8765  # streamable HTTP at http://127.0.0.1:8765/mcp
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from difflib import get_close_matches
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import anyio
import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError, UnexpectedToolError
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kb.api import Assurance, CollectedPassage, Hit, KbError, KnowledgeBase, Matter, passage_role
from kb.requests import FILTER_ARGUMENTS, SearchFilters, filter_values, search_filters
from kb.settings import PROJECT_ROOT, Settings

INSTRUCTIONS = """\
Extradition-defence knowledge base: ECtHR case law, UN treaty-body General Comments, UK judgments, PRC statutes and
reports. How to cite:
- Cite only passages a tool returned, with the `citation` it gave, verbatim: it is the court's own style with the
  pinpoint (`Saadi v. Italy [GC], no. 37201/06, § 125, 28 February 2008`; `[45]` for UK judgments; `para. 12` for
  General Comments; `art. 22` for PRC statutes). Never write a citation or a quotation from memory.
- Quote the passage's `text` exactly; mark an omission `[…]`. Only a passage whose `role` is `court` is the
  Court's view. One whose `role` is `party` is a party's submission, and an ECtHR passage whose `role` is `other` is
  the facts, quoted law or a separate opinion (`speaker` says which): quote them for what they are, never as a
  holding.
- Give the reader the `url` (HUDOC, the treaty body, Find Case Law, the publisher) so they can check the source.
- Run `check_citations` on anything you draft before relying on it, and fix every problem it reports.
Workflow: `search` → `show` or `read_document` → `matter_create` → `matter_add_passage` (a chunk_id or a citation;
`adverse: true` for the other side's authority) → `draft` → `check_citations` on the draft. If a tool answers that
the knowledge base is loading, call it again after the seconds it names (`status` shows progress)."""

MAX_LIMIT = 50
MAX_PAGE = 100
MAX_TEXT = 500_000
"""Characters `check_citations` takes: a 200-page brief; reading its citations takes ~3 µs a character here."""
WAIT_SECONDS = 0.25
"""How long a call made while loading waits before answering "loading": the answer stays within a second."""
STAGE_SECONDS = {"store": 2.0, "search": 9.0}
"""Typical seconds each loading stage takes here (`bench/mcp_latency.py`), for the "retry in N s" estimate."""
ERROR_CHARS = 400
DOC_ID = Field(min_length=1, max_length=200, description="a document id from a result, e.g. HEJUD-37201-06")
MATTER_ID = Field(min_length=1, max_length=100, description="a matter id, as matter_list or matter_create give it")
CHUNK_ID = Field(min_length=1, max_length=100, description="the chunk_id of a collected passage (matter_show)")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

T = TypeVar("T")
log = logging.getLogger(__name__)

ParagraphArg = Annotated[str | int | None, Field(description="paragraph number as printed, e.g. 125 or '125'; "
                                                             "'fn3' for a report's footnote")]
Values = Annotated[str | list[str] | None, Field(description="one value or a list of values")]


def package_version() -> str:
    try:
        return version("extradition-kb")
    except PackageNotFoundError:
        return "0+unknown"


def web_link(url: str | None) -> str | None:
    """Only links a person can open leave the server: a stored file:// link of an old matter file does not."""
    return url if url and url.startswith(("https://", "http://")) else None


def doc_uri(doc_id: str, paragraph: str | None = None) -> str:
    """The resource URI of a document or one of its paragraphs (`kb://doc/HEJUD-37201-06/para/125`)."""
    uri = f"kb://doc/{quote(doc_id, safe='')}"
    return f"{uri}/para/{quote(str(paragraph), safe='')}" if paragraph else uri


# Results ---------------------------------------------------------------------------------------------------------

class Passage(BaseModel):
    """A passage as a lawyer quotes it: the text, its pinpoint citation, where it sits and where to read it."""

    citation: str = Field(description="the pinpoint citation in the court's own style: cite it verbatim")
    text: str
    doc_id: str
    paragraph: str | None
    chunk_id: str = Field(description="matter_add_passage takes it")
    role: str = Field(description="court: the Strasbourg Court's own reasoning or ruling, the only passages to cite "
                                  "as what the Court held; party: a party's or intervener's submission, never the "
                                  "Court's view; other: in an ECtHR document the facts, quoted law, the Commission, "
                                  "the Chamber, a separate opinion or a summary (`speaker` says which), none of them "
                                  "the Court's view; outside the ECtHR every passage, cited as its author's own "
                                  "words (a UN committee, a national court, a statute, a report: `source_kind`)")
    speaker: str | None = Field(None, description="who speaks in an ECtHR passage, as the app's badge says it: "
                                                  "'The Court's assessment', 'Facts of the case', 'Government's "
                                                  "submission, not the Court's view', 'Separate opinion, not the "
                                                  "Court's view' …; null outside the ECtHR")
    matched_terms: list[str] = Field([], description="for a Chinese passage found from English words, the legal "
                                                     "terms it holds in English and Chinese ('liuzhi → 留置'): the "
                                                     "store has no English text of a PRC statute's articles, so say "
                                                     "what the article provides in your own words and quote the "
                                                     "Chinese")
    section: str | None = None
    heading: str | None = None
    source_kind: str | None = None
    doc_type: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = Field(None, description="HUDOC, the treaty body's page, Find Case Law, the publisher or the "
                                              "public copy of the file; null when there is none")
    resource: str = Field(description="the paragraph as an MCP resource (kb://doc/{doc_id}/para/{n})")


class SearchResult(BaseModel):
    query: str
    passages: list[Passage]
    partial_dense: str | None = Field(None, description="set when a hybrid or dense search (or hybrid search "
                                                        "completing a short ranked list) ran over a store whose dense "
                                                        "vectors are still being filled in: what it could miss")


class CitingParagraph(BaseModel):
    doc_id: str
    paragraph: str
    title: str | None
    date: str | None
    raw: str = Field(description="the citation as the citing judgment wrote it")


class DocumentResult(BaseModel):
    doc_id: str
    citation: str
    url: str | None
    paragraph: str | None = Field(description="the paragraph asked for, if any")
    paragraphs: list[Passage] = Field(description="the paragraph and its neighbours, or the document's first page")
    cited_by: list[CitingParagraph] = Field(description="later ECtHR paragraphs citing this one (needs the "
                                                        "citation graph: `kb citations build`)")


class DocumentPage(BaseModel):
    doc_id: str
    citation: str
    title: str | None
    url: str | None
    total: int = Field(description="paragraphs in the document")
    cursor: int = Field(description="index of the first paragraph on this page")
    paragraphs: list[Passage]
    next_cursor: int | None = Field(description="pass as `cursor` for the next page; null at the end")


class CiteResult(BaseModel):
    citation: str
    doc_id: str
    paragraph: str | None
    url: str | None


class QuoteGrade(BaseModel):
    quote: str
    grade: str = Field(description="verbatim, near, differs, not_found, or translation (not compared)")
    missing: list[str] = Field([], description="the quotation's words that are not in the source")
    found_at: str | None = Field(None, description="where the text does occur, when not at the pinpoint")
    differences: list[str] = Field([], description="for `near`: where the quotation departs from the source, in the "
                                                   "brief's and the source's own words, e.g. “basic” for the "
                                                   "source's “fundamental”, “most” left out")
    changes: list[dict] = Field([], description="the same with their places: `said` at `said_span` of the quotation, "
                                               "`source` at `source_span` of the source text aligned with")


class CitationCheck(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(description="the citation as written")
    line: int
    status: str = Field(description="verified, or the problem: not_in_corpus, ambiguous, name_number_mismatch, "
                                    "date_mismatch, pinpoint_missing, quote_differs, quote_not_found")
    reason: str
    kind: str
    doc_id: str | None = None
    citation: str | None = Field(None, description="the corpus document's own citation")
    paragraphs: list[str] = []
    quotes: list[str] = []
    quote_found_at: list[str] = []
    url: str | None = None
    where: str = Field("", description="where the citation stands: `line 12`, `[51]`, `footnote 3 (line 40)`")
    quote_grades: list[QuoteGrade] = []
    quote_match: str | None = Field(None, description="for a verified citation with quotations: `verbatim`, or "
                                                      "`close` (close to the source, not verbatim: tell the lawyer "
                                                      "the differences)")
    candidates: list[str] = Field([], description="for `ambiguous`: the documents the citation could mean")
    suggestions: list[str] = Field([], description="for a name the store does not hold: the stored cases against the "
                                                   "same state spelt closest; a suggestion, never a match")


class MissingAuthority(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ground: str
    label: str
    doc_id: str
    citation: str
    url: str | None


class CheckResult(BaseModel):
    citations: list[CitationCheck]
    counts: dict[str, int]
    problems: int = Field(description="citations that are not verified")
    grounds: list[str] = Field(description="the grounds the text argues")
    missing: list[MissingAuthority] = Field(description="leading authorities for those grounds it does not cite")


class MatterSummary(BaseModel):
    id: str
    name: str
    requesting_state: str
    offence: str
    passages: int
    updated: str


class MatterList(BaseModel):
    matters: list[MatterSummary]


class AssuranceArg(BaseModel):
    """A diplomatic assurance the requesting state offered."""

    text: str = Field(min_length=1, max_length=5_000, description="its words, e.g. 'will not be subjected to "
                                                                  "torture'")
    giver: str = Field("", max_length=500, description="who gave it, e.g. 'Ministry of Public Security'")
    date: str = Field("", max_length=50, description="when, YYYY-MM-DD")


class MatterDetail(BaseModel):
    id: str
    name: str
    client: str
    requesting_state: str
    offence: str
    penalty: str
    risk_factors: str
    notes: str
    grounds: dict[str, str] = Field(description="the grounds argued, id → label; matter_add_passage takes the id")
    available_grounds: list[str] = Field(description="every ground id a passage may be filed under")
    assurances: list[AssuranceArg]
    passages: list[CollectedPassage] = Field(description="the collected passages, as the matter file keeps them")
    updated: str


class Footnote(BaseModel):
    id: int
    citation: str
    url: str | None


class DraftResult(BaseModel):
    matter_id: str
    title: str
    markdown: str = Field(description="the draft argument with [^n] footnotes and the table of authorities")
    footnotes: list[Footnote]
    warnings: list[str]
    docx: str = Field(description="the same draft as a Word document: read this resource URI")


class Removed(BaseModel):
    matter_id: str
    chunk_id: str
    removed: int = Field(description="how many filings of the passage were removed (0: it was not filed there)")


class Status(BaseModel):
    version: str
    ready: bool = Field(description="true once search, show and check can answer")
    loading: str | None = Field(description="what is still loading, if anything")
    seconds: float = Field(description="seconds since the server started")
    error: str | None = Field(None, description="why the knowledge base could not be opened")
    passages: int | None = Field(None, description="passages (paragraphs) in the store, once it is open")


def _passage(hit: Hit) -> Passage:
    return Passage(citation=hit.citation, text=hit.text, doc_id=hit.doc_id, paragraph=hit.paragraph,
                   chunk_id=hit.chunk_id, role=passage_role(hit), speaker=hit.role_label,
                   matched_terms=hit.matched_terms, section=hit.section,
                   heading=hit.heading, source_kind=hit.source_kind, doc_type=hit.doc_type, title=hit.title,
                   date=hit.date, url=web_link(hit.url), resource=doc_uri(hit.doc_id, hit.paragraph))


def _collected(p: CollectedPassage) -> CollectedPassage:
    return CollectedPassage(**{**asdict(p), "url": web_link(p.url)})


def _paragraph(value: str | int | None) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()


# Loading in the background ----------------------------------------------------------------------------------------

STAGES = ("store", "search")


class Loader:
    """Opens the store, then loads the model and warms the ranked search, in a background thread started with the
    server, so `initialize` and the first tool call answer at once; `need(stage)` hands the knowledge base to a call
    once that stage is done, or answers that it is loading."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.started = time.monotonic()
        self.done: dict[str, float] = {}
        self.error: str | None = None
        self._events = {stage: threading.Event() for stage in STAGES}

    def start(self) -> Loader:
        threading.Thread(target=self._load, name="kb-loader", daemon=True).start()
        return self

    def _load(self) -> None:
        try:
            count = self.kb.store.count()
            self._reached("store")
            if count:
                self.kb.search("extradition real risk", limit=1)  # the model, BM25 and the ranking features
        except Exception as exc:  # reported to every call and by `status`, not raised in a thread nobody reads
            log.exception("loading the knowledge base failed")
            self.error = public_message(str(exc), self.kb.settings)
            for event in self._events.values():
                event.set()
            return
        self._reached("search")
        if count:
            try:  # the first check need not wait for the corpus index and the parsing child; a failure here is
                # the first check's to report
                self.kb.check("Saadi v. Italy [GC], no. 37201/06, § 125", missing=False, is_text=True)
            except KbError:
                log.warning("warming the citation checker failed", exc_info=True)

    def _reached(self, stage: str) -> None:
        self.done[stage] = time.monotonic() - self.started
        self._events[stage].set()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def loading(self) -> str | None:
        return next((stage for stage in STAGES if stage not in self.done), None) if self.error is None else None

    def need(self, stage: str) -> KnowledgeBase:
        """The knowledge base once `stage` is loaded; waits at most `WAIT_SECONDS`, then a tool error saying when to
        retry."""
        if not self._events[stage].wait(WAIT_SECONDS):
            left = sum(STAGE_SECONDS[s] for s in STAGES[: STAGES.index(stage) + 1] if s not in self.done)
            retry = max(1, round(left - (self.elapsed() - max(self.done.values(), default=0.0))))
            doing = "opening the store" if "store" not in self.done else "loading the model and the search indexes"
            raise ToolError(f"the knowledge base is still loading ({self.elapsed():.0f} s so far: {doing}); "
                            f"retry in about {retry} s")
        if self.error is not None:
            raise ToolError(f"the knowledge base could not be opened: {self.error}")
        return self.kb


def public_message(message: str, settings: Settings) -> str:
    """An error as a client may see it: this machine's folders named by their setting, not their path, and at most
    `ERROR_CHARS` characters (an argument a message quotes may be a whole pasted document)."""
    for folder, name in ((settings.store, "$KB_STORE"), (settings.home, "$KB_HOME"), (settings.corpus, "$KB_CORPUS"),
                         (PROJECT_ROOT, "<kb>"), (Path.home(), "~")):
        if folder is not None:
            message = message.replace(str(folder), name)
    return message if len(message) <= ERROR_CHARS else message[:ERROR_CHARS] + " …"


# Arguments the schema refuses ---------------------------------------------------------------------------------

class KbServer(MCPServer):
    """The SDK's server, but a call whose arguments do not fit the tool answers in the words of our other errors.

    Why: the SDK checks arguments against the tool's schema before the tool runs and answers with pydantic's own
    report ("1 validation error for searchArguments … [type=int_parsing, …] For further information visit
    https://errors.pydantic.dev/…"), which an assistant relays to the lawyer as it is. The SDK documents that such a
    `ToolError` carries the `ValidationError` as its cause, so the report is rebuilt here from the errors and the
    tool's published schema: the argument, the value given, what is expected. An argument the tool does not take
    (`limt`, `docid`) is refused too, naming the close match, rather than silently ignored."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> CallToolResult | Any:
        schema = next((t.input_schema for t in await self.list_tools() if t.name == name), None)
        if schema is not None:
            known = list(schema.get("properties", {}))
            unknown = [key for key in arguments if key not in known]
            if unknown:
                raise ToolError(f"Error executing tool {name}: " + "; ".join(_unknown(key, known) for key in unknown)
                                + f". Its arguments: {', '.join(known) or 'none'}")
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if schema is None or isinstance(exc, UnexpectedToolError) or not isinstance(exc.__cause__,
                                                                                        ValidationError):
                raise  # a crash inside the tool (one of our own models refusing a value) stays the SDK's
            raise ToolError(f"Error executing tool {name}: {argument_errors(exc.__cause__, schema)}") from None


def _unknown(key: str, known: list[str]) -> str:
    close = get_close_matches(key, known, n=1, cutoff=0.6)
    return f"no argument {key[:100]!r}" + (f" (did you mean {close[0]}?)" if close else "")


def argument_errors(error: ValidationError, schema: dict[str, Any]) -> str:
    """One plain sentence per argument pydantic refused: `limit: 500 given; expected a whole number from 1 to 50
    (passages to return, 1-50)`. The errors of one argument are one sentence: a value that fits no branch of
    `str | list[str]` is one mistake, not two."""
    sentences: dict[str, str] = {}
    for item in error.errors(include_url=False):
        path, field = _located(item["loc"], schema)
        if path in sentences:
            continue
        described = f" ({field['description']})" if field.get("description") else ""
        if item["type"] == "missing":
            sentences[path] = f"{path} is missing; expected {_expected(field, schema)}{described}"
        else:
            given = repr(item["input"])
            given = given if len(given) <= 100 else given[:100] + " …"
            sentences[path] = f"{path}: {given} given; expected {_expected(field, schema)}{described}"
    return "; ".join(sentences.values())


def _located(loc: tuple[int | str, ...], schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The argument an error's location names (`assurances[0].text`) and its schema; a union's branch label in the
    location (`kind.list[str]`) ends the walk at the argument itself."""
    path, field = "", schema
    for part in loc:
        field = _resolved(field, schema)
        options = [_resolved(o, schema) for o in field.get("anyOf", [field])]
        if isinstance(part, int) and any("items" in o for o in options):
            field = next(o["items"] for o in options if "items" in o)
            path += f"[{part}]"
        elif isinstance(part, str) and any(part in o.get("properties", {}) for o in options):
            field = next(o["properties"][part] for o in options if part in o.get("properties", {}))
            path += f".{part}" if path else part
        else:
            break
    return path, _resolved(field, schema)


def _resolved(field: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = field.get("$ref", "")
    return schema.get("$defs", {}).get(ref.rsplit("/", 1)[-1], field) if ref else field


def _expected(field: dict[str, Any], schema: dict[str, Any]) -> str:
    """What a JSON schema admits, in words: `text of 1 to 5,000 characters`, `one text or a list of texts`."""
    field = _resolved(field, schema)
    if "anyOf" in field:
        options = [o for o in field["anyOf"] if o.get("type") != "null"]
        return " or ".join(_expected(o, schema) for o in options)
    kind = field.get("type")
    if kind == "string":
        low, high = field.get("minLength"), field.get("maxLength")
        if high is not None:
            return f"text of {low or 0:,} to {high:,} characters" if low else f"text of at most {high:,} characters"
        return "non-empty text" if low else "text"
    if kind in ("integer", "number"):
        noun = "a whole number" if kind == "integer" else "a number"
        low, high = field.get("minimum"), field.get("maximum")
        if low is not None and high is not None:
            return f"{noun} from {low:g} to {high:g}"
        return noun + (f" of at least {low:g}" if low is not None else f" of at most {high:g}" if high is not None
                       else "")
    if kind == "boolean":
        return "true or false"
    if kind == "array":
        return f"a list of {_expected(field.get('items', {}), schema)}".replace("a list of text", "a list of texts")
    if kind == "object":
        required = field.get("required", [])
        return "an object with " + ", ".join(f"{key}{'' if key in required else ' (optional)'}"
                                             for key in field.get("properties", {}))
    return "a value"


# The server ---------------------------------------------------------------------------------------------------------

def build_server(kb: KnowledgeBase, loader: Loader | None = None) -> KbServer:
    """The server with every tool, resource and prompt bound to `kb`; `loader` (started by `serve`) tells the tools
    what has loaded. Without one, every stage counts as loaded (a caller that opened the store itself)."""
    settings = kb.settings
    loader = loader or _loaded(kb)
    server = KbServer("extradition-kb", title="Extradition-defence knowledge base", instructions=INSTRUCTIONS,
                       version=package_version(), log_level=settings.log_level)  # type: ignore[arg-type]

    def bounded(fn: Callable[..., T], errors: type[Exception] = ToolError) -> Callable[..., Any]:
        """`fn` run in a worker thread within `KB_MCP_TIMEOUT`, our errors turned into `errors` with a public
        message; the event loop keeps serving other calls meanwhile."""

        def call(**kwargs: Any) -> T:
            try:
                return fn(**kwargs)
            except ToolError as exc:
                raise errors(str(exc)) from None
            except (KbError, ValueError, FileNotFoundError) as exc:
                raise errors(public_message(str(exc), settings)) from None

        @functools.wraps(fn)
        async def run(**kwargs: Any) -> T:
            try:
                with anyio.fail_after(settings.mcp_timeout):
                    return await anyio.to_thread.run_sync(functools.partial(call, **kwargs), abandon_on_cancel=True)
            except TimeoutError:
                raise errors(f"{fn.__name__} did not finish within {settings.mcp_timeout:g} s (KB_MCP_TIMEOUT) and "
                             "was abandoned; narrow it (a lower limit, a shorter text) and retry") from None

        return run

    def tool(title: str, *, read_only: bool = True, destructive: bool = False, idempotent: bool = True):
        annotations = ToolAnnotations(title=title, read_only_hint=read_only, destructive_hint=destructive,
                                      idempotent_hint=idempotent, open_world_hint=False)

        def register(fn: Callable[..., T]) -> Callable[..., T]:
            server.add_tool(bounded(fn), title=title, annotations=annotations)
            return fn

        return register

    def check_values(argument: str, values: tuple[str, ...]) -> None:
        if not values:
            return
        known = [v for v, _ in kb.facets(FILTER_ARGUMENTS[argument][1], limit=500)]
        unknown = [v for v in values if v not in known]
        if unknown:
            shown = ", ".join(known[:40]) + (" …" if len(known) > 40 else "")
            raise ToolError(f"{argument}: {', '.join(repr(v[:100]) for v in unknown[:5])} is not in the store; "
                            f"valid values: {shown}")

    @tool("Status")
    def status() -> Status:
        """Whether the knowledge base has loaded, and what the store holds."""
        ready = "search" in loader.done and loader.error is None
        count = kb.store.count() if "store" in loader.done and loader.error is None else None
        return Status(version=package_version(), ready=ready, loading=loader.loading(), seconds=loader.elapsed(),
                      error=loader.error, passages=count)

    @tool("Search passages")
    def search(
        query: Annotated[str, Field(min_length=1, max_length=5_000,
                                    description="what the passage should say, in plain words, or a pasted passage")],
        kind: Annotated[Values, Field(description="source kinds: echr, un, national, prc-law, report, "
                                                  "campaign")] = None,
        doc_type: Annotated[Values, Field(description="JUDGMENT, DECISION, INFORMATION_NOTE, ...")] = None,
        court: Annotated[Values, Field(description="ECtHR, Committee against Torture, EWHC, ...")] = None,
        state: Annotated[Values, Field(description="respondent state, e.g. 'United Kingdom'")] = None,
        article: Annotated[Values, Field(description="Convention article, e.g. '3'")] = None,
        section: Annotated[Values, Field(description="THE LAW, THE FACTS, PROCEDURE, ...")] = None,
        language: Annotated[Values, Field(description="language code: en, zh")] = None,
        date_from: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        date_to: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        importance: Annotated[int | None, Field(ge=1, le=4, description="HUDOC importance at most N (1 = key "
                                                                        "cases)")] = None,
        grand_chamber: Annotated[bool | None, Field(description="true: Grand Chamber judgments only")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"passages to return, 1-{MAX_LIMIT}")] = 10,
        mode: Annotated[str, Field(description="ranked (best), hybrid, dense or bm25 (exact words)")] = "ranked",
    ) -> SearchResult:
        """Passages for a query, best first, each with its pinpoint citation, role, section, text and link."""
        kb = loader.need("search")
        given = {"kind": kind, "doc_type": doc_type, "court": court, "state": state, "article": article,
                 "section": section, "language": language}
        for argument, chosen in given.items():
            check_values(argument, filter_values(chosen))
        filters = search_filters(**given, date_from=date_from, date_to=date_to, importance=importance,
                                 grand_chamber=grand_chamber)
        hits = kb.search(query, filters, limit=limit, mode=mode)
        return SearchResult(query=query, passages=[_passage(h) for h in hits], partial_dense=hits.note())

    @tool("Show a paragraph in context")
    def show(
        doc_id: Annotated[str, DOC_ID],
        paragraph: ParagraphArg = None,
        context: Annotated[int, Field(ge=0, le=20, description="paragraphs either side")] = 2,
    ) -> DocumentResult:
        """A paragraph with its neighbours and the later paragraphs that cite it; without a paragraph, the document's
        first paragraphs (read_document pages through the rest)."""
        kb = loader.need("store")
        paragraph = _paragraph(paragraph)
        view = kb.show(doc_id, paragraph)
        paragraphs = view.paragraphs[: 2 * context + 1]
        cited_by: list[CitingParagraph] = []
        if view.focus is not None:
            paragraphs = view.paragraphs[max(0, view.focus - context): view.focus + context + 1]
            try:
                cited_by = [CitingParagraph(**c.__dict__) for c in kb.cited_by(doc_id, str(paragraph))]
            except KbError:
                cited_by = []  # no citation graph built: the paragraph itself is still the answer
        return DocumentResult(doc_id=view.doc_id, citation=view.metadata["citation"],
                              url=web_link(view.metadata.get("url")), paragraph=paragraph,
                              paragraphs=[_passage(h) for h in paragraphs], cited_by=cited_by)

    @tool("Read a document, a page at a time")
    def read_document(
        doc_id: Annotated[str, DOC_ID],
        cursor: Annotated[int, Field(ge=0, description="index of the first paragraph: 0, then next_cursor")] = 0,
        limit: Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"paragraphs per page, 1-{MAX_PAGE}")] = 20,
        from_paragraph: ParagraphArg = None,
    ) -> DocumentPage:
        """A page of a document's paragraphs in order; `from_paragraph` starts the page at a printed number instead
        of `cursor`. Long judgments run to hundreds of paragraphs: page through rather than asking for all."""
        kb = loader.need("store")
        view = kb.show(doc_id, _paragraph(from_paragraph))
        start = view.focus if view.focus is not None else cursor
        page = view.paragraphs[start: start + limit]
        following = start + len(page)
        return DocumentPage(doc_id=view.doc_id, citation=view.metadata["citation"], title=view.metadata.get("title"),
                            url=web_link(view.metadata.get("url")), total=len(view.paragraphs), cursor=start,
                            paragraphs=[_passage(h) for h in page],
                            next_cursor=following if following < len(view.paragraphs) else None)

    @tool("Search within one document")
    def search_document(
        doc_id: Annotated[str, DOC_ID],
        query: Annotated[str, Field(min_length=1, max_length=5_000, description="what the paragraph should say")],
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"paragraphs to return, 1-{MAX_LIMIT}")] = 5,
    ) -> SearchResult:
        """The paragraphs of one document that best match the query (e.g. where a judgment states its test)."""
        kb = loader.need("search")
        kb.cite(doc_id)  # an unknown document is an error naming it, not an empty result
        hits = kb.search(query, SearchFilters(doc_ids=(doc_id,)), limit=limit)
        return SearchResult(query=query, passages=[_passage(h) for h in hits])

    @tool("Cite")
    def cite(doc_id: Annotated[str, DOC_ID], paragraph: ParagraphArg = None) -> CiteResult:
        """The court-style citation of a document or one of its paragraphs, ready to paste into a brief."""
        kb = loader.need("store")
        paragraph = _paragraph(paragraph)
        return CiteResult(citation=kb.cite(doc_id, paragraph), doc_id=doc_id, paragraph=paragraph,
                          url=web_link(kb.link(doc_id)))

    @tool("Check citations")
    def check_citations(
        text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT, description="the passage or brief to check, "
                                                                                   "as text or Markdown")],
        missing: Annotated[bool, Field(description="also list leading authorities the text does not cite "
                                                   "(searches; slower)")] = True,
    ) -> CheckResult:
        """Every citation and attributed quotation in the text, checked against the sources: resolved document,
        name/number/date agreement, pinpoint, quotation; authorities not in the corpus are `not_in_corpus`."""
        kb = loader.need("search" if missing else "store")
        report = kb.check(text, missing=missing, is_text=True)
        data = report.to_dict()
        return CheckResult(citations=[CitationCheck(**c) for c in data["citations"]], counts=data["counts"],
                           problems=len(report.problems()), grounds=data["grounds"],
                           missing=[MissingAuthority(**m) for m in data["missing"]])

    @tool("List matters")
    def matter_list() -> MatterList:
        """The client matters, most recently updated first."""
        return MatterList(matters=[MatterSummary(id=m.id, name=m.name, requesting_state=m.requesting_state,
                                                 offence=m.offence, passages=len(m.passages), updated=m.updated)
                                   for m in kb.matters.list()])

    @tool("Show a matter")
    def matter_show(matter_id: Annotated[str, MATTER_ID]) -> MatterDetail:
        """One matter: its facts, grounds, assurances and the passages collected under each ground."""
        return _detail(kb.matters.get(matter_id))

    @tool("Create a matter", read_only=False, idempotent=False)
    def matter_create(
        name: Annotated[str, Field(min_length=1, max_length=200, description="the matter's title for the lawyer's "
                                                                            "list, e.g. 'Li — PRC embezzlement'")],
        client: Annotated[str, Field(max_length=200, description="the requested person as the brief names them, "
                                                                 "e.g. 'Mr Li Wei'")] = "",
        requesting_state: Annotated[str, Field(max_length=200, description="e.g. 'People's Republic of China'")] = "",
        offence: Annotated[str, Field(max_length=1_000, description="the offence alleged")] = "",
        penalty: Annotated[str, Field(max_length=1_000, description="the maximum penalty it carries there")] = "",
        grounds: Annotated[list[str] | None, Field(description="grounds to argue: article3, article6, article5, "
                                                               "assurances, death_penalty, detention_conditions, "
                                                               "political_persecution, or a label of your own with a "
                                                               "space ('Article 8: family life'); default article3, "
                                                               "article6, assurances")] = None,
        assurances: Annotated[list[AssuranceArg] | None, Field(description="assurances the requesting state "
                                                                          "offered")] = None,
        risk_factors: Annotated[str, Field(max_length=5_000, description="the client's own risk factors (ethnicity, "
                                                                         "politics, health)")] = "",
        notes: Annotated[str, Field(max_length=50_000, description="the lawyer's notes")] = "",
    ) -> MatterDetail:
        """A new client matter: the facts the draft is built from and the grounds it argues."""
        matter = kb.create_matter(name, grounds=grounds, assurances=_assurances(assurances), client=client,
                                  requesting_state=requesting_state, offence=offence, penalty=penalty,
                                  risk_factors=risk_factors, notes=notes)
        return _detail(matter)

    @tool("Update a matter", read_only=False, destructive=True)
    def matter_update(
        matter_id: Annotated[str, MATTER_ID],
        name: Annotated[str | None, Field(max_length=200, description="a new title; omit to keep")] = None,
        client: Annotated[str | None, Field(max_length=200, description="the requested person; omit to keep")] = None,
        requesting_state: Annotated[str | None, Field(max_length=200, description="omit to keep")] = None,
        offence: Annotated[str | None, Field(max_length=1_000, description="omit to keep")] = None,
        penalty: Annotated[str | None, Field(max_length=1_000, description="omit to keep")] = None,
        grounds: Annotated[list[str] | None, Field(description="the grounds to argue, replacing the current ones "
                                                               "(passages filed under a dropped ground are kept); "
                                                               "omit to keep")] = None,
        assurances: Annotated[list[AssuranceArg] | None, Field(description="the assurances, replacing the current "
                                                                          "ones; omit to keep")] = None,
        risk_factors: Annotated[str | None, Field(max_length=5_000, description="omit to keep")] = None,
        notes: Annotated[str | None, Field(max_length=50_000, description="omit to keep")] = None,
    ) -> MatterDetail:
        """Change a matter's facts, grounds or assurances; what is omitted stays as it is. Safe while the app edits
        the same matter: the change is applied to the file as it is now."""
        matter = kb.update_matter(matter_id, grounds=grounds, assurances=_assurances(assurances), name=name,
                                  client=client, requesting_state=requesting_state, offence=offence, penalty=penalty,
                                  risk_factors=risk_factors, notes=notes)
        return _detail(matter)

    @tool("File a passage in a matter", read_only=False)
    def matter_add_passage(
        matter_id: Annotated[str, MATTER_ID],
        passage: Annotated[str, Field(min_length=1, max_length=1_000, description="a chunk_id from a result, "
                                                                                 "'HEJUD-37201-06 § 125', or a "
                                                                                 "citation with its pinpoint: "
                                                                                 "'Saadi v. Italy [GC], no. 37201/06, "
                                                                                 "§ 125'")],
        ground: Annotated[str, Field(min_length=1, max_length=200, description="a ground id of the matter, e.g. "
                                                                              "article3 (matter_show lists them)")],
        note: Annotated[str, Field(max_length=5_000, description="why it matters; for an adverse passage, the "
                                                                 "reply")] = "",
        adverse: Annotated[bool, Field(description="true: the other side's authority, answered in the draft, never "
                                                   "cited in support")] = False,
    ) -> CollectedPassage:
        """File a passage under a ground of the matter (filing it again updates its note and adverse mark)."""
        loader.need("store")
        return _collected(kb.add_to_matter(matter_id, passage, ground, note, adverse))

    @tool("Annotate a filed passage", read_only=False, destructive=True)
    def matter_annotate(
        matter_id: Annotated[str, MATTER_ID],
        chunk_id: Annotated[str, CHUNK_ID],
        ground: Annotated[str, Field(min_length=1, max_length=200, description="the ground it is filed under")],
        note: Annotated[str | None, Field(max_length=5_000, description="the new note; omit to keep")] = None,
        adverse: Annotated[bool | None, Field(description="mark or unmark it as the other side's authority; omit to "
                                                          "keep")] = None,
    ) -> CollectedPassage:
        """Change the note on a filed passage, or whether it is adverse."""
        return _collected(kb.annotate_passage(matter_id, chunk_id, ground, note, adverse))

    @tool("Remove a filed passage", read_only=False, destructive=True)
    def matter_remove_passage(
        matter_id: Annotated[str, MATTER_ID],
        chunk_id: Annotated[str, CHUNK_ID],
        ground: Annotated[str | None, Field(max_length=200, description="only from this ground; omit to remove it "
                                                                        "from every ground")] = None,
    ) -> Removed:
        """Take a passage out of the matter."""
        return Removed(matter_id=matter_id, chunk_id=chunk_id,
                       removed=kb.remove_from_matter(matter_id, chunk_id, ground))

    @tool("Draft the argument")
    def draft(
        matter_id: Annotated[str, MATTER_ID],
        grounds: Annotated[list[str] | None, Field(description="only these ground ids; all the matter's grounds "
                                                               "when omitted")] = None,
    ) -> DraftResult:
        """The extractive draft argument for the matter, with footnoted pinpoint citations; the Word version is the
        resource named in `docx`."""
        kb = loader.need("search")
        text, markdown = kb.draft_markdown(matter_id, grounds or None)
        return DraftResult(matter_id=matter_id, title=text.title, markdown=markdown,
                           footnotes=[Footnote(id=f.id, citation=f.citation, url=web_link(f.url))
                                      for f in text.footnotes],
                           warnings=list(text.warnings), docx=f"kb://matter/{matter_id}/draft.docx")

    # resources ----------------------------------------------------------------------------------------------------

    def resource(uri: str, title: str, mime_type: str, description: str):
        def register(fn: Callable[..., T]) -> Callable[..., T]:
            server.resource(uri, title=title, mime_type=mime_type, description=description)(bounded(fn, ResourceError))
            return fn

        return register

    @resource("kb://guide/citations", "Citation guide", "text/markdown",
              "How to cite from this knowledge base (the server's instructions)")
    def citation_guide() -> str:
        return INSTRUCTIONS

    @resource("kb://matters", "Matters", "application/json", "The client matters, most recently updated first")
    def matters() -> str:
        return matter_list().model_dump_json(indent=1)  # type: ignore[attr-defined]

    @resource("kb://doc/{doc_id}", "Document", "text/markdown",
              "A whole stored document: its citation, link and numbered paragraphs")
    def document(doc_id: str) -> str:
        view = loader.need("store").show(doc_id)
        head = [f"# {view.metadata['citation']}", ""]
        if web_link(view.metadata.get("url")):
            head += [f"Source: {view.metadata['url']}", ""]
        return "\n".join(head + [f"{_label(h)}{h.text}\n" for h in view.paragraphs])

    @resource("kb://doc/{doc_id}/para/{paragraph}", "Paragraph", "text/markdown",
              "One paragraph with its pinpoint citation")
    def paragraph(doc_id: str, paragraph: str) -> str:
        view = loader.need("store").show(doc_id, paragraph)
        hit = view.paragraphs[view.focus]  # type: ignore[index]
        return f"{hit.text}\n\n— {hit.citation}" + (f"\n{web_link(hit.url)}" if web_link(hit.url) else "")

    @resource("kb://matter/{matter_id}/draft.docx", "Draft (Word)", DOCX,
              "The matter's draft argument as an A4 Word document")
    def draft_docx(matter_id: str) -> bytes:
        return loader.need("search").draft_docx(matter_id)

    @resource("kb://matter/{matter_id}/draft.md", "Draft (Markdown)", "text/markdown",
              "The matter's draft argument in Markdown")
    def draft_markdown(matter_id: str) -> str:
        return loader.need("search").draft_markdown(matter_id)[1]

    # prompts ------------------------------------------------------------------------------------------------------

    @server.prompt(title="Argue a ground for this matter")
    def argue_ground(
        matter_id: Annotated[str, Field(description="the matter (matter_list gives the ids)")],
        ground: Annotated[str, Field(description="the ground id, e.g. article3 or assurances")],
    ) -> str:
        """Draft the argument for one ground of a matter from the knowledge base's authorities only."""
        return (f"Draft the argument that extradition in matter {matter_id} is barred on ground {ground}.\n"
                f"1. Call matter_show for {matter_id} and read the client's facts, the grounds and what is filed.\n"
                f"2. Find the leading authorities with search (filters: kind, article, state) and read them with "
                f"show or read_document; file the ones you rely on with matter_add_passage under {ground}, and the "
                "other side's with adverse: true.\n"
                f"3. Call draft for {matter_id} with grounds [{ground}] and build on its text: apply each principle "
                "to the client's facts.\n"
                "4. Cite ONLY passages the tools returned, with their `citation` verbatim, and quote their `text` "
                "exactly. Never cite or quote from memory; a passage whose role is not `court` (a party's "
                "submission, the facts, a separate opinion) is not the Court's view.\n"
                "5. Run check_citations on your text and fix every problem it reports before you answer.")

    @server.prompt(title="Check this brief")
    def check_brief(brief: Annotated[str, Field(description="the brief's text")]) -> str:
        """Check every citation and quotation in a brief against the sources."""
        return ("Check the brief below. Call check_citations with its full text. For every citation that is not "
                "`verified`, say what is wrong (the reason given) and the correction, using only the `citation`, "
                "`paragraphs` and `url` the tool returned; never correct a citation from memory. Then list the "
                "leading authorities it reports as missing, with their citations as given.\n\n"
                f"<brief>\n{brief}\n</brief>")

    return server


def _label(hit: Hit) -> str:
    return f"**{hit.paragraph}.** " if hit.paragraph else ""


def _assurances(given: list[AssuranceArg] | None) -> list[Assurance] | None:
    return None if given is None else [Assurance(a.text, a.giver, a.date) for a in given]


def _detail(m: Matter) -> MatterDetail:
    return MatterDetail(id=m.id, name=m.name, client=m.client, requesting_state=m.requesting_state,
                        offence=m.offence, penalty=m.penalty, risk_factors=m.risk_factors, notes=m.notes,
                        grounds=m.grounds(), available_grounds=list(m.available_grounds()),
                        assurances=[AssuranceArg(**asdict(a)) for a in m.assurances],
                        passages=[_collected(p) for p in m.passages], updated=m.updated)


def _loaded(kb: KnowledgeBase) -> Loader:
    loader = Loader(kb)
    for stage in STAGES:
        loader._reached(stage)
    return loader


# Serving --------------------------------------------------------------------------------------------------------------

def quiet_logs(level: str) -> None:
    """Haystack logs every component at INFO (235 kB on stderr for 40 calls); below `level` nothing is written, nor
    the model's loading bar (read when transformers is imported, which the loading thread does later)."""
    if logging.getLevelName(level) >= logging.WARNING:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
    for name in ("haystack", "mcp", "httpx", "uvicorn", "sentence_transformers", "transformers"):
        logging.getLogger(name).setLevel(level)


def serve(kb: KnowledgeBase, http: str | None = None, token: str | None = None, verbose: bool = False) -> None:
    """Serve until the client closes stdin (stdio) or the process is stopped (`http` = `HOST:PORT`); `verbose` logs
    at INFO whatever `KB_LOG_LEVEL` says."""
    if verbose:
        kb.settings = kb.settings.with_(log_level="INFO")
    quiet_logs(kb.settings.log_level)
    loader = Loader(kb)
    server = build_server(kb, loader)
    loader.start()  # after the tools are registered: the loading thread would slow that down
    if http is None:
        server.run("stdio")
        return
    import uvicorn

    host, port = parse_address(http)
    token = token or kb.settings.mcp_token
    app: Any = server.streamable_http_app(host=host)
    if token:
        app = BearerToken(app, token)
    uvicorn.run(app, host=host, port=port, log_level=kb.settings.log_level.lower())


def parse_address(address: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:PORT` for IPv6) → (host, port); a bad one is a ValueError naming the form."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--http {address[:100]!r}: give HOST:PORT, e.g. 127.0.0.1:8765")
    return host, int(port)


def is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_http(address: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a bearer token: anyone on the network could read the matters."""
    host, _ = parse_address(address)
    if not is_local(host) and not token:
        raise ValueError(f"--http {host}: listening on an address other machines reach needs a bearer token; set "
                         "KB_MCP_TOKEN or pass --token (clients send `Authorization: Bearer <token>`)")


class BearerToken:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <token>`; others get 401."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or ()).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"text/plain"), (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": b"a bearer token is required (KB_MCP_TOKEN)"})
                return
        await self.app(scope, receive, send)
