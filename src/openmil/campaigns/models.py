"""Awareness campaigns: objectives and KPIs set ex ante, multilingual
messages, myth/fact cards, platform reach figures and UTM-tagged conversions.

None of these rows is about a person: reach figures are platform totals and
a conversion keeps only the UTM tags of the visit that ended in a sign-up.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openmil.campaigns.public_labels import rating_label
from openmil.core.models import Lab

#: Where an awareness campaign speaks. English is the source of every message.
SOURCE_LANGUAGE = "en"
CAMPAIGN_LANGUAGES: list[tuple[str, str]] = [
    ("en", "English"),
    ("fr", "Français"),
    ("ar", "العربية"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("de", "Deutsch"),
    ("pt", "Português"),
    ("uk", "Українська"),
    ("fa", "فارسی"),
    ("tr", "Türkçe"),
]
LANGUAGE_CODES = [code for code, _name in CAMPAIGN_LANGUAGES]


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X"
    LINKEDIN = "linkedin", "LinkedIn"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("lab")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_("Used in public links and as the utm_campaign tag."),
    )
    summary = models.TextField(
        _("summary"), blank=True, max_length=5000, help_text=_("Markdown.")
    )
    objectives = models.TextField(
        _("objectives"),
        blank=True,
        max_length=5000,
        help_text=_("What the campaign sets out to change, stated before it starts."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Languages messages are adapted to.")
    )
    landing_url = models.URLField(
        _("landing page"),
        blank=True,
        help_text=_("Where share links lead; the public campaign page when empty."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Kpi(models.Model):
    """An indicator with its target, fixed before the campaign runs."""

    class Metric(models.TextChoices):
        REACH = "reach", _("Reach")
        IMPRESSIONS = "impressions", _("Impressions")
        ENGAGEMENTS = "engagements", _("Engagements")
        LINK_CLICKS = "link_clicks", _("Link clicks")
        SIGNUPS = "signups", _("Sign-ups")
        REGISTRATIONS = "registrations", _("Event registrations")
        ATTENDANCE = "attendance", _("Event attendance")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="kpis"
    )
    metric = models.CharField(_("indicator"), max_length=16, choices=Metric.choices)
    objective = models.CharField(_("objective"), max_length=300, blank=True)
    target = models.PositiveBigIntegerField(
        _("target"), validators=[MinValueValidator(1)]
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    reported_value = models.PositiveBigIntegerField(
        _("reported value"),
        null=True,
        blank=True,
        help_text=_("For event attendance: the count taken at the events."),
    )

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["period_start", "metric", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="kpi_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} ≥ {self.target}"


class Message(models.Model):
    """A campaign message; its English text is the source of its translations."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="messages"
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class TranslationStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class MessageTranslation(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=CAMPAIGN_LANGUAGES)
    text = models.TextField(_("text"), blank=True, max_length=5000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TranslationStatus.choices,
        default=TranslationStatus.DRAFT,
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("message translation")
        verbose_name_plural = _("message translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "language"], name="one_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message} [{self.language}]"


class FactCard(models.Model):
    """A myth/fact card: a claim heard about migrants, and what the facts say."""

    class Rating(models.TextChoices):
        FALSE = "false", pgettext_lazy("campaigns", "False")
        MISLEADING = "misleading", pgettext_lazy("campaigns", "Misleading")
        MISSING_CONTEXT = (
            "missing_context",
            pgettext_lazy("campaigns", "Missing context"),
        )
        MOSTLY_TRUE = "mostly_true", pgettext_lazy("campaigns", "Mostly true")
        TRUE = "true", pgettext_lazy("campaigns", "True")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="fact_cards", verbose_name=_("lab")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fact_cards",
        verbose_name=_("campaign"),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=CAMPAIGN_LANGUAGES, default="en"
    )
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    claim = models.TextField(_("claim"), max_length=1000)
    claimed_by = models.CharField(
        _("claimed by"),
        max_length=200,
        blank=True,
        help_text=_("Who makes the claim, e.g. a common saying or a public figure."),
    )
    facts = models.TextField(_("facts"), max_length=10000, help_text=_("Markdown."))
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("fact card")
        verbose_name_plural = _("fact cards")
        ordering = ["-published_at", "-updated_at", "id"]

    def __str__(self) -> str:
        return self.claim[:80]

    @property
    def public_rating(self) -> str:
        """The verdict in the public site's language."""
        return rating_label(self.rating)


#: schema.org Rating values of each verdict, on a 1 (false) to 5 (true) scale.
RATING_VALUES: dict[str, int] = {
    FactCard.Rating.FALSE: 1,
    FactCard.Rating.MISLEADING: 2,
    FactCard.Rating.MISSING_CONTEXT: 3,
    FactCard.Rating.MOSTLY_TRUE: 4,
    FactCard.Rating.TRUE: 5,
}


class FactSource(models.Model):
    card = models.ForeignKey(FactCard, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500)
    published_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "id"]

    def __str__(self) -> str:
        return self.title


class ReachImport(models.Model):
    """One accepted platform export; rows of a rejected file are never kept."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reach_imports"
    )
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("new rows"))
    updated = models.PositiveIntegerField(_("updated rows"))
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class ReachRecord(models.Model):
    """A post's figures on one day, as the platform reported them."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reach_records"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    account = models.CharField(_("account"), max_length=200)
    language = models.CharField(_("language"), max_length=8)
    post = models.CharField(_("post"), max_length=200)
    date = models.DateField(_("date"))
    reach = models.PositiveBigIntegerField(_("reach"))
    impressions = models.PositiveBigIntegerField(_("impressions"))
    engagements = models.PositiveBigIntegerField(_("engagements"))
    shares = models.PositiveBigIntegerField(_("shares"))
    link_clicks = models.PositiveBigIntegerField(_("link clicks"))
    source = models.ForeignKey(
        ReachImport, on_delete=models.SET_NULL, null=True, related_name="records"
    )

    class Meta:
        ordering = ["date", "platform", "post"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "platform", "post", "date"],
                name="one_reach_row_per_post_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.post} {self.date}"


class Conversion(models.Model):
    """A public-site visit carrying UTM tags that ended in a sign-up or an
    event registration. Who signed up is not kept here."""

    class Kind(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        REGISTRATION = "registration", _("Event registration")

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversions",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["campaign", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.utm_campaign}"
