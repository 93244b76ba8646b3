"""The round flow through the pages: run, review, accept, reject."""

from django.urls import reverse
from django.utils import translation

from openmil.core.models import AuditEntry
from openmil.partners.models import Referral
from openmil.placements.models import MatchingPreference, MatchingRound, Proposal
from tests.conftest import client_for
from tests.placements.conftest import sharing_consent


def _body(response) -> str:
    return response.content.decode()


def _run(client, setup, django_capture_on_commit_callbacks) -> MatchingRound:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("placements:round_create", args=[setup.lab.pk]),
            {
                "title": "June round",
                "participants": [setup.cook.pk, setup.porter.pk, setup.beginner.pk],
                "opportunities": [setup.kitchen.pk, setup.warehouse.pk],
            },
        )
    assert response.status_code == 302
    return MatchingRound.objects.get(title="June round")


def test_run_review_and_accept_through_the_pages(
    setup, facilitator, django_capture_on_commit_callbacks
):
    client = client_for(facilitator)
    assert "Cook in a canteen" in _body(
        client.get(reverse("placements:round_create", args=[setup.lab.pk]))
    )
    round = _run(client, setup, django_capture_on_commit_callbacks)
    assert round.status == "done"
    page = _body(client.get(reverse("placements:round_detail", args=[round.pk])))
    assert setup.cook.given_name in page
    assert "Proposed: the best total" in page
    assert "Requirement unmet" in page
    assert "occupation: 1.00" in page
    assert "Solver: optimal, total" in page
    assert AuditEntry.objects.filter(
        object_type="matching_round", action="view", object_id=str(round.pk)
    ).exists()
    sharing_consent(setup.cook)
    proposal = Proposal.objects.get(round=round, participant=setup.cook, chosen=True)
    response = client.post(
        reverse("placements:proposal_decide", args=[proposal.pk, "accept"]), {}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.referral.status == Referral.Status.SENT
    page = _body(client.get(reverse("placements:round_detail", args=[round.pk])))
    assert reverse("partners:referral_detail", args=[proposal.referral_id]) in page


def test_missing_consent_and_missing_reason_are_messages_not_errors(
    setup, facilitator, django_capture_on_commit_callbacks
):
    client = client_for(facilitator)
    round = _run(client, setup, django_capture_on_commit_callbacks)
    proposal = Proposal.objects.get(round=round, participant=setup.porter, chosen=True)
    response = client.post(
        reverse("placements:proposal_decide", args=[proposal.pk, "accept"]),
        {},
        follow=True,
    )
    assert "has not given consent" in _body(response)
    response = client.post(
        reverse("placements:proposal_decide", args=[proposal.pk, "reject"]),
        {"reason": ""},
        follow=True,
    )
    assert "Say why you reject" in _body(response)
    proposal.refresh_from_db()
    assert proposal.decision == "pending"
    response = client.post(
        reverse("placements:proposal_decide", args=[proposal.pk, "delete"]), {}
    )
    assert response.status_code == 404


def test_preferences_are_recorded_and_shown_in_the_review(
    setup, facilitator, django_capture_on_commit_callbacks
):
    client = client_for(facilitator)
    url = reverse("placements:preferences", args=[setup.beginner.pk])
    response = client.post(url, {"occupations": "9999", "kinds": ["training"]})
    assert response.status_code == 200
    assert "Unknown ISCO-08 code" in _body(response)
    response = client.post(
        url,
        {"occupations": "5120", "kinds": ["training"], "places": "Porto, Braga"},
    )
    assert response.status_code == 302
    pref = MatchingPreference.objects.get(participant=setup.beginner)
    assert pref.places == ["Porto", "Braga"] and pref.occupations == ["5120"]
    round = _run(client, setup, django_capture_on_commit_callbacks)
    page = _body(client.get(reverse("placements:round_detail", args=[round.pk])))
    assert "Stated preferences" in page and "Porto, Braga" in page


def test_protected_case_is_left_out_of_the_review(
    setup, facilitator, coordinator, django_capture_on_commit_callbacks
):
    from tests.protect.factories import protect

    client = client_for(facilitator)
    round = _run(client, setup, django_capture_on_commit_callbacks)
    protect(setup.cook, coordinator)  # only the coordinator is on the case
    page = _body(
        client_for(facilitator).get(reverse("placements:round_detail", args=[round.pk]))
    )
    assert setup.cook.reference not in page
    assert setup.porter.reference in page
    proposal = Proposal.objects.get(round=round, participant=setup.cook, chosen=True)
    response = client.post(
        reverse("placements:proposal_decide", args=[proposal.pk, "reject"]),
        {"reason": "x"},
    )
    assert response.status_code == 404


def test_the_solver_status_is_shown_in_the_readers_language(
    setup, facilitator, django_capture_on_commit_callbacks
):
    client = client_for(facilitator)
    round = _run(client, setup, django_capture_on_commit_callbacks)
    page = _body(
        client.get(
            reverse("placements:round_detail", args=[round.pk]),
            headers={"accept-language": "ar"},
        )
    )
    assert "أمثل" in page  # "optimal"
    with translation.override("en"):
        round.result = {**round.result, "status": "time_limit"}
        assert round.solver_status_display() == "stopped at the time limit"
        round.result = {**round.result, "status": "unheard of"}
        assert round.solver_status_display() == "unheard of"


def test_staff_renaming_the_meeting_place_are_told_its_coordinates_went(
    setup, facilitator
):
    client = client_for(facilitator)
    url = reverse("placements:preferences", args=[setup.beginner.pk])
    located = {
        "meeting_place": "Arroios",
        "meeting_latitude": "38.73",
        "meeting_longitude": "-9.14",
    }
    response = client.post(url, located, follow=True)
    assert "coordinates were removed" not in _body(response)
    # The form sends back the coordinates it showed, with a new name.
    response = client.post(url, {**located, "meeting_place": "Graça"}, follow=True)
    assert "The coordinates were removed" in _body(response)
    pref = MatchingPreference.objects.get(participant=setup.beginner)
    assert pref.meeting_place == "Graça" and pref.meeting_latitude is None
    page = _body(client.get(url))
    assert 'name="meeting_latitude"' in page and 'value="38.73"' not in page
