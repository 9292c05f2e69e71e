"""The coaching history as a CSV: one row per rep per week, built from plain `RepWeek`s.

Pure: the reader (`app/services/exports.py`) hands over each rep's weeks. Figures are the
digests' own: helpfulness only as the 4-week average of at least MIN_RATINGS_SHOWN ratings
(the same one a manager's digest shows), never a single rating. Nothing typed in a 1:1 or a
coaching note is a column. A cell that came from typed text and starts like a spreadsheet
formula gets a leading apostrophe, so opening the file runs nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.rules import metrics
from app.rules.metrics import RepWeek

HEADER = (
    "week",
    "rep",
    "name",
    "manager",
    "status",
    "deals_submitted",
    "gap",
    "focus",
    "one_on_one",
    "drill",
    "recordings",
    "recordings_committed",
    "transfer",
    "helpfulness_4w",
    "deals_moved",
    "deals_settled",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class AuditAction(StrEnum):
    """What an audit_log row records."""

    EXPORT_HISTORY = "export_history"  # a team's (or everyone's) coaching history, as CSV
    EXPORT_PERSON = "export_person"  # everything about one person, as JSON
    ERASE = "erase"  # a person's personal data erased


@dataclass(frozen=True)
class RepHistory:
    rep: str  # their Slack id, or "erased-<n>" once their data was erased
    name: str  # as Slack shows them ("" when unknown or erased)
    manager: str  # the manager's Slack id ("" for none)
    weeks: Sequence[RepWeek]  # oldest first
    deals_submitted: Mapping[str, int] = field(default_factory=dict)  # cycle → deals shared


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before a formula's start."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _helpfulness(weeks: Sequence[RepWeek], cycle: str) -> str:
    average = metrics.helpfulness_average(metrics.last_weeks(weeks, cycle))
    return "" if average is None else f"{float(average):.1f}"


def _one_on_one(week: RepWeek) -> str:
    return {True: "held", False: "not held", None: ""}[week.held]


def _drill(week: RepWeek) -> str:
    if not week.drill_assigned:
        return ""
    return "recorded" if week.drill_recorded else "not recorded"


def row(history: RepHistory, week: RepWeek) -> list[str]:
    return [
        week.cycle,
        history.rep,
        history.name,
        history.manager,
        "paused" if week.paused else "active",
        str(history.deals_submitted.get(week.cycle, 0)),
        week.gap.value if week.gap else "",
        week.focus or "",
        _one_on_one(week),
        _drill(week),
        str(week.recordings),
        str(week.practice_target) if week.drill_assigned else "",
        "" if week.transfer is None else str(week.transfer),
        _helpfulness(history.weeks, week.cycle),
        str(week.deals_moved),
        str(week.deals_asked),
    ]


def history_rows(histories: Sequence[RepHistory]) -> list[list[str]]:
    """Every week each rep was with coach (paused weeks included, marked), rep by rep."""
    return [row(h, w) for h in histories for w in h.weeks if w.enrolled]


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([safe_cell(cell) for cell in r] for r in rows)
    return out.getvalue()
