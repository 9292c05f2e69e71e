"""Query results in batches, as Salesforce pages them: the first batch with the query's
answer, the rest at `nextRecordsUrl` (/services/data/vNN.0/query/<locator>-<offset>). A
locator dies after 15 minutes unused; an unknown one is 400 INVALID_QUERY_LOCATOR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.sandbox.salesforce import ids
from app.sandbox.salesforce.errors import SalesforceError

LOCATOR_IDLE = timedelta(minutes=15)


@dataclass
class Cursor:
    records: list[dict[str, Any]]
    last_used: datetime


def bad_locator() -> SalesforceError:
    return SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")


class Batches:
    def __init__(self, size: int) -> None:
        self.size = size
        self._cursors: dict[str, Cursor] = {}
        self._ids = ids.IdMaker()

    def first(self, records: list[dict[str, Any]], version: str, now: datetime) -> dict[str, Any]:
        locator = self._ids.new(ids.LOCATOR)
        self._cursors[locator] = Cursor(records, now)
        return self._answer(locator, 0, version)

    def following(self, tail: str, version: str, now: datetime) -> dict[str, Any]:
        locator, _, offset = tail.rpartition("-")
        cursor = self._cursors.get(locator)
        if cursor is None or not offset.isdigit() or now - cursor.last_used > LOCATOR_IDLE:
            raise bad_locator()
        if int(offset) >= len(cursor.records):
            raise bad_locator()
        cursor.last_used = now
        return self._answer(locator, int(offset), version)

    def _answer(self, locator: str, offset: int, version: str) -> dict[str, Any]:
        records = self._cursors[locator].records
        batch = records[offset : offset + self.size]
        end = offset + len(batch)
        answer: dict[str, Any] = {"totalSize": len(records), "done": end >= len(records)}
        if end < len(records):
            answer["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
        else:
            del self._cursors[locator]
        answer["records"] = batch
        return answer
