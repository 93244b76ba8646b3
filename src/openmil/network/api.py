"""The hub's federation endpoints under /api/v1/network/.

They take no account: `join` records a key that waits for approval, and
`push` trusts nothing but the signature checked against an approved key.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from openmil.core.api import validation_detail
from openmil.network import federation, services

router = Router(tags=["network"])


class JoinIn(Schema):
    slug: str
    name: str
    country: str
    public_key: str


class JoinOut(Schema):
    slug: str
    fingerprint: str
    status: str


class Problem(Schema):
    detail: str
    code: str = ""


class Accepted(Schema):
    sequence: int
    kind: str


@router.post(
    "/join",
    auth=None,
    response={201: JoinOut, 400: Problem, 422: dict},
    operation_id="network_join",
)
def network_join(request: HttpRequest, data: JoinIn):
    try:
        lab = services.federated_lab_register(
            slug=data.slug,
            name=data.name,
            country=data.country,
            public_key=data.public_key,
        )
    except ValidationError as error:
        return 422, {"detail": validation_detail(error)}
    return 201, JoinOut(slug=lab.slug, fingerprint=lab.fingerprint, status=lab.status)


@router.post(
    "/push",
    auth=None,
    response={
        201: Accepted,
        400: Problem,
        401: Problem,
        403: Problem,
        409: Problem,
        422: Problem,
    },
    operation_id="network_push",
)
def network_push(request: HttpRequest):
    """A signed payload from a lab: {"payload": {...}, "signature": "..."}."""
    try:
        envelope = json.loads(request.body or b"null")
    except ValueError:
        return 400, Problem(detail="The body is not JSON.")
    try:
        received = services.payload_receive(envelope=envelope)
    except federation.Rejected as rejected:
        return rejected.status, Problem(detail=rejected.reason, code=rejected.code)
    return 201, Accepted(sequence=received.sequence, kind=received.kind)
