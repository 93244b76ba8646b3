"""Reads of the partner directory, referrals and opportunities.

Referrals are scoped in one place, `referral_queryset`: staff see the
referrals of participants they may see; partner staff see the referrals
sent to their own organisation, and of the participant only the fields the
lab shares (`shared_participant`), unless the person is protected or their
processing restricted.
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.codes import language_name
from openmil.core.models import AuditEntry, Lab, Organisation
from openmil.core.pillars import Pillar
from openmil.core.roles import Perm, Role
from openmil.participants.models import NeedType, normalise_for_search
from openmil.participants.selectors import (
    participant_queryset,
    protected_hidden_from,
    visible_q,
)
from openmil.partners.models import (
    SHAREABLE_FIELDS,
    Opportunity,
    Referral,
    ReferralSettings,
    Service,
    default_shared_fields,
)

# ---------------------------------------------------------------------------
# Who is who.


def partner_organisation_ids(user: Any) -> set[int]:
    """Organisations whose referrals the user handles as partner staff."""
    return {
        m.organisation_id
        for m in access.memberships_of(user)
        if m.role == Role.PARTNER_STAFF and m.organisation_id is not None
    }


def is_partner_staff(user: Any) -> bool:
    return bool(partner_organisation_ids(user))


def partner_staff_of(organisation_id: int) -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            memberships__organisation_id=organisation_id,
            memberships__role=Role.PARTNER_STAFF,
            is_active=True,
        )
        .distinct()
    )


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    """Coordinators manage every organisation of their lab; partner staff
    manage their own organisation's services and opportunities."""
    if access.can(user, Perm.MANAGE_DIRECTORY, organisation.lab_id):
        return True
    return organisation.pk in partner_organisation_ids(user)


def referral_settings_for(*, lab: Lab) -> ReferralSettings:
    """The lab's referral settings, or the defaults (unsaved) if never set."""
    found = ReferralSettings.objects.filter(lab=lab).first()
    return found or ReferralSettings(
        lab=lab, shared_fields=default_shared_fields(), completion_days=30
    )


# ---------------------------------------------------------------------------
# Directory.


def organisation_queryset(*, user: Any) -> QuerySet[Organisation]:
    labs = access.lab_ids_with(user, Perm.VIEW_DIRECTORY)
    return Organisation.objects.filter(lab_id__in=labs)


def organisation_get(*, user: Any, organisation_id: int) -> Organisation:
    try:
        return (
            organisation_queryset(user=user)
            .select_related("lab")
            .get(pk=organisation_id)
        )
    except (Organisation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def service_queryset(*, user: Any) -> QuerySet[Service]:
    return Service.objects.filter(
        organisation__in=organisation_queryset(user=user)
    ).select_related("organisation", "organisation__lab", "need_type")


def service_get(*, user: Any, service_id: int) -> Service:
    try:
        return service_queryset(user=user).get(pk=service_id)
    except (Service.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def service_list(
    *,
    user: Any,
    query: str = "",
    lab_id: int | None = None,
    kind: str = "",
    area: str = "",
    language: str = "",
    place: str = "",
    active_only: bool = True,
) -> QuerySet[Service]:
    """Services the user may read, filtered.

    `area` is "pillar:<code>" or "need:<code>"; `query` matches the
    organisation's name or the service's text, ignoring case and accents.
    """
    qs = service_queryset(user=user)
    if active_only:
        qs = qs.filter(active=True)
    if lab_id is not None:
        qs = qs.filter(organisation__lab_id=lab_id)
    if kind:
        qs = qs.filter(organisation__kind=kind)
    if area.startswith("pillar:"):
        qs = qs.filter(pillar=area.removeprefix("pillar:"))
    elif area.startswith("need:"):
        qs = qs.filter(need_type__code=area.removeprefix("need:"))
    if language:
        # JSON containment is not on SQLite: the codes are short and few.
        qs = qs.filter(languages__icontains=f'"{language}"')
    if place:
        qs = qs.filter(place__icontains=place)
    for word in normalise_for_search(query).split()[:6]:
        qs = qs.filter(
            Q(search_text__contains=word) | Q(organisation__name__icontains=word)
        )
    return qs.order_by("organisation__name", "name", "id")


# ---------------------------------------------------------------------------
# Referrals.


def referral_queryset(*, user: Any) -> QuerySet[Referral]:
    """Every referral the user may see; the root of all referral reads.

    Partner staff lose sight of a referral they were sent once the person
    is marked protected (unless they are named on the case) or has their
    processing restricted: the lab's staff decide what the partner still
    needs, by telling them or sending a new referral.
    """
    staff = visible_q(user=user, through="participant__")
    partner = (
        Q(organisation_id__in=partner_organisation_ids(user))
        & Q(sent_at__isnull=False)
        & Q(participant__processing_restricted=False)
        & ~Q(participant_id__in=protected_hidden_from(user=user))
    )
    return Referral.objects.filter(staff | partner)


def referral_get(*, user: Any, referral_id: int, audit: bool = True) -> Referral:
    """One referral the user may see, or Http404. Logs the view."""
    try:
        referral = (
            referral_queryset(user=user)
            .select_related(
                "participant",
                "participant__lab",
                "service",
                "organisation",
                "need__need_type",
                "created_by",
            )
            .get(pk=referral_id)
        )
    except (Referral.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if audit:
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="referral",
            object_id=referral.pk,
            participant=referral.participant,
        )
    return referral


def sees_as_partner(*, user: Any, referral: Referral) -> bool:
    """True when the user reads this referral as partner staff only."""
    staff = participant_queryset(user=user).filter(pk=referral.participant_id)
    return referral.organisation_id in partner_organisation_ids(user) and not (
        staff.exists()
    )


def referral_list(
    *,
    user: Any,
    status: str = "",
    overdue: bool = False,
    organisation_id: int | None = None,
    participant_id: int | None = None,
) -> QuerySet[Referral]:
    qs = referral_queryset(user=user).select_related(
        "participant", "service", "organisation", "need__need_type"
    )
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q())
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if participant_id is not None:
        qs = qs.filter(participant_id=participant_id)
    return qs.order_by("-created_at", "-id")


def overdue_q(now: dt.datetime | None = None) -> Q:
    return Q(status__in=("sent", "accepted"), due_at__lt=now or timezone.now())


@dataclass
class PartnerQueue:
    new: list[Referral]
    accepted: list[Referral]
    overdue: list[Referral]


def partner_queue(*, user: Any, limit: int = 100) -> PartnerQueue:
    """The referrals waiting for the user's organisations."""
    qs = (
        Referral.objects.filter(
            organisation_id__in=partner_organisation_ids(user), sent_at__isnull=False
        )
        .select_related("service", "organisation", "participant", "need__need_type")
        .order_by("due_at", "id")
    )
    return PartnerQueue(
        new=list(qs.filter(status=Referral.Status.SENT)[:limit]),
        accepted=list(qs.filter(status=Referral.Status.ACCEPTED)[:limit]),
        overdue=list(qs.filter(overdue_q())[:limit]),
    )


def shared_participant(*, referral: Referral) -> dict[str, Any]:
    """The participant's fields the lab shares with partners, and only those.

    Keys are from SHAREABLE_FIELDS; sensitive fields are never among them.
    """
    shared = referral_settings_for(lab=referral.participant.lab).shared_fields
    p = referral.participant
    out: dict[str, Any] = {}
    for name in SHAREABLE_FIELDS:
        if name not in shared:
            continue
        if name == "languages":
            codes = [c for c in [p.mother_tongue, *p.other_languages] if c]
            out[name] = list(dict.fromkeys(codes))
        elif name == "need":
            out[name] = str(referral.need.need_type) if referral.need else ""
        elif name == "profile":
            out[name] = p.profile
        else:
            out[name] = getattr(p, name)
    return out


def shared_participant_rows(*, referral: Referral) -> list[tuple[str, str]]:
    """The shared fields as (label, text) rows for a page."""
    rows = []
    for name, value in shared_participant(referral=referral).items():
        if name == "languages":
            text = ", ".join(language_name(code) for code in value)
        elif name == "profile":
            text = str(dict(_profile_choices()).get(value, value))
        else:
            text = str(value)
        rows.append((str(SHAREABLE_FIELDS[name]), text or "—"))
    return rows


def _profile_choices() -> list[tuple[str, Any]]:
    from openmil.participants.models import Participant

    return list(Participant.Profile.choices)


def referral_list_audit(*, user: Any, referrals: list[Referral]) -> None:
    """Log which participants a list of referrals showed (one entry per lab)."""
    by_lab: dict[int, list[int]] = {}
    for r in referrals:
        by_lab.setdefault(r.lab_id, []).append(r.participant_id)
    for lab_id, ids in by_lab.items():
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="referral_list",
            lab_id=lab_id,
            detail=f"{len(ids)} in a list",
            changes={"participants": sorted(set(ids))},
        )


# ---------------------------------------------------------------------------
# Opportunities.


def opportunity_queryset(*, user: Any) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(
        organisation__in=organisation_queryset(user=user)
    ).select_related("organisation", "isco_group")


def opportunity_get(*, user: Any, opportunity_id: int) -> Opportunity:
    try:
        return opportunity_queryset(user=user).get(pk=opportunity_id)
    except (Opportunity.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def opportunity_list(
    *,
    user: Any,
    organisation_id: int | None = None,
    kind: str = "",
    open_only: bool = False,
) -> QuerySet[Opportunity]:
    qs = opportunity_queryset(user=user)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if kind:
        qs = qs.filter(kind=kind)
    if open_only:
        qs = qs.filter(is_open=True)
    return qs


def opportunities_open(*, lab_id: int) -> QuerySet[Opportunity]:
    """Open opportunities of a lab's partners, for the matching engine.

    No personal data: callers that already hold the lab need no user.
    """
    today = timezone.localdate()
    return (
        Opportunity.objects.filter(organisation__lab_id=lab_id, is_open=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("organisation", "isco_group")
    )


# ---------------------------------------------------------------------------
# Ecosystem steering.


@dataclass
class FlowRow:
    """Referral figures for one partner or one pillar."""

    label: str
    sent: int = 0
    accepted: int = 0
    declined: int = 0
    completed: int = 0
    not_completed: int = 0
    overdue: int = 0
    days_to_accept: list[float] = field(default_factory=list)
    days_to_complete: list[float] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return self.accepted + self.declined

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among the referrals answered (accepted or declined)."""
        return self.accepted / self.answered if self.answered else None

    @property
    def acceptance_percent(self) -> int | None:
        rate = self.acceptance_rate
        return None if rate is None else round(rate * 100)

    @property
    def median_days_to_accept(self) -> float | None:
        return _median(self.days_to_accept)

    @property
    def median_days_to_complete(self) -> float | None:
        return _median(self.days_to_complete)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


@dataclass
class Ecosystem:
    lab: Lab
    by_partner: list[FlowRow]
    by_area: list[FlowRow]
    needs_without_service: list[str]
    pillars_without_service: list[str]
    overdue_partners: list[FlowRow]

    @property
    def most_sent(self) -> int:
        return max([r.sent for r in self.by_partner] + [1])


def ecosystem_summary(
    *, user: Any, lab_id: int, now: dt.datetime | None = None
) -> Ecosystem:
    """Referral flows, coverage gaps and overdue queues of one lab.

    A referral counts as sent once it left the draft state; the acceptance
    rate is accepted / (accepted + declined); times run from sending to
    accepting and from accepting to completing, in days.
    """
    lab = access.lab_get(user, lab_id=lab_id, permission=Perm.VIEW_ECOSYSTEM)
    now = now or timezone.now()
    partners: dict[int, FlowRow] = {
        org.pk: FlowRow(label=org.name) for org in lab.organisations.order_by("name")
    }
    areas: dict[str, FlowRow] = {}
    referrals = Referral.objects.filter(lab=lab, sent_at__isnull=False).select_related(
        "service__need_type"
    )
    for r in referrals:
        area_label = r.service.area_label
        rows = [partners[r.organisation_id]]
        rows.append(areas.setdefault(area_label, FlowRow(label=area_label)))
        for row in rows:
            row.sent += 1
            if r.accepted_at:
                row.accepted += 1
                row.days_to_accept.append(_days(r.sent_at, r.accepted_at))  # type: ignore[arg-type]
            if r.declined_at:
                row.declined += 1
            if r.status == Referral.Status.COMPLETED and r.accepted_at and r.closed_at:
                row.completed += 1
                row.days_to_complete.append(_days(r.accepted_at, r.closed_at))
            if r.status == Referral.Status.NOT_COMPLETED:
                row.not_completed += 1
            if r.status in ("sent", "accepted") and r.due_at and r.due_at < now:
                row.overdue += 1
    services = Service.objects.filter(organisation__lab=lab, active=True)
    covered_needs = set(
        services.exclude(need_type=None).values_list("need_type_id", flat=True)
    )
    covered_pillars = set(services.exclude(pillar="").values_list("pillar", flat=True))
    need_types = NeedType.objects.filter(Q(lab__isnull=True) | Q(lab=lab))
    return Ecosystem(
        lab=lab,
        by_partner=list(partners.values()),
        by_area=sorted(areas.values(), key=lambda r: r.label),
        needs_without_service=[
            nt.display_label for nt in need_types if nt.pk not in covered_needs
        ],
        pillars_without_service=[
            str(label) for code, label in Pillar.choices if code not in covered_pillars
        ],
        overdue_partners=[row for row in partners.values() if row.overdue],
    )


def area_choices(*, lab_ids: set[int] | None = None) -> list[tuple[str, str]]:
    """Pillars and basic needs as filter choices: "pillar:<code>", "need:<code>"."""
    choices = [(f"pillar:{code}", str(label)) for code, label in Pillar.choices]
    needs = NeedType.objects.filter(lab__isnull=True)
    if lab_ids:
        needs = NeedType.objects.filter(Q(lab__isnull=True) | Q(lab_id__in=lab_ids))
    seen = set()
    for nt in needs:
        if nt.code not in seen:
            seen.add(nt.code)
            choices.append(
                (
                    f"need:{nt.code}",
                    _("Basic need: %(need)s") % {"need": nt.display_label},
                )
            )
    return choices
