"""The four simultaneous pillars of an integration pathway.

One list for every app that classifies work by pillar (pathway goals,
activities, partner services, opportunities, indicators).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Pillar(models.TextChoices):
    LANGUAGE = "language", _("Language")
    ECONOMIC = "economic", _("Economic autonomy and entrepreneurship")
    CIVIC = "civic", _("Civics")
    INTERCULTURAL = "intercultural", _("Intercultural dialogue and active citizenship")
