"""The documents that loaders produce and the rest of the system consumes.

Loaders know file formats; they return `SourceDocument`s made of `Paragraph`s in reading order.
Nothing here knows about embeddings or Qdrant: `kb.indexing` turns these into stored chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from legal.text import index_text


@dataclass(frozen=True)
class Paragraph:
    """One citable unit: an ECtHR numbered paragraph, a UN GC paragraph, a statute article, a PDF paragraph.

    `number` is the document's own pinpoint as printed (ECtHR `125`, UN `12`, statute `第二十二条`,
    UK `45`); `None` for headings and unnumbered text. `page` is the 1-based PDF page when known.
    `role` says who is speaking in an ECtHR text (`ingest.loaders.echr.ROLES`: the Court, a party, an
    intervener, quoted law, a separate opinion …); `None` where the source has no such structure.
    """

    text: str
    number: str | None = None
    section: str | None = None
    heading: str | None = None
    page: int | None = None
    role: str | None = None


@dataclass
class SourceDocument:
    """A whole source document with the metadata a citation needs.

    `doc_id` is stable across runs (HUDOC item id, file stem, neutral citation...). `source_file` is the
    path relative to the corpus root (or absolute for files outside it). Lists are never `None`.
    """

    doc_id: str
    title: str
    court: str
    doc_type: str
    source_kind: str
    source_file: str
    paragraphs: list[Paragraph]
    date: str | None = None
    language: str = "en"
    respondent_state: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    importance: int | None = None
    appno: list[str] = field(default_factory=list)
    url: str | None = None
    text_defects: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def passages(self) -> list[tuple[Paragraph, str]]:
        """The passages the write path stores, in reading order (a passage's place here is its chunk's `para_index`):
        each non-blank paragraph with the text that is embedded and BM25-indexed (`legal.text.index_text`, or the
        paragraph as printed where that leaves nothing). One definition for the chunker and for the int8 model's
        calibration passages, which must be those very texts."""
        return [(p, index_text(p.text) or p.text) for p in self.paragraphs if p.text.strip()]
