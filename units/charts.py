"""Server-made SVG charts for pages and PDFs alike. No script, no inline style: shapes
carry presentation attributes, so the strict CSP holds and WeasyPrint draws them the same.
Each chart has a <title> and <desc>; pages show the figures in a table beside it."""

import math
import uuid
from decimal import Decimal

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from units.suppression import SECONDARY, is_mark

# Okabe–Ito colours, distinguishable with colour-blindness, ≥3:1 against white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 48
CHARACTER_WIDTH = 6.6  # an 11 px DejaVu Sans character, wide enough for "m" and digits
FEW_CATEGORIES = 8


def _scale(values, *, integers: bool) -> tuple[Decimal, Decimal]:
    """The axis top and tick step: 1, 2 or 5 × 10ⁿ, four or five ticks, whole steps for counts."""
    largest = max(values, default=Decimal(0))
    if largest <= 0:
        return Decimal(4 if integers else 1), Decimal(1 if integers else "0.25")
    rough = largest / 4
    magnitude = Decimal(10) ** rough.adjusted()
    step = next(candidate * magnitude for candidate in (1, 2, 5, 10) if candidate * magnitude >= rough)
    if integers:
        step = max(step.to_integral_value(), Decimal(1))
    top = (largest / step).to_integral_value(rounding="ROUND_CEILING") * step
    return top, step


def _number(value: Decimal) -> str:
    """A tick as the reader writes numbers: no trailing zeros, the locale's decimal sign."""
    value = value.normalize()
    if value == value.to_integral_value():
        return formats.number_format(int(value))
    return formats.number_format(value, decimal_pos=-value.as_tuple().exponent)


def _frame(title, desc, body, legend, *, chart_id=None):
    chart_id = chart_id or f"chart-{uuid.uuid4().hex[:8]}"
    return mark_safe(  # noqa: S308 - every text inside is escaped below
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" class="chart-svg" font-family="DejaVu Sans, sans-serif" '
        f'font-size="11">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{body}{legend}</svg>"
    )


def _no_data(title, desc):
    """A chart without a single value says so instead of drawing empty axes."""
    text = escape(_("No data to show"))
    body = (f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" '
            f'fill="#f6f6f6" stroke="#d0d0d0"/><text x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" '
            f'text-anchor="middle" fill="#333" font-size="13" class="chart-no-data">{text}</text>')
    return _frame(title, desc or title, body, "")


def shown_labels(labels: list[str], step: float) -> list[int]:
    """Indexes of the category labels to print: every n-th, so that no two run together."""
    widest = max((len(label) for label in labels), default=0) * CHARACTER_WIDTH + 8
    every = max(1, math.ceil(widest / step)) if step else 1
    return list(range(0, len(labels), every))


def _axes(top: Decimal, tick_step: Decimal, labels: list[str]):
    parts = []
    plot_height = HEIGHT - TOP - BOTTOM
    ticks = int(top / tick_step)
    for tick in range(ticks + 1):
        value = tick_step * tick
        y = TOP + plot_height - plot_height * tick / ticks
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d0d0"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#333">'
                     f"{escape(_number(value))}</text>")
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    # A long series (months, dates) prints every n-th label; a few categories print each one,
    # shortened to its room (the whole label is in the table beside the chart).
    few = len(labels) <= FEW_CATEGORIES
    for index in range(len(labels)) if few else shown_labels(labels, step):
        x = LEFT + step * (index + 0.5)
        label = _fit(labels[index], step) if few else labels[index]
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#333" '
                     f'class="chart-label">{escape(label)}</text>')
    return "".join(parts), step


def _fit(label: str, room: float) -> str:
    characters = max(int((room - 8) / CHARACTER_WIDTH), 3)
    return label if len(label) <= characters else label[:characters - 1].rstrip() + "…"


def _legend(entries):
    """Legend keys: (name, fill) pairs; a single plain series needs none."""
    if len(entries) < 2:
        return ""
    parts = []
    x = LEFT
    for name, fill in entries:
        parts.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{fill}" stroke="#555" '
                     f'stroke-width="0.5"/><text x="{x + 14}" y="{HEIGHT - 9}" fill="#333">{escape(name)}</text>')
        x += 24 + len(str(name)) * CHARACTER_WIDTH
    return "".join(parts)


def bar_chart(*, title: str, labels: list[str], series: list[tuple[str, list]], desc: str = ""):
    """Grouped bars: `series` is [(name, values aligned with labels)]. None is no bar; a hidden
    cell's mark ("<5", "..") is a hatched bar up to the threshold, labelled with the mark, and the
    legend says what hatching means — a hidden count never looks like zero."""
    numbers = [Decimal(v) for _name, values in series for v in values if v is not None and not is_mark(v)]
    marks = [v for _name, values in series for v in values if is_mark(v)]
    if not numbers and not marks:
        return _no_data(title, desc)
    bounds = [Decimal(mark[1:]) for mark in marks if mark != SECONDARY]
    top, tick_step = _scale(numbers + bounds, integers=all(n == n.to_integral_value() for n in numbers))
    axes, step = _axes(top, tick_step, labels)
    plot_height = HEIGHT - TOP - BOTTOM
    bar_width = step * 0.8 / max(len(series), 1)
    chart_id = f"chart-{uuid.uuid4().hex[:8]}"
    hatch = f"{chart_id}-hidden"
    bars = []
    for series_index, (name, values) in enumerate(series):
        colour = PALETTE[series_index % 6]
        for index, value in enumerate(values):
            if value is None:
                continue
            x = LEFT + step * index + step * 0.1 + bar_width * series_index
            if is_mark(value):
                bound = Decimal(value[1:]) if value != SECONDARY else top / 10
                height = max(float(plot_height * bound / top), 6.0)
                y = TOP + plot_height - height
                bars.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
                    f'fill="url(#{hatch})" stroke="{colour}" stroke-dasharray="3 2" class="chart-hidden">'
                    f"<title>{escape(name)} {escape(labels[index])}: {escape(value)}</title></rect>"
                    f'<text x="{x + bar_width / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="#333" '
                    f'font-size="9">{escape(value)}</text>'
                )
                continue
            height = float(plot_height * Decimal(value) / top)
            bars.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_height - height:.1f}" width="{bar_width:.1f}" '
                f'height="{height:.1f}" fill="{colour}"><title>{escape(name)} '
                f"{escape(labels[index])}: {escape(value)}</title></rect>"
            )
    legend = [(name, PALETTE[index % 6]) for index, (name, _values) in enumerate(series)]
    defs = ""
    if marks:
        defs = (f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
                f'<line x1="0" y1="0" x2="0" y2="6" stroke="#555" stroke-width="2"/></pattern></defs>')
        legend.append((_("hidden: a small count"), f"url(#{hatch})"))
    return _frame(title, desc or title, defs + axes + "".join(bars), _legend(legend), chart_id=chart_id)


def line_chart(*, title: str, labels: list[str], series: list[tuple[str, list]], desc: str = "",
               reference: tuple | None = None, maximum=None):
    """Lines with points; `reference` = (value, label) draws a dashed horizontal line (a cut-off)."""
    values = [Decimal(v) for _name, points in series for v in points if v is not None]
    if not values:
        return _no_data(title, desc)
    if reference:
        values.append(Decimal(reference[0]))
    top, tick_step = _scale(values, integers=all(v == v.to_integral_value() for v in values))
    if maximum is not None:
        top = Decimal(maximum)
        tick_step = next(top / ticks for ticks in (4, 5, 2, 1) if (top / ticks) == (top / ticks).to_integral_value())
    axes, step = _axes(top, tick_step, labels)
    plot_height = HEIGHT - TOP - BOTTOM

    # Floats only for drawing coordinates; the figures in titles and tables stay exact.
    def y_of(value):
        return TOP + plot_height - float(plot_height * Decimal(value) / top)

    parts = []
    if reference:
        y = y_of(reference[0])
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#555" '
                     f'stroke-dasharray="6 4"/><text x="{WIDTH - RIGHT}" y="{y - 4:.1f}" text-anchor="end" '
                     f'fill="#333">{escape(reference[1])}</text>')
    for series_index, (name, points) in enumerate(series):
        colour = PALETTE[series_index % 6]
        coordinates = [(LEFT + step * (index + 0.5), y_of(value), value)
                       for index, value in enumerate(points) if value is not None]
        if len(coordinates) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _value in coordinates)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y, value in coordinates:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>{escape(name)}: '
                         f"{escape(value)}</title></circle>")
    return _frame(title, desc or title, axes + "".join(parts),
                  _legend([(name, PALETTE[index % 6]) for index, (name, _points) in enumerate(series)]))
