"""The network: good practices, MIPEX context and federation between
independent installations.

Nothing here is about a person: practices, questions and adoptions are
written by staff about their lab's work; federated figures arrive already
disclosure-controlled.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openmil.core.codes import country_choices
from openmil.core.models import Lab
from openmil.core.pillars import Pillar

#: Languages a practice may be written in, and the PostgreSQL text-search
#: configuration of each ("simple" when PostgreSQL has no stemmer for it).
SEARCH_CONFIGS = {
    "en": "english",
    "fr": "french",
    "ar": "arabic",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "de": "german",
    "nl": "dutch",
    "el": "greek",
}

SDGS = [
    (1, _("1 No poverty")),
    (4, _("4 Quality education")),
    (5, _("5 Gender equality")),
    (8, _("8 Decent work and economic growth")),
    (10, _("10 Reduced inequalities")),
    (11, _("11 Sustainable cities and communities")),
    (16, _("16 Peace, justice and strong institutions")),
    (17, _("17 Partnerships for the goals")),
]


class Practice(models.Model):
    """A good practice a lab shares with the network."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    lab = models.ForeignKey(
        Lab,
        on_delete=models.CASCADE,
        related_name="practices",
        verbose_name=_("lab to contact"),
    )
    pillar = models.CharField(_("pillar"), max_length=20, choices=Pillar.choices)
    sdgs = models.JSONField(_("SDGs"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    evidence_indicators = models.JSONField(
        _("evidence (indicators)"), default=list, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self) -> str:
        version = self.versions.order_by("pk").first()
        return version.title if version else f"#{self.pk}"


class PracticeVersion(models.Model):
    """The practice in one language. Text fields are Markdown."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="versions"
    )
    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    problem = models.TextField(_("the problem"), blank=True)
    what_was_done = models.TextField(_("what was done"), blank=True)
    resources = models.TextField(_("resources needed"), blank=True)
    results = models.TextField(_("results"), blank=True)
    #: Filled on PostgreSQL only (openmil.network.search); GIN-indexed there.
    search_vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("practice version")
        verbose_name_plural = _("practice versions")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "language"], name="practice_version_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class PracticeQuestion(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="questions"
    )
    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked by lab")
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asked_at"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:60]


class PracticeAnswer(models.Model):
    question = models.ForeignKey(
        PracticeQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="+")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("answer"))
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answered_at"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text[:60]


class Adoption(models.Model):
    """Lab X adopted practice Y on date Z."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="adoptions"
    )
    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("lab")
    )
    adopted_on = models.DateField(_("adopted on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-adopted_on"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "lab"], name="adoption_once_per_lab"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lab} · {self.adopted_on}"


class MipexScore(models.Model):
    """A country's MIPEX score on one policy strand (0-100), as context."""

    class Strand(models.TextChoices):
        LABOUR = "labour_market_mobility", _("Labour market mobility")
        FAMILY = "family_reunion", _("Family reunion")
        EDUCATION = "education", _("Education")
        HEALTH = "health", _("Health")
        POLITICAL = "political_participation", _("Political participation")
        RESIDENCE = "permanent_residence", _("Permanent residence")
        NATIONALITY = "access_to_nationality", _("Access to nationality")
        DISCRIMINATION = "anti_discrimination", _("Anti-discrimination")

    country = models.CharField(_("country"), max_length=2, choices=country_choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2004), MaxValueValidator(2100)]
    )
    strand = models.CharField(_("strand"), max_length=30, choices=Strand.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MaxValueValidator(100)]
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["country", "strand", "-year"]
        verbose_name = _("MIPEX score")
        verbose_name_plural = _("MIPEX scores")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "year", "strand"], name="mipex_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="mipex_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.year} {self.strand}: {self.score}"


# ---------------------------------------------------------------------------
# Federation, hub side: the labs of other installations and what they sent.


class FederatedLab(models.Model):
    """A lab of another installation, known by its Ed25519 public key.

    A key registered through `join` waits until the hub's network
    administrator approves it (after comparing its fingerprint with the one
    the lab gave by another channel).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REVOKED = "revoked", _("Revoked")

    slug = models.SlugField(_("lab identifier"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, choices=country_choices)
    public_key = models.CharField(_("public key"), max_length=64)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("federated lab")
        verbose_name_plural = _("federated labs")

    def __str__(self) -> str:
        return self.name


class ReceivedPayload(models.Model):
    """Every accepted signed payload: the replay guard (sequence, nonce)."""

    federated_lab = models.ForeignKey(
        FederatedLab, on_delete=models.CASCADE, related_name="payloads"
    )
    sequence = models.PositiveBigIntegerField()
    nonce = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    content_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["federated_lab", "sequence"], name="payload_sequence_once"
            ),
            models.UniqueConstraint(
                fields=["federated_lab", "nonce"], name="payload_nonce_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.federated_lab_id}#{self.sequence}"


class FederatedSnapshot(models.Model):
    """One version of a federated lab's published figures for a period."""

    federated_lab = models.ForeignKey(
        FederatedLab, on_delete=models.CASCADE, related_name="snapshots"
    )
    payload = models.OneToOneField(
        ReceivedPayload, on_delete=models.CASCADE, related_name="snapshot"
    )
    period = models.CharField(max_length=40)
    computed_at = models.DateTimeField()
    #: indicator id -> {"n": "<10" | "25", "value": float | None, "hidden": bool}
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.federated_lab} {self.period}"


class FederatedPractice(models.Model):
    """One version of a good practice published by a federated lab."""

    federated_lab = models.ForeignKey(
        FederatedLab, on_delete=models.CASCADE, related_name="practices"
    )
    payload = models.OneToOneField(
        ReceivedPayload, on_delete=models.CASCADE, related_name="practice"
    )
    remote_id = models.PositiveBigIntegerField()
    pillar = models.CharField(max_length=20, choices=Pillar.choices)
    #: language -> {"title", "summary", "problem", "what_was_done", ...}
    versions = models.JSONField(default=dict)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.federated_lab} #{self.remote_id}"


# ---------------------------------------------------------------------------
# Federation, lab side: the hub joined and what waits to be sent there.


class HubLink(models.Model):
    """The hub this installation's lab pushes to."""

    lab = models.OneToOneField(Lab, on_delete=models.CASCADE, related_name="hub_link")
    url = models.URLField(_("hub address"))
    joined_at = models.DateTimeField(auto_now_add=True)
    next_sequence = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = _("hub link")
        verbose_name_plural = _("hub links")

    def __str__(self) -> str:
        return self.url


class OutboxItem(models.Model):
    """A payload waiting to reach the hub, retried with backoff.

    `key` says what it carries (a snapshot id, a practice version), so the
    same content is never queued twice; `sequence` is given once and kept
    across retries, so the hub never counts it twice either.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Refused by the hub")

    link = models.ForeignKey(HubLink, on_delete=models.CASCADE, related_name="outbox")
    key = models.CharField(max_length=120)
    sequence = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    content = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["link", "key"], name="outbox_key_once"),
            models.UniqueConstraint(
                fields=["link", "sequence"], name="outbox_sequence_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.sequence}"
