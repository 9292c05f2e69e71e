"""The week's scenes: each person's action through the bot's real endpoints, and what it did.

`DemoWeek` moves the clock (the outbox ticks on the way) and prints what each person received;
its scene methods act as one person does (tap, reply, fill in a modal) and print the answer.
Scheduled DMs of one tick are sent concurrently, so they are printed in a fixed order (by
person, then step), not in the order they happened to reach Slack. A person's action is
finished, Home refreshes included, before the next one starts: people take longer than that.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from app.demo.form_values import PICK_NEWEST_CALL, url_value
from app.demo.narration import NAMES, Transcript
from app.demo.simulation import Received, SimulatedWeek
from app.demo.team import ANA, BEN, DANA, MAYA
from app.rules.form_fields import GrowField
from app.rules.types import Step
from app.sandbox.driver import button_value, chosen, left_as_shown, ticked, typed
from app.sandbox.transcript import blocks_to_text
from app.slack.ids import Action
from app.slack.metadata import delivery_id_in

HOME = {"ts": "1.0", "blocks": []}  # an App Home menu, as Slack sends its container
SHOWN_IN_FULL = {
    (BEN, Step.FEEDBACK_NOTE),
    (MAYA, Step.MANAGER_PREP),
    (MAYA, Step.ONE_ON_ONE),
    (ANA, Step.DRILL_CARD),
    (MAYA, Step.COACHING_REVIEW),
    (MAYA, Step.DIGEST),
    (DANA, Step.DIGEST),
    (ANA, Step.DIGEST),
}
STEP_ORDER = {step: n for n, step in enumerate(Step)}


def in_print_order(items: list[Received]) -> list[Received]:
    """DMs of the same moment by person, then step (then delivery), whatever their arrival."""

    def key(item: Received) -> tuple[str, int, int]:
        delivery = delivery_id_in(item.message.get("metadata")) or 0
        return NAMES[item.user], STEP_ORDER[item.step], delivery

    return sorted(items, key=key)


class DemoWeek:
    """The week's script: each scene happens at a moment, between outbox ticks."""

    def __init__(self, sim: SimulatedWeek, show: Transcript, *, crm_name: str = "") -> None:
        self.sim = sim
        self.show = show
        self.crm_name = crm_name  # "HubSpot": where a picked deal comes from
        self.box = sim.sandbox
        self.driver = sim.driver

    # --- plumbing -------------------------------------------------------------------
    async def _show_received(self, items: list[Received]) -> None:
        for item in in_print_order(items):
            full = (item.user, item.step) in SHOWN_IN_FULL
            self.show.received(self.sim.now, item, in_full=full)

    async def until(self, at: datetime) -> None:
        await self.sim.run_until(at, after_tick=self._show_received)

    async def scene(self, at: datetime, play: Callable[[], Awaitable[None]]) -> None:
        """Tick up to `at`, then play the scene and show any DM it caused."""
        await self.until(at)
        since = self.box.mark()
        await play()
        await self.sim.settle()
        await self._show_received(await self.sim.received_since(since))

    def modal_text(self, answer: Any) -> str:
        view = (answer.json() or {}).get("view") or {}
        return blocks_to_text(view.get("blocks"), None, NAMES).replace("\n", " ")

    async def update_text(self, since: int) -> str:
        call = await self.box.wait_for_call("chat.update", since=since)
        return str(call.args.get("text"))

    async def reply_text(self, since: int, user: str) -> str:
        channel = self.box.state.dm_channel(user)
        call = await self.box.wait_for_call(
            "chat.postMessage", since=since, where=lambda c: c.args.get("channel") == channel
        )
        return str(call.args.get("text"))

    # --- reps -----------------------------------------------------------------------
    async def snooze(self, rep: str) -> None:
        prompt = await self.sim.last_dm(rep, Step.REP_PROMPT)
        since = self.box.mark()
        await self.driver.click(
            rep, Action.SNOOZE, button_value(prompt, Action.SNOOZE), message=prompt
        )
        self.show.did(self.sim.now, rep, 'taps "Remind me later"', await self.update_text(since))

    async def reply(self, rep: str, text: str, in_thread_of: Step | None = None) -> None:
        thread = (await self.sim.last_dm(rep, in_thread_of))["ts"] if in_thread_of else None
        since = self.box.mark()
        await self.driver.dm(rep, text, thread_ts=thread)
        where = "in the thread" if thread else "in the DM"
        self.show.did(
            self.sim.now, rep, f"replies {where}: “{text}”", await self.reply_text(since, rep)
        )

    async def chat(self, rep: str, text: str) -> None:
        """A rep writes something that isn't deals: at most one short hint a day."""
        since = self.box.mark()
        await self.driver.dm(rep, text)
        await self.sim.settle()
        channel = self.box.state.dm_channel(rep)
        answers = [
            c
            for c in self.box.state.calls[since:]
            if c.method == "chat.postMessage" and c.args.get("channel") == channel
        ]
        said = str(answers[0].args.get("text")) if answers else "(no answer: one hint a day)"
        self.show.did(self.sim.now, rep, f"writes in the DM: “{text}”", said)

    async def reply_and_tap(self, rep: str, text: str, action: str, label: str) -> None:
        """A rep writes a link while this week's drill is open; coach asks; the rep answers."""
        since = self.box.mark()
        await self.driver.dm(rep, text)
        channel = self.box.state.dm_channel(rep)
        asked = await self.box.wait_for_call(
            "chat.postMessage", since=since, where=lambda c: c.args.get("channel") == channel
        )
        self.show.did(self.sim.now, rep, f"writes in the DM: “{text}”", str(asked.args["text"]))
        await self.sim.settle()  # coach has recorded its answer (a person reads before tapping)
        answer = asked.response["message"]
        since = self.box.mark()
        await self.driver.click(rep, action, button_value(answer, action), message=answer)
        self.show.did(self.sim.now, rep, f'taps "{label}"', await self.update_text(since))

    async def share_in_modal(self, rep: str, step: Step, deals: dict[str, Any]) -> None:
        prompt = await self.sim.last_dm(rep, step)
        view = await self.driver.open_modal(rep, prompt, Action.OPEN_DEALS)
        deals = self._pick_crm_deals(rep, view, deals)
        if "deal1_clip_url" in deals and rep == ANA:
            wrong = {**deals, "deal1_clip_url": typed("gong call with Acme")}
            errors = (await self.driver.submit(rep, view, wrong)).json()["errors"]
            self.show.did(
                self.sim.now,
                rep,
                'opens "Share my deals", pastes a name instead of a link',
                f"inline error, nothing stored: {errors['deal1_clip_url']}",
            )
        since = self.box.mark()
        await self.driver.submit(rep, view, deals)
        self.show.did(self.sim.now, rep, "submits the deals modal", await self.update_text(since))

    def _pick_crm_deals(
        self, rep: str, view: dict[str, Any], deals: dict[str, Any]
    ) -> dict[str, Any]:
        """Each `pick_crm_deal` value becomes the option of that deal the form lists."""
        picked = dict(deals)
        for block_id, value in deals.items():
            if not (isinstance(value, dict) and value.get("pick") == "crm"):
                continue
            block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
            options = block["element"]["options"]
            listed = ", ".join(f"“{o['text']['text']}”" for o in options)
            option = next(o for o in options if o["text"]["text"].startswith(value["name"]))
            picked[block_id] = chosen(option["value"])
            self.show.did(
                self.sim.now,
                rep,
                f'opens "Share my deals": {self.crm_name} lists her open deals',
                f"{listed}; she picks {value['name']}",
            )
        return picked

    async def drill_done(self, rep: str, text: str) -> None:
        answer = await self.driver.command(rep, "/drill", text)
        self.show.did(self.sim.now, rep, f"types `/drill {text}`", answer.json()["text"])

    async def drill_done_button(self, rep: str, link: str) -> None:
        check = await self.sim.last_dm(rep, Step.DRILL_CHECK)
        view = await self.driver.open_modal(rep, check, Action.DRILL_DONE)
        answer = await self.driver.submit(rep, view, {"link": url_value(link)})
        self.show.did(
            self.sim.now,
            rep,
            'taps "Mark drill done" and pastes the recording',
            self.modal_text(answer),
        )

    # --- managers -------------------------------------------------------------------
    async def score(self, manager: str, rep: str, score: int) -> None:
        review = await self.sim.last_dm(manager, Step.MANAGER_REVIEW)
        action = f"{Action.SCORE}_{score}"
        since = len(self.box.state.responses)
        await self.driver.click(
            manager, action, button_value(review, action, f"score:{rep}"), message=review
        )
        answer = await self.box.wait_for_response(since=since)
        self.show.did(self.sim.now, manager, f"scores {NAMES[rep]} {score}/5", answer["text"])
        if score >= 4:
            await self._pick_next_focus(manager, answer)

    async def _pick_next_focus(self, manager: str, answer: dict[str, Any]) -> None:
        offer = {"ts": "1.0", **answer}
        view = await self.driver.open_modal(manager, offer, Action.NEXT_FOCUS)
        focus = next(b for b in view["blocks"] if b.get("block_id") == "focus_skill")
        suggested = focus["element"]["initial_option"]["text"]["text"]
        self.show.did(
            self.sim.now,
            manager,
            'taps "Pick next focus"',
            f"this week's diagnosis opens with “{suggested}” suggested; she'll finish it "
            "on Tuesday with the new clips",
        )

    async def diagnose(self, manager: str, rep: str, values: dict[str, Any]) -> None:
        prep = await self.sim.last_dm(manager, Step.MANAGER_PREP)
        value = button_value(prep, Action.DIAGNOSE, f"prep:{rep}")
        view = await self.driver.open_modal(manager, prep, Action.DIAGNOSE, value)
        if values.get("evidence_call") == PICK_NEWEST_CALL:
            picks = next(b for b in view["blocks"] if b.get("block_id") == "evidence_call")
            newest = picks["element"]["options"][0]
            values = {**values, "evidence_call": chosen(newest["value"])}
            self.show.did(
                self.sim.now,
                manager,
                f"opens {NAMES[rep]}'s diagnosis: no deals shared, so a Gong call is the evidence",
                f"“{newest['text']['text']}”",
            )
        answer = await self.driver.submit(manager, view, values)
        self.show.did(self.sim.now, manager, f"diagnoses {NAMES[rep]}", self.modal_text(answer))
        await self.sim.settle()  # done, Homes republished, before the manager's next form

    async def log_notes(self, manager: str, rep: str, step: Step, values: dict[str, Any]) -> None:
        message = await self.sim.last_dm(manager, step)
        prefix = "agenda:" if step is Step.ONE_ON_ONE else "nudge:"
        value = button_value(message, Action.LOG_NOTES, f"{prefix}{rep}")
        view = await self.driver.open_modal(manager, message, Action.LOG_NOTES, value)
        proposed = left_as_shown(view, GrowField.FOLLOW_UP_ON)  # the next 1:1, as the form has it
        answer = await self.driver.submit(manager, view, {**proposed, **values})
        self.show.did(
            self.sim.now, manager, f"logs 1:1 notes for {NAMES[rep]}", self.modal_text(answer)
        )
        await self.sim.settle()

    async def not_held(self, manager: str, rep: str) -> None:
        """The manager taps "Didn't happen" on the notes nudge and confirms."""
        nudge = await self.sim.last_dm(manager, Step.NOTES_NUDGE)
        value = button_value(nudge, Action.NOT_HELD, f"nudge:{rep}")
        view = await self.driver.open_modal(manager, nudge, Action.NOT_HELD, value)
        answer = await self.driver.submit(manager, view, {})
        self.show.did(
            self.sim.now,
            manager,
            f"taps \"Didn't happen\" for {NAMES[rep]}'s 1:1",
            self.modal_text(answer),
        )
        await self.sim.settle()

    async def feedback(self, manager: str, rep: str, values: dict[str, Any]) -> None:
        """The manager writes an SBI note on one of the rep's clips, from the App Home; the
        rep gets it by DM."""
        since = self.box.mark()
        await self.driver.open_home(manager)
        home = await self.box.wait_for_call(
            "views.publish", since=since, where=lambda c: c.args.get("user_id") == manager
        )
        menu = next(
            element
            for b in home.args["view"]["blocks"]
            for element in b.get("elements", [])
            if isinstance(element, dict) and element.get("action_id") == Action.WRITE_NOTE
        )
        value = next(o["value"] for o in menu["options"] if o["value"].startswith(f"{rep}|"))
        mark = self.box.mark()
        await self.driver.click(manager, Action.WRITE_NOTE, selected=value, message=HOME)
        view = (await self.box.wait_for_call("views.open", since=mark)).response["view"]
        mark = self.box.mark()
        picked = {"framework": {Action.NOTE_FRAMEWORK_PICKED: values["framework"]["value"]}}
        await self.driver.click(
            manager,
            Action.NOTE_FRAMEWORK_PICKED,
            view={**view, "state": {"values": picked}},
            block_id="framework",
            selected="sbi",
            element="radio_buttons",
        )
        view = (await self.box.wait_for_call("views.update", since=mark)).response["view"]
        answer = await self.driver.submit(manager, view, values)
        self.show.did(
            self.sim.now,
            manager,
            f"writes {NAMES[rep]} an SBI note on one clip, from her App Home",
            self.modal_text(answer),
        )
        await self.sim.settle()

    # --- directors ------------------------------------------------------------------
    async def review(
        self, director: str, manager: str, rep: str, ticks: tuple[str, ...], note: str
    ) -> None:
        """The director opens a manager's 1:1 from the App Home and reviews it: first with
        nothing ticked and no note (refused), then for real."""
        since = self.box.mark()
        await self.driver.open_home(director)
        home = await self.box.wait_for_call(
            "views.publish", since=since, where=lambda c: c.args.get("user_id") == director
        )
        value = next(
            b["accessory"]["value"]
            for b in home.args["view"]["blocks"]
            if (b.get("accessory") or {}).get("action_id") == Action.REVIEW_ONE_ON_ONE
            and f"<@{manager}>'s 1:1 with <@{rep}>" in b["text"]["text"]
        )
        mark = self.box.mark()
        await self.driver.click(director, Action.REVIEW_ONE_ON_ONE, value)
        view = (await self.box.wait_for_call("views.open", since=mark)).response["view"]
        checklist = next(b for b in view["blocks"] if b.get("block_id") == "checklist")
        pre = [o["text"]["text"] for o in checklist["element"].get("initial_options", [])]
        self.show.did(
            self.sim.now,
            director,
            f"taps Review on {NAMES[manager]}'s 1:1 with {NAMES[rep]} in her App Home",
            f"{NAMES[manager]}'s notes (private ones too: {NAMES[manager]} reports to her) and "
            f"the checklist, where coach has ticked: {'; '.join(pre)}",
        )
        empty = await self.driver.submit(director, view, {"checklist": ticked()})
        self.show.did(
            self.sim.now,
            director,
            "unticks everything and saves without a note",
            f"inline error, nothing stored: {empty.json()['errors']['review_note']}",
        )
        values = {"checklist": ticked(*ticks), "review_note": typed(note)}
        answer = await self.driver.submit(director, view, values)
        self.show.did(
            self.sim.now,
            director,
            f"ticks {len(ticks)} of 6, writes a note and saves",
            self.modal_text(answer),
        )
