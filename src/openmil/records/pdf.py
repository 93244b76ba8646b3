"""The record as a readable PDF (WeasyPrint), right to left where the
language is written so."""

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

# WeasyPrint reports every layout step at INFO; the server log needs none.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def record_pdf(data: dict[str, Any]) -> bytes:
    """Render `participant_record()` data in the active language."""
    from weasyprint import HTML  # Imported late: it loads Pango on import.

    html = render_to_string(
        "records/record_pdf.html",
        {"record": data, "rtl": translation.get_language_bidi()},
    )
    return bytes(HTML(string=html).write_pdf())
