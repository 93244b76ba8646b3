"""Ventures started by participants, and the territorial needs they answer."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import Occupation
from openmil.core.models import Lab, Organisation
from openmil.participants.models import Participant


class Sector(models.TextChoices):
    """NACE Rev. 2 sections (Regulation (EC) No 1893/2006)."""

    A = "A", _("A · Agriculture, forestry and fishing")
    B = "B", _("B · Mining and quarrying")
    C = "C", _("C · Manufacturing")
    D = "D", _("D · Electricity, gas, steam and air conditioning supply")
    E = "E", _("E · Water supply; sewerage, waste management and remediation")
    F = "F", _("F · Construction")
    G = "G", _("G · Wholesale and retail trade; repair of motor vehicles")
    H = "H", _("H · Transportation and storage")
    I = "I", _("I · Accommodation and food service activities")  # noqa: E741
    J = "J", _("J · Information and communication")
    K = "K", _("K · Financial and insurance activities")
    L = "L", _("L · Real estate activities")
    M = "M", _("M · Professional, scientific and technical activities")
    N = "N", _("N · Administrative and support service activities")
    O = "O", _("O · Public administration and defence")  # noqa: E741
    P = "P", _("P · Education")
    Q = "Q", _("Q · Human health and social work activities")
    R = "R", _("R · Arts, entertainment and recreation")
    S = "S", _("S · Other service activities")
    T = "T", _("T · Activities of households as employers")
    U = "U", _("U · Activities of extraterritorial organisations")


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    BUSINESS_PLAN = "business_plan", _("Business plan")
    FINANCING = "financing", _("Financing")
    REGISTERED = "registered", _("Registered")
    OPERATING = "operating", _("Operating")
    GROWING = "growing", _("Growing")
    CLOSED = "closed", _("Closed")


#: The only stage changes allowed; docs/ventures.md explains each step back.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.IDEA: frozenset({Stage.BUSINESS_PLAN, Stage.CLOSED}),
    Stage.BUSINESS_PLAN: frozenset({Stage.FINANCING, Stage.IDEA, Stage.CLOSED}),
    Stage.FINANCING: frozenset({Stage.REGISTERED, Stage.BUSINESS_PLAN, Stage.CLOSED}),
    Stage.REGISTERED: frozenset({Stage.OPERATING, Stage.CLOSED}),
    Stage.OPERATING: frozenset({Stage.GROWING, Stage.CLOSED}),
    Stage.GROWING: frozenset({Stage.OPERATING, Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}


def transition_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


class TerritorialNeed(models.Model):
    """A need of the lab's territory that a venture can answer."""

    class Kind(models.TextChoices):
        SHORTAGE_OCCUPATION = "shortage_occupation", _("Shortage occupation")
        MISSING_SERVICE = "missing_service", _("Missing service")
        VACANT_PREMISES = "vacant_premises", _("Vacant premises")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ADDRESSED = "addressed", _("Addressed")

    lab = models.ForeignKey(
        Lab,
        on_delete=models.CASCADE,
        related_name="territorial_needs",
        verbose_name=_("lab"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    place = models.CharField(_("place"), max_length=200, blank=True)
    occupation = models.ForeignKey(
        Occupation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("occupation (ESCO / ISCO-08)"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("territorial need")
        verbose_name_plural = _("territorial needs")
        ordering = ["status", "title", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == self.Kind.SHORTAGE_OCCUPATION and not self.occupation_id:
            raise ValidationError(
                {"occupation": _("A shortage occupation names the occupation.")}
            )
        if self.kind != self.Kind.SHORTAGE_OCCUPATION and self.occupation_id:
            raise ValidationError(
                {"occupation": _("Only a shortage occupation names an occupation.")}
            )


class Venture(models.Model):
    class RevenueBand(models.TextChoices):
        NONE = "none", _("No revenue yet")
        UNDER_10K = "under_10k", _("Under 10 000 a year")
        FROM_10K = "10k_50k", _("10 000 to 50 000 a year")
        FROM_50K = "50k_250k", _("50 000 to 250 000 a year")
        OVER_250K = "over_250k", _("Over 250 000 a year")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="ventures", verbose_name=_("lab")
    )
    name = models.CharField(_("name"), max_length=200)
    founders = models.ManyToManyField(
        Participant, related_name="ventures", verbose_name=_("founders")
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA
    )
    sector = models.CharField(
        _("sector (NACE Rev. 2)"), max_length=1, choices=Sector.choices
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    revenue_band = models.CharField(
        _("revenue band"),
        max_length=12,
        choices=RevenueBand.choices,
        default=RevenueBand.NONE,
    )
    jobs_created = models.PositiveIntegerField(
        _("jobs created"),
        default=0,
        help_text=_("Jobs for people other than the founders; the latest count."),
    )
    territorial_need = models.ForeignKey(
        TerritorialNeed,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ventures",
        verbose_name=_("territorial need answered"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("venture")
        verbose_name_plural = _("ventures")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["lab", "stage"], name="venture_lab_stage")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registration_date__isnull=False)
                | ~models.Q(stage__in=["registered", "operating", "growing"]),
                name="venture_registered_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("ventures:detail", args=[self.pk])

    @property
    def next_stages(self) -> list[str]:
        """Stages this venture may move to, in the order of the pathway."""
        allowed = TRANSITIONS.get(self.stage, frozenset())
        return [s for s in Stage.values if s in allowed]


class StageChange(models.Model):
    """One step of a venture's stage timeline: when, who, from and to."""

    venture = models.ForeignKey(
        Venture, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(
        _("from"), max_length=20, choices=Stage.choices, blank=True
    )
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.venture_id}: {self.from_stage} → {self.to_stage} ({self.on})"


class Support(models.Model):
    """Support a venture received: incubation, microcredit, mentoring, grant."""

    class Kind(models.TextChoices):
        INCUBATOR = "incubator", _("Incubator")
        MICROCREDIT = "microcredit", _("Microcredit")
        MENTOR = "mentor", _("Mentor")
        GRANT = "grant", _("Grant")

    #: Kinds that are sums of money: the amount is required.
    WITH_AMOUNT = (Kind.MICROCREDIT, Kind.GRANT)

    venture = models.ForeignKey(
        Venture, on_delete=models.CASCADE, related_name="supports"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.RESTRICT,
        related_name="venture_supports",
        verbose_name=_("provider"),
    )
    on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", help_text=_("ISO 4217 code")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.provider}"

    def clean(self) -> None:
        if self.kind in self.WITH_AMOUNT and self.amount is None:
            raise ValidationError({"amount": _("Give the amount of this support.")})


class JobsRecord(models.Model):
    """A count of the jobs a venture gives to people other than its founders."""

    venture = models.ForeignKey(
        Venture, on_delete=models.CASCADE, related_name="jobs_records"
    )
    on = models.DateField(_("date"))
    jobs = models.PositiveIntegerField(_("jobs"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("jobs count")
        verbose_name_plural = _("jobs history")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.venture_id}: {self.jobs} ({self.on})"
