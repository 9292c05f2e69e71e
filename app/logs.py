"""Logging, configured once by the CLI. Log ids, never note text, tokens or request bodies."""

from __future__ import annotations

import logging
import os


def configure(default_level: str = "INFO") -> None:
    level = os.environ.get("COACH_LOG_LEVEL", default_level).upper()
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # slack_bolt logs request bodies at DEBUG; they can hold coaching notes.
    logging.getLogger("slack_bolt").setLevel(max(logging.INFO, logging.getLogger().level))
