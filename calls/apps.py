from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls for intrapreneurs")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the call reminder kinds)
        from .navigation import register_entries

        register_entries()  # the header's Calls, Call management, Jury, My applications
