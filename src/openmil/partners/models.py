"""Partner services, referrals with their history, and opportunities.

A partner organisation (`core.Organisation`) offers services, each for one
pillar or one basic need. A facilitator refers a participant to a service;
the referral goes through a closed loop of states, each change kept as a
`ReferralEvent`. Partners publish opportunities that the matching engine
reads.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import IscoGroup
from openmil.core.codes import CefrLevel, language_choices
from openmil.core.fields import EncryptedTextField
from openmil.core.models import Lab, Organisation
from openmil.core.pillars import Pillar
from openmil.participants.models import Need, NeedType, Participant

TEXT_MAX = 2000


def validate_language_codes(value: list[str]) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Give a list of ISO 639 language codes."))
    valid = {code for code, _label in language_choices()}
    unknown = [code for code in value if code not in valid]
    if unknown:
        raise ValidationError(
            _("Unknown language code: %(codes)s") % {"codes": ", ".join(unknown)}
        )


class Eligibility(models.TextChoices):
    BOTH = "both", _("Newcomers and nationals")
    NEWCOMER = "newcomer", _("Newcomers")
    NATIONAL = "national", _("Nationals")


class Service(models.Model):
    """What one organisation offers, for one pillar or one basic need."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    pillar = models.CharField(
        _("pillar"), max_length=20, choices=Pillar.choices, blank=True
    )
    need_type = models.ForeignKey(
        NeedType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("basic need"),
    )
    eligibility = models.TextField(
        _("eligibility"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    eligible_profile = models.CharField(
        _("open to"), max_length=10, choices=Eligibility.choices, default="both"
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        validators=[validate_language_codes],
        help_text=_("ISO 639 codes"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Places at a time; empty when open-ended."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    response_days = models.PositiveSmallIntegerField(
        _("response deadline (days)"),
        default=5,
        help_text=_("Days the partner has to accept or decline a referral."),
    )
    active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=2500, editable=False, blank=True)

    EDITABLE_FIELDS = (
        "name",
        "description",
        "pillar",
        "need_type",
        "eligibility",
        "eligible_profile",
        "languages",
        "capacity",
        "place",
        "contact",
        "response_days",
        "active",
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["organisation__name", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(pillar="") & models.Q(need_type__isnull=False))
                | (~models.Q(pillar="") & models.Q(need_type__isnull=True)),
                name="service_pillar_or_need",
            ),
            models.CheckConstraint(
                condition=models.Q(response_days__gte=1),
                name="service_response_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.organisation}"

    @property
    def area_label(self) -> str:
        if self.need_type_id:
            return str(self.need_type)
        return str(Pillar(self.pillar).label) if self.pillar else ""

    def refresh_search_text(self) -> None:
        from openmil.participants.models import normalise_for_search

        self.search_text = normalise_for_search(
            " ".join([self.name, self.description, self.eligibility, self.place])
        )[:2500]

    def clean(self) -> None:
        if bool(self.pillar) == bool(self.need_type_id):
            raise ValidationError(
                _("Choose either a pillar or a basic need for the service.")
            )
        if self.need_type is not None and self.need_type.lab_id not in (
            None,
            self.organisation.lab_id,
        ):
            raise ValidationError(
                {"need_type": _("This need is defined by another lab.")}
            )


#: Participant fields a lab may share with partners: never a sensitive field.
SHAREABLE_FIELDS: dict[str, Any] = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "phone": _("Phone"),
    "email": _("Email"),
    "languages": _("Languages"),
    "profile": _("Profile"),
    "need": _("The need referred"),
}
DEFAULT_SHARED_FIELDS = ["given_name", "family_name", "phone", "languages", "need"]


def validate_shared_fields(value: list[str]) -> None:
    if not isinstance(value, list) or any(v not in SHAREABLE_FIELDS for v in value):
        raise ValidationError(_("Only the listed fields may be shared."))


def default_shared_fields() -> list[str]:
    return list(DEFAULT_SHARED_FIELDS)


class ReferralSettings(models.Model):
    """A lab's referral rules: what partners see, and when a referral is late."""

    lab = models.OneToOneField(
        Lab, on_delete=models.CASCADE, related_name="referral_settings"
    )
    shared_fields = models.JSONField(
        _("fields shared with partners"),
        default=default_shared_fields,
        validators=[validate_shared_fields],
    )
    completion_days = models.PositiveSmallIntegerField(
        _("days to complete an accepted referral"), default=30
    )

    class Meta:
        verbose_name = _("referral settings")
        verbose_name_plural = _("referral settings")

    def __str__(self) -> str:
        return str(self.lab)


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")
        REVOKED = "revoked", _("Revoked")

    #: States a referral leaves by each transition, and where it goes.
    TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
        "send": (("draft",), "sent"),
        "accept": (("sent",), "accepted"),
        "decline": (("sent",), "declined"),
        "complete": (("accepted",), "completed"),
        "not_complete": (("accepted",), "not_completed"),
        "revoke": (("draft", "sent", "accepted"), "revoked"),
    }
    #: States still waiting for someone; the others are closed.
    OPEN_STATUSES = ("draft", "sent", "accepted")

    lab = models.ForeignKey(
        Lab, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("lab")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("participant"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("need"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("service"),
    )
    #: The service's organisation, kept on the row: partner scoping filters on it.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.DRAFT
    )
    note = EncryptedTextField(
        _("message to the partner"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX)],
        help_text=_("The partner reads it: write no health or legal detail."),
    )
    reason = EncryptedTextField(
        _("reason"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    #: When the next answer is due (sent: accept or decline; accepted: close).
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    consent_override_reason = EncryptedTextField(
        _("reason for sending without consent"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX)],
    )
    consent_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="referral_org_status"),
            models.Index(fields=["lab", "status"], name="referral_lab_status"),
        ]

    def __str__(self) -> str:
        return _("Referral %(number)s") % {"number": self.pk}

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status in ("sent", "accepted")
            and self.due_at
            and self.due_at < timezone.now()
        )

    def allowed_actions(self) -> list[str]:
        return [
            name
            for name, (sources, _t) in self.TRANSITIONS.items()
            if self.status in sources
        ]


class ReferralEvent(models.Model):
    """One transition of a referral: who moved it, when, from what to what."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        max_length=15, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=15, choices=Referral.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    reason = EncryptedTextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Opportunity(models.Model):
    """A place a partner offers: read by the matching engine.

    Requirements a participant must meet are `isco_group` (ISCO-08 unit
    group of the occupation, for vacancies and training), `language` with
    `min_cefr` (the minimum CEFR level in that language), `place` and the
    date window `starts_on`..`ends_on`. `capacity` is the number of people
    the partner can take; only `is_open` opportunities are offered.
    """

    class Kind(models.TextChoices):
        VACANCY = "vacancy", _("Job vacancy")
        TRAINING = "training", _("Training seat")
        INCUBATOR = "incubator", _("Incubator place")
        MENTORING = "mentoring", _("Mentoring slot")
        HOUSING = "housing", _("Housing offer")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="opportunities",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    pillar = models.CharField(
        _("pillar"), max_length=20, choices=Pillar.choices, blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=1)
    isco_group = models.ForeignKey(
        IscoGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("occupation (ISCO-08)"),
    )
    language = models.CharField(
        _("language required"), max_length=3, choices=language_choices, blank=True
    )
    min_cefr = models.PositiveSmallIntegerField(
        _("minimum level (CEFR)"),
        choices=CefrLevel.choices,
        null=True,
        blank=True,
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = (
        "kind",
        "title",
        "description",
        "pillar",
        "capacity",
        "isco_group",
        "language",
        "min_cefr",
        "place",
        "starts_on",
        "ends_on",
        "is_open",
    )

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-is_open", "starts_on", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="opportunity_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(min_cefr__isnull=True) | ~models.Q(language=""),
                name="opportunity_level_has_language",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date is before the start date.")
        if self.min_cefr is not None and not self.language:
            errors["language"] = _("Say in which language the level is required.")
        if errors:
            raise ValidationError(errors)
