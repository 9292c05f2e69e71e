"""The admin's sentences about the CRM (`/coach status` and the App Home): whether it
works and why not, the two write-back fields, whom it matched, how the write-backs went."""

from __future__ import annotations

from app.rules.types import ConnectionStatus
from app.services.crm_health import CrmHealth
from app.services.roster import plural
from app.slack.render.blocks import some_of

PROBLEMS = {
    "timeout": "didn't answer in time",
    "unreachable": "couldn't be reached",
    "rate_limited": "asked coach to slow down",
    "daily_limit": "allows coach no more requests today (coach's share of its daily limit)",
    "REQUEST_LIMIT_EXCEEDED": "allows no more API requests today (the org's daily limit)",
    "not_json": "answered in a form coach can't read",
    "salesforce_invalid_grant": (
        "refused the login (invalid_grant: the username, the connected app's certificate, "
        "or the user's pre-authorization)"
    ),
    "salesforce_invalid_client_id": "doesn't know the connected app's consumer key",
    "INVALID_SESSION_ID": "refused coach's session twice in a row",
    "INVALID_AUTHENTICATION": "refused the access token (revoked or wrong)",
    "MISSING_SCOPES": "refused the access token: the private app lacks a scope coach needs",
    "http_401": "refused coach's credentials",
    "http_403": "refused coach's credentials: a permission or scope is missing",
}


def problem_words(code: str | None) -> str:
    if code is None:
        return "failed"
    if code.startswith("http_5"):
        return f"was down ({code.removeprefix('http_')})"
    return PROBLEMS.get(code, f"failed ({code})")


def _connection(health: CrmHealth) -> str:
    name, problem = health.name, problem_words(health.problem)
    if health.status is ConnectionStatus.REFUSED:
        where = (
            "an admin enters working ones (App Home)"
            if health.stored_keys
            else ("whoever runs coach fixes the SALESFORCE_* or HUBSPOT_* settings")
        )
        return (
            f"{name} {problem}: deals are off until {where}. The weekly loop goes on without "
            "the CRM; write-backs wait."
        )
    if health.status is ConnectionStatus.FAILING:
        again = (
            "in an hour"
            if health.problem in ("daily_limit", "REQUEST_LIMIT_EXCEEDED")
            else ("in a few minutes")
        )
        return f"{name} {problem} last time: coach tries again {again}; nothing is lost."
    if health.owners_read_at is None:
        return f"{name} is connected; coach reads its deal owners on the next tick."
    return (
        f"{name} is connected: {health.matched} of the {plural(health.people, 'person', 'people')}"
        " on the roster matched a deal owner by email."
    )


def _fields(health: CrmHealth) -> str | None:
    if health.fields_ok is False:
        return (
            "The two write-back fields aren't both there: run `coach crm check` on the server "
            "to see which, and `coach crm setup` to add them."
        )
    return None


def _writes(health: CrmHealth) -> str | None:
    writes = health.writes
    if not (writes.written or writes.waiting or writes.failed):
        return None
    parts = [f"{writes.written} written"]
    if writes.waiting:
        parts.append(f"{writes.waiting} waiting for {health.name}")
    if writes.failed:
        parts.append(f"{writes.failed} refused (the reasons are under Delivery problems)")
    return f"Drill write-backs in the last 7 days: {', '.join(parts)}."


def _allowance(health: CrmHealth) -> str | None:
    if not (health.api_used is not None and health.api_allocation):
        return None
    share = round(100 * health.api_used / health.api_allocation)
    return (
        f"API requests today: {health.api_used:,} of {health.api_allocation:,} ({share}%); "
        "coach stops at 90%."
    )


def crm_status(health: CrmHealth) -> list[str]:
    """The admin's sentences about the CRM, most important first."""
    lines = [_connection(health)]
    lines += [line for line in (_fields(health), _writes(health), _allowance(health)) if line]
    if health.unmatched_count:
        shown = some_of(health.unmatched, health.unmatched_count)
        lines.append(
            f"No {health.name} deal owner by email ({health.unmatched_count}): {shown}. "
            f"Their {health.name} email must match their Slack one, or they type deals by hand."
        )
    return lines


def connected(name: str) -> str:
    return (
        f"{name}'s keys are stored, sealed. coach tries them within a few minutes: your App "
        "Home and `/coach status` say whether they work, whether the two write-back fields "
        "exist, and whom it matched by email."
    )


def disconnected(forgot: bool) -> str:
    if not forgot:
        return "No CRM keys were stored here: nothing changed."
    return (
        "The CRM is disconnected: its keys and every deal and stage coach read are gone. "
        "Reps type their deals by hand; connect it again from your App Home whenever you like."
    )
