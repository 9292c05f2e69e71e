"""Tuesday: the manager diagnoses one gap per rep, with the focus it carries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from app.db.models import Diagnosis, Person
from app.db.store import Store
from app.rules import drills
from app.rules.call_stats import Call
from app.rules.diagnosis import TREE, proposed_gap
from app.rules.evidence import BadInput, Deal, check_moment, check_url
from app.rules.form_fields import DiagnosisField
from app.rules.refusals import FieldErrors, Refusal
from app.rules.types import Gap
from app.services import access, call_evidence, escalations
from app.services.people import Actor

RUBRIC_LEVELS = ("1", "2", "3", "4")


def focus_of(history: Sequence[Diagnosis]) -> tuple[str | None, int]:
    """The current focus skill and for how many consecutive diagnosed weeks it has held
    (`history` newest first)."""
    if not history:
        return None, 0
    focus = history[0].focus_skill
    weeks = 0
    for diagnosis in history:
        if diagnosis.focus_skill.strip().lower() != focus.strip().lower():
            break
        weeks += 1
    return focus, weeks


@dataclass(frozen=True)
class DiagnosisForm:
    """What the diagnosis modal starts from."""

    rep: Person
    deals: list[Deal]
    existing: Diagnosis | None
    next_focus: str | None  # suggested when moving the rep on after a transfer of 4+
    calls: tuple[Call, ...] = ()  # the rep's recorded calls of the week, to pick evidence from


async def diagnosis_form(
    store: Store,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    *,
    moving_on: bool,
    default_tz: str = "UTC",
) -> DiagnosisForm:
    rep, _ = await access.coached_rep(store, actor, rep_slack_user_id)
    submission = (await store.submissions([rep.id], cycle)).get(rep.id)
    existing = (await store.diagnoses([rep.id], cycle)).get(rep.id)
    next_focus = None
    if moving_on:
        history = await store.diagnosis_history([rep.id], cycle)
        current, _ = focus_of(history.get(rep.id, []))
        next_focus = drills.next_competency(current)
    deals = [Deal.from_json(d) for d in submission.deals] if submission else []
    calls = await call_evidence.pickable_calls(store, rep, cycle, default_tz)
    return DiagnosisForm(rep, deals, existing, next_focus, calls)


@dataclass(frozen=True)
class DiagnosisInput:
    answers: dict[str, bool | None]
    gap_override: Gap | None
    focus_skill: str
    evidence_url: str = ""
    evidence_call: str = ""  # the id of a call picked from the recorder (untrusted)
    evidence_moment: str = ""
    evidence_quote: str = ""
    did: str = ""
    good_looks_like: str = ""
    manager_action: str = ""
    rubric_level: str = ""  # "1".."4" for the focus skill, or "" when not scored


def check_diagnosis(form: DiagnosisInput) -> dict[str, object]:
    """The values to store, or FieldErrors keyed by field name."""
    errors: dict[str, Refusal] = {}
    gap = form.gap_override or proposed_gap(form.answers)
    if gap is None:
        first_open = next(q for q in TREE if form.answers.get(q.key) is None)
        errors[first_open.key] = Refusal.ANSWER_OR_PICK_GAP
    if not form.focus_skill.strip():
        errors[DiagnosisField.FOCUS_SKILL] = Refusal.PICK_FOCUS_SKILL
    url = None
    if form.evidence_url.strip():
        try:
            url = check_url(form.evidence_url)
        except BadInput as exc:
            errors[DiagnosisField.EVIDENCE_URL] = exc.reason
    elif gap is not Gap.SYSTEM:
        errors[DiagnosisField.EVIDENCE_URL] = Refusal.NO_EVIDENCE
    try:
        moment = check_moment(form.evidence_moment)
    except BadInput as exc:
        errors[DiagnosisField.EVIDENCE_MOMENT] = exc.reason
        moment = None
    if gap is Gap.SYSTEM and not form.manager_action.strip():
        errors[DiagnosisField.MANAGER_ACTION] = Refusal.SYSTEM_GAP_NEEDS_ACTION
    level = form.rubric_level.strip()
    if level and level not in RUBRIC_LEVELS:
        errors[DiagnosisField.RUBRIC_LEVEL] = Refusal.PICK_RUBRIC_LEVEL
    if errors:
        raise FieldErrors(errors)
    assert gap is not None
    return {
        "answers": {q.key: form.answers.get(q.key) for q in TREE},
        "gap": gap,
        "focus_skill": form.focus_skill.strip()[:120],
        "evidence_url": url,
        "evidence_moment": moment,
        "evidence_quote": form.evidence_quote.strip() or None,
        "did": form.did.strip() or None,
        "good_looks_like": form.good_looks_like.strip() or None,
        "manager_action": form.manager_action.strip() or None,
        "rubric_level": int(level) if level else None,
    }


async def with_picked_call(store: Store, rep: Person, form: DiagnosisInput) -> DiagnosisInput:
    """The form with a picked call's link as its evidence, when no clip is pasted; a pick
    that is not one of the rep's own calls is refused under its field."""
    link = await call_evidence.evidence_link(store, rep, form.evidence_url, form.evidence_call)
    if link is None:
        raise FieldErrors({DiagnosisField.EVIDENCE_CALL: Refusal.PICK_A_LISTED_CALL})
    return replace(form, evidence_url=link)


async def diagnose(
    store: Store,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    form: DiagnosisInput,
    now: datetime,
) -> Diagnosis:
    rep, me = await access.coached_rep(store, actor, rep_slack_user_id)
    values = check_diagnosis(await with_picked_call(store, rep, form))
    saved = await store.save_diagnosis(rep.id, cycle, {**values, "author_id": me.id}, now)
    await escalations.follow_diagnosis(
        store, rep, me, cycle, Gap(saved.gap), saved.manager_action, now
    )
    return saved
