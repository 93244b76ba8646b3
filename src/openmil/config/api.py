"""The JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from openmil.activities.api import router as activities_router
from openmil.campaigns.api import router as campaigns_router
from openmil.core.api import BearerToken, validation_detail
from openmil.core.api import router as labs_router
from openmil.dedup.api import router as dedup_router
from openmil.events.api import router as events_router
from openmil.imports.api import router as imports_router
from openmil.indicators.api import router as indicators_router
from openmil.network.api import router as network_router
from openmil.participants.api import router as participants_router
from openmil.partners.api import router as partners_router
from openmil.pathways.api import router as pathways_router
from openmil.placements.api import router as placements_router
from openmil.portal.api import router as portal_router
from openmil.privacy.api import router as privacy_router
from openmil.public.api import router as public_router
from openmil.records.api import router as records_router
from openmil.training.api import router as training_router
from openmil.ventures.api import router as ventures_router

api = NinjaAPI(
    title="OpenMIL API",
    version="1",
    description=(
        "Labs, participants, basic needs and consents. Authenticate with a "
        "personal access token: `Authorization: Bearer <token>` (create one on "
        "your account page or with `openmil token create --user NAME`). Every "
        "read of a participant is written to the lab's audit log."
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)
api.add_router("/", labs_router)
api.add_router("/", participants_router)
api.add_router("/privacy/", privacy_router)
api.add_router("/", partners_router)
api.add_router("/", records_router)
api.add_router("/", portal_router)
api.add_router("/", imports_router)
api.add_router("/", dedup_router)
api.add_router("/", pathways_router)
api.add_router("/", activities_router)
api.add_router("/", ventures_router)
api.add_router("/", training_router)
api.add_router("/network/", network_router)
api.add_router("/", events_router)
api.add_router("/", campaigns_router)
# Matching rounds.
api.add_router("/", placements_router)
api.add_router("/", indicators_router)
api.add_router("/", public_router)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": validation_detail(exc)}, status=422)


@api.exception_handler(RequestDataTooBig)
def on_request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: a reason in JSON, not Django's
    HTML error page (file uploads have their own limits)."""
    return api.create_response(
        request, {"detail": "The request body is too large."}, status=400
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Your role does not allow this."}, status=403
    )
