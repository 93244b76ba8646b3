from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "openmil.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from openmil.indicators import definitions  # noqa: F401 (registers)
