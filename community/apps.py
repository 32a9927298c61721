from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Resources and community")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the event reminder kind)
        from .navigation import register_entries

        register_entries()  # the header's Network offer and Requests to handle
