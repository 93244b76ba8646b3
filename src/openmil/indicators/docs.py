"""docs/indicators.md, generated from the registry."""

from __future__ import annotations

from django.utils import translation

from openmil.indicators.registry import AREAS, BREAKDOWNS, REGISTRY

HEADER = """# Indicators

Generated from `src/openmil/indicators/definitions.py` and
`definitions_<area>.py` by `openmil indicators docs`; edit the definitions,
not this file.

Every indicator is computed by the same code (`indicators/selectors.py`):
the **population** is the participants of the labs asked for, except people
who withdrew their consent to anonymised statistics. Each person observed
or record observed gives one value (1 or 0 for a share, a number for a
median, an amount for a sum); the figure comes with a 95 % interval — Wilson
score interval for shares, the distribution-free order-statistic interval
for medians, none for counts and sums, which are censuses of the lab's
records rather than samples — and breaks down by {breakdowns}.
The period is the one asked for (a year, quarter, month or range): each definition says
which date of a record places it in the period.

Everything is computed in the database with aggregate queries: one per
indicator gives the whole and every breakdown of every lab at once (a
grouped count and sum, `GROUPING SETS` on PostgreSQL, the same groupings
joined by `UNION ALL` on SQLite); for medians a second query numbers the
values with a window function and reads only the ranks of the median and of
its interval. The cost grows with the number of records, not with Python
work per person nor with labs times breakdowns. On PostgreSQL, run `ANALYZE`
after a bulk load: with stale statistics the planner may scan an index per
person instead of looking each person up.

Counts and sums are published like a count: hidden when their base is under
the threshold, otherwise rounded to the base.

Choices made the way Eurostat and the OECD make them: labour-market rates
take each person's latest follow-up answered in the period, for ages 20-64
at its end (Zaragoza core indicators); "unemployment" is over the labour
force (employed + unemployed); over-qualification is ISCED 5-8 employed in
ISCO-08 major groups 4-9; drop-out is exits for "dropped out" over every
exit of the period; windows in months count 6 months as 183 days and 12 as
365; an answer "prefer not to say" leaves a person out of that question's
denominator.

**Disclosure control** (`core/disclosure.py`): staff of a lab see their own
lab's exact figures; everybody else (analysts, funders, other labs, exports)
sees denominators under the threshold (default 10) as "<10", others rounded
to 5, shares on a hidden or small base hidden, and secondary suppression
across the groups of a breakdown and their total.

Origin groups follow the Zaragoza split: `host_country` (citizens of the
lab's country), `eu` (other EU citizens), `non_eu`, `unknown`. Age bands are
taken at the end of the period.
"""


def indicators_markdown() -> str:
    with translation.override("en"):
        lines = [
            HEADER.format(breakdowns=", ".join(map(str, BREAKDOWNS.values())).lower())
        ]
        for area, area_name in AREAS.items():
            items = [i for i in REGISTRY.values() if i.area == area]
            if not items:
                continue
            lines.append(f"## {area_name}\n")
            for ind in sorted(items, key=lambda i: i.id):
                lines.append(f"### {ind.name}\n")
                lines.append("| | |\n|---|---|")
                rows = [
                    ("id", f"`{ind.id}`"),
                    ("kind", f"{ind.kind} ({ind.unit})"),
                    ("numerator", str(ind.numerator)),
                    ("denominator", str(ind.denominator)),
                    ("population", str(ind.population)),
                    ("period", str(ind.period)),
                    ("breakdowns", ", ".join(f"`{b}`" for b in BREAKDOWNS)),
                    ("reads", ", ".join(f"`{r}`" for r in ind.reads)),
                    ("95 % interval", str(ind.interval_text)),
                    ("aligned with", ind.standard),
                ]
                if ind.notes:
                    rows.append(("notes", str(ind.notes)))
                lines += [f"| {k} | {v} |" for k, v in rows]
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"
