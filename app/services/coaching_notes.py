"""Coaching notes outside the 1:1, in a framework of the manager's choosing (SBI, CAR,
OSKAR: app/rules/frameworks.py). The rep's coaches (their manager and that manager's
director) write and read them; an SBI note is also sent to the rep, once, by DM, and is the
only kind the rep sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.db.ledger import Ledger
from app.db.models import CoachingNote, Person
from app.db.store import Store
from app.rules import frameworks
from app.rules.frameworks import SPECS, Framework
from app.rules.refusals import FieldErrors, Refusal
from app.rules.types import Step
from app.services import access
from app.services.people import Actor
from app.services.week_plan import plan_once


@dataclass(frozen=True)
class NoteInput:
    framework: str  # as picked (untrusted)
    parts: dict[str, str] = field(default_factory=dict)
    scaling: str = ""


@dataclass(frozen=True)
class SavedNote:
    note: CoachingNote
    rep: Person
    framework: Framework
    sent_to_rep: bool


def framework_of(text: str) -> Framework | None:
    return Framework(text) if text in {f.value for f in Framework} else None


async def note_form_rep(store: Store, actor: Actor, rep_slack_user_id: str) -> Person:
    """The rep a note may be written about by this actor (one of their coaches)."""
    rep, _ = await access.coached_rep(store, actor, rep_slack_user_id)
    return rep


async def save_note(
    store: Store,
    ledger: Ledger,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    form: NoteInput,
    now: datetime,
) -> SavedNote:
    """Store the note; an SBI note's DM to the rep is planned through the ledger (once, keyed
    by the note). Refused or incomplete: nothing is stored."""
    rep, me = await access.coached_rep(store, actor, rep_slack_user_id)
    framework = framework_of(form.framework)
    if framework is None:
        raise FieldErrors({frameworks.FRAMEWORK_FIELD: Refusal.PICK_FRAMEWORK})
    checked = frameworks.check_note(framework, form.parts, form.scaling)
    if not isinstance(checked, frameworks.CheckedNote):
        raise FieldErrors(checked)
    note = await store.add_note(
        CoachingNote(
            person_id=rep.id,
            author_id=me.id,
            cycle_week=cycle,
            framework=framework.value,
            parts=checked.parts,
            scaling=checked.scaling,
            created_at=now,
        )
    )
    to_rep = SPECS[framework].to_rep
    if to_rep:
        await plan_once(ledger, rep, Step.FEEDBACK_NOTE, cycle, now, now, subject_id=note.id)
    return SavedNote(note, rep, framework, to_rep)


@dataclass(frozen=True)
class NoteShown:
    framework: Framework
    cycle: str
    author: str | None
    parts: tuple[tuple[str, str], ...]  # (label, text) in the framework's order
    scaling: int | None


def shown(note: CoachingNote, author: str | None) -> NoteShown | None:
    framework = framework_of(note.framework)
    if framework is None:
        return None
    spec = SPECS[framework]
    parts = tuple((p.label, note.parts[p.key]) for p in spec.parts if note.parts.get(p.key))
    return NoteShown(framework, note.cycle_week, author, parts, note.scaling)


async def feedback_message(store: Store, rep: Person, note_id: int) -> NoteShown | None:
    """The SBI note a rep is sent (None: gone, not theirs, or not one sent to reps)."""
    note = await store.note_by_id(note_id)
    if note is None or note.person_id != rep.id:
        return None
    framework = framework_of(note.framework)
    if framework is None or not SPECS[framework].to_rep:
        return None
    author = await store.person_by_id(note.author_id) if note.author_id else None
    return shown(note, author.slack_user_id if author else None)


async def notes_for_page(
    store: Store, rep: Person, first_cycle: str, last_cycle: str, *, coach: bool
) -> tuple[NoteShown, ...]:
    """The rep's notes of those weeks, newest first, as a reader may see them (a coach all of
    them, the rep only those sent to them)."""
    notes = await store.notes_of([rep.id], first_cycle, last_cycle)
    authors = {p.id: p.slack_user_id for p in await store.people_by_ids(_authors(notes))}
    found = []
    for note in reversed(notes):
        view = shown(note, authors.get(note.author_id or 0))
        if view is not None and (coach or SPECS[view.framework].to_rep):
            found.append(view)
    return tuple(found)


def _authors(notes: Sequence[CoachingNote]) -> set[int]:
    return {n.author_id for n in notes if n.author_id is not None}
