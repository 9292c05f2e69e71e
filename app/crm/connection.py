"""Which credentials a workspace's CRM uses: an admin's own (OAuth mode, stored sealed with
the token keys) or the SALESFORCE_*/HUBSPOT_* environment (one workspace, `coach serve`)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from app.config import ConfigError, Settings, token_cipher
from app.crm.credentials import (
    CrmCredentials,
    HubSpotCredentials,
    SalesforceCredentials,
    environment_crm,
)
from app.db.crm_tables import CrmConnection
from app.rules.types import CrmKind
from app.token_cipher import TokenKeyError

log = logging.getLogger(__name__)

SECRET_COLUMN = "crm_connection.secret"


@dataclass(frozen=True)
class Connection:
    workspace_id: int
    credentials: CrmCredentials
    source: str  # admin | environment
    fingerprint: str  # which credentials these are, as a digest (never the key)

    @property
    def kind(self) -> CrmKind:
        return self.credentials.kind


def fingerprint(credentials: CrmCredentials) -> str:
    if isinstance(credentials, SalesforceCredentials):
        parts: tuple[str, ...] = (
            credentials.login_url,
            credentials.client_id,
            credentials.username,
            credentials.private_key,
            credentials.api_version,
        )
    else:
        parts = (credentials.api_url, credentials.token)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def environment_credentials(settings: Settings) -> CrmCredentials | None:
    """SALESFORCE_*/HUBSPOT_TOKEN for a single-workspace install; never in OAuth mode, where
    each workspace is another company with a CRM of its own."""
    if settings.slack_client_id:
        return None
    try:
        return environment_crm(settings)
    except ConfigError:  # `coach serve` refuses to start with these; a job just skips them
        return None


def seal(settings: Settings, credentials: CrmCredentials) -> dict[str, str | None]:
    cipher = token_cipher(settings)
    if isinstance(credentials, SalesforceCredentials):
        return {
            "provider": CrmKind.SALESFORCE.value,
            "api_url": credentials.login_url,
            "client_id": credentials.client_id,
            "username": credentials.username,
            "secret": cipher.seal(credentials.private_key, SECRET_COLUMN),
        }
    return {
        "provider": CrmKind.HUBSPOT.value,
        "api_url": credentials.api_url,
        "client_id": None,
        "username": None,
        "secret": cipher.seal(credentials.token, SECRET_COLUMN),
    }


def stored_credentials(settings: Settings, row: CrmConnection) -> CrmCredentials | None:
    """An admin's credentials, unsealed; None when none are stored or they can't be opened
    (a key removed from COACH_TOKEN_KEYS: the admin connects again)."""
    if not (row.api_url and row.secret):
        return None
    try:
        secret = token_cipher(settings).open(row.secret, SECRET_COLUMN)
    except (ConfigError, TokenKeyError, ValueError):
        log.warning("CRM credentials of workspace=%s cannot be unsealed", row.workspace_id)
        return None
    if row.provider == CrmKind.SALESFORCE and row.client_id and row.username:
        return SalesforceCredentials(
            row.api_url, row.client_id, row.username, secret, settings.salesforce_api_version
        )
    if row.provider == CrmKind.HUBSPOT:
        return HubSpotCredentials(row.api_url, secret)
    return None


def connection_for(
    settings: Settings, workspace_id: int, row: CrmConnection | None
) -> Connection | None:
    stored = stored_credentials(settings, row) if row is not None else None
    if stored is not None:
        return Connection(workspace_id, stored, "admin", fingerprint(stored))
    env = environment_credentials(settings)
    if env is not None:
        return Connection(workspace_id, env, "environment", fingerprint(env))
    return None
