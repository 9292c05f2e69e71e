"""A log handler that keeps every formatted record, for tests that read what was logged."""

from __future__ import annotations

import logging

from app import logs

# coach's text format without its time: tests search these lines for what must never be
# logged, and a time such as 00:31:40,000 would contain the amount "40,000".
CAPTURE_FORMAT = logs.TEXT_FORMAT.removeprefix("%(asctime)s ")


class Capture(logging.Handler):
    """Formats each record as it is emitted, before any other handler's filter touches it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(CAPTURE_FORMAT))
        self.lines: list[str] = []
        self.levels: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.levels.add(record.levelno)
        self.lines.append(f"{self.format(record)} {logs.extra_fields(record)}")
