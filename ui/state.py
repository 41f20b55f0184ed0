"""Where the app gets its long-lived objects, and how it turns failures into messages a lawyer can act on.

The KnowledgeBase (store + model) is opened once per server process with `st.cache_resource`, so a
search after the first one only pays for the query. A Qdrant Edge shard admits one opener per process
and per path, so code that already holds a KnowledgeBase (tests, an embedding application) hands it in
with `use_kb()` instead of letting the app open the same shard a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from kb.api import KnowledgeBase
from kb.errors import (
    DocumentNotFoundError,
    FilterError,
    KbError,
    ModelUnavailableError,
    StoreEmptyError,
    StoreLockedError,
)
from kb.settings import Settings

log = logging.getLogger("kb.ui")

_preset: KnowledgeBase | None = None


def use_kb(kb: KnowledgeBase | None) -> None:
    """Make the app use `kb` instead of opening its own (None goes back to opening one from settings)."""
    global _preset
    _preset = kb


@st.cache_resource(show_spinner="Opening the knowledge base and loading the model…")
def _open_kb() -> KnowledgeBase:
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


def get_kb() -> KnowledgeBase:
    return _preset if _preset is not None else _open_kb()


def matter_store() -> Any:
    """The matters folder under KB_HOME; imported lazily because matters are a separate module of `kb`."""
    from kb.drafting.matters import MatterStore

    return MatterStore(get_kb().settings.matters)


@st.cache_data(ttl=30, show_spinner=False)
def store_stats(_kb: KnowledgeBase, key: str) -> dict:
    """`kb.stats()` refreshed every 30 s: ingestion may be adding documents while the app is open."""
    return _kb.stats()


@st.cache_data(ttl=3600, show_spinner=False)
def corpus_files(_kb: KnowledgeBase, key: str) -> int:
    """How many source files the manifest names: the denominator of "how much is searchable"."""
    from ingest.manifest import Manifest

    settings = _kb.settings
    if settings.corpus is None:
        return 0
    manifest = Manifest.load(settings.manifest)
    return sum(len(s.files(settings.corpus)) for s in manifest.select(everything=True))


@contextmanager
def explained_errors(doing: str) -> Iterator[None]:
    """Show a clear message instead of a traceback; Streamlit's own rerun/stop signals pass through."""
    try:
        yield
    except StoreEmptyError:
        st.info("The knowledge base is empty: nothing has been ingested yet. Run `kb ingest` (or `make run`) "
                "and search again; documents become searchable as they are written.")
    except StoreLockedError as exc:
        st.warning(f"The store is busy: {exc}")
    except ModelUnavailableError as exc:
        st.error(f"The embedding model cannot be loaded, so {doing} is not possible: {exc}")
    except FilterError as exc:
        st.warning(f"Please correct the filter: {exc}")
    except DocumentNotFoundError as exc:
        st.warning(str(exc))
    except (KbError, ValueError, OSError) as exc:
        log.exception("%s failed", doing)
        st.error(f"Could not complete {doing}: {exc}")
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a raw traceback for a lawyer
        log.exception("%s failed unexpectedly", doing)
        st.error(f"Something went wrong during {doing} ({type(exc).__name__}). The details are in the server log.")
