"""One conformance suite for both store backends: whatever the app asks, Edge and a server must answer alike.

Backends under test:
- `edge`: the embedded Qdrant Edge shard (`EdgeStore`) in a temporary folder, exactly as users run it.
- `server-standin`: `ServerStore` on qdrant-client's LOCAL MODE. It is a STAND-IN for a Qdrant server or
  cluster, which cannot run on this machine (no Docker engine); it goes through the same qdrant-client
  models and calls (`query_points` with prefetch + RRF, `facet`, `count`, filters) that a server receives.

The points are real: paragraphs of Soering, part of Saadi, the CAT general comment No. 4, a HUDOC decision,
an information note and a PRC statute, embedded with the real model and BM25. Each backend is checked
against the truth computed here from the points (counts, facets, exact cosine ranking) and, for BM25 and
hybrid search, against the other backend. Scores are compared only to order results: ties may come back in
either order, so rankings are compared tie-group by tie-group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import embedding_turn, memoize_local_mode_dates

from kb.store.base import (
    DOCUMENT_INDEXES,
    EMBED_RANK,
    FACTS,
    REASONING,
    RRF_K,
    ChunkPoint,
    ChunkStore,
    SearchFilters,
    SparseVector,
    StoredChunk,
    decode_versions,
)
from kb.store.edge import EdgeStore
from kb.store.server import ServerStore

memoize_local_mode_dates()

DIM = 384
FILES = (
    "echr/JUDGMENT/HEJUD-14038-88.json.gz",  # Soering v. the United Kingdom (168 paragraphs)
    "echr/JUDGMENT/HEJUD-37201-06.json.gz",  # Saadi v. Italy [GC]: only its first SAADI_KEEP chunks are stored
    "un/Annotated_CAT_GC4_art.3.json",  # CAT general comment No. 4
    "echr/DECISION/001-100741.json",  # Yordanova v. Bulgaria (dec.): articles and importance
    "echr/INFORMATION_NOTE/CLIN-37201-06.json",
    "prc-law/宪法相关法/监察法(2018-03-20).md",  # Chinese text, language zh
)
SAADI_KEEP = 60
"""Saadi is stored in part, so `versions()` must report one incomplete document on both backends."""

QUERIES = (
    "death row phenomenon extradition to the United States",
    "diplomatic assurances against ill-treatment after deportation",
    "real risk of torture substantial grounds",
    "burden of proof on the applicant to show a personal risk",
    "national security cannot outweigh the risk of ill-treatment",
    "留置措施",
)

FILTERS: dict[str, SearchFilters] = {
    "none": SearchFilters(),
    "doc_type": SearchFilters(doc_types=("JUDGMENT", "GENERAL_COMMENT")),
    "court": SearchFilters(courts=("Committee against Torture",)),
    "state": SearchFilters(respondent_states=("United Kingdom", "Bulgaria")),
    "article": SearchFilters(articles=("3",)),
    "language": SearchFilters(languages=("zh",)),
    "kind": SearchFilters(source_kinds=("echr",)),
    "section": SearchFilters(sections=("THE LAW",)),
    "role": SearchFilters(roles=("court", "operative")),
    "unknown_importance": SearchFilters(unknown=("importance",)),
    "date_from": SearchFilters(date_from="2008-02-28"),
    "date_to": SearchFilters(date_to="2010-09-14"),
    "date_range": SearchFilters(date_from="1990-01-01", date_to="2010-12-31"),
    "importance": SearchFilters(max_importance=4),
    "grand_chamber": SearchFilters(grand_chamber=True),
    "not_grand_chamber": SearchFilters(grand_chamber=False),
    "doc_ids": SearchFilters(doc_ids=("HEJUD-14038-88", "UN-CAT-GC-4")),
    "exclude": SearchFilters(exclude_doc_ids=("HEJUD-14038-88",)),
    "combined": SearchFilters(source_kinds=("echr", "un"), sections=("THE LAW", "THE FACTS"),
                              date_to="2009-01-01", exclude_doc_ids=("HEJUD-37201-06",)),
}

BACKENDS = ("edge", "server-standin")



# -- the data, built once per module ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def points(kb_settings, corpus_root: Path) -> list[ChunkPoint]:
    """Real paragraphs with real vectors; the embedding cache is the session's, so sample_kb's work is reused."""
    from ingest.files import ReadFailure, named_files, read
    from ingest.manifest import Manifest
    from kb.embedding import Bm25DocumentEmbedder, CachedDocumentEmbedder, EmbeddingCache, document_embedder
    from kb.indexing.chunking import prepare
    from kb.indexing.writing import to_point

    chunks = []
    manifest = Manifest.load(kb_settings.manifest)
    for item in named_files([corpus_root / f for f in FILES], kb_settings.corpus, manifest, "upload"):
        docs = read(item)
        assert not isinstance(docs, ReadFailure), docs
        for doc in docs:
            prepared = prepare(doc, item.source_name)
            chunks.extend(prepared.chunks[:SAADI_KEEP] if doc.doc_id == "HEJUD-37201-06" else prepared.chunks)
    dense = CachedDocumentEmbedder(lambda: document_embedder(kb_settings.embedding),
                                   EmbeddingCache(kb_settings.embeddings_cache, kb_settings.embedding))
    dense.warm_up()
    with embedding_turn():
        embedded = dense.run(chunks)["documents"]
    docs = Bm25DocumentEmbedder().run(embedded)["documents"]
    return [to_point(d) for d in docs]


@pytest.fixture(scope="module")
def queries(kb_settings) -> dict[str, tuple[list[float], SparseVector]]:
    from kb.embedding import Bm25QueryEmbedder, text_embedder

    embedder = text_embedder(kb_settings.embedding)
    embedder.warm_up()
    bm25 = Bm25QueryEmbedder()
    out = {}
    for text in QUERIES:
        sparse = bm25.run(text)["sparse_embedding"]
        out[text] = (embedder.run(text=text)["embedding"], SparseVector(list(sparse.indices), list(sparse.values)))
    return out


def make_store(backend: str, folder: Path, name: str = "conformance") -> ChunkStore:
    if backend == "edge":
        return EdgeStore(folder / name, DIM)
    return ServerStore(None, name, DIM, location=":memory:", shard_number=2, replication_factor=1)


@pytest.fixture(scope="module")
def stores(points, tmp_path_factory) -> Iterator[dict[str, ChunkStore]]:
    folder = tmp_path_factory.mktemp("conformance")
    built = {}
    for backend in BACKENDS:
        store = make_store(backend, folder)
        store.upsert(points)
        store.flush()
        built[backend] = store
    yield built
    for store in built.values():
        store.close()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


# -- the truth, computed from the points ----------------------------------------------------------------


def _values(payload: dict, key: str) -> list:
    value = payload.get(key)
    return value if isinstance(value, list) else ([] if value is None else [value])


def matches(payload: dict, f: SearchFilters) -> bool:
    """What the filter means to a lawyer: any of the values within a field, every field, dates inclusive."""
    for key, wanted in (("doc_type", f.doc_types), ("court", f.courts), ("respondent_state", f.respondent_states),
                        ("articles", f.articles), ("language", f.languages), ("source_kind", f.source_kinds),
                        ("section", f.sections), ("role", f.roles), ("doc_id", f.doc_ids)):
        if wanted and not set(_values(payload, key)) & set(wanted):
            return False
    if any(_values(payload, key) for key in f.unknown):
        return False
    date = payload.get("date")
    if (f.date_from or f.date_to) and date is None:
        return False
    if f.date_from and date < f.date_from or f.date_to and date > f.date_to:
        return False
    if f.max_importance is not None and not (payload.get("importance") is not None
                                             and payload["importance"] <= f.max_importance):
        return False
    if f.grand_chamber is not None and payload.get("grand_chamber") is not f.grand_chamber:
        return False
    return payload.get("doc_id") not in f.exclude_doc_ids


def exact_dense(points: list[ChunkPoint], query: list[float], f: SearchFilters, k: int) -> list[tuple[str, float]]:
    chosen = [p for p in points if matches(p.payload, f)]
    if not chosen:
        return []
    matrix = np.array([p.dense for p in chosen], dtype=np.float64)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    q = np.asarray(query, dtype=np.float64)
    scores = matrix @ (q / np.linalg.norm(q))
    order = np.argsort(-scores, kind="stable")[:k]
    return [(chosen[i].id, float(scores[i])) for i in order]


def assert_same_ranking(got: list[StoredChunk] | list[tuple[str, float]], want: list[tuple[str, float]],
                        tol: float, label: str) -> None:
    """Same ids in the same order, except that points with equal scores may come in any order.

    The last tie group may be cut at the limit differently, so there only the count and score must agree.
    """
    pairs = [(c.id, c.score) if isinstance(c, StoredChunk) else c for c in got]
    assert len(pairs) == len(want), f"{label}: {len(pairs)} results, expected {len(want)}"
    groups: list[list[int]] = []
    for i, (_, score) in enumerate(want):
        if groups and abs(want[groups[-1][0]][1] - score) <= tol * max(1.0, abs(score)):
            groups[-1].append(i)
        else:
            groups.append([i])
    for n, group in enumerate(groups):
        got_ids = {pairs[i][0] for i in group}
        want_ids = {want[i][0] for i in group}
        for i in group:
            assert abs(pairs[i][1] - want[i][1]) <= tol * max(1.0, abs(want[i][1])) * 10, (
                f"{label}: score at rank {i + 1} is {pairs[i][1]}, expected {want[i][1]}")
        if n < len(groups) - 1:
            assert got_ids == want_ids, f"{label}: ranks {group[0] + 1}-{group[-1] + 1} differ: {got_ids} vs {want_ids}"


# -- the cases --------------------------------------------------------------------------------------------


def test_count_total_and_per_filter(stores, points, backend: str) -> None:
    store = stores[backend]
    assert store.count() == len(points)
    for name, f in FILTERS.items():
        expected = sum(matches(p.payload, f) for p in points)
        assert store.count(f) == expected, f"{backend} count with filter {name}"


SINGLE_FILTERS = {name: f for name, f in FILTERS.items() if name not in ("none", "combined")}


def combine(a: SearchFilters, b: SearchFilters) -> SearchFilters:
    """Both filters at once: every field either sets (a later date bound or list replaces nothing the other set)."""
    fields = {k: v for k, v in vars(a).items() if v not in ((), None)}
    for key, value in vars(b).items():
        if value not in ((), None):
            fields[key] = tuple(sorted({*fields[key], *value})) if isinstance(value, tuple) and key in fields else value
    return SearchFilters(**fields)


PAIRS = [(x, y) for i, x in enumerate(SINGLE_FILTERS) for y in list(SINGLE_FILTERS)[i + 1:]]


def test_every_filter_pair_counts_and_facets_match_the_truth(stores, points, backend: str) -> None:
    """The app combines filters freely (Document type with Article, a date, a court …): every pair, on both backends,
    counted and faceted by document against the truth computed from the payloads."""
    store = stores[backend]
    nonempty = 0
    for x, y in PAIRS:
        f = combine(SINGLE_FILTERS[x], SINGLE_FILTERS[y])
        chosen = [p for p in points if matches(p.payload, f)]
        nonempty += bool(chosen)
        assert store.count(f) == len(chosen), f"{backend} count with {x} + {y}"
        want = Counter(p.payload["doc_id"] for p in chosen)
        assert dict(store.facet("doc_id", f, limit=1000)) == dict(want), f"{backend} documents with {x} + {y}"
    assert nonempty > len(PAIRS) // 2, "most pairs must select something, or the suite proves little"


def test_every_filter_pair_searches_within_the_filter_in_every_mode(stores, points, queries, backend: str) -> None:
    """Dense is exact cosine within the pair; BM25 and hybrid return only matching points, and as many as there are."""
    dense, sparse = queries[QUERIES[2]]
    for x, y in PAIRS:
        f = combine(SINGLE_FILTERS[x], SINGLE_FILTERS[y])
        got = stores[backend].search(dense, sparse, f, limit=10, mode="dense")
        assert_same_ranking(got, exact_dense(points, dense, f, 10), 1e-5, f"{backend} dense {x} + {y}")
        for mode in ("bm25", "hybrid"):
            hits = stores[backend].search(dense, sparse, f, limit=10, mode=mode)
            assert all(matches(c.payload, f) for c in hits), f"{backend} {mode} {x} + {y}"
            assert bool(hits) == any(matches(p.payload, f) for p in points) or mode == "bm25", (
                f"{backend} {mode} {x} + {y} found nothing")


def test_every_filter_selects_something_and_not_everything(points) -> None:
    """Guards the suite itself: a filter that matched all points or none would prove nothing."""
    for name, f in FILTERS.items():
        n = sum(matches(p.payload, f) for p in points)
        assert name == "none" or 0 < n < len(points), f"filter {name} matches {n} of {len(points)}"


def test_facets_match_payload_counts(stores, points, backend: str) -> None:
    store = stores[backend]
    for key in ("doc_id", "source_kind", "articles", "respondent_state", "section", "language"):
        for fname in ("none", "kind", "date_range"):
            f = FILTERS[fname]
            expected = Counter(v for p in points if matches(p.payload, f) for v in _values(p.payload, key))
            assert dict(store.facet(key, f, limit=1000)) == {str(k): n for k, n in expected.items()}, (
                f"{backend} facet {key} with {fname}")


def test_versions_report_the_partly_stored_document(stores, points, backend: str) -> None:
    versions = stores[backend].versions()
    per_doc = Counter(p.payload["doc_id"] for p in points)
    assert {d: v.stored_chunks for d, v in versions.items()} == dict(per_doc)
    assert [d for d, v in versions.items() if not v.complete] == ["HEJUD-37201-06"]
    assert versions["HEJUD-37201-06"].expected_chunks > SAADI_KEEP
    assert versions == stores["edge"].versions()


def test_document_files_name_every_documents_file(stores, points, backend: str) -> None:
    truth = {p.payload["doc_id"]: p.payload["source_file"] for p in points}
    assert len(set(truth.values())) > 1
    assert stores[backend].document_files() == truth


def test_retrieve_returns_the_payload_as_written(stores, points, backend: str) -> None:
    sample = points[::37]
    missing = "00000000-0000-0000-0000-000000000000"
    got = {c.id: c.payload for c in stores[backend].retrieve([p.id for p in sample] + [missing])}
    assert got == {p.id: p.payload for p in sample}


def test_scroll_with_vectors_returns_every_point_with_its_vectors(stores, points, backend: str) -> None:
    by_id = {p.id: p for p in points}
    seen = list(stores[backend].scroll(batch=50, with_vectors=True))
    assert sorted(c.id for c in seen) == sorted(by_id)
    for chunk in seen[::23]:
        p = by_id[chunk.id]
        assert chunk.payload == p.payload
        want = np.asarray(p.dense) / np.linalg.norm(p.dense)  # both backends keep cosine vectors normalised
        assert np.allclose(chunk.dense, want, atol=1e-5)
        assert chunk.sparse is not None
        assert dict(zip(chunk.sparse.indices, chunk.sparse.values, strict=True)) == pytest.approx(
            dict(zip(p.sparse.indices, p.sparse.values, strict=True)))


def test_scroll_with_filter(stores, points, backend: str) -> None:
    f = FILTERS["combined"]
    assert sorted(c.id for c in stores[backend].scroll(f, batch=7)) == sorted(
        p.id for p in points if matches(p.payload, f))


def test_scroll_paragraphs_returns_exactly_those_paragraphs_within_the_filters(stores, points, backend: str) -> None:
    """The ranker's lookup of cited paragraphs: exactly the chunks of the (doc_id, paragraph) pairs asked for that
    pass the other filters, in `scroll`'s order; pairs of other documents' paragraph numbers are not matched."""
    numbered = [p for p in points if p.payload.get("paragraph")]
    keys = [(p.payload["doc_id"], p.payload["paragraph"]) for p in numbered[::11]] + [("no-such-document", "1")]
    store = stores[backend]
    for f in (SearchFilters(), FILTERS["combined"], SearchFilters(doc_ids=("HEJUD-14038-88",), paragraphs=("1",))):
        want = [c.id for c in store.scroll(replace(f, doc_ids=(), paragraphs=()), batch=64)
                if (c.payload.get("doc_id"), c.payload.get("paragraph")) in set(keys)]
        assert want and [c.id for c in store.scroll_paragraphs(keys, f, batch=7)] == want, f
    assert list(store.scroll_paragraphs([], SearchFilters())) == []


def test_document_chunks_in_reading_order(stores, points, backend: str) -> None:
    chunks = stores[backend].document_chunks("UN-CAT-GC-4")
    assert [c.id for c in chunks] == [p.id for p in points if p.payload["doc_id"] == "UN-CAT-GC-4"]
    assert [c.payload["para_index"] for c in chunks] == list(range(len(chunks)))
    assert stores[backend].document_chunks("no-such-document") == []


@pytest.mark.parametrize("fname", list(FILTERS))
def test_dense_search_is_exact_cosine_with_filters(stores, points, queries, backend: str, fname: str) -> None:
    f = FILTERS[fname]
    for text, (dense, sparse) in queries.items():
        got = stores[backend].search(dense, sparse, f, limit=10, mode="dense")
        assert_same_ranking(got, exact_dense(points, dense, f, 10), 1e-5, f"{backend} dense {fname} {text!r}")
        assert all(matches(c.payload, f) for c in got)


@pytest.mark.parametrize("fname", list(FILTERS))
def test_bm25_search_agrees_across_backends(stores, queries, fname: str) -> None:
    f = FILTERS[fname]
    for text, (_, sparse) in queries.items():
        edge = stores["edge"].search(None, sparse, f, limit=10, mode="bm25")
        server = stores["server-standin"].search(None, sparse, f, limit=10, mode="bm25")
        assert_same_ranking(server, [(c.id, c.score) for c in edge], 1e-4, f"bm25 {fname} {text!r}")
        assert all(matches(c.payload, f) for c in edge)


def test_bm25_finds_the_paragraphs_that_contain_the_terms(stores, queries, backend: str) -> None:
    """A behaviour check, not just agreement: the Chinese query reaches the statute, the death-row one Soering."""
    hits = stores[backend].search(None, queries["留置措施"][1], SearchFilters(), limit=5, mode="bm25")
    assert hits and all(c.payload["doc_id"] == "PRC-监察法-2018-03-20" for c in hits)
    assert "留置" in hits[0].payload["text"]
    hits = stores[backend].search(None, queries[QUERIES[0]][1], SearchFilters(), limit=3, mode="bm25")
    assert hits[0].payload["doc_id"] == "HEJUD-14038-88"


def rrf(lists: list[list[StoredChunk]], weights: tuple[float, float], limit: int,
        k: int = RRF_K) -> list[tuple[str, float]]:
    """Qdrant's weighted RRF: a point at 0-based rank r in a list of weight w gets 1/((r+1)/w + k - 1)."""
    scores: dict[str, float] = {}
    for chunks, w in zip(lists, weights, strict=True):
        for rank, c in enumerate(chunks):
            scores[c.id] = scores.get(c.id, 0.0) + 1.0 / ((rank + 1) / w + k - 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])[:limit]


def _has_ties(chunks: list[StoredChunk]) -> bool:
    pairs = zip(chunks, chunks[1:], strict=False)
    return any(abs(a.score - b.score) <= 1e-6 * max(1.0, abs(a.score)) for a, b in pairs)


@pytest.mark.parametrize("weights", [(1.0, 1.0), (2.0, 0.5)])
@pytest.mark.parametrize("fname", ["none", "article", "section", "date_range", "grand_chamber", "exclude", "combined"])
def test_hybrid_search_is_weighted_rrf_and_agrees_across_backends(stores, queries, fname: str,
                                                                  weights: tuple[float, float]) -> None:
    """Each backend fuses its own dense and BM25 candidates by the same weighted RRF; where those candidate
    lists hold no equal scores (whose order either backend may choose), both backends return the same top 10."""
    f = FILTERS[fname]
    compared = 0
    for text, (dense, sparse) in queries.items():
        results, tied = {}, False
        for backend, store in stores.items():
            got = store.search(dense, sparse, f, limit=10, mode="hybrid", prefetch_limit=50, weights=weights)
            lists = [store.search(dense, None, f, limit=50, mode="dense"),
                     store.search(None, sparse, f, limit=50, mode="bm25")]
            assert got, f"{backend} hybrid {fname} {text!r} found nothing"
            assert_same_ranking(got, rrf(lists, weights, 10), 1e-9, f"{backend} hybrid {fname} {weights} {text!r}")
            tied = tied or any(_has_ties(candidates) for candidates in lists)
            results[backend] = got
        if not tied:
            compared += 1
            assert_same_ranking(results["server-standin"], [(c.id, c.score) for c in results["edge"]], 1e-9,
                                f"hybrid across backends {fname} {weights} {text!r}")
    assert compared >= 2, f"hybrid {fname}: too few tie-free queries to compare the backends directly"


def test_hybrid_without_sparse_terms_falls_back_to_dense(stores, points, queries, backend: str) -> None:
    dense, _ = queries[QUERIES[1]]
    got = stores[backend].search(dense, SparseVector([], []), SearchFilters(), limit=5, mode="hybrid")
    assert_same_ranking(got, exact_dense(points, dense, SearchFilters(), 5), 1e-5, backend)
    assert stores[backend].search(None, SparseVector([], []), SearchFilters(), limit=5, mode="bm25") == []


# -- writes, each on a fresh pair of small stores -----------------------------------------------------------


@pytest.fixture
def small_store(points, tmp_path, backend: str) -> Iterator[tuple[ChunkStore, list[ChunkPoint]]]:
    subset = [p for p in points if p.payload["doc_id"] in ("001-100741", "CLIN-37201-06", "UN-CAT-GC-4")]
    store = make_store(backend, tmp_path, "writes")
    store.upsert(subset)
    yield store, subset
    store.close()


def _ids(store: ChunkStore) -> set[str]:
    return {c.id for c in store.scroll()}


def test_upsert_is_idempotent_and_replaces_payload(small_store) -> None:
    store, subset = small_store
    store.upsert(subset)
    assert store.count() == len(subset)
    first = subset[0]
    changed = ChunkPoint(first.id, first.dense, first.sparse, dict(first.payload, title="Renamed"))
    store.upsert([changed])
    assert store.retrieve([first.id])[0].payload["title"] == "Renamed"
    assert store.count() == len(subset)


def test_delete_by_id(small_store) -> None:
    store, subset = small_store
    gone = [p.id for p in subset[:5]]
    store.delete(gone)
    store.delete([])
    assert _ids(store) == {p.id for p in subset[5:]}
    assert store.retrieve(gone) == []


def test_delete_documents_removes_only_those_documents(small_store) -> None:
    store, subset = small_store
    store.delete_documents(["CLIN-37201-06", "no-such-document"])
    store.flush()
    assert _ids(store) == {p.id for p in subset if p.payload["doc_id"] != "CLIN-37201-06"}
    assert set(store.versions()) == {"001-100741", "UN-CAT-GC-4"}
    assert store.facet("doc_id", SearchFilters(doc_ids=("CLIN-37201-06",))) == []


def test_store_reopens_with_its_data(points, tmp_path, backend: str) -> None:
    """Both backends persist: Edge in its folder; the server stand-in in local mode on disk."""
    subset = points[:20]
    reopen: Callable[[], ChunkStore]
    if backend == "edge":
        def reopen() -> ChunkStore:
            return EdgeStore(tmp_path / "persist", DIM)
    else:
        def reopen() -> ChunkStore:
            return ServerStore(None, "persist", DIM, location=str(tmp_path / "persist"))
    store = reopen()
    store.upsert(subset)
    store.close()
    store = reopen()
    try:
        assert _ids(store) == {p.id for p in subset}
    finally:
        store.close()


def test_server_refuses_a_collection_with_another_schema(tmp_path) -> None:
    from legal.errors import StoreUnavailableError

    ServerStore(None, "other", 8, location=str(tmp_path / "qdrant")).close()
    with pytest.raises(StoreUnavailableError, match="'other'.*size 384.*KB_COLLECTION"):
        ServerStore(None, "other", DIM, location=str(tmp_path / "qdrant"))


def test_server_unreachable_names_the_url_and_next_step() -> None:
    from legal.errors import StoreUnavailableError

    with pytest.raises(StoreUnavailableError, match="127.0.0.1:9.*KB_QDRANT_URL"):
        ServerStore("http://127.0.0.1:9", "kb_chunks", DIM, timeout=2)


# -- the facts-section index: a sparse-only collection beside the chunks ---------------------------------------

FACTS_QUERIES = (
    "The applicant was detained pending extradition to the United States to face charges of capital murder in "
    "Virginia; he risked the death penalty and the death row phenomenon.",
    "The applicant, a Tunisian national, was arrested in Italy on suspicion of international terrorism",
    "Roma families lived in an unlawful settlement in Sofia which the municipality ordered removed",
    "qwertyuiop zxcvbnm",
)


@pytest.fixture(scope="module")
def index_points(kb_settings, corpus_root: Path) -> dict[str, list]:
    """The points of each document index (`DOCUMENT_INDEXES`) of the sample's ECtHR documents, as `kb citations
    build` computes them."""
    from ingest.files import named_files, read
    from ingest.manifest import Manifest
    from kb.facts import judgment_facts
    from tests.conftest import SAMPLE_FILES

    files = sorted({f for f in FILES + tuple(SAMPLE_FILES) if f.startswith("echr/")})
    manifest = Manifest.load(kb_settings.manifest)
    docs = [doc for item in named_files([corpus_root / f for f in files], kb_settings.corpus, manifest, "upload")
            for doc in read(item)]
    points = {p.index: p.points for p in judgment_facts(docs)}
    assert set(points) == set(DOCUMENT_INDEXES)
    for index, some in points.items():
        assert 5 <= len(some) < len(docs), f"documents with {index} text, and documents without"
    assert {p.doc_id for p in points[FACTS]} != {p.doc_id for p in points[REASONING]}
    return points


@pytest.fixture(scope="module")
def facts_points(index_points) -> list:
    return index_points[FACTS]


@pytest.fixture(scope="module")
def facts_stores(stores, index_points) -> dict[str, ChunkStore]:
    for store in stores.values():
        for index, points in index_points.items():
            store.upsert_facts(points, index=index)
        store.flush()
    return stores


def exact_facts(points: list, query: SparseVector, f: SearchFilters) -> list[tuple[str, float]]:
    """BM25 with IDF over every indexed judgment: Σ over the query's terms of ln(1 + (N − df + 0.5)/(df + 0.5)) × the
    judgment's stored weight; judgments sharing no term are not listed."""
    df = Counter(i for p in points for i in set(p.sparse.indices))
    n = len(points)
    out = []
    for p in points:
        if f.doc_ids and p.doc_id not in f.doc_ids or p.doc_id in f.exclude_doc_ids:
            continue
        weights = dict(zip(p.sparse.indices, p.sparse.values, strict=True))
        shared = [i for i in set(query.indices) if i in weights]
        if shared:
            out.append((p.doc_id, sum(np.log(1 + (n - df[i] + 0.5) / (df[i] + 0.5)) * weights[i] for i in shared)))
    return sorted(out, key=lambda pair: -pair[1])


@pytest.mark.parametrize("index", DOCUMENT_INDEXES)
@pytest.mark.parametrize("query", FACTS_QUERIES)
def test_document_index_search_is_bm25_with_idf_over_whole_texts(facts_stores, index_points, backend: str,
                                                                 query: str, index: str) -> None:
    """Each document index (the facts sections, the Court's reasoning) answers from its own points alone."""
    from kb.facts import FactsEmbedder

    sparse = FactsEmbedder().query(query)
    store, points = facts_stores[backend], index_points[index]
    for f in (SearchFilters(), SearchFilters(exclude_doc_ids=("HEJUD-14038-88",)),
              SearchFilters(doc_ids=("HEJUD-14038-88", "HEJUD-37201-06", "CLIN-37201-06"))):
        want = exact_facts(points, sparse, f)
        got = store.search_facts(sparse, None, doc_ids=f.doc_ids, exclude_doc_ids=f.exclude_doc_ids, index=index)
        assert_same_ranking(got, want, 1e-4, f"{index} {query[:20]!r} {f}")
        if not f.doc_ids:  # the scores alone are those of the same search, in its order
            assert store.facts_scores(sparse, exclude_doc_ids=f.exclude_doc_ids, index=index) == [s for _, s in got]
        if len(want) > 2 and want[1][1] - want[2][1] > 1e-3 and not f.doc_ids:
            threshold = want[1][1] * (1 - 1e-4)
            above = store.search_facts(sparse, None, exclude_doc_ids=f.exclude_doc_ids, score_threshold=threshold,
                                       index=index)
            assert {d for d, _ in above} == {d for d, _ in want[:2]}
            assert store.facts_scores(sparse, f.exclude_doc_ids, threshold, index=index) == [s for _, s in above]
    assert store.facts_doc_ids(index=index) == {p.doc_id for p in points}


def test_facts_ranks_put_the_case_that_tells_the_story_first(facts_stores, facts_points, backend: str) -> None:
    from kb.facts import FactsEmbedder
    from kb.search.facts_index import FactsIndex

    index = FactsIndex(facts_stores[backend])
    every = [p.doc_id for p in facts_points]
    ranks = index.ranks(FACTS_QUERIES[0], every)
    truth = exact_facts(facts_points, FactsEmbedder().query(FACTS_QUERIES[0]), SearchFilters())
    assert ranks == {doc_id: i for i, (doc_id, _) in enumerate(truth, 1)}
    assert ranks["HEJUD-14038-88"] == 1
    excluded = index.ranks(FACTS_QUERIES[0], every, exclude_doc_ids=["HEJUD-14038-88"])
    assert "HEJUD-14038-88" not in excluded and sorted(excluded.values()) == list(range(1, len(truth)))
    assert index.ranks(FACTS_QUERIES[0], ["CLIN-37201-06", "no-such-judgment"]) == {}
    assert index.ranks(FACTS_QUERIES[-1], every) == {}


def test_facts_points_are_replaced_and_deleted_per_judgment(facts_points, tmp_path, backend: str) -> None:
    from kb.facts import FactsEmbedder

    store = make_store(backend, tmp_path, "facts-writes")
    try:
        store.upsert_facts(facts_points)
        store.upsert_facts(facts_points[:1])
        assert store.facts_doc_ids() == {p.doc_id for p in facts_points}
        scrolled = sorted(store.scroll_facts(batch=2), key=lambda p: p.id)
        assert [(p.id, p.doc_id, p.sparse.indices) for p in scrolled] == sorted(
            (p.id, p.doc_id, p.sparse.indices) for p in facts_points), "every point once, with its vector"
        want = {p.id: p.sparse.values for p in facts_points}
        assert all(p.sparse.values == pytest.approx(want[p.id], rel=1e-6) for p in scrolled)
        gone = facts_points[0].doc_id
        store.delete_facts([gone, "no-such-judgment"])
        store.flush()
        assert store.facts_doc_ids() == {p.doc_id for p in facts_points[1:]}
        sparse = FactsEmbedder().query(FACTS_QUERIES[0])
        assert gone not in {d for d, _ in store.search_facts(sparse, None)}
        store.delete_documents([facts_points[1].doc_id])  # removing a document removes its facts point too
        assert store.facts_doc_ids() == {p.doc_id for p in facts_points[2:]}
        assert store.count() == 0, "facts points must not land among the chunks"
    finally:
        store.close()


def test_reasoning_points_live_apart_and_go_with_their_document(index_points, tmp_path, backend: str) -> None:
    """The reasoning index is a collection of its own: its points are written, replaced and deleted without touching
    the facts index, and `delete_documents` removes a document's point from both."""
    from kb.facts import FactsEmbedder

    facts, reasoning = index_points[FACTS], index_points[REASONING]
    both = sorted({p.doc_id for p in facts} & {p.doc_id for p in reasoning})
    store = make_store(backend, tmp_path, "reasoning-writes")
    try:
        assert store.facts_doc_ids(index=REASONING) == set(), "a new store has an empty reasoning index"
        store.upsert_facts(facts)
        assert store.facts_doc_ids(index=REASONING) == set()
        store.upsert_facts(reasoning, index=REASONING)
        store.upsert_facts(reasoning[:1], index=REASONING)
        assert store.facts_doc_ids(index=REASONING) == {p.doc_id for p in reasoning}
        assert store.facts_doc_ids() == {p.doc_id for p in facts}
        scrolled = sorted(store.scroll_facts(batch=2, index=REASONING), key=lambda p: p.id)
        assert [(p.id, p.doc_id, p.sparse.indices) for p in scrolled] == sorted(
            (p.id, p.doc_id, p.sparse.indices) for p in reasoning), "every point once, with its own vector"
        store.delete_facts([both[0]], index=REASONING)
        assert store.facts_doc_ids(index=REASONING) == {p.doc_id for p in reasoning} - {both[0]}
        assert both[0] in store.facts_doc_ids(), "deleting a reasoning point leaves the facts point"
        store.delete_documents([both[1]])
        store.flush()
        assert both[1] not in store.facts_doc_ids(index=REASONING) | store.facts_doc_ids()
        sparse = FactsEmbedder().query("diplomatic assurances against torture and a real risk of ill-treatment")
        assert {d for d, _ in store.search_facts(sparse, None, index=REASONING)} \
            == {p.doc_id for p in reasoning} - {both[0], both[1]}
        with pytest.raises(ValueError, match="no document index 'opinions'"):
            store.facts_doc_ids(index="opinions")
    finally:
        store.close()


def test_sparse_first_points_get_their_dense_vectors_later_keeping_ids_and_payloads(points, queries, tmp_path: Path,
                                                                                     backend: str) -> None:
    """Issue 21: chunks stored without a dense vector are listed for the backfill most useful first (`embed_rank`
    descending, chunks without a rank last), dense search cannot see them, and `update_vectors` gives them their
    vectors (skipping ids no longer stored) without touching id, payload or version."""
    unranked = {p.id for p in points[:3]}
    sparse_only = [replace(p, dense=[], payload={k: v for k, v in p.payload.items() if k != EMBED_RANK})
                   if p.id in unranked else replace(p, dense=[]) for p in points]
    store = make_store(backend, tmp_path, "sparse-first")
    try:
        store.upsert(sparse_only)
        store.flush()
        written = store.payload_changes()
        assert (written is None) == (backend != "edge"), "only a store one process holds counts its writes"
        assert store.count_missing_dense() == store.count() == len(points)
        listed = store.missing_dense(len(points) + 10)
        assert sorted(c.id for c in listed) == sorted(p.id for p in points)
        assert {c.id for c in listed[-3:]} == unranked, "chunks without a rank come last"
        ranks = [c.payload[EMBED_RANK] for c in listed[:-3]]
        assert ranks == sorted(ranks, reverse=True) and ranks[0] > ranks[-1]
        assert all(set(c.payload) == {"doc_id", "text", EMBED_RANK} - ({EMBED_RANK} if c.id in unranked else set())
                   for c in listed)
        assert [c.payload[EMBED_RANK] for c in store.missing_dense(5)] == ranks[:5], "a shorter list is its head"
        dense, _ = queries[QUERIES[2]]
        assert store.search(dense, None, SearchFilters(), limit=10, mode="dense") == []

        half = points[::2]
        vectors = {p.id: p.dense for p in half} | {"00000000-0000-0000-0000-000000000000": half[0].dense}
        assert store.update_vectors(vectors) == len(half)
        store.flush()
        assert store.count_missing_dense() == len(points) - len(half)
        assert sorted(c.id for c in store.missing_dense(len(points))) == sorted(p.id for p in points[1::2])
        assert {c.id: c.payload for c in store.scroll()} == {p.id: p.payload for p in sparse_only}
        got = store.search(dense, None, SearchFilters(), limit=10, mode="dense")
        assert_same_ranking(got, exact_dense(half, dense, SearchFilters(), 10), 1e-5, f"{backend} dense after update")
        assert store.versions() == decode_versions(Counter(p.payload["doc_version"] for p in points).items())
        absent = "00000000-0000-0000-0000-000000000000"
        held = store.dense_vectors([half[0].id, points[1].id, absent])
        assert set(held) == {half[0].id, points[1].id} and held[points[1].id] is None, "stored without one; absent"
        assert held[half[0].id] == pytest.approx(half[0].dense, abs=1e-5), "what a rewrite of the passage keeps"
        assert store.payload_changes() == written, "vectors set: no count of the app's sidebar changed"
        store.delete_documents([points[0].payload["doc_id"]])
        assert store.payload_changes() == (None if written is None else written + 1)
    finally:
        store.close()
