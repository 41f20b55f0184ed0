"""The passage records every layer exchanges: a search `Hit` and a `CollectedPassage` filed in a matter.

Why here, below the facade and drafting: drafting proposes, files and cites passages the facade's search returns,
and when `Hit` lived in `kb.api` drafting imported the facade it sits under (the one import cycle in `kb`). Both
records are one passage (the text, its pinpoint citation, where it sits and who speaks; `Passage` is what drafting
reads of either), kept as two dataclasses because each is written out field by field in its own order (`kb search
--json`, the matter files, the MCP tools), which a shared base class would reorder.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Protocol


class Passage(Protocol):
    """What drafting reads of a hit or a collected passage alike to tell who is speaking (`kb.drafting.propose.voice`):
    the text and where it sits."""

    text: str
    role: str | None
    source_kind: str | None
    section: str | None
    heading: str | None


@dataclass
class Hit:
    """A retrieved passage with everything needed to quote and cite it."""

    doc_id: str
    paragraph: str | None
    citation: str
    text: str
    score: float
    url: str | None
    chunk_id: str
    para_index: int
    title: str | None = None
    court: str | None = None
    doc_type: str | None = None
    date: str | None = None
    respondent_state: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    importance: int | None = None
    language: str | None = None
    source_kind: str | None = None
    section: str | None = None
    heading: str | None = None
    page: int | None = None
    appno: list[str] = field(default_factory=list)
    grand_chamber: bool = False
    text_defects: list[str] = field(default_factory=list)
    role: str | None = None
    """Who is speaking (`ingest.loaders.echr.ROLES`): the Court, a party, an intervener, quoted law, an opinion …"""
    source_file: str | None = None
    """The file the passage was read from (corpus-relative, or an upload's path): the app's download, never a link."""
    cited_by: int | None = None
    matched_terms: list[str] = field(default_factory=list)
    """For a Chinese passage found from an English question: the glossary terms it contains (`arrest → 逮捕`)."""
    strength: str | None = None
    """`strong` or `weak` (`kb.search.strength`): whether the hit contains enough of the question to be an answer."""

    @property
    def role_label(self) -> str | None:
        """The card's badge, e.g. "Government's submission, not the Court's view"."""
        return role_label(self.role)

    def to_dict(self) -> dict:
        return {**asdict(self), "role_label": self.role_label}


def role_label(role: str | None) -> str | None:
    """The badge of a stored `role` (`ingest.loaders.echr.ROLES`), e.g. "Government's submission, not the Court's
    view"; None for a passage without one."""
    from ingest.loaders.echr import ROLES

    return ROLES.get(role) if role else None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class CollectedPassage:
    """A passage filed under a ground, self-contained: the quote and citation survive a store rebuild."""

    chunk_id: str
    doc_id: str
    paragraph: str | None
    citation: str
    text: str
    url: str | None
    ground: str
    note: str = ""
    added: str = field(default_factory=now_iso)
    section: str | None = None
    heading: str | None = None
    """Where the passage sits in its judgment; tells the Court's own reasoning from a party's submissions."""
    adverse: bool = False
    """Authority the other side will rely on: the draft answers it under the rebuttal heading, never cites it in
    support."""
    source_kind: str | None = None
    grand_chamber: bool = False
    title: str | None = None
    date: str | None = None
    """What the table of authorities sorts by (category, then name); None in files written before they were kept."""
    role: str | None = None
    """Who is speaking (`ingest.loaders.echr.ROLES`), as stored with the passage; None in older files and outside
    the ECtHR."""
    translation: str = ""
    """The lawyer's English for a Chinese passage, printed beside the quotation as "translation by counsel"."""

    @classmethod
    def from_hit(cls, hit: Hit, ground: str, note: str = "", adverse: bool = False) -> CollectedPassage:
        return cls(chunk_id=hit.chunk_id, doc_id=hit.doc_id, paragraph=hit.paragraph, citation=hit.citation,
                   text=hit.text, url=hit.url, ground=ground, note=note, section=hit.section, heading=hit.heading,
                   adverse=adverse, source_kind=hit.source_kind, grand_chamber=bool(hit.grand_chamber),
                   title=hit.title, date=hit.date, role=hit.role)
