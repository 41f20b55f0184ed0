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
set uses the feature pays anything (`needed`): a pasted passage does not (dev.jsonl's citation cases gained nothing
from MiniLM, `kb.search.modes`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from haystack import Document, component

from kb.documents import Candidates
from kb.embedding import CachedDocumentEmbedder, EmbeddingCache, document_embedder, text_embedder
from kb.search.queries import QueryReading
from kb.settings import Embedding
from legal.text import index_text

Key = tuple[str, str]


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

    @component.output_types(similarity=dict)
    def run(self, documents: Candidates, reading: QueryReading, fetched: Candidates | None = None) -> dict:
        docs = [*documents, *(fetched or [])]
        if not docs or not self.needed(reading):
            return {"similarity": {}}
        embed_query, embed_passages = self._embedders()
        q = np.asarray(embed_query.run(text=reading.text)["embedding"], dtype=np.float32)
        texts = list(dict.fromkeys(index_text(d.content or "") or (d.content or "") for d in docs))
        vectors = {d.content: d.embedding for d in embed_passages.run(
            documents=[Document(content=t) for t in texts])["documents"]}
        out: dict[Key, float] = {}
        for doc in docs:
            text = index_text(doc.content or "") or (doc.content or "")
            out.setdefault(self.key(doc), float(np.dot(q, np.asarray(vectors[text], dtype=np.float32))))
        return {"similarity": out}
