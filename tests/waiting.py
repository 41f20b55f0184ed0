"""One way for a test to wait for something another thread or process does: poll, with a deadline and a message."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class _Deadline:
    """The deadline of one wait, and the failure it ends in."""

    def __init__(self, timeout: float, message: str | Callable[[], str]) -> None:
        self.timeout, self.message = timeout, message
        self.at = time.monotonic() + timeout

    def check(self) -> None:
        if time.monotonic() >= self.at:
            text = self.message() if callable(self.message) else self.message
            raise AssertionError(text or f"not true within {self.timeout} s")


def wait_until(predicate: Callable[[], T], timeout: float, interval: float = 0.2,
               message: str | Callable[[], str] = "") -> T:
    """Calls `predicate` every `interval` seconds until it returns something true, and returns that (a search's hits,
    a log entry); once more after `timeout` seconds, then fails with `message` (a callable is asked then, so it can
    report the state at the deadline). An assertion inside `predicate` (a child process that died) fails at once."""
    deadline = _Deadline(timeout, message)
    while not (value := predicate()):
        deadline.check()
        time.sleep(interval)
    return value


async def wait_until_async(predicate: Callable[[], Awaitable[T]], timeout: float, interval: float = 0.2,
                           message: str | Callable[[], str] = "") -> T:
    """`wait_until` for a test on an event loop (an MCP client session): `predicate` is awaited, and the loop is free
    while it waits."""
    import anyio

    deadline = _Deadline(timeout, message)
    while not (value := await predicate()):
        deadline.check()
        await anyio.sleep(interval)
    return value
