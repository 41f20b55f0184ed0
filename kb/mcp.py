"""`kb mcp`: the knowledge base as a Model Context Protocol server over stdio, for drafting assistants.

Why: a drafting assistant speaks MCP, not our Python API. Each tool is a thin call into `kb.api.KnowledgeBase`
(nothing here reaches past it) with typed inputs and a structured result, so the assistant receives pinpoint
citations, links and check results as data rather than prose it might misread.

Bad arguments come back as an MCP tool error (`isError`) that names the argument and its valid values: a filter
value the store does not hold, an unknown mode or ground, a paragraph the document lacks. A crash inside a tool
reaches the client as the SDK's generic tool error, never as a traceback.

    kb mcp          # serves on stdin/stdout until the client closes the pipe
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from kb.api import CollectedPassage, Hit, KbError, KnowledgeBase, SearchFilters, passage_role

INSTRUCTIONS = (
    "Extradition-defence knowledge base: ECtHR case law, UN treaty-body General Comments, UK judgments, PRC "
    "statutes and reports. Every passage carries a pinpoint citation in the court's own style. Use `search` to find "
    "passages, `show` for a paragraph in context, `cite` for a citation, `check_citations` on any text you draft "
    "before relying on it, and the matter tools to collect passages and draft the argument."
)
MAX_LIMIT = 50

T = TypeVar("T", bound=Callable[..., Any])


class Passage(BaseModel):
    """A passage as a lawyer quotes it: the text, its pinpoint citation, where it sits and where to read it."""

    citation: str
    text: str
    doc_id: str
    paragraph: str | None
    chunk_id: str
    role: str = Field(description="court: the Court's own reasoning; party: a party's or intervener's submission; "
                                  "other: facts, law, headings")
    section: str | None = None
    heading: str | None = None
    source_kind: str | None = None
    doc_type: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = Field(None, description="HUDOC or the publisher's page, else the source file")


class SearchResult(BaseModel):
    query: str
    passages: list[Passage]
    partial_dense: str | None = Field(None, description="set when a hybrid or dense search ran over a store whose "
                                                        "dense vectors are still being filled in: what it could miss")


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
    paragraphs: list[Passage] = Field(description="the paragraph and its neighbours, or the whole document")
    cited_by: list[CitingParagraph] = Field(description="later ECtHR paragraphs citing this one (needs the "
                                                        "citation graph: `kb citations build`)")


class CiteResult(BaseModel):
    citation: str
    doc_id: str
    paragraph: str | None
    url: str | None


class CitationCheck(BaseModel):
    text: str = Field(description="the citation as written")
    line: int
    status: Literal["verified", "pinpoint_missing", "date_mismatch", "name_number_mismatch", "quote_not_found",
                    "not_in_corpus"]
    reason: str
    kind: str
    doc_id: str | None = None
    citation: str | None = Field(None, description="the corpus document's own citation")
    paragraphs: list[str] = []
    quotes: list[str] = []
    quote_found_at: list[str] = []
    url: str | None = None


class MissingAuthority(BaseModel):
    ground: str
    label: str
    doc_id: str
    citation: str
    url: str | None


class CheckResult(BaseModel):
    citations: list[CitationCheck]
    counts: dict[str, int]
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


class MatterDetail(BaseModel):
    id: str
    name: str
    requesting_state: str
    offence: str
    risk_factors: str
    notes: str
    grounds: dict[str, str] = Field(description="ground id → label; matter_add_passage takes the id")
    passages: list[CollectedPassage] = Field(description="the collected passages, as the matter file keeps them "
                                                         "(`kb.drafting.matters.CollectedPassage`)")


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


def _passage(hit: Hit) -> Passage:
    return Passage(citation=hit.citation, text=hit.text, doc_id=hit.doc_id, paragraph=hit.paragraph,
                   chunk_id=hit.chunk_id, role=passage_role(hit), section=hit.section,
                   heading=hit.heading, source_kind=hit.source_kind, doc_type=hit.doc_type, title=hit.title,
                   date=hit.date, url=hit.url)


def _tool_errors(fn: T) -> T:
    """Our own errors (bad filter, unknown document, matter or ground) become MCP tool errors with their message."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (KbError, ValueError, FileNotFoundError) as exc:
            raise ToolError(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


FILTER_KEYS = {"kind": "source_kind", "doc_type": "doc_type", "court": "court", "state": "respondent_state",
               "article": "articles", "section": "section", "language": "language"}
"""Search arguments checked against the values the store holds (argument → payload key)."""


def build_server(kb: KnowledgeBase) -> MCPServer:
    """The server with every tool bound to `kb`."""
    server = MCPServer("extradition-kb", instructions=INSTRUCTIONS)

    def check_values(argument: str, values: tuple[str, ...]) -> None:
        if not values:
            return
        known = [v for v, _ in kb.facets(FILTER_KEYS[argument], limit=500)]
        unknown = [v for v in values if v not in known]
        if unknown:
            shown = ", ".join(known[:40]) + (" …" if len(known) > 40 else "")
            raise ToolError(f"{argument}: {', '.join(map(repr, unknown))} is not in the store; valid values: {shown}")

    @server.tool()
    @_tool_errors
    def search(
        query: Annotated[str, Field(description="what the passage should say, in plain words")],
        kind: Annotated[list[str] | None, Field(description="source kinds: echr, un, national, prc-law, ...")] = None,
        doc_type: Annotated[list[str] | None, Field(description="JUDGMENT, DECISION, INFORMATION_NOTE, ...")] = None,
        court: list[str] | None = None,
        state: Annotated[list[str] | None, Field(description="respondent state, e.g. 'United Kingdom'")] = None,
        article: Annotated[list[str] | None, Field(description="Convention article, e.g. '3'")] = None,
        section: Annotated[list[str] | None, Field(description="THE LAW, THE FACTS, PROCEDURE, ...")] = None,
        language: list[str] | None = None,
        date_from: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        date_to: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        importance: Annotated[int | None, Field(ge=1, le=4, description="HUDOC importance at most N (1 = key "
                                                                        "cases)")] = None,
        grand_chamber: Annotated[bool | None, Field(description="true: Grand Chamber judgments only")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 10,
        mode: Literal["ranked", "hybrid", "dense", "bm25"] = "ranked",
    ) -> SearchResult:
        """Passages for a query, best first, each with its pinpoint citation, role, section, text and link."""
        given = {"kind": kind, "doc_type": doc_type, "court": court, "state": state, "article": article,
                 "section": section, "language": language}
        values = {argument: tuple(v or ()) for argument, v in given.items()}
        for argument, chosen in values.items():
            check_values(argument, chosen)
        filters = SearchFilters(source_kinds=values["kind"], doc_types=values["doc_type"], courts=values["court"],
                                respondent_states=values["state"], articles=values["article"],
                                sections=values["section"], languages=values["language"],
                                date_from=date_from, date_to=date_to,
                                max_importance=importance, grand_chamber=grand_chamber)
        hits = kb.search(query, filters, limit=limit, mode=mode)
        return SearchResult(query=query, passages=[_passage(h) for h in hits], partial_dense=hits.note())

    @server.tool()
    @_tool_errors
    def show(
        doc_id: Annotated[str, Field(description="a document id from a search result, e.g. HEJUD-37201-06")],
        paragraph: Annotated[str | None, Field(description="paragraph number as printed, e.g. '125'")] = None,
        context: Annotated[int, Field(ge=0, le=20, description="paragraphs either side")] = 2,
    ) -> DocumentResult:
        """A paragraph with its neighbours and the later paragraphs that cite it (or the whole document)."""
        view = kb.show(doc_id, paragraph)
        paragraphs = view.paragraphs
        cited_by: list[CitingParagraph] = []
        if view.focus is not None:
            paragraphs = paragraphs[max(0, view.focus - context): view.focus + context + 1]
            try:
                cited_by = [CitingParagraph(**c.__dict__) for c in kb.cited_by(doc_id, str(paragraph))]
            except KbError:
                cited_by = []  # no citation graph built: the paragraph itself is still the answer
        return DocumentResult(doc_id=view.doc_id, citation=view.metadata["citation"], url=view.metadata.get("url"),
                              paragraph=paragraph, paragraphs=[_passage(h) for h in paragraphs], cited_by=cited_by)

    @server.tool()
    @_tool_errors
    def cite(doc_id: str, paragraph: str | None = None) -> CiteResult:
        """The court-style citation of a document or one of its paragraphs, ready to paste into a brief."""
        view = kb.show(doc_id, paragraph)
        url = view.paragraphs[view.focus].url if view.focus is not None else view.metadata.get("url")
        return CiteResult(citation=kb.cite(doc_id, paragraph), doc_id=doc_id, paragraph=paragraph, url=url)

    @server.tool()
    @_tool_errors
    def check_citations(
        text: Annotated[str, Field(min_length=1, description="the passage or brief to check")],
        missing: Annotated[bool, Field(description="also list leading authorities the text does not cite")] = True,
    ) -> CheckResult:
        """Every citation and attributed quotation in the text, checked against the sources: resolved document,
        name/number/date agreement, pinpoint, quotation; authorities not in the corpus are `not_in_corpus`."""
        report = kb.check(text, missing=missing, is_text=True)
        data = report.to_dict()
        return CheckResult(citations=[CitationCheck(**c) for c in data["citations"]], counts=data["counts"],
                           grounds=data["grounds"], missing=[MissingAuthority(**m) for m in data["missing"]])

    @server.tool()
    @_tool_errors
    def matter_list() -> MatterList:
        """The client matters, most recently updated first."""
        return MatterList(matters=[MatterSummary(id=m.id, name=m.name, requesting_state=m.requesting_state,
                                                 offence=m.offence, passages=len(m.passages), updated=m.updated)
                                   for m in kb.matters.list()])

    @server.tool()
    @_tool_errors
    def matter_show(matter_id: str) -> MatterDetail:
        """One matter: its facts, grounds and the passages collected under each ground."""
        m = kb.matters.get(matter_id)
        return MatterDetail(id=m.id, name=m.name, requesting_state=m.requesting_state, offence=m.offence,
                            risk_factors=m.risk_factors, notes=m.notes, grounds=m.grounds(),
                            passages=m.passages)

    @server.tool()
    @_tool_errors
    def matter_add_passage(
        matter_id: str,
        chunk_id: Annotated[str, Field(description="the chunk_id of a search or show passage")],
        ground: Annotated[str, Field(description="a ground id of the matter, e.g. article3 (matter_show lists "
                                                 "them)")],
        note: str = "",
    ) -> CollectedPassage:
        """File a passage under a ground of the matter (adding it twice keeps one copy)."""
        return kb.add_to_matter(matter_id, chunk_id, ground, note)

    @server.tool()
    @_tool_errors
    def draft(
        matter_id: str,
        grounds: Annotated[list[str] | None, Field(description="only these ground ids; all when empty")] = None,
    ) -> DraftResult:
        """The extractive draft argument for the matter, with footnoted pinpoint citations."""
        text, markdown = kb.draft_markdown(matter_id, grounds or None)
        return DraftResult(matter_id=matter_id, title=text.title, markdown=markdown,
                           footnotes=[Footnote(id=f.id, citation=f.citation, url=f.url) for f in text.footnotes],
                           warnings=list(text.warnings))

    return server


def serve(kb: KnowledgeBase) -> None:
    """Serve until the client closes stdin."""
    build_server(kb).run("stdio")
