"""After a recording, the rep's drill card in their DM is shown again with the count
("1/3 so far"). Best effort, after the answer: a card that can't be updated stays as it
was, and every answer, the App Home and `/drill status` say the count anyway."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.deps import Deps
from app.services.drill_card_refresh import card_to_refresh
from app.services.drill_reports import DrillAssignment
from app.slack.client import error_code
from app.slack.listeners.context import working
from app.slack.render.rep_prompts import drill_card

log = logging.getLogger(__name__)


async def refresh_drill_card(
    client: AsyncWebClient, deps: Deps, assignment: DrillAssignment
) -> None:
    person = assignment.rep.id
    try:
        async with working(deps, reads_only=True) as ctx:
            shown = await card_to_refresh(ctx.store, assignment)
        if shown is None:
            return
        card = drill_card(shown.card)
        await client.chat_update(
            channel=shown.channel, ts=shown.ts, text=card.text, blocks=card.blocks
        )
    except SlackApiError as exc:
        log.warning("drill card not updated person=%s: %s", person, error_code(exc))
    except Exception:  # the recording is saved and was answered: only the card is stale
        log.exception("drill card not updated person=%s", person)
