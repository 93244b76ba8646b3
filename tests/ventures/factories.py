"""Factories for ventures and territorial needs."""

import datetime as dt

import factory

from openmil.core.models import Organisation
from openmil.ventures.models import Sector, Stage, StageChange, TerritorialNeed, Venture
from tests.factories import LabFactory, OrganisationFactory


class TerritorialNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TerritorialNeed

    lab = factory.SubFactory(LabFactory)
    kind = TerritorialNeed.Kind.MISSING_SERVICE
    title = factory.Sequence(lambda n: f"Territorial need {n}")
    place = "Mouraria"


class VentureFactory(factory.django.DjangoModelFactory):
    """A venture at the idea stage, with the first step of its timeline.

    Pass `founders=[...]` (participants of the venture's lab).
    """

    class Meta:
        model = Venture
        skip_postgeneration_save = True

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"Venture {n}")
    sector = Sector.I
    started_on = dt.date(2025, 1, 10)

    @factory.post_generation
    def founders(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.founders.set(extracted)

    @factory.post_generation
    def first_step(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            StageChange.objects.create(
                venture=obj, from_stage="", to_stage=Stage.IDEA, on=obj.started_on
            )


def incubator(lab) -> Organisation:
    return OrganisationFactory(lab=lab, kind=Organisation.Kind.INCUBATOR)
