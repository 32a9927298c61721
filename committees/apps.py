from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Investment committees")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the committee reminder kinds)
        from .contributions import register_contributions
        from .navigation import register_entries
        from .personal_data import register_provider
        from .tiles import register_tiles

        register_entries()  # the header's Committees
        register_contributions()  # the portfolio's schedule column, filter, sort and panels; a tile; the feed
        register_tiles()  # the dashboards' tiles: compliance, budget, per incubator
        register_provider()  # personal data: attendances, the calendar feed

        from portfolio.signals import phase_changed

        from .cadence import on_phase_changed

        # A phase change moves the next committee's due date (committees/cadence.py).
        phase_changed.connect(on_phase_changed, dispatch_uid="committees.cadence.phase_changed")
