"""Disclosure control: small cells, rounding, rates, and recovery by subtraction."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from openmil.core.disclosure import (
    DisclosurePolicy,
    count_protect,
    rate_protect,
    safe_count,
    table_protect,
)

POLICY = DisclosurePolicy(threshold=10, base=5)


def test_small_counts_show_as_under_threshold_and_others_are_rounded():
    assert safe_count(0, threshold=10, base=5) == "0"
    assert safe_count(3, threshold=10, base=5) == "<10"
    assert safe_count(9, threshold=10, base=5) == "<10"
    assert safe_count(12, threshold=10, base=5) == "10"
    assert safe_count(13, threshold=10, base=5) == "15"


def test_country_thresholds_come_from_settings(settings):
    settings.OPENMIL_DISCLOSURE_BY_COUNTRY = {"DE": {"threshold": 5, "base": 3}}
    assert DisclosurePolicy.for_country("de") == DisclosurePolicy(5, 3)
    assert str(count_protect(7, policy=DisclosurePolicy.for_country("DE"))) == "6"
    assert DisclosurePolicy.for_country("PT") == DisclosurePolicy(10, 5)
    assert DisclosurePolicy.strictest(["DE", "PT"]) == DisclosurePolicy(10, 5)


def test_a_rate_on_a_suppressed_base_is_suppressed():
    assert rate_protect(2, 8, policy=POLICY).hidden
    assert rate_protect(20, 40, policy=POLICY, base_hidden=True).hidden
    assert rate_protect(0, 0, policy=POLICY).hidden


def test_a_rate_that_would_give_back_a_small_count_is_suppressed():
    # 3 of 50 is 6 %: 6 % of the published base 50 gives the 3 back.
    assert rate_protect(3, 50, policy=POLICY).hidden
    shown = rate_protect(20, 50, policy=POLICY)
    assert not shown.hidden and shown.value == 0.4
    assert shown.percent() == "40.0 %"
    assert rate_protect(0, 50, policy=POLICY).value == 0.0


def test_one_hidden_cell_in_a_breakdown_gets_a_second_one_hidden():
    cells = {"newcomer": 4, "national": 31, "unknown": 12}
    table = table_protect(cells, groups=[list(cells)], policy=POLICY)
    assert table["newcomer"].reason == "primary"
    # The smallest other cell is hidden so that total - shown != newcomer.
    assert table["unknown"].reason == "secondary"
    assert not table["national"].hidden
    assert str(table.totals[0]) == "45"


def test_when_no_other_cell_can_be_hidden_the_total_is_hidden():
    cells = {"newcomer": 4, "national": 0}
    table = table_protect(cells, groups=[list(cells)], policy=POLICY)
    assert table["newcomer"].hidden
    assert str(table["national"]) == "0"
    assert table.totals[0].hidden


def test_cross_table_rows_and_columns_each_hide_none_or_two():
    cells = {
        ("f", "a"): 3,
        ("f", "b"): 20,
        ("f", "c"): 15,
        ("m", "a"): 25,
        ("m", "b"): 30,
        ("m", "c"): 40,
    }
    rows = [[k for k in cells if k[0] == r] for r in "fm"]
    cols = [[k for k in cells if k[1] == c] for c in "abc"]
    table = table_protect(cells, groups=rows + cols, policy=POLICY)
    for i, group in enumerate(rows + cols):
        if table.totals[i].hidden:
            continue
        assert sum(table[k].hidden for k in group) != 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=5),
    st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=5),
)
def test_no_hidden_cell_is_recoverable_by_subtraction(row_a, row_b):
    """An attacker knows the exact shown values and totals and subtracts.

    Rounding aside (exact values are used here, which favours the attacker),
    a hidden cell is recoverable when it is the only hidden cell of a group
    whose total is shown. Secondary suppression must leave none.
    """
    width = min(len(row_a), len(row_b))
    cells = {(r, c): v[c] for r, v in enumerate([row_a, row_b]) for c in range(width)}
    rows = [[(r, c) for c in range(width)] for r in range(2)]
    cols = [[(r, c) for r in range(2)] for c in range(width)]
    groups = rows + cols
    table = table_protect(cells, groups=groups, policy=POLICY)
    for i, group in enumerate(groups):
        if table.totals[i].hidden:
            continue
        hidden = [k for k in group if table[k].hidden]
        assert len(hidden) != 1, (cells, group)
    for k, n in cells.items():
        if POLICY.is_small(n):
            assert table[k].hidden


def test_every_primary_cell_stays_hidden_whatever_the_groups():
    values = [0, 1, 9, 10, 11, 50]
    for a, b, c in itertools.product(values, repeat=3):
        cells = {"a": a, "b": b, "c": c}
        table = table_protect(cells, groups=[list(cells)], policy=POLICY)
        for k, n in cells.items():
            if 0 < n < 10:
                assert table[k].hidden and str(table[k]) == "<10"
            if n == 0:
                assert str(table[k]) == "0"
