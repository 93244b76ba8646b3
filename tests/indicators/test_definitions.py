"""Every indicator against a small fixture counted by hand.

Each test builds only the records its indicators read, in lab A, for the
period 2026, and checks the denominator, numerator and value of the whole
and of one breakdown.
"""

import datetime as dt

import pytest
from django.utils import timezone

from openmil.activities.models import Activity, Attendance, Enrolment
from openmil.classifications.models import IscoGroup
from openmil.indicators.registry import REGISTRY, Period, indicator_get
from openmil.indicators.selectors import indicator_compute
from openmil.participants.models import Consent, Participant
from openmil.partners.models import Referral
from openmil.pathways.models import Assessment, Pathway
from openmil.ventures.models import JobsRecord, Stage, StageChange
from tests.activities.factories import (
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
)
from tests.factories import ConsentFactory, ParticipantFactory
from tests.partners.factories import ServiceFactory
from tests.pathways.factories import (
    AssessmentFactory,
    CivicModuleFactory,
    PathwayFactory,
    SurveyFactory,
)
from tests.ventures.factories import VentureFactory

YEAR = Period.parse("2026")
D = dt.date


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def figures(lab, indicator_id, breakdown=None):
    """{group: (n, k, value)} of an indicator for lab A in 2026."""
    cells = indicator_compute(
        indicator=indicator_get(indicator_id),
        lab_ids=[lab.pk],
        period=YEAR,
        breakdown=breakdown,
    )
    return {c.group: (c.n, c.k, c.value) for c in cells}


def person(lab, **kwargs) -> Participant:
    return ParticipantFactory(lab=lab, **kwargs)


FIRST_OF_2025 = dt.date(2025, 1, 1)


def pathway(p, start=FIRST_OF_2025, exit=None, reason=""):
    return PathwayFactory(
        participant=p,
        started_on=start,
        status="exited" if exit else "active",
        exit_date=exit,
        exit_reason=reason,
    )


def cefr(p, on, skill, level, language="pt"):
    return AssessmentFactory(
        participant=p, assessed_on=on, skill=skill, cefr_level=level, language=language
    )


# --- Language


def test_cefr_gains_within_6_and_12_months(lab_a):
    p1 = person(lab_a)
    cefr(p1, D(2026, 1, 10), "listening", 1)
    cefr(p1, D(2026, 4, 10), "listening", 2)  # +1 level after 90 days
    p2 = person(lab_a)
    cefr(p2, D(2025, 9, 1), "reading", 2)
    cefr(p2, D(2026, 6, 1), "reading", 3)  # +1 after 273 days
    p3 = person(lab_a, profile="national")
    cefr(p3, D(2026, 2, 1), "writing", 3)
    cefr(p3, D(2026, 5, 1), "writing", 3)  # same level
    p4 = person(lab_a)
    cefr(p4, D(2026, 3, 1), "listening", 1)
    cefr(p4, D(2026, 4, 1), "spoken_production", 2)  # another skill
    p5 = person(lab_a)
    cefr(p5, D(2026, 10, 1), "listening", 1)  # window ends in 2027
    cefr(p5, D(2026, 11, 1), "listening", 2)

    # 6 months: first assessments from 2025-07-02 to 2026-07-01 -> p1-p4.
    six = figures(lab_a, "language.cefr_gain_6m", "profile")
    assert six["all"] == (4, 1, 0.25)
    assert six["national"] == (1, 0, 0.0)
    assert six["newcomer"] == (3, 1, pytest.approx(1 / 3))
    # 12 months: first assessments during 2025 -> p2 only, who gained.
    assert figures(lab_a, "language.cefr_gain_12m")["all"] == (1, 1, 1.0)


def test_b1_or_above_at_exit_per_skill(lab_a):
    e1 = person(lab_a, sex="female")
    pathway(e1, exit=D(2026, 6, 30), reason="graduated")
    cefr(e1, D(2026, 6, 1), "listening", 3)
    cefr(e1, D(2026, 8, 1), "listening", 5)  # after the exit
    e2 = person(lab_a, sex="male")
    pathway(e2, exit=D(2026, 5, 15), reason="graduated")
    cefr(e2, D(2025, 6, 1), "listening", 3)
    cefr(e2, D(2026, 1, 1), "listening", 2)  # the latest one counts
    e3 = person(lab_a)
    pathway(e3, exit=D(2026, 3, 1), reason="moved_away")
    cefr(e3, D(2026, 2, 1), "reading", 4)
    e4 = person(lab_a)
    pathway(e4, exit=D(2025, 12, 31), reason="graduated")
    cefr(e4, D(2025, 12, 1), "listening", 4)

    listening = figures(lab_a, "language.b1_at_exit.listening", "sex")
    assert listening["all"] == (2, 1, 0.5)
    assert listening["female"] == (1, 1, 1.0)
    assert listening["male"] == (1, 0, 0.0)
    assert figures(lab_a, "language.b1_at_exit.reading")["all"] == (1, 1, 1.0)
    assert figures(lab_a, "language.b1_at_exit.writing")["all"] == (0, 0, None)


# --- Economic


def survey(p, months, answered, **answers):
    path = Pathway.objects.filter(participant=p).first() or pathway(
        p, exit=D(2025, 6, 1), reason="graduated"
    )
    return SurveyFactory(
        pathway=path,
        months=months,
        due_on=answered.date(),
        answered_at=answered,
        **answers,
    )


@pytest.fixture
def follow_ups(lab_a):
    """Latest answers in 2026: F1 employed (unemployed before), F2 (national)
    unemployed, F3 inactive, F4 employed but 76, F5 answered only in 2025,
    F6 employed (a later survey left the question empty)."""
    f1 = person(lab_a)
    survey(f1, 3, at(D(2026, 2, 1)), employment_status="unemployed")
    survey(
        f1,
        6,
        at(D(2026, 9, 1)),
        employment_status="employed",
        self_rated_health=4,
        belonging=5,
        residence_status="permanent",
    )
    f2 = person(lab_a, profile="national")
    survey(
        f2,
        3,
        at(D(2026, 3, 1)),
        employment_status="unemployed",
        self_rated_health=2,
        belonging=4,
        residence_status="citizen",
    )
    f3 = person(lab_a)
    survey(
        f3,
        3,
        at(D(2026, 4, 1)),
        employment_status="inactive",
        self_rated_health=5,
        belonging=1,
        residence_status="temporary",
    )
    f4 = person(lab_a, birth_date=D(1950, 1, 1))
    survey(f4, 3, at(D(2026, 3, 1)), residence_status="citizen")
    survey(
        f4,
        6,
        at(D(2026, 6, 1)),
        employment_status="employed",
        self_rated_health=5,
        residence_status="not_said",
    )
    f5 = person(lab_a)
    survey(f5, 3, at(D(2025, 12, 1)), employment_status="employed")
    f6 = person(lab_a)
    survey(f6, 3, at(D(2026, 4, 1)), employment_status="employed", belonging=2)
    survey(f6, 6, at(D(2026, 10, 1)), self_rated_health=3)


def test_labour_market_rates_from_the_latest_follow_up(lab_a, follow_ups):
    employment = figures(lab_a, "economic.employment_rate", "profile")
    assert employment["all"] == (4, 2, 0.5)
    assert employment["national"] == (1, 0, 0.0)
    assert employment["newcomer"] == (3, 2, pytest.approx(2 / 3))
    cells = indicator_compute(
        indicator=indicator_get("economic.employment_rate"),
        lab_ids=[lab_a.pk],
        period=YEAR,
    )
    # Wilson 95 % interval of 2/4, by hand: 0.5 -+ 0.34996.
    assert cells[0].low == pytest.approx(0.15004, abs=1e-5)
    assert cells[0].high == pytest.approx(0.84996, abs=1e-5)
    unemployment = figures(lab_a, "economic.unemployment_rate", "profile")
    assert unemployment["all"] == (3, 1, pytest.approx(1 / 3))
    assert unemployment["national"] == (1, 1, 1.0)
    activity = figures(lab_a, "economic.activity_rate", "age_band")
    assert activity["all"] == (4, 3, 0.75)
    assert activity["35-44"] == (4, 3, 0.75)


def test_health_belonging_and_residence_from_follow_ups(lab_a, follow_ups):
    health = figures(lab_a, "intercultural.good_health", "age_band")
    assert health["all"] == (5, 3, 0.6)
    assert health["65+"] == (1, 1, 1.0)
    belonging = figures(lab_a, "intercultural.belonging", "profile")
    assert belonging["all"] == (4, 2, 0.5)
    assert belonging["national"] == (1, 1, 1.0)
    # Newcomers only; F4's latest answer is 'prefer not to say', so the
    # citizenship recorded before counts.
    residence = figures(lab_a, "civic.residence_secured", "profile")
    assert residence["all"] == (3, 2, pytest.approx(2 / 3))
    assert set(residence) == {"all", "newcomer"}


def employment(p, on, status, contract="", occupation=None):
    if occupation:
        IscoGroup.objects.get_or_create(code=occupation, defaults={"label": "x"})
    return AssessmentFactory(
        participant=p,
        kind=Assessment.Kind.EMPLOYMENT,
        assessed_on=on,
        language="",
        skill="",
        cefr_level=None,
        employment_status=status,
        contract_type=contract,
        occupation_id=occupation,
    )


def test_self_employment_and_over_qualification(lab_a):
    s1 = person(lab_a, education_level=6, sex="male")
    employment(s1, D(2026, 3, 1), "employed", "self_employed", "5223")
    s2 = person(lab_a, education_level=7)
    employment(s2, D(2026, 3, 1), "employed", "fixed_term", "2512")
    s3 = person(lab_a, education_level=3)
    AssessmentFactory(
        participant=s3,
        kind=Assessment.Kind.EDUCATION,
        assessed_on=D(2025, 1, 1),
        skill="",
        language="",
        cefr_level=None,
        isced_level=6,
    )
    employment(s3, D(2026, 3, 1), "employed", "permanent", "9112")
    s4 = person(lab_a, education_level=2)
    employment(s4, D(2026, 3, 1), "employed", "permanent")
    s5 = person(lab_a, education_level=6)
    employment(s5, D(2026, 2, 1), "employed", "self_employed", "5223")
    employment(s5, D(2026, 6, 1), "unemployed")

    self_employed = figures(lab_a, "economic.self_employment_share", "sex")
    assert self_employed["all"] == (4, 1, 0.25)
    assert self_employed["male"] == (1, 1, 1.0)
    over = figures(lab_a, "economic.overqualification_rate", "sex")
    assert over["all"] == (3, 2, pytest.approx(2 / 3))
    assert over["female"] == (2, 1, 0.5)


def test_job_placement_rate(lab_a):
    j1 = person(lab_a)
    pathway(j1, start=D(2025, 6, 1), exit=D(2026, 3, 1), reason="graduated")
    employment(j1, D(2025, 6, 1), "unemployed")
    employment(j1, D(2026, 2, 1), "employed")
    j2 = person(lab_a, profile="national")
    pathway(j2, start=D(2025, 9, 1), exit=D(2026, 4, 1), reason="graduated")
    survey(j2, 3, at(D(2026, 7, 1)), employment_status="employed")
    j3 = person(lab_a)
    pathway(j3, start=D(2025, 9, 1), exit=D(2026, 5, 1), reason="dropped_out")
    j4 = person(lab_a)
    pathway(j4, start=D(2025, 10, 1), exit=D(2026, 6, 1), reason="graduated")
    employment(j4, D(2025, 10, 1), "employed")

    placed = figures(lab_a, "economic.job_placement_rate", "profile")
    assert placed["all"] == (3, 2, pytest.approx(2 / 3))
    assert placed["national"] == (1, 1, 1.0)
    assert placed["newcomer"] == (2, 1, 0.5)


def test_ventures_created_surviving_and_jobs(lab_a):
    a = person(lab_a)
    b = person(lab_a, profile="national")
    objector = person(lab_a)
    ConsentFactory(
        participant=objector,
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at=timezone.now(),
    )
    c = person(lab_a, profile="national")
    VentureFactory(lab=lab_a, started_on=D(2026, 2, 1), founders=[a, b])
    VentureFactory(lab=lab_a, started_on=D(2026, 6, 1), founders=[a])
    VentureFactory(lab=lab_a, started_on=D(2025, 5, 1), founders=[a])
    VentureFactory(lab=lab_a, started_on=D(2026, 7, 1), founders=[objector])
    VentureFactory(lab=lab_a, started_on=D(2026, 8, 1), founders=[objector, c])

    def registered(on, closed=None, founders=(a,)):
        v = VentureFactory(
            lab=lab_a,
            started_on=D(2024, 1, 1),
            registration_date=on,
            founders=list(founders),
        )
        if closed:
            StageChange.objects.create(
                venture=v, from_stage=Stage.OPERATING, to_stage=Stage.CLOSED, on=closed
            )
        return v

    v6 = registered(D(2025, 3, 1), closed=D(2025, 12, 1))
    v7 = registered(D(2025, 6, 1), closed=D(2026, 8, 1))
    v8 = registered(D(2025, 9, 1))
    v9 = registered(D(2026, 2, 1), founders=(b,))
    for venture, on, jobs in [
        (v6, D(2025, 12, 31), 2),
        (v6, D(2026, 5, 1), 5),
        (v7, D(2026, 3, 1), 4),
        (v8, D(2025, 6, 1), 1),
        (v9, D(2026, 4, 1), 3),
        (v9, D(2026, 10, 1), 1),
    ]:
        JobsRecord.objects.create(venture=venture, on=on, jobs=jobs)

    # Started in 2026 and counted: the two of A (lead of A+B) and C's (the
    # objector is not counted, so C leads); the objector's own is left out.
    created = figures(lab_a, "ventures.created", "profile")
    assert created["all"] == (3, None, 3.0)
    assert created["newcomer"] == (2, None, 2.0)
    assert created["national"] == (1, None, 1.0)
    # Registered in 2025: v6 closed within a year, v7 after it, v8 open.
    surviving = figures(lab_a, "ventures.surviving_12m")
    assert surviving["all"] == (3, 2, pytest.approx(2 / 3))
    # Net jobs in 2026: v6 5-2, v7 4-0, v9 1-0; v8 has no 2026 record.
    jobs = figures(lab_a, "ventures.jobs_created", "profile")
    assert jobs["all"] == (3, None, 8.0)
    assert jobs["national"] == (1, None, 1.0)
    assert jobs["newcomer"] == (2, None, 7.0)


# --- Civic


def test_civic_modules(lab_a):
    m1 = CivicModuleFactory(lab=lab_a)
    m2 = CivicModuleFactory(lab=lab_a)

    def civic(p, on, module):
        AssessmentFactory(
            participant=p,
            kind=Assessment.Kind.CIVIC,
            assessed_on=on,
            language="",
            skill="",
            cefr_level=None,
            civic_module=module,
        )

    c1 = person(lab_a)
    pathway(c1)
    civic(c1, D(2026, 2, 1), m1)
    civic(c1, D(2026, 3, 1), m2)
    civic(c1, D(2026, 4, 1), m1)  # the same module again
    c2 = person(lab_a, profile="national")
    pathway(c2, start=D(2026, 5, 1))
    c3 = person(lab_a)
    pathway(c3, exit=D(2025, 12, 1), reason="graduated")
    civic(c3, D(2026, 1, 15), m1)
    person(lab_a)  # no pathway

    share = figures(lab_a, "civic.module_completion_share", "profile")
    assert share["all"] == (2, 1, 0.5)
    assert share["national"] == (1, 0, 0.0)
    modules = figures(lab_a, "civic.modules_completed", "profile")
    assert modules["all"] == (2, None, 3.0)
    assert modules["newcomer"] == (2, None, 3.0)


# --- Intercultural and process (activities)


def _session(cohort, day):
    return SessionFactory(cohort=cohort, starts_at=at(day, 10), ends_at=at(day, 12))


def _enrol(cohort, *people, status=Enrolment.Status.ENROLLED):
    for p in people:
        EnrolmentFactory(cohort=cohort, participant=p, status=status)


def _mark(session, p, status=Attendance.Status.PRESENT):
    AttendanceFactory(session=session, participant=p, status=status)


def test_mixed_activities_and_mentoring(lab_a):
    a = person(lab_a)
    b = person(lab_a, profile="national")
    c, d = person(lab_a, sex="male"), person(lab_a)
    mixed = CohortFactory(activity=ActivityFactory(lab=lab_a))
    _enrol(mixed, a, b)
    single = CohortFactory(activity=ActivityFactory(lab=lab_a))
    _enrol(single, c, d)
    s_mixed, s_single = _session(mixed, D(2026, 3, 2)), _session(single, D(2026, 3, 3))
    _mark(s_mixed, a)
    _mark(s_mixed, b, Attendance.Status.EXCUSED)
    _mark(s_single, c)
    _mark(s_single, d)

    share = figures(lab_a, "intercultural.mixed_activity_share", "sex")
    assert share["all"] == (3, 1, pytest.approx(1 / 3))
    assert share["male"] == (1, 0, 0.0)

    mentoring = CohortFactory(
        activity=ActivityFactory(lab=lab_a, kind=Activity.Kind.MENTORING_GROUP)
    )
    m_a, m_b, m_c = person(lab_a), person(lab_a, profile="national"), person(lab_a)
    _enrol(mentoring, m_a, m_b, m_c)
    old, jan, feb, apr = (
        _session(mentoring, day)
        for day in (D(2025, 10, 1), D(2026, 1, 5), D(2026, 2, 5), D(2026, 4, 10))
    )
    _mark(jan, m_a)
    _mark(apr, m_a)  # 95 days apart
    _mark(feb, m_b)
    _mark(apr, m_b)  # 64 days
    _mark(old, m_c)
    _mark(jan, m_c)  # 96 days, the first one in 2025
    pairs = figures(lab_a, "intercultural.mentoring_3m", "profile")
    assert pairs["all"] == (3, 2, pytest.approx(2 / 3))
    assert pairs["national"] == (1, 0, 0.0)


def test_attendance_rate(lab_a):
    cohort = CohortFactory(activity=ActivityFactory(lab=lab_a))
    p, q = person(lab_a), person(lab_a, profile="national")
    r = person(lab_a)
    _enrol(cohort, p, q)
    _enrol(cohort, r, status=Enrolment.Status.WITHDRAWN)
    sessions = [_session(cohort, D(2026, m, 10)) for m in (2, 3, 4, 5)]
    _session(cohort, D(2027, 1, 15))  # outside the period
    for s in sessions[:3]:
        _mark(s, p)
    _mark(sessions[0], q)
    _mark(sessions[1], q, Attendance.Status.ABSENT)
    _mark(sessions[0], r)

    rate = figures(lab_a, "process.attendance_rate", "profile")
    # Places: 4 sessions x 2 enrolled people; present: 3 + 1.
    assert rate["all"] == (8, 4, 0.5)
    assert rate["newcomer"] == (4, 3, 0.75)
    assert rate["national"] == (4, 1, 0.25)


def test_attendance_rate_counts_the_sessions_of_each_persons_own_cohorts(lab_a):
    activity = ActivityFactory(lab=lab_a)
    weekly, monthly, later = (CohortFactory(activity=activity) for _ in range(3))
    p, q = person(lab_a), person(lab_a, profile="national")
    _enrol(weekly, p)
    _enrol(monthly, p, q)
    _enrol(later, q)  # no session held in 2026: not counted
    held_weekly = [_session(weekly, D(2026, 3, d)) for d in (2, 9, 16)]
    held_monthly = [_session(monthly, D(2026, m, 20)) for m in (3, 4)]
    _mark(_session(later, D(2027, 2, 1)), q)
    _mark(held_weekly[0], p)
    _mark(held_monthly[0], p)
    _mark(held_monthly[1], p)
    _mark(held_monthly[1], q)
    _mark(held_weekly[1], q)  # q is not enrolled in the weekly cohort

    rate = figures(lab_a, "process.attendance_rate", "profile")
    # p: 3 weekly + 2 monthly places, 3 present; q: 2 monthly places, 1.
    assert rate["all"] == (7, 4, pytest.approx(4 / 7))
    assert rate["newcomer"] == (5, 3, 0.6)
    assert rate["national"] == (2, 1, 0.5)


def test_referral_rates_and_median_days_to_acceptance(lab_a):
    service = ServiceFactory(organisation__lab=lab_a)
    n1, n2 = person(lab_a), person(lab_a, profile="national")

    def referral(p, sent, status, accepted=None, declined=None, closed=None):
        Referral.objects.create(
            lab=lab_a,
            participant=p,
            service=service,
            organisation=service.organisation,
            status=status,
            sent_at=sent,
            accepted_at=accepted,
            declined_at=declined,
            closed_at=closed,
        )

    referral(
        n1, at(D(2026, 2, 1)), "completed", at(D(2026, 2, 3)), closed=at(D(2026, 3, 1))
    )
    referral(
        n1,
        at(D(2026, 2, 10)),
        "not_completed",
        at(D(2026, 2, 14)),
        closed=at(D(2026, 4, 1)),
    )
    referral(n2, at(D(2026, 3, 1)), "declined", declined=at(D(2026, 3, 2)))
    referral(n2, at(D(2026, 3, 5)), "sent")
    referral(n2, at(D(2026, 4, 1)), "accepted", at(D(2026, 4, 2)))
    referral(
        n1,
        at(D(2025, 12, 20)),
        "completed",
        at(D(2026, 1, 9)),
        closed=at(D(2026, 2, 1)),
    )

    acceptance = figures(lab_a, "process.referral_acceptance_rate", "profile")
    assert acceptance["all"] == (4, 3, 0.75)
    assert acceptance["national"] == (2, 1, 0.5)
    completion = figures(lab_a, "process.referral_completion_rate", "profile")
    assert completion["all"] == (3, 2, pytest.approx(2 / 3))
    assert completion["newcomer"] == (3, 2, pytest.approx(2 / 3))
    cells = indicator_compute(
        indicator=indicator_get("process.median_days_to_acceptance"),
        lab_ids=[lab_a.pk],
        period=YEAR,
        breakdown="profile",
    )
    whole, national, newcomer = cells
    # Days: 1, 2, 4, 20 -> median 3; n = 4: the interval runs from the 1st
    # to the 4th value.
    assert (whole.n, whole.value, whole.low, whole.high) == (4, 3.0, 1.0, 20.0)
    assert (national.group, national.n, national.value) == ("national", 1, 1.0)
    assert (newcomer.n, newcomer.value) == (3, 4.0)


def test_dropout_rate(lab_a):
    for reason, exit_on, profile in [
        ("dropped_out", D(2026, 2, 1), "newcomer"),
        ("dropped_out", D(2026, 5, 1), "national"),
        ("graduated", D(2026, 6, 1), "newcomer"),
        ("moved_away", D(2026, 7, 1), "newcomer"),
        ("dropped_out", D(2025, 7, 1), "newcomer"),
    ]:
        pathway(person(lab_a, profile=profile), exit=exit_on, reason=reason)
    pathway(person(lab_a))  # still active
    dropout = figures(lab_a, "process.dropout_rate", "profile")
    assert dropout["all"] == (4, 2, 0.5)
    assert dropout["newcomer"] == (3, 1, pytest.approx(1 / 3))


def test_every_indicator_has_a_fixture_here():
    tested = {
        "needs.urgent_met_share",
        "needs.median_days_to_met",
        "language.cefr_gain_6m",
        "language.cefr_gain_12m",
        "economic.employment_rate",
        "economic.unemployment_rate",
        "economic.activity_rate",
        "economic.self_employment_share",
        "economic.overqualification_rate",
        "economic.job_placement_rate",
        "ventures.created",
        "ventures.surviving_12m",
        "ventures.jobs_created",
        "civic.module_completion_share",
        "civic.modules_completed",
        "civic.residence_secured",
        "intercultural.mixed_activity_share",
        "intercultural.mentoring_3m",
        "intercultural.good_health",
        "intercultural.belonging",
        "process.attendance_rate",
        "process.referral_acceptance_rate",
        "process.referral_completion_rate",
        "process.median_days_to_acceptance",
        "process.dropout_rate",
    }
    skills = {i for i in REGISTRY if i.startswith("language.b1_at_exit.")}
    assert len(skills) == 5
    assert set(REGISTRY) == tested | skills


@pytest.mark.parametrize("end", [D(2026, 12, 31), D(2028, 2, 29), D(2026, 3, 1)])
def test_breakdown_groups_computed_in_sql_match_the_python_rules(lab_a, end):
    from openmil.indicators.selectors import age_band, group_expression, origin_group

    births = [
        None,
        end,
        end + dt.timedelta(days=1),
        D(end.year - 18, end.month, 1),
        D(end.year - 25, 2, 28),
        D(end.year - 25, 3, 1),
        D(end.year - 64, 12, 31),
        D(end.year - 65, 1, 1),
        D(2000, 2, 29),
    ]
    origins = ["", "PT", "RO", "SY"]
    for i, birth in enumerate(births):
        person(lab_a, birth_date=birth, country_of_origin=origins[i % 4])
    period = Period(D(end.year, 1, 1), end, "test")
    rows = Participant.objects.filter(lab=lab_a).annotate(
        band=group_expression("age_band", period=period),
        origin=group_expression("origin_group", period=period),
    )
    for p in rows:
        assert p.band == age_band(p.birth_date, end), p.birth_date
        assert p.origin == origin_group(p.country_of_origin, "PT")
