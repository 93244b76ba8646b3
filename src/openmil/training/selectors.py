"""Reads of training records: coordinators see their lab's, everyone their own."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from openmil.core import access
from openmil.core.models import Lab
from openmil.core.roles import Perm, Role
from openmil.training.models import Certification, Competency, Training

EXPIRY_WINDOW_DAYS = 90


def lab_staff_users(*, lab_id: int) -> QuerySet[Any]:
    """Coordinators and facilitators of the lab: the people trained."""
    return (
        get_user_model()
        .objects.filter(
            memberships__lab_id=lab_id,
            memberships__role__in=[Role.COORDINATOR, Role.FACILITATOR],
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def training_lab_get(*, user: Any, lab_id: int) -> Lab:
    """A lab whose training records the user manages, or Http404."""
    return access.lab_get(user, lab_id=lab_id, permission=Perm.MANAGE_TRAINING)


def training_queryset(*, user: Any) -> QuerySet[Training]:
    """Trainings of labs the user manages, and those the user followed."""
    managed = access.lab_ids_with(user, Perm.MANAGE_TRAINING)
    own = access.lab_ids_with(user, Perm.VIEW_OWN_TRAINING)
    followed = Training.attendees.through.objects.filter(
        training_id=OuterRef("pk"), user_id=user.pk
    )
    return Training.objects.filter(
        Q(lab_id__in=managed) | (Q(lab_id__in=own) & Exists(followed))
    )


def certification_queryset(*, user: Any) -> QuerySet[Certification]:
    """Certifications of labs the user manages, and the user's own."""
    managed = access.lab_ids_with(user, Perm.MANAGE_TRAINING)
    own = access.lab_ids_with(user, Perm.VIEW_OWN_TRAINING)
    return Certification.objects.filter(
        Q(lab_id__in=managed) | Q(lab_id__in=own, user_id=user.pk)
    )


def training_list(*, user: Any, lab_id: int | None = None) -> QuerySet[Training]:
    qs = training_queryset(user=user).select_related("lab")
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.prefetch_related("competencies", "attendees").order_by(
        "-held_on", "title", "id"
    )


def training_get_for_manage(*, user: Any, training_id: int) -> Training:
    try:
        return Training.objects.select_related("lab").get(
            pk=training_id,
            lab_id__in=access.lab_ids_with(user, Perm.MANAGE_TRAINING),
        )
    except (Training.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def certification_list(
    *, user: Any, lab_id: int | None = None, holder_id: int | None = None
) -> QuerySet[Certification]:
    qs = certification_queryset(user=user).select_related(
        "user", "competency", "training", "lab"
    )
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if holder_id is not None:
        qs = qs.filter(user_id=holder_id)
    return qs.order_by("user__username", "competency__name", "-certified_on", "id")


def competencies_for_lab(*, lab_id: int) -> QuerySet[Competency]:
    return Competency.objects.filter(lab_id=lab_id).order_by("name")


def competency_list(*, user: Any, lab_id: int | None = None) -> QuerySet[Competency]:
    labs = access.lab_ids_with(user, Perm.VIEW_OWN_TRAINING)
    qs = Competency.objects.filter(lab_id__in=labs)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.order_by("lab_id", "name")


def _superseded() -> Exists:
    """A later certification of the same person in the same competency."""
    return Exists(
        Certification.objects.filter(
            user_id=OuterRef("user_id"),
            competency_id=OuterRef("competency_id"),
            certified_on__gt=OuterRef("certified_on"),
        )
    )


def certifications_expiring(
    *, user: Any, lab_id: int, today: dt.date, days: int = EXPIRY_WINDOW_DAYS
) -> QuerySet[Certification]:
    """Current certifications that expire within `days` (not yet renewed)."""
    training_lab_get(user=user, lab_id=lab_id)
    return (
        Certification.objects.filter(
            lab_id=lab_id,
            expires_on__gt=today,
            expires_on__lte=today + dt.timedelta(days=days),
        )
        .exclude(_superseded())
        .select_related("user", "competency")
        .order_by("expires_on", "id")
    )


@dataclass(frozen=True)
class HolderRow:
    """One staff member and their latest certification in each competency."""

    user: Any
    cells: list[Certification | None]


def who_holds_what(
    *, user: Any, lab_id: int
) -> tuple[list[Competency], list[HolderRow]]:
    """The lab's staff × competencies, each cell the latest certification."""
    training_lab_get(user=user, lab_id=lab_id)
    competencies = list(competencies_for_lab(lab_id=lab_id))
    latest: dict[tuple[int, int], Certification] = {}
    for cert in (
        Certification.objects.filter(lab_id=lab_id)
        .exclude(_superseded())
        .order_by("certified_on", "id")
    ):
        latest[(cert.user_id, cert.competency_id)] = cert
    rows = [
        HolderRow(
            user=person,
            cells=[latest.get((person.pk, c.pk)) for c in competencies],
        )
        for person in lab_staff_users(lab_id=lab_id)
    ]
    return competencies, rows


def my_training(*, user: Any) -> tuple[QuerySet[Training], QuerySet[Certification]]:
    """The trainings the user followed and the user's certifications."""
    own = access.lab_ids_with(user, Perm.VIEW_OWN_TRAINING)
    if not own:
        raise Http404
    trainings = (
        Training.objects.filter(lab_id__in=own, attendees=user)
        .select_related("lab")
        .order_by("-held_on", "id")
    )
    certifications = (
        Certification.objects.filter(lab_id__in=own, user=user)
        .select_related("competency", "lab", "training")
        .order_by("competency__name", "-certified_on")
    )
    return trainings, certifications
