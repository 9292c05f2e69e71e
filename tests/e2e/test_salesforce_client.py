"""SalesforceCrm against the Salesforce stand-in: the JWT bearer flow with a real RS256
signature, a session renewed once when it expires, SOQL followed across batches, write-back
with its refusals, the daily allocation, a proxy's 429 and an outage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.crm.credentials import SalesforceCredentials
from app.crm.provider import (
    CrmBudgetSpent,
    CrmFieldRefused,
    CrmRefused,
    CrmUnavailable,
    DrillFields,
    FieldWrite,
)
from app.crm.salesforce import SalesforceCrm, SessionCache
from app.sandbox.salesforce import SalesforceSandbox, ids
from tests.support.log_capture import Capture
from tests.support.salesforce_org import CONSUMER_KEY, USERNAME, key_pair, running

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
DRILL, RECORDED = "Coaching_Drill_This_Week__c", "Drill_Recorded__c"
QUERY = "/services/data/v62.0/query"


class Turns:
    """A Turn that never waits and remembers every pause it was asked for."""

    def __init__(self) -> None:
        self.waits = 0
        self.pauses: list[float] = []

    async def wait(self) -> None:
        self.waits += 1

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)


@pytest.fixture
async def org() -> AsyncIterator[SalesforceSandbox]:
    async for box in running(NOW, batch_size=2):
        yield box


@pytest.fixture
def turns() -> Turns:
    return Turns()


@pytest.fixture
async def crm(org: SalesforceSandbox, turns: Turns) -> AsyncIterator[SalesforceCrm]:
    client = connect(org, turns)
    yield client
    await client.close()


def connect(org: SalesforceSandbox, turns: Turns, *, key: str | None = None) -> SalesforceCrm:
    credentials = SalesforceCredentials(
        org.base_url, CONSUMER_KEY, USERNAME, key or key_pair().private_pem, "62.0"
    )
    return SalesforceCrm(
        credentials,
        DrillFields(DRILL, RECORDED),
        turns,
        cache_key="T0SF",
        sessions=SessionCache(),
        clock=lambda: org.clock().timestamp(),  # the org's time, as if in sync
    )


def seed(org: SalesforceSandbox, count: int) -> tuple[str, list[str]]:
    owner = org.add_user("Dana.Rao@example.com", name="Dana Rao")
    made = [
        org.add_opportunity(
            owner,
            f"Secret Deal {n}",
            "Prospecting",
            amount=1500,
            close_date=date(2026, 12, 18),
            modified_at=NOW - timedelta(hours=n),
        )
        for n in range(count)
    ]
    return owner, made


async def test_owners_stages_and_open_deals_across_batches(
    org: SalesforceSandbox, crm: SalesforceCrm
) -> None:
    owner, made = seed(org, 7)
    org.move_stage(made[6], "Closed Won", NOW)  # closed: not an open deal any more
    org.add_user("gone@example.com", active=False)
    owners = await crm.owners()
    stages = await crm.stages()
    deals = await crm.open_deals([owner])
    assert sorted(o.email for o in owners) == ["dana.rao@example.com", USERNAME]
    assert [s.id for s in stages][:2] == ["Prospecting", "Qualification"]
    assert len(stages) == 10 and stages[8].won and stages[8].closed and not stages[9].won
    assert [d.id for d in deals] == made[:6]  # most recently changed first
    first = deals[0]
    assert first.amount == Decimal("1500.00") and first.close_date == date(2026, 12, 18)
    assert first.modified_at == NOW and first.owner_id == owner and not first.closed
    assert first.url == f"{org.base_url}/lightning/r/Opportunity/{made[0]}/view"
    pages = [r for r in org.requests if r.path.startswith(QUERY)]
    assert len([r for r in pages if r.path != QUERY]) == 0 + 4 + 2  # batches after the first
    assert len(org.token_requests()) == 1


async def test_deals_and_stage_history(org: SalesforceSandbox, crm: SalesforceCrm) -> None:
    _, made = seed(org, 2)
    org.move_stage(made[0], "Needs Analysis", NOW + timedelta(hours=1))
    org.move_stage(made[0], "Closed Lost", NOW + timedelta(hours=2))
    org.delete_opportunity(made[1])
    deals = await crm.deals([made[0], made[1], "not-an-id"])
    history = await crm.stage_history([made[0]])
    assert [(d.id, d.stage_id, d.closed) for d in deals] == [(made[0], "Closed Lost", True)]
    assert [(h.stage_id, h.at) for h in history] == [
        ("Prospecting", NOW),
        ("Needs Analysis", NOW + timedelta(hours=1)),
        ("Closed Lost", NOW + timedelta(hours=2)),
    ]


async def test_an_expired_session_is_renewed_exactly_once(
    org: SalesforceSandbox, crm: SalesforceCrm
) -> None:
    seed(org, 1)
    await crm.owners()
    org.expire_sessions()
    await crm.owners()
    assert len(org.token_requests()) == 2 and crm.token_requests == 2
    statuses = [r.status for r in org.requests_to(QUERY)]
    assert statuses == [200, 401, 200]
    org.expire_sessions()
    org.session_lifetime = timedelta(0)  # every new session is dead on arrival
    with pytest.raises(CrmRefused) as refused:
        await crm.owners()
    assert refused.value.code == "INVALID_SESSION_ID"
    assert len(org.token_requests()) == 3  # one renewal, not a loop


async def test_a_wrong_key_is_refused(org: SalesforceSandbox, turns: Turns) -> None:
    client = connect(org, turns, key=key_pair("stranger").private_pem)
    try:
        with pytest.raises(CrmRefused) as refused:
            await client.owners()
    finally:
        await client.close()
    assert refused.value.code == "salesforce_invalid_grant"
    assert org.requests_to(QUERY) == []


async def test_write_sets_both_fields_and_reports_gone_ids(
    org: SalesforceSandbox, crm: SalesforceCrm
) -> None:
    _, made = seed(org, 3)
    org.delete_opportunity(made[2])
    org.clock.set(NOW + timedelta(minutes=5))  # type: ignore[attr-defined]
    result = await crm.write(
        [
            FieldWrite(made[0], "Mutual action plan", True),
            FieldWrite(made[1], "", False),
            FieldWrite(made[2], "Next step", True),
        ]
    )
    assert result.written == (made[0], made[1]) and result.gone == (made[2],)
    assert org.writes_to(made[0], DRILL) == ["Mutual action plan"]
    assert org.writes_to(made[0], RECORDED) == [True]
    assert org.writes_to(made[1], DRILL) == [None] and org.writes_to(made[1], RECORDED) == [False]
    assert org.opportunity(made[0])["LastModifiedDate"] == NOW + timedelta(minutes=5)
    [update] = org.requests_to("/services/data/v62.0/composite/sobjects")
    assert update.method == "PATCH" and update.body["allOrNone"] is False

    # No drill named: only the checkbox is written, the drill stays as the record has it.
    await crm.write([FieldWrite(made[0], None, False)])
    assert org.writes_to(made[0], DRILL) == ["Mutual action plan"]
    assert org.writes_to(made[0], RECORDED) == [True, False]
    assert org.opportunity(made[0])[DRILL] == "Mutual action plan"


async def test_a_record_refused_alone_leaves_the_others_written(
    org: SalesforceSandbox, crm: SalesforceCrm
) -> None:
    """A validation rule on one opportunity fails that record, in Salesforce's words; the
    rest of the request is written (allOrNone false)."""
    _, made = seed(org, 3)
    org.add_validation_rule(made[1], "Next Step is required before the drill can be set.")
    result = await crm.write([FieldWrite(deal, "Mutual action plan", False) for deal in made])
    assert result.written == (made[0], made[2]) and result.gone == ()
    assert result.refused == (
        (
            made[1],
            "FIELD_CUSTOM_VALIDATION_EXCEPTION: Next Step is required before the drill can be set.",
        ),
    )
    assert org.writes_to(made[1], DRILL) == [] and org.writes_to(made[2], DRILL) != []
    assert len(org.requests_to("/services/data/v62.0/composite/sobjects")) == 1


async def test_a_dropped_field_is_refused_in_the_crms_words(
    org: SalesforceSandbox, crm: SalesforceCrm
) -> None:
    _, made = seed(org, 1)
    assert (await crm.check_fields()).ready
    org.drop_field(RECORDED)
    check = await crm.check_fields()
    assert check.drill is True and check.recorded is False
    with pytest.raises(CrmFieldRefused) as refused:
        await crm.write([FieldWrite(made[0], "Mutual action plan", True)])
    assert refused.value.code == "INVALID_FIELD"
    assert refused.value.reason == (
        f"INVALID_FIELD: No such column '{RECORDED}' on sobject of type Opportunity"
    )
    assert org.accepted_writes == []


async def test_request_limit_exceeded_is_budget_spent(
    org: SalesforceSandbox, crm: SalesforceCrm
) -> None:
    org.fail_next(1, 403, "REQUEST_LIMIT_EXCEEDED")
    with pytest.raises(CrmBudgetSpent) as spent:
        await crm.owners()
    assert spent.value.code == "REQUEST_LIMIT_EXCEEDED"


async def test_near_the_daily_limit_no_more_calls_go(
    org: SalesforceSandbox, crm: SalesforceCrm
) -> None:
    org.usage.allocation = 20
    org.usage.used = 17
    await crm.owners()  # answered with api-usage=18/20: less than a tenth left
    before = len(org.requests)
    with pytest.raises(CrmBudgetSpent) as spent:
        await crm.stages()
    assert spent.value.code == "daily_limit" and len(org.requests) == before


async def test_a_429_is_waited_out_and_retried(
    org: SalesforceSandbox, crm: SalesforceCrm, turns: Turns
) -> None:
    seed(org, 1)
    await crm.owners()
    org.rate_limit_next(1, retry_after=3)
    owners = await crm.owners()
    assert len(owners) == 2 and turns.pauses == [3.0]
    assert [r.status for r in org.requests_to(QUERY)] == [200, 429, 200]


async def test_an_outage_is_unavailable(org: SalesforceSandbox, crm: SalesforceCrm) -> None:
    org.go_down(503)
    with pytest.raises(CrmUnavailable) as down:
        await crm.owners()
    assert down.value.code == "http_503"
    org.come_back()
    org.go_down(502)
    with pytest.raises(CrmUnavailable):
        await crm.stages()


async def test_nothing_secret_or_personal_reaches_the_log(
    org: SalesforceSandbox, crm: SalesforceCrm, debug_capture: Capture
) -> None:
    owner, made = seed(org, 3)
    await crm.open_deals([owner])
    org.expire_sessions()
    await crm.write([FieldWrite(made[0], "Mutual action plan", True)])
    org.rate_limit_next(1, retry_after=1)
    await crm.check_fields()
    tokens = [s.token for s in org.sessions.values()]
    logged = "\n".join(debug_capture.lines)
    assert debug_capture.lines  # httpx logs each request at INFO
    private_body = key_pair().private_pem.splitlines()[1]
    for secret in (*tokens, private_body, CONSUMER_KEY, "Secret Deal", "Mutual action plan"):
        assert secret not in logged
    assert ids.canonical(made[0]) == made[0]
