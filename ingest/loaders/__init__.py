"""One loader per file format. Each module exposes `load(path, source_file, kind) -> list[SourceDocument]`
and raises `legal.errors.BadInputError` for a file it cannot read. `loader_for` hands out that function with every
document it returns checked (`ingest.loaders.checks`), so no path into the store skips the checks."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from ingest.loaders.checks import checked_all
from ingest.model import SourceDocument
from legal.errors import BadInputError

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
    "image": "ingest.loaders.image",
}


def loader_for(fmt: str) -> Loader:
    """The checked `load` function of a format; an unknown format is a configuration error naming the valid ones."""
    try:
        module = FORMAT_MODULES[fmt]
    except KeyError:
        raise ValueError(f"unknown source format {fmt!r}; valid formats: {', '.join(sorted(FORMAT_MODULES))}") from None
    load = import_module(module).load

    def checked_load(path: Path, source_file: str, kind: str) -> list[SourceDocument]:
        try:
            return checked_all(path, load(path, source_file, kind))
        except RecursionError:
            raise BadInputError(path, "structure nested too deeply to read") from None
        except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
            # a shape the loader's own checks missed: still this file's fault, and still one line
            raise BadInputError(path, f"unexpected content ({type(exc).__name__}: {exc})") from exc

    return checked_load


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
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
"""How a lawyer's own file in a drop folder is read, by its extension."""
