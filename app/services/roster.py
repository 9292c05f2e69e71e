"""The roster: who is a rep, manager, director or admin, and who reports to whom.

Parsing and every rule are pure functions; `apply_roster` is the one place that writes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.db.models import Person, Workspace
from app.db.store import Store
from app.rules.types import Role, is_slack_user_id

REQUIRED_COLUMNS = ("slack_user_id", "role", "manager_slack_user_id")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Who may be whose manager: a rep reports to a manager (or a director who coaches directly),
# a manager to a director; directors and admins may report to a director.
ALLOWED_MANAGER_ROLES: Mapping[Role, frozenset[Role]] = {
    Role.REP: frozenset({Role.MANAGER, Role.DIRECTOR}),
    Role.MANAGER: frozenset({Role.DIRECTOR}),
    Role.DIRECTOR: frozenset({Role.DIRECTOR}),
    Role.ADMIN: frozenset({Role.MANAGER, Role.DIRECTOR}),
}


@dataclass(frozen=True)
class RosterEntry:
    slack_user_id: str
    role: Role
    manager_slack_user_id: str | None
    email: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class RosterProblem:
    line: int | None  # CSV line number (header is line 1); None outside a file
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class RosterInvalid(Exception):
    problems: list[RosterProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)


@dataclass(frozen=True)
class RosterRow:
    """One line of a roster file as written: a person named by Slack id or by email."""

    line: int
    slack_user_id: str | None
    email: str | None  # lower case
    role: Role
    manager: str | None  # a Slack user id, or the email of someone in the file
    timezone: str | None

    @property
    def named(self) -> str:
        return self.slack_user_id or self.email or ""


def _is_email(text: str) -> bool:
    return len(text) <= 254 and EMAIL.match(text) is not None


def _parse_row(row: Mapping[str, str | None], line: int) -> tuple[RosterRow | None, list[str]]:
    def cell(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    errors: list[str] = []
    user_id = cell("slack_user_id")
    email = (cell("email") or "").lower() or None
    if user_id is None and email is None:
        errors.append("name the person: fill in slack_user_id or email")
    elif user_id is not None and not is_slack_user_id(user_id):
        errors.append(f"slack_user_id {user_id!r} is not a Slack user id (like U012AB3CD)")
    if email is not None and not _is_email(email):
        errors.append(f"email {cell('email')!r} is not an email address")
    role_text = (cell("role") or "").lower()
    role = Role(role_text) if role_text in Role._value2member_map_ else None
    if role is None:
        allowed = ", ".join(r.value for r in Role)
        errors.append(f"role {cell('role')!r} is not one of {allowed}")
    manager = cell("manager_slack_user_id")
    if manager is not None and "@" in manager:
        manager = manager.lower()
        if not _is_email(manager):
            errors.append(f"manager_slack_user_id {manager!r} is not a Slack user id or email")
    elif manager is not None and not is_slack_user_id(manager):
        errors.append(f"manager_slack_user_id {manager!r} is not a Slack user id or email")
    timezone = cell("timezone")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(f"timezone {timezone!r} is not an IANA time zone (like Europe/Berlin)")
    if errors or role is None:
        return None, errors
    return RosterRow(line, user_id, email, role, manager, timezone), []


def check_hierarchy(entries: Mapping[str, RosterEntry]) -> list[tuple[str, str]]:
    """Every rule about who reports to whom, as (slack_user_id, problem) pairs."""
    problems: list[tuple[str, str]] = []
    for user_id, entry in entries.items():
        manager_id = entry.manager_slack_user_id
        if manager_id is None:
            if entry.role is Role.REP:
                problems.append((user_id, f"rep {user_id} has no manager_slack_user_id"))
            continue
        if manager_id == user_id:
            problems.append((user_id, f"{user_id} cannot be their own manager"))
            continue
        manager = entries.get(manager_id)
        if manager is None:
            problems.append((user_id, f"manager {manager_id} of {user_id} is not on the roster"))
            continue
        allowed = ALLOWED_MANAGER_ROLES[entry.role]
        if manager.role not in allowed:
            wanted = " or ".join(sorted(r.value for r in allowed))
            problems.append(
                (
                    user_id,
                    f"{user_id} ({entry.role.value}) cannot report to {manager_id}, "
                    f"who is a {manager.role.value}; their manager must be a {wanted}",
                )
            )
    problems.extend(_cycles(entries))
    return problems


def _cycles(entries: Mapping[str, RosterEntry]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    reported: set[str] = set()
    for start in entries:
        seen: list[str] = []
        current: str | None = start
        while current is not None and current in entries and current not in seen:
            seen.append(current)
            current = entries[current].manager_slack_user_id
        if current is not None and current in seen and current not in reported:
            loop = seen[seen.index(current) :]
            reported.update(loop)
            chain = " → ".join([*loop, current])
            problems.append((current, f"reporting lines form a loop: {chain}"))
    return problems


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def parse_roster_rows(text: str) -> list[RosterRow]:
    """Every line of a roster file, each checked on its own (ids, emails, roles, zones,
    no one listed twice), or RosterInvalid listing every problem by line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise RosterInvalid(
            [
                RosterProblem(
                    1,
                    "the header must start with slack_user_id,role,manager_slack_user_id "
                    f"(missing: {', '.join(missing)})",
                )
            ]
        )
    reader.fieldnames = header
    problems: list[RosterProblem] = []
    rows: list[RosterRow] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # blank line
        parsed, errors = _parse_row(row, line)
        problems.extend(RosterProblem(line, e) for e in errors)
        if parsed is None:
            continue
        names = [n for n in (parsed.slack_user_id, parsed.email) if n]
        again = next((n for n in names if n in first_line), None)
        if again is not None:
            problems.append(
                RosterProblem(line, f"{again} is already listed on line {first_line[again]}")
            )
            continue
        first_line.update(dict.fromkeys(names, line))
        rows.append(parsed)
    if not rows and not problems:
        problems.append(RosterProblem(None, "the file lists nobody: add one row per person"))
    if problems:
        raise RosterInvalid(sorted(problems, key=lambda p: (p.line or 0, p.message)))
    return rows


def emails_to_look_up(rows: Iterable[RosterRow]) -> set[str]:
    """The emails of people the file names by email only: Slack must say who they are."""
    return {row.email for row in rows if row.slack_user_id is None and row.email}


def resolve_rows(
    rows: Sequence[RosterRow],
    ids_by_email: Mapping[str, str],
    unknown_emails: Mapping[str, str] | None = None,
) -> list[RosterEntry]:
    """The roster's entries, every person by Slack id (`ids_by_email` is what Slack said of
    the emails asked about; `unknown_emails`, why it knows nothing of some), checked as a
    whole: nobody twice, everyone's manager on the roster, no reporting loops. Otherwise
    RosterInvalid, every problem by line, and nothing to write."""
    unknown = unknown_emails or {}
    problems: list[RosterProblem] = []
    id_of_email = {row.email: row.slack_user_id for row in rows if row.email and row.slack_user_id}
    id_of_email |= dict(ids_by_email)
    entries: dict[str, RosterEntry] = {}
    line_of: dict[str, int] = {}
    for row in rows:
        user_id = row.slack_user_id or (id_of_email.get(row.email) if row.email else None)
        if user_id is None:
            why = unknown.get(row.email or "", "users_not_found")
            problems.append(RosterProblem(row.line, _unknown_email(row.email or "", why)))
            continue
        if user_id in entries:
            problems.append(
                RosterProblem(
                    row.line,
                    f"{row.named} is {user_id} in Slack, already listed on line {line_of[user_id]}",
                )
            )
            continue
        manager = row.manager
        if manager is not None and "@" in manager:
            manager = id_of_email.get(manager)
            if manager is None:
                problems.append(
                    RosterProblem(
                        row.line, f"manager {row.manager} of {row.named} is not on the roster"
                    )
                )
                continue
        entries[user_id] = RosterEntry(user_id, row.role, manager, row.email, row.timezone)
        line_of[user_id] = row.line
    if not problems:
        problems.extend(
            RosterProblem(line_of.get(user_id), message)
            for user_id, message in check_hierarchy(entries)
        )
    if problems:
        raise RosterInvalid(sorted(problems, key=lambda p: (p.line or 0, p.message)))
    return list(entries.values())


def _unknown_email(email: str, why: str) -> str:
    if why == "users_not_found":
        return (
            f"Slack has no user with the email {email}: check the address, "
            "or give their slack_user_id instead"
        )
    if why == "not_looked_up":
        return (
            f"{email} needs Slack to say who it is: set SLACK_BOT_TOKEN (or install coach "
            "in the workspace) and import again, or give their slack_user_id"
        )
    return f"Slack could not look up {email} ({why}): import again in a minute"


def parse_roster_csv(text: str) -> list[RosterEntry]:
    """All entries of a roster file that names everyone by Slack id, or RosterInvalid
    listing every problem by line (a file naming people by email: `resolve_rows`)."""
    rows = parse_roster_rows(text)
    not_looked_up = dict.fromkeys(emails_to_look_up(rows), "not_looked_up")
    return resolve_rows(rows, {}, not_looked_up)


def entries_by_id(entries: Iterable[RosterEntry]) -> dict[str, RosterEntry]:
    return {entry.slack_user_id: entry for entry in entries}


@dataclass(frozen=True)
class RosterSummary:
    created: int
    updated: int
    unchanged: int
    deactivated: int
    by_role: dict[Role, int]

    def describe(self) -> str:
        roles = ", ".join(
            plural(count, role.value) for role, count in self.by_role.items() if count
        )
        return (
            f"Roster imported: {self.created} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deactivated} deactivated ({roles})."
        )


async def apply_roster(
    store: Store, workspace: Workspace, entries: list[RosterEntry], now: datetime
) -> RosterSummary:
    """Make the workspace's roster match a validated file; people missing from it are
    deactivated, never deleted, so their coaching history stays."""
    existing = {p.slack_user_id: p for p in await store.people(workspace.id, active_only=False)}
    created = updated = unchanged = 0
    people: dict[str, Person] = {}
    before: dict[str, tuple[object, ...]] = {}
    for entry in entries:
        person = existing.get(entry.slack_user_id)
        if person is None:
            person = Person(
                workspace_id=workspace.id,
                slack_user_id=entry.slack_user_id,
                role=entry.role,
                active=True,
                created_at=now,
                updated_at=now,
            )
            store.add(person)
            created += 1
        else:
            before[entry.slack_user_id] = _snapshot(person)
        person.role = entry.role
        person.active = True
        if entry.email:
            person.email = entry.email
        if entry.timezone and person.profile_synced_at is None:
            person.tz = entry.timezone  # Slack's profile wins once we have read it
        people[entry.slack_user_id] = person
    await store.flush()  # new people get ids before managers are linked

    for entry in entries:
        manager = people.get(entry.manager_slack_user_id) if entry.manager_slack_user_id else None
        person = people[entry.slack_user_id]
        person.manager_id = manager.id if manager is not None else None
        previous = before.get(entry.slack_user_id)
        if previous is None:
            continue
        if previous != _snapshot(person):
            person.updated_at = now
            updated += 1
        else:
            unchanged += 1

    deactivated = 0
    for slack_user_id, person in existing.items():
        if slack_user_id not in people and person.active:
            person.active = False
            person.updated_at = now
            deactivated += 1
    await store.flush()
    by_role = {role: sum(1 for e in entries if e.role is role) for role in Role}
    return RosterSummary(created, updated, unchanged, deactivated, by_role)


def _snapshot(person: Person) -> tuple[object, ...]:
    return (person.role, person.manager_id, person.active, person.email, person.tz)
