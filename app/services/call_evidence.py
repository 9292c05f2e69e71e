"""Evidence from the call recorder, as stored by the sync: a rep's calls of the week a cycle
coaches, the week's numbers against their own four weeks before and the team's, and the
leading indicator of their focus. Reads only: nothing here waits on the recorder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.db.models import Person
from app.db.recorder_tables import RecordedCall
from app.db.store import Store
from app.rules.call_stats import (
    RECENT_CALLS,
    Call,
    CallNumbers,
    Stat,
    Trend,
    Window,
    average,
    earlier_weeks,
    evidence_week,
    indicator_for,
    trend,
)
from app.rules.types import ConnectionStatus
from app.services.week_plan import zone


@dataclass(frozen=True)
class RepEvidence:
    week: Window  # the week the calls are from
    calls: tuple[Call, ...]  # that week's calls, newest first
    numbers: CallNumbers  # that week's averages
    earlier: tuple[CallNumbers, ...]  # the weeks before, newest first

    @property
    def recent(self) -> tuple[Call, ...]:
        return self.calls[:RECENT_CALLS]

    @property
    def own_average(self) -> CallNumbers:
        return average(week for week in self.earlier if not week.empty)

    def trend(self, stat: Stat) -> Trend:
        return trend(stat, self.numbers, self.earlier)


@dataclass(frozen=True)
class TeamEvidence:
    reps: dict[int, RepEvidence]  # by person id: only reps the recorder knows
    team: CallNumbers  # the week's averages over every call of the team


@dataclass(frozen=True)
class Indicator:
    """The one number that shows whether the focus behaviour changed."""

    focus: str | None
    trend: Trend


def as_call(row: RecordedCall, tz: ZoneInfo | None = None) -> Call:
    """A stored call; with `tz`, its start in that zone (the rep's: their day, as they lived
    it)."""
    return Call(
        id=row.id,
        url=row.url,
        title=row.title,
        started_at=row.started_at.astimezone(tz) if tz else row.started_at,
        duration_s=row.duration_s,
        numbers=CallNumbers(
            talk_ratio=row.talk_ratio,
            longest_monologue_s=row.longest_monologue_s,
            interactivity=row.interactivity,
            patience_s=row.patience_s,
            question_rate=row.question_rate,
            buyers=float(row.buyers) if row.buyers is not None else None,
        ),
    )


async def read_through(
    store: Store, workspace_id: int, person_ids: Sequence[int]
) -> dict[int, datetime] | None:
    """For each of these people the recorder knows, how far their calls have been read;
    None when the workspace has no recorder (never had one, or its credentials are gone)."""
    connection = await store.recorder_connection(workspace_id)
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        return None
    people = await store.recorder_people(workspace_id, person_ids)
    return {
        pid: match.calls_read_through
        for pid, match in people.items()
        if match.recorder_user_id and match.calls_read_through is not None
    }


async def team_evidence(
    store: Store, workspace_id: int, reps: Sequence[Person], cycle: str, default_tz: str
) -> TeamEvidence | None:
    """The evidence of these reps for `cycle`, for each rep whose week has been read from the
    recorder (a week not read yet says nothing, rather than "no calls"); None without a
    recorder."""
    through = await read_through(store, workspace_id, [r.id for r in reps])
    if through is None:
        return None
    zones: dict[int, ZoneInfo] = {r.id: zone(r.tz, default_tz) for r in reps}
    spans = {
        r.id: (evidence_week(cycle, zones[r.id]), earlier_weeks(cycle, zones[r.id])) for r in reps
    }
    wanted = [r for r in reps if r.id in through and through[r.id] >= spans[r.id][0].end]
    if not wanted:
        return TeamEvidence({}, CallNumbers())
    start = min(spans[r.id][1][-1].start for r in wanted)
    end = max(spans[r.id][0].end for r in wanted)
    by_rep: dict[int, list[Call]] = {r.id: [] for r in wanted}
    for row in await store.recorded_calls(by_rep, start, end):
        by_rep[row.person_id].append(as_call(row, zones[row.person_id]))
    evidence = {}
    for rep in wanted:
        week, earlier = spans[rep.id]
        calls = by_rep[rep.id]
        this_week = tuple(c for c in calls if week.holds(c.started_at))
        evidence[rep.id] = RepEvidence(
            week=week,
            calls=this_week,
            numbers=average(c.numbers for c in this_week),
            earlier=tuple(
                average(c.numbers for c in calls if span.holds(c.started_at)) for span in earlier
            ),
        )
    team = average(c.numbers for e in evidence.values() for c in e.calls)
    return TeamEvidence(evidence, team)


async def rep_evidence(
    store: Store, rep: Person, cycle: str, default_tz: str
) -> RepEvidence | None:
    found = await team_evidence(store, rep.workspace_id, [rep], cycle, default_tz)
    return found.reps.get(rep.id) if found else None


def indicator(evidence: RepEvidence | None, focus: str | None) -> Indicator | None:
    """The focus's leading indicator for a rep with calls in or before the week shown."""
    if evidence is None:
        return None
    shown = indicator_for(focus)
    found = evidence.trend(shown)
    if found.this_week is None and found.baseline is None:
        return None
    return Indicator(focus, found)


async def pickable_calls(
    store: Store, rep: Person, cycle: str, default_tz: str
) -> tuple[Call, ...]:
    """The rep's calls to pick evidence from: the week the cycle coaches, newest first."""
    found = await rep_evidence(store, rep, cycle, default_tz)
    return found.calls if found else ()


async def evidence_link(store: Store, rep: Person, pasted: str, picked: str) -> str | None:
    """The link a form's evidence stands on: a pasted link wins (it may point at the very
    moment), else the picked call's; None when the pick is not one of the rep's own calls."""
    if pasted.strip() or not picked:
        return pasted
    call = await own_call(store, rep, picked)
    return call.url if call is not None else None


async def own_call(store: Store, rep: Person, picked: str) -> Call | None:
    """One of this rep's calls by the id a form sent (untrusted), or None."""
    if not (picked.isascii() and picked.isdecimal() and len(picked) <= 18):
        return None
    row = await store.recorded_call(int(picked), rep.id)
    return as_call(row) if row is not None else None


async def indicators(
    store: Store, workspace_id: int, reps: Sequence[Person], cycle: str, default_tz: str
) -> dict[int, Indicator]:
    """Each rep's leading indicator for `cycle` (the focus diagnosed by then), by person id;
    empty without a recorder."""
    evidence = await team_evidence(store, workspace_id, reps, cycle, default_tz)
    if evidence is None or not evidence.reps:
        return {}
    history = await store.diagnosis_history(list(evidence.reps), cycle)
    found = {}
    for person_id, rep_evidence_ in evidence.reps.items():
        past = history.get(person_id, [])
        shown = indicator(rep_evidence_, past[0].focus_skill if past else None)
        if shown is not None:
            found[person_id] = shown
    return found
