"""Modals and App Home: views.open/push/update/publish, with trigger_ids and view checks."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from app.sandbox import blockkit
from app.sandbox.server.file_refs import slack_file_problems
from app.sandbox.server.sandbox_base import SandboxBase
from app.sandbox.server.slack_errors import SlackError

TRIGGER_TTL = timedelta(seconds=3)
TRIGGER_FORMAT = re.compile(r"^\d+\.\d+\.[0-9a-f]+$")
VIEW_STACK_LIMIT = 3


class ViewMethods(SandboxBase):
    home_tab_enabled: bool

    async def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args["view"], "modal")
        user = self._use_trigger(args.get("trigger_id"))
        stored = self._store_view(view, user)
        self.state.view_stacks[user] = [stored["id"]]
        return {"view": stored}

    async def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args["view"], "modal")
        user = self._use_trigger(args.get("trigger_id"))
        stack = self.state.view_stacks.get(user) or []
        if not stack:
            raise SlackError("not_found", detail="no open modal to push onto")
        if len(stack) >= VIEW_STACK_LIMIT:
            raise SlackError("push_limit_reached")
        stored = self._store_view(view, user, root=stack[0])
        stack.append(stored["id"])
        return {"view": stored}

    async def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args["view"], "modal")
        target = None
        if args.get("view_id"):
            target = self.state.views.get(str(args["view_id"]))
        elif args.get("external_id"):
            target = next(
                (
                    v
                    for v in self.state.views.values()
                    if v.get("external_id") == args["external_id"]
                ),
                None,
            )
        if target is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != target["hash"]:
            raise SlackError("hash_conflict")
        target.update(view)
        target["hash"] = self.state.next_id("h")
        return {"view": target}

    async def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.home_tab_enabled:
            raise SlackError("not_enabled")
        view = self._check_view(args["view"], "home")
        user = str(args["user_id"])
        if user not in self.state.users:
            raise SlackError("user_not_found")
        current = self.state.home_views.get(user)
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = {**view, "id": self.state.next_id("V"), "hash": self.state.next_id("h")}
        self.state.home_views[user] = stored
        return {"view": stored}

    def _check_view(self, view: Any, expected_type: str | None = None) -> dict[str, Any]:
        problems = blockkit.check_view(view, expected_type=expected_type)
        if not problems:
            blocks = view.get("blocks")
            problems = slack_file_problems(self.state, self.base_url, blocks, "/view/blocks")
        if problems:
            raise SlackError("invalid_arguments", errors=[p.as_dict() for p in problems])
        checked: dict[str, Any] = view  # check_view found an object with the right shape
        return checked

    def _use_trigger(self, trigger_id: Any) -> str:
        if not isinstance(trigger_id, str) or not TRIGGER_FORMAT.match(trigger_id):
            raise SlackError("invalid_trigger_id")
        trigger = self.state.triggers.get(trigger_id)
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    def _store_view(
        self, view: dict[str, Any], user: str, root: str | None = None
    ) -> dict[str, Any]:
        view_id = self.state.next_id("V")
        external_id = view.get("external_id")
        if external_id and any(
            v.get("external_id") == external_id for v in self.state.views.values()
        ):
            raise SlackError("duplicate_external_id")
        stored = {
            **view,
            "id": view_id,
            "team_id": self.state.team_id,
            "hash": self.state.next_id("h"),
            "root_view_id": root or view_id,
            "previous_view_id": None,
            "state": {"values": {}},
            "user_id": user,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
        }
        self.state.views[view_id] = stored
        return stored
