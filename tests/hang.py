"""A safety net for tests of bounded work: a run far past its bound fails
instead of holding the test run. It is not a timing assertion: the limit is
two orders of magnitude above what the bounded code needs, and a test using
it asserts the result."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def hang_detector(seconds: int = 5) -> Iterator[None]:
    def give_up(signum: int, frame: object) -> None:
        raise AssertionError(f"the render was still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
