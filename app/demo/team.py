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

    @property
    def email(self) -> str:
        return f"{self.name.lower()}@acme.example"


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


BY_EMAIL_ONLY = ("Eve",)  # the roster names her by email: Slack says who she is


def sample_roster_csv() -> str:
    """The sample company's roster as an admin would write it: no time zones (they come from
    each person's Slack profile), and one person named by email."""
    rows = ["slack_user_id,role,manager_slack_user_id,email"]
    for p in SAMPLE_TEAM:
        slack_id = "" if p.name in BY_EMAIL_ONLY else p.slack_user_id
        rows.append(f"{slack_id},{p.role},{p.manager},{p.email}")
    return "\n".join(rows) + "\n"


# The people the week's scenes name.
DANA = BY_NAME["Dana"].slack_user_id
MAYA, OMAR = BY_NAME["Maya"].slack_user_id, BY_NAME["Omar"].slack_user_id
ANA, BEN, CHEN, DEV, EVE = (BY_NAME[n].slack_user_id for n in ("Ana", "Ben", "Chen", "Dev", "Eve"))
REPS = (ANA, BEN, CHEN, DEV, EVE)
