"""Tuesday: the manager diagnoses one gap per rep, with the focus it carries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from app.db.models import Diagnosis, Person
from app.db.store import Store
from app.rules import drills, focus
from app.rules import rubric as rubric_rules
from app.rules.call_stats import Call
from app.rules.diagnosis import TREE, proposed_gap
from app.rules.drills import Drill
from app.rules.evidence import BadInput, Deal, check_moment, check_url
from app.rules.focus import FocusAdvice, FocusRun
from app.rules.form_fields import DiagnosisField, rating_field
from app.rules.refusals import FieldErrors, Refusal
from app.rules.rubric import Competency
from app.rules.types import Gap
from app.services import access, call_evidence, escalations
from app.services.people import Actor
from app.services.rubric import rubric_of


@dataclass(frozen=True)
class DiagnosisForm:
    """What the diagnosis modal starts from."""

    rep: Person
    deals: list[Deal]
    existing: Diagnosis | None
    rubric: tuple[Competency, ...]
    levels: dict[str, int]  # this week's ratings if saved, else each competency's latest
    focus: str | None  # the competency the form starts on: carried, or the next one
    run: FocusRun  # the focus so far (before this week)
    advice: FocusAdvice
    moving_on: bool  # opened to move the rep on after a transfer of 4+
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
    rubric = await rubric_of(store, rep.workspace_id)
    history = (await store.diagnosis_history([rep.id], cycle)).get(rep.id, [])
    run = focus.current_run([d for d in history if d.cycle_week < cycle])
    scores = (await store.transfer_history([rep.id], cycle)).get(rep.id, {})
    advice = focus.advice(run, scores)
    if existing is not None:
        levels = (await store.ratings([rep.id], cycle, cycle)).get((rep.id, cycle), {})
    else:
        levels = await store.latest_ratings(rep.id, cycle)
    deals = [Deal.from_json(d) for d in submission.deals] if submission else []
    calls = await call_evidence.pickable_calls(store, rep, cycle, default_tz)
    return DiagnosisForm(
        rep,
        deals,
        existing,
        rubric,
        levels,
        starting_focus(rubric, run, advice, levels, moving_on=moving_on),
        run,
        advice,
        moving_on,
        calls,
    )


def starting_focus(
    rubric: tuple[Competency, ...],
    run: FocusRun,
    advice: FocusAdvice,
    levels: dict[str, int],
    *,
    moving_on: bool,
) -> str | None:
    """The focus a new diagnosis starts on: the one held, until it transfers (4+); then, or
    when the manager asks to move on, the next competency the rep isn't at 4 on."""
    named = rubric_rules.matching_name(rubric, run.name) if run.name else None
    current = run.key or (named.key if named else None)
    if moving_on or (current is not None and not advice.carry):
        return rubric_rules.next_competency(rubric, current, levels).key
    return current


@dataclass(frozen=True)
class DiagnosisInput:
    answers: dict[str, bool | None]
    gap_override: Gap | None
    focus: str  # the competency's key, as picked (untrusted)
    evidence_url: str = ""
    evidence_call: str = ""  # the id of a call picked from the recorder (untrusted)
    evidence_moment: str = ""
    evidence_quote: str = ""
    did: str = ""
    good_looks_like: str = ""
    manager_action: str = ""
    levels: dict[str, str] = field(default_factory=dict)  # competency key → "1".."4" or ""


@dataclass(frozen=True)
class CheckedDiagnosis:
    values: dict[str, object]  # the diagnosis row's columns
    levels: dict[str, int]  # competency key → level: the week's ratings


def check_diagnosis(form: DiagnosisInput, rubric: tuple[Competency, ...]) -> CheckedDiagnosis:
    """What to store, or FieldErrors keyed by field name."""
    errors: dict[str, Refusal] = {}
    gap = form.gap_override or proposed_gap(form.answers)
    if gap is None:
        first_open = next(q for q in TREE if form.answers.get(q.key) is None)
        errors[first_open.key] = Refusal.ANSWER_OR_PICK_GAP
    focus_skill = rubric_rules.find(rubric, form.focus)
    if focus_skill is None:
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
    levels: dict[str, int] = {}
    for competency in rubric:
        text = form.levels.get(competency.key, "").strip()
        level = rubric_rules.check_level(text)
        if text and level is None:
            errors[rating_field(competency.key)] = Refusal.PICK_RUBRIC_LEVEL
        elif level is not None:
            levels[competency.key] = level
    if focus_skill is not None and focus_skill.key not in levels:
        errors.setdefault(rating_field(focus_skill.key), Refusal.RATE_THE_FOCUS)
    if errors:
        raise FieldErrors(errors)
    assert gap is not None and focus_skill is not None
    values: dict[str, object] = {
        "answers": {q.key: form.answers.get(q.key) for q in TREE},
        "gap": gap,
        "focus_skill": focus_skill.name,
        "focus_key": focus_skill.key,
        "evidence_url": url,
        "evidence_moment": moment,
        "evidence_quote": form.evidence_quote.strip() or None,
        "did": form.did.strip() or None,
        "good_looks_like": form.good_looks_like.strip() or None,
        "manager_action": form.manager_action.strip() or None,
    }
    return CheckedDiagnosis(values, levels)


async def with_picked_call(store: Store, rep: Person, form: DiagnosisInput) -> DiagnosisInput:
    """The form with a picked call's link as its evidence, when no clip is pasted; a pick
    that is not one of the rep's own calls is refused under its field."""
    link = await call_evidence.evidence_link(store, rep, form.evidence_url, form.evidence_call)
    if link is None:
        raise FieldErrors({DiagnosisField.EVIDENCE_CALL: Refusal.PICK_A_LISTED_CALL})
    return replace(form, evidence_url=link)


async def suggested_drill(
    store: Store, workspace_id: int, diagnosis: Diagnosis | None
) -> Drill | None:
    """The drill (or assignment) the week's diagnosis points to, if any fits."""
    if diagnosis is None:
        return None
    own = [drills.custom(row) for row in await store.custom_drills(workspace_id)]
    return drills.suggested(drills.library(own), diagnosis.focus_key, Gap(diagnosis.gap))


@dataclass(frozen=True)
class Diagnosed:
    diagnosis: Diagnosis
    drill: Drill | None  # what it suggests for the 1:1


async def diagnose(
    store: Store,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    form: DiagnosisInput,
    now: datetime,
) -> Diagnosed:
    rep, me = await access.coached_rep(store, actor, rep_slack_user_id)
    rubric = await rubric_of(store, rep.workspace_id)
    checked = check_diagnosis(await with_picked_call(store, rep, form), rubric)
    values = {**checked.values, "author_id": me.id}
    saved = await store.save_diagnosis(rep.id, cycle, values, now)
    await store.save_ratings(rep.id, cycle, checked.levels, me.id, now)
    await escalations.follow_diagnosis(
        store, rep, me, cycle, Gap(saved.gap), saved.manager_action, now
    )
    return Diagnosed(saved, await suggested_drill(store, rep.workspace_id, saved))
