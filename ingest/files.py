"""Every file the knowledge base reads, as one kind of item, read by one function with one failure policy.

The corpus (by manifest source), a drop folder or the uploads folder (by file extension), and files named on the
command line (a corpus file as its source reads it, any other by extension) all become `SourceFile`s; `read`
turns one into documents. A file that cannot be read is never fatal: bad input (`BadInputError`) is reported in
one line naming the file and the reason, and a loader bug is reported the same way with its traceback kept for
the log, so one odd file cannot stop `kb ingest FILE`, a scheduled `kb update` or an upload.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.loaders import FORMAT_BY_SUFFIX, loader_for
from ingest.loaders.text_blocks import doc_id_prefix, file_doc_id
from ingest.manifest import Manifest, Source
from ingest.model import SourceDocument
from legal.errors import BadInputError


@dataclass(frozen=True)
class SourceFile:
    """A file to read: where it is, the name it is cited by, and how it is read."""

    path: Path
    rel: str
    """The `source_file` its documents carry: corpus-relative for corpus files, absolute for a lawyer's own."""
    source_name: str
    kind: str
    format: str | None
    """None for a file type no loader reads (reported as bad input when read)."""
    budgeted: bool = False
    corpus: bool = False


@dataclass(frozen=True)
class ReadFailure:
    """Why a file gave no documents: one line for the user, and the traceback of a loader bug for the log."""

    path: str
    reason: str
    traceback: str | None = None


def read(item: SourceFile) -> list[SourceDocument] | ReadFailure:
    """The file's documents, or the failure (the only place a file is opened for loading)."""
    try:
        if item.format is None:
            raise BadInputError(item.path, f"unsupported file type {item.path.suffix or '(none)'}; "
                                           f"supported: {', '.join(sorted(FORMAT_BY_SUFFIX))}")
        docs = loader_for(item.format)(item.path, item.rel, item.kind)
        return docs if item.corpus else own_namespace(item, docs)
    except BadInputError as exc:
        return ReadFailure(exc.path, exc.reason)
    except Exception as exc:  # a loader bug on one file must not stop the run; the traceback goes to the log
        return ReadFailure(str(item.path), f"unexpected {type(exc).__name__}: {exc}", traceback.format_exc())


def own_namespace(item: SourceFile, docs: list[SourceDocument]) -> list[SourceDocument]:
    """A lawyer's own file (drop folder, upload, a file named outside the corpus) names its documents in its own
    namespace, whatever ids it claims: `<KIND>-<name>-<hash of its path>` (`file_doc_id`), the id its Markdown,
    PDF or Word text already had. A JSON record saying `"id": "UN-CAT-GC-1"`, an XML judgment with a UK court's
    citation or a PDF named like a corpus report used to take that corpus document's id and replace its text in the
    store; now it cannot, and the id it claimed is kept as `id_in_file`. Same path, same id: a file edited and read
    again replaces its own earlier version."""
    own = file_doc_id(doc_id_prefix(item.kind), item.rel)
    out = []
    for n, doc in enumerate(docs, 1):
        doc_id = own if len(docs) == 1 else f"{own}-{n}"
        extra = doc.extra if doc.doc_id == doc_id else {**doc.extra, "id_in_file": doc.doc_id}
        out.append(replace(doc, doc_id=doc_id, extra=extra))
    return out


def corpus_files(corpus: Path, source: Source, limit: int | None = None) -> Iterator[SourceFile]:
    """A manifest source's files (the first `limit` of them by name)."""
    for path in source.files(corpus)[:limit]:
        yield SourceFile(path, str(path.relative_to(corpus)), source.name, source.kind, source.format,
                         source.budgeted, corpus=True)


def folder_files(folder: Path, source_name: str, kind: str) -> Iterator[SourceFile]:
    """Readable material in a drop or uploads folder (any depth), read by extension. Hidden and temporary files
    (`.x`, Word's `~$x`) are someone's work in progress; a file of another type is not material and is ignored."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if (path.is_file() and path.suffix.lower() in FORMAT_BY_SUFFIX
                and not any(part.startswith((".", "~$")) for part in path.relative_to(folder).parts)):
            yield SourceFile(path, str(path.resolve()), source_name, kind, FORMAT_BY_SUFFIX[path.suffix.lower()])


def named_files(paths: Iterable[Path], corpus: Path | None, manifest: Manifest, kind: str) -> Iterator[SourceFile]:
    """Files named by the user: a corpus file exactly as its manifest source reads it, any other by extension."""
    for path in paths:
        source = manifest.source_of(corpus, path) if corpus is not None else None
        if source is not None and corpus is not None:
            yield SourceFile(path, str(path.resolve().relative_to(corpus)), source.name, source.kind, source.format,
                             source.budgeted, corpus=True)
        else:
            yield SourceFile(path, str(path.resolve()), kind, kind, FORMAT_BY_SUFFIX.get(path.suffix.lower()))
