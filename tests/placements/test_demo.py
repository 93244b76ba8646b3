"""The demo has matching rounds to click through: a finished round of jobs
and training, and a mentor round waiting for review."""

import pytest
from django.urls import reverse

from openmil.core.models import Membership
from openmil.core.roles import Role
from openmil.demo.generator import generate
from openmil.events.models import MentoringPair, Volunteer
from openmil.placements.models import MatchingPreference, MatchingRound, Proposal
from tests.conftest import client_for


@pytest.mark.django_db
def test_demo_lab_has_a_decided_round_and_a_mentor_round_to_review():
    generate(labs=1, participants=60, seed=3)
    rounds = {r.kind: r for r in MatchingRound.objects.all()}
    assert set(rounds) == {"opportunities", "mentors"}
    jobs, mentors = rounds["opportunities"], rounds["mentors"]
    assert jobs.status == mentors.status == MatchingRound.Status.DONE
    decided = Proposal.objects.filter(round=jobs).exclude(decision="pending")
    accepted = decided.filter(decision=Proposal.Decision.ACCEPTED)
    assert accepted.exists()
    assert all(p.referral_id for p in accepted)
    assert decided.filter(decision=Proposal.Decision.REJECTED).count() == 1
    proposed = Proposal.objects.filter(round=mentors, chosen=True)
    assert proposed.count() >= 3
    assert {p.decision for p in proposed} == {Proposal.Decision.PENDING}
    assert Proposal.objects.filter(round=mentors).exclude(components__unmet=[]).exists()
    # Each mentor is proposed no more often than they have room for.
    for mentor_id in set(proposed.values_list("mentor_id", flat=True)):
        mentor = proposed.filter(mentor_id=mentor_id).first().mentor
        active = MentoringPair.objects.filter(mentor=mentor, status="active").count()
        assert proposed.filter(mentor=mentor).count() <= mentor.max_mentees - active

    # Mentors and most mentees have a meeting area of the lab's city, so the
    # round weighs distances; a mentee without one shows it as unknown.
    distances = [
        c["detail"]
        for p in Proposal.objects.filter(round=mentors)
        for c in p.components["components"]
        if c["name"] == "distance"
    ]
    known = [d for d in distances if d.endswith(" km")]
    assert known and "unknown" in distances
    assert all(float(d.removesuffix(" km")) < 30 for d in known)
    located = MatchingPreference.objects.filter(meeting_latitude__isnull=False)
    assert located.exists()
    assert all(
        p.meeting_place and p.meeting_latitude == round(p.meeting_latitude, 2)
        for p in located
    )
    assert not Volunteer.objects.filter(
        status="approved", latitude__isnull=True
    ).exists()

    coordinator = Membership.objects.get(lab=jobs.lab, role=Role.COORDINATOR).user
    assert jobs.created_by == mentors.created_by == coordinator
    client = client_for(coordinator)
    listing = client.get(reverse("placements:round_list", args=[jobs.lab_id]))
    assert jobs.title in listing.content.decode()
    assert mentors.title in listing.content.decode()
    page = client.get(reverse("placements:round_detail", args=[mentors.pk]))
    assert proposed.first().mentor.name in page.content.decode()
    assert known[0] in page.content.decode()
    assert "meets around" in page.content.decode()
