from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "openmil.pathways"
    label = "pathways"
    verbose_name = _("Integration pathways")

    def ready(self) -> None:
        from openmil.pathways.selectors import pathway_exit_dates
        from openmil.privacy.retention import register_exit_date

        # Retention counts from the end of a person's pathway.
        register_exit_date("pathways", pathway_exit_dates)
