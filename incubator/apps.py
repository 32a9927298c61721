from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubatorConfig(AppConfig):
    name = "incubator"
    verbose_name = _("Incubator network")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import audit, checks, tasks, versions  # noqa: F401  (checks: the system checks; tasks: the outbox's transport)
        from .contributions import declare_pages, register_core_sections
        from .mfa import note_at_login
        from .navigation import register_core_entries
        from .personal_data import register_core_provider
        from .security import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="incubator.start_session_clock")
        user_logged_in.connect(note_at_login, dispatch_uid="incubator.mfa_note_at_login")
        audit.connect()
        versions.track_writes()  # every write replaces the version the kept fragments are keyed by
        register_core_entries()  # the header's Home, My space, Administration
        register_core_sections()  # "Mon espace": my incubators, my account
        declare_pages()  # the incubator's public page, open to the apps' panels
        register_core_provider()  # personal data: the account, the roles, the audit log
