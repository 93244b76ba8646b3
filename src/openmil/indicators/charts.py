"""Charts drawn on the server as inline SVG: no script, printable.

The SVG is written left to right (`dir="ltr"`) whatever the page direction,
as numbers and dates are; its labels are <text> in the page's language, and
every chart sits beside a table of the same figures for screen readers.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 320, 120
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 16, 22


def _number(value: float, digits: int) -> str:
    return number_format(round(value, digits), digits)


def trend_svg(
    *, points: list[tuple[str, float | None]], share: bool, title: str
) -> SafeString:
    """A line over periods; hidden or empty values break the line. Shares
    use a 0-100 axis, other figures 0 to the largest value."""
    values = [v for _p, v in points if v is not None]
    if not points or not values:
        return SafeString("")
    top = 100.0 if share else max(max(values), 1.0)
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM
    step = span_x / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = LEFT + (i * step if len(points) > 1 else span_x / 2)
        return round(x, 1), round(TOP + span_y * (1 - v / top), 1)

    segments: list[list[tuple[float, float]]] = [[]]
    for i, (_period, v) in enumerate(points):
        if v is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(xy(i, v))
    lines = format_html_join(
        "",
        '<polyline class="trend-line" points="{}"></polyline>',
        ((" ".join(f"{x},{y}" for x, y in seg),) for seg in segments if seg),
    )
    digits = 1 if share else 0
    dots = format_html_join(
        "",
        '<circle class="trend-dot" cx="{}" cy="{}" r="2.5"></circle>'
        '<text class="trend-value" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (*xy(i, v), xy(i, v)[0], xy(i, v)[1] - 5, _number(v, digits))
            for i, (_p, v) in enumerate(points)
            if v is not None
        ),
    )
    labels = format_html_join(
        "",
        '<text class="trend-period" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((xy(i, 0)[0], HEIGHT - 6, period) for i, (period, _v) in enumerate(points)),
    )
    return format_html(
        '<svg class="trend" dir="ltr" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}"><line class="trend-axis" x1="{}" y1="{}" x2="{}" '
        'y2="{}"></line>{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        LEFT,
        HEIGHT - BOTTOM,
        WIDTH - RIGHT,
        HEIGHT - BOTTOM,
        lines,
        dots,
        labels,
    )
