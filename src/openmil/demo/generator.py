"""A reproducible generator of demo and benchmark data.

`generate(labs=3, participants=150, seed=1)` builds a network with `labs`
labs (Lisbon, Turin, Leipzig, …), each with a coordinator, two
facilitators, an analyst view, partner organisations and `participants`
people: newcomers from many origins (names in Arabic, Persian, Cyrillic,
Ge'ez, Bengali, Han and Latin scripts) and nationals of the lab's country,
intake dates over the last two years, basic needs in every state, consents
and follow-ups. The same arguments give the same data on the same day;
running it again when the data exists changes nothing.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from openmil.activities import demo as activities_demo
from openmil.campaigns.demo import populate_lab_campaigns
from openmil.classifications.models import Occupation
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, Lab, Membership, Network, Organisation
from openmil.core.roles import Role
from openmil.demo.names import (
    LABS,
    LEGAL_STATUSES,
    NATIONALS,
    ORIGINS,
    PARTNERS,
    STAFF_NAMES,
)
from openmil.events import demo as events_demo
from openmil.indicators import demo as indicators_demo
from openmil.indicators.demo_references import populate_lab_references
from openmil.network.demo import populate_network
from openmil.participants.models import (
    Consent,
    FollowUp,
    Household,
    LegalStatusCategory,
    Need,
    NeedType,
    Participant,
    normalise_for_search,
)
from openmil.partners.demo import populate_partners
from openmil.pathways import demo as pathways_demo
from openmil.placements import demo as placements_demo
from openmil.portal import demo as portal_demo
from openmil.privacy.demo import populate_privacy
from openmil.public.demo import populate_lab_public
from openmil.training.demo import populate_lab_training
from openmil.ventures.demo import populate_lab_ventures

DEMO_PASSWORD = "openmil-demo"  # noqa: S105 - published demo credential
NETWORK_SLUG = "demo-network"
BATCH = 2000
FOLLOW_UP_OFFSETS = (-2, -1, 0, 0, 0, 1, 3, 7, 14, 21)
FOLLOW_UP_SUBJECTS = (
    "Check housing and next steps",
    "Call about the language course",
    "Review documents before the appointment",
    "Ask how the first week at work went",
)


@dataclass
class Login:
    username: str
    role: str
    lab: str


@dataclass
class Result:
    created: bool
    logins: list[Login] = field(default_factory=list)
    participants: int = 0


def _lab_spec(i: int) -> tuple[str, str, str, str, str, list[str]]:
    slug, name, country, territory, tz, langs = LABS[i % len(LABS)]
    if i >= len(LABS):
        n = i // len(LABS) + 1
        return f"{slug}-{n}", f"{name} {n}", country, territory, tz, langs
    return slug, name, country, territory, tz, langs


def _user(username: str, first: str, last: str, email_domain: str = "demo.openmil.org"):  # type: ignore[no-untyped-def]
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@{email_domain}",
        },
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


_password_hashes: dict[str, str] = {}


def _demo_password_hash() -> str:
    """The demo password hashed once per hasher, not once per user (PBKDF2
    takes a third of a second: eight seconds for four labs)."""
    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _password_hashes:
        _password_hashes[hasher] = make_password(DEMO_PASSWORD)
    return _password_hashes[hasher]


def logins_table(logins: list[Login]) -> list[str]:
    """The logins as aligned lines, for the demo commands to print."""
    width = max((len(login.username) for login in logins), default=0)
    return [f"  {x.username:<{width}}  {x.role:<14} {x.lab}" for x in logins]


def logins_for(labs: list[Lab]) -> list[Login]:
    out = [
        Login("network.admin", "network_admin", "all"),
        Login("analyst", "analyst", "all"),
    ]
    for lab in labs:
        city = lab.slug
        out += [
            Login(f"coord.{city}", "coordinator", lab.name),
            Login(f"facil1.{city}", "facilitator", lab.name),
            Login(f"facil2.{city}", "facilitator", lab.name),
            Login(f"partner.{city}", "partner_staff", lab.name),
            Login(f"mentor.{city}", "mentor", lab.name),
            Login(f"dpo.{city}", "dpo", lab.name),
        ]
    out += [Login(*login) for login in portal_demo.demo_logins(labs)]
    return out


def generate(
    *,
    labs: int = 3,
    participants: int = 150,
    seed: int = 1,
    progress: Callable[[str], None] = lambda _msg: None,
) -> Result:
    """Create the demo network unless it exists; return the logins."""
    existing = Network.objects.filter(slug=NETWORK_SLUG).first()
    if existing is not None:
        lab_objs = list(existing.labs.order_by("id"))
        return Result(
            created=False,
            logins=logins_for(lab_objs),
            participants=Participant.objects.filter(lab__network=existing).count(),
        )
    rng = random.Random(seed)
    today = timezone.localdate()
    need_types = list(NeedType.objects.filter(lab__isnull=True).order_by("position"))
    occupation_ids = list(
        Occupation.objects.order_by("pk").values_list("pk", flat=True)[::7]
    )
    with transaction.atomic():
        network = Network.objects.create(name="OpenMIL Demo Network", slug=NETWORK_SLUG)
        admin = _user("network.admin", "Nadia", "Admin")
        analyst = _user("analyst", "Amir", "Analyst")
        lab_objs = []
        for i in range(labs):
            slug, name, country, territory, tz, langs = _lab_spec(i)
            lab = Lab.objects.create(
                network=network,
                name=name,
                slug=slug,
                country=country,
                territory=territory,
                time_zone=tz,
                working_languages=langs,
                reference_prefix=slug[:3].upper(),
            )
            lab_objs.append(lab)
            Membership.objects.create(user=admin, lab=lab, role=Role.NETWORK_ADMIN)
            Membership.objects.create(user=analyst, lab=lab, role=Role.ANALYST)
            Organisation.objects.bulk_create(
                Organisation(
                    lab=lab,
                    kind=kind,
                    name=f"{label} {territory}",
                    email=f"contact@{kind}.{slug}.example.org",
                )
                for kind, label in PARTNERS
            )
            for position, status in enumerate(LEGAL_STATUSES):
                LegalStatusCategory.objects.create(
                    lab=lab, name=status, position=position
                )
            NeedType.objects.create(
                lab=lab, code="childcare", label="Childcare", position=10
            )
    for i, lab in enumerate(lab_objs):
        progress(f"{lab.name}: {participants} participants")
        _populate_lab(lab, i, participants, rng, today, need_types, occupation_ids)
        populate_privacy(lab)
        populate_partners(lab, seed=seed * 100 + i)
        pathways_demo.populate(lab, seed=seed * 100 + i, today=today)
        activities_demo.populate_lab(lab=lab, today=today)
        populate_lab_ventures(lab=lab, seed=seed + i, today=today)
        populate_lab_training(lab=lab, seed=seed + i, today=today)
        indicators_demo.populate_lab(lab=lab, seed=seed + i, today=today)
        events_demo.populate_lab(lab=lab, today=today)
        placements_demo.populate_lab(lab=lab, today=today)
        populate_lab_campaigns(lab=lab, seed=seed + i, today=today)
        populate_lab_references(lab=lab)
        populate_lab_public(lab=lab, seed=seed + i, today=today)
    populate_network(labs=lab_objs, today=today)
    portal_demo.demo_accounts(lab_objs, password_hash=_demo_password_hash())
    return Result(
        created=True,
        logins=logins_for(lab_objs),
        participants=participants * len(lab_objs),
    )


def _populate_lab(  # noqa: C901 - one linear recipe, easier to read whole
    lab: Lab,
    index: int,
    count: int,
    rng: random.Random,
    today: dt.date,
    need_types: list[NeedType],
    occupation_ids: list[str],
) -> None:
    city = lab.slug
    names = STAFF_NAMES[index % len(STAFF_NAMES)]
    coordinator = _user(f"coord.{city}", *names[0])
    facilitators = [
        _user(f"facil1.{city}", *names[1]),
        _user(f"facil2.{city}", *names[2]),
    ]
    Membership.objects.create(user=coordinator, lab=lab, role=Role.COORDINATOR)
    for f in facilitators:
        Membership.objects.create(user=f, lab=lab, role=Role.FACILITATOR)
    partner_org = lab.organisations.get(kind="housing")
    Membership.objects.create(
        user=_user(f"partner.{city}", "Paulo", "Partner"),
        lab=lab,
        role=Role.PARTNER_STAFF,
        organisation=partner_org,
    )
    Membership.objects.create(
        user=_user(f"mentor.{city}", "Mira", "Mentor"), lab=lab, role=Role.MENTOR
    )
    statuses = list(LegalStatusCategory.objects.filter(lab=lab).order_by("position"))
    lab_need_types = [*need_types, NeedType.objects.get(lab=lab, code="childcare")]
    national_spec = NATIONALS.get(lab.country, NATIONALS["PT"])
    origins = list(ORIGINS)
    staff = [coordinator, *facilitators]
    prefix = lab.reference_prefix or city[:3].upper()
    written = 0
    while written < count:
        size = min(BATCH, count - written)
        with transaction.atomic():
            people = []
            households: list[Household] = []
            for n in range(written, written + size):
                people.append(
                    _person(
                        lab,
                        prefix,
                        n,
                        rng,
                        today,
                        origins,
                        national_spec,
                        statuses,
                        staff,
                        households,
                    )
                )
            Household.objects.bulk_create(households)
            for p in people:
                if p.household is not None:
                    p.household_id = p.household.pk
            Participant.objects.bulk_create(people, batch_size=1000)
            needs, consents, follow_ups, links = [], [], [], []
            for p in people:
                needs += _needs(p, rng, today, lab_need_types, staff)
                consents += _consents(p, rng)
                if rng.random() < 0.2:
                    follow_ups.append(
                        FollowUp(
                            participant=p,
                            due_on=today
                            + dt.timedelta(days=rng.choice(FOLLOW_UP_OFFSETS)),
                            subject=rng.choice(FOLLOW_UP_SUBJECTS),
                            assigned_to=p.caseworker,
                        )
                    )
                if (
                    p.profile == Participant.Profile.NEWCOMER
                    and occupation_ids
                    and rng.random() < 0.5
                ):
                    links.append(
                        Participant.past_occupations.through(
                            participant_id=p.pk,
                            occupation_id=rng.choice(occupation_ids),
                        )
                    )
            Need.objects.bulk_create(needs, batch_size=1000)
            Consent.objects.bulk_create(consents, batch_size=1000)
            FollowUp.objects.bulk_create(follow_ups, batch_size=1000)
            Participant.past_occupations.through.objects.bulk_create(
                links, batch_size=1000
            )
        written += size
    audit_record(
        actor=None,
        action=AuditEntry.Action.CREATE,
        object_type="demo_data",
        lab_id=lab.pk,
        detail=f"{count} demo participants generated",
    )


def _person(  # type: ignore[no-untyped-def]
    lab, prefix, n, rng, today, origins, national_spec, statuses, staff, households
) -> Participant:
    newcomer = rng.random() < 0.65
    intake = today - dt.timedelta(days=rng.randint(0, 730))
    age_years = rng.randint(18, 64)
    birth = dt.date(intake.year - age_years, rng.randint(1, 12), rng.randint(1, 28))
    precision = rng.choices(["day", "month", "year"], weights=[85, 5, 10])[0]
    if precision == "year":
        birth = birth.replace(month=1, day=1)
    elif precision == "month":
        birth = birth.replace(day=1)
    sex = rng.choices(
        ["female", "male", "other", "not_stated"], weights=[47, 47, 2, 4]
    )[0]
    caseworker = staff[1 + n % 2] if rng.random() < 0.9 else staff[0]
    if newcomer:
        origin = rng.choice(origins)
        tongue, givens, families = ORIGINS[origin]
        given, given_latin = rng.choice(givens)
        family, family_latin = rng.choice(families)
        latin = f"{given_latin} {family_latin}".strip() if given_latin else ""
        arrival = intake - dt.timedelta(days=rng.randint(7, 900))
        status = statuses[rng.choice([0, 0, 1, 1, 2, 3, 4, 5])]
        nationality, stateless = origin, rng.random() < 0.02
        if stateless:
            nationality = ""
        other = ["en"] if rng.random() < 0.4 else []
        education = rng.choice([1, 2, 3, 3, 4, 6, 6, 7, None])
    else:
        tongue, givens, families = national_spec
        given, family, latin = rng.choice(givens), rng.choice(families), ""
        origin, nationality, stateless, arrival = lab.country, lab.country, False, None
        status = statuses[-1]
        other = []
        education = rng.choice([1, 2, 2, 3, 3, 4, 5, None])
    household = None
    role = ""
    if rng.random() < 0.35:
        if households and rng.random() < 0.5:
            household, role = (
                households[-1],
                rng.choice(["partner", "child", "relative"]),
            )
        else:
            household = Household(lab=lab, reference=f"{prefix}-H{n:06d}")
            households.append(household)
            role = "head"
    p = Participant(
        lab=lab,
        reference=f"{prefix}-{n + 1:06d}",
        profile="newcomer" if newcomer else "national",
        given_name=given,
        family_name=family,
        name_latin=latin,
        birth_date=birth,
        birth_date_precision=precision,
        sex=sex,
        country_of_origin=origin,
        nationality=nationality,
        stateless=stateless,
        mother_tongue=tongue,
        other_languages=other,
        arrival_date=arrival,
        household=household,
        household_role=role,
        phone=_phone(rng),
        email=f"person{n}@mail.example.org" if rng.random() < 0.5 else "",
        legal_status=status,
        education_level=education,
        caseworker=caseworker,
        intake_date=intake,
        pathway_started_on=intake + dt.timedelta(days=rng.randint(14, 90))
        if rng.random() < 0.55 and intake < today - dt.timedelta(days=90)
        else None,
    )
    p.search_text = normalise_for_search(" ".join([p.reference, given, family, latin]))
    return p


def _phone(rng: random.Random) -> str:
    parts = (rng.randint(30, 49), rng.randint(600, 999), rng.randint(100, 999))
    return "+{} {} {} {}".format(*parts, rng.randint(100, 999))


def _needs(
    p: Participant,
    rng: random.Random,
    today: dt.date,  # type: ignore[no-untyped-def]
    need_types: list[NeedType],
    staff,
) -> list[Need]:
    out = []
    k = rng.choice([0, 1, 1, 2, 2, 3])
    for need_type in rng.sample(need_types, k):
        due = p.intake_date + dt.timedelta(days=rng.randint(7, 60))
        # Old needs are mostly settled; recent ones are still being worked on.
        weights = (
            [3, 7, 78, 12] if due < today - dt.timedelta(days=60) else [25, 35, 32, 8]
        )
        status = rng.choices(["identified", "in_progress", "met", "not_met"], weights)[
            0
        ]
        resolved = None
        if status in ("met", "not_met"):
            resolved = timezone.make_aware(
                dt.datetime.combine(min(due, today), dt.time(12, 0))
            )
        out.append(
            Need(
                participant=p,
                need_type=need_type,
                urgent=rng.random() < 0.4,
                status=status,
                owner=p.caseworker if rng.random() < 0.8 else rng.choice(staff),
                due_date=due,
                notes="",
                resolved_at=resolved,
            )
        )
    return out


def _consents(p: Participant, rng: random.Random) -> list[Consent]:
    given = timezone.make_aware(dt.datetime.combine(p.intake_date, dt.time(10, 0)))
    out = [
        Consent(
            participant=p,
            purpose="case_management",
            notice_version="2024-09",
            given_at=given,
            recorded_by=p.caseworker,
        )
    ]
    if rng.random() < 0.8:
        out.append(
            Consent(
                participant=p,
                purpose="follow_up",
                notice_version="2024-09",
                given_at=given,
                recorded_by=p.caseworker,
            )
        )
    if rng.random() < 0.6:
        out.append(
            Consent(
                participant=p,
                purpose="partner_sharing",
                partner_category="housing",
                notice_version="2024-09",
                given_at=given,
                recorded_by=p.caseworker,
            )
        )
    statistics = Consent(
        participant=p,
        purpose="statistics",
        notice_version="2024-09",
        given_at=given,
        recorded_by=p.caseworker,
    )
    if rng.random() < 0.03:
        statistics.withdrawn_at = given + dt.timedelta(days=30)
    out.append(statistics)
    return out
