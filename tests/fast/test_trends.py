"""The trend charts' numbers (app/rules/trends.py) and their drawing (app/charts/draw.py)."""

from __future__ import annotations

import io

from PIL import Image

from app.charts.draw import MARKERS, PALETTE, draw_png
from app.rules import metrics
from app.rules.metrics import RepWeek
from app.rules.trends import Scale, director_chart, drill_done, held_levels, rep_chart, team_chart

CYCLES = [f"2026-W{n}" for n in range(41, 49)]


def week(n: int, **fields: object) -> RepWeek:
    return RepWeek(f"2026-W{n}", **fields)  # type: ignore[arg-type]


def test_a_paused_week_and_weeks_before_coach_are_gaps_never_zeros() -> None:
    weeks = [
        week(n, enrolled=n >= 45, paused=n == 47, drill_assigned=True, transfer=3, rubric={"d": 2})
        for n in range(41, 49)
    ]
    chart = rep_chart(weeks, CYCLES, {"d": "Discovery"})
    transfer, drills, levels = (p.series[0].values for p in chart.panels)
    assert transfer == (None, None, None, None, 3.0, 3.0, None, 3.0)
    assert drills == (None, None, None, None, 0.0, 0.0, None, 0.0)
    assert levels == (None, None, None, None, 2.0, 2.0, None, 2.0)


def test_drill_done_reads_recorded_missed_and_none() -> None:
    assert drill_done(week(45, drill_assigned=True, drill_recorded=True)) == 100.0
    assert drill_done(week(45, drill_assigned=True)) == 0.0
    assert drill_done(week(45)) is None
    assert drill_done(None) is None


def test_a_rubric_level_holds_until_rated_again() -> None:
    weeks = [week(45, rubric={"d": 1}), week(46), week(47, rubric={"d": 3}), None]
    assert held_levels(weeks, "d") == (1.0, 1.0, 3.0, None)
    assert held_levels([week(45), week(46, rubric={"d": 2})], "d") == (None, 2.0)


def test_team_figures_are_the_digests_coverage_and_completion() -> None:
    ana = [
        week(n, held=True, drill_assigned=True, drill_recorded=n % 2 == 0) for n in range(41, 49)
    ]
    ben = [week(n, held=n > 44, drill_assigned=n > 46, paused=n == 48) for n in range(41, 49)]
    chart = team_chart({1: ana, 2: ben}, CYCLES)
    coverage, completion = (p.series[0].values for p in chart.panels)
    for index, cycle in enumerate(CYCLES):
        team = [w for w in (*ana, *ben) if w.cycle == cycle]
        assert coverage[index] == metrics.coverage(team).percent
        counted = [w for w in team if metrics.counted(w)]
        assert completion[index] == metrics.completion(counted).percent
    assert coverage[-1] == 100.0  # Ben paused: Ana alone counts


def test_the_alt_text_has_every_number_and_names_each_line() -> None:
    maya = {1: [week(n, held=n == 48) for n in range(45, 49)]}
    omar = {2: [week(n) for n in range(45, 49)]}
    chart = director_chart([("Maya", maya), ("Omar", omar)], CYCLES)
    assert chart.alt_text() == (
        "Coverage by manager, last 8 weeks, W41–W48. Coverage (1:1s held): "
        "Maya W45 0%, W46 0%, W47 0%, W48 100%; Omar W45 0%, W46 0%, W47 0%, W48 0%."
    )
    empty = rep_chart([], CYCLES, {})
    assert empty.empty and "Transfer score: none yet." in empty.alt_text()
    assert Scale.TRANSFER.words(4.0) == "4" and Scale.PERCENT.words(None) == "—"


def test_a_chart_draws_as_a_phone_sized_png_in_the_palette() -> None:
    weeks = [
        week(n, held=True, drill_assigned=True, transfer=n - 43, rubric={"d": 2})
        for n in range(45, 49)
    ]
    png = draw_png(rep_chart(weeks, CYCLES, {"d": "Discovery"}))
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    assert picture.size[0] == 800 and picture.size[1] >= 700  # three panels, stacked
    colours = {rgb for _, rgb in picture.getcolors(maxcolors=1 << 16) or []}
    assert (0, 114, 178) in colours  # the first line's Okabe–Ito blue
    assert len(set(PALETTE)) == len(PALETTE) and len(set(MARKERS)) == len(MARKERS)
