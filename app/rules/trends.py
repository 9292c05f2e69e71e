"""The trend charts' numbers: what each person's picture of the last 8 weeks shows, worked
out from the same weekly records as the digests, and the same numbers in words for the
message's fallback text and the image's alt text (a chart is never the only place a number is).

- A rep: transfer score (1–5) by week, drill completion by week (100% recorded as committed,
  0% assigned and not recorded, nothing where no drill was assigned), and each rated
  competency's rubric level (1–4).
- A manager: team coverage and team drill completion by week.
- A director: coverage by week for each of their managers.
Paused weeks and weeks before a rep joined have no value: a gap in the line, never a zero."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.rules import metrics, targets
from app.rules.metrics import Ratio, RepWeek

CHART_WEEKS = 8


class ChartKind(enum.StrEnum):
    REP = "rep"
    TEAM = "team"
    DIRECTOR = "director"


class Scale(enum.StrEnum):
    PERCENT = "percent"  # 0–100
    TRANSFER = "transfer"  # 1–5
    LEVEL = "level"  # 1–4

    @property
    def bounds(self) -> tuple[int, int]:
        return {Scale.PERCENT: (0, 100), Scale.TRANSFER: (1, 5), Scale.LEVEL: (1, 4)}[self]

    def words(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:.0f}%" if self is Scale.PERCENT else f"{value:.0f}"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # one per week of the chart, None where nothing counts


@dataclass(frozen=True)
class Panel:
    title: str
    scale: Scale
    series: tuple[Series, ...]
    target: float | None = None  # drawn as a dashed line, when the method sets one
    bars: bool = False  # one yes/no value a week reads better as bars than as a line


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    title: str
    weeks: tuple[str, ...]  # cycles, oldest first
    panels: tuple[Panel, ...]

    @property
    def week_labels(self) -> tuple[str, ...]:
        return tuple(cycle.split("-")[-1] for cycle in self.weeks)  # "W48"

    @property
    def empty(self) -> bool:
        return not any(v is not None for p in self.panels for s in p.series for v in s.values)

    def alt_text(self) -> str:
        """Every number of the picture, in words: '<title>. <panel>: W45 75%, W46 100%.'
        (weeks without a value are left out; a line with none says so)."""
        parts = [f"{self.title}, {self.week_labels[0]}–{self.week_labels[-1]}."]
        for panel in self.panels:
            lines = []
            for series in panel.series:
                values = ", ".join(
                    f"{week} {panel.scale.words(v)}"
                    for week, v in zip(self.week_labels, series.values, strict=True)
                    if v is not None
                )
                named = len(panel.series) > 1 or panel.scale is Scale.LEVEL  # which competency
                name = f"{series.name} " if named else ""
                lines.append(f"{name}{values or 'none yet'}")
            parts.append(f"{panel.title}: " + "; ".join(lines) + ".")
        return " ".join(parts)


@dataclass(frozen=True)
class ChartImage:
    """A chart uploaded to Slack, for an image block to show by id."""

    kind: ChartKind
    cycle: str
    file_id: str
    title: str
    alt_text: str


def _percent(value: Ratio) -> float | None:
    return None if value.percent is None else float(value.percent)


def _by_cycle(weeks: Sequence[RepWeek], cycles: Sequence[str]) -> list[RepWeek | None]:
    found = {w.cycle: w for w in weeks}
    return [found.get(c) for c in cycles]


def drill_done(week: RepWeek | None) -> float | None:
    """100 when the week's drill was recorded as committed, 0 when not, None: no drill."""
    if week is None or not metrics.counted(week) or not week.drill_assigned:
        return None
    return 100.0 if week.drill_recorded else 0.0


def rep_chart(
    weeks: Sequence[RepWeek], cycles: Sequence[str], competencies: Mapping[str, str]
) -> Chart:
    """A rep's last weeks; `competencies` names each rubric key, in the workspace's order."""
    shown = _by_cycle(weeks, cycles)
    counted = [w if w is not None and metrics.counted(w) else None for w in shown]
    transfer = tuple(
        None if w is None or w.transfer is None else float(w.transfer) for w in counted
    )
    levels = [
        Series(name, held_levels(counted, key))
        for key, name in competencies.items()
        if any(w is not None and key in w.rubric for w in counted)
    ]
    panels = [
        Panel("Transfer score", Scale.TRANSFER, (Series("Transfer", transfer),), target=4),
        Panel(
            "Drill recorded",
            Scale.PERCENT,
            (Series("Drill", tuple(drill_done(w) for w in shown)),),
            bars=True,
        ),
    ]
    if levels:
        panels.append(Panel("Rubric level", Scale.LEVEL, tuple(levels)))
    return Chart(ChartKind.REP, "Your last 8 weeks", tuple(cycles), tuple(panels))


def held_levels(weeks: Sequence[RepWeek | None], key: str) -> tuple[float | None, ...]:
    """A competency's level each week: a rating holds until the next one (as the digest's
    rubric line reads), and a week that doesn't count (paused, before coach) has none."""
    found: list[float | None] = []
    level: float | None = None
    for week in weeks:
        if week is not None and key in week.rubric:
            level = float(week.rubric[key])
        found.append(None if week is None else level)
    return tuple(found)


def _team_at(weeks_by_rep: Mapping[int, Sequence[RepWeek]], cycle: str) -> list[RepWeek]:
    return [w for weeks in weeks_by_rep.values() for w in weeks if w.cycle == cycle]


def team_chart(weeks_by_rep: Mapping[int, Sequence[RepWeek]], cycles: Sequence[str]) -> Chart:
    """A manager's team: coverage and drill completion by week."""
    at = {c: _team_at(weeks_by_rep, c) for c in cycles}
    coverage = tuple(_percent(metrics.coverage(at[c])) for c in cycles)
    completion = tuple(
        _percent(metrics.completion([w for w in at[c] if metrics.counted(w)])) for c in cycles
    )
    return Chart(
        ChartKind.TEAM,
        "Your team, last 8 weeks",
        tuple(cycles),
        (
            Panel("Coverage (1:1s held)", Scale.PERCENT, (Series("Coverage", coverage),)),
            Panel(
                "Drill completion",
                Scale.PERCENT,
                (Series("Completion", completion),),
                target=targets.COMPLETION,
            ),
        ),
    )


def director_chart(
    teams: Sequence[tuple[str, Mapping[int, Sequence[RepWeek]]]], cycles: Sequence[str]
) -> Chart:
    """A director's managers (name, their reps' weeks): each one's coverage by week."""
    series = tuple(
        Series(name, tuple(_percent(metrics.coverage(_team_at(team, c))) for c in cycles))
        for name, team in teams
    )
    return Chart(
        ChartKind.DIRECTOR,
        "Coverage by manager, last 8 weeks",
        tuple(cycles),
        (Panel("Coverage (1:1s held)", Scale.PERCENT, series),),
    )
