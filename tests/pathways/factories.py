"""Factories of pathway records."""

import datetime as dt

import factory
from django.utils import timezone

from openmil.core.pillars import Pillar
from openmil.pathways.models import (
    Assessment,
    CivicModule,
    FollowUpSurvey,
    Goal,
    Pathway,
    PathwayTemplate,
    ReadinessCriterion,
    TemplateGoal,
)
from tests.factories import LabFactory, ParticipantFactory


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathwayTemplate

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"Template {n}")


class TemplateGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateGoal

    template = factory.SubFactory(TemplateFactory)
    pillar = Pillar.LANGUAGE
    title = factory.Sequence(lambda n: f"Template goal {n}")
    milestones = "First step\nSecond step"
    target_weeks = 12


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadinessCriterion

    template = factory.SubFactory(TemplateFactory)
    kind = ReadinessCriterion.Kind.EMPLOYMENT
    weight = 1
    employment_status = "employed"


class CivicModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CivicModule

    lab = factory.SubFactory(LabFactory)
    title = factory.Sequence(lambda n: f"Module {n}")


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pathway

    participant = factory.SubFactory(ParticipantFactory)
    started_on = factory.LazyFunction(
        lambda: timezone.localdate() - dt.timedelta(days=60)
    )


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    pathway = factory.SubFactory(PathwayFactory)
    pillar = Pillar.LANGUAGE
    title = factory.Sequence(lambda n: f"Goal {n}")
    status = Goal.Status.PLANNED


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    participant = factory.SubFactory(ParticipantFactory)
    kind = Assessment.Kind.CEFR
    assessed_on = factory.LazyFunction(
        lambda: timezone.localdate() - dt.timedelta(days=5)
    )
    instrument = "Placement test"
    assessor = "Teacher"
    language = "pt"
    skill = "spoken_interaction"
    cefr_level = 2


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpSurvey

    pathway = factory.SubFactory(PathwayFactory)
    months = 3
    due_on = factory.LazyFunction(timezone.localdate)
