"""Every venture page and API operation, requested by every role that must
not get through, and by a coordinator of another lab (see tests/ventures/sweep.py).

A new page or endpoint without an entry here fails the completeness tests.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from openmil.core.models import Organisation
from openmil.ventures.models import (
    JobsRecord,
    StageChange,
    Support,
    TerritorialNeed,
    Venture,
)
from tests.core.test_access_sweep import (  # noqa: F401 - the fixture
    Operation,
    Page,
    World,
    world,
)
from tests.factories import OrganisationFactory
from tests.ventures import sweep
from tests.ventures.factories import TerritorialNeedFactory, VentureFactory

NAMESPACES = ("ventures:",)
API_PATHS = ("/api/v1/ventures", "/api/v1/territorial-needs")


@dataclass
class VentureWorld(World):
    venture: Venture | None = None
    territorial_need: TerritorialNeed | None = None
    provider: Organisation | None = None


@pytest.fixture
def vworld(world: World) -> VentureWorld:  # noqa: F811
    need = TerritorialNeedFactory(
        lab=world.lab, title="Nobody repairs bicycles in Graça"
    )
    venture = VentureFactory(
        lab=world.lab,
        founders=[world.participant],
        name="Zuleikha's Secret Kitchen",
        territorial_need=need,
    )
    provider = OrganisationFactory(lab=world.lab, kind=Organisation.Kind.INCUBATOR)
    return VentureWorld(
        **world.__dict__, venture=venture, territorial_need=need, provider=provider
    )


def secrets(w: VentureWorld) -> list[str]:
    return [*w.personal_data, w.venture.name, w.territorial_need.title]


state = sweep.make_database_state(
    (Venture, StageChange, Support, JobsRecord, TerritorialNeed)
)


def _v(w: VentureWorld) -> dict[str, int]:
    return {"venture_id": w.venture.pk}


def _lab(w: VentureWorld) -> dict[str, int]:
    return {"lab": w.lab.pk}


def _new_venture(w: VentureWorld) -> dict[str, Any]:
    return {
        "lab": w.lab.pk,
        "name": "Tailor on the corner",
        "sector": "C",
        "founders_text": w.participant.reference,
        "started_on": "2025-01-05",
        "revenue_band": "none",
    }


PAGES: dict[str, Page] = {
    "ventures:list": Page(staff=True, query=_lab),
    "ventures:create": Page(staff=True, query=_lab, post=_new_venture, lab_a=True),
    "ventures:detail": Page(staff=True, kwargs=_v, lab_a=True),
    "ventures:edit": Page(
        staff=True,
        kwargs=_v,
        post=lambda w: {**_new_venture(w), "name": "Renamed"},
        lab_a=True,
    ),
    "ventures:transition": Page(
        staff=True,
        kwargs=_v,
        get=False,
        post=lambda w: {"to_stage": "business_plan"},
        lab_a=True,
    ),
    "ventures:support_add": Page(
        staff=True,
        kwargs=_v,
        get=False,
        post=lambda w: {
            "kind": "incubator",
            "provider": w.provider.pk,
            "on": "2025-03-01",
            "currency": "EUR",
        },
        lab_a=True,
    ),
    "ventures:jobs_record": Page(
        staff=True, kwargs=_v, get=False, post=lambda w: {"jobs": 3}, lab_a=True
    ),
    "ventures:needs": Page(
        staff=True,
        query=_lab,
        post=lambda w: {
            "kind": "vacant_premises",
            "title": "Old bakery",
            "status": "open",
        },
        lab_a=True,
    ),
    "ventures:need_edit": Page(
        staff=True,
        kwargs=lambda w: {"need_id": w.territorial_need.pk},
        post=lambda w: {
            "kind": "missing_service",
            "title": "Bicycle repairs",
            "status": "addressed",
        },
        lab_a=True,
    ),
}

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/ventures"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/ventures"): Operation(
        body=lambda w: {
            "lab": w.lab.pk,
            "name": "Tailor",
            "sector": "C",
            "founders": [w.participant.pk],
        }
    ),
    ("GET", "/api/v1/ventures/{venture_id}"): Operation(path=_v),
    ("PATCH", "/api/v1/ventures/{venture_id}"): Operation(
        path=_v, body=lambda w: {"name": "Renamed"}
    ),
    ("POST", "/api/v1/ventures/{venture_id}/transitions"): Operation(
        path=_v, body=lambda w: {"to_stage": "business_plan"}
    ),
    ("POST", "/api/v1/ventures/{venture_id}/supports"): Operation(
        path=_v,
        body=lambda w: {
            "kind": "grant",
            "provider": w.provider.pk,
            "on": "2025-03-01",
            "amount": "1500.00",
        },
    ),
    ("POST", "/api/v1/ventures/{venture_id}/jobs"): Operation(
        path=_v, body=lambda w: {"jobs": 2}
    ),
    ("GET", "/api/v1/territorial-needs"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/territorial-needs"): Operation(
        body=lambda w: {"lab": w.lab.pk, "kind": "missing_service", "title": "Cobbler"}
    ),
    ("PATCH", "/api/v1/territorial-needs/{territorial_need_id}"): Operation(
        path=lambda w: {"territorial_need_id": w.territorial_need.pk},
        body=lambda w: {"status": "addressed"},
    ),
}


def test_the_sweep_knows_every_venture_page():
    assert sweep.url_names_in(NAMESPACES) == set(PAGES)


def test_the_sweep_knows_every_venture_operation():
    assert sweep.api_operations_under(API_PATHS) == set(OPERATIONS)
    assert sweep.api_routes_under(API_PATHS) == {path for _m, path in OPERATIONS}


globals().update(sweep.page_tests(PAGES, state, secrets, "vworld"))
globals().update(sweep.api_tests(OPERATIONS, state, secrets, "vworld"))
