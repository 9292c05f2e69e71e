"""A `Chart` (app/rules/trends.py) drawn as a PNG that reads on a phone: one panel per figure,
stacked; large labels; the Okabe–Ito colour-blind-safe palette, with a different marker per
line so no line is told apart by colour alone; each line's latest value written beside it;
gaps where a week has no value; the method's target as a dashed line.

Only `matplotlib.figure.Figure` and the Agg canvas are used, never pyplot, so charts can be
drawn in several threads at once without sharing state."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from app.rules.trends import Chart, Panel, Scale

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
WIDTH_IN, PANEL_IN, TITLE_IN, DPI = 8.0, 2.7, 0.7, 100
FONT = {"title": 17, "panel": 15, "ticks": 13, "value": 13, "legend": 12}


def _values(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def _draw_panel(axes: Axes, panel: Panel, labels: Sequence[str]) -> None:
    low, high = panel.scale.bounds
    positions = list(range(len(labels)))
    for index, series in enumerate(panel.series):
        colour, marker = PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)]
        if panel.bars:
            _draw_bars(axes, panel, series.values, colour)
            continue
        axes.plot(
            positions,
            _values(series.values),
            color=colour,
            marker=marker,
            markersize=8,
            linewidth=2.5,
            label=series.name,
        )
        last = next(
            ((i, v) for i, v in reversed(list(enumerate(series.values))) if v is not None), None
        )
        if last is not None:
            axes.annotate(
                panel.scale.words(last[1]),
                (last[0], last[1]),
                textcoords="offset points",
                xytext=(8, 6),
                fontsize=FONT["value"],
                color=colour,
                fontweight="bold",
            )
    if panel.target is not None:
        axes.axhline(panel.target, color="#555555", linestyle="--", linewidth=1.2)
    pad = (high - low) * 0.12
    axes.set_ylim(low - pad, high + pad)
    if panel.scale is Scale.PERCENT:
        axes.set_yticks([0, 50, 100], ["0%", "50%", "100%"])
    else:
        axes.set_yticks(list(range(low, high + 1)))
    axes.set_xlim(-0.4, len(labels) - 0.4)
    axes.set_xticks(positions, list(labels))
    axes.tick_params(labelsize=FONT["ticks"])
    axes.set_title(panel.title, fontsize=FONT["panel"], loc="left")
    axes.grid(axis="y", color="#DDDDDD")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if len(panel.series) > 1:
        axes.legend(fontsize=FONT["legend"], loc="upper left", frameon=False, ncols=3)


def _draw_bars(axes: Axes, panel: Panel, values: Sequence[float | None], colour: str) -> None:
    """A bar per week with a value, each with its value written above it (a 0% shows)."""
    for position, value in enumerate(values):
        if value is None:
            continue
        axes.bar(position, max(value, 1.5), width=0.6, color=colour if value else "#D55E00")
        axes.annotate(
            panel.scale.words(value),
            (position, max(value, 1.5)),
            textcoords="offset points",
            xytext=(0, 4),
            ha="center",
            fontsize=FONT["value"],
        )


def draw_png(chart: Chart) -> bytes:
    """The chart as PNG bytes (800 px wide)."""
    height = TITLE_IN + PANEL_IN * len(chart.panels)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    figure.subplots_adjust(
        left=0.1, right=0.95, top=1 - 0.95 / height, bottom=0.35 / height, hspace=0.6
    )
    FigureCanvasAgg(figure)
    figure.suptitle(
        chart.title, fontsize=FONT["title"], x=0.02, y=1 - 0.12 / height, ha="left", va="top"
    )
    for panel, axes in zip(
        chart.panels, figure.subplots(len(chart.panels), 1, squeeze=False)[:, 0], strict=True
    ):
        _draw_panel(axes, panel, chart.week_labels)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()
