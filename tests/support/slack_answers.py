"""What the bot answered, read the way a person sees it: a command's ephemeral text, a Home."""

from __future__ import annotations

from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text


async def coach(driver: SlackDriver, user: str, text: str) -> str:
    answer = await driver.command(user, "/coach", text)
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    return str(body["text"])


async def home_text(sandbox: SlackSandbox, driver: SlackDriver, user: str) -> str:
    since = sandbox.mark()
    answer = await driver.open_home(user)
    assert answer.status == 200
    call = await sandbox.wait_for_call(
        "views.publish", since=since, where=lambda c: c.args.get("user_id") == user
    )
    assert call.ok, call.response  # the sandbox validated the Block Kit
    return blocks_to_text(call.args["view"]["blocks"])
