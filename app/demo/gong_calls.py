"""The demo's Gong: the local stand-in with five weeks of calls for four of the five reps
(Dev's calls are in another tool, so Gong does not know him)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.demo.team import BY_ID, DEV, REPS
from app.sandbox.gong import GongSandbox

WEEKS = 5  # last week and the four before it (each rep's own baseline)
PER_WEEK = 4


async def sample_gong(monday: datetime) -> GongSandbox:
    """The stand-in, started, with the sample reps' calls up to `monday` (the week's)."""
    gong = GongSandbox(host_name="acme.app.gong.io", per_second=30)  # Acme's limit, raised
    await gong.start()
    rng = random.Random(monday.date().isoformat())
    for rep in REPS:
        if rep == DEV:
            continue
        person = BY_ID[rep]
        user = gong.add_user(person.email, person.name, "Rep")
        for weeks_back in range(1, WEEKS + 1):
            gong.seed_week(user, monday - timedelta(weeks=weeks_back), PER_WEEK, rng)
    return gong
