"""`tests.waiting.wait_until` (and its event-loop twin), which every test waiting on another thread or process uses."""

from __future__ import annotations

import time

import pytest

from tests.waiting import wait_until, wait_until_async


def test_returns_the_first_true_value_and_fails_with_the_message_at_the_deadline() -> None:
    answers = iter([0, [], "found", "not asked"])
    assert wait_until(lambda: next(answers), 1, 0.01) == "found"
    pending = [3]
    started = time.monotonic()
    with pytest.raises(AssertionError, match="still 3 pending"):
        wait_until(lambda: False, 0.2, 0.05, lambda: f"still {pending[0]} pending")
    assert time.monotonic() - started >= 0.2
    with pytest.raises(AssertionError, match="child died"):  # an assertion in the predicate fails at once

        def alive() -> bool:
            raise AssertionError("child died")

        wait_until(alive, 60)


def test_the_async_wait_awaits_the_predicate_and_fails_with_the_message_at_the_deadline() -> None:
    import anyio

    answers = iter([None, 0, "ready"])

    async def status() -> object:
        return next(answers)

    async def scenario() -> None:
        assert await wait_until_async(status, 1, 0.01) == "ready"

        async def never() -> bool:
            return False

        with pytest.raises(AssertionError, match="did not load"):
            await wait_until_async(never, 0.1, 0.02, "did not load")

    anyio.run(scenario)
