"""The participant API: same selectors, services and validation as the pages."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from openmil.classifications.models import Occupation
from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.core.services import api_token_create, api_token_revoke
from openmil.participants.models import Consent, Need, Participant
from tests.factories import (
    ConsentFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)
from tests.participants.bad_input import (
    INVALID_CODES_AND_DATES,
    INVALID_CODES_AND_DATES_IDS,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
TODAY = dt.date.today


class Api:
    """A client that sends a personal access token with every request."""

    def __init__(self, raw: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"} if raw else {}

    def get(self, path, params=None):
        return self.client.get(API + path, params or {}, headers=self.headers)

    def post(self, path, payload=None):
        return self.client.post(
            API + path,
            json.dumps(payload or {}),
            content_type="application/json",
            headers=self.headers,
        )

    def patch(self, path, payload):
        return self.client.patch(
            API + path,
            json.dumps(payload),
            content_type="application/json",
            headers=self.headers,
        )


def api_for(user) -> Api:
    _token, raw = api_token_create(user=user, name="tests")
    return Api(raw)


def new_person(lab, **overrides):
    return {
        "lab": lab.pk,
        "reference": "API-0001",
        "profile": "newcomer",
        "given_name": "Olena",
        "family_name": "Shevchenko",
        "birth_date": "1988-11-04",
        "country_of_origin": "UA",
        "nationality": "UA",
        "mother_tongue": "uk",
        "other_languages": ["en", "pl"],
        "health_notes": "Allergic to penicillin",
        **overrides,
    }


def fields_of(response):
    return {e["field"] for e in response.json()["detail"]}


def messages_of(response):
    return [e["message"] for e in response.json()["detail"]]


# List and detail


def test_list_returns_the_lab_participants_with_a_count(
    participant, coordinator, lab_b
):
    ParticipantFactory(lab=lab_b)

    response = api_for(coordinator).get("/participants")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [p["id"] for p in body["items"]] == [participant.pk]
    assert body["items"][0]["reference"] == participant.reference
    assert body["items"][0]["health_notes"] == "Asthma, needs an inhaler"


def test_list_filters_by_lab_profile_query_and_open_needs(lab_a, lab_b, coordinator):
    member(lab_b, Role.COORDINATOR, user=coordinator)
    olena = ParticipantFactory(lab=lab_a, given_name="Олена")
    national = ParticipantFactory(lab=lab_a, profile="national")
    in_b = ParticipantFactory(lab=lab_b)
    NeedFactory(participant=olena)
    NeedFactory(participant=national, status=Need.Status.MET)
    api = api_for(coordinator)

    def ids(**params):
        response = api.get("/participants", params)
        assert response.status_code == 200
        return {p["id"] for p in response.json()["items"]}

    assert ids() == {olena.pk, national.pk, in_b.pk}
    assert ids(lab=lab_b.pk) == {in_b.pk}
    assert ids(profile="national") == {national.pk}
    assert ids(q="олена") == {olena.pk}
    assert ids(q=national.reference.lower()) == {national.pk}
    assert ids(open_needs="true") == {olena.pk}
    assert ids(open_needs="false") == {national.pk, in_b.pk}


def test_list_is_paginated_by_fifty(lab_a, coordinator):
    ParticipantFactory.create_batch(53, lab=lab_a)
    api = api_for(coordinator)

    first = api.get("/participants").json()
    second = api.get("/participants", {"page": 2}).json()

    assert first["count"] == 53
    assert len(first["items"]) == 50
    assert len(second["items"]) == 3
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}


def test_list_logs_the_participants_that_were_read(participant, coordinator):
    api_for(coordinator).get("/participants")

    entry = AuditEntry.objects.get(object_type="participant_list")
    assert entry.changes == {"participants": [participant.pk]}
    assert entry.channel == "api"


def test_list_query_longer_than_allowed_is_refused(coordinator):
    response = api_for(coordinator).get("/participants", {"q": "x" * 101})

    assert response.status_code == 422


def test_detail_returns_the_participant_and_logs_the_read(participant, coordinator):
    response = api_for(coordinator).get(f"/participants/{participant.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == participant.pk
    assert body["lab"] == participant.lab_id
    assert body["given_name"] == participant.given_name
    assert body["birth_date"] == "1990-05-17"
    assert body["caseworker"] == participant.caseworker.username
    assert body["case_notes"] == "Met at the reception centre"
    assert AuditEntry.objects.filter(
        action="view", participant_id=participant.pk, channel="api"
    ).exists()


def test_detail_of_another_lab_is_not_found(participant, outsider):
    response = api_for(outsider).get(f"/participants/{participant.pk}")

    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR])
def test_roles_without_personal_access_read_no_participant(participant, lab_a, role):
    api = api_for(member(lab_a, role))

    assert api.get("/participants").json()["count"] == 0
    assert api.get(f"/participants/{participant.pk}").status_code == 404


# Create and update through the same validation as the pages


def test_create_registers_the_participant(lab_a, facilitator):
    response = api_for(facilitator).post(
        "/participants", new_person(lab_a, household_reference="H-3")
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    p = Participant.objects.get(pk=body["id"])
    assert p.lab == lab_a
    assert p.other_languages == ["en", "pl"]
    assert p.household.reference == "H-3"
    assert body["household"] == "H-3"
    assert body["health_notes"] == "Allergic to penicillin"
    assert "олена" not in p.search_text
    assert "olena shevchenko" in p.search_text
    entry = AuditEntry.objects.get(action="create", object_type="participant")
    assert entry.channel == "api"
    assert entry.actor == facilitator


def test_create_needs_only_reference_profile_and_given_name(lab_a, facilitator):
    payload = {"lab": lab_a.pk, "reference": "MIN-1", "profile": "national"}

    response = api_for(facilitator).post(
        "/participants", {**payload, "given_name": "Rui"}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sex"] == Participant.Sex.NOT_STATED
    assert body["birth_date_precision"] == Participant.DatePrecision.DAY
    assert body["intake_date"] == timezone.localdate().isoformat()


def test_create_with_past_occupations(lab_a, facilitator):
    baker = Occupation.objects.get(label="baker")

    response = api_for(facilitator).post(
        "/participants", new_person(lab_a, past_occupations=[baker.pk])
    )

    assert response.status_code == 201
    assert response.json()["past_occupations"] == [baker.pk]


BAD_INPUT = [
    *INVALID_CODES_AND_DATES,
    (
        {"reference": "taken-1"},
        "reference",
        "The reference taken-1 is already used in this lab.",
    ),
    (
        {"health_notes": "x" * 5001},
        "health_notes",
        "Ensure this value has at most 5000 characters (it has 5001).",
    ),
    ({"stateless": True}, "stateless", "A stateless person has no nationality."),
]
BAD_INPUT_IDS = [
    *INVALID_CODES_AND_DATES_IDS,
    "reference-taken",
    "notes-too-long",
    "stateless-with-nationality",
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT, ids=BAD_INPUT_IDS)
def test_create_with_bad_input_is_refused_with_a_reason(
    lab_a, facilitator, change, field, message
):
    ParticipantFactory(lab=lab_a, reference="TAKEN-1")
    change = {k: v() if callable(v) else v for k, v in change.items()}

    response = api_for(facilitator).post("/participants", new_person(lab_a, **change))

    assert response.status_code == 422
    assert {"field": field, "message": message} in response.json()["detail"]
    assert Participant.objects.count() == 1


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT, ids=BAD_INPUT_IDS)
def test_update_with_bad_input_is_refused_with_a_reason(
    participant, facilitator, lab_a, change, field, message
):
    ParticipantFactory(lab=lab_a, reference="TAKEN-1")
    change = {k: v() if callable(v) else v for k, v in change.items()}

    response = api_for(facilitator).patch(f"/participants/{participant.pk}", change)

    assert response.status_code == 422
    assert {"field": field, "message": message} in response.json()["detail"]
    before = participant.birth_date, participant.reference, participant.health_notes
    participant.refresh_from_db()
    assert (
        participant.birth_date,
        participant.reference,
        participant.health_notes,
    ) == before


def test_create_without_required_fields_names_them(lab_a, facilitator):
    response = api_for(facilitator).post("/participants", {"lab": lab_a.pk})

    assert response.status_code == 422
    assert {"reference", "profile", "given_name"} <= fields_of(response)


def test_create_with_a_date_that_is_not_a_date_is_refused(lab_a, facilitator):
    response = api_for(facilitator).post(
        "/participants", new_person(lab_a, birth_date="17/05/1990")
    )

    assert response.status_code == 422
    assert not Participant.objects.exists()


def test_create_with_the_same_reference_in_another_lab_is_fine(
    lab_a, lab_b, facilitator
):
    ParticipantFactory(lab=lab_b, reference="API-0001")

    response = api_for(facilitator).post("/participants", new_person(lab_a))

    assert response.status_code == 201


def test_create_in_a_lab_without_edit_rights_is_not_found(lab_a, lab_b, analyst):
    response = api_for(analyst).post("/participants", new_person(lab_a))

    assert response.status_code == 404
    assert not Participant.objects.exists()


@pytest.mark.parametrize("method", ["post", "patch"])
def test_malformed_json_is_a_bad_request(participant, facilitator, method):
    api = api_for(facilitator)
    path = "/participants" if method == "post" else f"/participants/{participant.pk}"

    response = getattr(api.client, method)(
        API + path,
        '{"given_name": "Ana",',
        content_type="application/json",
        headers=api.headers,
    )

    assert response.status_code == 400


def test_update_changes_only_the_fields_sent(participant, facilitator):
    response = api_for(facilitator).patch(
        f"/participants/{participant.pk}", {"family_name": "Haddad"}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["family_name"] == "Haddad"
    participant.refresh_from_db()
    assert participant.family_name == "Haddad"
    assert participant.given_name.startswith("Given")
    assert participant.health_notes == "Asthma, needs an inhaler"
    entry = AuditEntry.objects.get(action="update", participant_id=participant.pk)
    assert entry.changes == {"family_name": {"before": "Family", "after": "Haddad"}}
    assert entry.channel == "api"


def test_update_can_clear_a_field_with_null(participant, facilitator):
    response = api_for(facilitator).patch(
        f"/participants/{participant.pk}", {"birth_date": None}
    )

    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.birth_date is None


def test_update_by_an_analyst_is_not_found(participant, analyst):
    response = api_for(analyst).patch(
        f"/participants/{participant.pk}", {"family_name": "X"}
    )

    assert response.status_code == 404


# Sensitive fields for a facilitator who is not the caseworker


@pytest.fixture
def colleague(lab_a):
    return member(lab_a, Role.FACILITATOR)


def test_other_facilitator_reads_null_sensitive_fields(participant, colleague):
    api = api_for(colleague)

    detail = api.get(f"/participants/{participant.pk}").json()
    listed = api.get("/participants").json()["items"][0]

    for body in (detail, listed):
        assert body["given_name"] == participant.given_name
        assert body["health_notes"] is None
        assert body["case_notes"] is None
        assert body["legal_status_detail"] is None


def test_other_facilitator_may_not_write_sensitive_fields(participant, colleague):
    response = api_for(colleague).patch(
        f"/participants/{participant.pk}", {"health_notes": "Overwritten"}
    )

    assert response.status_code == 403
    assert "sensitive" in response.json()["detail"]
    participant.refresh_from_db()
    assert participant.health_notes == "Asthma, needs an inhaler"


def test_other_facilitator_may_change_other_fields(participant, colleague):
    response = api_for(colleague).patch(
        f"/participants/{participant.pk}", {"phone": "+351 900 000 000"}
    )

    assert response.status_code == 200
    assert response.json()["health_notes"] is None
    participant.refresh_from_db()
    assert participant.phone == "+351 900 000 000"
    assert participant.health_notes == "Asthma, needs an inhaler"


# Needs


def test_needs_list_and_create(participant, facilitator):
    NeedFactory(participant=participant, need_type=need_type("housing"))
    api = api_for(facilitator)

    created = api.post(
        f"/participants/{participant.pk}/needs",
        {"need_type": "health", "urgent": True, "due_date": "2030-01-01"},
    )
    listed = api.get(f"/participants/{participant.pk}/needs")

    assert created.status_code == 201, created.json()
    assert created.json()["need_type"] == "health"
    assert created.json()["status"] == "identified"
    assert created.json()["urgent"] is True
    assert {n["need_type"] for n in listed.json()} == {"housing", "health"}


def test_need_create_with_unknown_type_is_refused(participant, facilitator):
    response = api_for(facilitator).post(
        f"/participants/{participant.pk}/needs", {"need_type": "spaceship"}
    )

    assert response.status_code == 422
    assert fields_of(response) == {"need_type"}


def test_need_create_twice_is_refused_with_a_reason(participant, facilitator):
    NeedFactory(participant=participant, need_type=need_type("housing"))

    response = api_for(facilitator).post(
        f"/participants/{participant.pk}/needs", {"need_type": "housing"}
    )

    assert response.status_code == 422
    assert messages_of(response) == ["This need is already recorded."]


def test_need_update_resolves_and_reopens(participant, facilitator):
    need = NeedFactory(participant=participant)
    api = api_for(facilitator)

    met = api.patch(f"/needs/{need.pk}", {"status": "met"})
    reopened = api.patch(f"/needs/{need.pk}", {"status": "in_progress"})

    assert met.status_code == 200
    assert met.json()["resolved_at"] is not None
    assert reopened.json()["resolved_at"] is None
    assert reopened.json()["urgent"] is True


def test_need_update_with_unknown_status_is_refused(participant, facilitator):
    need = NeedFactory(participant=participant)

    response = api_for(facilitator).patch(f"/needs/{need.pk}", {"status": "solved"})

    assert response.status_code == 422
    assert fields_of(response) == {"status"}


def test_need_of_another_lab_is_not_found(participant, outsider):
    need = NeedFactory(participant=participant)

    response = api_for(outsider).patch(f"/needs/{need.pk}", {"status": "met"})

    assert response.status_code == 404


# Consents


def test_consent_give_and_list(participant, facilitator):
    api = api_for(facilitator)

    created = api.post(
        f"/participants/{participant.pk}/consents",
        {
            "purpose": "partner_sharing",
            "partner_category": "housing",
            "notice_version": "2026-01",
        },
    )
    listed = api.get(f"/participants/{participant.pk}/consents")

    assert created.status_code == 201, created.json()
    assert created.json()["active"] is True
    assert created.json()["partner_category"] == "housing"
    assert [c["id"] for c in listed.json()] == [created.json()["id"]]


def test_consent_for_sharing_without_category_is_refused(participant, facilitator):
    response = api_for(facilitator).post(
        f"/participants/{participant.pk}/consents",
        {"purpose": "partner_sharing", "notice_version": "2026-01"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "partner_category", "message": "Choose the category of partner."}
    ]


def test_consent_already_given_is_refused_with_a_reason(participant, facilitator):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.STATISTICS)

    response = api_for(facilitator).post(
        f"/participants/{participant.pk}/consents",
        {"purpose": "statistics", "notice_version": "2026-01"},
    )

    assert response.status_code == 422
    assert messages_of(response) == ["This consent is already given."]


def test_consent_withdraw_endpoint(participant, facilitator):
    consent = ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    api = api_for(facilitator)

    first = api.post(f"/consents/{consent.pk}/withdraw")
    again = api.post(f"/consents/{consent.pk}/withdraw")

    assert first.status_code == 200
    assert first.json()["active"] is False
    assert first.json()["withdrawn_at"] is not None
    assert again.status_code == 422
    assert messages_of(again) == ["This consent is already withdrawn."]


def test_withdrawing_case_management_hides_the_record_from_the_facilitator(
    participant, facilitator, coordinator
):
    consent = ConsentFactory(participant=participant)

    response = api_for(facilitator).post(f"/consents/{consent.pk}/withdraw")

    assert response.status_code == 200
    assert (
        api_for(facilitator).get(f"/participants/{participant.pk}").status_code == 404
    )
    restricted = api_for(coordinator).get(f"/participants/{participant.pk}")
    assert restricted.json()["processing_restricted"] is True


def test_consent_withdraw_by_a_role_without_edit_rights_is_not_found(
    participant, analyst
):
    consent = ConsentFactory(participant=participant)

    response = api_for(analyst).post(f"/consents/{consent.pk}/withdraw")

    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.is_active


# Token authentication


def test_request_without_token_is_unauthorised(participant):
    assert Api(None).get("/participants").status_code == 401


@pytest.mark.parametrize(
    "raw", ["omil_not-a-real-token", "not-even-the-prefix", "omil_" + "x" * 300]
)
def test_request_with_an_unknown_token_is_unauthorised(participant, raw):
    assert Api(raw).get("/participants").status_code == 401


def test_request_with_a_revoked_token_is_unauthorised(coordinator):
    token, raw = api_token_create(user=coordinator, name="old")
    api_token_revoke(user=coordinator, token=token)

    assert Api(raw).get("/participants").status_code == 401


def test_request_with_an_expired_token_is_unauthorised(coordinator):
    token, raw = api_token_create(user=coordinator, name="old", days=1)
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save(update_fields=["expires_at"])

    assert Api(raw).get("/participants").status_code == 401


def test_token_of_a_deactivated_user_is_unauthorised(coordinator):
    _token, raw = api_token_create(user=coordinator, name="old")
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])

    assert Api(raw).get("/participants").status_code == 401


def test_valid_token_reads_and_writes(lab_a, coordinator):
    api = api_for(coordinator)

    assert api.get("/participants").status_code == 200
    assert api.post("/participants", new_person(lab_a)).status_code == 201
