"""Factories for activities, cohorts, sessions, enrolments and attendance."""

import datetime as dt

import factory
from django.utils import timezone

from openmil.activities.models import (
    Activity,
    Attendance,
    Cohort,
    Enrolment,
    Session,
)
from openmil.core.pillars import Pillar
from tests.factories import LabFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    lab = factory.SubFactory(LabFactory)
    title = factory.Sequence(lambda n: f"Portuguese A{n % 2 + 1} course {n}")
    kind = Activity.Kind.COURSE
    pillar = Pillar.LANGUAGE


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"Spring group {n}")
    capacity = 10


def at(days: int, hour: int = 10) -> dt.datetime:
    """A moment `days` from today at `hour`, in the current time zone."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    starts_at = factory.LazyFunction(lambda: at(-1))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(hours=2))
    place = "Room 2"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    status = Enrolment.Status.ENROLLED
    enrolled_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    status = Attendance.Status.PRESENT
