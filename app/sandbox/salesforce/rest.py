"""The REST resources under /services/data/vNN.0/ coach uses: query (and its further
batches), an object's describe, and sObject Collections updates. Unknown versions and
resources are 404 NOT_FOUND; a known resource asked with the wrong method is 405."""

from __future__ import annotations

import re
from typing import Any

from app.sandbox.salesforce import evaluate, payloads, soql
from app.sandbox.salesforce.errors import SalesforceError, not_found
from app.sandbox.salesforce.paging import Batches
from app.sandbox.salesforce.updates import Updates

VERSIONS = frozenset(f"{n}.0" for n in range(31, 67))  # 21.0-30.0 were retired in 2025
_PATH = re.compile(r"/services/data/v([0-9]+\.[0-9])(/.*)?")
_DESCRIBE = re.compile(r"/sobjects/([A-Za-z0-9_]+)/describe/?")


def version_of(path: str) -> tuple[str, str]:
    match = _PATH.fullmatch(path)
    if match is None or match[1] not in VERSIONS:
        raise not_found()
    return match[1], match[2] or "/"


def not_allowed(method: str, allowed: str) -> SalesforceError:
    return SalesforceError(
        405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {allowed}"
    )


class Rest(Updates):
    batches: Batches

    def _rest(self, method: str, path: str, query: dict[str, str], body: Any, raw: str) -> Any:
        version, resource = version_of(path)
        if resource in ("/query", "/query/"):
            if method != "GET":
                raise not_allowed(method, "GET,HEAD")
            return self._query(query.get("q"), version)
        if resource.startswith("/query/"):
            if method != "GET":
                raise not_allowed(method, "GET,HEAD")
            return self.batches.following(resource[len("/query/") :], version, self.clock())
        describe = _DESCRIBE.fullmatch(resource)
        if describe:
            if method != "GET":
                raise not_allowed(method, "GET,HEAD")
            return self._describe(describe[1])
        if resource in ("/composite/sobjects", "/composite/sobjects/"):
            if method != "PATCH":
                raise not_allowed(method, "GET,POST,PATCH,DELETE")  # POST/DELETE: not here
            if body is None:
                raise SalesforceError(400, "JSON_PARSER_ERROR", "The request body is empty")
            return self._update(body, raw)
        raise not_found()

    def _query(self, q: str | None, version: str) -> dict[str, Any]:
        if not q:
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
        parsed = soql.parse(q)
        entity, rows = evaluate.run(parsed, self.objects, self.rows_of)
        records = [payloads.record(entity, version, rid, row) for rid, row in rows]
        return self.batches.first(records, version, self.clock())

    def _describe(self, name: str) -> dict[str, Any]:
        known = self.objects.get(name.lower())
        if known is None:
            raise not_found()
        entity, fields = known
        return {
            "name": entity,
            "label": entity,
            "custom": False,
            "queryable": True,
            "updateable": entity == "Opportunity",
            "keyPrefix": {"User": "005", "Opportunity": "006", "OpportunityHistory": "008"}.get(
                entity, "01J"
            ),
            "fields": [f.describe() for f in fields.values()],
        }
