"""Gong's error answers: a status, a `{requestId, errors: [...]}` body, maybe headers."""

from __future__ import annotations

import secrets
import string
from typing import Any

NO_CALLS = "No calls found corresponding to the provided filters"
ACCESS_DENIED = "Access denied"

_ID_ALPHABET = string.ascii_lowercase + string.digits


def request_id() -> str:
    """A fresh request reference, alphanumeric like Gong's ('4al018gzaztcr8nbukw')."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(19))


def error_body(rid: str, messages: list[str]) -> dict[str, Any]:
    return {"requestId": rid, "errors": messages}


class GongError(Exception):
    """Refuse the request with `status` and these messages (and headers, e.g. Retry-After)."""

    def __init__(self, status: int, *messages: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {'; '.join(messages)}")
        self.status = status
        self.messages = list(messages)
        self.headers = headers or {}
