"""What people see when something fails."""

from __future__ import annotations

from slack_sdk.models.views import View

from app.slack.render.blocks import section


def unexpected(reference: str) -> str:
    return (
        "Sorry, something went wrong on our side and nothing was saved. Try again; if it "
        f"keeps happening, give your coach admin this reference: `{reference}`."
    )


def error_modal(message: str) -> View:
    return View(type="modal", title="coach", close="Close", blocks=[section(message)])
