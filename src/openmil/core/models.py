"""Tenancy (network, lab, organisation), memberships, audit log and tokens."""

import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.core.codes import country_choices, language_choices
from openmil.core.roles import Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."), params={"value": value}
        )


class Network(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), unique=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name


class Lab(models.Model):
    class PathwayGate(models.TextChoices):
        URGENT_MET_OR_IN_PROGRESS = (
            "urgent_in_progress",
            _("Every urgent need is met or in progress"),
        )
        URGENT_MET = "urgent_met", _("Every urgent need is met")
        NONE = "none", _("No condition")

    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        related_name="labs",
        verbose_name=_("network"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    country = models.CharField(_("country"), max_length=2, choices=country_choices)
    territory = models.CharField(_("territory"), max_length=200)
    working_languages = models.JSONField(
        _("working languages"), default=list, help_text=_("ISO 639 codes")
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    pathway_gate = models.CharField(
        _("a pathway may start when"),
        max_length=32,
        choices=PathwayGate.choices,
        default=PathwayGate.URGENT_MET_OR_IN_PROGRESS,
    )
    reference_prefix = models.CharField(_("reference prefix"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("lab")
        verbose_name_plural = _("labs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        valid = {code for code, _label in language_choices()}
        unknown = [code for code in self.working_languages if code not in valid]
        if unknown:
            raise ValidationError(
                {
                    "working_languages": _("Unknown language code: %(codes)s")
                    % {"codes": ", ".join(unknown)}
                }
            )


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Refugee community organisation")
        NGO = "ngo", _("NGO")
        PUBLIC = "public", _("Public service")
        EMPLOYER = "employer", _("Employer")
        EDUCATION = "education", _("School or university")
        INCUBATOR = "incubator", _("Incubator or investor")
        HEALTH = "health", _("Health")
        HOUSING = "housing", _("Housing")
        LEGAL = "legal", _("Legal")

    lab = models.ForeignKey(
        Lab,
        on_delete=models.CASCADE,
        related_name="organisations",
        verbose_name=_("lab"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "name"], name="organisation_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("lab")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lab", "role"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role="partner_staff", organisation__isnull=False)
                | (
                    ~models.Q(role="partner_staff")
                    & models.Q(organisation__isnull=True)
                ),
                name="membership_partner_staff_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.lab} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.role == Role.PARTNER_STAFF and self.organisation_id is None:
            raise ValidationError(
                {"organisation": _("Partner staff belong to an organisation.")}
            )
        if self.role != Role.PARTNER_STAFF and self.organisation_id is not None:
            raise ValidationError(
                {"organisation": _("Only partner staff have an organisation.")}
            )
        if self.organisation is not None and self.organisation.lab_id != self.lab_id:
            raise ValidationError(
                {"organisation": _("The organisation is in another lab.")}
            )


class UserProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.STAFF_LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class AuditEntry(models.Model):
    """One immutable line of the audit log.

    The database refuses UPDATE and DELETE on this table (see the migration
    that installs the triggers), so no interface can rewrite history.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        EXPORT = "export", _("exported")
        RECORD_EXPORT = "record_export", _("exported the complete record")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # DO_NOTHING without a database constraint: entries are immutable, and
    # keep naming an actor whose account was deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    lab = models.ForeignKey(
        Lab,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("lab"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=60)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    participant_id = models.BigIntegerField(_("participant"), null=True, db_index=True)
    channel = models.CharField(_("through"), max_length=10, default="web")
    detail = models.CharField(_("what"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lab", "-at"], name="audit_lab_at")]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_name} {self.action} {self.object_type}"


class ApiToken(models.Model):
    """A personal access token; only its SHA-256 digest is stored."""

    PREFIX = "omil_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        if self.revoked_at:
            return False
        return not (self.expires_at and self.expires_at <= timezone.now())
