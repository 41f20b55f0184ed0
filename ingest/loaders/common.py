"""Reading source files defensively: every failure becomes one `BadInputError` naming the file and the reason."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

from ingest.loaders.checks import MAX_JSON_DEPTH, json_depth
from ingest.model import BadInputError

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are refused before parsing: no source in the corpus comes near it, and a runaway file must
not exhaust memory in the middle of an ingest."""


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, gunzipped when it ends in `.gz`; refuses missing, empty and oversized files."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInputError(path, f"cannot read file ({exc.strerror or exc})") from exc
    if size == 0:
        raise BadInputError(path, "empty file")
    if size > max_bytes:
        raise BadInputError(path, f"file too large ({size:,} bytes; limit {max_bytes:,})")
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise BadInputError(path, f"corrupt or truncated gzip data ({exc})") from exc
        if len(data) > max_bytes:
            raise BadInputError(path, f"file too large once decompressed ({len(data):,} bytes)")
        if not data.strip():
            raise BadInputError(path, "empty file")
    return data


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
