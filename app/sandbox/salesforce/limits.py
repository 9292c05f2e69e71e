"""The org's daily API request allocation, as every REST answer's `Sforce-Limit-Info:
api-usage=N/M` reports it; at N >= M further requests are refused with 403
REQUEST_LIMIT_EXCEEDED until the (rolling 24-hour) count falls, or a test resets it."""

from __future__ import annotations

from app.sandbox.salesforce.errors import LIMIT_EXCEEDED, SalesforceError


class ApiUsage:
    def __init__(self, allocation: int) -> None:
        self.allocation = allocation
        self.used = 0

    def count(self) -> None:
        """Count one request, or refuse it uncounted."""
        if self.used >= self.allocation:
            raise SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", LIMIT_EXCEEDED)
        self.used += 1

    @property
    def header(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.used}/{self.allocation}"}
