"""Deal progression from the CRM: each coached CRM deal's verdict from its stage history,
for the weeks of reps whose workspace has a CRM connected (app/rules/progression.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.db.crm_tables import CrmStageRow
from app.db.models import Person
from app.db.store import Store
from app.rules.progression import Move, StagePlace, moved_forward
from app.rules.types import CRM_NAMES, CrmKind


@dataclass(frozen=True)
class CrmWeek:
    crm: str  # "Salesforce"
    verdicts: dict[int, bool] = field(default_factory=dict)  # deal index → moved (settled)
    from_crm: frozenset[int] = frozenset()  # indexes of the deals picked from the CRM


async def crm_weeks(
    store: Store, reps: Sequence[Person], first: str, last: str
) -> dict[tuple[int, str], CrmWeek]:
    """(rep id, week) → what the CRM says of that week's coached deals; only for reps whose
    workspace has a CRM connected, and only weeks whose 1:1 was held."""
    found: dict[tuple[int, str], CrmWeek] = {}
    by_workspace: dict[int, list[Person]] = {}
    for rep in reps:
        by_workspace.setdefault(rep.workspace_id, []).append(rep)
    for workspace_id in sorted(await store.crm_workspace_ids(by_workspace)):
        connection = await store.crm_connection(workspace_id)
        if connection is None:
            continue
        name = CRM_NAMES.get(CrmKind(connection.provider), connection.provider)
        weeks = await store.coached_weeks([r.id for r in by_workspace[workspace_id]], first, last)
        picked = {
            (s.person_id, s.cycle_week): {
                n: d["crm_id"]
                for n, d in enumerate(s.deals)
                if isinstance(d, dict) and isinstance(d.get("crm_id"), str)
            }
            for s, _ in weeks
        }
        ids = {crm_id for deals in picked.values() for crm_id in deals.values()}
        deals = await store.crm_deals(workspace_id, ids)
        history = await store.stage_changes(workspace_id, ids)
        places = _places(await store.crm_stages(workspace_id))
        for submission, one_on_one in weeks:
            key = (submission.person_id, submission.cycle_week)
            verdicts = {}
            for n, crm_id in picked[key].items():
                deal = deals.get(crm_id)
                if deal is None:
                    continue
                stage = submission.deals[n].get("stage_id")
                verdict = moved_forward(
                    [Move(c.stage_id, c.changed_at) for c in history.get(crm_id, [])],
                    places.get(deal.pipeline, {}),
                    one_on_one.created_at,
                    stage if isinstance(stage, str) else None,
                    deal.history_read_at,
                )
                if verdict is not None:
                    verdicts[n] = verdict
            found[key] = CrmWeek(name, verdicts, frozenset(picked[key]))
    return found


def _places(rows: Sequence[CrmStageRow]) -> dict[str, dict[str, StagePlace]]:
    places: dict[str, dict[str, StagePlace]] = {}
    for row in rows:
        places.setdefault(row.pipeline, {})[row.stage_id] = StagePlace(
            row.position, row.closed, row.won
        )
    return places
