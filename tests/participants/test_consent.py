"""Withdrawing a consent stops, at once, what the consent allowed."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from openmil.core.models import Organisation
from openmil.core.services import api_token_create
from openmil.participants import selectors, services
from openmil.participants.models import Consent, FollowUp
from tests.conftest import client_for
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    need_type,
)

pytestmark = pytest.mark.django_db

FOLLOW_UP_REFUSED = "The participant has not consented to follow-up contact."
ALREADY_WITHDRAWN = "This consent is already withdrawn."


def today() -> dt.date:
    return timezone.localdate()


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def withdraw_on_the_web(user, consent, **kwargs):
    return client_for(user).post(
        f"/participants/consents/{consent.pk}/withdraw/", **kwargs
    )


def api_client(user) -> Client:
    _token, raw = api_token_create(user=user, name="consent tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def consent_of(participant, purpose, **kwargs) -> Consent:
    return ConsentFactory(participant=participant, purpose=purpose, **kwargs)


# ---------------------------------------------------------------------------
# Follow-up contact


@pytest.fixture
def follow_ups(participant, facilitator):
    """A follow-up due today, one next week, and one already done."""
    consent = consent_of(participant, Consent.Purpose.FOLLOW_UP)
    due_today = FollowUpFactory(
        participant=participant,
        assigned_to=facilitator,
        due_on=today(),
        subject="Call about the flat viewing",
    )
    next_week = FollowUpFactory(
        participant=participant,
        assigned_to=facilitator,
        due_on=today() + dt.timedelta(days=7),
        subject="Check the job interview",
    )
    done = FollowUpFactory(
        participant=participant,
        assigned_to=facilitator,
        due_on=today() - dt.timedelta(days=2),
        subject="Welcome call",
        done_at=timezone.now() - dt.timedelta(days=2),
    )
    return consent, due_today, next_week, done


def test_withdrawing_follow_up_consent_cancels_every_open_follow_up(
    facilitator, follow_ups
):
    consent, due_today, next_week, done = follow_ups
    response = withdraw_on_the_web(facilitator, consent)
    assert response.status_code == 302
    for follow_up in (due_today, next_week):
        follow_up.refresh_from_db()
        assert follow_up.cancelled_at is not None
        assert follow_up.done_at is None
    done.refresh_from_db()
    assert done.cancelled_at is None
    assert done.done_at is not None


def test_cancelled_follow_ups_leave_the_facilitator_home_page_at_once(
    facilitator, follow_ups
):
    consent, due_today, *_ = follow_ups
    client = client_for(facilitator)
    assert due_today.subject in client.get("/").content.decode()

    services.consent_withdraw(actor=facilitator, consent=consent)

    assert due_today.subject not in client.get("/").content.decode()


def test_participant_page_shows_follow_ups_as_cancelled_after_withdrawal(
    facilitator, participant, follow_ups
):
    consent, due_today, *_ = follow_ups
    services.consent_withdraw(actor=facilitator, consent=consent)
    response = client_for(facilitator).get(f"/participants/{participant.pk}/")
    assert [f for f in response.context["follow_ups"] if f.pk == due_today.pk][
        0
    ].cancelled_at
    assert f"/participants/follow-ups/{due_today.pk}/done/" not in (
        response.content.decode()
    )


def test_scheduling_a_follow_up_after_withdrawal_is_refused_with_a_clear_message(
    facilitator, participant, follow_ups
):
    consent, *_ = follow_ups
    services.consent_withdraw(actor=facilitator, consent=consent)
    count = FollowUp.objects.count()

    response = client_for(facilitator).post(
        f"/participants/{participant.pk}/follow-ups/",
        {"due_on": (today() + dt.timedelta(days=1)).isoformat(), "subject": "Call"},
        follow=True,
    )

    assert response.status_code == 200
    assert page_messages(response) == [FOLLOW_UP_REFUSED]
    assert FollowUp.objects.count() == count


def test_scheduling_service_refuses_a_follow_up_after_withdrawal(
    facilitator, participant, follow_ups
):
    consent, *_ = follow_ups
    services.consent_withdraw(actor=facilitator, consent=consent)
    with pytest.raises(ValidationError) as refused:
        services.follow_up_schedule(
            actor=facilitator,
            participant=participant,
            due_on=today() + dt.timedelta(days=1),
            subject="Call",
        )
    assert refused.value.messages == [FOLLOW_UP_REFUSED]


def test_completing_a_cancelled_follow_up_is_refused(facilitator, follow_ups):
    consent, due_today, *_ = follow_ups
    services.consent_withdraw(actor=facilitator, consent=consent)
    response = client_for(facilitator).post(
        f"/participants/follow-ups/{due_today.pk}/done/", follow=True
    )
    assert page_messages(response) == ["This follow-up is already closed."]
    due_today.refresh_from_db()
    assert due_today.done_at is None


def test_giving_follow_up_consent_again_allows_scheduling_again(
    facilitator, participant, follow_ups
):
    consent, *_ = follow_ups
    services.consent_withdraw(actor=facilitator, consent=consent)
    services.consent_give(
        actor=facilitator,
        participant=participant,
        purpose=Consent.Purpose.FOLLOW_UP,
        notice_version="2026-02",
    )
    follow_up = services.follow_up_schedule(
        actor=facilitator,
        participant=participant,
        due_on=today(),
        subject="Call again",
    )
    assert follow_up.subject in client_for(facilitator).get("/").content.decode()


# ---------------------------------------------------------------------------
# Case management


@pytest.fixture
def case_consent(participant):
    return consent_of(participant, Consent.Purpose.CASE_MANAGEMENT)


def where_found(user, participant) -> dict[str, bool]:
    """Where the user finds the person: list, search, home, page and API."""
    client, api = client_for(user), api_client(user)
    name = participant.given_name
    search = {"q": participant.reference}
    return {
        "list": name in client.get("/participants/").content.decode(),
        "search": name in client.get("/participants/", search).content.decode(),
        "home": name in client.get("/").content.decode(),
        "detail": client.get(f"/participants/{participant.pk}/").status_code == 200,
        "api list": participant.pk
        in [item["id"] for item in api.get("/api/v1/participants").json()["items"]],
        "api detail": (
            api.get(f"/api/v1/participants/{participant.pk}").status_code == 200
        ),
    }


def test_withdrawing_case_management_consent_restricts_the_record(
    facilitator, participant, case_consent
):
    assert all(where_found(facilitator, participant).values())

    response = withdraw_on_the_web(facilitator, case_consent)
    assert response.status_code == 302

    participant.refresh_from_db()
    assert participant.processing_restricted
    assert not any(where_found(facilitator, participant).values())


def test_facilitator_who_withdraws_case_management_is_told_it_took_effect(
    facilitator, participant, case_consent
):
    """The record is gone from their view, so they land on the list, not a 404."""
    response = withdraw_on_the_web(facilitator, case_consent, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/participants/", 302)]
    assert page_messages(response) == [
        "The consent is withdrawn. This takes effect now."
    ]
    assert participant.given_name not in response.content.decode()


def test_restricted_record_gives_not_found_to_the_facilitator_everywhere(
    facilitator, participant, case_consent
):
    services.consent_withdraw(actor=facilitator, consent=case_consent)
    client = client_for(facilitator)
    for url in (
        f"/participants/{participant.pk}/",
        f"/participants/{participant.pk}/edit/",
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        f"/participants/{participant.pk}/follow-ups/",
        {"due_on": today().isoformat(), "subject": "Call"},
    )
    assert response.status_code == 404


def test_coordinator_still_sees_a_restricted_record(
    coordinator, facilitator, participant, case_consent
):
    services.consent_withdraw(actor=facilitator, consent=case_consent)
    client = client_for(coordinator)
    assert participant.given_name in client.get("/participants/").content.decode()
    response = client.get(f"/participants/{participant.pk}/")
    assert response.status_code == 200
    assert response.context["p"].processing_restricted


def test_withdrawal_through_the_api_restricts_the_record_at_once(
    facilitator, participant, case_consent
):
    api = api_client(facilitator)
    response = api.post(f"/api/v1/consents/{case_consent.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert api.get(f"/api/v1/participants/{participant.pk}").status_code == 404


def test_giving_case_management_consent_again_lifts_the_restriction(
    coordinator, facilitator, participant, case_consent
):
    services.consent_withdraw(actor=facilitator, consent=case_consent)
    assert not any(where_found(facilitator, participant).values())

    response = client_for(coordinator).post(
        f"/participants/{participant.pk}/consents/",
        {"purpose": Consent.Purpose.CASE_MANAGEMENT, "notice_version": "2026-02"},
    )
    assert response.status_code == 302

    participant.refresh_from_db()
    assert not participant.processing_restricted
    assert all(where_found(facilitator, participant).values())


def test_a_record_is_restricted_only_by_case_management_withdrawal(
    facilitator, participant
):
    for purpose in (Consent.Purpose.FOLLOW_UP, Consent.Purpose.STATISTICS):
        services.consent_withdraw(
            actor=facilitator, consent=consent_of(participant, purpose)
        )
    participant.refresh_from_db()
    assert not participant.processing_restricted
    response = client_for(facilitator).get(f"/participants/{participant.pk}/")
    assert response.status_code == 200


# ---------------------------------------------------------------------------
# Statistics


@pytest.fixture
def exact_counts(settings):
    """Show counts as they are, so one person more or less is visible."""
    settings.OPENMIL_SUPPRESS_BELOW = 1
    settings.OPENMIL_ROUND_TO = 1


@pytest.fixture
def three_people(lab_a, exact_counts):
    people = [ParticipantFactory(lab=lab_a) for _ in range(3)]
    for p in people:
        NeedFactory(participant=p, need_type=need_type("housing"))
    return people


def _overview_page_count(client: Client) -> str:
    body = client.get("/overview/").content.decode()
    match = re.search(r"Participants</dt>\s*<dd>([^<]*)</dd>", body)
    assert match, body
    return match[1]


def test_statistics_withdrawal_removes_the_person_from_every_count(
    coordinator, lab_a, three_people
):
    objector = three_people[0]
    consent = consent_of(objector, Consent.Purpose.STATISTICS)
    client = client_for(coordinator)
    api = api_client(coordinator)
    summary_url = f"/api/v1/labs/{lab_a.pk}/summary"

    stats = selectors.lab_overview(user=coordinator, lab_id=lab_a.pk)
    assert stats["participants"] == 3
    assert stats["needs"][("housing", "identified")] == 3
    assert _overview_page_count(client) == "3"
    assert api.get(summary_url).json()["participants"] == "3"

    services.consent_withdraw(actor=coordinator, consent=consent)

    stats = selectors.lab_overview(user=coordinator, lab_id=lab_a.pk)
    assert stats["participants"] == 2
    assert stats["by_profile"] == {objector.profile: 2}
    assert stats["needs"][("housing", "identified")] == 2
    assert _overview_page_count(client) == "2"
    summary = api.get(summary_url).json()
    assert summary["participants"] == "2"
    assert summary["needs"] == {"housing": {"identified": "2"}}


def test_analyst_overview_no_longer_counts_an_objector(
    analyst, coordinator, lab_a, three_people
):
    consent = consent_of(three_people[0], Consent.Purpose.STATISTICS)
    services.consent_withdraw(actor=coordinator, consent=consent)
    assert _overview_page_count(client_for(analyst)) == "2"


def test_giving_statistics_consent_again_counts_the_person_again(
    coordinator, lab_a, three_people
):
    objector = three_people[0]
    consent = consent_of(objector, Consent.Purpose.STATISTICS)
    services.consent_withdraw(actor=coordinator, consent=consent)
    services.consent_give(
        actor=coordinator,
        participant=objector,
        purpose=Consent.Purpose.STATISTICS,
        notice_version="2026-02",
    )
    stats = selectors.lab_overview(user=coordinator, lab_id=lab_a.pk)
    assert stats["participants"] == 3


# ---------------------------------------------------------------------------
# Sharing with a category of partner


def test_partner_sharing_consent_is_no_longer_active_after_withdrawal(
    facilitator, participant
):
    housing = Organisation.Kind.HOUSING
    health = Organisation.Kind.HEALTH
    sharing = Consent.Purpose.PARTNER_SHARING
    withdrawn = consent_of(participant, sharing, partner_category=housing)
    consent_of(participant, sharing, partner_category=health)

    def active(category):
        return selectors.consent_is_active(
            participant=participant, purpose=sharing, partner_category=category
        )

    assert active(housing)
    services.consent_withdraw(actor=facilitator, consent=withdrawn)
    assert not active(housing)
    assert active(health)


def test_partner_sharing_consent_given_again_is_active_again(facilitator, participant):
    housing = Organisation.Kind.HOUSING
    sharing = Consent.Purpose.PARTNER_SHARING
    consent = consent_of(participant, sharing, partner_category=housing)
    services.consent_withdraw(actor=facilitator, consent=consent)
    services.consent_give(
        actor=facilitator,
        participant=participant,
        purpose=sharing,
        partner_category=housing,
        notice_version="2026-02",
    )
    assert selectors.consent_is_active(
        participant=participant, purpose=sharing, partner_category=housing
    )


# ---------------------------------------------------------------------------
# Withdrawing twice


@pytest.mark.parametrize("purpose", Consent.Purpose.values)
def test_withdrawing_twice_is_refused_with_a_clear_error(
    purpose, coordinator, participant
):
    category = Organisation.Kind.HOUSING if purpose == "partner_sharing" else ""
    consent = consent_of(participant, purpose, partner_category=category)
    services.consent_withdraw(actor=coordinator, consent=consent)
    first = Consent.objects.get(pk=consent.pk).withdrawn_at
    with pytest.raises(ValidationError) as refused:
        services.consent_withdraw(actor=coordinator, consent=consent)
    assert refused.value.messages == [ALREADY_WITHDRAWN]
    assert Consent.objects.get(pk=consent.pk).withdrawn_at == first


def test_withdrawing_twice_on_the_web_shows_a_message(facilitator, follow_ups):
    consent, *_ = follow_ups
    withdraw_on_the_web(facilitator, consent)
    response = withdraw_on_the_web(facilitator, consent, follow=True)
    assert response.status_code == 200
    assert page_messages(response) == [ALREADY_WITHDRAWN]


def test_withdrawing_twice_through_the_api_answers_422_with_the_reason(
    facilitator, follow_ups
):
    consent, *_ = follow_ups
    api = api_client(facilitator)
    url = f"/api/v1/consents/{consent.pk}/withdraw"
    assert api.post(url).status_code == 200
    response = api.post(url)
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "", "message": ALREADY_WITHDRAWN}]}
