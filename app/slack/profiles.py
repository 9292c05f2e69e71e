"""Reads a person's Slack profile (time zone, name) through users.info."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Profile:
    tz: str | None
    display_name: str | None


def profile_from_user(user: dict[str, Any]) -> Profile:
    """The fields we keep from a Slack user object (users.info or a user_change event)."""
    inner = user.get("profile") or {}
    name = inner.get("display_name") or inner.get("real_name") or user.get("real_name")
    return Profile(tz=user.get("tz") or None, display_name=name or None)


async def fetch_profile(client: AsyncWebClient, slack_user_id: str) -> Profile | None:
    try:
        response = await client.users_info(user=slack_user_id)
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", slack_user_id, exc.response.get("error"))
        return None
    return profile_from_user(response.get("user") or {})
