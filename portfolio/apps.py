from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self):
        from .contributions import register_contributions
        from .dashboards import register_section
        from .navigation import register_entries
        from .opendata import connect_signals
        from .personal_data import register_provider
        from .tiles import register_tiles

        register_entries()  # the header's Products, My products, Portfolio
        connect_signals()  # the open data is rebuilt when what it shows changes
        register_contributions()  # the product page's slots, the list's, the products-by-phase tile
        register_tiles()  # the dashboards' tiles: charts, a day in the past, per incubator
        register_section()  # "Mon espace": the user's dashboards, the network cockpit
        register_provider()  # personal data: team memberships, what the person recorded
