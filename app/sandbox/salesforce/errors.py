"""Salesforce's error answers: REST's `[{"message", "errorCode"}]` list with a status, and the
OAuth token endpoint's `{"error", "error_description"}`."""

from __future__ import annotations

from typing import Any

NOT_FOUND = "The requested resource does not exist"
SESSION_EXPIRED = "Session expired or invalid"
LIMIT_EXCEEDED = "TotalRequests Limit exceeded."
# What Salesforce says for a scripted refusal when the test names only the code.
MESSAGES = {
    "REQUEST_LIMIT_EXCEEDED": LIMIT_EXCEEDED,
    "INVALID_SESSION_ID": SESSION_EXPIRED,
    "SERVER_UNAVAILABLE": "Server temporarily unavailable. Please try again later.",
    "UNKNOWN_EXCEPTION": "An unexpected error occurred. Please include this ErrorId if you "
    "contact support: 1853411466-70233 (-1229893434)",
    "API_DISABLED_FOR_ORG": "API is not enabled for this Organization or Partner",
}


class SalesforceError(Exception):
    """Refuse a REST request with `status` and one `{errorCode, message}` (maybe `fields`)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}

    def body(self) -> list[dict[str, Any]]:
        item: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]


class OAuthError(Exception):
    """Refuse a token request: 400 (or 401) `{"error", "error_description"}`."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def not_found() -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", NOT_FOUND)


def invalid_session() -> SalesforceError:
    return SalesforceError(401, "INVALID_SESSION_ID", SESSION_EXPIRED)
