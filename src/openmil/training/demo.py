"""Demo trainings, competencies and certifications for a lab's staff."""

import datetime as dt
import random
from decimal import Decimal

from openmil.core.models import Lab
from openmil.training.models import Certification, Competency, Training
from openmil.training.selectors import lab_staff_users
from openmil.ventures.selectors import add_months

COMPETENCIES = [
    ("Trauma-informed interviewing", 24),
    ("Intercultural mediation", None),
    ("Data protection (GDPR) for caseworkers", 12),
    ("Business coaching for newcomer entrepreneurs", 36),
]
TRAININGS = [
    ("Interviewing people who fled violence", "Refugee support network", "12", 0),
    ("Mediation in mixed groups", "University extension school", "20", 1),
    ("Handling personal data at intake", "Data protection authority", "4", 2),
    ("Coaching a first business plan", "Migrant business incubator", "16", 3),
]


def populate_lab_training(*, lab: Lab, seed: int, today: dt.date) -> int:
    """Create the lab's competencies, trainings and certifications."""
    rng = random.Random(f"training-{lab.slug}-{seed}")  # noqa: S311 - demo data
    staff = list(lab_staff_users(lab_id=lab.pk))
    competencies = [
        Competency.objects.create(lab=lab, name=name, validity_months=months)
        for name, months in COMPETENCIES
    ]
    certifications = []
    for title, provider, hours, index in TRAININGS:
        held = today - dt.timedelta(days=rng.randint(30, 700))
        training = Training.objects.create(
            lab=lab, title=title, provider=provider, hours=Decimal(hours), held_on=held
        )
        competency = competencies[index]
        training.competencies.set([competency])
        followed = [u for u in staff if rng.random() < 0.7] or staff[:1]
        training.attendees.set(followed)
        for user in followed:
            months = competency.validity_months
            certifications.append(
                Certification(
                    lab=lab,
                    user=user,
                    competency=competency,
                    certified_on=held,
                    expires_on=add_months(held, months) if months else None,
                    training=training,
                )
            )
    # One certification due for renewal soon, so the coordinator's page shows it.
    if staff:
        data_protection = competencies[2]
        certifications.append(
            Certification(
                lab=lab,
                user=staff[-1],
                competency=data_protection,
                certified_on=add_months(today, -12) + dt.timedelta(days=40),
                expires_on=today + dt.timedelta(days=40),
            )
        )
    Certification.objects.bulk_create(certifications)
    return len(certifications)
