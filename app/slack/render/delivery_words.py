"""What each delivery or profile error means for the admin, and what they can do about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    why: str  # what happened, as Slack told us
    todo: str  # what the admin can do about it

    @property
    def sentence(self) -> str:
        return f"{self.why}: {self.todo}."


_REMOVE = "remove them with `/coach remove @person`"
_REINSTALL = "reinstall coach to the workspace (Install App in its Slack app settings)"
_BUG = "that's a bug in coach, not something you did: tell whoever runs coach"

ADVICE: Mapping[str, Advice] = {
    "user_not_found": Advice(
        "Slack can't find this person (they may have left the workspace)", _REMOVE
    ),
    "account_inactive": Advice("Slack says the account is deactivated", _REMOVE),
    "user_disabled": Advice("Slack says the account is disabled", _REMOVE),
    "is_archived": Advice(
        "Slack says their conversation with coach is archived (usually a deactivated account)",
        _REMOVE,
    ),
    "channel_not_found": Advice(
        "Slack couldn't open a direct message with this person",
        f"check they are still in the workspace, or {_REMOVE}",
    ),
    "messages_tab_disabled": Advice(
        "The Messages tab of coach is turned off in your app settings",
        "turn it on under App Home → Show Tabs at api.slack.com/apps",
    ),
    "cannot_dm_bot": Advice(
        "This is a bot, and coach can't send direct messages to bots",
        "remove it with `/coach remove @person` and add the real person instead",
    ),
    "invalid_auth": Advice(
        "Slack didn't accept coach's token",
        f"check the bot token coach runs with (SLACK_BOT_TOKEN), or {_REINSTALL}",
    ),
    "not_authed": Advice(
        "coach sent Slack no token", "set SLACK_BOT_TOKEN on the server and restart coach"
    ),
    "token_revoked": Advice(
        "coach's token was revoked (the app was uninstalled or its tokens were reset)",
        _REINSTALL,
    ),
    "token_expired": Advice("coach's token expired", _REINSTALL),
    "missing_scope": Advice(
        "coach's Slack app lacks a permission it needs",
        "update the app from the manifest in `manifests/` and reinstall it",
    ),
    "invalid_blocks": Advice("Slack rejected the message's layout", _BUG),
    "invalid_metadata_format": Advice("Slack rejected the message's metadata", _BUG),
    "msg_too_long": Advice("The message was too long for Slack", _BUG),
    "no_text": Advice("The message had no text", _BUG),
    "window_passed": Advice(
        "It couldn't go out before its time slot closed (coach was down, or Slack was slow)",
        "nothing to do if it's rare; if it keeps happening, check that `coach serve` "
        "(or the `coach tick` cron job) is running",
    ),
}


def advice(code: str | None) -> Advice:
    """What a delivery error code means for the admin; a plain fallback for codes we don't
    know (Slack adds new ones)."""
    known = ADVICE.get(code or "")
    if known is not None:
        return known
    return Advice(f"Slack refused it (`{code or 'no reason given'}`)", "tell whoever runs coach")


_SLACK_LATER = "coach asks again every 15 minutes; nothing to do unless this stays"
PROFILE_ADVICE: Mapping[str, Advice] = {
    "never_read": Advice(
        "coach hasn't read their Slack profile yet",
        "it does within minutes, before their first message goes out",
    ),
    "user_not_found": Advice(
        "Slack has no such person in this workspace",
        f"check their id in the roster, or {_REMOVE}",
    ),
    "user_not_visible": Advice(
        "coach can't see this person in Slack (a guest, or someone outside the workspace)",
        f"{_REMOVE} if they shouldn't be coached",
    ),
    "account_inactive": Advice("their Slack account is deactivated", _REMOVE),
    "no_time_zone": Advice(
        "their Slack profile has no time zone",
        "ask them to set one in Slack (Preferences → Language & region)",
    ),
    "unreachable": Advice("coach couldn't reach Slack to read it", _SLACK_LATER),
    "ratelimited": Advice("Slack asked coach to slow down", _SLACK_LATER),
}


def profile_advice(reason: str | None) -> Advice:
    """Why a person's time zone is a guess (None: not read yet), and what the admin can do."""
    known = PROFILE_ADVICE.get(reason or "never_read") or ADVICE.get(reason or "")
    if known is not None:
        return known
    return Advice(f"Slack refused to show their profile (`{reason}`)", _SLACK_LATER)
