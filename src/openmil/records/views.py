"""Right of access: a coordinator downloads a person's complete record."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from openmil.core import access
from openmil.core.roles import Perm
from openmil.participants.selectors import participant_get
from openmil.records.services import FORMATS, record_export, record_filename

CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def download(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def record_download(request: HttpRequest, participant_id: int) -> HttpResponse:
    """The record as PDF (default) or JSON (?format=json), in the person's
    language unless ?lang= names another one of the site."""
    participant = participant_get(
        user=request.user, participant_id=participant_id, audit=False
    )
    if not access.can(request.user, Perm.EXPORT_RECORD, participant.lab_id):
        raise Http404
    fmt = request.GET.get("format", "pdf")
    if fmt not in FORMATS:
        fmt = "pdf"
    language = request.GET.get("lang", "")
    if language not in dict(settings.STAFF_LANGUAGES):
        language = ""
    _data, content = record_export(
        actor=request.user, participant=participant, fmt=fmt, language=language
    )
    return download(
        content, fmt=fmt, filename=record_filename(participant=participant, fmt=fmt)
    )
