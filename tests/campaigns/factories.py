"""Factories for campaigns, messages, fact cards and reach figures."""

import datetime as dt

import factory
from django.utils import timezone

from openmil.campaigns.models import (
    Campaign,
    FactCard,
    FactSource,
    Kpi,
    Message,
    MessageTranslation,
    ReachRecord,
)
from tests.factories import LabFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"No walls but bridges {n}")
    slug = factory.Sequence(lambda n: f"bridges-{n}")
    starts_on = dt.date(2026, 1, 1)
    ends_on = dt.date(2026, 12, 31)
    languages = ["en", "fr", "ar", "fa"]
    status = Campaign.Status.RUNNING


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    campaign = factory.SubFactory(CampaignFactory)
    metric = Kpi.Metric.IMPRESSIONS
    target = 1000
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 12, 31)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Message {n}")


class TranslationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageTranslation

    message = factory.SubFactory(MessageFactory)
    language = "en"
    text = "Newcomers start businesses."
    status = "published"


class FactCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FactCard

    lab = factory.SubFactory(LabFactory)
    slug = factory.Sequence(lambda n: f"myth-{n}")
    language = "en"
    claim = "Migrants take our jobs."
    claimed_by = "A common saying"
    facts = "Studies find **no lasting effect** on natives' employment."
    rating = FactCard.Rating.MISLEADING
    status = FactCard.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class FactSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FactSource

    card = factory.SubFactory(FactCardFactory)
    title = "International Migration Outlook 2025"
    publisher = "OECD"
    url = "https://www.oecd.org/migration-outlook"
    published_on = dt.date(2025, 11, 3)


class ReachRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReachRecord

    campaign = factory.SubFactory(CampaignFactory)
    platform = "facebook"
    account = "openmil.lab"
    language = "en"
    post = factory.Sequence(lambda n: f"post-{n}")
    date = dt.date(2026, 3, 1)
    reach = 100
    impressions = 150
    engagements = 10
    shares = 2
    link_clicks = 5


CSV_HEADER = (
    "platform,account,language,post,date,reach,impressions,engagements,shares,"
    "link_clicks\n"
)


def csv_bytes(*rows: str, header: str = CSV_HEADER) -> bytes:
    """A platform export with these data rows."""
    return (header + "".join(r + "\n" for r in rows)).encode()
