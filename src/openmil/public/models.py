"""Citizen projects, their moderation, and the policy recommendations tracker.

Citizens are Django users without a lab membership. A project belongs to the
lab whose territory it serves: that lab's staff moderate it.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.core.models import Lab


def content_languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class ProjectKind(models.TextChoices):
    ASSOCIATIVE = "associative", _("Associative")
    ENTREPRENEURIAL = "entrepreneurial", _("Entrepreneurial")
    CULTURAL = "cultural", _("Cultural")
    TERRITORIAL = "territorial", _("Territorial")


class Project(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        HIDDEN = "hidden", _("Hidden after a report")

    lab = models.ForeignKey(
        Lab, on_delete=models.PROTECT, related_name="citizen_projects"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="citizen_projects",
    )
    title = models.CharField(_("Title"), max_length=160)
    summary = models.CharField(_("Summary"), max_length=300)
    description = models.TextField(_("Description"), max_length=20_000)
    kind = models.CharField(_("Kind of project"), max_length=20, choices=ProjectKind)
    pillars = models.JSONField(_("Pillars"), default=list)
    sdgs = models.JSONField(_("Sustainable Development Goals"), default=list)
    language = models.CharField(
        _("Language of the text"), max_length=8, choices=content_languages
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    moderation_reason = models.CharField(max_length=500, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "lab"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:project_detail", kwargs={"project_id": self.pk})


class Participation(models.Model):
    """A supporter or a member of a project; counted by group, named only
    when the person chooses it."""

    class Kind(models.TextChoices):
        SUPPORT = "support", _("Supporter")
        JOIN = "join", _("Member")

    class Group(models.TextChoices):
        NEWCOMER = "newcomer", _("A newcomer")
        NATIONAL = "national", _("A national")
        ORGANISATION = "organisation", _("An organisation")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="participations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_participations",
    )
    kind = models.CharField(max_length=10, choices=Kind)
    group = models.CharField(_("I take part as"), max_length=14, choices=Group)
    show_name = models.BooleanField(_("Show my name on the project page"))
    display_name = models.CharField(_("Name to show"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user", "kind"], name="one_participation_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.kind}:{self.group}"


class ProjectPost(models.Model):
    class Kind(models.TextChoices):
        UPDATE = "update", _("Update")
        RESULT = "result", _("Result")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(_("Kind of post"), max_length=10, choices=Kind)
    body = models.TextField(_("Text"), max_length=10_000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.kind}"


class Report(models.Model):
    """A reader's report of a published project."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        UPHELD = "upheld", _("Upheld: project hidden")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    reason = models.TextField(_("What is wrong with this project?"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"report {self.pk} on {self.project_id}"


class Recommendation(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DISCUSSED = "discussed", _("Discussed")
        ADOPTED = "adopted", _("Adopted")
        IMPLEMENTED = "implemented", _("Implemented")

    lab = models.ForeignKey(
        Lab, on_delete=models.PROTECT, related_name="recommendations"
    )
    title = models.CharField(_("Title"), max_length=200)
    body = models.TextField(_("Recommendation"), max_length=20_000)
    addressed_to = models.CharField(_("Addressed to"), max_length=200, blank=True)
    language = models.CharField(
        _("Language of the text"), max_length=8, choices=content_languages
    )
    status = models.CharField(
        _("Status"), max_length=12, choices=Status, default=Status.PROPOSED
    )
    status_since = models.DateField(_("Since"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-status_since", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "public:recommendation_detail", kwargs={"recommendation_id": self.pk}
        )


class RecommendationStatusChange(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(
        max_length=12, choices=Recommendation.Status, blank=True
    )
    to_status = models.CharField(max_length=12, choices=Recommendation.Status)
    on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.to_status} on {self.on}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        INDICATOR = "indicator", _("Indicator")
        PRACTICE = "practice", _("Good practice")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    indicator_id = models.CharField(max_length=64, blank=True)
    url = models.URLField(max_length=500, blank=True)
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="indicator", url="") & ~models.Q(indicator_id="")
                )
                | (models.Q(kind="practice", indicator_id="") & ~models.Q(url="")),
                name="evidence_is_an_indicator_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.indicator_id or self.url


SDGS = range(1, 18)
