"""Participants, households, basic needs, consents and follow-ups."""

import datetime as dt
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import Occupation
from openmil.core.codes import country_choices, language_choices
from openmil.core.display import ChoiceDisplayMixin
from openmil.core.fields import EncryptedCharField, EncryptedTextField
from openmil.core.models import Lab, Organisation

NOTES_MAX = 5000


def normalise_for_search(text: str) -> str:
    """Case-fold and strip accents and other combining marks, in any script."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Arabic tatweel is decoration, not a letter.
    return " ".join(stripped.replace("\u0640", "").casefold().split())


def validate_not_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("This date is in the future."))


def validate_not_too_old(value: dt.date) -> None:
    if value.year < 1900:
        raise ValidationError(_("This date is before 1900."))


class LegalStatusCategory(models.Model):
    """A lab's configurable list of legal-status categories."""

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="legal_statuses"
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("legal-status category")
        verbose_name_plural = _("legal-status categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "name"], name="legal_status_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="households")
    reference = models.CharField(_("household reference"), max_length=40)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "reference"], name="household_unique_ref"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class Participant(ChoiceDisplayMixin, models.Model):
    class Profile(models.TextChoices):
        NEWCOMER = "newcomer", _("Newcomer")
        NATIONAL = "national", _("National")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other or non-binary")
        NOT_STATED = "not_stated", _("Not stated")

    class DatePrecision(models.TextChoices):
        DAY = "day", _("Full date")
        MONTH = "month", _("Month and year")
        YEAR = "year", _("Year only")

    class Isced(models.IntegerChoices):
        EARLY = 0, _("ISCED 0 – Early childhood education")
        PRIMARY = 1, _("ISCED 1 – Primary education")
        LOWER_SECONDARY = 2, _("ISCED 2 – Lower secondary education")
        UPPER_SECONDARY = 3, _("ISCED 3 – Upper secondary education")
        POST_SECONDARY = 4, _("ISCED 4 – Post-secondary non-tertiary education")
        SHORT_TERTIARY = 5, _("ISCED 5 – Short-cycle tertiary education")
        BACHELOR = 6, _("ISCED 6 – Bachelor's or equivalent")
        MASTER = 7, _("ISCED 7 – Master's or equivalent")
        DOCTORAL = 8, _("ISCED 8 – Doctoral or equivalent")

    class HouseholdRole(models.TextChoices):
        HEAD = "head", _("Head of household")
        PARTNER = "partner", _("Partner")
        CHILD = "child", _("Child")
        RELATIVE = "relative", _("Other relative")
        OTHER = "other", _("Other")

    lab = models.ForeignKey(
        Lab,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("lab"),
    )
    reference = models.CharField(_("reference number"), max_length=40)
    profile = models.CharField(_("profile"), max_length=10, choices=Profile.choices)
    given_name = models.CharField(_("given name"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    name_latin = models.CharField(
        _("name in Latin script"),
        max_length=300,
        blank=True,
        help_text=_("As written on documents, when the name is in another script."),
    )
    birth_date = models.DateField(
        _("date of birth"),
        null=True,
        blank=True,
        validators=[validate_not_future, validate_not_too_old],
    )
    birth_date_precision = models.CharField(
        _("date of birth known to"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    sex = models.CharField(
        _("sex or gender"), max_length=10, choices=Sex.choices, default=Sex.NOT_STATED
    )
    country_of_origin = models.CharField(
        _("country of origin"), max_length=2, choices=country_choices, blank=True
    )
    nationality = models.CharField(
        _("nationality"), max_length=2, choices=country_choices, blank=True
    )
    stateless = models.BooleanField(_("stateless"), default=False)
    mother_tongue = models.CharField(
        _("mother tongue"), max_length=3, choices=language_choices, blank=True
    )
    other_languages = models.JSONField(
        _("other languages"), default=list, blank=True, help_text=_("ISO 639 codes")
    )
    arrival_date = models.DateField(
        _("arrival date"),
        null=True,
        blank=True,
        validators=[validate_not_future, validate_not_too_old],
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    household_role = models.CharField(
        _("role in household"), max_length=10, choices=HouseholdRole.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Free text about the person is encrypted at rest (openmil.core.fields):
    # where they live, their legal situation, health and case notes.
    address = EncryptedCharField(_("address"), max_length=300, blank=True)
    legal_status = models.ForeignKey(
        LegalStatusCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("legal-status category"),
    )
    legal_status_detail = EncryptedTextField(
        _("legal-status detail"), blank=True, validators=[MaxLengthValidator(NOTES_MAX)]
    )
    health_notes = EncryptedTextField(
        _("health notes"), blank=True, validators=[MaxLengthValidator(NOTES_MAX)]
    )
    case_notes = EncryptedTextField(
        _("case notes"), blank=True, validators=[MaxLengthValidator(NOTES_MAX)]
    )
    education_level = models.PositiveSmallIntegerField(
        _("highest education level"), choices=Isced.choices, null=True, blank=True
    )
    past_occupations = models.ManyToManyField(
        Occupation, blank=True, related_name="+", verbose_name=_("past occupations")
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("caseworker"),
    )
    intake_date = models.DateField(_("intake date"), default=timezone.localdate)
    pathway_started_on = models.DateField(_("pathway started"), null=True, blank=True)
    processing_restricted = models.BooleanField(
        _("processing restricted"),
        default=False,
        help_text=_("Set when consent to case management is withdrawn."),
    )
    search_text = models.CharField(max_length=700, editable=False, db_index=True)
    anonymised_at = models.DateTimeField(
        _("anonymised"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the person's identifying data was erased."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    #: Fields staff set through forms, the API and services.
    EDITABLE_FIELDS = (
        "reference",
        "profile",
        "given_name",
        "family_name",
        "name_latin",
        "birth_date",
        "birth_date_precision",
        "sex",
        "country_of_origin",
        "nationality",
        "stateless",
        "mother_tongue",
        "other_languages",
        "arrival_date",
        "household_role",
        "phone",
        "email",
        "address",
        "legal_status",
        "legal_status_detail",
        "health_notes",
        "case_notes",
        "education_level",
        "caseworker",
        "intake_date",
    )
    #: Fields only the coordinator and the participant's caseworker see.
    SENSITIVE_FIELDS = ("legal_status_detail", "health_notes", "case_notes")
    #: Fields whose values the audit log never copies (only that they changed):
    #: the sensitive ones, and the address, which is encrypted at rest.
    LOG_REDACTED_FIELDS = (*SENSITIVE_FIELDS, "address")

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "reference"], name="participant_unique_ref"
            )
        ]
        indexes = [
            models.Index(
                fields=["lab", "family_name", "given_name"], name="participant_lab_name"
            ),
            models.Index(fields=["caseworker", "lab"], name="participant_caseworker"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.anonymised_at is not None:
            return gettext("Anonymised person %(reference)s") % {
                "reference": self.reference
            }
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def refresh_search_text(self) -> None:
        self.search_text = normalise_for_search(
            " ".join(
                [self.reference, self.given_name, self.family_name, self.name_latin]
            )
        )[:700]

    def clean(self) -> None:
        errors = {}
        if (
            self.arrival_date
            and self.birth_date
            and self.arrival_date < self.birth_date
        ):
            errors["arrival_date"] = _("The arrival date is before the date of birth.")
        if self.legal_status is not None and self.legal_status.lab_id != self.lab_id:
            errors["legal_status"] = _("This category belongs to another lab.")
        if self.household is not None and self.household.lab_id != self.lab_id:
            errors["household"] = _("This household belongs to another lab.")
        if errors:
            raise ValidationError(errors)


class NeedType(models.Model):
    """A kind of basic need: the four built in, plus any a lab defines."""

    class Builtin(models.TextChoices):
        HOUSING = "housing", _("Housing")
        HEALTH = "health", _("Health care")
        INCOME = "income", _("Income or minimum allowance")
        DOCUMENTS = "documents", _("Documents and legal status")

    lab = models.ForeignKey(
        Lab,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="need_types",
        help_text=_("Empty for the built-in needs every lab has."),
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("need type")
        verbose_name_plural = _("need types")
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "code"], name="need_type_unique_code"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(lab__isnull=True),
                name="need_type_unique_builtin",
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        if self.lab_id is None and self.code in self.Builtin.values:
            return str(self.Builtin(self.code).label)
        return self.label


class Need(ChoiceDisplayMixin, models.Model):
    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        IN_PROGRESS = "in_progress", _("In progress")
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")

    OPEN_STATUSES = (Status.IDENTIFIED, Status.IN_PROGRESS)

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="needs"
    )
    need_type = models.ForeignKey(
        NeedType, on_delete=models.PROTECT, verbose_name=_("need")
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IDENTIFIED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_needs",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    notes = EncryptedTextField(
        _("notes"), blank=True, validators=[MaxLengthValidator(NOTES_MAX)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-urgent", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "need_type"],
                name="need_unique_type_per_participant",
            )
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="need_status_due")]

    def __str__(self) -> str:
        return f"{self.need_type} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.is_open and self.due_date and self.due_date < timezone.localdate()
        )


class Consent(ChoiceDisplayMixin, models.Model):
    class Purpose(models.TextChoices):
        CASE_MANAGEMENT = "case_management", _("Case management")
        PARTNER_SHARING = "partner_sharing", _("Sharing with a category of partner")
        FOLLOW_UP = "follow_up", _("Follow-up contact")
        STATISTICS = "statistics", _("Anonymised statistics")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    partner_category = models.CharField(
        _("partner category"),
        max_length=20,
        choices=Organisation.Kind.choices,
        blank=True,
    )
    notice_version = models.CharField(_("version of the notice"), max_length=40)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose="partner_sharing", partner_category__gt="")
                | (
                    ~models.Q(purpose="partner_sharing") & models.Q(partner_category="")
                ),
                name="consent_category_only_for_sharing",
            ),
            models.UniqueConstraint(
                fields=["participant", "purpose", "partner_category"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return self.get_purpose_display()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class FollowUp(ChoiceDisplayMixin, models.Model):
    """A planned contact with a participant; needs follow-up consent."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_on = models.DateField(_("due on"))
    subject = EncryptedCharField(_("subject"), max_length=200)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("assigned to"),
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "due_on"], name="followup_assignee_due")
        ]

    def __str__(self) -> str:
        return f"{self.due_on} {self.subject}"


class ProtectedCase(models.Model):
    """A participant at risk (of violence, for example), seen only by named staff.

    While a case is protected, `selectors.participant_queryset` hides the
    person from everybody not in `staff`: lists, search, counts, exports,
    the API and every page about them. Disclosure-controlled aggregates
    still count them.
    """

    participant = models.OneToOneField(
        Participant,
        on_delete=models.CASCADE,
        related_name="protection",
        verbose_name=_("participant"),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="protected_cases",
        verbose_name=_("staff allowed on the case"),
    )
    reason = EncryptedTextField(
        _("reason"),
        blank=True,
        validators=[MaxLengthValidator(NOTES_MAX)],
        help_text=_("Seen only by the staff allowed on the case."),
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked protected"), default=timezone.now)

    class Meta:
        verbose_name = _("protected case")
        verbose_name_plural = _("protected cases")

    def __str__(self) -> str:
        return str(_("Protected case"))
