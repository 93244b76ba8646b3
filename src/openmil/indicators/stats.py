"""Interval estimates for published indicators."""

from __future__ import annotations

import math

from scipy.stats import binom

Z95 = 1.959963984540054


def wilson_interval(k: int, n: int, *, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion k/n (None when n is 0)."""
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def median_interval(values: list[float]) -> tuple[float, float] | None:
    """Distribution-free 95 % interval of a median from order statistics.

    The interval runs from the j-th to the k-th smallest value, with j and k
    the binomial(n, 1/2) quantiles that leave at most 2.5 % on each side
    (Conover, Practical Nonparametric Statistics, 3rd ed., 1999, §3.2).
    """
    n = len(values)
    if n == 0:
        return None
    ordered = sorted(values)
    j = int(binom.ppf(0.025, n, 0.5))
    k = int(n - j)
    lo = ordered[max(j - 1, 0)]
    hi = ordered[min(k, n - 1)]
    return float(lo), float(hi)


def difference_interval(
    value: float,
    interval: tuple[float, float] | None,
    reference: float,
    reference_interval: tuple[float, float] | None,
) -> tuple[float, tuple[float, float] | None]:
    """The difference value - reference and its 95 % interval.

    Each side's interval is propagated with the MOVER method (Newcombe,
    Statistics in Medicine 17, 1998, method 10; Zou & Donner 2008), which
    keeps asymmetric intervals such as Wilson's asymmetric:

        low  = d - sqrt((value - l1)^2 + (u2 - reference)^2)
        high = d + sqrt((u1 - value)^2 + (reference - l2)^2)

    A reference without an interval counts as exact (its terms are 0). No
    interval when the value has none.
    """
    gap = value - reference
    if interval is None:
        return gap, None
    low1, high1 = interval
    low2, high2 = reference_interval or (reference, reference)
    low = gap - math.sqrt((value - low1) ** 2 + (high2 - reference) ** 2)
    high = gap + math.sqrt((high1 - value) ** 2 + (reference - low2) ** 2)
    return gap, (low, high)
