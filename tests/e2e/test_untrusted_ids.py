"""Every id from Slack is untrusted input: weeks that don't exist, values of the wrong type,
ids too long for their column and digits that aren't ASCII are refused in one sentence, and
nothing is stored."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.deps import Deps
from app.rules import calendar
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action
from app.slack.metadata import ModalMeta
from tests.support.factories import count_rows, seed_org

OUT_OF_DATE = "That button is out of date: open the latest message from coach."


async def clicked(
    driver: SlackDriver, sandbox: SlackSandbox, user: str, action: str, value: str
) -> str:
    since = len(sandbox.state.responses)
    message = {"ts": "1700000000.000100", "blocks": []}
    assert (await driver.click(user, action, value, message=message)).status == 200
    return str((await sandbox.wait_for_response(since=since))["text"])


@pytest.mark.parametrize(
    "value",
    ["U0REPA1|2026-W99|4", "U0REPA1|2026-W48|²", "U0REPA1|2026-W48|٤", f"U{'A' * 40}|2026-W48|4"],
)
async def test_a_score_button_with_a_bad_part_is_out_of_date_and_stores_nothing(
    driver: SlackDriver, deps: Deps, sandbox: SlackSandbox, value: str
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    assert await clicked(driver, sandbox, "U0MGRA", f"{Action.SCORE}_4", value) == OUT_OF_DATE
    assert await count_rows(deps) == before


@pytest.mark.parametrize(
    "metadata",
    [
        json.dumps({"rep": 5, "cycle": "2026-W48"}),
        json.dumps({"rep": "U0REPA1", "cycle": ["2026-W48"]}),
        json.dumps({"rep": "U0REPA1", "cycle": "2026-W48", "channel": {"id": "D1"}}),
        json.dumps({"rep": "U0REPA1", "cycle": "2026-W48", "ts": "yesterday"}),
        json.dumps(["U0REPA1", "2026-W48"]),
        "not json",
    ],
)
async def test_modal_metadata_of_the_wrong_shape_is_out_of_date_and_stores_nothing(
    driver: SlackDriver, deps: Deps, metadata: str
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    view = {"id": "V1", "callback_id": "deals_modal", "private_metadata": metadata}
    answer = await driver.submit("U0REPA1", view, {})
    assert OUT_OF_DATE in json.dumps(answer.json())
    assert await count_rows(deps) == before


async def test_a_mention_too_long_for_a_slack_id_is_refused_before_the_database(
    driver: SlackDriver, deps: Deps
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    long_id = "U" + "B" * 39
    answer = await driver.command("U0ADMIN", "/coach", f"add <@{long_id}> rep <@U0MGRA>")
    assert answer.json()["text"] == (
        f"'<@{long_id}>' isn't a person: mention them as @name for the person."
    )
    assert await count_rows(deps) == before


async def test_a_superscript_two_practice_reps_is_a_field_error(
    driver: SlackDriver, deps: Deps, sandbox: SlackSandbox
) -> None:
    await seed_org(deps)
    meta = ModalMeta("U0REPA1", calendar.current_cycle(deps.clock(), ZoneInfo("UTC")))
    view = {"id": "V1", "callback_id": "grow_modal", "private_metadata": meta.dump()}
    values = {
        name: {"value": {"type": "plain_text_input", "value": text}}
        for name, text in {
            "goal": "CFO agrees to a review",
            "reality": "Discounted",
            "options": "a\nb\nc",
            "commitment": "Reframe on 3 calls",
            "accountability": "the Acme deal at proposal",
            "follow_up_check": "reframes on the next 3 calls",
            "practice_reps": "²",
        }.items()
    }
    values["drill_choice"] = {
        "value": {"type": "static_select", "selected_option": {"value": "objection_reframe"}}
    }
    next_week = (deps.clock() + timedelta(days=7)).date().isoformat()
    values["follow_up_on"] = {"value": {"type": "datepicker", "selected_date": next_week}}
    before = await count_rows(deps)
    answer = await driver.submit("U0MGRA", view, values)
    assert answer.json() == {
        "response_action": "errors",
        "errors": {"practice_reps": "Practice reps is a number from 1 to 20."},
    }
    assert await count_rows(deps) == before
