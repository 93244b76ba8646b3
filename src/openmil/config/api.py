"""The JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from openmil.core.api import BearerToken, validation_detail
from openmil.core.api import router as labs_router
from openmil.participants.api import router as participants_router
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
api.add_router("/", ventures_router)
api.add_router("/", training_router)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": validation_detail(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Your role does not allow this."}, status=403
    )
