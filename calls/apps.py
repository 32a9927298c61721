from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls for intrapreneurs")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the call reminder kinds)
        from .contributions import register_contributions
        from .navigation import register_entries
        from .personal_data import register_provider
        from .tiles import register_tiles

        register_entries()  # the header's Calls, Call management, Jury, My applications
        register_contributions()  # "Mon espace", the product's origin, the open-calls tile
        register_tiles()  # the dashboards' tiles: the call funnel, per incubator
        register_provider()  # personal data: applications, jury records

        from django.db.models.signals import post_save

        from incubator import audit

        from .models import JuryScore

        post_save.connect(
            audit.recorder(audit.Action.SCORE_CHANGED), sender=JuryScore, weak=False, dispatch_uid="calls.audit_score"
        )
