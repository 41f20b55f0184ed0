"""Reading source files defensively: every failure becomes one `BadInputError` naming the file and the reason."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from lxml import etree

from ingest.loaders.checks import MAX_JSON_DEPTH, json_depth
from legal.errors import BadInputError

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are refused before parsing: no source in the corpus comes near it, and a runaway file must
not exhaust memory in the middle of an ingest."""


MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
"""A DOCX's parts may add up to this much once unzipped; the largest Word file in the corpus is under 5 MB."""
MAX_ZIP_ENTRIES = 10_000
MAX_XML_ELEMENTS = 1_000_000
"""Elements one XML or HTML document may have. A 1,000-page Word file has ~300,000; a parsed tree costs ~500 bytes
an element in lxml and python-docx together, so this bounds a parse near 500 MB. The 208 KB DOCX of 20 million
empty paragraphs that took 3 GB is refused after one streamed pass over its first million elements."""


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, gunzipped when it ends in `.gz`; refuses missing, empty and oversized files."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise BadInputError(path, "empty file")
        if size > max_bytes:
            raise BadInputError(path, f"file too large ({size:,} bytes; limit {max_bytes:,})")
        data = path.read_bytes()  # a file without read permission fails here, not at stat
    except OSError as exc:
        raise BadInputError(path, f"cannot read file ({exc.strerror or exc})") from exc
    if path.suffix == ".gz":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = stream.read(max_bytes + 1)  # never more than the limit in memory, whatever the header says
        except (OSError, EOFError, zlib.error) as exc:
            raise BadInputError(path, f"corrupt or truncated gzip data ({exc})") from exc
        if len(data) > max_bytes:
            raise BadInputError(path, f"file too large once decompressed (over {max_bytes:,} bytes): refused as a "
                                      "decompression bomb")
        if not data.strip():
            raise BadInputError(path, "empty file")
    return data


def check_zip(path: Path, data: bytes, max_bytes: int = MAX_UNZIPPED_BYTES, kind: str = "DOCX") -> zipfile.ZipFile:
    """The archive, once its directory shows it unzips to a bounded size (a zip bomb is refused unopened).

    The declared sizes can be trusted as a bound: `zipfile` stops reading an entry at its declared size.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise BadInputError(path, f"corrupt or truncated {kind} ({type(exc).__name__}: {exc})") from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise BadInputError(path, f"too many parts in the {kind} ({len(entries):,}; limit {MAX_ZIP_ENTRIES:,})")
    total = sum(e.file_size for e in entries)
    if total > max_bytes:
        raise BadInputError(path, f"unzips to {total:,} bytes (limit {max_bytes:,}): refused as a decompression bomb")
    return archive


def check_xml_elements(path: Path, source: IO[bytes], limit: int = MAX_XML_ELEMENTS, html: bool = False,
                       what: str = "document") -> int:
    """How many elements an XML (or HTML) stream has, counted without building its tree; more than `limit` is bad
    input."""
    count = 0
    try:
        for _, element in etree.iterparse(source, events=("end",), html=html, huge_tree=False, resolve_entities=False,
                                          no_network=True, load_dtd=False, recover=html):
            count += 1
            if count > limit:
                raise BadInputError(path, f"the {what} has more than {limit:,} XML elements: refused as a bomb")
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError:
        pass  # the real parse reports a syntax error with its own message; only the count is decided here
    return count


def check_docx_parts(path: Path, archive: zipfile.ZipFile, limit: int = MAX_XML_ELEMENTS) -> None:
    """All XML parts of a Word file together within `limit` elements (python-docx parses every one)."""
    left = limit
    for entry in archive.infolist():
        if entry.filename.endswith((".xml", ".rels")):
            with archive.open(entry) as part:
                try:
                    left -= check_xml_elements(path, part, left)
                except BadInputError:
                    raise BadInputError(path, f"the XML parts have more than {limit:,} elements together: "
                                              "refused as a bomb") from None


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 text (a BOM is accepted); binary junk and other encodings are refused rather than guessed."""
    if b"\x00" in data[:8192]:
        raise BadInputError(path, "binary data where text was expected")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(
            path, f"not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); re-save the file as UTF-8"
        ) from exc
    if not text.strip():
        raise BadInputError(path, "empty file (only whitespace)")
    return text


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    return decode_text(path, read_bytes(path, max_bytes))


def read_json(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The parsed JSON; broken or absurdly nested JSON (`[[[[…` 100,000 deep) is bad input, not a RecursionError."""
    text = read_text(path, max_bytes)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(path, f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError:
        raise BadInputError(path, f"JSON nested too deeply (limit {MAX_JSON_DEPTH} levels)") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise BadInputError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return data
