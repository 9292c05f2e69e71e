"""A local stand-in for HubSpot's CRM API (v3) on loopback, for tests and demos.

It serves what coach asks of HubSpot with a private app's token: owners, deal pipelines,
the account's details, deal search (a real evaluator of filterGroups, one sort, paging by
`after` up to HubSpot's 10,000-result ceiling), batch read with stage history, batch update,
and deal property definitions, the way HubSpot's public reference documents them: Bearer
auth and scopes, `{status, message, correlationId, category}` errors, the 10-second, daily
and search per-second limits with their 429 bodies and X-HubSpot-RateLimit-* headers. Tests
can revoke the token, take it down behind a proxy, slow it, script 429s, and read back every
request and every value written.

One module per job: `sandbox` assembles the parts (`account` sets up and changes the
records, `schema` holds HubSpot's defaults, `endpoints` and `writes` answer with `search`
and `payloads`, `errors`, `limits` and `faults` refuse, `request_log` records).
"""

from app.sandbox.hubspot.errors import HubSpotError
from app.sandbox.hubspot.request_log import HubSpotRequest
from app.sandbox.hubspot.sandbox import COACH_SCOPES, HubSpotSandbox

__all__ = ["COACH_SCOPES", "HubSpotError", "HubSpotRequest", "HubSpotSandbox"]
