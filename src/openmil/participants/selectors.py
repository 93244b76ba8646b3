"""Reads of participant data, always scoped to what the acting user may see."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry
from openmil.core.roles import Perm
from openmil.participants.models import (
    Consent,
    FollowUp,
    Need,
    NeedType,
    Participant,
    ProtectedCase,
    normalise_for_search,
)

M = TypeVar("M", Need, Consent, FollowUp)


def participant_queryset(*, user: Any) -> QuerySet[Participant]:
    """Every participant the user may see; the root of all participant reads.

    Records whose processing is restricted (case-management consent
    withdrawn) are visible only to roles that handle restriction; protected
    cases only to the staff named on them.
    """
    return Participant.objects.filter(visible_q(user=user))


def visible_q(*, user: Any, through: str = "") -> Q:
    """The rule of `participant_queryset` as a condition, e.g. through
    "participant__" on needs: a join the database plans better than an IN."""
    lab_ids = access.lab_ids_with(user, Perm.VIEW_PERSONAL)
    restricted_ok = access.lab_ids_with(user, Perm.VIEW_RESTRICTED)
    if not lab_ids:
        return Q(**{f"{through}lab_id__in": lab_ids})
    return (
        Q(**{f"{through}lab_id__in": lab_ids})
        & (
            Q(**{f"{through}processing_restricted": False})
            | Q(**{f"{through}lab_id__in": restricted_ok})
        )
        & ~Q(**{f"{through}pk__in": protected_hidden_from(user=user)})
    )


def protected_hidden_from(*, user: Any) -> QuerySet[ProtectedCase, Any]:
    """Ids of the protected participants the user is not named on (a subquery).

    Protected cases are few, so the condition costs a small hashed lookup.
    """
    cases = ProtectedCase.objects.all()
    if getattr(user, "pk", None) is not None:
        cases = cases.exclude(staff=user)
    return cases.values("participant_id")


def protected_case_for(*, participant: Participant) -> ProtectedCase | None:
    """The protection of a participant the caller may already see, if any."""
    return (
        ProtectedCase.objects.filter(participant=participant)
        .prefetch_related("staff")
        .first()
    )


def household_members(*, user: Any, participant: Participant) -> QuerySet[Participant]:
    """The other members of the participant's household whom the user may see."""
    if participant.household_id is None:
        return Participant.objects.none()
    return (
        participant_queryset(user=user)
        .filter(household_id=participant.household_id)
        .exclude(pk=participant.pk)
    )


def participant_list(
    *,
    user: Any,
    query: str = "",
    lab_id: int | None = None,
    profile: str = "",
    caseworker_id: int | None = None,
    open_needs: bool | None = None,
) -> QuerySet[Participant]:
    qs = participant_queryset(user=user).select_related("lab", "caseworker")
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if profile:
        qs = qs.filter(profile=profile)
    if caseworker_id is not None:
        qs = qs.filter(caseworker_id=caseworker_id)
    if query:
        qs = participant_search_filter(qs, query)
    if open_needs is not None:
        has_open = Exists(
            Need.objects.filter(
                participant=OuterRef("pk"), status__in=Need.OPEN_STATUSES
            )
        )
        qs = qs.filter(has_open) if open_needs else qs.exclude(has_open)
    return qs.order_by("family_name", "given_name", "id")


def participant_search_filter(
    qs: QuerySet[Participant], query: str
) -> QuerySet[Participant]:
    """Match every word of the query, ignoring case, accents and marks."""
    for word in normalise_for_search(query).split()[:6]:
        qs = qs.filter(search_text__contains=word)
    return qs


def participant_get(
    *, user: Any, participant_id: int, audit: bool = True
) -> Participant:
    """One participant the user may see, or Http404. Logs the view."""
    try:
        participant = (
            participant_queryset(user=user)
            .select_related("lab", "caseworker", "legal_status", "household")
            .get(pk=participant_id)
        )
    except (Participant.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if audit:
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="participant",
            object_id=participant.pk,
            participant=participant,
        )
    return participant


def participant_get_for_edit(
    *, user: Any, participant_id: int, audit: bool = False
) -> Participant:
    """A participant the user may change, or Http404.

    Pass `audit=True` when the record is shown (an edit form); a plain
    write is logged by its service instead.
    """
    participant = participant_get(user=user, participant_id=participant_id, audit=False)
    if not access.can(user, Perm.EDIT_PERSONAL, participant.lab_id):
        raise Http404
    if audit:
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="participant",
            object_id=participant.pk,
            participant=participant,
            detail="edit form",
        )
    return participant


def can_see_sensitive(*, user: Any, participant: Participant) -> bool:
    """Coordinators, and the participant's own caseworker, see sensitive fields."""
    if access.can(user, Perm.VIEW_SENSITIVE_ALL, participant.lab_id):
        return True
    return bool(
        participant.caseworker_id == user.pk
        and access.can(user, Perm.VIEW_PERSONAL, participant.lab_id)
    )


def _in_scope(qs: QuerySet[M], *, user: Any, pk: int) -> M:
    """The object of a participant the user may see, or Http404."""
    try:
        return qs.get(pk=pk, participant__in=participant_queryset(user=user))
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def need_get(*, user: Any, need_id: int) -> Need:
    qs = Need.objects.select_related("participant", "need_type")
    return _in_scope(qs, user=user, pk=need_id)


def consent_get(*, user: Any, consent_id: int) -> Consent:
    qs = Consent.objects.select_related("participant")
    return _in_scope(qs, user=user, pk=consent_id)


def follow_up_get(*, user: Any, follow_up_id: int) -> FollowUp:
    qs = FollowUp.objects.select_related("participant")
    return _in_scope(qs, user=user, pk=follow_up_id)


def need_types_for_lab(*, lab_id: int) -> QuerySet[NeedType]:
    return NeedType.objects.filter(Q(lab__isnull=True) | Q(lab_id=lab_id))


def consent_is_active(
    *, participant: Participant, purpose: str, partner_category: str = ""
) -> bool:
    """True while a consent for this purpose is given and not withdrawn."""
    return Consent.objects.filter(
        participant=participant,
        purpose=purpose,
        partner_category=partner_category,
        withdrawn_at__isnull=True,
    ).exists()


def pathway_blockers(
    *, participant: Participant, needs: list[Need] | None = None
) -> list[Need]:
    """Urgent needs that keep the pathway from starting under the lab's rule.

    `needs`, all of the participant's needs when the caller has read them
    already, saves a query.
    """
    gate = participant.lab.pathway_gate
    if gate == participant.lab.PathwayGate.NONE:
        return []
    allowed = [Need.Status.MET]
    if gate == participant.lab.PathwayGate.URGENT_MET_OR_IN_PROGRESS:
        allowed.append(Need.Status.IN_PROGRESS)
    if needs is not None:
        return [n for n in needs if n.urgent and n.status not in allowed]
    return list(
        participant.needs.filter(urgent=True)
        .exclude(status__in=allowed)
        .select_related("need_type")
    )


def needs_overdue(*, user: Any, owner_id: int | None = None) -> QuerySet[Need]:
    qs = Need.objects.filter(
        visible_q(user=user, through="participant__"),
        status__in=Need.OPEN_STATUSES,
        due_date__lt=timezone.localdate(),
    )
    if owner_id is not None:
        qs = qs.filter(Q(owner_id=owner_id) | Q(participant__caseworker_id=owner_id))
    return qs.select_related("participant", "need_type", "owner").order_by(
        "due_date", "id"
    )


def follow_ups_due(*, user: Any, on: dt.date | None = None) -> QuerySet[FollowUp]:
    """Open follow-ups due by `on` assigned to the user, with consent active."""
    day = on or timezone.localdate()
    consent = Consent.objects.filter(
        participant=OuterRef("participant"),
        purpose=Consent.Purpose.FOLLOW_UP,
        withdrawn_at__isnull=True,
    )
    return (
        FollowUp.objects.filter(
            participant__in=participant_queryset(user=user),
            assigned_to=user,
            due_on__lte=day,
            done_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .filter(Exists(consent))
        .select_related("participant")
        .order_by("due_on", "id")
    )


@dataclass(frozen=True)
class HomeSummary:
    my_participants: list[Participant]
    my_participant_count: int
    overdue_needs: list[Need]
    overdue_count: int
    follow_ups: list[FollowUp]

    @property
    def people_shown(self) -> list[Participant]:
        """Everyone whose name the home page shows, once each."""
        people = {p.pk: p for p in self.my_participants}
        items: list[Need | FollowUp] = [*self.overdue_needs, *self.follow_ups]
        for item in items:
            person = item.participant
            people.setdefault(person.pk, person)
        return list(people.values())


def home_summary(*, user: Any, limit: int = 20) -> HomeSummary:
    # The home page shows names only: no lab, caseworker or owner to join.
    people = participant_list(user=user, caseworker_id=user.pk).select_related(None)
    # A correlated count for the shown rows only, not a GROUP BY over the
    # whole caseload.
    open_needs = (
        Need.objects.filter(participant=OuterRef("pk"), status__in=Need.OPEN_STATUSES)
        .order_by()
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    mine = people.annotate(open_need_count=Coalesce(Subquery(open_needs), 0))
    overdue = (
        needs_overdue(user=user, owner_id=user.pk)
        .select_related(None)
        .select_related("participant", "need_type")
    )
    # Counted in two disjoint parts: an OR across two tables defeats indexes.
    every_overdue = needs_overdue(user=user).order_by()
    overdue_count = (
        every_overdue.filter(owner_id=user.pk).count()
        + every_overdue.filter(participant__caseworker_id=user.pk)
        .exclude(owner_id=user.pk)
        .count()
    )
    return HomeSummary(
        my_participants=list(mine[:limit]),
        my_participant_count=people.count(),
        overdue_needs=list(overdue[:limit]),
        overdue_count=overdue_count,
        follow_ups=list(follow_ups_due(user=user)[:limit]),
    )


def participants_counted(*, lab_ids: Iterable[int]) -> QuerySet[Participant]:
    """The statistical population of some labs: everybody except people who
    withdrew their consent to anonymised statistics (and gave none since).

    Not scoped to a user: aggregates count every person, and callers check
    the aggregate permission and apply disclosure control.
    """
    objected = Consent.objects.filter(
        participant=OuterRef("pk"),
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at__isnull=False,
    )
    still_given = Consent.objects.filter(
        participant=OuterRef("pk"),
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at__isnull=True,
    )
    return Participant.objects.filter(lab_id__in=list(lab_ids)).exclude(
        Exists(objected) & ~Exists(still_given)
    )


def lab_overview(*, user: Any, lab_id: int) -> dict[str, Any]:
    """Aggregate counts for a lab, with statistics objections excluded.

    Returns counts only; disclosure control is applied by the caller's
    presentation layer through `core.disclosure`.
    """
    access.require(user, Perm.VIEW_AGGREGATES, lab_id)
    counted = participants_counted(lab_ids=[lab_id])
    by_profile = dict(
        counted.values_list("profile")
        .annotate(n=Count("id"))
        .values_list("profile", "n")
    )
    needs = Need.objects.filter(participant__in=counted)
    by_need = {
        (row["need_type__code"], row["status"]): row["n"]
        for row in needs.values("need_type__code", "status").annotate(n=Count("id"))
    }
    return {
        "participants": counted.count(),
        "by_profile": by_profile,
        "needs": by_need,
        "pathways_started": counted.filter(pathway_started_on__isnull=False).count(),
    }


def participant_list_audit(*, user: Any, participants: list[Participant]) -> None:
    """Log that the user saw these participants in a list (one entry per lab)."""
    by_lab: dict[int, list[int]] = {}
    for p in participants:
        by_lab.setdefault(p.lab_id, []).append(p.pk)
    for lab_id, ids in by_lab.items():
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="participant_list",
            lab_id=lab_id,
            detail=f"{len(ids)} in a list",
            changes={"participants": ids},
        )
