"""Disclosure control: the one mechanism every published figure goes through.

Counts about people leave OpenMIL only through this module:

- a count under the threshold (default 10) shows as "<10" (primary
  suppression); zero stays "0", it discloses nobody;
- other counts are rounded to the base (default 5);
- a rate is suppressed when its base is suppressed, or when its numerator is
  a small non-zero count that rate x published base would give back (the
  complement is not checked: a rate of 96 % on a base of 50 is shown);
- secondary suppression: in every group of cells whose total is published
  (a breakdown and its total, each row and column of a cross table), a
  single hidden cell could be recovered by subtraction, so more cells are
  hidden until every group hides none or at least two — or the total itself.

Thresholds come from the settings OPENMIL_SUPPRESS_BELOW / OPENMIL_ROUND_TO
and may differ per country through OPENMIL_DISCLOSURE_BY_COUNTRY, e.g.
`{"DE": {"threshold": 5, "base": 3}}`. Lab staff looking at their own lab
see exact figures; that decision belongs to the caller, which then does not
call this module at all.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class DisclosurePolicy:
    threshold: int
    base: int

    @classmethod
    def for_country(cls, country: str | None = None) -> DisclosurePolicy:
        """The policy of a country (ISO 3166 alpha-2), else the default."""
        default = cls(settings.OPENMIL_SUPPRESS_BELOW, settings.OPENMIL_ROUND_TO)
        overrides: Mapping[str, Mapping[str, int]] = getattr(
            settings, "OPENMIL_DISCLOSURE_BY_COUNTRY", {}
        )
        own = overrides.get((country or "").upper())
        if not own:
            return default
        return cls(
            int(own.get("threshold", default.threshold)),
            int(own.get("base", default.base)),
        )

    @classmethod
    def strictest(cls, countries: Iterable[str]) -> DisclosurePolicy:
        """The policy for figures that mix several countries' people."""
        policies = [cls.for_country(c) for c in countries] or [cls.for_country()]
        return cls(max(p.threshold for p in policies), max(p.base for p in policies))

    def rounded(self, n: int) -> int:
        return int(self.base * round(n / self.base)) if self.base > 1 else n

    def is_small(self, n: int) -> bool:
        return 0 < n < self.threshold


@dataclass(frozen=True)
class SafeCount:
    """A published count: its shown value, or None when it is hidden."""

    value: int | None
    hidden: bool
    reason: str  # "", "primary" (small), "secondary" (would be recoverable)
    threshold: int

    def __str__(self) -> str:
        if self.hidden:
            return f"<{self.threshold}" if self.reason == "primary" else "—"
        return str(self.value)


@dataclass(frozen=True)
class SafeRate:
    value: float | None  # 0..1, None when hidden
    hidden: bool

    def percent(self, digits: int = 1) -> str:
        if self.value is None:
            return "—"
        return f"{100 * self.value:.{digits}f} %"


def count_protect(n: int, *, policy: DisclosurePolicy | None = None) -> SafeCount:
    """One count on its own (no published total to subtract it from)."""
    policy = policy or DisclosurePolicy.for_country()
    if policy.is_small(n):
        return SafeCount(None, True, "primary", policy.threshold)
    return SafeCount(policy.rounded(n), False, "", policy.threshold)


def safe_count(n: int, *, threshold: int | None = None, base: int | None = None) -> str:
    """A count that is safe to show: "0", "<10", or rounded to the base."""
    default = DisclosurePolicy.for_country()
    policy = DisclosurePolicy(
        threshold if threshold is not None else default.threshold,
        base if base is not None else default.base,
    )
    return str(count_protect(n, policy=policy))


def rate_protect(
    numerator: int,
    denominator: int,
    *,
    policy: DisclosurePolicy | None = None,
    base_hidden: bool = False,
) -> SafeRate:
    """A proportion numerator/denominator that is safe to show."""
    policy = policy or DisclosurePolicy.for_country()
    if (
        base_hidden
        or denominator == 0
        or policy.is_small(denominator)
        or policy.is_small(numerator)
    ):
        return SafeRate(None, True)
    return SafeRate(numerator / denominator, False)


class ProtectedTable(Generic[K]):
    """Cells and the groups whose totals are published, safely shown."""

    def __init__(self, cells: Mapping[K, SafeCount], totals: Mapping[int, SafeCount]):
        self.cells = dict(cells)
        self.totals = dict(totals)

    def __getitem__(self, key: K) -> SafeCount:
        return self.cells[key]


def table_protect(
    cells: Mapping[K, int],
    *,
    groups: Sequence[Sequence[K]] = (),
    policy: DisclosurePolicy | None = None,
) -> ProtectedTable[K]:
    """Protect a table of counts whose group totals are published.

    `groups` lists, for each published total, the cells that add up to it
    (for a one-way breakdown: one group of all cells; for a cross table: each
    row and each column). The totals are protected too, returned by group
    index. Secondary suppression hides, in each group left with exactly one
    hidden cell, the smallest other non-zero cell; when no such cell is left
    the group's total is hidden instead. The loop ends because each step
    hides one more cell or total.
    """
    policy = policy or DisclosurePolicy.for_country()
    hidden: dict[K, str] = {
        k: "primary" for k, n in cells.items() if policy.is_small(n)
    }
    totals_raw = {i: sum(cells[k] for k in group) for i, group in enumerate(groups)}
    hidden_totals: set[int] = {i for i, n in totals_raw.items() if policy.is_small(n)}

    changed = True
    while changed:
        changed = False
        for i, group in enumerate(groups):
            if i in hidden_totals:
                continue
            in_group = [k for k in group if k in hidden]
            if len(in_group) != 1:
                continue
            candidates = sorted(
                (cells[k], repr(k), k)
                for k in group
                if k not in hidden and cells[k] > 0
            )
            if candidates:
                hidden[candidates[0][2]] = "secondary"
            else:
                hidden_totals.add(i)
            changed = True

    def shown(n: int, reason: str | None) -> SafeCount:
        if reason is not None:
            return SafeCount(None, True, reason, policy.threshold)
        return SafeCount(policy.rounded(n), False, "", policy.threshold)

    return ProtectedTable(
        {k: shown(n, hidden.get(k)) for k, n in cells.items()},
        {
            i: shown(
                n,
                ("primary" if policy.is_small(n) else "secondary")
                if i in hidden_totals
                else None,
            )
            for i, n in totals_raw.items()
        },
    )
