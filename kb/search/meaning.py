"""How close in meaning each candidate of a question's pool is to the question: MiniLM cosine similarity.

Why: an expert's or a lawyer's question is in their own words ("How does the margin of appreciation apply to the
State's discretion in regulating the disclosure of personal data?"), the paragraph that answers it in the Court's
("the domestic law must afford appropriate safeguards to prevent any such use of personal data …"). BM25 finds the
right judgment through the words they share, mostly in facts and submissions, and ranks the statement of the
principle below them; the same MiniLM model the store's dense vectors come from puts the question and the principle
close together. Over the whole store MiniLM alone is weaker than BM25 (dev `dense` rows); within the ranker's pool,
as one more feature (`kb.search.ranking.meaning`), it re-orders what BM25 and the citations found.

The pool's vectors come from the embedding cache the write path fills (`KB_EMBED_CACHE`; the text embedded at
ingest, `index_text`), so on an ingested store a question costs one query embedding; a passage the cache lacks (a
store ingested without dense vectors, or with another cache) is embedded once and cached. Only a query whose weight
set uses the feature pays anything (`needed`): a pasted passage does not, since its weights give the feature none.
Measured (session 14, `bench/passage_meaning.py`, all 3,761 `dev.jsonl` cases on the whole int8 store with the
leave-out graph, weight by 5-fold CV grouped by citing judgment): for a passage MiniLM cannot tell the paragraph it
restates from the other paragraphs that restate the same principle (the cited paragraph's MRR within the pool 0.253
by cosine against 0.614 by the passage weights), and as a feature it moved nothing (citation doc_hit@10 /
para_hit@10 0.762 / 0.693 → 0.763 / 0.692 at the weight CV chose, 5 in four folds of five; 25 cases up, 28 down),
while its query embedding would add ~16 ms to a passage's p50 (29 → 45 ms).

A candidate in a language the model was not trained on (its model card's `language:`, `kb.embedding.model_languages`:
all-MiniLM-L6-v2 is English-only, so a PRC statute's Chinese text) gets the median similarity of the pool's other
candidates, neither near nor far, and is not embedded; a question in such a language gets no similarity at all. Its
cosine was noise that put the Chinese articles last by meaning: with it, a PRC statute article BM25 and the glossary
found fell out of the top 10 (issue 22, session 19, `bench/data/prc_questions.jsonl`; figures in the note).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import numpy as np
from haystack import Document, component

from ingest.loaders.text_blocks import detect_language
from kb.documents import Candidates
from kb.embedding import (
    CachedDocumentEmbedder,
    EmbeddingCache,
    document_embedder,
    model_languages,
    text_embedder,
)
from kb.search.queries import QueryReading
from kb.settings import Embedding
from legal.text import index_text

Key = tuple[str, str]


class Similarity(Mapping[Key, float]):
    """Each candidate's similarity to the query, by candidate key, handed to the ranker uncopied.

    Why not a dict: Haystack deep-copies a dict input value by value, asking of each whether it is a `Component` (a
    runtime-checkable Protocol): for a question's ~70 candidates ~1.2 ms a search. This mapping is one object to
    Haystack, and its deep copy is itself (nothing changes it once made)."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[Key, float] | None = None) -> None:
        self._values = values if values is not None else {}

    def __getitem__(self, key: Key) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Similarity({self._values!r})"

    def __deepcopy__(self, memo: dict) -> Similarity:
        return self


@component
class PoolSimilarity:
    """The cosine similarity of the query with every candidate (retrieved and fetched), by candidate key, for the
    queries `needed` says; an empty map for the rest."""

    def __init__(self, embedding: Embedding, cache: Path | None, needed: Callable[[QueryReading], bool],
                 key: Callable[[Document], Key]) -> None:
        self.embedding = embedding
        self.cache_path = cache
        self.needed = needed
        self.key = key
        self._query = None
        self._passages = None

    def warm_up(self) -> None:
        """Nothing: the model loads on the first question that needs it (see the module docstring)."""

    def _embedders(self):
        if self._query is None:
            self._query = text_embedder(self.embedding)
            self._query.warm_up()
            cache = EmbeddingCache(self.cache_path, self.embedding) if self.cache_path else None
            self._passages = CachedDocumentEmbedder(lambda: document_embedder(self.embedding), cache)
        return self._query, self._passages

    @component.output_types(similarity=Similarity)
    def run(self, documents: Candidates, reading: QueryReading, fetched: Candidates | None = None) -> dict:
        docs = [*documents, *(fetched or [])]
        if not docs or not self.needed(reading):
            return {"similarity": Similarity()}
        languages = model_languages(self.embedding.model)
        if languages is not None and detect_language(reading.text) not in languages:
            return {"similarity": Similarity()}
        embed_query, embed_passages = self._embedders()
        q = np.asarray(embed_query.run(text=reading.text)["embedding"], dtype=np.float32)
        wanted: dict[Key, str] = {}  # each key's first candidate's text as the store embedded it, read once
        unread: set[Key] = set()  # candidates in a language the model was not trained on
        for doc in docs:
            if (key := self.key(doc)) in wanted or key in unread:
                continue
            if languages is not None and (doc.meta.get("language") or "en") not in languages:
                unread.add(key)
            else:
                wanted[key] = index_text(doc.content or "") or (doc.content or "")
        texts = list(dict.fromkeys(wanted.values()))
        vectors = embed_passages.vectors(texts, arrays=True) if texts else {}
        similarity = {t: float(np.dot(q, np.asarray(vectors[t], dtype=np.float32))) for t in texts}
        by_key = {key: similarity[text] for key, text in wanted.items()}
        if by_key:
            neutral = float(np.median(list(by_key.values())))
            by_key.update(dict.fromkeys(unread, neutral))
        return {"similarity": Similarity(by_key)}
