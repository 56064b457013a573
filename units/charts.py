"""Server-made SVG charts for pages and PDFs alike. No script, no inline style: shapes
carry presentation attributes, so the strict CSP holds and WeasyPrint draws them the same.
Each chart has a <title> and <desc>; pages show the figures in a table beside it."""

import uuid
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Okabe–Ito colours, distinguishable with colour-blindness, ≥3:1 against white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 48


def _nice_max(value) -> Decimal:
    value = Decimal(value or 0)
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _frame(title, desc, body, legend):
    chart_id = f"chart-{uuid.uuid4().hex[:8]}"
    return mark_safe(  # noqa: S308 - every text inside is escaped below
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" class="chart-svg" font-family="DejaVu Sans, sans-serif" '
        f'font-size="11">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{body}{legend}</svg>"
    )


def _axes(maximum: Decimal, labels: list[str]):
    parts = []
    plot_height = HEIGHT - TOP - BOTTOM
    for tick in range(5):
        value = maximum * tick / 4
        y = TOP + plot_height - plot_height * tick / 4
        shown = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d0d0"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{escape(shown)}</text>')
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    every = max(1, len(labels) // 12)
    for index, label in enumerate(labels):
        if index % every == 0:
            x = LEFT + step * (index + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#333">'
                         f"{escape(label)}</text>")
    return "".join(parts), step


def _legend(names):
    if len(names) < 2:
        return ""
    parts = []
    for index, name in enumerate(names):
        x = LEFT + index * 150
        parts.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{PALETTE[index % 6]}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT - 9}" fill="#333">{escape(name)}</text>')
    return "".join(parts)


def bar_chart(*, title: str, labels: list[str], series: list[tuple[str, list]], desc: str = ""):
    """Grouped bars: `series` is [(name, values aligned with labels)]; None counts as 0."""
    maximum = _nice_max(max((Decimal(v or 0) for _name, values in series for v in values), default=0))
    axes, step = _axes(maximum, labels)
    plot_height = HEIGHT - TOP - BOTTOM
    bar_width = step * 0.8 / max(len(series), 1)
    bars = []
    for series_index, (name, values) in enumerate(series):
        for index, value in enumerate(values):
            height = float(plot_height * Decimal(value or 0) / maximum)
            x = LEFT + step * index + step * 0.1 + bar_width * series_index
            bars.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_height - height:.1f}" width="{bar_width:.1f}" '
                f'height="{height:.1f}" fill="{PALETTE[series_index % 6]}"><title>{escape(name)} '
                f"{escape(labels[index])}: {escape(value if value is not None else 0)}</title></rect>"
            )
    return _frame(title, desc or title, axes + "".join(bars), _legend([name for name, _values in series]))


def line_chart(*, title: str, labels: list[str], series: list[tuple[str, list]], desc: str = "",
               reference: tuple | None = None, maximum=None):
    """Lines with points; `reference` = (value, label) draws a dashed horizontal line (a cut-off)."""
    values = [Decimal(v) for _name, points in series for v in points if v is not None]
    if reference:
        values.append(Decimal(reference[0]))
    top = Decimal(maximum) if maximum is not None else _nice_max(max(values, default=0))
    axes, step = _axes(top, labels)
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
    return _frame(title, desc or title, axes + "".join(parts), _legend([name for name, _points in series]))
