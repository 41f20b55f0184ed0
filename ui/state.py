"""Where the app gets its long-lived objects, and how it turns failures into messages a lawyer can act on.

The KnowledgeBase (store + model) is opened once per server process (`st.cache_resource` keeps it), after the page
has been painted with a note that it is loading, so a lawyer sees the app at once. The store is opened in the script's
own thread: opened in a background thread, the app hung after loading on this machine (the page never left the
loading note), so the simpler order was kept. What only a search needs (the search pipeline, the model, the citation
graph, the glossary's Chinese query) is warmed up in a background thread once the first page is drawn (`warm_up`),
while the lawyer reads it and types, not before the page appears.

The counts the sidebar and the filters show (`store_stats`, `source_coverage`, `embedding_status`, facet counts) are
refreshed in the background once stale (`Fresh`): with `st.cache_data(ttl=…)` the rerun of a search made after the
counts expired recomputed them first (on the whole corpus ~3 s before the search ran: a lawyer's first search, typed
for a minute, answered 4.1 s after the click while `kb.search` took 0.3 s).

A Qdrant Edge shard admits one opener per process and per path, so code that already holds a KnowledgeBase (tests,
an embedding application) hands it in with `use_kb()` instead of letting the app open the same shard a second time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Generic, TypeVar

import streamlit as st

from kb.settings import Settings
from legal.errors import (
    DocumentNotFoundError,
    FilterError,
    KbError,
    ModelUnavailableError,
    StoreEmptyError,
    StoreLockedError,
)
from legal.text import streamlit_text

if TYPE_CHECKING:
    from kb.api import KnowledgeBase, MatterStore

log = logging.getLogger("kb.ui")

_preset: KnowledgeBase | None = None


def use_kb(kb: KnowledgeBase | None) -> None:
    """Make the app use `kb` instead of opening its own (None goes back to opening one from settings)."""
    global _preset
    _preset = kb


_opened = False
"""Set once the knowledge base is open in this server process, so a page knows it will not wait."""


@st.cache_resource(show_spinner=False)
def _open_kb() -> KnowledgeBase:
    from kb.api import KnowledgeBase  # the heavy imports (Haystack, the model) come after the page is painted

    kb = KnowledgeBase(Settings.load())
    try:
        kb.start_inbox_watcher()  # applies what `kb update` hands over while the app holds the store
    except KbError:
        pass  # the store is locked by another process; the sidebar says so
    return kb


_warming: set[int] = set()


def warm_up_in_background() -> None:
    """Once per knowledge base this process opened, after its first page is drawn: `warm_up` in a thread while the
    lawyer reads the page and types. Started before the page, it held the GIL while the sidebar's counts were
    computed and delayed the page as much as a warm-up in line did."""
    if _preset is not None or not _opened:
        return  # a knowledge base handed in (tests) is the caller's to warm
    kb = _open_kb()
    if id(kb) in _warming:
        return
    _warming.add(id(kb))
    threading.Thread(target=warm_up, args=(kb,), name="kb-warm-up", daemon=True).start()


WARM_UP_QUERIES = ("extradition", "What does Chinese law say about detention before trial?")
"""A keyword search builds the ranked pipeline (its imports, the citation graph, the facts and reasoning indexes) and
loads the model for the meaning feature; a question naming China loads the glossary and the Chinese BM25 query
(0.6 s on its first use)."""


def warm_up(kb: KnowledgeBase) -> None:
    """Run one search of each kind now, in the background, so the lawyer's first search is as fast as the rest (the
    pipeline's build and the model's load took 1.5-3 s of the first search on the whole corpus). A search the lawyer
    starts meanwhile waits for the pipeline being built (`KnowledgeBase.search_pipeline` builds under its lock)."""
    for query in WARM_UP_QUERIES:
        try:
            kb.search(query, limit=1)
        except Exception:  # noqa: BLE001 - an empty or locked store is reported where the user acts
            log.info("warm-up search %r failed", query, exc_info=True)
            return


def kb_ready() -> bool:
    """Whether `get_kb()` returns at once (the knowledge base is already open in this process)."""
    return _preset is not None or _opened


def get_kb() -> KnowledgeBase:
    global _opened
    if _preset is not None:
        return _preset
    kb = _open_kb()
    _opened = True
    return kb


def matter_store() -> MatterStore:
    """The knowledge base's matters folder (`KnowledgeBase.matters`), for the sidebar and the button callbacks,
    which are not handed the knowledge base."""
    return get_kb().matters


T = TypeVar("T")


class Fresh(Generic[T]):
    """Values computed once, then recomputed in a background thread once stale; until the new one is there, the last
    one is returned at once, so only the first call for a key waits. Stale: for a `version` given (the store's
    `payload_changes`: what this process has written), when it changed or the value is older than `max_age`; without
    one (a server store others write), when older than `ttl`. The counts were recomputed every 30-60 s whether or not
    anything changed, in the rerun of the lawyer's next search, and in the background they still held the GIL (Qdrant
    Edge's facets) while the search ran. A refresh that fails keeps the last value (logged) and is tried again at
    the next stale read. At most `size` keys are kept (least recently used dropped): facet counts are keyed by the
    filters chosen. Keys name the knowledge base object too: another one on the same store (a test's) counts anew."""

    def __init__(self, ttl: float, max_age: float = 600.0, size: int = 256) -> None:
        self.ttl = ttl
        self.max_age = max_age
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, tuple[float, Hashable, T]] = OrderedDict()
        self._refreshing: set[Hashable] = set()

    def get(self, key: Hashable, compute: Callable[[], T], version: Hashable = None) -> T:
        with self._lock:
            held = self._values.get(key)
            if held is not None:
                self._values.move_to_end(key)
                age = time.monotonic() - held[0]
                stale = (age > self.ttl if version is None else held[1] != version or age > self.max_age)
                stale = stale and key not in self._refreshing
                if stale:
                    self._refreshing.add(key)
        if held is None:
            value = compute()
            self._keep(key, version, value)
            return value
        if stale:
            threading.Thread(target=self._refresh, args=(key, compute, version), name="kb-ui-refresh",
                             daemon=True).start()
        return held[2]

    def clear(self) -> None:
        """Forget every value: the next read computes it where it is asked for (a test that changed the store
        behind the app's back)."""
        with self._lock:
            self._values.clear()

    def _keep(self, key: Hashable, version: Hashable, value: T) -> None:
        with self._lock:
            self._values[key] = (time.monotonic(), version, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def _refresh(self, key: Hashable, compute: Callable[[], T], version: Hashable) -> None:
        try:
            self._keep(key, version, compute())
        except Exception:  # noqa: BLE001 - the last value stays on the page; the next stale read tries again
            log.warning("refreshing %r failed; the last value is shown", key, exc_info=True)
        finally:
            with self._lock:
                self._refreshing.discard(key)


_stats: Fresh[dict] = Fresh(ttl=30)
embedding_counts: Fresh[dict] = Fresh(ttl=10)
"""Dense coverage changes as `kb embed` hands vectors over, which is no payload change: refreshed every 10 s."""
_coverage: Fresh[list] = Fresh(ttl=30)
facet_counts: Fresh[list] = Fresh(ttl=60)
"""The filters' counts (`ui.research`), keyed by the filters chosen."""


def store_stats(kb: KnowledgeBase, key: str) -> dict:
    """`kb.stats()` refreshed after this process writes the store (an update handed over, an upload), or every 30 s
    where other processes write it (a Qdrant server)."""
    return _stats.get((id(kb), key), kb.stats, kb.payload_changes())


def embedding_status(kb: KnowledgeBase, key: str) -> dict:
    """`kb.embedding_status()` (dense vectors filled in by `kb embed`), refreshed every 10 s while the fill runs."""
    return embedding_counts.get((id(kb), key), kb.embedding_status)


def source_coverage(kb: KnowledgeBase, key: str) -> list:
    """`kb.coverage()` (documents stored / files in the corpus, per source), refreshed like `store_stats`; its file
    counts are also the denominator of "how much is searchable"."""
    return _coverage.get((id(kb), key), kb.coverage, kb.payload_changes())


@contextmanager
def explained_errors(doing: str) -> Iterator[None]:
    """Show a clear message instead of a traceback; Streamlit's own rerun/stop signals pass through."""
    try:
        yield
    except StoreEmptyError:
        st.info("The knowledge base is empty: nothing has been ingested yet. Run `kb ingest` (or `make run`) "
                "and search again; documents become searchable as they are written.")
    except StoreLockedError as exc:
        st.warning(f"The store is busy: {streamlit_text(str(exc))}")
    except ModelUnavailableError as exc:
        st.error(f"The embedding model cannot be loaded, so {doing} is not possible: {streamlit_text(str(exc))}")
    except FilterError as exc:
        st.warning(f"Please correct the filter: {streamlit_text(str(exc))}")
    except DocumentNotFoundError as exc:
        st.warning(streamlit_text(str(exc)))
    except (KbError, ValueError, OSError) as exc:
        log.exception("%s failed", doing)
        st.error(f"Could not complete {streamlit_text(doing)}: {streamlit_text(str(exc))}")
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a raw traceback for a lawyer
        log.exception("%s failed unexpectedly", doing)
        st.error(f"Something went wrong during {streamlit_text(doing)} ({type(exc).__name__}). "
                 "The details are in the server log.")
