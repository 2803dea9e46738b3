"""The per-request log line: written straight to plain stream handlers, the same text `logging` would write,
and through `logging` wherever a record is needed."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest

from mock_server.access_log import AccessLog

LINE = "nango POST /connections -> 201 (0.4 ms) 100%"


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """A logger of its own (not propagating), INFO and up, with no handler yet."""
    made = logging.getLogger("connmock.test-access-log")
    made.setLevel(logging.INFO)
    made.propagate = False
    yield made
    made.handlers.clear()
    made.filters.clear()


def stream_handler(logger: logging.Logger, fmt: str | None) -> io.StringIO:
    """The logger's only handler: a stream handler (pytest's capture handlers taken off this private logger)."""
    logger.handlers.clear()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    if fmt is not None:
        handler.setFormatter(logging.Formatter(fmt))
    logger.addHandler(handler)
    return stream


@pytest.mark.parametrize("fmt", ["%(asctime)s %(name)s %(message)s", "%(levelname)s:%(name)s:%(message)s", None],
                         ids=["connmock-serve", "basic", "no-formatter"])
def test_a_plain_stream_gets_the_text_logging_would_write(logger: logging.Logger, fmt: str | None) -> None:
    direct, through_logging = stream_handler(logger, fmt), io.StringIO()
    AccessLog(logger)(LINE)
    reference = logging.StreamHandler(through_logging)
    reference.setFormatter(logging.Formatter(fmt))
    reference.handle(logger.makeRecord(logger.name, logging.INFO, "", 0, LINE, (), None))
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}")
    assert stamp.sub("T", direct.getvalue()) == stamp.sub("T", through_logging.getvalue())
    assert direct.getvalue().endswith(f"{LINE}\n")


def test_the_line_takes_no_log_record_on_the_plain_path(logger: logging.Logger,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    stream = stream_handler(logger, "%(asctime)s %(name)s %(message)s")
    monkeypatch.setattr(logger, "makeRecord", lambda *_a, **_k: pytest.fail("a LogRecord was made"))
    AccessLog(logger)(LINE)
    assert LINE in stream.getvalue()


def test_another_kind_of_handler_gets_a_real_record(logger: logging.Logger) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    stream = stream_handler(logger, "%(message)s")
    logger.addHandler(Keep())
    AccessLog(logger)(LINE)
    assert [r.getMessage() for r in records] == [LINE] and stream.getvalue() == f"{LINE}\n"


def test_a_loggers_filter_is_applied(logger: logging.Logger) -> None:
    stream = stream_handler(logger, "%(message)s")
    logger.addFilter(lambda record: "secret" not in record.getMessage())
    AccessLog(logger)("GET /secret -> 200")
    AccessLog(logger)(LINE)
    assert stream.getvalue() == f"{LINE}\n"


def test_a_formatter_with_other_fields_gets_a_real_record(logger: logging.Logger) -> None:
    stream = stream_handler(logger, "%(process)d %(funcName)s %(message)s")
    AccessLog(logger)(LINE)
    assert re.fullmatch(rf"\d+ __call__ {re.escape(LINE)}\n", stream.getvalue())


def test_nothing_is_written_below_the_loggers_level(logger: logging.Logger) -> None:
    stream = stream_handler(logger, None)
    logger.setLevel(logging.WARNING)
    AccessLog(logger)(LINE)
    assert stream.getvalue() == ""
