"""Documents to chunks: one Haystack `Document` per paragraph, with ids and a version derived from content.

A chunk's id is derived from its document, position and text, and each document carries a content version (a hash
of everything that is stored for it), so a second run over an unchanged corpus embeds and writes nothing, and a
changed document is recognised without comparing texts.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import traceback
import uuid
from dataclasses import dataclass

from haystack import Document

from ingest.files import ReadFailure, SourceFile, read
from ingest.loaders.echr import COURT_ROLES
from ingest.model import SourceDocument
from kb.documents import SharedDocument
from kb.embedding import Bm25DocumentEmbedder
from kb.store.base import EMBED_RANK, encode_version

INDEX_VERSION = "7"
"""Bump when the chunk representation changes: every document then counts as changed (embeddings stay cached)."""

CHUNK_NAMESPACE = uuid.UUID("6f1c1d2e-8f43-4c1e-9a57-3c2b7d0e5a11")
REMOVAL_TERMS = ("extradit", "expul", "expel", "deport", "refoulement", "removal to", "real risk",
                 "diplomatic assurance", "death penalty", "留置", "指定居所监视居住", "引渡", "torture")
"""What makes a document relevant to removal: the budgeted selection takes the documents with most of these first.
Counted with `str.count` on the lower-cased text: the same count as a case-insensitive regex alternation, which took
60 % of `prepare`'s time (1.6 s for six judgments here)."""


REMOVAL_CASE = 10
"""A judgment or decision naming removal terms at least this often is about removal; one that mentions torture or
an expulsion in passing (1–9 times) is not."""
FIRST_HALF_KINDS = ("un", "prc-law")
"""The UN treaty bodies' standards and the requesting state's law: after the Court's own words on removal, what a
brief on removal cites first."""
RANK_TIER = 1000
"""`embed_rank` is tier × RANK_TIER + the document's priority (at most 230): priority orders within a tier."""


def embed_rank(source_kind: str | None, role: str | None, mentions: int, priority: float) -> int:
    """How soon the backfill (`kb embed`) gives a chunk its dense vector: the higher, the sooner.

    Dense vectors serve `hybrid` and `dense` search and fill a short `ranked` list, so the passages a removal brief
    relies on come first: (4) the Court's own reasoning in removal cases; (3) UN treaty bodies and PRC law; (2) UK
    judgments and reports, and the Court's own reasoning in other cases; (1) what else removal cases hold (the
    parties' submissions, facts, quoted law) and campaign pages; (0) the rest. Within a tier, documents about
    removal first, by the same priority that orders ingestion. `mentions`: how often the document names a removal
    term (`REMOVAL_TERMS`).
    """
    court = source_kind == "echr" and role in COURT_ROLES
    removal = mentions >= REMOVAL_CASE
    if court and removal:
        tier = 4
    elif source_kind in FIRST_HALF_KINDS:
        tier = 3
    elif court or source_kind in ("national", "report"):
        tier = 2
    elif removal or source_kind == "campaign":
        tier = 1
    else:
        tier = 0
    return tier * RANK_TIER + int(min(priority, RANK_TIER - 1))


@dataclass
class PreparedDocument:
    """A document cut into Haystack Documents (one per paragraph), with its content version and priority."""

    source: SourceDocument
    source_name: str
    chunks: list[Document]
    content_hash: str
    version: str
    priority: float


def _small_extra(extra: dict) -> dict:
    keep = {}
    for key, value in extra.items():
        if isinstance(value, (str, int, float, bool)) and len(str(value)) <= 500:
            keep[key] = value
        elif isinstance(value, list) and len(value) <= 20 and all(isinstance(v, (str, int)) for v in value):
            keep[key] = value
    return keep


def prepare(doc: SourceDocument, source_name: str) -> PreparedDocument:
    base = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "court": doc.court,
        "doc_type": doc.doc_type,
        "source_kind": doc.source_kind,
        "source_name": source_name,
        "source_file": doc.source_file,
        "url": doc.url,
        "language": doc.language,
        "respondent_state": doc.respondent_state,
        "articles": doc.articles,
        "appno": doc.appno,
        "text_defects": doc.text_defects,
        "grand_chamber": bool(doc.extra.get("grand_chamber", False)),
        "formation": "grand_chamber" if doc.extra.get("grand_chamber") else "chamber",
        "doc_extra": _small_extra(doc.extra),
    }
    if doc.date:
        base["date"] = doc.date
        base["year"] = int(doc.date[:4])
    if doc.importance is not None:
        base["importance"] = doc.importance
    chunks = []
    for index, (para, content) in enumerate(doc.passages()):
        digest = hashlib.sha1(para.text.encode("utf-8")).hexdigest()
        chunk_id = str(uuid.uuid5(CHUNK_NAMESPACE, f"{doc.doc_id}\x1f{index}\x1f{digest}"))
        meta = dict(base, para_index=index, paragraph=para.number, section=para.section, heading=para.heading,
                    page=para.page, role=para.role, text=para.text)
        chunks.append(SharedDocument(id=chunk_id, content=content, meta=meta))
    fingerprint = json.dumps([INDEX_VERSION, base, [c.id for c in chunks],
                              [[c.meta["paragraph"], c.meta["section"], c.meta["heading"], c.meta["page"],
                                c.meta["role"]]
                               for c in chunks]], sort_keys=True, ensure_ascii=False, default=str)
    content_hash = hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()[:16]
    version = encode_version(doc.doc_id, content_hash, len(chunks))
    full_text = " ".join(p.text for p in doc.paragraphs).lower()
    mentions = min(sum(full_text.count(term) for term in REMOVAL_TERMS), 200)
    priority = mentions + (20 if doc.extra.get("grand_chamber") else 0) + (10 if doc.importance == 1 else 0)
    for c in chunks:  # after the fingerprint: neither changes the version, which is computed from the rest
        c.meta["doc_version"] = version
        c.meta[EMBED_RANK] = embed_rank(doc.source_kind, c.meta["role"], mentions, priority)
    return PreparedDocument(doc, source_name, chunks, content_hash, version, float(priority))


def prepare_or_fail(doc: SourceDocument, source_name: str) -> PreparedDocument | ReadFailure:
    try:
        return prepare(doc, source_name)
    except Exception as exc:  # a field of an unexpected type; the loaders' validation should have caught it
        return ReadFailure(doc.source_file, f"unexpected {type(exc).__name__} while cutting into chunks: {exc}",
                           traceback.format_exc())


def read_prepared(item: SourceFile, bm25: Bm25DocumentEmbedder | None = None
                  ) -> list[tuple[SourceDocument, PreparedDocument | ReadFailure]] | ReadFailure:
    """A file read and each of its documents cut into chunks: what the sync engine's reading process hands back
    (`kb.indexing.sync.ReadAhead`). With `bm25`, each chunk also gets its BM25 vector (the write path then leaves it:
    in the reading process it costs the writer nothing, in the writer it was a third of a sparse-first write)."""
    docs = read(item)
    if isinstance(docs, ReadFailure):
        return docs
    out: list[tuple[SourceDocument, PreparedDocument | ReadFailure]] = []
    for doc in docs:
        prepared = prepare_or_fail(doc, item.source_name)
        if bm25 is not None and isinstance(prepared, PreparedDocument):
            prepared.chunks = bm25.run(documents=prepared.chunks)["documents"]
        out.append((doc, prepared))
    return out


_BM25: list[Bm25DocumentEmbedder] = []
"""The reading process's BM25 encoder (the write path's own component), made at its first file."""


def read_encoded(item: SourceFile) -> list[tuple[SourceDocument, PreparedDocument | ReadFailure]] | ReadFailure:
    """`read_prepared` with BM25 vectors, as the reading process runs it."""
    if not _BM25:
        _BM25.append(Bm25DocumentEmbedder())
    return read_prepared(item, _BM25[0])


def exit_with(parent: int) -> None:
    """Ends this (reading) process when `parent` is gone. Why: after a kill -9 of `kb ingest` its reading process
    was left blocked for ever writing a result into a queue nobody reads (found by killing an ingest)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
