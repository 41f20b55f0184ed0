"""How close in meaning each candidate of a question's pool is to the question: MiniLM cosine similarity.

Why: an expert's or a lawyer's question is in their own words ("How does the margin of appreciation apply to the
State's discretion in regulating the disclosure of personal data?"), the paragraph that answers it in the Court's
("the domestic law must afford appropriate safeguards to prevent any such use of personal data …"). BM25 finds the
right judgment through the words they share, mostly in facts and submissions, and ranks the statement of the
principle below them; the same MiniLM model the store's dense vectors come from puts the question and the principle
close together. Over the whole store MiniLM alone is weaker than BM25 (dev `dense` rows); within the ranker's pool,
as one more feature (`kb.search.ranking.meaning`), it re-orders what BM25 and the citations found.

The pool's vectors come from the embedding cache the write path fills (`KB_EMBED_CACHE`; the text embedded at
ingest, `index_text`), so a question costs one query embedding. A passage the cache lacks is read from the store's
dense vectors (`stored`, `ChunkStore.dense_vectors`: one retrieve by point ids). Why: a store whose vectors are
complete but whose cache was lost (deleted; a copied or migrated store; a server store filled elsewhere) leaves `kb
embed` nothing to fill, and its questions were ranked by the pool's median for ever. Measured (`bench/cold_meaning.py`,
whole store eval21v, onnx float32, leave-out graph; the 113 dev questions and the never-tuned topic (47) and
extradition (37) questions, same run, load 17-30), doc_hit@10 / para_hit@10 expert, lawyer, topic, extradition: an
empty cache read with the store gives the warm cache's figures, 0.685 / 0.409, 0.975 / 0.925, 0.787 / 0.511, 0.892 /
0.703 (the same top 10 for 183 of 197 questions: the cache's vectors are float16, the store's float32), against
0.644 / 0.394, 0.950 / 0.875, 0.745 / 0.468, 0.865 / 0.514 without it; the read costs 7-10 ms wall and ~3 ms of CPU a
question (~80 vectors mapped from disk), and nothing on a warm cache.

In a serving process (the app, `kb mcp`) a passage neither holds is not embedded here: it is `unknown` to the ranker
and handed to `wanted` (`kb.indexing.handover.WantedPassages`), which the process gives `kb embed` before the store's
own order, so the pools of the questions being asked are filled first; a one-shot `kb search` or `kb eval`, which
nothing would fill after it, embeds them and caches them. Why: after `make run`'s sparse-first ingest the cache fills
for over an hour, and embedding a question's ~80 pool passages inline took 3-5 s a question (session 20: a budget of
4 or 8 passages embedded inline cost 0.5-1 s of CPU a question, the default mode's target being 50 ms p50). The ranker
gives an unknown candidate the expected value of `meaning` over every place, and a known one its expected value over
the places the unknown ones leave it (`kb.search.ranking.meaning_values`). Before, an unknown candidate took the
pool's median similarity among the known ones, and a cache filling in `kb embed`'s order did worse than none.
Measured (same run), expert doc_hit@10 / para_hit@10 and the hits of all 197 questions (documents; paragraphs, of 190):
warm 0.685 / 0.409, 159; 114; empty cache 0.644 / 0.394, 152; 102. The cache holding the first 40,000 passages of `kb
embed`'s order (28-41 % of the pools' passages): median 0.616 / 0.364, 157; 110 → expected 0.644 / 0.409, 158; 114;
the first 100,000 (50-60 %): 0.671 / 0.394, 161; 115 → 0.685 / 0.409, 159; 115; a random 25 / 50 / 75 % of the
cache: 0.644 / 0.348, 155; 103 → 0.671 / 0.394, 155; 107; 0.671 / 0.364, 159; 106 → 0.685 / 0.364, 158; 105; 0.685 /
0.379, 158; 106 → 0.671 / 0.364, 156; 105. Two other rules did no better: the known candidates ranked among
themselves with an unknown one at their mean value (40,000: 158; 112, 100,000: 159; 113, 25 %: 156; 107) and that
times the share known (157; 110, 159; 113, 153; 104). On a warm cache nothing changes (`bench/ranked_latency.py
--baseline`, 436 queries of every kind: each top 10 and every candidate's score identical).
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

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from haystack import Document, component

from ingest.loaders.text_blocks import detect_language
from kb.documents import Candidates
from kb.embedding import (
    CachedDocumentEmbedder,
    EmbeddingCache,
    Recent,
    document_embedder,
    model_languages,
    text_embedder,
)
from kb.search.queries import QueryReading
from kb.settings import Embedding
from legal.text import index_text

Key = tuple[str, str]
RECENT_VECTORS = 4096
"""Pool vectors a process keeps in memory, of those it read last from the cache and, apart, from the store (each at
most ~6.5 MB: 384 float32 and a key a vector): the next question's pool holds many of the last questions' passages,
and a vector kept is neither looked up in SQLite nor read from the store again. A question's pool is ~80 passages."""


class Similarity(Mapping[Key, float]):
    """Each candidate's similarity to the query, by candidate key, handed to the ranker uncopied; `unknown`: the
    candidates whose vector neither the cache nor the store holds yet (a store `kb embed` is filling), which the
    ranker places by expectation (`kb.search.ranking.meaning_values`), not by a similarity made up for them.

    Why not a dict: Haystack deep-copies a dict input value by value, asking of each whether it is a `Component` (a
    runtime-checkable Protocol): for a question's ~70 candidates ~1.2 ms a search. This mapping is one object to
    Haystack, and its deep copy is itself (nothing changes it once made)."""

    __slots__ = ("_values", "unknown")

    def __init__(self, values: dict[Key, float] | None = None, unknown: frozenset[Key] = frozenset()) -> None:
        self._values = values if values is not None else {}
        self.unknown = unknown

    def __getitem__(self, key: Key) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Similarity({self._values!r}, unknown={set(self.unknown)!r})"

    def __deepcopy__(self, memo: dict) -> Similarity:
        return self


@component
class PoolSimilarity:
    """The cosine similarity of the query with every candidate (retrieved and fetched), by candidate key, for the
    queries `needed` says; an empty map for the rest. A candidate's vector comes from the cache, else from the store
    (`stored`), else (without `wanted`) from the model; with `wanted`, a candidate neither holds is left `unknown` (see
    the module docstring) and handed to `wanted`."""

    def __init__(self, embedding: Embedding, cache: Path | None, needed: Callable[[QueryReading], bool],
                 key: Callable[[Document], Key], wanted: Callable[[list[Document]], None] | None = None,
                 stored: Callable[[list[str]], Mapping[str, list[float] | None]] | None = None) -> None:
        """`wanted` is told the candidates whose vector the cache and the store lacked
        (`kb.indexing.handover.WantedPassages`: `kb embed` embeds them next). Without it (nobody would fill them: `kb
        search`, `kb eval`) or without a cache, those are embedded here, and cached. `stored`: the store's dense
        vectors by point id (`ChunkStore.dense_vectors`), read for the candidates the cache lacks."""
        self.embedding = embedding
        self.cache_path = cache
        self.needed = needed
        self.key = key
        self.wanted = wanted
        self.stored = stored
        self._query = None
        self._passages = None
        self._stored = Recent(RECENT_VECTORS)
        self._stored_lock = threading.Lock()
        self._embedders_lock = threading.Lock()

    def warm_up(self) -> None:
        """Nothing: the model loads on the first question that needs it (see the module docstring)."""

    def _embedders(self):
        """Made once, under a lock: two searches may overlap, and a second one must not find the query's embedder
        made and the passages' not yet while the first loads the model."""
        with self._embedders_lock:
            if self._query is None:
                query = text_embedder(self.embedding)
                query.warm_up()
                cache = EmbeddingCache(self.cache_path, self.embedding, RECENT_VECTORS) if self.cache_path else None
                self._passages = CachedDocumentEmbedder(lambda: document_embedder(self.embedding), cache)
                self._query = query
            return self._query, self._passages

    def _from_store(self, texts: list[str], first: dict[str, Document]) -> dict[str, np.ndarray]:
        """The store's vectors of `texts` (each read by its first candidate's point id), for those it holds; the
        `RECENT_VECTORS` last read are kept by point id (a point's text, hence its vector, is fixed by its id:
        `kb.indexing.chunking`), and a point without one yet is asked again next time (`kb embed` may fill it)."""
        if self.stored is None or not texts:
            return {}
        found: dict[str, np.ndarray] = {}
        with self._stored_lock:
            unread = [t for t in texts if not self._stored.found(first[t].id, t, found)]
        if not unread:
            return found
        held = self.stored([first[t].id for t in unread])
        with self._stored_lock:
            for t in unread:
                if vector := held.get(first[t].id):
                    found[t] = np.asarray(vector, dtype=np.float32)
                    found[t].flags.writeable = False
                    self._stored.keep(first[t].id, found[t])
        return found

    def _asks(self, reading: QueryReading) -> bool:
        """Whether the query gets a similarity: its weights use it (`needed`) and the model reads its language."""
        if not self.needed(reading):
            return False
        languages = model_languages(self.embedding.model)
        return languages is None or detect_language(reading.text) in languages

    def start(self, reading: QueryReading) -> QueryVector:
        """The query's vector, begun now on a thread of its own (`QueryVector`) if the query gets a similarity."""
        if not self._asks(reading):
            return QueryVector()
        embed_query, _ = self._embedders()
        return QueryVector(_embedding_threads().submit(embed_query.run, text=reading.text))

    @component.output_types(similarity=Similarity)
    def run(self, documents: Candidates, reading: QueryReading, fetched: Candidates | None = None,
            query_vector: QueryVector | None = None) -> dict:
        """`query_vector`: the query's vector as `start` began it (`QueryEmbedding`), else embedded here."""
        docs = [*documents, *(fetched or [])]
        started = query_vector.pending if query_vector is not None else None
        if not docs or (started is None and not self._asks(reading)):
            return {"similarity": Similarity()}
        languages = model_languages(self.embedding.model)
        embed_query, embed_passages = self._embedders()
        embedded = started.result() if started is not None else embed_query.run(text=reading.text)
        q = np.asarray(embedded["embedding"], dtype=np.float32)
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
        vectors: dict = embed_passages.from_cache(texts)
        vectors.update(self._from_store([t for t in texts if t not in vectors], first))
        lacking = [t for t in texts if t not in vectors]
        if lacking and (embed_passages.cache is None or self.wanted is None):
            vectors.update(embed_passages.vectors(lacking, arrays=True))
        elif lacking:
            self.wanted([first[t] for t in lacking])
        similarity = {t: float(np.dot(q, np.asarray(vectors[t], dtype=np.float32))) for t in texts if t in vectors}
        by_key = {key: similarity[text] for key, text in wanted.items() if text in similarity}
        unknown = frozenset(key for key, text in wanted.items() if text not in similarity)
        if by_key:
            by_key.update(dict.fromkeys(unread, float(np.median(list(by_key.values())))))
        return {"similarity": Similarity(by_key, unknown if by_key else frozenset())}


class QueryVector:
    """A query's vector being embedded on another thread (`pending`, a future of the embedder's output), handed on
    uncopied (Haystack deep-copies every input); empty for a query that gets no similarity."""

    __slots__ = ("pending",)

    def __init__(self, pending: Future | None = None) -> None:
        self.pending = pending

    def __deepcopy__(self, memo: dict) -> QueryVector:
        return self


_threads: ThreadPoolExecutor | None = None
_threads_lock = threading.Lock()


def _embedding_threads() -> ThreadPoolExecutor:
    """The threads queries are embedded on (two: the app's searches may overlap), made on first use."""
    global _threads
    with _threads_lock:
        if _threads is None:
            _threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="query-embedding")
        return _threads


@component
class QueryEmbedding:
    """Begins the query's embedding for `PoolSimilarity` as soon as the query is read, on a thread of its own, so the
    model runs while the retrievers and the fetcher run (ONNX Runtime and Qdrant Edge let go of Python's lock), and
    the pool's similarity waits only for what is left of it. The vector is the one `PoolSimilarity` would embed: the
    results are the same (`bench/ranked_latency.py --baseline`); only a question's wall time changes."""

    def __init__(self, similarity: PoolSimilarity) -> None:
        self.similarity = similarity

    @component.output_types(query_vector=QueryVector)
    def run(self, reading: QueryReading) -> dict:
        return {"query_vector": self.similarity.start(reading)}
