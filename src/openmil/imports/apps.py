from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "openmil.imports"
    verbose_name = _("Imports and exports")

    def ready(self) -> None:
        # Registers the partner directory's importers beside the participants'.
        from openmil.imports import partner_importers  # noqa: F401
