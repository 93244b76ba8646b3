"""Factories for trainings, competencies and certifications."""

import datetime as dt
from decimal import Decimal

import factory

from openmil.training.models import Certification, Competency, Training
from tests.factories import LabFactory


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"Competency {n}")


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    lab = factory.SubFactory(LabFactory)
    title = factory.Sequence(lambda n: f"Training {n}")
    provider = "Open University"
    hours = Decimal("12.0")
    held_on = dt.date(2026, 3, 2)


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    competency = factory.SubFactory(CompetencyFactory)
    lab = factory.SelfAttribute("competency.lab")
    certified_on = dt.date(2026, 3, 2)
