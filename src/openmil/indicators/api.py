"""Indicator endpoints: definitions, a lab's published values, exports and
reference values. Same selectors and services as the web pages; figures a
caller reads are exact only when they are staff of the lab."""

import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from openmil.core import access
from openmil.core.api import BoundedPages, Error, validation_detail
from openmil.core.roles import Perm
from openmil.indicators import dashboards, services
from openmil.indicators.exports import FORMAT_NAMES, FORMATS, indicators_export
from openmil.indicators.models import ReferenceValue
from openmil.indicators.registry import BREAKDOWNS, REGISTRY, Period
from openmil.indicators.selectors import snapshot_latest
from openmil.participants.api import MAX_ID, NO_NUL

router = Router(tags=["indicators"])

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "datapackage": "application/zip",
}


class IndicatorOut(Schema):
    id: str
    name: str
    area: str
    kind: str
    numerator: str
    denominator: str
    population: str
    period: str
    breakdowns: list[str]
    reads: list[str]
    standard: str
    unit: str


class FormatOut(Schema):
    id: str
    name: str


class ValueOut(Schema):
    group: str
    n: int | None = Field(..., description="Rounded unless exact; null if hidden")
    n_flag: str = Field(..., description="'<10' (small) or 'hidden' when n is null")
    value: float | None
    ci_low: float | None
    ci_high: float | None
    hidden: bool


class ReferenceGapOut(Schema):
    reference: int
    gap: float | None = Field(..., description="pp for shares, else the unit")
    ci_low: float | None
    ci_high: float | None
    unit: str


class IndicatorValuesOut(Schema):
    indicator: str
    values: list[ValueOut]
    gaps: list[ReferenceGapOut] = Field(
        ..., description="Gap of the whole to each reference value (descriptive)"
    )


class LabValuesOut(Schema):
    lab: int
    period: str
    breakdown: str
    computed_at: str
    exact: bool
    indicators: list[IndicatorValuesOut]


class ValuesQuery(Schema):
    period: str = Field(
        "", max_length=40, pattern=NO_NUL, description="Default: this year"
    )
    breakdown: str = Field("", max_length=20, pattern=NO_NUL)


class ExportQuery(Schema):
    period: str = Field(
        "", max_length=40, pattern=NO_NUL, description="Default: this year"
    )


class ReferenceOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    indicator: str = Field(..., alias="indicator_id")
    area: str
    population: str
    period: str
    value: float
    ci_low: float | None
    ci_high: float | None
    source: str
    url: str


class ReferenceIn(Schema):
    indicator: str | None = Field(None, max_length=80, pattern=NO_NUL)
    area: str | None = Field(None, max_length=200, pattern=NO_NUL)
    population: str | None = Field(None, max_length=200, pattern=NO_NUL)
    period: str | None = Field(None, max_length=40, pattern=NO_NUL)
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    source: str | None = Field(None, max_length=200, pattern=NO_NUL)
    url: str | None = Field(None, max_length=500, pattern=NO_NUL)


class ReferenceCreate(ReferenceIn):
    lab: int = Field(..., ge=1, le=MAX_ID)


class ReferenceFilters(Schema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)
    indicator: str | None = Field(None, max_length=80, pattern=NO_NUL)


def _reference_data(payload: ReferenceIn) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("lab", None)
    if "indicator" in data:
        data["indicator_id"] = data.pop("indicator")
    return data


def _invalid(exc: ValidationError) -> tuple[int, dict[str, Any]]:
    detail = validation_detail(exc)
    for item in detail:
        if item["field"] == "indicator_id":
            item["field"] = "indicator"
    return 422, {"detail": detail}


@router.get("/indicators", response=list[IndicatorOut])
def list_indicators(request: HttpRequest) -> Any:
    """Every registered indicator, as documented in docs/indicators.md."""
    return [indicator.as_dict() for indicator in REGISTRY.values()]


@router.get("/indicators/formats", response=list[FormatOut])
def list_export_formats(request: HttpRequest) -> Any:
    return [{"id": fmt, "name": FORMAT_NAMES[fmt]} for fmt in FORMATS]


def _period(text: str) -> Period:
    text = text or str(timezone.localdate().year)
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc


@router.get(
    "/indicators/labs/{lab_id}/values",
    response={200: LabValuesOut, 404: Error, 422: Error},
)
def lab_values(request: HttpRequest, lab_id: int, query: Query[ValuesQuery]) -> Any:
    """A lab's latest computed figures for a period: exact for the lab's own
    staff, disclosure-controlled for everybody else (analysts, network)."""
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    period = _period(query.period)
    if query.breakdown and query.breakdown not in BREAKDOWNS:
        raise ValidationError(
            {"breakdown": f"One of: {', '.join(BREAKDOWNS)} (or empty)."}
        )
    snapshot = snapshot_latest(lab_id=lab.pk, period=period.label)
    if snapshot is None:
        return 404, {"detail": "The figures for this period have not been computed."}
    exact = access.can(request.user, Perm.VIEW_PERSONAL, lab.pk)
    figures = dashboards.figures_for(
        snapshot=snapshot, exact=exact, breakdown=query.breakdown
    )
    gaps = dashboards.gaps_for(lab_id=lab.pk, figures=figures)
    indicators = []
    for figure in figures:
        values = []
        for cell in figure.cells:
            n = cell.n
            hidden_n = bool(getattr(n, "hidden", False))
            values.append(
                {
                    "group": cell.group,
                    "n": getattr(n, "value", n),
                    "n_flag": (
                        (str(n) if str(n).startswith("<") else "hidden")
                        if hidden_n
                        else ""
                    ),
                    "value": cell.value,
                    "ci_low": cell.low,
                    "ci_high": cell.high,
                    "hidden": cell.hidden,
                }
            )
        indicators.append(
            {
                "indicator": figure.indicator.id,
                "values": values,
                "gaps": [
                    {
                        "reference": g.reference.pk,
                        "gap": g.gap,
                        "ci_low": g.low,
                        "ci_high": g.high,
                        "unit": g.unit,
                    }
                    for g in gaps.get(figure.indicator.id, [])
                ],
            }
        )
    return {
        "lab": lab.pk,
        "period": snapshot.period,
        "breakdown": query.breakdown,
        "computed_at": snapshot.computed_at.isoformat(),
        "exact": exact,
        "indicators": indicators,
    }


@router.get(
    "/indicators/labs/{lab_id}/export/{fmt}",
    response={200: None, 404: Error, 422: Error},
)
def lab_export(
    request: HttpRequest, lab_id: int, fmt: str, query: Query[ExportQuery]
) -> Any:
    """A file of the lab's figures (always disclosure-controlled); formats
    are listed at /api/v1/indicators/formats."""
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    if fmt not in FORMATS:
        return 404, {
            "detail": f"No such format; see /api/v1/indicators/formats "
            f"({', '.join(FORMATS)})."
        }
    period = _period(query.period)
    snapshot = snapshot_latest(lab_id=lab.pk, period=period.label)
    if snapshot is None:
        return 404, {"detail": "The figures for this period have not been computed."}
    suffix = {"csv": ".csv", "hxl": ".hxl.csv", "xlsx": ".xlsx"}.get(fmt, ".zip")
    name = f"openmil-{lab.slug}-{period.label}{suffix}"
    with tempfile.TemporaryDirectory(prefix="openmil-export-") as folder:
        path = indicators_export(snapshot=snapshot, fmt=fmt, path=Path(folder) / name)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/indicators/references", response={200: list[ReferenceOut], 404: Error, 422: Error}
)
@paginate(BoundedPages, page_size=100)
def list_references(request: HttpRequest, filters: Query[ReferenceFilters]) -> Any:
    """Reference values of the labs whose aggregates the caller reads."""
    if filters.lab is not None:
        qs = dashboards.references_of(user=request.user, lab_id=filters.lab)
    else:
        qs = dashboards.references_visible(user=request.user)
    if filters.indicator:
        qs = qs.filter(indicator_id=filters.indicator)
    return qs.order_by("pk")


@router.get(
    "/indicators/references/{reference_id}",
    response={200: ReferenceOut, 404: Error, 422: Error},
)
def get_reference(request: HttpRequest, reference_id: int) -> Any:
    return dashboards.reference_get(
        user=request.user, reference_id=reference_id, permission=Perm.VIEW_AGGREGATES
    )


@router.post(
    "/indicators/references",
    response={201: ReferenceOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_reference(request: HttpRequest, payload: ReferenceCreate) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.MANAGE_REFERENCES
    )
    try:
        reference = services.reference_create(
            actor=request.user, lab=lab, data=_reference_data(payload)
        )
    except ValidationError as exc:
        return _invalid(exc)
    return 201, reference


@router.patch(
    "/indicators/references/{reference_id}",
    response={200: ReferenceOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def update_reference(
    request: HttpRequest, reference_id: int, payload: ReferenceIn
) -> Any:
    reference = dashboards.reference_get(
        user=request.user, reference_id=reference_id, permission=Perm.MANAGE_REFERENCES
    )
    try:
        return services.reference_update(
            actor=request.user, reference=reference, data=_reference_data(payload)
        )
    except ValidationError as exc:
        return _invalid(exc)


class DeletedOut(Schema):
    deleted: int


@router.delete(
    "/indicators/references/{reference_id}",
    response={200: DeletedOut, 403: Error, 404: Error, 422: Error},
)
def delete_reference(request: HttpRequest, reference_id: int) -> Any:
    reference: ReferenceValue = dashboards.reference_get(
        user=request.user, reference_id=reference_id, permission=Perm.MANAGE_REFERENCES
    )
    pk = reference.pk
    services.reference_delete(actor=request.user, reference=reference)
    return {"deleted": pk}
