"""The admin's CRM forms (App Home): HubSpot's private app token, or Salesforce's connected
app for the JWT bearer flow. What was stored before is shown again; a secret never is."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from app.rules.form_fields import CrmField
from app.slack.ids import View as ViewId
from app.slack.render.blocks import context, section
from app.slack.render.inputs import modal, text_input, url_input

WHAT_COACH_DOES = (
    "coach reads your reps' open deals (name, stage, amount, close date) and stage history, "
    "and writes two fields on the deals reps pick: the week's drill and whether it was "
    "recorded. Nothing else on a record is read or changed."
)
SEALED = "Stored sealed; coach never shows it again, to anyone."


def hubspot_modal(api_url: str) -> dict[str, Any]:
    blocks: list[Block] = [
        section(WHAT_COACH_DOES),
        url_input(CrmField.API_URL, "HubSpot API URL", initial=api_url, optional=False),
        text_input(
            CrmField.TOKEN,
            "Private app access token",
            optional=False,
            max_length=500,
            hint=(
                "Settings > Integrations > Private apps. Scopes: crm.objects.deals.read/.write, "
                f"crm.objects.owners.read, crm.schemas.deals.read/.write. {SEALED}"
            ),
        ),
    ]
    return modal(ViewId.HUBSPOT, "Connect HubSpot", "Connect", None, blocks)


def salesforce_modal(login_url: str, client_id: str | None, username: str | None) -> dict[str, Any]:
    blocks: list[Block] = [
        section(WHAT_COACH_DOES),
        url_input(
            CrmField.API_URL,
            "Login URL",
            initial=login_url,
            optional=False,
            hint="https://test.salesforce.com for a sandbox org, or your My Domain URL.",
        ),
        text_input(
            CrmField.CLIENT_ID,
            "Connected app consumer key",
            initial=client_id,
            optional=False,
            max_length=255,
        ),
        text_input(
            CrmField.USERNAME,
            "Username coach logs in as",
            initial=username,
            optional=False,
            max_length=255,
            hint="A user pre-authorized for the connected app, who can edit Opportunities.",
        ),
        text_input(
            CrmField.PRIVATE_KEY,
            "Private key (PEM)",
            multiline=True,
            optional=False,
            hint=(
                "The unencrypted RSA key whose certificate the connected app holds, from "
                f"-----BEGIN to -----END (2048 bits fits). {SEALED}"
            ),
        ),
        context("coach logs in with the OAuth 2.0 JWT bearer flow: no password is needed."),
    ]
    return modal(ViewId.SALESFORCE, "Connect Salesforce", "Connect", None, blocks)
