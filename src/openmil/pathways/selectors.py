"""Reads of pathway data, scoped through the participants' root selector."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from openmil.core import access
from openmil.core.models import Lab
from openmil.core.pillars import Pillar
from openmil.core.roles import Perm
from openmil.participants.models import Participant
from openmil.participants.selectors import participant_queryset, visible_q
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

_BAD_ID = (ValueError, TypeError, OverflowError)


# Templates and the civic curriculum (lab set-up, no personal data) -----------


def template_queryset(*, user: Any) -> QuerySet[PathwayTemplate]:
    """Templates of the labs whose records the user handles or sets up."""
    lab_ids = access.lab_ids_with(user, Perm.VIEW_PERSONAL) | access.lab_ids_with(
        user, Perm.MANAGE_LAB
    )
    return PathwayTemplate.objects.filter(lab_id__in=lab_ids).select_related("lab")


def template_list(*, user: Any, lab_id: int | None = None) -> QuerySet[PathwayTemplate]:
    qs = template_queryset(user=user)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.prefetch_related(
        Prefetch("goals", queryset=TemplateGoal.objects.order_by("pillar", "position"))
    ).order_by("lab__name", "name")


def template_get(
    *, user: Any, template_id: int, manage: bool = False
) -> PathwayTemplate:
    """A template the user may read (or, with `manage`, change), or Http404."""
    try:
        template = template_queryset(user=user).get(pk=template_id)
    except (PathwayTemplate.DoesNotExist, *_BAD_ID):
        raise Http404 from None
    if manage and not access.can(user, Perm.MANAGE_LAB, template.lab_id):
        raise Http404
    return template


def template_goal_get(*, user: Any, goal_id: int) -> TemplateGoal:
    try:
        goal = TemplateGoal.objects.select_related("template").get(pk=goal_id)
    except (TemplateGoal.DoesNotExist, *_BAD_ID):
        raise Http404 from None
    if not access.can(user, Perm.MANAGE_LAB, goal.template.lab_id):
        raise Http404
    return goal


def criterion_get(*, user: Any, criterion_id: int) -> ReadinessCriterion:
    try:
        criterion = ReadinessCriterion.objects.select_related("template").get(
            pk=criterion_id
        )
    except (ReadinessCriterion.DoesNotExist, *_BAD_ID):
        raise Http404 from None
    if not access.can(user, Perm.MANAGE_LAB, criterion.template.lab_id):
        raise Http404
    return criterion


def templates_for_lab(*, lab_id: int) -> QuerySet[PathwayTemplate]:
    return PathwayTemplate.objects.filter(lab_id=lab_id, active=True).order_by("name")


def civic_modules_for_lab(*, lab_id: int) -> QuerySet[CivicModule]:
    return CivicModule.objects.filter(lab_id=lab_id)


def managed_labs(*, user: Any) -> QuerySet[Lab]:
    return access.labs_with(user, Perm.MANAGE_LAB)


# Pathways ---------------------------------------------------------------------


def pathway_for_participant(*, participant: Participant) -> Pathway | None:
    """The participant's pathway, or None. The caller has scoped the person."""
    return (
        Pathway.objects.select_related("template").filter(participant=participant)
    ).first()


def pathway_get(*, user: Any, participant_id: int) -> Pathway:
    """The pathway of a participant the user may see, or Http404 (not logged)."""
    try:
        return Pathway.objects.select_related("participant__lab", "template").get(
            participant_id=participant_id,
            participant__in=participant_queryset(user=user),
        )
    except (Pathway.DoesNotExist, *_BAD_ID):
        raise Http404 from None


def goal_get(*, user: Any, goal_id: int) -> Goal:
    """A goal (not removed) of a participant the user may see, or Http404."""
    try:
        return Goal.objects.select_related("pathway__participant__lab").get(
            pk=goal_id,
            removed_at__isnull=True,
            pathway__participant__in=participant_queryset(user=user),
        )
    except (Goal.DoesNotExist, *_BAD_ID):
        raise Http404 from None


def evidence_get(*, user: Any, evidence_id: int) -> Evidence:
    try:
        return Evidence.objects.select_related("goal__pathway__participant").get(
            pk=evidence_id,
            goal__pathway__participant__in=participant_queryset(user=user),
        )
    except (Evidence.DoesNotExist, *_BAD_ID):
        raise Http404 from None


def survey_get(*, user: Any, survey_id: int) -> FollowUpSurvey:
    try:
        return FollowUpSurvey.objects.select_related("pathway__participant__lab").get(
            pk=survey_id, pathway__participant__in=participant_queryset(user=user)
        )
    except (FollowUpSurvey.DoesNotExist, *_BAD_ID):
        raise Http404 from None


def goals_of(*, pathway: Pathway) -> QuerySet[Goal]:
    return (
        pathway.goals.filter(removed_at__isnull=True)
        .select_related("template_goal")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("assessment", "added_by"),
            )
        )
    )


def assessments_of(*, participant: Participant, kind: str = "") -> QuerySet[Assessment]:
    """Every assessment of the person, newest first (the full history)."""
    qs = participant.assessments.select_related(
        "civic_module", "occupation", "recorded_by"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-assessed_on", "-id")


def surveys_of(*, pathway: Pathway) -> QuerySet[FollowUpSurvey]:
    return pathway.surveys.select_related("answered_by").order_by("due_on")


# Readiness --------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    criterion: ReadinessCriterion
    met: bool


@dataclass(frozen=True)
class Readiness:
    score: int | None
    results: list[CriterionResult] = field(default_factory=list)


def _latest(assessments: list[Assessment], **match: Any) -> Assessment | None:
    """The most recent assessment matching the fields (list is newest first)."""
    for a in assessments:
        if all(getattr(a, k) == v for k, v in match.items()):
            return a
    return None


def criterion_met(
    criterion: ReadinessCriterion, *, goals: list[Goal], assessments: list[Assessment]
) -> bool:
    """Whether one criterion holds, from the goals and assessments in hand.

    Levels and statuses are the latest assessed, not the best ever: a
    status can fall back (a job ends).
    """
    kind = criterion.kind
    K = ReadinessCriterion.Kind  # noqa: N806
    if kind == K.CEFR:
        a = _latest(
            assessments,
            kind=Assessment.Kind.CEFR,
            language=criterion.language,
            skill=criterion.skill,
        )
        return bool(
            a
            and a.cefr_level is not None
            and criterion.cefr_level is not None
            and a.cefr_level >= criterion.cefr_level
        )
    if kind == K.GOAL:
        return any(
            g.template_goal_id == criterion.goal_id and g.status == Goal.Status.ACHIEVED
            for g in goals
        )
    if kind == K.EMPLOYMENT:
        a = _latest(assessments, kind=Assessment.Kind.EMPLOYMENT)
        return bool(a and a.employment_status == criterion.employment_status)
    if kind == K.EDUCATION:
        return _latest(assessments, kind=Assessment.Kind.EDUCATION) is not None
    if kind == K.CIVIC_MODULES:
        done = {
            a.civic_module_id for a in assessments if a.kind == Assessment.Kind.CIVIC
        }
        return len(done) >= (criterion.count or 0)
    if kind == K.INTERCULTURAL:
        n = sum(1 for a in assessments if a.kind == Assessment.Kind.INTERCULTURAL)
        return n >= (criterion.count or 0)
    return False


def readiness(
    *,
    criteria: list[ReadinessCriterion],
    goals: list[Goal],
    assessments: list[Assessment],
) -> Readiness:
    """The weighted share of criteria met, 0–100; None without criteria."""
    results = [
        CriterionResult(c, criterion_met(c, goals=goals, assessments=assessments))
        for c in criteria
    ]
    total = sum(r.criterion.weight for r in results)
    if not total:
        return Readiness(score=None, results=results)
    met = sum(r.criterion.weight for r in results if r.met)
    return Readiness(score=round(100 * met / total), results=results)


# The pathway page -------------------------------------------------------------


@dataclass(frozen=True)
class PillarProgress:
    pillar: str
    label: str
    goals: list[Goal]
    achieved: int
    counted: int

    @property
    def percent(self) -> int:
        return round(100 * self.achieved / self.counted) if self.counted else 0


def pillar_progress(goals: list[Goal]) -> list[PillarProgress]:
    """Per pillar: goals achieved out of goals still counted (dropped ones
    do not count)."""
    out = []
    for pillar in Pillar:
        mine = [g for g in goals if g.pillar == pillar]
        counted = [g for g in mine if g.status != Goal.Status.DROPPED]
        achieved = sum(1 for g in counted if g.status == Goal.Status.ACHIEVED)
        out.append(
            PillarProgress(
                pillar.value, str(pillar.label), mine, achieved, len(counted)
            )
        )
    return out


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    event: PathwayEvent | None = None
    assessment: Assessment | None = None


@dataclass(frozen=True)
class PathwayPage:
    pathway: Pathway | None
    goals: list[Goal]
    pillars: list[PillarProgress]
    assessments: list[Assessment]
    readiness: Readiness
    timeline: list[TimelineItem]
    surveys: list[FollowUpSurvey]


def pathway_page(*, participant: Participant, timeline_limit: int = 100) -> PathwayPage:
    """Everything the pathway page shows, in a fixed number of queries.

    The caller has read (and logged) the participant through
    `participant_get`.
    """
    pathway = pathway_for_participant(participant=participant)
    assessments = list(assessments_of(participant=participant))
    if pathway is None:
        return PathwayPage(
            None,
            [],
            pillar_progress([]),
            assessments,
            Readiness(None),
            [TimelineItem(a.created_at, assessment=a) for a in assessments][
                :timeline_limit
            ],
            [],
        )
    goals = list(goals_of(pathway=pathway))
    criteria = (
        list(pathway.template.criteria.select_related("goal"))
        if pathway.template is not None
        else []
    )
    events = list(
        pathway.events.select_related("actor", "goal").order_by("-at", "-id")[
            :timeline_limit
        ]
    )
    timeline = [TimelineItem(e.at, event=e) for e in events] + [
        TimelineItem(a.created_at, assessment=a) for a in assessments
    ]
    timeline.sort(key=lambda item: item.at, reverse=True)
    return PathwayPage(
        pathway=pathway,
        goals=goals,
        pillars=pillar_progress(goals),
        assessments=assessments,
        readiness=readiness(criteria=criteria, goals=goals, assessments=assessments),
        timeline=timeline[:timeline_limit],
        surveys=list(surveys_of(pathway=pathway)),
    )


def pathway_readiness(*, pathway: Pathway) -> Readiness:
    criteria = (
        list(pathway.template.criteria.select_related("goal"))
        if pathway.template is not None
        else []
    )
    return readiness(
        criteria=criteria,
        goals=list(goals_of(pathway=pathway)),
        assessments=list(assessments_of(participant=pathway.participant)),
    )


# Follow-up surveys ----------------------------------------------------------------


def surveys_open(
    *, user: Any, today: dt.date | None = None, mine: bool = True
) -> QuerySet[FollowUpSurvey]:
    """Unanswered surveys due by today, of people the user may see; with
    `mine`, only of the user's caseload."""
    day = today or timezone.localdate()
    qs = FollowUpSurvey.objects.filter(
        visible_q(user=user, through="pathway__participant__"),
        answered_at__isnull=True,
        due_on__lte=day,
    )
    if mine:
        qs = qs.filter(pathway__participant__caseworker_id=user.pk)
    return qs.select_related("pathway__participant").order_by("due_on", "id")


def surveys_to_send(*, today: dt.date) -> QuerySet[FollowUpSurvey]:
    """Surveys due and never sent (the daily task's work list; no user)."""
    return FollowUpSurvey.objects.filter(
        answered_at__isnull=True, sent_at__isnull=True, due_on__lte=today
    ).select_related("pathway__participant__lab")


def survey_by_token(*, digest: str) -> FollowUpSurvey | None:
    """The survey a personal link opens, if it is still open and valid."""
    if not digest:
        return None
    return (
        FollowUpSurvey.objects.select_related("pathway__participant__lab")
        .filter(
            token_digest=digest,
            answered_at__isnull=True,
            token_expires_at__gt=timezone.now(),
        )
        .first()
    )


# For indicators ------------------------------------------------------------------


def intercultural_participations(
    *,
    lab_ids: list[int] | set[int],
    start: dt.date | None = None,
    end: dt.date | None = None,
    kind: str = "",
) -> QuerySet[Assessment]:
    """Recorded intercultural participations in the labs, for indicators.

    Returns rows, not counts: the indicator applies the statistics-consent
    rule and disclosure control. Callers check aggregate access to the labs.
    """
    qs = Assessment.objects.filter(
        kind=Assessment.Kind.INTERCULTURAL, participant__lab_id__in=list(lab_ids)
    )
    if start is not None:
        qs = qs.filter(assessed_on__gte=start)
    if end is not None:
        qs = qs.filter(assessed_on__lte=end)
    if kind:
        qs = qs.filter(participation=kind)
    return qs


def latest_assessments(
    *, participant_ids: QuerySet[Any] | list[int], kind: str
) -> dict[int, Assessment]:
    """The latest assessment of `kind` per participant (for indicators)."""
    out: dict[int, Assessment] = {}
    rows = Assessment.objects.filter(
        kind=kind, participant_id__in=participant_ids
    ).order_by("participant_id", "-assessed_on", "-id")
    for a in rows:
        out.setdefault(a.participant_id, a)
    return out


def pathway_exit_dates(people: QuerySet[Participant]) -> dict[int, dt.date]:
    """{participant id: exit date} of the people whose pathway ended
    (the date retention rules count from)."""
    rows = Pathway.objects.filter(
        participant__in=people, exit_date__isnull=False
    ).values_list("participant_id", "exit_date")
    return {pid: exit_date for pid, exit_date in rows if exit_date is not None}
