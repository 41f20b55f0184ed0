"""One loader per file format. Each module exposes `load(path, source_file, kind) -> list[SourceDocument]`
and raises `ingest.model.BadInputError` for a file it cannot read."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from ingest.model import SourceDocument

Loader = Callable[[Path, str, str], list[SourceDocument]]

FORMAT_MODULES = {
    "echr-json": "ingest.loaders.echr",
    "un-json": "ingest.loaders.un",
    "pdf": "ingest.loaders.pdf",
    "akn-xml": "ingest.loaders.akn",
    "statute-md": "ingest.loaders.statute_md",
    "markdown": "ingest.loaders.markdown",
    "html": "ingest.loaders.html",
    "text": "ingest.loaders.text",
    "docx": "ingest.loaders.docx",
}


def loader_for(fmt: str) -> Loader:
    """The `load` function of a format; an unknown format is a configuration error naming the valid ones."""
    try:
        module = FORMAT_MODULES[fmt]
    except KeyError:
        raise ValueError(f"unknown source format {fmt!r}; valid formats: {', '.join(sorted(FORMAT_MODULES))}") from None
    return import_module(module).load


FORMAT_BY_SUFFIX = {
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".docx": "docx",
    ".xml": "akn-xml",
    ".json": "echr-json",
}
"""How a lawyer's own file in a drop folder is read, by its extension."""
