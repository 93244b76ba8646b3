"""Data protection across apps: pathway exits feed retention, and erasure
leaves every published indicator as it was."""

import datetime as dt

from django.utils import timezone

from openmil.core.roles import Role
from openmil.indicators.registry import REGISTRY, Period
from openmil.indicators.selectors import indicator_compute
from openmil.participants.models import Need
from openmil.pathways.models import Pathway
from openmil.privacy.models import LabPrivacySettings
from openmil.privacy.retention import retention_plan
from openmil.privacy.services import erasure_approve, erasure_request_create
from tests.factories import NeedFactory, ParticipantFactory, member
from tests.pathways.factories import AssessmentFactory, PathwayFactory, SurveyFactory


def test_a_pathway_exit_starts_the_retention_clock(lab_a):
    LabPrivacySettings.objects.create(
        lab=lab_a,
        retention_enabled=True,
        months_after_exit=24,
        months_after_last_activity=120,
    )
    today = timezone.localdate()
    long_gone = ParticipantFactory(
        lab=lab_a, intake_date=today - dt.timedelta(days=1200)
    )
    PathwayFactory(
        participant=long_gone,
        started_on=today - dt.timedelta(days=1100),
        status="exited",
        exit_date=today - dt.timedelta(days=800),
        exit_reason="graduated",
    )
    recent = ParticipantFactory(lab=lab_a, intake_date=today - dt.timedelta(days=1200))
    PathwayFactory(
        participant=recent,
        started_on=today - dt.timedelta(days=1100),
        status="exited",
        exit_date=today - dt.timedelta(days=100),
        exit_reason="graduated",
    )
    plan = retention_plan(lab=lab_a, today=today)
    due = {d.participant_id: d.rule for d in plan.due}
    assert due == {long_gone.pk: "exit"}
    assert Pathway.objects.get(participant=long_gone).exit_date is not None


def test_indicators_are_the_same_before_and_after_an_erasure(lab_a, coordinator):
    intake = dt.date(2026, 3, 1)
    people = []
    for i in range(12):
        p = ParticipantFactory(
            lab=lab_a,
            intake_date=intake,
            profile="newcomer" if i % 2 else "national",
            birth_date=dt.date(1990, 5, 17),
        )
        NeedFactory(
            participant=p,
            urgent=True,
            status=Need.Status.MET if i < 9 else Need.Status.IN_PROGRESS,
            resolved_at=dt.datetime(2026, 3, 20, tzinfo=dt.UTC) if i < 9 else None,
            notes="Call Mrs Example at home",
        )
        # Records the other indicators read: an exit, language levels, a
        # follow-up answer and an employment assessment.
        path = PathwayFactory(
            participant=p,
            started_on=dt.date(2025, 9, 1),
            status="exited",
            exit_date=dt.date(2026, 6, 1),
            exit_reason="dropped_out" if i % 3 else "graduated",
        )
        for day, level in ((dt.date(2026, 1, 5), 1), (dt.date(2026, 5, 5), 1 + i % 3)):
            AssessmentFactory(
                participant=p, assessed_on=day, skill="listening", cefr_level=level
            )
        SurveyFactory(
            pathway=path,
            months=3,
            due_on=dt.date(2026, 9, 1),
            answered_at=dt.datetime(2026, 9, 2, tzinfo=dt.UTC),
            employment_status="employed" if i % 2 else "unemployed",
            self_rated_health=2 + i % 4,
            belonging=1 + i % 5,
            residence_status="permanent" if i % 2 else "temporary",
        )
        people.append(p)
    period = Period.parse("2026")

    def figures():
        return {
            (ind.id, breakdown): indicator_compute(
                indicator=ind, lab_ids=[lab_a.pk], period=period, breakdown=breakdown
            )
            for ind in REGISTRY.values()
            for breakdown in (None, "profile", "sex", "age_band", "origin_group")
        }

    before = figures()
    facilitator = member(lab_a, Role.FACILITATOR)
    request = erasure_request_create(
        actor=facilitator,
        participant=people[0],
        grounds="person_asked",
        reason="Asked in person at the office",
    )
    erasure_approve(actor=coordinator, request=request)
    people[0].refresh_from_db()
    assert people[0].anonymised_at is not None
    assert figures() == before
    assert before["process.dropout_rate", None][0].n == 12
    assert before["economic.employment_rate", None][0].n == 12
