"""People's Slack profiles (time zone, name, email), read from Slack and checked before kept.

- `Directory.read(ids)`: users.info for a few people; users.list, 200 a page, for many
  (Tier 2 with 200 people a call beats Tier 4 with one).
- `Directory.by_email(emails)`: users.lookupByEmail for a few, users.list for many.

A person Slack cannot tell us about comes back `Unreadable` with the reason: Slack's error code,
or "unreachable" for an answer that never came or was not Slack's JSON. A 429 stops the reading
at once: the answer says how long Slack asked to wait, and leaves out the people not asked
about yet, so the caller knows they were never tried.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from app.rules.types import as_typed, is_slack_user_id
from app.services.people import SlackProfile
from app.slack.client import error_code, http_status, retry_after_s

log = logging.getLogger(__name__)

LIST_FROM = 50  # from this many people on, one users.list sweep instead of a call each
LIST_PAGE = 200  # Slack recommends no more than 200 a page
CONCURRENCY = 4  # users.info / lookupByEmail calls in flight at once
RATELIMITED = "ratelimited"
UNREACHABLE = "unreachable"
# Worth trying again soon: the next call may well work.
TRANSIENT = frozenset(
    {RATELIMITED, UNREACHABLE, "internal_error", "fatal_error", "request_timeout"}
)
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}")


@dataclass(frozen=True, slots=True)  # one per person read: 100,000 in a big sweep
class Profile:
    slack_user_id: str
    tz: str | None  # an IANA zone Python knows, or None
    display_name: str | None
    email: str | None
    deleted: bool = False
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Unreadable:
    reason: str

    @property
    def transient(self) -> bool:
        return self.reason in TRANSIENT


Read = Profile | Unreadable


@dataclass(frozen=True)
class Reads:
    """What a read found, by the key asked for (a user id or an email)."""

    found: dict[str, Read]
    retry_after_s: int | None = None  # Slack asked to wait: whoever is not in `found` waits


def _text(data: Any, key: str, limit: int) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return as_typed(value).strip()[:limit] or None if isinstance(value, str) else None


def _zone(name: str | None) -> str | None:
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return sys.intern(name)  # the same few zones for everyone: one string each


def as_kept(profile: Profile) -> SlackProfile:
    """The profile in the domain's words."""
    return SlackProfile(profile.tz, profile.display_name, profile.email, profile.deleted)


def profile_from_user(user: Any) -> Profile | None:
    """What we keep of a Slack user object (users.info, users.list or a user_change event);
    None when it is not one."""
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return None
    if not is_slack_user_id(user["id"]):
        return None
    inner = user.get("profile")
    name = _text(inner, "display_name", 255) or _text(inner, "real_name", 255)
    email = _text(inner, "email", 254)
    return Profile(
        slack_user_id=user["id"],
        tz=_zone(_text(user, "tz", 64)),
        display_name=name or _text(user, "real_name", 255),
        email=email.lower() if email and _EMAIL.fullmatch(email) else None,
        deleted=user.get("deleted") is True,
        is_bot=user.get("is_bot") is True,
    )


def _failure(exc: BaseException) -> tuple[Unreadable, int | None]:
    """Why a call failed, and the seconds to wait when it was a 429."""
    if isinstance(exc, SlackApiError):
        if http_status(exc) == 429:
            return Unreadable(RATELIMITED), retry_after_s(exc)
        code = error_code(exc)
        return Unreadable(UNREACHABLE if code.startswith("http_") else code), None
    return Unreadable(UNREACHABLE), None


CALL_FAILURES = (SlackApiError, aiohttp.ClientError, TimeoutError, OSError, ValueError)


class Directory:
    """Reads profiles through one workspace's bot client."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def read(self, slack_user_ids: Iterable[str], *, sweep: bool = True) -> Reads:
        """Each person's profile, or why it could not be read. Without `sweep`, one users.info
        each however many (the tick, which paces them)."""
        wanted = sorted(set(slack_user_ids))
        if sweep and len(wanted) >= LIST_FROM:
            return await self._sweep(wanted, lambda p: p.slack_user_id, "user_not_found")
        return await self._one_each(wanted, self._info)

    async def by_email(self, emails: Iterable[str]) -> Reads:
        """The person Slack has for each email address (lower case), or why not."""
        wanted = sorted({e.strip().lower() for e in emails})
        if len(wanted) >= LIST_FROM:
            return await self._sweep(wanted, lambda p: p.email, "users_not_found")
        return await self._one_each(wanted, self._lookup)

    async def _info(self, slack_user_id: str) -> Read:
        response = await self.client.users_info(user=slack_user_id)
        read = _checked(response.get("user"), "user_not_found")
        if isinstance(read, Profile) and read.slack_user_id != slack_user_id:
            return Unreadable("user_not_found")  # Slack answered about someone else
        return read

    async def _lookup(self, email: str) -> Read:
        response = await self.client.users_lookupByEmail(email=email)
        read = _checked(response.get("user"), "users_not_found")
        if isinstance(read, Profile) and read.email not in (None, email):
            return Unreadable("users_not_found")  # Slack answered about someone else
        return read

    async def _one_each(self, keys: Sequence[str], call: Callable[[str], Awaitable[Read]]) -> Reads:
        found: dict[str, Read] = {}
        slots = asyncio.Semaphore(CONCURRENCY)
        wait: list[int] = []  # a 429's Retry-After: ask nothing more

        async def one(key: str) -> None:
            async with slots:
                if wait:
                    return
                try:
                    found[key] = await call(key)
                except CALL_FAILURES as exc:
                    failure, retry_after = _failure(exc)
                    if retry_after is None:
                        found[key] = failure
                    else:
                        wait.append(retry_after)

        await asyncio.gather(*(one(key) for key in keys))
        return Reads(found, max(wait) if wait else None)

    async def _sweep(
        self, wanted: Sequence[str], key: Callable[[Profile], str | None], missing: str
    ) -> Reads:
        """Page through users.list until everyone wanted is found; whoever is not in the
        workspace's whole list is not in the workspace (`missing`)."""
        left = set(wanted)
        found: dict[str, Read] = {}
        cursor = ""
        while left:
            try:
                page = await self.client.users_list(limit=LIST_PAGE, cursor=cursor or None)
            except CALL_FAILURES as exc:
                failure, retry_after = _failure(exc)
                log.warning("users.list stopped: %s (%s left to read)", failure.reason, len(left))
                if not failure.transient:  # a refusal (a missing scope…) answers for everyone
                    found.update(dict.fromkeys(left, failure))
                return Reads(found, retry_after)
            for member in _members(page):
                profile = profile_from_user(member)
                name = key(profile) if profile is not None else None
                if profile is not None and name in left:
                    found[name] = profile
                    left.discard(name)
            cursor = _next_cursor(page)
            if not cursor:
                break
        found.update(dict.fromkeys(left, Unreadable(missing)))
        return Reads(found)


def _checked(user: Any, missing: str) -> Read:
    profile = profile_from_user(user)
    return profile if profile is not None else Unreadable(missing)


def _members(page: AsyncSlackResponse) -> list[Any]:
    members = page.get("members")
    return members if isinstance(members, list) else []


def _next_cursor(page: AsyncSlackResponse) -> str:
    metadata = page.get("response_metadata")
    cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
    return cursor if isinstance(cursor, str) and len(cursor) < 1000 else ""
