"""What a person's trend charts show for a week (app/rules/trends.py): a rep's own last
8 weeks, a manager's team, a director's managers — the same weekly records as their digest."""

from __future__ import annotations

from app.db.models import ChartImage as ChartRow
from app.db.models import Person
from app.db.store import Store
from app.rules import trends
from app.rules.trends import CHART_WEEKS, Chart, ChartImage, ChartKind
from app.rules.types import Role
from app.services.rubric import rubric_of
from app.services.scorecard_data import cycles_back, rep_weeks, team_reps


def image_of(row: ChartRow) -> ChartImage:
    """A kept chart, as messages and Homes show it."""
    return ChartImage(ChartKind(row.kind), row.cycle_week, row.file_id, row.title, row.alt_text)


async def latest_charts(store: Store, person_id: int, cycle: str) -> tuple[ChartImage, ...]:
    """The charts drawn for this person's latest digest up to `cycle` (drawn once, reused)."""
    return tuple(image_of(row) for row in await store.latest_charts(person_id, cycle))


def _name(person: Person) -> str:
    return person.display_name or person.slack_user_id


async def charts_for(store: Store, person: Person, cycle: str) -> list[Chart]:
    """The charts `person` gets for the 8 weeks ending with `cycle` (none: nothing to show)."""
    cycles = cycles_back(cycle, CHART_WEEKS)
    charts: list[Chart] = []
    if person.role is Role.REP:
        weeks = (await rep_weeks(store, [person], cycles))[person.id]
        names = {c.key: c.name for c in await rubric_of(store, person.workspace_id)}
        charts.append(trends.rep_chart(weeks, cycles, names))
    # The same people as the digest's team table and coverage (app/services/digests.py).
    reports = await store.reports_of([person.id])
    if any(p.role is Role.REP and p.active for p in reports):
        reps = await team_reps(store, person)
        weeks_by_rep = await rep_weeks(store, reps, cycles)
        charts.append(trends.team_chart(weeks_by_rep, cycles))
    managers = [p for p in reports if p.role is not Role.REP]
    if managers:
        their_reps = [
            p for p in await store.reports_of([m.id for m in managers]) if p.role is Role.REP
        ]
        weeks_by_rep = await rep_weeks(store, their_reps, cycles)
        teams = [
            (_name(m), {r.id: weeks_by_rep[r.id] for r in their_reps if r.manager_id == m.id})
            for m in managers
        ]
        charts.append(trends.director_chart(teams, cycles))
    return [chart for chart in charts if not chart.empty]
