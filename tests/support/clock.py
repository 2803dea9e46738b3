"""A clock the tests drive: no test ever patches time."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    """Starts at `start`; every reading moves it on by `tick`, so creation order is strictly increasing."""

    def __init__(self, start: datetime, tick: timedelta = timedelta(milliseconds=1)) -> None:
        self.current = start
        self.tick = tick

    def now(self) -> datetime:
        value = self.current
        self.current += self.tick
        return value

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
