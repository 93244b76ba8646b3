"""The participant's own record, for their account (token or session)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from openmil.core.api import Error
from openmil.portal.selectors import own_participant
from openmil.records.services import record_export

router = Router(tags=["participant space"])


@router.get(
    "/me/record",
    response={200: dict[str, Any], 404: Error},
    summary="My complete record (participant accounts only)",
)
def my_record(request: HttpRequest) -> Any:
    participant = own_participant(user=request.user, audit=False)
    data, _content = record_export(
        actor=request.user, participant=participant, fmt="json"
    )
    return data
