"""How close in meaning each candidate of a question's pool is to the question: MiniLM cosine similarity.

Why: an expert's or a lawyer's question is in their own words ("How does the margin of appreciation apply to the
State's discretion in regulating the disclosure of personal data?"), the paragraph that answers it in the Court's
("the domestic law must afford appropriate safeguards to prevent any such use of personal data …"). BM25 finds the
right judgment through the words they share, mostly in facts and submissions, and ranks the statement of the
principle below them; the same MiniLM model the store's dense vectors come from puts the question and the principle
close together. Over the whole store MiniLM alone is weaker than BM25 (dev `dense` rows); within the ranker's pool,
as one more feature (`kb.search.ranking.meaning`), it re-orders what BM25 and the citations found.

The pool's vectors come from the embedding cache the write path fills (`KB_EMBED_CACHE`; the text embedded at
ingest, `index_text`), so a question costs one query embedding. In a serving process (the app, `kb mcp`) a passage
the cache lacks is not embedded here: it takes the pool's median (as a language the model does not read does) and is
handed to `wanted` (`kb.indexing.handover.WantedPassages`), which the process gives `kb embed` before the store's own
order, so the pools of the questions being asked are filled first; a one-shot `kb search` or `kb eval`, which nothing
would fill after it, embeds them and caches them, as before. Why: after `make run`'s sparse-first ingest the cache fills
for over an hour, and embedding a question's ~80 pool passages inline took 3-5 s a question. Measured
(`bench/cold_meaning.py`, whole store eval20c, onnx float32, leave-out graph, 113 dev questions, same run, load
21-25), doc_hit@10 / para_hit@10 expert (73) and lawyer (40), process CPU a question: warm cache (every pool vector)
0.685 / 0.409 and 1.000 / 0.925, 61-65 ms; empty cache 0.644 / 0.394 and 0.975 / 0.875 (no meaning at all), 70-77 ms;
a cache holding the first 40,000 passages of `kb embed`'s order (31 % of the pools' passages) 0.603 / 0.348 and
1.000 / 0.900, 57-62 ms. Tried and not kept (same store, load 8-24): a budget of passages embedded inline, those the
rest of the ranking put first (a second pass of the ranker), the others at the median: on that partial cache 4
passages gave 0.644 / 0.379 and 1.000 / 0.925 at 507-539 ms of CPU, 8 gave 0.671 / 0.394 and 1.000 / 0.900 at
1,028-1,057 ms: on 2 shared cores a passage costs ~100 ms of CPU, and the default mode's target is 50 ms p50.
Only a query whose weight set uses the feature pays anything (`needed`): a pasted passage does not, since its weights
give the feature none. Measured (session 14, `bench/passage_meaning.py`, all 3,761 `dev.jsonl` cases on the whole int8
store with the leave-out graph, weight by 5-fold CV grouped by citing judgment): for a passage MiniLM cannot tell the
paragraph it restates from the other paragraphs that restate the same principle (the cited paragraph's MRR within the
pool 0.253 by cosine against 0.614 by the passage weights), and as a feature it moved nothing (citation doc_hit@10 /
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
    queries `needed` says; an empty map for the rest. With `wanted`, only the cache's vectors are used (see the module
    docstring): a candidate it lacks takes the pool's median and is handed to `wanted`."""

    def __init__(self, embedding: Embedding, cache: Path | None, needed: Callable[[QueryReading], bool],
                 key: Callable[[Document], Key], wanted: Callable[[list[Document]], None] | None = None) -> None:
        """`wanted` is told the candidates whose vector the cache lacked (`kb.indexing.handover.WantedPassages`:
        `kb embed` embeds them next). Without it (nobody would fill them: `kb search`, `kb eval`) or without a cache,
        the candidates the cache lacks are embedded here, and cached."""
        self.embedding = embedding
        self.cache_path = cache
        self.needed = needed
        self.key = key
        self.wanted = wanted
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
        first: dict[str, Document] = {}  # each text's first candidate
        for doc in docs:
            if (key := self.key(doc)) in wanted or key in unread:
                continue
            if languages is not None and (doc.meta.get("language") or "en") not in languages:
                unread.add(key)
            else:
                wanted[key] = index_text(doc.content or "") or (doc.content or "")
                first.setdefault(wanted[key], doc)
        texts = list(dict.fromkeys(wanted.values()))
        if embed_passages.cache is None or self.wanted is None:
            vectors = embed_passages.vectors(texts, arrays=True) if texts else {}
        else:
            vectors = embed_passages.from_cache(texts)
            lacking = [first[t] for t in texts if t not in vectors]
            if lacking and self.wanted is not None:
                self.wanted(lacking)
        similarity = {t: float(np.dot(q, np.asarray(vectors[t], dtype=np.float32))) for t in texts if t in vectors}
        by_key = {key: similarity[text] for key, text in wanted.items() if text in similarity}
        if by_key:
            neutral = float(np.median(list(by_key.values())))
            by_key.update(dict.fromkeys([key for key, text in wanted.items() if text not in similarity], neutral))
            by_key.update(dict.fromkeys(unread, neutral))
        return {"similarity": Similarity(by_key)}
