"""HubSpot's error answers: `{status: "error", message, correlationId, category, ...}`, a
status code and maybe headers. The words follow HubSpot's reference and what it sends."""

from __future__ import annotations

import json
import uuid
from typing import Any

AUTH_MISSING = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
MISSING_SCOPES = (
    "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes."
)
BAD_REQUEST = "There was a problem with the request."
NOT_FOUND_IDS = (
    "Could not get some DEAL objects, they may be deleted or not exist. Check that ids are valid."
)


def correlation_id() -> str:
    return str(uuid.uuid4())


class HubSpotError(Exception):
    """Refuse the request with `status` and this body (correlationId added on the way out)."""

    def __init__(
        self,
        status: int,
        message: str,
        category: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.headers = headers or {}
        self.fields: dict[str, Any] = {"status": "error", "message": message}
        if category is not None:
            self.fields["category"] = category
        self.fields.update(extra)

    def body(self, cid: str) -> dict[str, Any]:
        return {**self.fields, "correlationId": cid}


def invalid(message: str = BAD_REQUEST, **extra: Any) -> HubSpotError:
    return HubSpotError(400, message, "VALIDATION_ERROR", **extra)


def unauthenticated() -> HubSpotError:
    return HubSpotError(401, AUTH_MISSING, "INVALID_AUTHENTICATION")


def scopes_missing(scope: str) -> HubSpotError:
    return HubSpotError(
        403,
        MISSING_SCOPES,
        "MISSING_SCOPES",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": [scope]},
            }
        ],
        links={"scopes": "https://developers.hubspot.com/scopes"},
    )


def property_refusals(problems: list[dict[str, Any]]) -> HubSpotError:
    """A batch update HubSpot will not apply: its message embeds the problems as JSON."""
    listed = json.dumps(problems, separators=(",", ":"))
    return invalid(f"Property values were not valid: {listed}")


def property_problem(name: str, error: str, message: str) -> dict[str, Any]:
    return {
        "isValid": False,
        "message": message,
        "error": error,
        "name": name,
        "localizedErrorMessage": message,
    }
