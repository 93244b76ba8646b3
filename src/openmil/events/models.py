"""Events with registration, and volunteers, mentors and mentoring pairs.

Events are the lab's programme, published on the public site; registrants
are members of the public who give a name and an e-mail address. Volunteers
sign up on the public site and are vetted by the lab; approved mentors are
paired with participants.
"""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.activities.models import Activity, Cohort
from openmil.core.models import Lab
from openmil.core.pillars import Pillar
from openmil.participants.models import Participant

#: A mentoring pair is flagged when it has not met for this many weeks.
PAIR_QUIET_WEEKS = 4
#: Check-in codes avoid letters and digits that look alike.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


class Event(models.Model):
    class Kind(models.TextChoices):
        INTERCULTURAL = "intercultural", _("Intercultural event")
        MEETING = "meeting", _("Meeting")
        WORKSHOP = "workshop", _("Workshop")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="events", verbose_name=_("lab")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    description = models.TextField(
        _("description"), blank=True, max_length=8000, help_text=_("Markdown")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("part of the activity"),
    )
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("for the cohort"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    EDITABLE_FIELDS = (
        "title",
        "kind",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "capacity",
        "activity",
        "cohort",
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="event_capacity_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_public"),
            models.Index(fields=["lab", "starts_at"], name="event_lab_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end is not after the start.")
        if self.activity is not None and self.activity.lab_id != self.lab_id:
            errors["activity"] = _("This activity belongs to another lab.")
        if self.cohort is not None:
            if self.cohort.activity.lab_id != self.lab_id:
                errors["cohort"] = _("This cohort belongs to another lab.")
            elif self.activity is not None and self.cohort.activity_id != (
                self.activity.pk
            ):
                errors["cohort"] = _("This cohort is not part of the activity.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        """Registration is open until the event starts."""
        return self.status == self.Status.PUBLISHED and self.starts_at > timezone.now()


class Registration(models.Model):
    """A person's place (or place in the queue) at an event.

    A registration made on the public site waits for its e-mail address to
    be confirmed before it counts; confirmed registrations are seated or
    waitlisted in the order they were confirmed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for e-mail confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    code = models.CharField(
        _("check-in code"), max_length=CODE_LENGTH, default=new_checkin_code
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: The waitlist is served in the order of confirmation.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["confirmed_at", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=models.Q(status__in=["pending", "confirmed", "waitlisted"]),
                name="registration_one_active_per_email",
            ),
            models.UniqueConstraint(
                fields=["event", "code"], name="registration_code_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["event", "status", "confirmed_at"], name="registration_queue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.get_status_display()}"


class Volunteer(models.Model):
    """A member of the public offering time as a volunteer or a mentor."""

    class Role(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer")
        MENTOR = "mentor", _("Mentor")
        BOTH = "both", _("Volunteer and mentor")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        INTERVIEWED = "interviewed", _("Interviewed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Availability(models.TextChoices):
        WEEKDAY_MORNINGS = "weekday_mornings", _("Weekday mornings")
        WEEKDAY_AFTERNOONS = "weekday_afternoons", _("Weekday afternoons")
        WEEKDAY_EVENINGS = "weekday_evenings", _("Weekday evenings")
        WEEKENDS = "weekends", _("Weekends")

    class Gender(models.TextChoices):
        NOT_STATED = "", _("Not stated")
        FEMALE = "female", _("A woman")
        MALE = "male", _("A man")
        OTHER = "other", _("Other")

    class GenderPreference(models.TextChoices):
        NONE = "none", _("No preference")
        WOMEN = "women", _("Women")
        MEN = "men", _("Men")

    #: Vetting moves forward only along these steps.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.APPLIED: (Status.INTERVIEWED, Status.REJECTED),
        Status.INTERVIEWED: (Status.APPROVED, Status.REJECTED),
        Status.APPROVED: (),
        Status.REJECTED: (),
    }

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="volunteers", verbose_name=_("lab")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(_("I offer to be"), max_length=10, choices=Role.choices)
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("ISO 639 codes")
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    availability = models.JSONField(_("availability"), default=list, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    interests = models.JSONField(
        _("interests"), default=list, blank=True, help_text=_("Pillars")
    )
    gender = models.CharField(
        _("gender"),
        max_length=6,
        choices=Gender.choices,
        blank=True,
        default="",
        help_text=_("Used when a mentee asks for a mentor of a given gender."),
    )
    #: How many mentees a mentor takes at once (matching rounds respect it).
    max_mentees = models.PositiveSmallIntegerField(
        _("mentees at most"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    gender_preference = models.CharField(
        _("I would rather mentor"),
        max_length=8,
        choices=GenderPreference.choices,
        default=GenderPreference.NONE,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    background_check_on = models.DateField(_("background check"), null=True, blank=True)
    applied_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-applied_at", "id"]
        indexes = [models.Index(fields=["lab", "status"], name="volunteer_lab_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(background_check_on__isnull=False),
                name="volunteer_approved_after_check",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_mentor(self) -> bool:
        return self.role in (self.Role.MENTOR, self.Role.BOTH)

    def interest_labels(self) -> list[str]:
        labels = dict(Pillar.choices)
        return [str(labels.get(code, code)) for code in self.interests]


class VolunteerStatusChange(models.Model):
    """One step of a volunteer's vetting, kept for the record."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=Volunteer.Status.choices)
    to_status = models.CharField(max_length=12, choices=Volunteer.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class MentoringPair(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="mentoring_pairs"
    )
    mentor = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        related_name="pairs",
        verbose_name=_("mentor"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="mentoring_pairs",
        verbose_name=_("participant"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mentoring pair")
        verbose_name_plural = _("mentoring pairs")
        ordering = ["-started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "participant"],
                condition=models.Q(status="active"),
                name="pair_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ↔ {self.participant_id}"


class MentoringMeeting(models.Model):
    pair = models.ForeignKey(
        MentoringPair, on_delete=models.CASCADE, related_name="meetings"
    )
    on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mentoring meeting")
        verbose_name_plural = _("mentoring meetings")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.pair_id} · {self.on}"
