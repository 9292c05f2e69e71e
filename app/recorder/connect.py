"""An admin connects their workspace's Gong from the App Home: the URL and key pair are
checked for shape, sealed with the token keys and stored; the next sync tries them."""

from __future__ import annotations

from datetime import datetime

from app.config import ConfigError, RecorderCredentials, Settings, check_recorder_url
from app.db.store import Store
from app.recorder.connection import GONG, seal
from app.rules.form_fields import RecorderField
from app.rules.refusals import FieldErrors, Refusal, UserError
from app.rules.types import ConnectionStatus
from app.services import people
from app.services.people import Actor

MAX_KEY = 200


def check_keys(api_url: str, access_key: str, access_key_secret: str) -> RecorderCredentials:
    """The credentials as typed, or FieldErrors under the fields to fix."""
    errors: dict[str, Refusal] = {}
    url = check_recorder_url(api_url) if len(api_url) <= 500 else None
    if url is None:
        errors[RecorderField.API_URL] = Refusal.RECORDER_URL
    for field, value in (
        (RecorderField.ACCESS_KEY, access_key),
        (RecorderField.ACCESS_KEY_SECRET, access_key_secret),
    ):
        if (
            not value.strip()
            or len(value.strip()) > MAX_KEY
            or any(c.isspace() for c in value.strip())
        ):
            errors[field] = Refusal.RECORDER_KEY
    if errors:
        raise FieldErrors(errors)
    assert url is not None
    return RecorderCredentials(url, access_key.strip(), access_key_secret.strip())


async def connect(
    store: Store,
    actor: Actor,
    settings: Settings,
    credentials: RecorderCredentials,
    now: datetime,
) -> None:
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_RECORDER)
    try:
        sealed = seal(settings, credentials)
    except ConfigError:
        raise UserError(Refusal.RECORDER_NEEDS_TOKEN_KEYS) from None
    workspace_id = actor.workspace.id
    await store.ensure_recorder_connection(workspace_id, GONG, now)
    await store.update_recorder_connection(
        workspace_id,
        now,
        **sealed,
        status=ConnectionStatus.UNCHECKED,
        problem=None,
        problem_at=None,
        next_sync_at=None,
        users_read_at=None,
        key_fingerprint=None,
    )


async def disconnect(store: Store, actor: Actor, now: datetime) -> int:
    """Forget the workspace's Gong key, every call read from it and who is who there; the
    week goes on as without Gong (unless GONG_* sets one for this install). How many calls
    were deleted."""
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_RECORDER)
    workspace_id = actor.workspace.id
    if await store.recorder_connection(workspace_id) is None:
        return 0
    forgotten = await store.forget_recorded_calls(workspace_id)
    await store.update_recorder_connection(
        workspace_id,
        now,
        api_url=None,
        access_key=None,
        access_key_secret=None,
        status=ConnectionStatus.DISCONNECTED,
        problem=None,
        problem_at=None,
        next_sync_at=None,
        users_read_at=None,
        users_matched=None,
        users_cursor=None,
        users_listing_since=None,
        key_fingerprint=None,
    )
    return forgotten


async def current_url(store: Store, actor: Actor) -> str | None:
    """The URL an admin stored before (never the key), to start the form from."""
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_RECORDER)
    row = await store.recorder_connection(actor.workspace.id)
    return row.api_url if row is not None else None
