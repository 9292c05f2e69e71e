"""A roster file into the database, with every person's Slack profile (`coach roster import`,
and the demo's set-up).

1. Every line is checked on its own (ids, emails, roles, time zones, nobody twice).
2. People named by email are looked up in Slack; an address Slack doesn't know is that line's
   problem.
3. The file is checked as a whole (managers on the roster, no reporting loops).
4. Everyone's Slack profile is read (time zone, name, email): users.list for a big roster.
5. One transaction writes the roster and what the profiles said, a batch of people at a time
   (`apply_roster`; the profiles `PROFILE_BATCH` records at a time).

Nothing is written while any line has a problem. A file is read as a stream of lines and
kept as one small row per person (`read_roster_rows`), so 100,000 people fit in bounded
memory. Without Slack (no token yet), a file naming
people by email is refused, and the profiles are left to the ticks, which read them before
planning anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.delivery.profile_reads import ProfileReport, keep_reads
from app.deps import Deps
from app.services.roster import (
    RosterEntry,
    RosterRow,
    RosterSummary,
    apply_roster,
    emails_to_look_up,
    parse_roster_rows,
    resolve_rows,
)
from app.slack.profiles import RATELIMITED, Directory, Profile, Reads
from app.slack.render.delivery_words import advice
from app.slack.workspace_access import WORKSPACE_ERRORS

PROFILE_BATCH = 2000  # people's records loaded at a time to keep what Slack said of them


class SlackRefused(Exception):
    """Slack refused coach's token while importing: the message says what to do."""


@dataclass(frozen=True)
class ImportReport:
    summary: RosterSummary
    profiles: ProfileReport | None  # None: Slack was not asked (no token yet)
    not_read: int = 0  # people whose profile waits for the ticks (Slack asked us to wait)

    def describe(self) -> str:
        lines = [self.summary.describe()]
        if self.profiles is None:
            lines.append(
                "Slack profiles not read (coach has no token for this workspace yet): the "
                "next `coach tick` or `coach serve` reads them before planning anyone."
            )
            return "\n".join(lines)
        unreadable = sum(self.profiles.unreadable.values())
        line = f"Read {self.profiles.read} Slack profiles (time zone, name, email)."
        if unreadable:
            reasons = ", ".join(f"{n} {why}" for why, n in sorted(self.profiles.unreadable.items()))
            line += (
                f" {unreadable} could not be read ({reasons}): they get the file's time zone, "
                "or COACH_DEFAULT_TZ, and `/coach status` lists them."
            )
        if self.not_read:
            line += f" {self.not_read} more are read by the next ticks (Slack asked to wait)."
        lines.append(line)
        return "\n".join(lines)


def _refusal(reads: Reads) -> str | None:
    for read in reads.found.values():
        reason = getattr(read, "reason", None)
        if reason in WORKSPACE_ERRORS:
            return str(reason)
    return None


async def import_roster(
    deps: Deps, roster: str | Sequence[RosterRow], team_id: str, client: AsyncWebClient | None
) -> ImportReport:
    """Import `roster` (a roster CSV's text, or its rows as `read_roster_rows` read them) for
    workspace `team_id`, asking Slack through `client` (None: coach has no token there yet).
    RosterInvalid lists the first problems by line, and how many there are."""
    rows = parse_roster_rows(roster) if isinstance(roster, str) else roster
    directory = Directory(client) if client is not None else None
    entries = await _resolved(rows, directory)
    del rows  # the entries hold all that is written
    reads = None
    if directory is not None:
        reads = await directory.read([e.slack_user_id for e in entries])
        _check_token(reads)
    now = deps.clock()
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(team_id, now)
        workspace_id = workspace.id
        summary = await apply_roster(store, workspace, entries, now)
        if reads is None:
            return ImportReport(summary, None)
        report = ProfileReport()
        read_ids = [e.slack_user_id for e in entries if e.slack_user_id in reads.found]
        for start in range(0, len(read_ids), PROFILE_BATCH):
            batch = read_ids[start : start + PROFILE_BATCH]
            keep_reads(await store.people_named(workspace_id, batch), reads, now, report)
            await session.flush()
            session.expunge_all()  # written: the next batch's records replace these
    return ImportReport(summary, report, not_read=len(entries) - len(reads.found))


async def _resolved(rows: Sequence[RosterRow], directory: Directory | None) -> list[RosterEntry]:
    """Everyone by Slack id, the people named by email looked up in Slack first."""
    ids_by_email: dict[str, str] = {}
    unknown: dict[str, str] = {}
    emails = emails_to_look_up(rows)
    if emails and directory is None:
        unknown = dict.fromkeys(emails, "not_looked_up")
    elif emails and directory is not None:
        found = await directory.by_email(emails)
        _check_token(found)
        for email in emails:
            read = found.found.get(email)
            if isinstance(read, Profile):
                ids_by_email[email] = read.slack_user_id
            else:
                unknown[email] = read.reason if read is not None else RATELIMITED
    return resolve_rows(rows, ids_by_email, unknown)


def _check_token(reads: Reads) -> None:
    refused = _refusal(reads)
    if refused is not None:
        said = advice(refused)
        raise SlackRefused(f"{said.why} ({refused}): {said.todo}. Nothing was imported.")
