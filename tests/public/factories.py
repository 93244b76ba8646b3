import factory

from openmil.core.pillars import Pillar
from openmil.public.models import (
    Participation,
    Project,
    ProjectKind,
    Recommendation,
    Report,
)
from tests.factories import LabFactory, UserFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    lab = factory.SubFactory(LabFactory)
    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Community garden {n}")
    summary = "Neighbours and newcomers grow vegetables together."
    description = "We meet **every Saturday**."
    kind = ProjectKind.TERRITORIAL
    pillars = factory.LazyFunction(lambda: [Pillar.INTERCULTURAL])
    sdgs = factory.LazyFunction(lambda: [11])
    language = "en"
    status = Project.Status.PUBLISHED


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    kind = Participation.Kind.SUPPORT
    group = Participation.Group.NEWCOMER
    show_name = False


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    project = factory.SubFactory(ProjectFactory)
    reason = "Spam"


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    lab = factory.SubFactory(LabFactory)
    title = factory.Sequence(lambda n: f"Recognise foreign diplomas faster {n}")
    body = "Shorten the *recognition* procedure to three months."
    addressed_to = "Ministry of Education"
    language = "en"
