from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "openmil.placements"
    verbose_name = _("Placements")
    default_auto_field = "django.db.models.BigAutoField"
