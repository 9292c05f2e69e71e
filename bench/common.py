"""What the benchmarks share: a big roster with coaching history, the Slack sandbox and the
servers in their own processes, signed requests, SQL statement counts and process memory.

Also runnable as a helper process (the benchmarks start these themselves):

    python bench/common.py sandbox            the Slack sandbox plus a small control API
    python bench/common.py bare --port P ...  a slack-bolt AsyncApp that only acks
    python bench/common.py serve-at T1 T2 ... `coach serve` on a clock that starts at T1
                                              (real speed; SIGUSR1 jumps to the next T)
    python bench/common.py peak ARGS...       `coach ARGS...`, then its peak RSS on stderr
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import gc
import json
import math
import os
import re
import resource
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.clock import system_clock
from app.config import Settings
from app.db import migrate
from app.db.engine import make_engine
from app.db.models import Diagnosis, DrillReport, OneOnOne, Submission, TransferScore
from app.db.store import Store
from app.deps import Deps
from app.rules.calendar import cycle_week
from app.rules.drills import STARTING_LIBRARY
from app.sandbox.driver import Answer, SlackDriver, sign
from app.sandbox.state import ResponseUrl, SandboxState, Trigger
from app.services.roster import apply_roster, parse_roster_csv

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
SIGNING_SECRET = "bench-signing-secret"
TEAM_ID = "T0SANDBOX"
BOT_TOKEN = "xoxb-sandbox-token"  # what SlackSandbox accepts by default
DEFAULT_TZ = "Europe/Berlin"
# Benchmarks measure the bot, not Slack's pace: the highest rate the settings allow.
FAST_SENDING = {"coach_send_start_per_minute": 100_000, "coach_send_rate_per_minute": 100_000}


# --- the roster -------------------------------------------------------------------------
@dataclass(frozen=True)
class Org:
    """Directors > managers > reps, everyone in one time zone (so one tick has all due)."""

    directors: tuple[str, ...]
    managers: tuple[str, ...]
    reps: tuple[str, ...]
    tz: str = DEFAULT_TZ

    @classmethod
    def sized(
        cls,
        people: int,
        *,
        reps_per_manager: int = 20,
        managers_per_director: int = 10,
        tz: str = DEFAULT_TZ,
    ) -> Org:
        """About `people` in all: 10,000 gives 48 directors, 474 managers and 9,478 reps."""
        managers = max(1, round(people / (reps_per_manager + 1 + 1 / managers_per_director)))
        directors = math.ceil(managers / managers_per_director)
        reps = max(1, people - managers - directors)
        return cls(
            tuple(f"U0D{n:05d}" for n in range(directors)),
            tuple(f"U0M{n:05d}" for n in range(managers)),
            tuple(f"U0R{n:05d}" for n in range(reps)),
            tz,
        )

    @property
    def everyone(self) -> tuple[str, ...]:
        return self.directors + self.managers + self.reps

    # Ids carry their index (U0R00042 is reps[42]): rep n reports to manager n mod managers.
    def manager_of(self, rep: str) -> str:
        return self.managers[int(rep[3:]) % len(self.managers)]

    def reps_of(self, manager: str) -> list[str]:
        return list(self.reps[int(manager[3:]) :: len(self.managers)])

    def director_of(self, manager: str) -> str:
        return self.directors[int(manager[3:]) % len(self.directors)]

    def csv(self) -> str:
        rows = ["slack_user_id,role,manager_slack_user_id,email,timezone"]
        rows += [f"{d},director,,,{self.tz}" for d in self.directors]
        rows += [f"{m},manager,{self.director_of(m)},,{self.tz}" for m in self.managers]
        rows += [f"{r},rep,{self.manager_of(r)},,{self.tz}" for r in self.reps]
        return "\n".join(rows) + "\n"

    def describe(self) -> str:
        return (
            f"{len(self.everyone):,} people ({len(self.reps):,} reps, {len(self.managers):,} "
            f"managers, {len(self.directors):,} directors, {self.tz})"
        )


# --- time -------------------------------------------------------------------------------
def this_monday(tz: str) -> date:
    """The Monday of the current week where the org lives (the cycle `coach serve` is in)."""
    today = system_clock().astimezone(ZoneInfo(tz)).date()
    return today - timedelta(days=today.weekday())


def local_instant(day: date, hour: int, tz: str, minute: int = 0) -> datetime:
    """`day` at hour:minute wall time in `tz`, as UTC."""
    return datetime.combine(day, clock_time(hour, minute), tzinfo=ZoneInfo(tz)).astimezone(UTC)


# --- the database -----------------------------------------------------------------------
def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def database_url(given: str | None, workdir: Path, name: str = "bench") -> str:
    """The URL given (PostgreSQL: every table in it is dropped), or a new SQLite file."""
    return given or f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"


async def vacuum(url: str) -> None:
    """PostgreSQL: VACUUM ANALYZE, as autovacuum would have by then on a running server (a
    bench's rolled-back plans leave hundreds of thousands of dead rows in `delivery`, and
    the seed's updates stale statistics). Nothing on SQLite."""
    if not is_postgres(url):
        return
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()


async def fresh_database(url: str) -> None:
    """An empty, migrated database at `url` (a SQLite file must not exist yet)."""
    engine = make_engine(url)
    try:
        if is_postgres(url):
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


def _history_rows(
    ids: dict[str, int], org: Org, cycles: Sequence[str], at: datetime
) -> dict[type, list[dict[str, Any]]]:
    """Each rep's last weeks: deals, a diagnosis, a held 1:1 with a drill, a recording of it,
    and the manager's score (all but the last week's: that one is Monday's to score)."""
    rows: dict[type, list[dict[str, Any]]] = {
        Submission: [],
        Diagnosis: [],
        OneOnOne: [],
        DrillReport: [],
        TransferScore: [],
    }
    stamps = {"created_at": at, "updated_at": at}
    for n, rep in enumerate(org.reps):
        person, manager = ids[rep], ids[org.manager_of(rep)]
        drill = STARTING_LIBRARY[n % len(STARTING_LIBRARY)]
        for week, cycle in enumerate(cycles):
            key = {"person_id": person, "cycle_week": cycle}
            deals = [
                {
                    "name": f"Deal {n}-{week}-{d}",
                    "clip_url": f"https://gong.io/call?id={n}-{week}-{d}",
                    "stage": "proposal",
                    "moment": "12:30",
                    "happened": "The CFO pushed back on price",
                }
                for d in range(3)
            ]
            rows[Submission].append({**key, "deals": deals, "source": "modal", **stamps})
            rows[Diagnosis].append(
                {
                    **key,
                    "author_id": manager,
                    "answers": {"knows_how": True, "did_it": False},
                    "gap": "skill",
                    "focus_skill": "Objection handling",
                    "evidence_url": deals[0]["clip_url"],
                    "evidence_moment": "12:30",
                    "rubric_level": 2,
                    **stamps,
                }
            )
            rows[OneOnOne].append(
                {
                    **key,
                    "author_id": manager,
                    "held": True,
                    "goal": "Hold price without discounting",
                    "reality": "Discounted twice last week",
                    "options": ["Reframe as investment", "Bring in the champion"],
                    "commitment": "Reframe the next price objection",
                    "drill": drill.as_json(),
                    "practice_reps": 3,
                    **stamps,
                }
            )
            rows[DrillReport].append(
                {**key, "url": f"https://gong.io/drill?id={n}-{week}", "created_at": at}
            )
            if week < len(cycles) - 1:
                rows[TransferScore].append(
                    {**key, "author_id": manager, "score": 3 + (n + week) % 2, **stamps}
                )
    return rows


async def seed(
    url: str, org: Org, monday: date, *, history_weeks: int = 4, team_id: str = TEAM_ID
) -> None:
    """The roster (through the real import) of workspace `team_id` and `history_weeks` weeks
    before `monday`."""
    deps = Deps.build(bench_settings(url, "http://127.0.0.1:9/api/"), system_clock)
    at = local_instant(monday, 0, org.tz) - timedelta(weeks=history_weeks)
    try:
        async with deps.db.begin() as session:
            store = Store(session)
            workspace = await store.ensure_workspace(team_id, at)
            await apply_roster(store, workspace, parse_roster_csv(org.csv()), at)
            people = await store.people(workspace.id)
            # As an import with SLACK_BOT_TOKEN set leaves them, the night before the Monday:
            # fresh for the whole of it, so an idle tick reads no profile.
            read_at = local_instant(monday, 0, org.tz) - timedelta(hours=1)
            for person in people:
                person.profile_synced_at = person.profile_checked_at = read_at
            ids = {p.slack_user_id: p.id for p in people}
        cycles = [cycle_week(monday - timedelta(weeks=k)) for k in range(history_weeks, 0, -1)]
        for model, rows in _history_rows(ids, org, cycles, at).items():
            for start in range(0, len(rows), 2000):
                async with deps.db.begin() as session:
                    await session.execute(insert(model), rows[start : start + 2000])
    finally:
        await deps.close()


async def seeded_database(url: str, org: Org, monday: date, history_weeks: int = 4) -> float:
    """Fresh, migrated and seeded; returns the seconds it took."""
    started = time.perf_counter()
    await fresh_database(url)
    await seed(url, org, monday, history_weeks=history_weeks)
    await vacuum(url)
    return time.perf_counter() - started


# --- settings and environments ------------------------------------------------------------
def _known(values: dict[str, Any]) -> dict[str, Any]:
    """Only the settings this version of coach has (the outbox settings are new)."""
    return {k: v for k, v in values.items() if k in Settings.model_fields}


def bench_settings(url: str, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        "coach_scheduler": "off",
        "slack_app_token": None,
        "slack_client_id": None,
        "slack_client_secret": None,
        "slack_state_secret": None,
        **_known(FAST_SENDING),
        **overrides,
    }
    return Settings(_env_file=None, **values)


def coach_env(url: str, api_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `coach` process: this one minus any Slack/coach settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "COACH_")) and k not in ("DATABASE_URL", "PORT")
    }
    env |= {
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "COACH_SCHEDULER": "off",
        "PYTHONUNBUFFERED": "1",
    }
    env |= {k.upper(): str(v) for k, v in _known(FAST_SENDING).items()}
    return env | extra


# --- processes --------------------------------------------------------------------------
async def ticking(env: dict[str, str], due: datetime, log_path: Path, done: asyncio.Event) -> int:
    """`coach tick` again and again until `done`, as the in-process scheduler keeps ticking,
    on a clock that starts at the due time and runs at real speed (a retry after a 429 is due
    on it). Returns how many ticks ran."""
    started, ticks = time.monotonic(), 0
    with log_path.open("wb") as log:
        while not done.is_set():
            now = due + timedelta(seconds=time.monotonic() - started)
            tick = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app", "tick", "--now", now.isoformat(),
                env=env, stdout=log, stderr=log,
            )  # fmt: skip
            await tick.wait()
            ticks += 1
    return ticks


SENDERS_POLL_S = 0.2


async def run_senders_until(
    senders: Sequence[asyncio.Task[int]],
    done: asyncio.Event,
    finished: Callable[[], bool],
    started: float,
    give_up_s: float,
) -> tuple[float, int]:
    """Poll `finished()` until it holds (or `give_up_s` after `started`), then stop the
    senders: the seconds from `started` to then, and how many ticks the senders ran."""
    # Polled: what `finished` reads (the sandbox's messages) signals nothing when it changes.
    while time.monotonic() - started < give_up_s and not finished():  # noqa: ASYNC110
        await asyncio.sleep(SENDERS_POLL_S)
    elapsed = time.monotonic() - started
    done.set()
    return elapsed, sum(await asyncio.gather(*senders))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (resident now) and VmHWM (peak resident) of a live process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time a live process (default: this one) has used so far."""
    if pid is None:
        return time.process_time()  # finer than /proc's clock ticks
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """User + system CPU time of this process's children that have ended (`coach tick` runs,
    say) so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


@dataclass
class Child:
    """A helper process; its output goes to a log file (a full pipe would stall it)."""

    name: str
    args: list[str]
    env: dict[str, str] | None = None
    logs: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))
    process: asyncio.subprocess.Process | None = None

    @property
    def log_path(self) -> Path:
        return self.logs / f"{self.name}.log"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, *, ready_line: bool = False) -> str:
        """Start it; with `ready_line`, wait for and return its first stdout line."""
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            *self.args,
            env=self.env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE if ready_line else log,
            stderr=log,
        )
        log.close()
        if not ready_line:
            return ""
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not line:
            raise RuntimeError(f"{self.name} exited early; see {self.log_path}")
        return line.decode().strip()

    async def wait_http(self, url: str, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited; see {self.log_path}")
                try:
                    async with http.get(url) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(f"{self.name} did not answer {url}; see {self.log_path}")

    def memory(self) -> dict[str, float]:
        return memory_mb(self.pid)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def helper(*args: str) -> list[str]:
    """The command line of one of this module's helper processes."""
    return [sys.executable, str(BENCH / "common.py"), *args]


async def run_peak(args: Sequence[str], env: dict[str, str]) -> tuple[int, str, float]:
    """Run `coach ARGS` to the end: exit code, its output, and its peak RSS in MB."""
    process = await asyncio.create_subprocess_exec(
        *helper("peak", *args),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    found = re.search(r"^peak_rss_kb=(\d+)$", err.decode(), re.MULTILINE)
    peak = int(found.group(1)) / 1024 if found else float("nan")
    return process.returncode or 0, (out + err).decode(), peak


# --- the Slack sandbox in its own process ---------------------------------------------------
class RemoteSandbox:
    """The sandbox, running in another process, as SlackDriver needs it: trigger ids and
    response URLs are minted here, and registered there (`register`) before requests that
    carry them go out."""

    def __init__(self, api_url: str, control_url: str) -> None:
        self.api_url = api_url
        self.base_url = api_url.removesuffix("/api/")
        self.control_url = control_url
        self.clock = system_clock
        self.state = SandboxState(TEAM_ID, "Coach Sandbox", "U0COACHBOT", "B0COACH")
        self._triggers: list[tuple[str, str]] = []
        self._response_urls: list[tuple[str, str, str | None]] = []

    def issue_trigger(self, user_id: str) -> str:
        trigger_id = self.state.new_trigger(user_id, self.clock())
        self._triggers.append((trigger_id, user_id))
        return trigger_id

    def issue_response_url(self, user_id: str, channel_id: str | None) -> str:
        token = "R" + secrets.token_hex(8)
        self._response_urls.append((token, user_id, channel_id))
        return f"{self.base_url}/response/{token}"

    async def _control(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{self.control_url}/{path}", json=payload or {}) as response,
        ):
            response.raise_for_status()
            return await response.json()

    async def register(self) -> None:
        payload = {"triggers": self._triggers, "response_urls": self._response_urls}
        self._triggers, self._response_urls = [], []
        await self._control("register", payload)

    async def add_users(self, user_ids: Sequence[str], tz: str) -> None:
        for start in range(0, len(user_ids), 20_000):  # under aiohttp's 1 MB request limit
            await self._control(
                "users", {"users": list(user_ids[start : start + 20_000]), "tz": tz}
            )

    async def stats(self) -> dict[str, Any]:
        """Calls so far, by method, and how many of them Slack would have refused."""
        return await self._control("stats")

    async def answers(self) -> dict[str, dict[str, Any]]:
        """response_url token -> when the bot posted its answer there (wall clock, "at") and
        the answer's "text"."""
        return await self._control("responses")

    async def quiet(self, still_s: float = 0.5, timeout_s: float = 600) -> int:
        """Wait until the bot has stopped calling the sandbox for `still_s` (what a listener
        does after its ack, or a tick's sends); returns the number of calls so far."""
        deadline = time.monotonic() + timeout_s
        last, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            seen = (await self.stats())["calls"]
            if seen != last:
                last, since = seen, time.monotonic()
            elif time.monotonic() - since >= still_s:
                return seen
            await asyncio.sleep(0.1)
        raise TimeoutError(f"the bot was still calling Slack after {timeout_s}s")


class TimedResponses(list[dict[str, Any]]):
    """The sandbox's log of response_url posts, each stamped with the wall clock on arrival."""

    def append(self, response: dict[str, Any]) -> None:
        super().append({**response, "at": time.time()})


async def start_sandbox(logs: Path, users: Sequence[str], tz: str) -> tuple[Child, RemoteSandbox]:
    child = Child("sandbox", helper("sandbox"), logs=logs)
    ready = json.loads((await child.start(ready_line=True)).removeprefix("READY "))
    remote = RemoteSandbox(ready["api_url"], ready["control_url"])
    await remote.add_users(users, tz)
    return child, remote


async def _serve_sandbox() -> None:
    from aiohttp import web

    from app.sandbox.server import SlackSandbox

    box = SlackSandbox(team_id=TEAM_ID, bot_token=BOT_TOKEN)
    api_url = await box.start()

    async def users(request: web.Request) -> web.Response:
        data = await request.json()
        for user_id in data["users"]:
            box.add_user(user_id, user_id, data["tz"])
            box.state.dm_channel(user_id)
        return web.json_response({"ok": True})

    async def register(request: web.Request) -> web.Response:
        data = await request.json()
        now = box.clock()
        for trigger_id, user_id in data["triggers"]:
            box.state.triggers[trigger_id] = Trigger(user_id, now)
        for token, user_id, channel in data["response_urls"]:
            box.state.response_urls[token] = ResponseUrl(user_id, channel, now)
        return web.json_response({"ok": True})

    box.state.responses = TimedResponses()

    async def responses(_: web.Request) -> web.Response:
        """When each response_url got its answer (wall clock) and its text, by the URL's token."""
        return web.json_response(
            {r["response_url"]: {"at": r["at"], "text": r["text"]} for r in box.state.responses}
        )

    async def stats(_: web.Request) -> web.Response:
        calls = box.state.calls
        return web.json_response(
            {
                "calls": len(calls) + len(box.state.responses),
                "by_method": Counter(c.method for c in calls),
                "refused": Counter(f"{c.method}:{c.error}" for c in calls if not c.ok),
                "responses": len(box.state.responses),
            }
        )

    control = web.Application()
    control.router.add_post("/users", users)
    control.router.add_post("/register", register)
    control.router.add_post("/stats", stats)
    control.router.add_post("/responses", responses)
    runner = web.AppRunner(control, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    control_url = f"http://127.0.0.1:{port}"
    print("READY " + json.dumps({"api_url": api_url, "control_url": control_url}), flush=True)
    await asyncio.Event().wait()


# --- signed requests --------------------------------------------------------------------
@dataclass(frozen=True)
class Built:
    label: str
    body: bytes
    content_type: str


class RequestBuilder(SlackDriver):
    """SlackDriver's payloads, exactly as the tests build them, kept instead of sent: a round
    is built (and its tokens registered) before its clock starts."""

    def __init__(self, sandbox: RemoteSandbox) -> None:
        super().__init__(sandbox, "http://unused", SIGNING_SECRET)  # type: ignore[arg-type]
        self.built: list[Built] = []
        self.label = ""

    async def post(self, body: bytes, content_type: str, **_: Any) -> Answer:
        self.built.append(Built(self.label, body, content_type))
        return Answer(200, "", {})

    async def send_command(self, body: bytes, **_: Any) -> Answer:
        return await self.post(body, "application/x-www-form-urlencoded")  # kept, not sent

    def take(self) -> list[Built]:
        built, self.built = self.built, []
        return built


@dataclass(frozen=True)
class Timed:
    """One request's answer, timed by the client."""

    label: str
    status: int  # 0: no HTTP answer at all
    seconds: float  # from sending to having the whole answer
    body: bytes
    sent_at: float  # wall clock (time.time()), to compare with the sandbox's own readings


async def timed_post(http: aiohttp.ClientSession, url: str, request: Built) -> Timed:
    """Sign now, then time the request until its whole HTTP answer is in."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": request.content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(SIGNING_SECRET, timestamp, request.body),
    }
    sent_at, started = time.time(), time.perf_counter()
    try:
        async with http.post(url, data=request.body, headers=headers) as response:
            body = await response.read()
            status = response.status
    except aiohttp.ClientError as exc:
        body, status = repr(exc).encode(), 0
    return Timed(request.label, status, time.perf_counter() - started, body, sent_at)


async def fire(
    http: aiohttp.ClientSession, url: str, requests: Sequence[Built], concurrency: int
) -> list[Timed]:
    """Send `requests` with at most `concurrency` in flight. The collector is off meanwhile: a
    full collection in this process (it holds the whole seeded org) pauses every request in
    flight by ~100 ms, which would be timed as the server's."""
    gate = asyncio.Semaphore(concurrency)

    async def one(request: Built) -> Timed:
        async with gate:
            return await timed_post(http, url, request)

    gc.collect()
    gc.disable()
    try:
        return list(await asyncio.gather(*(one(r) for r in requests)))
    finally:
        gc.enable()


# --- SQL statements ---------------------------------------------------------------------
phase: contextvars.ContextVar[str] = contextvars.ContextVar("bench_phase", default="other")
TX_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


class StatementCounter:
    """Every statement the engine's cursors execute, by the `phase` it ran in; transaction
    control (SQLite's BEGIN IMMEDIATE) apart. asyncpg begins and commits without a cursor,
    so on PostgreSQL `tx` stays 0. An executemany counts once."""

    def __init__(self, *engines: AsyncEngine, keep: int = 12) -> None:
        self.sql: Counter[str] = Counter()
        self.tx: Counter[str] = Counter()
        self.samples: dict[str, list[str]] = {}
        self.keep = keep
        for engine in engines:  # a process's `Deps.engines`: SQLite's writers have their own
            event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        label = phase.get()
        if TX_CONTROL.match(statement):
            self.tx[label] += 1
            return
        self.sql[label] += 1
        shown = self.samples.setdefault(label, [])
        if len(shown) < self.keep:
            shown.append(" ".join(statement.split())[:110])

    def reset(self) -> None:
        self.sql.clear()
        self.tx.clear()
        self.samples.clear()

    def count(self, prefix: str = "") -> int:
        return sum(n for label, n in self.sql.items() if label.startswith(prefix))

    def tx_count(self, prefix: str = "") -> int:
        return sum(n for label, n in self.tx.items() if label.startswith(prefix))


@contextmanager
def in_phase(label: str) -> Iterator[None]:
    token = phase.set(label)
    try:
        yield
    finally:
        phase.reset(token)


# --- figures ----------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def machine() -> str:
    """The conditions figures were taken in: other work on the machine moves them a lot."""
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def database_label(url: str) -> str:
    return "PostgreSQL" if is_postgres(url) else "SQLite"


# --- the scripts' shared options ----------------------------------------------------------
def arguments(doc: str, **sizes: int) -> argparse.ArgumentParser:
    """The options every benchmark takes, plus `sizes` (name=default) as integer options."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for name, default in sizes.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    parser.add_argument("--history-weeks", type=int, default=4, help="weeks of history per rep")
    parser.add_argument("--tz", default=DEFAULT_TZ, help="everyone's time zone")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL of a database to wipe and use (default: a temporary SQLite file)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    return parser


def parse(parser: argparse.ArgumentParser) -> argparse.Namespace:
    args = parser.parse_args()
    if args.database_url and not is_postgres(args.database_url):
        parser.error("--database-url is for PostgreSQL; SQLite runs in a temporary file")
    return args


@contextmanager
def work_directory(keep: bool) -> Iterator[Path]:
    """Where the SQLite files and the helper processes' logs go."""
    if keep:
        path = Path(tempfile.mkdtemp(prefix="coach-bench-"))
        print(f"work directory (kept): {path}")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        yield Path(tmp)


# --- helper processes ---------------------------------------------------------------------
def _serve_bare(port: int, api_url: str, *, process_before_response: bool = False) -> None:
    """A bolt AsyncApp that only acks the same command and buttons, on coach's HTTP stack;
    with `process_before_response`, bolt answers when the listener returns instead of polling
    for its ack every 10 ms (coach runs this way, its listeners returning at their ack)."""
    from slack_bolt.async_app import AsyncApp

    from app import logs
    from app.server import uvicorn_server
    from app.slack.client import make_web_client
    from app.slack.ids import Action, Command
    from app.web import build_web_app

    logs.configure("INFO")  # as `coach serve` does
    settings = bench_settings("sqlite+aiosqlite://", api_url)
    bolt = AsyncApp(
        client=make_web_client(settings, BOT_TOKEN),
        signing_secret=SIGNING_SECRET,
        request_verification_enabled=False,  # coach's gate checks it, as in `coach serve`
        process_before_response=process_before_response,
    )

    async def just_ack(ack: Any) -> None:
        await ack()

    bolt.command(Command.DRILL.value)(just_ack)
    bolt.action(re.compile(rf"^{Action.SCORE.value}_[1-5]$"))(just_ack)
    engine = make_engine(settings.database_url)  # only /healthz would touch it
    server = uvicorn_server(
        build_web_app(bolt, engine, signing_secret=SIGNING_SECRET), port=port, host="127.0.0.1"
    )
    asyncio.run(server.serve())


class SteppedClock:
    """Real-speed time that starts at the first instant; `advance()` jumps to the next."""

    def __init__(self, instants: Sequence[datetime]) -> None:
        self.instants = list(instants)
        self.base = self.instants.pop(0)
        self.started = time.monotonic()

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.started)

    def advance(self) -> None:
        if self.instants:
            self.base, self.started = self.instants.pop(0), time.monotonic()


def _serve_at(instants: Sequence[datetime]) -> int:
    """`coach serve` (settings from the environment) on a SteppedClock."""
    import app.server
    from app.cli import run

    clock = SteppedClock(instants)
    signal.signal(signal.SIGUSR1, lambda *_: clock.advance())
    if not hasattr(app.server, "system_clock"):
        print("app.server no longer reads system_clock: the clock is not simulated", flush=True)
    app.server.system_clock = clock  # type: ignore[attr-defined]
    return run(["serve"])


def _peak(args: Sequence[str]) -> int:
    from app.cli import run

    code = run(list(args))
    # VmHWM, not getrusage's ru_maxrss: Linux carries the forking parent's high-water mark
    # across fork and exec into ru_maxrss, so it would report the benchmark's own size.
    peak_kb = int(memory_mb(os.getpid())["VmHWM"] * 1024)
    print(f"peak_rss_kb={peak_kb}", file=sys.stderr)
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description="benchmark helper processes")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sandbox")
    bare = commands.add_parser("bare")
    bare.add_argument("--port", type=int, required=True)
    bare.add_argument("--api-url", required=True)
    bare.add_argument("--process-before-response", action="store_true")
    serve_at = commands.add_parser("serve-at")
    serve_at.add_argument("instants", nargs="+", type=datetime.fromisoformat)
    peak = commands.add_parser("peak")
    peak.add_argument("coach_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command == "sandbox":
        asyncio.run(_serve_sandbox())
    elif args.command == "bare":
        _serve_bare(args.port, args.api_url, process_before_response=args.process_before_response)
    elif args.command == "serve-at":
        sys.exit(_serve_at(args.instants))
    else:
        sys.exit(_peak(args.coach_args))


if __name__ == "__main__":
    main()
