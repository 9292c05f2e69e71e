"""Which credentials a workspace's recorder uses: an admin's own (OAuth mode, stored sealed
with the token keys) or the GONG_* environment (one workspace, `coach serve`)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from app.config import (
    ConfigError,
    RecorderCredentials,
    Settings,
    gong_credentials,
    token_cipher,
)
from app.db.recorder_tables import RecorderConnection
from app.token_cipher import TokenKeyError

log = logging.getLogger(__name__)

GONG = "gong"
KEY_COLUMN = "recorder_connection.access_key"
SECRET_COLUMN = "recorder_connection.access_key_secret"


@dataclass(frozen=True)
class Connection:
    workspace_id: int
    credentials: RecorderCredentials
    source: str  # admin | environment
    fingerprint: str  # which credentials these are, as a digest (never the key)


def fingerprint(credentials: RecorderCredentials) -> str:
    joined = "\0".join((credentials.api_url, credentials.access_key, credentials.access_key_secret))
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def environment_credentials(settings: Settings) -> RecorderCredentials | None:
    """GONG_* for a single-workspace install; never in OAuth mode, where each workspace is
    another company with a Gong account of its own."""
    if settings.slack_client_id:
        return None
    try:
        return gong_credentials(settings)
    except ConfigError:  # `coach serve` refuses to start with these; a job just skips them
        return None


def seal(settings: Settings, credentials: RecorderCredentials) -> dict[str, str]:
    cipher = token_cipher(settings)
    return {
        "api_url": credentials.api_url,
        "access_key": cipher.seal(credentials.access_key, KEY_COLUMN),
        "access_key_secret": cipher.seal(credentials.access_key_secret, SECRET_COLUMN),
    }


def stored_credentials(settings: Settings, row: RecorderConnection) -> RecorderCredentials | None:
    """An admin's credentials, unsealed; None when none are stored or they can't be opened
    (a key removed from COACH_TOKEN_KEYS: the admin connects again)."""
    if not (row.api_url and row.access_key and row.access_key_secret):
        return None
    try:
        cipher = token_cipher(settings)
        key = cipher.open(row.access_key, KEY_COLUMN)
        secret = cipher.open(row.access_key_secret, SECRET_COLUMN)
    except (ConfigError, TokenKeyError, ValueError):
        log.warning("recorder credentials of workspace=%s cannot be unsealed", row.workspace_id)
        return None
    return RecorderCredentials(row.api_url, key, secret)


def connection_for(
    settings: Settings, workspace_id: int, row: RecorderConnection | None
) -> Connection | None:
    stored = stored_credentials(settings, row) if row is not None else None
    if stored is not None:
        return Connection(workspace_id, stored, "admin", fingerprint(stored))
    env = environment_credentials(settings)
    if env is not None:
        return Connection(workspace_id, env, "environment", fingerprint(env))
    return None
