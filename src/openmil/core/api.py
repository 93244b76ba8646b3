"""API authentication, error handling, and the lab endpoints."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer

from openmil.core import access
from openmil.core.disclosure import safe_count
from openmil.core.models import Lab
from openmil.core.roles import Perm
from openmil.core.services import api_token_authenticate
from openmil.participants.selectors import lab_overview


class BearerToken(HttpBearer):
    """`Authorization: Bearer <personal access token>`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class Error(Schema):
    detail: Any


def validation_detail(error: ValidationError) -> list[dict[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in error.messages]


def form_errors(form: Any) -> list[dict[str, str]]:
    return [
        {"field": field, "message": str(message)}
        for field, messages in form.errors.items()
        for message in messages
    ]


router = Router(tags=["labs"])


class LabOut(Schema):
    id: int
    name: str
    slug: str
    country: str
    territory: str
    working_languages: list[str]
    time_zone: str
    network: str
    roles: list[str]


class LabSummaryOut(Schema):
    lab: int
    participants: str
    by_profile: dict[str, str]
    pathways_started: str
    needs: dict[str, dict[str, str]]


def _lab_out(request: HttpRequest, lab: Any) -> dict[str, Any]:
    return {
        "id": lab.pk,
        "name": lab.name,
        "slug": lab.slug,
        "country": lab.country,
        "territory": lab.territory,
        "working_languages": lab.working_languages,
        "time_zone": lab.time_zone,
        "network": lab.network.name,
        "roles": sorted(access.roles_in_lab(request.user, lab.pk)),
    }


@router.get("/labs", response=list[LabOut], summary="Labs I belong to")
def list_labs(request: HttpRequest) -> list[dict[str, Any]]:
    ids = {m.lab_id for m in access.memberships_of(request.user)}
    ids |= access.lab_ids_with(request.user, Perm.VIEW_AGGREGATES)

    labs = Lab.objects.filter(pk__in=ids).select_related("network").order_by("name")
    return [_lab_out(request, lab) for lab in labs]


@router.get("/labs/{lab_id}", response={200: LabOut, 404: Error, 422: Error})
def get_lab(request: HttpRequest, lab_id: int) -> Any:

    ids = {m.lab_id for m in access.memberships_of(request.user)}
    ids |= access.lab_ids_with(request.user, Perm.VIEW_AGGREGATES)
    lab = Lab.objects.select_related("network").filter(pk=lab_id, pk__in=ids).first()
    if lab is None:
        return 404, {"detail": "Not found."}
    return _lab_out(request, lab)


@router.get(
    "/labs/{lab_id}/summary",
    response={200: LabSummaryOut, 404: Error, 422: Error},
    summary="Disclosure-safe counts for a lab",
)
def lab_summary(request: HttpRequest, lab_id: int) -> Any:
    if not access.can(request.user, Perm.VIEW_AGGREGATES, lab_id):
        return 404, {"detail": "Not found."}
    stats = lab_overview(user=request.user, lab_id=lab_id)
    needs: dict[str, dict[str, str]] = {}
    for (code, status), n in stats["needs"].items():
        needs.setdefault(code, {})[status] = safe_count(n)
    return {
        "lab": lab_id,
        "participants": safe_count(stats["participants"]),
        "by_profile": {k: safe_count(v) for k, v in stats["by_profile"].items()},
        "pathways_started": safe_count(stats["pathways_started"]),
        "needs": needs,
    }


class BoundedPages(PageNumberPagination):
    """Page numbers, bounded so that the offset always fits the database."""

    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=1_000_000)
