from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "openmil.events"
    verbose_name = _("Events, volunteers and mentoring")

    def ready(self) -> None:
        from openmil.events.portal import register_section

        register_section()
