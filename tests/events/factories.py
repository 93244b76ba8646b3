import datetime as dt

import factory
from django.utils import timezone

from openmil.events.models import (
    Event,
    MentoringPair,
    Registration,
    Volunteer,
)
from tests.factories import LabFactory


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    lab = factory.SubFactory(LabFactory)
    title = factory.Sequence(lambda n: f"Open kitchen {n}")
    kind = Event.Kind.INTERCULTURAL
    # A week ahead at 18:00 UTC: an evening in the labs' zones that ends the
    # same day, whatever the hour the tests run (the event form has one day).
    starts_at = factory.LazyFunction(
        lambda: dt.datetime.combine(
            timezone.now().date() + dt.timedelta(days=7), dt.time(18), tzinfo=dt.UTC
        )
    )
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + dt.timedelta(hours=2))
    place = "Community hall"
    capacity = 10
    status = Event.Status.PUBLISHED


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Guest Person{n}")
    email = factory.Sequence(lambda n: f"guest{n}@example.net")
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"Helper Volunteer{n}")
    email = factory.Sequence(lambda n: f"helper{n}@example.net")
    role = Volunteer.Role.MENTOR
    languages = ["pt", "ar"]
    skills = ["cooking"]
    availability = ["weekends"]
    interests = ["language"]
    place = "Graça"


class ApprovedMentorFactory(VolunteerFactory):
    status = Volunteer.Status.APPROVED
    background_check_on = factory.LazyFunction(
        lambda: timezone.localdate() - dt.timedelta(days=10)
    )


class PairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentoringPair

    mentor = factory.SubFactory(ApprovedMentorFactory)
    participant = None
    lab = factory.LazyAttribute(lambda p: p.participant.lab)
    started_on = factory.LazyFunction(timezone.localdate)
