"""The one way a file under `$KB_HOME` is replaced: a reader sees the old file or the new one whole, and after
return the new one survives a power cut.

Write a temporary file in the same folder, fsync it, `os.replace` it over the target, fsync the folder (the rename
itself is only durable once the directory entry is on disk). Inbox batches, the versions snapshot, the file memo,
matters and uploads all go through here, so they share one durability guarantee instead of five.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<thread>\d+)\.tmp$")


def temporary_name(path: Path) -> Path:
    """`.name.<pid>.<thread>.tmp` beside `path`: unique per writer, and it says which process wrote it."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def writer_pid(temporary: Path) -> int | None:
    """The process that wrote a temporary file of `atomic_write`, or None for any other file."""
    match = _TEMPORARY.match(temporary.name)
    return int(match["pid"]) if match else None


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists (a writer of a temporary file, a worker asking for work, an owner, the writer of
    the store's payload copy)."""
    if pid <= 0:
        return False  # 0 and -1 would ask about a process group (always "alive")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Replace `path` with `data` (str is written as UTF-8) atomically and durably; returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        with tmp.open("wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path


def atomic_move(source: Path, target: Path) -> Path:
    """Move a finished file (e.g. a database built beside its target) into place, durably."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(source, target)
    fsync_dir(target.parent)
    return target
