"""The two endpoints coach reads: GET /v2/users and POST /v2/calls/extensive."""

from __future__ import annotations

from typing import Any

from app.sandbox.gong.calls_query import read_filter, read_selector
from app.sandbox.gong.errors import NO_CALLS, GongError
from app.sandbox.gong.model import GongCall, GongUser
from app.sandbox.gong.paging import fingerprint, page_of, read_cursor
from app.sandbox.gong.payloads import call_json, user_json

USERS = "/v2/users"
CALLS_EXTENSIVE = "/v2/calls/extensive"


class Endpoints:
    users: dict[str, GongUser]
    calls: dict[str, GongCall]
    page_size: int
    host_name: str
    workspace_id: str
    company_slug: str
    _cursor_salt: str

    def _list_users(self, query: dict[str, str], body: Any) -> dict[str, Any]:
        avatars = query.get("includeAvatars", "false").lower()
        if avatars not in ("true", "false"):
            raise GongError(400, "includeAvatars: must be true or false")
        bound_to = fingerprint(self._cursor_salt, USERS, {"includeAvatars": avatars})
        offset = read_cursor(query["cursor"], USERS, bound_to) if "cursor" in query else 0
        everyone = list(self.users.values())  # the stand-in has no avatars
        page, records = page_of(
            everyone, offset=offset, size=self.page_size, endpoint=USERS, bound_to=bound_to
        )
        return {
            "records": records,
            "users": [user_json(user, self.company_slug) for user in page],
        }

    def _list_calls(self, query: dict[str, str], body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise GongError(400, "The request body must be a JSON object with a filter")
        call_filter = read_filter(body)
        selector = read_selector(body)
        if selector.media:
            raise GongError(
                403,
                "contentSelector.exposedFields.media needs the 'api:calls:read:media-url' "
                "scope, which this key does not have",
            )
        inputs = {k: body.get(k) for k in ("filter", "contentSelector")}
        bound_to = fingerprint(self._cursor_salt, CALLS_EXTENSIVE, inputs)
        offset = (
            read_cursor(body["cursor"], CALLS_EXTENSIVE, bound_to)
            if body.get("cursor") is not None
            else 0
        )
        matching = sorted(
            (c for c in self.calls.values() if call_filter.matches(c, self.workspace_id)),
            key=lambda c: (c.started, c.id),
        )
        if not matching:
            raise GongError(404, NO_CALLS)
        page, records = page_of(
            matching,
            offset=offset,
            size=self.page_size,
            endpoint=CALLS_EXTENSIVE,
            bound_to=bound_to,
        )
        return {
            "records": records,
            "calls": [
                call_json(
                    call,
                    self.users[call.user_id],
                    selector,
                    host_name=self.host_name,
                    workspace_id=self.workspace_id,
                )
                for call in page
            ],
        }
