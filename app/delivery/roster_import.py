"""A roster file into the database, with every person's Slack profile (`coach roster import`,
and the demo's set-up).

1. Every line is checked on its own (ids, emails, roles, time zones, nobody twice).
2. People named by email are looked up in Slack; an address Slack doesn't know is that line's
   problem.
3. The file is checked as a whole (managers on the roster, no reporting loops).
4. Everyone's Slack profile is read (time zone, name, email): users.list for a big roster.
5. One transaction writes the roster and what the profiles said.

Nothing is written while any line has a problem. Without Slack (no token yet), a file naming
people by email is refused, and the profiles are left to the ticks, which read them before
planning anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.delivery.profile_reads import ProfileReport, keep_reads
from app.deps import Deps
from app.services.roster import (
    RosterSummary,
    apply_roster,
    emails_to_look_up,
    parse_roster_rows,
    resolve_rows,
)
from app.slack.profiles import RATELIMITED, Directory, Profile, Reads
from app.slack.render.delivery_words import advice
from app.slack.workspace_access import WORKSPACE_ERRORS


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
    deps: Deps, text: str, team_id: str, client: AsyncWebClient | None
) -> ImportReport:
    """Import `text` (a roster CSV) for workspace `team_id`, asking Slack through `client`
    (None: coach has no token there yet). RosterInvalid lists every problem by line."""
    rows = parse_roster_rows(text)
    directory = Directory(client) if client is not None else None
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
    entries = resolve_rows(rows, ids_by_email, unknown)
    reads = None
    if directory is not None:
        reads = await directory.read([e.slack_user_id for e in entries])
        _check_token(reads)
    now = deps.clock()
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(team_id, now)
        summary = await apply_roster(store, workspace, entries, now)
        if reads is None:
            return ImportReport(summary, None)
        report = ProfileReport()
        imported = [p for p in await store.people(workspace.id) if p.slack_user_id in reads.found]
        keep_reads(imported, reads, now, report)
    return ImportReport(summary, report, not_read=len(entries) - len(reads.found))


def _check_token(reads: Reads) -> None:
    refused = _refusal(reads)
    if refused is not None:
        said = advice(refused)
        raise SlackRefused(f"{said.why} ({refused}): {said.todo}. Nothing was imported.")
