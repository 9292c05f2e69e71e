"""Monday: the manager scores how well last week's drill carried over to live calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.db.models import Person
from app.db.store import Store
from app.rules.refusals import Refusal, UserError
from app.services import access
from app.services.people import Actor


@dataclass(frozen=True)
class ScoreResult:
    rep: Person
    cycle: str
    score: int

    @property
    def ready_for_next_focus(self) -> bool:
        return self.score >= 4


async def score_transfer(
    store: Store, actor: Actor, rep_slack_user_id: str, cycle: str, score: int, now: datetime
) -> ScoreResult:
    if not 1 <= score <= 5:
        raise UserError(Refusal.SCORE_OUT_OF_RANGE)
    rep, me = await access.coached_rep(store, actor, rep_slack_user_id)
    await store.save_transfer_score(rep.id, cycle, score, me.id, now)
    return ScoreResult(rep, cycle, score)
