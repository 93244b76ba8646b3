"""Where a person can meet a mentor: a named area with coarse coordinates,
stated with the preferences, weighed as the distance to each mentor."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.placements import selectors, services
from openmil.placements.models import MatchingPreference, MatchingRound, Proposal
from openmil.placements.scores import km_between
from openmil.privacy.anonymise import participant_anonymise
from tests.conftest import client_for
from tests.factories import member
from tests.placements.conftest import Mentoring

ARROIOS = {
    "meeting_place": "Arroios",
    "meeting_latitude": "38.731249",
    "meeting_longitude": "-9.135612",
}


def _distance(round: MatchingRound, person, mentor) -> dict:
    proposal = Proposal.objects.get(round=round, participant=person, mentor=mentor)
    parts = {c["name"]: c for c in proposal.components["components"]}
    return parts["distance"]


def _mentor_round(actor, m: Mentoring, capture) -> MatchingRound:
    with capture(execute=True):
        round = services.round_create(
            actor=actor,
            lab=m.lab,
            kind=MatchingRound.Kind.MENTORS,
            title="Near",
            participants=[m.amina, m.joao],
        )
    round.refresh_from_db()
    return round


# ---------------------------------------------------------------------------
# Stored coarse.


@pytest.mark.parametrize(
    ("latitude", "longitude", "stored"),
    [
        ("38.731249", "-9.135612", ("38.73", "-9.14")),
        (38.7351, -9.1349, ("38.74", "-9.13")),
        (Decimal("38.735"), Decimal("-9.135"), ("38.74", "-9.14")),
        ("38.7", "-9", ("38.70", "-9.00")),
        ("-90", "180", ("-90.00", "180.00")),
    ],
)
def test_meeting_coordinates_are_stored_rounded_to_about_a_kilometre(
    mentoring, facilitator, latitude, longitude, stored
):
    m = mentoring
    pref = services.preference_update(
        actor=facilitator,
        participant=m.amina,
        data={
            "meeting_place": " Arroios ",
            "meeting_latitude": latitude,
            "meeting_longitude": longitude,
        },
    )
    pref.refresh_from_db()
    assert (str(pref.meeting_latitude), str(pref.meeting_longitude)) == stored
    assert pref.meeting_place == "Arroios"
    # The audit entry holds the rounded values, never the ones typed.
    entry = AuditEntry.objects.filter(
        object_type="matching_preference", object_id=str(pref.pk)
    ).latest("pk")
    assert entry.changes["meeting_latitude"]["after"] == stored[0]
    assert entry.changes["meeting_place"] == {"before": "", "after": "Arroios"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**ARROIOS, "meeting_longitude": None}, "meeting_longitude"),
        ({**ARROIOS, "meeting_latitude": ""}, "meeting_latitude"),
        ({**ARROIOS, "meeting_place": "  "}, "meeting_place"),
        ({**ARROIOS, "meeting_latitude": "95"}, "meeting_latitude"),
        ({**ARROIOS, "meeting_longitude": "-180.01"}, "meeting_longitude"),
        ({**ARROIOS, "meeting_latitude": "north"}, "meeting_latitude"),
        ({**ARROIOS, "meeting_latitude": "NaN"}, "meeting_latitude"),
        ({**ARROIOS, "meeting_longitude": "1e400"}, "meeting_longitude"),
    ],
)
def test_service_refuses_an_incomplete_or_impossible_meeting_area(
    mentoring, facilitator, data, field
):
    m = mentoring
    before = MatchingPreference.objects.get(participant=m.amina)
    with pytest.raises(ValidationError) as raised:
        services.preference_update(actor=facilitator, participant=m.amina, data=data)
    assert field in raised.value.message_dict
    after = MatchingPreference.objects.get(participant=m.amina)
    assert after.meeting_latitude is None and after.meeting_place == ""
    assert after.updated_at == before.updated_at


def test_only_staff_who_may_edit_the_person_set_their_meeting_area(mentoring, lab_b):
    with pytest.raises(PermissionDenied):
        services.preference_update(
            actor=member(lab_b, Role.COORDINATOR),
            participant=mentoring.amina,
            data=ARROIOS,
        )
    assert (
        MatchingPreference.objects.get(participant=mentoring.amina).meeting_place == ""
    )


def test_erasing_the_person_empties_their_meeting_area(mentoring, facilitator):
    m = mentoring
    services.preference_update(actor=facilitator, participant=m.amina, data=ARROIOS)
    with transaction.atomic():
        participant_anonymise(participant=m.amina)
    pref = MatchingPreference.objects.get(participant=m.amina)
    assert pref.meeting_place == ""
    assert pref.meeting_latitude is None and pref.meeting_longitude is None
    assert pref.interests == ["cooking"]  # what is not about where stays


# ---------------------------------------------------------------------------
# The form.


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        (
            {**ARROIOS, "meeting_latitude": "95"},
            "meeting_latitude",
            "Ensure this value is less than or equal to 90.",
        ),
        (
            {**ARROIOS, "meeting_longitude": "-181"},
            "meeting_longitude",
            "Ensure this value is greater than or equal to -180.",
        ),
        (
            {**ARROIOS, "meeting_latitude": "north of the river"},
            "meeting_latitude",
            "Enter a number.",
        ),
        (
            {**ARROIOS, "meeting_longitude": ""},
            "meeting_longitude",
            "Give both the latitude and the longitude, or neither.",
        ),
        (
            {**ARROIOS, "meeting_latitude": ""},
            "meeting_latitude",
            "Give both the latitude and the longitude, or neither.",
        ),
        (
            {**ARROIOS, "meeting_place": ""},
            "meeting_place",
            "Name the neighbourhood or town these coordinates are in.",
        ),
    ],
)
def test_preference_form_explains_a_bad_meeting_area(
    mentoring, facilitator, post, field, message
):
    m = mentoring
    client = client_for(facilitator)
    url = reverse("placements:preferences", args=[m.joao.pk])
    response = client.post(url, {"interests": "football", **post})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    pref = MatchingPreference.objects.get(participant=m.joao)
    assert pref.meeting_place == "" and pref.meeting_latitude is None


def test_preference_form_saves_a_meeting_area_rounded_and_shows_it_again(
    mentoring, facilitator
):
    m = mentoring
    client = client_for(facilitator)
    url = reverse("placements:preferences", args=[m.joao.pk])
    page = client.get(url).content.decode()
    assert "never a home address" in page
    assert "about 1 km" in page
    response = client.post(url, {"interests": "football", **ARROIOS})
    assert response.status_code == 302
    pref = MatchingPreference.objects.get(participant=m.joao)
    assert pref.meeting_latitude == Decimal("38.73")
    assert pref.meeting_longitude == Decimal("-9.14")
    form = client.get(url).context["form"]
    assert form["meeting_place"].value() == "Arroios"
    assert form["meeting_latitude"].value() == Decimal("38.73")
    # Emptying all three removes the area.
    response = client.post(url, {"interests": "football"})
    assert response.status_code == 302
    pref.refresh_from_db()
    assert pref.meeting_place == "" and pref.meeting_latitude is None


# ---------------------------------------------------------------------------
# The distance to a mentor.


def test_mentee_facts_carry_the_meeting_coordinates(mentoring, facilitator):
    m = mentoring
    services.preference_update(actor=facilitator, participant=m.amina, data=ARROIOS)
    facts = selectors.mentee_facts([m.amina, m.joao, m.li])
    assert (facts[m.amina.pk].lat, facts[m.amina.pk].lon) == (38.73, -9.14)
    # João has preferences but no area, Li no preferences at all.
    assert facts[m.joao.pk].lat is None and facts[m.joao.pk].lon is None
    assert facts[m.li.pk].lat is None and facts[m.li.pk].lon is None


def test_mentor_round_weighs_the_distance_when_both_sides_have_a_place(
    mentoring, facilitator, django_capture_on_commit_callbacks
):
    m = mentoring
    services.preference_update(actor=facilitator, participant=m.amina, data=ARROIOS)
    m.ines.place, m.ines.latitude, m.ines.longitude = (
        "Alvalade",
        Decimal("38.75012"),
        Decimal("-9.14003"),
    )
    m.ines.save()
    round = _mentor_round(facilitator, m, django_capture_on_commit_callbacks)
    km = km_between(38.73, -9.14, 38.75012, -9.14003)
    near = _distance(round, m.amina, m.ines)
    assert near["detail"] == f"{km:.1f} km" == "2.2 km"
    assert near["value"] == pytest.approx(1 - km / 30, abs=1e-4)
    # A mentor with no place, or a person with none: unknown, halfway.
    assert _distance(round, m.amina, m.busy) == {
        "name": "distance",
        "value": 0.5,
        "weight": 0.15,
        "detail": "unknown",
    }
    assert _distance(round, m.joao, m.ines)["detail"] == "unknown"


def test_review_page_shows_the_distance_and_the_meeting_place(
    mentoring, facilitator, django_capture_on_commit_callbacks
):
    m = mentoring
    client = client_for(facilitator)
    response = client.post(
        reverse("placements:preferences", args=[m.amina.pk]),
        {"mentor_gender": "female", "interests": "cooking", **ARROIOS},
    )
    assert response.status_code == 302
    m.ines.latitude, m.ines.longitude = Decimal("38.75"), Decimal("-9.14")
    m.ines.save()
    round = _mentor_round(facilitator, m, django_capture_on_commit_callbacks)
    page = client.get(reverse("placements:round_detail", args=[round.pk]))
    rows = {
        row["proposal"].mentor_id: row
        for entry in page.context["review"]
        if entry["participant"] == m.amina
        for row in entry["pairs"]
    }
    assert {
        c["name"]: c["detail"]
        for c in rows[m.ines.pk]["proposal"].components["components"]
    }["distance"] == "2.2 km"
    html = page.content.decode()
    assert "2.2 km" in html
    assert "unknown" in html  # Busy has no place, nor has João
    assert "meets around <bdi>Arroios</bdi>" in html
    # The place is shown, never the coordinates.
    assert "38.73" not in html and "-9.14" not in html
