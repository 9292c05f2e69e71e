"""The workspace's competency rubric: the built-ins as it words them, and its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.db.store import Store
from app.rules import rubric
from app.rules.form_fields import CompetencyField
from app.rules.refusals import FieldErrors, Refusal, UserError
from app.rules.rubric import Competency
from app.services import people
from app.services.people import Actor


async def rubric_of(store: Store, workspace_id: int) -> tuple[Competency, ...]:
    return rubric.workspace_rubric(await store.competencies(workspace_id))


@dataclass(frozen=True)
class CompetencyInput:
    key: str  # the competency reworded, or "" for a new one of the workspace's own
    name: str
    levels: tuple[str, str, str, str]


def check_competency(
    form: CompetencyInput, current: tuple[Competency, ...]
) -> tuple[str, tuple[str, str, str, str]]:
    """The name and levels to store, or FieldErrors under each field."""
    errors: dict[str, Refusal] = {}
    name = " ".join(form.name.split())
    if not name:
        errors[CompetencyField.NAME] = Refusal.NAME_THE_COMPETENCY
    elif len(name) > rubric.NAME_MAX:
        errors[CompetencyField.NAME] = Refusal.COMPETENCY_NAME_TOO_LONG
    elif any(c.name.lower() == name.lower() and c.key != form.key for c in current):
        errors[CompetencyField.NAME] = Refusal.COMPETENCY_NAME_TAKEN
    levels = tuple(" ".join(text.split()) for text in form.levels)
    for level, text in zip(rubric.LEVELS, levels, strict=True):
        field = CompetencyField.level(level)
        if not text:
            errors[field] = Refusal.DESCRIBE_THE_LEVEL
        elif len(text) > rubric.LEVEL_TEXT_MAX:
            errors[field] = Refusal.LEVEL_TEXT_TOO_LONG
    if form.key and rubric.find(current, form.key) is None:
        errors[CompetencyField.NAME] = Refusal.COMPETENCY_GONE
    if not form.key and len(current) >= rubric.MAX_COMPETENCIES:
        errors[CompetencyField.NAME] = Refusal.TOO_MANY_COMPETENCIES
    if errors:
        raise FieldErrors(errors)
    return name, (levels[0], levels[1], levels[2], levels[3])


async def save_competency(
    store: Store, actor: Actor, form: CompetencyInput, now: datetime
) -> Competency:
    """An admin rewords a competency, or adds one of the workspace's own."""
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_RUBRIC)
    workspace_id = actor.workspace.id
    stored = await store.competencies(workspace_id)
    current = rubric.workspace_rubric(stored)
    name, levels = check_competency(form, current)
    if form.key:
        key = form.key
        position = next((row.position for row in stored if row.key == key), 0)
    else:
        own = [row for row in stored if row.key not in rubric.BUILT_IN_KEYS]
        number = 1 + max((int(row.key.split(":", 1)[1]) for row in own), default=0)
        key, position = rubric.own_key(number), number
    await store.save_competency(workspace_id, key, name, levels, position, now)
    return Competency(key, name, levels)


async def competency_to_edit(store: Store, actor: Actor, key: str) -> Competency | None:
    """The competency an admin opens to reword (None: a new one), refused to anyone else."""
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_RUBRIC)
    if not key:
        return None
    found = rubric.find(await rubric_of(store, actor.workspace.id), key)
    if found is None:
        raise UserError(Refusal.COMPETENCY_GONE)
    return found
