"""Reads of the public site: what a reader, an owner or a moderator may see."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language, get_language_info

from openmil.core import access
from openmil.core.models import Lab
from openmil.core.roles import Perm
from openmil.public.models import (
    Evidence,
    Participation,
    Project,
    Recommendation,
    Report,
)


def projects_published(
    *, kind: str = "", pillar: str = "", query: str = ""
) -> QuerySet[Project]:
    projects = Project.objects.filter(status=Project.Status.PUBLISHED).select_related(
        "lab"
    )
    if kind:
        projects = projects.filter(kind=kind)
    if pillar:
        # JSON containment is not portable to SQLite; the list is short.
        projects = projects.filter(pillars__icontains=f'"{pillar}"')
    if query:
        projects = projects.filter(
            Q(title__icontains=query) | Q(summary__icontains=query)
        )
    return projects.order_by("-created_at", "-pk").annotate(
        supporters=Count(
            "participations", filter=Q(participations__kind=Participation.Kind.SUPPORT)
        ),
        members=Count(
            "participations", filter=Q(participations__kind=Participation.Kind.JOIN)
        ),
    )


def projects_of_owner(*, user: Any) -> QuerySet[Project]:
    return Project.objects.filter(owner_id=user.pk).select_related("lab")


def project_for_reader(*, user: Any, project_id: int) -> Project:
    """A published project, or one of the reader's own in any state."""
    project = Project.objects.select_related("lab").filter(pk=project_id).first()
    if project is None:
        raise Http404
    if project.status == Project.Status.PUBLISHED:
        return project
    if user is not None and user.is_authenticated and project.owner_id == user.pk:
        return project
    raise Http404


@dataclass
class Participants:
    """Who takes part in a project: counts by group, names only when chosen."""

    supporters: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    named_supporters: list[str] = field(default_factory=list)
    named_members: list[str] = field(default_factory=list)

    @property
    def total_supporters(self) -> int:
        return sum(self.supporters.values())

    @property
    def total_members(self) -> int:
        return sum(self.members.values())


def project_participants(*, project: Project) -> Participants:
    result = Participants(
        supporters=dict.fromkeys(Participation.Group.values, 0),
        members=dict.fromkeys(Participation.Group.values, 0),
    )
    rows = project.participations.values("kind", "group").annotate(n=Count("pk"))
    for row in rows:
        target = (
            result.supporters
            if row["kind"] == Participation.Kind.SUPPORT
            else result.members
        )
        target[row["group"]] = row["n"]
    named = project.participations.filter(show_name=True).order_by("created_at")
    for p in named.values("kind", "display_name"):
        if p["kind"] == Participation.Kind.SUPPORT:
            result.named_supporters.append(p["display_name"])
        else:
            result.named_members.append(p["display_name"])
    return result


def participation_of(*, user: Any, project: Project) -> dict[str, Participation]:
    if user is None or not user.is_authenticated:
        return {}
    return {p.kind: p for p in project.participations.filter(user_id=user.pk)}


def labs_for_projects() -> QuerySet[Lab]:
    """Labs a citizen can address a project to."""
    return Lab.objects.order_by("name")


# ---------------------------------------------------------------------------
# Moderation: scoped to the labs where the user may moderate.


def moderated_lab_ids(*, user: Any) -> set[int]:
    return access.lab_ids_with(user, Perm.MODERATE_PUBLIC)


def projects_pending(*, user: Any) -> QuerySet[Project]:
    """Projects waiting for moderation in the labs the user moderates."""
    return (
        Project.objects.filter(
            lab_id__in=moderated_lab_ids(user=user), status=Project.Status.PENDING
        )
        .select_related("lab")
        .order_by("created_at", "pk")
    )


def reports_open(*, user: Any) -> QuerySet[Report]:
    return Report.objects.filter(
        project__lab_id__in=moderated_lab_ids(user=user), status=Report.Status.OPEN
    ).select_related("project", "project__lab")


def moderation_queue(*, user: Any) -> dict[str, Any]:
    """The moderation page; not found for users who moderate nowhere."""
    labs = moderated_lab_ids(user=user)
    if not labs:
        raise Http404
    return {
        "pending": projects_pending(user=user),
        "reports": reports_open(user=user),
        "recent": Project.objects.filter(lab_id__in=labs)
        .exclude(status=Project.Status.PENDING)
        .select_related("lab")
        .order_by("-moderated_at", "-pk")[:20],
    }


def project_for_moderator(*, user: Any, project_id: int) -> Project:
    project = (
        Project.objects.select_related("lab", "owner")
        .filter(pk=project_id, lab_id__in=moderated_lab_ids(user=user))
        .first()
    )
    if project is None:
        raise Http404
    return project


def report_for_moderator(*, user: Any, report_id: int) -> Report:
    report = (
        Report.objects.select_related("project", "project__lab")
        .filter(pk=report_id, project__lab_id__in=moderated_lab_ids(user=user))
        .first()
    )
    if report is None:
        raise Http404
    return report


# ---------------------------------------------------------------------------
# Recommendations.


def recommendations_public(*, status: str = "") -> QuerySet[Recommendation]:
    recommendations = Recommendation.objects.select_related("lab")
    if status:
        recommendations = recommendations.filter(status=status)
    return recommendations


def recommendation_public_get(*, recommendation_id: int) -> Recommendation:
    recommendation = (
        Recommendation.objects.select_related("lab")
        .prefetch_related("history", "evidence")
        .filter(pk=recommendation_id)
        .first()
    )
    if recommendation is None:
        raise Http404
    return recommendation


def recommendations_for_staff(*, user: Any) -> QuerySet[Recommendation]:
    labs = access.lab_ids_with(user, Perm.MANAGE_RECOMMENDATIONS)
    if not labs:
        raise Http404
    return Recommendation.objects.filter(lab_id__in=labs).select_related("lab")


def recommendation_for_staff(*, user: Any, recommendation_id: int) -> Recommendation:
    recommendation = (
        recommendations_for_staff(user=user)
        .prefetch_related("history", "evidence")
        .filter(pk=recommendation_id)
        .first()
    )
    if recommendation is None:
        raise Http404
    return recommendation


def evidence_for_staff(*, user: Any, evidence_id: int) -> Evidence:
    labs = access.lab_ids_with(user, Perm.MANAGE_RECOMMENDATIONS)
    evidence = (
        Evidence.objects.select_related("recommendation")
        .filter(pk=evidence_id, recommendation__lab_id__in=labs)
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


def evidence_rows(*, recommendation: Recommendation) -> list[dict[str, str]]:
    """Each link with a readable label: an indicator's name from the registry."""
    from openmil.indicators.registry import REGISTRY

    rows = []
    for item in recommendation.evidence.all():
        if item.kind == Evidence.Kind.INDICATOR:
            indicator = REGISTRY.get(item.indicator_id)
            name = str(indicator.name) if indicator else item.indicator_id
            rows.append(
                {
                    "kind": item.kind,
                    "label": item.label or name,
                    "ref": item.indicator_id,
                }
            )
        else:
            rows.append(
                {"kind": item.kind, "label": item.label or item.url, "url": item.url}
            )
    return rows


# ---------------------------------------------------------------------------
# Content per language.


def language_note(*, content_language: str) -> str:
    """The name of the language a text is written in, in that language,
    when the reader reads another one; empty when they match."""
    reader = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if not content_language or content_language == reader:
        return ""
    try:
        return str(get_language_info(content_language)["name_local"])
    except KeyError:
        return content_language
