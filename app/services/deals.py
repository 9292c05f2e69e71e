"""Monday: the rep's top deals of last week, each with the clip of its key moment, and
"remind me later"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.db.ledger import Ledger
from app.db.models import Person, Submission
from app.db.store import Store
from app.rules import calendar
from app.rules.evidence import MAX_DEALS, BadInput, Deal, check_moment, check_url
from app.rules.form_fields import DealField, deal_field
from app.rules.refusals import FieldErrors, NotAllowed, Refusal, UserError
from app.rules.types import Step
from app.services import access, call_evidence
from app.services.local_week import rep_cycle
from app.services.people import Actor
from app.services.week_plan import plan_once, zone
from app.services.work_calendars import calendar_of, hours_of

SNOOZE = timedelta(hours=2)


@dataclass(frozen=True)
class DealDraft:
    """One deal as typed in the modal, before validation."""

    name: str = ""
    stage: str = ""
    clip_url: str = ""
    moment: str = ""
    happened: str = ""
    call: str = ""  # the id of a call picked from the recorder (untrusted until checked)
    crm: str = ""  # the id of a CRM deal picked (untrusted until checked)
    stage_id: str = ""  # the picked deal's stage in the CRM (set here, never from the form)

    @property
    def empty(self) -> bool:
        typed = (self.name, self.stage, self.clip_url, self.moment, self.happened, self.crm)
        return not any(v.strip() for v in typed)


@dataclass(frozen=True)
class PickableDeal:
    """One of the rep's open CRM deals, as Monday's form offers it."""

    crm_id: str
    name: str
    stage: str
    amount: Decimal | None
    currency: str | None
    close_date: date | None


async def open_deals_of(store: Store, reps: Sequence[Person]) -> dict[int, list[PickableDeal]]:
    """Each rep's open deals in the CRM, most recently changed first (none without a CRM):
    two statements for any number of reps of one workspace."""
    found = await store.open_crm_deals([r.id for r in reps])
    if not found:
        return {}
    workspace_id = reps[0].workspace_id
    labels = {(s.pipeline, s.stage_id): s.label for s in await store.crm_stages(workspace_id)}
    return {
        person_id: [
            PickableDeal(
                d.crm_id,
                d.name,
                labels.get((d.pipeline, d.stage_id), d.stage_id),
                d.amount,
                d.currency,
                d.close_date,
            )
            for d in deals
        ]
        for person_id, deals in found.items()
    }


async def pickable_deals(store: Store, rep: Person) -> list[PickableDeal]:
    """The rep's open deals in the CRM, most recently changed first (none without a CRM)."""
    return (await open_deals_of(store, [rep])).get(rep.id, [])


async def with_picked_deals(store: Store, rep: Person, drafts: list[DealDraft]) -> list[DealDraft]:
    """Each deal picked from the CRM takes its name and stage (what the rep typed wins); a
    pick that is not one of the rep's own open deals is refused under its field."""
    errors: dict[str, Refusal] = {}
    picked = await store.crm_deals(rep.workspace_id, [d.crm for d in drafts if d.crm])
    offered = {d.crm_id: d for d in await pickable_deals(store, rep)} if picked else {}
    resolved = []
    for n, draft in enumerate(drafts, start=1):
        if not draft.crm:
            resolved.append(draft)
            continue
        row, shown = picked.get(draft.crm), offered.get(draft.crm)
        if row is None or shown is None or row.person_id != rep.id:
            errors[deal_field(n, DealField.CRM)] = Refusal.PICK_A_LISTED_DEAL
            resolved.append(draft)
            continue
        resolved.append(
            replace(
                draft,
                name=draft.name.strip() or row.name,
                stage=draft.stage.strip() or shown.stage[:40],
                stage_id=row.stage_id,
            )
        )
    if errors:
        raise FieldErrors(errors)
    return resolved


async def with_picked_calls(store: Store, rep: Person, drafts: list[DealDraft]) -> list[DealDraft]:
    """Each deal with a picked call and no pasted link takes the call's link (a pasted link
    wins: it may point at the very moment). A pick that is not one of the rep's own calls
    is refused under its field."""
    errors: dict[str, Refusal] = {}
    resolved = []
    for n, draft in enumerate(drafts, start=1):
        link = await call_evidence.evidence_link(store, rep, draft.clip_url, draft.call)
        if link is None:
            errors[deal_field(n, DealField.CALL)] = Refusal.PICK_A_LISTED_CALL
        resolved.append(replace(draft, clip_url=link or draft.clip_url))
    if errors:
        raise FieldErrors(errors)
    return resolved


def check_deals(drafts: list[DealDraft]) -> list[Deal]:
    """Validated deals, or FieldErrors keyed `deal{n}_{field}` (n from 1)."""
    errors: dict[str, Refusal] = {}
    deals = []
    for n, draft in enumerate(drafts[:MAX_DEALS], start=1):
        if draft.empty:
            continue
        if not draft.name.strip():
            errors[deal_field(n, DealField.NAME)] = Refusal.NAME_THE_DEAL
        try:
            url = check_url(draft.clip_url)
        except BadInput as exc:
            errors[deal_field(n, DealField.CLIP_URL)] = exc.reason
            url = ""
        try:
            moment = check_moment(draft.moment)
        except BadInput as exc:
            errors[deal_field(n, DealField.MOMENT)] = exc.reason
            moment = None
        deals.append(
            Deal(
                name=draft.name.strip()[:120],
                clip_url=url,
                stage=draft.stage.strip() or None,
                moment=moment,
                happened=draft.happened.strip() or None,
                crm_id=draft.crm or None,
                stage_id=draft.stage_id or None,
            )
        )
    if not deals and not errors:
        errors[deal_field(1, DealField.NAME)] = Refusal.ADD_A_DEAL
    if errors:
        raise FieldErrors(errors)
    return deals


def open_for_answers(rep: Person, cycle: str, now: datetime, default_tz: str) -> bool:
    """Deals can be shared or edited for this week and, late, for last week: never other weeks."""
    this_cycle = rep_cycle(rep, now, default_tz)
    return cycle in (this_cycle, calendar.previous_cycle(this_cycle))


async def record_deals(
    store: Store,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    deals: list[Deal],
    source: str,
    now: datetime,
    default_tz: str,
) -> Submission:
    """Store (or replace) the rep's deals for a cycle. Editing and late answers always work."""
    rep = access.require_rep(actor)
    if rep.slack_user_id != rep_slack_user_id:
        raise NotAllowed(Refusal.NOT_YOUR_FORM)
    if not open_for_answers(rep, cycle, now, default_tz):
        raise UserError(Refusal.WEEK_CLOSED)
    if not deals:
        raise UserError(Refusal.NO_DEAL_LINK_FOUND)
    return await store.save_submission(
        rep.id, cycle, [d.as_json() for d in deals[:MAX_DEALS]], source, now
    )


async def snooze_prompt(
    store: Store, ledger: Ledger, rep: Person, cycle: str, now: datetime, default_tz: str
) -> datetime:
    """Ask again in two hours (once per cycle: a second click changes nothing), or, when
    that is past the rep's working hours, at the start of their next working day."""
    work = await calendar_of(store, rep)
    at = calendar.within_hours(now + SNOOZE, hours_of(rep), work, zone(rep.tz, default_tz))
    await plan_once(ledger, rep, Step.PROMPT_AGAIN, cycle, at, now)
    existing = await ledger.find(rep.id, Step.PROMPT_AGAIN, cycle)
    return existing.due_at if existing is not None else at
