"""Matching rounds, their proposals, and participants' stated preferences."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.utils.translation import gettext_lazy as _

from openmil.core.fields import EncryptedTextField
from openmil.core.models import Lab
from openmil.events.models import MentoringPair, Volunteer
from openmil.participants.models import Participant
from openmil.partners.models import Opportunity, Referral

TEXT_MAX = 2000
#: Decimal places a meeting area's coordinates are kept to: 0.01° is about
#: 1 km, enough to weigh a mentor's distance, too coarse to find a door.
MEETING_DECIMALS = 2
MEETING_STEP = Decimal(1).scaleb(-MEETING_DECIMALS)
MEETING_BOTH = _("Give both the latitude and the longitude, or neither.")
MEETING_NAMED = _("Name the neighbourhood or town these coordinates are in.")


class MatchingPreference(models.Model):
    """What a participant said they want: used in scores and shown in reviews."""

    class Gender(models.TextChoices):
        NONE = "", _("No preference")
        FEMALE = "female", _("A woman")
        MALE = "male", _("A man")

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="matching_preference"
    )
    occupations = models.JSONField(
        _("wanted occupations (ISCO-08)"), default=list, blank=True
    )
    kinds = models.JSONField(_("wanted kinds of opportunity"), default=list, blank=True)
    places = models.JSONField(_("places accepted"), default=list, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    mentor_gender = models.CharField(
        _("mentor preferred"),
        max_length=6,
        choices=Gender.choices,
        blank=True,
        default="",
    )
    interests = models.JSONField(_("interests"), default=list, blank=True)
    #: Weekly times the person is free to meet a mentor (volunteers' choices).
    availability = models.JSONField(
        _("free to meet a mentor"), default=list, blank=True
    )
    meeting_place = models.CharField(
        _("where the person can meet a mentor"),
        max_length=100,
        blank=True,
        help_text=_(
            "A neighbourhood or town, never a home address. Used only to "
            "suggest mentors nearby."
        ),
    )
    #: The centre of the meeting area, kept to MEETING_DECIMALS places.
    meeting_latitude = models.DecimalField(
        _("latitude of the meeting area"),
        max_digits=MEETING_DECIMALS + 3,
        decimal_places=MEETING_DECIMALS,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    meeting_longitude = models.DecimalField(
        _("longitude of the meeting area"),
        max_digits=MEETING_DECIMALS + 3,
        decimal_places=MEETING_DECIMALS,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    #: Emptied when the person is erased, with the free text (`privacy`).
    PRIVACY_ERASE_FIELDS = ("meeting_latitude", "meeting_longitude")

    class Meta:
        verbose_name = _("matching preference")
        verbose_name_plural = _("matching preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    meeting_latitude__isnull=True, meeting_longitude__isnull=True
                )
                | models.Q(
                    meeting_latitude__isnull=False, meeting_longitude__isnull=False
                ),
                name="preference_meeting_both_coordinates_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Preferences"))

    def clean(self) -> None:
        """Both coordinates or neither, and a named area for them."""
        latitude, longitude = self.meeting_latitude, self.meeting_longitude
        if (latitude is None) != (longitude is None):
            missing = "meeting_latitude" if latitude is None else "meeting_longitude"
            raise ValidationError({missing: MEETING_BOTH})
        if latitude is not None and not self.meeting_place.strip():
            raise ValidationError({"meeting_place": MEETING_NAMED})

    def availability_labels(self) -> list[str]:
        labels = dict(Volunteer.Availability.choices)
        return [str(labels.get(code, code)) for code in self.availability]


class MatchingRound(models.Model):
    """One run of the engine for a set of people and either open
    opportunities or approved mentors of the lab."""

    class Kind(models.TextChoices):
        OPPORTUNITIES = "opportunities", _("Jobs and training")
        MENTORS = "mentors", _("Mentors")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="+", verbose_name=_("lab")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("matched to"),
        max_length=13,
        choices=Kind.choices,
        default=Kind.OPPORTUNITIES,
    )
    participants = models.ManyToManyField(Participant, related_name="+", blank=True)
    opportunities = models.ManyToManyField(Opportunity, related_name="+", blank=True)
    mentors = models.ManyToManyField(Volunteer, related_name="+", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    #: Percent done, written by the task while it runs.
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    #: The engine's result: status, objective, bound, gap, seconds.
    result = models.JSONField(default=dict, blank=True)
    #: Whether the outcome model of the lab was used, and its calibration.
    outcome_model = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("matching round")
        verbose_name_plural = _("matching rounds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    #: The engine's statuses (`openmil.matching.Status`), for people.
    SOLVER_STATUSES = {
        "optimal": _("optimal"),
        "infeasible": _("no assignment meets the constraints"),
        "time_limit": _("stopped at the time limit"),
        "error": _("error"),
    }

    def solver_status_display(self) -> str:
        status = str(self.result.get("status", ""))
        return str(self.SOLVER_STATUSES.get(status, status))


class Proposal(models.Model):
    """A scored pair of a round; `chosen` ones are the engine's proposals,
    the others are kept to explain why they were not chosen. The pair is a
    person and an opportunity, or a person and a mentor (mentor rounds)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("To review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="proposals"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="+"
    )
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    mentor = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    score = models.FloatField(_("score"))
    #: Components of the score, the outcome prediction, unmet requirements.
    components = models.JSONField(default=dict)
    chosen = models.BooleanField(_("proposed"), default=False)
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
    )
    reason = EncryptedTextField(
        _("reason"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mentoring_pair = models.ForeignKey(
        MentoringPair,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = [
            "round",
            "participant",
            "-chosen",
            "-score",
            "opportunity",
            "mentor",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant", "opportunity"],
                name="proposal_unique_pair",
            ),
            models.UniqueConstraint(
                fields=["round", "participant", "mentor"],
                name="proposal_unique_mentor_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(opportunity__isnull=False, mentor__isnull=True)
                | models.Q(opportunity__isnull=True, mentor__isnull=False),
                name="proposal_opportunity_or_mentor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.opportunity_id or self.mentor_id}"

    @property
    def unmet(self) -> list[str]:
        return list(self.components.get("unmet", []))
