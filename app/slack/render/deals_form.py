"""The rep's "Share my deals" modal: up to three deals, each with the clip of its key moment."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import Block

from app.rules.call_stats import Call
from app.rules.evidence import MAX_DEALS, Deal
from app.rules.form_fields import DealField, deal_field
from app.services.deals import PickableDeal
from app.slack.ids import View as ViewId
from app.slack.metadata import ModalMeta
from app.slack.render.blocks import context, header, section
from app.slack.render.call_words import call_option_text, picked_calls_hint
from app.slack.render.inputs import modal, select_input, text_input, url_input


def deal_option_text(deal: PickableDeal) -> str:
    """An open deal in a select menu: "Acme renewal — Proposal · $40,000" (75 at most)."""
    amount = f" · {money(deal.amount, deal.currency)}" if deal.amount is not None else ""
    return f"{deal.name[:45]} — {deal.stage[:20]}{amount}"[:75]


def money(amount: Decimal, currency: str | None) -> str:
    whole = f"{amount:,.0f}"
    return f"${whole}" if currency in (None, "USD") else f"{whole} {currency}"


def _deal_blocks(
    n: int, deal: Deal | None, calls: Sequence[Call], open_deals: Sequence[PickableDeal]
) -> list[Block]:
    crm_pick = (
        [
            select_input(
                deal_field(n, DealField.CRM),
                "Pick one of your open deals",
                [(d.crm_id, deal_option_text(d)) for d in open_deals],
                hint="Or type the deal below.",
            )
        ]
        if open_deals
        else []
    )
    picks = (
        [
            select_input(
                deal_field(n, DealField.CALL),
                "Or pick a Gong call",
                [(str(c.id), call_option_text(c)) for c in calls],
                hint="Used when no clip link is pasted above.",
            )
        ]
        if calls
        else []
    )
    return [
        header(f"Deal {n}"),
        *crm_pick,
        text_input(
            deal_field(n, DealField.NAME),
            "Deal",
            initial=deal.name if deal else None,
            max_length=120,
        ),
        text_input(
            deal_field(n, DealField.STAGE),
            "Stage",
            initial=deal.stage if deal else None,
            max_length=40,
        ),
        url_input(
            deal_field(n, DealField.CLIP_URL), "Clip link", initial=deal.clip_url if deal else None
        ),
        *picks,
        text_input(
            deal_field(n, DealField.MOMENT),
            "Key moment (mm:ss)",
            initial=deal.moment if deal else None,
            placeholder="12:45",
            max_length=8,
        ),
        text_input(
            deal_field(n, DealField.HAPPENED),
            "What happened",
            initial=deal.happened if deal else None,
            multiline=True,
            max_length=500,
        ),
    ]


def deals_modal(
    meta: ModalMeta,
    existing: Sequence[Deal],
    calls: Sequence[Call] = (),
    open_deals: Sequence[PickableDeal] = (),
) -> dict[str, Any]:
    """The form; with the rep's calls from the recorder, each deal can take one of them."""
    blocks: list[Block] = [
        section("Your top 3 deals of last week, each with a ~2-minute clip of the key moment."),
    ]
    if calls:
        blocks.append(context(picked_calls_hint(calls, "Gong")))
    for n in range(1, MAX_DEALS + 1):
        blocks += _deal_blocks(
            n, existing[n - 1] if n <= len(existing) else None, calls, open_deals
        )
    return modal(ViewId.DEALS, "Share my deals", "Share", meta, blocks)
