"""The Haystack `Document` our pipelines carry, search and indexing alike."""

from __future__ import annotations

from haystack import Document


class SharedDocument(Document):
    """A Haystack Document that a pipeline hands on without copying.

    Why: Haystack deep-copies every component input. A ranked search passes ~90 documents through eight components
    (measured: 7 components × 60 documents cost ~135 ms a query on this machine, most of a search), and the indexing
    pipeline copied every chunk's text and payload three times (dense → BM25 → writer): 62 of 78 s of a profiled
    60-judgment ingest with cached vectors, more than the model's own time on a quiet machine. Our components and
    Haystack's embedders never change a document in place (they make a new one with `dataclasses.replace`, which
    keeps this class), so the copy is the same object."""

    def __deepcopy__(self, memo: dict) -> SharedDocument:
        return self
