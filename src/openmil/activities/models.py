"""Activities, their cohorts and sessions, enrolments, attendance and
calendar feeds."""

import datetime as dt
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.core.display import ChoiceDisplayMixin
from openmil.core.models import Lab, Organisation
from openmil.core.pillars import Pillar
from openmil.participants.models import Participant

#: The lab's target share of newcomers in a cohort when it sets none.
DEFAULT_TARGET_NEWCOMER_SHARE = 50
#: A cohort's mix is flagged when it is further than this from the target.
MIX_TOLERANCE_POINTS = 10
#: Sessions are planned within these years (so their times convert to UTC).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class LabActivitySettings(models.Model):
    """A lab's defaults for its activities."""

    lab = models.OneToOneField(
        Lab, on_delete=models.CASCADE, related_name="activity_settings"
    )
    target_newcomer_share = models.PositiveSmallIntegerField(
        _("target share of newcomers (%)"),
        default=DEFAULT_TARGET_NEWCOMER_SHARE,
        validators=[MaxValueValidator(100)],
        help_text=_("Each cohort may set its own target instead."),
    )

    class Meta:
        verbose_name = _("activity settings")
        verbose_name_plural = _("activity settings")

    def __str__(self) -> str:
        return str(self.lab)


class Activity(ChoiceDisplayMixin, models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        WORKSHOP = "workshop", _("Workshop")
        INFORMATION_SESSION = "information_session", _("Information session")
        MENTORING_GROUP = "mentoring_group", _("Mentoring group")
        INTERCULTURAL_EVENT = "intercultural_event", _("Intercultural event")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="activities", verbose_name=_("lab")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar.choices)
    # RESTRICT: a partner running activities stays, unless its lab (and so
    # the activities) goes too.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("run by a partner"),
        help_text=_("Empty when the lab runs it."),
    )
    description = models.TextField(_("description"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    EDITABLE_FIELDS = ("title", "kind", "pillar", "organisation", "description")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["lab", "pillar"], name="activity_lab_pillar")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.organisation is not None and self.organisation.lab_id != self.lab_id:
            raise ValidationError(
                {"organisation": _("This organisation belongs to another lab.")}
            )


class Cohort(ChoiceDisplayMixin, models.Model):
    """A group of people taking an activity together, with a capacity."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="cohorts",
        verbose_name=_("activity"),
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    target_newcomer_share = models.PositiveSmallIntegerField(
        _("target share of newcomers (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Empty: the lab's target applies."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    EDITABLE_FIELDS = (
        "name",
        "starts_on",
        "ends_on",
        "capacity",
        "target_newcomer_share",
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["starts_on", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="cohort_capacity_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end is before the start.")})


class Session(ChoiceDisplayMixin, models.Model):
    """One meeting of a cohort: a time, a place and a facilitator."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_sessions",
        verbose_name=_("facilitator"),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["cohort", "starts_at"], name="session_cohort_start"),
            models.Index(
                fields=["facilitator", "starts_at"], name="session_facilitator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} · {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end is not after the start.")})

    def local_start(self, time_zone: str) -> dt.datetime:
        return timezone.localtime(self.starts_at, zoneinfo.ZoneInfo(time_zone))

    @property
    def is_held(self) -> bool:
        """A session counts as held once it has started."""
        return self.starts_at <= timezone.now()


class Enrolment(ChoiceDisplayMixin, models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("On the waitlist")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE_STATUSES = (Status.ENROLLED, Status.WAITLISTED)

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="enrolments"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    #: The waitlist is served in the order people asked.
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "participant"],
                condition=models.Q(status__in=["enrolled", "waitlisted"]),
                name="enrolment_one_active_per_cohort",
            )
        ]
        indexes = [
            models.Index(
                fields=["cohort", "status", "requested_at"], name="enrolment_queue"
            ),
            models.Index(fields=["participant", "status"], name="enrolment_person"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.cohort} · {self.get_status_display()}"


class Attendance(ChoiceDisplayMixin, models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="attendance_one_per_session"
            )
        ]
        indexes = [
            models.Index(fields=["participant", "status"], name="attendance_person")
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.session} · {self.get_status_display()}"


class CalendarFeed(models.Model):
    """An iCalendar subscription at an unguessable URL.

    Only the SHA-256 digest of the token is kept: the URL is shown once, when
    it is made. Making a new one revokes the old.
    """

    class Kind(models.TextChoices):
        FACILITATOR = "facilitator", _("Sessions I facilitate")
        PARTICIPANT = "participant", _("A participant's sessions")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="facilitator",
                        user__isnull=False,
                        participant__isnull=True,
                    )
                    | models.Q(
                        kind="participant",
                        user__isnull=True,
                        participant__isnull=False,
                    )
                ),
                name="calendar_feed_one_owner",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True, user__isnull=False),
                name="calendar_feed_one_active_per_user",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(revoked_at__isnull=True, participant__isnull=False),
                name="calendar_feed_one_active_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate_raw() -> str:
        return secrets.token_urlsafe(32)
