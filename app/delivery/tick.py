"""The tick: plan what is due into the ledger, then claim, compose, send and record it.

`coach tick` and the in-process scheduler run exactly this. The ledger, not the SDK, decides
about retries: a 429 waits for Retry-After, a 5xx or a dropped connection backs off, a
permanent error (the person left, DMs are off) marks the row failed with its reason and the
queue goes on. Every scheduled DM carries its delivery id in the message metadata.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import random
import socket
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app import observability
from app.clock import Clock, RunningFrom, system_clock
from app.db.ledger import AMBIGUOUS, Claimed, Claims, Ledger, SentMark, wall_now
from app.db.models import Person
from app.db.pace import Pacer, sending_pace
from app.db.setup_queries import Setup
from app.db.store import Store
from app.delivery.charts import ChartMaker
from app.delivery.connection_watch import ConnectionWatch
from app.delivery.crm_tick import CrmReport, CrmTick
from app.delivery.profile_reads import READ_RATE, ProfileReport, refresh_profiles
from app.delivery.sent_marks import SentMarks
from app.deps import Deps
from app.recorder.connection import environment_credentials
from app.recorder.sync import RecorderFactory, SyncReport, gong_recorder, sync_recorders
from app.rules import fair_share
from app.rules.types import MESSAGES, Step
from app.services import week_plan, weekly_messages
from app.services.digests import Digest
from app.slack.client import Clients, error_code, http_status, retry_after_s
from app.slack.metadata import delivery_id_in, delivery_metadata, dm_channel, message_ts
from app.slack.render.weekly import render
from app.slack.workspace_access import WORKSPACE_ERRORS, announce_disabled

log = logging.getLogger(__name__)

POST_METHOD = "chat.postMessage"
MAX_PACE_WAIT_S = 5.0  # look again at least this often while paced back
LOOK_AGAIN_S = MAX_PACE_WAIT_S  # for workspaces with rows newly due, while lanes send
RECONCILE_SLACK = timedelta(minutes=5)  # history is read from a little before the due time
RECONCILE_DEPTH = 50  # messages read back: far more than coach sends anyone in a week
MAX_BACKOFF = timedelta(minutes=15)
# A claim younger than this share of its lease is sent without renewing it: what is left of
# the lease outlasts composing and a post's timeout many times over.
FRESH_LEASE_SHARE = 0.25
RECORDER_BUDGET_S = 20.0
RECORDER_GRACE_S = 30.0  # a safety net: the sync checks its budget before every request
# Errors about the person or the workspace that no retry will fix.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "account_inactive",
        "messages_tab_disabled",
        "cannot_dm_bot",
        "channel_not_found",
        "user_disabled",
        "is_archived",
        "invalid_blocks",
        "invalid_metadata_format",
        "msg_too_long",
        "no_text",
    }
)


def sender_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickReport:
    planned: int = 0
    expired: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    stopped: bool = False  # asked to stop: what was not sent waits for the next tick
    out_of_time: bool = False  # sending used the tick's budget: the next tick goes on at once
    profiles: ProfileReport = field(default_factory=ProfileReport)
    recorder: SyncReport = field(default_factory=SyncReport)
    crm: CrmReport = field(default_factory=CrmReport)

    def describe(self) -> str:
        parts = [self.profiles.describe()] if self.profiles.describe() else []
        parts += [self.recorder.describe()] if self.recorder.describe() else []
        parts += [self.crm.describe()] if self.crm.describe() else []
        parts += [f"{self.planned} planned", f"{self.expired} past their window"]
        parts += [f"{count} {outcome}" for outcome, count in sorted(self.outcomes.items())]
        if self.stopped:
            parts.append("stopped early; the rest goes out on the next tick")
        elif self.out_of_time:
            parts.append("sending used this tick's time; the rest goes out on the next tick")
        return ", ".join(parts)


@dataclass(frozen=True)
class Ready:
    """A fresh claim's message, composed as soon as it was claimed (Outbox.prepare): None
    when its workspace is disabled (the row goes back unsent); `person` is its recipient."""

    person: Person | None
    composed: weekly_messages.Composed | None


async def posted_before(
    client: AsyncWebClient, slack_user_id: str, claim: Claimed
) -> tuple[str, str] | None:
    """(channel, ts) of this delivery's message, if an earlier attempt did post it: every DM
    carries its delivery id in message metadata, and the DM's history says what arrived."""
    opened = await client.conversations_open(users=slack_user_id)
    channel = dm_channel((opened.get("channel") or {}).get("id"))
    if channel is None:
        raise ValueError("conversations.open named no DM channel")
    history = await client.conversations_history(
        channel=channel,
        oldest=f"{(claim.due_at - RECONCILE_SLACK).timestamp():.6f}",
        limit=RECONCILE_DEPTH,
        include_all_metadata=True,
    )
    messages = history.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        ts = message_ts(message.get("ts"))
        if ts is not None and delivery_id_in(message.get("metadata")) == claim.id:
            return channel, ts
    return None


slack_error = error_code


def _drop(lanes: dict[int, asyncio.Task[None]], workspace_id: int, _: object) -> None:
    lanes.pop(workspace_id, None)


def backoff(attempts: int) -> timedelta:
    base = timedelta(seconds=30) * (2 ** max(attempts - 1, 0))
    shortest: timedelta = min(base, MAX_BACKOFF)
    return shortest * random.uniform(0.5, 1.0)


class Outbox:
    """Sends what the ledger has due. One per process: `stop()` then `release()` at shutdown."""

    def __init__(self, deps: Deps, client_for: Clients, owner: str | None = None) -> None:
        self.deps = deps
        self.client_for = client_for
        self.owner = owner or sender_id()
        settings = deps.settings
        # The rate until a pace is learned; a fixed one when the admin's cap is the start.
        self.rate, self.learning = sending_pace(
            settings.coach_send_start_per_minute, settings.coach_send_rate_per_minute
        )
        self.read_rate = READ_RATE  # profile reads (users.info); a simulated week goes faster
        self.recorder_budget_s = RECORDER_BUDGET_S  # of each tick, for reading calls
        self.recorder_for: RecorderFactory = gong_recorder  # tests give a quicker timeout
        self.recorder_watch = ConnectionWatch()
        self.concurrency = settings.coach_send_concurrency
        # How long one send_due claims for: then the tick ends and the next one plans and
        # sends again, so a workspace Slack throttles cannot keep a tick (and planning) waiting.
        self.send_budget_s = settings.coach_tick_seconds
        self.lease = timedelta(seconds=settings.coach_lease_seconds)
        self.stopping = asyncio.Event()
        self.crm = CrmTick(deps, self.owner, self.stopping.is_set)  # deals in, drills out
        self.charts = ChartMaker(deps, client_for)  # the digests' trend charts
        self._planned: week_plan.PlanStamp | None = None  # what this process last planned from
        self._shape: week_plan.Shape | None = None  # the roster's shape, as of a setup stamp
        # Workspace → when (monotonic) the pause of a 429 this process was answered ends: a
        # send already claimed then must not post into it (the bucket row stops new claims).
        self._paused_until: dict[int, float] = {}
        # The posts' sent marks, written together when several posts end at once.
        self.sent_marks = SentMarks(self._record_sent)
        self._runs = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def stop(self) -> None:
        """Claim nothing more; sends already under way finish."""
        self.stopping.set()

    async def release(self, timeout_s: float = 30) -> int:
        """After `stop()`: wait for sends under way, then give back any row still held."""
        self.stop()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            log.warning("outbox: sends still under way after %ss; releasing them", timeout_s)
        async with self.deps.db.begin() as session:
            released = await Ledger(session).release(self.owner)
        if released:
            log.info("outbox: released %s claimed deliveries", released)
        self.charts.close()
        await self.client_for.close()
        return released

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Plan, expire and send everything due at `now`. Twice is the same as once."""
        now = now or self.deps.clock()
        report = TickReport()
        with self._running():
            # Profiles first: someone read this tick is planned in it, at their own time.
            report.profiles = await refresh_profiles(
                self.deps, self.client_for, now, self.read_rate
            )
            setup = await self.read_setup()  # after the profiles: what they changed counts
            # The recorder alongside the week, never in front of it: a slow Gong delays no DM
            # (what a DM shows of calls was read ticks before: a week is read once it ends).
            async with asyncio.TaskGroup() as group:
                recorder = group.create_task(self.read_recorders(now, setup))
                crm = group.create_task(self.crm.run(now, setup.crms))
                report.planned = await self.plan(now, setup)
                report.outcomes, report.out_of_time = await self._send_due(now)
            report.recorder = recorder.result()
            report.crm = crm.result()
            async with self.deps.db.begin() as session:
                report.expired = await Ledger(session).expire(now)
            observability.record_delivery("skipped", report.expired)
        report.stopped = self.stopping.is_set()
        return report

    async def read_setup(self) -> Setup:
        """The setup stamp and the outside connections at a glance: one statement."""
        async with self.deps.reads() as session:
            return await Store(session).setup()

    async def read_recorders(self, now: datetime, setup: Setup | None = None) -> SyncReport:
        """Calls from the call recorder, within the tick's budget for it. A failure here is
        the recorder's story, never the week's: the tick goes on. Nothing at all while no
        workspace has a recorder (`setup`, when the tick read it, says)."""
        rows = setup.recorders if setup is not None else None
        from_environment = environment_credentials(self.deps.settings) is not None
        if not self.recorder_watch.due(rows, from_environment, system_clock()):
            return SyncReport()
        budget = self.recorder_budget_s
        try:
            report = await asyncio.wait_for(
                sync_recorders(
                    self.deps,
                    now,
                    self.owner,
                    recorder_for=self.recorder_for,
                    budget_s=budget,
                    stopping=self.stopping.is_set,
                ),
                budget + RECORDER_GRACE_S,
            )
        except TimeoutError:
            log.warning("recorder sync cut after %ss; it goes on next tick", budget)
            return SyncReport(connections=1, problems=Counter({"cut": 1}))
        except Exception:
            log.exception("recorder sync failed unexpectedly; the tick goes on")
            return SyncReport()
        self.recorder_watch.looked(report.connections, system_clock())
        return report

    async def plan(self, now: datetime, setup: Setup | None = None) -> int:
        """Put what is due at `now` into the ledger. Reads, works out what is due with no
        transaction open (a big roster must not keep a connection idle in transaction while
        Python thinks), then inserts: a fixed number of statements for any headcount. With no
        window open, or the same windows and roster as this process last planned, the roster
        is not read at all; while the setup stamp (read here unless the tick did) stays put,
        nor is its shape."""
        default_tz = self.deps.settings.coach_default_tz
        async with self.deps.reads() as session:
            store = Store(session)
            version = (setup or await store.setup()).version
            schedules = await week_plan.read_schedules(
                store, now, default_tz, self._planned, known=self._shape, version=version
            )
        self._shape = schedules.shape
        if not schedules.people:
            if schedules.stamp is not None:
                self._planned = schedules.stamp
            return 0
        # Pure work over the whole roster: in a thread, so the event loop keeps answering.
        due = await asyncio.to_thread(schedules.due, now, default_tz)
        async with self.deps.db.begin() as session:
            planned = await Ledger(session).plan(due, now)
        self._planned = schedules.stamp  # only once the rows are in
        return planned

    @contextlib.contextmanager
    def _running(self) -> Iterator[None]:
        self._runs += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._runs -= 1
            if not self._runs:
                self._idle.set()

    async def send_due(
        self, now: datetime | None = None, *, person_id: int | None = None, kind: Step | None = None
    ) -> Counter[str]:
        """Send what is due, each workspace at its own pace in a lane of its own, sharing the
        process's `concurrency` senders fairly (app/rules/fair_share.py). Only one person's
        deliveries of one kind, when given: then a paced-back row waits for a tick.

        Given `now`, the sending keeps a clock that starts there and runs at real speed (what
        falls due meanwhile, a retry after a 429 say, goes too); without, the process's clock.
        It claims for `send_budget_s` at most: what is left then waits for the next tick."""
        outcomes, _ = await self._send_due(now, person_id=person_id, kind=kind)
        return outcomes

    async def _send_due(
        self, now: datetime | None = None, *, person_id: int | None = None, kind: Step | None = None
    ) -> tuple[Counter[str], bool]:
        """send_due's outcomes, and whether its time ran out with lanes still claiming."""
        outcomes: Counter[str] = Counter()
        clock: Clock = RunningFrom(now) if now is not None else self.deps.clock
        ends = time.monotonic() + self.send_budget_s
        out_of_time = False

        def in_time() -> bool:
            nonlocal out_of_time
            out_of_time = out_of_time or time.monotonic() >= ends
            return not (out_of_time or self.stopping.is_set())

        senders = asyncio.Semaphore(self.concurrency)
        kinds = MESSAGES if kind is None else frozenset({kind})
        lanes: dict[int, asyncio.Task[None]] = {}
        emptied: dict[int, float] = {}  # workspace → when its lane last found nothing to claim

        async def send(claim: Claimed, claimed_at: float, ready: Ready | None) -> None:
            try:
                async with senders:
                    if self.stopping.is_set():  # claimed, never started: hand it straight back
                        outcome = await self._give_back(claim)
                    else:
                        outcome = await self.send_one(claim, clock(), claimed_at, ready)
            except Exception:  # one row's surprise must not stop everyone else's prompt
                log.exception(
                    "delivery id=%s failed unexpectedly; retried after its lease", claim.id
                )
                outcome = "error"
            outcomes[outcome] += 1
            observability.record_delivery(outcome)

        async def lane(workspace_id: int, group: asyncio.TaskGroup) -> None:
            """One workspace's queue: claimed, paced and paused on its own."""
            held: set[asyncio.Task[None]] = set()
            not_before = 0.0  # monotonic: the pace refuses another claim before this
            while in_time():
                wanted = fair_share.claim_size(
                    fair_share.lane_share(self.concurrency, len(lanes)), len(held)
                )
                if not wanted:
                    await asyncio.wait(held, return_when=asyncio.FIRST_COMPLETED)
                    continue
                if (early := not_before - time.monotonic()) > 0:
                    await self._pause(min(early, ends - time.monotonic()))  # else empty
                    continue
                claims = await self._claim(clock(), wanted, workspace_id, person_id, kinds)
                claimed_at = time.monotonic()
                prepared = await self._prepare_claimed(claims.rows, clock())
                for claim in claims.rows:
                    task = group.create_task(send(claim, claimed_at, prepared.get(claim.id)))
                    held.add(task)
                    task.add_done_callback(held.discard)
                if claims.rows:
                    not_before = time.monotonic() + (claims.wait_s or 0.0)
                    continue
                if claims.wait_s is None or person_id is not None:
                    break
                await self._pause(min(claims.wait_s, ends - time.monotonic()))
            emptied[workspace_id] = time.monotonic()
            if held:
                await asyncio.wait(held)

        with self._running():
            async with asyncio.TaskGroup() as group:
                while in_time():
                    due = await self._due_workspaces(clock(), person_id, kinds)
                    for workspace_id in sorted(due):
                        recently = time.monotonic() - emptied.get(workspace_id, -LOOK_AGAIN_S)
                        if workspace_id not in lanes and recently >= LOOK_AGAIN_S:
                            task = group.create_task(lane(workspace_id, group))
                            lanes[workspace_id] = task
                            task.add_done_callback(functools.partial(_drop, lanes, workspace_id))
                    if not lanes:
                        break
                    # Look again when a lane is done, or every few seconds: retries fall due,
                    # another replica plans rows, a paused workspace has something new.
                    await asyncio.wait(
                        list(lanes.values()),
                        timeout=max(min(LOOK_AGAIN_S, ends - time.monotonic()), 0.001),
                        return_when=asyncio.FIRST_COMPLETED,
                    )
        return outcomes, out_of_time

    async def _due_workspaces(
        self, at: datetime, person_id: int | None, kinds: frozenset[Step]
    ) -> dict[int, int]:
        async with self.deps.reads() as session:  # no write lock: SQLite's other writers go on
            return await Ledger(session).due_workspaces(at, person_id=person_id, kinds=kinds)

    async def _claim(
        self,
        at: datetime,
        limit: int,
        workspace_id: int,
        person_id: int | None,
        kinds: frozenset[Step],
    ) -> Claims:
        async with self.deps.db.begin() as session:
            pacer = Pacer(session, POST_METHOD, self.rate, self.learning)
            return await Ledger(session, lease=self.lease).claim(
                at,
                self.owner,
                limit,
                person_id=person_id,
                workspace_id=workspace_id,
                kinds=kinds,
                pacer=pacer,
            )

    async def _record_sent(self, marks: Sequence[SentMark]) -> None:
        async with self.deps.db.begin() as session:
            await Ledger(session).sent_many(marks)

    async def _give_back(self, claim: Claimed, reason: str | None = None) -> str:
        async with self.deps.db.begin() as session:
            await Ledger(session).give_back(claim, reason)
        return "released"

    async def _pause(self, seconds: float) -> None:
        """Wait for the pace (woken early by stop())."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), min(max(seconds, 0.001), MAX_PACE_WAIT_S))

    def _fresh(self, claimed_at: float | None) -> bool:
        """Whether a claim made at `claimed_at` (monotonic) still holds most of its lease:
        then no other sender can have it before its post has long timed out, and sending
        needs no renewal."""
        if claimed_at is None:
            return False
        return time.monotonic() - claimed_at < self.lease.total_seconds() * FRESH_LEASE_SHARE

    async def prepare(self, claims: Sequence[Claimed], now: datetime) -> dict[int, Ready]:
        """The messages of claims made just now (delivery id → Ready), read together in one
        read session: on SQLite the process's one writer is not held while they are put
        together. A claim that may have reached Slack already (ambiguous) is left out: it is
        reconciled first. A lane's claims are one workspace's: its state is read once."""
        fresh = [claim for claim in claims if not claim.ambiguous]
        if not fresh:
            return {}
        tz = self.deps.settings.coach_default_tz
        async with self.deps.reads() as session:
            store = Store(session)
            workspaces = {claim.workspace_id for claim in fresh}
            active = {w for w in sorted(workspaces) if await store.workspace_active(w)}
            held = [claim for claim in fresh if claim.workspace_id not in active]
            fresh = [claim for claim in fresh if claim.workspace_id in active]
            prepared = {claim.id: Ready(None, None) for claim in held}  # given back, unsent
            if not fresh:
                return prepared
            people = {p.id: p for p in await store.people_by_ids(c.person_id for c in fresh)}
            composed = await weekly_messages.compose_many(
                store, Ledger(session), fresh, people, now, tz
            )
        return prepared | {c.id: Ready(people.get(c.person_id), composed[c.id]) for c in fresh}

    async def _prepare_claimed(self, claims: Sequence[Claimed], now: datetime) -> dict[int, Ready]:
        """`prepare` for a lane's new claims. Should that fail, nothing is prepared and each
        send composes its own: one row's surprise stays that row's."""
        try:
            return await self.prepare(claims, now)
        except Exception:
            log.exception("composing %s deliveries together failed; each goes alone", len(claims))
            return {}

    async def send_one(
        self,
        claim: Claimed,
        now: datetime,
        claimed_at: float | None = None,
        ready: Ready | None = None,
    ) -> str:
        """Compose, post and record one claimed delivery. `claimed_at`, when the claim was
        made moments ago (monotonic), spares its renewal: the message is the one `ready`
        holds (composed at the claim) or is composed from a read now."""
        if not claim.ambiguous and self._fresh(claimed_at):
            if ready is None:
                ready = (await self.prepare([claim], now))[claim.id]
            return await self._send_ready(claim, ready, now)
        tz = self.deps.settings.coach_default_tz
        composed: weekly_messages.Composed | None = None
        async with self.deps.db.begin() as session:
            store, ledger = Store(session), Ledger(session, lease=self.lease)
            renewed = await ledger.renew(claim)
            if not renewed:
                disabled = not await store.workspace_active(claim.workspace_id)
            else:
                person = await store.person_by_id(claim.person_id)
                reconcile_first = claim.ambiguous and person is not None
                if not reconcile_first:  # one transaction from lease to message
                    composed = await self._compose(session, claim, person, now, tz)
        if not renewed:
            if disabled:
                return await self._held_back(claim)
            log.warning("delivery lease lost id=%s: another sender has it", claim.id)
            return "lost"
        if reconcile_first:
            assert person is not None
            # First: did an earlier attempt reach Slack? Then whatever the person did since
            # (answered the prompt, say) was an answer to it, not a reason to cancel it.
            reconciled = await self._reconcile(claim, person.slack_user_id, now)
            if reconciled is not None:
                return reconciled
            async with self.deps.db.begin() as session:
                composed = await self._compose(session, claim, person, now, tz)
        if isinstance(composed, weekly_messages.Skip):
            return "cancelled"
        assert person is not None and composed is not None  # compose skips who is gone
        return await self._post_composed(claim, person, composed, now)

    async def _send_ready(self, claim: Claimed, ready: Ready, now: datetime) -> str:
        """Send a fresh claim's prepared message: give the row back when its workspace was
        disabled since the claim, record a Skip, or post."""
        if ready.composed is None:
            return await self._held_back(claim)
        if isinstance(ready.composed, weekly_messages.Skip):
            async with self.deps.db.begin() as session:
                await self._skipped(session, claim, ready.composed)
            return "cancelled"
        assert ready.person is not None  # compose skips a recipient who is gone
        return await self._post_composed(claim, ready.person, ready.composed, now)

    async def _held_back(self, claim: Claimed) -> str:
        """The claim's workspace was disabled after the claim: the row goes back, unsent."""
        await self._give_back(claim, "workspace_disabled")
        self.client_for.forget(claim.workspace_id)
        return "held"

    async def _post_composed(
        self, claim: Claimed, person: Person, composed: weekly_messages.Composed, now: datetime
    ) -> str:
        """Post what was composed for `claim` (with a digest's charts) and record the outcome."""
        if isinstance(composed, Digest):
            charts = await self.charts.for_digest(person, claim.cycle_week)
            composed = dataclasses.replace(composed, charts=charts)
        if (paused_s := self._paused_until.get(claim.workspace_id, 0.0) - time.monotonic()) > 0:
            return await self._retry(claim, now + timedelta(seconds=paused_s), "ratelimited")
        client = await self.client_for(claim.workspace_id)
        try:
            response = await self._post(client, person.slack_user_id, composed, claim)
        except SlackApiError as exc:
            return await self._failed_send(claim, exc, now)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            # The request may have been processed before the connection failed.
            reason = f"{AMBIGUOUS}{type(exc).__name__}"
            return await self._retry(claim, now + backoff(claim.attempts), reason)
        await self.sent_marks.write(
            SentMark(claim, str(response["channel"]), str(response["ts"]), now)
        )
        late = self.deps.clock() - claim.due_at
        observability.record_lateness(claim.kind.value, late.total_seconds())
        log.info("delivery sent id=%s kind=%s", claim.id, claim.kind.value)
        return "sent"

    async def _compose(
        self,
        session: AsyncSession,
        claim: Claimed,
        person: Person | None,
        now: datetime,
        default_tz: str,
    ) -> weekly_messages.Composed:
        """The message for `claim`, in the caller's transaction; a Skip is recorded there as
        the delivery cancelled, its pace token given back (nothing was posted)."""
        ledger = Ledger(session, lease=self.lease)
        composed = await weekly_messages.compose(
            Store(session), ledger, claim, person, now, default_tz
        )
        if isinstance(composed, weekly_messages.Skip):
            await self._skipped(session, claim, composed)
        return composed

    async def _skipped(
        self, session: AsyncSession, claim: Claimed, skip: weekly_messages.Skip
    ) -> None:
        """Record `claim` cancelled for `skip`'s reason, and give its pace token back
        (nothing was posted), in the caller's transaction."""
        await Ledger(session, lease=self.lease).cancelled(claim, skip.reason)
        pacer = Pacer(session, POST_METHOD, self.rate, self.learning)
        await pacer.refund(claim.workspace_id, await wall_now(session))

    async def _post(
        self, client: AsyncWebClient, channel: str, composed: object, claim: Claimed
    ) -> AsyncSlackResponse:
        """Post the composed message. A digest whose charts Slack will not show (a file
        still being processed, say) goes again at once without them: the words are whole."""
        message = render(composed)
        metadata = delivery_metadata(claim.id, claim.cycle_week)
        try:
            return await client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks, metadata=metadata
            )
        except SlackApiError as exc:
            if not (isinstance(composed, Digest) and composed.charts):
                raise
            if slack_error(exc) != "invalid_blocks":
                raise
            log.warning("delivery id=%s: charts refused, sent without them", claim.id)
        message = render(dataclasses.replace(composed, charts=()))
        return await client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, metadata=metadata
        )

    async def _reconcile(self, claim: Claimed, slack_user_id: str, now: datetime) -> str | None:
        """The outcome when an earlier attempt's message is found in the DM (or looking for it
        failed); None when it is not there and the message is still to be sent."""
        client = await self.client_for(claim.workspace_id)
        try:
            found = await posted_before(client, slack_user_id, claim)
        except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            if isinstance(exc, SlackApiError) and slack_error(exc) in WORKSPACE_ERRORS:
                return await self._disable_workspace(claim, slack_error(exc), now)
            reason = f"{AMBIGUOUS}reconcile_failed:{type(exc).__name__}"
            return await self._retry(claim, now + backoff(claim.attempts), reason)
        if found is None:
            return None
        async with self.deps.db.begin() as session:
            await Ledger(session).sent(claim, found[0], found[1], now)
        log.info("delivery reconciled id=%s: it had reached Slack", claim.id)
        return "reconciled"

    async def _failed_send(self, claim: Claimed, exc: SlackApiError, now: datetime) -> str:
        status = http_status(exc) or 0
        error = slack_error(exc)
        if status == 429:
            observability.record_ratelimited(POST_METHOD)
            wait = timedelta(seconds=retry_after_s(exc))
            ends = time.monotonic() + wait.total_seconds()
            paused = self._paused_until
            paused[claim.workspace_id] = max(paused.get(claim.workspace_id, 0.0), ends)
            async with self.deps.db.begin() as session:
                await Pacer(session, POST_METHOD, self.rate, self.learning).pause(
                    claim.workspace_id, wait, await wall_now(session)
                )
            log.warning(
                "slack 429 workspace=%s: pausing sends for %ss",
                claim.workspace_id,
                int(wait.total_seconds()),
            )
            return await self._retry(claim, now + wait, "ratelimited")
        if error in WORKSPACE_ERRORS:
            return await self._disable_workspace(claim, error, now)
        if error in PERMANENT_ERRORS:
            async with self.deps.db.begin() as session:
                await Ledger(session).failed(claim, error)
            log.warning("delivery failed id=%s error=%s", claim.id, error)
            return "failed"
        ambiguous = status >= 500  # Slack may have posted before failing
        reason = f"{AMBIGUOUS}{error}" if ambiguous else error
        return await self._retry(claim, now + backoff(claim.attempts), reason)

    async def _disable_workspace(self, claim: Claimed, error: str, now: datetime) -> str:
        """Slack refused coach's token: stop the workspace (alert once) and keep the row, unsent,
        for when a working token comes back within its window."""
        async with self.deps.db.begin() as session:
            disabled = await Store(session).disable_workspace(claim.workspace_id, error, now)
            await Ledger(session).give_back(claim, error)
        self.client_for.forget(claim.workspace_id)
        if disabled:
            announce_disabled(claim.workspace_id, error)
        return "held"

    async def _retry(self, claim: Claimed, at: datetime, reason: str) -> str:
        """Try again at `at`, on the tick's clock (the one due times are compared with)."""
        async with self.deps.db.begin() as session:
            await Ledger(session).retry_later(claim, at, reason)
        log.info("delivery retry id=%s reason=%s at=%s", claim.id, reason, at.isoformat())
        return "retried"
