"""`coach person erase SLACK_ID`: erase a person's personal data, in the caller's one
transaction, keeping their team's figures honest.

Removed or blanked: every text they wrote or that was written about them (deal names and
links, diagnoses' evidence and words, 1:1 notes, commitments and private notes, coaching
notes, review notes, recording links and notes, system gaps taken on for them, what they
wrote to coach, recorded calls, CRM deal names and links, who they are in Gong and the CRM),
their Slack id, name and email. Kept, anonymous: the person row (as "erased-<n>", inactive)
and the facts each week's figures are made of (a 1:1 held, the drill assigned and how many
recordings, the gap and focus competency, scores, ratings, deals moved, pauses), so their
team's coverage and completion stay as they were. Pending messages to them are cancelled.
Notes a coach wrote about someone else stay: they are that other person's record. Their
trend charts, and charts that name them, are dropped (the pictures already posted in Slack
stay in those messages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from app.db.crm_tables import CrmDealRow, CrmPerson
from app.db.models import (
    ChartImage,
    CoachingNote,
    CoachingReview,
    Delivery,
    Diagnosis,
    DirectMessage,
    DrillReport,
    ManagerAction,
    OneOnOne,
    Person,
    Submission,
)
from app.db.recorder_tables import RecordedCall, RecorderPerson
from app.db.store import Store
from app.rules.exports import AuditAction
from app.rules.types import DeliveryStatus
from app.services.exports import audit

ERASED_PREFIX = "erased-"


class NothingToErase(Exception):
    """Nobody with that Slack id: never on the roster, or already erased."""


class StillLeads(Exception):
    """People still report to them: move those first, so no team is left without a lead."""

    def __init__(self, reports: list[str]) -> None:
        super().__init__(", ".join(reports))
        self.reports = reports


@dataclass(frozen=True)
class Erased:
    person_id: int
    anonymous_id: str  # what the person row is called now


async def erase_person(
    store: Store, workspace_id: int, slack_user_id: str, now: datetime, actor: Person | None
) -> Erased:
    person = await store.person(workspace_id, slack_user_id)
    if person is None or person.erased_at is not None:
        raise NothingToErase(slack_user_id)
    reports = await store.reports_of([person.id])
    if reports:
        raise StillLeads([r.slack_user_id for r in reports])
    pid = person.id
    session = store.session
    for submission in await session.scalars(select(Submission).where(Submission.person_id == pid)):
        submission.deals = [{} for _ in submission.deals]  # how many were shared, nothing else
        submission.updated_at = now
    await session.execute(
        update(Diagnosis)
        .where(Diagnosis.person_id == pid)
        .values(
            answers={},
            evidence_url=None,
            evidence_moment=None,
            evidence_quote=None,
            did=None,
            good_looks_like=None,
            manager_action=None,
            updated_at=now,
        )
    )
    await session.execute(
        update(OneOnOne)
        .where(OneOnOne.person_id == pid)
        .values(
            goal=None,
            reality=None,
            options=[],
            commitment=None,
            accountability=None,
            obstacles=None,
            follow_up_on=None,
            follow_up_check=None,
            measurement=None,
            private_notes=None,
            updated_at=now,
        )
    )
    await session.execute(
        update(CoachingReview)
        .where(
            or_(
                CoachingReview.person_id == pid,
                CoachingReview.manager_id == pid,
                CoachingReview.reviewer_id == pid,
            )
        )
        .values(note=None, updated_at=now)
    )
    await session.execute(
        update(CoachingNote).where(CoachingNote.person_id == pid).values(parts={})
    )
    for report in await session.scalars(select(DrillReport).where(DrillReport.person_id == pid)):
        report.url = f"erased:{report.id}"  # unique per rep and week, as the links were
        report.note = None
    # Their own trend charts, and any chart naming them (a director's line per manager): the
    # pictures stay in the Slack messages already sent, but coach shows them no more.
    naming = [ChartImage.person_id == pid]
    if person.display_name:
        naming.append(ChartImage.alt_text.contains(person.display_name, autoescape=True))
    colleagues = select(Person.id).where(Person.workspace_id == workspace_id)
    await session.execute(
        delete(ChartImage).where(or_(*naming), ChartImage.person_id.in_(colleagues))
    )
    for model in (ManagerAction, DirectMessage, RecordedCall, RecorderPerson, CrmPerson):
        await session.execute(delete(model).where(model.person_id == pid))
    await session.execute(
        update(CrmDealRow).where(CrmDealRow.person_id == pid).values(name="", url="")
    )
    await session.execute(
        update(Delivery)
        .where(
            Delivery.person_id == pid,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        )
        .values(status=DeliveryStatus.CANCELLED)
    )
    await session.execute(
        update(Delivery)
        .where(Delivery.person_id == pid)
        .values(channel_id=None, message_ts=None, error=None, claimed_by=None, lease_until=None)
    )
    person.slack_user_id = f"{ERASED_PREFIX}{pid}"
    person.email = None
    person.display_name = None
    person.profile_error = None
    person.paused_until = None
    person.active = False
    person.erased_at = now
    person.updated_at = now
    audit(store, workspace_id, AuditAction.ERASE, now, actor, person)
    await store.flush()
    return Erased(pid, person.slack_user_id)
