"""The per-request log line at the cost of a formatted string.

`logging` spends more on one INFO line (a `LogRecord`, its caller's frame, the handler chain, `strftime`) than
the mock spends validating a request. Where the lines go to plain `StreamHandler`s whose `Formatter` uses only
the time, the logger's name, the level and the message (what `connmock serve` sets up), `AccessLog` writes
the same text itself, with the second's timestamp formatted once per second. Any other set-up (a filter, a
handler of another kind, pytest's capture) gets an ordinary `logger.info`, so what is logged never differs.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

__all__ = ["AccessLog"]

FIELD = re.compile(r"%\((\w+)\)")
PLAIN_FIELDS = frozenset({"asctime", "name", "levelname", "message"})
DEFAULT_FORMATTER = logging.Formatter()  # what a handler without a formatter formats with


def plain_format(formatter: logging.Formatter | None) -> str | None:
    """The %-format of a stock `Formatter` using only `PLAIN_FIELDS`, with logging's default time format;
    None for any other formatter."""
    formatter = formatter or DEFAULT_FORMATTER
    style = formatter._style
    if (type(formatter) is not logging.Formatter or type(style) is not logging.PercentStyle or formatter.datefmt
            or formatter.converter is not time.localtime
            or formatter.default_time_format != logging.Formatter.default_time_format
            or formatter.default_msec_format != logging.Formatter.default_msec_format):
        return None
    fmt = style._fmt
    return fmt if set(FIELD.findall(fmt)) <= PLAIN_FIELDS else None


class AccessLog:
    """Writes INFO lines of `logger`: straight to plain stream handlers, or through `logging` otherwise."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.formats: dict[logging.Formatter | None, str | None] = {}
        self.second = -1
        self.stamp = ""

    def __call__(self, message: str) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        targets = self.plain_targets()
        if targets is None:
            self.logger.info(message)
            return
        if targets:
            fields = {"asctime": self.asctime(), "name": self.logger.name, "levelname": "INFO", "message": message}
            for handler, fmt in targets:
                self.write(handler, fmt % fields)

    def plain_targets(self) -> list[tuple[logging.StreamHandler[Any], str]] | None:
        """The handlers an INFO record of the logger reaches, with their formats; None when any of them (or a
        filter on the way) needs a real record."""
        targets: list[tuple[logging.StreamHandler[Any], str]] = []
        logger: logging.Logger | None = self.logger
        while logger is not None:
            if logger.filters:
                return None
            for handler in logger.handlers:
                if handler.level > logging.INFO:
                    continue
                if type(handler) is not logging.StreamHandler or handler.filters:
                    return None
                fmt = self.format_of(handler.formatter)
                if fmt is None:
                    return None
                targets.append((handler, fmt))
            logger = logger.parent if logger.propagate else None
        return targets

    def format_of(self, formatter: logging.Formatter | None) -> str | None:
        if formatter not in self.formats:
            self.formats[formatter] = plain_format(formatter)
        return self.formats[formatter]

    def asctime(self) -> str:
        """logging's default `asctime` (local time, `2026-12-07 15:04:05,123`), the second formatted once."""
        now = time.time()
        second = int(now)
        if second != self.second:
            self.second, self.stamp = second, time.strftime(logging.Formatter.default_time_format,
                                                            time.localtime(second))
        return f"{self.stamp},{int((now - second) * 1000):03d}"

    @staticmethod
    def write(handler: logging.StreamHandler[Any], line: str) -> None:
        with handler.lock or NO_LOCK:
            try:
                handler.stream.write(line + handler.terminator)
                handler.flush()
            except Exception:  # a closed or broken stream loses the line, as logging's own `handleError` would
                pass


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


NO_LOCK = _NoLock()
