"""Formatting of published indicator figures in templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from openmil.indicators.registry import Indicator, group_label_text
from openmil.indicators.selectors import Published

register = template.Library()


def _number(value: float, digits: int) -> str:
    """Rounded (number_format alone truncates), in the active locale."""
    return number_format(round(value, digits), digits)


@register.simple_tag
def figure_value(cell: Published, indicator: Indicator) -> str:
    """'64.3 %' or '28 days'-style text; '—' when hidden or empty."""
    if cell.value is None:
        return "—"
    if indicator.kind == "proportion":
        return f"{_number(100 * cell.value, 1)} %"
    return f"{_number(cell.value, 0)} {indicator.unit}"


@register.simple_tag
def figure_interval(cell: Published, indicator: Indicator) -> str:
    if cell.low is None or cell.high is None:
        return ""
    if indicator.kind == "proportion":
        return (
            f"{number_format(100 * cell.low, 1)}–{number_format(100 * cell.high, 1)} %"
        )
    return f"{number_format(cell.low, 0)}–{number_format(cell.high, 0)}"


@register.simple_tag
def bar_percent(cell: Published, indicator: Indicator, cells: list[Published]) -> int:
    """Bar length in percent of the widest: shares on 0-100, medians, counts
    and sums on the largest shown value."""
    if cell.value is None:
        return 0
    if indicator.kind == "proportion":
        return round(100 * cell.value)
    # Sums may be negative (net jobs lost): bars show the positive part.
    top = max((c.value or 0.0) for c in cells)
    return max(0, round(100 * cell.value / top)) if top > 0 else 0


@register.simple_tag
def group_label(breakdown: str, group: str) -> str:
    return group_label_text(breakdown, group)


@register.simple_tag
def trend_for(trends: dict[str, Any], indicator_id: str) -> Any:
    return trends.get(indicator_id, "")


@register.simple_tag
def gaps_for(gaps: dict[str, Any], indicator_id: str) -> Any:
    return gaps.get(indicator_id, [])


@register.simple_tag
def signed(value: float) -> str:
    """'+3.2' or '−1.5' (a true minus sign), one decimal."""
    text = _number(abs(value), 1)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


@register.simple_tag
def reference_value(reference: Any, indicator: Indicator) -> str:
    """A reference value with its interval, in the unit it was entered in."""
    unit = "%" if indicator.kind == "proportion" else str(indicator.unit)
    text = f"{_number(reference.value, 1)} {unit}"
    if reference.ci_low is not None and reference.ci_high is not None:
        text += f" ({_number(reference.ci_low, 1)}–{_number(reference.ci_high, 1)})"
    return text


@register.simple_tag
def snapshot_of(snapshots: dict[int, Any], lab_id: int) -> Any:
    return snapshots.get(lab_id)


@register.simple_tag
def cell_of(cells: dict[int, Any], lab_id: int) -> Any:
    return cells.get(lab_id)
