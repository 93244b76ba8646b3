"""Demo awareness campaign of a lab: KPIs, messages in several languages,
published fact cards with sources, a month of reach figures and a few
tagged sign-ups."""

import datetime as dt
import random

from django.utils import timezone

from openmil.campaigns.models import (
    Campaign,
    Conversion,
    FactCard,
    FactSource,
    Kpi,
    Message,
    MessageTranslation,
    ReachImport,
    ReachRecord,
)
from openmil.core.models import Lab

CARDS = [
    (
        "Migrants take jobs away from local workers.",
        "A common saying",
        "Across OECD countries, studies find **no lasting effect** of migration on "
        "the employment of native workers; newcomers often fill shortage "
        "occupations and start businesses that hire locally.",
        FactCard.Rating.MISLEADING,
        ("International Migration Outlook", "OECD", "https://www.oecd.org/"),
    ),
    (
        "Refugees do not pay taxes.",
        "Social media posts",
        "Refugees who work pay income tax and social contributions like anyone "
        "else, and everyone pays consumption taxes such as VAT.",
        FactCard.Rating.FALSE,
        ("Taxation trends in the EU", "Eurostat", "https://ec.europa.eu/eurostat"),
    ),
    (
        "Newcomers start businesses more often than natives.",
        "",
        "In most EU countries the self-employment rate of people born abroad is "
        "close to or above that of natives.",
        FactCard.Rating.MOSTLY_TRUE,
        (
            "Migrant entrepreneurship",
            "European Commission",
            "https://commission.europa.eu/",
        ),
    ),
]
MESSAGES = [
    (
        "No walls but bridges",
        {
            "en": "Integration works when we **build it together**.",
            "fr": "L’intégration réussit quand nous la **construisons ensemble**.",
            "ar": "ينجح الاندماج عندما **نبنيه معًا**.",
        },
    ),
    (
        "Facts, not fear",
        {"en": "Check the facts before you share: most claims fall apart."},
    ),
]
PLATFORMS = ["facebook", "instagram", "x", "linkedin"]


def populate_lab_campaigns(*, lab: Lab, seed: int, today: dt.date) -> int:
    """Create one running campaign with its figures; returns the reach rows."""
    rng = random.Random(f"campaigns-{lab.slug}-{seed}")  # noqa: S311 - demo data
    starts = today - dt.timedelta(days=45)
    campaign = Campaign.objects.create(
        lab=lab,
        name="No walls but bridges",
        slug=f"bridges-{lab.slug}"[:60],
        summary="A zero-budget campaign answering stereotypes with facts.",
        objectives="Reach people who have never met a newcomer; bring them to an "
        "intercultural event.",
        starts_on=starts,
        ends_on=today + dt.timedelta(days=45),
        languages=["en", "fr", "ar", "es", "uk", "fa"],
        status=Campaign.Status.RUNNING,
    )
    for metric, target in [
        (Kpi.Metric.IMPRESSIONS, 400_000),
        (Kpi.Metric.REACH, 150_000),
        (Kpi.Metric.LINK_CLICKS, 3_000),
        (Kpi.Metric.SIGNUPS, 60),
        (Kpi.Metric.ATTENDANCE, 120),
    ]:
        Kpi.objects.create(
            campaign=campaign,
            metric=metric,
            target=target,
            period_start=campaign.starts_on,
            period_end=campaign.ends_on,
            reported_value=rng.randint(40, 140)
            if metric == Kpi.Metric.ATTENDANCE
            else None,
        )
    for title, texts in MESSAGES:
        message = Message.objects.create(campaign=campaign, title=title)
        MessageTranslation.objects.bulk_create(
            MessageTranslation(
                message=message,
                language=lang,
                text=text,
                status="published" if lang in ("en", "fr") else "reviewed",
            )
            for lang, text in texts.items()
        )
    now = timezone.now()
    for n, (claim, by, facts, rating, source) in enumerate(CARDS):
        card = FactCard.objects.create(
            lab=lab,
            campaign=campaign,
            slug=f"{lab.slug}-myth-{n + 1}"[:80],
            claim=claim,
            claimed_by=by,
            facts=facts,
            rating=rating,
            status=FactCard.Status.PUBLISHED,
            published_at=now - dt.timedelta(days=10 * (3 - n)),
        )
        title, publisher, url = source
        FactSource.objects.create(
            card=card,
            title=title,
            publisher=publisher,
            url=url,
            published_on=today - dt.timedelta(days=200 + 30 * n),
        )
    job = ReachImport.objects.create(
        campaign=campaign, file_name="demo-export.csv", rows=0, created=0, updated=0
    )
    records = []
    for day in range(30):
        on = starts + dt.timedelta(days=day)
        for platform in PLATFORMS:
            reach = rng.randint(500, 6000)
            records.append(
                ReachRecord(
                    campaign=campaign,
                    platform=platform,
                    account=f"openmil.{lab.slug}",
                    language=rng.choice(["en", "fr", "ar", "uk"]),
                    post=f"{platform}-{day // 3}",
                    date=on,
                    reach=reach,
                    impressions=int(reach * rng.uniform(1.1, 2.0)),
                    engagements=rng.randint(10, 300),
                    shares=rng.randint(0, 40),
                    link_clicks=rng.randint(0, 60),
                    source=job,
                )
            )
    ReachRecord.objects.bulk_create(records)
    job.rows = job.created = len(records)
    job.save(update_fields=["rows", "created"])
    Conversion.objects.bulk_create(
        Conversion(
            campaign=campaign,
            kind=rng.choice(["signup", "signup", "registration"]),
            utm_source=rng.choice(PLATFORMS),
            utm_medium="social",
            utm_campaign=campaign.slug,
            utm_content=rng.choice(["en", "fr", "ar"]),
            occurred_at=now - dt.timedelta(days=rng.randint(0, 40)),
        )
        for _i in range(rng.randint(20, 50))
    )
    return len(records)
