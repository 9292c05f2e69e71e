"""The targets the method sets for its numbers, shown beside every figure
(docs/coaching-method.md, "The numbers")."""

from __future__ import annotations

from app.rules.metrics import TRANSFERRED

COMPLETION = 100  # % of drills recorded as many times as committed
TRANSFER_WITHIN_WEEKS = 3  # a transfer score of TRANSFERRED+ within this many weeks of a focus
PROGRESSION = 70  # % of coached deals that moved a stage within 7 days of the 1:1

COMPLETION_LABEL = f"target {COMPLETION}%"
TRANSFER_LABEL = f"target {TRANSFERRED}+ within {TRANSFER_WITHIN_WEEKS} weeks"
PROGRESSION_LABEL = f"target {PROGRESSION}%+"
