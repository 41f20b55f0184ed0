"""A pure function run in a child process with a deadline, for work a thread cannot bound.

Why a process: a regular expression that backtracks holds the interpreter lock for as long as it runs, so no other
thread of the process runs meanwhile and a thread's timeout cannot stop it. `kb mcp` served every tool from one
process; a 270-character text of `X and Others and Others … v. Nowhere` in `check_citations` held it for 56 s while
a `search` sent meanwhile waited. Parsing that text in a child that is killed at the deadline keeps the server
answering; text that parses in time is then checked in the process as usual (parsing a 260,000-character judgment
takes 0.8 s here).

Why not `multiprocessing`: its spawned child imports the parent's main module again, so a script that opens the
store at import time would open it twice (Qdrant Edge admits one process). The child here is a plain interpreter
reading pickled calls on stdin, with the parent's import path.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from legal.errors import KbError

T = TypeVar("T")
_HEADER = struct.Struct("!Q")
CHILD = """
import pickle, struct, sys
header = struct.Struct("!Q")
source, sink = sys.stdin.buffer, sys.stdout.buffer
sys.stdout = sys.stderr  # a print in the function must not corrupt the replies
while size := source.read(header.size):
    fn, args = pickle.loads(source.read(header.unpack(size)[0]))
    try:
        reply = ("ok", fn(*args))
    except Exception as exc:
        reply = ("error", f"{type(exc).__name__}: {exc}")
    data = pickle.dumps(reply)
    sink.write(header.pack(len(data)) + data)
    sink.flush()
"""


class DeadlineExceeded(KbError):
    """The function did not return within its deadline; its child process was killed."""


class BoundedWorker:
    """One child interpreter, started on first use and started again after a call overran and it was killed (or it
    died). Calls take turns."""

    def __init__(self) -> None:
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            self._child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, env=env)
        return self._child

    def call(self, fn: Callable[..., T], *args: Any, seconds: float) -> T:
        """`fn(*args)` in the child (`fn` importable by name, arguments and result picklable); `DeadlineExceeded`
        when it takes longer than `seconds` (the child's start included), a KbError when it raised."""
        with self._lock:
            child = self._ensure()
            data = pickle.dumps((fn, args))
            deadline = time.monotonic() + seconds
            try:
                assert child.stdin is not None and child.stdout is not None
                child.stdin.write(_HEADER.pack(len(data)) + data)
                child.stdin.flush()
                size = _HEADER.unpack(self._read(child, _HEADER.size, deadline))[0]
                status, value = pickle.loads(self._read(child, size, deadline))
            except (DeadlineExceeded, OSError, EOFError, pickle.UnpicklingError):
                self._stop()
                raise DeadlineExceeded(f"did not finish within {seconds:g} s") from None
            if status == "error":
                raise KbError(value)
            return value

    @staticmethod
    def _read(child: subprocess.Popen[bytes], size: int, deadline: float) -> bytes:
        assert child.stdout is not None
        fd = child.stdout.fileno()
        chunks: list[bytes] = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise DeadlineExceeded
            chunk = os.read(fd, size)
            if not chunk:
                raise EOFError("the child process ended")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _stop(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            for stream in (self._child.stdin, self._child.stdout):
                if stream is not None:
                    stream.close()
            self._child = None

    def close(self) -> None:
        with self._lock:
            self._stop()
