"""The demo's CRM: the HubSpot stand-in with the sample reps' open deals (Dev sells from a
spreadsheet, so HubSpot has no deals of his). Ana picks hers from it on Monday; the drill is
written back on the deal she picked."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.demo.narration import Transcript
from app.demo.team import ANA, BEN, BY_ID, CHEN, EVE
from app.sandbox.hubspot import HubSpotSandbox

# (rep, deal, stage, amount, close date in days from Monday, changed days before Monday)
OPEN_DEALS = (
    (ANA, "Acme renewal", "contractsent", 40_000, 12, 2),
    (ANA, "Globex expansion", "qualifiedtobuy", 25_000, 40, 5),
    (BEN, "Umbrella platform", "presentationscheduled", 60_000, 30, 3),
    (BEN, "Globex pilot", "appointmentscheduled", 8_000, 55, 6),
    (CHEN, "Initech", "decisionmakerboughtin", 32_000, 18, 1),
    (EVE, "Hooli analytics", "qualifiedtobuy", 15_000, 45, 4),
)
PICKED = "Acme renewal"  # what Ana picks in Monday's form


async def sample_hubspot(monday: datetime) -> HubSpotSandbox:
    """The stand-in, started, with the open deals above and one that closed last month."""
    # Acme's limits, raised for a week that passes in seconds
    box = HubSpotSandbox(token="pat-na1-demo-token", per_ten_seconds=2_000, search_per_second=200)
    await box.start()
    owners = {
        rep: box.add_owner(BY_ID[rep].email, BY_ID[rep].name, "Rep")
        for rep in dict.fromkeys(row[0] for row in OPEN_DEALS)
    }
    day: date = monday.date()
    for rep, name, stage, amount, closes_in, changed in OPEN_DEALS:
        box.add_deal(
            owners[rep],
            name,
            stage,
            amount,
            day + timedelta(days=closes_in),
            modified_at=monday - timedelta(days=changed),
        )
    box.add_deal(owners[ANA], "Vandelay", "closedwon", 12_000, day - timedelta(days=30),
                 modified_at=monday - timedelta(days=30))  # fmt: skip
    return box


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def show_crm(show: Transcript, box: HubSpotSandbox) -> None:
    """What HubSpot's records say after the week, and how often coach wrote each field."""
    untouched = 0
    for deal in box.deals.values():
        drill = box.writes_to(deal.id, "coaching_drill_this_week")
        recorded = box.writes_to(deal.id, "drill_recorded")
        if not (drill or recorded):
            untouched += 1
            continue
        show.line(
            f"HubSpot's “{deal.properties['dealname']}”: Coaching Drill This Week = "
            f"“{drill[-1] if drill else ''}” (written {times(len(drill))}), Drill Recorded = "
            f"{recorded[-1] if recorded else ''} (written {times(len(recorded))}: with the "
            "drill, then with the recording)."
        )
    show.line(f"coach wrote nothing on the other {untouched} deals.")
