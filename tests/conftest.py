"""Shared fixtures: where the read-only corpus lives, the sample store, the app in a real browser."""

from __future__ import annotations

import functools
import gc
import os
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

SHARED_EMBED_CACHE = os.environ.get("KB_EMBED_CACHE") or str(
    Path(__file__).resolve().parents[1] / "test-output" / "embeddings.sqlite")
"""One embedding cache for every test home (and the processes tests start), so the suite embeds each real passage
once instead of once per home; keyed by text and model, so sharing cannot change a result."""
os.environ["KB_EMBED_CACHE"] = SHARED_EMBED_CACHE
Path(SHARED_EMBED_CACHE).parent.mkdir(parents=True, exist_ok=True)


def share_cores_between_workers() -> None:
    """Under `pytest -n N` each worker (and each process its tests start, which inherit the setting) runs torch on
    its share of the cores instead of all of them. Left to itself, each of `make test`'s two workers ran the model
    on both cores of the machine, and their threads spun waiting for each other: 300 Soering paragraphs took 25.8 s
    (9.2 s of CPU) on two threads beside another busy process, 16.4 s (4.7 s) on one, with bit-identical vectors.
    A serial run and an explicit OMP_NUM_THREADS are left alone."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    if workers > 1:
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))


share_cores_between_workers()


REQUIRE_CORPUS = "KB_REQUIRE_CORPUS"
"""Set by CI (`.ci/run`): a missing corpus fails the suite instead of skipping every test on real files."""


def embedding_turn() -> FileLock:
    """A lock across test processes for building a store from the same real files: under `pytest -n 2` (xdist)
    each worker builds its own session fixtures, and two workers embedding the same passages at once would pay
    for them twice on a cold cache. The second waits, then finds every passage in the shared cache."""
    return FileLock(SHARED_EMBED_CACHE + ".lock")


def home_env(home: Path, corpus: Path) -> dict[str, str]:
    """The environment of a test's own knowledge base: its home and corpus, the shared embedding cache."""
    return {"KB_HOME": str(home), "KB_CORPUS": str(corpus), "KB_EMBED_CACHE": SHARED_EMBED_CACHE}


LONGEST_FIRST = ("test_update_concurrency.py", "test_check.py", "test_hostile_inputs.py", "test_ui_browser.py",
                 "test_update.py", "test_hostile_browser.py", "test_export.py", "test_store_conformance.py",
                 "test_backfill.py")
"""The files that take longest (half a minute or more each on a cold cache: processes started and killed, a
browser, bombs, real files to embed or OCR), run first. `make test` gives each of its two processes one file at a
time in this order (`--dist loadfile --no-loadscope-reorder`), and a long file handed out last would run alone at the
end.
test_check goes second because its first test builds the sample store (`sample_kb`, a minute of embedding on a
cold cache): built beside the concurrency tests, which mostly wait for their processes, it is ready before the
other process reaches a file that needs it, instead of that process waiting for it halfway through the run."""


SLOW_FIXTURES = {
    "sample_kb": "the sample store: real files cut, embedded by the model and written to Qdrant Edge",
    "kb_settings": "a home on the real corpus, which its tests fill through the model",
    "ohchr_report": "a 200-page PDF parsed (~6 s of CPU)",
    "ui_harness": "a Streamlit server and Chromium",
}
"""A test using one of these (directly or through another fixture) is marked `slow`."""
BROWSER_FIXTURES = ("ui_harness",)
"""... and one using these `browser` too (`workbench` uses `ui_harness`)."""
SLOW_FILES = {
    "test_update_concurrency.py": "processes started and killed beside a store",
    "test_update.py": "each test ingests real files into its own home",
    "test_ingest.py": "each test ingests a private copy of corpus files",
    "test_prc_english.py": "a store of the PRC statutes",
    "test_hudoc.py": "a HUDOC stand-in server and an update",
    "test_deferred.py": "a fresh interpreter importing the whole stack",
    "test_citation_graph.py": "the citation graph of the corpus's judgments",
    "test_facts_index.py": "the facts index of the corpus's judgments",
    "test_backfill.py": "sparse-first stores of real files, `kb embed` and `kb mcp` processes",
    "test_check_drafts.py": "drafts from a store of real files, checked against it",
    "test_client_documents.py": "Tesseract reading scanned pages",
}
"""Files whose own module fixtures build a store from real files or start processes."""
SLOW_TESTS = {
    "test_hostile_inputs.py": ("test_bombs_stay_under_a_memory_ceiling",  # a process per bomb
                               "test_kb_ingest_files_stores_the_good_file_and_names_each_bad_one",
                               "test_corpus_drop_folder_and_uploads_skip_bad_files_and_store_the_good",
                               "test_stored_text_has_no_terminal_escapes_bidi_overrides_or_file_links",
                               "test_cli_refuses_bad_arguments_in_one_line"),  # `kb` processes
    "test_matter_lock.py": ("test_two_processes_updating_one_matter_lose_nothing",),
    "test_check.py": ("test_json_cli_prints_one_array",  # a `kb check` process
                      "test_uk_judgment_citations_found_resolved_and_never_falsely_flagged"),  # its own store
    "test_settings.py": ("test_ci_fails_instead_of_skipping_when_the_corpus_is_missing",),  # pytest in a process
}
"""Single tests of otherwise fast files that start processes or fill a store."""


def mark_tiers(items: list[pytest.Item]) -> None:
    """`slow` and `browser` markers from what a test uses, so `make test-fast` (`-m "not slow and not browser"`)
    keeps the tests on small in-memory data and a new test lands in the right tier without anyone marking it."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        name = item.path.name
        if fixtures & set(BROWSER_FIXTURES):
            item.add_marker(pytest.mark.browser)
        if (fixtures & SLOW_FIXTURES.keys() or name in SLOW_FILES
                or getattr(item, "originalname", item.name) in SLOW_TESTS.get(name, ())):
            item.add_marker(pytest.mark.slow)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_tiers(items)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))  # stable: the rest keep their order


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every test module is imported now, and with them haystack, torch and transformers: over half a million objects
    that live as long as the process. Frozen (after one last collection), the garbage collector stops walking them
    every time a test makes many short-lived objects: the hostile DOCX, XML and HTML bombs took 4.6, 4.0 and 3.1 s
    to refuse with them in view, 0.56, 0.43 and 0.82 s frozen. Objects made later are collected as before."""
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def corpus_root() -> Path:
    """The corpus root: `KB_CORPUS` if set, else `../shared/corpus` next to the project checkout."""
    root = Path(os.environ.get("KB_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
    if not root.is_dir():
        message = f"corpus not found at {root}; set KB_CORPUS"
        if os.environ.get(REQUIRE_CORPUS, "") not in ("", "0"):
            pytest.fail(f"{message} ({REQUIRE_CORPUS} is set, so the tests on real files must run)")
        pytest.skip(message)
    return root


OHCHR_REPORT = "reports/22-08-31-final-assesment.pdf"

SAMPLE_FILES = (
    "echr/JUDGMENT/HEJUD-14038-88.json.gz",  # Soering v. the United Kingdom (death row phenomenon)
    "echr/JUDGMENT/HEJUD-22414-93.json.gz",  # Chahal v. the United Kingdom
    "echr/JUDGMENT/HEJUD-37201-06.json.gz",  # Saadi v. Italy [GC]
    "echr/JUDGMENT/HEJUD-8139-09.json.gz",  # Othman (Abu Qatada) v. the United Kingdom (assurances)
    "echr/JUDGMENT/HEJUD-46827-99.json.gz",  # Mamatkulov and Askarov v. Turkey
    "echr/JUDGMENT/001-87458.json.gz",  # NA. v. the United Kingdom
    "echr/JUDGMENT/001-100038.json.gz",  # A. v. the Netherlands
    "echr/DECISION/001-100741.json",  # Yordanova and Others v. Bulgaria (dec.)
    "echr/INFORMATION_NOTE/CLIN-37201-06.json",
    "un/Annotated_CAT_GC4_art.3.json",
    "prc-law/宪法相关法/监察法(2018-03-20).md",
    OHCHR_REPORT,
    "national/uk-tna/2017-ewhc-1912-admin.xml",
)
"""A fixed, real slice of the corpus: the leading removal cases and one file of every other kind."""


@pytest.fixture(scope="session")
def ohchr_report(corpus_root: Path):
    """The OHCHR Xinjiang assessment as the PDF loader reads it, read once per process: three tests in two files
    check what the loader makes of it, and parsing its pages costs ~6 s of CPU each time."""
    import logging

    from ingest.loaders import pdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    docs = pdf.load(corpus_root / OHCHR_REPORT, OHCHR_REPORT, "report")
    assert len(docs) == 1 and docs[0].source_file == OHCHR_REPORT
    return docs[0]


@pytest.fixture(scope="session")
def kb_settings(corpus_root: Path, tmp_path_factory: pytest.TempPathFactory):
    from kb.settings import Settings

    home = tmp_path_factory.mktemp("kb_home")
    return Settings.load(home_env(home, corpus_root))


@pytest.fixture(scope="session")
def sample_kb(kb_settings, corpus_root: Path, tmp_path_factory: pytest.TempPathFactory):
    """A KnowledgeBase over a real Qdrant Edge store holding SAMPLE_FILES, ingested once per test run.

    Under `pytest -n 2` the first worker to need it ingests the files into a home in the folder its workers share
    (the parent of their base temp folders: xdist's own recipe for a session fixture built once) and closes it; each
    worker then opens a copy of that home, since a Qdrant Edge shard has one opener. The second worker used to
    ingest the same files again, ~20 s of CPU even with every vector cached.
    """
    from kb.api import KnowledgeBase
    from kb.settings import Settings

    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process: nothing to share
        with embedding_turn():
            ingest_sample_files(kb_settings, corpus_root)
    else:
        shared = tmp_path_factory.getbasetemp().parent / "sample_home"
        if not shared.exists():  # checked before the lock too: another fixture may hold it to embed its own files
            with embedding_turn():
                if not shared.exists():
                    partial = shared.with_name("sample_home.partial")  # renamed when whole: never copied half-built
                    shutil.rmtree(partial, ignore_errors=True)
                    ingest_sample_files(Settings.load(home_env(partial, corpus_root)), corpus_root)
                    partial.rename(shared)
        shutil.copytree(shared, kb_settings.home, dirs_exist_ok=True)
    kb = KnowledgeBase(kb_settings)
    yield kb
    kb.close()


def ingest_sample_files(settings, corpus_root: Path) -> None:
    """SAMPLE_FILES ingested into the store of `settings`, which is closed again."""
    from kb.api import KnowledgeBase
    from kb.indexing.ingest import IngestRequest

    kb = KnowledgeBase(settings)
    try:
        report = kb.ingest(IngestRequest(files=tuple(corpus_root / f for f in SAMPLE_FILES)), warn=lambda m: None)
        assert report.failed == 0, report.failures
    finally:
        kb.close()


def clone_store(kb, settings, dense: bool = True) -> None:
    """A copy of `kb`'s store (every chunk with both vectors and its payload, every document index's point) as the
    store of `settings`: a second home holding the same documents as if ingested from the same files, without cutting,
    embedding and BM25-weighting them again. For a test that needs the sample documents in a store another process
    must own (the fixture's own shard stays open here). Without `dense`, the chunks have no dense vector: the store
    `kb ingest --sparse-first` writes, before `kb embed` has filled any."""
    from kb.store import open_store
    from kb.store.base import DOCUMENT_INDEXES, ChunkPoint

    target = open_store(settings)
    try:
        batch: list[ChunkPoint] = []
        for chunk in kb.store.scroll(batch=512, with_vectors=True):
            batch.append(ChunkPoint(chunk.id, chunk.dense if dense else [], chunk.sparse, chunk.payload))
            if len(batch) == 512:
                target.upsert(batch)
                batch = []
        target.upsert(batch)
        for index in DOCUMENT_INDEXES:
            target.upsert_facts(list(kb.store.scroll_facts(index=index)), index=index)
            assert target.facts_doc_ids(index=index) == kb.store.facts_doc_ids(index=index)
        assert target.versions() == kb.store.versions()
    finally:
        target.close()


def memoize_local_mode_dates() -> None:
    """qdrant-client's local mode (the tests' stand-in for a server) parses each stored date again for every point of
    every date-filtered query, trying a dozen strptime formats in turn: over half the conformance suite's time here.
    Parsing is a pure function of the string (its result an immutable datetime), so the cache changes no result."""
    from qdrant_client.local import datetime_utils

    if not hasattr(datetime_utils.parse, "cache_info"):
        datetime_utils.parse = functools.lru_cache(maxsize=1 << 16)(datetime_utils.parse)


PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def ui_harness():
    """`bench/ui_latency.py`, the server and browser harness the browser tests share with the latency benchmark, so
    the benchmark measures exactly what the tests drive. Skips when Playwright or Chromium is unavailable."""
    import importlib.util

    pytest.importorskip("playwright", reason="playwright is a dev dependency: pip install -e '.[dev]'")
    spec = importlib.util.spec_from_file_location("ui_latency", PROJECT / "bench" / "ui_latency.py")
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    problem = harness.ensure_chromium()
    if problem:
        pytest.skip(problem)
    return harness


@dataclass
class Workbench:
    """The app a browser test drives: its address and the Chromium page open on it."""

    url: str
    page: object
    """A `playwright.sync_api.Page`."""


def _last_screenshot(page, path: Path) -> None:
    """For the reader of a failed run; a page that is already gone must not hide the test's own error."""
    from playwright.sync_api import Error

    try:
        page.screenshot(path=str(path), full_page=True)
    except Error:
        pass


def _serve(stack: ExitStack, harness, home: Path, corpus_root: Path, log: Path) -> tuple[str, object]:
    """`streamlit run ui/app.py` on `home` and a headless Chromium, both closed with `stack`: the URL and browser."""
    from playwright.sync_api import sync_playwright

    url = stack.enter_context(harness.streamlit_server(home, corpus_root, log))
    browser = harness.launch(stack.enter_context(sync_playwright()))
    stack.callback(browser.close)
    return url, browser


def _open_page(stack: ExitStack, browser, screenshot: Path):
    """A page in a browser context of its own (so a Streamlit session of its own), its last state saved on close."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    stack.callback(_last_screenshot, page, screenshot)
    return page


@pytest.fixture
def workbench(ui_harness, corpus_root: Path, tmp_path: Path, request: pytest.FixtureRequest):
    """`workbench(home, screenshots)` starts `streamlit run ui/app.py` on `home` and opens it in headless Chromium.

    Everything is the test's own: its home, its Streamlit process on a fresh port, its Playwright and browser. The
    Streamlit process must own the test's Qdrant Edge shard (one opener per shard), so a server shared between tests
    would hold one test's store while the next test writes its own, and the app's session state, matters and caches
    would leak from one test into the next (`shared_workbench` serves a module whose tests use one store). The page's
    last state is saved as `<screenshots>/<test>-last.png`; the server's log is `streamlit.log` in the test's tmp_path.
    """
    with ExitStack() as stack:
        def start(home: Path, screenshots: Path) -> Workbench:
            screenshots.mkdir(parents=True, exist_ok=True)
            url, browser = _serve(stack, ui_harness, home, corpus_root, tmp_path / "streamlit.log")
            return Workbench(url, _open_page(stack, browser, screenshots / f"{request.node.name}-last.png"))

        yield start


@dataclass
class SharedWorkbench:
    """One app for a module's tests on one store: each test opens its own page (its own Streamlit session)."""

    url: str
    first: object
    """`bench/ui_latency.py`'s `Opened` of the first page, loaded while the server was fresh (before the model)."""
    first_page: object
    """That page, still open on the loaded app."""
    open_page: Callable[[str], object]
    """A new page for the test named, its last state saved as `<screenshots>/<name>-last.png`."""


@pytest.fixture(scope="module")
def shared_workbench(ui_harness, corpus_root: Path, tmp_path_factory: pytest.TempPathFactory):
    """`shared_workbench(home, screenshots)`: `workbench` once for a whole module whose tests share the store of
    `home` (one Streamlit process, one Chromium), for tests that need no store or server of their own. A server
    start, its model and store loading and a browser launch (~10 s of CPU) are paid once instead of per test. The
    first page is opened here, on the fresh server, so what it measures does not depend on which test runs first."""
    with ExitStack() as stack:
        def start(home: Path, screenshots: Path) -> SharedWorkbench:
            screenshots.mkdir(parents=True, exist_ok=True)
            log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
            url, browser = _serve(stack, ui_harness, home, corpus_root, log)

            def open_page(name: str):
                return _open_page(stack, browser, screenshots / f"{name}-last.png")

            page = open_page("first-page")
            first = ui_harness.open_app(page, url, timeout_ms=900_000)  # loading is slow on a busy machine
            return SharedWorkbench(url, first, page, open_page)

        yield start
