"""How to reach a CRM: a Salesforce connected app (JWT bearer flow) or a HubSpot private
app's token, from the environment (one workspace) or an admin's form (OAuth mode), and the
names of the two write-back fields, which are install-wide settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from app.config import ConfigError, Settings, check_recorder_url
from app.crm.provider import DrillFields
from app.rules.types import CrmKind

MAX_KEY_BYTES = 20_000


@dataclass(frozen=True)
class SalesforceCredentials:
    login_url: str  # https://login.salesforce.com, https://test.salesforce.com or My Domain
    client_id: str  # the connected app's consumer key
    username: str  # the integration user the JWT names
    private_key: str  # PEM of the key whose certificate the connected app holds
    api_version: str  # "62.0"

    kind = CrmKind.SALESFORCE

    def __repr__(self) -> str:  # never the key, in a log line or a traceback
        return (
            f"SalesforceCredentials(login_url={self.login_url!r}, client_id=***, "
            f"username={self.username!r}, private_key=***)"
        )


@dataclass(frozen=True)
class HubSpotCredentials:
    api_url: str  # https://api.hubapi.com
    token: str  # a private app's access token

    kind = CrmKind.HUBSPOT

    def __repr__(self) -> str:
        return f"HubSpotCredentials(api_url={self.api_url!r}, token=***)"


CrmCredentials = SalesforceCredentials | HubSpotCredentials


def drill_fields(settings: Settings, kind: CrmKind) -> DrillFields:
    if kind is CrmKind.SALESFORCE:
        return DrillFields(settings.salesforce_drill_field, settings.salesforce_recorded_field)
    return DrillFields(settings.hubspot_drill_property, settings.hubspot_recorded_property)


@lru_cache(maxsize=8)
def check_private_key(pem: str) -> str | None:
    """The PEM as given when it is an RSA private key coach can sign with, else None.
    Loading a key checks it and takes tens of milliseconds: the environment's key is read
    on every tick, so the answer is kept."""
    data = pem.strip().encode()
    if not data or len(data) > MAX_KEY_BYTES:
        return None
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        return None
    return pem.strip() + "\n" if isinstance(key, RSAPrivateKey) else None


def check_login_url(url: str) -> str | None:
    return check_recorder_url(url)


def environment_crm(settings: Settings) -> CrmCredentials | None:
    """The CRM the environment names; None when no SALESFORCE_*/HUBSPOT_TOKEN is set, or a
    ConfigError saying in one sentence what to set."""
    salesforce = {
        "SALESFORCE_CLIENT_ID": settings.salesforce_client_id,
        "SALESFORCE_USERNAME": settings.salesforce_username,
        "SALESFORCE_PRIVATE_KEY_FILE": settings.salesforce_private_key_file,
    }
    token = settings.hubspot_token.get_secret_value() if settings.hubspot_token else None
    wants_salesforce = any(salesforce.values())
    if wants_salesforce and token:
        raise ConfigError("Connect one CRM: unset either SALESFORCE_* or HUBSPOT_TOKEN.")
    if token:
        api_url = check_recorder_url(settings.hubspot_api_url)
        if api_url is None:
            raise ConfigError("HUBSPOT_API_URL must be an https URL, e.g. https://api.hubapi.com.")
        if any(c.isspace() for c in token.strip()) or len(token.strip()) > 500:
            raise ConfigError("HUBSPOT_TOKEN must be your private app's access token (pat-…).")
        return HubSpotCredentials(api_url, token.strip())
    if not wants_salesforce:
        return None
    missing = [name for name, value in salesforce.items() if not value]
    if missing:
        raise ConfigError(f"Salesforce needs {missing[0]} as well: set it, or unset SALESFORCE_*.")
    login_url = check_login_url(settings.salesforce_login_url)
    if login_url is None:
        raise ConfigError(
            "SALESFORCE_LOGIN_URL must be an https URL, e.g. https://login.salesforce.com."
        )
    path = Path(settings.salesforce_private_key_file or "")
    try:
        pem = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ConfigError(
            "SALESFORCE_PRIVATE_KEY_FILE cannot be read: point it at the PEM file of the key "
            "whose certificate your connected app holds."
        ) from None
    key = check_private_key(pem)
    if key is None:
        raise ConfigError(
            "SALESFORCE_PRIVATE_KEY_FILE must hold an unencrypted RSA private key in PEM form."
        )
    return SalesforceCredentials(
        login_url,
        (settings.salesforce_client_id or "").strip(),
        (settings.salesforce_username or "").strip(),
        key,
        settings.salesforce_api_version,
    )
