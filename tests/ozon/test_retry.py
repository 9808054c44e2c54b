"""The shared retry helper: full-jitter backoff, Retry-After hints, attempt and deadline limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.retry import backoff_delay, retry_after_hint, retry_call


class Flaky(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("flaky")
        self.retry_after = retry_after


class Fatal(Exception):
    pass


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def is_flaky(exc: BaseException) -> bool:
    return isinstance(exc, Flaky)


@given(
    attempt=st.integers(min_value=1, max_value=10_000),
    base=st.floats(min_value=0.001, max_value=10),
    cap=st.floats(min_value=0.001, max_value=60),
    draw=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_backoff_stays_within_the_exponential_ceiling(
    attempt: int, base: float, cap: float, draw: float
) -> None:
    delay = backoff_delay(attempt, base=base, cap=cap, rng=lambda: draw)

    assert 0 <= delay <= min(cap, base * 2 ** min(attempt - 1, 62))


def test_backoff_grows_exponentially_until_the_cap() -> None:
    ceilings = [backoff_delay(n, base=0.5, cap=3.0, rng=lambda: 1.0) for n in range(1, 6)]

    assert ceilings == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_backoff_counts_attempts_from_one() -> None:
    with pytest.raises(ValueError, match="1-based"):
        backoff_delay(0, base=1, cap=1)


def test_retry_after_hint_reads_only_sane_numbers() -> None:
    assert retry_after_hint(Flaky(retry_after=2)) == 2.0
    assert retry_after_hint(Flaky(retry_after=-1)) is None
    assert retry_after_hint(Flaky()) is None
    assert retry_after_hint(Fatal()) is None


async def test_transient_failures_are_retried_until_success() -> None:
    sleeps = Sleeps()
    attempts: list[int] = []

    async def call(attempt: int) -> str:
        attempts.append(attempt)
        if attempt < 3:
            raise Flaky
        return "done"

    result = await retry_call(
        call, retryable=is_flaky, max_attempts=5, base=1, cap=10, sleep=sleeps, rng=lambda: 0.5
    )

    assert result == "done"
    assert attempts == [1, 2, 3]
    assert sleeps.delays == [0.5, 1.0]


async def test_the_hint_replaces_the_backoff() -> None:
    sleeps = Sleeps()

    async def call(attempt: int) -> int:
        if attempt == 1:
            raise Flaky(retry_after=7)
        return attempt

    assert await retry_call(call, retryable=is_flaky, max_attempts=2, sleep=sleeps) == 2
    assert sleeps.delays == [7.0]


async def test_non_retryable_errors_pass_through_at_once() -> None:
    sleeps = Sleeps()

    async def call(attempt: int) -> None:
        raise Fatal

    with pytest.raises(Fatal):
        await retry_call(call, retryable=is_flaky, max_attempts=5, sleep=sleeps)
    assert sleeps.delays == []


async def test_the_last_error_escapes_when_attempts_run_out() -> None:
    sleeps = Sleeps()
    seen: list[int] = []

    async def call(attempt: int) -> None:
        seen.append(attempt)
        raise Flaky(retry_after=attempt)

    with pytest.raises(Flaky) as caught:
        await retry_call(call, retryable=is_flaky, max_attempts=3, sleep=sleeps)
    assert caught.value.retry_after == 3
    assert seen == [1, 2, 3]


async def test_a_wait_longer_than_the_time_left_gives_up_instead_of_sleeping() -> None:
    sleeps = Sleeps()
    retried: list[tuple[int, float]] = []

    async def call(attempt: int) -> None:
        raise Flaky(retry_after=5)

    with pytest.raises(Flaky):
        await retry_call(
            call,
            retryable=is_flaky,
            max_attempts=3,
            sleep=sleeps,
            time_left=lambda: 4.0,
            on_retry=lambda n, exc, delay: retried.append((n, delay)),
        )
    assert sleeps.delays == []
    assert retried == []
