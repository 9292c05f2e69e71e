"""The demo's sample company: a director, two managers, five reps in five time zones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    slack_user_id: str
    name: str
    role: str
    manager: str
    tz: str

    @property
    def city(self) -> str:
        return self.tz.rsplit("/", 1)[-1].replace("_", " ")


SAMPLE_TEAM = (
    DemoPerson("U0DIRDANA", "Dana", "director", "", "America/New_York"),
    DemoPerson("U0MGRMAYA", "Maya", "manager", "U0DIRDANA", "America/Los_Angeles"),
    DemoPerson("U0MGROMAR", "Omar", "manager", "U0DIRDANA", "Europe/Berlin"),
    DemoPerson("U0REPANA", "Ana", "rep", "U0MGRMAYA", "America/Los_Angeles"),
    DemoPerson("U0REPBEN", "Ben", "rep", "U0MGRMAYA", "America/New_York"),
    DemoPerson("U0REPCHEN", "Chen", "rep", "U0MGROMAR", "Europe/Berlin"),
    DemoPerson("U0REPDEV", "Dev", "rep", "U0MGROMAR", "Asia/Kolkata"),
    DemoPerson("U0REPEVE", "Eve", "rep", "U0MGROMAR", "Europe/London"),
    DemoPerson("U0ADMIRA", "Ira", "admin", "", "UTC"),
)
BY_ID = {p.slack_user_id: p for p in SAMPLE_TEAM}
BY_NAME = {p.name: p for p in SAMPLE_TEAM}


def sample_roster_csv() -> str:
    rows = ["slack_user_id,role,manager_slack_user_id,timezone"]
    rows += [f"{p.slack_user_id},{p.role},{p.manager},{p.tz}" for p in SAMPLE_TEAM]
    return "\n".join(rows) + "\n"
