from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "openmil.pathways"
    label = "pathways"
    verbose_name = _("Integration pathways")
