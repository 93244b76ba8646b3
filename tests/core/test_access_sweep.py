"""Every page and every API operation, requested by every role that must not
get through.

The sweep walks the URL configuration and the OpenAPI document; each URL name
and each operation has an entry below saying how to fill it with lab A's
objects. A new page or endpoint without an entry fails the sweep, so nothing
is added unchecked.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from openmil.config.api import api
from openmil.core.models import ApiToken, AuditEntry, Lab, Membership
from openmil.core.roles import Role
from openmil.core.services import api_token_create
from openmil.indicators.models import IndicatorReport, IndicatorSnapshot, ReferenceValue
from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute
from openmil.participants.models import (
    Consent,
    FollowUp,
    Household,
    LegalStatusCategory,
    Need,
    NeedType,
    Participant,
)
from tests.conftest import client_for
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)

REFUSED = {403, 404}
LOGIN_URL = "/account/login/"
#: Participants sign in to their own space on its own page.
PORTAL_LOGIN_URL = "/portal/sign-in/"

# ---------------------------------------------------------------------------
# Lab A's records, with personal data no page may show to the wrong person.


@dataclass
class World:
    lab: Lab
    coordinator: Any
    facilitator: Any
    participant: Participant
    need: Need
    consent: Consent
    follow_up: FollowUp
    token: ApiToken

    @property
    def personal_data(self) -> list[str]:
        p = self.participant
        return [p.given_name, p.family_name, p.reference, p.phone, p.health_notes]


_SWEEP_FIGURES: dict[str, Any] = {}


def sweep_snapshot(*, lab: Lab, period: Period) -> IndicatorSnapshot:
    """Lab A's snapshot for the sweeps, which check who reaches a page, not
    its figures: computed once per test process (every indicator, every
    breakdown), then stored again as it was for each test's world."""
    if not _SWEEP_FIGURES:
        snapshot = snapshot_compute(lab=lab, period=period)
        _SWEEP_FIGURES.update(cells=snapshot.cells, funnel=snapshot.funnel)
        return snapshot
    return IndicatorSnapshot.objects.create(
        lab=lab,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        computed_at=timezone.now(),
        seconds=0,
        cells=_SWEEP_FIGURES["cells"],
        funnel=_SWEEP_FIGURES["funnel"],
    )


@pytest.fixture
def world(lab_a, lab_b, coordinator, facilitator) -> World:
    person = ParticipantFactory(
        lab=lab_a,
        caseworker=facilitator,
        reference="LABA-7731",
        given_name="Zuleikha",
        family_name="Haddadine",
        phone="+351 912 000 731",
        email="zuleikha@example.net",
        health_notes="Insulin twice daily",
    )
    # Lab B has a person of its own, so lists of lab B are not empty.
    ParticipantFactory(lab=lab_b, given_name="Bruno", family_name="Bianchi")
    token, _raw = api_token_create(user=coordinator, name="laptop")
    # Lab A's 2026 figures and a finished PDF report of them.
    sweep_snapshot(lab=lab_a, period=Period.parse("2026"))
    report = IndicatorReport(lab=lab_a, period="2026", language="en", status="done")
    report.pdf.save("sweep.pdf", ContentFile(b"%PDF-1.4 sweep"), save=True)
    return World(
        lab=lab_a,
        coordinator=coordinator,
        facilitator=facilitator,
        participant=person,
        need=NeedFactory(participant=person, need_type=need_type(), urgent=False),
        consent=ConsentFactory(
            participant=person,
            purpose=Consent.Purpose.FOLLOW_UP,
            recorded_by=coordinator,
        ),
        follow_up=FollowUpFactory(participant=person, assigned_to=facilitator),
        token=token,
    )


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def participant_form(world: World, **changes: Any) -> dict[str, Any]:
    p = world.participant
    data = {
        "reference": p.reference,
        "profile": p.profile,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "birth_date": p.birth_date.isoformat(),
        "birth_date_precision": p.birth_date_precision,
        "sex": p.sex,
        "country_of_origin": p.country_of_origin,
        "nationality": p.nationality,
        "mother_tongue": p.mother_tongue,
        "phone": p.phone,
        "health_notes": p.health_notes,
        "case_notes": p.case_notes,
        "legal_status_detail": p.legal_status_detail,
        "caseworker": p.caseworker_id,
        "intake_date": p.intake_date.isoformat(),
    }
    data.update(changes)
    return data


def new_person_form(world: World) -> dict[str, Any]:
    return {
        "lab": world.lab.pk,
        "reference": "NEW-0001",
        "profile": Participant.Profile.NATIONAL,
        "given_name": "Newcomer",
        "birth_date_precision": Participant.DatePrecision.DAY,
        "sex": Participant.Sex.NOT_STATED,
        "intake_date": timezone.localdate().isoformat(),
    }


# ---------------------------------------------------------------------------
# The map of web pages.


@dataclass(frozen=True)
class Page:
    """How to request one URL name, and who may see it.

    `post` builds a valid form for a user allowed to submit it (None: the
    view takes no POST); `lab_a` marks pages addressing one of lab A's
    records; `staff` marks pages for people who handle participants' records,
    `aggregates` those that analysts may read too; `public` pages need no
    sign-in.
    """

    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    query: Callable[[World], dict[str, Any]] = lambda w: {}
    get: bool = True
    post: Callable[[World], dict[str, Any]] | None = None
    lab_a: bool = False
    staff: bool = False
    aggregates: bool = False
    public: bool = False

    def url(self, name: str, world: World) -> str:
        return reverse(name, kwargs=self.kwargs(world))

    def methods(self) -> list[str]:
        return [m for m, ok in (("get", self.get), ("post", self.post)) if ok]


def _participant(w: World) -> dict[str, int]:
    return {"participant_id": w.participant.pk}


def _lab(w: World) -> dict[str, int]:
    return {"lab_id": w.lab.pk}


def _report(w: World) -> dict[str, int]:
    report = IndicatorReport.objects.filter(lab=w.lab).earliest("pk")
    return {"lab_id": w.lab.pk, "report_id": report.pk}


def _period(w: World) -> dict[str, str]:
    return {"period": "2026"}


# Indicators: reference values and the network dashboard.
def _reference(w: World) -> dict[str, int]:
    reference, _created = ReferenceValue.objects.get_or_create(
        lab=w.lab,
        indicator_id="needs.urgent_met_share",
        area="Sweep region",
        population="everybody",
        period="2026",
        value=50.0,
        source="Sweep",
    )
    return {"reference_id": reference.pk}


def _reference_form(w: World) -> dict[str, Any]:
    return {
        "indicator_id": "needs.urgent_met_share",
        "area": "Spain",
        "population": "non-EU citizens",
        "period": "2026",
        "value": "61.2",
        "source": "Eurostat",
    }


def _reference_csv(w: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        "indicator,area,population,period,value,ci_low,ci_high,source,url\n"
        "needs.urgent_met_share,Spain,non-EU citizens,2026,61.2,,,Eurostat,\n"
    )
    return {"file": SimpleUploadedFile("refs.csv", content.encode())}


PAGES: dict[str, Page] = {
    "core:home": Page(),
    "core:login": Page(
        public=True, post=lambda w: {"username": "nobody", "password": "wrong"}
    ),
    "core:logout": Page(public=True, get=False, post=lambda w: {}),
    "core:otp_verify": Page(post=lambda w: {"otp_token": "000000"}),
    "core:otp_setup": Page(post=lambda w: {"otp_token": "000000"}),
    "core:api_tokens": Page(post=lambda w: {"name": "sweep", "days": 30}),
    "core:api_token_revoke": Page(
        kwargs=lambda w: {"token_id": w.token.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
    "core:set_language": Page(
        public=True, get=False, post=lambda w: {"language": "en"}
    ),
    "core:password_reset": Page(
        public=True, post=lambda w: {"email": w.coordinator.email}
    ),
    "core:password_reset_done": Page(public=True),
    "core:password_reset_confirm": Page(
        public=True,
        kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-valid-token"},
        post=lambda w: {"new_password1": "x", "new_password2": "x"},
    ),
    "core:lab_settings": Page(
        staff=True,
        kwargs=lambda w: {"lab_id": w.lab.pk},
        post=lambda w: {"action": "status", "name": "Temporary protection"},
        lab_a=True,
    ),
    "core:lab_team": Page(
        staff=True,
        kwargs=lambda w: {"lab_id": w.lab.pk},
        post=lambda w: {
            "username": "new-member",
            "first_name": "New",
            "email": "new-member@example.org",
            "role": Role.FACILITATOR,
        },
        lab_a=True,
    ),
    "core:overview": Page(staff=True, aggregates=True),
    "core:audit_log": Page(staff=True, query=lambda w: {"lab": w.lab.pk}, lab_a=True),
    "indicators:dashboard": Page(
        staff=True, aggregates=True, kwargs=_lab, query=_period, lab_a=True
    ),
    "indicators:refresh": Page(
        staff=True, aggregates=True, kwargs=_lab, get=False, post=_period, lab_a=True
    ),
    "indicators:download": Page(
        staff=True,
        aggregates=True,
        kwargs=lambda w: {"lab_id": w.lab.pk, "fmt": "csv"},
        query=_period,
        lab_a=True,
    ),
    "indicators:report_create": Page(
        staff=True, aggregates=True, kwargs=_lab, get=False, post=_period, lab_a=True
    ),
    "indicators:report": Page(staff=True, aggregates=True, kwargs=_report, lab_a=True),
    "indicators:report_download": Page(
        staff=True, aggregates=True, kwargs=_report, lab_a=True
    ),
    "indicators:network": Page(
        staff=True,
        aggregates=True,
        kwargs=lambda w: {"network_id": w.lab.network_id},
        query=_period,
    ),
    "indicators:references": Page(staff=True, aggregates=True, kwargs=_lab, lab_a=True),
    "indicators:reference_create": Page(
        staff=True, kwargs=_lab, post=_reference_form, lab_a=True
    ),
    "indicators:reference_import": Page(
        staff=True, kwargs=_lab, post=_reference_csv, lab_a=True
    ),
    "indicators:reference_delete": Page(
        staff=True, kwargs=_reference, get=False, post=lambda w: {}, lab_a=True
    ),
    "participants:list": Page(staff=True, query=lambda w: {"lab": w.lab.pk}),
    "participants:create": Page(
        staff=True, query=lambda w: {"lab": w.lab.pk}, post=new_person_form
    ),
    "participants:occupation_lookup": Page(staff=True, query=lambda w: {"q": "cook"}),
    "participants:detail": Page(staff=True, kwargs=_participant, lab_a=True),
    "participants:edit": Page(
        staff=True,
        kwargs=_participant,
        post=lambda w: participant_form(w, given_name="Changed"),
        lab_a=True,
    ),
    "participants:need_add": Page(
        staff=True,
        kwargs=_participant,
        get=False,
        post=lambda w: {"need_type": need_type("health").pk, "status": "identified"},
        lab_a=True,
    ),
    "participants:consent_give": Page(
        staff=True,
        kwargs=_participant,
        get=False,
        post=lambda w: {"purpose": "statistics", "notice_version": "2026-01"},
        lab_a=True,
    ),
    "participants:follow_up_add": Page(
        staff=True,
        kwargs=_participant,
        get=False,
        post=lambda w: {"due_on": tomorrow(), "subject": "Check in"},
        lab_a=True,
    ),
    "participants:pathway_start": Page(
        staff=True, kwargs=_participant, get=False, post=lambda w: {}, lab_a=True
    ),
    "participants:protection": Page(
        staff=True,
        kwargs=_participant,
        post=lambda w: {"staff": [w.coordinator.pk, w.facilitator.pk]},
        lab_a=True,
    ),
    "participants:need_edit": Page(
        staff=True,
        kwargs=lambda w: {"need_id": w.need.pk},
        post=lambda w: {"status": "met"},
        lab_a=True,
    ),
    "participants:consent_withdraw": Page(
        staff=True,
        kwargs=lambda w: {"consent_id": w.consent.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
    "participants:follow_up_done": Page(
        staff=True,
        kwargs=lambda w: {"follow_up_id": w.follow_up.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
    # The participant's own space: a staff user has none (404); the
    # isolation of participants from each other is swept in tests/portal.
    "portal:home": Page(),
    "portal:sign_in": Page(
        public=True, post=lambda w: {"username": "nobody", "password": "wrong"}
    ),
    "portal:link_request": Page(
        public=True, post=lambda w: {"email": w.coordinator.email}
    ),
    "portal:link_use": Page(
        public=True, kwargs=lambda w: {"token": "not-a-valid-token"}, post=lambda w: {}
    ),
    "portal:password_set": Page(
        post=lambda w: {"new_password1": "x", "new_password2": "x"}
    ),
    "portal:preferences": Page(
        post=lambda w: {"places": "Arroios", "meeting_place": "Arroios"}
    ),
    "portal:consent_withdraw": Page(
        kwargs=lambda w: {"consent_id": w.consent.pk}, post=lambda w: {}
    ),
    "portal:my_data_json": Page(),
    "portal:my_data_pdf": Page(),
    "portal:invite": Page(
        staff=True, kwargs=_participant, get=False, post=lambda w: {}, lab_a=True
    ),
    "records:participant_record": Page(staff=True, kwargs=_participant, lab_a=True),
}

SKIPPED_PREFIXES = ("admin/", "static/", "api/")
#: Apps whose pages and API operations have a sweep of their own, in
#: tests/<app>/ (each with the same checks as this one): their URL prefixes
#: and API path prefixes. The one mechanism an app uses to join.
SWEPT_ELSEWHERE = (
    "partners/",
    "notifications/",
    "privacy/",
    "imports/",
    "duplicates/",
    "pathways/",
    "activities/",
    "ventures/",
    "training/",
    "network/",
    "events/",
    "volunteers/",
    "site/events/",
    "site/volunteer/",
    "campaigns/",
    "site/facts/",
    "site/campaigns/",
    # Matching rounds: tests/placements/test_sweep.py.
    "matching/",
    # Staff pages of the public site (tests/public/test_sweep.py).
    "moderation/",
    "recommendations/",
)
#: The public site: pages a reader needs no account for (and forms that need
#: a citizen account, which sign in on the site's own page). Swept for
#: refusals in the apps that own them (tests/public for site/ itself); every
#: page without arguments is checked below to answer anonymous readers.
PUBLIC_PREFIXES = ("site/",)
PUBLIC_SIGN_IN_URL = "/site/account/sign-in/"
SWEPT_ELSEWHERE_API = (
    "/api/v1/organisations",
    "/api/v1/services",
    "/api/v1/referrals",
    "/api/v1/opportunities",
    "/api/v1/privacy/",
    "/api/v1/imports",
    "/api/v1/duplicates",
    "/api/v1/goals/",
    "/api/v1/pathway-templates",
    "/api/v1/surveys/",
    "/api/v1/participants/{participant_id}/pathway",
    "/api/v1/participants/{participant_id}/assessments",
    "/api/v1/activities",
    "/api/v1/cohorts/",
    "/api/v1/enrolments/",
    "/api/v1/sessions/",
    "/api/v1/ventures",
    "/api/v1/territorial-needs",
    "/api/v1/trainings",
    "/api/v1/competencies",
    "/api/v1/certifications",
    "/api/v1/network/",
    "/api/v1/events",
    "/api/v1/registrations/",
    "/api/v1/volunteers",
    "/api/v1/mentoring-pairs",
    "/api/v1/campaigns",
    "/api/v1/fact-cards",
    # Matching rounds: tests/placements/test_sweep.py.
    "/api/v1/matching-rounds",
    # Citizen projects and recommendations (tests/public/test_sweep.py).
    "/api/v1/projects",
    "/api/v1/recommendations",
)


def url_names(*, swept_elsewhere: bool = False) -> set[str]:
    """Every named URL pattern outside admin/, static/ and the API; those of
    apps with their own sweep only when `swept_elsewhere`."""
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            skipped = SKIPPED_PREFIXES + (
                () if swept_elsewhere else SWEPT_ELSEWHERE + PUBLIC_PREFIXES
            )
            if route.startswith(skipped):
                continue
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else ""
                walk(pattern.url_patterns, route, ns or namespace)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name or '<unnamed ' + route + '>'}")

    walk(get_resolver().url_patterns, "", "")
    return names


def test_the_sweep_knows_how_to_fill_every_url_pattern():
    assert url_names() == set(PAGES)


def public_site_pages() -> list[str]:
    """The paths of the public site's pages that take no argument."""
    paths: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith(PUBLIC_PREFIXES) and "<" not in route:
                paths.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(paths)


@pytest.mark.django_db
def test_public_site_pages_need_no_staff_sign_in():
    """Every page of the public site answers an anonymous reader: with the
    page, or (forms that need a citizen account) with the site's sign-in page,
    never the staff sign-in."""
    paths = public_site_pages()
    assert "/site/" in paths
    for path in paths:
        response = Client().get(path)
        if response.status_code == 405:
            continue  # a form that takes only POST
        if response.status_code == 302:
            assert response["Location"].startswith(PUBLIC_SIGN_IN_URL), path
        else:
            assert response.status_code == 200, path


def _request(client: Client, method: str, name: str, world: World, **extra: Any):
    page = PAGES[name]
    url = page.url(name, world)
    if method == "get":
        return client.get(url, page.query(world), **extra)
    assert page.post is not None
    if page.query(world):
        url += "?" + urlencode(page.query(world))
    return client.post(url, page.post(world), **extra)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        (LOGIN_URL, PORTAL_LOGIN_URL)
    )


def _body(response) -> str:
    return response.content.decode(errors="replace")


def _leaks(body: str, world: World) -> list[str]:
    return [value for value in world.personal_data if value and value in body]


# Everything a refused request could have changed.
WATCHED = (
    get_user_model(),
    Lab,
    NeedType,
    LegalStatusCategory,
    Participant,
    Need,
    Consent,
    FollowUp,
    Household,
    AuditEntry,
    ApiToken,
    Membership,
    IndicatorSnapshot,
    IndicatorReport,
)


# Bookkeeping of a request, not a change made by it.
UNWATCHED_FIELDS = {"last_used_at", "last_login"}


def database_state() -> dict[str, list[dict[str, Any]]]:
    state = {}
    for model in WATCHED:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in UNWATCHED_FIELDS
        ]
        state[model.__name__] = list(model.objects.order_by("pk").values(*names))
    return state


def lab_a_state(world: World) -> dict[str, list[dict[str, Any]]]:
    people = Participant.objects.filter(lab=world.lab)
    return {
        "participants": list(people.order_by("pk").values()),
        "needs": list(Need.objects.filter(participant__in=people).values()),
        "consents": list(Consent.objects.filter(participant__in=people).values()),
        "follow_ups": list(FollowUp.objects.filter(participant__in=people).values()),
        "tokens": list(ApiToken.objects.filter(user=world.coordinator).values()),
    }


LAB_A_PAGES = sorted(n for n, p in PAGES.items() if p.lab_a)
STAFF_PAGES = sorted(n for n, p in PAGES.items() if p.staff)
PRIVATE_PAGES = sorted(n for n, p in PAGES.items() if not p.public)
ALL_PAGES = sorted(PAGES)


@pytest.mark.parametrize("name", LAB_A_PAGES)
def test_lab_a_coordinator_reaches_every_lab_a_record_page(name, world):
    """The control for the refusals below: the URLs and forms are right."""
    page = PAGES[name]
    client = client_for(world.coordinator)
    if page.get:
        assert _request(client, "get", name, world).status_code == 200
    if page.post:
        before = database_state()
        response = _request(client, "post", name, world)
        assert response.status_code == 302, _body(response)
        assert database_state() != before


@pytest.mark.parametrize("name", LAB_A_PAGES)
def test_coordinator_of_another_lab_gets_not_found_for_lab_a_records(
    name, world, outsider
):
    page = PAGES[name]
    client = client_for(outsider)
    response = _request(client, "get", name, world)
    # A view that takes only POST answers GET with 405 for any id, known or not.
    assert response.status_code in (REFUSED if page.get else {405})
    if page.post:
        before = database_state()
        response = _request(client, "post", name, world)
        assert response.status_code in REFUSED
        assert database_state() == before


@pytest.mark.parametrize("name", ALL_PAGES)
def test_coordinator_of_another_lab_never_sees_lab_a_personal_data(
    name, world, outsider
):
    page = PAGES[name]
    client = client_for(outsider)
    lab_a_before = lab_a_state(world)
    for method in page.methods():
        response = _request(client, method, name, world, follow=True)
        assert not _leaks(_body(response), world), method
    assert lab_a_state(world) == lab_a_before


@pytest.mark.parametrize("name", ALL_PAGES)
def test_analyst_never_receives_personal_data(name, world, analyst):
    page = PAGES[name]
    client = client_for(analyst)
    for method in page.methods():
        response = _request(client, method, name, world, follow=True)
        assert not _leaks(_body(response), world), method
        if page.staff and not page.aggregates:
            assert response.status_code in REFUSED, method


@pytest.mark.parametrize("role", [Role.PARTNER_STAFF, Role.MENTOR])
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_partner_staff_and_mentors_never_reach_staff_pages(name, role, world):
    page = PAGES[name]
    client = client_for(member(world.lab, role))
    before = database_state()
    for method in page.methods():
        response = _request(client, method, name, world)
        assert response.status_code in REFUSED or _is_login_redirect(response), method
        assert not _leaks(_body(response), world), method
    assert database_state() == before


@pytest.mark.parametrize("role", [Role.PARTNER_STAFF, Role.MENTOR])
@pytest.mark.parametrize("name", ALL_PAGES)
def test_partner_staff_and_mentors_never_receive_personal_data(name, role, world):
    client = client_for(member(world.lab, role))
    for method in PAGES[name].methods():
        response = _request(client, method, name, world, follow=True)
        assert not _leaks(_body(response), world), method


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(name, world):
    client = Client()
    before = database_state()
    for method in PAGES[name].methods():
        response = _request(client, method, name, world)
        assert _is_login_redirect(response), method
    assert database_state() == before


@pytest.mark.parametrize("name", sorted(n for n, p in PAGES.items() if p.public))
def test_public_pages_show_no_personal_data_to_anonymous_visitors(name, world):
    client = Client()
    for method in PAGES[name].methods():
        response = _request(client, method, name, world, follow=True)
        assert response.status_code < 500
        assert not _leaks(_body(response), world), method


# ---------------------------------------------------------------------------
# The map of API operations.


@dataclass(frozen=True)
class Operation:
    """How to call one API operation, and what it reveals.

    `personal` marks operations that return or change participants' records;
    `lab_a` those that address lab A (a path id or the `lab` field);
    `listing` those that return a paginated list; `own` those that answer
    a participant's own account only (staff get 404).
    """

    path: Callable[[World], dict[str, int]] = lambda w: {}
    query: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World], dict[str, Any]] | None = None
    personal: bool = True
    lab_a: bool = True
    listing: bool = False
    own: bool = False

    def url(self, template: str, world: World) -> str:
        return template.format(**self.path(world))


def _p(w: World) -> dict[str, int]:
    return {"participant_id": w.participant.pk}


def _api_new_person(w: World) -> dict[str, Any]:
    data = new_person_form(w)
    data["reference"] = "API-0001"
    return data


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/labs"): Operation(personal=False, lab_a=False),
    ("GET", "/api/v1/labs/{lab_id}"): Operation(
        path=lambda w: {"lab_id": w.lab.pk}, personal=False
    ),
    ("GET", "/api/v1/labs/{lab_id}/summary"): Operation(
        path=lambda w: {"lab_id": w.lab.pk}, personal=False
    ),
    ("GET", "/api/v1/participants"): Operation(
        query=lambda w: {"lab": w.lab.pk}, listing=True
    ),
    ("POST", "/api/v1/participants"): Operation(body=_api_new_person),
    ("GET", "/api/v1/participants/{participant_id}"): Operation(path=_p),
    ("PATCH", "/api/v1/participants/{participant_id}"): Operation(
        path=_p, body=lambda w: {"given_name": "Changed"}
    ),
    ("GET", "/api/v1/participants/{participant_id}/needs"): Operation(path=_p),
    ("POST", "/api/v1/participants/{participant_id}/needs"): Operation(
        path=_p, body=lambda w: {"need_type": "health"}
    ),
    ("PATCH", "/api/v1/needs/{need_id}"): Operation(
        path=lambda w: {"need_id": w.need.pk}, body=lambda w: {"status": "met"}
    ),
    ("GET", "/api/v1/participants/{participant_id}/consents"): Operation(path=_p),
    ("POST", "/api/v1/participants/{participant_id}/consents"): Operation(
        path=_p, body=lambda w: {"purpose": "statistics", "notice_version": "2026-01"}
    ),
    ("POST", "/api/v1/consents/{consent_id}/withdraw"): Operation(
        path=lambda w: {"consent_id": w.consent.pk}, body=lambda w: {}
    ),
    ("GET", "/api/v1/participants/{participant_id}/record"): Operation(path=_p),
    ("GET", "/api/v1/me/record"): Operation(lab_a=False, own=True),
    # Indicators: definitions, published values, exports, reference values.
    ("GET", "/api/v1/indicators"): Operation(personal=False, lab_a=False),
    ("GET", "/api/v1/indicators/formats"): Operation(personal=False, lab_a=False),
    ("GET", "/api/v1/indicators/labs/{lab_id}/values"): Operation(
        path=lambda w: {"lab_id": w.lab.pk}, query=_period, personal=False
    ),
    ("GET", "/api/v1/indicators/labs/{lab_id}/export/{fmt}"): Operation(
        path=lambda w: {"lab_id": w.lab.pk, "fmt": "csv"},  # type: ignore[dict-item]
        query=_period,
        personal=False,
    ),
    ("GET", "/api/v1/indicators/references"): Operation(
        query=lambda w: {"lab": w.lab.pk}, personal=False
    ),
    ("POST", "/api/v1/indicators/references"): Operation(
        body=lambda w: {
            "lab": w.lab.pk,
            "indicator": "needs.urgent_met_share",
            "area": "Spain",
            "population": "non-EU citizens",
            "period": "2026",
            "value": 61.2,
            "source": "Eurostat",
        },
        personal=False,
    ),
    ("GET", "/api/v1/indicators/references/{reference_id}"): Operation(
        path=_reference, personal=False
    ),
    ("PATCH", "/api/v1/indicators/references/{reference_id}"): Operation(
        path=_reference, body=lambda w: {"value": 55.0}, personal=False
    ),
    ("DELETE", "/api/v1/indicators/references/{reference_id}"): Operation(
        path=_reference, body=lambda w: {}, personal=False
    ),
}


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if not path.startswith(SWEPT_ELSEWHERE_API)
    }


def test_the_sweep_knows_how_to_call_every_api_operation():
    assert api_operations() == set(OPERATIONS)


# API URLs that are not operations: the published description of the API.
API_DOCUMENTS = {"/api/v1/", "/api/v1/openapi.json", "/api/v1/docs"}


def api_routes() -> set[str]:
    """Every URL under api/, written as the OpenAPI document writes paths."""
    routes: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("api/"):
                path = "/" + route.replace("<", "{").replace(">", "}")
                if not path.startswith(SWEPT_ELSEWHERE_API):
                    routes.add(path)
            elif route.startswith("api/") and not ("/" + route).startswith(
                SWEPT_ELSEWHERE_API
            ):
                routes.add("/" + route.replace("<", "{").replace(">", "}"))

    walk(get_resolver().url_patterns, "")
    return routes


def test_every_api_url_is_an_operation_of_the_sweep_or_a_document():
    """No endpoint hides outside the OpenAPI document, and so outside the sweep."""
    operation_paths = {path for _method, path in OPERATIONS}
    assert api_routes() == operation_paths | API_DOCUMENTS


@pytest.mark.parametrize("path", sorted(API_DOCUMENTS))
def test_api_documents_hold_no_personal_data(path, world):
    response = Client().get(path)
    assert response.status_code in {200, 401, 404}
    assert not _leaks(_body(response), world)


def _call(client: Client, key: tuple[str, str], world: World, token: str | None):
    method, template = key
    op = OPERATIONS[key]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = op.url(template, world)
    if method == "GET":
        return client.get(url, op.query(world), headers=headers)
    assert op.body is not None
    return client.generic(
        method,
        url,
        json.dumps(op.body(world)),
        content_type="application/json",
        headers=headers,
    )


def bearer(user: Any) -> str:
    _token, raw = api_token_create(user=user, name="sweep")
    return raw


ALL_OPERATIONS = sorted(OPERATIONS)
PERSONAL_OPERATIONS = sorted(k for k, op in OPERATIONS.items() if op.personal)


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_lab_a_coordinator_may_call_every_operation(key, world):
    """The control for the refusals below: the paths and bodies are right."""
    response = _call(Client(), key, world, bearer(world.coordinator))
    expected = {404} if OPERATIONS[key].own else {200, 201}
    assert response.status_code in expected, response.content
    if OPERATIONS[key].listing:
        assert response.json()["items"]


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_without_a_token_answers_401(key, world):
    before = database_state()
    response = _call(Client(), key, world, token=None)
    assert response.status_code == 401
    assert database_state() == before


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_with_a_revoked_or_made_up_token_answers_401(key, world):
    token = bearer(world.coordinator)
    ApiToken.objects.filter(digest=ApiToken.digest_of(token)).update(
        revoked_at=timezone.now()
    )
    for raw in (token, ApiToken.PREFIX + "made-up"):
        assert _call(Client(), key, world, raw).status_code == 401


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_coordinator_of_another_lab_gets_nothing_of_lab_a(key, world, outsider):
    op = OPERATIONS[key]
    token = bearer(outsider)
    before = database_state()
    response = _call(Client(), key, world, token)
    assert not _leaks(_body(response), world)
    if op.listing:
        assert response.status_code == 200
        assert response.json()["items"] == []
    elif op.lab_a:
        assert response.status_code in REFUSED
    if op.body is not None and response.status_code in REFUSED:
        assert database_state() == before
    assert database_state()["Participant"] == before["Participant"]


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR], ids=str
)
@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_roles_without_personal_access_get_no_personal_data(key, role, world):
    op = OPERATIONS[key]
    token = bearer(member(world.lab, role))
    before = database_state()
    response = _call(Client(), key, world, token)
    assert not _leaks(_body(response), world)
    if op.listing:
        assert response.status_code == 200
        assert response.json()["items"] == []
    elif op.personal:
        assert response.status_code in REFUSED
        assert database_state() == before


def test_api_analyst_reads_the_lab_summary_without_personal_data(world, analyst):
    key = ("GET", "/api/v1/labs/{lab_id}/summary")
    response = _call(Client(), key, world, bearer(analyst))
    assert response.status_code == 200
    assert response.json()["lab"] == world.lab.pk
    assert not _leaks(_body(response), world)


def test_api_unfiltered_list_of_another_lab_coordinator_shows_only_their_lab(
    world, outsider
):
    response = Client().get(
        "/api/v1/participants", headers={"Authorization": f"Bearer {bearer(outsider)}"}
    )
    assert response.status_code == 200
    labs = {item["lab"] for item in response.json()["items"]}
    assert labs == {Membership.objects.get(user=outsider).lab_id}


def test_api_partner_sharing_consent_does_not_open_records_to_partner_staff(world):
    """Consent to share with a category of partner is not an access grant."""
    partner = member(world.lab, Role.PARTNER_STAFF)
    ConsentFactory(
        participant=world.participant,
        purpose=Consent.Purpose.PARTNER_SHARING,
        partner_category=Membership.objects.get(user=partner).organisation.kind,
    )
    key = ("GET", "/api/v1/participants/{participant_id}")
    assert _call(Client(), key, world, bearer(partner)).status_code in REFUSED
