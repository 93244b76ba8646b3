"""Lab A with an employer posting two jobs, people with assessments."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from openmil.core.models import Organisation
from openmil.events.models import Volunteer
from openmil.partners.models import Opportunity
from openmil.pathways.models import Assessment
from openmil.placements.models import MatchingPreference
from tests.events.factories import ApprovedMentorFactory, PairFactory
from tests.factories import OrganisationFactory, ParticipantFactory
from tests.partners.factories import OpportunityFactory, ServiceFactory, partner_of
from tests.partners.factories import sharing_consent as _consent
from tests.pathways.factories import AssessmentFactory


@dataclass
class Setup:
    lab: Any
    employer: Organisation
    service: Any
    kitchen: Opportunity
    warehouse: Opportunity
    cook: Any
    porter: Any
    beginner: Any
    partner: Any


def cefr(person, level: int, language: str = "pt") -> None:
    for skill in ("listening", "spoken_interaction"):
        AssessmentFactory(
            participant=person, language=language, skill=skill, cefr_level=level
        )


def held(person, isco: str) -> None:
    AssessmentFactory(
        participant=person,
        kind=Assessment.Kind.EMPLOYMENT,
        language="",
        skill="",
        cefr_level=None,
        employment_status="unemployed",
        occupation_id=isco,
    )


def sharing_consent(person):
    return _consent(person, Organisation.Kind.EMPLOYER)


@pytest.fixture
def setup(lab_a, facilitator) -> Setup:
    employer = OrganisationFactory(
        lab=lab_a, name="Tasca Boa", kind=Organisation.Kind.EMPLOYER
    )
    service = ServiceFactory(
        organisation=employer, name="First jobs", need_type=None, pillar="economic"
    )
    today = timezone.localdate()
    kitchen = OpportunityFactory(
        organisation=employer,
        title="Cook in a canteen",
        isco_group_id="5120",
        language="pt",
        min_cefr=2,
        capacity=1,
        starts_on=today,
        ends_on=today + dt.timedelta(days=90),
    )
    warehouse = OpportunityFactory(
        organisation=employer,
        title="Warehouse operator",
        isco_group_id="9333",
        language="pt",
        min_cefr=1,
        capacity=1,
    )
    cook = ParticipantFactory(lab=lab_a, caseworker=facilitator, reference="C-1")
    porter = ParticipantFactory(lab=lab_a, caseworker=facilitator, reference="P-2")
    beginner = ParticipantFactory(lab=lab_a, caseworker=facilitator, reference="B-3")
    cefr(cook, 3)
    held(cook, "5120")
    cefr(porter, 2)
    held(porter, "9333")
    cefr(beginner, 0)
    return Setup(
        lab=lab_a,
        employer=employer,
        service=service,
        kitchen=kitchen,
        warehouse=warehouse,
        cook=cook,
        porter=porter,
        beginner=beginner,
        partner=partner_of(employer),
    )


@dataclass
class Mentoring:
    lab: Any
    amina: Any
    joao: Any
    li: Any
    ines: Volunteer
    omar: Volunteer
    busy: Volunteer


@pytest.fixture
def mentoring(lab_a, facilitator) -> Mentoring:
    """Amina (Arabic, asks for a woman mentor, likes cooking, free at
    weekends), João (Portuguese, football) and Li (Chinese only); Inês takes
    one mentee, Omar two but would rather accompany men, and Busy, the best
    for Amina, already mentors someone at her limit of one."""
    amina = ParticipantFactory(
        lab=lab_a,
        caseworker=facilitator,
        reference="M-1",
        mother_tongue="ar",
        other_languages=[],
        sex="female",
    )
    joao = ParticipantFactory(
        lab=lab_a,
        caseworker=facilitator,
        reference="M-2",
        mother_tongue="pt",
        other_languages=[],
        sex="male",
    )
    li = ParticipantFactory(
        lab=lab_a,
        caseworker=facilitator,
        reference="M-3",
        mother_tongue="zh",
        other_languages=[],
    )
    MatchingPreference.objects.create(
        participant=amina,
        mentor_gender="female",
        interests=["cooking"],
        availability=["weekends"],
    )
    MatchingPreference.objects.create(participant=joao, interests=["football"])
    common = {"lab": lab_a, "availability": ["weekends"], "interests": []}
    ines = ApprovedMentorFactory(
        name="Inês Mentor", gender="female", languages=["pt", "ar"], skills=[], **common
    )
    omar = ApprovedMentorFactory(
        name="Omar Mentor",
        gender="male",
        languages=["ar", "pt"],
        skills=["football"],
        gender_preference="men",
        max_mentees=2,
        **common,
    )
    busy = ApprovedMentorFactory(
        name="Busy Mentor",
        gender="female",
        languages=["ar", "pt"],
        skills=["cooking"],
        **common,
    )
    PairFactory(
        mentor=busy, participant=ParticipantFactory(lab=lab_a, caseworker=facilitator)
    )
    # Neither a plain volunteer nor a mentor of another lab is matched.
    ApprovedMentorFactory(lab=lab_a, role=Volunteer.Role.VOLUNTEER)
    return Mentoring(lab_a, amina, joao, li, ines, omar, busy)
