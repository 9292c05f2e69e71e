"""Settings from the environment (or `.env`), validated once at start-up and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.token_cipher import TokenCipher, TokenKeyError


class ConfigError(Exception):
    """A setting is missing or contradicts another; the message names the variable to set."""


class SlackMode(StrEnum):
    HTTP = "http"  # one workspace, requests signed with SLACK_SIGNING_SECRET
    SOCKET = "socket"  # one workspace over a Socket Mode websocket
    OAUTH = "oauth"  # many workspaces installed through /slack/install


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./coach.db"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_state_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # OAuth mode seals stored Slack tokens with these keys: `id:base64key,…`, the first seals.
    coach_token_keys: SecretStr | None = None
    port: int = Field(default=3000, ge=1, le=65535)
    coach_scheduler: Literal["on", "off"] = "on"
    coach_default_tz: str = "UTC"
    # How often the in-process scheduler ticks (the cadence needs one a minute; tests go faster).
    coach_tick_seconds: float = Field(default=60, gt=0, le=3600)
    # How long a claimed delivery is held before another sender may take it over.
    coach_lease_seconds: float = Field(default=60, ge=1, le=3600)
    # Scheduled DMs per minute per workspace: learned from Slack's answers, starting here
    # (about one a second, which Slack always takes) and never above the cap, when one is set.
    coach_send_start_per_minute: int = Field(default=60, ge=1, le=100_000)
    coach_send_rate_per_minute: int | None = Field(default=None, ge=1, le=100_000)
    # Scheduled DMs in flight at once per process.
    coach_send_concurrency: int = Field(default=8, ge=1, le=256)
    # Trend charts (PNG) in digests and App Homes: on, and the threads per process drawing them.
    coach_charts: Literal["on", "off"] = "on"
    coach_chart_threads: int = Field(default=1, ge=1, le=16)
    # Log lines as JSON objects (production) or as text (a terminal).
    coach_log_format: Literal["json", "text"] = "text"
    # The call recorder: Gong's API base URL for the company (Gong's API page shows it) and
    # an access key pair. In OAuth mode an admin may set these per workspace instead.
    gong_api_url: str | None = None
    gong_access_key: SecretStr | None = None
    gong_access_key_secret: SecretStr | None = None
    # Gong's limits for the company (3 a second and 10,000 a day unless Gong raised them):
    # coach keeps every replica together at most at these.
    gong_requests_per_second: float = Field(default=2, gt=0, le=100)
    gong_requests_per_day: int = Field(default=10_000, ge=100, le=10_000_000)
    # The CRM: Salesforce (a connected app with the JWT bearer flow) or HubSpot (a private
    # app's token), never both. In OAuth mode an admin may connect one per workspace instead.
    salesforce_login_url: str = "https://login.salesforce.com"
    salesforce_client_id: str | None = None
    salesforce_username: str | None = None
    salesforce_private_key_file: str | None = None
    salesforce_api_version: str = Field(default="62.0", pattern=r"^[0-9]{2}\.0$")
    salesforce_drill_field: str = Field(
        default="Coaching_Drill_This_Week__c", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,39}__c$"
    )
    salesforce_recorded_field: str = Field(
        default="Drill_Recorded__c", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,39}__c$"
    )
    hubspot_token: SecretStr | None = None
    hubspot_api_url: str = "https://api.hubapi.com"
    hubspot_drill_property: str = Field(
        default="coaching_drill_this_week", pattern=r"^[a-z][a-z0-9_]{0,99}$"
    )
    hubspot_recorded_property: str = Field(
        default="drill_recorded", pattern=r"^[a-z][a-z0-9_]{0,99}$"
    )
    # HubSpot's limits for a private app (100 per 10 seconds and 250,000 a day on Starter;
    # more on Professional and Enterprise): coach keeps every replica together under these.
    hubspot_requests_per_ten_seconds: int = Field(default=100, ge=10, le=10_000)
    hubspot_requests_per_day: int = Field(default=250_000, ge=1_000, le=100_000_000)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        # slack_sdk joins base_url + method name, so the slash matters.
        return value if value.endswith("/") else value + "/"

    @field_validator("coach_default_tz")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"COACH_DEFAULT_TZ={value!r} is not an IANA time zone (e.g. Europe/Berlin)"
            ) from exc
        return value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_secret",
        "slack_state_secret",
        "coach_token_keys",
        "gong_api_url",
        "gong_access_key",
        "gong_access_key_secret",
        "salesforce_client_id",
        "salesforce_username",
        "salesforce_private_key_file",
        "hubspot_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@dataclass(frozen=True)
class SlackCredentials:
    mode: SlackMode
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None

    @property
    def http_signing_secret(self) -> str | None:
        """What signs requests to POST /slack/events; None in Socket Mode, which has no such
        route (Slack's requests arrive over the websocket)."""
        return None if self.mode is SlackMode.SOCKET else self.signing_secret


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


@dataclass(frozen=True)
class RecorderCredentials:
    """How to reach a call recorder: its API base URL and an access key pair (Basic auth)."""

    api_url: str
    access_key: str
    access_key_secret: str

    def __repr__(self) -> str:  # never the secret, in a log line or a traceback
        return f"RecorderCredentials(api_url={self.api_url!r}, access_key=***)"


def check_recorder_url(url: str) -> str | None:
    """The URL, without a trailing slash, or None when it is not an https URL (plain http
    only to this machine, for the local stand-in)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    local = host in ("127.0.0.1", "localhost", "::1")
    if not host or parts.scheme not in ("https", "http") or any(c.isspace() for c in url.strip()):
        return None
    if parts.scheme == "http" and not local:
        return None
    return url.strip().rstrip("/")


def gong_credentials(settings: Settings) -> RecorderCredentials | None:
    """Gong's credentials from the environment; None when none of GONG_* is set, or a
    ConfigError naming the one still missing."""
    parts = {
        "GONG_API_URL": settings.gong_api_url,
        "GONG_ACCESS_KEY": _secret(settings.gong_access_key),
        "GONG_ACCESS_KEY_SECRET": _secret(settings.gong_access_key_secret),
    }
    if not any(parts.values()):
        return None
    missing = [name for name, value in parts.items() if not value]
    if missing:
        raise ConfigError(f"Gong needs {missing[0]} as well: set it, or unset every GONG_*.")
    url = check_recorder_url(parts["GONG_API_URL"] or "")
    if url is None:
        raise ConfigError(
            "GONG_API_URL must be your Gong API base URL, e.g. https://us-12345.api.gong.io."
        )
    return RecorderCredentials(
        url, parts["GONG_ACCESS_KEY"] or "", parts["GONG_ACCESS_KEY_SECRET"] or ""
    )


def token_cipher(settings: Settings) -> TokenCipher:
    """The keys that seal stored Slack tokens, or a ConfigError saying what to set."""
    keys = _secret(settings.coach_token_keys)
    if keys is None:
        raise ConfigError(
            "OAuth mode stores Slack tokens sealed: set COACH_TOKEN_KEYS "
            "(`coach tokens new-key` prints one)."
        )
    try:
        return TokenCipher.parse(keys)
    except TokenKeyError as exc:
        raise ConfigError(str(exc)) from exc


def slack_credentials(settings: Settings) -> SlackCredentials:
    """Decide how `coach serve` talks to Slack, or say in one sentence what to set."""
    bot = _secret(settings.slack_bot_token)
    signing = _secret(settings.slack_signing_secret)
    app_token = _secret(settings.slack_app_token)
    oauth_parts = {
        "SLACK_CLIENT_ID": settings.slack_client_id,
        "SLACK_CLIENT_SECRET": _secret(settings.slack_client_secret),
        "SLACK_STATE_SECRET": _secret(settings.slack_state_secret),
    }
    wants_oauth = any(oauth_parts.values())

    if bot and wants_oauth:
        raise ConfigError(
            "Set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/"
            "SLACK_STATE_SECRET (OAuth for many workspaces), not both."
        )
    if bot is not None and not bot.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
    if app_token is not None:
        if not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
        if wants_oauth:
            raise ConfigError(
                "Socket Mode (SLACK_APP_TOKEN) runs one workspace: unset SLACK_CLIENT_*."
            )
        if not bot:
            raise ConfigError(
                "Socket Mode needs SLACK_BOT_TOKEN too: set it to the app's xoxb- token."
            )
        return SlackCredentials(SlackMode.SOCKET, bot, signing, app_token)
    if wants_oauth:
        missing = [name for name, value in oauth_parts.items() if not value]
        if missing:
            raise ConfigError(f"OAuth mode needs {missing[0]} as well: set it.")
        if not signing:
            raise ConfigError(
                "Set SLACK_SIGNING_SECRET (Basic Information page of your Slack app)."
            )
        token_cipher(settings)  # OAuth stores tokens: refuse to start without a sealing key
        return SlackCredentials(SlackMode.OAUTH, None, signing, None)
    if not bot:
        raise ConfigError(
            "Set SLACK_BOT_TOKEN (OAuth & Permissions page of your Slack app), "
            "or run `coach demo` to try coach without Slack."
        )
    if not signing:
        raise ConfigError("Set SLACK_SIGNING_SECRET (Basic Information page of your Slack app).")
    return SlackCredentials(SlackMode.HTTP, bot, signing, None)
