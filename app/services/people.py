"""Use cases about people: who is asking, profile sync, and one-person roster edits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.db.models import Person, Workspace
from app.db.store import Store
from app.rules.refusals import NotAllowed, NotOnRoster, NotSetUp, Refusal, UserError
from app.rules.types import Role
from app.services.roster import RosterEntry, check_hierarchy

# A profile is read again once it is this old (people move, and change their time zone).
PROFILE_MAX_AGE = timedelta(days=1)
# A read that failed for a passing reason (Slack slow, a 429) is tried again this soon.
PROFILE_RETRY = timedelta(minutes=15)
NO_TIME_ZONE = "no_time_zone"  # Slack's profile had no time zone we know


@dataclass(frozen=True)
class Actor:
    workspace: Workspace
    person: Person | None  # None: not on the roster

    def require_person(self) -> Person:
        if self.person is None or not self.person.active:
            raise NotOnRoster()
        return self.person


async def actor(store: Store, team_id: str, slack_user_id: str) -> Actor:
    """Who is asking, in a workspace coach knows (an installation, or an imported roster,
    made it known); refused in any other, where nothing is ever stored."""
    workspace = await store.workspace_by_team(team_id)
    if workspace is None:
        raise NotSetUp()
    return await _acting_in(store, workspace, slack_user_id)


async def known_actor(store: Store, team_id: str, slack_user_id: str) -> Actor | None:
    """Who is asking, without writing anything (read-only sessions): None for a team coach
    has no record of yet."""
    workspace = await store.workspace_by_team(team_id)
    if workspace is None:
        return None
    return await _acting_in(store, workspace, slack_user_id)


async def reader(store: Store, team_id: str, slack_user_id: str) -> Actor:
    """`known_actor` for an answer that needs the workspace: refused when it is unknown."""
    found = await known_actor(store, team_id, slack_user_id)
    if found is None:
        raise NotOnRoster()
    return found


async def _acting_in(store: Store, workspace: Workspace, slack_user_id: str) -> Actor:
    person = await store.person(workspace.id, slack_user_id)
    return Actor(workspace, person if person is not None and person.active else None)


def profile_is_stale(person: Person | None, now: datetime) -> bool:
    if person is None:
        return False
    return person.profile_synced_at is None or now - person.profile_synced_at > PROFILE_MAX_AGE


@dataclass(frozen=True)
class SlackProfile:
    """What a Slack profile says about someone, as coach keeps it."""

    tz: str | None  # an IANA zone, or None when the profile has none
    display_name: str | None
    email: str | None = None
    deleted: bool = False


def read_profile(person: Person, profile: SlackProfile, now: datetime) -> None:
    """Keep what Slack's profile says. Its time zone wins over the roster's; a profile
    without one leaves the roster's (or the workspace default) and is flagged; the roster's
    email wins over Slack's (admins may have chosen it on purpose)."""
    if profile.tz:
        person.tz = profile.tz
    if profile.display_name:
        person.display_name = profile.display_name
    if profile.email and not person.email:
        person.email = profile.email
    person.profile_error = (
        "account_inactive" if profile.deleted else None if profile.tz else NO_TIME_ZONE
    )
    person.profile_synced_at = person.profile_checked_at = person.updated_at = now


def profile_unreadable(person: Person, reason: str, now: datetime) -> None:
    """Slack could not tell us about this person: what we knew stays, the reason is kept
    for the admin, and the person is planned with the time zone there is (the roster's, or
    the workspace default) rather than not at all."""
    person.profile_error = reason[:64]
    person.profile_checked_at = person.updated_at = now


async def sync_profile(
    store: Store, team_id: str, slack_user_id: str, profile: SlackProfile, now: datetime
) -> Person | None:
    """Keep a profile Slack sent (user_change); people not on the roster are ignored."""
    workspace = await store.workspace_by_team(team_id)
    if workspace is None:
        return None
    person = await store.person(workspace.id, slack_user_id)
    if person is None:
        return None
    read_profile(person, profile, now)
    return person


# --- one-person roster edits from Slack (/coach) --------------------------------------


@dataclass(frozen=True)
class RosterChange:
    slack_user_id: str
    role: Role
    manager_slack_user_id: str | None
    created: bool


async def require_admin(store: Store, actor: Actor, refusal: Refusal = Refusal.ADMIN_ONLY) -> None:
    """Refused, naming up to three admins to ask, unless the actor is an admin."""
    if actor.person is not None and actor.person.role is Role.ADMIN:
        return
    admins = await store.admins(actor.workspace.id)
    raise NotAllowed(refusal, admins=tuple(a.slack_user_id for a in admins[:3]))


async def _active_roster(store: Store, workspace_id: int) -> dict[str, RosterEntry]:
    people = await store.people(workspace_id)
    slack_id_of = {p.id: p.slack_user_id for p in people}
    return {
        p.slack_user_id: RosterEntry(
            p.slack_user_id,
            Role(p.role),
            slack_id_of.get(p.manager_id) if p.manager_id is not None else None,
        )
        for p in people
    }


def _first_problem_about(roster: dict[str, RosterEntry], slack_user_id: str) -> str | None:
    problems = check_hierarchy(roster)
    about = [msg for who, msg in problems if who == slack_user_id or slack_user_id in msg]
    candidates = about or [msg for _, msg in problems]
    return candidates[0] if candidates else None


async def set_person(
    store: Store,
    actor: Actor,
    *,
    slack_user_id: str,
    role: Role,
    manager_slack_user_id: str | None,
    now: datetime,
) -> RosterChange:
    """Add someone to the roster, or change their role and manager (admin only)."""
    await require_admin(store, actor)
    workspace_id = actor.workspace.id
    roster = await _active_roster(store, workspace_id)
    roster[slack_user_id] = RosterEntry(slack_user_id, role, manager_slack_user_id)
    problem = _first_problem_about(roster, slack_user_id)
    if problem is not None:
        raise UserError(Refusal.ROSTER_PROBLEM, problem=problem)

    manager = (
        await store.person(workspace_id, manager_slack_user_id) if manager_slack_user_id else None
    )
    person = await store.person(workspace_id, slack_user_id)
    created = person is None
    if person is None:
        person = Person(
            workspace_id=workspace_id,
            slack_user_id=slack_user_id,
            created_at=now,
        )
        store.add(person)
    person.role = role
    person.manager_id = manager.id if manager is not None else None
    person.active = True
    person.updated_at = now
    await store.flush()
    return RosterChange(slack_user_id, role, manager_slack_user_id, created)


async def move_person(
    store: Store, actor: Actor, *, slack_user_id: str, manager_slack_user_id: str, now: datetime
) -> RosterChange:
    """Give someone on the roster a new manager, keeping their role."""
    person = await store.person(actor.workspace.id, slack_user_id)
    if person is None or not person.active:
        await require_admin(store, actor)
        raise UserError(
            Refusal.MOVE_NOT_ON_ROSTER, person=slack_user_id, manager=manager_slack_user_id
        )
    return await set_person(
        store,
        actor,
        slack_user_id=slack_user_id,
        role=Role(person.role),
        manager_slack_user_id=manager_slack_user_id,
        now=now,
    )


async def remove_person(
    store: Store, actor: Actor, *, slack_user_id: str, now: datetime
) -> RosterChange:
    """Take someone off the roster (deactivated, never deleted: their history stays)."""
    await require_admin(store, actor)
    person = await store.person(actor.workspace.id, slack_user_id)
    if person is None or not person.active:
        raise UserError(Refusal.REMOVE_NOT_ON_ROSTER, person=slack_user_id)
    reports = await store.reports_of([person.id])
    if reports:
        raise UserError(
            Refusal.STILL_HAS_REPORTS,
            person=slack_user_id,
            reports=tuple(r.slack_user_id for r in reports[:5]),
        )
    person.active = False
    person.updated_at = now
    return RosterChange(slack_user_id, Role(person.role), None, created=False)
