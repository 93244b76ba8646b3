"""Partner pages as their users see them."""

from django.urls import reverse

from openmil.partners.models import Referral
from tests.conftest import client_for
from tests.factories import NeedFactory, need_type
from tests.partners.factories import referral


def _body(response) -> str:
    return response.content.decode()


def test_directory_searches_and_filters(facilitator, service, legal_service):
    client = client_for(facilitator)
    body = _body(client.get(reverse("partners:directory")))
    assert "Transitional housing" in body and "Residence advice" in body
    body = _body(client.get(reverse("partners:directory"), {"q": "residence"}))
    assert "Residence advice" in body and "Transitional housing" not in body
    body = _body(client.get(reverse("partners:directory"), {"kind": "housing"}))
    assert "Transitional housing" in body and "Residence advice" not in body
    body = _body(
        client.get(
            reverse("partners:directory"),
            {"q": "housing"},
            headers={"HX-Request": "true", "HX-Target": "results"},
        )
    )
    assert body.lstrip().startswith('<div id="results">')


def test_directory_ignores_a_bad_filter(facilitator, service):
    response = client_for(facilitator).get(
        reverse("partners:directory"), {"kind": "castle", "q": "a\x00b"}
    )
    assert response.status_code == 200


def test_facilitator_refers_and_sends_from_the_pages(consenting, facilitator, service):
    client = client_for(facilitator)
    need = NeedFactory(participant=consenting, need_type=need_type("housing"))
    response = client.post(
        reverse("partners:referral_create", args=[consenting.pk]),
        {"service": service.pk, "need": need.pk, "note": "Mornings are best"},
    )
    r = Referral.objects.get()
    assert response["Location"] == reverse("partners:referral_detail", args=[r.pk])
    assert (r.status, r.need) == ("draft", need)
    client.post(reverse("partners:referral_action", args=[r.pk, "send"]))
    r.refresh_from_db()
    assert r.status == "sent"


def test_sending_without_consent_shows_the_reason(participant, facilitator, service):
    r = referral(participant=participant, service=service, actor=facilitator)
    response = client_for(facilitator).post(
        reverse("partners:referral_action", args=[r.pk, "send"]), follow=True
    )
    assert "has not given consent" in _body(response)
    r.refresh_from_db()
    assert r.status == "draft"


def test_coordinator_overrides_from_the_page(participant, coordinator, service):
    r = referral(participant=participant, service=service, actor=coordinator)
    client = client_for(coordinator)
    page = _body(client.get(reverse("partners:referral_detail", args=[r.pk])))
    assert "override_reason" in page
    client.post(
        reverse("partners:referral_action", args=[r.pk, "send"]),
        {"override_reason": "Sleeping rough tonight"},
    )
    r.refresh_from_db()
    assert (r.status, r.consent_override_reason) == ("sent", "Sleeping rough tonight")


def test_partner_accepts_declines_and_completes_from_the_portal(
    consenting, facilitator, partner, service
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    client = client_for(partner)
    portal = _body(client.get(reverse("partners:portal")))
    assert reverse("partners:portal_referral", args=[r.pk]) in portal
    client.post(reverse("partners:referral_action", args=[r.pk, "accept"]))
    r.refresh_from_db()
    assert r.status == "accepted"
    response = client.post(
        reverse("partners:referral_action", args=[r.pk, "not_complete"]),
        {"reason": ""},
        follow=True,
    )
    assert "Give a reason." in _body(response)
    client.post(
        reverse("partners:referral_action", args=[r.pk, "complete"]),
        {"reason": "Moved in"},
    )
    r.refresh_from_db()
    assert r.status == "completed"
    history = _body(client.get(reverse("partners:portal_referral", args=[r.pk])))
    assert "Moved in" in history


def test_an_illegal_step_from_the_page_is_a_clear_message(
    consenting, facilitator, partner, service
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="declined"
    )
    response = client_for(partner).post(
        reverse("partners:referral_action", args=[r.pk, "accept"]), follow=True
    )
    assert "cannot be accepted" in _body(response)


def test_unknown_action_is_not_found(consenting, facilitator, service):
    r = referral(participant=consenting, service=service, actor=facilitator)
    response = client_for(facilitator).post(
        reverse("partners:referral_action", args=[r.pk, "explode"])
    )
    assert response.status_code == 404


def test_partner_home_goes_to_the_portal_and_staff_home_to_the_directory(
    partner, facilitator
):
    assert client_for(partner).get(reverse("partners:home"))["Location"] == reverse(
        "partners:portal"
    )
    assert client_for(facilitator).get(reverse("partners:home"))["Location"] == reverse(
        "partners:directory"
    )


def test_steering_page_has_bars_with_text_alternatives(
    coordinator, consenting, facilitator, service, lab_a
):
    referral(participant=consenting, service=service, actor=facilitator, status="sent")
    body = _body(
        client_for(coordinator).get(reverse("partners:steering", args=[lab_a.pk]))
    )
    assert '<svg role="img"' in body
    assert 'aria-label="1 sent, 0 accepted"' in body
    assert "Health care" in body  # a need with no service


def test_partner_publishes_an_opportunity_for_their_organisation(partner, housing_org):
    client = client_for(partner)
    response = client.post(
        reverse("partners:opportunity_create", args=[housing_org.pk]),
        {
            "kind": "housing",
            "title": "Two rooms in Alfama",
            "capacity": 2,
            "language": "pt",
            "min_cefr": 2,
            "is_open": "on",
        },
    )
    assert response.status_code == 302
    listing = _body(client.get(reverse("partners:opportunity_list")))
    assert "Two rooms in Alfama" in listing


def test_opportunity_form_shows_errors(partner, housing_org):
    response = client_for(partner).post(
        reverse("partners:opportunity_create", args=[housing_org.pk]),
        {"kind": "vacancy", "title": "Cook", "capacity": 1, "min_cefr": 3},
    )
    assert response.status_code == 200
    assert "Say in which language" in _body(response)


def test_a_referral_starts_from_the_participants_reference(
    facilitator, participant, outsider
):
    client = client_for(facilitator)
    response = client.get(
        reverse("partners:referral_list"), {"refer": participant.reference}
    )
    assert response["Location"] == reverse(
        "partners:referral_create", args=[participant.pk]
    )
    response = client_for(outsider).get(
        reverse("partners:referral_list"), {"refer": participant.reference}
    )
    assert response.status_code == 200
    assert "No participant you may refer" in _body(response)
