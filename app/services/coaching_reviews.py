"""Coaching the coaches: a director reviews a 1:1 one of their managers logged, with the
checklist (app.rules.coaching_review) and a note; the manager gets it by DM, once; the
director sees, per manager, which recent 1:1s wait for a review and the checklist's trend.

Who may review is `access.reviewing`; what the review shows of the record is what
`one_on_ones.notes_for` would show the same director.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.db.ledger import Ledger
from app.db.models import CoachingReview, Person
from app.db.store import Store
from app.rules import coaching_review
from app.rules.coaching_review import Check, RecordFacts
from app.rules.metrics import Ratio
from app.rules.refusals import FieldErrors
from app.rules.types import Gap, Role, Step
from app.services import access
from app.services.one_on_ones import NotesShown, shown_to_coach
from app.services.people import Actor
from app.services.week_plan import plan_once

REVIEW_WEEKS = 2  # the Home lists the 1:1s of this week and last to review


@dataclass(frozen=True)
class ReviewInput:
    ticked: frozenset[str]  # checklist keys as submitted (untrusted until checked)
    note: str


@dataclass(frozen=True)
class ReviewForm:
    """What the review modal starts from: the record as this director may see it, the
    week's diagnosis, and the checklist as saved (or as coach pre-ticks it)."""

    rep: str
    cycle: str
    manager: str
    notes: NotesShown
    gap: Gap | None
    focus_skill: str | None
    evidence_url: str | None
    pre_ticked: frozenset[Check]
    ticked: frozenset[Check]
    note: str | None
    saved: bool  # a review exists: saving edits it


async def review_form(store: Store, actor: Actor, rep_slack_user_id: str, cycle: str) -> ReviewForm:
    it = await access.reviewing(store, actor, rep_slack_user_id, cycle)
    record = it.record
    diagnosis = (await store.diagnoses([it.rep.id], cycle)).get(it.rep.id)
    facts = RecordFacts(
        focus_skill=diagnosis.focus_skill if diagnosis else None,
        evidence_url=diagnosis.evidence_url if diagnosis else None,
        commitment=record.commitment,
        accountability=record.accountability,
        follow_up_on=record.follow_up_on,
    )
    pre = coaching_review.pre_ticked(facts)
    saved = (await store.coaching_reviews_of([record.id])).get(record.id)
    return ReviewForm(
        rep=it.rep.slack_user_id,
        cycle=cycle,
        manager=it.manager.slack_user_id,
        notes=await shown_to_coach(store, it.director, it.rep.slack_user_id, cycle, record),
        gap=Gap(diagnosis.gap) if diagnosis else None,
        focus_skill=facts.focus_skill,
        evidence_url=facts.evidence_url,
        pre_ticked=pre,
        ticked=frozenset(coaching_review.in_order(saved.ticked)) if saved else pre,
        note=saved.note if saved else None,
        saved=saved is not None,
    )


@dataclass(frozen=True)
class SavedReview:
    manager: Person  # who logged the 1:1, and gets the review
    rep: str
    cycle: str
    ticked: int
    created: bool  # False: an edit (the manager had it by DM already)


async def save_review(
    store: Store,
    ledger: Ledger,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    form: ReviewInput,
    now: datetime,
) -> SavedReview:
    """Save the director's review; the first save plans the manager's DM through the ledger
    (once per review, however often it is saved or by how many replicas). Refused or wrong:
    nothing is stored."""
    it = await access.reviewing(store, actor, rep_slack_user_id, cycle)
    errors = coaching_review.check_review(form.ticked, form.note)
    if errors:
        raise FieldErrors(errors)
    ticked = [check.value for check in coaching_review.in_order(form.ticked)]
    review, created = await store.save_coaching_review(
        it.record, it.manager.id, it.director.id, ticked, form.note.strip() or None, now
    )
    if created:
        await plan_once(
            ledger, it.manager, Step.COACHING_REVIEW, cycle, now, now, subject_id=review.id
        )
    return SavedReview(it.manager, it.rep.slack_user_id, cycle, len(ticked), created)


@dataclass(frozen=True)
class ReviewMessage:
    """The manager's DM: who reviewed which 1:1, what was ticked and not, and the note."""

    manager: str
    director: str | None
    rep: str
    cycle: str
    ticked: tuple[Check, ...]
    missed: tuple[Check, ...]
    note: str | None


async def review_message(store: Store, manager: Person, review_id: int) -> ReviewMessage | None:
    """The review as it stands when its DM is sent (None: gone, or not this manager's)."""
    review = await store.coaching_review_by_id(review_id)
    if review is None or review.manager_id != manager.id:
        return None
    people = {
        p.id: p for p in await store.people_by_ids([review.person_id, review.reviewer_id or 0])
    }
    rep = people.get(review.person_id)
    if rep is None:
        return None
    director = people.get(review.reviewer_id) if review.reviewer_id else None
    ticked = tuple(coaching_review.in_order(review.ticked))
    return ReviewMessage(
        manager=manager.slack_user_id,
        director=director.slack_user_id if director else None,
        rep=rep.slack_user_id,
        cycle=review.cycle_week,
        ticked=ticked,
        missed=tuple(c for c in coaching_review.CHECKLIST if c not in ticked),
        note=review.note,
    )


# --- the director's view ------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewable:
    """A held 1:1 a manager logged, on the director's Home."""

    rep: str
    cycle: str
    ticked: int | None  # None: not reviewed yet


def _by_cycle(reviews: Sequence[CoachingReview]) -> dict[int, dict[str, list[list[str]]]]:
    found: dict[int, dict[str, list[list[str]]]] = {}
    for review in reviews:
        if review.manager_id is not None:
            weeks = found.setdefault(review.manager_id, {})
            weeks.setdefault(review.cycle_week, []).append(review.ticked)
    return found


async def checklist_trends(
    store: Store, managers: Sequence[Person], cycles: Sequence[str]
) -> dict[int, list[tuple[str, Ratio]]]:
    """Each manager's checklist figure per week of `cycles` (oldest first; one query)."""
    reviews = await store.reviews_of_managers([m.id for m in managers], cycles[0], cycles[-1])
    by_manager = _by_cycle(reviews)
    return {
        m.id: coaching_review.checklist_trend(by_manager.get(m.id, {}), cycles) for m in managers
    }


async def to_review(
    store: Store, director: Person, managers: Sequence[Person], cycles: Sequence[str]
) -> dict[int, list[Reviewable]]:
    """Per manager, the held 1:1s they logged in `cycles` that this director may review
    (the rep is still coached by them), not reviewed first, then the newest week first."""
    records = await store.held_one_on_ones_by([m.id for m in managers], cycles[0], cycles[-1])
    reps = {p.id: p for p in await store.people_by_ids({r.person_id for r in records})}
    teams = {m.id for m in managers} | {director.id}
    reviews = await store.coaching_reviews_of([r.id for r in records])
    listed: dict[int, list[Reviewable]] = {}
    for record in records:
        rep = reps.get(record.person_id)
        if rep is None or not rep.active or rep.role is not Role.REP:
            continue
        if rep.manager_id not in teams or record.author_id is None:
            continue
        review = reviews.get(record.id)
        ticked = len(coaching_review.in_order(review.ticked)) if review else None
        listed.setdefault(record.author_id, []).append(
            Reviewable(rep.slack_user_id, record.cycle_week, ticked)
        )
    return {
        manager: sorted(items, key=lambda r: r.ticked is not None)
        for manager, items in listed.items()
    }
