"""One way for a test to wait for something another thread or process does: poll, with a deadline and a message."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, interval: float = 0.2,
               message: str | Callable[[], str] = "") -> T:
    """Calls `predicate` every `interval` seconds until it returns something true, and returns that (a search's hits,
    a log entry); once more after `timeout` seconds, then fails with `message` (a callable is asked then, so it can
    report the state at the deadline). An assertion inside `predicate` (a child process that died) fails at once."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(text or f"not true within {timeout} s")
        time.sleep(interval)
