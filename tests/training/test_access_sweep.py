"""Every training page and API operation, requested by every role that must
not get through (see tests/ventures/sweep.py). Training records are staff
data: only the lab's coordinators manage them."""

from dataclasses import dataclass
from typing import Any

import pytest

from openmil.training.models import Certification, Competency, Training
from tests.core.test_access_sweep import (  # noqa: F401 - the fixture
    Operation,
    Page,
    World,
    world,
)
from tests.training.factories import (
    CertificationFactory,
    CompetencyFactory,
    TrainingFactory,
)
from tests.ventures import sweep

NAMESPACES = ("training:",)
API_PATHS = ("/api/v1/trainings", "/api/v1/competencies", "/api/v1/certifications")


@dataclass
class TrainingWorld(World):
    training: Training | None = None
    competency: Competency | None = None
    certification: Certification | None = None


@pytest.fixture
def tworld(world: World) -> TrainingWorld:  # noqa: F811
    competency = CompetencyFactory(lab=world.lab, name="Trauma-informed interviewing")
    training = TrainingFactory(lab=world.lab, title="Interviewing survivors of torture")
    training.attendees.add(world.coordinator)
    certification = CertificationFactory(
        competency=competency, user=world.coordinator, training=training
    )
    return TrainingWorld(
        **world.__dict__,
        training=training,
        competency=competency,
        certification=certification,
    )


def secrets(w: TrainingWorld) -> list[str]:
    return [*w.personal_data, w.competency.name, w.training.title]


state = sweep.make_database_state((Training, Competency, Certification))


def _lab_id(w: TrainingWorld) -> dict[str, int]:
    return {"lab_id": w.lab.pk}


def _lab(w: TrainingWorld) -> dict[str, int]:
    return {"lab": w.lab.pk}


def _new_training(w: TrainingWorld) -> dict[str, Any]:
    return {
        "title": "Intercultural mediation",
        "provider": "Lisbon University",
        "hours": "16",
        "held_on": "2026-02-10",
        "competencies": [w.competency.pk],
        "attendees": [w.facilitator.pk],
    }


def _new_certification(w: TrainingWorld) -> dict[str, Any]:
    return {
        "user": w.facilitator.pk,
        "competency": w.competency.pk,
        "certified_on": "2026-02-10",
        "expires_on": "2027-02-10",
    }


PAGES: dict[str, Page] = {
    "training:mine": Page(staff=True),
    "training:lab": Page(staff=True, kwargs=_lab_id, lab_a=True),
    "training:training_add": Page(
        staff=True, kwargs=_lab_id, get=False, post=_new_training, lab_a=True
    ),
    "training:competency_add": Page(
        staff=True,
        kwargs=_lab_id,
        get=False,
        post=lambda w: {"name": "Data protection", "validity_months": 24},
        lab_a=True,
    ),
    "training:certification_add": Page(
        staff=True, kwargs=_lab_id, get=False, post=_new_certification, lab_a=True
    ),
    "training:attendee_add": Page(
        staff=True,
        kwargs=lambda w: {"training_id": w.training.pk},
        get=False,
        post=lambda w: {"user": w.facilitator.pk},
        lab_a=True,
    ),
}

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/trainings"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/trainings"): Operation(
        body=lambda w: {**_new_training(w), "lab": w.lab.pk}
    ),
    ("POST", "/api/v1/trainings/{training_id}/attendees"): Operation(
        path=lambda w: {"training_id": w.training.pk},
        body=lambda w: {"user": w.facilitator.pk},
    ),
    ("GET", "/api/v1/competencies"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/competencies"): Operation(
        body=lambda w: {"lab": w.lab.pk, "name": "Data protection"}
    ),
    ("GET", "/api/v1/certifications"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/certifications"): Operation(
        body=lambda w: {**_new_certification(w), "lab": w.lab.pk}
    ),
}


def test_the_sweep_knows_every_training_page():
    assert sweep.url_names_in(NAMESPACES) == set(PAGES)


def test_the_sweep_knows_every_training_operation():
    assert sweep.api_operations_under(API_PATHS) == set(OPERATIONS)
    assert sweep.api_routes_under(API_PATHS) == {path for _m, path in OPERATIONS}


globals().update(sweep.page_tests(PAGES, state, secrets, "tworld"))
globals().update(sweep.api_tests(OPERATIONS, state, secrets, "tworld"))
