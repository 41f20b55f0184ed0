"""Dense embedding: the runtimes (torch, the exact ONNX export, OpenVINO bf16, int8) on real paragraphs, the export's
check, the cache's vector spaces, a store's recorded space, and texts embedded once per batch (issue 21)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from kb.embedding import CachedDocumentEmbedder, EmbeddingCache, document_embedder, text_embedder
from kb.embedding_onnx import exported_model, onnx_encoder
from kb.settings import default_runtime
from tests.conftest import home_env

JUDGMENT = "echr/JUDGMENT/HEJUD-37201-06.json.gz"  # Saadi v. Italy [GC]
STATUTE = "prc-law/刑法/刑法.md"  # the PRC Criminal Law


@pytest.fixture(scope="module")
def paragraphs(corpus_root: Path) -> list[str]:
    """The chunk texts of a real judgment, as the write path embeds them."""
    from ingest.loaders import echr
    from kb.indexing.chunking import prepare

    doc = echr.load(corpus_root / JUDGMENT, JUDGMENT, "echr")[0]
    return [c.content or "" for c in prepare(doc, "echr/JUDGMENT").chunks][:60]


def vectors(embedding, texts: list[str]) -> np.ndarray:
    embedder = document_embedder(embedding)
    embedder.warm_up()
    return np.array([d.embedding for d in embedder.run(documents=[Document(content=t) for t in texts])["documents"]])


def test_the_onnx_runtimes_agree_with_torch_on_real_paragraphs(kb_settings, paragraphs) -> None:
    """The exact export gives torch's float32 vectors (to rounding); int8 stays close (the retrieval comparison on
    the dev sets is bench/embed_runtimes.py). The query side runs the same runtime as the passages."""
    torch_fp32 = vectors(kb_settings.with_(embed_runtime="torch", embed_dtype="float32").embedding, paragraphs)
    exact = vectors(kb_settings.with_(embed_runtime="onnx").embedding, paragraphs)
    int8 = vectors(kb_settings.with_(embed_runtime="onnx-int8").embedding, paragraphs)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-4), "unit vectors, as sentence-transformers gives"
    assert (exact * torch_fp32).sum(axis=1).min() > 0.9999
    agreement = (int8 * torch_fp32).sum(axis=1)
    assert agreement.mean() > 0.99 and agreement.min() > 0.97, (agreement.mean(), agreement.min())
    query = text_embedder(kb_settings.with_(embed_runtime="onnx-int8").embedding)
    query.warm_up()
    assert np.allclose(query.run(text=paragraphs[5])["embedding"], int8[5], atol=1e-5)


def test_an_export_is_made_once_and_a_damaged_one_is_made_again(kb_settings, tmp_path: Path) -> None:
    """The export is used only while its digest matches the one recorded when its check passed: a truncated file
    (a full disk, a copy cut short) is exported again, not loaded."""
    embedding = kb_settings.with_(embed_runtime="onnx-int8", onnx_dir=tmp_path).embedding
    shipped = exported_model(kb_settings.with_(embed_runtime="onnx-int8").embedding)
    for path in (shipped, shipped.with_suffix(".json")):
        shutil.copy2(path, tmp_path / path.name)
    copied = tmp_path / shipped.name
    assert exported_model(embedding) == copied and copied.stat().st_mtime_ns == shipped.stat().st_mtime_ns
    with copied.open("r+b") as fh:
        fh.truncate(copied.stat().st_size // 2)
    assert exported_model(embedding) == copied
    assert copied.stat().st_size == shipped.stat().st_size
    record = json.loads(copied.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["runtime"] == "onnx-int8" and record["agreement"] > 0.98


def test_int8_vectors_are_cached_apart_from_torch_ones(kb_settings, tmp_path: Path, paragraphs) -> None:
    """A vector cached by one runtime is served to another only if they share a vector space: torch and the exact
    export do (the same arithmetic), int8 does not."""
    path = tmp_path / "embeddings.sqlite"
    torch_space = EmbeddingCache(path, kb_settings.with_(embed_runtime="torch").embedding)
    torch_space.put_many([(paragraphs[0], [1.0] + [0.0] * 383)])
    assert EmbeddingCache(path, kb_settings.with_(embed_runtime="onnx").embedding).get_many(paragraphs[:1])
    assert not EmbeddingCache(path, kb_settings.with_(embed_runtime="onnx-int8").embedding).get_many(paragraphs[:1])


def test_identical_texts_in_one_batch_are_embedded_once(kb_settings, tmp_path: Path, paragraphs) -> None:
    """1,000 copies of one real paragraph (a file of repeated paragraphs) cost the model one text, and every copy
    gets that text's vector; the second batch is served from the cache."""
    embedding = kb_settings.embedding
    dense = CachedDocumentEmbedder(lambda: document_embedder(embedding),
                                   EmbeddingCache(tmp_path / "embeddings.sqlite", embedding))
    text = paragraphs[10]
    out = dense.run(documents=[Document(content=text, meta={"n": n}) for n in range(1000)])["documents"]
    assert dense.embedded == 1 and dense.cached == 0
    assert [d.meta["n"] for d in out] == list(range(1000))
    first = np.array(out[0].embedding)
    assert all(np.array_equal(first, d.embedding) for d in out)
    assert np.allclose(first, vectors(embedding, [text])[0], atol=1e-5)
    dense.run(documents=[Document(content=text) for _ in range(3)])
    assert dense.embedded == 1 and dense.cached == 3


def test_a_cache_keeping_the_vectors_it_read_gives_what_sqlite_holds(kb_settings, tmp_path: Path) -> None:
    """A question's pool reads ~80 vectors, many of them read for the questions before (`recent`): those kept in
    memory are the very arrays SQLite gave, a vector written again replaces the kept one, and no caller can change
    one in place for the next."""
    path, embedding = tmp_path / "embeddings.sqlite", kb_settings.embedding
    texts = [f"The Court reiterates principle {n}." for n in range(5)]
    rng = np.random.default_rng(0)
    EmbeddingCache(path, embedding).put_many([(t, rng.standard_normal(384).tolist()) for t in texts])
    plain, kept = EmbeddingCache(path, embedding), EmbeddingCache(path, embedding, recent=2)
    for batch in (texts[:3], texts[1:], texts[:3], [texts[4], "never embedded"]):
        want, got = plain.get_arrays(batch), kept.get_arrays(batch)
        assert want.keys() == got.keys() and all(np.array_equal(want[t], got[t]) for t in want)
    with pytest.raises(ValueError):
        kept.get_arrays(texts[4:])[texts[4]][0] = 0.0
    kept.put_many([(texts[4], [1.0] + [0.0] * 383)])
    assert kept.get_arrays(texts[4:])[texts[4]].tolist() == [1.0] + [0.0] * 383
    # served from memory, and only the last two: with every row deleted behind its back, it still finds those two
    last_two = kept.get_arrays(texts[3:5])
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DELETE FROM vectors")
    assert plain.get_arrays(texts) == {}
    assert kept.get_arrays(texts).keys() == last_two.keys() == {texts[3], texts[4]}


def test_the_fused_export_gives_torch_vectors_on_judgment_and_statute_passages(kb_settings, corpus_root: Path,
                                                                               paragraphs) -> None:
    """The default runtime's export is fused (one Attention kernel a layer, `kb.embedding_onnx.FUSED`), and its
    vectors equal torch's float32 ones to 1e-4 cosine on English judgment paragraphs and Chinese statute articles run
    in one call, where the encoder batches them by token count (short Chinese articles beside long English
    paragraphs); a text's vector is the same in such a batch as alone (padding changes nothing)."""
    embedding = kb_settings.with_(embed_runtime="onnx").embedding
    record = json.loads(exported_model(embedding).with_suffix(".json").read_text(encoding="utf-8"))
    assert record["fused"].get("Attention") == 6, record  # MiniLM-L6: six layers
    articles = [line for line in (corpus_root / STATUTE).read_text(encoding="utf-8").splitlines()
                if line.startswith("第") and len(line) > 30][:40]
    texts = paragraphs[:40] + articles
    torch_fp32 = vectors(kb_settings.with_(embed_runtime="torch", embed_dtype="float32").embedding, texts)
    fused = vectors(embedding, texts)
    agreement = (fused * torch_fp32).sum(axis=1)
    assert agreement.min() > 0.9999, (agreement.min(), texts[int(agreement.argmin())][:80])
    encoder = onnx_encoder(embedding)
    for i in (0, 39, 40, len(texts) - 1):
        assert np.allclose(encoder.encode([texts[i]])[0], fused[i], atol=1e-5)


def test_openvino_bf16_vectors_agree_with_torch_on_judgment_and_statute_passages(kb_settings, corpus_root: Path,
                                                                                 paragraphs) -> None:
    """The default runtime on a CPU with native bf16 but no VNNI (`openvino-bf16`): cosine with torch's float32
    vectors at least 0.9999 for every English judgment paragraph and Chinese statute article (measured: mean 0.99998,
    min 0.99995 on 2,000 corpus passages of four kinds, `bench/embed_runtimes.py`), unit length, and a query lands on
    its passage's vector (the query side runs the same runtime)."""
    articles = [line for line in (corpus_root / STATUTE).read_text(encoding="utf-8").splitlines()
                if line.startswith("第") and len(line) > 30][:40]
    texts = paragraphs + articles
    embedding = kb_settings.with_(embed_runtime="openvino-bf16").embedding
    torch_fp32 = vectors(kb_settings.with_(embed_runtime="torch", embed_dtype="float32").embedding, texts)
    bf16 = vectors(embedding, texts)
    assert np.allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-4)
    agreement = (bf16 * torch_fp32).sum(axis=1)
    assert agreement.min() > 0.9999, (agreement.min(), texts[int(agreement.argmin())][:80])
    if default_runtime() != "onnx":  # a CPU with native bf16; elsewhere OpenVINO computes float32 under its name
        assert agreement.mean() < 0.999999, "bf16 products: close to float32, not identical (else the hint did nothing)"
    query = text_embedder(embedding)
    query.warm_up()
    assert float(np.dot(query.run(text=paragraphs[5])["embedding"], bf16[5])) > 0.99999
    path = Path(kb_settings.home) / "spaces.sqlite"
    EmbeddingCache(path, kb_settings.with_(embed_runtime="onnx").embedding).put_many([(texts[0], [1.0] + [0.0] * 383)])
    assert not EmbeddingCache(path, embedding).get_many(texts[:1]), "bf16 vectors are a space of their own"


def test_a_store_keeps_the_vector_space_of_its_vectors(corpus_root: Path, tmp_path: Path, caplog) -> None:
    """A store filled with float32 vectors before stores recorded their space keeps float32 for its queries and its
    fill when the default becomes bf16: opening it records its space, and a knowledge base over it afterwards uses
    that runtime and says so. A store with no dense vector yet (written sparse-first) takes the configured runtime."""
    from kb.api import KnowledgeBase
    from kb.indexing.ingest import IngestRequest
    from kb.settings import Settings

    decision = corpus_root / "echr/DECISION/001-100741.json"
    old = Settings.load({**home_env(tmp_path / "old", corpus_root), "KB_EMBED_RUNTIME": "onnx"})
    kb = KnowledgeBase(old)
    try:
        assert kb.ingest(IngestRequest(files=(decision,)), warn=lambda m: None).failed == 0
        assert kb.store.count_missing_dense() == 0
    finally:
        kb.close()
    old.space_record.unlink()  # as a store filled before records
    bf16_env = {**home_env(tmp_path / "old", corpus_root), "KB_EMBED_RUNTIME": "openvino-bf16"}
    kb = KnowledgeBase(Settings.load(bf16_env))
    try:
        assert kb.settings.embed_runtime == "openvino-bf16"  # nothing recorded yet
        kb.store  # noqa: B018 - opening records the space
        assert kb.settings.embed_runtime == "onnx"
        query = text_embedder(old.embedding)
        query.warm_up()
        text = "diplomatic assurances against ill-treatment"
        assert np.allclose(kb.embed_query(text), query.run(text=text)["embedding"], atol=1e-6)
    finally:
        kb.close()
    with caplog.at_level("WARNING"):
        kb = KnowledgeBase(Settings.load(bf16_env))  # later: its record says, before the store is opened
        assert kb.settings.embed_runtime == "onnx"
        kb.close()
    assert "holds model vectors (KB_EMBED_RUNTIME=openvino-bf16): its queries and fill use onnx" in caplog.text

    sparse_env = {**home_env(tmp_path / "sparse", corpus_root), "KB_EMBED_RUNTIME": "onnx",
                  "KB_EMBED_CACHE": str(tmp_path / "empty.sqlite")}
    kb = KnowledgeBase(Settings.load(sparse_env))
    try:
        kb.ingest(IngestRequest(files=(decision,), sparse_first=True), warn=lambda m: None)
        assert kb.store.count_missing_dense() == kb.store.count() > 0
    finally:
        kb.close()
    kb = KnowledgeBase(Settings.load({**sparse_env, "KB_EMBED_RUNTIME": "openvino-bf16"}))
    try:
        kb.store  # noqa: B018
        assert kb.settings.embed_runtime == "openvino-bf16"
        assert kb.settings.recorded_space() == {"runtime": "openvino-bf16", "vector_space": "model+bf16"}
    finally:
        kb.close()


def test_openvino_int8_vectors_agree_with_torch_and_do_not_depend_on_the_batch(kb_settings, corpus_root: Path,
                                                                               paragraphs, tmp_path: Path) -> None:
    """`openvino-int8` (NNCF's static int8, built once per machine from fixed calibration passages): cosine with
    torch's float32 vectors above 0.995 on average and 0.99 for every English judgment paragraph and Chinese statute
    article (measured: mean 0.9986, min 0.9946 on 2,000 corpus passages of four kinds, `bench/embed_runtimes.py`);
    with static scales a text's vector is its own, alone or beside others in a batch (dynamic int8 moved it to
    cosine 0.994); its vectors are a space of their own, and a store filled with it records that space."""
    from kb.api import KnowledgeBase
    from kb.indexing.ingest import IngestRequest
    from kb.settings import Settings

    articles = [line for line in (corpus_root / STATUTE).read_text(encoding="utf-8").splitlines()
                if line.startswith("第") and len(line) > 30][:40]
    texts = paragraphs + articles
    embedding = kb_settings.with_(embed_runtime="openvino-int8").embedding
    record = json.loads(exported_model(embedding).with_suffix(".json").read_text(encoding="utf-8"))
    assert len(record["float"]) == 6 and record["agreement"] > 0.995, record  # each layer's FFN output kept float
    torch_fp32 = vectors(kb_settings.with_(embed_runtime="torch", embed_dtype="float32").embedding, texts)
    int8 = vectors(embedding, texts)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-4)
    agreement = (int8 * torch_fp32).sum(axis=1)
    assert agreement.mean() > 0.995 and agreement.min() > 0.99, (agreement.mean(), agreement.min())
    assert agreement.mean() < 0.9999, "int8 products: close to float32, not identical (else nothing was quantised)"
    encoder = onnx_encoder(embedding)
    alone = np.array([encoder.encode([t])[0] for t in texts[::7]])
    assert (alone * int8[::7]).sum(axis=1).min() > 0.9995
    path = Path(kb_settings.home) / "spaces.sqlite"
    EmbeddingCache(path, kb_settings.with_(embed_runtime="openvino-bf16").embedding).put_many(
        [(texts[0], [1.0] + [0.0] * 383)])
    assert not EmbeddingCache(path, embedding).get_many(texts[:1]), "int8 vectors are a space of their own"

    env = {**home_env(tmp_path / "int8", corpus_root), "KB_EMBED_RUNTIME": "openvino-int8"}
    kb = KnowledgeBase(Settings.load(env))
    try:
        assert kb.ingest(IngestRequest(files=(corpus_root / "echr/DECISION/001-100741.json",)),
                         warn=lambda m: None).failed == 0
        assert kb.store.count_missing_dense() == 0
        assert kb.settings.recorded_space() == {"runtime": "openvino-int8", "vector_space": "model+ov-int8"}
    finally:
        kb.close()


def test_the_int8_calibration_passages_are_the_corpus_texts_the_write_path_embeds(corpus_root: Path) -> None:
    """The references resolve on this corpus, through the loaders, to the texts they name, and each is the chunk text
    the write path embeds at that `para_index` (so a change to a loader or to `index_text` fails here, not on the
    first machine that builds the model)."""
    from ingest.files import named_files, read
    from ingest.manifest import Manifest
    from kb.embedding_calibration import PASSAGES, calibration_texts
    from kb.indexing.chunking import prepare
    from kb.settings import MANIFEST

    texts = calibration_texts(corpus_root)
    assert len(texts) == len(PASSAGES) == 300 and len(set(texts)) == 300
    first_of_each_folder = {rel.split("/")[0]: n for n, (rel, _, _) in reversed(list(enumerate(PASSAGES)))}
    assert set(first_of_each_folder) == {"echr", "national", "prc-law", "un"}
    for n in first_of_each_folder.values():
        rel, position, _ = PASSAGES[n]
        [item] = named_files([corpus_root / rel], corpus_root, Manifest.load(MANIFEST), "calibration")
        [doc] = read(item)
        assert prepare(doc, item.source_name).chunks[position].content == texts[n], rel


def test_an_int8_calibration_passage_whose_text_changed_is_refused(kb_settings, corpus_root: Path,
                                                                  tmp_path: Path) -> None:
    """A corpus whose calibration passage no longer holds its text (here Pauwels v. Belgium § 14, the first one, one
    date changed), or no corpus at all, stops the openvino-int8 build with an error naming the file and the runtime
    to use instead, before any export is made."""
    import gzip

    from kb.embedding_calibration import PASSAGES
    from legal.errors import ModelUnavailableError

    rel, _, _ = PASSAGES[0]
    assert rel == "echr/JUDGMENT/HEJUD-10208-82.json.gz"
    record = gzip.decompress((corpus_root / rel).read_bytes()).decode("utf-8")
    assert record.count("On 11 June 1982, the applicant") == 1
    edited = tmp_path / "corpus" / rel
    edited.parent.mkdir(parents=True)
    edited.write_bytes(gzip.compress(record.replace("On 11 June 1982", "On 12 June 1982").encode("utf-8")))
    onnx_dir = tmp_path / "onnx"
    int8 = kb_settings.with_(embed_runtime="openvino-int8", onnx_dir=onnx_dir)
    with pytest.raises(ModelUnavailableError, match="KB_EMBED_RUNTIME=openvino-bf16") as refused:
        exported_model(int8.with_(corpus=tmp_path / "corpus").embedding)
    assert str(edited) in str(refused.value) and "no longer the text" in str(refused.value)
    with pytest.raises(ModelUnavailableError, match="KB_CORPUS.*KB_EMBED_RUNTIME=openvino-bf16"):
        exported_model(int8.with_(corpus=None).embedding)
    assert not list(onnx_dir.glob("*.onnx")) and not list(onnx_dir.glob("*.xml"))

def test_openvino_sees_lengths_rounded_up_to_a_few_shapes_with_the_same_vectors(kb_settings, paragraphs) -> None:
    """OpenVINO's memory grows with the distinct input shapes it runs: its batches are padded to a multiple of 8
    tokens (never past the model's 256), masked, so a text's vector is the one its exact length gives (to bf16's
    rounding, the size of its batch-to-batch difference)."""
    from kb.embedding_openvino import LENGTH_MULTIPLE

    encoder = onnx_encoder(kb_settings.with_(embed_runtime="openvino-bf16").embedding)
    widths = []
    run = encoder.session.run

    def recording(names, feeds):
        widths.append(feeds["input_ids"].shape[1])
        return run(names, feeds)

    encoder.session.run = recording
    try:
        rounded = encoder.encode(paragraphs)
        encoder.multiple = 1
        exact = encoder.encode(paragraphs)
    finally:
        encoder.multiple = LENGTH_MULTIPLE
        del encoder.session.run
    counted = len(widths) // 2
    assert all(w % LENGTH_MULTIPLE == 0 or w == 256 for w in widths[:counted]), widths[:counted]
    assert max(widths) <= 256
    assert any(w % LENGTH_MULTIPLE for w in widths[counted:]), "the exact run pads to the longest text only"
    assert (rounded * exact).sum(axis=1).min() > 0.99999


def test_bm25_reads_an_echr_paragraph_with_the_question_its_heading_names() -> None:
    """A paragraph under "ARTICLE 8 › … › Positive obligations" answers a question about Article 8's positive
    obligations, though its own words name neither; the same text under Article 6 does not. The embedded text stays
    the paragraph, and a chunk of another source is indexed as it reads."""
    from kb.embedding import Bm25DocumentEmbedder, Bm25QueryEmbedder, make_bm25

    text = "The Court reiterates that the State must strike a fair balance between the competing interests."
    under = {"8": "II. ALLEGED VIOLATION OF ARTICLE 8 OF THE CONVENTION › B. Merits › 2. The Court’s assessment"
                  " › (a) General principles › (ii) Positive obligations",
             "6": "I. ALLEGED VIOLATION OF ARTICLE 6 § 1 OF THE CONVENTION › B. Merits › (a) Fairness of the hearing"}
    chunks = [Document(content=text, meta={"source_kind": "echr", "heading": h}) for h in under.values()]
    chunks.append(Document(content=text, meta={"source_kind": "national", "heading": under["8"]}))
    indexed = Bm25DocumentEmbedder().run(documents=chunks)["documents"]
    query = Bm25QueryEmbedder().run(text="What positive obligations arise under Article 8?")["sparse_embedding"]

    def score(doc: Document) -> float:
        weights = dict(zip(doc.sparse_embedding.indices, doc.sparse_embedding.values, strict=True))
        return sum(weights.get(t, 0.0) for t in query.indices)

    article8, article6, national = indexed
    assert score(article8) > score(article6) == score(national) == 0.0
    assert [d.content for d in indexed] == [text] * 3
    plain = make_bm25().embed_document(text)
    words = national.sparse_embedding.indices[:len(plain.indices)]
    assert words == list(plain.indices)
    assert all(t >= 1 << 31 for t in national.sparse_embedding.indices[len(words):]), "the rest are word pairs"
    article6_terms = set(article6.sparse_embedding.indices)
    assert not {t for w in ("merits", "court", "assessment") for t in make_bm25().embed_query(w).indices} \
        & (article6_terms - set(plain.indices))


def test_bm25_tells_an_article_of_a_protocol_from_the_conventions_article() -> None:
    """Article 1 of Protocol No. 1 (property) is not the Convention's Article 1 (jurisdiction): a question on either
    reaches the paragraphs under its own Article's heading only, whichever case the heading prints (real headings of
    the corpus; both had been `article1`)."""
    from kb.embedding import Bm25DocumentEmbedder, Bm25QueryEmbedder

    text = "The Court reiterates that the State must strike a fair balance between the competing interests."
    headings = ("II. ALLEGED VIOLATION OF ARTICLE 1 OF PROTOCOL No. 1 TO THE CONVENTION › B. Merits",
                "II. THE ISSUE OF JURISDICTION UNDER ARTICLE 1 OF THE CONVENTION › D. The Court’s assessment")
    chunks = [Document(content=text, meta={"source_kind": "echr", "heading": h}) for h in headings]
    protocol, convention = Bm25DocumentEmbedder().run(documents=chunks)["documents"]

    def score(doc: Document, question: str) -> float:
        query = Bm25QueryEmbedder().run(text=question)["sparse_embedding"]
        weights = dict(zip(doc.sparse_embedding.indices, doc.sparse_embedding.values, strict=True))
        return sum(weights.get(t, 0.0) for t in query.indices)

    on_property = "Is a legitimate expectation a possession under Article 1 of Protocol No. 1?"
    assert score(protocol, on_property) > 0.0 == score(convention, on_property)
    on_jurisdiction = "When does Article 1 of the Convention reach acts abroad?"
    assert score(convention, on_jurisdiction) > score(protocol, on_jurisdiction) == 0.0


def test_bm25_heading_words_lose_their_enumerators_and_keep_their_words() -> None:
    """A heading level's enumerator says nothing of the question: `b.`, `ii.` (1,090 and 590 paragraphs' headings in
    the corpus had them indexed as words) and `III` without its stop go; a first word spelt with the letters of Roman
    numerals (`CIVIL`) stays."""
    from kb.embedding import Bm25Text, make_bm25

    header = Bm25Text(make_bm25()).header
    assert header("A. The circumstances of the case › 3. The evidence before the Upper Tribunal › b. Risk of future"
                  " criminal proceedings and the availability of bail") \
        == "circumstances evidence Upper Tribunal Risk future criminal availability bail"
    assert header("A. The circumstances of the case › (a) First round of the court proceedings › ii. Evidence"
                  " submitted by the prosecution") == "circumstances First round Evidence submitted prosecution"
    assert header("III APPLICATION OF ARTICLE 41 OF THE CONVENTION") == "article41"
    assert header("I. CIVIL RIGHTS AND OBLIGATIONS › (b). The applicant’s access to a court") \
        == "CIVIL RIGHTS OBLIGATIONS access"


def test_bm25_word_pairs_favour_a_pasted_passages_phrases_in_their_order(paragraphs: list[str]) -> None:
    """A pasted passage also asks for its adjacent word pairs (`TermPairs`): a real Saadi paragraph, pasted, scores its
    own text above the same words shuffled, which weigh the same word for word; a lawyer's question asks for no pairs,
    and the two score alike for it."""
    import random
    import re

    from kb.embedding import PAIR_BIT, Bm25DocumentEmbedder, Bm25QueryEmbedder
    from kb.search.queries import read_query

    words = re.findall(r"[^\W_]+", max(paragraphs, key=len))  # its words, so the shuffle moves no punctuation
    text = " ".join(words) + "."
    random.Random(1).shuffle(words)
    shuffled = " ".join(words) + "."
    own, scattered = Bm25DocumentEmbedder().run(
        documents=[Document(content=t, meta={"source_kind": "echr"}) for t in (text, shuffled)])["documents"]
    embed = Bm25QueryEmbedder()

    def score(doc: Document, query: str) -> tuple[float, float]:
        vector = embed.run(text=query, reading=read_query(query))["sparse_embedding"]
        weights = dict(zip(doc.sparse_embedding.indices, doc.sparse_embedding.values, strict=True))
        terms = [(t, v) for t, v in zip(vector.indices, vector.values, strict=True)]
        return (sum(v * weights.get(t, 0.0) for t, v in terms if t < PAIR_BIT),
                sum(v * weights.get(t, 0.0) for t, v in terms if t >= PAIR_BIT))

    assert not read_query(text).lawyer
    (own_words, own_pairs), (scattered_words, scattered_pairs) = score(own, text), score(scattered, text)
    assert own_words == pytest.approx(scattered_words)
    assert own_pairs > 2 * scattered_pairs > 0
    question = "What does the Court require before it finds a real risk of ill-treatment on return?"
    assert read_query(question).lawyer
    assert score(own, question)[1] == score(scattered, question)[1] == 0.0


def test_bm25_word_pairs_weigh_with_the_chunks_own_length(paragraphs: list[str]) -> None:
    """A chunk's pairs weigh as its words do, with its word count as the length: read back from the words' weights it
    is the tokenizer's own count (a BM25 with k1 1 and b 0 gives each term 2 tf / (tf + 1))."""
    from kb.embedding import TermPairs, make_bm25

    bm25 = make_bm25()
    counter = make_bm25(k=1.0, b=0.0)
    pairs = TermPairs(bm25)
    for text in paragraphs:
        counted = sum(w / (2 - w) for w in counter.embed_document(text).values)
        assert pairs.length(list(bm25.embed_document(text).values)) == pytest.approx(counted, abs=0.01)
