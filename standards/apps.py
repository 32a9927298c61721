from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = _("Standards")

    def ready(self):
        from portfolio.opendata import watch

        from . import reminders  # noqa: F401  (registers the missing-standards reminder kind)
        from .contributions import register_contributions
        from .models import ProductStandard, Standard
        from .personal_data import register_provider
        from .tiles import register_tiles

        register_contributions()  # the product page's scorecard, the coverage tile, the open data
        register_tiles()  # the coverage tile's chart and figures per incubator
        register_provider()  # personal data: who last updated an answer
        watch(ProductStandard)  # the open data shows the statuses: rebuilt when one changes
        watch(Standard)
