"""Charts drawn on the server as SVG: no script, readable in print (they
use the text colour) and mirrored for right-to-left languages."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
ROW = 44
BAR = 16
LABEL = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    target: int | None = None
    caption: str = ""


def _x(x: float, width: float, rtl: bool) -> float:
    """Left edge of a box of `width` starting at `x` from the reading start."""
    return round(WIDTH - x - width, 1) if rtl else round(x, 1)


def bar_chart(bars: Sequence[Bar], *, title: str, rtl: bool = False) -> SafeString:
    """Horizontal bars, one per row: the value as a filled bar, the target
    (when given) as an outlined bar, with the figures written out."""
    if not bars:
        return SafeString("")
    scale_max = max(max(b.value, b.target or 0) for b in bars) or 1
    height = ROW * len(bars) + 8
    anchor = "end" if rtl else "start"
    parts = []
    for i, bar in enumerate(bars):
        top = i * ROW + 4
        value_w = round((WIDTH - 2) * bar.value / scale_max, 1)
        text_x = WIDTH - 2 if rtl else 2
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="{}" fill="currentColor" '
                'font-size="13">{}</text>',
                text_x,
                top + 13,
                anchor,
                f"{bar.label} — {bar.caption}" if bar.caption else bar.label,
            )
        )
        if bar.target:
            target_w = round((WIDTH - 2) * bar.target / scale_max, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="none" '
                    'stroke="currentColor" stroke-dasharray="4 3"/>',
                    _x(1, target_w, rtl),
                    top + LABEL,
                    target_w,
                    BAR,
                )
            )
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="currentColor" '
                'fill-opacity="0.55"/>',
                _x(1, value_w, rtl),
                top + LABEL + 3,
                value_w,
                BAR - 6,
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        title,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
