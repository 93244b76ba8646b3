from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenturesConfig(AppConfig):
    name = "openmil.ventures"
    verbose_name = _("Ventures")
