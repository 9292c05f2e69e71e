"""PostgreSQL restarting mid-run: the bot reconnects, /healthz goes 503 meanwhile, nothing is lost.

`coach serve` (scheduler on) sends a few hundred due prompts at a pace that takes half a minute;
PostgreSQL stops in the middle of that and comes back a few seconds later. The database is a
private throwaway cluster (initdb/pg_ctl), so stopping it disturbs nobody else's.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import ColumnElement, func, select, update

from app.clock import system_clock
from app.db.ledger import Ledger, Planned
from app.db.models import Delivery, Person
from app.deps import Deps
from app.rules import calendar
from app.rules.types import DeliveryStatus, Role, Step
from app.sandbox.server import SlackSandbox
from app.slack.metadata import delivery_id_in
from tests.support.factories import SIGNING_SECRET, is_postgres, make_settings
from tests.support.fanout import ROOT, seed_big_org
from tests.support.processes import coach_env, free_port, run_coach

pytestmark = pytest.mark.postgres_only
log = logging.getLogger(__name__)

REPS = 300
MANAGERS = 3
RATE_PER_MINUTE = 600  # 300 prompts take about 30 s: the restart lands in the middle
LEASE_S = 5
SENT_BEFORE_STOP = 50
DOWN_S = 3.0
OVERALL_S = 120.0
SLACK_LATENCY_S = 0.5


@dataclass(frozen=True)
class Cluster:
    """A PostgreSQL cluster of this test's own: data, socket and log live under `base`."""

    base: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/coach"

    @staticmethod
    def as_owner(*args: str) -> list[str]:
        # initdb and postgres refuse to run as root.
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def pg_ctl(self, action: str, *options: str) -> list[str]:
        data, logfile = str(self.base / "data"), str(self.base / "postgres.log")
        return self.as_owner(
            "pg_ctl", action, "-D", data, "-l", logfile, "-w", "-t", "30", *options
        )

    def start_command(self) -> list[str]:
        # Thrown away after the test: durability buys nothing here, fsync=off saves seconds.
        server = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        return self.pg_ctl("start", "-o", server)

    async def run(self, command: list[str]) -> None:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=self.base, stdout=asyncio.subprocess.PIPE, stderr=subprocess.STDOUT
        )
        out, _ = await process.communicate()
        assert process.returncode == 0, f"{command} failed: {out.decode()}"

    async def stop(self) -> None:
        await self.run(self.pg_ctl("stop", "-m", "fast"))

    async def start(self) -> None:
        await self.run(self.start_command())


def _check(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{command} failed: {result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def cluster(database_url: str) -> Iterator[Cluster]:
    if not is_postgres(database_url):
        pytest.skip("a PostgreSQL restart: runs with the PostgreSQL suite")
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("needs PostgreSQL's initdb and pg_ctl on PATH")
    base = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    cluster = Cluster(base, free_port())
    try:
        data = str(base / "data")
        initdb = ("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        _check(cluster.as_owner(*initdb), base)
        _check(cluster.start_command(), base)
        _check(
            ["createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "coach"],
            base,
        )
        migrated = run_coach("migrate", env=coach_env(cluster.url), cwd=ROOT)
        assert migrated.returncode == 0, migrated.stderr
        yield cluster
    finally:
        subprocess.run(cluster.pg_ctl("stop", "-m", "immediate"), capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)


def night_zone(now: datetime) -> str:
    """A zone where it is 03:xx at `now`. Every step of the cadence is between 09:00 and 17:00
    local and closes by 21:00, so the scheduler (on the real clock) plans nothing of its own."""
    east = (3 - now.hour + 12) % 24 - 12  # hours east of UTC, -12..11
    return f"Etc/GMT{-east:+d}" if east else "Etc/GMT"  # POSIX sign: Etc/GMT-3 is UTC+3


async def seed_due_prompts(deps: Deps, sandbox: SlackSandbox, now: datetime) -> dict[int, str]:
    """A Monday prompt due a minute ago for every rep: delivery id → the rep's Slack id."""
    await seed_big_org(deps, sandbox, REPS, MANAGERS)
    tz = night_zone(now)
    cycle = calendar.current_cycle(now, ZoneInfo(tz))
    async with deps.db.begin() as session:
        await session.execute(update(Person).values(tz=tz))
        reps = (
            await session.execute(
                select(Person.id, Person.workspace_id).where(Person.role == Role.REP)
            )
        ).all()
        due = [
            Planned(
                workspace_id=rep.workspace_id,
                person_id=rep.id,
                kind=Step.REP_PROMPT,
                cycle_week=cycle,
                due_at=now - timedelta(minutes=1),
                expires_at=now + timedelta(hours=4),
            )
            for rep in reps
        ]
        assert await Ledger(session).plan(due, now) == REPS
        rows = await session.execute(
            select(Delivery.id, Person.slack_user_id)
            .join(Person, Person.id == Delivery.person_id)
            .where(Delivery.kind == Step.REP_PROMPT, Delivery.cycle_week == cycle)
        )
        return {delivery_id: user for delivery_id, user in rows.all()}


def messages_carrying(sandbox: SlackSandbox, rep: str, delivery_id: int) -> int:
    return sum(
        1 for message in sandbox.messages_to(rep) if delivery_id_in(message.metadata) == delivery_id
    )


@dataclass
class Serve:
    process: asyncio.subprocess.Process
    log: Path
    port: int

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    async def health(self, client: httpx.AsyncClient) -> tuple[int | None, float]:
        """/healthz's status (None: no answer within 5 s) and how long the answer took."""
        started = asyncio.get_running_loop().time()
        try:
            response = await client.get(f"http://127.0.0.1:{self.port}/healthz", timeout=5)
            status: int | None = response.status_code
        except httpx.TransportError:
            status = None
        return status, asyncio.get_running_loop().time() - started

    async def wait_for(
        self, what: str, check: Callable[[], Awaitable[bool]], timeout_s: float
    ) -> float:
        """Seconds until `check` holds; fails if coach exits or `timeout_s` passes first."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while not await check():
            assert self.process.returncode is None, f"coach serve exited:\n{self.output()}"
            assert loop.time() - started < timeout_s, f"no {what} in {timeout_s}s:\n{self.output()}"
            await asyncio.sleep(0.1)
        return loop.time() - started


async def test_bot_rides_out_a_postgres_restart(
    cluster: Cluster, sandbox: SlackSandbox, tmp_path: Path
) -> None:
    deps = Deps.build(make_settings(cluster.url, sandbox), system_clock)
    try:
        seeded = await seed_due_prompts(deps, sandbox, datetime.now(UTC))
        # Slack answers each post after a moment, so some posts are always in flight (posted,
        # not yet recorded) when PostgreSQL stops: those must be found, not sent again.
        sandbox.slow_down("chat.postMessage", SLACK_LATENCY_S)
        env = coach_env(
            cluster.url,
            SLACK_BOT_TOKEN=sandbox.bot_token,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=sandbox.api_url,
            PORT=str(free_port()),
            COACH_SCHEDULER="on",
            COACH_TICK_SECONDS="1",
            COACH_SEND_START_PER_MINUTE=str(RATE_PER_MINUTE),  # a fixed rate: start = cap
            COACH_SEND_RATE_PER_MINUTE=str(RATE_PER_MINUTE),
            COACH_LEASE_SECONDS=str(LEASE_S),
        )
        log_file = tmp_path / "serve.log"
        with log_file.open("w") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app", "serve", env=env, cwd=ROOT, stdout=out, stderr=out
            )
        serve = Serve(process, log_file, int(env["PORT"]))
        try:
            await run_through_a_restart(serve, cluster, deps, seeded, sandbox)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    finally:
        await deps.close()


async def run_through_a_restart(
    serve: Serve, cluster: Cluster, deps: Deps, seeded: dict[int, str], sandbox: SlackSandbox
) -> None:
    def prompts_in_slack() -> int:
        return sum(1 for delivery_id in sandbox.deliveries() if delivery_id in seeded)

    async def prompts_sent(at_least: int) -> bool:
        return prompts_in_slack() >= at_least

    async def seeded_rows(*where: ColumnElement[bool]) -> int:
        async with deps.db() as session:
            return int(
                await session.scalar(
                    select(func.count()).where(Delivery.id.in_(list(seeded)), *where)
                )
                or 0
            )

    async def all_sent() -> bool:
        return await seeded_rows(Delivery.status != DeliveryStatus.SENT) == 0

    async with httpx.AsyncClient() as client:
        latencies: list[float] = []

        async def healthz_is(want: int) -> bool:
            status, took = await serve.health(client)
            if want == 503:
                latencies.append(took)
                assert status is not None, "/healthz did not answer while PostgreSQL was down"
            return status == want

        took = {"up": await serve.wait_for("healthy /healthz", lambda: healthz_is(200), 30)}
        took["first prompts"] = await serve.wait_for(
            f"{SENT_BEFORE_STOP} prompts", lambda: prompts_sent(SENT_BEFORE_STOP), 30
        )
        await cluster.stop()
        before_restart = prompts_in_slack()
        took["503"] = await serve.wait_for("503 from /healthz", lambda: healthz_is(503), 15)
        await asyncio.sleep(max(0.0, DOWN_S - took["503"]))
        await cluster.start()
        took["200 again"] = await serve.wait_for("healthy /healthz", lambda: healthz_is(200), 30)
        took["rest sent"] = await serve.wait_for("every prompt sent", all_sent, OVERALL_S)
    log.info("seconds: %s; %s prompts in Slack at the stop", took, before_restart)

    assert before_restart < REPS, "the fan-out had finished before PostgreSQL stopped"
    assert await seeded_rows(Delivery.attempts > 1), "no send was under way at the stop"
    assert max(latencies) < 3, f"/healthz took {max(latencies):.1f}s while PostgreSQL was down"
    not_once = {
        rep: count
        for delivery_id, rep in seeded.items()
        if (count := messages_carrying(sandbox, rep, delivery_id)) != 1
    }
    assert not not_once, f"reps without exactly one prompt (rep: messages): {not_once}"
    in_slack = sandbox.deliveries()
    assert not [d for d, count in in_slack.items() if count > 1], "a delivery went out twice"
    assert serve.process.returncode is None, f"coach serve died:\n{serve.output()}"

    serve.process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(serve.process.wait(), timeout=15)
    assert code == 0, f"coach serve exited {code} on SIGTERM:\n{serve.output()}"
