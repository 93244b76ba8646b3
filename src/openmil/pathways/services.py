"""Writes to pathways. Each runs atomically with its audit entry and, for a
pathway, its timeline event."""

import calendar
import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.participants.models import Consent, Participant
from openmil.participants.selectors import consent_is_active
from openmil.participants.services import pathway_start
from openmil.pathways.models import (
    Assessment,
    CivicModule,
    Evidence,
    FollowUpSurvey,
    Goal,
    Pathway,
    PathwayEvent,
    PathwayTemplate,
    ReadinessCriterion,
    TemplateGoal,
)

TEMPLATE_FIELDS = ("name", "description", "active")
TEMPLATE_GOAL_FIELDS = ("pillar", "title", "milestones", "target_weeks")
CRITERION_FIELDS = (
    "kind",
    "weight",
    "language",
    "skill",
    "cefr_level",
    "goal",
    "employment_status",
    "count",
)
GOAL_FIELDS = ("pillar", "title", "milestones", "target_date")
EXIT_FIELDS = ("exit_reason", "exit_date", "exit_note")
#: Largest evidence document accepted.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _require_edit(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.EDIT_PERSONAL, lab_id):
        raise PermissionDenied


def _require_manage(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.MANAGE_LAB, lab_id):
        raise PermissionDenied


def _event(
    pathway: Pathway, actor: Any, kind: str, *, goal: Goal | None = None, **kw: Any
) -> PathwayEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    subject = kw.pop("subject", goal.title if goal else "")
    return PathwayEvent.objects.create(
        pathway=pathway,
        actor=actor if authenticated else None,
        kind=kind,
        goal=goal,
        subject=subject[:200],
        **kw,
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# Templates (lab set-up) ---------------------------------------------------------


@transaction.atomic
def template_create(*, actor: Any, lab: Lab, data: dict[str, Any]) -> PathwayTemplate:
    _require_manage(actor, lab.pk)
    template = PathwayTemplate(
        lab=lab, **{k: v for k, v in data.items() if k in TEMPLATE_FIELDS}
    )
    if PathwayTemplate.objects.filter(lab=lab, name__iexact=template.name).exists():
        raise ValidationError({"name": _("A template of this name exists already.")})
    template.full_clean()
    template.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="pathway_template",
        object_id=template.pk,
        lab_id=lab.pk,
        detail=template.name,
    )
    return template


@transaction.atomic
def template_update(
    *, actor: Any, template: PathwayTemplate, data: dict[str, Any]
) -> PathwayTemplate:
    _require_manage(actor, template.lab_id)
    before = snapshot(template, TEMPLATE_FIELDS)
    for name, value in data.items():
        if name in TEMPLATE_FIELDS:
            setattr(template, name, value)
    clash = PathwayTemplate.objects.filter(
        lab_id=template.lab_id, name__iexact=template.name
    ).exclude(pk=template.pk)
    if clash.exists():
        raise ValidationError({"name": _("A template of this name exists already.")})
    template.full_clean()
    template.save()
    changes = diff(before, snapshot(template, TEMPLATE_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="pathway_template",
            object_id=template.pk,
            lab_id=template.lab_id,
            changes=changes,
        )
    return template


@transaction.atomic
def template_goal_add(
    *, actor: Any, template: PathwayTemplate, data: dict[str, Any]
) -> TemplateGoal:
    _require_manage(actor, template.lab_id)
    goal = TemplateGoal(
        template=template,
        position=template.goals.count(),
        **{k: v for k, v in data.items() if k in TEMPLATE_GOAL_FIELDS},
    )
    goal.full_clean()
    goal.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="template_goal",
        object_id=goal.pk,
        lab_id=template.lab_id,
        detail=goal.title,
    )
    return goal


@transaction.atomic
def template_goal_remove(*, actor: Any, goal: TemplateGoal) -> None:
    """Remove a goal from the template; pathways built from it keep theirs."""
    lab_id = goal.template.lab_id
    _require_manage(actor, lab_id)
    for criterion in goal.criteria.all():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            object_type="readiness_criterion",
            object_id=criterion.pk,
            lab_id=lab_id,
            detail=criterion.label,
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        object_type="template_goal",
        object_id=goal.pk,
        lab_id=lab_id,
        detail=goal.title,
    )
    goal.delete()


@transaction.atomic
def criterion_add(
    *, actor: Any, template: PathwayTemplate, data: dict[str, Any]
) -> ReadinessCriterion:
    _require_manage(actor, template.lab_id)
    kind = data.get("kind", "")
    needed = ReadinessCriterion.REQUIRED.get(kind, ())
    # Keep only the parameters of this kind, so the label says what counts.
    fields = {
        k: v
        for k, v in data.items()
        if k in ("kind", "weight") or (k in needed and v not in (None, ""))
    }
    criterion = ReadinessCriterion(template=template, **fields)
    criterion.full_clean()
    criterion.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="readiness_criterion",
        object_id=criterion.pk,
        lab_id=template.lab_id,
        detail=criterion.label,
    )
    return criterion


@transaction.atomic
def criterion_remove(*, actor: Any, criterion: ReadinessCriterion) -> None:
    lab_id = criterion.template.lab_id
    _require_manage(actor, lab_id)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        object_type="readiness_criterion",
        object_id=criterion.pk,
        lab_id=lab_id,
        detail=criterion.label,
    )
    criterion.delete()


@transaction.atomic
def civic_module_create(*, actor: Any, lab: Lab, title: str) -> CivicModule:
    _require_manage(actor, lab.pk)
    title = title.strip()
    if CivicModule.objects.filter(lab=lab, title__iexact=title).exists():
        raise ValidationError({"title": _("This module exists already.")})
    module = CivicModule(
        lab=lab, title=title, position=CivicModule.objects.filter(lab=lab).count()
    )
    module.full_clean()
    module.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="civic_module",
        object_id=module.pk,
        lab_id=lab.pk,
        detail=title,
    )
    return module


# Pathways ------------------------------------------------------------------------


@transaction.atomic
def pathway_create(
    *,
    actor: Any,
    participant: Participant,
    template: PathwayTemplate | None,
    on: dt.date | None = None,
) -> Pathway:
    """Build the participant's pathway from a template (or empty).

    Starts the pathway through `participants.services.pathway_start`, so the
    lab's basic-needs gate applies; a pathway already started keeps its date.
    """
    _require_edit(actor, participant.lab_id)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if Pathway.objects.filter(participant=participant).exists():
        raise ValidationError(_("This participant already has a pathway."))
    if template is not None and template.lab_id != participant.lab_id:
        raise ValidationError({"template": _("This template belongs to another lab.")})
    if participant.pathway_started_on is None:
        pathway_start(actor=actor, participant=participant, on=on)
    started = participant.pathway_started_on
    assert started is not None  # noqa: S101 - set by pathway_start
    pathway = Pathway.objects.create(
        participant=participant, template=template, started_on=started, created_by=actor
    )
    _event(
        pathway,
        actor,
        PathwayEvent.Kind.STARTED,
        subject=template.name if template else "",
    )
    goals = []
    if template is not None:
        for tg in template.goals.order_by("pillar", "position", "id"):
            goals.append(
                Goal(
                    pathway=pathway,
                    template_goal=tg,
                    pillar=tg.pillar,
                    title=tg.title,
                    milestones=tg.milestones,
                    target_date=started + dt.timedelta(weeks=tg.target_weeks),
                )
            )
        Goal.objects.bulk_create(goals)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="pathway",
        object_id=pathway.pk,
        participant=participant,
        detail=template.name if template else "",
        changes={"goals": {"before": None, "after": len(goals)}},
    )
    return pathway


def _require_active(pathway: Pathway) -> None:
    """Refuse changes to an ended pathway, as the database has it now (a page
    opened before the exit holds a stale copy)."""
    if not Pathway.objects.filter(pk=pathway.pk, status=Pathway.Status.ACTIVE).exists():
        raise ValidationError(_("This pathway has ended; it can no longer change."))


def _goal_snapshot(goal: Goal) -> dict[str, Any]:
    return snapshot(goal, (*GOAL_FIELDS, "status"))


@transaction.atomic
def goal_add(*, actor: Any, pathway: Pathway, data: dict[str, Any]) -> Goal:
    participant = pathway.participant
    _require_edit(actor, participant.lab_id)
    _require_active(pathway)
    goal = Goal(pathway=pathway, **{k: v for k, v in data.items() if k in GOAL_FIELDS})
    goal.full_clean()
    goal.save()
    _event(pathway, actor, PathwayEvent.Kind.GOAL_ADDED, goal=goal)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="goal",
        object_id=goal.pk,
        participant=participant,
        changes=diff({}, _goal_snapshot(goal)),
    )
    return goal


@transaction.atomic
def goal_update(*, actor: Any, goal: Goal, data: dict[str, Any]) -> Goal:
    """Change a goal's wording, pillar, milestones or target date (not its
    status: that is `goal_transition`)."""
    pathway = goal.pathway
    participant = pathway.participant
    _require_edit(actor, participant.lab_id)
    _require_active(pathway)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    before = _goal_snapshot(goal)
    for name, value in data.items():
        if name in GOAL_FIELDS:
            setattr(goal, name, value)
    goal.full_clean()
    goal.save()
    changes = diff(before, _goal_snapshot(goal))
    if changes:
        _event(pathway, actor, PathwayEvent.Kind.GOAL_CHANGED, goal=goal)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="goal",
            object_id=goal.pk,
            participant=participant,
            changes=changes,
        )
    return goal


def check_transition(current: str, new: str) -> None:
    """Raise ValidationError unless `Goal.TRANSITIONS` allows current → new."""
    if new not in Goal.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if new not in Goal.TRANSITIONS[current]:
        raise ValidationError(
            {
                "status": _("A goal cannot go from “%(current)s” to “%(new)s”.")
                % {
                    "current": Goal.Status(current).label,
                    "new": Goal.Status(new).label,
                }
            }
        )


@transaction.atomic
def goal_transition(*, actor: Any, goal: Goal, status: str) -> Goal:
    """Move a goal to another status, if the transition table allows it."""
    pathway = goal.pathway
    participant = pathway.participant
    _require_edit(actor, participant.lab_id)
    _require_active(pathway)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    current = goal.status
    check_transition(current, status)
    goal.status = status
    goal.status_changed_at = timezone.now()
    goal.save(update_fields=["status", "status_changed_at"])
    _event(
        pathway,
        actor,
        PathwayEvent.Kind.GOAL_STATUS,
        goal=goal,
        from_status=current,
        to_status=status,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="goal",
        object_id=goal.pk,
        participant=participant,
        changes={"status": {"before": current, "after": status}},
    )
    return goal


@transaction.atomic
def goal_remove(*, actor: Any, goal: Goal) -> Goal:
    """Take a goal off the pathway; it stays in the timeline and the log."""
    pathway = goal.pathway
    participant = pathway.participant
    _require_edit(actor, participant.lab_id)
    _require_active(pathway)
    goal.removed_at = timezone.now()
    goal.save(update_fields=["removed_at"])
    _event(pathway, actor, PathwayEvent.Kind.GOAL_REMOVED, goal=goal)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        object_type="goal",
        object_id=goal.pk,
        participant=participant,
        detail=goal.title,
    )
    return goal


@transaction.atomic
def evidence_add(
    *,
    actor: Any,
    goal: Goal,
    note: str = "",
    document: Any = None,
    assessment: Assessment | None = None,
) -> Evidence:
    """Attach a note, a document or an assessment of the person to a goal."""
    pathway = goal.pathway
    participant = pathway.participant
    _require_edit(actor, participant.lab_id)
    _require_active(pathway)
    if not (note.strip() or document or assessment):
        raise ValidationError(_("Give a note, a document or an assessment."))
    if assessment is not None and assessment.participant_id != participant.pk:
        raise ValidationError(
            {"assessment": _("This assessment is of another person.")}
        )
    if document is not None and document.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": _("The document is larger than 10 MB.")})
    evidence = Evidence(
        goal=goal,
        note=note.strip(),
        assessment=assessment,
        added_by=actor,
    )
    if document is not None:
        evidence.document = document
    evidence.full_clean()
    evidence.save()
    _event(pathway, actor, PathwayEvent.Kind.EVIDENCE, goal=goal)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="evidence",
        object_id=evidence.pk,
        participant=participant,
        detail="document" if document else ("assessment" if assessment else "note"),
    )
    return evidence


# Assessments ---------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *, actor: Any, participant: Participant, kind: str, data: dict[str, Any]
) -> Assessment:
    """Record an assessment. Earlier ones stay: the history is never rewritten."""
    _require_edit(actor, participant.lab_id)
    if kind not in Assessment.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of assessment.")})
    allowed = (*Assessment.COMMON, *Assessment.FIELDS[kind])
    assessment = Assessment(
        participant=participant,
        kind=kind,
        recorded_by=actor,
        **{k: v for k, v in data.items() if k in allowed},
    )
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="assessment",
        object_id=assessment.pk,
        participant=participant,
        detail=kind,
        changes=diff({}, snapshot(assessment, allowed)),
    )
    return assessment


# Exit and follow-up surveys ---------------------------------------------------------


@transaction.atomic
def pathway_exit(*, actor: Any, pathway: Pathway, data: dict[str, Any]) -> Pathway:
    """End an active pathway and schedule the surveys 3, 6 and 12 months on."""
    participant = pathway.participant
    _require_edit(actor, participant.lab_id)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    _require_active(pathway)
    reason = data.get("exit_reason") or ""
    exit_date = data.get("exit_date")
    errors = {}
    if reason not in Pathway.ExitReason.values:
        errors["exit_reason"] = _("Choose the reason.")
    if not isinstance(exit_date, dt.date):
        errors["exit_date"] = _("Give the date.")
    elif exit_date > timezone.localdate():
        errors["exit_date"] = _("This date is in the future.")
    elif exit_date < pathway.started_on:
        errors["exit_date"] = _("This date is before the pathway started.")
    if errors:
        raise ValidationError(errors)
    assert isinstance(exit_date, dt.date)  # noqa: S101 - checked above
    pathway.status = Pathway.Status.EXITED
    pathway.exit_reason = reason
    pathway.exit_date = exit_date
    pathway.exit_note = (data.get("exit_note") or "").strip()
    pathway.full_clean()
    pathway.save()
    planned = set(pathway.surveys.values_list("months", flat=True))
    FollowUpSurvey.objects.bulk_create(
        [
            FollowUpSurvey(pathway=pathway, months=m, due_on=add_months(exit_date, m))
            for m in FollowUpSurvey.MONTHS
            if m not in planned
        ]
    )
    _event(
        pathway,
        actor,
        PathwayEvent.Kind.EXITED,
        subject=str(pathway.get_exit_reason_display()),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="pathway",
        object_id=pathway.pk,
        participant=participant,
        detail="exit",
        changes={
            "status": {"before": Pathway.Status.ACTIVE, "after": pathway.status},
            "exit_reason": {"before": "", "after": reason},
            "exit_date": {"before": None, "after": exit_date.isoformat()},
        },
    )
    return pathway


def _require_follow_up_consent(participant: Participant) -> None:
    if not consent_is_active(
        participant=participant, purpose=Consent.Purpose.FOLLOW_UP
    ):
        raise ValidationError(
            _("The participant has not consented to follow-up contact.")
        )


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def survey_link_issue(*, actor: Any, survey: FollowUpSurvey) -> str:
    """A new personal link token for the survey (the old one stops working).

    Only the digest is stored; the raw token is returned once, to be sent.
    `actor` None is the daily task.
    """
    participant = survey.pathway.participant
    if actor is not None:
        _require_edit(actor, participant.lab_id)
    if survey.is_answered:
        raise ValidationError(_("This survey is already answered."))
    _require_follow_up_consent(participant)
    raw = secrets.token_urlsafe(32)
    survey.token_digest = token_digest(raw)
    survey.token_expires_at = timezone.now() + dt.timedelta(
        days=FollowUpSurvey.LINK_DAYS
    )
    survey.save(update_fields=["token_digest", "token_expires_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="follow_up_survey",
        object_id=survey.pk,
        participant=participant,
        detail="personal link issued",
    )
    return raw


@transaction.atomic
def survey_mark_sent(*, survey: FollowUpSurvey) -> FollowUpSurvey:
    survey.sent_at = timezone.now()
    survey.save(update_fields=["sent_at"])
    _event(survey.pathway, None, PathwayEvent.Kind.SURVEY_SENT, subject=str(survey))
    audit_record(
        actor=None,
        action=AuditEntry.Action.UPDATE,
        object_type="follow_up_survey",
        object_id=survey.pk,
        participant=survey.pathway.participant,
        detail="sent by email",
    )
    return survey


@transaction.atomic
def survey_answer(
    *,
    actor: Any,
    survey: FollowUpSurvey,
    data: dict[str, Any],
    by_participant: bool = False,
) -> FollowUpSurvey:
    """Record the answers, once. `by_participant`: through the personal link
    (no account; `actor` is None), which then stops working."""
    participant = survey.pathway.participant
    if not by_participant:
        _require_edit(actor, participant.lab_id)
    survey = FollowUpSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.is_answered:
        raise ValidationError(_("This survey is already answered."))
    if survey.due_on > timezone.localdate() and not by_participant:
        raise ValidationError(_("This survey is not due yet."))
    _require_follow_up_consent(participant)
    for name in FollowUpSurvey.ANSWER_FIELDS:
        if name in data:
            setattr(survey, name, data[name] if data[name] is not None else None)
    for name in ("employment_status", "income_band", "housing", "residence_status"):
        if getattr(survey, name) is None:
            setattr(survey, name, "")
    survey.answered_at = timezone.now()
    survey.answered_by = None if by_participant else actor
    survey.channel = (
        FollowUpSurvey.Channel.PARTICIPANT
        if by_participant
        else FollowUpSurvey.Channel.STAFF
    )
    survey.token_digest = ""
    survey.token_expires_at = None
    survey.full_clean()
    survey.save()
    _event(
        survey.pathway,
        None if by_participant else actor,
        PathwayEvent.Kind.SURVEY_ANSWERED,
        subject=str(survey),
    )
    audit_record(
        actor=None if by_participant else actor,
        action=AuditEntry.Action.UPDATE,
        object_type="follow_up_survey",
        object_id=survey.pk,
        participant=participant,
        detail=f"answered ({survey.channel})",
        changes=diff({}, snapshot(survey, FollowUpSurvey.ANSWER_FIELDS)),
    )
    return survey
