"""Mentor rounds: people matched to approved mentors under each mentor's
capacity, reviewed on the same page, accepted into mentoring pairs."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from openmil.core.models import AuditEntry
from openmil.events.models import MentoringPair, Volunteer
from openmil.placements import selectors, services
from openmil.placements.models import MatchingPreference, MatchingRound, Proposal
from tests.conftest import client_for
from tests.events.factories import ApprovedMentorFactory
from tests.partners.test_api import _api


@pytest.fixture
def done(mentoring, facilitator, django_capture_on_commit_callbacks):
    m = mentoring
    with django_capture_on_commit_callbacks(execute=True):
        round = services.round_create(
            actor=facilitator,
            lab=m.lab,
            kind=MatchingRound.Kind.MENTORS,
            title="Mentors",
            participants=[m.amina, m.joao, m.li],
        )
    round.refresh_from_db()
    return round


def _pair(round, person, mentor) -> Proposal:
    return Proposal.objects.get(round=round, participant=person, mentor=mentor)


def test_mentor_round_proposes_under_each_mentors_capacity(done, mentoring):
    m = mentoring
    assert done.kind == "mentors" and done.status == MatchingRound.Status.DONE
    assert set(done.mentors.all()) == {m.ines, m.omar, m.busy}
    assert done.result["mentors"] == 3 and done.result["proposed"] == 2
    assert done.result["status"] == "optimal"
    chosen = {
        p.participant_id: p.mentor_id
        for p in Proposal.objects.filter(round=done, chosen=True)
    }
    assert chosen == {m.amina.pk: m.ines.pk, m.joao.pk: m.omar.pk}
    assert not Proposal.objects.filter(round=done, opportunity__isnull=False).exists()
    pair = _pair(done, m.amina, m.ines)
    parts = {c["name"]: c for c in pair.components["components"]}
    assert list(parts) == [
        "languages",
        "interests",
        "gender",
        "availability",
        "distance",
    ]
    assert parts["languages"]["detail"] == "ar"
    assert parts["gender"]["value"] == 1.0 and parts["availability"]["value"] == 1.0
    assert pair.score == pair.components["total"]
    # Busy shares Amina's interest, so she scores higher than Inês.
    assert _pair(done, m.amina, m.busy).score > pair.score
    assert set(_pair(done, m.amina, m.omar).unmet) == {
        "mentor:gender",
        "mentor:prefers_other_gender",
    }
    assert _pair(done, m.li, m.ines).unmet == ["mentor:no_shared_language"]
    assert done.outcome_model == {}


def test_review_says_why_not_each_mentor(done, mentoring, facilitator):
    m = mentoring
    review = {
        e["participant"].pk: e
        for e in selectors.round_review(user=facilitator, round=done)
    }
    amina = {p["proposal"].mentor_id: p["why"] for p in review[m.amina.pk]["pairs"]}
    assert amina[m.ines.pk].startswith("Proposed")
    assert amina[m.busy.pk].startswith("Capacity full")
    assert "asked for a mentor of another gender" in amina[m.omar.pk]
    assert "would rather accompany people of another gender" in amina[m.omar.pk]
    joao = {p["proposal"].mentor_id: p["why"] for p in review[m.joao.pk]["pairs"]}
    assert joao[m.ines.pk] == "Lower score than the proposal."
    li = review[m.li.pk]
    assert li["chosen"] is None
    assert all("no language in common" in p["why"] for p in li["pairs"])
    assert review[m.amina.pk]["preference"].mentor_gender == "female"


def test_accepting_a_mentor_proposal_makes_a_mentoring_pair(
    done, mentoring, facilitator
):
    m = mentoring
    proposal = services.proposal_accept(
        actor=facilitator, proposal=_pair(done, m.amina, m.ines)
    )
    pair = MentoringPair.objects.get(mentor=m.ines, participant=m.amina)
    assert pair.status == MentoringPair.Status.ACTIVE and pair.created_by == facilitator
    assert proposal.mentoring_pair == pair and proposal.referral is None
    assert AuditEntry.objects.filter(
        object_type="mentoring_pair", action="create", object_id=str(pair.pk)
    ).exists()
    entry = AuditEntry.objects.get(object_type="proposal", object_id=str(proposal.pk))
    assert entry.detail == "accepted"
    assert entry.changes["mentoring_pair"]["after"] == str(pair.pk)
    # Amina now has her mentor: a second acceptance for her is refused.
    with pytest.raises(ValidationError):
        services.proposal_accept(
            actor=facilitator,
            proposal=_pair(done, m.amina, m.busy),
            reason="Closer to home",
        )


def test_unmet_pairs_cannot_be_accepted_and_overrides_need_a_reason(
    done, mentoring, facilitator
):
    m = mentoring
    with pytest.raises(ValidationError):
        services.proposal_accept(
            actor=facilitator, proposal=_pair(done, m.li, m.ines), reason="Anyway"
        )
    assert not MentoringPair.objects.filter(participant=m.li).exists()
    # Busy was not proposed and has no room: accepting her is an override.
    over = _pair(done, m.joao, m.busy)
    with pytest.raises(ValidationError) as error:
        services.proposal_accept(actor=facilitator, proposal=over)
    assert "reason" in error.value.message_dict
    services.proposal_accept(
        actor=facilitator, proposal=over, reason="They already know each other"
    )
    assert (
        MentoringPair.objects.filter(
            mentor=m.busy, status=MentoringPair.Status.ACTIVE
        ).count()
        == 2
    )
    entry = AuditEntry.objects.get(object_type="proposal", object_id=str(over.pk))
    assert entry.detail == "accepted (override)"


def test_rejecting_a_mentor_proposal_needs_a_reason(done, mentoring, facilitator):
    m = mentoring
    proposal = _pair(done, m.joao, m.omar)
    with pytest.raises(ValidationError):
        services.proposal_reject(actor=facilitator, proposal=proposal, reason=" ")
    services.proposal_reject(actor=facilitator, proposal=proposal, reason="Moved")
    proposal.refresh_from_db()
    assert proposal.decision == Proposal.Decision.REJECTED
    assert proposal.reason == "Moved"
    assert not MentoringPair.objects.filter(participant=m.joao).exists()
    assert AuditEntry.objects.filter(
        object_type="proposal", object_id=str(proposal.pk), detail="rejected (override)"
    ).exists()


def test_another_lab_cannot_see_or_decide_a_mentor_round(
    done, mentoring, outsider, analyst
):
    m = mentoring
    with pytest.raises(Http404):
        selectors.round_get(user=outsider, round_id=done.pk)
    proposal = _pair(done, m.amina, m.ines)
    with pytest.raises(Http404):
        selectors.proposal_get(user=outsider, proposal_id=proposal.pk)
    for user in (outsider, analyst):
        with pytest.raises(PermissionDenied):
            services.proposal_accept(actor=user, proposal=proposal)
        with pytest.raises(PermissionDenied):
            services.round_create(
                actor=user,
                lab=m.lab,
                kind=MatchingRound.Kind.MENTORS,
                title="",
                participants=[m.amina],
            )
    assert not MentoringPair.objects.filter(participant=m.amina).exists()


def test_mentor_round_input_is_checked(mentoring, facilitator, lab_b, kitchen_lab_a):
    m = mentoring
    cases = {
        "mentors": {"mentors": [ApprovedMentorFactory(lab=lab_b)]},
        "opportunities": {"opportunities": [kitchen_lab_a]},
    }
    for field, extra in cases.items():
        with pytest.raises(ValidationError) as error:
            services.round_create(
                actor=facilitator,
                lab=m.lab,
                kind=MatchingRound.Kind.MENTORS,
                title="",
                participants=[m.amina],
                **extra,
            )
        assert field in error.value.message_dict
    Volunteer.objects.filter(lab=m.lab).update(status=Volunteer.Status.REJECTED)
    with pytest.raises(ValidationError) as error:
        services.round_create(
            actor=facilitator,
            lab=m.lab,
            kind=MatchingRound.Kind.MENTORS,
            title="",
            participants=[m.amina],
        )
    assert "no approved mentor" in str(error.value)
    assert not MatchingRound.objects.exists()


@pytest.fixture
def kitchen_lab_a(lab_a):
    from tests.partners.factories import OpportunityFactory

    return OpportunityFactory(organisation__lab=lab_a)


# ---------------------------------------------------------------------------
# Pages and API.


def test_mentor_round_through_the_pages(
    mentoring, facilitator, django_capture_on_commit_callbacks
):
    m = mentoring
    client = client_for(facilitator)
    url = reverse("placements:round_create", args=[m.lab.pk])
    page = client.get(url, {"kind": "mentors"}).content.decode()
    assert "Inês Mentor" in page and 'name="opportunities"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{url}?kind=mentors",
            {"title": "Pages", "participants": [m.amina.pk, m.li.pk]},
        )
    assert response.status_code == 302
    round = MatchingRound.objects.get(title="Pages")
    assert round.kind == "mentors" and round.status == "done"
    page = client.get(
        reverse("placements:round_detail", args=[round.pk])
    ).content.decode()
    assert "Inês Mentor" in page
    assert "languages: 1.00" in page
    assert "no language in common" in page
    assert "Predicted outcome" not in page
    proposal = _pair(round, m.amina, m.ines)
    response = client.post(
        reverse("placements:proposal_decide", args=[proposal.pk, "accept"]), {}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    page = client.get(
        reverse("placements:round_detail", args=[round.pk])
    ).content.decode()
    assert reverse("volunteers:pair", args=[proposal.mentoring_pair_id]) in page
    listing = client.get(
        reverse("placements:round_list", args=[m.lab.pk])
    ).content.decode()
    assert "Mentors" in listing and "?kind=mentors" in listing


def test_mentor_round_through_the_api(
    mentoring, facilitator, django_capture_on_commit_callbacks
):
    m = mentoring
    call = _api(facilitator)
    body = {
        "lab": m.lab.pk,
        "kind": "mentors",
        "participants": [m.amina.pk, m.joao.pk],
        "mentors": [m.ines.pk, m.omar.pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = call("post", "/api/v1/matching-rounds", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kind"] == "mentors"
    round_id = data["id"]
    data = call("get", f"/api/v1/matching-rounds/{round_id}").json()
    assert data["status"] == "done" and data["result"]["mentors"] == 2
    pairs = call("get", f"/api/v1/matching-rounds/{round_id}/proposals").json()
    chosen = {p["participant"]: p for p in pairs if p["chosen"]}
    assert chosen[m.amina.pk]["mentor"] == m.ines.pk
    assert chosen[m.amina.pk]["mentor_name"] == "Inês Mentor"
    assert chosen[m.amina.pk]["opportunity"] is None
    assert chosen[m.amina.pk]["components"]["components"][0]["name"] == "languages"
    url = f"/api/v1/matching-rounds/{round_id}/proposals/{chosen[m.amina.pk]['id']}"
    response = call("post", f"{url}/accept", {})
    assert response.status_code == 200, response.content
    pair = MentoringPair.objects.get(pk=response.json()["mentoring_pair"])
    assert (pair.mentor, pair.participant) == (m.ines, m.amina)


def test_bad_mentor_round_input_is_4xx(mentoring, facilitator, lab_b):
    m = mentoring
    call = _api(facilitator)
    body: dict[str, Any] = {
        "lab": m.lab.pk,
        "kind": "mentors",
        "participants": [m.amina.pk],
        "mentors": [999999],
    }
    response = call("post", "/api/v1/matching-rounds", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "mentors"
    body["mentors"] = [ApprovedMentorFactory(lab=lab_b).pk]
    response = call("post", "/api/v1/matching-rounds", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "mentors"
    body["kind"] = "friends"
    assert call("post", "/api/v1/matching-rounds", body).status_code == 422
    body.update(kind="opportunities", mentors=[])
    response = call("post", "/api/v1/matching-rounds", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "opportunities"
    assert not MatchingRound.objects.exists()


def test_free_times_to_meet_a_mentor_are_stated_and_shown(
    mentoring, facilitator, django_capture_on_commit_callbacks
):
    m = mentoring
    client = client_for(facilitator)
    response = client.post(
        reverse("placements:preferences", args=[m.joao.pk]),
        {"interests": "football", "availability": ["weekends"]},
    )
    assert response.status_code == 302
    pref = MatchingPreference.objects.get(participant=m.joao)
    assert pref.availability == ["weekends"]
    assert AuditEntry.objects.filter(
        object_type="matching_preference", object_id=str(pref.pk)
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        round = services.round_create(
            actor=facilitator,
            lab=m.lab,
            kind=MatchingRound.Kind.MENTORS,
            title="Times",
            participants=[m.joao],
        )
    parts = {
        c["name"]: c for c in _pair(round, m.joao, m.omar).components["components"]
    }
    assert parts["availability"] == {
        "name": "availability",
        "value": 1.0,
        "weight": 0.15,
        "detail": "weekends",
    }
    page = client.get(reverse("placements:round_detail", args=[round.pk]))
    assert "free Weekends" in page.content.decode()
