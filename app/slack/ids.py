"""Every Slack identifier the code and the manifests share, in one place."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    DRILL = "/drill"
    COACH = "/coach"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
    USER_CHANGE = "user_change"


# Web API methods the bot calls; the manifest test derives the needed bot scopes from these.
WEB_API_METHODS: frozenset[str] = frozenset({"auth.test", "users.info", "views.publish"})

# Exactly the bot scopes the manifests request (a test derives them from the code's needs).
BOT_SCOPES: frozenset[str] = frozenset({"commands", "users:read"})
