from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Resources and community")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the event reminder kind)
        from .contributions import register_contributions
        from .navigation import register_entries
        from .personal_data import register_provider

        register_entries()  # the header's Network offer and Requests to handle
        register_contributions()  # "Mon espace" section; the product page's panel
        register_provider()  # personal data: requests, comments, registrations, roles
