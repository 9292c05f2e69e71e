"""An admin connects their workspace's CRM from the App Home (OAuth mode, where each
workspace is its own company): HubSpot's private app token, or Salesforce's connected app
(consumer key, integration user, private key). What is typed is checked for shape, the
secret sealed with the token keys and stored; the next sync tries it. Changing or removing
the credentials forgets every deal, stage and match read with the old ones: another
account's ids mean nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.config import ConfigError, Settings
from app.crm.connection import seal
from app.crm.credentials import (
    CrmCredentials,
    HubSpotCredentials,
    SalesforceCredentials,
    check_login_url,
    check_private_key,
)
from app.db.store import Store
from app.rules.form_fields import CrmField
from app.rules.refusals import FieldErrors, Refusal, UserError
from app.rules.types import ConnectionStatus, CrmKind
from app.services import people
from app.services.people import Actor

MAX_ID = 255
MAX_TOKEN = 500


def _one_word(value: str, limit: int) -> str | None:
    word = value.strip()
    return word if word and len(word) <= limit and not any(c.isspace() for c in word) else None


def check_hubspot(api_url: str, token: str) -> HubSpotCredentials:
    """HubSpot's credentials as typed, or FieldErrors under the fields to fix."""
    errors: dict[str, Refusal] = {}
    url = check_login_url(api_url) if len(api_url) <= 500 else None
    if url is None:
        errors[CrmField.API_URL] = Refusal.HUBSPOT_URL
    word = _one_word(token, MAX_TOKEN)
    if word is None:
        errors[CrmField.TOKEN] = Refusal.HUBSPOT_TOKEN
    if errors:
        raise FieldErrors(errors)
    assert url is not None and word is not None
    return HubSpotCredentials(url, word)


def check_salesforce(
    settings: Settings, login_url: str, client_id: str, username: str, private_key: str
) -> SalesforceCredentials:
    """Salesforce's credentials as typed, or FieldErrors under the fields to fix. The key
    must be one coach can sign with: an unencrypted RSA private key in PEM form."""
    errors: dict[str, Refusal] = {}
    url = check_login_url(login_url) if len(login_url) <= 500 else None
    if url is None:
        errors[CrmField.API_URL] = Refusal.SALESFORCE_LOGIN_URL
    consumer_key = _one_word(client_id, MAX_ID)
    if consumer_key is None:
        errors[CrmField.CLIENT_ID] = Refusal.SALESFORCE_CLIENT_ID
    user = _one_word(username, MAX_ID)
    if user is None or "@" not in user:
        errors[CrmField.USERNAME] = Refusal.SALESFORCE_USERNAME
    key = check_private_key(private_key)
    if key is None:
        errors[CrmField.PRIVATE_KEY] = Refusal.SALESFORCE_KEY
    if errors:
        raise FieldErrors(errors)
    assert url and consumer_key and user and key
    return SalesforceCredentials(url, consumer_key, user, key, settings.salesforce_api_version)


# Everything a sync learnt from the old credentials, cleared with them.
_READ_AFRESH: dict[str, object] = {
    "status": ConnectionStatus.UNCHECKED,
    "problem": None,
    "problem_at": None,
    "next_sync_at": None,
    "key_fingerprint": None,
    "fields_ok": None,
    "owners_read_at": None,
    "owners_matched": None,
    "deals_read_at": None,
    "api_used": None,
    "api_allocation": None,
}


async def connect(
    store: Store, actor: Actor, settings: Settings, credentials: CrmCredentials, now: datetime
) -> None:
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_CRM)
    try:
        sealed = seal(settings, credentials)
    except ConfigError:
        raise UserError(Refusal.CRM_NEEDS_TOKEN_KEYS) from None
    workspace_id = actor.workspace.id
    await store.ensure_crm_connection(workspace_id, credentials.kind.value, now)
    await store.forget_crm(workspace_id)
    await store.update_crm_connection(workspace_id, now, **sealed, **_READ_AFRESH)


async def disconnect(store: Store, actor: Actor, now: datetime) -> bool:
    """Forget the workspace's CRM credentials and everything read with them; the week goes
    on as without a CRM (unless SALESFORCE_*/HUBSPOT_* sets one for this install). Whether
    there was a stored connection."""
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_CRM)
    workspace_id = actor.workspace.id
    row = await store.crm_connection(workspace_id)
    if row is None or row.secret is None:
        return False
    await store.forget_crm(workspace_id)
    await store.update_crm_connection(
        workspace_id,
        now,
        api_url=None,
        client_id=None,
        username=None,
        secret=None,
        **(_READ_AFRESH | {"status": ConnectionStatus.DISCONNECTED}),
    )
    return True


@dataclass(frozen=True)
class StoredCrm:
    """What the form starts from: what an admin stored before, never the secret."""

    kind: CrmKind | None = None
    api_url: str | None = None
    client_id: str | None = None
    username: str | None = None


async def stored(store: Store, actor: Actor) -> StoredCrm:
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_CRM)
    row = await store.crm_connection(actor.workspace.id)
    if row is None or row.secret is None:
        return StoredCrm()
    return StoredCrm(CrmKind(row.provider), row.api_url, row.client_id, row.username)
