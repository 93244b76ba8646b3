"""The PDF report of a lab's indicators for a period (WeasyPrint).

Cover, key figures, a chart and a table per indicator by profile, and an
appendix of definitions, in the requested language and right to left where
that language is. Figures are disclosure-controlled: a report leaves the
lab's hands (funders, ministries).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from openmil.indicators.models import IndicatorSnapshot
from openmil.indicators.registry import BREAKDOWNS
from openmil.indicators.selectors import snapshot_figures_published

REPORT_BREAKDOWNS = ("profile", "sex", "age_band", "origin_group")


def report_html(*, snapshot: IndicatorSnapshot, language: str) -> str:
    with translation.override(language):
        whole = snapshot_figures_published(snapshot=snapshot, exact=False)
        sections = [
            {
                "breakdown": breakdown,
                "label": BREAKDOWNS[breakdown],
                "figures": snapshot_figures_published(
                    snapshot=snapshot, breakdown=breakdown, exact=False
                ),
            }
            for breakdown in REPORT_BREAKDOWNS
        ]
        return render_to_string(
            "indicators/report_pdf.html",
            {
                "snapshot": snapshot,
                "lab": snapshot.lab,
                "figures": whole,
                "sections": sections,
                "LANGUAGE_CODE": language,
                "LANGUAGE_BIDI": translation.get_language_bidi(),
            },
        )


def report_pdf(*, snapshot: IndicatorSnapshot, language: str) -> bytes:
    from weasyprint import HTML

    html = report_html(snapshot=snapshot, language=language)
    return HTML(string=html).write_pdf()
