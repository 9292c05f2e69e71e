"""Salesforce's REST API: a session from the OAuth 2.0 JWT bearer flow (an RS256 assertion
signed with the connected app's key), SOQL queries followed to their last batch, describe,
and sObject Collections updates for the two drill fields.

The session is kept between syncs and renewed when Salesforce answers INVALID_SESSION_ID.
Every answer's `Sforce-Limit-Info` says how much of the org's daily API allocation is used;
coach stops calling once less than a tenth is left, for the org's other integrations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from app.crm import values
from app.crm.credentials import SalesforceCredentials
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

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME_S = 180  # Salesforce wants the assertion's exp within a few minutes
IDS_PER_QUERY = 200  # ids in one IN (…): well inside SOQL's 100,000 characters
RECORDS_PER_UPDATE = 200  # sObject Collections' limit
RESERVE = 0.1  # of the daily allocation, left for the org's other integrations
MAX_BATCHES = 500  # nextRecordsUrl followed at most this often for one query
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_LIMIT = re.compile(r"api-usage=([0-9]+)/([0-9]+)")
GONE = frozenset({"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID", "NOT_FOUND"})
# A record's refusal that passes: the whole request is tried again later.
TRANSIENT = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG"})
FIELD_REFUSALS = frozenset(
    {
        "INVALID_FIELD",
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        "STRING_TOO_LONG",
        "JSON_PARSER_ERROR",
        "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
    }
)
DEAL_FIELDS = "Id, Name, StageName, Amount, CloseDate, OwnerId, IsClosed, LastModifiedDate"


@dataclass(frozen=True)
class Session:
    access_token: str
    instance_url: str


class SessionCache:
    """Sessions by the credentials' fingerprint, kept for the life of the process."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}

    def get(self, key: str) -> Session | None:
        return self._sessions.get(key)

    def put(self, key: str, session: Session) -> None:
        self._sessions[key] = session

    def drop(self, key: str) -> None:
        self._sessions.pop(key, None)


SESSIONS = SessionCache()


@dataclass(frozen=True)
class Usage:
    used: int
    allocation: int

    @property
    def spent(self) -> bool:
        return self.allocation > 0 and self.used >= self.allocation * (1 - RESERVE)


def usage_of(header: str | None) -> Usage | None:
    match = _LIMIT.search(header or "")
    return Usage(int(match[1]), int(match[2])) if match else None


def errors_of(body: Any) -> list[tuple[str, str]]:
    """(errorCode, message) pairs of a REST error answer: `[{"errorCode", "message"}]`."""
    found = []
    for item in values.records(body):
        code = values.text(item.get("errorCode") or item.get("statusCode"), 80)
        if code:
            found.append((code, values.text(item.get("message"), 300) or ""))
    return found


def assertion(credentials: SalesforceCredentials, now: float) -> str:
    claims = {
        "iss": credentials.client_id,
        "sub": credentials.username,
        "aud": credentials.login_url,
        "exp": int(now) + ASSERTION_LIFETIME_S,
    }
    return jwt.encode(claims, credentials.private_key, algorithm="RS256")


def soql_ids(ids: Sequence[str]) -> str:
    """An IN list of record ids (anything not shaped like an id is left out: no quoting
    needed, nothing from outside reaches the query as text)."""
    return ", ".join(f"'{i}'" for i in dict.fromkeys(ids) if _ID.fullmatch(i))


class SalesforceCrm:
    name = "Salesforce"
    owners_per_request = IDS_PER_QUERY
    deals_per_request = IDS_PER_QUERY

    def __init__(
        self,
        credentials: SalesforceCredentials,
        fields: DrillFields,
        turn: Turn,
        *,
        cache_key: str,
        sessions: SessionCache = SESSIONS,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = TIMEOUT_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.fields = fields
        self.http = CrmHttp(turn, http=http, timeout_s=timeout_s)
        self.cache_key = cache_key
        self.sessions = sessions
        self.clock = clock
        self.usage: Usage | None = None
        self.token_requests = 0

    @property
    def requests_made(self) -> int:
        return self.http.requests

    async def close(self) -> None:
        await self.http.close()

    # --- the session ------------------------------------------------------------------
    async def _session(self) -> Session:
        cached = self.sessions.get(self.cache_key)
        if cached is not None:
            return cached
        self.token_requests += 1
        response = await self.http.send(
            "POST",
            self.credentials.login_url + "/services/oauth2/token",
            data={"grant_type": GRANT, "assertion": assertion(self.credentials, self.clock())},
            headers={"Accept": "application/json"},
        )
        body = json_of(response)
        if response.status_code != 200 or not isinstance(body, dict):
            error = values.text(body.get("error"), 60) if isinstance(body, dict) else None
            raise CrmRefused(f"salesforce_{error or response.status_code}")
        token = values.text(body.get("access_token"), 2000)
        instance = values.text(body.get("instance_url"), 500)
        if not token or not instance or not _https_or_local(instance):
            raise CrmUnavailable("no_session")
        session = Session(token, instance.rstrip("/"))
        self.sessions.put(self.cache_key, session)
        return session

    async def _rest(self, method: str, path: str, **kwargs: Any) -> Any:
        """One REST call under /services/data/vXX.X (or a nextRecordsUrl), renewing the
        session once if Salesforce says it expired."""
        if self.usage is not None and self.usage.spent:
            raise CrmBudgetSpent("daily_limit")
        for renewed in (False, True):
            session = await self._session()
            url = session.instance_url + (
                path if path.startswith("/services/data/") else self._base() + path
            )
            headers = {
                "Authorization": f"Bearer {session.access_token}",
                "Accept": "application/json",
            }
            response = await self.http.send(method, url, headers=headers, **kwargs)
            usage = usage_of(response.headers.get("Sforce-Limit-Info"))
            self.usage = usage or self.usage
            body = json_of(response) if response.content else None
            if response.status_code < 300:
                return body
            codes = [code for code, _ in errors_of(body)]
            if response.status_code == 401 and not renewed:
                self.sessions.drop(self.cache_key)  # INVALID_SESSION_ID: a new one, once
                continue
            raise _refusal(response.status_code, errors_of(body), codes)
        raise CrmRefused("INVALID_SESSION_ID")

    def _base(self) -> str:
        return f"/services/data/v{self.credentials.api_version}"

    async def _query(self, soql: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        body = await self._rest("GET", "/query", params={"q": soql})
        for _ in range(MAX_BATCHES):
            if not isinstance(body, dict):
                raise CrmUnavailable("not_json")
            found += values.records(body.get("records"))
            following = body.get("nextRecordsUrl")
            if body.get("done") is not False or not isinstance(following, str):
                return found
            if not following.startswith(self._base() + "/query/"):
                raise CrmUnavailable("odd_next_url")
            body = await self._rest("GET", following)
        raise CrmUnavailable("too_many_batches")

    # --- reads ------------------------------------------------------------------------
    async def owners(self) -> list[CrmOwner]:
        rows = await self._query("SELECT Id, Email, IsActive FROM User WHERE IsActive = true")
        found = []
        for row in rows:
            user_id = values.identifier(row.get("Id"), _ID)
            email = values.text(row.get("Email"), 320)
            if user_id and email:
                found.append(
                    CrmOwner(user_id, email.lower(), values.flag(row.get("IsActive")) is True)
                )
        return found

    async def stages(self) -> list[CrmStage]:
        rows = await self._query(
            "SELECT ApiName, MasterLabel, SortOrder, IsClosed, IsWon FROM OpportunityStage"
            " WHERE IsActive = true ORDER BY SortOrder ASC"
        )
        found = []
        for n, row in enumerate(rows):
            name = values.text(row.get("ApiName"), 120)
            order = row.get("SortOrder")
            position = order if isinstance(order, int) and not isinstance(order, bool) else n
            if name:
                found.append(
                    CrmStage(
                        pipeline="",
                        id=name,
                        label=values.text(row.get("MasterLabel"), 120) or name,
                        position=position,
                        closed=values.flag(row.get("IsClosed")) is True,
                        won=values.flag(row.get("IsWon")) is True,
                    )
                )
        return found

    async def open_deals(self, owner_ids: Sequence[str]) -> list[CrmDeal]:
        owners = soql_ids(owner_ids[: self.owners_per_request])
        if not owners:
            return []
        rows = await self._query(
            f"SELECT {DEAL_FIELDS} FROM Opportunity WHERE IsClosed = false"
            f" AND OwnerId IN ({owners}) ORDER BY LastModifiedDate DESC"
        )
        return [deal for row in rows if (deal := self._deal(row)) is not None]

    async def deals(self, deal_ids: Sequence[str]) -> list[CrmDeal]:
        ids = soql_ids(deal_ids[: self.deals_per_request])
        if not ids:
            return []
        rows = await self._query(f"SELECT {DEAL_FIELDS} FROM Opportunity WHERE Id IN ({ids})")
        return [deal for row in rows if (deal := self._deal(row)) is not None]

    async def stage_history(self, deal_ids: Sequence[str]) -> list[StageChange]:
        ids = soql_ids(deal_ids[: self.deals_per_request])
        if not ids:
            return []
        rows = await self._query(
            "SELECT OpportunityId, StageName, CreatedDate FROM OpportunityHistory"
            f" WHERE OpportunityId IN ({ids}) ORDER BY CreatedDate ASC"
        )
        found = []
        for row in rows:
            deal_id = values.identifier(row.get("OpportunityId"), _ID)
            stage = values.text(row.get("StageName"), 120)
            at = values.moment(row.get("CreatedDate"))
            if deal_id and stage and at:
                found.append(StageChange(deal_id, stage, at))
        return found

    def _deal(self, row: dict[str, Any]) -> CrmDeal | None:
        deal_id = values.identifier(row.get("Id"), _ID)
        owner = values.identifier(row.get("OwnerId"), _ID)
        name = values.text(row.get("Name"))
        stage = values.text(row.get("StageName"), 120)
        modified = values.moment(row.get("LastModifiedDate"))
        if not (deal_id and owner and name and stage and modified):
            return None
        session = self.sessions.get(self.cache_key)
        instance = session.instance_url if session else self.credentials.login_url
        return CrmDeal(
            id=deal_id,
            name=name,
            owner_id=owner,
            pipeline="",
            stage_id=stage,
            amount=values.amount(row.get("Amount")),
            currency=None,
            close_date=values.day(row.get("CloseDate")),
            closed=values.flag(row.get("IsClosed")) is True,
            modified_at=modified,
            url=f"{instance}/lightning/r/Opportunity/{deal_id}/view",
        )

    # --- writes -----------------------------------------------------------------------
    def _record(self, write: FieldWrite) -> dict[str, Any]:
        record: dict[str, Any] = {
            "attributes": {"type": "Opportunity"},
            "id": write.deal_id,
            self.fields.recorded: write.recorded,
        }
        if write.drill is not None:
            record[self.fields.drill] = write.drill[: values.MAX_NAME] or None  # "" clears it
        return record

    async def write(self, writes: Sequence[FieldWrite]) -> WriteResult:
        wanted = [w for w in writes if _ID.fullmatch(w.deal_id)]
        written: list[str] = []
        gone: list[str] = []
        refused: list[tuple[str, str]] = []
        for start in range(0, len(wanted), RECORDS_PER_UPDATE):
            chunk = wanted[start : start + RECORDS_PER_UPDATE]
            records = [self._record(w) for w in chunk]
            body = await self._rest(
                "PATCH", "/composite/sobjects", json={"allOrNone": False, "records": records}
            )
            results = values.records(body)
            if len(results) != len(chunk):
                raise CrmUnavailable("odd_write_answer")
            for write, result in zip(chunk, results, strict=True):
                if result.get("success") is True:
                    written.append(write.deal_id)
                    continue
                errors = errors_of(result.get("errors"))
                codes = {code for code, _ in errors}
                if codes & GONE:
                    gone.append(write.deal_id)
                elif codes & TRANSIENT or not errors:
                    raise CrmUnavailable(next(iter(sorted(codes)), "write_failed"))
                else:  # this record alone: a validation rule, a field it can't take
                    code, message = next((e for e in errors if e[0] in FIELD_REFUSALS), errors[0])
                    refused.append((write.deal_id, f"{code}: {message}"))
        return WriteResult(tuple(written), tuple(gone), tuple(refused))

    async def check_fields(self) -> FieldCheck:
        body = await self._rest("GET", "/sobjects/Opportunity/describe")
        fields = values.records(body.get("fields")) if isinstance(body, dict) else []
        writable = {f.get("name") for f in fields if f.get("updateable") is True}
        return FieldCheck(self.fields.drill in writable, self.fields.recorded in writable)


def _refusal(status: int, errors: list[tuple[str, str]], codes: list[str]) -> CrmError:
    if "REQUEST_LIMIT_EXCEEDED" in codes:
        return CrmBudgetSpent("REQUEST_LIMIT_EXCEEDED")
    refused = FIELD_REFUSALS.intersection(codes)
    if refused:
        code, message = next(e for e in errors if e[0] in refused)
        return CrmFieldRefused(code, f"{code}: {message}")
    if status in (401, 403):
        return CrmRefused(codes[0] if codes else f"http_{status}")
    return CrmUnavailable(codes[0] if codes else f"http_{status}")


def _https_or_local(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return parts.scheme == "https" or (parts.scheme == "http" and local)


SETUP = """\
Add two fields to the Opportunity object (Setup > Object Manager > Opportunity > Fields &
Relationships > New), and give the integration user edit access to both:
  1. Text(255), label "Coaching Drill This Week", API name {drill}
  2. Checkbox (default unchecked), label "Drill Recorded", API name {recorded}"""
