"""Where the app gets its long-lived objects, and how it turns failures into messages a lawyer can act on.

The KnowledgeBase (store + model) is opened once per server process (`st.cache_resource` keeps it), after the page
has been painted with a note that it is loading, so a lawyer sees the app at once; a search after that only pays for
the query. It is opened in the script's own thread: opened in a background thread, the app hung after loading on
this machine (the page never left the loading note), so the simpler order was kept.

A Qdrant Edge shard admits one opener per process and per path, so code that already holds a KnowledgeBase (tests,
an embedding application) hands it in with `use_kb()` instead of letting the app open the same shard a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

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
    warm_up(kb)
    try:
        kb.start_inbox_watcher()  # applies what `kb update` hands over while the app holds the store
    except KbError:
        pass  # the store is locked by another process; the sidebar says so
    return kb


def warm_up(kb: KnowledgeBase) -> None:
    """Load the model and the search pipeline now, so the lawyer's first search is as fast as the rest."""
    try:
        kb.search("extradition", limit=1)
    except KbError:
        pass  # an empty or locked store is reported where the user acts, not at start-up


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


@st.cache_data(ttl=30, show_spinner=False)
def store_stats(_kb: KnowledgeBase, key: str) -> dict:
    """`kb.stats()` refreshed every 30 s: ingestion may be adding documents while the app is open."""
    return _kb.stats()


@st.cache_data(ttl=10, show_spinner=False)
def embedding_status(_kb: KnowledgeBase, key: str) -> dict:
    """`kb.embedding_status()` (dense vectors filled in by `kb embed`), refreshed every 10 s while the fill runs."""
    return _kb.embedding_status()


@st.cache_data(ttl=30, show_spinner=False)
def source_coverage(_kb: KnowledgeBase, key: str) -> list:
    """`kb.coverage()` (documents stored / files in the corpus, per source), refreshed like `store_stats`; its file
    counts are also the denominator of "how much is searchable"."""
    return _kb.coverage()


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
