"""The Haystack `Document` our pipelines carry, search and indexing alike, and the container in which search hands
them on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

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


class Candidates(Sequence[Document]):
    """An immutable list of Documents that a pipeline hands from one of our components to the next without looking
    inside.

    Why: before each component runs, Haystack walks every list, tuple, set and dict among its inputs and asks of each
    element whether it is a `Component` (a runtime-checkable Protocol, ~25-40 µs a check on this machine) before
    deep-copying it. A ranked search passes ~450 candidates along its steps (retriever → cue joiner → fetcher →
    ranker → spreader → near-duplicate filter): ~20 % of its time went to those checks. This container is one
    object to Haystack and its deep copy is itself; the steps that hand short lists to Haystack's own components
    (`DocumentJoiner`) and to callers use plain lists. It compares equal to any sequence of the same Documents."""

    __slots__ = ("_documents",)

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self._documents = tuple(documents)

    def __getitem__(self, index):  # an int gives a Document, a slice a tuple of them
        return self._documents[index]

    def __len__(self) -> int:
        return len(self._documents)

    def __iter__(self) -> Iterator[Document]:
        return iter(self._documents)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and self._documents == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Candidates({list(self._documents)!r})"

    def __deepcopy__(self, memo: dict) -> Candidates:
        return self
