"""Every page and API operation of the public site, by who may and who may not.

Staff pages and operations (moderation, recommendations tracker) get the
refusal tests of the core sweep (tests/ventures/sweep.py); the public pages
and reads answer anonymous readers without showing what is not published;
the citizens' writes need an account (any account, no lab membership).
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmil.public.models import (
    Evidence,
    Participation,
    Project,
    ProjectPost,
    Recommendation,
    RecommendationStatusChange,
    Report,
)
from tests.core.test_access_sweep import (  # noqa: F401 - the fixture
    Operation,
    Page,
    World,
    bearer,
    world,
)
from tests.factories import UserFactory
from tests.public.factories import ProjectFactory, RecommendationFactory, ReportFactory
from tests.ventures import sweep

STAFF_NAMESPACES = ("moderation:", "recommendations:")
API_PATHS = ("/api/v1/projects", "/api/v1/recommendations")
SIGN_IN = "/site/account/sign-in/"


@dataclass
class PublicWorld(World):
    citizen: Any = None
    pending: Project | None = None
    published: Project | None = None
    report: Report | None = None
    recommendation: Recommendation | None = None
    evidence: Evidence | None = None


@pytest.fixture
def pworld(world: World) -> PublicWorld:  # noqa: F811
    citizen = UserFactory(username="citizen-amina")
    pending = ProjectFactory(
        lab=world.lab,
        owner=citizen,
        status=Project.Status.PENDING,
        title="Unpublished repair café in Graça",
    )
    published = ProjectFactory(lab=world.lab, owner=citizen, title="Choir of Alfama")
    report = ReportFactory(project=published, reason="Secret reason 7731")
    recommendation = RecommendationFactory(lab=world.lab)
    RecommendationStatusChange.objects.create(
        recommendation=recommendation,
        to_status=recommendation.status,
        on=recommendation.status_since,
    )
    evidence = Evidence.objects.create(
        recommendation=recommendation,
        kind=Evidence.Kind.PRACTICE,
        url="https://example.org/practice",
    )
    return PublicWorld(
        **world.__dict__,
        citizen=citizen,
        pending=pending,
        published=published,
        report=report,
        recommendation=recommendation,
        evidence=evidence,
    )


def secrets(w: PublicWorld) -> list[str]:
    return [*w.personal_data, w.pending.title, w.report.reason]


state = sweep.make_database_state(
    (
        Project,
        Participation,
        ProjectPost,
        Report,
        Recommendation,
        RecommendationStatusChange,
        Evidence,
    )
)


def _pending(w: PublicWorld) -> dict[str, int]:
    return {"project_id": w.pending.pk}


def _rec(w: PublicWorld) -> dict[str, int]:
    return {"recommendation_id": w.recommendation.pk}


def _recommendation_form(w: PublicWorld) -> dict[str, Any]:
    return {
        "lab": w.lab.pk,
        "title": "Open the libraries on Sundays",
        "body": "Text",
        "language": "en",
    }


STAFF_PAGES: dict[str, Page] = {
    "moderation:queue": Page(staff=True),
    "moderation:project": Page(
        staff=True, kwargs=_pending, post=lambda w: {"decision": "approve"}, lab_a=True
    ),
    "moderation:block_owner": Page(
        staff=True, kwargs=_pending, get=False, post=lambda w: {}, lab_a=True
    ),
    "moderation:report": Page(
        staff=True,
        kwargs=lambda w: {"report_id": w.report.pk},
        get=False,
        post=lambda w: {"decision": "uphold"},
        lab_a=True,
    ),
    "recommendations:list": Page(staff=True),
    # Another lab's coordinator may create recommendations in their own lab.
    "recommendations:create": Page(staff=True, post=_recommendation_form),
    "recommendations:detail": Page(
        staff=True,
        kwargs=_rec,
        post=lambda w: {**_recommendation_form(w), "title": "Renamed"},
        lab_a=True,
    ),
    "recommendations:status": Page(
        staff=True,
        kwargs=_rec,
        get=False,
        post=lambda w: {
            "to_status": "discussed",
            "on": timezone.localdate().isoformat(),
        },
        lab_a=True,
    ),
    "recommendations:evidence_add": Page(
        staff=True,
        kwargs=_rec,
        get=False,
        post=lambda w: {"kind": "practice", "url": "https://example.org/b"},
        lab_a=True,
    ),
    "recommendations:evidence_remove": Page(
        staff=True,
        kwargs=lambda w: {"evidence_id": w.evidence.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
}

STAFF_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/projects/moderation"): Operation(listing=True),
    ("GET", "/api/v1/projects/reports"): Operation(listing=True),
    ("POST", "/api/v1/projects/reports/{report_id}/decision"): Operation(
        path=lambda w: {"report_id": w.report.pk},
        body=lambda w: {"decision": "dismiss"},
    ),
    ("POST", "/api/v1/projects/{project_id}/moderation"): Operation(
        path=_pending, body=lambda w: {"decision": "reject", "reason": "Spam"}
    ),
    ("POST", "/api/v1/projects/{project_id}/block-owner"): Operation(
        path=_pending, body=lambda w: {}
    ),
    ("POST", "/api/v1/recommendations"): Operation(body=_recommendation_form),
    ("PATCH", "/api/v1/recommendations/{recommendation_id}"): Operation(
        path=_rec, body=lambda w: {"title": "Renamed"}
    ),
    ("POST", "/api/v1/recommendations/{recommendation_id}/status"): Operation(
        path=_rec, body=lambda w: {"to_status": "adopted"}
    ),
    ("POST", "/api/v1/recommendations/{recommendation_id}/evidence"): Operation(
        path=_rec, body=lambda w: {"kind": "practice", "url": "https://example.org/c"}
    ),
    ("DELETE", "/api/v1/recommendations/evidence/{evidence_id}"): Operation(
        path=lambda w: {"evidence_id": w.evidence.pk}, body=lambda w: {}
    ),
}

#: Reads open to everyone.
PUBLIC_OPERATIONS = {
    ("GET", "/api/v1/projects"),
    ("GET", "/api/v1/projects/{project_id}"),
    ("GET", "/api/v1/recommendations"),
    ("GET", "/api/v1/recommendations/{recommendation_id}"),
}
#: Writes any signed-in person may make on a published project.
CITIZEN_OPERATIONS = {
    ("POST", "/api/v1/projects"),
    ("POST", "/api/v1/projects/{project_id}/participations"),
    ("POST", "/api/v1/projects/{project_id}/posts"),
    ("POST", "/api/v1/projects/{project_id}/reports"),
}


def _published(w: PublicWorld) -> dict[str, int]:
    return {"project_id": w.published.pk}


#: name -> (kwargs, needs an account)
PUBLIC_PAGES: dict[str, tuple[Any, bool]] = {
    "public:home": (lambda w: {}, False),
    "public:project_list": (lambda w: {}, False),
    "public:project_detail": (_published, False),
    "public:project_report": (_published, False),
    "public:recommendation_list": (lambda w: {}, False),
    "public:recommendation_detail": (_rec, False),
    "public:sign_up": (lambda w: {}, False),
    "public:sign_in": (lambda w: {}, False),
    "public:project_create": (lambda w: {}, True),
    "public:account": (lambda w: {}, True),
    "public:project_take_part": (_published, True),
    "public:project_post": (_published, True),
    "public:sign_out": (lambda w: {}, False),
}


def test_the_sweep_knows_every_page():
    assert sweep.url_names_in(STAFF_NAMESPACES) == set(STAFF_PAGES)
    assert sweep.url_names_in(("public:",)) == set(PUBLIC_PAGES)


def test_the_sweep_knows_every_operation():
    known = set(STAFF_OPERATIONS) | PUBLIC_OPERATIONS | CITIZEN_OPERATIONS
    assert sweep.api_operations_under(API_PATHS) == known
    assert sweep.api_routes_under(API_PATHS) == {path for _m, path in known}


globals().update(sweep.page_tests(STAFF_PAGES, state, secrets, "pworld"))
globals().update(sweep.api_tests(STAFF_OPERATIONS, state, secrets, "pworld"))


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_public_pages_answer_anonymous_readers_and_hide_the_unpublished(name, pworld):
    kwargs, needs_account = PUBLIC_PAGES[name]
    url = reverse(name, kwargs=kwargs(pworld))
    response = Client().get(url)
    if name in ("public:project_take_part", "public:project_post"):
        assert Client().post(url, {}).status_code == 302
        assert Client().post(url, {})["Location"].startswith(SIGN_IN)
    elif name == "public:sign_out":
        assert response.status_code == 405
    elif needs_account:
        assert response.status_code == 302
        assert response["Location"].startswith(SIGN_IN)
    else:
        assert response.status_code == 200
        assert not sweep.leaks(response.content.decode(), secrets(pworld))


def test_an_unpublished_project_is_not_found_by_readers_or_other_citizens(pworld):
    url = reverse("public:project_detail", kwargs=_pending(pworld))
    assert Client().get(url).status_code == 404
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url).status_code == 404
    assert Client().get(f"/api/v1/projects/{pworld.pending.pk}").status_code == 404
    owner = Client()
    owner.force_login(pworld.citizen)
    assert owner.get(url).status_code == 200


@pytest.mark.parametrize("key", sorted(PUBLIC_OPERATIONS), ids=" ".join)
def test_public_reads_need_no_token_and_hide_the_unpublished(key, pworld):
    _method, template = key
    url = template.format(
        project_id=pworld.published.pk, recommendation_id=pworld.recommendation.pk
    )
    response = Client().get(url)
    assert response.status_code == 200
    assert not sweep.leaks(response.content.decode(), secrets(pworld))


@pytest.mark.parametrize("key", sorted(CITIZEN_OPERATIONS), ids=" ".join)
def test_citizen_writes_need_an_account(key, pworld):
    _method, template = key
    url = template.format(project_id=pworld.published.pk)
    before = state()
    response = Client().post(url, "{}", content_type="application/json")
    assert response.status_code == 401
    assert state() == before


def test_a_citizen_without_a_lab_reaches_no_staff_page_or_operation(pworld):
    client = Client()
    client.force_login(pworld.citizen)
    for name, page in STAFF_PAGES.items():
        url = page.url(name, pworld)
        if page.get:
            assert client.get(url).status_code == 404, name
        if page.post:
            assert client.post(url, page.post(pworld)).status_code == 404, name
    token = bearer(pworld.citizen)
    for key, op in STAFF_OPERATIONS.items():
        response = sweep.call(STAFF_OPERATIONS, key, pworld, token)
        if op.listing:
            assert response.json()["items"] == []
        else:
            assert response.status_code in (403, 404), key
