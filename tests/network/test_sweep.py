"""Every network page, requested by every role that must not get through and
by a coordinator of another lab (see tests/ventures/sweep.py). The two
federation endpoints take no account; tests/network/test_federation.py
checks that they trust nothing but an approved key's signature.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from openmil.network.models import (
    Adoption,
    FederatedLab,
    MipexScore,
    Practice,
    PracticeAnswer,
    PracticeQuestion,
    PracticeVersion,
    ReceivedPayload,
)
from tests.core.test_access_sweep import (  # noqa: F401 - the fixture
    Page,
    World,
    world,
)
from tests.factories import LabFactory
from tests.network.factories import practice_make
from tests.ventures import sweep

NAMESPACES = ("network:",)
API_PATHS = ("/api/v1/network/",)


@dataclass
class NetworkWorld(World):
    draft: Practice | None = None
    published: Practice | None = None
    question: PracticeQuestion | None = None
    elsewhere: Practice | None = None


@pytest.fixture
def nworld(world: World) -> NetworkWorld:  # noqa: F811
    draft = practice_make(
        lab=world.lab, title="Zuleikha's unpublished draft", published=False
    )
    published = practice_make(lab=world.lab, title="Shared kitchen")
    question = PracticeQuestion.objects.create(
        practice=published, lab=world.lab, text="How many cooks?"
    )
    # A practice of a lab of the same network, for adoptions.
    other = LabFactory(network=world.lab.network, slug="lab-a-sister")
    elsewhere = practice_make(lab=other, title="Language cafés")
    return NetworkWorld(
        **world.__dict__,
        draft=draft,
        published=published,
        question=question,
        elsewhere=elsewhere,
    )


def secrets(w: NetworkWorld) -> list[str]:
    return [*w.personal_data, w.draft.versions.get().title]


state = sweep.make_database_state(
    (
        Practice,
        PracticeVersion,
        PracticeQuestion,
        PracticeAnswer,
        Adoption,
        MipexScore,
        FederatedLab,
        ReceivedPayload,
    )
)


def _practice_form(w: NetworkWorld, **changes: Any) -> dict[str, Any]:
    data = {
        "lab": w.lab.pk,
        "language": "en",
        "title": "Buddy walks",
        "summary": "Walks in pairs.",
        "pillar": "intercultural",
        "sdgs": [10],
        "countries": ["PT"],
        "evidence_indicators": [],
    }
    data.update(changes)
    return data


def _draft(w: NetworkWorld) -> dict[str, int]:
    return {"practice_id": w.draft.pk}


PAGES: dict[str, Page] = {
    "network:practices": Page(),
    "network:practice_create": Page(
        staff=True, query=lambda w: {"lab": w.lab.pk}, post=_practice_form, lab_a=True
    ),
    "network:practice_detail": Page(staff=True, kwargs=_draft, lab_a=True),
    "network:practice_edit": Page(
        staff=True,
        kwargs=_draft,
        post=lambda w: _practice_form(w, title="Renamed"),
        lab_a=True,
    ),
    "network:practice_publish": Page(
        staff=True, kwargs=_draft, get=False, post=lambda w: {}, lab_a=True
    ),
    "network:question_ask": Page(
        staff=True,
        kwargs=lambda w: {"practice_id": w.published.pk},
        get=False,
        post=lambda w: {"lab": w.lab.pk, "text": "Who pays the rent?"},
    ),
    "network:answer_give": Page(
        staff=True,
        kwargs=lambda w: {"question_id": w.question.pk},
        get=False,
        post=lambda w: {"text": "Twelve."},
        lab_a=True,
    ),
    "network:adoption_add": Page(
        staff=True,
        kwargs=lambda w: {"practice_id": w.elsewhere.pk},
        get=False,
        post=lambda w: {"lab": w.lab.pk, "adopted_on": "2026-01-10", "note": ""},
    ),
    "network:benchmark": Page(query=lambda w: {"period": "2026"}),
    "network:mipex": Page(
        post=lambda w: {"country": "PT", "year": 2025, "strand": "health", "score": 70}
    ),
}


def test_the_sweep_knows_every_network_page():
    assert sweep.url_names_in(NAMESPACES) == set(PAGES)


def test_the_federation_endpoints_are_the_only_network_operations():
    assert sweep.api_operations_under(API_PATHS) == {
        ("POST", "/api/v1/network/join"),
        ("POST", "/api/v1/network/push"),
    }
    assert sweep.api_routes_under(API_PATHS) == {
        "/api/v1/network/join",
        "/api/v1/network/push",
    }


globals().update(sweep.page_tests(PAGES, state, secrets, "nworld"))
