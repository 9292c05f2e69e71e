"""`coach gong check`: does the connection work, and whom on the roster does it know?"""

from __future__ import annotations

from dataclasses import dataclass

from app.config import RecorderCredentials
from app.db.store import Store
from app.db.turns import Turn
from app.deps import Deps
from app.recorder.gong import GongRecorder
from app.recorder.pace import LocalPace, SharedPace, gong_rates
from app.recorder.provider import RecorderError, RecorderRefused

SHOWN = 10


@dataclass(frozen=True)
class CheckResult:
    works: bool
    problem: str | None = None  # a short code when it doesn't
    refused: bool = False
    users: int = 0  # users in the recorder
    roster: int = 0  # active people on coach's roster
    matched: int = 0
    unmatched: tuple[str, ...] = ()  # Slack ids, the first few

    def sentence(self, name: str = "Gong") -> str:
        if self.refused:
            return (
                f"{name} refused the access key ({self.problem}): check GONG_ACCESS_KEY and "
                "GONG_ACCESS_KEY_SECRET (Gong > Company settings > API)."
            )
        if not self.works:
            return f"{name} did not answer usefully ({self.problem}): check GONG_API_URL."
        missing = ""
        if self.unmatched:
            more = self.roster - self.matched - len(self.unmatched)
            names = ", ".join(self.unmatched) + (f" and {more} more" if more > 0 else "")
            missing = f" (no {name} user with the email of {names})"
        return (
            f"{name} works: {self.users} users there, {self.matched} of the {self.roster} "
            f"people on the roster matched by email{missing}."
        )


async def check_connection(deps: Deps, credentials: RecorderCredentials) -> CheckResult:
    """Reads every Gong user once, at the pace every replica shares (this process's own
    pace before coach has met any workspace)."""
    async with deps.reads() as session:
        workspaces = await Store(session).workspaces()
    settings = deps.settings
    rate, day = gong_rates(settings.gong_requests_per_second, settings.gong_requests_per_day)
    pace: Turn = (
        SharedPace(deps.db, workspaces[0].id, rate=rate, day=day)
        if len(workspaces) == 1
        else LocalPace(rate)
    )
    recorder = GongRecorder(credentials, pace)
    try:
        emails = {user.email async for page in recorder.user_pages() for user in page.items}
    except RecorderError as exc:
        return CheckResult(False, exc.code, refused=isinstance(exc, RecorderRefused))
    finally:
        await recorder.close()
    async with deps.reads() as session:
        store = Store(session)
        people = [p for w in await store.workspaces() for p in await store.people(w.id)]
    unmatched = [p.slack_user_id for p in people if (p.email or "").lower() not in emails]
    return CheckResult(
        True,
        users=len(emails),
        roster=len(people),
        matched=len(people) - len(unmatched),
        unmatched=tuple(unmatched[:SHOWN]),
    )
