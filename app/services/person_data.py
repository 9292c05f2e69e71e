"""Everything coach holds about one person, as JSON (GDPR Art. 15 and 20): `/drill export`
(the person's own) and `/coach export @person` or `coach person export` (an admin's).

What is in it: their profile and team (manager, the team's schedule), pauses, the deals they
shared, the diagnoses, 1:1 records and commitments, coaching notes and reviews about them,
their drills and recordings, the scores and ratings, the system gaps taken on for them, what
they wrote to coach, the messages coach sent them, the calls and CRM deals read for them and
the audit entries about them. Notes about a rep are the rep's personal data.

The person's own export leaves out only their coaches' working notes: a manager's private
notes of a 1:1 and a director's note reviewing it. An admin's export (the answer to a formal
request, after whatever review the organisation does) includes them. Other people appear by
Slack id only, as the authors of what is about this person.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from app.db.base import Base
from app.db.crm_tables import CrmDealRow
from app.db.models import (
    AuditLog,
    CoachingNote,
    CoachingReview,
    DealProgress,
    Delivery,
    Diagnosis,
    DirectMessage,
    DrillReport,
    Helpfulness,
    ManagerAction,
    OneOnOne,
    Pause,
    Person,
    RubricRating,
    Submission,
    TransferScore,
)
from app.db.recorder_tables import RecordedCall
from app.db.store import Store
from app.rules.exports import AuditAction
from app.rules.refusals import Refusal, UserError
from app.rules.types import WEEKDAY_NAMES
from app.services import team_schedules
from app.services.exports import audit
from app.services.people import Actor, require_admin
from app.services.team_schedules import LEADS

FORMAT = 1  # the JSON's version
COACHES_NOTES = {OneOnOne: ("private_notes",), CoachingReview: ("note",)}
# Columns naming another person (shown as their Slack id).
PEOPLE = ("author_id", "manager_id", "reviewer_id", "owner_id", "set_by", "resolved_by")
PEOPLE_AUDITED = ("actor_id", "subject_id")
NEVER = ("person_id", "workspace_id", "fence", "claimed_by", "lease_until")  # plumbing


@dataclass(frozen=True)
class PersonExport:
    slack_user_id: str
    full: bool  # an admin's: coaches' working notes included
    data: dict[str, Any]

    @property
    def filename(self) -> str:
        return f"coach-data-{self.slack_user_id}.json"

    @property
    def json(self) -> str:
        return json.dumps(self.data, indent=2, ensure_ascii=False, sort_keys=False)


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _fields(row: Base, names: dict[int, str], full: bool) -> dict[str, Any]:
    """A row's columns as JSON values; people's ids as Slack ids."""
    left_out = (*NEVER, *(() if full else COACHES_NOTES.get(type(row), ())))
    found: dict[str, Any] = {}
    for column in row.__table__.columns:
        if column.key in left_out or column.key == "id":
            continue
        value = getattr(row, column.key)
        if column.foreign_keys and any(
            fk.column.table.name == "person" for fk in column.foreign_keys
        ):
            value = names.get(value) if value is not None else None
        found[column.key] = _value(value)
    return found


async def _rows(store: Store, model: Any, *where: Any) -> Sequence[Any]:
    query = select(model).where(*where).order_by(model.id)
    return (await store.session.scalars(query)).all()


async def _collect(store: Store, person: Person, full: bool) -> dict[str, Any]:
    pid = person.id
    about: dict[str, Sequence[Any]] = {}
    for key, model in (
        ("pauses", Pause),
        ("deals_submitted", Submission),
        ("diagnoses", Diagnosis),
        ("one_on_ones", OneOnOne),
        ("coaching_notes", CoachingNote),
        ("coaching_reviews", CoachingReview),
        ("drill_recordings", DrillReport),
        ("transfer_scores", TransferScore),
        ("helpfulness_ratings", Helpfulness),
        ("deal_progress", DealProgress),
        ("rubric_ratings", RubricRating),
        ("manager_actions", ManagerAction),
        ("messages_to_coach", DirectMessage),
        ("messages_from_coach", Delivery),
        ("recorded_calls", RecordedCall),
        ("crm_deals", CrmDealRow),
    ):
        about[key] = await _rows(store, model, model.person_id == pid)
    about["audit_entries"] = await _rows(
        store, AuditLog, or_(AuditLog.subject_id == pid, AuditLog.actor_id == pid)
    )
    ids: set[int] = {pid} | ({person.manager_id} if person.manager_id else set())
    for rows in about.values():
        for row in rows:
            named = (getattr(row, key, None) for key in (*PEOPLE, *PEOPLE_AUDITED))
            ids |= {v for v in named if v is not None}
    names = {p.id: p.slack_user_id for p in await store.people_by_ids(ids)}
    manager = await store.person_by_id(person.manager_id) if person.manager_id else None
    data: dict[str, Any] = {
        "format": FORMAT,
        "coaches_notes_included": full,
        "person": _fields(person, names, full),
        "team": {
            "manager": manager.slack_user_id if manager else None,
            "schedule": await _schedule(store, person, manager),
        },
    }
    data.update({key: [_fields(r, names, full) for r in rows] for key, rows in about.items()})
    return data


async def _schedule(store: Store, person: Person, manager: Person | None) -> dict[str, str]:
    """When the weekly steps reach this person's team (their own team's, if they lead one)."""
    lead = person if person.role in LEADS else manager
    team = await team_schedules.team_schedule(store, person.workspace_id, lead)
    return {
        step.value: f"{WEEKDAY_NAMES[at.weekday]} {at.at:%H:%M}"
        for step, at in team.schedule.items()
    }


async def own_data(store: Store, actor: Actor, now: datetime) -> PersonExport:
    """`/drill export`: the asker's own data (without their coaches' working notes)."""
    me = actor.require_person()
    found = PersonExport(me.slack_user_id, False, await _collect(store, me, full=False))
    audit(store, me.workspace_id, AuditAction.EXPORT_PERSON, now, me, me)
    return found


async def data_of(store: Store, actor: Actor, slack_user_id: str, now: datetime) -> PersonExport:
    """`/coach export @person`: an admin's export of someone, coaches' notes included."""
    await require_admin(store, actor, Refusal.ADMIN_ONLY_EXPORT)
    person = await store.person(actor.workspace.id, slack_user_id)
    if person is None:
        raise UserError(Refusal.NOT_ON_ROSTER_TO_EXPORT, person=slack_user_id)
    found = await full_data(store, person)
    audit(store, person.workspace_id, AuditAction.EXPORT_PERSON, now, actor.person, person)
    return found


async def full_data(store: Store, person: Person) -> PersonExport:
    """Everything, coaches' notes included (the admin's and the command line's)."""
    return PersonExport(person.slack_user_id, True, await _collect(store, person, full=True))
