"""What people see when something fails."""

from __future__ import annotations

from slack_sdk.models.views import View

from app.slack.render.blocks import section


def unexpected(reference: str) -> str:
    return (
        "Sorry, something went wrong on our side and nothing was saved. Try again; if it "
        f"keeps happening, give your coach admin this reference: `{reference}`."
    )


STALE_TRIGGERS = frozenset({"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"})


def slack_failed(code: str) -> str:
    """Slack did not take coach's answer: a stale click, or Slack having a moment."""
    if code in STALE_TRIGGERS:
        return "Slack didn't open that in time: tap the button again."
    return f"Slack didn't take coach's answer just now ({code}): try again in a minute."


def unexpected_in_dm(reference: str) -> str:
    """A DM is kept as typed before it is read: so it says that, not "nothing was saved"."""
    return (
        "Sorry, something went wrong on our side while reading that. I kept what you wrote; "
        f"if it keeps happening, give your coach admin this reference: `{reference}`."
    )


def error_modal(message: str) -> View:
    return View(type="modal", title="coach", close="Close", blocks=[section(message)])
