"""A local stand-in for Gong's public REST API (v2) on loopback, for tests and demos.

It serves the two endpoints coach reads, GET /v2/users and POST /v2/calls/extensive, the
way Gong's reference documents them: Basic auth, cursor paging bound to the request's
inputs, 3 calls a second and 10,000 a day, `{requestId, errors}` bodies (404 when no call
matches). Tests can revoke the key, take it down behind a proxy, slow it, script 429s, and
read back every request (docs/gong-api.md).

One module per job: `sandbox` assembles the parts (`directory` and `seeding` set up users and
calls, `endpoints` with `calls_query`, `paging` and `payloads` answer, `credentials`,
`limits` and `faults` refuse, `request_log` records).
"""

from app.sandbox.gong.errors import NO_CALLS, GongError
from app.sandbox.gong.request_log import GongRequest
from app.sandbox.gong.sandbox import GongSandbox

__all__ = ["NO_CALLS", "GongError", "GongRequest", "GongSandbox"]
