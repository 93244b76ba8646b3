"""Demo reference values for a lab (called by the demo generator).

The values are made up, and say so in their source: the demo shows how a
gap to a reference value looks, not a real comparison.
"""

from openmil.core.models import Lab
from openmil.indicators.models import ReferenceValue
from openmil.indicators.registry import REGISTRY

DEMO_SOURCE = "Demo value, not a published figure"
REFERENCES = [
    # indicator, area, population, period, value, low, high
    (
        "needs.urgent_met_share",
        "national",
        "newcomers, all services",
        "2025",
        72.0,
        69.5,
        74.5,
    ),
    (
        "needs.urgent_met_share",
        "region",
        "newcomers, all services",
        "2025",
        68.0,
        64.0,
        72.0,
    ),
    (
        "needs.median_days_to_met",
        "national",
        "newcomers, all services",
        "2025",
        35.0,
        None,
        None,
    ),
    (
        "economic.employment_rate",
        "region",
        "non-EU citizens aged 20-64",
        "2025",
        61.0,
        59.0,
        63.0,
    ),
]


def populate_lab_references(*, lab: Lab) -> int:
    """A few reference values for the lab's dashboard; returns how many."""
    rows = [
        ReferenceValue(
            lab=lab,
            indicator_id=indicator,
            area=f"{lab.territory} ({where})" if where == "region" else lab.country,
            population=population,
            period=period,
            value=value,
            ci_low=low,
            ci_high=high,
            source=DEMO_SOURCE,
        )
        for indicator, where, population, period, value, low, high in REFERENCES
        if indicator in REGISTRY
    ]
    ReferenceValue.objects.bulk_create(rows)
    return len(rows)
