"""Demo matching rounds for a lab (called by the demo generator): a finished
round of jobs and training with some proposals decided, and a mentor round
whose proposals wait for review. Both run through the services, as a
coordinator would run them, and are solved at once (no worker needed)."""

import contextlib
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, When

from openmil.classifications.models import IscoGroup
from openmil.core.models import Lab, Membership
from openmil.core.roles import Role
from openmil.events.demo import meeting_area
from openmil.events.models import MentoringPair, Volunteer
from openmil.participants.models import Consent, Participant
from openmil.participants.services import consent_give
from openmil.partners.models import Opportunity
from openmil.placements import selectors, services
from openmil.placements.models import MatchingRound, Proposal

#: People in each demo round: enough to show choices, few enough to be quick.
OPPORTUNITY_PEOPLE = 30
MENTOR_PEOPLE = 12
#: Stated preferences of mentees, cycled over the people of the mentor round.
MENTEE_PREFERENCES: list[dict[str, Any]] = [
    {"interests": ["cooking"], "availability": ["weekends"], "mentor_gender": "female"},
    {"interests": ["football"], "availability": ["weekday_evenings"]},
    {"interests": ["CV writing", "economic"], "availability": ["weekday_afternoons"]},
    {"interests": ["music"], "availability": []},
]
#: What the person of the demo's participant space is looking for.
SPACE_PERSON_PREFERENCES: dict[str, Any] = {
    "kinds": ["vacancy", "training"],
    "interests": ["language", "economic", "cooking"],
    "availability": ["weekday_evenings", "weekends"],
    "mentor_gender": "female",
}
#: Cooks and kitchen helpers (ISCO-08).
SPACE_PERSON_OCCUPATIONS = ("5120", "9412")
#: Every this-many-th mentee names no meeting area (their distance is unknown).
NO_AREA_EVERY = 4


def populate_lab(*, lab: Lab, today: dt.date) -> list[MatchingRound]:
    """Run the lab's two demo rounds as its coordinator."""
    coordinator = (
        Membership.objects.filter(lab=lab, role=Role.COORDINATOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if coordinator is None:
        return []
    actor = coordinator.user
    people = Participant.objects.filter(lab=lab, anonymised_at__isnull=True).order_by(
        "pk"
    )
    rounds = []
    opportunities = list(selectors.open_opportunities(lab_id=lab.pk))
    if opportunities:
        newcomers = people.filter(profile=Participant.Profile.NEWCOMER)
        round = _run(
            actor=actor,
            lab=lab,
            title="Spring jobs and training",
            participants=list(newcomers[:OPPORTUNITY_PEOPLE]),
            opportunities=opportunities,
            today=today,
        )
        _decide(actor=actor, round=round)
        rounds.append(round)
    paired = MentoringPair.objects.filter(lab=lab).values_list(
        "participant_id", flat=True
    )
    pool = people.filter(profile=Participant.Profile.NEWCOMER).exclude(pk__in=paired)
    # Other people than the first round's, if the lab has enough.
    mentees = list(pool[OPPORTUNITY_PEOPLE : OPPORTUNITY_PEOPLE + MENTOR_PEOPLE])
    mentees = mentees or list(pool[:MENTOR_PEOPLE])
    mentors = Volunteer.objects.filter(
        lab=lab,
        status=Volunteer.Status.APPROVED,
        role__in=(Volunteer.Role.MENTOR, Volunteer.Role.BOTH),
    )
    if mentees and mentors.exists():
        for index, person in enumerate(mentees):
            wanted = dict(MENTEE_PREFERENCES[index % len(MENTEE_PREFERENCES)])
            # Areas of the mentors' city in another order than theirs.
            area = meeting_area(lab, 3 * index + 1)
            if area and (index + 1) % NO_AREA_EVERY:
                name, latitude, longitude = area
                wanted.update(
                    meeting_place=name,
                    meeting_latitude=latitude,
                    meeting_longitude=longitude,
                )
            services.preference_update(actor=actor, participant=person, data=wanted)
        rounds.append(
            _run(
                actor=actor,
                lab=lab,
                title="Mentors for new arrivals",
                participants=mentees,
                kind=MatchingRound.Kind.MENTORS,
                today=today,
            )
        )
    _space_person_preferences(actor=actor, lab=lab, today=today)
    return rounds


def _space_person_preferences(*, actor: Any, lab: Lab, today: dt.date) -> None:
    """What the person whose space the demo signs in to (the first Arabic
    speaker by reference, see portal.demo) is looking for, so the space shows
    it. Stated after the rounds, which keep their own people's choices."""
    person = (
        Participant.objects.filter(lab=lab)
        .annotate(arabic=Case(When(mother_tongue="ar", then=0), default=1))
        .order_by("arabic", "reference")
        .first()
    )
    if person is None or person.anonymised_at is not None:
        return
    wanted: dict[str, Any] = {
        **SPACE_PERSON_PREFERENCES,
        # Chosen with the caseworker: shown in the space by their titles.
        "occupations": list(
            IscoGroup.objects.filter(code__in=SPACE_PERSON_OCCUPATIONS).values_list(
                "code", flat=True
            )
        ),
        "places": [lab.territory] if lab.territory else [],
        "available_from": today + dt.timedelta(weeks=2),
    }
    area = meeting_area(lab, 0)
    if area:
        name, latitude, longitude = area
        wanted.update(
            meeting_place=name, meeting_latitude=latitude, meeting_longitude=longitude
        )
    services.preference_update(actor=actor, participant=person, data=wanted)


def _run(
    *,
    actor: Any,
    lab: Lab,
    title: str,
    participants: list[Participant],
    today: dt.date,
    kind: str = MatchingRound.Kind.OPPORTUNITIES,
    opportunities: list[Opportunity] | None = None,
) -> MatchingRound:
    round = services.round_create(
        actor=actor,
        lab=lab,
        kind=kind,
        title=title,
        participants=participants,
        opportunities=opportunities,
    )
    # Solved here: the queued task then finds the round done and stops.
    return services.round_execute(round_id=round.pk, today=today)


def _decide(*, actor: Any, round: MatchingRound) -> None:
    """Accept the first three proposals, each after the person agreed to share
    their details with the partner (as at a matching interview), reject one,
    and leave the rest to review."""
    proposals = list(
        Proposal.objects.filter(round=round, chosen=True)
        .select_related("round", "participant", "opportunity__organisation")
        .order_by("participant__reference")
    )
    # Partners with a service to refer to.
    referable = [
        p
        for p in proposals
        if p.opportunity is not None and services.service_for(p.opportunity)
    ]
    for proposal in referable[:3]:
        assert proposal.opportunity is not None  # noqa: S101 - a round of jobs
        with contextlib.suppress(ValidationError):  # already given
            consent_give(
                actor=actor,
                participant=proposal.participant,
                purpose=Consent.Purpose.PARTNER_SHARING,
                partner_category=proposal.opportunity.organisation.kind,
                notice_version="2024-09",
            )
        services.proposal_accept(actor=actor, proposal=proposal)
    pending = [p for p in proposals if p not in referable[:3]]
    if pending:
        services.proposal_reject(
            actor=actor,
            proposal=pending[-1],
            reason="Has just started a language course at the same hours.",
        )
