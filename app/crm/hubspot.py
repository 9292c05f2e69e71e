"""HubSpot's CRM API v3 with a private app's Bearer token: owners, deal pipelines, deal
search paged by record id, batch reads with the stage's history, batch updates
of the two drill properties, and the properties themselves (`coach crm setup`).

HubSpot's 429 names its policy: the daily one means today's requests are spent; the
10-second and per-second ones are waited out (a Retry-After, when there is one, wins).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import httpx

from app.crm import values
from app.crm.credentials import HubSpotCredentials
from app.crm.http import TIMEOUT_S, CrmHttp, json_of
from app.crm.provider import (
    CrmBudgetSpent,
    CrmDeal,
    CrmError,
    CrmFieldRefused,
    CrmOwner,
    CrmRefused,
    CrmStage,
    CrmUnavailable,
    DrillFields,
    FieldCheck,
    FieldWrite,
    StageChange,
    WriteResult,
)
from app.db.turns import Turn

OWNERS_PAGE = 500
SEARCH_PAGE = 200
IN_VALUES = 100  # owner ids in one IN filter
BATCH_READ = 50  # records in one batch read that asks for history
BATCH_UPDATE = 100
MAX_PAGES = 500
_ID = re.compile(r"[0-9]{1,20}")
_CURSOR = re.compile(r"[A-Za-z0-9_=-]{1,200}")
DEAL_PROPERTIES = [
    "dealname",
    "dealstage",
    "pipeline",
    "amount",
    "closedate",
    "hubspot_owner_id",
    "hs_lastmodifieddate",
    "hs_is_closed",
    "deal_currency_code",
]
FIELD_REFUSALS = ("PROPERTY_DOESNT_EXIST", "INVALID_OPTION", "READ_ONLY_VALUE", "INVALID_")


# cache key (which credentials) -> where that account's deals open; bounded by accounts
_RECORD_BASES: dict[str, str] = {}


def pause_for(response: httpx.Response) -> float:
    """A 429 without Retry-After: HubSpot's rolling 10-second window, or its secondly one."""
    policy = _policy(response)
    if policy == "DAILY":
        raise CrmBudgetSpent("daily_limit")
    return 1.0 if policy == "SECONDLY" else 10.0


def _policy(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return (values.text(body.get("policyName"), 60) or "") if isinstance(body, dict) else ""


class HubSpotCrm:
    name = "HubSpot"
    owners_per_request = IN_VALUES
    deals_per_request = BATCH_READ

    def __init__(
        self,
        credentials: HubSpotCredentials,
        fields: DrillFields,
        turn: Turn,
        *,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = TIMEOUT_S,
        cache_key: str = "",
    ) -> None:
        self.credentials = credentials
        self.fields = fields
        self.http = CrmHttp(turn, http=http, timeout_s=timeout_s, pause_for=pause_for)
        self.cache_key = cache_key  # which credentials: the account's record links are kept
        self._record_base: str | None = None

    @property
    def requests_made(self) -> int:
        return self.http.requests

    async def close(self) -> None:
        await self.http.close()

    async def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {
            "Authorization": f"Bearer {self.credentials.token}",
            "Accept": "application/json",
        }
        response = await self.http.send(
            method, self.credentials.api_url + path, headers=headers, **kwargs
        )
        body = json_of(response) if response.content else None
        status = response.status_code
        if status in (401, 403):
            category = values.text(body.get("category"), 60) if isinstance(body, dict) else None
            raise CrmRefused(category or f"http_{status}")
        return status, body

    async def _ok(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        status, body = await self._call(method, path, **kwargs)
        if status >= 300 or not isinstance(body, dict):
            raise _refusal(status, body)
        return body

    # --- reads ------------------------------------------------------------------------
    async def owners(self) -> list[CrmOwner]:
        found: list[CrmOwner] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {"limit": OWNERS_PAGE, "archived": "false"}
            if after:
                params["after"] = after
            body = await self._ok("GET", "/crm/v3/owners/", params=params)
            for row in values.records(body.get("results")):
                owner_id = values.identifier(row.get("id"), _ID)
                email = values.text(row.get("email"), 320)
                if owner_id and email:
                    found.append(CrmOwner(owner_id, email.lower(), row.get("archived") is not True))
            after = _next_after(body, after)
            if after is None:
                return found
        raise CrmUnavailable("too_many_pages")

    async def stages(self) -> list[CrmStage]:
        body = await self._ok("GET", "/crm/v3/pipelines/deals")
        found = []
        for pipeline in values.records(body.get("results")):
            pipeline_id = values.text(pipeline.get("id"), 120)
            if not pipeline_id or pipeline.get("archived") is True:
                continue
            for n, stage in enumerate(values.records(pipeline.get("stages"))):
                stage_id = values.text(stage.get("id"), 120)
                if not stage_id:
                    continue
                metadata = _mapping(stage.get("metadata"))
                order = stage.get("displayOrder")
                probability = values.amount(metadata.get("probability"))
                found.append(
                    CrmStage(
                        pipeline=pipeline_id,
                        id=stage_id,
                        label=values.text(stage.get("label"), 120) or stage_id,
                        position=order
                        if isinstance(order, int) and not isinstance(order, bool)
                        else n,
                        closed=values.flag(metadata.get("isClosed")) is True,
                        won=probability is not None and probability >= 1,
                    )
                )
        return found

    async def open_deals(self, owner_ids: Sequence[str]) -> list[CrmDeal]:
        """Paged by record id (`hs_object_id GT` the last one read), not by `after` over a
        recency sort: a deal changed while the pages are read (by a rep, or by coach's own
        write-back) would move up that sort and be skipped, and another read twice. Ids do
        not move, and this way HubSpot's 10,000-result ceiling does not apply either; the
        deals are put in recency order here."""
        owners = [i for i in dict.fromkeys(owner_ids) if _ID.fullmatch(i)][:IN_VALUES]
        if not owners:
            return []
        base = await self._record_url()
        found: dict[str, CrmDeal] = {}
        last: str | None = None
        for _ in range(MAX_PAGES):
            body = await self._ok(
                "POST", "/crm/v3/objects/deals/search", json=_open_deals(owners, last)
            )
            rows = values.records(body.get("results"))
            for row in rows:
                if (deal := _deal(row, base)) is not None:
                    found[deal.id] = deal
            ids = [int(i) for row in rows if (i := values.identifier(row.get("id"), _ID))]
            if _next_after(body, None) is None or not ids:
                return sorted(found.values(), key=lambda d: d.modified_at, reverse=True)
            if last is not None and max(ids) <= int(last):
                raise CrmUnavailable("odd_paging")
            last = str(max(ids))
        raise CrmUnavailable("too_many_pages")

    async def _batch_read(self, deal_ids: Sequence[str], history: bool) -> list[dict[str, Any]]:
        ids = [i for i in dict.fromkeys(deal_ids) if _ID.fullmatch(i)][:BATCH_READ]
        if not ids:
            return []
        request: dict[str, Any] = {
            "inputs": [{"id": i} for i in ids],
            "properties": DEAL_PROPERTIES,
        }
        if history:
            request["propertiesWithHistory"] = ["dealstage"]
        status, body = await self._call(
            "POST", "/crm/v3/objects/deals/batch/read", params={"archived": "false"}, json=request
        )
        if status not in (200, 207) or not isinstance(body, dict):
            raise _refusal(status, body)
        return values.records(body.get("results"))  # 207: the missing ones are left out

    async def deals(self, deal_ids: Sequence[str]) -> list[CrmDeal]:
        base = await self._record_url()
        rows = await self._batch_read(deal_ids, history=False)
        return [deal for row in rows if (deal := _deal(row, base)) is not None]

    async def stage_history(self, deal_ids: Sequence[str]) -> list[StageChange]:
        found = []
        for row in await self._batch_read(deal_ids, history=True):
            deal_id = values.identifier(row.get("id"), _ID)
            history = row.get("propertiesWithHistory")
            entries = history.get("dealstage") if isinstance(history, dict) else None
            for entry in values.records(entries):
                stage = values.text(entry.get("value"), 120)
                at = values.moment(entry.get("timestamp"))
                if deal_id and stage and at:
                    found.append(StageChange(deal_id, stage, at))
        return sorted(found, key=lambda change: (change.deal_id, change.at))

    async def _record_url(self) -> str:
        """Where a deal opens in HubSpot: the account's UI domain and portal id, asked once
        per process and account (they never change)."""
        known = self._record_base or _RECORD_BASES.get(self.cache_key)
        if known is None:
            body = await self._ok("GET", "/account-info/v3/details")
            portal = values.identifier(body.get("portalId"), _ID)
            domain = values.text(body.get("uiDomain"), 100) or "app.hubspot.com"
            if portal is None or not re.fullmatch(r"[a-z0-9.-]+\.hubspot\.com", domain):
                raise CrmUnavailable("odd_account")
            known = f"https://{domain}/contacts/{portal}/record/0-3/"
            self._record_base = known
            if self.cache_key:
                _RECORD_BASES[self.cache_key] = known
        return known

    # --- writes -----------------------------------------------------------------------
    def _properties(self, write: FieldWrite) -> dict[str, str]:
        properties = {self.fields.recorded: "true" if write.recorded else "false"}
        if write.drill is not None:
            properties[self.fields.drill] = write.drill[: values.MAX_NAME]
        return properties

    async def write(self, writes: Sequence[FieldWrite]) -> WriteResult:
        # One input per deal, the last write winning: HubSpot refuses a whole batch that
        # names an id twice.
        wanted = list({w.deal_id: w for w in writes if _ID.fullmatch(w.deal_id)}.values())
        written: list[str] = []
        gone: list[str] = []
        for start in range(0, len(wanted), BATCH_UPDATE):
            chunk = wanted[start : start + BATCH_UPDATE]
            inputs = [{"id": w.deal_id, "properties": self._properties(w)} for w in chunk]
            status, body = await self._call(
                "POST", "/crm/v3/objects/deals/batch/update", json={"inputs": inputs}
            )
            if status not in (200, 207) or not isinstance(body, dict):
                raise _refusal(status, body)
            missing: set[str] = set()
            for error in values.records(body.get("errors")):
                context = _mapping(error.get("context"))
                if error.get("category") != "OBJECT_NOT_FOUND":
                    raise _refusal(400, error)
                missing |= {i for i in context.get("ids", []) if isinstance(i, str)}
            gone += [w.deal_id for w in chunk if w.deal_id in missing]
            written += [w.deal_id for w in chunk if w.deal_id not in missing]
        return WriteResult(tuple(written), tuple(gone))

    async def check_fields(self) -> FieldCheck:
        found = {}
        for name, kind in ((self.fields.drill, "string"), (self.fields.recorded, "bool")):
            status, body = await self._call("GET", f"/crm/v3/properties/deals/{name}")
            if status == 404:
                found[name] = False
            elif status == 200 and isinstance(body, dict):
                found[name] = body.get("type") == kind and body.get("calculated") is not True
            else:
                raise _refusal(status, body)
        return FieldCheck(found[self.fields.drill], found[self.fields.recorded])

    async def create_fields(self) -> list[str]:
        """Create whichever of the two properties is missing; the names created."""
        check = await self.check_fields()
        created = []
        for name, present, definition in (
            (self.fields.drill, check.drill, _DRILL),
            (self.fields.recorded, check.recorded, _RECORDED),
        ):
            if present:
                continue
            status, body = await self._call(
                "POST", "/crm/v3/properties/deals", json={"name": name, **definition}
            )
            if status == 409:
                raise CrmFieldRefused(
                    "OBJECT_ALREADY_EXISTS",
                    f"A deal property named {name} exists with another type: rename it or "
                    "set another name in coach's settings.",
                )
            if status != 201:
                raise _refusal(status, body)
            created.append(name)
        return created


_DRILL = {
    "label": "Coaching Drill This Week",
    "type": "string",
    "fieldType": "text",
    "groupName": "dealinformation",
    "description": "The drill from this week's coaching 1:1 (written by coach).",
}
_RECORDED = {
    "label": "Drill Recorded",
    "type": "bool",
    "fieldType": "booleancheckbox",
    "groupName": "dealinformation",
    "description": "Checked when the rep recorded this week's drill (written by coach).",
    "options": [
        {"label": "Yes", "value": "true", "displayOrder": 0},
        {"label": "No", "value": "false", "displayOrder": 1},
    ],
}


def _open_deals(owners: list[str], after_id: str | None) -> dict[str, Any]:
    """The search for these owners' open deals with ids above `after_id`, lowest first."""
    filters: list[dict[str, Any]] = [
        {"propertyName": "hubspot_owner_id", "operator": "IN", "values": owners},
        {"propertyName": "hs_is_closed", "operator": "EQ", "value": "false"},
    ]
    if after_id is not None:
        filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": after_id})
    return {
        "filterGroups": [{"filters": filters}],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "properties": DEAL_PROPERTIES,
        "limit": SEARCH_PAGE,
    }


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _next_after(body: dict[str, Any], before: str | None) -> str | None:
    paging = body.get("paging")
    following = paging.get("next") if isinstance(paging, dict) else None
    after = following.get("after") if isinstance(following, dict) else None
    if after is None:
        return None
    after = str(after) if isinstance(after, int) and not isinstance(after, bool) else after
    if not isinstance(after, str) or not _CURSOR.fullmatch(after) or after == before:
        raise CrmUnavailable("odd_paging")
    return after


def _deal(row: dict[str, Any], record_base: str) -> CrmDeal | None:
    properties = row.get("properties")
    if not isinstance(properties, dict):
        return None
    deal_id = values.identifier(row.get("id"), _ID)
    owner = values.identifier(properties.get("hubspot_owner_id"), _ID)
    name = values.text(properties.get("dealname"))
    stage = values.text(properties.get("dealstage"), 120)
    modified = values.moment(properties.get("hs_lastmodifieddate") or row.get("updatedAt"))
    if not (deal_id and owner and name and stage and modified):
        return None
    currency = values.text(properties.get("deal_currency_code"), 3)
    return CrmDeal(
        id=deal_id,
        name=name,
        owner_id=owner,
        pipeline=values.text(properties.get("pipeline"), 120) or "default",
        stage_id=stage,
        amount=values.amount(properties.get("amount")),
        currency=currency.upper() if currency and currency.isalpha() else None,
        close_date=values.day(properties.get("closedate")),
        closed=values.flag(properties.get("hs_is_closed")) is True,
        modified_at=modified,
        url=record_base + deal_id,
    )


def _refusal(status: int, body: Any) -> CrmError:
    message = values.text(body.get("message"), 600) if isinstance(body, dict) else None
    category = values.text(body.get("category"), 60) if isinstance(body, dict) else None
    if message:
        for code in FIELD_REFUSALS:
            if code in message:
                named = next((c for c in _codes(message) if c.startswith(code)), code)
                return CrmFieldRefused(named, f"{named}: {message[:300]}")
    if category == "VALIDATION_ERROR":
        return CrmFieldRefused(category, f"{category}: {(message or '')[:300]}")
    return CrmUnavailable(category or f"http_{status}")


def _codes(message: str) -> list[str]:
    """The error codes HubSpot embeds in a validation message's JSON-ish list."""
    start = message.find("[")
    try:
        items = json.loads(message[start:]) if start >= 0 else []
    except ValueError:
        return re.findall(r"[A-Z][A-Z_]{3,}", message)
    return [str(i.get("error")) for i in items if isinstance(i, dict) and i.get("error")]
