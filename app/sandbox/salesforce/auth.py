"""The login host: connected apps (a consumer key and the public key of the certificate
uploaded to it), the OAuth 2.0 JWT bearer flow at /services/oauth2/token, and the sessions
it hands out, which time out after a settable lifetime without use.

The assertion is refused as Salesforce refuses it: 400 invalid_client_id for an unknown
consumer key, 400 invalid_grant for a bad signature, a wrong audience, an expired (or too
long-lived) assertion or a user who cannot log in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from app.clock import Clock
from app.sandbox.salesforce import ids
from app.sandbox.salesforce.errors import OAuthError, invalid_session

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# The docs ask for an exp within 3 minutes; a little skew between clocks is forgiven.
MAX_LIFETIME_S = 180
SKEW_S = 60
PRODUCTION, SANDBOX = "https://login.salesforce.com", "https://test.salesforce.com"


@dataclass
class Session:
    token: str
    user_id: str
    last_used: datetime


class Logins:
    clock: Clock
    base_url: str
    org_id: str
    users: dict[str, dict[str, Any]]
    session_lifetime: timedelta
    sandbox_org: bool
    connected_apps: dict[str, Any]  # consumer key -> public key
    sessions: dict[str, Session]
    tokens_issued: int

    def _init_logins(self) -> None:
        self.connected_apps, self.sessions, self.tokens_issued = {}, {}, 0

    # --- test set-up ------------------------------------------------------------------
    def add_connected_app(self, consumer_key: str, public_key_pem: str | bytes) -> None:
        pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
        self.connected_apps[consumer_key] = load_pem_public_key(pem)

    def expire_sessions(self) -> None:
        """Every session handed out so far times out now."""
        self.sessions.clear()

    # --- the token endpoint -----------------------------------------------------------
    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != GRANT:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        assertion = form.get("assertion") or ""
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
        if header.get("alg") != "RS256":
            raise OAuthError("invalid_grant", "invalid assertion")
        key = self.connected_apps.get(str(claims.get("iss")))
        if key is None:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        try:
            jwt.decode(
                assertion,
                key,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_aud": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
        if claims.get("aud") not in self._audiences():
            raise OAuthError("invalid_grant", "audience is invalid")
        now = self.clock()
        exp = claims.get("exp")
        if not isinstance(exp, int) or isinstance(exp, bool):
            raise OAuthError("invalid_grant", "invalid assertion")
        if exp <= now.timestamp() - SKEW_S or exp > now.timestamp() + MAX_LIFETIME_S + SKEW_S:
            raise OAuthError("invalid_grant", "expired authorization code")
        user = next((u for u in self.users.values() if u["Username"] == claims.get("sub")), None)
        if user is None or not user["IsActive"]:
            raise OAuthError("invalid_grant", "user hasn't approved this consumer")
        token = f"{self.org_id[:15]}!AR{secrets.token_urlsafe(72)}"
        self.sessions[token] = Session(token, user["Id"], now)
        self.tokens_issued += 1
        return {
            "access_token": token,
            "scope": "api",
            "instance_url": self.base_url,
            "id": f"{self.base_url}/id/{self.org_id}/{user['Id']}",
            "token_type": "Bearer",
        }

    def _audiences(self) -> set[str]:
        """This host (the login URL the client uses) and the real login host for the org's
        kind: production orgs take login.salesforce.com, sandboxes test.salesforce.com."""
        return {self.base_url, self.base_url + "/", SANDBOX if self.sandbox_org else PRODUCTION}

    # --- asked by the dispatcher ------------------------------------------------------
    def _session_of(self, authorization: str | None) -> Session:
        scheme, _, token = (authorization or "").partition(" ")
        session = (
            self.sessions.get(token.strip()) if scheme.lower() in ("bearer", "oauth") else None
        )
        if session is None:
            raise invalid_session()
        now = self.clock()
        if now - session.last_used >= self.session_lifetime:
            del self.sessions[session.token]
            raise invalid_session()
        session.last_used = now
        return session


def org_id() -> str:
    return ids.make(ids.ORG, 0x2A)
