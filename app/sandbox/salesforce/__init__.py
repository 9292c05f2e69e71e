"""A local stand-in for a Salesforce org's REST API on loopback, for tests and demos.

One server is both the login host (the OAuth 2.0 JWT bearer flow at /services/oauth2/token,
the assertion verified with the connected app's public key) and the org's instance
(/services/data/vNN.0/: SOQL query with batches, describe, sObject Collections updates),
with Salesforce's error bodies, 18-character ids, session time-outs, the daily API
allocation in Sforce-Limit-Info, and faults a test can script.

One module per job: `sandbox` assembles the parts (`org` and `schema` hold the data, `auth`
logs in, `rest` routes to `soql` + `evaluate` + `paging` and `updates`, `payloads` shapes
records, `limits` and `faults` refuse, `request_log` records, `ids` makes ids).
"""

from app.sandbox.salesforce.errors import OAuthError, SalesforceError
from app.sandbox.salesforce.request_log import SalesforceRequest
from app.sandbox.salesforce.sandbox import SalesforceSandbox

__all__ = ["OAuthError", "SalesforceError", "SalesforceRequest", "SalesforceSandbox"]
