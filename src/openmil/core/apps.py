from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "openmil.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from openmil.core import checks  # noqa: F401 - registers the checks
