from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import ConfigError, Settings, SlackMode, slack_credentials
from app.token_cipher import new_key_line

KEYS = new_key_line("k1")
OAUTH = {
    "slack_client_id": "1.2",
    "slack_client_secret": "c",
    "slack_state_secret": "st",
    "slack_signing_secret": "s",
}


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_defaults_match_the_design() -> None:
    s = settings()
    assert s.database_url == "sqlite+aiosqlite:///./coach.db"
    assert (s.port, s.coach_scheduler, s.coach_default_tz) == (3000, "on", "UTC")
    assert s.slack_api_url == "https://slack.com/api/"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("COACH_SCHEDULER", "off")
    s = settings()
    assert (s.port, s.slack_api_url, s.coach_scheduler) == (
        8080,
        "http://127.0.0.1:9999/api/",
        "off",
    )


def test_tokens_are_secret() -> None:
    s = settings(slack_bot_token="xoxb-123", slack_signing_secret="shh")
    assert "xoxb-123" not in repr(s) and "shh" not in repr(s)


def test_bad_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="COACH_DEFAULT_TZ"):
        settings(coach_default_tz="Mars/Olympus")


@pytest.mark.parametrize(
    ("values", "mode"),
    [
        ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}, SlackMode.HTTP),
        ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"}, SlackMode.SOCKET),
        (
            {
                "slack_client_id": "1.2",
                "slack_client_secret": "c",
                "slack_state_secret": "st",
                "slack_signing_secret": "s",
                "coach_token_keys": KEYS,
            },
            SlackMode.OAUTH,
        ),
    ],
)
def test_modes(values: dict, mode: SlackMode) -> None:
    assert slack_credentials(settings(**values)).mode is mode


@pytest.mark.parametrize(
    ("values", "names"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"slack_bot_token": "xoxp-user"}, "SLACK_BOT_TOKEN must be a bot token"),
        ({"slack_bot_token": "xoxb-1", "slack_client_id": "1.2"}, "not both"),
        ({"slack_app_token": "xapp-1"}, "Socket Mode needs SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxb-1", "slack_app_token": "xoxb-2"}, "SLACK_APP_TOKEN must be"),
        ({"slack_client_id": "1.2", "slack_client_secret": "c"}, "SLACK_STATE_SECRET"),
        ({"slack_bot_token": "  ", "slack_signing_secret": "s"}, "SLACK_BOT_TOKEN"),
        ({**OAUTH, "coach_token_keys": None}, "set COACH_TOKEN_KEYS"),
        ({**OAUTH, "coach_token_keys": "k1"}, "id:key pairs"),
        ({**OAUTH, "coach_token_keys": "k1:c2hvcnQ"}, "not 32 bytes"),
        ({**OAUTH, "coach_token_keys": f"{KEYS},{KEYS}"}, "twice"),
    ],
)
def test_missing_or_contradictory_settings_name_the_variable(values: dict, names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        slack_credentials(settings(**values))


def test_gong_needs_all_three_settings_or_none() -> None:
    from app.config import ConfigError, Settings, gong_credentials

    def settings(**values: str) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]

    assert gong_credentials(settings()) is None
    found = gong_credentials(
        settings(
            gong_api_url="https://us-1.api.gong.io/",
            gong_access_key="AK",
            gong_access_key_secret="S3",
        )
    )
    assert found is not None and found.api_url == "https://us-1.api.gong.io"
    assert "S3" not in repr(found)
    with pytest.raises(ConfigError, match="GONG_ACCESS_KEY_SECRET as well"):
        gong_credentials(settings(gong_api_url="https://us-1.api.gong.io", gong_access_key="AK"))
    with pytest.raises(ConfigError, match="GONG_API_URL must be"):
        gong_credentials(
            settings(
                gong_api_url="http://gong.example", gong_access_key="A", gong_access_key_secret="B"
            )
        )
