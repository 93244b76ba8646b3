"""Demo data of the partners app: services, referrals in every state, and
opportunities, for one lab of the demo network.

Deterministic (its own seeded generator) and fast (bulk inserts). Referrals
go to organisations whose category the participant consented to share with;
a few others carry a coordinator's recorded override, as the real flow would.
"""

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from openmil.classifications.models import IscoGroup
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, Lab, Membership
from openmil.core.roles import Role
from openmil.participants.models import Consent, Need, NeedType
from openmil.partners.models import Opportunity, Referral, ReferralEvent, Service

#: (organisation kind, service name, pillar or "need:<code>", languages)
SERVICES = [
    ("housing", "Emergency and transitional housing", "need:housing", ["en", "ar"]),
    ("housing", "Tenancy support and rental guarantee", "need:housing", ["en", "fr"]),
    (
        "health",
        "Health registration and first visit",
        "need:health",
        ["en", "ar", "fa"],
    ),
    ("public", "Job counselling and CV workshop", "economic", ["en"]),
    ("public", "Minimum income application", "need:income", ["en"]),
    ("education", "Evening language course (A1–B1)", "language", ["en", "ar", "uk"]),
    ("incubator", "Business plan coaching", "economic", ["en", "fr"]),
    (
        "community",
        "Welcome circle and peer mentoring",
        "intercultural",
        ["ar", "fa", "ti"],
    ),
    (
        "legal",
        "Legal advice on residence and family reunification",
        "need:documents",
        ["en", "ar", "fr"],
    ),
    ("ngo", "Civic orientation sessions", "civic", ["en", "ar"]),
    ("ngo", "Food parcels and social support", "need:income", ["en", "ar", "uk"]),
    ("employer", "Supported first job placements", "economic", ["en"]),
]

#: (organisation kind, opportunity kind, title, ISCO-08 group, CEFR level 0–6)
OPPORTUNITIES = [
    ("employer", "vacancy", "Kitchen assistant", "9412", 2),
    ("employer", "vacancy", "Warehouse operator", "9333", 2),
    ("employer", "vacancy", "Care assistant", "5322", 3),
    ("education", "training", "Electrician apprenticeship seats", "7411", 3),
    ("incubator", "incubator", "Six-month incubator place", "", None),
    ("community", "mentoring", "Mentoring slot with a local volunteer", "", None),
    ("housing", "housing", "Shared flat, two rooms", "", None),
]

#: Share of referrals left in each state.
STATES = [
    ("draft", 2),
    ("sent", 3),
    ("sent_overdue", 2),
    ("accepted", 3),
    ("accepted_overdue", 2),
    ("declined", 2),
    ("completed", 5),
    ("not_completed", 1),
    ("revoked", 1),
]


def populate_partners(lab: Lab, *, seed: int, count: int = 42) -> None:
    """Services, referrals and opportunities of one demo lab."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        services = _services(lab, rng)
        _opportunities(lab, rng, today)
        _referrals(lab, rng, now, services, count)
        audit_record(
            actor=None,
            action=AuditEntry.Action.CREATE,
            object_type="demo_partners",
            lab_id=lab.pk,
            detail="demo partner services, referrals and opportunities",
        )


def _services(lab: Lab, rng: random.Random) -> list[Service]:
    orgs = {o.kind: o for o in lab.organisations.all()}
    needs = {nt.code: nt for nt in NeedType.objects.filter(lab__isnull=True)}
    rows = []
    for kind, name, area, languages in SERVICES:
        org = orgs.get(kind)
        if org is None:
            continue
        need = (
            needs.get(area.removeprefix("need:")) if area.startswith("need:") else None
        )
        service = Service(
            organisation=org,
            name=name,
            description=f"{name} for people living in {lab.territory}.",
            pillar="" if need else area,
            need_type=need,
            eligibility="Living in the territory; referral by the lab.",
            eligible_profile=rng.choice(["both", "both", "newcomer"]),
            languages=languages,
            capacity=rng.choice([None, 5, 10, 20]),
            place=lab.territory,
            contact=org.email,
            response_days=rng.choice([3, 5, 7]),
        )
        service.refresh_search_text()
        rows.append(service)
    return Service.objects.bulk_create(rows)


def _opportunities(lab: Lab, rng: random.Random, today: dt.date) -> None:
    orgs = {o.kind: o for o in lab.organisations.all()}
    groups = set(IscoGroup.objects.values_list("code", flat=True))
    language = (lab.working_languages or ["en"])[0]
    rows = []
    for i, (kind, opp_kind, title, isco, cefr) in enumerate(OPPORTUNITIES):
        org = orgs.get(kind)
        if org is None:
            continue
        starts = today + dt.timedelta(days=rng.randint(-10, 40))
        rows.append(
            Opportunity(
                organisation=org,
                kind=opp_kind,
                title=title,
                description=f"{title} in {lab.territory}.",
                capacity=rng.randint(1, 6),
                isco_group_id=isco if isco in groups else None,
                language=language if cefr is not None else "",
                min_cefr=cefr,
                place=lab.territory,
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=rng.choice([90, 180, 365])),
                is_open=i != len(OPPORTUNITIES) - 1 or rng.random() < 0.5,
            )
        )
    Opportunity.objects.bulk_create(rows)


def _referrals(
    lab: Lab, rng: random.Random, now: dt.datetime, services: list[Service], count: int
) -> None:
    if not services:
        return
    by_kind: dict[str, list[Service]] = {}
    for s in services:
        by_kind.setdefault(s.organisation.kind, []).append(s)
    coordinator = (
        Membership.objects.filter(lab=lab, role=Role.COORDINATOR)
        .select_related("user")
        .first()
    )
    consents = list(
        Consent.objects.filter(
            participant__lab=lab,
            purpose=Consent.Purpose.PARTNER_SHARING,
            withdrawn_at__isnull=True,
        )
        .select_related("participant", "participant__caseworker")
        .order_by("participant_id")[: count * 2]
    )
    rng.shuffle(consents)
    needs = {
        (n.participant_id, n.need_type_id): n
        for n in Need.objects.filter(participant__lab=lab)
    }
    states = [state for state, weight in STATES for _ in range(weight)]
    referrals, plans = [], []
    for i, consent in enumerate(consents[:count]):
        p = consent.participant
        overridden = i % 10 == 9
        kinds = list(by_kind) if overridden else [consent.partner_category]
        pool = [s for k in kinds for s in by_kind.get(k, [])]
        if not pool:
            continue
        service = rng.choice(pool)
        state = states[i % len(states)]
        created = now - dt.timedelta(days=rng.randint(2, 90), hours=rng.randint(0, 8))
        referral = Referral(
            lab=lab,
            participant=p,
            need=needs.get((p.pk, service.need_type_id))
            if service.need_type_id
            else None,
            service=service,
            organisation=service.organisation,
            note="Please contact them by phone in the morning.",
            created_by=p.caseworker,
            created_at=created,
        )
        if overridden and coordinator is not None:
            referral.consent_override_reason = (
                "Urgent situation; consent asked again at the next visit."
            )
            referral.consent_override_by = coordinator.user
        plans.append(_plan(referral, state, rng, now))
        referrals.append(referral)
    Referral.objects.bulk_create(referrals)
    events = []
    for referral, steps in zip(referrals, plans, strict=True):
        previous = ""
        for status, at, actor, reason in steps:
            events.append(
                ReferralEvent(
                    referral=referral,
                    from_status=previous,
                    to_status=status,
                    actor=actor,
                    actor_name=actor.get_username() if actor else "",
                    at=at,
                    reason=reason,
                )
            )
            previous = status
    ReferralEvent.objects.bulk_create(events)


def _plan(
    r: Referral, state: str, rng: random.Random, now: dt.datetime
) -> list[tuple[str, dt.datetime, Any, str]]:
    """Set the referral's state and dates; return its history."""
    partner = (
        Membership.objects.filter(organisation=r.organisation, role=Role.PARTNER_STAFF)
        .select_related("user")
        .first()
    )
    partner_user = partner.user if partner else None
    sender = r.created_by
    steps: list[tuple[str, dt.datetime, Any, str]] = [
        ("draft", r.created_at, sender, "")
    ]
    if state == "draft":
        return steps
    days = r.service.response_days
    if state == "sent_overdue":
        sent = now - dt.timedelta(days=days + rng.randint(1, 6))
    elif state == "sent":
        sent = now - dt.timedelta(hours=rng.randint(2, days * 20))
    else:
        sent = r.created_at + dt.timedelta(hours=rng.randint(1, 30))
    sent = max(sent, r.created_at)
    r.sent_at = sent
    steps.append(("sent", sent, sender, r.consent_override_reason))
    if state in ("sent", "sent_overdue"):
        r.status, r.due_at = "sent", sent + dt.timedelta(days=days)
        return steps
    if state == "revoked":
        r.status, r.closed_at = "revoked", sent + dt.timedelta(hours=5)
        steps.append(("revoked", r.closed_at, sender, "The person found a place."))
        return steps
    answered = min(sent + dt.timedelta(hours=rng.randint(3, days * 24)), now)
    if state == "declined":
        r.status, r.declined_at, r.closed_at = "declined", answered, answered
        r.reason = "No place left this month."
        steps.append(("declined", answered, partner_user, r.reason))
        return steps
    if state == "accepted_overdue":
        answered = now - dt.timedelta(days=rng.randint(32, 45))
        sent = min(sent, answered - dt.timedelta(days=2))
        r.created_at = min(r.created_at, sent - dt.timedelta(hours=3))
        r.sent_at = sent
        steps[0] = ("draft", r.created_at, sender, "")
        steps[-1] = ("sent", sent, sender, r.consent_override_reason)
    r.accepted_at = answered
    steps.append(("accepted", answered, partner_user, ""))
    if state in ("accepted", "accepted_overdue"):
        r.status, r.due_at = "accepted", answered + dt.timedelta(days=30)
        return steps
    closed = answered + dt.timedelta(days=rng.randint(2, 25))
    closed = min(closed, now)
    r.closed_at = closed
    if state == "completed":
        r.status = "completed"
        steps.append(("completed", closed, partner_user, ""))
    else:
        r.status, r.reason = (
            "not_completed",
            "The person did not come to the appointments.",
        )
        steps.append(("not_completed", closed, partner_user, r.reason))
    return steps
