"""`coach demo`: the real bot against the local Slack sandbox, printed as a transcript.

No Slack account, no network: a temporary SQLite database, the sandbox on loopback, and
signed requests sent to the bot's own /slack/events the way Slack sends them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.clock import system_clock
from app.config import Settings
from app.db import migrate as migrations
from app.db.store import Store
from app.deps import Deps
from app.domain.roster import apply_roster, parse_roster_csv
from app.sandbox.driver import Answer, SlackDriver
from app.sandbox.harness import start_bot
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text

DEMO_SIGNING_SECRET = "demo-signing-secret"  # only ever signs requests to the local sandbox bot


@dataclass(frozen=True)
class DemoPerson:
    slack_user_id: str
    name: str
    role: str
    manager: str
    tz: str


SAMPLE_TEAM = (
    DemoPerson("U0DIRDANA", "Dana (director)", "director", "", "America/New_York"),
    DemoPerson("U0MGRMAYA", "Maya (manager)", "manager", "U0DIRDANA", "America/Los_Angeles"),
    DemoPerson("U0MGROMAR", "Omar (manager)", "manager", "U0DIRDANA", "Europe/Berlin"),
    DemoPerson("U0REPANA", "Ana", "rep", "U0MGRMAYA", "America/Los_Angeles"),
    DemoPerson("U0REPBEN", "Ben", "rep", "U0MGRMAYA", "America/New_York"),
    DemoPerson("U0REPCHEN", "Chen", "rep", "U0MGROMAR", "Europe/Berlin"),
    DemoPerson("U0REPDEV", "Dev", "rep", "U0MGROMAR", "Asia/Kolkata"),
    DemoPerson("U0REPEVE", "Eve", "rep", "U0MGROMAR", "Europe/London"),
    DemoPerson("U0ADMIRA", "Ira (admin)", "admin", "", "UTC"),
)
NEWCOMER = DemoPerson("U0REPFINN", "Finn", "rep", "U0MGRMAYA", "America/Chicago")


def sample_roster_csv() -> str:
    rows = ["slack_user_id,role,manager_slack_user_id"]
    rows += [f"{p.slack_user_id},{p.role},{p.manager}" for p in SAMPLE_TEAM]
    return "\n".join(rows) + "\n"


class Transcript:
    def __init__(self, out: TextIO, names: dict[str, str]) -> None:
        self.out = out
        self.names = names

    def step(self, title: str) -> None:
        self.out.write(f"\n### {title}\n")

    def line(self, text: str) -> None:
        self.out.write(f"{text}\n")

    def block(self, blocks: list[dict] | None, fallback: str | None = None) -> None:
        text = blocks_to_text(blocks, fallback, self.names)
        self.out.write("".join(f"    │ {row}\n" for row in text.splitlines()))

    def reply(self, who: str, what: str, answer: Answer) -> None:
        body = answer.json() if answer.text.startswith("{") else None
        self.line(f"@{self.names[who]} typed `{what}` → HTTP {answer.status}, only they see:")
        if body:
            self.block(body.get("blocks"), body.get("text"))


async def open_home(sandbox: SlackSandbox, driver: SlackDriver, slack_user_id: str) -> list[dict]:
    """Open someone's App Home and return the blocks the bot published for them."""
    since = sandbox.mark()
    await driver.open_home(slack_user_id)
    call = await sandbox.wait_for_call(
        "views.publish", since=since, where=lambda c: c.args.get("user_id") == slack_user_id
    )
    return list(call.args["view"]["blocks"])


async def run_demo(out: TextIO) -> None:
    sandbox = SlackSandbox(team_name="Acme Sales")
    await sandbox.start()
    names = {p.slack_user_id: p.name for p in (*SAMPLE_TEAM, NEWCOMER)}
    for person in (*SAMPLE_TEAM, NEWCOMER):
        sandbox.add_user(person.slack_user_id, person.name, person.tz)
    show = Transcript(out, names)
    with tempfile.TemporaryDirectory(prefix="coach-demo-") as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",
            slack_bot_token=sandbox.bot_token,
            slack_signing_secret=DEMO_SIGNING_SECRET,
            slack_app_token=None,
            slack_client_id=None,
            slack_api_url=sandbox.api_url,
            coach_scheduler="off",
        )
        deps = Deps.build(settings, system_clock)
        bot = None
        driver = None
        try:
            show.step("Set-up")
            await migrations.upgrade(deps.engine)
            show.line(f"Temporary SQLite database migrated; Slack sandbox at {sandbox.base_url}.")
            async with deps.db.begin() as session:
                store = Store(session)
                workspace = await store.ensure_workspace(sandbox.state.team_id, deps.clock())
                summary = await apply_roster(
                    store, workspace, parse_roster_csv(sample_roster_csv()), deps.clock()
                )
            show.line(f"`coach roster import`: {summary.describe()}")
            bot = await start_bot(deps)
            driver = SlackDriver(sandbox, bot.url, DEMO_SIGNING_SECRET)
            show.line(f"Bot serving on {bot.url} (POST /slack/events, GET /healthz).")

            show.step("Everyone opens the coach App Home")
            for person in SAMPLE_TEAM:
                show.line(f"@{person.name} ({person.role}, {person.tz}) sees:")
                show.block(await open_home(sandbox, driver, person.slack_user_id))
            show.line(f"@{NEWCOMER.name}, not on the roster yet, sees:")
            show.block(await open_home(sandbox, driver, NEWCOMER.slack_user_id))

            show.step("Slash commands")
            ana = "U0REPANA"
            show.reply(ana, "/drill help", await driver.command(ana, "/drill", "help"))
            text = f"add <@{NEWCOMER.slack_user_id}> rep <@{NEWCOMER.manager}>"
            show.reply(ana, f"/coach {text}", await driver.command(ana, "/coach", text))
            show.reply(
                "U0ADMIRA", f"/coach {text}", await driver.command("U0ADMIRA", "/coach", text)
            )
            show.line(f"@{names[NEWCOMER.manager]} opens App Home again:")
            show.block(await open_home(sandbox, driver, NEWCOMER.manager))

            show.step("A forged request")
            forged = await driver.command(ana, "/coach", text, secret="not-the-secret")
            show.line(
                f"A request signed with the wrong secret → HTTP {forged.status}; nothing changed."
            )
            calls = len(sandbox.state.calls)
            show.line(
                f"\nDone: the bot made {calls} Slack Web API calls, all accepted by the sandbox: "
                f"{all(c.ok for c in sandbox.state.calls)}."
            )
        finally:
            if driver is not None:
                await driver.close()
            if bot is not None:
                await bot.stop()
            await deps.close()
            await sandbox.stop()
