"""Writes of the public site: citizen accounts, projects, moderation and
recommendations, each atomic; moderation and tracker changes are audited."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, Lab, Membership
from openmil.core.pillars import Pillar
from openmil.core.roles import Perm
from openmil.public.models import (
    SDGS,
    Evidence,
    Participation,
    Project,
    ProjectKind,
    ProjectPost,
    Recommendation,
    RecommendationStatusChange,
    Report,
)

User = get_user_model()

PROJECT_OBJECT = "citizen_project"


def _require(actor: Any, permission: str, lab_id: int) -> None:
    if not access.can(actor, permission, lab_id):
        raise PermissionDenied


def _check_project_fields(*, kind: str, pillars: list[str], sdgs: list[int]) -> None:
    errors: dict[str, str] = {}
    if kind not in ProjectKind.values:
        errors["kind"] = _("Choose a kind of project.")
    if not pillars or not set(pillars) <= set(Pillar.values):
        errors["pillars"] = _("Choose at least one pillar.")
    if not set(sdgs) <= set(SDGS):
        errors["sdgs"] = _("Goals are numbered from 1 to 17.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def citizen_sign_up(*, username: str, email: str, password: str) -> Any:
    """A citizen account: a user without a lab membership."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This name is taken.")})
    return User.objects.create_user(username=username, email=email, password=password)


def is_citizen(user: Any) -> bool:
    return not Membership.objects.filter(user_id=user.pk).exists()


@transaction.atomic
def project_propose(
    *,
    actor: Any,
    lab: Lab,
    title: str,
    summary: str,
    description: str,
    kind: str,
    pillars: list[str],
    sdgs: list[int],
    language: str,
) -> Project:
    """A project waits for the lab's moderators before anyone else sees it."""
    _check_project_fields(kind=kind, pillars=pillars, sdgs=sdgs)
    return Project.objects.create(
        lab=lab,
        owner=actor,
        title=title,
        summary=summary,
        description=description,
        kind=kind,
        pillars=sorted(set(pillars)),
        sdgs=sorted(set(sdgs)),
        language=language,
    )


@transaction.atomic
def project_moderate(
    *, actor: Any, project: Project, approve: bool, reason: str = ""
) -> Project:
    """Approve (publish) or reject a waiting project; a rejection says why."""
    _require(actor, Perm.MODERATE_PUBLIC, project.lab_id)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Project.Status.PENDING:
        raise ValidationError(_("This project was already moderated."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    before = project.status
    project.status = Project.Status.PUBLISHED if approve else Project.Status.REJECTED
    project.moderation_reason = reason.strip()
    project.moderated_at = timezone.now()
    project.save(update_fields=["status", "moderation_reason", "moderated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type=PROJECT_OBJECT,
        object_id=project.pk,
        lab_id=project.lab_id,
        detail="approved" if approve else "rejected",
        changes={"status": {"before": before, "after": project.status}},
    )
    return project


@transaction.atomic
def project_participate(
    *,
    actor: Any,
    project: Project,
    kind: str,
    group: str,
    show_name: bool,
    display_name: str = "",
) -> Participation:
    """Support or join a published project (again: change how one shows)."""
    if project.status != Project.Status.PUBLISHED:
        raise ValidationError(_("Only a published project can be supported."))
    if kind not in Participation.Kind.values:
        raise ValidationError({"kind": _("Support or join.")})
    if group not in Participation.Group.values:
        raise ValidationError({"group": _("Say how you take part.")})
    name = display_name.strip() if show_name else ""
    if show_name and not name:
        raise ValidationError({"display_name": _("Give the name to show.")})
    participation, _created = Participation.objects.update_or_create(
        project=project,
        user=actor,
        kind=kind,
        defaults={"group": group, "show_name": show_name, "display_name": name},
    )
    return participation


@transaction.atomic
def project_post_add(*, actor: Any, project: Project, kind: str, body: str) -> Any:
    """The owner of a published project posts an update or a result."""
    if project.owner_id != actor.pk:
        raise PermissionDenied
    if project.status != Project.Status.PUBLISHED:
        raise ValidationError(_("Only a published project can have posts."))
    if kind not in ProjectPost.Kind.values or not body.strip():
        raise ValidationError({"body": _("Write the text of the post.")})
    return ProjectPost.objects.create(project=project, kind=kind, body=body)


@transaction.atomic
def report_create(*, actor: Any, project: Project, reason: str) -> Report:
    if project.status != Project.Status.PUBLISHED:
        raise ValidationError(_("Only a published project can be reported."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is wrong.")})
    reporter = actor if actor is not None and actor.is_authenticated else None
    return Report.objects.create(project=project, reporter=reporter, reason=reason)


@transaction.atomic
def report_handle(*, actor: Any, report: Report, uphold: bool) -> Report:
    """Dismiss a report, or uphold it and hide the project from the site."""
    _require(actor, Perm.MODERATE_PUBLIC, report.project.lab_id)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.OPEN:
        raise ValidationError(_("This report was already handled."))
    report.status = Report.Status.UPHELD if uphold else Report.Status.DISMISSED
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "handled_at"])
    project = report.project
    if uphold and project.status == Project.Status.PUBLISHED:
        project.status = Project.Status.HIDDEN
        project.moderated_at = report.handled_at
        project.save(update_fields=["status", "moderated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="citizen_project_report",
        object_id=report.pk,
        lab_id=project.lab_id,
        detail=f"{report.status} project {project.pk}",
    )
    return report


@transaction.atomic
def citizen_block(*, actor: Any, project: Project) -> Any:
    """Block the account that owns a project of the actor's lab.

    Only citizen accounts can be blocked here (staff accounts are managed by
    their lab); the account can no longer sign in, and its projects in the
    lab are hidden.
    """
    _require(actor, Perm.MODERATE_PUBLIC, project.lab_id)
    owner = User.objects.select_for_update().get(pk=project.owner_id)
    if not is_citizen(owner):
        raise ValidationError(_("Only a citizen account can be blocked here."))
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    hidden = Project.objects.filter(
        owner=owner,
        lab_id=project.lab_id,
        status__in=[Project.Status.PENDING, Project.Status.PUBLISHED],
    ).update(status=Project.Status.HIDDEN, moderated_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="citizen_account",
        object_id=owner.pk,
        lab_id=project.lab_id,
        detail=f"blocked; {hidden} project(s) hidden",
    )
    return owner


# ---------------------------------------------------------------------------
# Recommendations tracker.

RECOMMENDATION_FIELDS = ("title", "body", "addressed_to", "language")


@transaction.atomic
def recommendation_create(*, actor: Any, lab: Lab, **fields: Any) -> Recommendation:
    _require(actor, Perm.MANAGE_RECOMMENDATIONS, lab.pk)
    recommendation = Recommendation.objects.create(
        lab=lab, **{k: fields[k] for k in RECOMMENDATION_FIELDS if k in fields}
    )
    RecommendationStatusChange.objects.create(
        recommendation=recommendation,
        to_status=recommendation.status,
        on=recommendation.status_since,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="recommendation",
        object_id=recommendation.pk,
        lab_id=lab.pk,
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *, actor: Any, recommendation: Recommendation, **fields: Any
) -> Recommendation:
    _require(actor, Perm.MANAGE_RECOMMENDATIONS, recommendation.lab_id)
    changed = {}
    for name in RECOMMENDATION_FIELDS:
        if name in fields and getattr(recommendation, name) != fields[name]:
            changed[name] = {"before": getattr(recommendation, name)[:50]}
            setattr(recommendation, name, fields[name])
    if changed:
        recommendation.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="recommendation",
            object_id=recommendation.pk,
            lab_id=recommendation.lab_id,
            changes=changed,
        )
    return recommendation


@transaction.atomic
def recommendation_status_change(
    *,
    actor: Any,
    recommendation: Recommendation,
    to_status: str,
    on: dt.date,
    note: str = "",
) -> RecommendationStatusChange:
    """A dated step on the political agenda; the history keeps every step."""
    _require(actor, Perm.MANAGE_RECOMMENDATIONS, recommendation.lab_id)
    recommendation = Recommendation.objects.select_for_update().get(
        pk=recommendation.pk
    )
    if to_status not in Recommendation.Status.values:
        raise ValidationError({"to_status": _("Choose a status.")})
    if to_status == recommendation.status:
        raise ValidationError({"to_status": _("The recommendation has this status.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("This date is in the future.")})
    if on < recommendation.status_since:
        raise ValidationError(
            {"on": _("This date is before the current status began.")}
        )
    change = RecommendationStatusChange.objects.create(
        recommendation=recommendation,
        from_status=recommendation.status,
        to_status=to_status,
        on=on,
        note=note,
        recorded_by=actor,
    )
    recommendation.status = to_status
    recommendation.status_since = on
    recommendation.save(update_fields=["status", "status_since"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="recommendation",
        object_id=recommendation.pk,
        lab_id=recommendation.lab_id,
        changes={"status": {"before": change.from_status, "after": to_status}},
    )
    return change


@transaction.atomic
def evidence_add(
    *,
    actor: Any,
    recommendation: Recommendation,
    kind: str,
    indicator_id: str = "",
    url: str = "",
    label: str = "",
) -> Evidence:
    """Link an indicator of openmil.indicators or a good practice (a URL)."""
    from openmil.indicators.registry import REGISTRY

    _require(actor, Perm.MANAGE_RECOMMENDATIONS, recommendation.lab_id)
    if kind == Evidence.Kind.INDICATOR:
        if indicator_id not in REGISTRY:
            raise ValidationError({"indicator_id": _("Unknown indicator.")})
        url = ""
    elif kind == Evidence.Kind.PRACTICE:
        if not url.startswith(("https://", "http://")):
            raise ValidationError({"url": _("Give a web address (https://…).")})
        indicator_id = ""
    else:
        raise ValidationError({"kind": _("Choose an indicator or a good practice.")})
    evidence = Evidence.objects.create(
        recommendation=recommendation,
        kind=kind,
        indicator_id=indicator_id,
        url=url,
        label=label,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="recommendation_evidence",
        object_id=evidence.pk,
        lab_id=recommendation.lab_id,
        detail=indicator_id or url,
    )
    return evidence


@transaction.atomic
def evidence_remove(*, actor: Any, evidence: Evidence) -> None:
    recommendation = evidence.recommendation
    _require(actor, Perm.MANAGE_RECOMMENDATIONS, recommendation.lab_id)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        object_type="recommendation_evidence",
        object_id=evidence.pk,
        lab_id=recommendation.lab_id,
        detail=evidence.indicator_id or evidence.url,
    )
    evidence.delete()
