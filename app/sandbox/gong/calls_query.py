"""Reading a POST /v2/calls/extensive body: the filter (which calls) and the content
selector (which parts of each call). Anything malformed is a 400."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.sandbox.gong.errors import GongError
from app.sandbox.gong.model import GongCall

CONTEXT_LEVELS = ("None", "Basic", "Extended")
INTERACTION_PARTS = ("speakers", "personInteractionStats", "questions", "video")
CONTENT_PARTS = (
    "structure",
    "topics",
    "trackers",
    "trackerOccurrences",
    "pointsOfInterest",
    "brief",
    "outline",
    "highlights",
    "callOutcome",
    "keyPoints",
)


@dataclass(frozen=True)
class CallFilter:
    from_dt: datetime | None
    to_dt: datetime | None
    workspace_id: str | None
    call_ids: frozenset[str] | None
    primary_user_ids: frozenset[str] | None

    def matches(self, call: GongCall, workspace_id: str) -> bool:
        return (
            (self.from_dt is None or call.started >= self.from_dt)
            and (self.to_dt is None or call.started < self.to_dt)
            and (self.workspace_id is None or self.workspace_id == workspace_id)
            and (self.call_ids is None or call.id in self.call_ids)
            and (self.primary_user_ids is None or call.user_id in self.primary_user_ids)
        )


@dataclass(frozen=True)
class ContentSelector:
    context: str = "None"
    parties: bool = False
    interaction: frozenset[str] = frozenset()
    content: frozenset[str] = frozenset()
    public_comments: bool = False
    media: bool = False


def _when(raw: Any, name: str) -> datetime | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise GongError(400, f"filter.{name}: must be an ISO-8601 date-time string")
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise GongError(400, f"filter.{name}: '{raw}' is not an ISO-8601 date-time") from exc
    if parsed.tzinfo is None:
        raise GongError(
            400, f"filter.{name}: '{raw}' needs a time zone ('Z' or an offset such as -07:00)"
        )
    return parsed


def _ids(raw: Any, name: str) -> frozenset[str] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise GongError(400, f"filter.{name}: must be an array of id strings")
    return frozenset(raw)


def _flags(raw: Any, name: str, known: tuple[str, ...]) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, dict):
        raise GongError(400, f"contentSelector.exposedFields.{name}: must be an object")
    for key, value in raw.items():
        if key not in known or not isinstance(value, bool):
            raise GongError(
                400, f"contentSelector.exposedFields.{name}.{key}: not a known boolean field"
            )
    return frozenset(key for key, value in raw.items() if value)


def _flag(raw: Any, name: str) -> bool:
    if raw is None:
        return False
    if not isinstance(raw, bool):
        raise GongError(400, f"contentSelector.exposedFields.{name}: must be true or false")
    return raw


def read_filter(body: dict[str, Any]) -> CallFilter:
    raw = body.get("filter")
    if not isinstance(raw, dict):
        raise GongError(400, "filter: required, and must be an object")
    workspace = raw.get("workspaceId")
    if workspace is not None and not isinstance(workspace, str):
        raise GongError(400, "filter.workspaceId: must be a string")
    return CallFilter(
        from_dt=_when(raw.get("fromDateTime"), "fromDateTime"),
        to_dt=_when(raw.get("toDateTime"), "toDateTime"),
        workspace_id=workspace,
        call_ids=_ids(raw.get("callIds"), "callIds"),
        primary_user_ids=_ids(raw.get("primaryUserIds"), "primaryUserIds"),
    )


def read_selector(body: dict[str, Any]) -> ContentSelector:
    raw = body.get("contentSelector")
    if raw is None:
        return ContentSelector()
    if not isinstance(raw, dict):
        raise GongError(400, "contentSelector: must be an object")
    context = raw.get("context", "None")
    if context not in CONTEXT_LEVELS:
        raise GongError(400, "contentSelector.context: must be 'None', 'Basic' or 'Extended'")
    exposed = raw.get("exposedFields") or {}
    if not isinstance(exposed, dict):
        raise GongError(400, "contentSelector.exposedFields: must be an object")
    collaboration = _flags(exposed.get("collaboration"), "collaboration", ("publicComments",))
    return ContentSelector(
        context=context,
        parties=_flag(exposed.get("parties"), "parties"),
        interaction=_flags(exposed.get("interaction"), "interaction", INTERACTION_PARTS),
        content=_flags(exposed.get("content"), "content", CONTENT_PARTS),
        public_comments="publicComments" in collaboration,
        media=_flag(exposed.get("media"), "media"),
    )
