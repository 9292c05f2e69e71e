"""The reads coach makes: owners, deal pipelines, the account's details, deal search, batch
read (with history) and one property's definition. Each answers (status, JSON)."""

from __future__ import annotations

from typing import Any

from app.clock import Clock
from app.sandbox.hubspot.errors import NOT_FOUND_IDS, HubSpotError, invalid
from app.sandbox.hubspot.model import Deal, Owner, Pipeline, PropertyDef
from app.sandbox.hubspot.payloads import deal_json, owner_json, pipeline_json, property_json
from app.sandbox.hubspot.schema import iso_ms
from app.sandbox.hubspot.search import MAX_RESULTS, read_search

OWNERS = "/crm/v3/owners"
PIPELINES = "/crm/v3/pipelines/deals"
ACCOUNT = "/account-info/v3/details"
SEARCH = "/crm/v3/objects/deals/search"
BATCH_READ = "/crm/v3/objects/deals/batch/read"
BATCH_UPDATE = "/crm/v3/objects/deals/batch/update"
PROPERTIES = "/crm/v3/properties/deals"
MAX_OWNERS_PAGE = 500
MAX_BATCH = 100
MAX_BATCH_WITH_HISTORY = 50

Answer = tuple[int, dict[str, Any]]


def _flag(query: dict[str, str], name: str) -> bool:
    raw = query.get(name, "false").lower()
    if raw not in ("true", "false"):
        raise invalid()
    return raw == "true"


def _offset(raw: str | None) -> int:
    if raw is None:
        return 0
    if not raw.isdigit():
        raise invalid()
    return int(raw)


class Endpoints:
    clock: Clock
    owners: dict[str, Owner]
    pipelines: dict[str, Pipeline]
    properties: dict[str, PropertyDef]
    deals: dict[str, Deal]
    base_url: str
    portal_id: int
    time_zone: str
    currency: str

    def _list_owners(self, query: dict[str, str], body: Any, tail: str) -> Answer:
        raw_limit = query.get("limit", "100")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_OWNERS_PAGE:
            raise invalid()
        limit, offset = int(raw_limit), _offset(query.get("after"))
        archived = _flag(query, "archived")
        email = query.get("email")
        listed = [
            o
            for o in self.owners.values()
            if o.archived == archived and (email is None or o.email.lower() == email.lower())
        ]
        page = listed[offset : offset + limit]
        answer: dict[str, Any] = {"results": [owner_json(o) for o in page]}
        if offset + len(page) < len(listed):
            after = str(offset + len(page))
            link = f"{self.base_url}{OWNERS}/?after={after}"
            answer["paging"] = {"next": {"after": after, "link": link}}
        return 200, answer

    def _list_pipelines(self, query: dict[str, str], body: Any, tail: str) -> Answer:
        listed = sorted(self.pipelines.values(), key=lambda p: p.display_order)
        return 200, {"results": [pipeline_json(p) for p in listed if not p.archived]}

    def _account_details(self, query: dict[str, str], body: Any, tail: str) -> Answer:
        return 200, {
            "portalId": self.portal_id,
            "accountType": "STANDARD",
            "timeZone": self.time_zone,
            "companyCurrency": self.currency,
            "additionalCurrencies": [],
            "utcOffset": "-05:00",
            "utcOffsetMilliseconds": -18_000_000,
            "uiDomain": "app.hubspot.com",
            "dataHostingLocation": "na1",
        }

    def _search(self, query: dict[str, str], body: Any, tail: str) -> Answer:
        search = read_search(body, self.properties)
        found = search.ordered(
            [d for d in self.deals.values() if not d.archived and search.matches(d)]
        )
        page = found[search.offset : search.offset + search.limit]
        answer: dict[str, Any] = {
            "total": len(found),
            "results": [deal_json(d, search.properties, self.properties) for d in page],
        }
        following = search.offset + len(page)
        # HubSpot offers the next page up to the 10,000th result; asking for it is a 400.
        if page and following < len(found) and following <= MAX_RESULTS:
            answer["paging"] = {"next": {"after": str(following)}}
        return 200, answer

    def _batch_read(self, query: dict[str, str], body: Any, tail: str) -> Answer:
        started = iso_ms(self.clock())
        archived = _flag(query, "archived")
        if not isinstance(body, dict):
            raise invalid()
        ids = _input_ids(body.get("inputs"))
        history = body.get("propertiesWithHistory") or []
        asked = body.get("properties")
        for names in (history, asked or []):
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise invalid()
        if len(ids) > (MAX_BATCH_WITH_HISTORY if history else MAX_BATCH):
            raise invalid()
        results, missing = [], []
        for deal_id in dict.fromkeys(ids):
            deal = self.deals.get(deal_id)
            if deal is None or deal.archived != archived:
                missing.append(deal_id)
                continue
            results.append(deal_json(deal, asked, self.properties, history))
        return _batch_answer(results, missing, started, iso_ms(self.clock()))

    def _get_property(self, query: dict[str, str], body: Any, tail: str) -> Answer:
        prop = self.properties.get(tail)
        if prop is None:
            raise HubSpotError(
                404,
                f"Unable to find property {tail} for object type 0-3",
                "OBJECT_NOT_FOUND",
            )
        order = list(self.properties).index(tail)
        return 200, property_json(prop, order)


def _input_ids(inputs: Any) -> list[str]:
    if not isinstance(inputs, list) or not inputs:
        raise invalid()
    ids = []
    for item in inputs:
        raw = item.get("id") if isinstance(item, dict) else None
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str) or not raw:
            raise invalid()
        ids.append(raw)
    return ids


def _batch_answer(
    results: list[dict[str, Any]], missing: list[str], started: str, completed: str
) -> Answer:
    answer: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": completed,
    }
    if not missing:
        return 200, answer
    answer["numErrors"] = 1
    answer["errors"] = [
        {
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": NOT_FOUND_IDS,
            "context": {"ids": missing},
        }
    ]
    return 207, answer
