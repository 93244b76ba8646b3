from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "openmil.placements"
    verbose_name = _("Placements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openmil.placements.portal import register_section

        register_section()
