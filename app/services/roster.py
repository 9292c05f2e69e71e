"""The roster: who is a rep, manager, director or admin, and who reports to whom.

Parsing and every rule are pure functions; `apply_roster` is the one place that writes.

A roster file is read as a stream of lines (`read_roster_rows`), each checked as it comes;
what is kept of a line is one small `RosterRow`, never the text. The whole-file checks need
only those rows. At most `PROBLEMS_LISTED` problems are kept to be shown; the others are
counted.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.db.models import Workspace
from app.db.roster_queries import KnownPerson
from app.db.store import Store
from app.rules.types import Role, is_slack_user_id

REQUIRED_COLUMNS = ("slack_user_id", "role", "manager_slack_user_id")
PROBLEMS_LISTED = 50  # problems kept to be shown; the rest are only counted
WRITE_BATCH = 2000  # people read and written per statement by `apply_roster`
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Who may be whose manager: a rep reports to a manager (or a director who coaches directly),
# a manager to a director; directors and admins may report to a director.
ALLOWED_MANAGER_ROLES: Mapping[Role, frozenset[Role]] = {
    Role.REP: frozenset({Role.MANAGER, Role.DIRECTOR}),
    Role.MANAGER: frozenset({Role.DIRECTOR}),
    Role.DIRECTOR: frozenset({Role.DIRECTOR}),
    Role.ADMIN: frozenset({Role.MANAGER, Role.DIRECTOR}),
}


@dataclass(frozen=True, slots=True)
class RosterEntry:
    slack_user_id: str
    role: Role
    manager_slack_user_id: str | None
    email: str | None = None
    timezone: str | None = None
    line: int | None = None  # where the file lists them (None: not from a file)


@dataclass(frozen=True)
class RosterProblem:
    line: int | None  # CSV line number (header is line 1); None outside a file
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class RosterInvalid(Exception):
    """The file cannot be imported: the first problems by line (at most `PROBLEMS_LISTED`),
    how many there are in all, and on how many lines."""

    problems: list[RosterProblem] = field(default_factory=list)
    total: int = 0  # every problem found; 0: just those listed
    lines: int = 0  # lines with at least one problem; 0: those of the listed ones

    def __post_init__(self) -> None:
        self.total = self.total or len(self.problems)
        self.lines = self.lines or len({p.line for p in self.problems if p.line})

    @property
    def unlisted(self) -> int:
        return self.total - len(self.problems)

    def __str__(self) -> str:
        listed = "; ".join(str(p) for p in self.problems)
        return f"{listed}; and {self.unlisted} more" if self.unlisted else listed


class Problems:
    """Problems as they are found: the first `limit` by line are kept, the rest counted."""

    def __init__(self, limit: int = PROBLEMS_LISTED) -> None:
        self.limit = limit
        self.kept: list[RosterProblem] = []
        self.total = 0
        self.lines: set[int] = set()  # one small int per bad line, however many problems

    def add(self, line: int | None, message: str) -> None:
        self.total += 1
        if line:
            self.lines.add(line)
        self.kept.append(RosterProblem(line, message))
        if len(self.kept) >= 2 * self.limit:  # sorted and cut now and then: bounded
            self.kept = self._first()

    def __bool__(self) -> bool:
        return self.total > 0

    def _first(self) -> list[RosterProblem]:
        return sorted(self.kept, key=lambda p: (p.line or 0, p.message))[: self.limit]

    def raise_any(self) -> None:
        if self.total:
            raise RosterInvalid(self._first(), self.total, len(self.lines))


@dataclass(frozen=True, slots=True)
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
    # A manager's id and a time zone repeat on many lines: one string each, shared.
    manager = sys.intern(manager) if manager else None
    timezone = sys.intern(timezone) if timezone else None
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
    """`read_roster_rows` of a whole file already in memory."""
    return read_roster_rows(io.StringIO(text))


def read_roster_rows(lines: Iterable[str]) -> list[RosterRow]:
    """Every line of a roster file (an open text file, or any lines), each checked on its own
    as it is read (ids, emails, roles, zones, no one listed twice), or RosterInvalid with the
    first problems by line and how many there are."""
    problems = Problems()
    rows: list[RosterRow] = []
    first_line: dict[str, int] = {}
    for line, parsed, errors in checked_lines(lines):
        for error in errors:
            problems.add(line, error)
        if parsed is None:
            continue
        names = [n for n in (parsed.slack_user_id, parsed.email) if n]
        again = next((n for n in names if n in first_line), None)
        if again is not None:
            problems.add(line, f"{again} is already listed on line {first_line[again]}")
            continue
        first_line.update(dict.fromkeys(names, line))
        if not problems:  # once the file is refused, rows are no longer kept
            rows.append(parsed)
    if not rows and not problems:
        problems.add(None, "the file lists nobody: add one row per person")
    problems.raise_any()
    return rows


def checked_lines(lines: Iterable[str]) -> Iterator[tuple[int, RosterRow | None, list[str]]]:
    """Each non-blank line as it is read: its number, the row (None when it has problems) and
    its problems. Lazy: nothing is read ahead of the line asked for."""
    reader = csv.DictReader(_without_bom(lines))
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
    for row in reader:
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # blank line
        line = reader.line_num
        parsed, errors = _parse_row(row, line)
        yield line, parsed, errors


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    first = True
    for text in lines:
        yield text.lstrip("\ufeff") if first else text
        first = False


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
    problems = Problems()
    # Only the emails the file names a manager by: the others are never looked up (a person
    # named by email alone is Slack's to say; one already listed by id was refused by line).
    manager_emails = {row.manager for row in rows if row.manager and "@" in row.manager}
    id_of_email = {
        row.email: row.slack_user_id
        for row in rows
        if row.email and row.slack_user_id and row.email in manager_emails
    }
    id_of_email |= dict(ids_by_email)
    entries: dict[str, RosterEntry] = {}
    for row in rows:
        user_id = row.slack_user_id or (id_of_email.get(row.email) if row.email else None)
        if user_id is None:
            why = unknown.get(row.email or "", "users_not_found")
            problems.add(row.line, _unknown_email(row.email or "", why))
            continue
        if user_id in entries:
            problems.add(
                row.line,
                f"{row.named} is {user_id} in Slack, already listed on line "
                f"{entries[user_id].line}",
            )
            continue
        manager = row.manager
        if manager is not None and "@" in manager:
            manager = id_of_email.get(manager)
            if manager is None:
                problems.add(row.line, f"manager {row.manager} of {row.named} is not on the roster")
                continue
        entries[user_id] = RosterEntry(
            user_id, row.role, manager, row.email, row.timezone, row.line
        )
    if not problems:
        for user_id, message in check_hierarchy(entries):
            found = entries.get(user_id)
            problems.add(found.line if found else None, message)
    problems.raise_any()
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
    store: Store, workspace: Workspace, entries: Sequence[RosterEntry], now: datetime
) -> RosterSummary:
    """Make the workspace's roster match a validated file; people missing from it are
    deactivated, never deleted, so their coaching history stays.

    Written `WRITE_BATCH` people at a time, managers before their reports (a new person's
    manager has an id by then): per batch one SELECT of who is stored, one many-row INSERT of
    who is new, one executemany UPDATE of who changed. All inside the caller's transaction, so
    the import stays all or nothing; what is held besides `entries` is a batch, the ids of
    the people who manage someone, and at the end the ids of the people to deactivate."""
    managers = {e.manager_slack_user_id for e in entries if e.manager_slack_user_id}
    manager_ids: dict[str, int] = {}
    created = updated = unchanged = 0
    await store.plan_each_batch()
    for batch in write_batches(entries, WRITE_BATCH):
        known = await store.known_people(workspace.id, [e.slack_user_id for e in batch])
        new: list[dict[str, object]] = []
        changed: list[dict[str, object]] = []
        for entry in batch:
            boss = entry.manager_slack_user_id
            manager_id = manager_ids.get(boss) if boss else None
            person = known.get(entry.slack_user_id)
            if person is None:
                new.append(_new_person(workspace.id, entry, manager_id, now))
                continue
            if entry.slack_user_id in managers:
                manager_ids[entry.slack_user_id] = person.id
            change = _changes(person, entry, manager_id, now)
            if change is None:
                unchanged += 1
            else:
                changed.append(change)
                updated += 1
        added = await store.insert_people(new)
        created += len(added)
        manager_ids.update((u, i) for u, i in added.items() if u in managers)
        await store.update_people(changed)

    listed = {e.slack_user_id for e in entries}
    gone: list[int] = []
    async for page in store.active_people(workspace.id):
        gone.extend(person_id for person_id, slack_user_id in page if slack_user_id not in listed)
    for start in range(0, len(gone), WRITE_BATCH):
        await store.deactivate_people(gone[start : start + WRITE_BATCH], now)
    by_role = {role: sum(1 for e in entries if e.role is role) for role in Role}
    return RosterSummary(created, updated, unchanged, len(gone), by_role)


def write_batches(entries: Sequence[RosterEntry], size: int) -> Iterator[list[RosterEntry]]:
    """The entries `size` at a time, level by level down the reporting lines: everyone comes
    after their manager, in a batch of their own level."""
    managers = {e.manager_slack_user_id for e in entries if e.manager_slack_user_id}
    # Only the people who manage someone are looked up: a few hundred of 100,000.
    depth = _depths(
        {e.slack_user_id: e.manager_slack_user_id for e in entries if e.slack_user_id in managers}
    )

    def level(entry: RosterEntry) -> int:
        if entry.slack_user_id in depth:
            return depth[entry.slack_user_id]
        boss = entry.manager_slack_user_id
        return depth.get(boss, -1) + 1 if boss else 0

    batch: list[RosterEntry] = []
    current = 0
    for entry in sorted(entries, key=level):
        here = level(entry)
        if batch and (len(batch) >= size or here != current):
            yield batch
            batch = []
        batch.append(entry)
        current = here
    if batch:
        yield batch


def _depths(manager_of: Mapping[str, str | None]) -> dict[str, int]:
    """How far below the top of its reporting line each of these people is (0: reports to
    nobody among them). A loop (refused before any write) counts from where it closes."""
    depth: dict[str, int] = {}
    for start in manager_of:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current in manager_of:
            if current in depth or current in chain:
                break
            chain.append(current)
            current = manager_of[current]
        base = depth.get(current, -1) if current is not None else -1
        for offset, slack_user_id in enumerate(reversed(chain), start=1):
            depth[slack_user_id] = base + offset
    return depth


def _new_person(
    workspace_id: int, entry: RosterEntry, manager_id: int | None, now: datetime
) -> dict[str, object]:
    return {
        "workspace_id": workspace_id,
        "slack_user_id": entry.slack_user_id,
        "role": entry.role,
        "manager_id": manager_id,
        "email": entry.email,
        "tz": entry.timezone,
        "active": True,
        "created_at": now,
        "updated_at": now,
    }


def _changes(
    person: KnownPerson, entry: RosterEntry, manager_id: int | None, now: datetime
) -> dict[str, object] | None:
    """What the file changes of someone stored, or None when nothing: the file's email wins
    when it gives one, its time zone only until Slack's profile has been read."""
    email = entry.email or person.email
    tz = entry.timezone if entry.timezone and not person.profile_read else person.tz
    after = (entry.role, manager_id, True, email, tz)
    if after == (person.role, person.manager_id, person.active, person.email, person.tz):
        return None
    return {
        "person_id": person.id,
        "role": entry.role,
        "manager_id": manager_id,
        "active": True,
        "email": email,
        "tz": tz,
        "updated_at": now,
    }
