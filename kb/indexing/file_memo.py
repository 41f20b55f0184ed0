"""What each file held when it was last read, so that `kb update` need not read unchanged files again: the corpus's
(by path in the corpus) and the drop folder's and the uploads' (by absolute path), where a scan is read by OCR
(seconds a page: every update, scheduled ones included, read each scan in the drop folder again).

Why: deciding that a document is unchanged means loading and preparing it (a PDF report is parsed, a judgment's
JSON decompressed and cut into chunks), which for the whole corpus takes minutes every run. A file whose size and
modification time are those recorded, read by the same loader code, holds the same documents with the same
content versions; if the store holds exactly those versions, the file need not be opened.

The memo is a JSON file in `$KB_HOME`, written atomically. It is only a shortcut: deleting it costs one full read.
Any change to the loaders or the indexing code (their source files are hashed into `code`) empties it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import ingest
import kb.indexing.chunking
import legal
from kb.atomic import atomic_write


def code_fingerprint() -> str:
    """A hash of the code that turns a file into documents and versions: loaders, the document model, the domain
    floor they read text with (`legal/`: numerals, `index_text`), indexing."""
    digest = hashlib.sha256()
    files = (sorted(Path(ingest.__file__).parent.rglob("*.py")) + sorted(Path(legal.__file__).parent.rglob("*.py"))
             + [Path(kb.indexing.chunking.__file__)])
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class FileMemo:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.code = code_fingerprint()
        self.files: dict[str, dict] = {}
        self._stats: dict[str, tuple[int, int]] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("code") == self.code:
                self.files = data.get("files", {})
        except (OSError, ValueError, AttributeError):
            pass  # no memo, or an unreadable one: every file is read, and the memo rewritten

    def recorded(self, rel: str, path: Path) -> dict[str, str] | None:
        """The documents (id → content version) `path` held when last read, if it has not changed since; the
        file's current size and time are kept for `note`, so call this before reading the file."""
        st = path.stat()
        stat = (st.st_size, st.st_mtime_ns)
        self._stats[rel] = stat
        entry = self.files.get(rel)
        if entry and tuple(entry["stat"]) == stat and entry["docs"]:
            return dict(entry["docs"])
        return None

    def note(self, rel: str, doc_id: str, version: str) -> None:
        """A document read from `rel` in this run, with the file's state as `recorded` saw it before the read."""
        stat = self._stats.get(rel)
        if stat is None:
            return
        entry = self.files.get(rel)
        if entry is None or tuple(entry["stat"]) != stat:
            entry = self.files[rel] = {"stat": list(stat), "docs": {}}
        entry["docs"][doc_id] = version

    def save(self) -> None:
        atomic_write(self.path, json.dumps({"code": self.code, "files": self.files}))
