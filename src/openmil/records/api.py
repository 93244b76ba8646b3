"""The complete record of a person, for coordinators of their lab."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router

from openmil.core import access
from openmil.core.api import Error
from openmil.core.roles import Perm
from openmil.participants.selectors import participant_get
from openmil.records.services import record_export

router = Router(tags=["records"])


@router.get(
    "/participants/{participant_id}/record",
    response={200: dict[str, Any], 403: Error, 404: Error, 422: Error},
    summary="Right of access: everything held about a person (coordinators)",
)
def participant_record(request: HttpRequest, participant_id: int) -> Any:
    participant = participant_get(
        user=request.user, participant_id=participant_id, audit=False
    )
    if not access.can(request.user, Perm.EXPORT_RECORD, participant.lab_id):
        raise PermissionDenied
    data, _content = record_export(
        actor=request.user, participant=participant, fmt="json"
    )
    return data
